//! The floor: the technician's queue, their shift and their numbers, and
//! the manager's board.

use axum::{
    extract::{Path, Query, State},
    http::{HeaderMap, Method},
    response::{IntoResponse, Redirect, Response},
};
use chrono::{Datelike, Duration, NaiveDate, Utc};
use loco_rs::app::AppContext;
use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;

use super::{api, auth::serde_urlencoded_form, notice_text, page, referer_path, Viewer};
use crate::{errors::ApiError, models::people::roles::Role};

#[derive(Debug, Default, Deserialize)]
pub struct Notice {
    /// What just happened, by its message key (`claimed`, `taken`, …).
    #[serde(default)]
    notice: Option<String>,
}

/// `GET /queue`: approved orders nobody has claimed at the technician's
/// sites, most urgent first; those needing a skill they lack are shown
/// greyed, with the skill. The API's own listing (`queue_of`), called
/// directly: the page is asked for often, and the JSON round trip of the
/// other pages (`web::api`) cost it a fifth of its rate.
pub async fn queue(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    Query(notice): Query<Notice>,
) -> Response {
    let first = crate::models::paging::PageRequest {
        page: 1,
        per_page: 50,
    };
    let listed =
        match crate::controllers::repair_orders::queue_of(&ctx, &viewer.actor, None, first).await {
            Ok(listed) => listed,
            Err(err) => return viewer.fail(err),
        };
    let values = json!({
        "orders": listed.items,
        "total": listed.total,
        "notice": notice_text(&viewer, notice.notice.as_deref()),
        "can_claim": viewer.actor.role == Role::Technician,
    });
    page(
        &ctx,
        &viewer,
        "/queue",
        "queue-title",
        ("pages/queue.html", "fragments/queue.html"),
        values,
    )
    .await
}

/// `POST /queue/{id}/claim`: the API's claim; the winner goes to the order,
/// the others back to the queue, told it was taken.
pub async fn claim(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    Path(id): Path<Uuid>,
) -> Response {
    let path = format!("/api/repair-orders/{id}/claim");
    match api::call(&ctx, &viewer, Method::POST, &path, None)
        .await
        .ok()
    {
        Ok(_) => Redirect::to(&format!("/work/{id}")).into_response(),
        Err(ApiError::Conflict { .. }) => Redirect::to("/queue?notice=taken").into_response(),
        Err(err) => viewer.fail(err),
    }
}

/// Where a form goes back to: the page it was on (its filters kept, its
/// last notice dropped), with `notice` to show there.
fn back(headers: &HeaderMap, fallback: &str, notice: &str) -> String {
    let page = referer_path(headers).unwrap_or_else(|| fallback.to_string());
    let (path, query) = page.split_once('?').unwrap_or((&page, ""));
    let mut kept = form_urlencoded::Serializer::new(String::new());
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        if name != "notice" {
            kept.append_pair(&name, &value);
        }
    }
    kept.append_pair("notice", notice);
    format!("{path}?{}", kept.finish())
}

#[derive(Debug, Deserialize)]
struct ClockInForm {
    site_id: String,
}

/// `POST /shift/clock-in`.
pub async fn clock_in(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let site = serde_urlencoded_form::<ClockInForm>(&body)
        .map(|form| form.site_id)
        .or_else(|| viewer.sites.first().map(|site| site.pid.to_string()))
        .unwrap_or_default();
    let answer = api::call(
        &ctx,
        &viewer,
        Method::POST,
        "/api/shifts/clock-in",
        Some(&json!({ "site_id": site })),
    )
    .await;
    match answer.ok() {
        Ok(_) => Redirect::to(&back(&headers, "/queue", "clocked-in")).into_response(),
        Err(err) => viewer.fail(err),
    }
}

/// `POST /shift/clock-out`.
pub async fn clock_out(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    headers: HeaderMap,
) -> Response {
    let answer = api::call(&ctx, &viewer, Method::POST, "/api/shifts/clock-out", None).await;
    match answer.ok() {
        Ok(_) => Redirect::to(&back(&headers, "/queue", "clocked-out")).into_response(),
        Err(err) => viewer.fail(err),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct Period {
    #[serde(default)]
    period: Option<String>,
    #[serde(default)]
    notice: Option<String>,
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
}

/// The days a period names at the viewer's site: this week (from Monday),
/// this month, last month, or the days given.
fn days_of(viewer: &Viewer, period: &Period) -> (String, NaiveDate, NaiveDate) {
    let today = Utc::now().with_timezone(&viewer.zone()).date_naive();
    let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
    let first = today.with_day(1).unwrap_or(today);
    let chosen = period.period.as_deref().unwrap_or("week");
    let parse =
        |day: Option<&String>| day.and_then(|day| NaiveDate::parse_from_str(day, "%Y-%m-%d").ok());
    match chosen {
        "month" => ("month".into(), first, today),
        "last-month" => {
            let end = first - Duration::days(1);
            ("last-month".into(), end.with_day(1).unwrap_or(end), end)
        }
        "custom" => match (parse(period.from.as_ref()), parse(period.to.as_ref())) {
            (Some(from), Some(to)) if from <= to => ("custom".into(), from, to),
            _ => ("week".into(), monday, today),
        },
        _ => ("week".into(), monday, today),
    }
}

/// `GET /me/stats`: the technician's own numbers and earnings for a period.
pub async fn stats(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    Query(period): Query<Period>,
) -> Response {
    let (chosen, from, to) = days_of(&viewer, &period);
    let me = viewer.actor.user.pid;
    let path = format!("/api/technicians/{me}/stats?from={from}&to={to}");
    let stats = match api::call(&ctx, &viewer, Method::GET, &path, None)
        .await
        .ok()
    {
        Ok(stats) => stats,
        Err(err) => return viewer.fail(err),
    };
    let values = json!({
        "stats": stats,
        "period": chosen,
        "from": from.to_string(),
        "to": to.to_string(),
        "periods": ["week", "month", "last-month"],
        "notice": notice_text(&viewer, period.notice.as_deref()),
    });
    page(
        &ctx,
        &viewer,
        "/me/stats",
        "stats-title",
        ("pages/stats.html", "fragments/stats.html"),
        values,
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
pub struct BoardQuery {
    #[serde(default)]
    site_id: Option<Uuid>,
    #[serde(default)]
    notice: Option<String>,
}

/// The columns of the board, in the order work moves.
const COLUMNS: [&str; 5] = [
    "requested",
    "pending_approval",
    "approved",
    "in_progress",
    "completed",
];

/// `GET /board`: one branch's floor today: its open orders by status, what
/// was completed today, and its technicians on shift, due in or away, with
/// their load; an approved order nobody has can be assigned from here.
pub async fn board(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    Query(query): Query<BoardQuery>,
) -> Response {
    if viewer.actor.role == Role::Technician {
        return viewer.fail(ApiError::NotFound("page"));
    }
    let site = match query.site_id {
        Some(id) => viewer.sites.iter().find(|site| site.pid == id),
        None => viewer.sites.first(),
    };
    let Some(site) = site else {
        return viewer.fail(ApiError::NotFound("page"));
    };
    let today = Utc::now().with_timezone(&viewer.zone()).date_naive();
    let mut columns = Vec::new();
    for status in COLUMNS {
        let path = format!(
            "/api/repair-orders?site_id={}&status={status}&per_page=100",
            site.pid
        );
        let listed = match api::call(&ctx, &viewer, Method::GET, &path, None)
            .await
            .ok()
        {
            Ok(listed) => listed,
            Err(err) => return viewer.fail(err),
        };
        let mut orders: Vec<Value> = listed["items"].as_array().cloned().unwrap_or_default();
        if status == "completed" {
            // Only today's: the board is the floor today.
            orders.retain(|order| {
                order["completed_at"]
                    .as_str()
                    .and_then(|at| chrono::DateTime::parse_from_rfc3339(at).ok())
                    .is_some_and(|at| at.with_timezone(&viewer.zone()).date_naive() == today)
            });
        }
        columns.push(json!({
            "status": status,
            "orders": orders,
        }));
    }
    let path = format!("/api/technicians/board?site_id={}", site.pid);
    let technicians = match api::call(&ctx, &viewer, Method::GET, &path, None)
        .await
        .ok()
    {
        Ok(technicians) => technicians,
        Err(err) => return viewer.fail(err),
    };
    let skills = technician_skills(&ctx, &viewer, &technicians).await;
    // Who may be given each approved order nobody has: those here today,
    // not away, with every skill it needs.
    for column in &mut columns {
        if column["status"] != "approved" {
            continue;
        }
        for order in column["orders"].as_array_mut().into_iter().flatten() {
            if !order["technician"].is_null() {
                continue;
            }
            let needs: Vec<&str> = order["required_skills"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            let able: Vec<Value> = technicians
                .as_array()
                .into_iter()
                .flatten()
                .filter(|entry| entry["away"].is_null())
                .filter(|entry| {
                    let held = &skills[entry["technician"]["id"].as_str().unwrap_or_default()];
                    needs.iter().all(|need| {
                        held.as_array()
                            .is_some_and(|held| held.iter().any(|skill| skill == need))
                    })
                })
                .map(|entry| entry["technician"].clone())
                .collect();
            order["able"] = Value::Array(able);
        }
    }
    let values = json!({
        "site": {"id": site.pid, "name": site.name, "code": site.code},
        "columns": columns,
        "technicians": technicians,
        "skills": skills,
        "notice": notice_text(&viewer, query.notice.as_deref()),
    });
    page(
        &ctx,
        &viewer,
        "/board",
        "board-title",
        ("pages/board.html", "fragments/board.html"),
        values,
    )
    .await
}

/// Each technician's skills, by their id: who may be given which order.
async fn technician_skills(ctx: &AppContext, viewer: &Viewer, board: &Value) -> Value {
    let mut skills = serde_json::Map::new();
    for entry in board.as_array().into_iter().flatten() {
        let Some(id) = entry["technician"]["id"].as_str() else {
            continue;
        };
        let path = format!("/api/technicians/{id}");
        if let Ok(profile) = api::call(ctx, viewer, Method::GET, &path, None).await.ok() {
            skills.insert(id.to_string(), profile["skills"].clone());
        }
    }
    Value::Object(skills)
}

#[derive(Debug, Deserialize)]
struct AssignForm {
    technician_id: String,
}

/// `POST /board/{id}/assign`: the API's assignment.
pub async fn assign(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    body: axum::body::Bytes,
) -> Response {
    let Some(form) = serde_urlencoded_form::<AssignForm>(&body) else {
        return viewer.fail(ApiError::Validation(crate::errors::FieldErrors::default()));
    };
    let path = format!("/api/repair-orders/{id}/assign");
    let answer = api::call(
        &ctx,
        &viewer,
        Method::POST,
        &path,
        Some(&json!({ "technician_id": form.technician_id })),
    )
    .await;
    match answer.ok() {
        Ok(_) => Redirect::to(&back(&headers, "/board", "assigned")).into_response(),
        Err(err) => viewer.fail(err),
    }
}
