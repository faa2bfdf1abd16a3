//! The pages ask the API. A page's data and a form's change go through the
//! very route a client of the API calls, as the signed-in user: the same
//! parsing, the same rules, the same records of who did what, and the same
//! JSON, which the templates print. What the API refuses, the page shows
//! next to the field it names.

use axum::{
    body::{to_bytes, Body, Bytes},
    http::{header, HeaderValue, Method, Request, StatusCode},
    Router as AxumRouter,
};
use loco_rs::app::AppContext;
use serde_json::Value;
use tower::ServiceExt;

use super::Viewer;
use crate::errors::{ApiError, FieldErrors};

/// The API's routes, kept for the pages (`App::after_routes`).
#[derive(Clone)]
pub struct ApiRouter(pub AxumRouter);

/// Keeps the API's routes where the pages find them.
pub fn install(ctx: &AppContext, router: &AxumRouter) {
    ctx.shared_store.insert(ApiRouter(router.clone()));
}

/// What the API answered.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub body: Value,
}

impl Answer {
    /// The answer's body when it is a success; otherwise the error it
    /// stands for, with its message and fields.
    ///
    /// # Errors
    /// The API's refusal.
    pub fn ok(self) -> Result<Value, ApiError> {
        if self.status.is_success() {
            return Ok(self.body);
        }
        let message = self.body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let mut fields = FieldErrors::default();
        if let Some(named) = self.body["error"]["fields"].as_object() {
            for (field, messages) in named {
                for message in messages.as_array().into_iter().flatten() {
                    fields.add(field.clone(), message.as_str().unwrap_or_default());
                }
            }
        }
        Err(match self.status {
            StatusCode::NOT_FOUND => ApiError::NotFound("page"),
            StatusCode::FORBIDDEN => ApiError::Forbidden,
            StatusCode::CONFLICT => ApiError::Conflict { message, fields },
            StatusCode::UNPROCESSABLE_ENTITY => ApiError::Validation(fields),
            StatusCode::BAD_REQUEST => ApiError::BadRequest(message),
            StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge(message),
            StatusCode::SERVICE_UNAVAILABLE => ApiError::Unavailable {
                retry_after_secs: 1,
            },
            StatusCode::UNAUTHORIZED => ApiError::Unauthorized(message),
            status => ApiError::Status(status),
        })
    }
}

/// Asks the API `method path` as `viewer`, with a JSON `body` or none.
pub async fn call(
    ctx: &AppContext,
    viewer: &Viewer,
    method: Method,
    path: &str,
    body: Option<&Value>,
) -> Answer {
    let (content_type, bytes) = match body {
        Some(body) => (
            Some(HeaderValue::from_static("application/json")),
            Bytes::from(serde_json::to_vec(body).unwrap_or_default()),
        ),
        None => (None, Bytes::new()),
    };
    send(ctx, viewer, method, path, content_type, bytes).await
}

/// The API's answer to a `GET` as it is (a file), for the page to pass on.
pub async fn raw(ctx: &AppContext, viewer: &Viewer, path: &str) -> axum::response::Response {
    match dispatch(ctx, viewer, Method::GET, path, None, Bytes::new()).await {
        Some(response) => response,
        None => axum::response::IntoResponse::into_response(StatusCode::INTERNAL_SERVER_ERROR),
    }
}

async fn dispatch(
    ctx: &AppContext,
    viewer: &Viewer,
    method: Method,
    path: &str,
    content_type: Option<HeaderValue>,
    body: Bytes,
) -> Option<axum::response::Response> {
    let Some(ApiRouter(router)) = ctx.shared_store.get::<ApiRouter>() else {
        tracing::error!("the API's routes are not installed");
        return None;
    };
    let mut request = Request::builder().method(method).uri(path);
    if let Ok(bearer) = HeaderValue::from_str(&format!("Bearer {}", viewer.token)) {
        request = request.header(header::AUTHORIZATION, bearer);
    }
    if let Some(content_type) = content_type {
        request = request.header(header::CONTENT_TYPE, content_type);
    }
    let Ok(mut request) = request.body(Body::from(body)) else {
        tracing::error!("a page's request to the API could not be made");
        return None;
    };
    // The viewer was found (token, session version, sites) for the page;
    // the API takes them from here rather than reading them again.
    request
        .extensions_mut()
        .insert(crate::controllers::extract::PageCaller(
            viewer.actor.clone(),
        ));
    match router.oneshot(request).await {
        Ok(response) => Some(response),
        Err(never) => match never {},
    }
}

/// Asks the API with a body as it came (an upload's multipart form).
pub async fn send(
    ctx: &AppContext,
    viewer: &Viewer,
    method: Method,
    path: &str,
    content_type: Option<HeaderValue>,
    body: Bytes,
) -> Answer {
    let Some(response) = dispatch(ctx, viewer, method, path, content_type, body).await else {
        return failed("the API could not be asked");
    };
    let status = response.status();
    let bytes = to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap_or_default();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Answer { status, body }
}

fn failed(why: &str) -> Answer {
    tracing::error!(why, "a page could not ask the API");
    Answer {
        status: StatusCode::INTERNAL_SERVER_ERROR,
        body: Value::Null,
    }
}
