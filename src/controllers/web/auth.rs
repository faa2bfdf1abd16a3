//! Signing in and out in the browser, the language switch, and `/`.

use axum::{
    extract::{Query, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::cookie::CookieJar;
use loco_rs::app::AppContext;
use serde::Deserialize;
use serde_json::json;

use super::{chosen_language, Viewer};
use crate::{
    controllers::session::{self, VISIT_COOKIE},
    errors::ApiError,
    i18n::{self, Language},
    models::{
        error::DomainError,
        people::{roles::Role, users},
        values::Email,
    },
    views::html,
};

/// Where each role starts.
#[must_use]
pub fn home_of(role: Role) -> &'static str {
    match role {
        Role::Technician => "/queue",
        // Owners run the business: its figures first. Managers and the
        // front desk run the floor.
        Role::Owner => "/dashboard",
        _ => "/board",
    }
}

/// `/`: the role's home page, or the sign-in page.
pub async fn home(viewer: Result<Viewer, Response>) -> Response {
    match viewer {
        Ok(viewer) => Redirect::to(home_of(viewer.actor.role)).into_response(),
        Err(_) => Redirect::to("/login").into_response(),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct NextQuery {
    #[serde(default)]
    next: Option<String>,
}

/// Only a path of this site is a place to go after signing in.
fn local_path(next: Option<&str>) -> Option<String> {
    next.filter(|path| super::is_local_path(path))
        .map(str::to_string)
}

/// The sign-in form, with what was typed and why it failed.
fn form(
    ctx: &AppContext,
    jar: CookieJar,
    language: Language,
    status: StatusCode,
    email: &str,
    next: Option<&str>,
    problem: Option<&str>,
) -> Response {
    let (jar, csrf) = session::visit(ctx, jar);
    let values = json!({
        "lang": language.code(),
        "languages": Language::ALL.iter().map(|other| json!({
            "code": other.code(),
            "name": i18n::text(*other, "language-name"),
            "current": *other == language,
        })).collect::<Vec<_>>(),
        "title": i18n::text(language, "login-title"),
        "csrf": csrf,
        "email": email,
        "next": next,
        "problem": problem.map(|key| i18n::text(language, key)),
    });
    (jar, html::render(status, "pages/login.html", &values)).into_response()
}

/// `GET /login`.
pub async fn login_page(
    State(ctx): State<AppContext>,
    jar: CookieJar,
    headers: HeaderMap,
    Query(query): Query<NextQuery>,
) -> Response {
    let language = chosen_language(&headers).unwrap_or_default();
    let next = local_path(query.next.as_deref());
    form(
        &ctx,
        jar,
        language,
        StatusCode::OK,
        "",
        next.as_deref(),
        None,
    )
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: Option<String>,
}

/// `POST /login`: the API's sign-in (same throttle, same answers), then
/// the session cookie and the user's page.
pub async fn login(
    State(ctx): State<AppContext>,
    jar: CookieJar,
    headers: HeaderMap,
    origin: users::Origin,
    body: axum::body::Bytes,
) -> Response {
    let language = chosen_language(&headers).unwrap_or_default();
    let fields: LoginForm = match serde_urlencoded_form(&body) {
        Some(fields) => fields,
        None => {
            return form(
                &ctx,
                jar,
                language,
                StatusCode::BAD_REQUEST,
                "",
                None,
                Some("login-unreadable"),
            )
        }
    };
    let next = local_path(fields.next.as_deref());
    let refuse = |jar, status, problem| {
        form(
            &ctx,
            jar,
            language,
            status,
            &fields.email,
            next.as_deref(),
            Some(problem),
        )
    };
    if fields.email.trim().is_empty() || fields.password.is_empty() {
        return refuse(jar, StatusCode::UNPROCESSABLE_ENTITY, "login-missing");
    }
    let Ok(email) = Email::parse(&fields.email) else {
        return refuse(jar, StatusCode::UNAUTHORIZED, "login-wrong");
    };
    let user = match users::Model::sign_in(&ctx.db, &email, &fields.password, &origin).await {
        Ok(user) => user,
        Err(DomainError::Unauthenticated(_)) => {
            return refuse(jar, StatusCode::UNAUTHORIZED, "login-wrong")
        }
        Err(DomainError::RateLimited { .. }) => {
            return refuse(jar, StatusCode::TOO_MANY_REQUESTS, "login-throttled")
        }
        Err(err) => return super::error_page(language, &ApiError::from(err)),
    };
    // Customers have their own page, signed into by a link (not here).
    let Ok(role) = user.role() else {
        return refuse(jar, StatusCode::UNAUTHORIZED, "login-wrong");
    };
    if role == Role::Customer {
        return refuse(jar, StatusCode::FORBIDDEN, "login-staff-only");
    }
    let Ok(jwt) = ctx.config.get_jwt_config() else {
        return super::error_page(language, &ApiError::internal("no JWT settings"));
    };
    let token = match user.token(&jwt.secret, jwt.expiration) {
        Ok(token) => token,
        Err(err) => return super::error_page(language, &ApiError::from(err)),
    };
    let jar = jar
        .add(session::session_cookie(&ctx, token, jwt.expiration))
        .remove(axum_extra::extract::cookie::Cookie::build(VISIT_COOKIE).path("/"));
    let to = next.unwrap_or_else(|| home_of(role).to_string());
    (jar, Redirect::to(&to)).into_response()
}

/// `POST /logout`: the cookie goes; the token in it would still be valid
/// until it expires, so it leaves no copy behind.
pub async fn logout(State(ctx): State<AppContext>, jar: CookieJar) -> Response {
    (
        jar.add(session::ended_session(&ctx)),
        Redirect::to("/login"),
    )
        .into_response()
}

#[derive(Debug, Deserialize)]
pub struct LanguageForm {
    lang: String,
    #[serde(default)]
    back: Option<String>,
}

/// `POST /language`: the user's choice, remembered in this browser.
pub async fn language(
    State(ctx): State<AppContext>,
    jar: CookieJar,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let chosen: Option<LanguageForm> = serde_urlencoded_form(&body);
    let Some((language, back)) = chosen.and_then(|chosen| {
        Language::from_code(&chosen.lang).map(|language| (language, chosen.back))
    }) else {
        let language = chosen_language(&headers).unwrap_or_default();
        return super::error_page(
            language,
            &ApiError::Validation(crate::errors::FieldErrors::default()),
        );
    };
    let back = local_path(back.as_deref())
        .or_else(|| super::referer_path(&headers))
        .unwrap_or_else(|| "/".to_string());
    let jar = jar.add(session::language_cookie(&ctx, language.code()));
    (jar, Redirect::to(&back)).into_response()
}

/// A form body read into `T`; `None` when it cannot be.
pub fn serde_urlencoded_form<T: serde::de::DeserializeOwned>(body: &[u8]) -> Option<T> {
    let pairs: serde_json::Map<String, serde_json::Value> = form_urlencoded::parse(body)
        .map(|(name, value)| {
            (
                name.into_owned(),
                serde_json::Value::String(value.into_owned()),
            )
        })
        .collect();
    serde_json::from_value(serde_json::Value::Object(pairs)).ok()
}
