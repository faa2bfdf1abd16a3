//! The service reminders sent (and not sent) to customers.

use axum::response::IntoResponse;
use loco_rs::prelude::{AppContext, State};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::routes;
use uuid::Uuid;

use super::{api::ApiRoutes, extract::QueryParams};
use crate::models::values::Id;
use crate::models::Scoped;
use crate::{
    errors::{ApiResult, ErrorBody},
    messages::reminders,
    models::{actor::Actor, organization::sites, paging::PageParams},
    views::{page::PageResponse, reminders::ReminderResponse},
};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReminderQuery {
    /// Only this site's reminders.
    pub site_id: Option<Id>,
    #[serde(flatten)]
    #[param(ignore)]
    pub paging: PageParams,
}

/// Service reminders, newest first: one per vehicle and due date and
/// channel, whether sent, failed or skipped.
#[utoipa::path(get, path = "/api/reminders", tag = "reminders", params(ReminderQuery, PageParams),
    security(("bearer" = [])),
    responses(
        (status = 200, body = PageResponse<ReminderResponse>),
        (status = 403, body = ErrorBody),
    ))]
async fn list(
    State(ctx): State<AppContext>,
    actor: Actor,
    QueryParams(query): QueryParams<ReminderQuery>,
) -> ApiResult<impl IntoResponse> {
    let site =
        sites::Entity::find_optional_for(&ctx.db, &actor, query.site_id.map(Uuid::from)).await?;
    let page = query.paging.checked()?;
    let page = reminders::list_for(&ctx.db, &actor, site.as_ref(), page).await?;
    Ok(axum::Json(PageResponse::from(
        page.map(ReminderResponse::from),
    )))
}

pub fn routes() -> ApiRoutes {
    ApiRoutes::new("reminders").route(routes!(list))
}
