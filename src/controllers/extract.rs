//! Request extractors that answer in the contract's error shape
//! (README, "Errors") instead of axum's or Loco's plain-text rejections.

use axum::{
    body::Bytes,
    extract::{FromRequest, FromRequestParts, Query, RawPathParams, Request},
    http::{header, request::Parts, HeaderMap, StatusCode},
};
use loco_rs::{app::AppContext, auth::jwt::JWT, controller::middleware::remote_ip::RemoteIP};
use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::{
    controllers::session::scripted_session,
    errors::{ApiError, ApiResult, FieldErrors},
    models::{
        actor::Actor,
        people::users::{Origin, SESSION_CLAIM},
        values::Id,
    },
    settings::Settings,
};

/// A JSON body. Bodies that are not JSON, or hold the wrong JSON types, are
/// 400; unknown, missing or out-of-range fields are 422 naming the field.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(req.headers()) {
            return Err(ApiError::BadRequest(
                "expected a JSON body with Content-Type: application/json".to_string(),
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge("the request body is too large".to_string())
            } else {
                ApiError::BadRequest("the request body could not be read".to_string())
            }
        })?;
        parse_json(&bytes).map(JsonBody)
    }
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .map(|mime| mime.trim().to_ascii_lowercase())
        .is_some_and(|mime| mime == "application/json" || mime.ends_with("+json"))
}

/// Reads `bytes` as `T`, sorting serde's complaints into the contract's
/// statuses.
///
/// # Errors
/// 400 for malformed JSON or a wrong JSON type; 422 for an unknown, missing
/// or unacceptable field.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> ApiResult<T> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let Strict(mut value) = serde_path_to_error::deserialize(&mut deserializer).map_err(|err| {
        let path = err.path().to_string();
        rejection(&path, err.inner())
    })?;
    deserializer
        .end()
        .map_err(|_| ApiError::BadRequest("the body holds more than one JSON value".to_string()))?;
    // serde fills a struct from an array too (`[null, null]` for two
    // optional fields); every body in the contract is an object.
    if !value.is_object() {
        return Err(ApiError::BadRequest(
            "the body must be a JSON object".to_string(),
        ));
    }
    let mut fields = FieldErrors::default();
    normalize(&mut value, "", &mut fields);
    fields.finish()?;
    serde_path_to_error::deserialize(value).map_err(|err| {
        let path = err.path().to_string();
        rejection(&path, err.inner())
    })
}

/// A JSON value, read as `serde_json::Value` reads one except that an
/// object holding a key twice is refused: which of the two was meant is not
/// the server's to guess (and a checked first one must not hide a second).
struct Strict(serde_json::Value);

impl<'de> serde::Deserialize<'de> for Strict {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> serde::de::Visitor<'de> for StrictVisitor {
    type Value = serde_json::Value;

    fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
        formatter.write_str("a JSON value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Self::Value, E> {
        Ok(value.into())
    }

    fn visit_i64<E>(self, value: i64) -> Result<Self::Value, E> {
        Ok(value.into())
    }

    fn visit_u64<E>(self, value: u64) -> Result<Self::Value, E> {
        Ok(value.into())
    }

    fn visit_f64<E>(self, value: f64) -> Result<Self::Value, E> {
        Ok(serde_json::Number::from_f64(value).map_or(serde_json::Value::Null, Into::into))
    }

    fn visit_str<E>(self, value: &str) -> Result<Self::Value, E> {
        Ok(value.into())
    }

    fn visit_string<E>(self, value: String) -> Result<Self::Value, E> {
        Ok(value.into())
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Null)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(
        self,
        mut items: A,
    ) -> Result<Self::Value, A::Error> {
        let mut values = Vec::new();
        while let Some(Strict(value)) = items.next_element()? {
            values.push(value);
        }
        Ok(values.into())
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(
        self,
        mut entries: A,
    ) -> Result<Self::Value, A::Error> {
        let mut object = serde_json::Map::new();
        while let Some(key) = entries.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(serde::de::Error::custom(format!("duplicate field `{key}`")));
            }
            let Strict(value) = entries.next_value()?;
            object.insert(key, value);
        }
        Ok(object.into())
    }
}

/// What is wrong with a text a request carries, whatever carried it (a
/// JSON string or key, a query parameter, a form field): NUL, which
/// PostgreSQL cannot store in text, or another control character, which no
/// field has a use for. Tabs and line breaks are text.
#[must_use]
pub fn text_problem(text: &str) -> Option<&'static str> {
    if text.contains('\0') {
        Some("must not contain NUL characters")
    } else if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        Some("must not contain control characters")
    } else {
        None
    }
}

/// A field's name as a message may show it: without its control characters.
fn printable(name: &str) -> String {
    name.chars().filter(|c| !c.is_control()).collect()
}

/// Prepares a parsed body for its request type, the same way for every
/// request:
/// - a NUL or other control character in any text or key is refused,
///   naming the field (`text_problem`);
/// - a whole number written as a float (`152.0`, `1e3`) is the integer JSON
///   Schema says it is, so it reads into integer fields.
fn normalize(value: &mut serde_json::Value, path: &str, fields: &mut FieldErrors) {
    use serde_json::Value;

    match value {
        Value::String(text) => {
            if let Some(problem) = text_problem(text) {
                fields.add(field_path(path), problem);
            }
        }
        Value::Number(number) if number.is_f64() => {
            if let Some(whole) = number.as_f64().and_then(whole_number) {
                *value = Value::from(whole);
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter_mut().enumerate() {
                normalize(item, &format!("{path}[{index}]"), fields);
            }
        }
        Value::Object(members) => {
            for (key, member) in members.iter_mut() {
                let member_path = join(path, &printable(key));
                match text_problem(key) {
                    Some(problem) => fields.add(member_path, problem),
                    None => normalize(member, &member_path, fields),
                }
            }
        }
        _ => {}
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() || path == "." {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn field_path(path: &str) -> String {
    if path.is_empty() {
        "body".to_string()
    } else {
        path.to_string()
    }
}

/// `x` as an integer when it is one exactly: whole, and within ±2^53, past
/// which a float no longer holds every whole number (`9007199254740993.0`
/// reads as …992).
fn whole_number(x: f64) -> Option<i64> {
    const EXACT: f64 = 9_007_199_254_740_992.0;
    // Within ±2^53 the cast is exact.
    (x.fract() == 0.0 && (-EXACT..=EXACT).contains(&x)).then_some(x as i64)
}

fn rejection(path: &str, err: &serde_json::Error) -> ApiError {
    use serde_json::error::Category;

    if !matches!(err.classify(), Category::Data) {
        return ApiError::BadRequest(format!("the body is not valid JSON: {err}"));
    }
    // serde's messages end with " at line L column C"; the field is named
    // by the path instead.
    let message = err.to_string();
    let message = message
        .rsplit_once(" at line ")
        .map_or(message.as_str(), |(head, _)| head);
    let at_root = path.is_empty() || path == ".";
    let mut fields = FieldErrors::default();
    if let Some(name) = backticked(message, "duplicate field `") {
        fields.add(join(path, name), "is given twice");
    } else if message.starts_with("unknown field `") {
        // The path already ends with the unknown field's name.
        fields.add(path, "is not allowed");
    } else if let Some(name) = backticked(message, "missing field `") {
        fields.add(
            if at_root {
                name.to_string()
            } else {
                format!("{path}.{name}")
            },
            "is required",
        );
    } else if at_root {
        return ApiError::BadRequest("the body must be a JSON object".to_string());
    } else if message.starts_with("invalid type") {
        return ApiError::BadRequest(format!("wrong JSON type for {path}: {message}"));
    } else if let Some(rest) = message.strip_prefix("unknown variant `") {
        // serde says "expected one of `a`, `b`" or, for two, "expected
        // `a` or `b`".
        let expected = rest.split_once("expected ").map_or("", |(_, list)| list);
        let expected = expected.strip_prefix("one of ").unwrap_or(expected);
        fields.add(
            path,
            format!("must be one of {}", expected.replace('`', "")),
        );
    } else if message.starts_with("UUID parsing failed") {
        fields.add(path, "is not a valid id");
    } else {
        fields.add(path, message);
    }
    ApiError::Validation(fields)
}

fn backticked<'a>(message: &'a str, prefix: &str) -> Option<&'a str> {
    message
        .strip_prefix(prefix)
        .and_then(|rest| rest.split_once('`'))
        .map(|(name, _)| name)
}

/// A form's fields (`application/x-www-form-urlencoded`), in order, held
/// to the same rule as JSON bodies and query strings: a NUL or other control
/// character in a name or a value is refused, naming the field, for the page
/// to answer with its 422 and the form again.
///
/// # Errors
/// Every field with such a character.
pub fn form_fields(body: &[u8]) -> Result<Vec<(String, String)>, FieldErrors> {
    let mut fields = FieldErrors::default();
    let pairs: Vec<(String, String)> = form_urlencoded::parse(body)
        .map(|(key, value)| {
            if let Some(problem) = text_problem(&key).or_else(|| text_problem(&value)) {
                fields.add(printable(&key), problem);
            }
            (key.into_owned(), value.into_owned())
        })
        .collect();
    if fields.is_empty() {
        Ok(pairs)
    } else {
        Err(fields)
    }
}

/// For PATCH fields that can be cleared: `Some(None)` for an explicit
/// `null`, `None` (with `#[serde(default)]`) when the field is absent.
///
/// # Errors
/// When the value is neither `null` nor a `T`.
pub fn nullable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    serde::Deserialize::deserialize(deserializer).map(Some)
}

/// Path ids. Ids are opaque: one that is not even well-formed (braced, a
/// URN, bare hex) names nothing, so it is a 404 like any other unknown id.
#[derive(Debug)]
pub struct Ids<T>(pub T);

/// What a path's parameters read as: one id, two, or a text key.
pub trait PathIds: Sized {
    fn from_segments(segments: &[&str]) -> Option<Self>;
}

impl PathIds for Uuid {
    fn from_segments(segments: &[&str]) -> Option<Self> {
        match segments {
            [id] => Id::parse(id).ok().map(Uuid::from),
            _ => None,
        }
    }
}

impl PathIds for (Uuid, Uuid) {
    fn from_segments(segments: &[&str]) -> Option<Self> {
        match segments {
            [first, second] => Some((
                Id::parse(first).ok()?.into(),
                Id::parse(second).ok()?.into(),
            )),
            _ => None,
        }
    }
}

impl PathIds for String {
    fn from_segments(segments: &[&str]) -> Option<Self> {
        match segments {
            [key] => Some((*key).to_string()),
            _ => None,
        }
    }
}

impl<S, T> FromRequestParts<S> for Ids<T>
where
    S: Send + Sync,
    T: PathIds + Send,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::NotFound("resource"))?;
        let segments: Vec<&str> = params.iter().map(|(_, value)| value).collect();
        T::from_segments(&segments)
            .map(Self)
            .ok_or(ApiError::NotFound("resource"))
    }
}

/// Query-string parameters; unreadable ones are 400, and a NUL or other
/// control character in any of them is 422 naming the parameter (as in
/// bodies).
#[derive(Debug)]
pub struct QueryParams<T>(pub T);

impl<S, T> FromRequestParts<S> for QueryParams<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if let Some(query) = parts.uri.query() {
            let mut fields = FieldErrors::default();
            for (key, value) in form_urlencoded::parse(query.as_bytes()) {
                if let Some(problem) = text_problem(&key).or_else(|| text_problem(&value)) {
                    fields.add(printable(&key), problem);
                }
            }
            fields.finish()?;
        }
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(params)| Self(params))
            .map_err(|rejection| {
                ApiError::BadRequest(format!("bad query string: {}", rejection.body_text()))
            })
    }
}

/// The signed-in user of a page that asks the API in process, carried on
/// the request the page makes (an extension, which no client can send).
#[derive(Clone, Debug)]
pub struct PageCaller(pub Actor);

/// The caller, from `Authorization: Bearer <jwt>`, or from a page's
/// script: the session cookie with its CSRF header.
impl FromRequestParts<AppContext> for Actor {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        ctx: &AppContext,
    ) -> Result<Self, Self::Rejection> {
        // A page asking the API in process has found its viewer already
        // (`web::api`); only this program can put one on a request.
        if let Some(PageCaller(actor)) = parts.extensions.get::<PageCaller>() {
            return Ok(actor.clone());
        }
        // A page's script signs in with the browser's session and its CSRF
        // token instead (`controllers::session`).
        let token = match bearer_token(&parts.headers) {
            Ok(token) => token,
            Err(missing) => scripted_session(ctx, &parts.headers).ok_or(missing)?,
        };
        let (pid, session_version) = claims_of(ctx, token)?;
        let actor = Self::load(&ctx.db, pid, Settings::clock_of(ctx)).await?;
        if i64::from(actor.user.session_version) != session_version {
            return Err(ApiError::Unauthorized(
                "the session has ended (the password was changed); sign in again".to_string(),
            ));
        }
        Ok(actor)
    }
}

/// The user a token names and the session version it carries, once its
/// signature and expiry are checked.
///
/// # Errors
/// 401 for a token that is forged, expired or unreadable.
pub fn claims_of(ctx: &AppContext, token: &str) -> ApiResult<(Uuid, i64)> {
    let config = ctx.config.get_jwt_config().map_err(ApiError::internal)?;
    let claims = JWT::new(&config.secret).validate(token).map_err(|err| {
        use jsonwebtoken::errors::ErrorKind;
        ApiError::Unauthorized(match err.kind() {
            ErrorKind::ExpiredSignature => "the token has expired".to_string(),
            _ => "the token is not valid".to_string(),
        })
    })?;
    let pid = Uuid::parse_str(&claims.claims.pid)
        .map_err(|_| ApiError::Unauthorized("the token is not valid".to_string()))?;
    // Tokens from before session versions existed carry none: version 0.
    let session_version = match claims.claims.claims.get(SESSION_CLAIM) {
        None => 0,
        Some(version) => version
            .as_i64()
            .ok_or_else(|| ApiError::Unauthorized("the token is not valid".to_string()))?,
    };
    Ok((pid, session_version))
}

/// The user a request's valid token names, without asking the database
/// whether their session still holds (the handler asks that).
#[must_use]
pub fn caller_pid(ctx: &AppContext, headers: &HeaderMap) -> Option<Uuid> {
    let token = bearer_token(headers)
        .ok()
        .or_else(|| scripted_session(ctx, headers))?;
    claims_of(ctx, token).ok().map(|(pid, _)| pid)
}

fn bearer_token(headers: &HeaderMap) -> ApiResult<&str> {
    let value = headers
        .get(header::AUTHORIZATION)
        .ok_or_else(|| ApiError::Unauthorized("missing Authorization: Bearer token".to_string()))?;
    value
        .to_str()
        .ok()
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|token| !token.is_empty())
        .ok_or_else(|| ApiError::Unauthorized("expected Authorization: Bearer <token>".to_string()))
}

/// Where a sign-in or sign-up comes from, with the limits that apply.
impl FromRequestParts<AppContext> for Origin {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        ctx: &AppContext,
    ) -> Result<Self, Self::Rejection> {
        let ip = match RemoteIP::from_request_parts(parts, ctx).await {
            Ok(RemoteIP::Forwarded(ip) | RemoteIP::Socket(ip)) => ip.to_string(),
            Ok(RemoteIP::None) | Err(_) => "unknown".to_string(),
        };
        Ok(Self {
            ip,
            throttle: Settings::of(ctx).throttle,
            clock: Settings::clock_of(ctx),
        })
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        id: Uuid,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        name: String,
        items: Vec<Inner>,
    }

    fn explain(body: &str) -> String {
        match parse_json::<Outer>(body.as_bytes()) {
            Ok(_) => "ok".to_string(),
            Err(ApiError::Validation(fields)) => {
                format!(
                    "422 {}",
                    serde_json::to_string(&fields).unwrap().replace(':', ": ")
                )
            }
            Err(ApiError::BadRequest(message)) => format!("400 {message}"),
            Err(other) => format!("{other:?}"),
        }
    }

    #[test]
    fn serde_complaints_map_to_the_contract() {
        let cases = [
            (
                r#"{"name": "x", "items": [], "extra": 1}"#,
                r#"422 {"extra": ["is not allowed"]}"#,
            ),
            (r#"{"name": "x"}"#, r#"422 {"items": ["is required"]}"#),
            (
                r#"{"name": "x", "items": [{"id": "nope"}]}"#,
                r#"422 {"items[0].id": ["is not a valid id"]}"#,
            ),
            (
                r#"{"name": "x", "items": [{"idd": "x"}]}"#,
                r#"422 {"items[0].idd": ["is not allowed"]}"#,
            ),
            (
                r#"{"name": "x", "items": [{}]}"#,
                r#"422 {"items[0].id": ["is required"]}"#,
            ),
            (
                r#"{"name": 1, "items": []}"#,
                "400 wrong JSON type for name: invalid type: integer `1`, expected a string",
            ),
            (
                r#"{"name": "x","#,
                "400 the body is not valid JSON: EOF while parsing a value at line 1 column 13",
            ),
            (
                r#"{"name": "x", "items": []} {}"#,
                "400 the body holds more than one JSON value",
            ),
            ("[]", "400 the body must be a JSON object"),
            ("12", "400 the body must be a JSON object"),
        ];
        for (body, expected) in cases {
            assert_eq!(explain(body), expected, "for {body}");
        }
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct AllOptional {
        name: Option<String>,
        note: Option<String>,
    }

    #[test]
    fn an_array_never_stands_for_an_object() {
        for body in ["[null, null]", r#"["x", "y"]"#, "[]", "null"] {
            assert!(
                matches!(
                    parse_json::<AllOptional>(body.as_bytes()),
                    Err(ApiError::BadRequest(message)) if message == "the body must be a JSON object"
                ),
                "for {body}"
            );
        }
        assert!(parse_json::<AllOptional>(b"{}").is_ok());
    }
}
