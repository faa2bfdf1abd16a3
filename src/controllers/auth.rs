//! Signing up, signing in, and who the caller is.

use axum::{http::StatusCode, response::IntoResponse};
use loco_rs::prelude::{AppContext, State};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::routes;

use super::api::ApiRoutes;
use super::extract::JsonBody;
use crate::models::Scoped;
use crate::{
    errors::{ApiError, ApiResult, ErrorBody, FieldErrors},
    models::{
        actor::Actor,
        organization::{organizations, sites},
        people::users::{self, Origin, PasswordHash, Signup},
        values::{Email, Name, Password},
        Write,
    },
    views::auth::{AuthResponse, MeResponse},
};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignupParams {
    #[schema(example = "Kamau Motors")]
    #[schema(
        min_length = 1,
        max_length = 120,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub organization_name: String,
    #[schema(example = "Wanjiru Kamau")]
    #[schema(
        min_length = 1,
        max_length = 120,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub name: String,
    #[schema(example = "wanjiru@kamaumotors.co.ke")]
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    /// At least 10 characters.
    #[schema(min_length = 10, max_length = 256)]
    pub password: String,
}

impl SignupParams {
    /// The sign-up, and the password to hash once it is admitted.
    fn parse(self) -> ApiResult<(Signup, Password)> {
        let mut errors = FieldErrors::default();
        let organization_name = errors.check(
            "organization_name",
            Name::parse(&self.organization_name, 120),
        );
        let name = errors.check("name", Name::parse(&self.name, 120));
        let email = errors.check("email", Email::parse(&self.email));
        let password = errors.check("password", Password::parse(&self.password));
        match (organization_name, name, email, password) {
            (Some(organization_name), Some(name), Some(email), Some(password)) => Ok((
                Signup {
                    organization_name: organization_name.into_inner(),
                    name: name.into_inner(),
                    email,
                },
                password,
            )),
            _ => Err(ApiError::Validation(errors)),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginParams {
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    #[schema(max_length = 256)]
    pub password: String,
}

/// Create an organization and its owner.
#[utoipa::path(post, path = "/api/auth/signup", tag = "auth", request_body = SignupParams,
    responses(
        (status = 201, body = AuthResponse),
        (status = 400, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 429, body = ErrorBody),
    ))]
async fn signup(
    State(ctx): State<AppContext>,
    origin: Origin,
    JsonBody(params): JsonBody<SignupParams>,
) -> ApiResult<impl IntoResponse> {
    let (signup, password) = params.parse()?;
    users::Model::admit_signup(&ctx.db, &signup.email, &origin).await?;
    let password = PasswordHash::of(password).await?;
    let txn = Write::begin(&ctx.db).await?;
    let owner = users::Model::sign_up(&txn, signup, password, origin.clock).await?;
    txn.commit().await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(authenticated(&ctx, owner).await?),
    ))
}

/// Exchange an email and password for a token.
#[utoipa::path(post, path = "/api/auth/login", tag = "auth", request_body = LoginParams,
    responses(
        (status = 200, body = AuthResponse),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 429, body = ErrorBody),
    ))]
async fn login(
    State(ctx): State<AppContext>,
    origin: Origin,
    JsonBody(params): JsonBody<LoginParams>,
) -> ApiResult<impl IntoResponse> {
    // Any address that cannot be an account's fails like a wrong password.
    let email = Email::parse(&params.email)
        .map_err(|_| ApiError::Unauthorized("invalid email or password".to_string()))?;
    let user = users::Model::sign_in(&ctx.db, &email, &params.password, &origin).await?;
    Ok(axum::Json(authenticated(&ctx, user).await?))
}

/// The signed-in user, their organization and the sites they see.
#[utoipa::path(get, path = "/api/auth/me", tag = "auth",
    security(("bearer" = [])),
    responses((status = 200, body = MeResponse)))]
async fn me(State(ctx): State<AppContext>, actor: Actor) -> ApiResult<impl IntoResponse> {
    Ok(axum::Json(me_response(&ctx, &actor).await?))
}

async fn authenticated(ctx: &AppContext, user: users::Model) -> ApiResult<AuthResponse> {
    let jwt = ctx.config.get_jwt_config().map_err(ApiError::internal)?;
    let token = user.token(&jwt.secret, jwt.expiration)?;
    let actor = Actor::for_user(&ctx.db, user, crate::settings::Settings::clock_of(ctx)).await?;
    Ok(AuthResponse {
        token,
        user: me_response(ctx, &actor).await?,
    })
}

async fn me_response(ctx: &AppContext, actor: &Actor) -> ApiResult<MeResponse> {
    let organization = organizations::Model::find_by_id(&ctx.db, actor.organization_id()).await?;
    let sites = sites::Entity::visible_to(actor).all(&ctx.db).await?;
    Ok(MeResponse::new(
        &actor.user,
        actor.role,
        &organization,
        &sites,
    ))
}

pub fn routes() -> ApiRoutes {
    ApiRoutes::new("auth")
        .route(routes!(signup))
        .route(routes!(login))
        .route(routes!(me))
}
