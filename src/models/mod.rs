pub mod _entities;

pub mod actor;
pub mod attachments;
pub mod audit_events;
pub mod availability;
pub mod clock;
pub mod comebacks;
pub mod customers;
pub mod earnings;
pub mod error;
pub mod estimates;
pub mod invoices;
pub mod job_subjects;
pub mod labor_lines;
pub mod login_attempts;
pub mod notifications;
pub mod odometer_readings;
pub mod organizations;
pub mod paging;
pub mod part_lines;
pub mod payments;
pub mod products;
pub mod promotions;
pub mod purchase_orders;
pub mod repair_order_events;
pub mod repair_order_notes;
pub mod repair_orders;
pub mod roles;
pub mod schedule;
pub mod schema;
pub mod shifts;
pub mod site_memberships;
pub mod sites;
pub mod skills;
pub mod staff;
pub mod stock_movements;
pub mod technician_profiles;
pub mod technician_stats;
pub mod users;
pub mod values;
pub mod vehicles;
mod write;

pub use write::Write;

use chrono::{DurationRound, TimeDelta};
use sea_orm::{prelude::DateTimeWithTimeZone, ActiveModelTrait, EntityTrait, IdenStatic, Iterable};

/// `instant` as stored: in UTC, to the microsecond. SQLite keeps a time as
/// text and compares it as text, so every stored time must share one
/// offset for `<` to mean "earlier".
#[must_use]
pub fn stored_time(instant: DateTimeWithTimeZone) -> DateTimeWithTimeZone {
    let utc = instant.with_timezone(&chrono::Utc);
    utc.duration_trunc(TimeDelta::microseconds(1))
        .unwrap_or(utc)
        .fixed_offset()
}

/// The time now on `clock` (the actor's, or the job's: the only clocks the
/// domain reads, which tests can set), as stored: in UTC, to the
/// microsecond, what both databases keep, so a value reads back equal to
/// what was written.
#[must_use]
pub fn now_at(clock: clock::Clock) -> DateTimeWithTimeZone {
    let now = clock.now();
    now.duration_trunc(TimeDelta::microseconds(1))
        .unwrap_or(now)
        .fixed_offset()
}

/// The columns a change will write, by name, for the audit trail. Fields are
/// set with `set_if_not_equals`, so a value given again unchanged is not a
/// change.
pub fn changed_columns<A: ActiveModelTrait>(model: &A) -> Vec<&'static str> {
    <A::Entity as EntityTrait>::Column::iter()
        .filter(|column| model.get(*column).is_set())
        .map(|column| column.as_str())
        .collect()
}
