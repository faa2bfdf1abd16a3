//! The office's money: invoices found by branch, status, day and
//! customer; an invoice with its lines, payments and balance, where a
//! payment is recorded or reversed, the invoice voided, its PDF downloaded
//! or sent again; and what customers owe, by age. Every change is the API's
//! (`/api/invoices/…`), with its rules: a mobile-money code used before is
//! refused next to the field.

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
    desk::{
        encoded, get, given, list_query, no_problem, page_number, problem, refusal, NoticeQuery,
    },
    form::{self, Shape},
    notice_text, page, page_as, Viewer,
};
use crate::{errors::ApiError, models::actor::Ability};

/// Money is for those who deal with it (owners, managers, the front desk);
/// to anyone else these pages do not exist.
fn cashier(viewer: &Viewer) -> Option<Response> {
    (!viewer.actor.can(Ability::ManageBilling)).then(|| viewer.fail(ApiError::NotFound("page")))
}

#[derive(Debug, Default, Deserialize)]
pub struct InvoiceFilter {
    #[serde(default)]
    site_id: Option<String>,
    /// An invoice status, or `overdue`.
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
    #[serde(default)]
    customer_id: Option<String>,
    #[serde(default)]
    page: Option<String>,
}

/// What the list can be narrowed to, besides a branch and days.
const STATUSES: [&str; 5] = ["overdue", "issued", "partially_paid", "paid", "void"];

/// The API's query for the list's filter and page, and the filter alone
/// for the page's links (the pager's): `status=overdue` is the API's
/// `overdue=true`.
fn api_query(filter: &InvoiceFilter, page_number: u64) -> (String, String) {
    let mut kept: Vec<(&str, &str)> = [
        ("site_id", given(filter.site_id.as_ref())),
        ("from", given(filter.from.as_ref())),
        ("to", given(filter.to.as_ref())),
        ("customer_id", given(filter.customer_id.as_ref())),
    ]
    .into_iter()
    .filter_map(|(name, value)| value.map(|value| (name, value)))
    .collect();
    let mut api = kept.clone();
    match given(filter.status.as_ref()) {
        Some("overdue") => {
            api.push(("overdue", "true"));
            kept.push(("status", "overdue"));
        }
        Some(status) if STATUSES.contains(&status) => {
            api.push(("status", status));
            kept.push(("status", status));
        }
        _ => {}
    }
    list_query(&api, &kept, page_number)
}

/// `GET /invoices`.
pub async fn invoices(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    Query(filter): Query<InvoiceFilter>,
) -> Response {
    if let Some(page) = cashier(&viewer) {
        return page;
    }
    let page_number = page_number(filter.page.as_ref());
    let (query, kept) = api_query(&filter, page_number);
    let answer = api::call(
        &ctx,
        &viewer,
        Method::GET,
        &format!("/api/invoices?{query}"),
        None,
    )
    .await;
    // A filter the API refuses (a day that is not one, `from` after `to`)
    // is said above an empty list, with what was typed kept.
    let (listed, problem) = if refusal(&answer) {
        let problem = problem("filter", &answer.body, json!({}));
        (
            json!({"items": [], "total": 0, "page": 1, "per_page": 50}),
            problem,
        )
    } else {
        match answer.ok() {
            Ok(listed) => (listed, no_problem()),
            Err(err) => return viewer.fail(err),
        }
    };
    let customer = match given(filter.customer_id.as_ref()) {
        Some(id) => get(&ctx, &viewer, &format!("/api/customers/{}", encoded(id)))
            .await
            .ok(),
        None => None,
    };
    let total = listed["total"].as_u64().unwrap_or_default();
    let pages = total.div_ceil(50).max(1);
    let values = json!({
        "invoices": listed["items"],
        "total": total,
        "page_number": page_number,
        "pages": pages,
        "kept": kept,
        "statuses": STATUSES,
        "filter": {
            "site_id": given(filter.site_id.as_ref()),
            "status": given(filter.status.as_ref()),
            "from": given(filter.from.as_ref()),
            "to": given(filter.to.as_ref()),
            "customer_id": given(filter.customer_id.as_ref()),
        },
        "customer": customer,
        "problem": problem,
    });
    page(
        &ctx,
        &viewer,
        "/invoices",
        "invoices-title",
        ("pages/invoices.html", "fragments/invoices.html"),
        values,
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
pub struct BranchQuery {
    #[serde(default)]
    site_id: Option<String>,
}

/// `GET /invoices/receivables`: what customers owe, by age, for one
/// branch or all (when they bill in one currency).
pub async fn receivables(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    Query(query): Query<BranchQuery>,
) -> Response {
    if let Some(page) = cashier(&viewer) {
        return page;
    }
    let chosen = given(query.site_id.as_ref()).map(str::to_string);
    let path = chosen.as_ref().map_or_else(
        || "/api/invoices/receivables".to_string(),
        |id| format!("/api/invoices/receivables?site_id={}", encoded(id)),
    );
    let answer = api::call(&ctx, &viewer, Method::GET, &path, None).await;
    // Branches billing in several currencies cannot be added up: the page
    // asks for one.
    let (owed, mixed) = if answer.status == StatusCode::UNPROCESSABLE_ENTITY && chosen.is_none() {
        (Value::Null, true)
    } else {
        match answer.ok() {
            Ok(owed) => (owed, false),
            Err(err) => return viewer.fail(err),
        }
    };
    let values = json!({
        "owed": owed,
        "mixed": mixed,
        "chosen": chosen,
    });
    page(
        &ctx,
        &viewer,
        "/invoices/receivables",
        "receivables-title",
        ("pages/receivables.html", "fragments/receivables.html"),
        values,
    )
    .await
}

/// `GET /invoices/{id}`.
pub async fn invoice(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    Path(id): Path<Uuid>,
    Query(query): Query<NoticeQuery>,
) -> Response {
    if let Some(page) = cashier(&viewer) {
        return page;
    }
    invoice_page(
        &ctx,
        &viewer,
        id,
        query.notice.as_deref(),
        no_problem(),
        StatusCode::OK,
    )
    .await
}

async fn invoice_page(
    ctx: &AppContext,
    viewer: &Viewer,
    id: Uuid,
    notice: Option<&str>,
    problem: Value,
    status: StatusCode,
) -> Response {
    let invoice = match get(ctx, viewer, &format!("/api/invoices/{id}")).await {
        Ok(invoice) => invoice,
        Err(page) => return page,
    };
    let state = invoice["status"].as_str().unwrap_or_default();
    let open = matches!(state, "issued" | "partially_paid");
    let values = json!({
        "invoice": invoice,
        "open": open,
        "voidable": state != "void",
        "methods": ["cash", "mobile_money", "card", "bank_transfer"],
        "notice": notice_text(viewer, notice),
        "problem": problem,
    });
    page_as(
        ctx,
        viewer,
        &format!("/invoices/{id}"),
        "invoice-title",
        ("pages/invoice.html", "fragments/invoice.html"),
        values,
        status,
    )
    .await
}

/// Sends a change to the API for the invoice page; a refusal comes back
/// as the page with the form's errors and what was typed.
async fn invoice_change(
    ctx: &AppContext,
    viewer: &Viewer,
    id: Uuid,
    (form_name, done): (&str, &str),
    path: &str,
    body: &Bytes,
) -> Response {
    let typed = form::typed(body);
    let mut json = form::body(body, PLAIN).unwrap_or_default();
    // An amount is typed as people write it: `5,000`.
    if let Some(Value::String(amount)) = json.get_mut("amount") {
        amount.retain(|c| c != ',' && !c.is_whitespace());
    }
    let answer = api::call(ctx, viewer, Method::POST, path, Some(&json)).await;
    if refusal(&answer) {
        let status = answer.status;
        let problem = problem(form_name, &answer.body, typed);
        return invoice_page(ctx, viewer, id, None, problem, status).await;
    }
    match answer.ok() {
        Ok(_) => Redirect::to(&format!("/invoices/{id}?notice={done}")).into_response(),
        Err(err) => viewer.fail(err),
    }
}

const PLAIN: Shape = Shape {
    numbers: &[],
    flags: &[],
    lists: &[],
    skip: &[],
};

/// `POST /invoices/{id}/payments` (record one), `/void` (with a reason),
/// `/send` (to the customer again).
pub async fn act(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    Path((id, action)): Path<(Uuid, String)>,
    body: Bytes,
) -> Response {
    if let Some(page) = cashier(&viewer) {
        return page;
    }
    let (form_name, done) = match action.as_str() {
        "payments" => ("payment", "payment-recorded"),
        "void" => ("void", "invoice-voided"),
        "send" => ("send", "invoice-sent"),
        _ => return viewer.fail(ApiError::NotFound("page")),
    };
    invoice_change(
        &ctx,
        &viewer,
        id,
        (form_name, done),
        &format!("/api/invoices/{id}/{action}"),
        &body,
    )
    .await
}

/// `POST /invoices/{id}/payments/{payment_id}/reverse`.
pub async fn reverse_payment(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    Path((id, payment)): Path<(Uuid, Uuid)>,
    body: Bytes,
) -> Response {
    if let Some(page) = cashier(&viewer) {
        return page;
    }
    invoice_change(
        &ctx,
        &viewer,
        id,
        (&format!("reverse-{payment}"), "payment-reversed"),
        &format!("/api/invoices/{id}/payments/{payment}/reverse"),
        &body,
    )
    .await
}

/// `GET /invoices/{id}/pdf`: the API's PDF, as the customer gets it.
pub async fn pdf(State(ctx): State<AppContext>, viewer: Viewer, Path(id): Path<Uuid>) -> Response {
    if let Some(page) = cashier(&viewer) {
        return page;
    }
    let response = api::raw(&ctx, &viewer, &format!("/api/invoices/{id}/pdf")).await;
    if response.status().is_success() {
        response
    } else {
        viewer.fail(ApiError::NotFound("page"))
    }
}
