//! The workshop's customers.

use axum::{http::StatusCode, response::IntoResponse};
use loco_rs::prelude::{AppContext, State};
use sea_orm::IntoActiveModel;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;
use uuid::Uuid;

use super::api::ApiRoutes;
use super::extract::{nullable, Ids, JsonBody, QueryParams};
use crate::models::values::Id;
use crate::models::Scoped;
use crate::models::Write;
use crate::{
    errors::{ApiError, ApiResult, ErrorBody, FieldErrors},
    messages,
    models::{
        actor::{Ability, Actor},
        customers::{self, ConsentSource, CustomerChanges, NewCustomer},
        organization::sites,
        paging::{checked_search, PageParams},
        values::{Email, LanguageCode, Name, PhoneE164},
    },
    views::{customers::CustomerResponse, deliveries::DeliveryResponse, page::PageResponse},
};

const NAME_MAX: usize = 120;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCustomerParams {
    #[schema(example = "Achieng Odhiambo")]
    #[schema(
        min_length = 1,
        max_length = 120,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub name: String,
    /// E.164; at least one of `phone` and `email`.
    #[schema(example = "+254712345678")]
    #[schema(pattern = r"^\+[1-9][0-9]{7,14}$")]
    pub phone: Option<String>,
    #[schema(format = Email, max_length = 254)]
    pub email: Option<String>,
    pub home_site_id: Id,
    #[serde(default)]
    pub marketing_opt_in: bool,
    /// How consent was given; default `in_person`.
    pub marketing_consent_source: Option<ConsentSource>,
    /// The language messages are written in; absent: the home site's.
    pub language: Option<LanguageCode>,
    /// Text messages rather than email, where both are possible (and an
    /// SMS gateway is configured); default `false`.
    #[serde(default)]
    pub prefers_sms: bool,
}

impl CreateCustomerParams {
    fn parse(self) -> ApiResult<NewCustomer> {
        let mut errors = FieldErrors::default();
        let name = errors.check("name", Name::parse(&self.name, NAME_MAX));
        let phone = errors.check("phone", optional(self.phone.as_deref(), PhoneE164::parse));
        let email = errors.check("email", optional(self.email.as_deref(), Email::parse));
        if matches!((&phone, &email), (Some(None), Some(None))) {
            errors.add("phone", "a customer needs a phone number or an email");
        }
        match (name, phone, email) {
            (Some(name), Some(phone), Some(email)) if errors.is_empty() => Ok(NewCustomer {
                name: name.into_inner(),
                phone: phone.map(PhoneE164::into_inner),
                email: email.map(Email::into_inner),
                home_site_id: self.home_site_id.0,
                marketing_opt_in: self.marketing_opt_in,
                consent_source: self.marketing_consent_source.unwrap_or_default(),
                language: self.language,
                prefers_sms: self.prefers_sms,
            }),
            _ => Err(ApiError::Validation(errors)),
        }
    }
}

/// Every field optional; `null` clears `phone` or `email` (one must remain).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCustomerParams {
    #[schema(
        min_length = 1,
        max_length = 120,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    #[schema(pattern = r"^\+[1-9][0-9]{7,14}$")]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    #[schema(format = Email, max_length = 254)]
    pub email: Option<Option<String>>,
    pub home_site_id: Option<Id>,
    pub marketing_opt_in: Option<bool>,
    pub marketing_consent_source: Option<ConsentSource>,
    /// `null`: back to the home site's language.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<LanguageCode>)]
    pub language: Option<Option<LanguageCode>>,
    pub prefers_sms: Option<bool>,
}

impl UpdateCustomerParams {
    fn parse(self) -> ApiResult<CustomerChanges> {
        let mut errors = FieldErrors::default();
        let changes = CustomerChanges {
            name: self
                .name
                .and_then(|name| errors.check("name", Name::parse(&name, NAME_MAX)))
                .map(Name::into_inner),
            phone: self
                .phone
                .and_then(|phone| {
                    errors.check("phone", optional(phone.as_deref(), PhoneE164::parse))
                })
                .map(|phone| phone.map(PhoneE164::into_inner)),
            email: self
                .email
                .and_then(|email| errors.check("email", optional(email.as_deref(), Email::parse)))
                .map(|email| email.map(Email::into_inner)),
            home_site_id: self.home_site_id.map(Uuid::from),
            marketing_opt_in: self.marketing_opt_in,
            consent_source: self.marketing_consent_source,
            language: self.language,
            prefers_sms: self.prefers_sms,
        };
        errors.finish()?;
        Ok(changes)
    }
}

/// Blank means absent; anything else must parse.
fn optional<T>(
    raw: Option<&str>,
    parse: fn(&str) -> Result<T, String>,
) -> Result<Option<T>, String> {
    raw.map(str::trim)
        .filter(|text| !text.is_empty())
        .map(parse)
        .transpose()
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CustomerQuery {
    /// Part of a name, phone number, email, plate or VIN.
    #[param(max_length = 200)]
    pub q: Option<String>,
    #[serde(flatten)]
    #[param(ignore)]
    pub paging: PageParams,
}

/// Add a customer.
#[utoipa::path(post, path = "/api/customers", tag = "customers", request_body = CreateCustomerParams,
    security(("bearer" = [])),
    responses(
        (status = 201, body = CustomerResponse),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ))]
async fn create(
    State(ctx): State<AppContext>,
    actor: Actor,
    JsonBody(params): JsonBody<CreateCustomerParams>,
) -> ApiResult<impl IntoResponse> {
    actor.authorize(Ability::ManageCustomers)?;
    let txn = Write::begin(&ctx.db).await?;
    let customer = customers::Model::create(&txn, &actor, params.parse()?).await?;
    txn.commit().await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(render_one(&ctx, &customer).await?),
    ))
}

/// Find customers by name, phone, email, plate or VIN.
#[utoipa::path(get, path = "/api/customers", tag = "customers", params(CustomerQuery, PageParams),
    security(("bearer" = [])),
    responses(
        (status = 200, body = PageResponse<CustomerResponse>),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ))]
async fn list(
    State(ctx): State<AppContext>,
    actor: Actor,
    QueryParams(query): QueryParams<CustomerQuery>,
) -> ApiResult<impl IntoResponse> {
    let page = query.paging.checked()?;
    let page = customers::Model::search(&ctx.db, &actor, checked_search(query.q.as_deref())?, page)
        .await?;
    let site_ids: Vec<i64> = page.items.iter().map(|c| c.home_site_id).collect();
    let homes = sites::Model::by_ids(&ctx.db, actor.organization_id(), &site_ids).await?;
    let page = page.try_map(|customer| {
        homes
            .iter()
            .find(|site| site.id == customer.home_site_id)
            .map(|home| CustomerResponse::new(&customer, home))
            .ok_or_else(|| ApiError::internal("a customer's home site is missing"))
    })?;
    Ok(axum::Json(PageResponse::from(page)))
}

/// One customer.
#[utoipa::path(get, path = "/api/customers/{id}", tag = "customers",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses(
        (status = 200, body = CustomerResponse),
        (status = 403, body = ErrorBody),
    ))]
async fn show(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids(id): Ids<Uuid>,
) -> ApiResult<impl IntoResponse> {
    let customer = customers::Entity::find_for(&ctx.db, &actor, id).await?;
    Ok(axum::Json(render_one(&ctx, &customer).await?))
}

/// Change a customer's details or marketing consent.
#[utoipa::path(patch, path = "/api/customers/{id}", tag = "customers", request_body = UpdateCustomerParams,
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses(
        (status = 200, body = CustomerResponse),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ))]
async fn update(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids(id): Ids<Uuid>,
    JsonBody(params): JsonBody<UpdateCustomerParams>,
) -> ApiResult<impl IntoResponse> {
    let customer = customers::Entity::find_for(&ctx.db, &actor, id).await?;
    let changes = params.parse()?;
    let txn = Write::begin(&ctx.db).await?;
    let customer = customer
        .into_active_model()
        .change(&txn, &actor, changes)
        .await?;
    txn.commit().await?;
    Ok(axum::Json(render_one(&ctx, &customer).await?))
}

/// Erase a customer's personal data. Their repair orders and invoices stay,
/// under an anonymous name.
#[utoipa::path(delete, path = "/api/customers/{id}", tag = "customers",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses(
        (status = 204, description = "Erased"),
        (status = 403, body = ErrorBody),
    ))]
async fn erase(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids(id): Ids<Uuid>,
) -> ApiResult<impl IntoResponse> {
    let customer = customers::Entity::find_for(&ctx.db, &actor, id).await?;
    let txn = Write::begin(&ctx.db).await?;
    customer.into_active_model().erase(&txn, &actor).await?;
    txn.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn render_one(ctx: &AppContext, customer: &customers::Model) -> ApiResult<CustomerResponse> {
    let home = sites::Model::by_ids(&ctx.db, customer.organization_id, &[customer.home_site_id])
        .await?
        .pop()
        .ok_or_else(|| ApiError::internal("a customer's home site is missing"))?;
    Ok(CustomerResponse::new(customer, &home))
}

/// Every message sent (or not) to the customer from the caller's sites:
/// reminders and invoices, with what became of each, newest first.
#[utoipa::path(get, path = "/api/customers/{id}/deliveries", tag = "customers",
    params(("id" = Uuid, Path), PageParams), security(("bearer" = [])),
    responses(
        (status = 200, body = PageResponse<DeliveryResponse>),
        (status = 403, body = ErrorBody),
    ))]
async fn deliveries(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids(id): Ids<Uuid>,
    QueryParams(paging): QueryParams<PageParams>,
) -> ApiResult<impl IntoResponse> {
    let customer = customers::Entity::find_for(&ctx.db, &actor, id).await?;
    let page = paging.checked()?;
    let page = messages::ledger::of_customer(&ctx.db, &actor, &customer, page).await?;
    Ok(axum::Json(PageResponse::from(
        page.map(DeliveryResponse::from),
    )))
}

pub fn routes() -> ApiRoutes {
    ApiRoutes::new("customers")
        .route(routes!(create, list))
        .route(routes!(show, update, erase))
        .route(routes!(deliveries))
}
