//! The caller's in-app notifications.

use axum::response::IntoResponse;
use loco_rs::prelude::{AppContext, State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;
use uuid::Uuid;

use super::api::ApiRoutes;
use super::extract::{Ids, QueryParams};
use crate::{
    errors::{ApiResult, ErrorBody},
    models::{actor::Actor, notifications, paging::PageParams},
    views::{notifications::NotificationResponse, page::PageResponse},
};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NotificationQuery {
    /// Only those not read yet.
    #[serde(default)]
    pub unread: bool,
    #[serde(flatten)]
    #[param(ignore)]
    pub paging: PageParams,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MarkedRead {
    /// How many were unread.
    pub marked: u64,
}

/// The caller's notifications, newest first.
#[utoipa::path(get, path = "/api/notifications", tag = "notifications", params(NotificationQuery, PageParams),
    security(("bearer" = [])),
    responses(
        (status = 200, body = PageResponse<NotificationResponse>),
        (status = 400, body = ErrorBody), (status = 422, body = ErrorBody),
    ))]
async fn list(
    State(ctx): State<AppContext>,
    actor: Actor,
    QueryParams(query): QueryParams<NotificationQuery>,
) -> ApiResult<impl IntoResponse> {
    let page = query.paging.checked()?;
    let page = notifications::Model::list_for(&ctx.db, &actor, query.unread, page).await?;
    let orders = notifications::Model::order_pids(&ctx.db, &page.items).await?;
    Ok(axum::Json(PageResponse::from(page.map(|notification| {
        let order = notification
            .repair_order_id
            .and_then(|id| orders.get(&id).copied());
        NotificationResponse::new(notification, order)
    }))))
}

/// Mark one notification read.
#[utoipa::path(post, path = "/api/notifications/{id}/read", tag = "notifications",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses(
        (status = 200, body = NotificationResponse),
    ))]
async fn mark_read(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids(id): Ids<Uuid>,
) -> ApiResult<impl IntoResponse> {
    let notification = notifications::Model::mark_read(&ctx.db, &actor, id).await?;
    let orders =
        notifications::Model::order_pids(&ctx.db, std::slice::from_ref(&notification)).await?;
    let order = notification
        .repair_order_id
        .and_then(|id| orders.get(&id).copied());
    Ok(axum::Json(NotificationResponse::new(notification, order)))
}

/// Mark all of the caller's notifications read.
#[utoipa::path(post, path = "/api/notifications/read-all", tag = "notifications",
    security(("bearer" = [])),
    responses((status = 200, body = MarkedRead)))]
async fn mark_all_read(
    State(ctx): State<AppContext>,
    actor: Actor,
) -> ApiResult<impl IntoResponse> {
    let marked = notifications::Model::mark_all_read(&ctx.db, &actor).await?;
    Ok(axum::Json(MarkedRead { marked }))
}

pub fn routes() -> ApiRoutes {
    ApiRoutes::new("notifications")
        .route(routes!(list))
        .route(routes!(mark_all_read))
        .route(routes!(mark_read))
}
