//! How technicians' work flows.

use axum::response::IntoResponse;
use chrono::NaiveDate;
use loco_rs::prelude::{AppContext, State};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::routes;
use uuid::Uuid;

use super::api::ApiRoutes;
use super::extract::{nullable, Ids, JsonBody, QueryParams};
use crate::{
    errors::{ApiError, ApiResult, ErrorBody, FieldErrors},
    models::{
        actor::{Ability, Actor},
        begin_write, earnings,
        error::DomainError,
        now_at,
        roles::Role,
        shifts, sites,
        technician_profiles::{self, CertificationLevel, Pay, ProfileChanges},
        technician_stats::TechnicianStats,
        users,
        values::{Money, PhoneE164},
    },
    views::{
        refs::PersonRef,
        shifts::BoardEntryResponse,
        sites::SiteRef,
        skills::{EarningsResponse, TechnicianResponse},
        technicians::TechnicianStatsResponse,
    },
};

/// Every field optional; `null` clears one.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTechnicianParams {
    /// E.164.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, pattern = r"^\+[1-9][0-9]{7,14}$")]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<NaiveDate>)]
    pub hire_date: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<CertificationLevel>)]
    pub certification_level: Option<Option<CertificationLevel>>,
    /// The branch they mostly work at.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub home_site_id: Option<Option<Uuid>>,
    /// Skills of the organization's list (`GET /api/skills`); replaces
    /// what they had.
    #[schema(max_items = 30, example = json!(["electrical", "diagnostics"]))]
    pub skills: Option<Vec<String>>,
    /// How they are paid: `hourly` (`pay_rate` a sum an hour clocked) or
    /// `labour_share` (`pay_rate` a share of invoiced labour, over 0 and at
    /// most 1); `null` clears both.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, example = "labour_share")]
    pub pay_basis: Option<Option<String>>,
    /// A decimal string, given with `pay_basis`.
    #[schema(example = "0.3")]
    pub pay_rate: Option<String>,
}

/// The pay of `basis` at `rate`, or why not.
fn pay_of(basis: &str, rate: Option<&str>, errors: &mut FieldErrors) -> Option<Pay> {
    let Some(rate) = rate else {
        errors.add("pay_rate", "must be given with pay_basis");
        return None;
    };
    match basis {
        "hourly" => errors
            .check("pay_rate", Money::parse(rate))
            .map(|money| Pay::Hourly(money.decimal())),
        "labour_share" => {
            let share = rate
                .trim()
                .parse::<rust_decimal::Decimal>()
                .ok()
                .filter(|share| {
                    *share > rust_decimal::Decimal::ZERO
                        && *share <= rust_decimal::Decimal::ONE
                        && share.scale() <= 4
                });
            if share.is_none() {
                errors.add("pay_rate", "must be a share over 0 and at most 1, e.g. 0.3");
            }
            share.map(Pay::LabourShare)
        }
        _ => {
            errors.add("pay_basis", "must be `hourly` or `labour_share`");
            None
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BoardQuery {
    pub site_id: Uuid,
}

/// Who is on the floor at a site (owners, managers, advisors): each active
/// technician of the site, whether they are clocked in, their open orders
/// and the labour hours in them; on shift first, then the least loaded.
#[utoipa::path(get, path = "/api/technicians/board", tag = "staff",
    params(BoardQuery), security(("bearer" = [])),
    responses(
        (status = 200, body = Vec<BoardEntryResponse>),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
    ))]
async fn board(
    State(ctx): State<AppContext>,
    actor: Actor,
    QueryParams(query): QueryParams<BoardQuery>,
) -> ApiResult<impl IntoResponse> {
    let site = sites::Model::find_for(&ctx.db, &actor, query.site_id).await?;
    let entries = shifts::board(&ctx.db, &actor, &site).await?;
    let now = now_at(actor.clock);
    let shift_sites: Vec<i64> = entries
        .iter()
        .filter_map(|entry| entry.shift.as_ref().map(|shift| shift.site_id))
        .collect();
    let names: std::collections::HashMap<i64, SiteRef> =
        sites::Model::by_ids(&ctx.db, actor.organization_id(), &shift_sites)
            .await?
            .iter()
            .map(|site| (site.id, SiteRef::from(site)))
            .collect();
    let board: Vec<BoardEntryResponse> = entries
        .into_iter()
        .map(|entry| {
            let site = entry
                .shift
                .as_ref()
                .and_then(|shift| names.get(&shift.site_id).cloned());
            BoardEntryResponse::new(entry, site, now)
        })
        .collect();
    Ok(axum::Json(board))
}

/// A technician's profile: contact, hire date, certification, home site,
/// skills. Technicians see their own; staff of their sites see theirs.
#[utoipa::path(get, path = "/api/technicians/{id}", tag = "staff",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses(
        (status = 200, body = TechnicianResponse),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
    ))]
async fn show(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids(id): Ids<Uuid>,
) -> ApiResult<impl IntoResponse> {
    let profile = technician_profiles::find_for(&ctx.db, &actor, id).await?;
    Ok(axum::Json(TechnicianResponse::from(profile)))
}

/// Change a technician's profile (owners, and managers of their sites).
#[utoipa::path(patch, path = "/api/technicians/{id}", tag = "staff",
    request_body = UpdateTechnicianParams, params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses(
        (status = 200, body = TechnicianResponse),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
    ))]
async fn update(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids(id): Ids<Uuid>,
    JsonBody(params): JsonBody<UpdateTechnicianParams>,
) -> ApiResult<impl IntoResponse> {
    let mut errors = FieldErrors::default();
    let phone = match params.phone {
        Some(Some(raw)) => errors
            .check("phone", PhoneE164::parse(&raw))
            .map(|phone| Some(phone.into_inner())),
        Some(None) => Some(None),
        None => None,
    };
    if let Some(Some(day)) = params.hire_date {
        if day > actor.clock.latest_date() {
            errors.add("hire_date", "must not be in the future");
        }
    }
    let pay = match (&params.pay_basis, &params.pay_rate) {
        (Some(Some(basis)), rate) => pay_of(basis, rate.as_deref(), &mut errors).map(Some),
        (Some(None), _) => Some(None),
        (None, Some(_)) => {
            errors.add("pay_basis", "must be given with pay_rate");
            None
        }
        (None, None) => None,
    };
    errors.finish()?;
    let changes = ProfileChanges {
        phone,
        hire_date: params.hire_date,
        certification_level: params.certification_level,
        home_site_id: params.home_site_id,
        skills: params.skills,
        pay,
    };
    let txn = begin_write(&ctx.db).await?;
    let profile = technician_profiles::update(&txn, &actor, id, changes).await?;
    txn.commit().await?;
    Ok(axum::Json(TechnicianResponse::from(profile)))
}

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
    let technician = technician_for_report(&ctx, &actor, id, query.from, query.to, None).await?;
    let stats = TechnicianStats::of(&ctx.db, &actor, &technician, query.from, query.to).await?;
    Ok(axum::Json(TechnicianStatsResponse::new(
        PersonRef::from((technician.pid, technician.name)),
        query.from,
        query.to,
        stats,
    )))
}

/// The technician `id` for a report over `from..=to`: the caller, or one
/// of the staff they see, who must be a technician (else 404). `private`:
/// what it takes to see someone else's; without it the report is as open
/// as the staff list. With it, a caller who may not look at staff at all
/// is answered as if the technician did not exist.
async fn technician_for_report(
    ctx: &AppContext,
    actor: &Actor,
    id: Uuid,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    private: Option<Ability>,
) -> ApiResult<users::Model> {
    let technician = if id == actor.user.pid {
        actor.user.clone()
    } else {
        let member = match users::Model::find_staff_for(&ctx.db, actor, id).await {
            Err(DomainError::Forbidden) if private.is_some() => {
                return Err(ApiError::NotFound("technician"))
            }
            found => found?,
        };
        if let Some(ability) = private {
            actor.authorize(ability)?;
        }
        member
    };
    if technician.role()? != Role::Technician {
        return Err(ApiError::NotFound("technician"));
    }
    if let (Some(from), Some(to)) = (from, to) {
        if from > to {
            return Err(ApiError::invalid("from", "must not be after `to`"));
        }
    }
    Ok(technician)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EarningsQuery {
    /// First day of the period (UTC), inclusive.
    pub from: Option<NaiveDate>,
    /// Last day of the period (UTC), inclusive.
    pub to: Option<NaiveDate>,
    /// One site's work (needed when sites invoice in different currencies).
    pub site_id: Option<Uuid>,
}

/// What a technician earned from the orders they completed in the period
/// that were invoiced (void invoices left out), on their pay basis.
/// Technicians see only their own; owners and managers those of the
/// technicians at their sites.
#[utoipa::path(get, path = "/api/technicians/{id}/earnings", tag = "staff",
    params(("id" = Uuid, Path), EarningsQuery), security(("bearer" = [])),
    responses(
        (status = 200, body = EarningsResponse),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
    ))]
async fn earnings_of(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids(id): Ids<Uuid>,
    QueryParams(query): QueryParams<EarningsQuery>,
) -> ApiResult<impl IntoResponse> {
    let technician = technician_for_report(
        &ctx,
        &actor,
        id,
        query.from,
        query.to,
        Some(Ability::ViewEarnings),
    )
    .await?;
    let site = sites::Model::find_optional_for(&ctx.db, &actor, query.site_id).await?;
    let earned = earnings::of(
        &ctx.db,
        &actor,
        &technician,
        query.from,
        query.to,
        site.as_ref(),
    )
    .await?;
    Ok(axum::Json(EarningsResponse::new(
        PersonRef::from((technician.pid, technician.name)),
        query.from,
        query.to,
        earned,
    )))
}

pub fn routes() -> ApiRoutes {
    ApiRoutes::new("technicians")
        .route(routes!(board))
        .route(routes!(show, update))
        .route(routes!(stats))
        .route(routes!(earnings_of))
}
