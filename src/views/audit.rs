use chrono::{DateTime, FixedOffset};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::refs::PersonRef;
use crate::models::audit_events::AuditEntry;

/// One recorded change.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventResponse {
    #[schema(example = "site.updated")]
    pub action: String,
    #[schema(example = "site")]
    pub subject_type: String,
    pub subject_id: Uuid,
    /// Who made the change; absent for changes made by the system.
    pub actor: Option<PersonRef>,
    pub details: Option<serde_json::Value>,
    #[serde(serialize_with = "super::time::rfc3339")]
    pub at: DateTime<FixedOffset>,
}

impl From<AuditEntry> for AuditEventResponse {
    fn from(entry: AuditEntry) -> Self {
        Self {
            action: entry.event.action,
            subject_type: entry.event.subject_type,
            subject_id: entry.event.subject_id,
            actor: entry.actor.map(PersonRef::from),
            details: entry.event.details,
            at: entry.event.created_at,
        }
    }
}
