//! Service reminders: which vehicles are due one now (the sweep), and
//! sending one (the `SendServiceReminder` job).
//!
//! A vehicle is reminded `reminder_lead_days` (a site setting) before its
//! `service_due_on`, from the day it falls inside that window, at the first
//! sweep after its site's local `reminder_hour`. One reminder per vehicle and
//! due date and channel, whatever runs twice: the deliveries ledger decides.
//! A due date long past (`OVERDUE_GRACE_DAYS`) is not reminded any more: that
//! customer is someone for a person to call.

use std::collections::HashMap;

use chrono::{NaiveDate, TimeDelta, Timelike};
use chrono_tz::Tz;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QueryOrder, QuerySelect,
    RelationTrait,
};
use serde_json::json;
use uuid::Uuid;

use super::{ledger, long_date, Kind, Message, Messenger, Sent};
use crate::models::values::Stored;
use crate::models::Scoped;
use crate::models::{
    _entities::{customers, sites, vehicles},
    actor::{Ability, Actor},
    clock::Clock,
    error::DomainResult,
    now_at,
    paging::{Page, PageRequest},
};

/// Days after a missed due date that a reminder still goes out.
pub const OVERDUE_GRACE_DAYS: i64 = 30;

/// One reminder to send: the job's arguments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Due {
    pub vehicle_id: Uuid,
    pub due_on: NaiveDate,
}

/// What the sweep found.
#[derive(Debug, Default)]
pub struct Sweep {
    /// Sites whose reminders were looked at (past their send hour, or all).
    pub sites: usize,
    /// Vehicles due a reminder in those sites' windows.
    pub due: usize,
    /// Of those, reminded (or settled otherwise) already.
    pub settled: usize,
    /// The rest: to send now.
    pub to_send: Vec<Due>,
}

/// The reminders due now, across every organization.
///
/// `at_send_hour`: only sites whose local time is past their
/// `reminder_hour` (the hourly schedule); `false` for the task run by hand,
/// which ignores send hours.
///
/// One query over the vehicles' due-date index for the widest window, so
/// the cost follows the number due, not the fleet, and one over the ledger
/// for those vehicles.
///
/// # Errors
/// When the database fails.
pub async fn due(
    db: &impl ConnectionTrait,
    clock: Clock,
    at_send_hour: bool,
) -> DomainResult<Sweep> {
    let now = clock.now();
    let mut windows: HashMap<i64, (NaiveDate, NaiveDate)> = HashMap::new();
    for site in sites::Entity::find().all(db).await? {
        let Ok(tz) = site.timezone.parse::<Tz>() else {
            tracing::warn!(site = %site.pid, timezone = %site.timezone, "a site's time zone does not parse");
            continue;
        };
        let local = now.with_timezone(&tz);
        if at_send_hour && i64::from(local.hour()) < i64::from(site.reminder_hour) {
            continue;
        }
        let today = local.date_naive();
        windows.insert(
            site.id,
            (
                today - TimeDelta::days(OVERDUE_GRACE_DAYS),
                today + TimeDelta::days(i64::from(site.reminder_lead_days)),
            ),
        );
    }
    let mut sweep = Sweep {
        sites: windows.len(),
        ..Sweep::default()
    };
    let (Some(from), Some(to)) = (
        windows.values().map(|window| window.0).min(),
        windows.values().map(|window| window.1).max(),
    ) else {
        return Ok(sweep);
    };
    let candidates: Vec<(Uuid, Option<NaiveDate>, i64)> = vehicles::Entity::find()
        .select_only()
        .column(vehicles::Column::Pid)
        .column(vehicles::Column::ServiceDueOn)
        .column(customers::Column::HomeSiteId)
        .join(JoinType::InnerJoin, vehicles::Relation::Customers.def())
        .filter(vehicles::Column::ServiceDueOn.between(from, to))
        .filter(customers::Column::ErasedAt.is_null())
        .into_tuple()
        .all(db)
        .await?;
    let due: Vec<Due> = candidates
        .into_iter()
        .filter_map(|(vehicle_id, due_on, site_id)| {
            let due_on = due_on?;
            let (from, to) = windows.get(&site_id)?;
            (*from..=*to)
                .contains(&due_on)
                .then_some(Due { vehicle_id, due_on })
        })
        .collect();
    sweep.due = due.len();
    let subjects: Vec<Uuid> = due.iter().map(|due| due.vehicle_id).collect();
    let now = now_at(clock);
    let settled = ledger::settled(db, Kind::ServiceReminder, &subjects, now).await?;
    for due in due {
        if settled.contains(&(due.vehicle_id, due.due_on.to_string())) {
            sweep.settled += 1;
        } else {
            sweep.to_send.push(due);
        }
    }
    Ok(sweep)
}

/// Sends the reminder for `vehicle_id`'s service due on `due_on`, at most
/// once.
///
/// # Errors
/// `NotFound` for an unknown vehicle (the job ends); `Upstream` when the
/// mail server or gateway failed (recorded in the ledger; try again later).
pub async fn send(
    db: &impl ConnectionTrait,
    messenger: &Messenger,
    clock: Clock,
    vehicle_id: Uuid,
    due_on: NaiveDate,
) -> DomainResult<Sent> {
    let vehicle = vehicles::Entity::by_pid(db, vehicle_id).await?;
    if vehicle.service_due_on != Some(due_on) {
        return Ok(Sent::NoLongerDue);
    }
    let (customer, site) = customers::Model::with_site(db, vehicle.customer_id, None).await?;
    let language = super::language_for(&customer, &site);
    let values = json!({
        "customer": {"name": customer.name},
        "vehicle": {"plate": vehicle.plate, "make": vehicle.make, "model": vehicle.model},
        "due_on": long_date(due_on, language),
        "overdue": due_on < site_today(&site, clock),
    });
    // Worth sending until a week after the service was due (the end of
    // that day at the branch), and for a week at least when the sweep finds
    // a vehicle already overdue.
    let give_up_on = due_on + chrono::Days::new(8);
    let give_up_at = give_up_on
        .and_hms_opt(0, 0, 0)
        .and_then(|midnight| {
            midnight
                .and_local_timezone(site.timezone.parse::<Tz>().unwrap_or(Tz::UTC))
                .earliest()
        })
        .map(|at| {
            at.fixed_offset()
                .max(crate::models::now_at(clock) + Kind::ServiceReminder.worth_for())
        });
    let mut message = Message::to_customer(
        Kind::ServiceReminder,
        vehicle.pid,
        due_on.to_string(),
        customer,
        site,
        values,
    );
    message.give_up_at = give_up_at;
    super::send(db, messenger, clock, message).await
}

/// The date at `site` now (UTC for a zone that does not parse).
fn site_today(site: &sites::Model, clock: Clock) -> NaiveDate {
    clock.today_in(site.timezone.parse::<Tz>().unwrap_or(Tz::UTC))
}

/// A reminder as the ledger has it, with the vehicle and customer it went to.
#[derive(Debug)]
pub struct Reminder {
    pub delivery: ledger::Model,
    pub vehicle: Option<vehicles::Model>,
    pub customer: Option<customers::Model>,
}

/// The service reminders of the actor's sites (one site's with `site`),
/// newest first.
///
/// # Errors
/// 403 for roles that do not deal with customers.
pub async fn list_for(
    db: &impl ConnectionTrait,
    actor: &Actor,
    site: Option<&sites::Model>,
    page: PageRequest,
) -> DomainResult<Page<Reminder>> {
    use ledger::Column;

    actor.authorize(Ability::ManageCustomers)?;
    let mut query = ledger::Entity::find()
        .filter(actor.scope(Column::OrganizationId, Column::SiteId))
        .filter(Column::Kind.eq(Kind::ServiceReminder.as_str()));
    if let Some(site) = site {
        query = query.filter(Column::SiteId.eq(site.id));
    }
    let page = page
        .fetch(
            db,
            query
                .order_by_desc(Column::CreatedAt)
                .order_by_desc(Column::Id),
        )
        .await?;
    let vehicle_pids: Vec<Uuid> = page.items.iter().map(|d| d.subject_pid).collect();
    let vehicles = vehicles::Entity::find()
        .filter(vehicles::Column::OrganizationId.eq(actor.organization_id()))
        .filter(vehicles::Column::Pid.is_in(vehicle_pids))
        .all(db)
        .await?;
    let customer_ids: Vec<i64> = page.items.iter().filter_map(|d| d.customer_id).collect();
    let customers = customers::Model::by_ids(db, actor.organization_id(), &customer_ids).await?;
    Ok(page.map(|delivery| Reminder {
        vehicle: vehicles
            .iter()
            .find(|vehicle| vehicle.pid == delivery.subject_pid)
            .cloned(),
        customer: customers
            .iter()
            .find(|customer| Some(customer.id) == delivery.customer_id)
            .cloned(),
        delivery,
    }))
}
