//! Operations: the background jobs (what waits, what failed and will run
//! again, what died) with retry and discard, and the audit trail read by
//! who, what and when. The API's routes (`/api/jobs`, `/api/audit-events`)
//! with their rules: jobs for owners and managers, the trail for owners.

use axum::{
    extract::{Path, Query, State},
    http::Method,
    response::{IntoResponse, Redirect, Response},
};
use loco_rs::app::AppContext;
use serde::Deserialize;
use serde_json::json;

use super::{
    api,
    desk::{
        encoded, get, given, list_query, no_problem, page_number, problem, refusal, NoticeQuery,
    },
    notice_text, page, Viewer,
};
use crate::{errors::ApiError, models::actor::Ability};

/// `GET /jobs`.
pub async fn jobs(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    Query(query): Query<NoticeQuery>,
) -> Response {
    if !viewer.actor.can(Ability::ManageJobs) {
        return viewer.fail(ApiError::NotFound("page"));
    }
    let mut snapshot = match get(&ctx, &viewer, "/api/jobs").await {
        Ok(snapshot) => snapshot,
        Err(page) => return page,
    };
    // What each failed job was for, in words; a class that is not ours
    // (a job pushed by another program) is shown by its name.
    for set in ["retries", "dead"] {
        for job in snapshot[set].as_array_mut().into_iter().flatten() {
            let class = job["class"].as_str().unwrap_or_default().to_string();
            let label = JOBS
                .iter()
                .find(|(name, _)| *name == class)
                .map_or(class.clone(), |(_, key)| {
                    crate::i18n::text(viewer.language, key)
                });
            job["label"] = serde_json::Value::String(label);
            // Sidekiq counts retries from 0 after the first failure.
            if let Some(retries) = job["retry_count"].as_u64() {
                job["tries"] = serde_json::Value::from(retries + 1);
            }
        }
    }
    let values = json!({
        "jobs": snapshot,
        "notice": notice_text(&viewer, query.notice.as_deref()),
    });
    page(
        &ctx,
        &viewer,
        "/jobs",
        "jobs-title",
        ("pages/jobs.html", "fragments/jobs.html"),
        values,
    )
    .await
}

/// Our workers, by the class name their jobs carry, and what they do.
const JOBS: [(&str, &str); 6] = [
    ("DeliverInvoice", "job-deliver-invoice"),
    ("LowStockDigest", "job-low-stock-digest"),
    ("RepairStatusUpdate", "job-repair-status-update"),
    ("SendEstimate", "job-send-estimate"),
    ("SendPromotion", "job-send-promotion"),
    ("SendServiceReminder", "job-send-service-reminder"),
];

/// `POST /jobs/{jid}/retry` and `/jobs/{jid}/discard`.
pub async fn job_action(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    Path((jid, action)): Path<(String, String)>,
) -> Response {
    if !viewer.actor.can(Ability::ManageJobs) {
        return viewer.fail(ApiError::NotFound("page"));
    }
    let jid = encoded(&jid);
    let (method, path, done) = match action.as_str() {
        "retry" => (
            Method::POST,
            format!("/api/jobs/{jid}/retry"),
            "job-retried",
        ),
        "discard" => (Method::DELETE, format!("/api/jobs/{jid}"), "job-discarded"),
        _ => return viewer.fail(ApiError::NotFound("page")),
    };
    match api::call(&ctx, &viewer, method, &path, None).await.ok() {
        Ok(_) => Redirect::to(&format!("/jobs?notice={done}")).into_response(),
        Err(err) => viewer.fail(err),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct AuditFilter {
    #[serde(default)]
    actor_id: Option<String>,
    #[serde(default)]
    subject_type: Option<String>,
    #[serde(default)]
    subject_id: Option<String>,
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
    #[serde(default)]
    page: Option<String>,
}

/// The kinds of record the trail's filter offers, as the trail names them.
const SUBJECTS: [&str; 12] = [
    "repair_order",
    "invoice",
    "customer",
    "vehicle",
    "product",
    "purchase_order",
    "promotion",
    "shift",
    "skill",
    "site",
    "organization",
    "user",
];

/// The API's query for the filter and page, and the filter alone for the
/// pager's links.
fn audit_query(filter: &AuditFilter, page_number: u64) -> (String, String) {
    let kept: Vec<(&str, &str)> = [
        ("actor_id", given(filter.actor_id.as_ref())),
        ("subject_type", given(filter.subject_type.as_ref())),
        ("subject_id", given(filter.subject_id.as_ref())),
        ("from", given(filter.from.as_ref())),
        ("to", given(filter.to.as_ref())),
    ]
    .into_iter()
    .filter_map(|(name, value)| value.map(|value| (name, value)))
    .collect();
    list_query(&kept, &kept, page_number)
}

/// `GET /audit`.
pub async fn audit(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    Query(filter): Query<AuditFilter>,
) -> Response {
    if !viewer.actor.can(Ability::ViewAudit) {
        return viewer.fail(ApiError::NotFound("page"));
    }
    let page_number = page_number(filter.page.as_ref());
    let (query, kept) = audit_query(&filter, page_number);
    let answer = api::call(
        &ctx,
        &viewer,
        Method::GET,
        &format!("/api/audit-events?{query}"),
        None,
    )
    .await;
    let (listed, problem) = if refusal(&answer) || answer.status.as_u16() == 404 {
        // A filter the API refuses (a day that is not one, someone not on
        // the staff) is said above an empty list.
        let problem = problem("filter", &answer.body, json!({}));
        (json!({"items": [], "total": 0}), problem)
    } else {
        match answer.ok() {
            Ok(listed) => (listed, no_problem()),
            Err(err) => return viewer.fail(err),
        }
    };
    let staff = get(&ctx, &viewer, "/api/staff?per_page=200")
        .await
        .map(|staff| staff["items"].clone())
        .unwrap_or_default();
    let total = listed["total"].as_u64().unwrap_or_default();
    let mut events = listed["items"].clone();
    for event in events.as_array_mut().into_iter().flatten() {
        if !event["details"].is_null() {
            let text = serde_json::to_string_pretty(&event["details"]).unwrap_or_default();
            event["details_text"] = serde_json::Value::String(text);
        }
    }
    let values = json!({
        "events": events,
        "total": total,
        "page_number": page_number,
        "pages": total.div_ceil(50).max(1),
        "kept": kept,
        "staff": staff,
        "subjects": SUBJECTS,
        "filter": {
            "actor_id": given(filter.actor_id.as_ref()),
            "subject_type": given(filter.subject_type.as_ref()),
            "subject_id": given(filter.subject_id.as_ref()),
            "from": given(filter.from.as_ref()),
            "to": given(filter.to.as_ref()),
        },
        "problem": problem,
    });
    page(
        &ctx,
        &viewer,
        "/audit",
        "audit-title",
        ("pages/audit.html", "fragments/audit.html"),
        values,
    )
    .await
}
