use std::collections::HashMap;

use chrono::{DateTime, FixedOffset};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    refs::{CustomerRef, PersonRef, VehicleRef},
    sites::SiteRef,
};
use crate::models::values::Stored;
use crate::{
    errors::{ApiError, ApiResult},
    models::{
        values::{format_money, Approval, Priority, RepairStatus},
        workshop::{
            attachments::{self, AttachmentKind},
            labor_lines,
            office_changes::OfficeChange,
            part_lines,
            repair_order_events::HistoryEntry,
            repair_order_notes,
            repair_orders::OrderRow,
        },
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
    /// When its technician last took in what others changed on it (taking
    /// the order, or acknowledging); the order's detail lists what others
    /// changed since (`unseen_changes`).
    #[serde(serialize_with = "super::time::rfc3339_opt")]
    pub technician_seen_at: Option<DateTime<FixedOffset>>,
    /// The skills a technician needs to take it.
    #[schema(example = json!(["hybrid"]))]
    pub required_skills: Vec<String>,
    /// In a technician's queue: the required skills they lack. Empty: they
    /// can take it; otherwise a claim is refused (422) naming them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing_skills: Option<Vec<String>>,
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
            technician_seen_at: row.technician_seen_at,
            required_skills: Vec::new(),
            missing_skills: None,
        })
    }

    /// The same order, with the skills it needs.
    #[must_use]
    pub fn needing(mut self, skills: Vec<String>) -> Self {
        self.required_skills = skills;
        self
    }
}

/// A repair order with its labour, parts and, once completed, its invoice.
#[derive(Debug, Serialize, ToSchema)]
pub struct RepairOrderDetail {
    #[serde(flatten)]
    pub order: RepairOrderResponse,
    pub labor: Vec<LaborLineResponse>,
    pub parts: Vec<PartLineResponse>,
    /// The sum of the labour lines not declined, in the site's currency.
    #[schema(example = "4500.00")]
    pub labor_total: String,
    /// The sum of the part lines not declined.
    #[schema(example = "3200.00")]
    pub parts_total: String,
    /// Labour and parts together, before tax.
    #[schema(example = "7700.00")]
    pub total: String,
    #[schema(example = "KES")]
    pub currency: String,
    /// Issued when the order was completed.
    pub invoice: Option<InvoiceRef>,
    /// The earlier repair of the same vehicle this one is a comeback of.
    pub comeback_of: Option<Uuid>,
    /// While the order is in progress: what others (the office, the
    /// customer) changed on it since its technician last acknowledged,
    /// oldest first (`POST /api/repair-orders/{id}/acknowledge`).
    pub unseen_changes: Vec<OfficeChangeResponse>,
}

/// A change to an order by someone other than its technician.
#[derive(Debug, Serialize, ToSchema)]
pub struct OfficeChangeResponse {
    /// What happened: `labor_line.added`, `labor_line.removed`,
    /// `part_line.added`, `part_line.removed`, `estimate_line.decided`,
    /// `estimate.send_requested`, `repair_order.updated`,
    /// `repair_order.required_skills_changed`,
    /// `repair_order.comeback_flagged`, `note.added`, `attachment.added`.
    #[schema(example = "part_line.added")]
    pub what: String,
    /// Who made it; absent for the customer (through their estimate link).
    pub by: Option<PersonRef>,
    #[serde(serialize_with = "super::time::rfc3339")]
    pub at: DateTime<FixedOffset>,
    /// What changed, as the audit trail records it.
    #[schema(value_type = Option<Object>)]
    pub details: Option<serde_json::Value>,
}

impl OfficeChangeResponse {
    #[must_use]
    pub fn new(change: OfficeChange, people: &HashMap<i64, (Uuid, String)>) -> Self {
        Self {
            what: change.what,
            by: change
                .by
                .and_then(|id| people.get(&id).cloned().map(PersonRef::from)),
            at: change.at,
            details: change.details,
        }
    }
}

/// An invoice as an order names it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct InvoiceRef {
    pub id: Uuid,
    #[schema(example = "NBO-2026-000042")]
    pub number: String,
}

/// What a detail shows besides the order's own row.
pub struct OrderLines<'a> {
    pub labor: &'a [labor_lines::Model],
    pub parts: &'a [part_lines::Model],
    /// Product ids (internal → public) of the parts.
    pub products: &'a HashMap<i64, Uuid>,
    /// Names of the people who recorded the customer's word, by user id.
    pub people: &'a HashMap<i64, (Uuid, String)>,
    pub invoice: Option<InvoiceRef>,
}

impl RepairOrderDetail {
    /// # Errors
    /// 500 when a stored status, priority or approval is not one of ours.
    pub fn new(row: OrderRow, lines: OrderLines<'_>) -> ApiResult<Self> {
        let currency = row.currency.clone();
        let labor_total = labor_lines::Model::total(lines.labor);
        let parts_total = part_lines::Model::total(lines.parts);
        Ok(Self {
            order: RepairOrderResponse::new(row)?,
            labor: lines
                .labor
                .iter()
                .map(|line| LaborLineResponse::new(line, lines.people))
                .collect::<ApiResult<_>>()?,
            parts: lines
                .parts
                .iter()
                .map(|line| {
                    PartLineResponse::new(
                        line,
                        lines.products.get(&line.product_id).copied(),
                        lines.people,
                    )
                })
                .collect::<ApiResult<_>>()?,
            labor_total: format_money(labor_total),
            parts_total: format_money(parts_total),
            total: format_money(labor_total + parts_total),
            currency,
            invoice: lines.invoice,
            comeback_of: None,
            unseen_changes: Vec::new(),
        })
    }
}

/// Who recorded the customer's word on a line, when, and what they said.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ApprovalResponse {
    /// The member of staff who recorded it; absent when the customer
    /// decided themselves, through their estimate link.
    pub by: Option<PersonRef>,
    /// `staff`, or `customer` (through their estimate link); absent while
    /// nobody has decided.
    #[schema(example = "customer")]
    pub source: Option<&'static str>,
    #[serde(serialize_with = "super::time::rfc3339_opt")]
    pub at: Option<DateTime<FixedOffset>>,
    pub note: Option<String>,
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
    /// `hours × rate`, rounded half away from zero to the currency's minor
    /// unit.
    #[schema(example = "4500.00")]
    pub amount: String,
    /// The customer's word: declined lines are not invoiced.
    pub approval: Approval,
    /// When `approval` is not `pending`: who recorded it, when, and why.
    pub decided: ApprovalResponse,
    #[serde(serialize_with = "super::time::rfc3339")]
    pub created_at: DateTime<FixedOffset>,
}

impl ApprovalResponse {
    fn new(
        by: Option<i64>,
        at: Option<DateTime<FixedOffset>>,
        note: Option<&String>,
        people: &HashMap<i64, (Uuid, String)>,
    ) -> Self {
        let source = match (by, at) {
            (Some(_), _) => Some("staff"),
            (None, Some(_)) => Some("customer"),
            (None, None) => None,
        };
        Self {
            by: by.and_then(|id| people.get(&id).cloned().map(PersonRef::from)),
            source,
            at,
            note: note.cloned(),
        }
    }
}

impl LaborLineResponse {
    /// `people` names who recorded the customer's word, by user id.
    ///
    /// # Errors
    /// 500 when the stored approval is not one of ours.
    pub fn new(
        line: &labor_lines::Model,
        people: &HashMap<i64, (Uuid, String)>,
    ) -> ApiResult<Self> {
        Ok(Self {
            id: line.pid,
            description: line.description.clone(),
            hours: crate::models::people::shifts::two_places(line.hours.decimal()).to_string(),
            rate: format_money(line.rate.decimal()),
            amount: format_money(line.amount.decimal()),
            approval: line.approval()?,
            decided: ApprovalResponse::new(
                line.approval_by,
                line.approval_at,
                line.approval_note.as_ref(),
                people,
            ),
            created_at: line.created_at,
        })
    }
}

/// A part on an order, at the price it had when it was added (what it cost
/// the workshop is not shown).
#[derive(Debug, Serialize, ToSchema)]
pub struct PartLineResponse {
    pub id: Uuid,
    pub product_id: Option<Uuid>,
    #[schema(example = "OIL-5W30-1L")]
    pub sku: String,
    pub description: String,
    /// Decimal string, up to three places: `2`, `4.5`.
    #[schema(example = "4.5")]
    pub quantity: String,
    #[schema(example = "950.00")]
    pub unit_price: String,
    /// `quantity × unit_price`, rounded half away from zero to the
    /// currency's minor unit.
    #[schema(example = "4275.00")]
    pub amount: String,
    /// Whether the line holds stock now (until the order is completed, or
    /// the line declined or removed).
    pub holds_stock: bool,
    /// When its stock was taken out: the order's completion.
    #[serde(serialize_with = "super::time::rfc3339_opt")]
    pub consumed_at: Option<DateTime<FixedOffset>>,
    pub approval: Approval,
    pub decided: ApprovalResponse,
    #[serde(serialize_with = "super::time::rfc3339")]
    pub created_at: DateTime<FixedOffset>,
}

impl PartLineResponse {
    /// # Errors
    /// 500 when the stored approval is not one of ours.
    pub fn new(
        line: &part_lines::Model,
        product_id: Option<Uuid>,
        people: &HashMap<i64, (Uuid, String)>,
    ) -> ApiResult<Self> {
        Ok(Self {
            id: line.pid,
            product_id,
            sku: line.sku.clone(),
            description: line.description.clone(),
            quantity: line.quantity().to_string(),
            unit_price: format_money(line.unit_price.decimal()),
            amount: format_money(line.amount.decimal()),
            holds_stock: line.reserved,
            consumed_at: line.consumed_at,
            approval: line.approval()?,
            decided: ApprovalResponse::new(
                line.approval_by,
                line.approval_at,
                line.approval_note.as_ref(),
                people,
            ),
            created_at: line.created_at,
        })
    }
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
