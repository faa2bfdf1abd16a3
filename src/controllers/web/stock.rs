//! Stock, for the branch's managers and the owner: the products on each
//! branch's shelves (low stock first to hand), a product with its
//! movements where stock is counted in or out with a reason or sent to a
//! sister branch, and the orders to suppliers (drafted, placed, received
//! in part). Every change is the API's (`/api/products/…`,
//! `/api/purchase-orders/…`), with its rules; to anyone else these pages do
//! not exist.

use axum::{
    body::Bytes,
    extract::{Path, Query, State},
    http::{Method, StatusCode},
    response::{IntoResponse, Redirect, Response},
};
use loco_rs::app::AppContext;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use uuid::Uuid;

use super::{
    api,
    desk::{
        encoded, get, given, list_query, no_problem, page_number, problem, refusal, to_created,
        NoticeQuery,
    },
    form::{self, Shape},
    notice_text, page, page_as, Viewer,
};
use crate::{errors::ApiError, models::actor::Ability};

/// The shelves are the managers' (and the owner's).
fn storekeeper(viewer: &Viewer) -> Option<Response> {
    (!viewer.actor.can(Ability::ManageStock)).then(|| viewer.fail(ApiError::NotFound("page")))
}

const PLAIN: Shape = Shape {
    numbers: &[],
    flags: &[],
    lists: &[],
    skip: &[],
};

#[derive(Debug, Default, Deserialize)]
pub struct StockFilter {
    #[serde(default)]
    site_id: Option<String>,
    #[serde(default)]
    q: Option<String>,
    /// A checkbox: present when ticked.
    #[serde(default)]
    low_stock: Option<String>,
    #[serde(default)]
    page: Option<String>,
    #[serde(default)]
    notice: Option<String>,
}

/// `GET /stock`: the products of one branch or all, by name; ticked, only
/// those below their reorder level.
pub async fn products(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    Query(filter): Query<StockFilter>,
) -> Response {
    if let Some(page) = storekeeper(&viewer) {
        return page;
    }
    let low = given(filter.low_stock.as_ref()).is_some();
    let mut kept: Vec<(&str, &str)> = [
        ("site_id", given(filter.site_id.as_ref())),
        ("q", given(filter.q.as_ref())),
    ]
    .into_iter()
    .filter_map(|(name, value)| value.map(|value| (name, value)))
    .collect();
    let mut api_filter = kept.clone();
    if low {
        kept.push(("low_stock", "on"));
        api_filter.push(("low_stock", "true"));
    }
    let page_number = page_number(filter.page.as_ref());
    let (query, kept) = list_query(&api_filter, &kept, page_number);
    let answer = api::call(
        &ctx,
        &viewer,
        Method::GET,
        &format!("/api/products?{query}"),
        None,
    )
    .await;
    let (listed, problem) = if refusal(&answer) {
        (
            json!({"items": [], "total": 0}),
            problem("filter", &answer.body, json!({})),
        )
    } else {
        match answer.ok() {
            Ok(listed) => (listed, no_problem()),
            Err(err) => return viewer.fail(err),
        }
    };
    let total = listed["total"].as_u64().unwrap_or_default();
    let values = json!({
        "products": listed["items"],
        "total": total,
        "page_number": page_number,
        "pages": total.div_ceil(50).max(1),
        "kept": kept,
        "filter": {
            "site_id": given(filter.site_id.as_ref()),
            "q": given(filter.q.as_ref()),
            "low_stock": low,
        },
        "problem": problem,
        "notice": notice_text(&viewer, filter.notice.as_deref()),
    });
    page(
        &ctx,
        &viewer,
        "/stock",
        "stock-title",
        ("pages/stock.html", "fragments/stock.html"),
        values,
    )
    .await
}

/// `GET /stock/new`: a product for a branch's shelves.
pub async fn new_product(State(ctx): State<AppContext>, viewer: Viewer) -> Response {
    if let Some(page) = storekeeper(&viewer) {
        return page;
    }
    product_form(&ctx, &viewer, None, no_problem(), StatusCode::OK).await
}

/// The product form: a new one, or `product` changed (its names, prices,
/// reorder level, supplier; its stock changes by adjustments only).
async fn product_form(
    ctx: &AppContext,
    viewer: &Viewer,
    product: Option<Value>,
    problem: Value,
    status: StatusCode,
) -> Response {
    let (path, title) = match &product {
        Some(product) => (
            format!("/stock/{}/edit", product["id"].as_str().unwrap_or_default()),
            "edit-product-title",
        ),
        None => ("/stock/new".to_string(), "new-product-title"),
    };
    page_as(
        ctx,
        viewer,
        &path,
        title,
        ("pages/product_form.html", "pages/product_form.html"),
        json!({ "product": product, "problem": problem }),
        status,
    )
    .await
}

/// `GET /stock/{id}/edit`.
pub async fn edit_product(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    Path(id): Path<Uuid>,
) -> Response {
    if let Some(page) = storekeeper(&viewer) {
        return page;
    }
    match get(&ctx, &viewer, &format!("/api/products/{id}")).await {
        Ok(product) => {
            product_form(&ctx, &viewer, Some(product), no_problem(), StatusCode::OK).await
        }
        Err(page) => page,
    }
}

/// `POST /stock/{id}`: the product's changes; a field emptied is sent
/// empty (the supplier and barcode cleared, the others refused).
pub async fn update_product(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Response {
    if let Some(page) = storekeeper(&viewer) {
        return page;
    }
    let product = match get(&ctx, &viewer, &format!("/api/products/{id}")).await {
        Ok(product) => product,
        Err(page) => return page,
    };
    let typed = form::typed(&body);
    let mut json = form::edits(&body, PLAIN, &["supplier", "barcode"]).unwrap_or_default();
    plain_numbers(&mut json, &["unit_cost", "unit_price", "reorder_level"]);
    let path = format!("/api/products/{id}");
    let answer = api::call(&ctx, &viewer, Method::PATCH, &path, Some(&json)).await;
    if refusal(&answer) {
        let status = answer.status;
        let problem = problem("product", &answer.body, typed);
        return product_form(&ctx, &viewer, Some(product), problem, status).await;
    }
    match answer.ok() {
        Ok(_) => Redirect::to(&format!("/stock/{id}?notice=product-saved")).into_response(),
        Err(err) => viewer.fail(err),
    }
}

/// `POST /stock`.
pub async fn create_product(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    body: Bytes,
) -> Response {
    if let Some(page) = storekeeper(&viewer) {
        return page;
    }
    let typed = form::typed(&body);
    let mut json = form::body(&body, PLAIN).unwrap_or_default();
    plain_numbers(
        &mut json,
        &[
            "unit_cost",
            "unit_price",
            "quantity_on_hand",
            "reorder_level",
        ],
    );
    let answer = api::call(&ctx, &viewer, Method::POST, "/api/products", Some(&json)).await;
    if refusal(&answer) {
        let status = answer.status;
        let problem = problem("product", &answer.body, typed);
        return product_form(&ctx, &viewer, None, problem, status).await;
    }
    match answer.ok() {
        Ok(product) => to_created("/stock", &product, "product-saved"),
        Err(err) => viewer.fail(err),
    }
}

/// Money and quantities as people write them (`5,000`), as the API reads
/// them (`5000`).
fn plain_numbers(json: &mut Value, names: &[&str]) {
    for name in names {
        if let Some(Value::String(number)) = json.get_mut(*name) {
            number.retain(|c| c != ',' && !c.is_whitespace());
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ProductQuery {
    #[serde(default)]
    notice: Option<String>,
    /// The page of its movements.
    #[serde(default)]
    page: Option<String>,
}

/// `GET /stock/{id}`.
pub async fn product(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    Path(id): Path<Uuid>,
    Query(query): Query<ProductQuery>,
) -> Response {
    if let Some(page) = storekeeper(&viewer) {
        return page;
    }
    let shown = Shown {
        notice: query.notice.as_deref(),
        page: page_number(query.page.as_ref()),
    };
    product_page(&ctx, &viewer, id, shown, no_problem(), StatusCode::OK).await
}

struct Shown<'a> {
    notice: Option<&'a str>,
    page: u64,
}

async fn product_page(
    ctx: &AppContext,
    viewer: &Viewer,
    id: Uuid,
    shown: Shown<'_>,
    problem: Value,
    status: StatusCode,
) -> Response {
    let reads = futures_util::future::join(
        get(ctx, viewer, &format!("/api/products/{id}")),
        get(
            ctx,
            viewer,
            &format!(
                "/api/products/{id}/movements?page={}&per_page=50",
                shown.page
            ),
        ),
    )
    .await;
    let (product, movements) = match reads {
        (Ok(product), Ok(movements)) => (product, movements),
        (Err(page), _) | (_, Err(page)) => return page,
    };
    let here = product["site"]["id"].as_str().unwrap_or_default();
    // Stock goes to the sister branches this person sees.
    let sisters: Vec<Value> = viewer
        .sites
        .iter()
        .filter(|site| site.pid.to_string() != here)
        .map(|site| json!({"id": site.pid, "name": site.name}))
        .collect();
    let total = movements["total"].as_u64().unwrap_or_default();
    let values = json!({
        "product": product,
        "movements": movements["items"],
        "total": total,
        "page_number": shown.page,
        "pages": total.div_ceil(50).max(1),
        "kept": "",
        "sisters": sisters,
        "notice": notice_text(viewer, shown.notice),
        "problem": problem,
    });
    page_as(
        ctx,
        viewer,
        &format!("/stock/{id}"),
        "product-title",
        ("pages/product.html", "fragments/product.html"),
        values,
        status,
    )
    .await
}

/// `POST /stock/{id}/adjustments` (counted in or out, with the reason) and
/// `/transfers` (to a sister branch).
pub async fn product_change(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    Path((id, action)): Path<(Uuid, String)>,
    body: Bytes,
) -> Response {
    if let Some(page) = storekeeper(&viewer) {
        return page;
    }
    let (form_name, done) = match action.as_str() {
        "adjustments" => ("adjust", "stock-adjusted"),
        "transfers" => ("transfer", "stock-transferred"),
        _ => return viewer.fail(ApiError::NotFound("page")),
    };
    let typed = form::typed(&body);
    let mut json = form::body(&body, PLAIN).unwrap_or_default();
    plain_numbers(&mut json, &["delta", "quantity"]);
    let path = format!("/api/products/{id}/{action}");
    let answer = api::call(&ctx, &viewer, Method::POST, &path, Some(&json)).await;
    if refusal(&answer) {
        let status = answer.status;
        let shown = Shown {
            notice: None,
            page: 1,
        };
        let problem = problem(form_name, &answer.body, typed);
        return product_page(&ctx, &viewer, id, shown, problem, status).await;
    }
    match answer.ok() {
        Ok(_) => Redirect::to(&format!("/stock/{id}?notice={done}")).into_response(),
        Err(err) => viewer.fail(err),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct OrdersFilter {
    #[serde(default)]
    site_id: Option<String>,
    #[serde(default)]
    page: Option<String>,
}

/// `GET /purchase-orders`: what was ordered from suppliers, newest first.
pub async fn purchase_orders(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    Query(filter): Query<OrdersFilter>,
) -> Response {
    if let Some(page) = storekeeper(&viewer) {
        return page;
    }
    let kept: Vec<(&str, &str)> = given(filter.site_id.as_ref())
        .map(|site| ("site_id", site))
        .into_iter()
        .collect();
    let page_number = page_number(filter.page.as_ref());
    let (query, kept) = list_query(&kept, &kept, page_number);
    let listed = match get(&ctx, &viewer, &format!("/api/purchase-orders?{query}")).await {
        Ok(listed) => listed,
        Err(page) => return page,
    };
    let total = listed["total"].as_u64().unwrap_or_default();
    let values = json!({
        "orders": listed["items"],
        "total": total,
        "page_number": page_number,
        "pages": total.div_ceil(50).max(1),
        "kept": kept,
        "filter": {"site_id": given(filter.site_id.as_ref())},
    });
    page(
        &ctx,
        &viewer,
        "/purchase-orders",
        "purchase-orders-title",
        (
            "pages/purchase_orders.html",
            "fragments/purchase_orders.html",
        ),
        values,
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
pub struct DraftQuery {
    #[serde(default)]
    site_id: Option<String>,
}

/// `GET /purchase-orders/new?site_id=`: a draft for one branch, its low
/// products first.
pub async fn new_purchase_order(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    Query(query): Query<DraftQuery>,
) -> Response {
    if let Some(page) = storekeeper(&viewer) {
        return page;
    }
    let site = given(query.site_id.as_ref()).map(str::to_string);
    draft_page(&ctx, &viewer, site, no_problem(), StatusCode::OK).await
}

/// The most products a draft suggests, and the blank rows it offers
/// after them (a longer order is two drafts).
const SUGGESTED_ROWS: usize = 20;
const BLANK_ROWS: usize = 3;

async fn draft_page(
    ctx: &AppContext,
    viewer: &Viewer,
    site: Option<String>,
    problem: Value,
    status: StatusCode,
) -> Response {
    // One branch's order: a person with one branch has it chosen already.
    let site = site.or_else(|| (viewer.sites.len() == 1).then(|| viewer.sites[0].pid.to_string()));
    let products = match &site {
        Some(site) => {
            let path = format!("/api/products?site_id={}&per_page=200", encoded(site));
            match get(ctx, viewer, &path).await {
                Ok(listed) => listed["items"].clone(),
                Err(page) => return page,
            }
        }
        None => json!([]),
    };
    // The rows as typed after a refusal, else the low products, each
    // suggested up to twice its reorder level.
    let rows = match problem["typed"].get("rows") {
        Some(rows) => rows.clone(),
        None => Value::Array(suggested_rows(&products)),
    };
    // The supplier of the first low product, as a start.
    let supplier = problem["typed"]
        .get("supplier")
        .cloned()
        .unwrap_or_else(|| {
            let first = rows[0]["product_id"].as_str().unwrap_or_default();
            products
                .as_array()
                .into_iter()
                .flatten()
                .find(|product| product["id"].as_str() == Some(first))
                .map_or(Value::Null, |product| product["supplier"].clone())
        });
    let values = json!({
        "site_id": site,
        "products": products,
        "rows": rows,
        "supplier": supplier,
        "problem": problem,
    });
    page_as(
        ctx,
        viewer,
        "/purchase-orders/new",
        "new-purchase-order-title",
        (
            "pages/purchase_order_form.html",
            "pages/purchase_order_form.html",
        ),
        values,
        status,
    )
    .await
}

/// A draft's rows: the products low on stock, each for what lifts it to
/// twice its reorder level at its last cost, then blank rows.
fn suggested_rows(products: &Value) -> Vec<Value> {
    use rust_decimal::Decimal;
    let number = |value: &Value| value.as_str().and_then(|text| text.parse::<Decimal>().ok());
    let mut rows: Vec<Value> = products
        .as_array()
        .into_iter()
        .flatten()
        .filter(|product| product["low_stock"].as_bool() == Some(true))
        .filter_map(|product| {
            let wanted =
                number(&product["reorder_level"])? * Decimal::TWO - number(&product["available"])?;
            Some(json!({
                "product_id": product["id"],
                "quantity": wanted.max(Decimal::ONE).normalize().to_string(),
                "unit_cost": product["unit_cost"],
            }))
        })
        .take(SUGGESTED_ROWS)
        .collect();
    for _ in 0..BLANK_ROWS {
        rows.push(json!({"product_id": "", "quantity": "", "unit_cost": ""}));
    }
    rows
}

/// A form's repeated fields (`product_id`, `quantity`, … once per row) as
/// rows, in order: the `n`th of each name belongs to row `n`.
pub(super) fn form_rows(body: &[u8], names: &[&str]) -> Vec<Map<String, Value>> {
    let mut rows: Vec<Map<String, Value>> = Vec::new();
    let mut seen = vec![0usize; names.len()];
    for (name, value) in form_urlencoded::parse(body) {
        let Some(column) = names.iter().position(|known| *known == name) else {
            continue;
        };
        let row = seen[column];
        seen[column] += 1;
        if rows.len() <= row {
            rows.resize_with(row + 1, Map::new);
        }
        rows[row].insert(
            names[column].to_string(),
            Value::String(value.trim().to_string()),
        );
    }
    rows
}

/// The API's lines from a form's rows, with the row each came from; rows
/// left blank are not lines.
fn lines_of(rows: &[Map<String, Value>], names: &[&str]) -> (Vec<Value>, Vec<usize>) {
    let mut lines = Vec::new();
    let mut from = Vec::new();
    for (index, row) in rows.iter().enumerate() {
        let filled = |name: &str| {
            row.get(name)
                .and_then(Value::as_str)
                .is_some_and(|value| !value.is_empty())
        };
        if !row.keys().any(|name| name != "product_id" && filled(name)) {
            continue;
        }
        let mut line = Map::new();
        for name in names {
            let value = row
                .get(*name)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .replace([',', ' '], "");
            line.insert((*name).to_string(), Value::String(value));
        }
        lines.push(Value::Object(line));
        from.push(index);
    }
    (lines, from)
}

/// The API's refusal with the errors of each item of its list `list`
/// (`lines[0].quantity`) moved to the form's row the item came from
/// (`3.quantity`).
pub(super) fn by_row(mut body: Value, from: &[usize], list: &str) -> Value {
    let prefix = format!("{list}[");
    if let Some(fields) = body["error"]["fields"].as_object_mut() {
        let moved: Map<String, Value> = std::mem::take(fields)
            .into_iter()
            .map(|(name, messages)| {
                let renamed = name
                    .strip_prefix(prefix.as_str())
                    .and_then(|rest| rest.split_once(']'))
                    .and_then(|(index, field)| {
                        let row = from.get(index.parse::<usize>().ok()?)?;
                        Some(format!("{row}{field}"))
                    })
                    .unwrap_or(name);
                (renamed, messages)
            })
            .collect();
        *fields = moved;
    }
    body
}

/// `POST /purchase-orders`: the draft saved.
pub async fn create_purchase_order(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    body: Bytes,
) -> Response {
    if let Some(page) = storekeeper(&viewer) {
        return page;
    }
    const COLUMNS: [&str; 3] = ["product_id", "quantity", "unit_cost"];
    let rows = form_rows(&body, &COLUMNS);
    let (lines, from) = lines_of(&rows, &COLUMNS);
    let mut site_id = None;
    let mut supplier = None;
    for (name, value) in form_urlencoded::parse(&body) {
        match name.as_ref() {
            "site_id" => site_id = Some(value.trim().to_string()),
            "supplier" => supplier = Some(value.trim().to_string()),
            _ => {}
        }
    }
    let json = json!({
        "site_id": site_id.clone().unwrap_or_default(),
        "supplier": supplier.clone().unwrap_or_default(),
        "lines": lines,
    });
    let answer = api::call(
        &ctx,
        &viewer,
        Method::POST,
        "/api/purchase-orders",
        Some(&json),
    )
    .await;
    if refusal(&answer) {
        let status = answer.status;
        let typed = json!({"supplier": supplier, "rows": rows});
        let problem = problem("order", &by_row(answer.body, &from, "lines"), typed);
        return draft_page(&ctx, &viewer, site_id, problem, status).await;
    }
    match answer.ok() {
        Ok(order) => to_created("/purchase-orders", &order, "purchase-order-drafted"),
        Err(err) => viewer.fail(err),
    }
}

/// `GET /purchase-orders/{id}`.
pub async fn purchase_order(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    Path(id): Path<Uuid>,
    Query(query): Query<NoticeQuery>,
) -> Response {
    if let Some(page) = storekeeper(&viewer) {
        return page;
    }
    purchase_order_page(
        &ctx,
        &viewer,
        id,
        query.notice.as_deref(),
        no_problem(),
        StatusCode::OK,
    )
    .await
}

async fn purchase_order_page(
    ctx: &AppContext,
    viewer: &Viewer,
    id: Uuid,
    notice: Option<&str>,
    problem: Value,
    status: StatusCode,
) -> Response {
    let mut order = match get(ctx, viewer, &format!("/api/purchase-orders/{id}")).await {
        Ok(order) => order,
        Err(page) => return page,
    };
    // What is still to come of each line: the receipt form's default.
    for line in order["lines"].as_array_mut().into_iter().flatten() {
        let number = |name: &str| {
            line[name]
                .as_str()
                .and_then(|text| text.parse::<rust_decimal::Decimal>().ok())
                .unwrap_or_default()
        };
        let outstanding =
            (number("quantity") - number("received")).max(rust_decimal::Decimal::ZERO);
        line["outstanding"] = Value::String(outstanding.normalize().to_string());
    }
    let values = json!({
        "order": order,
        "notice": notice_text(viewer, notice),
        "problem": problem,
    });
    page_as(
        ctx,
        viewer,
        &format!("/purchase-orders/{id}"),
        "purchase-order-title",
        ("pages/purchase_order.html", "fragments/purchase_order.html"),
        values,
        status,
    )
    .await
}

/// `POST /purchase-orders/{id}/order` (sent to the supplier) and
/// `/receive` (what arrived, all or part).
pub async fn purchase_order_change(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    Path((id, action)): Path<(Uuid, String)>,
    body: Bytes,
) -> Response {
    if let Some(page) = storekeeper(&viewer) {
        return page;
    }
    const COLUMNS: [&str; 2] = ["product_id", "quantity"];
    let (json, from, typed, done) = match action.as_str() {
        "order" => (json!({}), Vec::new(), json!({}), "purchase-order-placed"),
        "receive" => {
            let rows = form_rows(&body, &COLUMNS);
            let (lines, from) = lines_of(&rows, &COLUMNS);
            // A line with nothing arriving is not a receipt of it.
            let (lines, from): (Vec<Value>, Vec<usize>) = lines
                .into_iter()
                .zip(from)
                .filter(|(line, _)| {
                    line["quantity"]
                        .as_str()
                        .and_then(|text| text.parse::<rust_decimal::Decimal>().ok())
                        .is_none_or(|quantity| !quantity.is_zero())
                })
                .unzip();
            (
                json!({ "lines": lines }),
                from,
                json!({ "rows": rows }),
                "purchase-order-received",
            )
        }
        _ => return viewer.fail(ApiError::NotFound("page")),
    };
    let path = format!("/api/purchase-orders/{id}/{action}");
    let answer = api::call(&ctx, &viewer, Method::POST, &path, Some(&json)).await;
    if refusal(&answer) {
        let status = answer.status;
        let problem = problem(&action, &by_row(answer.body, &from, "lines"), typed);
        return purchase_order_page(&ctx, &viewer, id, None, problem, status).await;
    }
    match answer.ok() {
        Ok(_) => Redirect::to(&format!("/purchase-orders/{id}?notice={done}")).into_response(),
        Err(err) => viewer.fail(err),
    }
}

/// A part line the branch cannot fill: the same part (by SKU) at the sister
/// branches this person sees, each with how much it could send, so that one
/// step brings it over and puts the part on the order. `here` are the
/// branch's products (the order page has them), `typed` the part form as
/// sent. Nothing when the person may not move stock or no sister has any.
pub async fn shortage(ctx: &AppContext, viewer: &Viewer, here: &Value, typed: &Value) -> Value {
    use rust_decimal::Decimal;
    if !viewer.actor.can(Ability::ManageStock) {
        return Value::Null;
    }
    let number = |value: &Value| {
        value
            .as_str()
            .and_then(|text| text.replace([',', ' '], "").parse::<Decimal>().ok())
    };
    let Some(product) = here.as_array().into_iter().flatten().find(|product| {
        product["id"].as_str().is_some() && product["id"].as_str() == typed["product_id"].as_str()
    }) else {
        return Value::Null;
    };
    let (Some(wanted), Some(available)) =
        (number(&typed["quantity"]), number(&product["available"]))
    else {
        return Value::Null;
    };
    let short = wanted - available.max(Decimal::ZERO);
    if short <= Decimal::ZERO {
        return Value::Null;
    }
    let sku = product["sku"].as_str().unwrap_or_default();
    let path = format!("/api/products?q={}&per_page=200", encoded(sku));
    let Ok(found) = get(ctx, viewer, &path).await else {
        return Value::Null;
    };
    let offers: Vec<Value> = found["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|other| {
            other["sku"].as_str() == Some(sku) && other["site"]["id"] != product["site"]["id"]
        })
        .filter_map(|other| {
            let spare = number(&other["available"])?;
            (spare >= short).then(|| {
                json!({
                    "product_id": other["id"],
                    "site": other["site"]["name"],
                    "available": other["available"],
                    "bring": short.normalize().to_string(),
                })
            })
        })
        .collect();
    json!({
        "name": product["name"],
        "quantity": wanted.normalize().to_string(),
        "available": product["available"],
        "short": short.normalize().to_string(),
        "offers": offers,
    })
}
