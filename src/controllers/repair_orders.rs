//! Repair orders, the queue technicians claim from, and the work recorded
//! on each order.

use std::collections::{HashMap, HashSet};

use axum::{
    body::Bytes,
    extract::{multipart::MultipartRejection, DefaultBodyLimit, Multipart},
    http::{header, HeaderValue, StatusCode},
    response::IntoResponse,
};
use loco_rs::{
    prelude::{AppContext, State},
    storage::stream::BytesStream,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;
use uuid::Uuid;

use super::api::ApiRoutes;
use super::extract::{nullable, Ids, JsonBody, QueryParams};
use crate::models::values::Id;
use crate::models::Scoped;
use crate::queue;
use crate::{
    errors::{ApiError, ApiResult, ErrorBody, FieldErrors},
    models::{
        actor::{Ability, Actor},
        billing::invoices,
        customers::vehicles,
        organization::sites,
        paging::PageParams,
        people::{roles::Role, skills, users},
        stock::products,
        values::{
            Approval, CurrencyCode, Hours, Money, OptionalText, Priority, Quantity, RepairStatus,
        },
        workshop::{
            attachments::{self, Upload},
            comebacks, estimates,
            labor_lines::{self, NewLaborLine},
            office_changes, part_lines, repair_order_events, repair_order_notes,
            repair_orders::{self, Filters, NewRepairOrder, Revision},
        },
        Write,
    },
    settings::Settings,
    views::{
        page::PageResponse,
        repair_orders::{
            AttachmentResponse, HistoryEntryResponse, InvoiceRef, LaborLineResponse, NoteResponse,
            OfficeChangeResponse, OrderLines, PartLineResponse, RepairOrderDetail,
            RepairOrderResponse,
        },
    },
    workers::{deliver_invoice, repair_status_update},
};

const TEXT_MAX: usize = 4000;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRepairOrderParams {
    pub site_id: Id,
    pub vehicle_id: Id,
    #[schema(example = "Replace front brake pads")]
    #[schema(min_length = 1, max_length = 4000, pattern = r"\S")]
    pub description: String,
    /// The customer's complaint, in their words.
    #[schema(max_length = 4000)]
    pub complaint: Option<String>,
    /// `low`, `normal` (default), `high` or `urgent`.
    pub priority: Option<Priority>,
    /// The odometer at intake; recorded in the vehicle's history.
    #[schema(minimum = 0, maximum = 5_000_000)]
    pub odometer_km: Option<i64>,
    /// Skills of the organization's list (`GET /api/skills`) a technician
    /// needs to claim or be assigned the order.
    #[serde(default)]
    #[schema(max_items = 30, example = json!(["hybrid"]))]
    pub required_skills: Vec<String>,
}

impl CreateRepairOrderParams {
    fn parse(self) -> ApiResult<NewRepairOrder> {
        let mut errors = FieldErrors::default();
        let description = errors.check("description", required_text(&self.description, TEXT_MAX));
        let complaint = errors.check(
            "complaint",
            OptionalText::parse(self.complaint.as_deref(), TEXT_MAX),
        );
        if self
            .odometer_km
            .is_some_and(|km| !(0..=5_000_000).contains(&km))
        {
            errors.add("odometer_km", "must be between 0 and 5000000");
        }
        match (description, complaint) {
            (Some(description), Some(complaint)) if errors.is_empty() => Ok(NewRepairOrder {
                site_id: self.site_id.0,
                vehicle_id: self.vehicle_id.0,
                description,
                complaint: complaint.into_inner(),
                priority: self.priority.unwrap_or_default(),
                odometer_km: self.odometer_km,
                required_skills: self.required_skills,
            }),
            _ => Err(ApiError::Validation(errors)),
        }
    }
}

fn required_text(raw: &str, max_chars: usize) -> Result<String, String> {
    OptionalText::parse(Some(raw), max_chars)?
        .into_inner()
        .ok_or_else(|| "must not be blank".to_string())
}

/// What may change on an order after it is opened.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateRepairOrderParams {
    /// What the job is.
    #[schema(min_length = 1, max_length = 4000, pattern = r"\S")]
    pub description: Option<String>,
    /// The customer's complaint, in their words; `null` or blank: none.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 4000)]
    pub complaint: Option<Option<String>>,
    pub priority: Option<Priority>,
    /// The skills a technician needs to take it; `[]`: none.
    #[schema(max_items = 30, example = json!(["electrical", "diagnostics"]))]
    pub required_skills: Option<Vec<String>>,
}

impl UpdateRepairOrderParams {
    fn revision(&self) -> ApiResult<Revision> {
        let mut errors = FieldErrors::default();
        let description = self.description.as_deref().and_then(|description| {
            errors.check("description", required_text(description, TEXT_MAX))
        });
        let complaint = self.complaint.as_ref().and_then(|complaint| {
            errors
                .check(
                    "complaint",
                    OptionalText::parse(complaint.as_deref(), TEXT_MAX),
                )
                .map(OptionalText::into_inner)
        });
        if errors.is_empty() {
            Ok(Revision {
                description,
                complaint,
                priority: self.priority,
            })
        } else {
            Err(ApiError::Validation(errors))
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignParams {
    pub technician_id: Id,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionParams {
    pub to: RepairStatus,
    #[schema(max_length = 4000)]
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LaborParams {
    #[schema(example = "Replace front brake pads")]
    #[schema(min_length = 1, max_length = 4000, pattern = r"\S")]
    pub description: String,
    /// Decimal string, more than 0 and at most 999.
    #[schema(example = "1.5")]
    #[schema(pattern = r"^[0-9]{1,3}(\.[0-9]{1,2})?$")]
    pub hours: String,
    /// Money per hour, a decimal string.
    #[schema(example = "3000.00")]
    #[schema(pattern = r"^[0-9]{1,12}(\.[0-9]{1,2})?$")]
    pub rate: String,
}

impl LaborParams {
    fn parse(self) -> ApiResult<NewLaborLine> {
        let mut errors = FieldErrors::default();
        let description = errors.check("description", required_text(&self.description, TEXT_MAX));
        let hours = errors.check("hours", Hours::parse(&self.hours));
        let rate = errors.check("rate", Money::parse(&self.rate));
        match (description, hours, rate) {
            (Some(description), Some(hours), Some(rate)) => Ok(NewLaborLine {
                description,
                hours,
                rate,
            }),
            _ => Err(ApiError::Validation(errors)),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteParams {
    #[schema(min_length = 1, max_length = 4000, pattern = r"\S")]
    pub body: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrderQuery {
    pub site_id: Option<Id>,
    pub status: Option<RepairStatus>,
    pub technician_id: Option<Id>,
    /// One vehicle's orders (its history; see
    /// `GET /api/vehicles/{id}/repair-orders`).
    pub vehicle_id: Option<Id>,
    #[serde(flatten)]
    #[param(ignore)]
    pub paging: PageParams,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// One site's queue; without it, every site the caller works at.
    pub site_id: Option<Id>,
    #[serde(flatten)]
    #[param(ignore)]
    pub paging: PageParams,
}

/// Book a vehicle in: a new order at a site, status `requested`.
#[utoipa::path(post, path = "/api/repair-orders", tag = "repair orders",
    request_body = CreateRepairOrderParams, security(("bearer" = [])),
    responses(
        (status = 201, body = RepairOrderDetail),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ))]
async fn create(
    State(ctx): State<AppContext>,
    actor: Actor,
    JsonBody(params): JsonBody<CreateRepairOrderParams>,
) -> ApiResult<impl IntoResponse> {
    actor.authorize(Ability::ManageRepairOrders)?;
    let txn = Write::begin(&ctx.db).await?;
    let order = repair_orders::Model::create(&txn, &actor, params.parse()?).await?;
    txn.commit().await?;
    Ok((StatusCode::CREATED, axum::Json(detail(&ctx, &order).await?)))
}

/// Orders at the caller's sites, newest first; a technician's own orders.
#[utoipa::path(get, path = "/api/repair-orders", tag = "repair orders", params(OrderQuery, PageParams),
    security(("bearer" = [])),
    responses(
        (status = 200, body = PageResponse<RepairOrderResponse>),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ))]
async fn list(
    State(ctx): State<AppContext>,
    actor: Actor,
    QueryParams(query): QueryParams<OrderQuery>,
) -> ApiResult<impl IntoResponse> {
    let site =
        sites::Entity::find_optional_for(&ctx.db, &actor, query.site_id.map(Uuid::from)).await?;
    let technician = match query.technician_id {
        Some(id) if id.0 == actor.user.pid => Some(actor.user.clone()),
        Some(id) => Some(users::Model::find_staff_for(&ctx.db, &actor, id.0).await?),
        None => None,
    };
    let vehicle = match query.vehicle_id {
        Some(id) => Some(vehicles::Model::find_for_history(&ctx.db, &actor, id.0).await?),
        None => None,
    };
    let page = query.paging.checked()?;
    let filters = Filters {
        site,
        status: query.status,
        technician,
        vehicle,
    };
    let page = repair_orders::Model::list_for(&ctx.db, &actor, filters, page).await?;
    render_page(&ctx, page, None).await
}

/// A vehicle's repair history at the caller's sites, newest first: every
/// order, whatever its status or technician. Technicians see it too, for
/// what was done to the vehicle before.
#[utoipa::path(get, path = "/api/vehicles/{id}/repair-orders", tag = "vehicles",
    params(("id" = Uuid, Path), PageParams), security(("bearer" = [])),
    responses(
        (status = 200, body = PageResponse<RepairOrderResponse>),
        (status = 400, body = ErrorBody), (status = 422, body = ErrorBody),
    ))]
async fn vehicle_history(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids(id): Ids<Uuid>,
    QueryParams(page): QueryParams<PageParams>,
) -> ApiResult<impl IntoResponse> {
    let vehicle = vehicles::Model::find_for_history(&ctx.db, &actor, id).await?;
    let page = page.checked()?;
    let filters = Filters {
        vehicle: Some(vehicle),
        ..Filters::default()
    };
    let page = repair_orders::Model::list_for(&ctx.db, &actor, filters, page).await?;
    render_page(&ctx, page, None).await
}

/// The queue: approved orders nobody has claimed, urgent first, then oldest.
#[utoipa::path(get, path = "/api/repair-orders/queue", tag = "repair orders", params(QueueQuery, PageParams),
    security(("bearer" = [])),
    responses(
        (status = 200, body = PageResponse<RepairOrderResponse>),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ))]
async fn queue(
    State(ctx): State<AppContext>,
    actor: Actor,
    QueryParams(query): QueryParams<QueueQuery>,
) -> ApiResult<impl IntoResponse> {
    let page = query.paging.checked()?;
    let listed = queue_of(&ctx, &actor, query.site_id.map(Uuid::from), page).await?;
    Ok(axum::Json(listed))
}

/// The queue as the API lists it, for the API and for the technician's
/// queue page, which reads it on every open phone every few seconds and so
/// takes it without a JSON round trip.
///
/// # Errors
/// 404 for a site not the caller's; 403 for a customer.
pub async fn queue_of(
    ctx: &AppContext,
    actor: &Actor,
    site_id: Option<Uuid>,
    page: crate::models::paging::PageRequest,
) -> ApiResult<PageResponse<RepairOrderResponse>> {
    let site = sites::Entity::find_optional_for(&ctx.db, actor, site_id).await?;
    let page = repair_orders::Model::queue_for(&ctx.db, actor, site.as_ref(), page).await?;
    let technician = (actor.role == Role::Technician).then_some(actor);
    Ok(render_page(ctx, page, technician).await?.0)
}

/// One order with its labour.
#[utoipa::path(get, path = "/api/repair-orders/{id}", tag = "repair orders",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses(
        (status = 200, body = RepairOrderDetail),
    ))]
async fn show(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids(id): Ids<Uuid>,
) -> ApiResult<impl IntoResponse> {
    let order = repair_orders::Entity::find_for(&ctx.db, &actor, id).await?;
    Ok(axum::Json(detail(&ctx, &order).await?))
}

/// Change what the order is and needs: its description, complaint,
/// priority and `required_skills` (owners, managers, advisors; open orders
/// only). Each change is in the audit trail, and shown to the order's
/// technician until they acknowledge it.
#[utoipa::path(patch, path = "/api/repair-orders/{id}", tag = "repair orders",
    request_body = UpdateRepairOrderParams, params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses(
        (status = 200, body = RepairOrderDetail),
        (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
async fn update(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids(id): Ids<Uuid>,
    JsonBody(params): JsonBody<UpdateRepairOrderParams>,
) -> ApiResult<impl IntoResponse> {
    let revision = params.revision()?;
    let order = repair_orders::Entity::find_for(&ctx.db, &actor, id).await?;
    actor.authorize(Ability::ManageRepairOrders)?;
    let txn = Write::begin(&ctx.db).await?;
    let order = order.revise(&txn, &actor, revision).await?;
    if let Some(names) = params.required_skills {
        order.set_required_skills(&txn, &actor, &names).await?;
    }
    txn.commit().await?;
    Ok(axum::Json(detail(&ctx, &order).await?))
}

/// Take an order from the queue and start it (technicians). Of any number
/// of technicians claiming at once, one wins; the others get 409.
#[utoipa::path(post, path = "/api/repair-orders/{id}/claim", tag = "repair orders",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses(
        (status = 200, body = RepairOrderDetail),
        (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody),
    ))]
async fn claim(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids(id): Ids<Uuid>,
) -> ApiResult<impl IntoResponse> {
    let txn = Write::begin(&ctx.db).await?;
    let order = repair_orders::Model::claim(&txn, &actor, id).await?;
    repair_status_update::later(&txn, order.pid, RepairStatus::InProgress).await?;
    txn.commit().await?;
    queue::kick(&ctx).await;
    Ok(axum::Json(detail(&ctx, &order).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ComebackParams {
    /// The earlier, completed repair of the same vehicle.
    pub of_repair_order_id: Id,
}

/// Flag the order a comeback of an earlier repair of the same vehicle
/// completed in the days before it was opened (the site's
/// `comeback_window_days`); it counts against that repair's technician,
/// once.
#[utoipa::path(post, path = "/api/repair-orders/{id}/comeback", tag = "repair orders",
    request_body = ComebackParams, params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses(
        (status = 200, body = RepairOrderDetail),
        (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
async fn comeback(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids(id): Ids<Uuid>,
    JsonBody(params): JsonBody<ComebackParams>,
) -> ApiResult<impl IntoResponse> {
    let order = repair_orders::Entity::find_for(&ctx.db, &actor, id).await?;
    let txn = Write::begin(&ctx.db).await?;
    let order = comebacks::flag(&txn, &actor, &order, params.of_repair_order_id.0).await?;
    txn.commit().await?;
    Ok(axum::Json(detail(&ctx, &order).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclineParams {
    /// Why, for whoever assigned it.
    #[schema(
        min_length = 1,
        max_length = 500,
        example = "No hybrid tooling at this bay"
    )]
    pub reason: String,
}

/// Accept an order assigned to oneself (technicians): it is theirs, in
/// progress; the customer hears that work has started.
#[utoipa::path(post, path = "/api/repair-orders/{id}/accept", tag = "repair orders",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses(
        (status = 200, body = RepairOrderDetail),
        (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody),
    ))]
async fn accept(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids(id): Ids<Uuid>,
) -> ApiResult<impl IntoResponse> {
    let order = repair_orders::Entity::find_for(&ctx.db, &actor, id).await?;
    let txn = Write::begin(&ctx.db).await?;
    let order = order.accept(&txn, &actor).await?;
    repair_status_update::later(&txn, order.pid, RepairStatus::InProgress).await?;
    txn.commit().await?;
    queue::kick(&ctx).await;
    Ok(axum::Json(detail(&ctx, &order).await?))
}

/// Say one has seen what others changed on the order one is working on
/// (its technician): `unseen_changes` is empty again until the next change.
#[utoipa::path(post, path = "/api/repair-orders/{id}/acknowledge", tag = "repair orders",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses(
        (status = 200, body = RepairOrderDetail),
        (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody),
    ))]
async fn acknowledge(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids(id): Ids<Uuid>,
) -> ApiResult<impl IntoResponse> {
    let txn = Write::begin(&ctx.db).await?;
    let order = office_changes::acknowledge(&txn, &actor, id).await?;
    txn.commit().await?;
    Ok(axum::Json(detail(&ctx, &order).await?))
}

/// Decline an order assigned to oneself, saying why (technicians): it goes
/// back to the queue, the history records it, whoever assigned it is told.
#[utoipa::path(post, path = "/api/repair-orders/{id}/decline", tag = "repair orders",
    request_body = DeclineParams, params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses(
        (status = 200, body = RepairOrderDetail),
        (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
async fn decline(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids(id): Ids<Uuid>,
    JsonBody(params): JsonBody<DeclineParams>,
) -> ApiResult<impl IntoResponse> {
    let reason = required_text(&params.reason, 500)
        .map_err(|message| ApiError::invalid("reason", message))?;
    let order = repair_orders::Entity::find_for(&ctx.db, &actor, id).await?;
    let txn = Write::begin(&ctx.db).await?;
    let order = order.decline(&txn, &actor, reason).await?;
    txn.commit().await?;
    Ok(axum::Json(detail(&ctx, &order).await?))
}

/// Assign the order to a technician of its site (manager, advisor, owner);
/// the technician is notified.
#[utoipa::path(post, path = "/api/repair-orders/{id}/assign", tag = "repair orders",
    request_body = AssignParams, params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses(
        (status = 200, body = RepairOrderDetail),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
    ))]
async fn assign(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids(id): Ids<Uuid>,
    JsonBody(params): JsonBody<AssignParams>,
) -> ApiResult<impl IntoResponse> {
    let order = repair_orders::Entity::find_for(&ctx.db, &actor, id).await?;
    actor.authorize(Ability::ManageRepairOrders)?;
    let txn = Write::begin(&ctx.db).await?;
    let order = order.assign(&txn, &actor, params.technician_id.0).await?;
    txn.commit().await?;
    Ok(axum::Json(detail(&ctx, &order).await?))
}

/// Move the order along its state machine.
#[utoipa::path(post, path = "/api/repair-orders/{id}/transition", tag = "repair orders",
    request_body = TransitionParams, params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses(
        (status = 200, body = RepairOrderDetail),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
    ))]
async fn transition(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids(id): Ids<Uuid>,
    JsonBody(params): JsonBody<TransitionParams>,
) -> ApiResult<impl IntoResponse> {
    let order = repair_orders::Entity::find_for(&ctx.db, &actor, id).await?;
    let note = OptionalText::parse(params.note.as_deref(), TEXT_MAX)
        .map_err(|message| ApiError::invalid("note", message))?
        .into_inner();
    // One transaction: the move, and on completion the stock taken out and
    // the invoice issued; or none of it.
    let txn = Write::begin(&ctx.db).await?;
    let order = order.transition(&txn, &actor, params.to, note).await?;
    repair_status_update::later(&txn, order.pid, params.to).await?;
    if params.to == RepairStatus::Completed {
        if let Some(invoice) = invoices::Model::of_order(&txn, &order).await? {
            deliver_invoice::later(&txn, invoice.pid).await?;
        }
    }
    txn.commit().await?;
    queue::kick(&ctx).await;
    Ok(axum::Json(detail(&ctx, &order).await?))
}

/// The order's status changes, oldest first, with who and when.
#[utoipa::path(get, path = "/api/repair-orders/{id}/history", tag = "repair orders",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses(
        (status = 200, body = Vec<HistoryEntryResponse>),
    ))]
async fn history(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids(id): Ids<Uuid>,
) -> ApiResult<impl IntoResponse> {
    let order = repair_orders::Entity::find_for(&ctx.db, &actor, id).await?;
    let entries = repair_order_events::Model::history_of(&ctx.db, order.id).await?;
    Ok(axum::Json(
        entries
            .into_iter()
            .map(HistoryEntryResponse::from)
            .collect::<Vec<_>>(),
    ))
}

/// Add labour: hours at a rate.
#[utoipa::path(post, path = "/api/repair-orders/{id}/labor", tag = "repair orders",
    request_body = LaborParams, params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses(
        (status = 201, body = LaborLineResponse),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
    ))]
async fn add_labor(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids(id): Ids<Uuid>,
    JsonBody(params): JsonBody<LaborParams>,
) -> ApiResult<impl IntoResponse> {
    let order = repair_orders::Entity::find_for(&ctx.db, &actor, id).await?;
    order.authorize_work(&actor)?;
    let line = params.parse()?;
    let digits = minor_digits(&ctx, &order).await?;
    let txn = Write::begin(&ctx.db).await?;
    let line = labor_lines::Model::add(&txn, &actor, &order, line, digits).await?;
    txn.commit().await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(LaborLineResponse::new(&line, &HashMap::new())?),
    ))
}

/// Remove a labour line.
#[utoipa::path(delete, path = "/api/repair-orders/{id}/labor/{line_id}", tag = "repair orders",
    params(("id" = Uuid, Path), ("line_id" = Uuid, Path)), security(("bearer" = [])),
    responses(
        (status = 204, description = "Removed"),
        (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody),
    ))]
async fn remove_labor(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids((id, line_id)): Ids<(Uuid, Uuid)>,
) -> ApiResult<impl IntoResponse> {
    let order = repair_orders::Entity::find_for(&ctx.db, &actor, id).await?;
    let txn = Write::begin(&ctx.db).await?;
    labor_lines::Model::remove(&txn, &actor, &order, line_id).await?;
    txn.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartParams {
    /// A product stocked at the order's site.
    pub product_id: Id,
    /// Decimal string, more than 0, up to three places: `2`, `4.5`.
    #[schema(example = "4.5", pattern = r"^[0-9]{1,9}(\.[0-9]{1,3})?$")]
    pub quantity: String,
}

/// Add a part from the site's stock, at its price now. The quantity is held
/// for the order (409 when less is available, however many ask at once)
/// and taken out of stock when the order is completed.
#[utoipa::path(post, path = "/api/repair-orders/{id}/parts", tag = "repair orders",
    request_body = PartParams, params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses(
        (status = 201, body = PartLineResponse),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
    ))]
async fn add_part(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids(id): Ids<Uuid>,
    JsonBody(params): JsonBody<PartParams>,
) -> ApiResult<impl IntoResponse> {
    let order = repair_orders::Entity::find_for(&ctx.db, &actor, id).await?;
    order.authorize_work(&actor)?;
    let product = products::Entity::find_for(&ctx.db, &actor, params.product_id.0).await?;
    let quantity = Quantity::parse(&params.quantity, false)
        .map_err(|message| ApiError::invalid("quantity", message))?;
    let digits = minor_digits(&ctx, &order).await?;
    let txn = Write::begin(&ctx.db).await?;
    let line = part_lines::Model::add(&txn, &actor, &order, &product, quantity, digits).await?;
    txn.commit().await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(PartLineResponse::new(
            &line,
            Some(product.pid),
            &HashMap::new(),
        )?),
    ))
}

/// Remove a part line; its stock goes back on the shelf.
#[utoipa::path(delete, path = "/api/repair-orders/{id}/parts/{line_id}", tag = "repair orders",
    params(("id" = Uuid, Path), ("line_id" = Uuid, Path)), security(("bearer" = [])),
    responses(
        (status = 204, description = "Removed"),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
    ))]
async fn remove_part(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids((id, line_id)): Ids<(Uuid, Uuid)>,
) -> ApiResult<impl IntoResponse> {
    let order = repair_orders::Entity::find_for(&ctx.db, &actor, id).await?;
    let txn = Write::begin(&ctx.db).await?;
    part_lines::Model::remove(&txn, &actor, &order, line_id).await?;
    txn.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApprovalParams {
    /// `approved`, `declined`, or `pending` to take the answer back.
    pub decision: Approval,
    /// What the customer said, and how (e.g. "on the phone").
    #[schema(max_length = 4000)]
    pub note: Option<String>,
}

/// Record the customer's word on a labour or part line (on the phone, at
/// the counter). Declined lines are not invoiced and give their stock back.
#[utoipa::path(post, path = "/api/repair-orders/{id}/lines/{line_id}/approval", tag = "repair orders",
    request_body = ApprovalParams,
    params(("id" = Uuid, Path), ("line_id" = Uuid, Path)), security(("bearer" = [])),
    responses(
        (status = 200, body = RepairOrderDetail),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
    ))]
async fn decide_line(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids((id, line_id)): Ids<(Uuid, Uuid)>,
    JsonBody(params): JsonBody<ApprovalParams>,
) -> ApiResult<impl IntoResponse> {
    let order = repair_orders::Entity::find_for(&ctx.db, &actor, id).await?;
    actor.authorize(Ability::ManageBilling)?;
    let note = OptionalText::parse(params.note.as_deref(), TEXT_MAX)
        .map_err(|message| ApiError::invalid("note", message))?
        .into_inner();
    let txn = Write::begin(&ctx.db).await?;
    order
        .decide_line(&txn, &actor, line_id, params.decision, note)
        .await?;
    txn.commit().await?;
    Ok(axum::Json(detail(&ctx, &order).await?))
}

/// Add a note.
#[utoipa::path(post, path = "/api/repair-orders/{id}/notes", tag = "repair orders",
    request_body = NoteParams, params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses(
        (status = 201, body = NoteResponse),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ))]
async fn add_note(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids(id): Ids<Uuid>,
    JsonBody(params): JsonBody<NoteParams>,
) -> ApiResult<impl IntoResponse> {
    let order = repair_orders::Entity::find_for(&ctx.db, &actor, id).await?;
    order.authorize_work(&actor)?;
    let body = required_text(&params.body, TEXT_MAX)
        .map_err(|message| ApiError::invalid("body", message))?;
    let note = repair_order_notes::Model::add(&ctx.db, &actor, &order, body).await?;
    let author = Some((actor.user.pid, actor.user.name.clone()));
    Ok((
        StatusCode::CREATED,
        axum::Json(NoteResponse::new(note, author)),
    ))
}

/// The order's notes, oldest first.
#[utoipa::path(get, path = "/api/repair-orders/{id}/notes", tag = "repair orders",
    params(("id" = Uuid, Path), PageParams), security(("bearer" = [])),
    responses(
        (status = 200, body = PageResponse<NoteResponse>),
        (status = 422, body = ErrorBody),
    ))]
async fn notes(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids(id): Ids<Uuid>,
    QueryParams(page): QueryParams<PageParams>,
) -> ApiResult<impl IntoResponse> {
    let order = repair_orders::Entity::find_for(&ctx.db, &actor, id).await?;
    let notes = repair_order_notes::Model::page_of(&ctx.db, order.id, page.checked()?).await?;
    let names = users::Model::names_by_id(
        &ctx.db,
        &notes
            .items
            .iter()
            .filter_map(|n| n.author_id)
            .collect::<Vec<_>>(),
    )
    .await?;
    Ok(axum::Json(PageResponse::from(notes.map(|note| {
        let author = note.author_id.and_then(|id| names.get(&id).cloned());
        NoteResponse::new(note, author)
    }))))
}

/// Attach a photo, voice note or PDF (multipart, field `file`). Files are
/// judged by their content; the size limit is `settings.uploads.max_bytes`.
#[utoipa::path(post, path = "/api/repair-orders/{id}/attachments", tag = "repair orders",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    request_body(content_type = "multipart/form-data", description = "A `file` field"),
    responses(
        (status = 201, body = AttachmentResponse),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody),
    ))]
async fn upload(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids(id): Ids<Uuid>,
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<impl IntoResponse> {
    let order = repair_orders::Entity::find_for(&ctx.db, &actor, id).await?;
    order.authorize_work(&actor)?;
    let max_bytes = Settings::of(&ctx).uploads.max_bytes;
    let mut multipart = multipart.map_err(|rejection| unreadable(rejection.status(), max_bytes))?;
    let mut field = loop {
        match multipart
            .next_field()
            .await
            .map_err(|err| unreadable(err.status(), max_bytes))?
        {
            Some(field) if field.name() == Some("file") => break field,
            Some(_) => {}
            None => return Err(ApiError::invalid("file", "is required")),
        }
    };
    let file_name = field.file_name().unwrap_or_default().to_string();
    let declared_type = field.content_type().map(ToString::to_string);

    // The first bytes, to judge what the file is before storing any of it.
    let mut head = Vec::new();
    let mut ended = false;
    while head.len() < attachments::HEAD_BYTES {
        match field
            .chunk()
            .await
            .map_err(|err| unreadable(err.status(), max_bytes))?
        {
            Some(chunk) => head.extend_from_slice(&chunk),
            None => {
                ended = true;
                break;
            }
        }
        if head.len() as u64 > max_bytes {
            return Err(too_large(max_bytes));
        }
    }
    if head.is_empty() {
        return Err(ApiError::invalid("file", "is empty"));
    }

    // The rest flows to storage through a small channel, a chunk at a time,
    // and stops with an error as soon as it passes the limit.
    let (sender, receiver) = tokio::sync::mpsc::channel::<std::io::Result<Bytes>>(4);
    let rest = futures_util::stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|chunk| (chunk, receiver))
    });
    let mut size = head.len() as u64;
    let pump = async move {
        if ended {
            return Ok(());
        }
        loop {
            let read = tokio::select! {
                read = field.chunk() => read,
                // Storage stopped reading (it says why): stop waiting for
                // the client.
                () = sender.closed() => return Ok(()),
            };
            let chunk = match read {
                Ok(Some(chunk)) => chunk,
                Ok(None) => return Ok(()),
                Err(err) => {
                    let status = err.status();
                    let _ = sender.send(Err(std::io::Error::other(err))).await;
                    return Err(unreadable(status, max_bytes));
                }
            };
            size += chunk.len() as u64;
            if size > max_bytes {
                let _ = sender
                    .send(Err(std::io::Error::other("over the size limit")))
                    .await;
                return Err(too_large(max_bytes));
            }
            if sender.send(Ok(chunk)).await.is_err() {
                // Storage stopped reading; it says why.
                return Ok(());
            }
        }
    };
    let upload = Upload {
        file_name,
        declared_type,
        head: Bytes::from(head),
        rest: BytesStream::from_body_stream(rest),
    };
    let (pumped, stored) = tokio::join!(
        pump,
        attachments::Model::store(&ctx.db, &ctx.storage, &actor, &order, upload)
    );
    // When reading the upload failed, that is the answer, whatever storage
    // made of the stream it ended.
    pumped?;
    let attachment = stored?;
    let uploader = Some((actor.user.pid, actor.user.name.clone()));
    Ok((
        StatusCode::CREATED,
        axum::Json(AttachmentResponse::new(order.pid, attachment, uploader)),
    ))
}

fn too_large(max_bytes: u64) -> ApiError {
    ApiError::PayloadTooLarge(format!("files are limited to {max_bytes} bytes"))
}

fn unreadable(status: StatusCode, max_bytes: u64) -> ApiError {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        too_large(max_bytes)
    } else {
        ApiError::BadRequest("expected a multipart/form-data body with a `file` field".into())
    }
}

/// The order's attachments, oldest first.
#[utoipa::path(get, path = "/api/repair-orders/{id}/attachments", tag = "repair orders",
    params(("id" = Uuid, Path), PageParams), security(("bearer" = [])),
    responses(
        (status = 200, body = PageResponse<AttachmentResponse>),
        (status = 422, body = ErrorBody),
    ))]
async fn attachments_of(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids(id): Ids<Uuid>,
    QueryParams(page): QueryParams<PageParams>,
) -> ApiResult<impl IntoResponse> {
    let order = repair_orders::Entity::find_for(&ctx.db, &actor, id).await?;
    let files = attachments::Model::page_of(&ctx.db, order.id, page.checked()?).await?;
    let names = users::Model::names_by_id(
        &ctx.db,
        &files
            .items
            .iter()
            .filter_map(|f| f.uploaded_by)
            .collect::<Vec<_>>(),
    )
    .await?;
    Ok(axum::Json(PageResponse::from(files.map(|file| {
        let uploader = file.uploaded_by.and_then(|id| names.get(&id).cloned());
        AttachmentResponse::new(order.pid, file, uploader)
    }))))
}

/// Download an attachment; only people who see the order may.
#[utoipa::path(get, path = "/api/repair-orders/{id}/attachments/{attachment_id}",
    tag = "repair orders",
    params(("id" = Uuid, Path), ("attachment_id" = Uuid, Path)), security(("bearer" = [])),
    responses(
        (status = 200, description = "The file", content_type = "application/octet-stream"),
    ))]
async fn download(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids((id, attachment_id)): Ids<(Uuid, Uuid)>,
) -> ApiResult<impl IntoResponse> {
    let order = repair_orders::Entity::find_for(&ctx.db, &actor, id).await?;
    let attachment = attachments::Model::find_on(&ctx.db, &order, attachment_id).await?;
    let bytes = attachment.read(ctx.storage.as_ref()).await?.into_body();
    let content_type = HeaderValue::from_str(&attachment.content_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    let disposition = HeaderValue::from_str(&format!(
        "attachment; filename=\"{}\"",
        attachment
            .file_name
            .replace(|c: char| !c.is_ascii() || c.is_ascii_control(), "_")
    ))
    .unwrap_or(HeaderValue::from_static("attachment"));
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_DISPOSITION, disposition),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, max-age=3600"),
            ),
            (
                header::CONTENT_LENGTH,
                HeaderValue::from(attachment.size_bytes),
            ),
        ],
        bytes,
    ))
}

async fn detail(ctx: &AppContext, order: &repair_orders::Model) -> ApiResult<RepairOrderDetail> {
    let db = &ctx.db;
    let row = order.row(db).await?;
    let unseen = office_changes::unseen(db, &row).await?;
    let labor = labor_lines::Model::of_order(db, order.id).await?;
    let parts = part_lines::Model::of_order(db, order.id).await?;
    let product_ids: Vec<i64> = parts.iter().map(|line| line.product_id).collect();
    // Each read below is asked only when it can find something: a claim
    // renders the order it just took, and every statement is its cost.
    let products: HashMap<i64, Uuid> = if product_ids.is_empty() {
        HashMap::new()
    } else {
        products::Entity::find()
            .filter(products::Column::Id.is_in(product_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|product| (product.id, product.pid))
            .collect()
    };
    let deciders: Vec<i64> = labor
        .iter()
        .filter_map(|line| line.approval_by)
        .chain(parts.iter().filter_map(|line| line.approval_by))
        .collect();
    let people = users::Model::names_by_id(db, &deciders).await?;
    // An invoice is issued when the order is completed, and only then.
    let invoice = if row.status == crate::models::values::Stored::as_str(RepairStatus::Completed) {
        invoices::Model::of_order(db, order)
            .await?
            .map(|invoice| InvoiceRef {
                id: invoice.pid,
                number: invoice.number,
            })
    } else {
        None
    };
    let required = skills::of_orders(db, &[order.id])
        .await?
        .remove(&order.id)
        .unwrap_or_default();
    let mut detail = RepairOrderDetail::new(
        row,
        OrderLines {
            labor: &labor,
            parts: &parts,
            products: &products,
            people: &people,
            invoice,
        },
    )?;
    detail.order.required_skills = required;
    if !unseen.is_empty() {
        let by: Vec<i64> = unseen.iter().filter_map(|change| change.by).collect();
        let names = users::Model::names_by_id(db, &by).await?;
        detail.unseen_changes = unseen
            .into_iter()
            .map(|change| OfficeChangeResponse::new(change, &names))
            .collect();
    }
    if let Some(earlier) = order.comeback_of_id {
        detail.comeback_of = repair_orders::Entity::find_by_id(earlier)
            .one(db)
            .await?
            .map(|earlier| earlier.pid);
    }
    Ok(detail)
}

/// How many decimal places the order's amounts round to: its site's
/// currency's minor unit.
async fn minor_digits(ctx: &AppContext, order: &repair_orders::Model) -> ApiResult<u32> {
    let site = sites::Entity::find_by_id(order.site_id)
        .one(&ctx.db)
        .await?
        .ok_or(ApiError::NotFound("site"))?;
    Ok(CurrencyCode::minor_digits(&site.currency))
}

/// A page of orders, each with the skills it needs; for a technician,
/// `for_technician`, also those they lack.
async fn render_page(
    ctx: &AppContext,
    page: crate::models::paging::Page<repair_orders::OrderRow>,
    for_technician: Option<&Actor>,
) -> ApiResult<axum::Json<PageResponse<RepairOrderResponse>>> {
    let ids: Vec<i64> = page.items.iter().map(|row| row.id).collect();
    let mut needs = skills::of_orders(&ctx.db, &ids).await?;
    let held: Option<HashSet<String>> = match for_technician {
        Some(actor) => Some(
            skills::of_technician(&ctx.db, actor.user_id())
                .await?
                .into_iter()
                .collect(),
        ),
        None => None,
    };
    let page = page.try_map(|row| {
        let required = needs.remove(&row.id).unwrap_or_default();
        let mut response = RepairOrderResponse::new(row)?;
        response.missing_skills = held.as_ref().map(|held| {
            required
                .iter()
                .filter(|skill| !held.contains(*skill))
                .cloned()
                .collect()
        });
        Ok::<_, ApiError>(response.needing(required))
    })?;
    Ok(axum::Json(PageResponse::from(page)))
}

/// What `estimate/send` answers: the request is recorded and the email
/// queued.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct EstimateSendQueued {
    pub repair_order_id: Uuid,
    /// When the send was asked for; the deliveries ledger keeps one
    /// delivery per request.
    #[serde(serialize_with = "crate::views::time::rfc3339")]
    pub requested_at: chrono::DateTime<chrono::FixedOffset>,
}

/// Email the order's estimate to its customer with a signed link (valid 14
/// days) to a page where they approve or decline each line; queued, 202.
/// Their decisions land on the lines and the order's history, and whoever
/// opened the order is notified.
#[utoipa::path(post, path = "/api/repair-orders/{id}/estimate/send", tag = "repair orders",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses(
        (status = 202, body = EstimateSendQueued),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
    ))]
async fn send_estimate(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids(id): Ids<Uuid>,
) -> ApiResult<impl IntoResponse> {
    let txn = Write::begin(&ctx.db).await?;
    let order = estimates::request(&txn, &actor, id).await?;
    crate::workers::send_estimate::later(&txn, order.pid).await?;
    txn.commit().await?;
    queue::kick(&ctx).await;
    let requested_at = order
        .estimate_requested_at
        .ok_or_else(|| ApiError::internal("the estimate request was not recorded"))?;
    Ok((
        StatusCode::ACCEPTED,
        axum::Json(EstimateSendQueued {
            repair_order_id: order.pid,
            requested_at,
        }),
    ))
}

pub fn routes(upload_limit: usize) -> ApiRoutes {
    ApiRoutes::new("repair_orders")
        .route(routes!(create, list))
        .route(routes!(vehicle_history))
        .route(routes!(queue))
        .route(routes!(show, update))
        .route(routes!(claim))
        .route(routes!(assign))
        .route(routes!(transition))
        .route(routes!(history))
        .route(routes!(add_labor))
        .route(routes!(remove_labor))
        .route(routes!(add_part))
        .route(routes!(remove_part))
        .route(routes!(decide_line))
        .route(routes!(send_estimate))
        .route(routes!(accept))
        .route(routes!(acknowledge))
        .route(routes!(decline))
        .route(routes!(comeback))
        .route(routes!(add_note, notes))
        // The body limit leaves room for the multipart framing around the file.
        .route({
            let (schemas, paths, method) = routes!(upload);
            (
                schemas,
                paths,
                method.layer(DefaultBodyLimit::max(upload_limit + 64 * 1024)),
            )
        })
        .route(routes!(attachments_of))
        .route(routes!(download))
}
