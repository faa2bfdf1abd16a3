//! The front desk's repair orders: the list, booking a car in on one page
//! (the customer found or created, their vehicle chosen or registered, the
//! job), and the order as the office works it: lines approved or declined
//! on the customer's word, the estimate's link, files, notes, history, and
//! moving it along.

use axum::{
    body::Bytes,
    extract::{Path, Query, State},
    http::{Method, StatusCode},
    response::{IntoResponse, Redirect, Response},
};
use loco_rs::app::AppContext;
use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;

use super::{
    api,
    desk::{encoded, get, no_problem, office, problem, refusal, NoticeQuery},
    form::{self, Shape, CUSTOMER, VEHICLE},
    notice_text, page, page_as, stock, Viewer,
};
use crate::errors::ApiError;

const ORDER: Shape = Shape {
    numbers: &["odometer_km"],
    flags: &[],
    lists: &["required_skills"],
    skip: &[],
};

// ---- Repair orders -------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
pub struct OrderFilter {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    site_id: Option<Uuid>,
    #[serde(default)]
    notice: Option<String>,
}

/// The statuses an order list can be filtered by, in the order work moves.
const STATUSES: [&str; 7] = [
    "requested",
    "pending_approval",
    "approved",
    "in_progress",
    "completed",
    "declined",
    "cancelled",
];

/// `GET /orders`: the branch's orders, by status.
pub async fn orders(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    Query(filter): Query<OrderFilter>,
) -> Response {
    if let Some(page) = office(&viewer) {
        return page;
    }
    let mut path = "/api/repair-orders?per_page=100".to_string();
    let status = filter
        .status
        .as_deref()
        .filter(|status| STATUSES.contains(status));
    if let Some(status) = status {
        path.push_str(&format!("&status={status}"));
    }
    if let Some(site) = filter.site_id {
        path.push_str(&format!("&site_id={site}"));
    }
    let listed = match get(&ctx, &viewer, &path).await {
        Ok(listed) => listed,
        Err(page) => return page,
    };
    let values = json!({
        "orders": listed["items"],
        "total": listed["total"],
        "status": status,
        "statuses": STATUSES,
        "site_id": filter.site_id,
        "notice": notice_text(&viewer, filter.notice.as_deref()),
    });
    page(
        &ctx,
        &viewer,
        "/orders",
        "orders-title",
        ("pages/orders.html", "fragments/orders.html"),
        values,
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
pub struct BookIn {
    /// A search for the customer, by name, phone, plate or VIN.
    #[serde(default)]
    q: Option<String>,
    #[serde(default)]
    customer_id: Option<Uuid>,
    #[serde(default)]
    vehicle_id: Option<Uuid>,
}

/// `GET /orders/new`: booking a car in on one page. The customer is found
/// (or their details typed), then their vehicle chosen (or typed), then the
/// job.
pub async fn new_order(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    Query(book): Query<BookIn>,
) -> Response {
    if let Some(page) = office(&viewer) {
        return page;
    }
    book_in(&ctx, &viewer, &book, no_problem(), StatusCode::OK).await
}

async fn book_in(
    ctx: &AppContext,
    viewer: &Viewer,
    book: &BookIn,
    problem: Value,
    status: StatusCode,
) -> Response {
    let q = book.q.clone().unwrap_or_default();
    let found = if q.trim().is_empty() || book.customer_id.is_some() {
        Value::Array(Vec::new())
    } else {
        match get(
            ctx,
            viewer,
            &format!("/api/customers?q={}&per_page=10", encoded(q.trim())),
        )
        .await
        {
            Ok(found) => found["items"].clone(),
            Err(page) => return page,
        }
    };
    let (customer, vehicles) = match book.customer_id {
        Some(id) => {
            let reads = futures_util::future::join(
                get(ctx, viewer, &format!("/api/customers/{id}")),
                get(
                    ctx,
                    viewer,
                    &format!("/api/vehicles?customer_id={id}&per_page=50"),
                ),
            )
            .await;
            match reads {
                (Ok(customer), Ok(vehicles)) => (customer, vehicles["items"].clone()),
                (Err(page), _) | (_, Err(page)) => return page,
            }
        }
        None => (Value::Null, Value::Array(Vec::new())),
    };
    let skills = match get(ctx, viewer, "/api/skills?per_page=200").await {
        Ok(skills) => skills,
        Err(page) => return page,
    };
    let values = json!({
        "q": q,
        "found": found,
        "customer": customer,
        "vehicles": vehicles,
        "vehicle_id": book.vehicle_id,
        "skills": skills,
        "problem": problem,
        "priorities": ["low", "normal", "high", "urgent"],
    });
    page_as(
        ctx,
        viewer,
        "/orders/new",
        "book-in-title",
        ("pages/book_in.html", "fragments/book_in.html"),
        values,
        status,
    )
    .await
}

/// `POST /orders`: the customer (found, or created from the fields typed),
/// the vehicle (chosen, or registered), then the order; each by the API.
/// What was created before a refusal stays chosen on the form that comes
/// back, so nothing is created twice.
pub async fn create_order(State(ctx): State<AppContext>, viewer: Viewer, body: Bytes) -> Response {
    if let Some(page) = office(&viewer) {
        return page;
    }
    let typed = form::typed(&body);
    let text = |name: &str| typed[name].as_str().unwrap_or_default().trim().to_string();
    let mut book = BookIn {
        q: None,
        customer_id: text("customer_id").parse().ok(),
        vehicle_id: text("vehicle_id").parse().ok(),
    };
    let sub = |prefix: &str| -> Vec<u8> {
        form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form_urlencoded::parse(&body).filter_map(|(name, value)| {
                name.strip_prefix(prefix)
                    .map(|name| (name.to_string(), value.into_owned()))
            }))
            .finish()
            .into_bytes()
    };
    let again = |book: &BookIn, form: &str, body: &Value, status| {
        let problem = problem(form, body, typed.clone());
        (book.customer_id, book.vehicle_id, problem, status)
    };
    let refused = match book.customer_id {
        Some(_) => None,
        None => {
            let mut json = match form::body(&sub("customer."), CUSTOMER) {
                Ok(json) => json,
                Err(errors) => {
                    let answer = form::refusal(&errors);
                    return finish(
                        &ctx,
                        &viewer,
                        &book,
                        again(&book, "customer", &answer, StatusCode::UNPROCESSABLE_ENTITY),
                    )
                    .await;
                }
            };
            if json.get("home_site_id").is_none() {
                json["home_site_id"] = typed["site_id"].clone();
            }
            let answer =
                api::call(&ctx, &viewer, Method::POST, "/api/customers", Some(&json)).await;
            if answer.status.is_success() {
                book.customer_id = answer.body["id"].as_str().and_then(|id| id.parse().ok());
                None
            } else {
                Some(("customer", answer))
            }
        }
    };
    if let Some((form, answer)) = refused {
        if refusal(&answer) {
            let status = answer.status;
            return finish(
                &ctx,
                &viewer,
                &book,
                again(&book, form, &answer.body, status),
            )
            .await;
        }
        return viewer.fail(
            answer
                .ok()
                .err()
                .unwrap_or(ApiError::Status(StatusCode::BAD_GATEWAY)),
        );
    }
    if book.vehicle_id.is_none() {
        let mut json = match form::body(&sub("vehicle."), VEHICLE) {
            Ok(json) => json,
            Err(errors) => {
                let answer = form::refusal(&errors);
                return finish(
                    &ctx,
                    &viewer,
                    &book,
                    again(&book, "vehicle", &answer, StatusCode::UNPROCESSABLE_ENTITY),
                )
                .await;
            }
        };
        json["customer_id"] = json!(book.customer_id);
        let answer = api::call(&ctx, &viewer, Method::POST, "/api/vehicles", Some(&json)).await;
        if !answer.status.is_success() {
            if refusal(&answer) {
                let status = answer.status;
                return finish(
                    &ctx,
                    &viewer,
                    &book,
                    again(&book, "vehicle", &answer.body, status),
                )
                .await;
            }
            return viewer.fail(
                answer
                    .ok()
                    .err()
                    .unwrap_or(ApiError::Status(StatusCode::BAD_GATEWAY)),
            );
        }
        book.vehicle_id = answer.body["id"].as_str().and_then(|id| id.parse().ok());
    }
    let mut json = match form::body(&sub("order."), ORDER) {
        Ok(json) => json,
        Err(errors) => {
            let answer = form::refusal(&errors);
            return finish(
                &ctx,
                &viewer,
                &book,
                again(&book, "order", &answer, StatusCode::UNPROCESSABLE_ENTITY),
            )
            .await;
        }
    };
    json["site_id"] = typed["site_id"].clone();
    json["vehicle_id"] = json!(book.vehicle_id);
    let answer = api::call(
        &ctx,
        &viewer,
        Method::POST,
        "/api/repair-orders",
        Some(&json),
    )
    .await;
    if refusal(&answer) {
        let status = answer.status;
        return finish(
            &ctx,
            &viewer,
            &book,
            again(&book, "order", &answer.body, status),
        )
        .await;
    }
    match answer.ok() {
        Ok(order) => Redirect::to(&format!(
            "/orders/{}?notice=booked-in",
            order["id"].as_str().unwrap_or_default()
        ))
        .into_response(),
        Err(err) => viewer.fail(err),
    }
}

async fn finish(
    ctx: &AppContext,
    viewer: &Viewer,
    book: &BookIn,
    (customer_id, vehicle_id, problem, status): (Option<Uuid>, Option<Uuid>, Value, StatusCode),
) -> Response {
    let book = BookIn {
        q: book.q.clone(),
        customer_id,
        vehicle_id,
    };
    book_in(ctx, viewer, &book, problem, status).await
}

/// `GET /orders/{id}`: the order as the office sees it.
pub async fn order(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    Path(id): Path<Uuid>,
    Query(query): Query<NoticeQuery>,
) -> Response {
    if let Some(page) = office(&viewer) {
        return page;
    }
    order_page(
        &ctx,
        &viewer,
        id,
        query.notice.as_deref(),
        no_problem(),
        StatusCode::OK,
    )
    .await
}

/// The moves the office makes from each status (the API decides whether
/// this user may).
fn moves(status: &str) -> &'static [&'static str] {
    match status {
        "requested" => &["pending_approval", "cancelled"],
        "pending_approval" => &["approved", "declined", "cancelled"],
        "approved" | "in_progress" => &["cancelled"],
        _ => &[],
    }
}

async fn order_page(
    ctx: &AppContext,
    viewer: &Viewer,
    id: Uuid,
    notice: Option<&str>,
    problem: Value,
    status: StatusCode,
) -> Response {
    let detail = match get(ctx, viewer, &format!("/api/repair-orders/{id}")).await {
        Ok(detail) => detail,
        Err(page) => return page,
    };
    let site = detail["site"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let reads = futures_util::future::join5(
        get(
            ctx,
            viewer,
            &format!("/api/repair-orders/{id}/attachments?per_page=100"),
        ),
        get(ctx, viewer, &format!("/api/repair-orders/{id}/history")),
        get(
            ctx,
            viewer,
            &format!("/api/repair-orders/{id}/notes?per_page=100"),
        ),
        get(
            ctx,
            viewer,
            &format!("/api/products?site_id={site}&per_page=200"),
        ),
        get(ctx, viewer, "/api/skills?per_page=200"),
    )
    .await;
    let (attachments, history, notes, products, skills) = match reads {
        (Ok(a), Ok(h), Ok(n), Ok(p), Ok(s)) => (a, h, n, p, s),
        (Err(page), ..)
        | (_, Err(page), ..)
        | (_, _, Err(page), ..)
        | (.., Err(page), _)
        | (.., Err(page)) => return page,
    };
    let state = detail["status"].as_str().unwrap_or_default().to_string();
    let open = !matches!(state.as_str(), "completed" | "declined" | "cancelled");
    // A part the branch lacks: where a sister branch has it.
    let shortage = if problem["form"] == "parts" && status == StatusCode::CONFLICT {
        stock::shortage(ctx, viewer, &products["items"], &problem["typed"]).await
    } else {
        Value::Null
    };
    let values = json!({
        "shortage": shortage,
        "order": detail,
        "attachments": attachments["items"],
        "history": history,
        "notes": notes["items"],
        "products": products["items"],
        "skills": skills,
        "moves": moves(&state),
        "open": open,
        "notice": notice_text(viewer, notice),
        "problem": problem,
    });
    page_as(
        ctx,
        viewer,
        &format!("/orders/{id}"),
        "order-title",
        ("pages/desk_order.html", "fragments/desk_order.html"),
        values,
        status,
    )
    .await
}

/// Sends a change to the API for the office's order page.
async fn order_change(
    ctx: &AppContext,
    viewer: &Viewer,
    id: Uuid,
    (form_name, done): (&'static str, &str),
    (method, path): (Method, &str),
    json: Option<Value>,
    typed: Value,
) -> Response {
    let answer = api::call(ctx, viewer, method, path, json.as_ref()).await;
    if refusal(&answer) {
        let status = answer.status;
        let problem = problem(form_name, &answer.body, typed);
        return order_page(ctx, viewer, id, None, problem, status).await;
    }
    match answer.ok() {
        Ok(_) => Redirect::to(&format!("/orders/{id}?notice={done}#{form_name}")).into_response(),
        Err(err) => viewer.fail(err),
    }
}

const PLAIN: Shape = Shape {
    numbers: &[],
    flags: &[],
    lists: &[],
    skip: &[],
};

/// `POST /orders/{id}/labor`, `/parts`, `/notes`.
pub async fn order_line(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    Path((id, kind)): Path<(Uuid, String)>,
    body: Bytes,
) -> Response {
    if let Some(page) = office(&viewer) {
        return page;
    }
    let (form_name, done): (&'static str, &str) = match kind.as_str() {
        "labor" => ("labor", "labor-added"),
        "parts" => ("parts", "part-added"),
        "notes" => ("notes", "note-added"),
        _ => return viewer.fail(ApiError::NotFound("page")),
    };
    let typed = form::typed(&body);
    let json = form::body(&body, PLAIN).unwrap_or_default();
    let path = format!("/api/repair-orders/{id}/{kind}");
    order_change(
        &ctx,
        &viewer,
        id,
        (form_name, done),
        (Method::POST, &path),
        Some(json),
        typed,
    )
    .await
}

/// `POST /orders/{id}/parts/transfer`: a part the branch lacked, brought
/// from a sister branch (`from_product_id`, `transfer` of it) and put on
/// the order (`quantity`) in one step. The transfer is the API's, in its
/// own transaction; if the part line is then refused (another job took
/// the stock first), the stock stays here and the page says so.
pub async fn transfer_part(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Response {
    if let Some(page) = office(&viewer) {
        return page;
    }
    let fields = form::body(&body, PLAIN).unwrap_or_default();
    let text = |name: &str| fields[name].as_str().unwrap_or_default().to_string();
    let detail = match get(&ctx, &viewer, &format!("/api/repair-orders/{id}")).await {
        Ok(detail) => detail,
        Err(page) => return page,
    };
    let note = format!(
        "{} · {}",
        detail["vehicle"]["plate"].as_str().unwrap_or_default(),
        detail["description"].as_str().unwrap_or_default()
    );
    let moved = api::call(
        &ctx,
        &viewer,
        Method::POST,
        &format!(
            "/api/products/{}/transfers",
            encoded(&text("from_product_id"))
        ),
        Some(&json!({
            "to_site_id": detail["site"]["id"],
            "quantity": text("transfer"),
            "note": note.chars().take(500).collect::<String>(),
        })),
    )
    .await;
    let typed = json!({"quantity": text("quantity")});
    if refusal(&moved) || moved.status == StatusCode::NOT_FOUND {
        let status = if moved.status == StatusCode::NOT_FOUND {
            StatusCode::CONFLICT
        } else {
            moved.status
        };
        let problem = problem("parts", &moved.body, typed);
        return order_page(&ctx, &viewer, id, None, problem, status).await;
    }
    let moved = match moved.ok() {
        Ok(moved) => moved,
        Err(err) => return viewer.fail(err),
    };
    let json = json!({"product_id": moved["to"]["id"], "quantity": text("quantity")});
    let path = format!("/api/repair-orders/{id}/parts");
    order_change(
        &ctx,
        &viewer,
        id,
        ("parts", "part-transferred"),
        (Method::POST, &path),
        Some(json.clone()),
        json,
    )
    .await
}

const REVISION: Shape = Shape {
    numbers: &[],
    flags: &[],
    lists: &["required_skills"],
    skip: &[],
};

/// `POST /orders/{id}/revise`: what the job is, changed after booking (its
/// technician is shown the change until they have seen it).
pub async fn revise(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Response {
    if let Some(page) = office(&viewer) {
        return page;
    }
    let typed = form::typed(&body);
    // A blank description is refused by the API; a blank complaint clears it.
    let json = form::edits(&body, REVISION, &["complaint"]).unwrap_or_default();
    let path = format!("/api/repair-orders/{id}");
    order_change(
        &ctx,
        &viewer,
        id,
        ("revise", "order-revised"),
        (Method::PATCH, &path),
        Some(json),
        typed,
    )
    .await
}

/// `POST /orders/{id}/lines/{line}/approval`: the customer's word on a
/// line, recorded by the office.
pub async fn decide_line(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    Path((id, line)): Path<(Uuid, Uuid)>,
    body: Bytes,
) -> Response {
    if let Some(page) = office(&viewer) {
        return page;
    }
    let typed = form::typed(&body);
    let json = form::body(&body, PLAIN).unwrap_or_default();
    let path = format!("/api/repair-orders/{id}/lines/{line}/approval");
    order_change(
        &ctx,
        &viewer,
        id,
        ("lines", "line-decided"),
        (Method::POST, &path),
        Some(json),
        typed,
    )
    .await
}

/// `POST /orders/{id}/estimate`: the estimate's link to the customer.
pub async fn send_estimate(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    Path(id): Path<Uuid>,
) -> Response {
    if let Some(page) = office(&viewer) {
        return page;
    }
    let path = format!("/api/repair-orders/{id}/estimate/send");
    order_change(
        &ctx,
        &viewer,
        id,
        ("estimate", "estimate-sent"),
        (Method::POST, &path),
        None,
        json!({}),
    )
    .await
}

/// `POST /orders/{id}/transition`: moving the order along.
pub async fn move_order(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Response {
    if let Some(page) = office(&viewer) {
        return page;
    }
    let typed = form::typed(&body);
    let json = form::body(&body, PLAIN).unwrap_or_default();
    let path = format!("/api/repair-orders/{id}/transition");
    order_change(
        &ctx,
        &viewer,
        id,
        ("moves", "moved"),
        (Method::POST, &path),
        Some(json),
        typed,
    )
    .await
}

/// `POST /orders/{id}/attachments`: a file, as it came.
pub async fn attach(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    headers: axum::http::HeaderMap,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Response {
    if let Some(page) = office(&viewer) {
        return page;
    }
    let content_type = headers.get(axum::http::header::CONTENT_TYPE).cloned();
    let path = format!("/api/repair-orders/{id}/attachments");
    let answer = api::send(&ctx, &viewer, Method::POST, &path, content_type, body).await;
    if refusal(&answer) || answer.status == StatusCode::PAYLOAD_TOO_LARGE {
        let status = answer.status;
        let problem = problem("files", &answer.body, json!({}));
        return order_page(&ctx, &viewer, id, None, problem, status).await;
    }
    match answer.ok() {
        Ok(_) => Redirect::to(&format!("/orders/{id}?notice=file-added#files")).into_response(),
        Err(err) => viewer.fail(err),
    }
}
