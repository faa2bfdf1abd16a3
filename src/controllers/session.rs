//! The browser's session: a cookie holding the same signed token the API
//! gives (the user's id and session version, so a password change or reset
//! ends it like any token), and the CSRF token bound to it.
//!
//! A page's forms and htmx requests carry the CSRF token (`_csrf` field,
//! `_csrf` query parameter for uploads, or the `X-CSRF-Token` header); the
//! pages' own scripts may call `/api` with the cookie too, but only with the
//! header, so no other site can make a signed-in browser change anything.

use axum::http::{header, HeaderMap};
use axum_extra::extract::cookie::{Cookie, SameSite};
use base64::Engine as _;
use cookie::time::Duration as CookieDuration;
use hmac::{Hmac, Mac};
use loco_rs::{app::AppContext, environment::Environment};
use sha2::Sha256;

/// The session's cookie: the token.
pub const SESSION_COOKIE: &str = "karakana_session";
/// A visitor's cookie before they sign in, which the sign-in form's CSRF
/// token is bound to.
pub const VISIT_COOKIE: &str = "karakana_visit";
/// A customer's session on their own page (`/portal`).
pub const PORTAL_COOKIE: &str = "karakana_portal";
/// The language the user chose.
pub const LANGUAGE_COOKIE: &str = "karakana_lang";
/// The header a page's scripts send the CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// The form field (and query parameter) forms send it in.
pub const CSRF_FIELD: &str = "_csrf";

/// The MAC of a session (or a visit) under the app's secret.
fn csrf_mac(ctx: &AppContext, binding: &str) -> Hmac<Sha256> {
    let secret = ctx
        .config
        .get_jwt_config()
        .map(|jwt| jwt.secret.clone())
        .unwrap_or_default();
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(b"csrf\0");
    mac.update(binding.as_bytes());
    mac
}

/// The CSRF token for a session (or a visit): an HMAC of it under the
/// app's secret, so it cannot be made without the secret nor used with
/// another session.
#[must_use]
pub fn csrf_token(ctx: &AppContext, binding: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(csrf_mac(ctx, binding).finalize().into_bytes())
}

/// Whether `offered` is the token for `binding` (the HMAC crate's own
/// constant-time check).
#[must_use]
pub fn csrf_matches(ctx: &AppContext, binding: &str, offered: &str) -> bool {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(offered)
        .is_ok_and(|tag| csrf_mac(ctx, binding).verify_slice(&tag).is_ok())
}

/// A cookie's value from the request's `Cookie` headers.
#[must_use]
pub fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
        .filter(|value| !value.is_empty())
}

/// The session token a browser's request carries, when it also carries the
/// session's CSRF token in the header: how the pages' scripts call `/api`.
#[must_use]
pub fn scripted_session<'h>(ctx: &AppContext, headers: &'h HeaderMap) -> Option<&'h str> {
    let token = cookie(headers, SESSION_COOKIE)?;
    let offered = headers.get(CSRF_HEADER)?.to_str().ok()?;
    csrf_matches(ctx, token, offered).then_some(token)
}

fn secure(ctx: &AppContext) -> bool {
    ctx.environment == Environment::Production
}

/// The session cookie for a token that lives `seconds`.
#[must_use]
pub fn session_cookie(ctx: &AppContext, token: String, seconds: u64) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, token))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure(ctx))
        .max_age(CookieDuration::seconds(
            i64::try_from(seconds).unwrap_or(i64::MAX),
        ))
        .build()
}

/// The cookie that ends the session in this browser.
#[must_use]
pub fn ended_session(ctx: &AppContext) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, ""))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure(ctx))
        .max_age(CookieDuration::ZERO)
        .build()
}

/// A new visitor's cookie (for the sign-in form's CSRF token).
#[must_use]
pub fn visit_cookie(ctx: &AppContext) -> Cookie<'static> {
    Cookie::build((VISIT_COOKIE, uuid::Uuid::new_v4().simple().to_string()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure(ctx))
        .build()
}

/// A visitor's CSRF token (for the forms before signing in), bound to
/// their visit's cookie, which is made now when they have none.
pub fn visit(
    ctx: &AppContext,
    jar: axum_extra::extract::cookie::CookieJar,
) -> (axum_extra::extract::cookie::CookieJar, String) {
    match jar.get(VISIT_COOKIE).map(|c| c.value().to_string()) {
        Some(visit) if !visit.is_empty() => {
            let csrf = csrf_token(ctx, &visit);
            (jar, csrf)
        }
        _ => {
            let cookie = visit_cookie(ctx);
            let csrf = csrf_token(ctx, cookie.value());
            (jar.add(cookie), csrf)
        }
    }
}

/// A customer's session on their own page: a signed token naming the link
/// they signed in with, for as long as the session lasts.
#[must_use]
pub fn portal_cookie(ctx: &AppContext, token: String, seconds: i64) -> Cookie<'static> {
    Cookie::build((PORTAL_COOKIE, token))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure(ctx))
        .max_age(CookieDuration::seconds(seconds))
        .build()
}

/// The cookie that ends a customer's session in this browser.
#[must_use]
pub fn ended_portal(ctx: &AppContext) -> Cookie<'static> {
    portal_cookie(ctx, String::new(), 0)
}

/// The user's language choice, kept for a year.
#[must_use]
pub fn language_cookie(ctx: &AppContext, code: &'static str) -> Cookie<'static> {
    Cookie::build((LANGUAGE_COOKIE, code))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure(ctx))
        .max_age(CookieDuration::days(365))
        .build()
}
