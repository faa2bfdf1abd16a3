//! What each site keeps in stock, and every change to it.

use std::collections::HashMap;

use axum::{http::StatusCode, response::IntoResponse};
use loco_rs::prelude::{AppContext, State};
use sea_orm::{ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;
use uuid::Uuid;

use super::{
    api::ApiRoutes,
    extract::{nullable, Ids, JsonBody, QueryParams},
};
use crate::models::values::Id;
use crate::models::Scoped;
use crate::{
    errors::{ApiError, ApiResult, ErrorBody, FieldErrors},
    models::{
        actor::{Ability, Actor},
        organization::sites,
        paging::{checked_search, PageParams},
        people::users,
        stock::{
            products::{self, Filters, NewProduct, ProductChanges},
            purchase_orders, stock_movements,
        },
        values::{Money, Name, OptionalText, Quantity},
        workshop::repair_orders,
        Write,
    },
    views::{
        page::PageResponse,
        products::{
            AdjustmentResponse, MovementRefs, MovementResponse, ProductResponse, TransferResponse,
        },
    },
};

const NAME_MAX: usize = 120;
const SKU_PATTERN: &str = "1 to 40 letters, digits, dots, dashes, slashes or underscores";

/// A product's SKU: trimmed, one word of letters, digits and `._/-`.
fn sku(raw: &str) -> Result<String, String> {
    let sku = raw.trim();
    let valid = (1..=40).contains(&sku.len())
        && sku
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '/' | '-'));
    if valid {
        Ok(sku.to_string())
    } else {
        Err(format!("must be {SKU_PATTERN}"))
    }
}

fn money(errors: &mut FieldErrors, field: &str, raw: &str) -> Option<rust_decimal::Decimal> {
    errors.check(field, Money::parse(raw)).map(Money::decimal)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateProductParams {
    pub site_id: Id,
    #[schema(example = "OIL-5W30-1L", pattern = r"^[A-Za-z0-9._/-]{1,40}$")]
    pub sku: String,
    #[schema(
        example = "Engine oil 5W-30, 1 litre",
        min_length = 1,
        max_length = 120
    )]
    pub name: String,
    /// What the workshop pays for one, a decimal string.
    #[schema(example = "610.00", pattern = r"^[0-9]{1,12}(\.[0-9]{1,2})?$")]
    pub unit_cost: String,
    /// What the customer pays for one.
    #[schema(example = "950.00", pattern = r"^[0-9]{1,12}(\.[0-9]{1,2})?$")]
    pub unit_price: String,
    /// Stock on the shelf now (up to three places: litres of oil).
    #[schema(example = "24", pattern = r"^[0-9]{1,9}(\.[0-9]{1,3})?$")]
    pub quantity_on_hand: String,
    /// Below this much available, the product is low on stock.
    #[schema(example = "10", pattern = r"^[0-9]{1,9}(\.[0-9]{1,3})?$")]
    pub reorder_level: String,
    #[schema(max_length = 120)]
    pub supplier: Option<String>,
    #[schema(max_length = 64)]
    pub barcode: Option<String>,
}

impl CreateProductParams {
    fn parse(self) -> ApiResult<NewProduct> {
        let mut errors = FieldErrors::default();
        let sku = errors.check("sku", sku(&self.sku));
        let name = errors.check("name", Name::parse(&self.name, NAME_MAX));
        let unit_cost = money(&mut errors, "unit_cost", &self.unit_cost);
        let unit_price = money(&mut errors, "unit_price", &self.unit_price);
        let on_hand = errors.check(
            "quantity_on_hand",
            Quantity::parse(&self.quantity_on_hand, true),
        );
        let reorder_level =
            errors.check("reorder_level", Quantity::parse(&self.reorder_level, true));
        let supplier = errors.check(
            "supplier",
            OptionalText::parse(self.supplier.as_deref(), 120),
        );
        let barcode = errors.check("barcode", OptionalText::parse(self.barcode.as_deref(), 64));
        match (
            sku,
            name,
            unit_cost,
            unit_price,
            on_hand,
            reorder_level,
            supplier,
            barcode,
        ) {
            (
                Some(sku),
                Some(name),
                Some(unit_cost),
                Some(unit_price),
                Some(quantity_on_hand),
                Some(reorder_level),
                Some(supplier),
                Some(barcode),
            ) if errors.is_empty() => Ok(NewProduct {
                site_id: self.site_id.0,
                sku,
                name: name.into_inner(),
                unit_cost,
                unit_price,
                quantity_on_hand,
                reorder_level,
                supplier: supplier.into_inner(),
                barcode: barcode.into_inner(),
            }),
            _ => Err(ApiError::Validation(errors)),
        }
    }
}

/// Every field optional; `null` clears `supplier` and `barcode`. Stock on
/// hand changes by adjustments, receipts and transfers, never here.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateProductParams {
    #[schema(pattern = r"^[A-Za-z0-9._/-]{1,40}$")]
    pub sku: Option<String>,
    #[schema(min_length = 1, max_length = 120)]
    pub name: Option<String>,
    #[schema(pattern = r"^[0-9]{1,12}(\.[0-9]{1,2})?$")]
    pub unit_cost: Option<String>,
    #[schema(pattern = r"^[0-9]{1,12}(\.[0-9]{1,2})?$")]
    pub unit_price: Option<String>,
    #[schema(pattern = r"^[0-9]{1,9}(\.[0-9]{1,3})?$")]
    pub reorder_level: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 120)]
    pub supplier: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 64)]
    pub barcode: Option<Option<String>>,
}

impl UpdateProductParams {
    fn parse(self) -> ApiResult<ProductChanges> {
        let mut errors = FieldErrors::default();
        let changes = ProductChanges {
            sku: self.sku.and_then(|raw| errors.check("sku", sku(&raw))),
            name: self
                .name
                .and_then(|raw| errors.check("name", Name::parse(&raw, NAME_MAX)))
                .map(Name::into_inner),
            unit_cost: self
                .unit_cost
                .and_then(|raw| money(&mut errors, "unit_cost", &raw)),
            unit_price: self
                .unit_price
                .and_then(|raw| money(&mut errors, "unit_price", &raw)),
            reorder_level: self
                .reorder_level
                .and_then(|raw| errors.check("reorder_level", Quantity::parse(&raw, true))),
            supplier: self
                .supplier
                .and_then(|raw| errors.check("supplier", OptionalText::parse(raw.as_deref(), 120)))
                .map(OptionalText::into_inner),
            barcode: self
                .barcode
                .and_then(|raw| errors.check("barcode", OptionalText::parse(raw.as_deref(), 64)))
                .map(OptionalText::into_inner),
        };
        errors.finish()?;
        Ok(changes)
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProductQuery {
    /// Only this site's products.
    pub site_id: Option<Id>,
    /// Only those whose available stock is below their reorder level.
    #[serde(default)]
    pub low_stock: bool,
    /// Part of the SKU or name, or the whole barcode.
    #[param(max_length = 200)]
    pub q: Option<String>,
    #[serde(flatten)]
    #[param(ignore)]
    pub paging: PageParams,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdjustmentParams {
    /// Signed, up to three places: `-2` takes two out, `12.5` adds.
    #[schema(example = "-2", pattern = r"^-?[0-9]{1,9}(\.[0-9]{1,3})?$")]
    pub delta: String,
    /// Why: a stock-take, a broken part, a return.
    #[schema(
        example = "stock-take: two found damaged",
        min_length = 1,
        max_length = 500
    )]
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferParams {
    /// Another site of the organization.
    pub to_site_id: Id,
    #[schema(example = "6", pattern = r"^[0-9]{1,9}(\.[0-9]{1,3})?$")]
    pub quantity: String,
    #[schema(max_length = 500)]
    pub note: Option<String>,
}

/// Put a product on a site's shelves, with its opening stock.
#[utoipa::path(post, path = "/api/products", tag = "stock", request_body = CreateProductParams,
    security(("bearer" = [])),
    responses(
        (status = 201, body = ProductResponse),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
    ))]
async fn create(
    State(ctx): State<AppContext>,
    actor: Actor,
    JsonBody(params): JsonBody<CreateProductParams>,
) -> ApiResult<impl IntoResponse> {
    actor.authorize(Ability::ManageStock)?;
    let site = sites::Entity::find_for(&ctx.db, &actor, params.site_id.0).await?;
    let new = params.parse()?;
    let txn = Write::begin(&ctx.db).await?;
    let product = products::Model::create(&txn, &actor, &site, new).await?;
    txn.commit().await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(ProductResponse::new(&product, &site, true)),
    ))
}

/// The products of the sites the caller works at, by name.
#[utoipa::path(get, path = "/api/products", tag = "stock", params(ProductQuery, PageParams),
    security(("bearer" = [])),
    responses(
        (status = 200, body = PageResponse<ProductResponse>),
        (status = 403, body = ErrorBody),
    ))]
async fn list(
    State(ctx): State<AppContext>,
    actor: Actor,
    QueryParams(query): QueryParams<ProductQuery>,
) -> ApiResult<impl IntoResponse> {
    let site =
        sites::Entity::find_optional_for(&ctx.db, &actor, query.site_id.map(Uuid::from)).await?;
    let page = query.paging.checked()?;
    let filters = Filters {
        site,
        low_stock: query.low_stock,
        q: checked_search(query.q.as_deref())?.map(ToString::to_string),
    };
    let page = products::Model::search(&ctx.db, &actor, filters, page).await?;
    let site_ids: Vec<i64> = page.items.iter().map(|product| product.site_id).collect();
    let sites = sites::Model::by_ids(&ctx.db, actor.organization_id(), &site_ids).await?;
    let show_cost = actor.can(Ability::ManageStock);
    let page = page.try_map(|product| {
        sites
            .iter()
            .find(|site| site.id == product.site_id)
            .map(|site| ProductResponse::new(&product, site, show_cost))
            .ok_or_else(|| ApiError::internal("a product's site is missing"))
    })?;
    Ok(axum::Json(PageResponse::from(page)))
}

/// One product, with its stock.
#[utoipa::path(get, path = "/api/products/{id}", tag = "stock",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses(
        (status = 200, body = ProductResponse),
        (status = 403, body = ErrorBody),
    ))]
async fn show(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids(id): Ids<Uuid>,
) -> ApiResult<impl IntoResponse> {
    let product = products::Entity::find_for(&ctx.db, &actor, id).await?;
    render(&ctx, &actor, &product).await
}

/// Change a product's names, prices, reorder level or supplier.
#[utoipa::path(patch, path = "/api/products/{id}", tag = "stock", request_body = UpdateProductParams,
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses(
        (status = 200, body = ProductResponse),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
    ))]
async fn update(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids(id): Ids<Uuid>,
    JsonBody(params): JsonBody<UpdateProductParams>,
) -> ApiResult<impl IntoResponse> {
    let product = products::Entity::find_for(&ctx.db, &actor, id).await?;
    actor.authorize(Ability::ManageStock)?;
    let changes = params.parse()?;
    let txn = Write::begin(&ctx.db).await?;
    let product = product
        .into_active_model()
        .change(&txn, &actor, changes)
        .await?;
    txn.commit().await?;
    render(&ctx, &actor, &product).await
}

/// Count stock in or out by hand, with the reason. Stock held for repair
/// orders cannot be adjusted away (409).
#[utoipa::path(post, path = "/api/products/{id}/adjustments", tag = "stock",
    request_body = AdjustmentParams, params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses(
        (status = 201, body = AdjustmentResponse),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
    ))]
async fn adjust(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids(id): Ids<Uuid>,
    JsonBody(params): JsonBody<AdjustmentParams>,
) -> ApiResult<impl IntoResponse> {
    let product = products::Entity::find_for(&ctx.db, &actor, id).await?;
    actor.authorize(Ability::ManageStock)?;
    let mut errors = FieldErrors::default();
    let delta = errors.check("delta", Quantity::parse_change(&params.delta));
    let reason = errors
        .check("reason", OptionalText::parse(Some(&params.reason), 500))
        .and_then(|reason| {
            let reason = reason.into_inner();
            if reason.is_none() {
                errors.add("reason", "must not be blank");
            }
            reason
        });
    errors.finish()?;
    let (Some(delta), Some(reason)) = (delta, reason) else {
        return Err(ApiError::internal("a checked adjustment lost its values"));
    };
    let txn = Write::begin(&ctx.db).await?;
    let (movement, product) = product.adjust(&txn, &actor, delta, reason).await?;
    txn.commit().await?;
    let refs = movement_refs(&ctx, std::slice::from_ref(&movement)).await?;
    let site = site_of(&ctx, &actor, &product).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(AdjustmentResponse {
            movement: MovementResponse::new(&movement, &refs)?,
            product: ProductResponse::new(&product, &site, true),
        }),
    ))
}

/// Every change to the product's stock, newest first, with the stock after
/// each one, who made it and why.
#[utoipa::path(get, path = "/api/products/{id}/movements", tag = "stock",
    params(("id" = Uuid, Path), PageParams), security(("bearer" = [])),
    responses(
        (status = 200, body = PageResponse<MovementResponse>),
        (status = 403, body = ErrorBody),
    ))]
async fn movements(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids(id): Ids<Uuid>,
    QueryParams(page): QueryParams<PageParams>,
) -> ApiResult<impl IntoResponse> {
    let product = products::Entity::find_for(&ctx.db, &actor, id).await?;
    actor.authorize(Ability::ManageStock)?;
    let page = stock_movements::Model::page_of(&ctx.db, &product, page.checked()?).await?;
    let refs = movement_refs(&ctx, &page.items).await?;
    let page = page.try_map(|movement| MovementResponse::new(&movement, &refs))?;
    Ok(axum::Json(PageResponse::from(page)))
}

/// Move stock to another site of the organization: out of this product and
/// into the one with the same SKU there (opened from this one if the site
/// has none), both in one transaction.
#[utoipa::path(post, path = "/api/products/{id}/transfers", tag = "stock",
    request_body = TransferParams, params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses(
        (status = 201, body = TransferResponse),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
    ))]
async fn transfer(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids(id): Ids<Uuid>,
    JsonBody(params): JsonBody<TransferParams>,
) -> ApiResult<impl IntoResponse> {
    let product = products::Entity::find_for(&ctx.db, &actor, id).await?;
    actor.authorize(Ability::ManageStock)?;
    let to = sites::Entity::find_for(&ctx.db, &actor, params.to_site_id.0).await?;
    let mut errors = FieldErrors::default();
    let quantity = errors.check("quantity", Quantity::parse(&params.quantity, false));
    let note = errors.check("note", OptionalText::parse(params.note.as_deref(), 500));
    errors.finish()?;
    let (Some(quantity), Some(note)) = (quantity, note) else {
        return Err(ApiError::internal("a checked transfer lost its values"));
    };
    let txn = Write::begin(&ctx.db).await?;
    let (from, into) = product
        .transfer(&txn, &actor, &to, quantity, note.into_inner())
        .await?;
    txn.commit().await?;
    let from_site = site_of(&ctx, &actor, &from).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(TransferResponse {
            from: ProductResponse::new(&from, &from_site, true),
            to: ProductResponse::new(&into, &to, true),
        }),
    ))
}

async fn site_of(
    ctx: &AppContext,
    actor: &Actor,
    product: &products::Model,
) -> ApiResult<sites::Model> {
    sites::Model::by_ids(&ctx.db, actor.organization_id(), &[product.site_id])
        .await?
        .pop()
        .ok_or_else(|| ApiError::internal("a product's site is missing"))
}

async fn render(
    ctx: &AppContext,
    actor: &Actor,
    product: &products::Model,
) -> ApiResult<axum::Json<ProductResponse>> {
    let site = site_of(ctx, actor, product).await?;
    Ok(axum::Json(ProductResponse::new(
        product,
        &site,
        actor.can(Ability::ManageStock),
    )))
}

/// The public ids and names that movements refer to.
async fn movement_refs(
    ctx: &AppContext,
    movements: &[stock_movements::Model],
) -> ApiResult<MovementRefs> {
    let db = &ctx.db;
    let ids = |pick: fn(&stock_movements::Model) -> Option<i64>| -> Vec<i64> {
        movements.iter().filter_map(pick).collect()
    };
    let repair_orders: HashMap<i64, Uuid> = repair_orders::Entity::find()
        .filter(repair_orders::Column::Id.is_in(ids(|m| m.repair_order_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|order| (order.id, order.pid))
        .collect();
    let purchase_orders: HashMap<i64, Uuid> = purchase_orders::Entity::find()
        .filter(purchase_orders::Column::Id.is_in(ids(|m| m.purchase_order_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|order| (order.id, order.pid))
        .collect();
    let products: HashMap<i64, Uuid> = products::Entity::find()
        .filter(products::Column::Id.is_in(ids(|m| m.counterpart_product_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|product| (product.id, product.pid))
        .collect();
    let people = users::Model::names_by_id(db, &ids(|m| m.actor_id)).await?;
    Ok(MovementRefs {
        repair_orders,
        purchase_orders,
        products,
        people,
    })
}

pub fn routes() -> ApiRoutes {
    ApiRoutes::new("products")
        .route(routes!(create, list))
        .route(routes!(show, update))
        .route(routes!(adjust))
        .route(routes!(movements))
        .route(routes!(transfer))
}
