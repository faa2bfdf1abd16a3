//! The people who work at a workshop: creating them, assigning them to
//! branches, changing their role, and deactivating them when they leave.

use std::collections::{BTreeSet, HashMap};

use sea_orm::{
    entity::prelude::*,
    sea_query::{Expr, ExprTrait, Query},
    ActiveValue, Condition, IntoActiveModel, QueryOrder, QuerySelect,
};
use serde_json::json;

use crate::models::error::{DomainError, DomainResult, FieldErrors, OnUnique};
use crate::models::values::Stored;
use crate::models::{
    actor::{Ability, Actor, SiteScope},
    audit_events::{self, Change},
    organization::sites,
    paging::{Page, PageRequest},
    people::{
        roles::Role,
        site_memberships,
        users::{ActiveModel, Column, Entity, Model, PasswordHash, EMAIL_TAKEN},
    },
    values::{Email, Password},
    Write,
};

/// A new member of staff, every value already checked; their password as
/// typed (`Password`) until it is hashed, before the transaction
/// (`hashed`), for `create_staff`.
#[derive(Debug)]
pub struct NewStaff<P = PasswordHash> {
    pub name: String,
    pub email: Email,
    pub password: P,
    pub role: Role,
    pub site_ids: Vec<Uuid>,
}

impl NewStaff<Password> {
    /// The same member with their password hashed: slow on purpose, so
    /// after the cheap checks (`Model::check_new_staff`) and before any
    /// transaction.
    ///
    /// # Errors
    /// 500 when hashing fails.
    pub async fn hashed(self) -> DomainResult<NewStaff> {
        Ok(NewStaff {
            password: PasswordHash::of(self.password).await?,
            name: self.name,
            email: self.email,
            role: self.role,
            site_ids: self.site_ids,
        })
    }
}

/// A partial change to a member of staff; `None` leaves a value as it is.
#[derive(Debug, Default)]
pub struct StaffChanges {
    pub name: Option<String>,
    pub role: Option<Role>,
    pub site_ids: Option<Vec<Uuid>>,
    pub active: Option<bool>,
    /// Hashed before the transaction (`PasswordHash::of`).
    pub password: Option<PasswordHash>,
}

const OWNER_SITES: &str = "must be empty: owners see every site";
const NEEDS_A_SITE: &str = "must name at least one site";

impl Model {
    /// Staff `actor` sees: the whole organization for owners, otherwise the
    /// people assigned to one of the actor's sites, and the actor.
    #[must_use]
    pub fn staff_visible_to(actor: &Actor) -> Select<Entity> {
        let staff_roles = Role::STAFF.iter().map(|role| role.as_str());
        let query = Entity::find()
            .filter(Column::OrganizationId.eq(actor.organization_id()))
            .filter(Column::Role.is_in(staff_roles));
        let query = match &actor.sites {
            SiteScope::All => query,
            SiteScope::Only(site_ids) => query.filter(
                Condition::any()
                    .add(Column::Id.eq(actor.user_id()))
                    .add(Column::Id.in_subquery(members_of(site_ids))),
            ),
        };
        query.order_by_asc(Column::Name).order_by_asc(Column::Id)
    }

    /// # Errors
    /// 404 when no such member of staff exists for `actor`; 403 when their
    /// role may not look at staff.
    pub async fn find_staff_for(
        db: &impl ConnectionTrait,
        actor: &Actor,
        pid: Uuid,
    ) -> DomainResult<Self> {
        let member = Self::staff_visible_to(actor)
            .filter(Column::Pid.eq(pid))
            .one(db)
            .await?
            .ok_or(DomainError::NotFound("staff member"))?;
        actor.authorize(Ability::ViewStaff)?;
        Ok(member)
    }

    /// Staff `actor` sees, optionally only those assigned to `site`.
    ///
    /// # Errors
    /// 403 when the actor's role may not look at staff.
    pub async fn list_staff_for(
        db: &impl ConnectionTrait,
        actor: &Actor,
        site: Option<&sites::Model>,
        page: PageRequest,
    ) -> DomainResult<Page<Self>> {
        actor.authorize(Ability::ViewStaff)?;
        let mut query = Self::staff_visible_to(actor);
        if let Some(site) = site {
            query = query.filter(Column::Id.in_subquery(members_of(&[site.id])));
        }
        page.fetch(db, query).await
    }

    /// The technicians `actor` sees (active or not, so that a period's
    /// report keeps those who have left), optionally only those assigned
    /// to `site`; by name.
    ///
    /// # Errors
    /// 403 when the actor's role may not look at staff.
    pub async fn technicians_for(
        db: &impl ConnectionTrait,
        actor: &Actor,
        site: Option<&sites::Model>,
        page: PageRequest,
    ) -> DomainResult<Page<Self>> {
        actor.authorize(Ability::ViewStaff)?;
        let mut query =
            Self::staff_visible_to(actor).filter(Column::Role.eq(Role::Technician.as_str()));
        if let Some(site) = site {
            query = query.filter(Column::Id.in_subquery(members_of(&[site.id])));
        }
        page.fetch(db, query).await
    }

    /// What `create_staff` would refuse, asked before the password is
    /// hashed, so a request that will fail costs no hash.
    ///
    /// # Errors
    /// As `create_staff`.
    pub async fn check_new_staff<P>(
        db: &impl ConnectionTrait,
        actor: &Actor,
        staff: &NewStaff<P>,
    ) -> DomainResult<Vec<sites::Model>> {
        actor.authorize(Ability::ManageStaff(staff.role))?;
        let sites = sites::Model::find_all_for(db, actor, &staff.site_ids).await?;
        check_sites_fit_role(staff.role, sites.len())?;
        if Self::find_by_email(db, &staff.email).await?.is_some() {
            return Err(DomainError::duplicate("email", EMAIL_TAKEN));
        }
        Ok(sites)
    }

    /// Adds a member of staff and assigns them to their sites.
    ///
    /// # Errors
    /// 403 when the actor may not manage staff of that role; 404 when a site
    /// is not the actor's; 422 when the sites do not fit the role; 409 when
    /// the email is registered already.
    pub async fn create_staff(txn: &Write, actor: &Actor, staff: NewStaff) -> DomainResult<Self> {
        // Decided again inside the transaction: the checks before the hash
        // were only to spare it.
        let sites = Self::check_new_staff(txn, actor, &staff).await?;
        let password = staff.password.into_inner();
        let now = crate::models::now_at(actor.clock);
        let member = ActiveModel {
            organization_id: ActiveValue::Set(actor.organization_id()),
            email: ActiveValue::Set(staff.email.into_inner()),
            password: ActiveValue::Set(password),
            name: ActiveValue::Set(staff.name),
            role: ActiveValue::Set(staff.role.as_str().to_string()),
            active: ActiveValue::Set(true),
            created_at: ActiveValue::Set(now),
            updated_at: ActiveValue::Set(now),
            ..Default::default()
        }
        .insert(txn)
        .await
        .on_unique("email", EMAIL_TAKEN)?;
        let site_ids: BTreeSet<i64> = sites.iter().map(|site| site.id).collect();
        site_memberships::Model::replace(txn, now, member.organization_id, member.id, &site_ids)
            .await?;
        audit_events::Model::record(
            txn,
            actor.organization_id(),
            actor,
            Change {
                action: "staff.created",
                subject_type: "user",
                subject_id: member.pid,
                site_id: None,
                details: Some(json!({
                    "role": member.role,
                    "sites": sites.iter().map(|site| site.pid).collect::<Vec<_>>(),
                })),
            },
        )
        .await?;
        Ok(member)
    }
}

impl ActiveModel {
    /// Applies a manager's or owner's changes to a member of staff.
    ///
    /// Decided on the member as they are inside the write transaction, with
    /// their row locked, not as they were read before it: two people
    /// changing one member at once cannot undo each other's assignments or
    /// slip a role change past the check of the other.
    ///
    /// # Errors
    /// 403 when the actor may not manage the member's current or new role;
    /// 409 when actors change their own role or deactivate themselves (an
    /// organization must never lose its last owner); 404 for a site that is
    /// not the actor's; 422 when the sites do not fit the role.
    pub async fn change_staff(
        self,
        txn: &Write,
        actor: &Actor,
        changes: StaffChanges,
    ) -> DomainResult<Model> {
        let id = *self.id.as_ref();
        let password = changes.password.map(PasswordHash::into_inner);
        let wanted_sites = match &changes.site_ids {
            Some(pids) => Some(sites::Model::find_all_for(txn, actor, pids).await?),
            None => None,
        };
        let current = Entity::find_by_id(id)
            .lock_exclusive()
            .one(txn)
            .await?
            .ok_or(DomainError::NotFound("staff member"))?;
        let current_role = current.role()?;
        actor.authorize(Ability::ManageStaff(current_role))?;
        let role = changes.role.unwrap_or(current_role);
        actor.authorize(Ability::ManageStaff(role))?;
        let is_self = current.id == actor.user_id();
        if is_self && (role != current_role || changes.active == Some(false)) {
            return Err(DomainError::conflict(
                "you cannot change your own role or deactivate yourself",
            ));
        }

        // Assignments are only replaced within the actor's own sites.
        let within = match &actor.sites {
            SiteScope::All => None,
            SiteScope::Only(ids) => Some(ids.clone()),
        };
        let current_sites = site_memberships::Model::site_ids_of(txn, current.id).await?;
        let resulting: BTreeSet<i64> = match (&wanted_sites, role) {
            (_, Role::Owner) => {
                if wanted_sites.as_ref().is_some_and(|sites| !sites.is_empty()) {
                    return Err(DomainError::invalid("site_ids", OWNER_SITES));
                }
                BTreeSet::new()
            }
            (Some(wanted), _) => current_sites
                .iter()
                .copied()
                .filter(|id| within.as_ref().is_some_and(|scope| !scope.contains(id)))
                .chain(wanted.iter().map(|site| site.id))
                .collect(),
            (None, _) => current_sites.iter().copied().collect(),
        };
        check_sites_fit_role(role, resulting.len())?;

        let mut member = current.clone().into_active_model();
        if let Some(name) = changes.name {
            member.name.set_if_not_equals(name);
        }
        member.role.set_if_not_equals(role.as_str().to_string());
        if let Some(active) = changes.active {
            member.active.set_if_not_equals(active);
        }
        let password_reset = password.is_some();
        if let Some(password) = password {
            member.password = ActiveValue::Set(password);
        }
        let mut changed = crate::models::changed_columns(&member);
        let sites_changed = resulting != current_sites.iter().copied().collect();
        if sites_changed {
            changed.push("site_ids");
        }
        if changed.is_empty() {
            return Ok(current);
        }

        let now = crate::models::now_at(actor.clock);
        let mut member = if member.is_changed() {
            member.updated_at = ActiveValue::Set(now);
            member.update(txn).await?
        } else {
            current
        };
        if password_reset {
            // Whoever had the old password is signed out everywhere: every
            // token carries the version it was issued under. Counted up in
            // the database, so two resets at once are two versions.
            Entity::update_many()
                .col_expr(
                    Column::SessionVersion,
                    Expr::col(Column::SessionVersion).add(1),
                )
                .filter(Column::Id.eq(member.id))
                .exec(txn)
                .await?;
            member.session_version = member.session_version.wrapping_add(1);
        }
        if sites_changed {
            site_memberships::Model::replace(
                txn,
                now,
                member.organization_id,
                member.id,
                &resulting,
            )
            .await?;
        }
        audit_events::Model::record(
            txn,
            actor.organization_id(),
            actor,
            Change {
                action: "staff.updated",
                subject_type: "user",
                subject_id: member.pid,
                site_id: None,
                details: Some(json!({ "changed": changed })),
            },
        )
        .await?;
        Ok(member)
    }
}

/// Owners work everywhere and hold no assignments; everyone else needs one.
fn check_sites_fit_role(role: Role, site_count: usize) -> DomainResult<()> {
    let mut errors = FieldErrors::default();
    match role {
        Role::Owner if site_count > 0 => errors.add("site_ids", OWNER_SITES),
        Role::Owner => {}
        _ if site_count == 0 => errors.add("site_ids", NEEDS_A_SITE),
        _ => {}
    }
    errors.finish()
}

fn members_of(site_ids: &[i64]) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(site_memberships::Column::UserId)
        .from(site_memberships::Entity)
        .and_where(site_memberships::Column::SiteId.is_in(site_ids.iter().copied()))
        .to_owned()
}

impl Model {
    /// The sites each of `members` is assigned to, by user id.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn sites_of(
        db: &impl ConnectionTrait,
        organization_id: i64,
        members: &[Self],
    ) -> Result<HashMap<i64, Vec<sites::Model>>, DbErr> {
        let ids: Vec<i64> = members.iter().map(|member| member.id).collect();
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let memberships = site_memberships::Entity::find()
            .filter(site_memberships::Column::UserId.is_in(ids))
            .all(db)
            .await?;
        let site_ids: Vec<i64> = memberships.iter().map(|m| m.site_id).collect();
        let sites = sites::Model::by_ids(db, organization_id, &site_ids).await?;
        let mut by_user: HashMap<i64, Vec<sites::Model>> = HashMap::new();
        // `sites` is ordered by name, so each user's list is too.
        for site in sites {
            for membership in memberships.iter().filter(|m| m.site_id == site.id) {
                by_user
                    .entry(membership.user_id)
                    .or_default()
                    .push(site.clone());
            }
        }
        Ok(by_user)
    }
}
