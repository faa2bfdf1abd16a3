use chrono::{DateTime, FixedOffset};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::models::notifications;

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationResponse {
    pub id: Uuid,
    #[schema(example = "repair_order_assigned")]
    pub kind: String,
    pub title: String,
    pub body: String,
    /// The repair order it is about, if any.
    pub repair_order_id: Option<Uuid>,
    #[serde(serialize_with = "super::time::rfc3339_opt")]
    pub read_at: Option<DateTime<FixedOffset>>,
    #[serde(serialize_with = "super::time::rfc3339")]
    pub created_at: DateTime<FixedOffset>,
}

impl NotificationResponse {
    #[must_use]
    pub fn new(notification: notifications::Model, repair_order_id: Option<Uuid>) -> Self {
        Self {
            id: notification.pid,
            kind: notification.kind,
            title: notification.title,
            body: notification.body,
            repair_order_id,
            read_at: notification.read_at,
            created_at: notification.created_at,
        }
    }
}
