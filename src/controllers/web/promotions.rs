//! Promotions, for owners and managers: written in English and Swahili
//! (each customer gets their language), aimed at branches, vehicles and
//! last visits with the number of customers it would reach counted as the
//! form is filled, sent now or at a time, and followed: sent, failed,
//! skipped, unsubscribed. The sending hours and what is left of the
//! organization's daily cap are shown before anything goes. Every change
//! is the API's (`/api/promotions/…`), with its rules.

use axum::{
    body::Bytes,
    extract::{Path, Query, State},
    http::{Method, StatusCode},
    response::{IntoResponse, Redirect, Response},
};
use chrono::{NaiveDateTime, TimeZone};
use chrono_tz::Tz;
use loco_rs::app::AppContext;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use uuid::Uuid;

use super::{
    api,
    desk::{get, no_problem, page_number, problem, refusal, NoticeQuery},
    form, notice_text, page, page_as, Viewer,
};
use crate::{
    errors::{ApiError, FieldErrors},
    models::actor::Ability,
};

/// Promotions are the owners' and managers'.
fn marketer(viewer: &Viewer) -> Option<Response> {
    (!viewer.actor.can(Ability::ManagePromotions)).then(|| viewer.fail(ApiError::NotFound("page")))
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    page: Option<String>,
}

/// `GET /promotions`: newest first, each with how it went.
pub async fn promotions(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    Query(query): Query<ListQuery>,
) -> Response {
    if let Some(page) = marketer(&viewer) {
        return page;
    }
    let page_number = page_number(query.page.as_ref());
    let path = format!("/api/promotions?page={page_number}&per_page=50");
    let listed = match get(&ctx, &viewer, &path).await {
        Ok(listed) => listed,
        Err(page) => return page,
    };
    let total = listed["total"].as_u64().unwrap_or_default();
    let values = json!({
        "promotions": listed["items"],
        "total": total,
        "page_number": page_number,
        "pages": total.div_ceil(50).max(1),
        "kept": "",
    });
    page(
        &ctx,
        &viewer,
        "/promotions",
        "promotions-title",
        ("pages/promotions.html", "fragments/promotions.html"),
        values,
    )
    .await
}

/// A promotion as its form was filled: the API's body, what was typed
/// (to show again), and what could not be read before asking the API.
struct Draft {
    json: Value,
    typed: Value,
    errors: FieldErrors,
    /// Send as soon as it is written.
    now: bool,
}

/// The audience's fields on the form, by the API's names.
const AUDIENCE: [&str; 6] = [
    "make",
    "model",
    "year_from",
    "year_to",
    "last_visit_before",
    "last_visit_after",
];

fn draft(viewer: &Viewer, body: &[u8]) -> Draft {
    let typed = form::typed(body);
    let mut errors = FieldErrors::default();
    let text = |name: &str| -> Option<String> {
        form_urlencoded::parse(body)
            .find(|(field, _)| field == name)
            .map(|(_, value)| value.trim().to_string())
            .filter(|value| !value.is_empty())
    };
    let site_ids: Vec<Value> = form_urlencoded::parse(body)
        .filter(|(field, value)| field == "site_ids" && !value.trim().is_empty())
        .map(|(_, value)| Value::String(value.trim().to_string()))
        .collect();
    let mut audience = Map::new();
    for name in AUDIENCE {
        let Some(value) = text(&format!("audience_{name}")) else {
            continue;
        };
        let value = if name.starts_with("year") {
            match value.parse::<i32>() {
                Ok(year) => Value::from(year),
                Err(_) => {
                    errors.add(format!("audience.{name}"), "must be a year");
                    continue;
                }
            }
        } else {
            Value::String(value)
        };
        audience.insert(name.to_string(), value);
    }
    let now = text("when").as_deref() != Some("later");
    // The time is the first chosen branch's, else the person's own.
    let zone = site_ids
        .first()
        .and_then(|id| {
            viewer
                .sites
                .iter()
                .find(|site| Some(site.pid.to_string().as_str()) == id.as_str())
        })
        .and_then(|site| site.timezone.parse::<Tz>().ok())
        .unwrap_or_else(|| viewer.zone());
    let send_at = if now {
        Some(viewer.actor.clock.now().to_rfc3339())
    } else {
        match text("send_at").map(|typed| {
            NaiveDateTime::parse_from_str(&typed, "%Y-%m-%dT%H:%M")
                .ok()
                .and_then(|local| zone.from_local_datetime(&local).earliest())
        }) {
            Some(Some(at)) => Some(at.to_rfc3339()),
            Some(None) => {
                errors.add("send_at", "must be a day and a time");
                None
            }
            None => {
                errors.add("send_at", "must be given to send it later");
                None
            }
        }
    };
    let mut json = json!({
        "title": text("title").unwrap_or_default(),
        "body": text("body").unwrap_or_default(),
        "site_ids": site_ids,
        "audience": audience,
        "send_at": send_at,
    });
    for name in ["title_sw", "body_sw"] {
        if let Some(value) = text(name) {
            json[name] = Value::String(value);
        }
    }
    Draft {
        json,
        typed,
        errors,
        now,
    }
}

/// What the live count shows: how many it would reach, the cap and the
/// sending hours; or why the audience cannot be counted.
async fn count(ctx: &AppContext, viewer: &Viewer, draft: &Draft) -> Value {
    let audience_errors: Map<String, Value> = form::refusal(&draft.errors)["error"]["fields"]
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(field, _)| field.starts_with("audience."))
        .map(|(field, messages)| (field.clone(), messages.clone()))
        .collect();
    if !audience_errors.is_empty() {
        return json!({"problem": {"message": null, "fields": audience_errors}});
    }
    let body = json!({
        "site_ids": draft.json["site_ids"],
        "audience": draft.json["audience"],
    });
    let answer = api::call(
        ctx,
        viewer,
        Method::POST,
        "/api/promotions/preview",
        Some(&body),
    )
    .await;
    if answer.status.is_success() {
        let left = answer.body["daily_cap"]
            .as_u64()
            .unwrap_or_default()
            .saturating_sub(answer.body["used_today"].as_u64().unwrap_or_default());
        let mut preview = answer.body;
        preview["left_today"] = Value::from(left);
        preview["over_cap"] =
            Value::Bool(preview["recipients"].as_u64().unwrap_or_default() > left);
        preview
    } else {
        json!({"problem": answer.body["error"]})
    }
}

/// `GET /promotions/new`.
pub async fn new_promotion(State(ctx): State<AppContext>, viewer: Viewer) -> Response {
    if let Some(page) = marketer(&viewer) {
        return page;
    }
    let draft = draft(&viewer, b"when=now");
    let preview = count(&ctx, &viewer, &draft).await;
    compose(&ctx, &viewer, preview, no_problem(), StatusCode::OK).await
}

async fn compose(
    ctx: &AppContext,
    viewer: &Viewer,
    preview: Value,
    problem: Value,
    status: StatusCode,
) -> Response {
    let values = json!({
        "preview": preview,
        "problem": problem,
        "zone": viewer.zone().name(),
    });
    page_as(
        ctx,
        viewer,
        "/promotions/new",
        "new-promotion-title",
        (
            "pages/promotion_form.html",
            "fragments/promotion_count.html",
        ),
        values,
        status,
    )
    .await
}

/// `POST /promotions/count`: the compose form counted as it stands (the
/// count's fragment for htmx; the whole form again without a script).
pub async fn count_draft(State(ctx): State<AppContext>, viewer: Viewer, body: Bytes) -> Response {
    if let Some(page) = marketer(&viewer) {
        return page;
    }
    let draft = draft(&viewer, &body);
    let preview = count(&ctx, &viewer, &draft).await;
    let kept = json!({"form": "kept", "fields": {}, "message": null, "typed": draft.typed});
    compose(&ctx, &viewer, preview, kept, StatusCode::OK).await
}

/// `POST /promotions`: written, and sent now or scheduled.
pub async fn create(State(ctx): State<AppContext>, viewer: Viewer, body: Bytes) -> Response {
    if let Some(page) = marketer(&viewer) {
        return page;
    }
    let draft = draft(&viewer, &body);
    let answer = if draft.errors.is_empty() {
        api::call(
            &ctx,
            &viewer,
            Method::POST,
            "/api/promotions",
            Some(&draft.json),
        )
        .await
    } else {
        api::Answer {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            body: form::refusal(&draft.errors),
        }
    };
    if refusal(&answer) {
        let status = answer.status;
        let preview = count(&ctx, &viewer, &draft).await;
        let problem = problem("promotion", &answer.body, draft.typed);
        return compose(&ctx, &viewer, preview, problem, status).await;
    }
    let promotion = match answer.ok() {
        Ok(promotion) => promotion,
        Err(err) => return viewer.fail(err),
    };
    let id = promotion["id"].as_str().unwrap_or_default().to_string();
    if !draft.now {
        return Redirect::to(&format!("/promotions/{id}?notice=promotion-scheduled"))
            .into_response();
    }
    send(&ctx, &viewer, &id).await
}

/// Sends promotion `id` now; a refusal (the cap, or it went already) is
/// shown on its page.
async fn send(ctx: &AppContext, viewer: &Viewer, id: &str) -> Response {
    let answer = api::call(
        ctx,
        viewer,
        Method::POST,
        &format!("/api/promotions/{id}/send"),
        None,
    )
    .await;
    let Ok(uuid) = id.parse::<Uuid>() else {
        return viewer.fail(ApiError::NotFound("page"));
    };
    if refusal(&answer) || answer.status == StatusCode::TOO_MANY_REQUESTS {
        let status = answer.status;
        let problem = problem("send", &answer.body, json!({}));
        return promotion_page(ctx, viewer, uuid, None, problem, status).await;
    }
    match answer.ok() {
        Ok(_) => Redirect::to(&format!("/promotions/{id}?notice=promotion-sent")).into_response(),
        Err(err) => viewer.fail(err),
    }
}

/// `GET /promotions/{id}`.
pub async fn promotion(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    Path(id): Path<Uuid>,
    Query(query): Query<NoticeQuery>,
) -> Response {
    if let Some(page) = marketer(&viewer) {
        return page;
    }
    promotion_page(
        &ctx,
        &viewer,
        id,
        query.notice.as_deref(),
        no_problem(),
        StatusCode::OK,
    )
    .await
}

async fn promotion_page(
    ctx: &AppContext,
    viewer: &Viewer,
    id: Uuid,
    notice: Option<&str>,
    problem: Value,
    status: StatusCode,
) -> Response {
    let reads = futures_util::future::join(
        get(ctx, viewer, &format!("/api/promotions/{id}")),
        api::call(
            ctx,
            viewer,
            Method::POST,
            &format!("/api/promotions/{id}/preview"),
            None,
        ),
    )
    .await;
    let (promotion, preview) = match reads {
        (Ok(promotion), preview) => (promotion, preview.ok().unwrap_or(Value::Null)),
        (Err(page), _) => return page,
    };
    let state = promotion["status"].as_str().unwrap_or_default();
    let waiting = matches!(state, "scheduled" | "held");
    let values = json!({
        "promotion": promotion,
        "preview": preview,
        "waiting": waiting,
        "notice": notice_text(viewer, notice),
        "problem": problem,
    });
    page_as(
        ctx,
        viewer,
        &format!("/promotions/{id}"),
        "promotion-title",
        ("pages/promotion.html", "fragments/promotion.html"),
        values,
        status,
    )
    .await
}

/// `POST /promotions/{id}/send` (now) and `/cancel` (before it goes).
pub async fn act(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    Path((id, action)): Path<(Uuid, String)>,
) -> Response {
    if let Some(page) = marketer(&viewer) {
        return page;
    }
    match action.as_str() {
        "send" => send(&ctx, &viewer, &id.to_string()).await,
        "cancel" => {
            let path = format!("/api/promotions/{id}");
            let answer = api::call(&ctx, &viewer, Method::DELETE, &path, None).await;
            if refusal(&answer) {
                let status = answer.status;
                let problem = problem("cancel", &answer.body, json!({}));
                return promotion_page(&ctx, &viewer, id, None, problem, status).await;
            }
            match answer.ok() {
                Ok(_) => Redirect::to(&format!("/promotions/{id}?notice=promotion-cancelled"))
                    .into_response(),
                Err(err) => viewer.fail(err),
            }
        }
        _ => viewer.fail(ApiError::NotFound("page")),
    }
}
