//! The caller of a request and what they may see and do.
//!
//! Every finder takes an `Actor`: an object outside its organization or sites
//! is simply not found (404), and `authorize` is the one-line role guard (403)
//! for objects the caller can see.

use sea_orm::{
    prelude::DateTimeWithTimeZone, sea_query::IntoCondition, ColumnTrait, Condition,
    DatabaseConnection, EntityTrait, QueryFilter,
};
use uuid::Uuid;

use crate::models::error::{DomainError, DomainResult};
use crate::models::{
    clock::Clock,
    people::{roles::Role, site_memberships, users},
};

/// The caller's scope, built once per request from their token, and the
/// clock their request is judged by.
#[derive(Clone, Debug)]
pub struct Actor {
    pub user: users::Model,
    pub role: Role,
    pub sites: SiteScope,
    pub clock: Clock,
}

/// Who makes a change, and on which clock: a member of staff (on their
/// request's clock), or nobody on the staff (a customer through a link, a
/// job, the schedule) on the clock of the work that makes it. What every
/// record of a change (the audit trail, stock movements, line decisions)
/// is written with.
#[derive(Clone, Copy, Debug)]
pub enum By<'a> {
    Actor(&'a Actor),
    System(Clock),
}

impl<'a> By<'a> {
    #[must_use]
    pub const fn clock(self) -> Clock {
        match self {
            Self::Actor(actor) => actor.clock,
            Self::System(clock) => clock,
        }
    }

    /// The moment of the change, as stored.
    #[must_use]
    pub fn now(self) -> DateTimeWithTimeZone {
        crate::models::now_at(self.clock())
    }

    #[must_use]
    pub const fn actor(self) -> Option<&'a Actor> {
        match self {
            Self::Actor(actor) => Some(actor),
            Self::System(_) => None,
        }
    }

    /// The member of staff's internal id, if one made it.
    #[must_use]
    pub fn user_id(self) -> Option<i64> {
        self.actor().map(Actor::user_id)
    }
}

impl<'a> From<&'a Actor> for By<'a> {
    fn from(actor: &'a Actor) -> Self {
        Self::Actor(actor)
    }
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
/// from `Ability::allows`, the only place it is written in code; the README's
/// table ("Who may do what") says the same in words, and a test holds the two
/// together.
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
    /// Create and change customers and their vehicles.
    ManageCustomers,
    /// Erase a customer's personal data (owners; managers of the customer's
    /// home branch only: `Actor::authorize_erasure`).
    EraseCustomers,
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
    /// The dashboard and reports across one's branches: revenue, what is
    /// owed, how the floor works.
    ViewReports,
}

impl Ability {
    /// Every ability, in the README table's order.
    pub const ALL: [Self; 20] = [
        Self::ManageSites,
        Self::ViewSites,
        Self::ViewStaff,
        Self::ManageStaff(Role::Owner),
        Self::ManageStaff(Role::Manager),
        Self::ManageStaff(Role::Advisor),
        Self::ManageStaff(Role::Technician),
        Self::ViewAudit,
        Self::ManageCustomers,
        Self::EraseCustomers,
        Self::ManageRepairOrders,
        Self::ClaimRepairs,
        Self::ViewStock,
        Self::ManageStock,
        Self::ManageBilling,
        Self::ManageJobs,
        Self::ManagePromotions,
        Self::ManageTechnicians,
        Self::ViewEarnings,
        Self::ViewReports,
    ];

    #[must_use]
    pub const fn allows(self, role: Role) -> bool {
        use Role::{Advisor, Customer, Manager, Owner, Technician};
        match self {
            Self::ManageSites | Self::ViewAudit => matches!(role, Owner),
            // Stock and its costs are the branch's managers' (the contract
            // gives inventory to managers, not to the front desk).
            Self::ManageJobs
            | Self::ManagePromotions
            | Self::ManageTechnicians
            | Self::ViewEarnings
            | Self::ViewReports
            | Self::ManageStock
            | Self::EraseCustomers => {
                matches!(role, Owner | Manager)
            }
            Self::ViewSites => !matches!(role, Customer),
            Self::ViewStaff
            | Self::ManageCustomers
            | Self::ManageRepairOrders
            | Self::ManageBilling => {
                matches!(role, Owner | Manager | Advisor)
            }
            Self::ClaimRepairs => matches!(role, Technician),
            Self::ViewStock => matches!(role, Owner | Manager | Advisor | Technician),
            Self::ManageStaff(target) => match role {
                Owner => !matches!(target, Customer),
                Manager => matches!(target, Advisor | Technician),
                Advisor | Technician | Customer => false,
            },
        }
    }
}

impl Actor {
    /// Builds the scope of an active user from their public id, judged by
    /// `clock` (the request's).
    ///
    /// # Errors
    /// 401 when the user no longer exists or was deactivated; 500 on a
    /// database failure.
    pub async fn load(db: &DatabaseConnection, user_pid: Uuid, clock: Clock) -> DomainResult<Self> {
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
            clock,
        })
    }

    /// The scope of a user already loaded, judged by `clock`.
    ///
    /// # Errors
    /// 500 when the stored role is unknown or the database fails.
    pub async fn for_user(
        db: &DatabaseConnection,
        user: users::Model,
        clock: Clock,
    ) -> DomainResult<Self> {
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
            clock,
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

    /// The guard for erasing a customer whose home branch is
    /// `home_site_id`: owners, and the managers of that branch.
    ///
    /// # Errors
    /// 403 for other roles, and for a manager of other branches only.
    pub fn authorize_erasure(&self, home_site_id: i64) -> DomainResult<()> {
        self.authorize(Ability::EraseCustomers)?;
        if self.sees_site(home_site_id) {
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

    /// The README's "Who may do what" table, row by row: the words before
    /// the first `|` cell that names a role, and a mark per role.
    fn readme_table() -> Vec<(String, Vec<bool>)> {
        let readme = include_str!("../../README.md");
        let start = readme
            .find("<!-- roles -->")
            .expect("the README has a role table between <!-- roles --> markers");
        let end = readme
            .find("<!-- /roles -->")
            .expect("the role table ends with <!-- /roles -->");
        readme[start..end]
            .lines()
            .filter(|line| line.starts_with("| "))
            .skip(1) // the header (its rule has no cells)
            .map(|line| {
                let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
                let marks = cells[1..].iter().map(|cell| *cell == "yes").collect();
                (cells[0].to_string(), marks)
            })
            .collect()
    }

    #[test]
    fn the_readme_role_table_is_the_one_the_code_enforces() {
        use Role::{Advisor, Customer, Manager, Owner, Technician};
        let table = readme_table();
        assert_eq!(
            table.len(),
            Ability::ALL.len(),
            "one README row per ability: {table:?}"
        );
        for ((row, marks), ability) in table.iter().zip(Ability::ALL) {
            let allowed: Vec<bool> = [Owner, Manager, Advisor, Technician, Customer]
                .into_iter()
                .map(|role| ability.allows(role))
                .collect();
            assert_eq!(
                marks, &allowed,
                "README row {row:?} says otherwise than {ability:?} allows"
            );
        }
    }
}
