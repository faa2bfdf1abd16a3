//! Labour on a repair order: hours at a rate, the amount rounded to the cent
//! once, when the line is written.

use rust_decimal::Decimal;
use sea_orm::{entity::prelude::*, ActiveValue, QueryOrder};
use serde_json::json;

pub use super::_entities::labor_lines::{self, ActiveModel, Column, Entity, Model};
use super::{
    actor::Actor,
    audit_events::{self, Change},
    repair_orders,
    values::{round_money, Hours, Money, Numeric},
};
use crate::errors::{ApiError, ApiResult};

impl ActiveModelBehavior for ActiveModel {}

/// A labour line to add, every value already checked.
#[derive(Debug)]
pub struct NewLaborLine {
    pub description: String,
    pub hours: Hours,
    pub rate: Money,
}

impl Model {
    /// An order's labour, in the order it was written.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn of_order(db: &impl ConnectionTrait, order_id: i64) -> Result<Vec<Self>, DbErr> {
        Entity::find()
            .filter(Column::RepairOrderId.eq(order_id))
            .order_by_asc(Column::Id)
            .all(db)
            .await
    }

    /// The sum of the lines' amounts.
    #[must_use]
    pub fn total(lines: &[Self]) -> Decimal {
        lines.iter().map(|line| line.amount.decimal()).sum()
    }

    /// # Errors
    /// 403 when the actor may not work on the order; 409 when it is closed;
    /// 422 when the amount would not fit the books.
    pub async fn add(
        db: &DatabaseConnection,
        actor: &Actor,
        order: &repair_orders::Model,
        line: NewLaborLine,
    ) -> ApiResult<Self> {
        order.authorize_work(actor)?;
        order.ensure_open()?;
        let amount = round_money(line.hours.decimal() * line.rate.decimal());
        if amount >= Decimal::from(1_000_000_000_000_i64) {
            return Err(ApiError::invalid(
                "rate",
                "hours × rate must stay below 1000000000000",
            ));
        }
        Ok(ActiveModel {
            pid: ActiveValue::Set(Uuid::new_v4()),
            organization_id: ActiveValue::Set(order.organization_id),
            site_id: ActiveValue::Set(order.site_id),
            repair_order_id: ActiveValue::Set(order.id),
            description: ActiveValue::Set(line.description),
            hours: ActiveValue::Set(Numeric(line.hours.decimal())),
            rate: ActiveValue::Set(Numeric(line.rate.decimal())),
            amount: ActiveValue::Set(Numeric(amount)),
            created_by: ActiveValue::Set(Some(actor.user_id())),
            created_at: ActiveValue::Set(super::now()),
            ..Default::default()
        }
        .insert(db)
        .await?)
    }

    /// Removes a line of an order, recording who removed what.
    ///
    /// # Errors
    /// 404 when the order has no such line; 403 when the actor may not work
    /// on the order; 409 when it is closed.
    pub async fn remove(
        db: &DatabaseConnection,
        actor: &Actor,
        order: &repair_orders::Model,
        pid: Uuid,
    ) -> ApiResult<()> {
        let line = Entity::find()
            .filter(Column::RepairOrderId.eq(order.id))
            .filter(Column::Pid.eq(pid))
            .one(db)
            .await?
            .ok_or(ApiError::NotFound("labor line"))?;
        order.authorize_work(actor)?;
        order.ensure_open()?;
        let txn = super::begin_write(db).await?;
        Entity::delete_by_id(line.id).exec(&txn).await?;
        audit_events::Model::record(
            &txn,
            actor.organization_id(),
            Some(actor),
            Change {
                action: "labor_line.removed",
                subject_type: "repair_order",
                subject_id: order.pid,
                site_id: Some(order.site_id),
                details: Some(json!({
                    "description": line.description,
                    "hours": line.hours.decimal().to_string(),
                    "rate": line.rate.decimal().to_string(),
                })),
            },
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }
}
