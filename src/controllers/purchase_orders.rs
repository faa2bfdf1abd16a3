//! Ordering stock from suppliers, and booking in what arrives.

use std::collections::HashMap;

use axum::{http::StatusCode, response::IntoResponse};
use loco_rs::prelude::{AppContext, State};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;
use uuid::Uuid;

use super::{
    api::ApiRoutes,
    extract::{Ids, JsonBody, QueryParams},
};
use crate::models::values::Id;
use crate::models::Scoped;
use crate::{
    errors::{ApiError, ApiResult, ErrorBody, FieldErrors},
    models::{
        actor::{Ability, Actor},
        error::DomainError,
        organization::sites,
        paging::PageParams,
        stock::{
            products,
            purchase_orders::{self, NewLine, Receipt},
        },
        values::{Money, Name, Quantity},
        Write,
    },
    views::{page::PageResponse, purchase_orders::PurchaseOrderResponse, sites::SiteRef},
};

const MAX_LINES: usize = 200;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePurchaseOrderParams {
    pub site_id: Id,
    #[schema(example = "Toyota Kenya Parts", min_length = 1, max_length = 120)]
    pub supplier: String,
    /// One line per product, at least one.
    #[schema(min_items = 1, max_items = 200)]
    pub lines: Vec<OrderLineParams>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderLineParams {
    /// A product of the order's site.
    pub product_id: Id,
    #[schema(example = "60", pattern = r"^[0-9]{1,9}(\.[0-9]{1,3})?$")]
    pub quantity: String,
    /// The supplier's price for one.
    #[schema(example = "610.00", pattern = r"^[0-9]{1,12}(\.[0-9]{1,2})?$")]
    pub unit_cost: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceiveParams {
    /// What arrived, per product: all of the order or part of it.
    #[schema(min_items = 1, max_items = 200)]
    pub lines: Vec<ReceiptLineParams>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceiptLineParams {
    pub product_id: Id,
    #[schema(example = "24", pattern = r"^[0-9]{1,9}(\.[0-9]{1,3})?$")]
    pub quantity: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PurchaseOrderQuery {
    pub site_id: Option<Id>,
    #[serde(flatten)]
    #[param(ignore)]
    pub paging: PageParams,
}

fn check_count(errors: &mut FieldErrors, count: usize) {
    if count == 0 {
        errors.add("lines", "must hold at least one line");
    } else if count > MAX_LINES {
        errors.add("lines", format!("must hold at most {MAX_LINES} lines"));
    }
}

/// The products of `ids`, each found through the actor's scope; a foreign
/// one is named in a 422 at its line (the order is the actor's own).
async fn products_of(
    ctx: &AppContext,
    actor: &Actor,
    ids: impl Iterator<Item = (usize, Uuid)>,
    errors: &mut FieldErrors,
) -> ApiResult<Vec<Option<products::Model>>> {
    let mut found = Vec::new();
    for (index, id) in ids {
        match products::Entity::find_for(&ctx.db, actor, id).await {
            Ok(product) => found.push(Some(product)),
            Err(DomainError::NotFound(_)) => {
                errors.add(
                    format!("lines[{index}].product_id"),
                    "is not a product of yours",
                );
                found.push(None);
            }
            Err(other) => return Err(other.into()),
        }
    }
    Ok(found)
}

/// Draft an order to a supplier.
#[utoipa::path(post, path = "/api/purchase-orders", tag = "purchase orders",
    request_body = CreatePurchaseOrderParams, security(("bearer" = [])),
    responses(
        (status = 201, body = PurchaseOrderResponse),
        (status = 403, body = ErrorBody),
    ))]
async fn create(
    State(ctx): State<AppContext>,
    actor: Actor,
    JsonBody(params): JsonBody<CreatePurchaseOrderParams>,
) -> ApiResult<impl IntoResponse> {
    actor.authorize(Ability::ManageStock)?;
    let site = sites::Entity::find_for(&ctx.db, &actor, params.site_id.0).await?;
    let mut errors = FieldErrors::default();
    let supplier = errors
        .check("supplier", Name::parse(&params.supplier, 120))
        .map(Name::into_inner);
    check_count(&mut errors, params.lines.len());
    let products = products_of(
        &ctx,
        &actor,
        params
            .lines
            .iter()
            .take(MAX_LINES)
            .map(|line| line.product_id.0)
            .enumerate(),
        &mut errors,
    )
    .await?;
    purchase_orders::Model::check_products(&site, products.iter().map(Option::as_ref), &mut errors);
    let mut lines = Vec::new();
    for (index, (line, product)) in params.lines.iter().zip(products).enumerate() {
        let quantity = errors.check(
            &format!("lines[{index}].quantity"),
            Quantity::parse(&line.quantity, false),
        );
        let cost = errors.check(
            &format!("lines[{index}].unit_cost"),
            Money::parse(&line.unit_cost),
        );
        if let (Some(product), Some(quantity), Some(cost)) = (product, quantity, cost) {
            lines.push(NewLine {
                product,
                quantity,
                unit_cost: cost.decimal(),
            });
        }
    }
    errors.finish()?;
    let Some(supplier) = supplier else {
        return Err(ApiError::internal("a checked order lost its supplier"));
    };
    let txn = Write::begin(&ctx.db).await?;
    let order = purchase_orders::Model::create(&txn, &actor, &site, supplier, lines).await?;
    txn.commit().await?;
    Ok((StatusCode::CREATED, axum::Json(render(&ctx, &order).await?)))
}

/// Orders to suppliers, newest first.
#[utoipa::path(get, path = "/api/purchase-orders", tag = "purchase orders",
    params(PurchaseOrderQuery, PageParams), security(("bearer" = [])),
    responses(
        (status = 200, body = PageResponse<PurchaseOrderResponse>),
        (status = 403, body = ErrorBody),
    ))]
async fn list(
    State(ctx): State<AppContext>,
    actor: Actor,
    QueryParams(query): QueryParams<PurchaseOrderQuery>,
) -> ApiResult<impl IntoResponse> {
    actor.authorize(Ability::ManageStock)?;
    let site =
        sites::Entity::find_optional_for(&ctx.db, &actor, query.site_id.map(Uuid::from)).await?;
    let page = query.paging.checked()?;
    let page = purchase_orders::Model::list_for(&ctx.db, &actor, site.as_ref(), page).await?;
    let mut items = Vec::new();
    for order in &page.items {
        items.push(render(&ctx, order).await?);
    }
    Ok(axum::Json(PageResponse {
        items,
        page: page.page,
        per_page: page.per_page,
        total: page.total,
    }))
}

/// One order with its lines and what has arrived of each.
#[utoipa::path(get, path = "/api/purchase-orders/{id}", tag = "purchase orders",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses(
        (status = 200, body = PurchaseOrderResponse),
        (status = 403, body = ErrorBody),
    ))]
async fn show(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids(id): Ids<Uuid>,
) -> ApiResult<impl IntoResponse> {
    let order = purchase_orders::Entity::find_for(&ctx.db, &actor, id).await?;
    Ok(axum::Json(render(&ctx, &order).await?))
}

/// Mark a draft as sent to the supplier.
#[utoipa::path(post, path = "/api/purchase-orders/{id}/order", tag = "purchase orders",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses(
        (status = 200, body = PurchaseOrderResponse),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
    ))]
async fn place(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids(id): Ids<Uuid>,
) -> ApiResult<impl IntoResponse> {
    let order = purchase_orders::Entity::find_for(&ctx.db, &actor, id).await?;
    let txn = Write::begin(&ctx.db).await?;
    let order = order.place(&txn, &actor).await?;
    txn.commit().await?;
    Ok(axum::Json(render(&ctx, &order).await?))
}

/// Book in what arrived: all of the order or part of it. The stock goes up
/// at each line's cost, which becomes the product's cost.
#[utoipa::path(post, path = "/api/purchase-orders/{id}/receive", tag = "purchase orders",
    request_body = ReceiveParams, params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses(
        (status = 200, body = PurchaseOrderResponse),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
    ))]
async fn receive(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids(id): Ids<Uuid>,
    JsonBody(params): JsonBody<ReceiveParams>,
) -> ApiResult<impl IntoResponse> {
    let order = purchase_orders::Entity::find_for(&ctx.db, &actor, id).await?;
    let mut errors = FieldErrors::default();
    check_count(&mut errors, params.lines.len());
    let products = products_of(
        &ctx,
        &actor,
        params
            .lines
            .iter()
            .take(MAX_LINES)
            .map(|line| line.product_id.0)
            .enumerate(),
        &mut errors,
    )
    .await?;
    let mut receipts = Vec::new();
    for (index, (line, product)) in params.lines.iter().zip(products).enumerate() {
        let quantity = errors.check(
            &format!("lines[{index}].quantity"),
            Quantity::parse(&line.quantity, false),
        );
        if let (Some(product), Some(quantity)) = (product, quantity) {
            receipts.push(Receipt { product, quantity });
        }
    }
    errors.finish()?;
    let txn = Write::begin(&ctx.db).await?;
    let order = order.receive(&txn, &actor, receipts).await?;
    txn.commit().await?;
    Ok(axum::Json(render(&ctx, &order).await?))
}

async fn render(
    ctx: &AppContext,
    order: &purchase_orders::Model,
) -> ApiResult<PurchaseOrderResponse> {
    let lines = order.lines(&ctx.db).await?;
    let products: HashMap<i64, products::Model> = products::Entity::find()
        .filter(products::Column::Id.is_in(lines.iter().map(|line| line.product_id)))
        .all(&ctx.db)
        .await?
        .into_iter()
        .map(|product| (product.id, product))
        .collect();
    let site = sites::Entity::find_by_id(order.site_id)
        .one(&ctx.db)
        .await?
        .ok_or_else(|| ApiError::internal("a purchase order's site is missing"))?;
    PurchaseOrderResponse::new(order, &lines, &products, SiteRef::from(&site))
}

pub fn routes() -> ApiRoutes {
    ApiRoutes::new("purchase_orders")
        .route(routes!(create, list))
        .route(routes!(show))
        .route(routes!(place))
        .route(routes!(receive))
}
