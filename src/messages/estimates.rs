//! An order's estimate by email or text, with the signed link where the
//! customer approves or declines each line (`models::workshop::estimates` records
//! their word). Each request to send is one delivery in the ledger, its
//! cycle the moment it was asked for, so a job run twice sends it once and
//! the `send_estimates` sweep finds what a lost job left.

use chrono::TimeDelta;
use sea_orm::{
    prelude::DateTimeWithTimeZone, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QuerySelect,
};
use serde_json::json;
use uuid::Uuid;

use super::{
    ledger,
    links::{Purpose, ESTIMATE_VALID_FOR},
    long_date, Kind, Message, Messenger, Sent,
};
use crate::models::values::Stored;
use crate::models::Scoped;
use crate::models::{
    _entities::repair_orders, clock::Clock, error::DomainResult, now_at, values::RepairStatus,
    workshop::estimates::estimate_of,
};

/// How far back the sweep looks for estimates asked to be sent and not sent.
pub const SWEEP_DAYS: i64 = 7;

/// Open orders whose estimate was asked to be sent in the last
/// `SWEEP_DAYS` and has no settled delivery yet.
///
/// # Errors
/// When the database fails.
pub async fn unsent(db: &impl ConnectionTrait, clock: Clock) -> DomainResult<Vec<Uuid>> {
    let now = now_at(clock);
    let asked: Vec<(Uuid, Option<DateTimeWithTimeZone>)> = repair_orders::Entity::find()
        .select_only()
        .column(repair_orders::Column::Pid)
        .column(repair_orders::Column::EstimateRequestedAt)
        .filter(repair_orders::Column::EstimateRequestedAt.gte(now - TimeDelta::days(SWEEP_DAYS)))
        .filter(repair_orders::Column::Status.is_not_in(RepairStatus::CLOSED.map(Stored::as_str)))
        .into_tuple()
        .all(db)
        .await?;
    ledger::unsettled_requests(db, Kind::Estimate, asked, now).await
}

/// Sends order `pid`'s estimate link to its customer, once per request.
///
/// # Errors
/// `NotFound` for an unknown order (the job ends); `Upstream` when the mail
/// server or gateway failed (recorded; try again later).
pub async fn send(
    db: &impl ConnectionTrait,
    messenger: &Messenger,
    clock: Clock,
    pid: Uuid,
) -> DomainResult<Sent> {
    let order = repair_orders::Entity::by_pid(db, pid).await?;
    let Some(requested_at) = order.estimate_requested_at else {
        return Ok(Sent::NoLongerDue);
    };
    let estimate = estimate_of(db, order).await?;
    if !estimate.open {
        return Ok(Sent::NoLongerDue);
    }
    let url = messenger.links().url(
        Purpose::Estimate,
        estimate.order.pid,
        clock.now(),
        ESTIMATE_VALID_FOR,
    );
    let language = super::language_for(&estimate.customer, &estimate.site);
    let expires = clock
        .now()
        .checked_add_signed(ESTIMATE_VALID_FOR)
        .unwrap_or_else(|| clock.now())
        .with_timezone(&estimate.site.time_zone())
        .date_naive();
    let values = json!({
        "customer": {"name": estimate.customer.name},
        "vehicle": {
            "plate": estimate.vehicle.plate,
            "make": estimate.vehicle.make,
            "model": estimate.vehicle.model,
        },
        "lines": estimate.lines.iter().map(|line| json!({
            "description": line.description,
            "amount": crate::i18n::money(line.amount),
        })).collect::<Vec<_>>(),
        "currency": estimate.site.currency,
        "total": crate::i18n::money(estimate.total),
        "url": url,
        "expires_on": long_date(expires, language),
    });
    let message = Message::to_customer(
        Kind::Estimate,
        estimate.order.pid,
        ledger::requested_cycle(requested_at),
        estimate.customer,
        estimate.site,
        values,
    );
    super::send(db, messenger, clock, message).await
}
