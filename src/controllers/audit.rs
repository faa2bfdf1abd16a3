//! The organization's audit trail.

use axum::response::IntoResponse;
use loco_rs::prelude::{AppContext, State};
use utoipa_axum::routes;

use super::api::ApiRoutes;
use super::extract::QueryParams;
use crate::{
    errors::{ApiResult, ErrorBody},
    models::{actor::Actor, audit_events, paging::PageParams},
    views::{audit::AuditEventResponse, page::PageResponse},
};

/// Who changed what and when, newest first (owner).
#[utoipa::path(get, path = "/api/audit-events", tag = "audit", params(PageParams),
    security(("bearer" = [])),
    responses(
        (status = 200, body = PageResponse<AuditEventResponse>),
        (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
async fn list(
    State(ctx): State<AppContext>,
    actor: Actor,
    QueryParams(page): QueryParams<PageParams>,
) -> ApiResult<impl IntoResponse> {
    let page = audit_events::Model::list_for(&ctx.db, &actor, page.checked()?).await?;
    Ok(axum::Json(PageResponse::from(
        page.map(AuditEventResponse::from),
    )))
}

pub fn routes() -> ApiRoutes {
    ApiRoutes::new("audit_events").route(routes!(list))
}
