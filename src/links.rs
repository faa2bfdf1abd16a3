//! Links in messages to customers, who have no account: signed, and for
//! what they unlock, expiring. A link is `HOST` (the server's public
//! address, `server.host`) and a token: a JWT signed with a key of its own
//! (derived from `JWT_SECRET`, so it never opens the API) whose audience
//! says what it is for, so a link to one thing never opens another.

use chrono::{DateTime, TimeDelta, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use loco_rs::app::AppContext;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// How long an unsubscribe link keeps working: mail is read late.
pub const UNSUBSCRIBE_VALID_FOR: TimeDelta = TimeDelta::days(3 * 365);
/// How long an estimate link lets the customer decide.
pub const ESTIMATE_VALID_FOR: TimeDelta = TimeDelta::days(14);

/// What a link opens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// `/unsubscribe/{token}`: a customer's consent to promotions.
    Unsubscribe,
    /// `/estimates/{token}`: a repair order's estimate.
    Estimate,
}

impl Purpose {
    const fn audience(self) -> &'static str {
        match self {
            Self::Unsubscribe => "karakana:unsubscribe",
            Self::Estimate => "karakana:estimate",
        }
    }

    const fn path(self) -> &'static str {
        match self {
            Self::Unsubscribe => "/unsubscribe/",
            Self::Estimate => "/estimates/",
        }
    }
}

#[derive(Debug, Deserialize, Serialize)]
struct Claims {
    aud: String,
    /// The customer's or the repair order's public id.
    sub: Uuid,
    exp: i64,
}

/// Makes and reads the links.
#[derive(Clone)]
pub struct Links {
    base_url: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl std::fmt::Debug for Links {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Links")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl Links {
    /// Links to `base_url`, signed with a key derived from `secret`.
    #[must_use]
    pub fn new(base_url: &str, secret: &str) -> Self {
        let key = format!("karakana-links:{secret}");
        Self {
            base_url: base_url.trim_end_matches('/').to_string(),
            encoding: EncodingKey::from_secret(key.as_bytes()),
            decoding: DecodingKey::from_secret(key.as_bytes()),
        }
    }

    /// The application's links: `server.host` and its JWT secret.
    ///
    /// # Errors
    /// When the configuration has no JWT secret.
    pub fn of(ctx: &AppContext) -> loco_rs::Result<Self> {
        let secret = &ctx.config.get_jwt_config()?.secret;
        Ok(Self::new(&ctx.config.server.host, secret))
    }

    /// A link for `purpose` to `subject`, working until `now + valid_for`.
    #[must_use]
    pub fn url(
        &self,
        purpose: Purpose,
        subject: Uuid,
        now: DateTime<Utc>,
        valid_for: TimeDelta,
    ) -> String {
        format!(
            "{}{}{}",
            self.base_url,
            purpose.path(),
            self.token(purpose, subject, now + valid_for)
        )
    }

    /// The token alone, for `expires`.
    #[must_use]
    pub fn token(&self, purpose: Purpose, subject: Uuid, expires: DateTime<Utc>) -> String {
        let claims = Claims {
            aud: purpose.audience().to_string(),
            sub: subject,
            exp: expires.timestamp(),
        };
        // HS256 over a struct of a string, a uuid and a number cannot fail.
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .unwrap_or_default()
    }

    /// The subject of a token made for `purpose`, while it is valid at `now`;
    /// `None` for anything else (forged, expired, made for another purpose).
    #[must_use]
    pub fn open(&self, purpose: Purpose, token: &str, now: DateTime<Utc>) -> Option<Uuid> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_audience(&[purpose.audience()]);
        // Expiry is judged below, by the application's clock.
        validation.validate_exp = false;
        validation.set_required_spec_claims(&["exp", "aud"]);
        let claims = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .ok()?
            .claims;
        (claims.exp > now.timestamp()).then_some(claims.sub)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn links() -> Links {
        Links::new("https://karakana.example/", "c2VjcmV0")
    }

    #[test]
    fn a_link_opens_what_it_was_made_for_until_it_expires() {
        let now = Utc::now();
        let subject = Uuid::new_v4();
        let url = links().url(Purpose::Estimate, subject, now, TimeDelta::days(1));
        let token = url
            .strip_prefix("https://karakana.example/estimates/")
            .unwrap();
        assert_eq!(links().open(Purpose::Estimate, token, now), Some(subject));
        assert_eq!(links().open(Purpose::Unsubscribe, token, now), None);
        assert_eq!(
            links().open(Purpose::Estimate, token, now + TimeDelta::days(2)),
            None
        );
    }

    #[test]
    fn another_key_or_a_changed_token_opens_nothing() {
        let now = Utc::now();
        let token = links().token(
            Purpose::Unsubscribe,
            Uuid::new_v4(),
            now + TimeDelta::days(1),
        );
        let other = Links::new("https://karakana.example", "b3RoZXI=");
        assert_eq!(other.open(Purpose::Unsubscribe, &token, now), None);
        let mut forged = token.clone();
        forged.pop();
        forged.push(if token.ends_with('A') { 'B' } else { 'A' });
        assert_eq!(links().open(Purpose::Unsubscribe, &forged, now), None);
        assert_eq!(links().open(Purpose::Unsubscribe, "not a token", now), None);
    }
}
