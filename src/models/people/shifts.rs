//! Technicians' shifts and work timers.
//!
//! A shift is clocked in at one site and out again; a technician has at
//! most one open shift, whichever site. A work timer is time spent on one
//! repair order, started and paused; a technician has at most one running.
//! Both rules are partial unique indexes (`uq_shifts_open`,
//! `uq_work_sessions_running`): of two racing starts the database lets one
//! through and the other is told 409.

use std::collections::HashMap;

use chrono::TimeDelta;
use rust_decimal::Decimal;
use sea_orm::{
    prelude::DateTimeWithTimeZone, sea_query::Expr, ActiveModelTrait, ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde_json::json;
use uuid::Uuid;

pub use crate::models::_entities::shifts::{ActiveModel, Column, Entity, Model};
use crate::models::values::Stored;
use crate::models::Write;
use crate::models::{
    _entities::{repair_orders, sites, users, work_sessions},
    actor::{Ability, Actor},
    audit_events::{self, Change},
    error::{DomainError, DomainResult},
    now_at,
    values::RepairStatus,
};

impl sea_orm::ActiveModelBehavior for ActiveModel {}
impl sea_orm::ActiveModelBehavior for work_sessions::ActiveModel {}

/// Maps the "one open" index's refusal to the caller's words.
fn one_open(err: DomainError, message: &str) -> DomainError {
    match err {
        DomainError::Conflict { .. } => DomainError::conflict(message),
        other => other,
    }
}

/// The actor's open shift, if any.
///
/// # Errors
/// When the database fails.
pub async fn open_shift(db: &impl ConnectionTrait, user_id: i64) -> DomainResult<Option<Model>> {
    Ok(Entity::find()
        .filter(Column::UserId.eq(user_id))
        .filter(Column::EndedAt.is_null())
        .one(db)
        .await?)
}

/// Clocks the technician in at `site`.
///
/// # Errors
/// 403 for anyone but technicians; 404 for a site they do not work at; 409
/// when they are clocked in already (here or at another site).
pub async fn clock_in(db: &Write, actor: &Actor, site: &sites::Model) -> DomainResult<Model> {
    actor.authorize(Ability::ClaimRepairs)?;
    if !actor.sees_site(site.id) {
        return Err(DomainError::NotFound("site"));
    }
    let now = now_at(actor.clock);
    let shift = ActiveModel {
        pid: Set(Uuid::new_v4()),
        organization_id: Set(actor.organization_id()),
        site_id: Set(site.id),
        user_id: Set(actor.user_id()),
        started_at: Set(now),
        ended_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await
    .map_err(|err| one_open(err.into(), "you are clocked in already; clock out first"))?;
    audit_events::Model::record(
        db,
        actor.organization_id(),
        actor,
        Change {
            action: "shift.clocked_in",
            subject_type: "shift",
            subject_id: shift.pid,
            site_id: Some(site.id),
            details: None,
        },
    )
    .await?;
    Ok(shift)
}

/// Clocks the technician out of their open shift, and pauses the timer
/// they have running.
///
/// # Errors
/// 409 when they are not clocked in.
pub async fn clock_out(db: &Write, actor: &Actor) -> DomainResult<Model> {
    actor.authorize(Ability::ClaimRepairs)?;
    let now = now_at(actor.clock);
    let not_in = || DomainError::conflict("you are not clocked in");
    let open = open_shift(db, actor.user_id()).await?.ok_or_else(not_in)?;
    // Closed only if still open: of two clock-outs at once, one closes it.
    let closed = Entity::update_many()
        .col_expr(Column::EndedAt, Expr::value(now))
        .filter(Column::Id.eq(open.id))
        .filter(Column::EndedAt.is_null())
        .exec(db)
        .await?;
    if closed.rows_affected == 0 {
        return Err(not_in());
    }
    stop_timers(db, actor.user_id(), None, now).await?;
    let shift = Model {
        ended_at: Some(now),
        ..open
    };
    audit_events::Model::record(
        db,
        actor.organization_id(),
        actor,
        Change {
            action: "shift.clocked_out",
            subject_type: "shift",
            subject_id: shift.pid,
            site_id: Some(shift.site_id),
            details: Some(json!({"minutes": (now - shift.started_at).num_minutes()})),
        },
    )
    .await?;
    Ok(shift)
}

/// Ends the running timers of `user` (on `order`, when given) at `now`;
/// how many.
async fn stop_timers(
    db: &impl ConnectionTrait,
    user: i64,
    order: Option<i64>,
    now: DateTimeWithTimeZone,
) -> DomainResult<u64> {
    let mut update = work_sessions::Entity::update_many()
        .col_expr(work_sessions::Column::EndedAt, Expr::value(now))
        .filter(work_sessions::Column::UserId.eq(user))
        .filter(work_sessions::Column::EndedAt.is_null())
        // Never before it started: a pause sent late names its moment.
        .filter(work_sessions::Column::StartedAt.lte(now));
    if let Some(order) = order {
        update = update.filter(work_sessions::Column::RepairOrderId.eq(order));
    }
    Ok(update.exec(db).await?.rows_affected)
}

/// Ends every timer still running on `order` at `now`: an order closed
/// (completed, cancelled) is no longer being worked on, and its time must
/// not go on counting.
///
/// # Errors
/// When the database fails.
pub async fn stop_timers_on(
    db: &impl ConnectionTrait,
    order: i64,
    now: DateTimeWithTimeZone,
) -> DomainResult<u64> {
    Ok(work_sessions::Entity::update_many()
        .col_expr(work_sessions::Column::EndedAt, Expr::value(now))
        .filter(work_sessions::Column::RepairOrderId.eq(order))
        .filter(work_sessions::Column::EndedAt.is_null())
        .filter(work_sessions::Column::StartedAt.lte(now))
        .exec(db)
        .await?
        .rows_affected)
}

/// Starts the technician's timer on `order`, which must be theirs and in
/// progress, while they are clocked in.
///
/// # Errors
/// 403 for anyone but technicians; 409 when the order is not theirs in
/// progress, they are not clocked in, or a timer of theirs is running
/// (on this order or another).
pub async fn start_timer(
    db: &impl ConnectionTrait,
    actor: &Actor,
    order: &repair_orders::Model,
    at: Option<DateTimeWithTimeZone>,
) -> DomainResult<work_sessions::Model> {
    actor.authorize(Ability::ClaimRepairs)?;
    let now = when(actor, at)?;
    // The write first: the running-timer index decides a race.
    let session = work_sessions::ActiveModel {
        pid: Set(Uuid::new_v4()),
        organization_id: Set(order.organization_id),
        site_id: Set(order.site_id),
        user_id: Set(actor.user_id()),
        repair_order_id: Set(order.id),
        started_at: Set(now),
        ended_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await
    .map_err(|err| {
        one_open(
            err.into(),
            "a timer of yours is running already; pause it first",
        )
    })?;
    let theirs = repair_orders::Entity::find_by_id(order.id)
        .one(db)
        .await?
        .filter(|order| {
            order.technician_id == Some(actor.user_id())
                && order.status == RepairStatus::InProgress.as_str()
        });
    if theirs.is_none() {
        return Err(DomainError::conflict(
            "the timer runs only on an order of yours that is in progress",
        ));
    }
    match open_shift(db, actor.user_id()).await? {
        None => return Err(DomainError::conflict("clock in first")),
        Some(shift) if shift.started_at > now => {
            return Err(DomainError::conflict(
                "the timer would start before you clocked in",
            ))
        }
        Some(_) => {}
    }
    Ok(session)
}

/// How far back a change sent late (a phone's offline queue) may say it
/// happened.
pub const LATE_BY_AT_MOST: TimeDelta = TimeDelta::hours(24);

/// When a timer change happened: now, or the moment the technician's
/// phone recorded it while offline (a clock a little ahead is taken as
/// now).
///
/// # Errors
/// 422 for a moment more than two minutes ahead, or more than a day ago.
pub fn when(actor: &Actor, at: Option<DateTimeWithTimeZone>) -> DomainResult<DateTimeWithTimeZone> {
    let now = now_at(actor.clock);
    match at {
        None => Ok(now),
        Some(at) if at > now + TimeDelta::minutes(2) => {
            Err(DomainError::invalid("at", "is in the future"))
        }
        Some(at) if at > now => Ok(now),
        Some(at) if at < now - LATE_BY_AT_MOST => {
            Err(DomainError::invalid("at", "is more than a day ago"))
        }
        Some(at) => Ok(at),
    }
}

/// Pauses the technician's timer on `order`.
///
/// # Errors
/// 409 when none of theirs is running on it.
pub async fn pause_timer(
    db: &impl ConnectionTrait,
    actor: &Actor,
    order: &repair_orders::Model,
    at: Option<DateTimeWithTimeZone>,
) -> DomainResult<()> {
    actor.authorize(Ability::ClaimRepairs)?;
    let now = when(actor, at)?;
    if stop_timers(db, actor.user_id(), Some(order.id), now).await? == 0 {
        return Err(DomainError::conflict(
            "no timer of yours running on this order started before then",
        ));
    }
    Ok(())
}

/// Time clocked on `order` by each technician, in hours (a running timer
/// counted up to `now`).
///
/// # Errors
/// When the database fails.
pub async fn clocked_on(
    db: &impl ConnectionTrait,
    order: i64,
    now: DateTimeWithTimeZone,
) -> DomainResult<Vec<(users::Model, Decimal, bool)>> {
    let sessions = work_sessions::Entity::find()
        .filter(work_sessions::Column::RepairOrderId.eq(order))
        .all(db)
        .await?;
    let mut seconds: HashMap<i64, (i64, bool)> = HashMap::new();
    for session in &sessions {
        let end = session.ended_at.unwrap_or(now);
        let entry = seconds.entry(session.user_id).or_default();
        entry.0 += (end - session.started_at)
            .max(TimeDelta::zero())
            .num_seconds();
        entry.1 |= session.ended_at.is_none();
    }
    let people = users::Entity::find()
        .filter(users::Column::Id.is_in(seconds.keys().copied()))
        .order_by_asc(users::Column::Name)
        .all(db)
        .await?;
    Ok(people
        .into_iter()
        .map(|user| {
            let (secs, running) = seconds.get(&user.id).copied().unwrap_or_default();
            (user, hours(secs), running)
        })
        .collect())
}

/// Seconds as hours, to two places.
#[must_use]
pub fn hours(seconds: i64) -> Decimal {
    two_places(Decimal::from(seconds) / Decimal::from(3600))
}

/// `hours` written with two places: `6.50`, `0.00`.
#[must_use]
pub fn two_places(hours: Decimal) -> Decimal {
    let mut rounded = crate::models::values::round_money(hours);
    rounded.rescale(2);
    rounded
}

/// One technician on the board.
#[derive(Clone, Debug)]
pub struct OnTheFloor {
    pub technician: users::Model,
    /// Their open shift (at this site or another), if clocked in.
    pub shift: Option<Model>,
    /// Orders assigned to them and not closed.
    pub open_orders: u64,
    /// Labour hours written on those orders.
    pub hours_in_hand: Decimal,
    /// The order their timer runs on, if one does.
    pub timer_on: Option<Uuid>,
    /// Their working hours at this site today (the site's local day).
    pub due_today: Vec<crate::models::_entities::working_hours::Model>,
    /// Their time off that covers today, if any.
    pub away: Option<crate::models::_entities::time_off::Model>,
}

impl OnTheFloor {
    /// Due in at this site today and not away.
    #[must_use]
    pub fn expected(&self) -> bool {
        !self.due_today.is_empty() && self.away.is_none()
    }
}

/// The technicians of `site` for a manager choosing whom to give work: who
/// is on shift, who is due in today and who is away, their open orders and
/// the hours of work in them; on shift first, then those due in, then the
/// least loaded.
///
/// # Errors
/// 403 for roles that do not see staff; 404 for a site the actor does not
/// see.
pub async fn board(
    db: &impl ConnectionTrait,
    actor: &Actor,
    site: &sites::Model,
) -> DomainResult<Vec<OnTheFloor>> {
    use sea_orm::QuerySelect;

    use crate::models::people::{roles::Role, site_memberships};

    actor.authorize(Ability::ViewStaff)?;
    if !actor.sees_site(site.id) {
        return Err(DomainError::NotFound("site"));
    }
    let members: Vec<i64> = site_memberships::Entity::find()
        .select_only()
        .column(site_memberships::Column::UserId)
        .filter(site_memberships::Column::SiteId.eq(site.id))
        .into_tuple()
        .all(db)
        .await?;
    let technicians = users::Entity::find()
        .filter(users::Column::Id.is_in(members))
        .filter(users::Column::Role.eq(Role::Technician.as_str()))
        .filter(users::Column::Active.eq(true))
        .all(db)
        .await?;
    let ids: Vec<i64> = technicians.iter().map(|user| user.id).collect();
    let mut shifts: HashMap<i64, Model> = Entity::find()
        .filter(Column::UserId.is_in(ids.clone()))
        .filter(Column::EndedAt.is_null())
        .all(db)
        .await?
        .into_iter()
        .map(|shift| (shift.user_id, shift))
        .collect();
    let orders: Vec<(i64, i64, Uuid)> = repair_orders::Entity::find()
        .select_only()
        .column(repair_orders::Column::Id)
        .column(repair_orders::Column::TechnicianId)
        .column(repair_orders::Column::Pid)
        .filter(repair_orders::Column::TechnicianId.is_in(ids.clone()))
        .filter(repair_orders::Column::Status.is_not_in(RepairStatus::CLOSED.map(Stored::as_str)))
        .into_tuple()
        .all(db)
        .await?;
    let order_ids: Vec<i64> = orders.iter().map(|(id, _, _)| *id).collect();
    let hours_by_order =
        crate::models::workshop::labor_lines::Model::hours_by_order(db, order_ids).await?;
    let running: HashMap<i64, i64> = work_sessions::Entity::find()
        .filter(work_sessions::Column::UserId.is_in(ids.clone()))
        .filter(work_sessions::Column::EndedAt.is_null())
        .all(db)
        .await?
        .into_iter()
        .map(|session| (session.user_id, session.repair_order_id))
        .collect();
    let today = actor.clock.today_in(site.time_zone());
    let (mut due, mut away) =
        crate::models::people::availability::on_day(db, site, &ids, today).await?;
    let pids: HashMap<i64, Uuid> = orders.iter().map(|(id, _, pid)| (*id, *pid)).collect();
    let mut board: Vec<OnTheFloor> = technicians
        .into_iter()
        .map(|technician| {
            let theirs: Vec<i64> = orders
                .iter()
                .filter(|(_, owner, _)| *owner == technician.id)
                .map(|(id, _, _)| *id)
                .collect();
            OnTheFloor {
                shift: shifts.remove(&technician.id),
                open_orders: theirs.len() as u64,
                hours_in_hand: theirs.iter().filter_map(|id| hours_by_order.get(id)).sum(),
                timer_on: running
                    .get(&technician.id)
                    .and_then(|order| pids.get(order).copied()),
                due_today: due.remove(&technician.id).unwrap_or_default(),
                away: away.remove(&technician.id),
                technician,
            }
        })
        .collect();
    board.sort_by(|a, b| {
        b.shift
            .is_some()
            .cmp(&a.shift.is_some())
            .then(b.expected().cmp(&a.expected()))
            .then(a.hours_in_hand.cmp(&b.hours_in_hand))
            .then(a.technician.name.cmp(&b.technician.name))
    });
    Ok(board)
}
