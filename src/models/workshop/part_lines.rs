//! Parts on a repair order. A line copies the product's name and price when
//! it is written and holds the stock it needs (a reservation) until the
//! order is completed (the stock is consumed) or the line is removed,
//! declined or cancelled with its order (the stock is released).

use rust_decimal::Decimal;
use sea_orm::{entity::prelude::*, sea_query::Expr, ActiveValue, QueryOrder};
use serde_json::json;

pub use crate::models::_entities::part_lines::{self, ActiveModel, Column, Entity, Model};
use crate::models::values::Stored;
use crate::models::{
    actor::{Actor, By},
    audit_events::{self, Change},
    stock::products,
    values::{round_to_minor_unit, Approval, Numeric, Quantity},
    workshop::repair_orders,
    Write,
};
use crate::models::{
    error::{DomainError, DomainResult},
    now_at,
};

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    #[must_use]
    pub const fn quantity(&self) -> Quantity {
        Quantity::from_milli(self.quantity_milli)
    }

    /// # Errors
    /// 500 when the stored approval is not one of ours.
    pub fn approval(&self) -> DomainResult<Approval> {
        Approval::from_stored(&self.approval).ok_or_else(|| {
            DomainError::internal(format!(
                "part line {} has approval {:?}",
                self.id, self.approval
            ))
        })
    }

    /// An order's parts, in the order they were written.
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

    /// The sum of the lines' amounts, declined ones left out.
    #[must_use]
    pub fn total(lines: &[Self]) -> Decimal {
        lines
            .iter()
            .filter(|line| line.approval != Approval::Declined.as_str())
            .map(|line| line.amount.decimal())
            .sum()
    }

    /// Puts `quantity` of a product on an open order at its price now, and
    /// holds that much of its stock. The order is locked open first, so the line cannot land on an order
    /// being completed at the same moment.
    ///
    /// # Errors
    /// 403 when the actor may not work on the order; 422 naming
    /// `product_id` for a product of another site; 409 when the order is
    /// closed or less is available than asked for.
    pub async fn add(
        db: &Write,
        actor: &Actor,
        order: &repair_orders::Model,
        product: &products::Model,
        quantity: Quantity,
        minor_digits: u32,
    ) -> DomainResult<Self> {
        order.authorize_work(actor)?;
        if product.site_id != order.site_id {
            return Err(DomainError::invalid(
                "product_id",
                "is stocked at another site than the order's",
            ));
        }
        repair_orders::Model::lock_open(db, order.id, crate::models::now_at(actor.clock)).await?;
        let product =
            products::Model::reserve(db, actor.into(), product.id, quantity, order.id).await?;
        let unit_price = product.unit_price.decimal();
        let amount = round_to_minor_unit(quantity.decimal() * unit_price, minor_digits);
        if amount >= Decimal::from(1_000_000_000_000_i64) {
            return Err(DomainError::invalid(
                "quantity",
                "quantity × price must stay below 1000000000000",
            ));
        }
        let added = ActiveModel {
            pid: ActiveValue::Set(Uuid::new_v4()),
            organization_id: ActiveValue::Set(order.organization_id),
            site_id: ActiveValue::Set(order.site_id),
            repair_order_id: ActiveValue::Set(order.id),
            product_id: ActiveValue::Set(product.id),
            sku: ActiveValue::Set(product.sku.clone()),
            description: ActiveValue::Set(product.name.clone()),
            quantity_milli: ActiveValue::Set(quantity.milli()),
            unit_price: ActiveValue::Set(Numeric(unit_price)),
            unit_cost: ActiveValue::Set(product.unit_cost),
            amount: ActiveValue::Set(Numeric(amount)),
            reserved: ActiveValue::Set(true),
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
                action: "part_line.added",
                subject_type: "repair_order",
                subject_id: order.pid,
                site_id: Some(order.site_id),
                details: Some(json!({
                    "line": added.pid,
                    "sku": added.sku,
                    "description": added.description,
                    "quantity": added.quantity().to_string(),
                })),
            },
        )
        .await?;
        Ok(added)
    }

    /// Takes a part off an open order and puts its stock back.
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
        let line = Self::find_on(db, order, pid).await?;
        order.authorize_work(actor)?;
        repair_orders::Model::lock_open(db, order.id, crate::models::now_at(actor.clock)).await?;
        // Deleted first: a line removed twice at once is released once.
        let deleted = Entity::delete_many()
            .filter(Column::Id.eq(line.id))
            .exec(db)
            .await?;
        if deleted.rows_affected != 1 {
            return Err(DomainError::NotFound("part line"));
        }
        if line.reserved {
            products::Model::release(db, actor.into(), line.product_id, line.quantity(), order.id)
                .await?;
        }
        audit_events::Model::record(
            db,
            actor.organization_id(),
            actor,
            Change {
                action: "part_line.removed",
                subject_type: "repair_order",
                subject_id: order.pid,
                site_id: Some(order.site_id),
                details: Some(json!({
                    "sku": line.sku,
                    "quantity": line.quantity().to_string(),
                    "unit_price": line.unit_price.decimal().to_string(),
                })),
            },
        )
        .await?;
        Ok(())
    }

    /// # Errors
    /// 404 when the order has no such line.
    pub async fn find_on(
        db: &impl ConnectionTrait,
        order: &repair_orders::Model,
        pid: Uuid,
    ) -> DomainResult<Self> {
        Entity::find()
            .filter(Column::RepairOrderId.eq(order.id))
            .filter(Column::Pid.eq(pid))
            .one(db)
            .await?
            .ok_or(DomainError::NotFound("part line"))
    }

    /// Records the customer's word on this line, told to `actor` (`None`:
    /// given by the customer through their estimate link). A declined line
    /// gives its stock back; one approved again after a decline takes it
    /// again (409 when it is no longer there). The order must be locked open
    /// by the caller.
    ///
    /// # Errors
    /// 409 when the stock is no longer available for a line taken back.
    pub async fn decide(
        self,
        db: &Write,
        by: By<'_>,
        decision: Approval,
        note: Option<String>,
    ) -> DomainResult<Self> {
        let holds = decision != Approval::Declined;
        if holds && !self.reserved {
            products::Model::reserve(
                db,
                by,
                self.product_id,
                self.quantity(),
                self.repair_order_id,
            )
            .await?;
        } else if !holds && self.reserved {
            products::Model::release(
                db,
                by,
                self.product_id,
                self.quantity(),
                self.repair_order_id,
            )
            .await?;
        }
        let mut line: ActiveModel = self.into();
        line.reserved = ActiveValue::Set(holds);
        line.approval = ActiveValue::Set(decision.as_str().to_string());
        line.approval_by = ActiveValue::Set(by.user_id());
        line.approval_at = ActiveValue::Set(Some(by.now()));
        line.approval_note = ActiveValue::Set(note);
        Ok(line.update(db).await?)
    }

    /// Takes the parts of a completed order out of stock: each line that
    /// still holds stock, once (the line stops holding it in the same
    /// statement that the caller's completion made exclusive).
    ///
    /// # Errors
    /// When the database fails.
    pub async fn consume_all(
        db: &Write,
        actor: &Actor,
        order: &repair_orders::Model,
    ) -> DomainResult<()> {
        for line in Self::held(db, order.id).await? {
            if Self::stop_holding(db, line.id, Some(now_at(actor.clock))).await? {
                products::Model::consume(db, actor, line.product_id, line.quantity(), order.id)
                    .await?;
            }
        }
        Ok(())
    }

    /// Gives back the stock of every line of a cancelled or declined order.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn release_all(
        db: &Write,
        actor: &Actor,
        order: &repair_orders::Model,
    ) -> DomainResult<()> {
        for line in Self::held(db, order.id).await? {
            if Self::stop_holding(db, line.id, None).await? {
                products::Model::release(
                    db,
                    actor.into(),
                    line.product_id,
                    line.quantity(),
                    order.id,
                )
                .await?;
            }
        }
        Ok(())
    }

    async fn held(db: &impl ConnectionTrait, order_id: i64) -> Result<Vec<Self>, DbErr> {
        Entity::find()
            .filter(Column::RepairOrderId.eq(order_id))
            .filter(Column::Reserved.eq(true))
            .order_by_asc(Column::Id)
            .all(db)
            .await
    }

    /// Marks a line as no longer holding stock; `false` when it did not.
    async fn stop_holding(
        db: &impl ConnectionTrait,
        id: i64,
        consumed_at: Option<DateTimeWithTimeZone>,
    ) -> DomainResult<bool> {
        let mut update = Entity::update_many()
            .col_expr(Column::Reserved, Expr::value(false))
            .filter(Column::Id.eq(id))
            .filter(Column::Reserved.eq(true));
        if let Some(at) = consumed_at {
            update = update.col_expr(Column::ConsumedAt, Expr::value(at));
        }
        Ok(update.exec(db).await?.rows_affected == 1)
    }
}
