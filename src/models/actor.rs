//! The caller of a request and what they may see and do.
//!
//! Every finder takes an `Actor`: an object outside its organization or sites
//! is simply not found (404), and `authorize` is the one-line role guard (403)
//! for objects the caller can see.

use sea_orm::{
    sea_query::IntoCondition, ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter,
};
use uuid::Uuid;

use super::{clock::Clock, roles::Role, site_memberships, users};
use crate::models::error::{DomainError, DomainResult};

/// The caller's scope, built once per request from their token, and the
/// clock their request is judged by.
#[derive(Clone, Debug)]
pub struct Actor {
    pub user: users::Model,
    pub role: Role,
    pub sites: SiteScope,
    pub clock: Clock,
}

/// The sites an actor sees.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SiteScope {
    /// Every site of the organization (owners).
    All,
    /// Only these sites (everyone else; empty for customers).
    Only(Vec<i64>),
}

/// Things a role may or may not do. `Actor::authorize` reads the role table
/// of docs/api.md from `Ability::allows`, the only place it is written down.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ability {
    /// Create sites and change their settings.
    ManageSites,
    /// List and read the sites one works at.
    ViewSites,
    /// List and read colleagues at one's sites.
    ViewStaff,
    /// Create and change staff of the given role.
    ManageStaff(Role),
    /// Read the organization's audit trail.
    ViewAudit,
    /// Create, change and erase customers and their vehicles.
    ManageCustomers,
    /// Open repair orders, assign them, and move them through their states.
    ManageRepairOrders,
    /// Take orders from the queue.
    ClaimRepairs,
    /// See the products on the shelves and what is available (not what
    /// they cost).
    ViewStock,
    /// Add and price products, adjust and move stock, order from suppliers,
    /// and see what things cost.
    ManageStock,
    /// Invoices and the payments against them; the customer's word on
    /// estimate lines.
    ManageBilling,
    /// See background jobs waiting, failing and dead, and retry or discard
    /// them.
    ManageJobs,
    /// Write, schedule and send promotions.
    ManagePromotions,
    /// Keep the organization's list of skills, and technicians' profiles,
    /// working hours and time off.
    ManageTechnicians,
    /// See what technicians other than oneself earned.
    ViewEarnings,
}

impl Ability {
    #[must_use]
    pub const fn allows(self, role: Role) -> bool {
        use Role::{Advisor, Customer, Manager, Owner, Technician};
        match self {
            Self::ManageSites | Self::ViewAudit => matches!(role, Owner),
            Self::ManageJobs
            | Self::ManagePromotions
            | Self::ManageTechnicians
            | Self::ViewEarnings => {
                matches!(role, Owner | Manager)
            }
            Self::ViewSites => !matches!(role, Customer),
            Self::ViewStaff | Self::ManageCustomers | Self::ManageRepairOrders => {
                matches!(role, Owner | Manager | Advisor)
            }
            Self::ClaimRepairs => matches!(role, Technician),
            Self::ViewStock => matches!(role, Owner | Manager | Advisor | Technician),
            // Technicians never see costs or take payments.
            Self::ManageStock | Self::ManageBilling => matches!(role, Owner | Manager | Advisor),
            Self::ManageStaff(target) => match role {
                Owner => !matches!(target, Customer),
                Manager => matches!(target, Advisor | Technician),
                Advisor | Technician | Customer => false,
            },
        }
    }
}

impl Actor {
    /// Builds the scope of an active user from their public id.
    ///
    /// # Errors
    /// 401 when the user no longer exists or was deactivated; 500 on a
    /// database failure.
    pub async fn load(db: &DatabaseConnection, user_pid: Uuid) -> DomainResult<Self> {
        // One query for the user and their assignments: this runs on every
        // request.
        let (user, memberships) = users::Entity::find()
            .filter(users::Column::Pid.eq(user_pid))
            .filter(users::Column::Active.eq(true))
            .find_with_related(site_memberships::Entity)
            .all(db)
            .await?
            .pop()
            .ok_or_else(|| {
                DomainError::Unauthenticated("the account is no longer active".into())
            })?;
        let role = user.role()?;
        let sites = if role.sees_every_site() {
            SiteScope::All
        } else {
            SiteScope::Only(memberships.iter().map(|m| m.site_id).collect())
        };
        Ok(Self {
            user,
            role,
            sites,
            clock: Clock::System,
        })
    }

    /// The scope of a user already loaded.
    ///
    /// # Errors
    /// 500 when the stored role is unknown or the database fails.
    pub async fn for_user(db: &DatabaseConnection, user: users::Model) -> DomainResult<Self> {
        let role = user.role()?;
        let sites = if role.sees_every_site() {
            SiteScope::All
        } else {
            SiteScope::Only(site_memberships::Model::site_ids_of(db, user.id).await?)
        };
        Ok(Self {
            user,
            role,
            sites,
            clock: Clock::System,
        })
    }

    /// The same actor, judged by `clock`.
    #[must_use]
    pub const fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    #[must_use]
    pub const fn user_id(&self) -> i64 {
        self.user.id
    }

    /// Everything the actor sees belongs to this organization.
    #[must_use]
    pub const fn organization_id(&self) -> i64 {
        self.user.organization_id
    }

    /// The role guard: `actor.authorize(Ability::ManageSites)?`.
    ///
    /// # Errors
    /// 403 when the actor's role may not do this.
    pub fn authorize(&self, ability: Ability) -> DomainResult<()> {
        if ability.allows(self.role) {
            Ok(())
        } else {
            Err(DomainError::Forbidden)
        }
    }

    #[must_use]
    pub fn can(&self, ability: Ability) -> bool {
        ability.allows(self.role)
    }

    #[must_use]
    pub fn sees_site(&self, site_id: i64) -> bool {
        match &self.sites {
            SiteScope::All => true,
            SiteScope::Only(ids) => ids.contains(&site_id),
        }
    }

    /// Rows of the actor's organization at the sites they see: what every
    /// site-scoped finder filters on.
    #[must_use]
    pub fn scope(
        &self,
        organization_column: impl ColumnTrait,
        site_column: impl ColumnTrait,
    ) -> Condition {
        Condition::all()
            .add(organization_column.eq(self.organization_id()))
            .add(self.site_condition(site_column))
    }

    /// Restricts a query on `site_column` to the actor's sites. Combine with
    /// the organization filter: `SiteScope::All` means all sites *of the
    /// actor's organization*.
    #[must_use]
    pub fn site_condition(&self, site_column: impl ColumnTrait) -> Condition {
        match &self.sites {
            SiteScope::All => Condition::all(),
            SiteScope::Only(ids) => site_column.is_in(ids.iter().copied()).into_condition(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_role_table() {
        use Role::{Advisor, Customer, Manager, Owner, Technician};
        let can = |ability: Ability, role| ability.allows(role);

        assert!(can(Ability::ManageSites, Owner));
        for role in [Manager, Advisor, Technician, Customer] {
            assert!(!can(Ability::ManageSites, role), "{role} manages sites");
            assert!(
                !can(Ability::ViewAudit, role),
                "{role} reads the audit trail"
            );
        }
        assert!(!can(Ability::ViewSites, Customer));
        assert!(can(Ability::ViewStaff, Advisor));
        assert!(!can(Ability::ViewStaff, Technician));

        for target in [Owner, Manager, Advisor, Technician] {
            assert!(can(Ability::ManageStaff(target), Owner));
        }
        assert!(!can(Ability::ManageStaff(Customer), Owner));
        assert!(can(Ability::ManageStaff(Technician), Manager));
        assert!(can(Ability::ManageStaff(Advisor), Manager));
        assert!(!can(Ability::ManageStaff(Manager), Manager));
        assert!(!can(Ability::ManageStaff(Owner), Manager));
        assert!(!can(Ability::ManageStaff(Technician), Advisor));

        for role in [Owner, Manager, Advisor] {
            assert!(can(Ability::ManageCustomers, role));
            assert!(can(Ability::ManageRepairOrders, role));
            assert!(!can(Ability::ClaimRepairs, role));
        }
        for role in [Technician, Customer] {
            assert!(!can(Ability::ManageCustomers, role));
            assert!(!can(Ability::ManageRepairOrders, role));
        }
        assert!(can(Ability::ClaimRepairs, Technician));

        for role in [Owner, Manager, Advisor] {
            assert!(can(Ability::ManageStock, role));
            assert!(can(Ability::ManageBilling, role));
        }
        assert!(can(Ability::ViewStock, Technician));
        assert!(!can(Ability::ManageStock, Technician));
        assert!(!can(Ability::ManageBilling, Technician));
        assert!(!can(Ability::ViewStock, Customer));

        for role in [Owner, Manager] {
            assert!(can(Ability::ManageJobs, role));
        }
        for role in [Advisor, Technician, Customer] {
            assert!(!can(Ability::ManageJobs, role));
        }
    }
}
