use chrono::{DateTime, FixedOffset};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::refs::{CustomerRef, VehicleRef};
use crate::messages::reminders::Reminder;

/// One service reminder: the vehicle and due date it was for, and what
/// became of it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReminderResponse {
    pub id: Uuid,
    /// Absent when the vehicle was removed since.
    pub vehicle: Option<VehicleRef>,
    /// Absent when the customer was removed since.
    pub customer: Option<CustomerRef>,
    /// The service due date it reminded of (`YYYY-MM-DD`).
    #[schema(example = "2026-12-12")]
    pub due_on: String,
    #[schema(example = "email")]
    pub channel: String,
    /// The address or number it went to.
    pub recipient: Option<String>,
    /// `sending`, `sent`, `failed` (tried again by the next sweep while
    /// attempts remain) or `skipped` (nothing to send it to).
    #[schema(example = "sent")]
    pub status: String,
    pub attempts: i32,
    /// Why it failed or was skipped.
    pub error: Option<String>,
    #[serde(serialize_with = "super::time::rfc3339_opt")]
    pub sent_at: Option<DateTime<FixedOffset>>,
    #[serde(serialize_with = "super::time::rfc3339")]
    pub created_at: DateTime<FixedOffset>,
}

impl From<Reminder> for ReminderResponse {
    fn from(reminder: Reminder) -> Self {
        let delivery = reminder.delivery;
        Self {
            id: delivery.pid,
            vehicle: reminder.vehicle.map(|vehicle| VehicleRef {
                id: vehicle.pid,
                plate: vehicle.plate,
                make: vehicle.make,
                model: vehicle.model,
            }),
            customer: reminder.customer.map(|customer| CustomerRef {
                id: customer.pid,
                name: customer.name,
            }),
            due_on: delivery.cycle,
            channel: delivery.channel,
            recipient: delivery.recipient,
            status: delivery.status,
            attempts: delivery.attempts,
            error: delivery.error,
            sent_at: delivery.sent_at,
            created_at: delivery.created_at,
        }
    }
}
