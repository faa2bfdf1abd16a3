pub mod _entities;

pub mod actor;
pub mod attachments;
pub mod audit_events;
pub mod customers;
pub mod labor_lines;
pub mod login_attempts;
pub mod notifications;
pub mod odometer_readings;
pub mod organizations;
pub mod paging;
pub mod repair_order_events;
pub mod repair_order_notes;
pub mod repair_orders;
pub mod roles;
pub mod schedule;
pub mod site_memberships;
pub mod sites;
pub mod staff;
pub mod technician_stats;
pub mod users;
pub mod values;
pub mod vehicles;
use chrono::{DurationRound, TimeDelta, Utc};
use sea_orm::{prelude::DateTimeWithTimeZone, ActiveModelTrait, EntityTrait, IdenStatic, Iterable};

/// The current time in UTC, to the microsecond: what both databases keep, so
/// a value reads back equal to what was written.
#[must_use]
pub fn now() -> DateTimeWithTimeZone {
    let now = Utc::now();
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
