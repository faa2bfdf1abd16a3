pub mod _entities;

pub mod actor;
pub mod audit_events;
pub mod billing;
pub mod clock;
pub mod customers;
pub mod error;
pub mod job_subjects;
pub mod notifications;
pub mod organization;
pub mod paging;
pub mod people;
pub mod reports;
pub mod schema;
mod scoped;
pub mod stock;
pub mod values;
pub mod workshop;
mod write;

pub use scoped::Scoped;
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
