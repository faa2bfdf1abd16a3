//! How a technician's work flows: orders completed, how long approved
//! orders wait before they claim them, and how long the work then takes.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime};
use sea_orm::{entity::prelude::*, Condition, QuerySelect};

use super::{
    actor::Actor,
    repair_orders::{self, Column},
    users,
};
use crate::models::error::DomainResult;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TechnicianStats {
    /// Orders completed in the period.
    pub completed: u64,
    /// Orders in progress now.
    pub in_progress: u64,
    /// Mean seconds from approval to claim, over orders started in the period.
    pub mean_wait_secs: Option<i64>,
    /// Mean seconds from claim to completion, over orders completed in the period.
    pub mean_work_secs: Option<i64>,
}

type Times = (
    Option<DateTime<FixedOffset>>,
    Option<DateTime<FixedOffset>>,
    Option<DateTime<FixedOffset>>,
);

impl TechnicianStats {
    /// The stats of `technician` at the sites `actor` sees, for the days
    /// `from..=to` (UTC).
    ///
    /// # Errors
    /// When the database fails.
    pub async fn of(
        db: &impl ConnectionTrait,
        actor: &Actor,
        technician: &users::Model,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> DomainResult<Self> {
        let start = from.map(|day| day.and_time(NaiveTime::MIN).and_utc().fixed_offset());
        let end = to
            .and_then(|day| day.succ_opt())
            .map(|day| day.and_time(NaiveTime::MIN).and_utc().fixed_offset());
        let within = |column: Column| {
            let mut condition = Condition::all().add(column.is_not_null());
            if let Some(start) = start {
                condition = condition.add(column.gte(start));
            }
            if let Some(end) = end {
                condition = condition.add(column.lt(end));
            }
            condition
        };
        let theirs =
            repair_orders::Model::visible_to(actor).filter(Column::TechnicianId.eq(technician.id));
        let times: Vec<Times> = theirs
            .clone()
            .filter(
                Condition::any()
                    .add(within(Column::StartedAt))
                    .add(within(Column::CompletedAt)),
            )
            .select_only()
            .columns([Column::ApprovedAt, Column::StartedAt, Column::CompletedAt])
            .into_tuple()
            .all(db)
            .await?;
        let in_progress = theirs
            .filter(Column::Status.eq(super::values::RepairStatus::InProgress.as_str()))
            .count(db)
            .await?;

        let in_period = |at: &DateTime<FixedOffset>| {
            start.is_none_or(|start| *at >= start) && end.is_none_or(|end| *at < end)
        };
        let waits: Vec<i64> = times
            .iter()
            .filter_map(|(approved, started, _)| match (approved, started) {
                (Some(approved), Some(started)) if in_period(started) => {
                    Some((*started - *approved).num_seconds())
                }
                _ => None,
            })
            .collect();
        let works: Vec<i64> = times
            .iter()
            .filter_map(|(_, started, completed)| match (started, completed) {
                (Some(started), Some(completed)) if in_period(completed) => {
                    Some((*completed - *started).num_seconds())
                }
                _ => None,
            })
            .collect();
        Ok(Self {
            completed: u64::try_from(works.len()).unwrap_or(u64::MAX),
            in_progress,
            mean_wait_secs: mean(&waits),
            mean_work_secs: mean(&works),
        })
    }
}

fn mean(values: &[i64]) -> Option<i64> {
    let count = i64::try_from(values.len()).ok().filter(|n| *n > 0)?;
    Some(values.iter().sum::<i64>() / count)
}
