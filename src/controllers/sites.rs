//! Branches of the workshop.

use axum::{http::StatusCode, response::IntoResponse};
use loco_rs::prelude::{AppContext, State};
use sea_orm::IntoActiveModel;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::routes;
use uuid::Uuid;
use validator::Validate;

use super::api::ApiRoutes;
use super::extract::{nullable, Ids, JsonBody, QueryParams};
use crate::models::Scoped;
use crate::models::Write;
use crate::{
    errors::{ApiError, ApiResult, ErrorBody, FieldErrors},
    models::{
        actor::{Ability, Actor},
        organization::sites::{
            self, SiteChanges, SiteSettings, DEFAULT_COMEBACK_WINDOW_DAYS, DEFAULT_REMINDER_HOUR,
            DEFAULT_REMINDER_LEAD_DAYS,
        },
        paging::PageParams,
        values::{
            CurrencyCode, Email, LanguageCode, Name, OptionalText, SiteCode, TaxRate, TimeZone,
        },
    },
    views::{page::PageResponse, sites::SiteResponse},
};

const NAME_MAX: usize = 120;
const ADDRESS_MAX: usize = 500;
const PHONE_MAX: usize = 32;
const INSTRUCTIONS_MAX: usize = 500;

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSiteParams {
    #[schema(example = "Nairobi Industrial Area")]
    #[schema(
        min_length = 1,
        max_length = 120,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub name: String,
    /// 2–8 letters or digits, unique in the organization.
    #[schema(example = "NBO")]
    #[schema(pattern = r"^[A-Za-z0-9]{2,8}$")]
    pub code: String,
    #[schema(schema_with = TimeZone::schema)]
    pub timezone: String,
    #[schema(schema_with = CurrencyCode::schema)]
    pub currency: String,
    #[schema(example = "0.16")]
    #[schema(pattern = r"^0(\.[0-9]{1,4})?$")]
    pub tax_rate: String,
    #[schema(max_length = 500)]
    pub address: Option<String>,
    #[schema(max_length = 32)]
    pub phone: Option<String>,
    #[schema(format = Email, max_length = 254)]
    pub email: Option<String>,
    /// Printed on invoices: how customers pay (an M-Pesa till or paybill
    /// number, a bank account). Several lines allowed.
    #[schema(max_length = 500, example = "M-Pesa Till 512345\nKCB A/C 1100223344")]
    pub payment_instructions: Option<String>,
    /// Default 7.
    #[validate(range(min = 0, max = 90, message = "must be between 0 and 90"))]
    #[schema(minimum = 0, maximum = 90)]
    pub reminder_lead_days: Option<i32>,
    /// Site-local hour, default 9.
    #[validate(range(min = 0, max = 23, message = "must be between 0 and 23"))]
    #[schema(minimum = 0, maximum = 23)]
    pub reminder_hour: Option<i32>,
    /// The language customers are written to in unless they chose their
    /// own; `en` when the site is created without one.
    pub language: Option<LanguageCode>,
    /// Days after a completed repair in which the vehicle's return may be
    /// flagged a comeback; default 30.
    #[validate(range(min = 1, max = 365, message = "must be between 1 and 365"))]
    #[schema(minimum = 1, maximum = 365)]
    pub comeback_window_days: Option<i32>,
    /// Days from an invoice's issue to when it is due (its payment
    /// terms); 0, the default: due on receipt.
    #[validate(range(min = 0, max = 365, message = "must be between 0 and 365"))]
    #[schema(minimum = 0, maximum = 365)]
    pub payment_terms_days: Option<i32>,
}

impl CreateSiteParams {
    fn parse(self) -> ApiResult<SiteSettings> {
        let mut errors = FieldErrors::default();
        if let Err(invalid) = self.validate() {
            errors.merge_validation(&invalid);
        }
        let name = errors.check("name", Name::parse(&self.name, NAME_MAX));
        let code = errors.check("code", SiteCode::parse(&self.code));
        let timezone = errors.check("timezone", TimeZone::parse(&self.timezone));
        let currency = errors.check("currency", CurrencyCode::parse(&self.currency));
        let tax_rate = errors.check("tax_rate", TaxRate::parse(&self.tax_rate));
        let address = errors.check(
            "address",
            OptionalText::parse(self.address.as_deref(), ADDRESS_MAX),
        );
        let phone = errors.check(
            "phone",
            OptionalText::parse(self.phone.as_deref(), PHONE_MAX),
        );
        let email = errors.check("email", optional_email(self.email.as_deref()));
        let payment_instructions = errors.check(
            "payment_instructions",
            OptionalText::parse(self.payment_instructions.as_deref(), INSTRUCTIONS_MAX),
        );
        match (
            name,
            code,
            timezone,
            currency,
            tax_rate,
            address,
            phone,
            email,
            payment_instructions,
        ) {
            (
                Some(name),
                Some(code),
                Some(timezone),
                Some(currency),
                Some(tax_rate),
                Some(address),
                Some(phone),
                Some(email),
                Some(payment_instructions),
            ) if errors.is_empty() => Ok(SiteSettings {
                name: name.into_inner(),
                code: code.into_inner(),
                timezone: timezone.name().to_string(),
                currency: currency.code().to_string(),
                tax_rate: tax_rate.decimal(),
                address: address.into_inner(),
                phone: phone.into_inner(),
                email,
                payment_instructions: payment_instructions.into_inner(),
                reminder_lead_days: self
                    .reminder_lead_days
                    .unwrap_or(DEFAULT_REMINDER_LEAD_DAYS),
                reminder_hour: self.reminder_hour.unwrap_or(DEFAULT_REMINDER_HOUR),
                language: self.language.unwrap_or_default(),
                comeback_window_days: self
                    .comeback_window_days
                    .unwrap_or(DEFAULT_COMEBACK_WINDOW_DAYS),
                payment_terms_days: self.payment_terms_days.unwrap_or(0),
            }),
            _ => Err(ApiError::Validation(errors)),
        }
    }
}

/// Every field optional; `null` clears `address`, `phone`, `email` and
/// `payment_instructions`.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateSiteParams {
    #[schema(
        min_length = 1,
        max_length = 120,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub name: Option<String>,
    #[schema(pattern = r"^[A-Za-z0-9]{2,8}$")]
    pub code: Option<String>,
    #[schema(schema_with = TimeZone::schema_or_null)]
    pub timezone: Option<String>,
    #[schema(schema_with = CurrencyCode::schema_or_null)]
    pub currency: Option<String>,
    #[schema(pattern = r"^0(\.[0-9]{1,4})?$")]
    pub tax_rate: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    #[schema(max_length = 500)]
    pub address: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    #[schema(max_length = 32)]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    #[schema(format = Email, max_length = 254)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    #[schema(max_length = 500)]
    pub payment_instructions: Option<Option<String>>,
    #[validate(range(min = 0, max = 90, message = "must be between 0 and 90"))]
    #[schema(minimum = 0, maximum = 90)]
    pub reminder_lead_days: Option<i32>,
    #[validate(range(min = 0, max = 23, message = "must be between 0 and 23"))]
    #[schema(minimum = 0, maximum = 23)]
    pub reminder_hour: Option<i32>,
    /// The language customers are written to in unless they chose their
    /// own; `en` when the site is created without one.
    pub language: Option<LanguageCode>,
    /// Days after a completed repair in which the vehicle's return may be
    /// flagged a comeback; default 30.
    #[validate(range(min = 1, max = 365, message = "must be between 1 and 365"))]
    #[schema(minimum = 1, maximum = 365)]
    pub comeback_window_days: Option<i32>,
    /// Days from an invoice's issue to when it is due (its payment
    /// terms); 0, the default: due on receipt.
    #[validate(range(min = 0, max = 365, message = "must be between 0 and 365"))]
    #[schema(minimum = 0, maximum = 365)]
    pub payment_terms_days: Option<i32>,
}

impl UpdateSiteParams {
    fn parse(self) -> ApiResult<SiteChanges> {
        let mut errors = FieldErrors::default();
        if let Err(invalid) = self.validate() {
            errors.merge_validation(&invalid);
        }
        let changes = SiteChanges {
            name: self
                .name
                .and_then(|name| errors.check("name", Name::parse(&name, NAME_MAX)))
                .map(Name::into_inner),
            code: self
                .code
                .and_then(|code| errors.check("code", SiteCode::parse(&code)))
                .map(SiteCode::into_inner),
            timezone: self
                .timezone
                .and_then(|zone| errors.check("timezone", TimeZone::parse(&zone)))
                .map(|zone| zone.name().to_string()),
            currency: self
                .currency
                .and_then(|code| errors.check("currency", CurrencyCode::parse(&code)))
                .map(|code| code.code().to_string()),
            tax_rate: self
                .tax_rate
                .and_then(|rate| errors.check("tax_rate", TaxRate::parse(&rate)))
                .map(TaxRate::decimal),
            address: self
                .address
                .and_then(|text| {
                    errors.check("address", OptionalText::parse(text.as_deref(), ADDRESS_MAX))
                })
                .map(OptionalText::into_inner),
            phone: self
                .phone
                .and_then(|text| {
                    errors.check("phone", OptionalText::parse(text.as_deref(), PHONE_MAX))
                })
                .map(OptionalText::into_inner),
            email: self
                .email
                .and_then(|text| errors.check("email", optional_email(text.as_deref()))),
            payment_instructions: self
                .payment_instructions
                .and_then(|text| {
                    errors.check(
                        "payment_instructions",
                        OptionalText::parse(text.as_deref(), INSTRUCTIONS_MAX),
                    )
                })
                .map(OptionalText::into_inner),
            reminder_lead_days: self.reminder_lead_days,
            reminder_hour: self.reminder_hour,
            language: self.language,
            comeback_window_days: self.comeback_window_days,
            payment_terms_days: self.payment_terms_days,
        };
        errors.finish()?;
        Ok(changes)
    }
}

fn optional_email(raw: Option<&str>) -> Result<Option<String>, String> {
    match raw.map(str::trim).filter(|text| !text.is_empty()) {
        Some(text) => Email::parse(text).map(|email| Some(email.into_inner())),
        None => Ok(None),
    }
}

/// Open a branch (owner).
#[utoipa::path(post, path = "/api/sites", tag = "sites", request_body = CreateSiteParams,
    security(("bearer" = [])),
    responses(
        (status = 201, body = SiteResponse),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
async fn create(
    State(ctx): State<AppContext>,
    actor: Actor,
    JsonBody(params): JsonBody<CreateSiteParams>,
) -> ApiResult<impl IntoResponse> {
    actor.authorize(Ability::ManageSites)?;
    let settings = params.parse()?;
    let txn = Write::begin(&ctx.db).await?;
    let site = sites::Model::create(&txn, &actor, settings).await?;
    txn.commit().await?;
    Ok((StatusCode::CREATED, axum::Json(SiteResponse::from(&site))))
}

/// The sites the caller sees: all of them for an owner.
#[utoipa::path(get, path = "/api/sites", tag = "sites", params(PageParams),
    security(("bearer" = [])),
    responses(
        (status = 200, body = PageResponse<SiteResponse>),
        (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
async fn list(
    State(ctx): State<AppContext>,
    actor: Actor,
    QueryParams(page): QueryParams<PageParams>,
) -> ApiResult<impl IntoResponse> {
    let page = sites::Model::list_for(&ctx.db, &actor, page.checked()?).await?;
    Ok(axum::Json(PageResponse::from(
        page.map(|site| SiteResponse::from(&site)),
    )))
}

/// One site.
#[utoipa::path(get, path = "/api/sites/{id}", tag = "sites",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses(
        (status = 200, body = SiteResponse),
        (status = 403, body = ErrorBody),
    ))]
async fn show(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids(id): Ids<Uuid>,
) -> ApiResult<impl IntoResponse> {
    let site = sites::Entity::find_for(&ctx.db, &actor, id).await?;
    actor.authorize(Ability::ViewSites)?;
    Ok(axum::Json(SiteResponse::from(&site)))
}

/// Change a site's settings (owner).
#[utoipa::path(patch, path = "/api/sites/{id}", tag = "sites", request_body = UpdateSiteParams,
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses(
        (status = 200, body = SiteResponse),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
    ))]
async fn update(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids(id): Ids<Uuid>,
    JsonBody(params): JsonBody<UpdateSiteParams>,
) -> ApiResult<impl IntoResponse> {
    let site = sites::Entity::find_for(&ctx.db, &actor, id).await?;
    actor.authorize(Ability::ManageSites)?;
    let changes = params.parse()?;
    let txn = Write::begin(&ctx.db).await?;
    let site = site
        .into_active_model()
        .change(&txn, &actor, changes)
        .await?;
    txn.commit().await?;
    Ok(axum::Json(SiteResponse::from(&site)))
}

pub fn routes() -> ApiRoutes {
    ApiRoutes::new("sites")
        .route(routes!(create, list))
        .route(routes!(show, update))
}
