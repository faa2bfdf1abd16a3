use chrono::{DateTime, FixedOffset};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::messages::ledger as deliveries;

/// One message to a customer, or the record of why it was not sent.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryResponse {
    pub id: Uuid,
    /// `service_reminder` or `invoice`.
    #[schema(example = "service_reminder")]
    pub kind: String,
    /// The vehicle (a reminder) or invoice it was about.
    pub subject_id: Uuid,
    /// Which round of it: the due date of a reminder, the moment an
    /// invoice was asked to be sent.
    #[schema(example = "2026-12-04")]
    pub cycle: String,
    #[schema(example = "email")]
    pub channel: String,
    pub recipient: Option<String>,
    /// `sending`, `sent`, `failed` (tried again until `give_up_at`, unless
    /// `given_up_at` says it was given up) or `skipped`.
    #[schema(example = "sent")]
    pub status: String,
    pub attempts: i32,
    pub error: Option<String>,
    #[serde(serialize_with = "super::time::rfc3339_opt")]
    pub sent_at: Option<DateTime<FixedOffset>>,
    /// Until when it is worth trying to send.
    #[serde(serialize_with = "super::time::rfc3339_opt")]
    pub give_up_at: Option<DateTime<FixedOffset>>,
    /// When it was given up: past `give_up_at`, or an address that can
    /// never work. A manager can retry it from the jobs page.
    #[serde(serialize_with = "super::time::rfc3339_opt")]
    pub given_up_at: Option<DateTime<FixedOffset>>,
    /// The text's SMS segments (what it cost); `null` for email.
    pub segments: Option<i16>,
    #[serde(serialize_with = "super::time::rfc3339")]
    pub created_at: DateTime<FixedOffset>,
}

impl From<deliveries::Model> for DeliveryResponse {
    fn from(delivery: deliveries::Model) -> Self {
        Self {
            id: delivery.pid,
            kind: delivery.kind,
            subject_id: delivery.subject_pid,
            cycle: delivery.cycle,
            channel: delivery.channel,
            recipient: delivery.recipient,
            status: delivery.status,
            attempts: delivery.attempts,
            error: delivery.error,
            sent_at: delivery.sent_at,
            give_up_at: delivery.give_up_at,
            given_up_at: delivery.given_up_at,
            segments: delivery.segments,
            created_at: delivery.created_at,
        }
    }
}
