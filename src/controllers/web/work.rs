//! The technician's work: their orders, and one order with everything done
//! on it (timer, labour, parts, notes, photos and voice notes, completion).
//!
//! Each form here works as a plain post (answered by a redirect back to the
//! order, or by the order's page again with the errors next to their fields
//! and what was typed kept). With the page's script, the same changes go
//! through the browser's outbox to the API, and wait there while the
//! connection is down (`assets/static/app.js`).

use axum::{
    body::Bytes,
    extract::{Path, Query, State},
    http::{header, HeaderMap, HeaderValue, Method, StatusCode},
    response::{IntoResponse, Redirect, Response},
};
use loco_rs::app::AppContext;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use uuid::Uuid;

use super::{api, notice_text, page, Viewer};
use crate::{errors::ApiError, i18n, i18n::Language};

/// `GET /work`: orders assigned to the technician waiting for their answer,
/// and those they are working on.
pub async fn mine(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    Query(query): Query<OrderQuery>,
) -> Response {
    let me = viewer.actor.user.pid;
    let mut lists = Map::new();
    if let Some(notice) = notice_text(&viewer, query.notice.as_deref()) {
        lists.insert("notice".to_string(), Value::String(notice));
    }
    for (name, status) in [("assigned", "approved"), ("in_progress", "in_progress")] {
        let path = format!("/api/repair-orders?technician_id={me}&status={status}&per_page=100");
        match api::call(&ctx, &viewer, Method::GET, &path, None)
            .await
            .ok()
        {
            Ok(listed) => {
                lists.insert(name.to_string(), listed["items"].clone());
            }
            Err(err) => return viewer.fail(err),
        }
    }
    if let Some(Value::Array(orders)) = lists.get_mut("in_progress") {
        // A technician has a few orders in progress at most: each one's
        // detail says what others changed on it since they last looked.
        // They are asked for together.
        let details = futures_util::future::join_all(orders.iter().map(|order| {
            let path = format!(
                "/api/repair-orders/{}",
                order["id"].as_str().unwrap_or_default()
            );
            let (ctx, viewer) = (&ctx, &viewer);
            async move { api::call(ctx, viewer, Method::GET, &path, None).await.ok() }
        }))
        .await;
        for (order, detail) in orders.iter_mut().zip(details) {
            if let Ok(detail) = detail {
                order["unseen"] = json!(detail["unseen_changes"].as_array().map_or(0, Vec::len));
            }
        }
    }
    page(
        &ctx,
        &viewer,
        "/work",
        "work-title",
        ("pages/work.html", "fragments/work.html"),
        Value::Object(lists),
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
pub struct OrderQuery {
    #[serde(default)]
    notice: Option<String>,
}

/// A form that came back with errors: which form, the API's messages by
/// field, and what was typed.
struct Problem {
    form: &'static str,
    fields: Value,
    message: Option<String>,
    typed: Value,
}

/// `GET /work/{id}`.
pub async fn order(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    Path(id): Path<Uuid>,
    Query(query): Query<OrderQuery>,
) -> Response {
    render_order(&ctx, &viewer, id, query.notice.as_deref(), None).await
}

async fn render_order(
    ctx: &AppContext,
    viewer: &Viewer,
    id: Uuid,
    notice: Option<&str>,
    problem: Option<Problem>,
) -> Response {
    let get =
        |path: String| async move { api::call(ctx, viewer, Method::GET, &path, None).await.ok() };
    let detail = match get(format!("/api/repair-orders/{id}")).await {
        Ok(detail) => detail,
        Err(err) => return viewer.fail(err),
    };
    let reads = futures_util::future::join5(
        get(format!("/api/repair-orders/{id}/timer")),
        get(format!("/api/repair-orders/{id}/notes?per_page=100")),
        get(format!("/api/repair-orders/{id}/attachments?per_page=100")),
        get(format!("/api/repair-orders/{id}/history")),
        get(format!(
            "/api/products?site_id={}&per_page=200",
            detail["site"]["id"].as_str().unwrap_or_default()
        )),
    )
    .await;
    let (timer, notes, attachments, history, products) = match reads {
        (Ok(timer), Ok(notes), Ok(attachments), Ok(history), Ok(products)) => {
            (timer, notes, attachments, history, products)
        }
        (Err(err), ..)
        | (_, Err(err), ..)
        | (_, _, Err(err), ..)
        | (.., Err(err), _)
        | (.., Err(err)) => return viewer.fail(err),
    };
    let vehicle = detail["vehicle"]["id"].as_str().unwrap_or_default();
    let earlier = get(format!("/api/vehicles/{vehicle}/repair-orders?per_page=20"))
        .await
        .map(|listed| {
            let mut items = listed["items"].as_array().cloned().unwrap_or_default();
            items.retain(|other| other["id"] != detail["id"]);
            Value::Array(items)
        })
        .unwrap_or(Value::Array(Vec::new()));
    let mine = detail["technician"]["id"].as_str() == Some(&viewer.actor.user.pid.to_string());
    let changes = described_changes(viewer.language, &detail);
    let status = detail["status"].as_str().unwrap_or_default().to_string();
    let (form, fields, message, typed) = match &problem {
        Some(problem) => (
            Some(problem.form),
            problem.fields.clone(),
            problem.message.clone(),
            problem.typed.clone(),
        ),
        None => (None, json!({}), None, json!({})),
    };
    let values = json!({
        "order": detail,
        "changes": changes,
        "timer": timer,
        "notes": notes["items"],
        "attachments": attachments["items"],
        "history": history,
        "products": products["items"],
        "earlier": earlier,
        "mine": mine,
        "working": mine && status == "in_progress",
        "awaiting_answer": mine && status == "approved",
        "notice": notice_text(viewer, notice),
        "problem": {"form": form, "fields": fields, "message": message, "typed": typed},
    });
    let mut response = page(
        ctx,
        viewer,
        &format!("/work/{id}"),
        "order-title",
        ("pages/order.html", "fragments/order.html"),
        values,
    )
    .await;
    if problem.is_some() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    response
}

/// The order's `unseen_changes` as the phone tells them: a word for what
/// happened (`change-…` in the message files) and what it was about.
fn described_changes(language: Language, detail: &Value) -> Vec<Value> {
    let empty = Vec::new();
    let lines: Vec<&Value> = ["labor", "parts"]
        .iter()
        .flat_map(|kind| detail[*kind].as_array().unwrap_or(&empty))
        .collect();
    let text = |value: &Value| value.as_str().unwrap_or_default().to_string();
    detail["unseen_changes"]
        .as_array()
        .unwrap_or(&empty)
        .iter()
        .map(|change| {
            let what = change["what"].as_str().unwrap_or_default();
            let details = &change["details"];
            let mut key = what.replace('.', "-");
            let about = match what {
                "labor_line.added" => format!(
                    "{} · {} h",
                    text(&details["description"]),
                    text(&details["hours"])
                ),
                "labor_line.removed" => text(&details["description"]),
                "part_line.added" => format!(
                    "{} × {}",
                    text(&details["description"]),
                    text(&details["quantity"])
                ),
                "part_line.removed" => {
                    format!("{} × {}", text(&details["sku"]), text(&details["quantity"]))
                }
                "estimate_line.decided" => {
                    key = format!("estimate_line-{}", text(&details["decision"]));
                    lines
                        .iter()
                        .find(|line| line["id"] == details["line"])
                        .map(|line| text(&line["description"]))
                        .unwrap_or_default()
                }
                "repair_order.updated" => ["description", "complaint", "priority"]
                    .iter()
                    .filter_map(|field| {
                        let to = details[*field].as_object()?.get("to")?;
                        let shown = match (*field, to.as_str()) {
                            ("priority", Some(priority)) => {
                                i18n::text(language, &format!("priority-{priority}"))
                            }
                            (_, Some(to)) => to.to_string(),
                            (_, None) => "—".to_string(),
                        };
                        Some(format!("{}: {shown}", i18n::text(language, field)))
                    })
                    .collect::<Vec<_>>()
                    .join(" · "),
                "repair_order.required_skills_changed" => details["to"]
                    .as_array()
                    .map(|skills| skills.iter().map(text).collect::<Vec<_>>().join(", "))
                    .filter(|skills| !skills.is_empty())
                    .unwrap_or_else(|| "—".to_string()),
                "note.added" => text(&details["body"]),
                "attachment.added" => text(&details["file_name"]),
                _ => String::new(),
            };
            json!({
                "key": format!("change-{key}"),
                "about": about,
                "by": change["by"],
                "at": change["at"],
            })
        })
        .collect()
}

/// The words a change on the phone can be told in, for the test that
/// every word exists in both languages.
#[cfg(test)]
pub const CHANGE_KEYS: [&str; 12] = [
    "change-labor_line-added",
    "change-labor_line-removed",
    "change-part_line-added",
    "change-part_line-removed",
    "change-estimate_line-approved",
    "change-estimate_line-declined",
    "change-estimate-send_requested",
    "change-repair_order-updated",
    "change-repair_order-required_skills_changed",
    "change-repair_order-comeback_flagged",
    "change-note-added",
    "change-attachment-added",
];

/// Sends a form's change to the API and answers as a page: back to the
/// order, or the order again with the errors next to the form's fields.
async fn change(
    ctx: &AppContext,
    viewer: &Viewer,
    id: Uuid,
    form: &'static str,
    path: &str,
    body: Option<Value>,
    done: &str,
) -> Response {
    let answer = api::call(ctx, viewer, Method::POST, path, body.as_ref()).await;
    respond(
        ctx,
        viewer,
        id,
        form,
        answer,
        body.unwrap_or(Value::Null),
        done,
    )
    .await
}

async fn respond(
    ctx: &AppContext,
    viewer: &Viewer,
    id: Uuid,
    form: &'static str,
    answer: api::Answer,
    typed: Value,
    done: &str,
) -> Response {
    let status = answer.status;
    let body = answer.body.clone();
    match answer.ok() {
        Ok(_) => Redirect::to(&format!("/work/{id}?notice={done}#{form}")).into_response(),
        Err(ApiError::Validation(_) | ApiError::Conflict { .. } | ApiError::BadRequest(_))
            if status != StatusCode::NOT_FOUND =>
        {
            let problem = Problem {
                form,
                fields: body["error"]["fields"].clone(),
                message: body["error"]["message"].as_str().map(str::to_string),
                typed,
            };
            let mut response = render_order(ctx, viewer, id, None, Some(problem)).await;
            if status == StatusCode::CONFLICT {
                *response.status_mut() = StatusCode::CONFLICT;
            }
            response
        }
        Err(err) => viewer.fail(err),
    }
}

pub async fn accept(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    Path(id): Path<Uuid>,
) -> Response {
    let path = format!("/api/repair-orders/{id}/accept");
    change(&ctx, &viewer, id, "answer", &path, None, "accepted").await
}

/// `POST /work/{id}/seen`: the technician has seen what the office changed.
pub async fn seen(State(ctx): State<AppContext>, viewer: Viewer, Path(id): Path<Uuid>) -> Response {
    let path = format!("/api/repair-orders/{id}/acknowledge");
    change(&ctx, &viewer, id, "changes", &path, None, "changes-seen").await
}

pub async fn decline(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Response {
    let path = format!("/api/repair-orders/{id}/decline");
    let fields = super::form::typed(&body);
    let answer = api::call(&ctx, &viewer, Method::POST, &path, Some(&fields)).await;
    if answer.status.is_success() {
        return Redirect::to("/work?notice=declined").into_response();
    }
    respond(&ctx, &viewer, id, "answer", answer, fields, "declined").await
}

pub async fn timer(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    Path((id, action)): Path<(Uuid, String)>,
) -> Response {
    let action = match action.as_str() {
        "start" => "start",
        "pause" => "pause",
        _ => return viewer.fail(ApiError::NotFound("page")),
    };
    let path = format!("/api/repair-orders/{id}/timer/{action}");
    let done = if action == "start" {
        "timer-started"
    } else {
        "timer-paused"
    };
    change(&ctx, &viewer, id, "timer", &path, None, done).await
}

pub async fn add_labor(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Response {
    let path = format!("/api/repair-orders/{id}/labor");
    change(
        &ctx,
        &viewer,
        id,
        "labor",
        &path,
        Some(super::form::typed(&body)),
        "labor-added",
    )
    .await
}

pub async fn add_part(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Response {
    let path = format!("/api/repair-orders/{id}/parts");
    change(
        &ctx,
        &viewer,
        id,
        "parts",
        &path,
        Some(super::form::typed(&body)),
        "part-added",
    )
    .await
}

pub async fn add_note(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Response {
    let path = format!("/api/repair-orders/{id}/notes");
    change(
        &ctx,
        &viewer,
        id,
        "notes",
        &path,
        Some(super::form::typed(&body)),
        "note-added",
    )
    .await
}

/// `POST /work/{id}/attachments`: the upload as it came, to the API.
pub async fn attach(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Response {
    let path = format!("/api/repair-orders/{id}/attachments");
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .cloned()
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    let answer = api::send(&ctx, &viewer, Method::POST, &path, Some(content_type), body).await;
    respond(
        &ctx,
        &viewer,
        id,
        "files",
        answer,
        Value::Null,
        "file-added",
    )
    .await
}

pub async fn complete(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Response {
    let path = format!("/api/repair-orders/{id}/transition");
    let mut fields = super::form::typed(&body);
    fields["to"] = json!("completed");
    if fields["note"]
        .as_str()
        .is_some_and(|note| note.trim().is_empty())
    {
        fields.as_object_mut().map(|fields| fields.remove("note"));
    }
    let answer = api::call(&ctx, &viewer, Method::POST, &path, Some(&fields)).await;
    if answer.status.is_success() {
        return Redirect::to("/work?notice=completed").into_response();
    }
    respond(&ctx, &viewer, id, "complete", answer, fields, "completed").await
}

/// `GET /work/{id}/files/{file_id}`: a photo or voice note of the order,
/// from the API, for the page's `<img>` and `<audio>`.
pub async fn file(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    Path((id, file_id)): Path<(Uuid, Uuid)>,
) -> Response {
    let response = api::raw(
        &ctx,
        &viewer,
        &format!("/api/repair-orders/{id}/attachments/{file_id}"),
    )
    .await;
    if response.status().is_success() {
        response
    } else {
        viewer.fail(ApiError::NotFound("file"))
    }
}
