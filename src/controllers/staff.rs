//! The people who work at the workshop.

use axum::{http::StatusCode, response::IntoResponse};
use loco_rs::prelude::{AppContext, State};
use sea_orm::IntoActiveModel;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;
use uuid::Uuid;

use super::api::ApiRoutes;
use super::extract::{Ids, JsonBody, QueryParams};
use crate::models::values::Id;
use crate::models::Scoped;
use crate::{
    errors::{ApiError, ApiResult, ErrorBody, FieldErrors},
    models::{
        actor::{Ability, Actor},
        organization::sites,
        paging::PageParams,
        people::{
            roles::Role,
            staff::{NewStaff, StaffChanges},
            users::{self, PasswordHash},
        },
        values::{Email, Name, Password},
        Write,
    },
    views::{page::PageResponse, staff::StaffResponse},
};

const NAME_MAX: usize = 120;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateStaffParams {
    #[schema(example = "Otieno Ouma")]
    #[schema(
        min_length = 1,
        max_length = 120,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub name: String,
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    /// At least 10 characters.
    #[schema(min_length = 10, max_length = 256)]
    pub password: String,
    /// `owner`, `manager`, `advisor` or `technician`.
    #[schema(schema_with = Role::staff_schema)]
    pub role: Role,
    /// The sites they work at; empty for an owner.
    #[serde(default)]
    pub site_ids: Vec<Id>,
}

impl CreateStaffParams {
    fn parse(self) -> ApiResult<NewStaff<Password>> {
        let mut errors = FieldErrors::default();
        let name = errors.check("name", Name::parse(&self.name, NAME_MAX));
        let email = errors.check("email", Email::parse(&self.email));
        let password = errors.check("password", Password::parse(&self.password));
        let role = errors.check("role", staff_role(self.role));
        match (name, email, password, role) {
            (Some(name), Some(email), Some(password), Some(role)) => Ok(NewStaff {
                name: name.into_inner(),
                email,
                password,
                role,
                site_ids: Id::uuids(&self.site_ids),
            }),
            _ => Err(ApiError::Validation(errors)),
        }
    }
}

/// Every field optional. `site_ids` replaces the assignments among the
/// caller's own sites; `active: false` signs the person out for good.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateStaffParams {
    #[schema(
        min_length = 1,
        max_length = 120,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub name: Option<String>,
    #[schema(schema_with = Role::staff_schema_or_null)]
    pub role: Option<Role>,
    pub site_ids: Option<Vec<Id>>,
    pub active: Option<bool>,
    /// A new password, e.g. for someone who forgot theirs.
    #[schema(min_length = 10, max_length = 256)]
    pub password: Option<String>,
}

impl UpdateStaffParams {
    /// Every field checked, then a new password hashed (before any
    /// transaction).
    async fn parse(self) -> ApiResult<StaffChanges> {
        let mut errors = FieldErrors::default();
        let password = self
            .password
            .and_then(|password| errors.check("password", Password::parse(&password)));
        let mut changes = StaffChanges {
            name: self
                .name
                .and_then(|name| errors.check("name", Name::parse(&name, NAME_MAX)))
                .map(Name::into_inner),
            role: self
                .role
                .and_then(|role| errors.check("role", staff_role(role))),
            site_ids: self.site_ids.as_deref().map(Id::uuids),
            active: self.active,
            password: None,
        };
        errors.finish()?;
        if let Some(password) = password {
            changes.password = Some(PasswordHash::of(password).await?);
        }
        Ok(changes)
    }
}

/// Customers sign up through the portal, never as staff.
fn staff_role(role: Role) -> Result<Role, String> {
    if Role::STAFF.contains(&role) {
        Ok(role)
    } else {
        Err("must be one of owner, manager, advisor, technician".to_string())
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StaffQuery {
    /// Only the people assigned to this site.
    pub site_id: Option<Id>,
    #[serde(flatten)]
    #[param(ignore)]
    pub paging: PageParams,
}

/// Add a member of staff (owner: any role; manager: advisors and
/// technicians at their sites).
#[utoipa::path(post, path = "/api/staff", tag = "staff", request_body = CreateStaffParams,
    security(("bearer" = [])),
    responses(
        (status = 201, body = StaffResponse),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
    ))]
async fn create(
    State(ctx): State<AppContext>,
    actor: Actor,
    JsonBody(params): JsonBody<CreateStaffParams>,
) -> ApiResult<impl IntoResponse> {
    // Who may add anyone at all is settled before the body is judged.
    if !Role::STAFF
        .iter()
        .any(|role| actor.can(Ability::ManageStaff(*role)))
    {
        return Err(ApiError::Forbidden);
    }
    let staff = params.parse()?;
    // Refused before the slow hash, when it is going to be refused.
    users::Model::check_new_staff(&ctx.db, &actor, &staff).await?;
    let staff = staff.hashed().await?;
    let txn = Write::begin(&ctx.db).await?;
    let member = users::Model::create_staff(&txn, &actor, staff).await?;
    txn.commit().await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(render_one(&ctx, &actor, member).await?),
    ))
}

/// Staff at the caller's sites (owner, manager, advisor).
#[utoipa::path(get, path = "/api/staff", tag = "staff", params(StaffQuery, PageParams),
    security(("bearer" = [])),
    responses(
        (status = 200, body = PageResponse<StaffResponse>),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ))]
async fn list(
    State(ctx): State<AppContext>,
    actor: Actor,
    QueryParams(query): QueryParams<StaffQuery>,
) -> ApiResult<impl IntoResponse> {
    let site =
        sites::Entity::find_optional_for(&ctx.db, &actor, query.site_id.map(Uuid::from)).await?;
    let page = query.paging.checked()?;
    let page = users::Model::list_staff_for(&ctx.db, &actor, site.as_ref(), page).await?;
    let items = render(&ctx, &actor, page.items).await?;
    Ok(axum::Json(PageResponse {
        items,
        page: page.page,
        per_page: page.per_page,
        total: page.total,
    }))
}

/// One member of staff.
#[utoipa::path(get, path = "/api/staff/{id}", tag = "staff",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses(
        (status = 200, body = StaffResponse),
        (status = 403, body = ErrorBody),
    ))]
async fn show(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids(id): Ids<Uuid>,
) -> ApiResult<impl IntoResponse> {
    let member = users::Model::find_staff_for(&ctx.db, &actor, id).await?;
    Ok(axum::Json(render_one(&ctx, &actor, member).await?))
}

/// Rename, re-assign, change the role of, reset the password of, or
/// deactivate a member of staff.
#[utoipa::path(patch, path = "/api/staff/{id}", tag = "staff", request_body = UpdateStaffParams,
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses(
        (status = 200, body = StaffResponse),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
    ))]
async fn update(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids(id): Ids<Uuid>,
    JsonBody(params): JsonBody<UpdateStaffParams>,
) -> ApiResult<impl IntoResponse> {
    let member = users::Model::find_staff_for(&ctx.db, &actor, id).await?;
    actor.authorize(Ability::ManageStaff(member.role()?))?;
    let changes = params.parse().await?;
    let txn = Write::begin(&ctx.db).await?;
    let member = member
        .into_active_model()
        .change_staff(&txn, &actor, changes)
        .await?;
    txn.commit().await?;
    Ok(axum::Json(render_one(&ctx, &actor, member).await?))
}

async fn render_one(
    ctx: &AppContext,
    actor: &Actor,
    member: users::Model,
) -> ApiResult<StaffResponse> {
    render(ctx, actor, vec![member])
        .await?
        .pop()
        .ok_or_else(|| ApiError::internal("rendering lost the staff member"))
}

/// Views of `members` with their sites, fetched for all of them at once.
async fn render(
    ctx: &AppContext,
    actor: &Actor,
    members: Vec<users::Model>,
) -> ApiResult<Vec<StaffResponse>> {
    let mut sites = users::Model::sites_of(&ctx.db, actor.organization_id(), &members).await?;
    members
        .iter()
        .map(|member| {
            let member_sites = sites.remove(&member.id).unwrap_or_default();
            Ok(StaffResponse::new(member, member.role()?, &member_sites))
        })
        .collect()
}

pub fn routes() -> ApiRoutes {
    ApiRoutes::new("staff")
        .route(routes!(create, list))
        .route(routes!(show, update))
}
