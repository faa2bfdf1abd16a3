//! "Work has started on your car" and "your car is ready for pickup": one
//! message to the customer per order and status, after the claim or
//! transition that reached it commits.

use chrono::TimeDelta;
use sea_orm::{
    sea_query::{Expr, ExprTrait},
    ColumnTrait, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QuerySelect, RelationTrait,
};
use serde_json::json;
use uuid::Uuid;

use super::{ledger, Kind, Message, Messenger, Sent};
use crate::models::values::Stored;
use crate::models::Scoped;
use crate::models::{
    _entities::{customers, repair_order_events, repair_orders, vehicles},
    clock::Clock,
    error::{DomainError, DomainResult},
    now_at,
    values::RepairStatus,
};

/// Whether customers hear of an order reaching `status`.
#[must_use]
pub const fn announced(status: RepairStatus) -> bool {
    matches!(status, RepairStatus::InProgress | RepairStatus::Completed)
}

/// Tells the customer that order `pid` reached `status`, once.
///
/// # Errors
/// `NotFound` for an unknown order (the job ends); `Upstream` when the mail
/// server or gateway failed (recorded; try again later).
pub async fn notify(
    db: &impl ConnectionTrait,
    messenger: &Messenger,
    clock: Clock,
    pid: Uuid,
    status: RepairStatus,
) -> DomainResult<Sent> {
    let order = repair_orders::Entity::by_pid(db, pid).await?;
    // Moved on since (started, then completed at once): only the news that
    // is still true goes out.
    if !announced(status) || order.status != status.as_str() {
        return Ok(Sent::NoLongerDue);
    }
    let vehicle = vehicles::Entity::find_by_id(order.vehicle_id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("vehicle"))?;
    let (customer, site) =
        customers::Model::with_site(db, order.customer_id, Some(order.site_id)).await?;
    let values = json!({
        "customer": {"name": customer.name},
        "vehicle": {"plate": vehicle.plate, "make": vehicle.make, "model": vehicle.model},
        "order": {"description": order.description},
        "ready": status == RepairStatus::Completed,
    });
    let message = Message::to_customer(
        Kind::RepairStatus,
        order.pid,
        status.as_str().to_string(),
        customer,
        site,
        values,
    );
    super::send(db, messenger, clock, message).await
}

/// How far back the sweep looks for news not told.
pub const SWEEP_HOURS: i64 = 24;

/// Orders that reached a status customers hear of in the last
/// `SWEEP_HOURS`, are still in it, and whose news has no settled delivery:
/// what a lost job (a worker killed mid-send, a queue that was down) left
/// untold.
///
/// # Errors
/// When the database fails.
pub async fn unsent(
    db: &impl ConnectionTrait,
    clock: Clock,
) -> DomainResult<Vec<(Uuid, RepairStatus)>> {
    let now = now_at(clock);
    let announced: Vec<&str> = <RepairStatus as strum::VariantArray>::VARIANTS
        .iter()
        .copied()
        .filter(|status| announced(*status))
        .map(RepairStatus::as_str)
        .collect();
    let reached: Vec<(Uuid, String)> = repair_order_events::Entity::find()
        .select_only()
        .column(repair_orders::Column::Pid)
        .column(repair_orders::Column::Status)
        .join(
            JoinType::InnerJoin,
            repair_order_events::Relation::RepairOrders.def(),
        )
        .filter(repair_order_events::Column::ToStatus.is_in(announced.clone()))
        .filter(repair_order_events::Column::CreatedAt.gte(now - TimeDelta::hours(SWEEP_HOURS)))
        .filter(repair_orders::Column::Status.is_in(announced))
        .filter(
            Expr::col((repair_orders::Entity, repair_orders::Column::Status)).equals((
                repair_order_events::Entity,
                repair_order_events::Column::ToStatus,
            )),
        )
        .distinct()
        .into_tuple()
        .all(db)
        .await?;
    let pids: Vec<Uuid> = reached.iter().map(|(pid, _)| *pid).collect();
    let settled = ledger::settled(db, Kind::RepairStatus, &pids, now).await?;
    Ok(reached
        .into_iter()
        .filter(|key| !settled.contains(key))
        .filter_map(|(pid, status)| Some((pid, RepairStatus::from_stored(&status)?)))
        .collect())
}
