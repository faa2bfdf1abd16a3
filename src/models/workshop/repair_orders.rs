//! Repair orders: opened at a site for a vehicle, moved through the state
//! machine of `RepairStatus`, and worked on by technicians who claim them
//! from the site's queue.
//!
//! Every status change is one conditional UPDATE (`... WHERE id = ? AND
//! status = <expected>`), so two people acting at once cannot both move an
//! order; the loser gets a 409. Claiming adds `AND technician_id IS NULL`, so
//! of any number of technicians racing for an order exactly one wins.

use chrono::{DateTime, FixedOffset};
use sea_orm::{
    entity::prelude::*, sea_query::Expr, ActiveValue, FromQueryResult, IntoActiveModel, JoinType,
    QueryOrder, QuerySelect, RelationTrait, SelectModel, Selector,
};
use serde_json::json;

pub use crate::models::_entities::repair_orders::{
    self, ActiveModel, Column, Entity, Model, Relation,
};
use crate::models::error::{DomainError, DomainResult};
use crate::models::values::Stored;
use crate::models::Scoped;
use crate::models::{
    actor::{Ability, Actor, By},
    audit_events::{self, Change},
    billing::invoices,
    clock::Clock,
    customers,
    customers::vehicles::{self, Reading, ReadingSource},
    notifications, now_at,
    organization::sites,
    paging::{Page, PageRequest},
    people::{roles::Role, site_memberships, users},
    values::{Approval, Priority, RepairStatus},
    workshop::{labor_lines, part_lines, repair_order_events},
    Write,
};

#[async_trait::async_trait]
impl ActiveModelBehavior for ActiveModel {
    /// A new row gets its public id. Its times are the writer's to set,
    /// from the actor's (or the job's) clock.
    async fn before_save<C>(mut self, _db: &C, insert: bool) -> Result<Self, DbErr>
    where
        C: ConnectionTrait,
    {
        if insert {
            self.pid = ActiveValue::Set(Uuid::new_v4());
        }
        Ok(self)
    }
}

/// A new repair order, every value already checked.
#[derive(Debug)]
pub struct NewRepairOrder {
    pub site_id: Uuid,
    pub vehicle_id: Uuid,
    pub description: String,
    pub complaint: Option<String>,
    pub priority: Priority,
    pub odometer_km: Option<i64>,
    /// Skills of the organization's list (any case) a technician needs to
    /// take the order.
    pub required_skills: Vec<String>,
}

/// What an order's revision changes; `None` keeps a value as it is. The
/// complaint's inner `None` clears it.
#[derive(Debug, Default)]
pub struct Revision {
    pub description: Option<String>,
    pub complaint: Option<Option<String>>,
    pub priority: Option<Priority>,
}

/// Which orders a list shows.
#[derive(Debug, Default)]
pub struct Filters {
    pub site: Option<sites::Model>,
    pub status: Option<RepairStatus>,
    pub technician: Option<users::Model>,
    /// One vehicle's orders: its repair history. Technicians, who otherwise
    /// list only their own orders, see a vehicle's whole history at their
    /// sites, for what was done to it before.
    pub vehicle: Option<crate::models::customers::vehicles::Model>,
}

/// An order with what a list or a phone screen shows of its site, vehicle,
/// customer and technician, read in one query.
#[derive(Clone, Debug, FromQueryResult)]
pub struct OrderRow {
    pub id: i64,
    pub pid: Uuid,
    pub status: String,
    pub priority: i16,
    pub description: String,
    pub complaint: Option<String>,
    pub odometer_km: Option<i64>,
    pub technician_id: Option<i64>,
    pub approved_at: Option<DateTime<FixedOffset>>,
    pub started_at: Option<DateTime<FixedOffset>>,
    pub completed_at: Option<DateTime<FixedOffset>>,
    pub created_at: DateTime<FixedOffset>,
    pub updated_at: DateTime<FixedOffset>,
    /// When its technician last took in the changes made by others.
    pub technician_seen_at: Option<DateTime<FixedOffset>>,
    pub site_pid: Uuid,
    pub site_name: String,
    pub currency: String,
    pub vehicle_pid: Uuid,
    pub plate: String,
    pub make: String,
    pub model: String,
    pub customer_pid: Uuid,
    pub customer_name: String,
    pub technician_pid: Option<Uuid>,
    pub technician_name: Option<String>,
}

impl Scoped for Entity {
    const NAME: &'static str = "repair order";
    const ABILITY: Option<Ability> = None;

    fn pid_column() -> Column {
        Column::Pid
    }

    /// Orders at the sites `actor` sees (none for customers, who are at no site).
    fn visible_to(actor: &Actor) -> Select<Self> {
        Entity::find().filter(actor.scope(Column::OrganizationId, Column::SiteId))
    }
}

impl Model {
    /// # Errors
    /// 500 when the stored status is not one of ours.
    pub fn status(&self) -> DomainResult<RepairStatus> {
        RepairStatus::from_stored(&self.status).ok_or_else(|| {
            DomainError::internal(format!(
                "repair order {} has status {:?}",
                self.id, self.status
            ))
        })
    }

    /// This order as a row with its site, vehicle, customer and technician.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn row(&self, db: &impl ConnectionTrait) -> DomainResult<OrderRow> {
        rows(Entity::find().filter(Column::Id.eq(self.id)))
            .one(db)
            .await?
            .ok_or(DomainError::NotFound("repair order"))
    }

    /// Orders the actor sees, newest first. Technicians see the orders
    /// assigned to them.
    ///
    /// # Errors
    /// 404 for customers, as for any one order (their portal is elsewhere);
    /// 500 when the database fails.
    pub async fn list_for(
        db: &impl ConnectionTrait,
        actor: &Actor,
        filters: Filters,
        page: PageRequest,
    ) -> DomainResult<Page<OrderRow>> {
        if actor.role == Role::Customer {
            return Err(DomainError::NotFound("repair order"));
        }
        let mut query = Entity::visible_to(actor);
        if let Some(vehicle) = filters.vehicle {
            query = query.filter(Column::VehicleId.eq(vehicle.id));
        } else if actor.role == Role::Technician {
            query = query.filter(Column::TechnicianId.eq(actor.user_id()));
        }
        if let Some(site) = filters.site {
            query = query.filter(Column::SiteId.eq(site.id));
        }
        if let Some(status) = filters.status {
            query = query.filter(Column::Status.eq(status.as_str()));
        }
        if let Some(technician) = filters.technician {
            query = query.filter(Column::TechnicianId.eq(technician.id));
        }
        let query = query
            .order_by_desc(Column::CreatedAt)
            .order_by_desc(Column::Id);
        page.fetch(db, rows(query)).await
    }

    /// The queue: approved orders nobody has claimed, urgent first, then
    /// oldest first.
    ///
    /// # Errors
    /// 404 for customers, as for any one order; 500 when the database fails.
    pub async fn queue_for(
        db: &impl ConnectionTrait,
        actor: &Actor,
        site: Option<&sites::Model>,
        page: PageRequest,
    ) -> DomainResult<Page<OrderRow>> {
        if actor.role == Role::Customer {
            return Err(DomainError::NotFound("repair order"));
        }
        let mut query = Entity::visible_to(actor)
            .filter(Column::Status.eq(RepairStatus::Approved.as_str()))
            .filter(Column::TechnicianId.is_null());
        if let Some(site) = site {
            query = query.filter(Column::SiteId.eq(site.id));
        }
        let query = query
            .order_by_desc(Column::Priority)
            .order_by_asc(Column::CreatedAt)
            .order_by_asc(Column::Id);
        page_of_rows(db, query, page).await
    }

    /// Opens an order at a site for a vehicle, recording the odometer at
    /// intake.
    ///
    /// # Errors
    /// 403 unless the actor opens orders; 404 for a site or vehicle not
    /// theirs; 422 for an odometer reading lower than an earlier one.
    pub async fn create(txn: &Write, actor: &Actor, new: NewRepairOrder) -> DomainResult<Self> {
        actor.authorize(Ability::ManageRepairOrders)?;
        let site = sites::Entity::find_for(txn, actor, new.site_id).await?;
        let vehicle = vehicles::Entity::find_for(txn, actor, new.vehicle_id).await?;
        let required = crate::models::people::skills::resolve(
            txn,
            actor.organization_id(),
            &new.required_skills,
            "required_skills",
        )
        .await?;
        if let Some(km) = new.odometer_km {
            let reading = Reading {
                km,
                on: actor.clock.today_in(site.time_zone()),
                source: ReadingSource::Intake,
            };
            crate::models::customers::odometer_readings::Model::record(
                txn, actor, &vehicle, reading,
            )
            .await
            .map_err(|err| err.renamed("reading_km", "odometer_km"))?;
            vehicle
                .reload(txn)
                .await?
                .into_active_model()
                .reschedule(txn, crate::models::now_at(actor.clock))
                .await?;
        }
        let now = crate::models::now_at(actor.clock);
        let order = ActiveModel {
            organization_id: ActiveValue::Set(actor.organization_id()),
            site_id: ActiveValue::Set(site.id),
            vehicle_id: ActiveValue::Set(vehicle.id),
            customer_id: ActiveValue::Set(vehicle.customer_id),
            status: ActiveValue::Set(RepairStatus::Requested.as_str().to_string()),
            priority: ActiveValue::Set(new.priority.rank()),
            description: ActiveValue::Set(new.description),
            complaint: ActiveValue::Set(new.complaint),
            odometer_km: ActiveValue::Set(new.odometer_km),
            created_by: ActiveValue::Set(actor.user_id()),
            created_at: ActiveValue::Set(now),
            updated_at: ActiveValue::Set(now),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        crate::models::people::skills::set_for_order(txn, order.id, &required).await?;
        repair_order_events::Model::record(txn, &order, None, RepairStatus::Requested, actor, None)
            .await?;
        Ok(order)
    }

    /// Makes `names` the skills the order needs (an empty list: none).
    /// Whoever has the order keeps it; the skills gate the next claim or
    /// assignment.
    ///
    /// # Errors
    /// 403 unless the actor manages orders; 422 naming a skill that is not
    /// the organization's; 409 for a closed order.
    pub async fn set_required_skills(
        &self,
        db: &Write,
        actor: &Actor,
        names: &[String],
    ) -> DomainResult<Vec<String>> {
        actor.authorize(Ability::ManageRepairOrders)?;
        Self::lock_open(db, self.id, now_at(actor.clock)).await?;
        let required = crate::models::people::skills::resolve(
            db,
            self.organization_id,
            names,
            "required_skills",
        )
        .await?;
        let before = crate::models::people::skills::of_orders(db, &[self.id])
            .await?
            .remove(&self.id)
            .unwrap_or_default();
        crate::models::people::skills::set_for_order(db, self.id, &required).await?;
        let mut required = required;
        required.sort_by(|a, b| a.key.cmp(&b.key));
        let after: Vec<String> = required.into_iter().map(|skill| skill.name).collect();
        if before != after {
            audit_events::Model::record(
                db,
                self.organization_id,
                actor,
                Change {
                    action: "repair_order.required_skills_changed",
                    subject_type: "repair_order",
                    subject_id: self.pid,
                    site_id: Some(self.site_id),
                    details: Some(json!({"from": before, "to": after})),
                },
            )
            .await?;
        }
        Ok(after)
    }

    /// Takes the order `pid` from the queue for the technician `actor`:
    /// one conditional `UPDATE … RETURNING` decides it (the order is the
    /// actor's to see, approved, unclaimed, and the actor has every skill
    /// it needs), and the history records it, in the caller's `Write`. Of
    /// any number of technicians claiming at once, one wins.
    ///
    /// # Errors
    /// 404 for an order the actor does not see; 403 unless the actor claims
    /// repairs; 422 naming the skills they lack; 409 when it was claimed
    /// already or is not approved.
    pub async fn claim(db: &Write, actor: &Actor, pid: Uuid) -> DomainResult<Self> {
        if let Err(denied) = actor.authorize(Ability::ClaimRepairs) {
            // Someone else's order is a 404 before it is a 403.
            Entity::find_for(db, actor, pid).await?;
            return Err(denied);
        }
        let now = crate::models::now_at(actor.clock);
        let claimed = Entity::update_many()
            .col_expr(
                Column::Status,
                Expr::value(RepairStatus::InProgress.as_str()),
            )
            .col_expr(Column::TechnicianId, Expr::value(actor.user_id()))
            .col_expr(Column::StartedAt, Expr::value(now))
            .col_expr(Column::UpdatedAt, Expr::value(now))
            .col_expr(Column::TechnicianSeenAt, Expr::value(now))
            .filter(Column::Pid.eq(pid))
            .filter(actor.scope(Column::OrganizationId, Column::SiteId))
            .filter(Column::Status.eq(RepairStatus::Approved.as_str()))
            .filter(Column::TechnicianId.is_null())
            .filter(crate::models::people::skills::has_every_skill_for(
                actor.user_id(),
            ))
            .exec_with_returning(db)
            .await?
            .pop();
        let Some(order) = claimed else {
            // Only the losers read: why not.
            let order = Entity::find_for(db, actor, pid).await?;
            let missing =
                crate::models::people::skills::missing(db, order.id, actor.user_id()).await?;
            if !missing.is_empty() {
                return Err(crate::models::people::skills::lacking(
                    "required_skills",
                    "you do not have",
                    &missing,
                ));
            }
            return Err(DomainError::conflict(
                "this order is not in the queue: it was claimed already or is not approved",
            ));
        };
        repair_order_events::Model::record(
            db,
            &order,
            Some(RepairStatus::Approved),
            RepairStatus::InProgress,
            actor,
            Some("claimed from the queue".to_string()),
        )
        .await?;
        Ok(order)
    }

    /// Assigns the order to a technician of its site and notifies them.
    ///
    /// # Errors
    /// 403 unless the actor assigns orders; 404 for a technician the actor
    /// does not see; 422 when that person is not an active technician at
    /// the order's site; 409 when the order is closed or changed meanwhile.
    pub async fn assign(
        self,
        db: &Write,
        actor: &Actor,
        technician_id: Uuid,
    ) -> DomainResult<Self> {
        actor.authorize(Ability::ManageRepairOrders)?;
        let technician = users::Model::find_staff_for(db, actor, technician_id).await?;
        let works_here = site_memberships::Model::site_ids_of(db, technician.id)
            .await?
            .contains(&self.site_id);
        if technician.role()? != Role::Technician || !technician.active || !works_here {
            return Err(DomainError::invalid(
                "technician_id",
                "is not an active technician at this order's site",
            ));
        }
        let missing = crate::models::people::skills::missing(db, self.id, technician.id).await?;
        if !missing.is_empty() {
            return Err(crate::models::people::skills::lacking(
                "technician_id",
                "this technician does not have",
                &missing,
            ));
        }
        let status = self.status()?;
        if status.is_terminal() {
            return Err(DomainError::conflict(format!(
                "a {} order cannot be assigned",
                status.as_str()
            )));
        }
        if self.technician_id == Some(technician.id) {
            return Ok(self);
        }
        let previous = previous_technician(db, self.technician_id).await?;
        let now = crate::models::now_at(actor.clock);
        let assigned = Entity::update_many()
            .col_expr(Column::TechnicianId, Expr::value(technician.id))
            .col_expr(Column::AssignedBy, Expr::value(actor.user_id()))
            .col_expr(Column::UpdatedAt, Expr::value(now))
            .col_expr(Column::TechnicianSeenAt, Expr::value(now))
            .filter(Column::Id.eq(self.id))
            .filter(Column::Status.eq(status.as_str()))
            .exec(db)
            .await?;
        if assigned.rows_affected != 1 {
            return Err(DomainError::conflict(
                "the order changed meanwhile; reload it",
            ));
        }
        let vehicle = vehicles::Entity::find_by_id(self.vehicle_id)
            .one(db)
            .await?
            .ok_or(DomainError::NotFound("vehicle"))?;
        notifications::Model::notify(
            db,
            now_at(actor.clock),
            &technician,
            notifications::Kind::RepairOrderAssigned,
            &format!(
                "New job: {} {} {}",
                vehicle.plate, vehicle.make, vehicle.model
            ),
            &self.description,
            Some(self.id),
        )
        .await?;
        audit_events::Model::record(
            db,
            actor.organization_id(),
            actor,
            Change {
                action: "repair_order.assigned",
                subject_type: "repair_order",
                subject_id: self.pid,
                site_id: Some(self.site_id),
                details: Some(json!({
                    "technician": technician.pid,
                    "previous_technician": previous,
                })),
            },
        )
        .await?;
        Ok(Self {
            technician_id: Some(technician.id),
            assigned_by: Some(actor.user_id()),
            updated_at: now,
            technician_seen_at: Some(now),
            ..self
        })
    }

    /// This order, approved and assigned to `actor`, not yet started: what
    /// they may accept or decline.
    fn awaiting(&self, actor: &Actor) -> sea_orm::Condition {
        sea_orm::Condition::all()
            .add(Column::Id.eq(self.id))
            .add(Column::Status.eq(RepairStatus::Approved.as_str()))
            .add(Column::TechnicianId.eq(actor.user_id()))
    }

    /// The assigned technician takes the order: it is theirs, in progress.
    ///
    /// # Errors
    /// 403 for anyone but technicians; 409 unless the order is approved and
    /// assigned to the caller, not yet started.
    pub async fn accept(self, db: &Write, actor: &Actor) -> DomainResult<Self> {
        actor.authorize(Ability::ClaimRepairs)?;
        let now = crate::models::now_at(actor.clock);
        let accepted = Entity::update_many()
            .col_expr(
                Column::Status,
                Expr::value(RepairStatus::InProgress.as_str()),
            )
            .col_expr(Column::StartedAt, Expr::value(now))
            .col_expr(Column::UpdatedAt, Expr::value(now))
            .col_expr(Column::TechnicianSeenAt, Expr::value(now))
            .filter(self.awaiting(actor))
            .exec(db)
            .await?;
        if accepted.rows_affected != 1 {
            return Err(not_awaiting("accepted"));
        }
        repair_order_events::Model::record(
            db,
            &self,
            Some(RepairStatus::Approved),
            RepairStatus::InProgress,
            actor,
            Some("accepted the assignment".to_string()),
        )
        .await?;
        Ok(Self {
            status: RepairStatus::InProgress.as_str().to_string(),
            started_at: Some(now),
            updated_at: now,
            technician_seen_at: Some(now),
            ..self
        })
    }

    /// The assigned technician hands the order back, saying why: it is back
    /// in the queue, the history says so, and whoever assigned it hears.
    ///
    /// # Errors
    /// 403 for anyone but technicians; 409 unless the order is approved and
    /// assigned to the caller, not yet started.
    pub async fn decline(self, db: &Write, actor: &Actor, reason: String) -> DomainResult<Self> {
        actor.authorize(Ability::ClaimRepairs)?;
        let now = crate::models::now_at(actor.clock);
        let declined = Entity::update_many()
            .col_expr(Column::TechnicianId, Expr::value(Option::<i64>::None))
            .col_expr(Column::AssignedBy, Expr::value(Option::<i64>::None))
            .col_expr(Column::UpdatedAt, Expr::value(now))
            .filter(self.awaiting(actor))
            .exec(db)
            .await?;
        if declined.rows_affected != 1 {
            return Err(not_awaiting("declined"));
        }
        repair_order_events::Model::record(
            db,
            &self,
            Some(RepairStatus::Approved),
            RepairStatus::Approved,
            actor,
            Some(format!("declined the assignment: {reason}")),
        )
        .await?;
        if let Some(assigner) = match self.assigned_by {
            Some(id) => users::Entity::find_by_id(id).one(db).await?,
            None => None,
        } {
            let vehicle = vehicles::Entity::find_by_id(self.vehicle_id)
                .one(db)
                .await?
                .ok_or(DomainError::NotFound("vehicle"))?;
            notifications::Model::notify(
                db,
                now_at(actor.clock),
                &assigner,
                notifications::Kind::AssignmentDeclined,
                &format!(
                    "{} declined {} {} {}",
                    actor.user.name, vehicle.plate, vehicle.make, vehicle.model
                ),
                &reason,
                Some(self.id),
            )
            .await?;
        }
        Ok(Self {
            technician_id: None,
            assigned_by: None,
            updated_at: now,
            ..self
        })
    }

    /// Moves the order to `to`, if the state machine and the actor's role
    /// allow it. Completing it also takes
    /// its parts out of stock and issues its invoice; cancelling or
    /// declining it puts its parts back on the shelf. All of it commits or
    /// none of it does.
    ///
    /// # Errors
    /// 403 when the actor's role may not make this move (technicians start
    /// and complete their own orders only); 409 when the current status does
    /// not lead to `to`, when starting an order nobody is assigned to, or
    /// when the order changed meanwhile.
    pub async fn transition(
        self,
        db: &Write,
        actor: &Actor,
        to: RepairStatus,
        note: Option<String>,
    ) -> DomainResult<Self> {
        self.authorize_transition(actor, to)?;
        let from = self.status()?;
        if !from.can_become(to) {
            return Err(DomainError::conflict(format!(
                "a {} order cannot become {}",
                from.as_str(),
                to.as_str()
            )));
        }
        if to == RepairStatus::InProgress && self.technician_id.is_none() {
            return Err(DomainError::conflict(
                "nobody is assigned: assign a technician, or let one claim it from the queue",
            ));
        }
        let now = crate::models::now_at(actor.clock);
        let mut update = Entity::update_many()
            .col_expr(Column::Status, Expr::value(to.as_str()))
            .col_expr(Column::UpdatedAt, Expr::value(now));
        update = match to {
            RepairStatus::Approved => update.col_expr(Column::ApprovedAt, Expr::value(now)),
            RepairStatus::InProgress => update.col_expr(Column::StartedAt, Expr::value(now)),
            RepairStatus::Completed => update.col_expr(Column::CompletedAt, Expr::value(now)),
            _ => update,
        };
        let moved = update
            .filter(Column::Id.eq(self.id))
            .filter(Column::Status.eq(from.as_str()))
            .exec(db)
            .await?;
        if moved.rows_affected != 1 {
            return Err(DomainError::conflict(
                "the order changed meanwhile; reload it",
            ));
        }
        repair_order_events::Model::record(db, &self, Some(from), to, actor, note).await?;
        if from == RepairStatus::InProgress {
            crate::models::people::shifts::stop_timers_on(db, self.id, now).await?;
        }
        // The UPDATE above holds the order: no line can be added or removed
        // until this transaction ends, and then the order is closed.
        match to {
            RepairStatus::Completed => {
                part_lines::Model::consume_all(db, actor, &self).await?;
                invoices::Model::issue(db, actor, &self).await?;
            }
            RepairStatus::Cancelled | RepairStatus::Declined => {
                part_lines::Model::release_all(db, actor, &self).await?;
            }
            _ => {}
        }
        let mut order = Self {
            status: to.as_str().to_string(),
            updated_at: now,
            ..self
        };
        match to {
            RepairStatus::Approved => order.approved_at = Some(now),
            RepairStatus::InProgress => order.started_at = Some(now),
            RepairStatus::Completed => order.completed_at = Some(now),
            _ => {}
        }
        Ok(order)
    }

    fn authorize_transition(&self, actor: &Actor, to: RepairStatus) -> DomainResult<()> {
        match actor.role {
            Role::Owner | Role::Manager | Role::Advisor => Ok(()),
            Role::Technician
                if self.technician_id == Some(actor.user_id())
                    && matches!(to, RepairStatus::InProgress | RepairStatus::Completed) =>
            {
                Ok(())
            }
            Role::Technician | Role::Customer => Err(DomainError::Forbidden),
        }
    }

    /// May `actor` add labour, notes and attachments to this order? Managers,
    /// advisors and owners may; technicians on their own orders only.
    ///
    /// # Errors
    /// 403 otherwise.
    pub fn authorize_work(&self, actor: &Actor) -> DomainResult<()> {
        match actor.role {
            Role::Owner | Role::Manager | Role::Advisor => Ok(()),
            Role::Technician if self.technician_id == Some(actor.user_id()) => Ok(()),
            Role::Technician | Role::Customer => Err(DomainError::Forbidden),
        }
    }

    /// Changes what the job is, after it was booked: its description, its
    /// complaint, its priority (owners, managers, advisors; open orders
    /// only). The trail records each value before and after; an order's
    /// technician is shown the change until they have seen it.
    ///
    /// # Errors
    /// 403 unless the actor manages orders; 409 when the order is closed.
    pub async fn revise(self, db: &Write, actor: &Actor, revision: Revision) -> DomainResult<Self> {
        actor.authorize(Ability::ManageRepairOrders)?;
        // The values before are the row's as locked in this transaction, not
        // as read before it: a revision racing another records what it
        // really changed.
        let current = Entity::find_by_id(self.id)
            .lock_exclusive()
            .one(db)
            .await?
            .ok_or(DomainError::NotFound("repair order"))?;
        let mut changed = serde_json::Map::new();
        let mut update = Entity::update_many();
        if let Some(description) = revision
            .description
            .filter(|new| *new != current.description)
        {
            changed.insert(
                "description".to_string(),
                json!({"from": current.description, "to": description}),
            );
            update = update.col_expr(Column::Description, Expr::value(description));
        }
        if let Some(complaint) = revision.complaint.filter(|new| *new != current.complaint) {
            changed.insert(
                "complaint".to_string(),
                json!({"from": current.complaint, "to": complaint}),
            );
            update = update.col_expr(Column::Complaint, Expr::value(complaint));
        }
        if let Some(priority) = revision
            .priority
            .filter(|new| new.rank() != current.priority)
        {
            let before = Priority::from_rank(current.priority);
            changed.insert(
                "priority".to_string(),
                json!({"from": before, "to": priority}),
            );
            update = update.col_expr(Column::Priority, Expr::value(priority.rank()));
        }
        if changed.is_empty() {
            return Ok(current);
        }
        let now = now_at(actor.clock);
        let revised = update
            .col_expr(Column::UpdatedAt, Expr::value(now))
            .filter(Column::Id.eq(self.id))
            .filter(Column::Status.is_not_in(RepairStatus::CLOSED.map(Stored::as_str)))
            .exec_with_returning(db)
            .await?
            .pop()
            .ok_or_else(|| {
                DomainError::conflict(
                    "the order is closed (completed, declined or cancelled): it cannot change",
                )
            })?;
        audit_events::Model::record(
            db,
            self.organization_id,
            actor,
            Change {
                action: "repair_order.updated",
                subject_type: "repair_order",
                subject_id: self.pid,
                site_id: Some(self.site_id),
                details: Some(serde_json::Value::Object(changed)),
            },
        )
        .await?;
        Ok(revised)
    }

    /// Marks the order changed at `now` (a note or a file added to it), so
    /// its technician hears of it (`office_changes`).
    ///
    /// # Errors
    /// When the database fails.
    pub async fn touch(
        db: &impl ConnectionTrait,
        id: i64,
        now: DateTimeWithTimeZone,
    ) -> Result<(), DbErr> {
        Entity::update_many()
            .col_expr(Column::UpdatedAt, Expr::value(now))
            .filter(Column::Id.eq(id))
            .exec(db)
            .await?;
        Ok(())
    }

    /// Holds the order open for a change to its lines, in the caller's write
    /// transaction: one conditional UPDATE, so the decision is the
    /// database's, not that of the order as it was read. A completion racing
    /// the change either waits for it (and then bills it) or wins (and the
    /// change is refused).
    ///
    /// # Errors
    /// 409 for a declined, completed or cancelled order.
    pub async fn lock_open(db: &Write, id: i64, now: DateTimeWithTimeZone) -> DomainResult<()> {
        let open = Entity::update_many()
            .col_expr(Column::UpdatedAt, Expr::value(now))
            .filter(Column::Id.eq(id))
            .filter(Column::Status.is_not_in(RepairStatus::CLOSED.map(Stored::as_str)))
            .exec(db)
            .await?;
        if open.rows_affected == 1 {
            Ok(())
        } else {
            Err(DomainError::conflict(
                "the order is closed (completed, declined or cancelled): its lines cannot change",
            ))
        }
    }

    /// Records the customer's word on one of the order's labour or part
    /// lines, told to the workshop (on the phone, at the counter).
    ///
    /// # Errors
    /// 403 unless the actor deals with estimates; 404 when the order has no
    /// such line; 409 when the order is closed, or a part taken back is no
    /// longer in stock.
    pub async fn decide_line(
        &self,
        db: &Write,
        actor: &Actor,
        line_pid: Uuid,
        decision: Approval,
        note: Option<String>,
    ) -> DomainResult<LineDecision> {
        actor.authorize(Ability::ManageBilling)?;
        self.record_decision(db, actor.into(), line_pid, decision, note)
            .await
    }

    /// Records the customer's own word on one of the order's lines, given
    /// through their estimate link, on `clock`.
    ///
    /// # Errors
    /// 404 when the order has no such line; 409 when the order is closed,
    /// or a part taken back is no longer in stock.
    pub async fn decide_line_by_customer(
        &self,
        db: &Write,
        line_pid: Uuid,
        decision: Approval,
        note: Option<String>,
        clock: Clock,
    ) -> DomainResult<LineDecision> {
        self.record_decision(db, By::System(clock), line_pid, decision, note)
            .await
    }

    async fn record_decision(
        &self,
        db: &Write,
        by: By<'_>,
        line_pid: Uuid,
        decision: Approval,
        note: Option<String>,
    ) -> DomainResult<LineDecision> {
        // The order's row first: two decisions on one order take turns, and
        // each reads the line as the one before left it (a part released
        // once, however often "decline" is sent).
        Self::lock_open(db, self.id, by.now()).await?;
        let part = part_lines::Entity::find()
            .filter(part_lines::Column::RepairOrderId.eq(self.id))
            .filter(part_lines::Column::Pid.eq(line_pid))
            .one(db)
            .await?;
        let labour = match part {
            Some(_) => None,
            None => Some(
                labor_lines::Entity::find()
                    .filter(labor_lines::Column::RepairOrderId.eq(self.id))
                    .filter(labor_lines::Column::Pid.eq(line_pid))
                    .one(db)
                    .await?
                    .ok_or(DomainError::NotFound("line"))?,
            ),
        };
        let decided = match (part, labour) {
            (Some(part), _) => {
                LineDecision::Part(part.decide(db, by, decision, note.clone()).await?)
            }
            (None, Some(labour)) => {
                LineDecision::Labor(labour.decide(db, by, decision, note.clone()).await?)
            }
            (None, None) => return Err(DomainError::NotFound("line")),
        };
        audit_events::Model::record(
            db,
            self.organization_id,
            by,
            Change {
                action: "estimate_line.decided",
                subject_type: "repair_order",
                subject_id: self.pid,
                site_id: Some(self.site_id),
                details: Some(json!({
                    "line": line_pid,
                    "decision": decision.as_str(),
                    "note": note,
                    "by": if by.actor().is_some() { "staff" } else { "customer" },
                })),
            },
        )
        .await?;
        Ok(decided)
    }
}

fn not_awaiting(verb: &str) -> DomainError {
    DomainError::conflict(format!(
        "only an approved order assigned to you, not yet started, can be {verb}"
    ))
}

async fn previous_technician(
    db: &impl ConnectionTrait,
    technician_id: Option<i64>,
) -> Result<Option<Uuid>, DbErr> {
    let Some(id) = technician_id else {
        return Ok(None);
    };
    Ok(users::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(|user| user.pid))
}

/// A labour or part line, as the customer's word left it.
#[derive(Clone, Debug)]
pub enum LineDecision {
    Labor(labor_lines::Model),
    Part(part_lines::Model),
}

/// One page of `query`'s orders as rows. The total counts the orders alone:
/// the joins only add what a row shows, never filter, so counting through
/// them would be work for nothing.
async fn page_of_rows(
    db: &impl ConnectionTrait,
    query: Select<Entity>,
    page: PageRequest,
) -> DomainResult<Page<OrderRow>> {
    let total = query.clone().count(db).await?;
    let items = rows(
        query
            .limit(page.per_page)
            .offset((page.page - 1) * page.per_page),
    )
    .all(db)
    .await?;
    Ok(Page {
        items,
        page: page.page,
        per_page: page.per_page,
        total,
    })
}

/// `query` joined to what an order's row shows.
fn rows(query: Select<Entity>) -> Selector<SelectModel<OrderRow>> {
    query
        .select_only()
        .columns([
            Column::Id,
            Column::Pid,
            Column::Status,
            Column::Priority,
            Column::Description,
            Column::Complaint,
            Column::OdometerKm,
            Column::TechnicianId,
            Column::ApprovedAt,
            Column::StartedAt,
            Column::CompletedAt,
            Column::CreatedAt,
            Column::UpdatedAt,
            Column::TechnicianSeenAt,
        ])
        .column_as(sites::Column::Pid, "site_pid")
        .column_as(sites::Column::Name, "site_name")
        .column_as(sites::Column::Currency, "currency")
        .column_as(vehicles::Column::Pid, "vehicle_pid")
        .column_as(vehicles::Column::Plate, "plate")
        .column_as(vehicles::Column::Make, "make")
        .column_as(vehicles::Column::Model, "model")
        .column_as(customers::Column::Pid, "customer_pid")
        .column_as(customers::Column::Name, "customer_name")
        .column_as(users::Column::Pid, "technician_pid")
        .column_as(users::Column::Name, "technician_name")
        .join(JoinType::InnerJoin, Relation::Sites.def())
        .join(JoinType::InnerJoin, Relation::Vehicles.def())
        .join(JoinType::InnerJoin, Relation::Customers.def())
        // `Users1` is the technician (`Users2` the order's creator).
        .join(JoinType::LeftJoin, Relation::Users1.def())
        .into_model::<OrderRow>()
}
