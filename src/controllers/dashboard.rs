//! The owner's and manager's dashboard: one branch or all they see.

use axum::response::IntoResponse;
use loco_rs::prelude::{AppContext, State};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::routes;
use uuid::Uuid;

use super::api::ApiRoutes;
use super::extract::QueryParams;
use crate::{
    errors::{ApiResult, ErrorBody},
    models::{
        actor::Actor, organization::sites, reports::dashboard::Dashboard, values::Id, Scoped,
    },
    views::dashboard::DashboardResponse,
};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DashboardQuery {
    /// One branch; absent: every branch the caller sees.
    pub site_id: Option<Id>,
}

/// Today's floor, the money and the last 30 days, of one branch or of
/// every branch the caller sees (owners and managers). Counts add up
/// across branches; money only within a currency (`money` has one entry
/// per currency). Each branch's days are its own, in its time zone.
#[utoipa::path(get, path = "/api/dashboard", tag = "reports",
    params(DashboardQuery), security(("bearer" = [])),
    responses(
        (status = 200, body = DashboardResponse),
        (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ))]
async fn show(
    State(ctx): State<AppContext>,
    actor: Actor,
    QueryParams(query): QueryParams<DashboardQuery>,
) -> ApiResult<impl IntoResponse> {
    actor.authorize(crate::models::actor::Ability::ViewReports)?;
    let site =
        sites::Entity::find_optional_for(&ctx.db, &actor, query.site_id.map(Uuid::from)).await?;
    let dashboard = Dashboard::of(&ctx.db, &actor, site.as_ref()).await?;
    Ok(axum::Json(DashboardResponse::new(
        dashboard,
        site.is_some(),
    )))
}

pub fn routes() -> ApiRoutes {
    ApiRoutes::new("reports").route(routes!(show))
}
