//! The owner's settings: the business's names and tax number, printed on
//! every invoice, and each branch's money, time, language, reminders,
//! comebacks and how its customers pay. Each form is the API's PATCH as a
//! page; a refused one comes back with its errors next to their fields.

use axum::{
    body::Bytes,
    extract::{Path, Query, State},
    http::{Method, StatusCode},
    response::{IntoResponse, Redirect, Response},
};
use loco_rs::app::AppContext;
use serde_json::{json, Value};
use uuid::Uuid;

use super::{
    api,
    desk::{get, no_problem, problem, refusal, NoticeQuery},
    form::{self, Shape},
    notice_text, page_as, Viewer,
};
use crate::{errors::ApiError, i18n, models::people::roles::Role};

/// How a setting is typed in.
#[derive(Clone, Copy)]
enum Kind {
    Text,
    Long,
    Number { min: i64, max: i64 },
    Choice(&'static [&'static str]),
}

/// One setting on a form: the API's field, its words (`label`, and
/// `…-hint` when it has one), how it is typed in.
struct Setting {
    name: &'static str,
    label: &'static str,
    hint: bool,
    kind: Kind,
}

const fn setting(name: &'static str, label: &'static str, hint: bool, kind: Kind) -> Setting {
    Setting {
        name,
        label,
        hint,
        kind,
    }
}

const BUSINESS: [Setting; 3] = [
    setting("name", "trading-name", true, Kind::Text),
    setting("legal_name", "legal-name", true, Kind::Text),
    setting("tax_number", "tax-number", true, Kind::Text),
];

/// The zones and currencies of the countries Karakana's workshops are in;
/// a branch set to another keeps its own in the list.
const ZONES: &[&str] = &[
    "Africa/Nairobi",
    "Africa/Kampala",
    "Africa/Dar_es_Salaam",
    "Africa/Kigali",
];
const CURRENCIES: &[&str] = &["KES", "UGX", "TZS", "RWF", "USD"];
const LANGUAGES: &[&str] = &["en", "sw"];

const BRANCH: [Setting; 14] = [
    setting("name", "name", false, Kind::Text),
    setting("address", "address", false, Kind::Long),
    setting("phone", "phone", false, Kind::Text),
    setting("email", "email", false, Kind::Text),
    setting("timezone", "time-zone", false, Kind::Choice(ZONES)),
    setting("currency", "currency", false, Kind::Choice(CURRENCIES)),
    setting("tax_rate", "tax-rate", true, Kind::Text),
    setting(
        "language",
        "branch-language-setting",
        true,
        Kind::Choice(LANGUAGES),
    ),
    setting(
        "payment_instructions",
        "payment-instructions",
        true,
        Kind::Long,
    ),
    setting(
        "payment_terms_days",
        "payment-terms",
        true,
        Kind::Number { min: 0, max: 365 },
    ),
    setting(
        "reminder_hour",
        "reminder-hour",
        true,
        Kind::Number { min: 0, max: 23 },
    ),
    setting(
        "reminder_lead_days",
        "reminder-lead-days",
        true,
        Kind::Number { min: 0, max: 90 },
    ),
    setting(
        "comeback_window_days",
        "comeback-window",
        true,
        Kind::Number { min: 1, max: 365 },
    ),
    setting("code", "branch-code", true, Kind::Text),
];

const BRANCH_SHAPE: Shape = Shape {
    numbers: &[
        "payment_terms_days",
        "reminder_hour",
        "reminder_lead_days",
        "comeback_window_days",
    ],
    flags: &[],
    lists: &[],
    skip: &[],
};

/// Texts a blank field clears (`null`); any other blank is sent empty, for
/// the API to say it is needed.
const CLEARED_WHEN_BLANK: &[&str] = &[
    "legal_name",
    "tax_number",
    "address",
    "phone",
    "email",
    "payment_instructions",
];

/// Settings are the owner's.
fn owners_only(viewer: &Viewer) -> Option<Response> {
    (viewer.actor.role != Role::Owner).then(|| viewer.fail(ApiError::Forbidden))
}

/// `GET /settings`.
pub async fn settings(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    Query(query): Query<NoticeQuery>,
) -> Response {
    if let Some(page) = owners_only(&viewer) {
        return page;
    }
    settings_page(
        &ctx,
        &viewer,
        query.notice.as_deref(),
        &no_problem(),
        StatusCode::OK,
    )
    .await
}

async fn settings_page(
    ctx: &AppContext,
    viewer: &Viewer,
    notice: Option<&str>,
    problem: &Value,
    status: StatusCode,
) -> Response {
    let organization = match get(ctx, viewer, "/api/organization").await {
        Ok(organization) => organization,
        Err(page) => return page,
    };
    let sites = match get(ctx, viewer, "/api/sites?per_page=100").await {
        Ok(sites) => sites["items"].as_array().cloned().unwrap_or_default(),
        Err(page) => return page,
    };
    let business = form_of(viewer, "business", &BUSINESS, &organization, problem);
    let branches: Vec<Value> = sites
        .iter()
        .map(|site| {
            let id = site["id"].as_str().unwrap_or_default();
            json!({
                "id": id,
                "name": site["name"],
                "code": site["code"],
                "form": form_of(viewer, &format!("site-{id}"), &BRANCH, site, problem),
            })
        })
        .collect();
    let values = json!({
        "business": business,
        "organization": organization,
        "branches": branches,
        "problem": problem,
        "notice": notice_text(viewer, notice),
    });
    page_as(
        ctx,
        viewer,
        "/settings",
        "settings-title",
        ("pages/settings.html", "fragments/settings.html"),
        values,
        status,
    )
    .await
}

/// A form's settings as the template draws them: each with its words, the
/// value shown (what was typed, when the form came back, else the current
/// one) and its errors.
fn form_of(
    viewer: &Viewer,
    form: &str,
    settings: &[Setting],
    current: &Value,
    problem: &Value,
) -> Value {
    let returned = problem["form"].as_str() == Some(form);
    let fields: Vec<Value> = settings
        .iter()
        .map(|setting| {
            let value = if returned {
                problem["typed"][setting.name].clone()
            } else {
                current[setting.name].clone()
            };
            let shown = match value {
                Value::String(text) => text,
                Value::Null => String::new(),
                other => other.to_string(),
            };
            let errors = if returned {
                problem["fields"][setting.name].clone()
            } else {
                Value::Null
            };
            let mut field = json!({
                "id": format!("{form}-{}", setting.name),
                "name": setting.name,
                "label": i18n::text(viewer.language, setting.label),
                "value": shown,
                "errors": errors,
            });
            let mut described = Vec::new();
            if setting.hint {
                field["hint"] = json!(i18n::text(
                    viewer.language,
                    &format!("{}-hint", setting.label)
                ));
                described.push(format!("{form}-{}-hint", setting.name));
            }
            if !field["errors"].is_null() {
                described.push(format!("{form}-{}-error", setting.name));
            }
            field["described"] = json!(described.join(" "));
            match setting.kind {
                Kind::Text => field["kind"] = json!("text"),
                Kind::Long => field["kind"] = json!("long"),
                Kind::Number { min, max } => {
                    field["kind"] = json!("number");
                    field["min"] = json!(min);
                    field["max"] = json!(max);
                }
                Kind::Choice(choices) => {
                    let mut options: Vec<&str> = choices.to_vec();
                    if !shown.is_empty() && !options.contains(&shown.as_str()) {
                        options.insert(0, &shown);
                    }
                    field["kind"] = json!("choice");
                    field["options"] = options
                        .iter()
                        .map(|option| {
                            json!({
                                "value": option,
                                "text": choice_text(setting.name, option),
                                "selected": *option == shown,
                            })
                        })
                        .collect();
                }
            }
            field
        })
        .collect();
    json!({
        "id": form,
        "fields": fields,
        "message": if returned { problem["message"].clone() } else { Value::Null },
    })
}

/// A choice as people read it: a language by its own name, a zone
/// without underscores.
fn choice_text(setting: &str, option: &str) -> String {
    match setting {
        "language" => i18n::Language::from_code(option).map_or_else(
            || option.to_string(),
            |language| i18n::text(language, "language-name"),
        ),
        "timezone" => option.replace('_', " "),
        _ => option.to_string(),
    }
}

async fn save(
    ctx: &AppContext,
    viewer: &Viewer,
    (form_id, path): (&str, &str),
    raw: &[u8],
    shape: Shape,
) -> Response {
    if let Some(page) = owners_only(viewer) {
        return page;
    }
    let typed = form::typed(raw);
    let answer = match form::edits(raw, shape, CLEARED_WHEN_BLANK) {
        Ok(body) => api::call(ctx, viewer, Method::PATCH, path, Some(&body)).await,
        Err(errors) => {
            let problem = problem(form_id, &form::refusal(&errors), typed);
            return settings_page(
                ctx,
                viewer,
                None,
                &problem,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    if refusal(&answer) {
        let status = answer.status;
        let problem = problem(form_id, &answer.body, typed);
        return settings_page(ctx, viewer, None, &problem, status).await;
    }
    match answer.ok() {
        Ok(_) => {
            Redirect::to(&format!("/settings?notice=settings-saved#{form_id}")).into_response()
        }
        Err(err) => viewer.fail(err),
    }
}

/// `POST /settings/business`.
pub async fn save_business(State(ctx): State<AppContext>, viewer: Viewer, body: Bytes) -> Response {
    save(
        &ctx,
        &viewer,
        ("business", "/api/organization"),
        &body,
        Shape::default(),
    )
    .await
}

/// `POST /settings/sites/{id}`.
pub async fn save_branch(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Response {
    let form_id = format!("site-{id}");
    let path = format!("/api/sites/{id}");
    save(&ctx, &viewer, (&form_id, &path), &body, BRANCH_SHAPE).await
}

/// The words the settings use, for the test that both languages have them.
#[cfg(test)]
pub fn words() -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for setting in BUSINESS.iter().chain(&BRANCH) {
        keys.push(setting.label.to_string());
        if setting.hint {
            keys.push(format!("{}-hint", setting.label));
        }
    }
    keys.push("notice-settings-saved".to_string());
    keys
}
