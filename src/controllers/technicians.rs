//! How technicians' work flows.

use axum::{http::StatusCode, response::IntoResponse};
use chrono::{NaiveDate, Weekday};
use loco_rs::prelude::{AppContext, State};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::routes;
use uuid::Uuid;

use super::api::ApiRoutes;
use super::extract::{nullable, Ids, JsonBody, QueryParams};
use crate::models::values::{Day, Id};
use crate::models::Scoped;
use crate::{
    errors::{ApiError, ApiResult, ErrorBody, FieldErrors},
    models::{
        actor::{Ability, Actor},
        error::DomainError,
        now_at,
        organization::sites,
        paging::{Page, PageParams},
        people::{
            availability::{self, NewTimeOff, Stint, TimeOffKind},
            earnings,
            roles::Role,
            shifts,
            technician_profiles::{self, CertificationLevel, Pay, ProfileChanges},
            technician_stats::TechnicianStats,
            users,
        },
        values::{plausible_day, Money, OptionalText, PhoneE164},
        Write,
    },
    views::{
        availability::{TimeOffResponse, WeekResponse},
        page::PageResponse,
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
    pub hire_date: Option<Option<Day>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<CertificationLevel>)]
    pub certification_level: Option<Option<CertificationLevel>>,
    /// The branch they mostly work at.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub home_site_id: Option<Option<Id>>,
    /// Skills of the organization's list (`GET /api/skills`); replaces
    /// what they had.
    #[schema(max_items = 30, example = json!(["electrical", "diagnostics"]))]
    pub skills: Option<Vec<String>>,
    /// How they are paid: `{"kind": "hourly", "rate": "500"}` (a sum an
    /// hour clocked) or `{"kind": "labour_share", "rate": "0.3"}` (a share
    /// of invoiced labour, over 0 and at most 1); `null` clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<PayBasisParams>)]
    pub pay_basis: Option<Option<PayBasisParams>>,
}

/// A pay basis as written: `kind` and `rate`, both strings.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PayBasisParams {
    /// `hourly` or `labour_share`.
    #[schema(example = "labour_share")]
    pub kind: String,
    /// A decimal string: money an hour, or a share over 0 and at most 1.
    #[schema(example = "0.3")]
    pub rate: String,
}

/// The pay `params` describe, or why not.
fn pay_of(params: &PayBasisParams, errors: &mut FieldErrors) -> Option<Pay> {
    let rate = params.rate.as_str();
    match params.kind.as_str() {
        "hourly" => errors
            .check("pay_basis.rate", Money::parse(rate))
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
                errors.add(
                    "pay_basis.rate",
                    "must be a share over 0 and at most 1, e.g. 0.3",
                );
            }
            share.map(Pay::LabourShare)
        }
        _ => {
            errors.add("pay_basis.kind", "must be `hourly` or `labour_share`");
            None
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BoardQuery {
    pub site_id: Id,
}

/// Who is on the floor at a site (owners, managers, advisors): each active
/// technician of the site, whether they are clocked in, their open orders
/// and the labour hours in them; on shift first, then the least loaded.
#[utoipa::path(get, path = "/api/technicians/board", tag = "staff",
    params(BoardQuery), security(("bearer" = [])),
    responses(
        (status = 200, body = Vec<BoardEntryResponse>),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
    ))]
async fn board(
    State(ctx): State<AppContext>,
    actor: Actor,
    QueryParams(query): QueryParams<BoardQuery>,
) -> ApiResult<impl IntoResponse> {
    let site = sites::Entity::find_for(&ctx.db, &actor, query.site_id.0).await?;
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
        (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody),
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
        if day.0 > actor.clock.latest_date() {
            errors.add("hire_date", "must not be in the future");
        } else {
            errors.check("hire_date", plausible_day(day.0));
        }
    }
    let pay = match &params.pay_basis {
        Some(Some(basis)) => pay_of(basis, &mut errors).map(Some),
        Some(None) => Some(None),
        None => None,
    };
    errors.finish()?;
    let changes = ProfileChanges {
        phone,
        hire_date: params.hire_date.map(|day| day.map(NaiveDate::from)),
        certification_level: params.certification_level,
        home_site_id: params.home_site_id.map(|id| id.map(Uuid::from)),
        skills: params.skills,
        pay,
    };
    let txn = Write::begin(&ctx.db).await?;
    let profile = technician_profiles::update(&txn, &actor, id, changes).await?;
    txn.commit().await?;
    Ok(axum::Json(TechnicianResponse::from(profile)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TimeOffQuery {
    /// Time off ending on this day or later.
    pub from: Option<Day>,
    /// Time off starting on this day or earlier.
    pub to: Option<Day>,
    #[serde(flatten)]
    #[param(ignore)]
    pub paging: PageParams,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TeamStatsQuery {
    /// First day of the period (UTC), inclusive.
    pub from: Option<Day>,
    /// Last day of the period (UTC), inclusive.
    pub to: Option<Day>,
    /// One site's technicians and work; without it, every site the caller
    /// sees.
    pub site_id: Option<Id>,
    #[serde(flatten)]
    #[param(ignore)]
    pub paging: PageParams,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// First day of the period (UTC), inclusive.
    pub from: Option<Day>,
    /// Last day of the period (UTC), inclusive.
    pub to: Option<Day>,
    /// One site's work; without it, every site the caller sees (earnings
    /// need one when the sites invoice in different currencies).
    pub site_id: Option<Id>,
}

/// `technician`'s stats for the query's period and site, with their
/// earnings when the caller may see them (themselves, or owners and
/// managers) and they can be told: a pay basis is set and the work was
/// invoiced in one currency.
async fn stats_of(
    ctx: &AppContext,
    actor: &Actor,
    technician: users::Model,
    (from, to): Period,
    site: Option<&sites::Model>,
) -> ApiResult<TechnicianStatsResponse> {
    let stats = TechnicianStats::of(&ctx.db, actor, &technician, from, to, site).await?;
    let earned = if technician.id == actor.user_id() || actor.can(Ability::ViewEarnings) {
        match earnings::of(&ctx.db, actor, &technician, from, to, site).await {
            Ok(earned) => Some(earned),
            Err(DomainError::Conflict { .. } | DomainError::Invalid(_)) => None,
            Err(other) => return Err(other.into()),
        }
    } else {
        None
    };
    Ok(TechnicianStatsResponse::new(
        PersonRef::from((technician.pid, technician.name)),
        from,
        to,
        stats,
        earned,
    ))
}

/// Orders completed, mean times from approval to claim and from claim to
/// completion, billed and clocked hours, efficiency, comebacks and (for
/// themselves, owners and managers) earnings. Technicians see their own;
/// managers, advisors and owners those of the technicians at their sites.
#[utoipa::path(get, path = "/api/technicians/{id}/stats", tag = "staff",
    params(("id" = Uuid, Path), StatsQuery), security(("bearer" = [])),
    responses(
        (status = 200, body = TechnicianStatsResponse),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ))]
async fn stats(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids(id): Ids<Uuid>,
    QueryParams(query): QueryParams<StatsQuery>,
) -> ApiResult<impl IntoResponse> {
    let technician = technician_for_report(&ctx, &actor, id, None).await?;
    let period = checked_period(query.from, query.to)?;
    let site =
        sites::Entity::find_optional_for(&ctx.db, &actor, query.site_id.map(Uuid::from)).await?;
    Ok(axum::Json(
        stats_of(&ctx, &actor, technician, period, site.as_ref()).await?,
    ))
}

/// Every technician's stats over a period, side by side: the technicians
/// of the caller's sites (or of `site_id`), by name, those who have left
/// included. A technician gets their own row only.
#[utoipa::path(get, path = "/api/technicians/stats", tag = "staff",
    params(TeamStatsQuery, PageParams), security(("bearer" = [])),
    responses(
        (status = 200, body = PageResponse<TechnicianStatsResponse>),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ))]
async fn team_stats(
    State(ctx): State<AppContext>,
    actor: Actor,
    QueryParams(query): QueryParams<TeamStatsQuery>,
) -> ApiResult<impl IntoResponse> {
    let period = checked_period(query.from, query.to)?;
    let request = query.paging.checked()?;
    let site =
        sites::Entity::find_optional_for(&ctx.db, &actor, query.site_id.map(Uuid::from)).await?;
    let technicians = match actor.role {
        // Their own row, on the first page.
        Role::Technician => Page {
            items: (request.page == 1)
                .then(|| actor.user.clone())
                .into_iter()
                .collect(),
            page: request.page,
            per_page: request.per_page,
            total: 1,
        },
        _ => users::Model::technicians_for(&ctx.db, &actor, site.as_ref(), request).await?,
    };
    let mut rows = Vec::with_capacity(technicians.items.len());
    for technician in technicians.items {
        rows.push(stats_of(&ctx, &actor, technician, period, site.as_ref()).await?);
    }
    Ok(axum::Json(PageResponse::from(Page {
        items: rows,
        page: technicians.page,
        per_page: technicians.per_page,
        total: technicians.total,
    })))
}

/// The technician `id` for a report: the caller, or one
/// of the staff they see, who must be a technician (else 404). `private`:
/// what it takes to see someone else's; without it the report is as open
/// as the staff list. With it, a caller who may not look at staff at all
/// is answered as if the technician did not exist.
async fn technician_for_report(
    ctx: &AppContext,
    actor: &Actor,
    id: Uuid,
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
    Ok(technician)
}

/// 422 when `from` is after `to`, or either is not a plausible date.
/// A report's period, `from` and `to` each optional, checked.
pub(crate) type Period = (Option<NaiveDate>, Option<NaiveDate>);

pub(crate) fn checked_period(from: Option<Day>, to: Option<Day>) -> ApiResult<Period> {
    let (from, to) = (from.map(NaiveDate::from), to.map(NaiveDate::from));
    let mut errors = FieldErrors::default();
    for (field, day) in [("from", from), ("to", to)] {
        if let Some(day) = day {
            errors.check(field, plausible_day(day));
        }
    }
    if let (Some(from), Some(to)) = (from, to) {
        if from > to {
            errors.add("from", "must not be after `to`");
        }
    }
    errors.finish()?;
    Ok((from, to))
}

/// What a technician earned from the orders they completed in the period
/// that were invoiced (void invoices left out), on their pay basis.
/// Technicians see only their own; owners and managers those of the
/// technicians at their sites.
#[utoipa::path(get, path = "/api/technicians/{id}/earnings", tag = "staff",
    params(("id" = Uuid, Path), StatsQuery), security(("bearer" = [])),
    responses(
        (status = 200, body = EarningsResponse),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
    ))]
async fn earnings_of(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids(id): Ids<Uuid>,
    QueryParams(query): QueryParams<StatsQuery>,
) -> ApiResult<impl IntoResponse> {
    let technician = technician_for_report(&ctx, &actor, id, Some(Ability::ViewEarnings)).await?;
    let period = checked_period(query.from, query.to)?;
    let site =
        sites::Entity::find_optional_for(&ctx.db, &actor, query.site_id.map(Uuid::from)).await?;
    let earned = earnings::of(
        &ctx.db,
        &actor,
        &technician,
        period.0,
        period.1,
        site.as_ref(),
    )
    .await?;
    Ok(axum::Json(EarningsResponse::new(
        PersonRef::from((technician.pid, technician.name)),
        period.0,
        period.1,
        earned,
    )))
}

/// A weekday as the API writes it.
#[derive(Clone, Copy, Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum WeekdayName {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

impl From<WeekdayName> for Weekday {
    fn from(day: WeekdayName) -> Self {
        match day {
            WeekdayName::Monday => Self::Mon,
            WeekdayName::Tuesday => Self::Tue,
            WeekdayName::Wednesday => Self::Wed,
            WeekdayName::Thursday => Self::Thu,
            WeekdayName::Friday => Self::Fri,
            WeekdayName::Saturday => Self::Sat,
            WeekdayName::Sunday => Self::Sun,
        }
    }
}

/// Working time on one weekday at one site, in its local time.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StintParams {
    /// One of the technician's sites that the caller manages.
    pub site_id: Id,
    pub weekday: WeekdayName,
    /// `HH:MM`, 24-hour.
    #[schema(example = "08:00", pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub starts: String,
    /// `HH:MM` after `starts`; `24:00` is midnight at the end of the day.
    #[schema(
        example = "17:00",
        pattern = r"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$"
    )]
    pub ends: String,
}

/// A technician's working week at the caller's sites (their hours at
/// other sites stay as they are).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WeekParams {
    #[schema(max_items = 50)]
    pub hours: Vec<StintParams>,
}

/// `HH:MM` as minutes after midnight; `24:00` only when `end_of_day`.
fn minute_of(raw: &str, end_of_day: bool) -> Result<i32, String> {
    let message = || "must be a time of day, HH:MM".to_string();
    let digits = |part: &str| -> Option<i32> {
        (part.len() == 2 && part.bytes().all(|byte| byte.is_ascii_digit()))
            .then(|| part.parse().ok())
            .flatten()
    };
    let (hours, minutes) = raw.split_once(':').ok_or_else(message)?;
    let (Some(hours), Some(minutes)) = (digits(hours), digits(minutes)) else {
        return Err(message());
    };
    match (hours, minutes) {
        (24, 0) if end_of_day => Ok(1440),
        (0..=23, 0..=59) => Ok(hours * 60 + minutes),
        _ => Err(message()),
    }
}

impl WeekParams {
    fn parse(self) -> ApiResult<Vec<Stint>> {
        let mut errors = FieldErrors::default();
        if self.hours.len() > 50 {
            errors.add("hours", "must have at most 50 entries");
        }
        let mut stints = Vec::with_capacity(self.hours.len());
        for (index, stint) in self.hours.into_iter().enumerate() {
            let starts = errors.check(
                &format!("hours[{index}].starts"),
                minute_of(&stint.starts, false),
            );
            let ends = errors.check(
                &format!("hours[{index}].ends"),
                minute_of(&stint.ends, true),
            );
            if let (Some(start_minute), Some(end_minute)) = (starts, ends) {
                if end_minute <= start_minute {
                    errors.add(
                        format!("hours[{index}].ends"),
                        "must be after `starts` (split hours past midnight in two days)",
                    );
                }
                stints.push(Stint {
                    site: stint.site_id.0,
                    weekday: stint.weekday.into(),
                    start_minute,
                    end_minute,
                });
            }
        }
        errors.finish()?;
        Ok(stints)
    }
}

/// A technician's weekly working hours at the sites the caller sees.
/// Technicians see their own; staff those of the technicians at their
/// sites.
#[utoipa::path(get, path = "/api/technicians/{id}/working-hours", tag = "staff",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses(
        (status = 200, body = WeekResponse),
    ))]
async fn working_hours(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids(id): Ids<Uuid>,
) -> ApiResult<impl IntoResponse> {
    let week = availability::week_for(&ctx.db, &actor, id).await?;
    Ok(axum::Json(WeekResponse::from(week)))
}

/// Set a technician's weekly working hours at the caller's sites (owners,
/// and managers of their sites): the whole week there, replacing what was
/// set. Hours may not overlap on a day, at whichever site.
#[utoipa::path(put, path = "/api/technicians/{id}/working-hours", tag = "staff",
    request_body = WeekParams, params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses(
        (status = 200, body = WeekResponse),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ))]
async fn set_working_hours(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids(id): Ids<Uuid>,
    JsonBody(params): JsonBody<WeekParams>,
) -> ApiResult<impl IntoResponse> {
    let stints = params.parse()?;
    let txn = Write::begin(&ctx.db).await?;
    let week = availability::set_week(&txn, &actor, id, &stints).await?;
    txn.commit().await?;
    Ok(axum::Json(WeekResponse::from(week)))
}

/// Days away to record.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TimeOffParams {
    pub kind: TimeOffKind,
    pub first_day: Day,
    /// Inclusive; the same as `first_day` for a single day.
    pub last_day: Day,
    #[schema(max_length = 500)]
    pub note: Option<String>,
}

impl TimeOffParams {
    fn parse(self) -> ApiResult<NewTimeOff> {
        let mut errors = FieldErrors::default();
        errors.check("first_day", plausible_day(self.first_day.0));
        errors.check("last_day", plausible_day(self.last_day.0));
        if self.last_day < self.first_day {
            errors.add("last_day", "must not be before `first_day`");
        } else if (self.last_day.0 - self.first_day.0).num_days() >= availability::MAX_TIME_OFF_DAYS
        {
            errors.add(
                "last_day",
                format!(
                    "must be within {} days of `first_day`",
                    availability::MAX_TIME_OFF_DAYS
                ),
            );
        }
        let note = errors
            .check("note", OptionalText::parse(self.note.as_deref(), 500))
            .and_then(OptionalText::into_inner);
        errors.finish()?;
        Ok(NewTimeOff {
            kind: self.kind,
            first_day: self.first_day.0,
            last_day: self.last_day.0,
            note,
        })
    }
}

/// Record a technician's time off (owners, and managers of their sites):
/// whole days, every site. Time off that overlaps what is recorded is 409.
#[utoipa::path(post, path = "/api/technicians/{id}/time-off", tag = "staff",
    request_body = TimeOffParams, params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses(
        (status = 201, body = TimeOffResponse),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
    ))]
async fn add_time_off(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids(id): Ids<Uuid>,
    JsonBody(params): JsonBody<TimeOffParams>,
) -> ApiResult<impl IntoResponse> {
    let new = params.parse()?;
    let txn = Write::begin(&ctx.db).await?;
    let (_, row) = availability::record_time_off(&txn, &actor, id, new).await?;
    txn.commit().await?;
    Ok((StatusCode::CREATED, axum::Json(TimeOffResponse::from(row))))
}

/// A technician's time off that touches `from..=to`, earliest first.
/// Technicians see their own; staff those of the technicians at their
/// sites.
#[utoipa::path(get, path = "/api/technicians/{id}/time-off", tag = "staff",
    params(("id" = Uuid, Path), TimeOffQuery, PageParams), security(("bearer" = [])),
    responses(
        (status = 200, body = PageResponse<TimeOffResponse>),
        (status = 400, body = ErrorBody), (status = 422, body = ErrorBody),
    ))]
async fn time_off(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids(id): Ids<Uuid>,
    QueryParams(query): QueryParams<TimeOffQuery>,
) -> ApiResult<impl IntoResponse> {
    let period = checked_period(query.from, query.to)?;
    let request = query.paging.checked()?;
    let page = availability::time_off_for(&ctx.db, &actor, id, period, request).await?;
    Ok(axum::Json(PageResponse::from(
        page.map(TimeOffResponse::from),
    )))
}

/// Cancel recorded time off (owners, and managers of the technician's
/// sites); it is kept in the audit trail.
#[utoipa::path(delete, path = "/api/technicians/{id}/time-off/{time_off_id}", tag = "staff",
    params(("id" = Uuid, Path), ("time_off_id" = Uuid, Path)), security(("bearer" = [])),
    responses(
        (status = 204),
        (status = 403, body = ErrorBody),
    ))]
async fn cancel_time_off(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids((id, entry)): Ids<(Uuid, Uuid)>,
) -> ApiResult<impl IntoResponse> {
    let txn = Write::begin(&ctx.db).await?;
    availability::cancel_time_off(&txn, &actor, id, entry).await?;
    txn.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

pub fn routes() -> ApiRoutes {
    ApiRoutes::new("technicians")
        .route(routes!(board))
        .route(routes!(team_stats))
        .route(routes!(working_hours, set_working_hours))
        .route(routes!(time_off, add_time_off))
        .route(routes!(cancel_time_off))
        .route(routes!(show, update))
        .route(routes!(stats))
        .route(routes!(earnings_of))
}
