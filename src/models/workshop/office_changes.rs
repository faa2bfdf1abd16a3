//! What others changed on an order while its technician was working on it:
//! lines added or taken off, the customer's word on a line, notes and files
//! from the office, the job's description, priority or skills. The phone
//! shows these until the technician says they have seen them.
//!
//! Every such change touches the order's `updated_at`, and seeing them sets
//! `technician_seen_at`: an order not changed since is answered without
//! reading anything.

use sea_orm::{entity::prelude::*, sea_query::Expr, Condition, QueryOrder};
use serde_json::{json, Value as Json};

use crate::models::error::{DomainError, DomainResult};
use crate::models::values::Stored;
use crate::models::{
    actor::{Ability, Actor},
    audit_events::{self, Change},
    now_at,
    values::RepairStatus,
    workshop::{attachments, repair_order_notes, repair_orders},
    Scoped, Write,
};

/// One change by someone other than the order's technician.
#[derive(Clone, Debug)]
pub struct OfficeChange {
    /// The audit trail's name for it (`labor_line.added`, …), or
    /// `note.added` and `attachment.added`.
    pub what: String,
    /// Who made it; `None` for the customer (through their estimate link).
    pub by: Option<i64>,
    pub at: DateTimeWithTimeZone,
    pub details: Option<Json>,
}

/// The audit trail's changes a technician is told about. Others on the
/// order's trail (its assignment, an acknowledgement) are not news to them.
const TOLD: [&str; 9] = [
    "labor_line.added",
    "labor_line.removed",
    "part_line.added",
    "part_line.removed",
    "estimate_line.decided",
    "estimate.send_requested",
    "repair_order.updated",
    "repair_order.required_skills_changed",
    "repair_order.comeback_flagged",
];

/// The changes to an order in progress by anyone but its technician since
/// the technician last saw it, oldest first; none for an order nobody is
/// working on.
///
/// # Errors
/// When the database fails.
pub async fn unseen(
    db: &impl ConnectionTrait,
    order: &repair_orders::OrderRow,
) -> Result<Vec<OfficeChange>, DbErr> {
    let (Some(technician), Some(seen)) = (order.technician_id, order.technician_seen_at) else {
        return Ok(Vec::new());
    };
    if order.status != RepairStatus::InProgress.as_str() || order.updated_at <= seen {
        return Ok(Vec::new());
    }
    // Changes by anyone but the technician: staff, or nobody (the customer).
    fn by_others(column: impl ColumnTrait, technician: i64) -> Condition {
        Condition::any()
            .add(column.is_null())
            .add(column.ne(technician))
    }
    let trail = audit_events::Entity::find()
        .filter(audit_events::Column::SubjectType.eq("repair_order"))
        .filter(audit_events::Column::SubjectId.eq(order.pid))
        .filter(audit_events::Column::CreatedAt.gt(seen))
        .filter(audit_events::Column::Action.is_in(TOLD))
        .filter(by_others(audit_events::Column::ActorId, technician))
        .order_by_asc(audit_events::Column::Id)
        .all(db);
    let notes = repair_order_notes::Entity::find()
        .filter(repair_order_notes::Column::RepairOrderId.eq(order.id))
        .filter(repair_order_notes::Column::CreatedAt.gt(seen))
        .filter(by_others(repair_order_notes::Column::AuthorId, technician))
        .order_by_asc(repair_order_notes::Column::Id)
        .all(db);
    let files = attachments::Entity::find()
        .filter(attachments::Column::RepairOrderId.eq(order.id))
        .filter(attachments::Column::CreatedAt.gt(seen))
        .filter(by_others(attachments::Column::UploadedBy, technician))
        .order_by_asc(attachments::Column::Id)
        .all(db);
    let (trail, notes, files) = futures_util::try_join!(trail, notes, files)?;
    let mut changes: Vec<OfficeChange> = trail
        .into_iter()
        .map(|event| OfficeChange {
            what: event.action,
            by: event.actor_id,
            at: event.created_at,
            details: event.details,
        })
        .chain(notes.into_iter().map(|note| OfficeChange {
            what: "note.added".to_string(),
            by: note.author_id,
            at: note.created_at,
            details: Some(json!({"body": note.body})),
        }))
        .chain(files.into_iter().map(|file| OfficeChange {
            what: "attachment.added".to_string(),
            by: file.uploaded_by,
            at: file.created_at,
            details: Some(json!({"file_name": file.file_name, "kind": file.kind})),
        }))
        .collect();
    changes.sort_by_key(|change| change.at);
    Ok(changes)
}

/// The order's technician has seen what others changed on it: the changes
/// up to now are no longer shown to them. Recorded in the trail.
///
/// # Errors
/// 404 for an order the actor does not see; 409 unless it is in progress
/// with the actor as its technician.
pub async fn acknowledge(
    db: &Write,
    actor: &Actor,
    pid: Uuid,
) -> DomainResult<repair_orders::Model> {
    if let Err(denied) = actor.authorize(Ability::ClaimRepairs) {
        // Someone else's order is a 404 before it is a 403.
        repair_orders::Entity::find_for(db, actor, pid).await?;
        return Err(denied);
    }
    let now = now_at(actor.clock);
    let seen = repair_orders::Entity::update_many()
        .col_expr(repair_orders::Column::TechnicianSeenAt, Expr::value(now))
        .filter(repair_orders::Column::Pid.eq(pid))
        .filter(actor.scope(
            repair_orders::Column::OrganizationId,
            repair_orders::Column::SiteId,
        ))
        .filter(repair_orders::Column::TechnicianId.eq(actor.user_id()))
        .filter(repair_orders::Column::Status.eq(RepairStatus::InProgress.as_str()))
        .exec_with_returning(db)
        .await?
        .pop();
    let Some(order) = seen else {
        repair_orders::Entity::find_for(db, actor, pid).await?;
        return Err(DomainError::conflict(
            "only the technician working on the order acknowledges what changed on it",
        ));
    };
    audit_events::Model::record(
        db,
        actor.organization_id(),
        actor,
        Change {
            action: "repair_order.acknowledged",
            subject_type: "repair_order",
            subject_id: order.pid,
            site_id: Some(order.site_id),
            details: None,
        },
    )
    .await?;
    Ok(order)
}
