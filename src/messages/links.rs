//! Links in messages to customers, who have no account: signed, and for
//! what they unlock, expiring. A link is `HOST` (the server's public
//! address, `server.host`), a one-letter path (`/e/`, `/u/`) and a token of
//! 35 characters, so that a text with a link still fits one SMS segment:
//! the subject's public id and the day the link expires, then an
//! HMAC-SHA256 of those and of what the link is for (cut to 64 bits: a
//! guess has one chance in 2⁶⁴, and each costs a request) under a key of
//! its own, derived from `JWT_SECRET`, so that a link never opens the API,
//! and a link to one thing never opens another.
//!
//! Links sent before (`/estimates/`, `/unsubscribe/`, 55 characters, a
//! 128-bit tag and the expiry to the second) keep working until they
//! expire.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use chrono::{DateTime, TimeDelta, Utc};
use hmac::{Hmac, Mac};
use loco_rs::app::AppContext;
use sha2::Sha256;
use uuid::Uuid;

/// How long an unsubscribe link keeps working: mail is read late.
pub const UNSUBSCRIBE_VALID_FOR: TimeDelta = TimeDelta::days(3 * 365);
/// How long an estimate link lets the customer decide.
pub const ESTIMATE_VALID_FOR: TimeDelta = TimeDelta::days(14);

/// The signed part of the first links: purpose (1 byte), subject (16),
/// expiry (8, seconds).
const PAYLOAD: usize = 25;
/// The first links' signature: 128 bits.
const TAG: usize = 16;
/// The token now: subject (16 bytes), the day it expires (2, days since
/// 1970), the signature (8).
const SHORT_PAYLOAD: usize = 18;
const SHORT_TAG: usize = 8;

/// What a link opens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// `/unsubscribe/{token}`: a customer's consent to promotions.
    Unsubscribe,
    /// `/estimates/{token}`: a repair order's estimate.
    Estimate,
    /// `/p/{token}`: signs a customer into their own page, once (its
    /// subject is the link's row, which says whether it was used).
    Portal,
    /// The session a portal link opened, in the customer's cookie: never
    /// in a message.
    PortalSession,
}

impl Purpose {
    const fn tag(self) -> u8 {
        match self {
            Self::Unsubscribe => b'u',
            Self::Estimate => b'e',
            Self::Portal => b'p',
            Self::PortalSession => b's',
        }
    }

    /// The path of a link, short for text messages.
    const fn path(self) -> &'static str {
        match self {
            Self::Unsubscribe => "/u/",
            Self::Estimate => "/e/",
            Self::Portal => "/p/",
            Self::PortalSession => "/portal/",
        }
    }
}

/// Makes and reads the links.
#[derive(Clone)]
pub struct Links {
    base_url: String,
    key: Hmac<Sha256>,
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
            // HMAC takes a key of any length.
            key: Hmac::<Sha256>::new_from_slice(key.as_bytes())
                .unwrap_or_else(|_| unreachable!("HMAC keys may be of any length")),
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

    #[cfg(test)]
    fn payload(purpose: Purpose, subject: Uuid, expires: i64) -> [u8; PAYLOAD] {
        let mut payload = [0_u8; PAYLOAD];
        payload[0] = purpose.tag();
        payload[1..17].copy_from_slice(subject.as_bytes());
        payload[17..].copy_from_slice(&expires.to_be_bytes());
        payload
    }

    fn sign(&self, payload: &[u8]) -> Hmac<Sha256> {
        let mut mac = self.key.clone();
        mac.update(payload);
        mac
    }

    /// The token alone, working to the end (UTC) of the day of `expires`:
    /// 35 URL-safe characters.
    #[must_use]
    pub fn token(&self, purpose: Purpose, subject: Uuid, expires: DateTime<Utc>) -> String {
        let day = u16::try_from(expires.timestamp().div_euclid(86_400)).unwrap_or(u16::MAX);
        let mut payload = [0_u8; SHORT_PAYLOAD];
        payload[..16].copy_from_slice(subject.as_bytes());
        payload[16..].copy_from_slice(&day.to_be_bytes());
        let tag = self.sign_short(purpose, &payload).finalize().into_bytes();
        let mut token = payload.to_vec();
        token.extend_from_slice(&tag[..SHORT_TAG]);
        URL_SAFE_NO_PAD.encode(token)
    }

    /// The signature of a short token: over what it is for, and its payload.
    fn sign_short(&self, purpose: Purpose, payload: &[u8]) -> Hmac<Sha256> {
        let mut mac = self.key.clone();
        mac.update(&[purpose.tag()]);
        mac.update(payload);
        mac
    }

    /// A short token's subject, while it is valid at `now`.
    fn open_short(&self, purpose: Purpose, raw: &[u8], now: DateTime<Utc>) -> Option<Uuid> {
        let (payload, tag) = raw.split_at(SHORT_PAYLOAD);
        self.sign_short(purpose, payload)
            .verify_truncated_left(tag)
            .ok()?;
        let subject = Uuid::from_slice(&payload[..16]).ok()?;
        let day = i64::from(u16::from_be_bytes(payload[16..].try_into().ok()?));
        (day >= now.timestamp().div_euclid(86_400)).then_some(subject)
    }

    /// The subject of a token made for `purpose`, while it is valid at `now`;
    /// `None` for anything else (forged, expired, made for another purpose).
    #[must_use]
    pub fn open(&self, purpose: Purpose, token: &str, now: DateTime<Utc>) -> Option<Uuid> {
        if token.len() > 64 {
            return None;
        }
        let raw = URL_SAFE_NO_PAD.decode(token).ok()?;
        if raw.len() == SHORT_PAYLOAD + SHORT_TAG {
            return self.open_short(purpose, &raw, now);
        }
        if raw.len() != PAYLOAD + TAG {
            return None;
        }
        let (payload, tag) = raw.split_at(PAYLOAD);
        // Compared in constant time.
        self.sign(payload).verify_truncated_left(tag).ok()?;
        if payload[0] != purpose.tag() {
            return None;
        }
        let subject = Uuid::from_slice(&payload[1..17]).ok()?;
        let expires = i64::from_be_bytes(payload[17..].try_into().ok()?);
        (expires > now.timestamp()).then_some(subject)
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
        let token = url.strip_prefix("https://karakana.example/e/").unwrap();
        assert_eq!(links().open(Purpose::Estimate, token, now), Some(subject));
        assert_eq!(links().open(Purpose::Unsubscribe, token, now), None);
        // To the end of the day after tomorrow's start, not a day more.
        assert_eq!(
            links().open(Purpose::Estimate, token, now + TimeDelta::days(1)),
            Some(subject)
        );
        assert_eq!(
            links().open(Purpose::Estimate, token, now + TimeDelta::days(2)),
            None
        );
    }

    #[test]
    fn a_link_sent_before_the_short_ones_still_opens() {
        let now = Utc::now();
        let subject = Uuid::new_v4();
        let links = links();
        let payload = Links::payload(
            Purpose::Estimate,
            subject,
            (now + TimeDelta::days(1)).timestamp(),
        );
        let tag = links.sign(&payload).finalize().into_bytes();
        let mut token = payload.to_vec();
        token.extend_from_slice(&tag[..TAG]);
        let token = URL_SAFE_NO_PAD.encode(token);
        assert_eq!(token.len(), 55);
        assert_eq!(links.open(Purpose::Estimate, &token, now), Some(subject));
        assert_eq!(links.open(Purpose::Unsubscribe, &token, now), None);
        assert_eq!(
            links.open(Purpose::Estimate, &token, now + TimeDelta::days(2)),
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
        // Another subject, or a later day, under the same signature.
        for byte in [5, 17] {
            let mut raw = URL_SAFE_NO_PAD.decode(&token).unwrap();
            raw[byte] ^= 1;
            let swapped = URL_SAFE_NO_PAD.encode(raw);
            assert_eq!(links().open(Purpose::Unsubscribe, &swapped, now), None);
        }
        assert_eq!(token.len(), 35, "short enough for a text message");
        assert_eq!(links().open(Purpose::Unsubscribe, "not a token", now), None);
    }
}
