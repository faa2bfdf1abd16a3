use chrono::{DateTime, FixedOffset};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{refs::PersonRef, sites::SiteRef};
use crate::{
    errors::ApiResult,
    models::{
        organization::sites,
        stock::{products, stock_movements},
        values::{format_money, MovementKind, Quantity},
    },
};

/// A product on a site's shelves. Quantities are decimal strings with up
/// to three places; `unit_cost` is shown only to those who manage stock.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProductResponse {
    pub id: Uuid,
    pub site: SiteRef,
    #[schema(example = "OIL-5W30-1L")]
    pub sku: String,
    #[schema(example = "Engine oil 5W-30, 1 litre")]
    pub name: String,
    #[schema(example = "950.00")]
    pub unit_price: String,
    /// What the workshop paid, last time it bought some; absent for
    /// technicians.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "610.00")]
    pub unit_cost: Option<String>,
    #[schema(example = "24.5")]
    pub quantity_on_hand: String,
    /// Held for parts on open repair orders.
    #[schema(example = "4")]
    pub reserved: String,
    /// `quantity_on_hand − reserved`: what can still be put on an order.
    #[schema(example = "20.5")]
    pub available: String,
    #[schema(example = "10")]
    pub reorder_level: String,
    /// `available` is below `reorder_level`: time to order more.
    pub low_stock: bool,
    pub supplier: Option<String>,
    pub barcode: Option<String>,
    #[serde(serialize_with = "super::time::rfc3339")]
    pub created_at: DateTime<FixedOffset>,
    #[serde(serialize_with = "super::time::rfc3339")]
    pub updated_at: DateTime<FixedOffset>,
}

impl ProductResponse {
    #[must_use]
    pub fn new(product: &products::Model, site: &sites::Model, show_cost: bool) -> Self {
        Self {
            id: product.pid,
            site: SiteRef::from(site),
            sku: product.sku.clone(),
            name: product.name.clone(),
            unit_price: format_money(product.unit_price.decimal()),
            unit_cost: show_cost.then(|| format_money(product.unit_cost.decimal())),
            quantity_on_hand: product.on_hand().to_string(),
            reserved: product.reserved().to_string(),
            available: product.available().to_string(),
            reorder_level: product.reorder_level().to_string(),
            low_stock: product.available() < product.reorder_level(),
            supplier: product.supplier.clone(),
            barcode: product.barcode.clone(),
            created_at: product.created_at,
            updated_at: product.updated_at,
        }
    }
}

/// One change to a product's stock, and the stock after it.
#[derive(Debug, Serialize, ToSchema)]
pub struct MovementResponse {
    pub id: Uuid,
    pub kind: MovementKind,
    /// Signed: `-2` took two out.
    #[schema(example = "-2")]
    pub on_hand_change: String,
    #[schema(example = "0")]
    pub reserved_change: String,
    #[schema(example = "22.5")]
    pub on_hand_after: String,
    #[schema(example = "4")]
    pub reserved_after: String,
    /// For receipts and transfers: the cost of each unit.
    pub unit_cost: Option<String>,
    pub reason: Option<String>,
    /// The repair order whose part line held or used the stock.
    pub repair_order_id: Option<Uuid>,
    pub purchase_order_id: Option<Uuid>,
    /// The other side of a transfer.
    pub counterpart_product_id: Option<Uuid>,
    pub actor: Option<PersonRef>,
    #[serde(serialize_with = "super::time::rfc3339")]
    pub created_at: DateTime<FixedOffset>,
}

/// Public ids of what movements refer to, by internal id.
#[derive(Debug, Default)]
pub struct MovementRefs {
    pub repair_orders: std::collections::HashMap<i64, Uuid>,
    pub purchase_orders: std::collections::HashMap<i64, Uuid>,
    pub products: std::collections::HashMap<i64, Uuid>,
    pub people: std::collections::HashMap<i64, (Uuid, String)>,
}

impl MovementResponse {
    /// # Errors
    /// 500 when the stored kind is not one of ours.
    pub fn new(movement: &stock_movements::Model, refs: &MovementRefs) -> ApiResult<Self> {
        let quantity = |milli| Quantity::from_milli(milli).to_string();
        Ok(Self {
            id: movement.pid,
            kind: movement.kind()?,
            on_hand_change: quantity(movement.on_hand_change_milli),
            reserved_change: quantity(movement.reserved_change_milli),
            on_hand_after: quantity(movement.on_hand_after_milli),
            reserved_after: quantity(movement.reserved_after_milli),
            unit_cost: movement.unit_cost.map(|cost| format_money(cost.decimal())),
            reason: movement.reason.clone(),
            repair_order_id: movement
                .repair_order_id
                .and_then(|id| refs.repair_orders.get(&id).copied()),
            purchase_order_id: movement
                .purchase_order_id
                .and_then(|id| refs.purchase_orders.get(&id).copied()),
            counterpart_product_id: movement
                .counterpart_product_id
                .and_then(|id| refs.products.get(&id).copied()),
            actor: movement
                .actor_id
                .and_then(|id| refs.people.get(&id).cloned().map(PersonRef::from)),
            created_at: movement.created_at,
        })
    }
}

/// An adjustment and the product after it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdjustmentResponse {
    pub movement: MovementResponse,
    pub product: ProductResponse,
}

/// A transfer: the product it came out of and the one it went into.
#[derive(Debug, Serialize, ToSchema)]
pub struct TransferResponse {
    pub from: ProductResponse,
    pub to: ProductResponse,
}
