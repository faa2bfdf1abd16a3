//! Text messages to customers without an email address, or who prefer
//! them: over HTTP to the gateway the configuration names (`settings.sms`),
//! Africa's Talking or Twilio (SMS, or WhatsApp through Twilio). Each
//! message is a delivery in the same ledger as mail (`ledger.rs`).
//!
//! A gateway's answer is sorted into three: sent (with its message id),
//! refused for good (a number that is not a mobile, a customer who opted
//! out at the network: the delivery is settled, never retried) or not now
//! (the gateway is down, the account is out of credit: tried again later).

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::Value;

/// How long one request to the gateway may take.
const TIMEOUT: Duration = Duration::from_secs(15);

/// Which gateway, and its account (`SMS_GATEWAY` and the variables beside
/// it in `config/*.yaml`).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum SmsSettings {
    /// No text messages: customers without email are recorded as skipped.
    #[default]
    None,
    /// Africa's Talking (Kenya, Uganda, Tanzania, …).
    AfricasTalking {
        username: String,
        api_key: SecretString,
        /// An approved alphanumeric sender id or short code; none: the
        /// account's default.
        #[serde(default)]
        sender_id: Option<String>,
        /// `https://api.africastalking.com`; the sandbox is
        /// `https://api.sandbox.africastalking.com`.
        #[serde(default = "SmsSettings::africas_talking_url")]
        base_url: String,
    },
    /// Twilio's Messages API.
    Twilio {
        account_sid: String,
        auth_token: SecretString,
        /// The sending number (E.164), or a WhatsApp-enabled one.
        from: String,
        /// Send through WhatsApp rather than SMS.
        #[serde(default)]
        whatsapp: bool,
        #[serde(default = "SmsSettings::twilio_url")]
        base_url: String,
    },
}

impl SmsSettings {
    fn africas_talking_url() -> String {
        "https://api.africastalking.com".to_string()
    }

    fn twilio_url() -> String {
        "https://api.twilio.com".to_string()
    }
}

/// Why a message was not sent.
#[derive(Debug, thiserror::Error)]
pub enum SmsError {
    /// The gateway refused this message for good (the number, the
    /// recipient's opt-out); sending it again would not help.
    #[error("refused: {0}")]
    Refused(String),
    /// The gateway could not take it now; a later attempt may.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// The settings cannot make a client.
    #[error("settings: {0}")]
    Settings(String),
}

/// Sends text messages through the configured gateway.
#[derive(Clone, Debug)]
pub struct SmsSender {
    client: reqwest::Client,
    settings: SmsSettings,
}

impl SmsSender {
    /// The sender for `settings`; `None` when no gateway is configured.
    ///
    /// # Errors
    /// When the HTTP client cannot be built.
    pub fn new(settings: &SmsSettings) -> Result<Option<Self>, SmsError> {
        if matches!(settings, SmsSettings::None) {
            return Ok(None);
        }
        let client = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .build()
            .map_err(|err| SmsError::Settings(err.to_string()))?;
        Ok(Some(Self {
            client,
            settings: settings.clone(),
        }))
    }

    /// Sends `body` to `to` (E.164); the gateway's message id.
    ///
    /// # Errors
    /// `Refused` when the gateway will never send it; `Unavailable` when it
    /// cannot now.
    pub async fn send(&self, to: &str, body: &str) -> Result<String, SmsError> {
        match &self.settings {
            SmsSettings::None => Err(SmsError::Settings("no SMS gateway".to_string())),
            SmsSettings::AfricasTalking {
                username,
                api_key,
                sender_id,
                base_url,
            } => {
                let mut form = vec![
                    ("username", username.as_str()),
                    ("to", to),
                    ("message", body),
                ];
                if let Some(from) = sender_id {
                    form.push(("from", from.as_str()));
                }
                let response = self
                    .client
                    .post(format!("{base_url}/version1/messaging"))
                    .header("apiKey", api_key.expose_secret())
                    .header("Accept", "application/json")
                    .form(&form)
                    .send()
                    .await
                    .map_err(unreachable_gateway)?;
                let status = response.status();
                let answer: Value = response.json().await.unwrap_or(Value::Null);
                africas_talking_outcome(status, &answer)
            }
            SmsSettings::Twilio {
                account_sid,
                auth_token,
                from,
                whatsapp,
                base_url,
            } => {
                let (to, from) = if *whatsapp {
                    (format!("whatsapp:{to}"), format!("whatsapp:{from}"))
                } else {
                    (to.to_string(), from.clone())
                };
                let response = self
                    .client
                    .post(format!(
                        "{base_url}/2010-04-01/Accounts/{account_sid}/Messages.json"
                    ))
                    .basic_auth(account_sid, Some(auth_token.expose_secret()))
                    .form(&[("To", to.as_str()), ("From", from.as_str()), ("Body", body)])
                    .send()
                    .await
                    .map_err(unreachable_gateway)?;
                let status = response.status();
                let answer: Value = response.json().await.unwrap_or(Value::Null);
                twilio_outcome(status, &answer)
            }
        }
    }
}

fn unreachable_gateway(err: reqwest::Error) -> SmsError {
    SmsError::Unavailable(format!("the SMS gateway could not be reached: {err}"))
}

/// Africa's Talking answers per recipient: status codes 100–102 are taken;
/// 403 (invalid number), 404 (unsupported number type), 406 (blacklisted)
/// and 409 (do not disturb) will never be; the rest (risk hold, no credit,
/// routing, gateway errors) may be later.
fn africas_talking_outcome(
    status: reqwest::StatusCode,
    answer: &Value,
) -> Result<String, SmsError> {
    if status.is_server_error() || status == reqwest::StatusCode::UNAUTHORIZED {
        return Err(SmsError::Unavailable(format!(
            "Africa's Talking answered {status}"
        )));
    }
    let data = &answer["SMSMessageData"];
    let Some(recipient) = data["Recipients"].get(0) else {
        let message = data["Message"].as_str().unwrap_or("no answer");
        return Err(SmsError::Refused(format!(
            "Africa's Talking sent nothing: {message}"
        )));
    };
    let code = recipient["statusCode"].as_i64().unwrap_or(0);
    let said = recipient["status"].as_str().unwrap_or("unknown");
    match code {
        100..=102 => Ok(recipient["messageId"]
            .as_str()
            .unwrap_or_default()
            .to_string()),
        403 | 404 | 406 | 409 => Err(SmsError::Refused(format!(
            "Africa's Talking: {said} ({code})"
        ))),
        _ => Err(SmsError::Unavailable(format!(
            "Africa's Talking: {said} ({code})"
        ))),
    }
}

/// Twilio answers 201 with the message's `sid`; a 400 names a message it
/// will never send (an invalid or unsubscribed number), 401/403/429/5xx an
/// account or a service that may be well later.
fn twilio_outcome(status: reqwest::StatusCode, answer: &Value) -> Result<String, SmsError> {
    if status.is_success() {
        return answer["sid"]
            .as_str()
            .map(ToString::to_string)
            .ok_or_else(|| SmsError::Unavailable("Twilio answered without a sid".to_string()));
    }
    let message = format!(
        "Twilio: {} ({})",
        answer["message"].as_str().unwrap_or("no message"),
        answer["code"]
            .as_i64()
            .unwrap_or_else(|| i64::from(status.as_u16()))
    );
    if status == reqwest::StatusCode::BAD_REQUEST {
        Err(SmsError::Refused(message))
    } else {
        Err(SmsError::Unavailable(message))
    }
}

/// The GSM 03.38 basic character set: a message of these alone is sent in
/// 7-bit units, 160 to a segment.
const GSM_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
/// Characters of the extension table: two units each.
const GSM_EXTENDED: &str = "^{}\\[~]|€\u{c}";

/// `text` with the typographic marks that would push it out of the GSM
/// alphabet (and a segment down to 70 characters) written the plain way.
#[must_use]
pub fn gsm_friendly(text: &str) -> String {
    let mut plain = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '—' | '–' | '‐' | '‑' => plain.push('-'),
            '‘' | '’' | '‚' | '′' => plain.push('\''),
            '“' | '”' | '„' | '″' => plain.push('"'),
            '…' => plain.push_str("..."),
            '\u{a0}' => plain.push(' '),
            other => plain.push(other),
        }
    }
    plain
}

/// `text` cut at a word to at most `budget` characters, marked with "..."
/// where it was cut: what a text can say of something longer and still fit
/// its segment.
#[must_use]
pub fn fit(text: &str, budget: usize) -> String {
    let text = gsm_friendly(&text.split_whitespace().collect::<Vec<_>>().join(" "));
    if text.chars().count() <= budget {
        return text;
    }
    let room = budget.saturating_sub(3);
    let mut cut: String = text.chars().take(room).collect();
    if let Some(space) = cut.rfind(' ') {
        cut.truncate(space);
    }
    format!("{}...", cut.trim_end_matches(['.', ',', ';', ':', ' ']))
}

/// How many SMS segments `body` takes: 160 GSM units in one, 153 a segment
/// after; outside the GSM alphabet, 70 UTF-16 units in one, 67 after.
#[must_use]
pub fn segments(body: &str) -> usize {
    let gsm_units: Option<usize> = body
        .chars()
        .map(|c| {
            if GSM_BASIC.contains(c) {
                Some(1)
            } else if GSM_EXTENDED.contains(c) {
                Some(2)
            } else {
                None
            }
        })
        .sum();
    let (units, single, each) = match gsm_units {
        Some(units) => (units, 160, 153),
        None => (body.encode_utf16().count(), 70, 67),
    };
    if units <= single {
        1
    } else {
        units.div_ceil(each)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_text_is_cut_at_a_word_to_its_budget() {
        assert_eq!(
            fit("Free wash. Until 24 December.", 40),
            "Free wash. Until 24 December."
        );
        assert_eq!(
            fit("Free wash with every service this month", 20),
            "Free wash with..."
        );
        assert!(fit(&"word ".repeat(100), 50).chars().count() <= 50);
        assert_eq!(fit("Oil — “half” price…", 40), "Oil - \"half\" price...");
    }

    #[test]
    fn gsm_text_fits_160_to_a_segment_and_anything_else_70() {
        assert_eq!(segments(&"a".repeat(160)), 1);
        assert_eq!(segments(&"a".repeat(161)), 2);
        assert_eq!(segments(&"a".repeat(306)), 2);
        assert_eq!(
            segments(&"{".repeat(80)),
            1,
            "extension characters count twice"
        );
        assert_eq!(segments(&"{".repeat(81)), 2);
        assert_eq!(segments(&format!("{}—", "a".repeat(69))), 1);
        assert_eq!(
            segments(&format!("{}—", "a".repeat(70))),
            2,
            "a dash is not GSM"
        );
        assert_eq!(segments("Habari Zainabu, gari lako KDB 333Z"), 1);
        assert_eq!(
            gsm_friendly("Nairobi — Industrial Area’s “offer”…"),
            "Nairobi - Industrial Area's \"offer\"..."
        );
    }

    #[test]
    fn gateway_answers_are_sorted_into_sent_refused_and_later() {
        use reqwest::StatusCode;

        let at = |code: i64| {
            serde_json::json!({"SMSMessageData": {"Message": "Sent to 1/1", "Recipients": [
                {"statusCode": code, "number": "+254711000000", "status": "X", "messageId": "ATXid_1"}]}})
        };
        assert_eq!(
            africas_talking_outcome(StatusCode::CREATED, &at(101)).unwrap(),
            "ATXid_1"
        );
        assert!(matches!(
            africas_talking_outcome(StatusCode::CREATED, &at(403)),
            Err(SmsError::Refused(_))
        ));
        assert!(matches!(
            africas_talking_outcome(StatusCode::CREATED, &at(405)),
            Err(SmsError::Unavailable(_))
        ));
        assert!(matches!(
            africas_talking_outcome(StatusCode::BAD_GATEWAY, &Value::Null),
            Err(SmsError::Unavailable(_))
        ));
        assert!(matches!(
            twilio_outcome(
                StatusCode::BAD_REQUEST,
                &serde_json::json!({"code": 21211, "message": "Invalid 'To' Phone Number"})
            ),
            Err(SmsError::Refused(message)) if message.contains("21211")
        ));
        assert!(matches!(
            twilio_outcome(StatusCode::TOO_MANY_REQUESTS, &Value::Null),
            Err(SmsError::Unavailable(_))
        ));
    }
}
