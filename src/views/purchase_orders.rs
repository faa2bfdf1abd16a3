use std::collections::HashMap;

use chrono::{DateTime, FixedOffset};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::sites::SiteRef;
use crate::{
    errors::ApiResult,
    models::{
        stock::{products, purchase_orders},
        values::{format_money, PurchaseOrderStatus, Quantity},
    },
};

/// An order to a supplier.
#[derive(Debug, Serialize, ToSchema)]
pub struct PurchaseOrderResponse {
    pub id: Uuid,
    pub site: SiteRef,
    pub supplier: String,
    pub status: PurchaseOrderStatus,
    pub lines: Vec<PurchaseOrderLineResponse>,
    /// What the order costs when all of it arrives.
    #[schema(example = "36600.00")]
    pub total_cost: String,
    #[serde(serialize_with = "super::time::rfc3339_opt")]
    pub ordered_at: Option<DateTime<FixedOffset>>,
    /// When the last of it arrived.
    #[serde(serialize_with = "super::time::rfc3339_opt")]
    pub received_at: Option<DateTime<FixedOffset>>,
    #[serde(serialize_with = "super::time::rfc3339")]
    pub created_at: DateTime<FixedOffset>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PurchaseOrderLineResponse {
    pub product_id: Uuid,
    #[schema(example = "OIL-5W30-1L")]
    pub sku: String,
    pub name: String,
    #[schema(example = "60")]
    pub quantity: String,
    /// How much of it has arrived so far.
    #[schema(example = "24")]
    pub received: String,
    #[schema(example = "610.00")]
    pub unit_cost: String,
}

impl PurchaseOrderResponse {
    /// # Errors
    /// 500 when the stored status is not one of ours.
    pub fn new(
        order: &purchase_orders::Model,
        lines: &[purchase_orders::Line],
        products: &HashMap<i64, products::Model>,
        site: SiteRef,
    ) -> ApiResult<Self> {
        let total_cost = lines
            .iter()
            .map(|line| {
                Quantity::from_milli(line.quantity_milli).decimal() * line.unit_cost.decimal()
            })
            .sum();
        Ok(Self {
            id: order.pid,
            site,
            supplier: order.supplier.clone(),
            status: order.status()?,
            lines: lines
                .iter()
                .filter_map(|line| {
                    let product = products.get(&line.product_id)?;
                    Some(PurchaseOrderLineResponse {
                        product_id: product.pid,
                        sku: product.sku.clone(),
                        name: product.name.clone(),
                        quantity: Quantity::from_milli(line.quantity_milli).to_string(),
                        received: Quantity::from_milli(line.received_milli).to_string(),
                        unit_cost: format_money(line.unit_cost.decimal()),
                    })
                })
                .collect(),
            total_cost: format_money(total_cost),
            ordered_at: order.ordered_at,
            received_at: order.received_at,
            created_at: order.created_at,
        })
    }
}
