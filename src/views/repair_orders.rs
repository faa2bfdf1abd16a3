use chrono::{DateTime, FixedOffset};
use rust_decimal::Decimal;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    refs::{CustomerRef, PersonRef, VehicleRef},
    sites::SiteRef,
};
use crate::{
    errors::{ApiError, ApiResult},
    models::{
        attachments::{self, AttachmentKind},
        labor_lines,
        repair_order_events::HistoryEntry,
        repair_order_notes,
        repair_orders::OrderRow,
        values::{format_money, Priority, RepairStatus},
    },
};

/// A repair order as lists and the queue show it.
#[derive(Debug, Serialize, ToSchema)]
pub struct RepairOrderResponse {
    pub id: Uuid,
    pub site: SiteRef,
    pub vehicle: VehicleRef,
    pub customer: CustomerRef,
    pub status: RepairStatus,
    pub priority: Priority,
    pub description: String,
    /// The customer's complaint, in their words.
    pub complaint: Option<String>,
    /// The odometer when the vehicle was booked in.
    pub odometer_km: Option<i64>,
    pub technician: Option<PersonRef>,
    #[serde(serialize_with = "super::time::rfc3339_opt")]
    pub approved_at: Option<DateTime<FixedOffset>>,
    #[serde(serialize_with = "super::time::rfc3339_opt")]
    pub started_at: Option<DateTime<FixedOffset>>,
    #[serde(serialize_with = "super::time::rfc3339_opt")]
    pub completed_at: Option<DateTime<FixedOffset>>,
    #[serde(serialize_with = "super::time::rfc3339")]
    pub created_at: DateTime<FixedOffset>,
    #[serde(serialize_with = "super::time::rfc3339")]
    pub updated_at: DateTime<FixedOffset>,
}

impl RepairOrderResponse {
    /// # Errors
    /// 500 when the stored status or priority is not one of ours.
    pub fn new(row: OrderRow) -> ApiResult<Self> {
        let status = RepairStatus::from_stored(&row.status)
            .ok_or_else(|| ApiError::internal(format!("stored status {:?}", row.status)))?;
        let priority = Priority::from_rank(row.priority)
            .ok_or_else(|| ApiError::internal(format!("stored priority {}", row.priority)))?;
        Ok(Self {
            id: row.pid,
            site: SiteRef {
                id: row.site_pid,
                name: row.site_name,
            },
            vehicle: VehicleRef {
                id: row.vehicle_pid,
                plate: row.plate,
                make: row.make,
                model: row.model,
            },
            customer: CustomerRef {
                id: row.customer_pid,
                name: row.customer_name,
            },
            status,
            priority,
            description: row.description,
            complaint: row.complaint,
            odometer_km: row.odometer_km,
            technician: row
                .technician_pid
                .zip(row.technician_name)
                .map(PersonRef::from),
            approved_at: row.approved_at,
            started_at: row.started_at,
            completed_at: row.completed_at,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

/// A repair order with its labour.
#[derive(Debug, Serialize, ToSchema)]
pub struct RepairOrderDetail {
    #[serde(flatten)]
    pub order: RepairOrderResponse,
    pub labor: Vec<LaborLineResponse>,
    /// The sum of the labour lines, in the site's currency.
    #[schema(example = "4500.00")]
    pub labor_total: String,
    #[schema(example = "KES")]
    pub currency: String,
}

impl RepairOrderDetail {
    /// # Errors
    /// 500 when the stored status or priority is not one of ours.
    pub fn new(row: OrderRow, lines: &[labor_lines::Model]) -> ApiResult<Self> {
        let currency = row.currency.clone();
        Ok(Self {
            order: RepairOrderResponse::new(row)?,
            labor: lines.iter().map(LaborLineResponse::from).collect(),
            labor_total: format_money(labor_lines::Model::total(lines)),
            currency,
        })
    }
}

/// Hours at a rate; every amount is a decimal string.
#[derive(Debug, Serialize, ToSchema)]
pub struct LaborLineResponse {
    pub id: Uuid,
    pub description: String,
    #[schema(example = "1.50")]
    pub hours: String,
    #[schema(example = "3000.00")]
    pub rate: String,
    /// `hours × rate`, rounded half away from zero to the cent.
    #[schema(example = "4500.00")]
    pub amount: String,
    #[serde(serialize_with = "super::time::rfc3339")]
    pub created_at: DateTime<FixedOffset>,
}

impl From<&labor_lines::Model> for LaborLineResponse {
    fn from(line: &labor_lines::Model) -> Self {
        Self {
            id: line.pid,
            description: line.description.clone(),
            hours: two_places(line.hours.decimal()),
            rate: format_money(line.rate.decimal()),
            amount: format_money(line.amount.decimal()),
            created_at: line.created_at,
        }
    }
}

fn two_places(value: Decimal) -> String {
    let mut value = value;
    value.rescale(2);
    value.to_string()
}

/// One status change.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryEntryResponse {
    /// Absent for the order's creation.
    pub from: Option<String>,
    pub to: String,
    pub actor: Option<PersonRef>,
    #[serde(serialize_with = "super::time::rfc3339")]
    pub at: DateTime<FixedOffset>,
    pub note: Option<String>,
}

impl From<HistoryEntry> for HistoryEntryResponse {
    fn from(entry: HistoryEntry) -> Self {
        Self {
            from: entry.event.from_status,
            to: entry.event.to_status,
            actor: entry.actor.map(PersonRef::from),
            at: entry.event.created_at,
            note: entry.event.note,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NoteResponse {
    pub id: Uuid,
    pub body: String,
    pub author: Option<PersonRef>,
    #[serde(serialize_with = "super::time::rfc3339")]
    pub created_at: DateTime<FixedOffset>,
}

impl NoteResponse {
    #[must_use]
    pub fn new(note: repair_order_notes::Model, author: Option<(Uuid, String)>) -> Self {
        Self {
            id: note.pid,
            body: note.body,
            author: author.map(PersonRef::from),
            created_at: note.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentResponse {
    pub id: Uuid,
    pub kind: AttachmentKind,
    #[schema(example = "image/jpeg")]
    pub content_type: String,
    pub file_name: String,
    pub size_bytes: i64,
    pub uploaded_by: Option<PersonRef>,
    /// Where to fetch the file (with the same bearer token).
    pub download_url: String,
    #[serde(serialize_with = "super::time::rfc3339")]
    pub created_at: DateTime<FixedOffset>,
}

impl AttachmentResponse {
    #[must_use]
    pub fn new(
        order_id: Uuid,
        attachment: attachments::Model,
        uploader: Option<(Uuid, String)>,
    ) -> Self {
        Self {
            id: attachment.pid,
            kind: AttachmentKind::from_stored(&attachment.kind).unwrap_or(AttachmentKind::Document),
            content_type: attachment.content_type,
            file_name: attachment.file_name,
            size_bytes: attachment.size_bytes,
            uploaded_by: uploader.map(PersonRef::from),
            download_url: format!(
                "/api/repair-orders/{order_id}/attachments/{}",
                attachment.pid
            ),
            created_at: attachment.created_at,
        }
    }
}
