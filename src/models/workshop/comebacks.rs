//! Comebacks: a vehicle back for the same trouble soon after a repair. An
//! order opened within its site's `comeback_window_days` (default 30) of
//! the completion of an earlier order for the same vehicle can be flagged a
//! comeback of it; it then counts against the earlier order's technician,
//! once.

use chrono::TimeDelta;
use sea_orm::{sea_query::Expr, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;
use uuid::Uuid;

use crate::models::values::Stored;
use crate::models::Scoped;
use crate::models::Write;
use crate::models::{
    _entities::repair_orders::{Column, Entity, Model},
    actor::{Ability, Actor},
    audit_events::{self, Change},
    error::{DomainError, DomainResult},
    now_at,
    organization::sites,
    people::users,
    values::RepairStatus,
};

/// Flags `order` a comeback of `earlier` (its public id).
///
/// # Errors
/// 403 unless the actor manages orders; 404 for an earlier order the actor
/// does not see; 422 when it is not an earlier, completed repair of the
/// same vehicle within the window of `order`'s site; 409 when `order` is flagged already.
pub async fn flag(db: &Write, actor: &Actor, order: &Model, earlier: Uuid) -> DomainResult<Model> {
    actor.authorize(Ability::ManageRepairOrders)?;
    let now = now_at(actor.clock);
    let earlier =
        crate::models::workshop::repair_orders::Entity::find_for(db, actor, earlier).await?;
    let field = "of_repair_order_id";
    if earlier.id == order.id || earlier.vehicle_id != order.vehicle_id {
        return Err(DomainError::invalid(
            field,
            "must be another repair of the same vehicle",
        ));
    }
    let window = sites::Entity::find_by_id(order.site_id)
        .one(db)
        .await?
        .map_or(i64::from(sites::DEFAULT_COMEBACK_WINDOW_DAYS), |site| {
            i64::from(site.comeback_window_days)
        });
    let Some(completed_at) = earlier
        .completed_at
        .filter(|_| earlier.status == RepairStatus::Completed.as_str())
    else {
        return Err(DomainError::invalid(field, "must be a completed repair"));
    };
    if order.created_at < completed_at || order.created_at > completed_at + TimeDelta::days(window)
    {
        return Err(DomainError::invalid(
            field,
            format!("must have been completed in the {window} days before this order was opened"),
        ));
    }
    let flagged = Entity::update_many()
        .col_expr(Column::ComebackOfId, Expr::value(earlier.id))
        .col_expr(Column::ComebackFlaggedAt, Expr::value(now))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Id.eq(order.id))
        .filter(Column::ComebackOfId.is_null())
        .exec(db)
        .await?;
    if flagged.rows_affected != 1 {
        return Err(DomainError::conflict(
            "this order is flagged a comeback already",
        ));
    }
    let technician = match earlier.technician_id {
        Some(id) => users::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|user| user.pid),
        None => None,
    };
    audit_events::Model::record(
        db,
        actor.organization_id(),
        actor,
        Change {
            action: "repair_order.comeback_flagged",
            subject_type: "repair_order",
            subject_id: order.pid,
            site_id: Some(order.site_id),
            details: Some(json!({"of": earlier.pid, "technician_of_earlier": technician})),
        },
    )
    .await?;
    Ok(Model {
        comeback_of_id: Some(earlier.id),
        comeback_flagged_at: Some(now),
        updated_at: now,
        ..order.clone()
    })
}
