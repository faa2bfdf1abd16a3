//! Promotions: written and scheduled by owners and managers, previewed,
//! sent at their time or now, and counted.

use axum::{http::StatusCode, response::IntoResponse};
use chrono::{DateTime, FixedOffset, NaiveDate, TimeDelta};
use loco_rs::prelude::{AppContext, State};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::routes;
use uuid::Uuid;

use super::{
    api::ApiRoutes,
    extract::{Ids, JsonBody, QueryParams},
};
use crate::models::values::{Day, Id};
use crate::models::Scoped;
use crate::queue;
use crate::{
    errors::{ApiResult, ErrorBody, FieldErrors},
    messages::{self, Messenger},
    models::{
        actor::{Ability, Actor},
        customers::promotions::{self, Audience, NewPromotion},
        organization::sites,
        paging::PageParams,
        stored_time,
        values::{plausible_day, Name},
        Write,
    },
    views::{
        page::PageResponse,
        promotions::{PreviewResponse, PromotionResponse},
        sites::SiteRef,
    },
    workers::send_promotion,
};

/// The longest message: a screen of an email.
const MAX_BODY_CHARS: usize = 2000;
/// How far ahead a promotion may be scheduled.
const MAX_SCHEDULE_DAYS: i64 = 366;
/// How far back a `send_at` may be (it then goes at once).
const MAX_PAST_DAYS: i64 = 30;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePromotionParams {
    #[schema(
        example = "10% off brake service in December",
        min_length = 1,
        max_length = 120
    )]
    pub title: String,
    /// Plain text; blank lines part paragraphs.
    #[schema(
        example = "Bring your car in before 24 December for 10% off pads and discs.",
        min_length = 1,
        max_length = 2000
    )]
    pub body: String,
    /// The title in Swahili: customers who read Swahili get the Swahili
    /// title and body, everyone else `title` and `body`. Both or neither.
    #[schema(example = "Punguzo la 10% la breki Desemba", max_length = 120)]
    pub title_sw: Option<String>,
    #[schema(max_length = 2000)]
    pub body_sw: Option<String>,
    /// The branches it is from (their customers, and those who had work
    /// done there); none: every branch for owners, a manager's own
    /// branches for managers.
    #[serde(default)]
    #[schema(max_items = 100)]
    pub site_ids: Vec<Id>,
    /// When it goes out (RFC 3339); messages go only between 08:00 and
    /// 20:00 at the branch that writes, so some may wait for the morning.
    pub send_at: DateTime<FixedOffset>,
    #[serde(default)]
    pub audience: Option<AudienceParams>,
}

/// Whom it is for, beside consent (`marketing_opt_in`); every part given
/// must hold.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AudienceParams {
    /// A vehicle of this make (any case).
    #[schema(example = "Toyota", max_length = 60)]
    pub make: Option<String>,
    #[schema(example = "Corolla", max_length = 60)]
    pub model: Option<String>,
    #[schema(minimum = 1900, maximum = 2100)]
    pub year_from: Option<i32>,
    #[schema(minimum = 1900, maximum = 2100)]
    pub year_to: Option<i32>,
    /// Last repair order opened before this day (lapsed customers).
    pub last_visit_before: Option<Day>,
    /// Last repair order opened on or after this day.
    pub last_visit_after: Option<Day>,
}

fn optional_name(errors: &mut FieldErrors, field: &str, raw: Option<&str>) -> Option<String> {
    let raw = raw?;
    errors
        .check(field, Name::parse(raw, 60))
        .map(Name::into_inner)
}

fn check_year(errors: &mut FieldErrors, field: &str, year: Option<i32>) {
    if year.is_some_and(|year| !(1900..=2100).contains(&year)) {
        errors.add(field, "must be a year between 1900 and 2100");
    }
}

fn check_body(raw: &str) -> Result<String, String> {
    let body = raw.trim();
    if body.is_empty() {
        return Err("must not be blank".to_string());
    }
    if body.chars().count() > MAX_BODY_CHARS {
        return Err(format!("must be at most {MAX_BODY_CHARS} characters"));
    }
    if body
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err("must not contain control characters".to_string());
    }
    Ok(body.replace("\r\n", "\n"))
}

fn audience(errors: &mut FieldErrors, params: Option<AudienceParams>) -> Audience {
    let params = params.unwrap_or_default();
    check_year(errors, "audience.year_from", params.year_from);
    check_year(errors, "audience.year_to", params.year_to);
    if let (Some(from), Some(to)) = (params.year_from, params.year_to) {
        if from > to {
            errors.add("audience.year_to", "must not be before year_from");
        }
    }
    if let (Some(before), Some(after)) = (params.last_visit_before, params.last_visit_after) {
        if after >= before {
            errors.add(
                "audience.last_visit_after",
                "must be before last_visit_before",
            );
        }
    }
    for (field, day) in [
        ("audience.last_visit_before", params.last_visit_before),
        ("audience.last_visit_after", params.last_visit_after),
    ] {
        if let Some(day) = day {
            errors.check(field, plausible_day(day.0));
        }
    }
    Audience {
        make: optional_name(errors, "audience.make", params.make.as_deref()),
        model: optional_name(errors, "audience.model", params.model.as_deref()),
        year_from: params.year_from,
        year_to: params.year_to,
        last_visit_before: params.last_visit_before.map(NaiveDate::from),
        last_visit_after: params.last_visit_after.map(NaiveDate::from),
    }
}

/// Whether texts can be sent: customers with only a phone number are then
/// in the audience too.
fn sms_on(ctx: &AppContext) -> ApiResult<bool> {
    Ok(Messenger::of(ctx)?.sms_on())
}

async fn render(ctx: &AppContext, promotion: promotions::Model) -> ApiResult<PromotionResponse> {
    let site_ids = promotion.site_ids(&ctx.db).await?;
    let sites = sites::Model::by_ids(&ctx.db, promotion.organization_id, &site_ids).await?;
    let counts = messages::promotions::counts(&ctx.db, &promotion, &site_ids, sms_on(ctx)?).await?;
    let unsubscribed = promotions::unsubscribed(&ctx.db, &promotion).await?;
    Ok(PromotionResponse::new(
        promotion,
        sites.iter().map(SiteRef::from).collect(),
        counts,
        unsubscribed,
    ))
}

/// The Swahili title and body: both, or neither.
fn swahili(
    errors: &mut FieldErrors,
    title: Option<&str>,
    body: Option<&str>,
) -> Option<(String, String)> {
    let blank = |text: Option<&str>| text.is_none_or(|text| text.trim().is_empty());
    match (blank(title), blank(body)) {
        (true, true) => None,
        (false, true) => {
            errors.add("body_sw", "must be given with title_sw");
            None
        }
        (true, false) => {
            errors.add("title_sw", "must be given with body_sw");
            None
        }
        (false, false) => {
            let title = errors
                .check("title_sw", Name::parse(title.unwrap_or_default(), 120))
                .map(Name::into_inner);
            let body = errors.check("body_sw", check_body(body.unwrap_or_default()));
            title.zip(body)
        }
    }
}

/// Whom a promotion not yet written would reach.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DraftPreviewParams {
    /// As on create: none, every branch the caller writes for.
    #[serde(default)]
    #[schema(max_items = 100)]
    pub site_ids: Vec<Id>,
    #[serde(default)]
    pub audience: Option<AudienceParams>,
}

/// How many it would reach, and what a launch now is judged against.
async fn preview_of(
    ctx: &AppContext,
    actor: &Actor,
    recipients: u64,
) -> ApiResult<PreviewResponse> {
    let (daily_cap, used_today) =
        promotions::quota_today(&ctx.db, actor.organization_id(), actor.clock.now()).await?;
    Ok(PreviewResponse {
        recipients,
        daily_cap,
        used_today,
        send_from_hour: promotions::SEND_FROM_HOUR,
        send_until_hour: promotions::SEND_UNTIL_HOUR,
    })
}

/// Write a promotion and schedule it.
#[utoipa::path(post, path = "/api/promotions", tag = "promotions",
    request_body = CreatePromotionParams, security(("bearer" = [])),
    responses(
        (status = 201, body = PromotionResponse),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ))]
async fn create(
    State(ctx): State<AppContext>,
    actor: Actor,
    JsonBody(params): JsonBody<CreatePromotionParams>,
) -> ApiResult<impl IntoResponse> {
    actor.authorize(Ability::ManagePromotions)?;
    let mut errors = FieldErrors::default();
    let title = errors
        .check("title", Name::parse(&params.title, 120))
        .map(Name::into_inner);
    let body = errors.check("body", check_body(&params.body));
    let swahili = swahili(
        &mut errors,
        params.title_sw.as_deref(),
        params.body_sw.as_deref(),
    );
    if params.site_ids.len() > 100 {
        errors.add("site_ids", "must name at most 100 sites");
    }
    let distinct: std::collections::HashSet<&Id> = params.site_ids.iter().collect();
    if distinct.len() < params.site_ids.len() {
        errors.add("site_ids", "must name each site once");
    }
    let now = actor.clock.now();
    if params.send_at > now + TimeDelta::days(MAX_SCHEDULE_DAYS) {
        errors.add("send_at", "must be within a year");
    } else if params.send_at < now - TimeDelta::days(MAX_PAST_DAYS) {
        errors.add(
            "send_at",
            format!("must not be more than {MAX_PAST_DAYS} days ago"),
        );
    }
    let audience = audience(&mut errors, params.audience);
    errors.finish()?;
    let sites = sites::Model::find_all_for(&ctx.db, &actor, &Id::uuids(&params.site_ids)).await?;
    let (Some(title), Some(body)) = (title, body) else {
        return Err(crate::errors::ApiError::internal(
            "a checked promotion lost its text",
        ));
    };
    let txn = Write::begin(&ctx.db).await?;
    let promotion = promotions::Model::create(
        &txn,
        &actor,
        NewPromotion {
            title,
            body,
            swahili,
            sites,
            send_at: stored_time(params.send_at),
            audience,
        },
    )
    .await?;
    txn.commit().await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(render(&ctx, promotion).await?),
    ))
}

/// Promotions, newest first.
#[utoipa::path(get, path = "/api/promotions", tag = "promotions",
    params(PageParams), security(("bearer" = [])),
    responses(
        (status = 200, body = PageResponse<PromotionResponse>),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ))]
async fn list(
    State(ctx): State<AppContext>,
    actor: Actor,
    QueryParams(page): QueryParams<PageParams>,
) -> ApiResult<impl IntoResponse> {
    let page = promotions::Model::list_for(&ctx.db, &actor, page.checked()?).await?;
    let mut items = Vec::new();
    for promotion in page.items {
        items.push(render(&ctx, promotion).await?);
    }
    Ok(axum::Json(PageResponse {
        items,
        page: page.page,
        per_page: page.per_page,
        total: page.total,
    }))
}

/// One promotion, with its recipients and what became of their messages.
#[utoipa::path(get, path = "/api/promotions/{id}", tag = "promotions",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses(
        (status = 200, body = PromotionResponse),
        (status = 403, body = ErrorBody),
    ))]
async fn show(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids(id): Ids<Uuid>,
) -> ApiResult<impl IntoResponse> {
    let promotion = promotions::Entity::find_for(&ctx.db, &actor, id).await?;
    Ok(axum::Json(render(&ctx, promotion).await?))
}

/// Call off a promotion that has not gone out.
#[utoipa::path(delete, path = "/api/promotions/{id}", tag = "promotions",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses(
        (status = 200, body = PromotionResponse),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
    ))]
async fn cancel(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids(id): Ids<Uuid>,
) -> ApiResult<impl IntoResponse> {
    let txn = Write::begin(&ctx.db).await?;
    let promotion = promotions::Entity::find_for(&txn, &actor, id)
        .await?
        .cancel(&txn, &actor)
        .await?;
    txn.commit().await?;
    Ok(axum::Json(render(&ctx, promotion).await?))
}

/// How many customers it would reach now (or reached, once it went out).
#[utoipa::path(post, path = "/api/promotions/{id}/preview", tag = "promotions",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses(
        (status = 200, body = PreviewResponse),
        (status = 403, body = ErrorBody),
    ))]
async fn preview(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids(id): Ids<Uuid>,
) -> ApiResult<impl IntoResponse> {
    let recipients = promotions::preview(&ctx.db, &actor, id, sms_on(&ctx)?).await?;
    Ok(axum::Json(preview_of(&ctx, &actor, recipients).await?))
}

/// How many customers a promotion would reach with these branches and
/// this audience, before it is written: the live count on the compose
/// page. Nothing is stored.
#[utoipa::path(post, path = "/api/promotions/preview", tag = "promotions",
    request_body = DraftPreviewParams, security(("bearer" = [])),
    responses(
        (status = 200, body = PreviewResponse),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ))]
async fn preview_draft(
    State(ctx): State<AppContext>,
    actor: Actor,
    JsonBody(params): JsonBody<DraftPreviewParams>,
) -> ApiResult<impl IntoResponse> {
    actor.authorize(Ability::ManagePromotions)?;
    let mut errors = FieldErrors::default();
    if params.site_ids.len() > 100 {
        errors.add("site_ids", "must name at most 100 sites");
    }
    let audience = audience(&mut errors, params.audience);
    errors.finish()?;
    let sites = sites::Model::find_all_for(&ctx.db, &actor, &Id::uuids(&params.site_ids)).await?;
    let recipients =
        promotions::draft_count(&ctx.db, &actor, &sites, &audience, sms_on(&ctx)?).await?;
    Ok(axum::Json(preview_of(&ctx, &actor, recipients).await?))
}

/// Send it now: its recipients are fixed and counted against the
/// organization's daily cap (429, nothing changed, when it would pass it);
/// messages go out inside each branch's 08:00–20:00.
#[utoipa::path(post, path = "/api/promotions/{id}/send", tag = "promotions",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses(
        (status = 200, body = PromotionResponse),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 429, body = ErrorBody),
    ))]
async fn send(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids(id): Ids<Uuid>,
) -> ApiResult<impl IntoResponse> {
    let txn = Write::begin(&ctx.db).await?;
    let (promotion, _) = promotions::send_now(&txn, &actor, id, sms_on(&ctx)?).await?;
    send_promotion::later(&txn, promotion.pid).await?;
    txn.commit().await?;
    queue::kick(&ctx).await;
    let promotion = promotions::Entity::find_for(&ctx.db, &actor, id).await?;
    Ok(axum::Json(render(&ctx, promotion).await?))
}

pub fn routes() -> ApiRoutes {
    ApiRoutes::new("promotions")
        .route(routes!(create, list))
        .route(routes!(show, cancel))
        .route(routes!(preview))
        .route(routes!(preview_draft))
        .route(routes!(send))
}
