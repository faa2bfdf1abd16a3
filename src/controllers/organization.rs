//! The business itself: its trading name, and the legal name and tax
//! number its invoices are issued in.

use axum::response::IntoResponse;
use loco_rs::prelude::{AppContext, State};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::routes;

use super::api::ApiRoutes;
use super::extract::{nullable, JsonBody};
use crate::{
    errors::{ApiError, ApiResult, ErrorBody, FieldErrors},
    models::{
        actor::{Ability, Actor},
        organization::organizations::{self, OrganizationChanges},
        values::{Name, TaxNumber},
        Write,
    },
    views::organization::OrganizationResponse,
};

const NAME_MAX: usize = 120;
const LEGAL_NAME_MAX: usize = 200;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateOrganizationParams {
    /// The trading name, as customers know the workshop.
    #[schema(
        example = "Kamau Motors",
        min_length = 1,
        max_length = 120,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub name: Option<String>,
    /// The registered name invoices are issued in; `null`: the trading
    /// name.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, example = "Kamau Motors Limited", max_length = 200)]
    pub legal_name: Option<Option<String>>,
    /// The tax authority's number printed on every invoice: a KRA PIN
    /// (`P051234567X`) in Kenya, a TIN in Uganda; `null` or blank clears
    /// it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, example = "P051234567X", pattern = r"^\s*([A-Za-z0-9][A-Za-z0-9 /-]{2,39})?\s*$")]
    pub tax_number: Option<Option<String>>,
}

impl UpdateOrganizationParams {
    fn parse(self) -> ApiResult<OrganizationChanges> {
        let mut errors = FieldErrors::default();
        let changes = OrganizationChanges {
            name: self
                .name
                .and_then(|name| errors.check("name", Name::parse(&name, NAME_MAX)))
                .map(Name::into_inner),
            legal_name: self.legal_name.and_then(|legal| match legal {
                Some(text) if !text.trim().is_empty() => errors
                    .check("legal_name", Name::parse(&text, LEGAL_NAME_MAX))
                    .map(|name| Some(name.into_inner())),
                _ => Some(None),
            }),
            tax_number: self.tax_number.and_then(|number| match number {
                Some(text) if !text.trim().is_empty() => errors
                    .check("tax_number", TaxNumber::parse(&text))
                    .map(|number| Some(number.into_inner())),
                _ => Some(None),
            }),
        };
        if errors.is_empty() {
            Ok(changes)
        } else {
            Err(ApiError::Validation(errors))
        }
    }
}

/// The business's details (staff).
#[utoipa::path(get, path = "/api/organization", tag = "organization",
    security(("bearer" = [])),
    responses(
        (status = 200, body = OrganizationResponse),
        (status = 403, body = ErrorBody),
    ))]
async fn show(State(ctx): State<AppContext>, actor: Actor) -> ApiResult<impl IntoResponse> {
    actor.authorize(Ability::ViewSites)?;
    let organization = organizations::Model::find_by_id(&ctx.db, actor.organization_id()).await?;
    Ok(axum::Json(OrganizationResponse::from(&organization)))
}

/// Change the business's name, legal name or tax number (owner). Invoices
/// issued before keep what they printed.
#[utoipa::path(patch, path = "/api/organization", tag = "organization",
    request_body = UpdateOrganizationParams, security(("bearer" = [])),
    responses(
        (status = 200, body = OrganizationResponse),
        (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
async fn update(
    State(ctx): State<AppContext>,
    actor: Actor,
    JsonBody(params): JsonBody<UpdateOrganizationParams>,
) -> ApiResult<impl IntoResponse> {
    actor.authorize(Ability::ManageSites)?;
    let changes = params.parse()?;
    let txn = Write::begin(&ctx.db).await?;
    let organization = organizations::Model::change(&txn, &actor, changes).await?;
    txn.commit().await?;
    Ok(axum::Json(OrganizationResponse::from(&organization)))
}

pub fn routes() -> ApiRoutes {
    ApiRoutes::new("organization").route(routes!(show, update))
}
