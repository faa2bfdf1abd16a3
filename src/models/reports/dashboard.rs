//! The owner's and manager's first look at their branches: the floor
//! today, the money, and the last 30 days.
//!
//! Every figure is read per branch, each branch's days being its own (the
//! day at the branch, in its time zone), and then added up by the view that
//! shows several: counts across branches, money only within one currency.
//!
//! Definitions (the page prints them beside the figures):
//! - *open orders*: requested, awaiting approval, approved and in progress,
//!   now;
//! - *cars in* and *completed*: orders opened and completed on the day;
//! - *time to claim*: from approval to a technician starting, over orders
//!   started in the 30 days; *time to complete*: from that start to
//!   completion, over orders completed in the 30 days;
//! - *revenue*: invoices issued on the day (or in the month), before tax,
//!   void ones left out; the *average repair order* is the month's revenue
//!   over its invoices;
//! - *receivables*: what is still owed on every open invoice, today;
//! - *low stock*: products whose available quantity is below their reorder
//!   level; *on shift*: technicians clocked in now;
//! - *efficiency*: labour hours billed on the orders a technician completed
//!   in the 30 days, over the hours their work timer ran in them.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveTime, TimeZone};
use rust_decimal::Decimal;
use sea_orm::{entity::prelude::*, Condition, QueryOrder, QuerySelect};

use crate::models::{
    _entities::{invoices, products, shifts, users, work_sessions},
    actor::{Ability, Actor},
    error::DomainResult,
    organization::sites,
    people::shifts::{hours, two_places},
    stock::products::low_stock,
    values::{InvoiceStatus, RepairStatus, Stored},
    workshop::{labor_lines, repair_orders},
    Scoped,
};

/// How many days the charts go back, today included.
pub const DAYS: usize = 30;

/// The statuses of an order still on the floor, in the order work moves.
pub const OPEN: [RepairStatus; 4] = [
    RepairStatus::Requested,
    RepairStatus::PendingApproval,
    RepairStatus::Approved,
    RepairStatus::InProgress,
];

/// A mean kept as its sum and count, so that branches add up exactly.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Mean {
    pub total_secs: i64,
    pub count: i64,
}

impl Mean {
    fn add(&mut self, secs: i64) {
        self.total_secs += secs;
        self.count += 1;
    }

    pub fn merge(&mut self, other: Self) {
        self.total_secs += other.total_secs;
        self.count += other.count;
    }

    /// Whole seconds; `None` with nothing to average.
    #[must_use]
    pub fn secs(self) -> Option<i64> {
        (self.count > 0).then(|| self.total_secs / self.count)
    }
}

/// One day of a branch's last 30.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Day {
    pub day: NaiveDate,
    pub opened: u64,
    pub completed: u64,
    /// Before tax, in the branch's currency.
    pub revenue: Decimal,
}

/// One branch's figures.
#[derive(Clone, Debug)]
pub struct Branch {
    pub site: sites::Model,
    /// The day at the branch.
    pub today: NaiveDate,
    /// Open orders now, by status, in `OPEN`'s order.
    pub open: [u64; 4],
    pub cars_in_today: u64,
    pub completed_today: u64,
    pub to_claim: Mean,
    pub to_complete: Mean,
    pub revenue_today: Decimal,
    pub revenue_month: Decimal,
    pub invoices_month: u64,
    pub receivables: Decimal,
    pub low_stock: u64,
    pub on_shift: u64,
    /// The last 30 days at the branch, oldest first.
    pub days: Vec<Day>,
}

impl Branch {
    /// Where `day` (at the branch) stands among its 30, if it does.
    fn slot(&self, day: NaiveDate) -> Option<usize> {
        usize::try_from((day - self.days[0].day).num_days())
            .ok()
            .filter(|slot| *slot < DAYS)
    }

    /// The month's revenue over its invoices.
    #[must_use]
    pub fn average_repair_order(&self) -> Option<Decimal> {
        (self.invoices_month > 0).then(|| self.revenue_month / Decimal::from(self.invoices_month))
    }
}

/// A technician's last 30 days at the branches shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TechnicianLoad {
    pub pid: Uuid,
    pub name: String,
    pub billed_hours: Decimal,
    pub clocked_hours: Decimal,
}

impl TechnicianLoad {
    /// Billed ÷ clocked hours, to two places.
    #[must_use]
    pub fn efficiency(&self) -> Option<Decimal> {
        (!self.clocked_hours.is_zero()).then(|| two_places(self.billed_hours / self.clocked_hours))
    }
}

#[derive(Clone, Debug)]
pub struct Dashboard {
    /// The branches shown, in the order the caller's sites are listed.
    pub branches: Vec<Branch>,
    /// Most billed hours first.
    pub technicians: Vec<TechnicianLoad>,
}

/// An order's times, as the dashboard reads them.
type OrderTimes = (
    i64,
    i64,
    Option<i64>,
    DateTime<FixedOffset>,
    Option<DateTime<FixedOffset>>,
    Option<DateTime<FixedOffset>>,
    Option<DateTime<FixedOffset>>,
);

/// How many rows of `query` each branch has, by its `site` column.
async fn count_by_site<E: EntityTrait>(
    db: &impl ConnectionTrait,
    query: Select<E>,
    site: E::Column,
    id: E::Column,
) -> Result<HashMap<i64, u64>, DbErr> {
    let rows: Vec<(i64, i64)> = query
        .select_only()
        .column(site)
        .column_as(id.count(), "n")
        .group_by(site)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(site, n)| (site, u64::try_from(n).unwrap_or_default()))
        .collect())
}

/// The first instant of `day` at a branch in `zone`, as stored.
fn start_of(day: NaiveDate, zone: chrono_tz::Tz) -> DateTime<FixedOffset> {
    let local = day.and_time(NaiveTime::MIN);
    let instant = zone
        .from_local_datetime(&local)
        .earliest()
        .map_or_else(|| local.and_utc().fixed_offset(), |at| at.fixed_offset());
    crate::models::stored_time(instant)
}

impl Dashboard {
    /// The dashboard of `site`, or of every branch `actor` sees.
    ///
    /// # Errors
    /// 403 unless the actor runs branches (owners and managers).
    pub async fn of(
        db: &impl ConnectionTrait,
        actor: &Actor,
        site: Option<&sites::Model>,
    ) -> DomainResult<Self> {
        actor.authorize(Ability::ViewReports)?;
        let shown: Vec<sites::Model> = match site {
            Some(site) => vec![site.clone()],
            None => {
                sites::Entity::visible_to(actor)
                    .order_by_asc(sites::Column::Name)
                    .all(db)
                    .await?
            }
        };
        let site_ids: Vec<i64> = shown.iter().map(|site| site.id).collect();
        let now = crate::models::now_at(actor.clock);
        let mut branches: Vec<Branch> = shown
            .into_iter()
            .map(|site| {
                let today = actor.clock.today_in(site.time_zone());
                let first = today - Duration::days(i64::try_from(DAYS).unwrap_or(30) - 1);
                let days = first
                    .iter_days()
                    .take(DAYS)
                    .map(|day| Day {
                        day,
                        opened: 0,
                        completed: 0,
                        revenue: Decimal::ZERO,
                    })
                    .collect();
                Branch {
                    site,
                    today,
                    open: [0; 4],
                    cars_in_today: 0,
                    completed_today: 0,
                    to_claim: Mean::default(),
                    to_complete: Mean::default(),
                    revenue_today: Decimal::ZERO,
                    revenue_month: Decimal::ZERO,
                    invoices_month: 0,
                    receivables: Decimal::ZERO,
                    low_stock: 0,
                    on_shift: 0,
                    days,
                }
            })
            .collect();
        if branches.is_empty() {
            return Ok(Self {
                branches,
                technicians: Vec::new(),
            });
        }
        let index: HashMap<i64, usize> = branches
            .iter()
            .enumerate()
            .map(|(at, branch)| (branch.site.id, at))
            .collect();
        // The earliest instant and day any branch's 30 days (or month)
        // reach back to.
        let since = branches
            .iter()
            .map(|branch| start_of(branch.days[0].day, branch.site.time_zone()))
            .min()
            .unwrap_or(now);
        let first_day = branches
            .iter()
            .map(|branch| {
                branch.days[0]
                    .day
                    .min(branch.today.with_day(1).unwrap_or(branch.today))
            })
            .min()
            .unwrap_or_default();

        Self::count_open(db, actor, &site_ids, &index, &mut branches).await?;
        let completed =
            Self::read_orders(db, actor, &site_ids, since, &index, &mut branches).await?;
        Self::read_revenue(db, actor, &site_ids, first_day, &index, &mut branches).await?;
        Self::read_receivables(db, actor, &site_ids, &index, &mut branches).await?;
        Self::read_floor(db, actor, &site_ids, &mut branches).await?;
        let technicians = Self::technicians(db, actor, &site_ids, since, now, completed).await?;
        Ok(Self {
            branches,
            technicians,
        })
    }

    async fn count_open(
        db: &impl ConnectionTrait,
        actor: &Actor,
        site_ids: &[i64],
        index: &HashMap<i64, usize>,
        branches: &mut [Branch],
    ) -> DomainResult<()> {
        let counts: Vec<(i64, String, i64)> = repair_orders::Entity::visible_to(actor)
            .filter(repair_orders::Column::SiteId.is_in(site_ids.iter().copied()))
            .filter(repair_orders::Column::Status.is_in(OPEN.map(RepairStatus::as_str)))
            .select_only()
            .column(repair_orders::Column::SiteId)
            .column(repair_orders::Column::Status)
            .column_as(repair_orders::Column::Id.count(), "n")
            .group_by(repair_orders::Column::SiteId)
            .group_by(repair_orders::Column::Status)
            .into_tuple()
            .all(db)
            .await?;
        for (site_id, status, n) in counts {
            let slot = OPEN.iter().position(|open| open.as_str() == status);
            if let (Some(&at), Some(slot)) = (index.get(&site_id), slot) {
                branches[at].open[slot] = u64::try_from(n).unwrap_or_default();
            }
        }
        Ok(())
    }

    /// Orders opened, started or completed in the 30 days; answers the
    /// orders completed in them with their technician, by id.
    async fn read_orders(
        db: &impl ConnectionTrait,
        actor: &Actor,
        site_ids: &[i64],
        since: DateTime<FixedOffset>,
        index: &HashMap<i64, usize>,
        branches: &mut [Branch],
    ) -> DomainResult<Vec<(i64, i64)>> {
        use repair_orders::Column;
        let rows: Vec<OrderTimes> = repair_orders::Entity::visible_to(actor)
            .filter(Column::SiteId.is_in(site_ids.iter().copied()))
            .filter(
                Condition::any()
                    .add(Column::CreatedAt.gte(since))
                    .add(Column::StartedAt.gte(since))
                    .add(Column::CompletedAt.gte(since)),
            )
            .select_only()
            .columns([
                Column::Id,
                Column::SiteId,
                Column::TechnicianId,
                Column::CreatedAt,
                Column::ApprovedAt,
                Column::StartedAt,
                Column::CompletedAt,
            ])
            .into_tuple()
            .all(db)
            .await?;
        let mut completed = Vec::new();
        for (id, site_id, technician, created, approved, started, done) in rows {
            let Some(&at) = index.get(&site_id) else {
                continue;
            };
            let branch = &mut branches[at];
            let zone = branch.site.time_zone();
            let [created_at, started_at, done_at] = [Some(created), started, done]
                .map(|at| at.and_then(|at| branch.slot(at.with_timezone(&zone).date_naive())));
            if let Some(slot) = created_at {
                branch.days[slot].opened += 1;
            }
            if let (Some(approved), Some(started)) = (approved, started) {
                if started_at.is_some() {
                    branch
                        .to_claim
                        .add((started - approved).num_seconds().max(0));
                }
            }
            if let (Some(done), Some(slot)) = (done, done_at) {
                branch.days[slot].completed += 1;
                if let Some(started) = started {
                    branch
                        .to_complete
                        .add((done - started).num_seconds().max(0));
                }
                if let Some(technician) = technician {
                    completed.push((id, technician));
                }
            }
        }
        for branch in branches.iter_mut() {
            if let Some(today) = branch.days.last() {
                branch.cars_in_today = today.opened;
                branch.completed_today = today.completed;
            }
        }
        Ok(completed)
    }

    async fn read_revenue(
        db: &impl ConnectionTrait,
        actor: &Actor,
        site_ids: &[i64],
        since: NaiveDate,
        index: &HashMap<i64, usize>,
        branches: &mut [Branch],
    ) -> DomainResult<()> {
        use invoices::Column;
        let issued: Vec<(i64, NaiveDate, crate::models::values::Numeric)> =
            invoices::Entity::find()
                .filter(actor.scope(Column::OrganizationId, Column::SiteId))
                .filter(Column::SiteId.is_in(site_ids.iter().copied()))
                .filter(Column::IssuedOn.gte(since))
                .filter(Column::Status.ne(InvoiceStatus::Void.as_str()))
                .select_only()
                .columns([Column::SiteId, Column::IssuedOn, Column::Subtotal])
                .into_tuple()
                .all(db)
                .await?;
        for (site_id, day, subtotal) in issued {
            let Some(&at) = index.get(&site_id) else {
                continue;
            };
            let branch = &mut branches[at];
            let amount = subtotal.decimal();
            if day == branch.today {
                branch.revenue_today += amount;
            }
            if day.year() == branch.today.year() && day.month() == branch.today.month() {
                branch.revenue_month += amount;
                branch.invoices_month += 1;
            }
            if let Some(slot) = branch.slot(day) {
                branch.days[slot].revenue += amount;
            }
        }
        Ok(())
    }

    async fn read_receivables(
        db: &impl ConnectionTrait,
        actor: &Actor,
        site_ids: &[i64],
        index: &HashMap<i64, usize>,
        branches: &mut [Branch],
    ) -> DomainResult<()> {
        use crate::models::values::Numeric;
        use invoices::Column;
        let open: Vec<(i64, Numeric, Numeric)> = invoices::Entity::find()
            .filter(actor.scope(Column::OrganizationId, Column::SiteId))
            .filter(Column::SiteId.is_in(site_ids.iter().copied()))
            .filter(Column::Status.is_in([
                InvoiceStatus::Issued.as_str(),
                InvoiceStatus::PartiallyPaid.as_str(),
            ]))
            .select_only()
            .columns([Column::SiteId, Column::Total, Column::AmountPaid])
            .into_tuple()
            .all(db)
            .await?;
        for (site_id, total, paid) in open {
            if let Some(&at) = index.get(&site_id) {
                branches[at].receivables += total.decimal() - paid.decimal();
            }
        }
        Ok(())
    }

    /// Low stock and who is clocked in, per branch.
    async fn read_floor(
        db: &impl ConnectionTrait,
        actor: &Actor,
        site_ids: &[i64],
        branches: &mut [Branch],
    ) -> DomainResult<()> {
        let low = count_by_site(
            db,
            products::Entity::find()
                .filter(actor.scope(products::Column::OrganizationId, products::Column::SiteId))
                .filter(products::Column::SiteId.is_in(site_ids.iter().copied()))
                .filter(low_stock()),
            products::Column::SiteId,
            products::Column::Id,
        )
        .await?;
        let on_shift = count_by_site(
            db,
            shifts::Entity::find()
                .filter(actor.scope(shifts::Column::OrganizationId, shifts::Column::SiteId))
                .filter(shifts::Column::SiteId.is_in(site_ids.iter().copied()))
                .filter(shifts::Column::EndedAt.is_null()),
            shifts::Column::SiteId,
            shifts::Column::Id,
        )
        .await?;
        for branch in branches.iter_mut() {
            branch.low_stock = low.get(&branch.site.id).copied().unwrap_or_default();
            branch.on_shift = on_shift.get(&branch.site.id).copied().unwrap_or_default();
        }
        Ok(())
    }

    /// Each technician's billed and clocked hours since `since`, at the
    /// branches shown.
    async fn technicians(
        db: &impl ConnectionTrait,
        actor: &Actor,
        site_ids: &[i64],
        since: DateTime<FixedOffset>,
        now: DateTime<FixedOffset>,
        completed: Vec<(i64, i64)>,
    ) -> DomainResult<Vec<TechnicianLoad>> {
        use work_sessions::Column;
        let sessions: Vec<(i64, DateTime<FixedOffset>, Option<DateTime<FixedOffset>>)> =
            work_sessions::Entity::find()
                .filter(actor.scope(Column::OrganizationId, Column::SiteId))
                .filter(Column::SiteId.is_in(site_ids.iter().copied()))
                .filter(
                    Condition::any()
                        .add(Column::EndedAt.is_null())
                        .add(Column::EndedAt.gt(since)),
                )
                .select_only()
                .columns([Column::UserId, Column::StartedAt, Column::EndedAt])
                .into_tuple()
                .all(db)
                .await?;
        let mut clocked: BTreeMap<i64, i64> = BTreeMap::new();
        for (user, started, ended) in sessions {
            let from = started.max(since);
            let until = ended.unwrap_or(now).min(now);
            *clocked.entry(user).or_default() += (until - from).num_seconds().max(0);
        }
        let billed_by_order =
            labor_lines::Model::hours_by_order(db, completed.iter().map(|(order, _)| *order))
                .await?;
        let mut billed: BTreeMap<i64, Decimal> = BTreeMap::new();
        for (order, technician) in &completed {
            *billed.entry(*technician).or_default() +=
                billed_by_order.get(order).copied().unwrap_or_default();
        }
        let people: Vec<i64> = clocked.keys().chain(billed.keys()).copied().collect();
        let names = users::Entity::find()
            .filter(users::Column::OrganizationId.eq(actor.organization_id()))
            .filter(users::Column::Id.is_in(people))
            .all(db)
            .await?;
        let mut loads: Vec<TechnicianLoad> = names
            .into_iter()
            .map(|user| TechnicianLoad {
                billed_hours: two_places(billed.get(&user.id).copied().unwrap_or_default()),
                clocked_hours: hours(clocked.get(&user.id).copied().unwrap_or_default()),
                pid: user.pid,
                name: user.name,
            })
            .collect();
        loads.sort_by(|a, b| {
            b.billed_hours
                .cmp(&a.billed_hours)
                .then_with(|| a.name.cmp(&b.name))
        });
        Ok(loads)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn means_add_up_across_branches_exactly() {
        let mut nairobi = Mean::default();
        nairobi.add(60);
        nairobi.add(120);
        let mut mombasa = Mean::default();
        mombasa.add(600);
        nairobi.merge(mombasa);
        // (60 + 120 + 600) / 3, not the mean of 90 and 600.
        assert_eq!(nairobi.secs(), Some(260));
        assert_eq!(Mean::default().secs(), None);
    }

    #[test]
    fn a_branch_day_starts_at_its_own_midnight() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        let nairobi = start_of(day, chrono_tz::Africa::Nairobi);
        assert_eq!(nairobi.to_rfc3339(), "2026-12-06T21:00:00+00:00");
    }
}
