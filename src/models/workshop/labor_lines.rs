//! Labour on a repair order: hours at a rate, the amount rounded to the
//! currency's minor unit once, when the line is written.

use rust_decimal::Decimal;
use sea_orm::{entity::prelude::*, ActiveValue, QueryOrder};
use serde_json::json;

pub use crate::models::_entities::labor_lines::{self, ActiveModel, Column, Entity, Model};
use crate::models::error::{DomainError, DomainResult};
use crate::models::values::Stored;
use crate::models::{
    actor::{Actor, By},
    audit_events::{self, Change},
    values::{round_to_minor_unit, Approval, Hours, Money, Numeric},
    workshop::repair_orders,
    Write,
};

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

    /// The labour hours written on each of `orders`, declined lines left
    /// out (an order without labour is absent).
    ///
    /// # Errors
    /// When the database fails.
    pub async fn hours_by_order(
        db: &impl ConnectionTrait,
        orders: impl IntoIterator<Item = i64>,
    ) -> Result<std::collections::HashMap<i64, Decimal>, DbErr> {
        let mut hours = std::collections::HashMap::new();
        for line in Entity::find()
            .filter(Column::RepairOrderId.is_in(orders))
            .filter(Column::Approval.ne(Approval::Declined.as_str()))
            .all(db)
            .await?
        {
            *hours.entry(line.repair_order_id).or_default() += line.hours.decimal();
        }
        Ok(hours)
    }

    /// The sum of the lines' amounts, declined ones left out.
    #[must_use]
    pub fn total(lines: &[Self]) -> Decimal {
        lines
            .iter()
            .filter(|line| line.approval != Approval::Declined.as_str())
            .map(|line| line.amount.decimal())
            .sum()
    }

    /// # Errors
    /// 500 when the stored approval is not one of ours.
    pub fn approval(&self) -> DomainResult<Approval> {
        Approval::from_stored(&self.approval).ok_or_else(|| {
            DomainError::internal(format!(
                "labour line {} has approval {:?}",
                self.id, self.approval
            ))
        })
    }

    /// Adds labour to an open order, the amount rounded to the currency's
    /// minor unit (`minor_digits`). The order is locked open first, so the line cannot land on an order being
    /// completed at the same moment.
    ///
    /// # Errors
    /// 403 when the actor may not work on the order; 409 when it is closed;
    /// 422 when the amount would not fit the books.
    pub async fn add(
        db: &Write,
        actor: &Actor,
        order: &repair_orders::Model,
        line: NewLaborLine,
        minor_digits: u32,
    ) -> DomainResult<Self> {
        order.authorize_work(actor)?;
        let amount = round_to_minor_unit(line.hours.decimal() * line.rate.decimal(), minor_digits);
        if amount >= Decimal::from(1_000_000_000_000_i64) {
            return Err(DomainError::invalid(
                "rate",
                "hours × rate must stay below 1000000000000",
            ));
        }
        repair_orders::Model::lock_open(db, order.id, crate::models::now_at(actor.clock)).await?;
        let added = ActiveModel {
            pid: ActiveValue::Set(Uuid::new_v4()),
            organization_id: ActiveValue::Set(order.organization_id),
            site_id: ActiveValue::Set(order.site_id),
            repair_order_id: ActiveValue::Set(order.id),
            description: ActiveValue::Set(line.description),
            hours: ActiveValue::Set(Numeric(line.hours.decimal())),
            rate: ActiveValue::Set(Numeric(line.rate.decimal())),
            amount: ActiveValue::Set(Numeric(amount)),
            created_by: ActiveValue::Set(Some(actor.user_id())),
            created_at: ActiveValue::Set(crate::models::now_at(actor.clock)),
            ..Default::default()
        }
        .insert(db)
        .await?;
        audit_events::Model::record(
            db,
            actor.organization_id(),
            actor,
            Change {
                action: "labor_line.added",
                subject_type: "repair_order",
                subject_id: order.pid,
                site_id: Some(order.site_id),
                details: Some(json!({
                    "line": added.pid,
                    "description": added.description,
                    "hours": added.hours.decimal().to_string(),
                })),
            },
        )
        .await?;
        Ok(added)
    }

    /// Removes a line of an order, recording who removed what.
    ///
    /// # Errors
    /// 404 when the order has no such line; 403 when the actor may not work
    /// on the order; 409 when it is closed.
    pub async fn remove(
        db: &Write,
        actor: &Actor,
        order: &repair_orders::Model,
        pid: Uuid,
    ) -> DomainResult<()> {
        let line = Entity::find()
            .filter(Column::RepairOrderId.eq(order.id))
            .filter(Column::Pid.eq(pid))
            .one(db)
            .await?
            .ok_or(DomainError::NotFound("labor line"))?;
        order.authorize_work(actor)?;
        repair_orders::Model::lock_open(db, order.id, crate::models::now_at(actor.clock)).await?;
        let deleted = Entity::delete_many()
            .filter(Column::Id.eq(line.id))
            .exec(db)
            .await?;
        if deleted.rows_affected != 1 {
            return Err(DomainError::NotFound("labor line"));
        }
        audit_events::Model::record(
            db,
            actor.organization_id(),
            actor,
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
        Ok(())
    }

    /// Records the customer's word on this line, told to `actor` (`None`:
    /// given by the customer through their estimate link); the order must
    /// be locked open by the caller.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn decide(
        self,
        db: &impl ConnectionTrait,
        by: By<'_>,
        decision: Approval,
        note: Option<String>,
    ) -> DomainResult<Self> {
        let mut line: ActiveModel = self.into();
        line.approval = ActiveValue::Set(decision.as_str().to_string());
        line.approval_by = ActiveValue::Set(by.user_id());
        line.approval_at = ActiveValue::Set(Some(by.now()));
        line.approval_note = ActiveValue::Set(note);
        Ok(line.update(db).await?)
    }
}
