//! What the front desk's pages share: they are the office's (a
//! technician gets the 404 page), they read through the API, and a form the
//! API refuses comes back with its errors and what was typed.

use axum::{
    http::{Method, StatusCode},
    response::{IntoResponse, Redirect, Response},
};
use loco_rs::app::AppContext;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{api, Viewer};
use crate::{errors::ApiError, models::people::roles::Role};

/// The desk is for the office: a technician's pages are the queue and
/// their work, and the desk's are the 404 page to them.
pub fn office(viewer: &Viewer) -> Option<Response> {
    (viewer.actor.role == Role::Technician).then(|| viewer.fail(ApiError::NotFound("page")))
}

pub async fn get(ctx: &AppContext, viewer: &Viewer, path: &str) -> Result<Value, Response> {
    api::call(ctx, viewer, Method::GET, path, None)
        .await
        .ok()
        .map_err(|err| viewer.fail(err))
}

pub fn encoded(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// The page again with a form's errors: the API's by field (or a message
/// for the form), and what was typed.
pub fn problem(form: &str, answer_body: &Value, typed: Value) -> Value {
    json!({
        "form": form,
        "fields": answer_body["error"]["fields"].clone(),
        "message": answer_body["error"]["message"].clone(),
        "typed": typed,
    })
}

pub fn no_problem() -> Value {
    json!({"form": null, "fields": {}, "message": null, "typed": {}})
}

/// Whether an answer is one a form shows next to its fields.
pub fn refusal(answer: &api::Answer) -> bool {
    matches!(
        answer.status,
        StatusCode::UNPROCESSABLE_ENTITY | StatusCode::CONFLICT | StatusCode::BAD_REQUEST
    )
}

#[derive(Debug, Default, Deserialize)]
pub struct NoticeQuery {
    /// What a form just did (`?notice=`).
    #[serde(default)]
    pub notice: Option<String>,
}

/// A filter's value as typed, or `None` when left blank.
#[must_use]
pub fn given(value: Option<&String>) -> Option<&str> {
    value
        .map(|value| value.trim())
        .filter(|value| !value.is_empty())
}

/// The page of a list asked for in `?page=`, 1 when none or not one.
#[must_use]
pub fn page_number(page: Option<&String>) -> u64 {
    given(page)
        .and_then(|page| page.parse::<u64>().ok())
        .filter(|page| (1..=1_000_000).contains(page))
        .unwrap_or(1)
}

/// A list's filter as the API's query string (with the page, 50 to a
/// page) and as the page's own links keep it (`kept`, without the page).
#[must_use]
pub fn list_query(api: &[(&str, &str)], kept: &[(&str, &str)], page: u64) -> (String, String) {
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.extend_pairs(api);
    query.append_pair("page", &page.to_string());
    query.append_pair("per_page", "50");
    let kept = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(kept)
        .finish();
    (query.finish(), kept)
}

/// Where a form that created something goes: the new thing's page under
/// `base` (its id from the API's answer), saying what happened.
#[must_use]
pub fn to_created(base: &str, created: &Value, notice: &str) -> Response {
    let id = created["id"].as_str().unwrap_or_default();
    Redirect::to(&format!("{base}/{id}?notice={notice}")).into_response()
}
