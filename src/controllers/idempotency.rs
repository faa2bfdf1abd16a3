//! `Idempotency-Key` on every POST (api.md, "Conventions"): the same key
//! from the same user within 24 hours gets the first answer back, status and
//! body, and changes nothing a second time; the same key with another
//! request is 422. A technician's phone resends what it did offline with the
//! key it gave each change, so a change that reached the server before the
//! connection dropped is not applied twice.
//!
//! The race between two copies of one request is decided by the database:
//! the first to insert the key's row runs, and a copy arriving while it runs
//! is told so (409) rather than run beside it. A key whose request ended in
//! a server error (the database too busy, a failure) is forgotten, since
//! nothing was changed, and the same key may be sent again.

use axum::{
    body::{to_bytes, Body, Bytes},
    extract::{Request, State},
    http::{header, HeaderMap, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use chrono::{DateTime, TimeDelta, Utc};
use loco_rs::app::AppContext;
use sea_orm::{ConnectionTrait, DbErr, Statement, Value};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{
    controllers::extract::caller_pid,
    errors::{ApiError, FieldErrors},
    settings::Settings,
};

/// The request header.
pub const HEADER: &str = "idempotency-key";
/// Marks an answer given again from a key's first request.
pub const REPLAYED: &str = "idempotent-replayed";
/// How long a key is remembered.
pub const KEPT_FOR: TimeDelta = TimeDelta::hours(24);
/// The longest key accepted.
pub const MAX_KEY_CHARS: usize = 255;
/// How long a request may run before its key counts as abandoned: far past
/// any request's own time limit.
pub const RUNNING_AT_MOST: TimeDelta = TimeDelta::minutes(5);

/// What a key's row says about a request that arrives with it.
enum Seen {
    /// The first time: this request runs, and its answer is kept.
    First,
    /// The same request again, answered before.
    Answered {
        status: StatusCode,
        content_type: Option<String>,
        body: Vec<u8>,
    },
    /// The same request again, while the first is still running.
    Running,
    /// The same request again, after the first stopped without an answer
    /// (its process was stopped): what it was to change may or may not be
    /// done.
    Abandoned,
    /// Another request under the same key.
    Different,
}

/// The middleware: POSTs under `/api` that carry the header from a signed-in
/// caller; everything else passes untouched.
pub async fn layer(State(ctx): State<AppContext>, request: Request, next: Next) -> Response {
    if request.method() != Method::POST || !request.uri().path().starts_with("/api/") {
        return next.run(request).await;
    }
    let Some(raw) = request.headers().get(HEADER) else {
        return next.run(request).await;
    };
    let key = match key_of(raw) {
        Ok(key) => key,
        Err(err) => return err.into_response(),
    };
    // Keys are per user; a request without a valid token is answered by its
    // handler (401), and nothing is kept for it.
    let Some(user) = caller_pid(&ctx, request.headers()) else {
        return next.run(request).await;
    };
    let (parts, body) = request.into_parts();
    let limit = body_limit(&ctx);
    let Ok(bytes) = to_bytes(body, limit).await else {
        return ApiError::PayloadTooLarge(format!("the body is over {limit} bytes"))
            .into_response();
    };
    let fingerprint = fingerprint(
        &parts.method,
        parts.uri.path_and_query(),
        &parts.headers,
        &bytes,
    );
    let now = Settings::clock_of(&ctx).now();
    let seen = match remember(&ctx.db, user, &key, &fingerprint, now).await {
        Ok(seen) => seen,
        Err(err) => {
            return ApiError::from(crate::models::error::DomainError::from(err)).into_response()
        }
    };
    match seen {
        Seen::First => {}
        Seen::Answered {
            status,
            content_type,
            body,
        } => return replay(status, content_type.as_deref(), body),
        Seen::Running => {
            return ApiError::Conflict {
                message: "a request with this Idempotency-Key has not finished; \
                          ask again in a moment"
                    .to_string(),
                fields: FieldErrors::default(),
            }
            .into_response()
        }
        Seen::Abandoned => {
            return ApiError::Conflict {
                message: "the first request with this key stopped without an answer; \
                          look at whether its change was made, then send it again with a new key"
                    .to_string(),
                fields: FieldErrors::default(),
            }
            .into_response()
        }
        Seen::Different => {
            let mut fields = FieldErrors::default();
            fields.add(
                "Idempotency-Key",
                "was used for a different request; send a new key",
            );
            return ApiError::Validation(fields).into_response();
        }
    }
    // The request and the keeping of its answer run in a task of their own:
    // a client that hangs up (a phone losing its signal) drops this future,
    // not the work, so the key is never left running for a change that was
    // made. A handler that panics lets the key go.
    let request = Request::from_parts(parts, Body::from(bytes));
    let task = {
        let ctx = ctx.clone();
        let key = key.clone();
        tokio::spawn(async move {
            let response = next.run(request).await;
            keep(&ctx, user, &key, response).await
        })
    };
    match task.await {
        Ok(response) => response,
        Err(err) => {
            forget(&ctx.db, user, &key).await;
            ApiError::internal(format!("the request stopped: {err}")).into_response()
        }
    }
}

/// Lets a key go: its request changed nothing, and may be sent again.
async fn forget(db: &impl ConnectionTrait, user: Uuid, key: &str) {
    let forgotten = db
        .execute_raw(statement(
            db,
            "DELETE FROM idempotency_keys WHERE user_pid = $1 AND request_key = $2",
            vec![user.into(), key.into()],
        ))
        .await;
    if let Err(err) = forgotten {
        tracing::error!(error = %err, "an idempotency key could not be let go");
    }
}

/// Answers that say nothing about the change, only about when to ask: the
/// key is let go so that the same request may be sent again (a session
/// that ended, a limit, a server too busy or failing).
fn not_kept(status: StatusCode) -> bool {
    status.is_server_error()
        || matches!(
            status,
            StatusCode::UNAUTHORIZED | StatusCode::REQUEST_TIMEOUT | StatusCode::TOO_MANY_REQUESTS
        )
}

/// The key, or why it cannot be one.
fn key_of(raw: &HeaderValue) -> Result<String, ApiError> {
    let bad = || {
        ApiError::BadRequest(format!(
            "Idempotency-Key must be 1 to {MAX_KEY_CHARS} printable ASCII characters"
        ))
    };
    let key = raw.to_str().map_err(|_| bad())?.trim();
    if key.is_empty() || key.len() > MAX_KEY_CHARS || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(bad());
    }
    Ok(key.to_string())
}

/// The largest body any route takes (an upload), and a little over.
fn body_limit(ctx: &AppContext) -> usize {
    usize::try_from(Settings::of(ctx).uploads.max_bytes)
        .unwrap_or(usize::MAX)
        .saturating_add(64 * 1024)
}

/// What makes two requests the same: method, path with query, content type
/// and body.
fn fingerprint(
    method: &Method,
    path: Option<&axum::http::uri::PathAndQuery>,
    headers: &HeaderMap,
    body: &Bytes,
) -> String {
    let mut hash = Sha256::new();
    hash.update(method.as_str());
    hash.update([0]);
    hash.update(path.map_or("", |path| path.as_str()));
    hash.update([0]);
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("");
    // A multipart body's boundary is chosen afresh by each sender; the
    // parts are what count.
    hash.update(content_type.split(';').next().unwrap_or("").trim());
    hash.update([0]);
    hash.update(without_boundary(content_type, body));
    hash.finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// A multipart body with its boundary taken out, so the same parts resent
/// under a new boundary are the same request.
fn without_boundary(content_type: &str, body: &Bytes) -> Vec<u8> {
    let boundary = content_type
        .split(';')
        .filter_map(|param| param.trim().strip_prefix("boundary="))
        .map(|value| value.trim_matches('"'))
        .find(|value| !value.is_empty());
    let Some(boundary) = boundary else {
        return body.to_vec();
    };
    // The delimiter lines only (`--boundary`), not every occurrence of a
    // boundary a client may have made short.
    let needle = format!("--{boundary}");
    let needle = needle.as_bytes();
    let mut out = Vec::with_capacity(body.len());
    let mut rest: &[u8] = body;
    while let Some(at) = rest
        .windows(needle.len())
        .position(|window| window == needle)
    {
        out.extend_from_slice(&rest[..at]);
        rest = &rest[at + needle.len()..];
    }
    out.extend_from_slice(rest);
    out
}

fn statement(db: &impl ConnectionTrait, sql: &str, values: Vec<Value>) -> Statement {
    Statement::from_sql_and_values(db.get_database_backend(), sql, values)
}

/// Takes the key for this request, or says what it was taken for. The
/// insert decides: of two copies racing, one inserts and the other finds
/// its row.
async fn remember(
    db: &impl ConnectionTrait,
    user: Uuid,
    key: &str,
    fingerprint: &str,
    now: DateTime<Utc>,
) -> Result<Seen, DbErr> {
    // An expired key is forgotten before it is looked for, with the user's
    // other expired keys.
    db.execute_raw(statement(
        db,
        "DELETE FROM idempotency_keys WHERE user_pid = $1 AND expires_at <= $2",
        vec![user.into(), now.fixed_offset().into()],
    ))
    .await?;
    let inserted = db
        .execute_raw(statement(
            db,
            "INSERT INTO idempotency_keys (user_pid, request_key, fingerprint, state, created_at, expires_at) \
             VALUES ($1, $2, $3, 'running', $4, $5) ON CONFLICT (user_pid, request_key) DO NOTHING",
            vec![
                user.into(),
                key.into(),
                fingerprint.into(),
                now.fixed_offset().into(),
                (now + KEPT_FOR).fixed_offset().into(),
            ],
        ))
        .await?
        .rows_affected();
    if inserted == 1 {
        return Ok(Seen::First);
    }
    let row = db
        .query_one_raw(statement(
            db,
            "SELECT fingerprint, state, status, content_type, body, created_at FROM idempotency_keys \
             WHERE user_pid = $1 AND request_key = $2",
            vec![user.into(), key.into()],
        ))
        .await?;
    // Gone between the insert and the read: its first request failed and
    // let it go. This one is not run on that account; the client sends again.
    let Some(row) = row else {
        return Ok(Seen::Running);
    };
    let stored: String = row.try_get("", "fingerprint")?;
    if stored != fingerprint {
        return Ok(Seen::Different);
    }
    let state: String = row.try_get("", "state")?;
    if state != "done" {
        let started: DateTime<chrono::FixedOffset> = row.try_get("", "created_at")?;
        if started.with_timezone(&Utc) + RUNNING_AT_MOST < now {
            return Ok(Seen::Abandoned);
        }
        return Ok(Seen::Running);
    }
    let status: Option<i16> = row.try_get("", "status")?;
    let status = status
        .and_then(|status| u16::try_from(status).ok())
        .and_then(|status| StatusCode::from_u16(status).ok())
        .unwrap_or(StatusCode::OK);
    Ok(Seen::Answered {
        status,
        content_type: row.try_get("", "content_type")?,
        body: row
            .try_get::<Option<Vec<u8>>>("", "body")?
            .unwrap_or_default(),
    })
}

/// Keeps the first answer under its key, or lets the key go when the
/// request failed on the server's side (nothing was changed, so sending it
/// again must be able to change it).
async fn keep(ctx: &AppContext, user: Uuid, key: &str, response: Response) -> Response {
    let db = &ctx.db;
    if not_kept(response.status()) {
        forget(db, user, key).await;
        return response;
    }
    let (parts, body) = response.into_parts();
    let body = match to_bytes(body, usize::MAX).await {
        Ok(body) => body,
        Err(err) => {
            tracing::error!(error = %err, "an answer could not be read to keep it");
            return ApiError::internal(err).into_response();
        }
    };
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .map(str::to_string);
    let mut kept = Ok(());
    // A busy database is asked again: the answer must be kept, or every
    // resend would be told the request has not finished.
    for attempt in 0..5_u64 {
        kept = db
            .execute_raw(statement(
                db,
                "UPDATE idempotency_keys SET state = 'done', status = $1, content_type = $2, body = $3 \
                 WHERE user_pid = $4 AND request_key = $5",
                vec![
                    i16::try_from(parts.status.as_u16()).unwrap_or(i16::MAX).into(),
                    content_type.clone().into(),
                    body.to_vec().into(),
                    user.into(),
                    key.into(),
                ],
            ))
            .await
            .map(|_| ());
        match &kept {
            Err(err) if crate::errors::is_contention(err) => {
                tokio::time::sleep(std::time::Duration::from_millis(50 * (attempt + 1))).await;
            }
            _ => break,
        }
    }
    if let Err(err) = kept {
        // The change is made; only its answer is not kept. A resend will be
        // told the first request did not finish, never run twice.
        tracing::error!(error = %err, "an idempotent request's answer could not be kept");
    }
    Response::from_parts(parts, Body::from(body))
}

/// The first answer, given again.
fn replay(status: StatusCode, content_type: Option<&str>, body: Vec<u8>) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    if let Some(value) = content_type.and_then(|value| HeaderValue::from_str(value).ok()) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    headers.insert(REPLAYED, HeaderValue::from_static("true"));
    // The body is the contract's own, error or not.
    response
        .extensions_mut()
        .insert(crate::errors::ContractBody);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_multipart_body_is_the_same_under_another_boundary() {
        let one = Bytes::from_static(b"--aaa\r\nphoto\r\n--aaa--\r\n");
        let two = Bytes::from_static(b"--bbbbbb\r\nphoto\r\n--bbbbbb--\r\n");
        // A short boundary does not make different parts alike.
        let short = Bytes::from_static(b"--a\r\nbanana\r\n--a--\r\n");
        let shorter = Bytes::from_static(b"--a\r\nbnn\r\n--a--\r\n");
        assert_ne!(
            without_boundary("multipart/form-data; boundary=a", &short),
            without_boundary("multipart/form-data; boundary=a", &shorter)
        );
        assert_eq!(
            without_boundary("multipart/form-data; boundary=aaa", &one),
            without_boundary("multipart/form-data; boundary=\"bbbbbb\"", &two)
        );
        let other = Bytes::from_static(b"--aaa\r\nvoice\r\n--aaa--\r\n");
        assert_ne!(
            without_boundary("multipart/form-data; boundary=aaa", &one),
            without_boundary("multipart/form-data; boundary=aaa", &other)
        );
    }

    #[test]
    fn keys_are_printable_and_not_too_long() {
        assert!(key_of(&HeaderValue::from_static("7f3c-offline-12")).is_ok());
        assert!(key_of(&HeaderValue::from_static("")).is_err());
        assert!(key_of(&HeaderValue::from_static("two words")).is_err());
        let long = "k".repeat(MAX_KEY_CHARS + 1);
        assert!(key_of(&HeaderValue::from_str(&long).unwrap()).is_err());
        let longest = "k".repeat(MAX_KEY_CHARS);
        assert!(key_of(&HeaderValue::from_str(&longest).unwrap()).is_ok());
    }
}
