//! The ledger of a product's stock: one row for every change, with the
//! stock as it stood after it, who made it and why. Read in order, the rows
//! explain the product's on-hand and reserved quantities from the start.

use sea_orm::{entity::prelude::*, ActiveValue, QueryOrder};

pub use crate::models::_entities::stock_movements::{self, ActiveModel, Column, Entity, Model};
use crate::models::error::{DomainError, DomainResult};
use crate::models::values::Stored;
use crate::models::{
    actor::By,
    paging::{Page, PageRequest},
    stock::products,
    values::{MovementKind, Numeric, Quantity},
};

impl ActiveModelBehavior for ActiveModel {}

/// A change to record; the quantities as they stand after it are read from
/// the product itself.
#[derive(Clone, Debug)]
pub struct Movement {
    pub kind: MovementKind,
    pub on_hand_change: Quantity,
    pub reserved_change: Quantity,
    pub unit_cost: Option<rust_decimal::Decimal>,
    pub reason: Option<String>,
    pub repair_order_id: Option<i64>,
    pub purchase_order_id: Option<i64>,
    pub counterpart_product_id: Option<i64>,
}

impl Movement {
    #[must_use]
    pub const fn new(
        kind: MovementKind,
        on_hand_change: Quantity,
        reserved_change: Quantity,
    ) -> Self {
        Self {
            kind,
            on_hand_change,
            reserved_change,
            unit_cost: None,
            reason: None,
            repair_order_id: None,
            purchase_order_id: None,
            counterpart_product_id: None,
        }
    }
}

impl Model {
    /// Writes the movement of `product`, which the caller has just changed
    /// in the same transaction (and so holds locked): its quantities now
    /// are the ones after the movement.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn record(
        db: &impl ConnectionTrait,
        by: By<'_>,
        product: &products::Model,
        movement: Movement,
    ) -> DomainResult<Self> {
        Ok(ActiveModel {
            pid: ActiveValue::Set(Uuid::new_v4()),
            organization_id: ActiveValue::Set(product.organization_id),
            site_id: ActiveValue::Set(product.site_id),
            product_id: ActiveValue::Set(product.id),
            kind: ActiveValue::Set(movement.kind.as_str().to_string()),
            on_hand_change_milli: ActiveValue::Set(movement.on_hand_change.milli()),
            reserved_change_milli: ActiveValue::Set(movement.reserved_change.milli()),
            on_hand_after_milli: ActiveValue::Set(product.on_hand_milli),
            reserved_after_milli: ActiveValue::Set(product.reserved_milli),
            unit_cost: ActiveValue::Set(movement.unit_cost.map(Numeric)),
            reason: ActiveValue::Set(movement.reason),
            repair_order_id: ActiveValue::Set(movement.repair_order_id),
            purchase_order_id: ActiveValue::Set(movement.purchase_order_id),
            counterpart_product_id: ActiveValue::Set(movement.counterpart_product_id),
            actor_id: ActiveValue::Set(by.user_id()),
            created_at: ActiveValue::Set(by.now()),
            ..Default::default()
        }
        .insert(db)
        .await?)
    }

    /// A product's movements, newest first.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn page_of(
        db: &impl ConnectionTrait,
        product: &products::Model,
        page: PageRequest,
    ) -> DomainResult<Page<Self>> {
        let query = Entity::find()
            .filter(Column::ProductId.eq(product.id))
            .order_by_desc(Column::Id);
        page.fetch(db, query).await
    }

    /// # Errors
    /// 500 when the stored kind is not one of ours.
    pub fn kind(&self) -> DomainResult<MovementKind> {
        MovementKind::from_stored(&self.kind).ok_or_else(|| {
            DomainError::internal(format!("movement {} has kind {:?}", self.id, self.kind))
        })
    }
}
