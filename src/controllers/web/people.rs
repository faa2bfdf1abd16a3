//! People, for owners and managers: the staff of their branches (added
//! with a first password, given a role and branches, renamed, given a new
//! password, deactivated and brought back), and for each technician their
//! profile (phone, hire day, level, home branch, skills, how they are
//! paid), their working week and their time off; and the technicians'
//! numbers side by side for any days. Every change is the API's
//! (`/api/staff/…`, `/api/technicians/…`), with its rules: a manager adds
//! and changes advisors and technicians at their own branches only.

use axum::{
    body::Bytes,
    extract::{Path, Query, State},
    http::{Method, StatusCode},
    response::{IntoResponse, Redirect, Response},
};
use loco_rs::app::AppContext;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use uuid::Uuid;

use super::{
    api,
    desk::{
        encoded, get, given, list_query, no_problem, page_number, problem, refusal, to_created,
        NoticeQuery,
    },
    form::{self, Shape},
    notice_text, page, page_as, Viewer,
};
use crate::{
    errors::ApiError,
    models::{actor::Ability, people::roles::Role, values::Stored},
};

/// People are the owners' and managers'.
fn keeper(viewer: &Viewer) -> Option<Response> {
    (!viewer.actor.can(Ability::ManageTechnicians)).then(|| viewer.fail(ApiError::NotFound("page")))
}

/// The roles this person may give.
fn roles_for(viewer: &Viewer) -> Vec<&'static str> {
    Role::STAFF
        .iter()
        .filter(|role| viewer.actor.can(Ability::ManageStaff(**role)))
        .map(|role| role.as_str())
        .collect()
}

const PLAIN: Shape = Shape {
    numbers: &[],
    flags: &[],
    lists: &["site_ids"],
    skip: &[],
};

#[derive(Debug, Default, Deserialize)]
pub struct PeopleFilter {
    #[serde(default)]
    site_id: Option<String>,
    #[serde(default)]
    page: Option<String>,
}

/// `GET /people`: the staff of one branch or all.
pub async fn people(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    Query(filter): Query<PeopleFilter>,
) -> Response {
    if let Some(page) = keeper(&viewer) {
        return page;
    }
    let kept: Vec<(&str, &str)> = given(filter.site_id.as_ref())
        .map(|site| ("site_id", site))
        .into_iter()
        .collect();
    let page_number = page_number(filter.page.as_ref());
    let (query, kept) = list_query(&kept, &kept, page_number);
    let listed = match get(&ctx, &viewer, &format!("/api/staff?{query}")).await {
        Ok(listed) => listed,
        Err(page) => return page,
    };
    let total = listed["total"].as_u64().unwrap_or_default();
    let values = json!({
        "people": listed["items"],
        "total": total,
        "page_number": page_number,
        "pages": total.div_ceil(50).max(1),
        "kept": kept,
        "filter": {"site_id": given(filter.site_id.as_ref())},
    });
    page(
        &ctx,
        &viewer,
        "/people",
        "people-title",
        ("pages/people.html", "fragments/people.html"),
        values,
    )
    .await
}

/// `GET /people/new`.
pub async fn new_person(State(ctx): State<AppContext>, viewer: Viewer) -> Response {
    if let Some(page) = keeper(&viewer) {
        return page;
    }
    person_form(&ctx, &viewer, no_problem(), StatusCode::OK).await
}

async fn person_form(
    ctx: &AppContext,
    viewer: &Viewer,
    problem: Value,
    status: StatusCode,
) -> Response {
    page_as(
        ctx,
        viewer,
        "/people/new",
        "new-person-title",
        ("pages/person_form.html", "pages/person_form.html"),
        json!({"problem": problem, "roles": roles_for(viewer)}),
        status,
    )
    .await
}

/// `POST /people`: someone added, with the password they first sign in
/// with.
pub async fn create(State(ctx): State<AppContext>, viewer: Viewer, body: Bytes) -> Response {
    if let Some(page) = keeper(&viewer) {
        return page;
    }
    let typed = form::typed(&body);
    let json = form::body(&body, PLAIN).unwrap_or_default();
    let answer = api::call(&ctx, &viewer, Method::POST, "/api/staff", Some(&json)).await;
    if refusal(&answer) {
        let status = answer.status;
        return person_form(
            &ctx,
            &viewer,
            problem("person", &answer.body, typed),
            status,
        )
        .await;
    }
    match answer.ok() {
        Ok(person) => to_created("/people", &person, "person-added"),
        Err(err) => viewer.fail(err),
    }
}

/// `GET /people/{id}`.
pub async fn person(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    Path(id): Path<Uuid>,
    Query(query): Query<NoticeQuery>,
) -> Response {
    if let Some(page) = keeper(&viewer) {
        return page;
    }
    person_page(
        &ctx,
        &viewer,
        id,
        query.notice.as_deref(),
        no_problem(),
        StatusCode::OK,
    )
    .await
}

/// The days of the week as the API names them, Monday first.
const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// Blank rows the working week offers after the stretches it has.
const BLANK_STINTS: usize = 3;

async fn person_page(
    ctx: &AppContext,
    viewer: &Viewer,
    id: Uuid,
    notice: Option<&str>,
    problem: Value,
    status: StatusCode,
) -> Response {
    let person = match get(ctx, viewer, &format!("/api/staff/{id}")).await {
        Ok(person) => person,
        Err(page) => return page,
    };
    let technician = person["role"] == "technician";
    let (profile, week, time_off, skills) = if technician {
        let reads = futures_util::future::join4(
            get(ctx, viewer, &format!("/api/technicians/{id}")),
            get(ctx, viewer, &format!("/api/technicians/{id}/working-hours")),
            get(
                ctx,
                viewer,
                &format!("/api/technicians/{id}/time-off?per_page=50"),
            ),
            get(ctx, viewer, "/api/skills?per_page=200"),
        )
        .await;
        match reads {
            (Ok(profile), Ok(week), Ok(time_off), Ok(skills)) => {
                (profile, week, time_off["items"].clone(), skills)
            }
            (Err(page), ..) | (_, Err(page), ..) | (.., Err(page), _) | (.., Err(page)) => {
                return page
            }
        }
    } else {
        (Value::Null, Value::Null, json!([]), json!([]))
    };
    // The week as rows to edit: what was typed after a refusal, else the
    // stretches it has and a few blank ones.
    let stints = match problem["typed"].get("rows") {
        Some(rows) if problem["form"] == "hours" => rows.clone(),
        _ => {
            let mut rows: Vec<Value> = week["hours"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|stint| {
                    json!({"site_id": stint["site"]["id"], "weekday": stint["weekday"],
                           "starts": stint["starts"], "ends": stint["ends"]})
                })
                .collect();
            for _ in 0..BLANK_STINTS {
                rows.push(json!({"site_id": "", "weekday": "", "starts": "", "ends": ""}));
            }
            Value::Array(rows)
        }
    };
    // A refused week's errors, by the row they are about.
    let mut stints = stints;
    if problem["form"] == "hours" {
        for (index, row) in stints.as_array_mut().into_iter().flatten().enumerate() {
            let prefix = format!("{index}.");
            let errors: Vec<Value> = problem["fields"]
                .as_object()
                .into_iter()
                .flatten()
                .filter(|(field, _)| field.starts_with(&prefix))
                .flat_map(|(_, messages)| messages.as_array().cloned().unwrap_or_default())
                .collect();
            row["errors"] = Value::Array(errors);
        }
    }
    let role = person["role"].as_str().unwrap_or_default();
    let roles = roles_for(viewer);
    let values = json!({
        "person": person,
        "profile": profile,
        "stints": stints,
        "time_off": time_off,
        "skills": skills,
        "weekdays": WEEKDAYS,
        "may_change": roles.contains(&role),
        "roles": roles,
        "levels": ["apprentice", "junior", "senior", "master"],
        "notice": notice_text(viewer, notice),
        "problem": problem,
    });
    page_as(
        ctx,
        viewer,
        &format!("/people/{id}"),
        "person-title",
        ("pages/person.html", "fragments/person.html"),
        values,
        status,
    )
    .await
}

/// The answer to a change on a person's page: back to it with a notice,
/// or the page again with the form's errors.
async fn changed(
    ctx: &AppContext,
    viewer: &Viewer,
    id: Uuid,
    (form_name, done): (&str, &str),
    answer: api::Answer,
    typed: Value,
) -> Response {
    if refusal(&answer) {
        let status = answer.status;
        let problem = problem(form_name, &answer.body, typed);
        return person_page(ctx, viewer, id, None, problem, status).await;
    }
    match answer.ok() {
        Ok(_) => Redirect::to(&format!("/people/{id}?notice={done}#{form_name}")).into_response(),
        Err(err) => viewer.fail(err),
    }
}

/// `POST /people/{id}`: name, role, branches, a new password; or, with
/// `active`, deactivated or brought back.
pub async fn update(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Response {
    if let Some(page) = keeper(&viewer) {
        return page;
    }
    let typed = form::typed(&body);
    let mut json = form::body(&body, PLAIN).unwrap_or_default();
    let (form_name, done) = match json.get("active").and_then(Value::as_str) {
        Some(active) => {
            let active = active == "true";
            json = json!({ "active": active });
            (
                "active",
                if active {
                    "person-reactivated"
                } else {
                    "person-deactivated"
                },
            )
        }
        None => ("person", "person-saved"),
    };
    let path = format!("/api/staff/{id}");
    let answer = api::call(&ctx, &viewer, Method::PATCH, &path, Some(&json)).await;
    changed(&ctx, &viewer, id, (form_name, done), answer, typed).await
}

/// `POST /people/{id}/profile`: a technician's profile; fields emptied
/// are cleared.
pub async fn profile(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Response {
    if let Some(page) = keeper(&viewer) {
        return page;
    }
    const PROFILE: Shape = Shape {
        numbers: &[],
        flags: &[],
        lists: &["skills"],
        skip: &["pay_kind", "pay_rate"],
    };
    let typed = form::typed(&body);
    let mut json = form::edits(
        &body,
        PROFILE,
        &["phone", "hire_date", "certification_level", "home_site_id"],
    )
    .unwrap_or_default();
    let field = |name: &str| {
        form_urlencoded::parse(&body)
            .find(|(field, _)| field == name)
            .map(|(_, value)| value.trim().replace([',', ' '], ""))
            .unwrap_or_default()
    };
    json["pay_basis"] = match (field("pay_kind").as_str(), field("pay_rate")) {
        ("", _) => Value::Null,
        (kind, rate) => json!({"kind": kind, "rate": rate}),
    };
    let path = format!("/api/technicians/{id}");
    let answer = api::call(&ctx, &viewer, Method::PATCH, &path, Some(&json)).await;
    changed(
        &ctx,
        &viewer,
        id,
        ("profile", "profile-saved"),
        answer,
        typed,
    )
    .await
}

/// `POST /people/{id}/hours`: the whole working week, as rows; blank rows
/// are not stretches.
pub async fn hours(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Response {
    if let Some(page) = keeper(&viewer) {
        return page;
    }
    const COLUMNS: [&str; 4] = ["site_id", "weekday", "starts", "ends"];
    let rows = super::stock::form_rows(&body, &COLUMNS);
    let mut from = Vec::new();
    let mut stints = Vec::new();
    for (index, row) in rows.iter().enumerate() {
        let filled = |name: &str| {
            row.get(name)
                .and_then(Value::as_str)
                .is_some_and(|value| !value.is_empty())
        };
        if !filled("weekday") && !filled("starts") && !filled("ends") {
            continue;
        }
        let mut stint = Map::new();
        for name in COLUMNS {
            stint.insert(
                name.to_string(),
                row.get(name)
                    .cloned()
                    .unwrap_or(Value::String(String::new())),
            );
        }
        stints.push(Value::Object(stint));
        from.push(index);
    }
    let path = format!("/api/technicians/{id}/working-hours");
    let mut answer = api::call(
        &ctx,
        &viewer,
        Method::PUT,
        &path,
        Some(&json!({ "hours": stints })),
    )
    .await;
    answer.body = super::stock::by_row(answer.body, &from, "hours");
    changed(
        &ctx,
        &viewer,
        id,
        ("hours", "hours-saved"),
        answer,
        json!({ "rows": rows }),
    )
    .await
}

/// `POST /people/{id}/time-off`: days away added.
pub async fn add_time_off(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Response {
    if let Some(page) = keeper(&viewer) {
        return page;
    }
    const TIME_OFF: Shape = Shape {
        numbers: &[],
        flags: &[],
        lists: &[],
        skip: &[],
    };
    let typed = form::typed(&body);
    let json = form::body(&body, TIME_OFF).unwrap_or_default();
    let path = format!("/api/technicians/{id}/time-off");
    let answer = api::call(&ctx, &viewer, Method::POST, &path, Some(&json)).await;
    changed(
        &ctx,
        &viewer,
        id,
        ("time-off", "time-off-added"),
        answer,
        typed,
    )
    .await
}

/// `POST /people/{id}/time-off/{time_off_id}/delete`.
pub async fn remove_time_off(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    Path((id, time_off)): Path<(Uuid, Uuid)>,
) -> Response {
    if let Some(page) = keeper(&viewer) {
        return page;
    }
    let path = format!("/api/technicians/{id}/time-off/{time_off}");
    let answer = api::call(&ctx, &viewer, Method::DELETE, &path, None).await;
    changed(
        &ctx,
        &viewer,
        id,
        ("time-off", "time-off-removed"),
        answer,
        json!({}),
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
pub struct StatsFilter {
    #[serde(default)]
    site_id: Option<String>,
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
}

/// `GET /people/stats`: every technician's numbers for the same days, side
/// by side (the last 30 days unless chosen).
pub async fn stats(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    Query(filter): Query<StatsFilter>,
) -> Response {
    if let Some(page) = keeper(&viewer) {
        return page;
    }
    let today = viewer
        .actor
        .clock
        .now()
        .with_timezone(&viewer.zone())
        .date_naive();
    let default_from = (today - chrono::Days::new(29)).to_string();
    let default_to = today.to_string();
    let from = given(filter.from.as_ref()).unwrap_or(&default_from);
    let to = given(filter.to.as_ref()).unwrap_or(&default_to);
    let mut query = format!(
        "/api/technicians/stats?per_page=200&from={}&to={}",
        encoded(from),
        encoded(to)
    );
    if let Some(site) = given(filter.site_id.as_ref()) {
        query.push_str(&format!("&site_id={}", encoded(site)));
    }
    let answer = api::call(&ctx, &viewer, Method::GET, &query, None).await;
    let (rows, problem) = if refusal(&answer) {
        (json!([]), problem("filter", &answer.body, json!({})))
    } else {
        match answer.ok() {
            Ok(listed) => (listed["items"].clone(), no_problem()),
            Err(err) => return viewer.fail(err),
        }
    };
    let values = json!({
        "rows": rows,
        "filter": {"site_id": given(filter.site_id.as_ref()), "from": from, "to": to},
        "problem": problem,
    });
    page(
        &ctx,
        &viewer,
        "/people/stats",
        "team-stats-title",
        ("pages/team_stats.html", "fragments/team_stats.html"),
        values,
    )
    .await
}
