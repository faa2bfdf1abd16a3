//! Invoices, the payments against them, and what customers owe.

use axum::{
    http::{header, HeaderValue, StatusCode},
    response::IntoResponse,
};
use loco_rs::prelude::{AppContext, State};
use rust_decimal::Decimal;
use sea_orm::EntityTrait;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;
use uuid::Uuid;

use super::{
    api::ApiRoutes,
    extract::{Ids, JsonBody, QueryParams},
};
use crate::models::values::{Day, Id};
use crate::models::Scoped;
use crate::queue;
use crate::{
    errors::{ApiError, ApiResult, ErrorBody, FieldErrors},
    messages::Messenger,
    models::{
        actor::{Ability, Actor},
        billing::{
            invoices::{self, Filters, Receivables},
            payments::{self, NewPayment},
        },
        customers,
        organization::sites,
        paging::PageParams,
        people::users,
        values::{InvoiceStatus, Money, OptionalText, PaymentMethod},
        workshop::repair_orders,
        Write,
    },
    settings::Settings,
    views::{
        invoices::{
            InvoiceRefs, InvoiceResponse, InvoiceSummary, PaymentRecorded, PaymentResponse,
            ReceivablesResponse,
        },
        page::PageResponse,
        sites::SiteRef,
    },
    workers::deliver_invoice,
};

const REASON_MAX: usize = 500;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InvoiceQuery {
    /// Only this site's invoices.
    pub site_id: Option<Id>,
    pub status: Option<InvoiceStatus>,
    /// Only this customer's invoices.
    pub customer_id: Option<Id>,
    /// Issued on this day or later (the day at the site).
    pub from: Option<Day>,
    /// Issued on this day or earlier.
    pub to: Option<Day>,
    /// Only those with a balance still owed after their due day.
    #[serde(default)]
    pub overdue: bool,
    #[serde(flatten)]
    #[param(ignore)]
    pub paging: PageParams,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReceivablesQuery {
    /// One site's receivables; required when the caller's sites bill in
    /// more than one currency.
    pub site_id: Option<Id>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentParams {
    /// A decimal string, no more than the balance, in the currency's
    /// smallest unit (whole shillings in UGX).
    #[schema(example = "5000.00", pattern = r"^[0-9]{1,12}(\.[0-9]{1,2})?$")]
    pub amount: String,
    pub method: PaymentMethod,
    /// The transaction code for mobile money (required, and never
    /// recorded twice in the organization); a slip or bank reference
    /// otherwise.
    #[schema(example = "SGH7K2LQ9P", max_length = 64)]
    pub reference: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonParams {
    #[schema(example = "card payment bounced", min_length = 1, max_length = 500)]
    pub reason: String,
}

fn reason(raw: &str) -> ApiResult<String> {
    OptionalText::parse(Some(raw), REASON_MAX)
        .map_err(|message| ApiError::invalid("reason", message))?
        .into_inner()
        .ok_or_else(|| ApiError::invalid("reason", "must not be blank"))
}

/// Invoices of the sites the caller works at, newest first.
#[utoipa::path(get, path = "/api/invoices", tag = "invoices", params(InvoiceQuery, PageParams),
    security(("bearer" = [])),
    responses(
        (status = 200, body = PageResponse<InvoiceSummary>),
        (status = 403, body = ErrorBody),
    ))]
async fn list(
    State(ctx): State<AppContext>,
    actor: Actor,
    QueryParams(query): QueryParams<InvoiceQuery>,
) -> ApiResult<impl IntoResponse> {
    actor.authorize(Ability::ManageBilling)?;
    let site =
        sites::Entity::find_optional_for(&ctx.db, &actor, query.site_id.map(Uuid::from)).await?;
    let customer =
        customers::Entity::find_optional_for(&ctx.db, &actor, query.customer_id.map(Uuid::from))
            .await?;
    let (from, to) = super::technicians::checked_period(query.from, query.to)?;
    let page = query.paging.checked()?;
    let filters = Filters {
        site,
        status: query.status,
        customer,
        from,
        to,
        overdue: query.overdue,
    };
    let page = invoices::Model::list_for(&ctx.db, &actor, filters, page).await?;
    let site_ids: Vec<i64> = page.items.iter().map(|invoice| invoice.site_id).collect();
    let sites = sites::Model::by_ids(&ctx.db, actor.organization_id(), &site_ids).await?;
    let customer_ids: Vec<i64> = page
        .items
        .iter()
        .map(|invoice| invoice.customer_id)
        .collect();
    let owners = customers::Model::by_ids(&ctx.db, actor.organization_id(), &customer_ids).await?;
    let page = page.try_map(|invoice| {
        let site = sites
            .iter()
            .find(|site| site.id == invoice.site_id)
            .ok_or_else(|| ApiError::internal("an invoice's site is missing"))?;
        let customer = owners
            .iter()
            .find(|owner| owner.id == invoice.customer_id)
            .map(|owner| owner.pid);
        let today = actor.clock.today_in(site.time_zone());
        InvoiceSummary::new(&invoice, SiteRef::from(site), customer, today)
    })?;
    Ok(axum::Json(PageResponse::from(page)))
}

/// One invoice with its lines and payments.
#[utoipa::path(get, path = "/api/invoices/{id}", tag = "invoices",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses(
        (status = 200, body = InvoiceResponse),
        (status = 403, body = ErrorBody),
    ))]
async fn show(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids(id): Ids<Uuid>,
) -> ApiResult<impl IntoResponse> {
    let invoice = invoices::Entity::find_for(&ctx.db, &actor, id).await?;
    Ok(axum::Json(render(&ctx, &invoice).await?))
}

/// Record a payment: cash, card, mobile money (its transaction code is
/// required, and one code is one payment) or bank transfer. More than the
/// balance is refused (422).
#[utoipa::path(post, path = "/api/invoices/{id}/payments", tag = "invoices",
    request_body = PaymentParams, params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses(
        (status = 201, body = PaymentRecorded),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
    ))]
async fn pay(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids(id): Ids<Uuid>,
    JsonBody(params): JsonBody<PaymentParams>,
) -> ApiResult<impl IntoResponse> {
    let invoice = invoices::Entity::find_for(&ctx.db, &actor, id).await?;
    let mut errors = FieldErrors::default();
    let amount = errors.check("amount", Money::parse(&params.amount));
    if amount.is_some_and(|amount| amount.decimal() <= Decimal::ZERO) {
        errors.add("amount", "must be more than 0");
    }
    let reference = errors
        .check(
            "reference",
            OptionalText::parse(params.reference.as_deref(), 64),
        )
        .and_then(OptionalText::into_inner);
    errors.finish()?;
    let Some(amount) = amount else {
        return Err(ApiError::internal("a checked payment lost its amount"));
    };
    let txn = Write::begin(&ctx.db).await?;
    let (payment, invoice) = payments::Model::record(
        &txn,
        &actor,
        &invoice,
        NewPayment {
            amount: amount.decimal(),
            method: params.method,
            reference,
        },
    )
    .await?;
    txn.commit().await?;
    let people = users::Model::names_by_id(&ctx.db, &[payment.received_by]).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(PaymentRecorded {
            payment: PaymentResponse::new(&payment, &people)?,
            invoice: render(&ctx, &invoice).await?,
        }),
    ))
}

/// Reverse a payment (a bounced card, a mistaken amount), with the reason.
/// It stays on the invoice, marked reversed; it is never deleted.
#[utoipa::path(post, path = "/api/invoices/{id}/payments/{payment_id}/reverse", tag = "invoices",
    request_body = ReasonParams,
    params(("id" = Uuid, Path), ("payment_id" = Uuid, Path)), security(("bearer" = [])),
    responses(
        (status = 200, body = PaymentRecorded),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
    ))]
async fn reverse(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids((id, payment_id)): Ids<(Uuid, Uuid)>,
    JsonBody(params): JsonBody<ReasonParams>,
) -> ApiResult<impl IntoResponse> {
    let invoice = invoices::Entity::find_for(&ctx.db, &actor, id).await?;
    let reason = reason(&params.reason)?;
    let txn = Write::begin(&ctx.db).await?;
    let (payment, invoice) =
        payments::Model::reverse(&txn, &actor, &invoice, payment_id, reason).await?;
    txn.commit().await?;
    let people = users::Model::names_by_id(
        &ctx.db,
        &[Some(payment.received_by), payment.reversed_by]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>(),
    )
    .await?;
    Ok(axum::Json(PaymentRecorded {
        payment: PaymentResponse::new(&payment, &people)?,
        invoice: render(&ctx, &invoice).await?,
    }))
}

/// Void the invoice, with the reason. It keeps its number (numbers have no
/// gaps); its payments must be reversed first.
#[utoipa::path(post, path = "/api/invoices/{id}/void", tag = "invoices",
    request_body = ReasonParams, params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses(
        (status = 200, body = InvoiceResponse),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
    ))]
async fn void(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids(id): Ids<Uuid>,
    JsonBody(params): JsonBody<ReasonParams>,
) -> ApiResult<impl IntoResponse> {
    let invoice = invoices::Entity::find_for(&ctx.db, &actor, id).await?;
    let reason = reason(&params.reason)?;
    let txn = Write::begin(&ctx.db).await?;
    let invoice = invoice.void(&txn, &actor, reason).await?;
    txn.commit().await?;
    Ok(axum::Json(render(&ctx, &invoice).await?))
}

/// The invoice as an A4 PDF: the branch, the customer and vehicle, every
/// line, the totals, what was paid and how to pay the rest.
#[utoipa::path(get, path = "/api/invoices/{id}/pdf", tag = "invoices",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses(
        (status = 200, description = "The invoice", content_type = "application/pdf", body = crate::views::invoices::PdfFile),
        (status = 403, body = ErrorBody),
    ))]
async fn pdf(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids(id): Ids<Uuid>,
) -> ApiResult<impl IntoResponse> {
    let invoice = invoices::Entity::find_for(&ctx.db, &actor, id).await?;
    let site = sites::Entity::find_by_id(invoice.site_id)
        .one(&ctx.db)
        .await?
        .ok_or_else(|| ApiError::internal("an invoice's site is missing"))?;
    let bytes = Messenger::of(&ctx)?
        .pdf()
        .invoice(&ctx.db, actor.clock.today_in(site.time_zone()), &invoice)
        .await?;
    Ok(pdf_file(&invoice.number, bytes, true))
}

/// An invoice's PDF as a response: shown in the browser (`inline`) or
/// saved (an attachment), named after its number, kept by no cache.
#[must_use]
pub fn pdf_file(number: &str, bytes: Vec<u8>, inline: bool) -> axum::response::Response {
    let how = if inline { "inline" } else { "attachment" };
    let disposition = format!("{how}; filename=\"{number}.pdf\"");
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/pdf"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition).unwrap_or(HeaderValue::from_static("inline")),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-cache"),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// What customers owe, by age: 0–30, 31–60, 61–90 and over 90 days since
/// the invoice was issued, per customer and in total.
#[utoipa::path(get, path = "/api/invoices/receivables", tag = "invoices",
    params(ReceivablesQuery), security(("bearer" = [])),
    responses(
        (status = 200, body = ReceivablesResponse),
        (status = 403, body = ErrorBody),
    ))]
async fn receivables(
    State(ctx): State<AppContext>,
    actor: Actor,
    QueryParams(query): QueryParams<ReceivablesQuery>,
) -> ApiResult<impl IntoResponse> {
    actor.authorize(Ability::ManageBilling)?;
    let site =
        sites::Entity::find_optional_for(&ctx.db, &actor, query.site_id.map(Uuid::from)).await?;
    let receivables = Receivables::of(&ctx.db, &actor, site.as_ref()).await?;
    Ok(axum::Json(ReceivablesResponse::from(receivables)))
}

/// The whole invoice, with the names and public ids it refers to.
pub(crate) async fn render(
    ctx: &AppContext,
    invoice: &invoices::Model,
) -> ApiResult<InvoiceResponse> {
    let db = &ctx.db;
    let lines = invoice.lines(db).await?;
    let payments = payments::Model::of_invoice(db, invoice).await?;
    let site = sites::Entity::find_by_id(invoice.site_id)
        .one(db)
        .await?
        .ok_or_else(|| ApiError::internal("an invoice's site is missing"))?;
    let customer = customers::Entity::find_by_id(invoice.customer_id)
        .one(db)
        .await?
        .map(|customer| customer.pid);
    let order = repair_orders::Entity::find_by_id(invoice.repair_order_id)
        .one(db)
        .await?
        .ok_or_else(|| ApiError::internal("an invoice's order is missing"))?;
    let people_ids: Vec<i64> = [Some(invoice.issued_by), invoice.voided_by]
        .into_iter()
        .flatten()
        .chain(payments.iter().map(|payment| payment.received_by))
        .chain(payments.iter().filter_map(|payment| payment.reversed_by))
        .collect();
    let people = users::Model::names_by_id(db, &people_ids).await?;
    InvoiceResponse::new(
        invoice,
        &lines,
        &payments,
        &InvoiceRefs {
            site: SiteRef::from(&site),
            customer_id: customer,
            repair_order_id: order.pid,
            people: &people,
            today: Settings::clock_of(ctx).today_in(site.time_zone()),
        },
    )
}

/// What `send` answers: the request is recorded and the email queued.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct InvoiceSendQueued {
    pub invoice_id: Uuid,
    /// When the send was asked for; the deliveries ledger keeps one
    /// delivery per request.
    #[serde(serialize_with = "crate::views::time::rfc3339")]
    pub requested_at: chrono::DateTime<chrono::FixedOffset>,
}

/// Email the invoice to its customer again, the PDF attached: queued, 202.
/// Sent once per request whatever retries; a customer without an email
/// address is recorded as skipped.
#[utoipa::path(post, path = "/api/invoices/{id}/send", tag = "invoices",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses(
        (status = 202, body = InvoiceSendQueued),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
    ))]
async fn send(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids(id): Ids<Uuid>,
) -> ApiResult<impl IntoResponse> {
    let invoice = invoices::Entity::find_for(&ctx.db, &actor, id).await?;
    let txn = Write::begin(&ctx.db).await?;
    let invoice = invoice.request_send(&txn, &actor).await?;
    deliver_invoice::later(&txn, invoice.pid).await?;
    txn.commit().await?;
    queue::kick(&ctx).await;
    let requested_at = invoice
        .send_requested_at
        .ok_or_else(|| ApiError::internal("the send request was not recorded"))?;
    Ok((
        StatusCode::ACCEPTED,
        axum::Json(InvoiceSendQueued {
            invoice_id: invoice.pid,
            requested_at,
        }),
    ))
}

pub fn routes() -> ApiRoutes {
    ApiRoutes::new("invoices")
        .route(routes!(list))
        .route(routes!(receivables))
        .route(routes!(show))
        .route(routes!(pdf))
        .route(routes!(pay))
        .route(routes!(reverse))
        .route(routes!(void))
        .route(routes!(send))
}
