//! Technicians clock in and out, and time their work on an order.

use axum::{http::StatusCode, response::IntoResponse};
use loco_rs::prelude::{AppContext, State};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::routes;
use uuid::Uuid;

use super::{
    api::ApiRoutes,
    extract::{Ids, JsonBody},
};
use crate::models::values::Id;
use crate::models::Scoped;
use crate::{
    errors::{ApiError, ApiResult, ErrorBody},
    models::{
        actor::Actor,
        now_at,
        organization::sites,
        people::shifts,
        workshop::{labor_lines, repair_orders},
        Write,
    },
    views::{
        refs::PersonRef,
        shifts::{ClockedResponse, ShiftResponse, TimerResponse},
        sites::SiteRef,
    },
};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClockInParams {
    /// The site they are working at now: one of theirs.
    pub site_id: Id,
}

async fn site_ref(ctx: &AppContext, actor: &Actor, site_id: i64) -> ApiResult<SiteRef> {
    let sites = sites::Model::by_ids(&ctx.db, actor.organization_id(), &[site_id]).await?;
    let site = sites.first().ok_or(ApiError::NotFound("site"))?;
    Ok(SiteRef::from(site))
}

/// Clock in at a site (technicians); one open shift at a time, whichever
/// site (a second is 409).
#[utoipa::path(post, path = "/api/shifts/clock-in", tag = "staff", request_body = ClockInParams,
    security(("bearer" = [])),
    responses(
        (status = 201, body = ShiftResponse),
        (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody),
    ))]
async fn clock_in(
    State(ctx): State<AppContext>,
    actor: Actor,
    JsonBody(params): JsonBody<ClockInParams>,
) -> ApiResult<impl IntoResponse> {
    let site = sites::Entity::find_for(&ctx.db, &actor, params.site_id.0).await?;
    let txn = Write::begin(&ctx.db).await?;
    let shift = shifts::clock_in(&txn, &actor, &site).await?;
    txn.commit().await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(ShiftResponse::new(
            shift,
            SiteRef::from(&site),
            now_at(actor.clock),
        )),
    ))
}

/// Clock out of the open shift; a running work timer is paused with it.
#[utoipa::path(post, path = "/api/shifts/clock-out", tag = "staff", security(("bearer" = [])),
    responses(
        (status = 200, body = ShiftResponse),
        (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody),
    ))]
async fn clock_out(State(ctx): State<AppContext>, actor: Actor) -> ApiResult<impl IntoResponse> {
    let txn = Write::begin(&ctx.db).await?;
    let shift = shifts::clock_out(&txn, &actor).await?;
    txn.commit().await?;
    let site = site_ref(&ctx, &actor, shift.site_id).await?;
    Ok(axum::Json(ShiftResponse::new(
        shift,
        site,
        now_at(actor.clock),
    )))
}

/// The caller's open shift; 404 when they are not clocked in.
#[utoipa::path(get, path = "/api/shifts/current", tag = "staff", security(("bearer" = [])),
    responses(
        (status = 200, body = ShiftResponse),
        (status = 404, description = "the caller has no shift open", body = ErrorBody),
    ))]
async fn current(State(ctx): State<AppContext>, actor: Actor) -> ApiResult<impl IntoResponse> {
    let shift = shifts::open_shift(&ctx.db, actor.user_id())
        .await?
        .ok_or(ApiError::NotFound("shift"))?;
    let site = site_ref(&ctx, &actor, shift.site_id).await?;
    Ok(axum::Json(ShiftResponse::new(
        shift,
        site,
        now_at(actor.clock),
    )))
}

/// What the caller does to their timer on an order.
#[derive(Clone, Copy, Debug)]
enum Timer {
    Start,
    Pause,
}

/// A timer change sent late: when it happened.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TimerParams {
    /// When the technician pressed start or pause, if it was not now: a
    /// phone that was offline sends its changes when the connection
    /// returns, each with the moment it was made (at most a day ago; a
    /// clock up to two minutes ahead counts as now). Absent: now.
    #[schema(value_type = Option<String>, format = DateTime, example = "2026-11-20T07:30:00Z")]
    pub at: Option<chrono::DateTime<chrono::FixedOffset>>,
}

impl TimerParams {
    /// The optional body: none, or JSON.
    fn read(body: &axum::body::Bytes) -> ApiResult<Self> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Self::default());
        }
        super::extract::parse_json(body)
    }
}

/// Order `id`'s clocked time, after doing `action` (in its own write
/// transaction) when one is given.
async fn timer(
    ctx: &AppContext,
    actor: &Actor,
    id: Uuid,
    action: Option<(Timer, TimerParams)>,
) -> ApiResult<TimerResponse> {
    let order = repair_orders::Entity::find_for(&ctx.db, actor, id).await?;
    if let Some((action, params)) = action {
        let txn = Write::begin(&ctx.db).await?;
        match action {
            Timer::Start => shifts::start_timer(&txn, actor, &order, params.at)
                .await
                .map(|_| ())?,
            Timer::Pause => shifts::pause_timer(&txn, actor, &order, params.at).await?,
        }
        txn.commit().await?;
    }
    let clocked = shifts::clocked_on(&ctx.db, order.id, now_at(actor.clock)).await?;
    let billed = labor_lines::Model::hours_by_order(&ctx.db, [order.id]).await?;
    Ok(TimerResponse {
        billed_hours: shifts::two_places(billed.values().sum()),
        clocked_hours: shifts::two_places(clocked.iter().map(|(_, hours, _)| *hours).sum()),
        repair_order_id: order.pid,
        running: clocked
            .iter()
            .any(|(user, _, running)| user.id == actor.user_id() && *running),
        clocked: clocked
            .into_iter()
            .map(|(user, hours, running)| ClockedResponse {
                technician: PersonRef::from((user.pid, user.name)),
                hours,
                running,
            })
            .collect(),
    })
}

/// Start the work timer on an order of one's own that is in progress,
/// while clocked in; one running timer per technician (a second is 409).
#[utoipa::path(post, path = "/api/repair-orders/{id}/timer/start", tag = "repair orders",
    request_body = Option<TimerParams>,
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses(
        (status = 200, body = TimerResponse),
        (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody),
    ))]
async fn start(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids(id): Ids<Uuid>,
    body: axum::body::Bytes,
) -> ApiResult<impl IntoResponse> {
    let params = TimerParams::read(&body)?;
    Ok(axum::Json(
        timer(&ctx, &actor, id, Some((Timer::Start, params))).await?,
    ))
}

/// Pause one's running timer on an order.
#[utoipa::path(post, path = "/api/repair-orders/{id}/timer/pause", tag = "repair orders",
    request_body = Option<TimerParams>,
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses(
        (status = 200, body = TimerResponse),
        (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody),
    ))]
async fn pause(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids(id): Ids<Uuid>,
    body: axum::body::Bytes,
) -> ApiResult<impl IntoResponse> {
    let params = TimerParams::read(&body)?;
    Ok(axum::Json(
        timer(&ctx, &actor, id, Some((Timer::Pause, params))).await?,
    ))
}

/// Time clocked on an order, per technician.
#[utoipa::path(get, path = "/api/repair-orders/{id}/timer", tag = "repair orders",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses(
        (status = 200, body = TimerResponse),
    ))]
async fn clocked(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids(id): Ids<Uuid>,
) -> ApiResult<impl IntoResponse> {
    Ok(axum::Json(timer(&ctx, &actor, id, None).await?))
}

pub fn routes() -> ApiRoutes {
    ApiRoutes::new("shifts")
        .route(routes!(clock_in))
        .route(routes!(clock_out))
        .route(routes!(current))
        .route(routes!(start))
        .route(routes!(pause))
        .route(routes!(clocked))
}
