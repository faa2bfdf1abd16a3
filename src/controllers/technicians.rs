//! How technicians' work flows.

use axum::response::IntoResponse;
use chrono::NaiveDate;
use loco_rs::prelude::{AppContext, State};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::routes;
use uuid::Uuid;

use super::api::ApiRoutes;
use super::extract::{Ids, QueryParams};
use crate::{
    errors::{ApiError, ApiResult, ErrorBody},
    models::{actor::Actor, roles::Role, technician_stats::TechnicianStats, users},
    views::{refs::PersonRef, technicians::TechnicianStatsResponse},
};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// First day of the period (UTC), inclusive.
    pub from: Option<NaiveDate>,
    /// Last day of the period (UTC), inclusive.
    pub to: Option<NaiveDate>,
}

/// Orders completed, and mean times from approval to claim and from claim
/// to completion. Technicians see their own; managers, advisors and owners
/// those of the technicians at their sites.
#[utoipa::path(get, path = "/api/technicians/{id}/stats", tag = "staff",
    params(("id" = Uuid, Path), StatsQuery), security(("bearer" = [])),
    responses(
        (status = 200, body = TechnicianStatsResponse),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
async fn stats(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids(id): Ids<Uuid>,
    QueryParams(query): QueryParams<StatsQuery>,
) -> ApiResult<impl IntoResponse> {
    let technician = if id == actor.user.pid {
        actor.user.clone()
    } else {
        users::Model::find_staff_for(&ctx.db, &actor, id).await?
    };
    if technician.role()? != Role::Technician {
        return Err(ApiError::NotFound("technician"));
    }
    if let (Some(from), Some(to)) = (query.from, query.to) {
        if from > to {
            return Err(ApiError::invalid("from", "must not be after `to`"));
        }
    }
    let stats = TechnicianStats::of(&ctx.db, &actor, &technician, query.from, query.to).await?;
    Ok(axum::Json(TechnicianStatsResponse::new(
        PersonRef::from((technician.pid, technician.name)),
        query.from,
        query.to,
        stats,
    )))
}

pub fn routes() -> ApiRoutes {
    ApiRoutes::new("technicians").route(routes!(stats))
}
