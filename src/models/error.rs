//! What a model's operation can fail with, in the domain's words and without
//! HTTP: the controllers map it to the contract's status and body in one
//! place (`errors.rs`), and background jobs tell "not found" (end the job)
//! from "try again" (`is_transient`).

use std::collections::BTreeMap;

use sea_orm::{DbErr, SqlErr};
use serde::Serialize;
use utoipa::ToSchema;

pub type DomainResult<T> = Result<T, DomainError>;

/// Why a model refused or failed an operation.
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// No such object for this actor; foreign ids land here too.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// Well-formed input that breaks a rule; each field with its messages.
    #[error("invalid: {0:?}")]
    Invalid(FieldErrors),
    /// The operation collides with the current state (a duplicate, a claimed
    /// order, a closed order); `fields` names the field when there is one.
    #[error("conflict: {message}")]
    Conflict {
        message: String,
        fields: FieldErrors,
    },
    /// The actor sees the object but may not do this.
    #[error("not allowed")]
    Forbidden,
    /// Wrong credentials or an account that is no longer active.
    #[error("unauthenticated: {0}")]
    Unauthenticated(String),
    /// Too many attempts, or over a limit (`limit` says which, in words
    /// for the client); try again after this many seconds.
    #[error("too many attempts")]
    RateLimited {
        retry_after_secs: u64,
        limit: Option<String>,
    },
    /// Not now: a lock or a pooled connection did not come free in time.
    /// Nothing was changed; the same operation may simply be tried again.
    #[error("busy: {0}")]
    Busy(String),
    /// A service we depend on (the mail server, an SMS gateway) refused or
    /// could not be reached; the same operation may be tried again later.
    #[error("upstream: {0}")]
    Upstream(String),
    /// A fault of ours (a database error, a broken invariant).
    #[error("internal: {0}")]
    Internal(String),
}

impl DomainError {
    /// Invalid input in a single field.
    #[must_use]
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        let mut fields = FieldErrors::default();
        fields.add(field, message);
        Self::Invalid(fields)
    }

    /// A conflict with no particular field.
    #[must_use]
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::Conflict {
            message: message.into(),
            fields: FieldErrors::default(),
        }
    }

    /// A conflict naming the field that collides, e.g. a duplicate email.
    #[must_use]
    pub fn duplicate(field: &str, message: &str) -> Self {
        let mut fields = FieldErrors::default();
        fields.add(field, message);
        Self::Conflict {
            message: format!("{field} {message}"),
            fields,
        }
    }

    pub fn internal(cause: impl std::fmt::Display) -> Self {
        Self::Internal(cause.to_string())
    }

    /// The same error with `from`'s field messages filed under `to`, for a
    /// rule checked under another name than the caller uses.
    #[must_use]
    pub fn renamed(self, from: &str, to: &str) -> Self {
        match self {
            Self::Invalid(mut fields) => {
                if let Some(messages) = fields.0.remove(from) {
                    fields.0.entry(to.to_string()).or_default().extend(messages);
                }
                Self::Invalid(fields)
            }
            other => other,
        }
    }

    /// Whether trying the same operation again later may succeed: contention
    /// and faults of ours (a database that went away) may pass; a missing
    /// object, a broken rule or a conflict will not.
    #[must_use]
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Busy(_) | Self::Upstream(_) | Self::Internal(_))
    }
}

/// For tasks and jobs, which answer in Loco's error.
impl From<DomainError> for loco_rs::Error {
    fn from(err: DomainError) -> Self {
        Self::Message(err.to_string())
    }
}

impl From<DbErr> for DomainError {
    fn from(err: DbErr) -> Self {
        if is_contention(&err) {
            return Self::Busy(err.to_string());
        }
        match err.sql_err() {
            // A unique index caught a race that a model's check could not; the
            // model names the field where it knows it (`on_unique`).
            Some(SqlErr::UniqueConstraintViolation(_)) => {
                Self::conflict("a record with these values already exists")
            }
            _ => Self::Internal(err.to_string()),
        }
    }
}

/// Messages per field, in the order the contract shows them.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(transparent)]
pub struct FieldErrors(BTreeMap<String, Vec<String>>);

impl FieldErrors {
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.entry(field.into()).or_default().push(message.into());
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    #[must_use]
    pub fn get(&self, field: &str) -> Option<&Vec<String>> {
        self.0.get(field)
    }

    /// Keeps the value of a parse, or records its message against `field`.
    pub fn check<T>(&mut self, field: &str, parsed: Result<T, String>) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(message) => {
                self.add(field, message);
                None
            }
        }
    }

    /// Adds every message of a `validator` run, with nested paths joined by dots.
    pub fn merge_validation(&mut self, errors: &validator::ValidationErrors) {
        self.merge_at("", errors);
    }

    fn merge_at(&mut self, prefix: &str, errors: &validator::ValidationErrors) {
        for (field, kind) in errors.errors() {
            let path = if prefix.is_empty() {
                field.to_string()
            } else {
                format!("{prefix}.{field}")
            };
            match kind {
                validator::ValidationErrorsKind::Field(list) => {
                    for error in list {
                        let message = error
                            .message
                            .as_ref()
                            .map_or_else(|| error.code.to_string(), ToString::to_string);
                        self.add(path.clone(), message);
                    }
                }
                validator::ValidationErrorsKind::Struct(inner) => self.merge_at(&path, inner),
                validator::ValidationErrorsKind::List(items) => {
                    for (index, inner) in items {
                        self.merge_at(&format!("{path}.{index}"), inner);
                    }
                }
            }
        }
    }

    /// `Ok` when nothing was recorded, otherwise the 422 carrying every field.
    ///
    /// # Errors
    /// `DomainError::Invalid` when any field has a message.
    pub fn finish(self) -> DomainResult<()> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(DomainError::Invalid(self))
        }
    }
}

/// Errors that say "not now" rather than "never": the write lost a race for
/// a lock and changed nothing, so the client may simply retry.
///
/// - SQLite: `SQLITE_BUSY` (5, with its extended codes such as 517,
///   `SQLITE_BUSY_SNAPSHOT`) and `SQLITE_LOCKED` (6), once the busy timeout
///   has run out;
/// - PostgreSQL: `serialization_failure`, `deadlock_detected` and
///   `lock_not_available`;
/// - either: no pooled connection came free in time.
#[must_use]
pub fn is_contention(err: &DbErr) -> bool {
    use sea_orm::{ConnAcquireErr, RuntimeErr};

    let runtime = match err {
        DbErr::ConnectionAcquire(ConnAcquireErr::Timeout) => return true,
        DbErr::Conn(runtime) | DbErr::Exec(runtime) | DbErr::Query(runtime) => runtime,
        _ => return false,
    };
    let RuntimeErr::SqlxError(sqlx_err) = runtime else {
        return false;
    };
    match sqlx_err.as_ref() {
        sea_orm::sqlx::Error::PoolTimedOut => true,
        sea_orm::sqlx::Error::Database(db_err) => {
            let code = db_err.code();
            let code = code.as_deref().unwrap_or_default();
            if db_err
                .try_downcast_ref::<sea_orm::sqlx::sqlite::SqliteError>()
                .is_some()
            {
                // Extended result codes keep the primary code in the low byte.
                code.parse::<u32>()
                    .is_ok_and(|code| matches!(code & 0xff, 5 | 6))
            } else {
                matches!(code, "40001" | "40P01" | "55P03")
            }
        }
        _ => false,
    }
}

/// Names the field behind a unique index, for writes where the model knows it.
pub trait OnUnique<T> {
    /// # Errors
    /// A 409 naming `field` on a unique violation; any other database error as is.
    fn on_unique(self, field: &str, message: &str) -> DomainResult<T>;
}

impl<T> OnUnique<T> for Result<T, DbErr> {
    fn on_unique(self, field: &str, message: &str) -> DomainResult<T> {
        self.map_err(|err| match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => DomainError::duplicate(field, message),
            _ => err.into(),
        })
    }
}
