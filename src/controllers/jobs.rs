//! The jobs view for owners and managers: what background work waits, runs,
//! failed or died, and retrying or discarding a failed job.

use axum::{http::StatusCode, response::IntoResponse};
use loco_rs::prelude::{AppContext, State};
use utoipa_axum::routes;

use super::{api::ApiRoutes, extract::Ids};
use crate::{
    errors::{ApiError, ApiResult, ErrorBody},
    models::actor::{Ability, Actor},
    queue::jobs::Backend,
    views::jobs::JobsResponse,
};

/// Queue sizes and running jobs, and the caller's failed jobs: waiting for
/// a retry, or dead. Owners and managers (of their sites' jobs).
#[utoipa::path(get, path = "/api/jobs", tag = "jobs", security(("bearer" = [])),
    responses(
        (status = 200, body = JobsResponse),
        (status = 403, body = ErrorBody), (status = 503, body = ErrorBody),
    ))]
async fn list(State(ctx): State<AppContext>, actor: Actor) -> ApiResult<impl IntoResponse> {
    actor.authorize(Ability::ManageJobs)?;
    let snapshot = Backend::of(&ctx).snapshot(&ctx.db, &actor).await?;
    Ok(axum::Json(JobsResponse::from(snapshot)))
}

/// Runs a failed (retrying or dead) job again now: 204.
#[utoipa::path(post, path = "/api/jobs/{jid}/retry", tag = "jobs",
    params(("jid" = String, Path)), security(("bearer" = [])),
    responses(
        (status = 204), (status = 403, body = ErrorBody),
        (status = 503, body = ErrorBody),
    ))]
async fn retry(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids(jid): Ids<String>,
) -> ApiResult<impl IntoResponse> {
    actor.authorize(Ability::ManageJobs)?;
    let jid = job_id(jid)?;
    Backend::of(&ctx).retry(&ctx, &actor, &jid).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Drops a failed (retrying or dead) job for good: 204. What it was for is
/// still due in the database, so a sweep may queue it again.
#[utoipa::path(delete, path = "/api/jobs/{jid}", tag = "jobs",
    params(("jid" = String, Path)), security(("bearer" = [])),
    responses(
        (status = 204), (status = 403, body = ErrorBody),
        (status = 503, body = ErrorBody),
    ))]
async fn discard(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids(jid): Ids<String>,
) -> ApiResult<impl IntoResponse> {
    actor.authorize(Ability::ManageJobs)?;
    let jid = job_id(jid)?;
    Backend::of(&ctx).discard(&ctx, &actor, &jid).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A job id as the queues make them (Sidekiq's hex, Loco's ULIDs):
/// anything else names no job.
fn job_id(jid: String) -> ApiResult<String> {
    let plausible = (1..=64).contains(&jid.len())
        && jid
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if plausible {
        Ok(jid)
    } else {
        Err(ApiError::NotFound("job"))
    }
}

pub fn routes() -> ApiRoutes {
    ApiRoutes::new("jobs")
        .route(routes!(list))
        .route(routes!(retry))
        .route(routes!(discard))
}
