//! The customer's own API (`/api/portal`), the page `/portal`'s twin for
//! apps: ask for a one-time link, trade it for a session token, then read
//! what is theirs, decide their estimates (the estimate page's own code
//! path), set their language and consent, and ask to be erased.
//!
//! The session token is not a staff token: it opens `/api/portal` only,
//! and staff tokens open nothing here.

use axum::{
    http::{request::Parts, StatusCode},
    response::{IntoResponse, Response},
};
use chrono::{DateTime, FixedOffset};
use loco_rs::prelude::{AppContext, State};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::routes;
use uuid::Uuid;

use super::{
    api::ApiRoutes,
    extract::{nullable, Ids, JsonBody},
};
use crate::{
    errors::{ApiError, ApiResult, ErrorBody, FieldErrors},
    messages::{links::Purpose, Messenger},
    models::{
        _entities::repair_orders,
        clock::Clock,
        customers::portal::{self, Contact, Portal, Preferences, SESSION_LASTS},
        error::{DomainError, DomainResult},
        people::users::Origin,
        values::{Approval, LanguageCode},
        workshop::estimates,
        Write,
    },
    settings::Settings,
    views::{
        invoices::InvoiceResponse,
        portal::{PortalCustomer, PortalResponse},
    },
};

/// A customer calling with their session token.
pub struct PortalCaller {
    pub portal: Portal,
    pub clock: Clock,
}

/// The customer a session token names (the page's cookie or the API's
/// bearer token: the same token), while the session lasts.
///
/// # Errors
/// `NotFound` for a token that is forged or expired, or a session that
/// ended.
pub async fn session_of(ctx: &AppContext, clock: Clock, token: &str) -> DomainResult<Portal> {
    let pid = Messenger::of(ctx)
        .map_err(DomainError::internal)?
        .links()
        .open(Purpose::PortalSession, token, clock.now())
        .ok_or(DomainError::NotFound("link"))?;
    portal::session(&ctx.db, clock, pid).await
}

/// Signs in with a link's token, once: the customer and the session token
/// that now names them (`session_of`), which lasts `SESSION_LASTS`.
///
/// # Errors
/// `NotFound` for a link that is forged, used or expired.
pub async fn trade(ctx: &AppContext, clock: Clock, token: &str) -> DomainResult<(Portal, String)> {
    let messenger = Messenger::of(ctx).map_err(DomainError::internal)?;
    let pid = messenger
        .links()
        .open(Purpose::Portal, token, clock.now())
        .ok_or(DomainError::NotFound("link"))?;
    let txn = Write::begin(&ctx.db).await?;
    let portal = portal::sign_in(&txn, clock, pid).await?;
    txn.commit().await?;
    let session = messenger.links().token(
        Purpose::PortalSession,
        portal.link.pid,
        clock.now() + SESSION_LASTS,
    );
    Ok((portal, session))
}

impl axum::extract::FromRequestParts<AppContext> for PortalCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, ctx: &AppContext) -> ApiResult<Self> {
        let unauthorized =
            || ApiError::Unauthorized("sign in with a link from /api/portal/links".to_string());
        let token = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or_else(unauthorized)?;
        let clock = Settings::clock_of(ctx);
        match session_of(ctx, clock, token).await {
            Ok(portal) => Ok(Self { portal, clock }),
            Err(DomainError::NotFound(_)) => Err(ApiError::Unauthorized(
                "the session has ended, or the token is not valid; ask for a new link".to_string(),
            )),
            Err(err) => Err(err.into()),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkParams {
    /// The email address or phone number the workshop has on file
    /// (international, or national in Kenya, Uganda or Tanzania).
    #[schema(example = "+254712345678", max_length = 254)]
    pub contact: String,
}

/// What asking for a link answers, whoever has the contact.
#[derive(Debug, Serialize, ToSchema)]
pub struct LinkRequested {
    #[schema(example = "if the contact is on file, a link is on its way")]
    pub message: String,
    /// How long the link works, once.
    pub valid_for_minutes: i64,
}

/// Ask for a one-time sign-in link, sent to the contact if a workshop has
/// it on file. The answer is the same whether it does; asking is throttled
/// per contact and per address alike.
#[utoipa::path(post, path = "/api/portal/links", tag = "portal", request_body = LinkParams,
    responses(
        (status = 202, body = LinkRequested),
        (status = 422, body = ErrorBody), (status = 429, body = ErrorBody),
    ))]
async fn ask(
    State(ctx): State<AppContext>,
    origin: Origin,
    JsonBody(params): JsonBody<LinkParams>,
) -> ApiResult<impl IntoResponse> {
    let contact =
        Contact::parse(&params.contact).map_err(|message| ApiError::invalid("contact", message))?;
    let txn = Write::begin(&ctx.db).await?;
    portal::request_link(&txn, &origin, &contact).await?;
    txn.commit().await?;
    crate::queue::kick(&ctx).await;
    Ok((
        StatusCode::ACCEPTED,
        axum::Json(LinkRequested {
            message: "if the contact is on file, a link is on its way".to_string(),
            valid_for_minutes: portal::LINK_VALID_FOR.num_minutes(),
        }),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionParams {
    /// The token of the link (`/p/{token}`), which works once.
    #[schema(max_length = 64)]
    pub token: String,
}

/// A session: the bearer token for `/api/portal`.
#[derive(Debug, Serialize, ToSchema)]
pub struct PortalSession {
    pub token: String,
    #[serde(serialize_with = "crate::views::time::rfc3339")]
    pub expires_at: DateTime<FixedOffset>,
    pub customer: PortalCustomer,
}

/// Trade a link's token for a session token, once: of any number of
/// requests with one link, exactly one gets a session.
#[utoipa::path(post, path = "/api/portal/sessions", tag = "portal", request_body = SessionParams,
    responses(
        (status = 201, body = PortalSession),
        (status = 401, body = ErrorBody), (status = 422, body = ErrorBody),
    ))]
async fn sign_in(
    State(ctx): State<AppContext>,
    JsonBody(params): JsonBody<SessionParams>,
) -> ApiResult<impl IntoResponse> {
    let clock = Settings::clock_of(&ctx);
    let (portal, token) = match trade(&ctx, clock, &params.token).await {
        Ok(signed_in) => signed_in,
        Err(DomainError::NotFound(_)) => {
            return Err(ApiError::Unauthorized(
                "the link was used already, has expired, or is not valid; ask for a new one"
                    .to_string(),
            ))
        }
        Err(err) => return Err(err.into()),
    };
    Ok((
        StatusCode::CREATED,
        axum::Json(PortalSession {
            token,
            expires_at: (clock.now() + SESSION_LASTS).fixed_offset(),
            customer: PortalCustomer::new(&portal),
        }),
    ))
}

/// End the session.
#[utoipa::path(delete, path = "/api/portal/session", tag = "portal", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody)))]
async fn sign_out(State(ctx): State<AppContext>, caller: PortalCaller) -> ApiResult<Response> {
    portal::sign_out(&ctx.db, caller.clock, caller.portal.link.pid).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Everything of theirs: vehicles and when each is due for a service, the
/// repair each is in, estimates waiting for their word, invoices, messages.
#[utoipa::path(get, path = "/api/portal", tag = "portal", security(("bearer" = [])),
    responses((status = 200, body = PortalResponse), (status = 401, body = ErrorBody)))]
async fn show(State(ctx): State<AppContext>, caller: PortalCaller) -> ApiResult<impl IntoResponse> {
    let messenger = Messenger::of(&ctx).map_err(ApiError::internal)?;
    let shown =
        PortalResponse::of(&ctx.db, messenger.links(), caller.clock, &caller.portal).await?;
    Ok(axum::Json(shown))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreferencesParams {
    /// `null`: their branch's language.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<LanguageCode>)]
    pub language: Option<Option<LanguageCode>>,
    /// Whether they hear of offers; recorded as their own consent, on the
    /// web, now.
    pub marketing_opt_in: Option<bool>,
}

/// Change their language or their consent to offers.
#[utoipa::path(patch, path = "/api/portal", tag = "portal", request_body = PreferencesParams,
    security(("bearer" = [])),
    responses(
        (status = 200, body = PortalCustomer),
        (status = 401, body = ErrorBody), (status = 422, body = ErrorBody),
    ))]
async fn update(
    State(ctx): State<AppContext>,
    caller: PortalCaller,
    JsonBody(params): JsonBody<PreferencesParams>,
) -> ApiResult<impl IntoResponse> {
    let txn = Write::begin(&ctx.db).await?;
    let customer = caller
        .portal
        .set_preferences(
            &txn,
            caller.clock,
            Preferences {
                language: params.language,
                marketing_opt_in: params.marketing_opt_in,
            },
        )
        .await?;
    txn.commit().await?;
    Ok(axum::Json(PortalCustomer::new(&Portal {
        customer,
        ..caller.portal
    })))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ErasureParams {
    /// `true`: they mean it. Nothing else erases.
    pub confirm: bool,
}

/// Erase their personal data, as staff would (`DELETE /api/customers/{id}`),
/// and end every session of theirs.
#[utoipa::path(post, path = "/api/portal/erasure", tag = "portal", request_body = ErasureParams,
    security(("bearer" = [])),
    responses(
        (status = 204), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody),
    ))]
async fn erase(
    State(ctx): State<AppContext>,
    caller: PortalCaller,
    JsonBody(params): JsonBody<ErasureParams>,
) -> ApiResult<Response> {
    if !params.confirm {
        return Err(ApiError::invalid(
            "confirm",
            "must be true: nothing is erased otherwise",
        ));
    }
    let txn = Write::begin(&ctx.db).await?;
    caller.portal.erase(&txn, caller.clock).await?;
    txn.commit().await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// One of their invoices, with its lines, payments and how to pay.
#[utoipa::path(get, path = "/api/portal/invoices/{id}", tag = "portal",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses(
        (status = 200, body = InvoiceResponse),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
    ))]
async fn invoice(
    State(ctx): State<AppContext>,
    caller: PortalCaller,
    Ids(id): Ids<Uuid>,
) -> ApiResult<impl IntoResponse> {
    let invoice = caller.portal.invoice(&ctx.db, id).await?;
    Ok(axum::Json(super::invoices::render(&ctx, &invoice).await?))
}

/// One of their invoices as the PDF they were sent.
#[utoipa::path(get, path = "/api/portal/invoices/{id}/pdf", tag = "portal",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses(
        (status = 200, content_type = "application/pdf", body = crate::views::invoices::PdfFile),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
    ))]
async fn invoice_pdf(
    State(ctx): State<AppContext>,
    caller: PortalCaller,
    Ids(id): Ids<Uuid>,
) -> ApiResult<Response> {
    let invoice = caller.portal.invoice(&ctx.db, id).await?;
    let today = caller.clock.today_in(caller.portal.site.time_zone());
    let bytes = Messenger::of(&ctx)
        .map_err(ApiError::internal)?
        .pdf()
        .invoice(&ctx.db, today, &invoice)
        .await?;
    Ok(super::invoices::pdf_file(&invoice.number, bytes, false))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LineDecision {
    pub line_id: Uuid,
    /// `approved` or `declined`.
    pub decision: Approval,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionParams {
    #[schema(min_items = 1)]
    pub decisions: Vec<LineDecision>,
    #[schema(max_length = 500)]
    pub note: Option<String>,
}

/// Approve or decline lines of an estimate of theirs, as on the estimate's
/// page: the same rules, the same record, the same news to the workshop.
#[utoipa::path(post, path = "/api/portal/estimates/{id}/decisions", tag = "portal",
    request_body = DecisionParams, params(("id" = Uuid, Path, description = "the repair order")),
    security(("bearer" = [])),
    responses(
        (status = 200, body = PortalResponse),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
    ))]
async fn decide(
    State(ctx): State<AppContext>,
    caller: PortalCaller,
    Ids(id): Ids<Uuid>,
    JsonBody(params): JsonBody<DecisionParams>,
) -> ApiResult<impl IntoResponse> {
    let mut errors = FieldErrors::default();
    if params.decisions.is_empty() {
        errors.add("decisions", "decide at least one line");
    }
    if params
        .decisions
        .iter()
        .any(|line| line.decision == Approval::Pending)
    {
        errors.add("decisions", "each decision is approved or declined");
    }
    let note = params
        .note
        .map(|note| note.trim().to_string())
        .filter(|note| !note.is_empty());
    if note.as_ref().is_some_and(|note| note.chars().count() > 500) {
        errors.add("note", "at most 500 characters");
    }
    errors.finish()?;
    let order = repair_orders::Entity::find()
        .filter(repair_orders::Column::Pid.eq(id))
        .filter(repair_orders::Column::CustomerId.eq(caller.portal.customer.id))
        .filter(repair_orders::Column::EstimateRequestedAt.is_not_null())
        .one(&ctx.db)
        .await?
        .ok_or(ApiError::NotFound("estimate"))?;
    let decisions: Vec<(Uuid, Approval)> = params
        .decisions
        .iter()
        .map(|line| (line.line_id, line.decision))
        .collect();
    let txn = Write::begin(&ctx.db).await?;
    estimates::decide(&txn, caller.clock, order.pid, &decisions, note).await?;
    txn.commit().await?;
    let messenger = Messenger::of(&ctx).map_err(ApiError::internal)?;
    let shown =
        PortalResponse::of(&ctx.db, messenger.links(), caller.clock, &caller.portal).await?;
    Ok(axum::Json(shown))
}

pub fn routes() -> ApiRoutes {
    ApiRoutes::new("portal")
        .route(routes!(show, update))
        .route(routes!(ask))
        .route(routes!(sign_in))
        .route(routes!(sign_out))
        .route(routes!(erase))
        .route(routes!(invoice))
        .route(routes!(invoice_pdf))
        .route(routes!(decide))
}
