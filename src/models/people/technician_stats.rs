//! How a technician's work flows: orders completed, how long approved
//! orders wait before they claim them, and how long the work then takes.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime};
use rust_decimal::Decimal;
use sea_orm::{entity::prelude::*, Condition, QuerySelect};

use crate::models::error::DomainResult;
use crate::models::values::Stored;
use crate::models::Scoped;
use crate::models::{
    _entities::work_sessions,
    actor::Actor,
    organization::sites,
    people::users,
    workshop::repair_orders::{self, Column},
};

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
    /// Labour hours billed on the orders they completed in the period
    /// (declined lines left out).
    pub billed_hours: Decimal,
    /// Hours their work timer ran in the period (a running one up to now).
    pub clocked_hours: Decimal,
    /// Comebacks of their repairs flagged in the period.
    pub comebacks: u64,
}

impl TechnicianStats {
    /// Billed ÷ clocked hours, to two places; `None` with nothing clocked.
    #[must_use]
    pub fn efficiency(&self) -> Option<Decimal> {
        (!self.clocked_hours.is_zero()).then(|| {
            crate::models::people::shifts::two_places(self.billed_hours / self.clocked_hours)
        })
    }
}

/// An order's id, approval, start and completion.
type Times = (
    i64,
    Option<DateTime<FixedOffset>>,
    Option<DateTime<FixedOffset>>,
    Option<DateTime<FixedOffset>>,
);

impl TechnicianStats {
    /// The stats of `technician` at the sites `actor` sees (or at `site`),
    /// for the days `from..=to` (UTC).
    ///
    /// # Errors
    /// When the database fails.
    pub async fn of(
        db: &impl ConnectionTrait,
        actor: &Actor,
        technician: &users::Model,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        site: Option<&sites::Model>,
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
        let at_site = |column: Column| {
            site.map_or_else(Condition::all, |site| {
                Condition::all().add(column.eq(site.id))
            })
        };
        let theirs = repair_orders::Entity::visible_to(actor)
            .filter(Column::TechnicianId.eq(technician.id))
            .filter(at_site(Column::SiteId));
        let times: Vec<Times> = theirs
            .clone()
            .filter(
                Condition::any()
                    .add(within(Column::StartedAt))
                    .add(within(Column::CompletedAt)),
            )
            .select_only()
            .columns([
                Column::Id,
                Column::ApprovedAt,
                Column::StartedAt,
                Column::CompletedAt,
            ])
            .into_tuple()
            .all(db)
            .await?;
        let in_progress = theirs
            .clone()
            .filter(Column::Status.eq(crate::models::values::RepairStatus::InProgress.as_str()))
            .count(db)
            .await?;
        let in_period = |at: &DateTime<FixedOffset>| {
            start.is_none_or(|start| *at >= start) && end.is_none_or(|end| *at < end)
        };
        let completed_ids: Vec<i64> = times
            .iter()
            .filter(|(_, _, _, completed)| completed.as_ref().is_some_and(in_period))
            .map(|(id, _, _, _)| *id)
            .collect();
        let billed_hours: Decimal =
            crate::models::workshop::labor_lines::Model::hours_by_order(db, completed_ids)
                .await?
                .values()
                .sum();
        let now = crate::models::now_at(actor.clock);
        let mut sessions = work_sessions::Entity::find()
            .filter(work_sessions::Column::UserId.eq(technician.id))
            .filter(actor.scope(
                work_sessions::Column::OrganizationId,
                work_sessions::Column::SiteId,
            ));
        if let Some(site) = site {
            sessions = sessions.filter(work_sessions::Column::SiteId.eq(site.id));
        }
        if let Some(end) = end {
            sessions = sessions.filter(work_sessions::Column::StartedAt.lt(end));
        }
        if let Some(start) = start {
            sessions = sessions.filter(
                Condition::any()
                    .add(work_sessions::Column::EndedAt.is_null())
                    .add(work_sessions::Column::EndedAt.gt(start)),
            );
        }
        let clocked_secs: i64 = sessions
            .all(db)
            .await?
            .iter()
            .map(|session| {
                let from = start.map_or(session.started_at, |start| session.started_at.max(start));
                let until = session.ended_at.unwrap_or(now);
                let until = end.map_or(until, |end| until.min(end));
                (until - from).num_seconds().max(0)
            })
            .sum();
        let mut flagged = Condition::all()
            .add(Column::ComebackFlaggedAt.is_not_null())
            .add(
                Column::ComebackOfId.in_subquery(
                    sea_orm::sea_query::Query::select()
                        .column(Column::Id)
                        .from(repair_orders::Entity)
                        .and_where(Column::TechnicianId.eq(technician.id))
                        .to_owned(),
                ),
            );
        if let Some(start) = start {
            flagged = flagged.add(Column::ComebackFlaggedAt.gte(start));
        }
        if let Some(end) = end {
            flagged = flagged.add(Column::ComebackFlaggedAt.lt(end));
        }
        let comebacks = repair_orders::Entity::visible_to(actor)
            .filter(at_site(Column::SiteId))
            .filter(flagged)
            .count(db)
            .await?;

        let waits: Vec<i64> = times
            .iter()
            .filter_map(|(_, approved, started, _)| match (approved, started) {
                (Some(approved), Some(started)) if in_period(started) => {
                    Some((*started - *approved).num_seconds())
                }
                _ => None,
            })
            .collect();
        let works: Vec<i64> = times
            .iter()
            .filter_map(|(_, _, started, completed)| match (started, completed) {
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
            billed_hours: crate::models::people::shifts::two_places(billed_hours),
            clocked_hours: crate::models::people::shifts::hours(clocked_secs),
            comebacks,
        })
    }
}

fn mean(values: &[i64]) -> Option<i64> {
    let count = i64::try_from(values.len()).ok().filter(|n| *n > 0)?;
    Some(values.iter().sum::<i64>() / count)
}
