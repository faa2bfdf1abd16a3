//! Times leave as RFC 3339 UTC to the second, `2026-11-20T07:30:00Z`
//! (docs/architecture.md, "Conventions").

use chrono::{DateTime, FixedOffset, SecondsFormat, Utc};
use serde::Serializer;

/// `#[serde(serialize_with = "rfc3339")]` on a stored timestamp.
///
/// # Errors
/// Never, beyond the serializer's own.
pub fn rfc3339<S: Serializer>(
    at: &DateTime<FixedOffset>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(
        &at.with_timezone(&Utc)
            .to_rfc3339_opts(SecondsFormat::Secs, true),
    )
}

/// `rfc3339` for a timestamp that may be absent.
///
/// # Errors
/// Never, beyond the serializer's own.
pub fn rfc3339_opt<S: Serializer>(
    at: &Option<DateTime<FixedOffset>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match at {
        Some(at) => rfc3339(at, serializer),
        None => serializer.serialize_none(),
    }
}
