//! The front desk's customers and vehicles: found by name, phone, plate
//! or VIN; created and edited with the API's rules; a customer's vehicles,
//! service history, messages and consent; a vehicle's readings and service
//! schedule.

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
    notice_text, page, page_as, Viewer,
};

const READING: Shape = Shape {
    numbers: &["reading_km"],
    flags: &[],
    lists: &[],
    skip: &[],
};

// ---- Customers -------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
pub struct Search {
    #[serde(default)]
    q: Option<String>,
    #[serde(default)]
    page: Option<u32>,
    #[serde(default)]
    notice: Option<String>,
}

/// `GET /customers`: found by name, phone, email, plate or VIN.
pub async fn customers(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    Query(search): Query<Search>,
) -> Response {
    if let Some(page) = office(&viewer) {
        return page;
    }
    let q = search.q.clone().unwrap_or_default();
    let number = search.page.unwrap_or(1).max(1);
    let path = format!(
        "/api/customers?q={}&page={number}&per_page=25",
        encoded(q.trim())
    );
    let found = match get(&ctx, &viewer, &path).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let values = json!({
        "q": q,
        "customers": found["items"],
        "total": found["total"],
        "page": number,
        "more": found["total"].as_u64().unwrap_or(0) > u64::from(number) * 25,
        "notice": notice_text(&viewer, search.notice.as_deref()),
    });
    page(
        &ctx,
        &viewer,
        "/customers",
        "customers-title",
        ("pages/customers.html", "fragments/customers.html"),
        values,
    )
    .await
}

/// `GET /customers/new`.
pub async fn new_customer(State(ctx): State<AppContext>, viewer: Viewer) -> Response {
    if let Some(page) = office(&viewer) {
        return page;
    }
    customer_form(&ctx, &viewer, None, no_problem(), StatusCode::OK).await
}

async fn customer_form(
    ctx: &AppContext,
    viewer: &Viewer,
    customer: Option<Value>,
    problem: Value,
    status: StatusCode,
) -> Response {
    let path = customer.as_ref().map_or("/customers/new".to_string(), |c| {
        format!("/customers/{}/edit", c["id"].as_str().unwrap_or_default())
    });
    let values = json!({"customer": customer, "problem": problem});
    page_as(
        ctx,
        viewer,
        &path,
        "customer-form-title",
        ("pages/customer_form.html", "pages/customer_form.html"),
        values,
        status,
    )
    .await
}

/// `POST /customers`: the API's create; the customer's page, or the form
/// again with its errors.
pub async fn create_customer(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    body: Bytes,
) -> Response {
    if let Some(page) = office(&viewer) {
        return page;
    }
    let json = match form::body(&body, CUSTOMER) {
        Ok(json) => json,
        Err(errors) => {
            let answer = form::refusal(&errors);
            let problem = problem("customer", &answer, form::typed(&body));
            return customer_form(
                &ctx,
                &viewer,
                None,
                problem,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let answer = api::call(&ctx, &viewer, Method::POST, "/api/customers", Some(&json)).await;
    if refusal(&answer) {
        let problem = problem("customer", &answer.body, form::typed(&body));
        return customer_form(&ctx, &viewer, None, problem, answer.status).await;
    }
    match answer.ok() {
        Ok(created) => Redirect::to(&format!(
            "/customers/{}?notice=customer-saved",
            created["id"].as_str().unwrap_or_default()
        ))
        .into_response(),
        Err(err) => viewer.fail(err),
    }
}

/// `GET /customers/{id}`: the customer, their vehicles with the service
/// schedule, their repairs, the messages sent to them and their consent.
pub async fn customer(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    Path(id): Path<Uuid>,
    Query(query): Query<NoticeQuery>,
) -> Response {
    if let Some(page) = office(&viewer) {
        return page;
    }
    customer_page(&ctx, &viewer, id, query.notice.as_deref(), no_problem()).await
}

async fn customer_page(
    ctx: &AppContext,
    viewer: &Viewer,
    id: Uuid,
    notice: Option<&str>,
    problem: Value,
) -> Response {
    let customer = match get(ctx, viewer, &format!("/api/customers/{id}")).await {
        Ok(customer) => customer,
        Err(page) => return page,
    };
    let (vehicles, deliveries) = futures_util::future::join(
        get(
            ctx,
            viewer,
            &format!("/api/vehicles?customer_id={id}&per_page=100"),
        ),
        get(
            ctx,
            viewer,
            &format!("/api/customers/{id}/deliveries?per_page=50"),
        ),
    )
    .await;
    let (vehicles, deliveries) = match (vehicles, deliveries) {
        (Ok(vehicles), Ok(deliveries)) => (vehicles, deliveries),
        (Err(page), _) | (_, Err(page)) => return page,
    };
    let mut repairs = Vec::new();
    for vehicle in vehicles["items"].as_array().into_iter().flatten() {
        let vid = vehicle["id"].as_str().unwrap_or_default();
        if let Ok(orders) = get(
            ctx,
            viewer,
            &format!("/api/vehicles/{vid}/repair-orders?per_page=20"),
        )
        .await
        {
            repairs.extend(orders["items"].as_array().cloned().unwrap_or_default());
        }
    }
    repairs.sort_by(|a, b| b["created_at"].as_str().cmp(&a["created_at"].as_str()));
    let status = if problem["form"].is_null() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let values = json!({
        "customer": customer,
        "vehicles": vehicles["items"],
        "repairs": repairs,
        "deliveries": deliveries["items"],
        "notice": notice_text(viewer, notice),
        "problem": problem,
    });
    page_as(
        ctx,
        viewer,
        &format!("/customers/{id}"),
        "customer-title",
        ("pages/customer.html", "pages/customer.html"),
        values,
        status,
    )
    .await
}

/// `GET /customers/{id}/edit`.
pub async fn edit_customer(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    Path(id): Path<Uuid>,
) -> Response {
    if let Some(page) = office(&viewer) {
        return page;
    }
    match get(&ctx, &viewer, &format!("/api/customers/{id}")).await {
        Ok(customer) => {
            customer_form(&ctx, &viewer, Some(customer), no_problem(), StatusCode::OK).await
        }
        Err(page) => page,
    }
}

/// `POST /customers/{id}`: the API's change.
pub async fn update_customer(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Response {
    if let Some(page) = office(&viewer) {
        return page;
    }
    let customer = match get(&ctx, &viewer, &format!("/api/customers/{id}")).await {
        Ok(customer) => customer,
        Err(page) => return page,
    };
    // A field emptied on the form is cleared (one way to reach them must
    // remain, which the API checks).
    let json = match form::edits(&body, CUSTOMER, &["phone", "email", "language"]) {
        Ok(json) => json,
        Err(errors) => {
            let answer = form::refusal(&errors);
            let problem = problem("customer", &answer, form::typed(&body));
            return customer_form(
                &ctx,
                &viewer,
                Some(customer),
                problem,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let path = format!("/api/customers/{id}");
    let answer = api::call(&ctx, &viewer, Method::PATCH, &path, Some(&json)).await;
    if refusal(&answer) {
        let problem = problem("customer", &answer.body, form::typed(&body));
        return customer_form(&ctx, &viewer, Some(customer), problem, answer.status).await;
    }
    match answer.ok() {
        Ok(_) => Redirect::to(&format!("/customers/{id}?notice=customer-saved")).into_response(),
        Err(err) => viewer.fail(err),
    }
}

/// `POST /customers/{id}/vehicles`: a vehicle registered to them.
pub async fn add_vehicle(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Response {
    if let Some(page) = office(&viewer) {
        return page;
    }
    let typed = form::typed(&body);
    let mut json = match form::body(&body, VEHICLE) {
        Ok(json) => json,
        Err(errors) => {
            let answer = form::refusal(&errors);
            return customer_page(&ctx, &viewer, id, None, problem("vehicle", &answer, typed))
                .await;
        }
    };
    json["customer_id"] = json!(id);
    let answer = api::call(&ctx, &viewer, Method::POST, "/api/vehicles", Some(&json)).await;
    if refusal(&answer) {
        return customer_page(
            &ctx,
            &viewer,
            id,
            None,
            problem("vehicle", &answer.body, typed),
        )
        .await;
    }
    match answer.ok() {
        Ok(vehicle) => Redirect::to(&format!(
            "/vehicles/{}?notice=vehicle-saved",
            vehicle["id"].as_str().unwrap_or_default()
        ))
        .into_response(),
        Err(err) => viewer.fail(err),
    }
}

// ---- Vehicles ------------------------------------------------------------

/// `GET /vehicles/{id}`: the vehicle, its schedule, readings and repairs.
pub async fn vehicle(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    Path(id): Path<Uuid>,
    Query(query): Query<NoticeQuery>,
) -> Response {
    if let Some(page) = office(&viewer) {
        return page;
    }
    vehicle_page(&ctx, &viewer, id, query.notice.as_deref(), no_problem()).await
}

async fn vehicle_page(
    ctx: &AppContext,
    viewer: &Viewer,
    id: Uuid,
    notice: Option<&str>,
    problem: Value,
) -> Response {
    let reads = futures_util::future::join3(
        get(ctx, viewer, &format!("/api/vehicles/{id}")),
        get(
            ctx,
            viewer,
            &format!("/api/vehicles/{id}/odometer?per_page=20"),
        ),
        get(
            ctx,
            viewer,
            &format!("/api/vehicles/{id}/repair-orders?per_page=50"),
        ),
    )
    .await;
    let (vehicle, readings, repairs) = match reads {
        (Ok(vehicle), Ok(readings), Ok(repairs)) => (vehicle, readings, repairs),
        (Err(page), ..) | (_, Err(page), _) | (.., Err(page)) => return page,
    };
    let status = if problem["form"].is_null() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let values = json!({
        "vehicle": vehicle,
        "readings": readings["items"],
        "repairs": repairs["items"],
        "notice": notice_text(viewer, notice),
        "problem": problem,
        "sites": viewer.sites.iter().map(|site| json!({"id": site.pid, "name": site.name})).collect::<Vec<_>>(),
    });
    page_as(
        ctx,
        viewer,
        &format!("/vehicles/{id}"),
        "vehicle-title",
        ("pages/vehicle.html", "pages/vehicle.html"),
        values,
        status,
    )
    .await
}

/// `POST /vehicles/{id}/odometer`: a reading.
pub async fn record_reading(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Response {
    if let Some(page) = office(&viewer) {
        return page;
    }
    let typed = form::typed(&body);
    let json = match form::body(&body, READING) {
        Ok(json) => json,
        Err(errors) => {
            let answer = form::refusal(&errors);
            return vehicle_page(&ctx, &viewer, id, None, problem("reading", &answer, typed)).await;
        }
    };
    let path = format!("/api/vehicles/{id}/odometer");
    let answer = api::call(&ctx, &viewer, Method::POST, &path, Some(&json)).await;
    if refusal(&answer) {
        return vehicle_page(
            &ctx,
            &viewer,
            id,
            None,
            problem("reading", &answer.body, typed),
        )
        .await;
    }
    match answer.ok() {
        Ok(_) => Redirect::to(&format!("/vehicles/{id}?notice=reading-saved")).into_response(),
        Err(err) => viewer.fail(err),
    }
}
