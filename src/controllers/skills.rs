//! The organization's list of skills, which repair orders require and
//! technicians have.

use axum::{http::StatusCode, response::IntoResponse};
use loco_rs::prelude::{AppContext, State};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::routes;

use super::{api::ApiRoutes, extract::JsonBody};
use crate::{
    errors::{ApiError, ApiResult, ErrorBody},
    models::{actor::Actor, people::skills, values::Name, Write},
    views::skills::SkillResponse,
};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSkillParams {
    #[schema(
        example = "hybrid",
        min_length = 1,
        max_length = 60,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub name: String,
}

/// Every skill of the organization, by name.
#[utoipa::path(get, path = "/api/skills", tag = "staff", security(("bearer" = [])),
    responses(
        (status = 200, body = Vec<SkillResponse>),
        (status = 403, body = ErrorBody),
    ))]
async fn list(State(ctx): State<AppContext>, actor: Actor) -> ApiResult<impl IntoResponse> {
    let skills = skills::Model::list_for(&ctx.db, &actor).await?;
    Ok(axum::Json(
        skills
            .into_iter()
            .map(SkillResponse::from)
            .collect::<Vec<_>>(),
    ))
}

/// Add a skill (owners, managers); names are unique whatever their case.
#[utoipa::path(post, path = "/api/skills", tag = "staff", request_body = CreateSkillParams,
    security(("bearer" = [])),
    responses(
        (status = 201, body = SkillResponse),
        (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
    ))]
async fn create(
    State(ctx): State<AppContext>,
    actor: Actor,
    JsonBody(params): JsonBody<CreateSkillParams>,
) -> ApiResult<impl IntoResponse> {
    let name =
        Name::parse(&params.name, 60).map_err(|message| ApiError::invalid("name", message))?;
    let txn = Write::begin(&ctx.db).await?;
    let skill = skills::Model::create(&txn, &actor, name.into_inner()).await?;
    txn.commit().await?;
    Ok((StatusCode::CREATED, axum::Json(SkillResponse::from(skill))))
}

pub fn routes() -> ApiRoutes {
    ApiRoutes::new("skills").route(routes!(list, create))
}
