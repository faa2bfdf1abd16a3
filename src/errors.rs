//! The one error type of the HTTP API and its mapping to the contract
//! (README, "Errors"): every failure leaves as
//! `{"error": {"code", "message", "fields"?}}` with the status listed there.

use axum::{
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use loco_rs::model::ModelError;
use sea_orm::DbErr;
use serde::Serialize;
use utoipa::ToSchema;

use crate::models::error::DomainError;
pub use crate::models::error::{is_contention, FieldErrors, OnUnique};

pub type ApiResult<T> = Result<T, ApiError>;

/// Why a request failed. Each variant is one row of the contract's table.
#[derive(Debug)]
pub enum ApiError {
    /// 400: the body is not JSON, has the wrong content type or wrong JSON types,
    /// or the query string cannot be read.
    BadRequest(String),
    /// 401: missing, expired or forged token; wrong email or password.
    Unauthorized(String),
    /// 403: the object is visible to the caller but their role may not do this.
    Forbidden,
    /// 404: no such object *for this caller*; foreign ids land here too.
    NotFound(&'static str),
    /// 405: the path exists but not with this method.
    MethodNotAllowed,
    /// 409: the request collides with the current state (duplicate, already
    /// claimed, illegal transition). `fields` names the field when there is one.
    Conflict {
        message: String,
        fields: FieldErrors,
    },
    /// 413: an upload or body over the limit.
    PayloadTooLarge(String),
    /// 422: well-formed input that breaks a rule; `fields` names each field.
    Validation(FieldErrors),
    /// 429: too many attempts; the client may retry after this many seconds.
    /// `limit` says which limit, when it is not the attempts of a login.
    RateLimited {
        retry_after_secs: u64,
        limit: Option<String>,
    },
    /// 503: the database is too busy to take this write now (a lock that was
    /// not granted in time, a full connection pool). Nothing was changed; the
    /// client may retry after this many seconds.
    Unavailable { retry_after_secs: u64 },
    /// Any other status a layer outside the handlers answered with (408 from
    /// the request timeout, 412 and 416 from static files, …), kept as it is.
    Status(StatusCode),
    /// 500: a fault of ours. The cause is logged, never shown.
    Internal(String),
}

impl ApiError {
    /// A 422 for a single field.
    #[must_use]
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        DomainError::invalid(field, message).into()
    }

    /// A 409 with no particular field.
    #[must_use]
    pub fn conflict(message: impl Into<String>) -> Self {
        DomainError::conflict(message).into()
    }

    /// A 409 naming the field that collides, e.g. a duplicate email.
    #[must_use]
    pub fn duplicate(field: &str, message: &str) -> Self {
        DomainError::duplicate(field, message).into()
    }

    pub fn internal(cause: impl std::fmt::Display) -> Self {
        Self::Internal(cause.to_string())
    }

    #[must_use]
    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Self::Status(status) => *status,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn body(&self) -> ErrorBody {
        let (code, message, fields) = match self {
            Self::BadRequest(message) => ("bad_request", message.clone(), None),
            Self::Unauthorized(message) => ("unauthorized", message.clone(), None),
            Self::Forbidden => ("forbidden", "your role may not do this".to_string(), None),
            Self::NotFound(what) => ("not_found", format!("{what} not found"), None),
            Self::MethodNotAllowed => (
                "method_not_allowed",
                "this path does not take that method".to_string(),
                None,
            ),
            Self::Conflict { message, fields } => (
                "conflict",
                message.clone(),
                (!fields.is_empty()).then(|| fields.clone()),
            ),
            Self::PayloadTooLarge(message) => ("payload_too_large", message.clone(), None),
            Self::Validation(fields) => (
                "validation_failed",
                "the request breaks one or more rules".to_string(),
                Some(fields.clone()),
            ),
            Self::RateLimited {
                retry_after_secs,
                limit,
            } => (
                "rate_limited",
                limit.clone().unwrap_or_else(|| {
                    format!("too many attempts; try again in {retry_after_secs} seconds")
                }),
                None,
            ),
            Self::Unavailable { retry_after_secs } => (
                "service_unavailable",
                format!(
                    "the server is busy and changed nothing; try again in {retry_after_secs} seconds"
                ),
                None,
            ),
            Self::Status(status) => {
                return ErrorBody {
                    error: ErrorDetail {
                        code: status_code_name(*status),
                        message: status
                            .canonical_reason()
                            .unwrap_or("the request failed")
                            .to_lowercase(),
                        fields: None,
                    },
                }
            }
            Self::Internal(_) => (
                "internal_error",
                "something went wrong on our side".to_string(),
                None,
            ),
        };
        ErrorBody {
            error: ErrorDetail {
                code: code.to_string(),
                message,
                fields,
            },
        }
    }

    /// The contract's body for a bare status, for responses that did not come
    /// from an `ApiError` (an unknown route, a framework rejection).
    #[must_use]
    pub fn for_status(status: StatusCode) -> Self {
        match status {
            StatusCode::BAD_REQUEST | StatusCode::UNSUPPORTED_MEDIA_TYPE => {
                Self::BadRequest("the request could not be read".to_string())
            }
            StatusCode::UNAUTHORIZED => Self::Unauthorized("authentication required".to_string()),
            StatusCode::FORBIDDEN => Self::Forbidden,
            StatusCode::NOT_FOUND => Self::NotFound("resource"),
            StatusCode::CONFLICT => Self::conflict("the request conflicts with the current state"),
            StatusCode::PAYLOAD_TOO_LARGE => {
                Self::PayloadTooLarge("the request body is too large".to_string())
            }
            StatusCode::UNPROCESSABLE_ENTITY => Self::Validation(FieldErrors::default()),
            StatusCode::METHOD_NOT_ALLOWED => Self::MethodNotAllowed,
            StatusCode::TOO_MANY_REQUESTS => Self::RateLimited {
                retry_after_secs: 60,
                limit: None,
            },
            StatusCode::SERVICE_UNAVAILABLE => Self::Unavailable {
                retry_after_secs: BUSY_RETRY_AFTER_SECS,
            },
            StatusCode::INTERNAL_SERVER_ERROR => {
                Self::Internal("a layer outside the handlers failed".to_string())
            }
            other => Self::Status(other),
        }
    }
}

/// How long a client should wait before retrying a write refused as busy.
pub const BUSY_RETRY_AFTER_SECS: u64 = 1;

/// `request_timeout` for 408, `range_not_satisfiable` for 416: the status's
/// reason phrase in snake case, so every status has a code of its own.
fn status_code_name(status: StatusCode) -> String {
    status.canonical_reason().map_or_else(
        || format!("http_{}", status.as_u16()),
        |reason| {
            reason
                .chars()
                .filter_map(|c| match c {
                    ' ' | '-' => Some('_'),
                    c if c.is_ascii_alphanumeric() => Some(c.to_ascii_lowercase()),
                    _ => None,
                })
                .collect()
        },
    )
}

/// Marks a response whose body is already the contract's, so the outer
/// normalizing layer leaves it alone.
#[derive(Clone, Copy, Debug)]
pub struct ContractBody;

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// One of `bad_request`, `unauthorized`, `forbidden`, `not_found`,
    /// `method_not_allowed`, `conflict`, `payload_too_large`,
    /// `validation_failed`, `rate_limited`, `service_unavailable`,
    /// `internal_error`; for any other status, its reason phrase in snake
    /// case (`request_timeout`, `range_not_satisfiable`, …).
    #[schema(example = "validation_failed")]
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<FieldErrors>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        match &self {
            Self::Internal(cause) => tracing::error!(error.cause = %cause, "request failed"),
            Self::Unauthorized(reason) => {
                tracing::info!(reason = %reason, "request unauthenticated")
            }
            Self::Unavailable { .. } => tracing::warn!("request refused: the database is busy"),
            _ => tracing::debug!(status = status.as_u16(), "request refused"),
        }
        let mut response = (status, axum::Json(self.body())).into_response();
        if let Self::RateLimited {
            retry_after_secs, ..
        }
        | Self::Unavailable { retry_after_secs } = self
        {
            if let Ok(value) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
        }
        response.extensions_mut().insert(ContractBody);
        response
    }
}

impl From<DbErr> for ApiError {
    fn from(err: DbErr) -> Self {
        DomainError::from(err).into()
    }
}

/// The one place where a model's answer becomes the contract's.
impl From<DomainError> for ApiError {
    fn from(err: DomainError) -> Self {
        match err {
            DomainError::NotFound(what) => Self::NotFound(what),
            DomainError::Invalid(fields) => Self::Validation(fields),
            DomainError::Conflict { message, fields } => Self::Conflict { message, fields },
            DomainError::Forbidden => Self::Forbidden,
            DomainError::Unauthenticated(reason) => Self::Unauthorized(reason),
            DomainError::RateLimited {
                retry_after_secs,
                limit,
            } => Self::RateLimited {
                retry_after_secs,
                limit,
            },
            DomainError::Busy(cause) => {
                tracing::warn!(error.cause = %cause, "database contention");
                Self::Unavailable {
                    retry_after_secs: BUSY_RETRY_AFTER_SECS,
                }
            }
            DomainError::Upstream(cause) => {
                tracing::warn!(error.cause = %cause, "a service we depend on failed");
                Self::Unavailable {
                    retry_after_secs: BUSY_RETRY_AFTER_SECS,
                }
            }
            DomainError::Internal(cause) => Self::Internal(cause),
        }
    }
}

impl From<ModelError> for ApiError {
    fn from(err: ModelError) -> Self {
        match err {
            ModelError::EntityNotFound => Self::NotFound("resource"),
            ModelError::EntityAlreadyExists => {
                Self::conflict("a record with these values already exists")
            }
            ModelError::DbErr(err) => err.into(),
            other => Self::Internal(other.to_string()),
        }
    }
}

impl From<loco_rs::Error> for ApiError {
    fn from(err: loco_rs::Error) -> Self {
        match err {
            loco_rs::Error::NotFound => Self::NotFound("resource"),
            loco_rs::Error::Unauthorized(reason) => Self::Unauthorized(reason),
            loco_rs::Error::BadRequest(reason) => Self::BadRequest(reason),
            loco_rs::Error::Model(err) => err.into(),
            loco_rs::Error::DB(err) => err.into(),
            other => Self::Internal(other.to_string()),
        }
    }
}
