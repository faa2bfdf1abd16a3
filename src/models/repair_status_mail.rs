//! "Work has started on your car" and "your car is ready for pickup": one
//! message to the customer per order and status, after the claim or
//! transition that reached it commits.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::json;
use uuid::Uuid;

use super::{
    _entities::{repair_orders, vehicles},
    clock::Clock,
    deliveries::{self, Channel, Key, Kind, Sent},
    error::{DomainError, DomainResult},
    now_at,
    values::RepairStatus,
};
use crate::{
    mail::{Mailer, Template},
    sms::SmsSender,
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
/// server failed (recorded; try again later).
pub async fn notify(
    db: &impl ConnectionTrait,
    mailer: &Mailer,
    sms: Option<&SmsSender>,
    clock: Clock,
    pid: Uuid,
    status: RepairStatus,
) -> DomainResult<Sent> {
    let order = repair_orders::Entity::find()
        .filter(repair_orders::Column::Pid.eq(pid))
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("repair order"))?;
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
        deliveries::customer_and_site(db, order.customer_id, Some(order.site_id)).await?;
    let now = now_at(clock);
    let key = Key {
        kind: Kind::RepairStatus,
        subject_pid: order.pid,
        cycle: status.as_str().to_string(),
        channel: deliveries::channel_for(&customer, sms.is_some()),
    };
    let (address, delivery) =
        match deliveries::take_for_customer(db, &key, &customer, &site, now).await? {
            Ok(taken) => taken,
            Err(outcome) => return Ok(outcome),
        };
    let language = deliveries::language_for(&customer, &site);
    let values = json!({
        "customer": {"name": customer.name},
        "vehicle": {"plate": vehicle.plate, "make": vehicle.make, "model": vehicle.model},
        "order": {"description": order.description},
        "ready": status == RepairStatus::Completed,
        "site": deliveries::site_values(&site),
    });
    if let (Channel::Sms, Some(sms)) = (key.channel, sms) {
        let text = Template::RepairStatus
            .render_sms(language, &values)
            .map_err(DomainError::Internal)?;
        return deliveries::send_sms(db, sms, clock, &delivery, &address, &text).await;
    }
    let content = Template::RepairStatus
        .render(language, &values)
        .map_err(DomainError::Internal)?;
    let outgoing = deliveries::outgoing(&customer, &address, &site, content, &delivery, "status");
    deliveries::send_email(db, mailer, clock, &delivery, outgoing).await
}
