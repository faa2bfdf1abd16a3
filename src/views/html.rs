//! The pages of the workshop's people: Tera templates under `assets/views`
//! (`pages/` for whole pages, `fragments/` for the parts htmx swaps, one
//! template for both), and the files under `assets/static`, all compiled
//! into the binary so that the binary alone serves them.
//!
//! Loco's own Tera engine reads `assets/views` from the disk, or embeds it
//! only when the build directory is `target/` beside the sources; ours is a
//! fixed directory outside the clone (README, "Building"), so the templates
//! are embedded here, with Loco's `include_dir`.

use std::{collections::HashMap, sync::LazyLock};

use axum::{
    http::{header, HeaderValue, StatusCode},
    response::{Html, IntoResponse, Response},
};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use include_dir::{include_dir, Dir};
use rust_decimal::Decimal;
use serde::Serialize;
use tera::{Context, Kwargs, State, Tera, TeraResult, Value};

use crate::{errors::ContractBody, i18n, i18n::Language};

static VIEWS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/assets/views");
pub static STATIC: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/assets/static");

static ENGINE: LazyLock<Tera> = LazyLock::new(|| {
    let mut tera = Tera::new();
    tera.autoescape_on([".html"]);
    register(&mut tera);
    let mut files = Vec::new();
    collect(&VIEWS, &mut files);
    tera.add_raw_templates(files)
        .expect("the templates under assets/views parse");
    tera
});

fn collect(dir: &'static Dir<'static>, into: &mut Vec<(String, &'static str)>) {
    for file in dir.files() {
        if let Some(text) = file.contents_utf8() {
            into.push((file.path().to_string_lossy().replace('\\', "/"), text));
        }
    }
    for sub in dir.dirs() {
        collect(sub, into);
    }
}

/// Words without placeholders, looked up once each: a page of fifty orders
/// asks for the same few labels hundreds of times.
static WORDS: LazyLock<std::sync::RwLock<HashMap<(Language, String), String>>> =
    LazyLock::new(Default::default);

fn word(language: Language, key: &str) -> String {
    let cached = WORDS
        .read()
        .ok()
        .and_then(|words| words.get(&(language, key.to_string())).cloned());
    cached.unwrap_or_else(|| {
        let text = i18n::text(language, key);
        if let Ok(mut words) = WORDS.write() {
            words.insert((language, key.to_string()), text.clone());
        }
        text
    })
}

/// The language a template renders in: its context's `lang`.
fn language_of(state: &State) -> Language {
    state
        .get::<String>("lang")
        .ok()
        .flatten()
        .and_then(|code| Language::from_code(&code))
        .unwrap_or_default()
}

/// The functions and filters the templates use, in the page's language:
/// `t(key=…, …)`, and `money`, `number`, `date`, `when`, `duration`.
pub fn register(tera: &mut Tera) {
    tera.register_function("t", |kwargs: Kwargs, state: &State| -> TeraResult<String> {
        let key: &str = kwargs.must_get("key")?;
        let language = kwargs
            .get::<&str>("lang")?
            .and_then(Language::from_code)
            .unwrap_or_else(|| language_of(state));
        let mut args = Vec::new();
        for (name, value) in kwargs.iter() {
            let Some(name) = name.as_str() else { continue };
            if name == "key" || name == "lang" || name.starts_with("__") {
                continue;
            }
            let value = if let Some(n) = value.as_i64() {
                fluent_templates::fluent_bundle::FluentValue::from(n)
            } else if let Some(text) = value.as_str() {
                fluent_templates::fluent_bundle::FluentValue::from(text.to_string())
            } else {
                fluent_templates::fluent_bundle::FluentValue::from(value.to_string())
            };
            args.push((name.replace('_', "-"), value));
        }
        if args.is_empty() {
            return Ok(word(language, key));
        }
        let args: Vec<(&str, _)> = args
            .iter()
            .map(|(name, value)| (name.as_str(), value.clone()))
            .collect();
        Ok(i18n::text_with(language, key, &args))
    });
    // `"1234.5" | money` → `1,234.50`; with `currency="KES"`, `KES 1,234.50`.
    tera.register_filter(
        "money",
        |value: &Value, kwargs: Kwargs, _: &State| -> TeraResult<String> {
            let amount = decimal(value)?;
            let shown = i18n::money(amount);
            Ok(match kwargs.get::<&str>("currency")? {
                Some(currency) => format!("{currency} {shown}"),
                None => shown,
            })
        },
    );
    // `"0.9" | percent` → `90%`.
    tera.register_filter(
        "percent",
        |value: &Value, _: Kwargs, _: &State| -> TeraResult<String> {
            Ok(format!(
                "{}%",
                i18n::number((decimal(value)? * Decimal::ONE_HUNDRED).round_dp(1))
            ))
        },
    );
    tera.register_filter(
        "number",
        |value: &Value, _: Kwargs, _: &State| -> TeraResult<String> {
            Ok(i18n::number(decimal(value)?))
        },
    );
    // `"2026-12-07" | date` → `7 Dec 2026`, `7 Des 2026`.
    tera.register_filter(
        "date",
        |value: &str, _: Kwargs, state: &State| -> TeraResult<String> {
            let day = NaiveDate::parse_from_str(value.get(..10).unwrap_or(value), "%Y-%m-%d")
                .map_err(|err| tera::Error::message(format!("not a date: {value}: {err}")))?;
            Ok(i18n::short_date(day, language_of(state)))
        },
    );
    // `"2026-12-07T11:05:00Z" | when(tz="Africa/Nairobi")` → `14:05` today,
    // else `7 Dec 2026, 14:05`, at the site's time.
    tera.register_filter(
        "when",
        |value: &str, kwargs: Kwargs, state: &State| -> TeraResult<String> {
            let at = DateTime::parse_from_rfc3339(value)
                .map_err(|err| tera::Error::message(format!("not a time: {value}: {err}")))?
                .with_timezone(&Utc);
            let zone: Tz = kwargs
                .get::<String>("tz")?
                .or_else(|| state.get::<String>("timezone").ok().flatten())
                .and_then(|name| name.parse().ok())
                .unwrap_or(Tz::Africa__Nairobi);
            let today = state
                .get::<String>("today")
                .ok()
                .flatten()
                .and_then(|day| NaiveDate::parse_from_str(&day, "%Y-%m-%d").ok())
                .unwrap_or_else(|| Utc::now().with_timezone(&zone).date_naive());
            Ok(i18n::local_time(at, zone, today, language_of(state)))
        },
    );
    tera.register_filter(
        "duration",
        |value: &Value, _: Kwargs, state: &State| -> TeraResult<String> {
            let seconds = value
                .as_i64()
                .ok_or_else(|| tera::Error::message("a duration is whole seconds"))?;
            Ok(i18n::duration(seconds, language_of(state)))
        },
    );
}

fn decimal(value: &Value) -> TeraResult<Decimal> {
    let parsed = if let Some(text) = value.as_str() {
        text.parse::<Decimal>().ok()
    } else if let Some(n) = value.as_i64() {
        Some(Decimal::from(n))
    } else {
        value.as_f64().and_then(|n| Decimal::try_from(n).ok())
    };
    parsed.ok_or_else(|| tera::Error::message(format!("not a number: {value}")))
}

/// Renders `template` with `values`.
///
/// # Errors
/// When the values lack something the template prints.
pub fn render_to_string(template: &str, values: &impl Serialize) -> Result<String, String> {
    let context = Context::from_serialize(values).map_err(|err| err.to_string())?;
    ENGINE
        .render(template, &context)
        .map_err(|err| format!("{template}: {err}"))
}

/// A rendered page as a response with `status`; a template that fails is
/// logged and answered with the plain 500 page.
#[must_use]
pub fn render(status: StatusCode, template: &str, values: &impl Serialize) -> Response {
    match render_to_string(template, values) {
        Ok(html) => respond(status, html),
        Err(err) => {
            tracing::error!(template, error = %err, "a page did not render");
            respond(
                StatusCode::INTERNAL_SERVER_ERROR,
                "<!DOCTYPE html><title>Karakana</title><h1>Something went wrong</h1>\
                 <p>Nothing was changed. Please try again in a moment.</p>"
                    .to_string(),
            )
        }
    }
}

/// HTML with `status`, marked so the API's JSON error body stays off it,
/// and never cached: pages show who is signed in and what is theirs.
#[must_use]
pub fn respond(status: StatusCode, html: String) -> Response {
    let mut response = (status, Html(html)).into_response();
    response.extensions_mut().insert(ContractBody);
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The names of every template, for the tests that render them all.
#[must_use]
pub fn templates() -> Vec<String> {
    let mut files = Vec::new();
    collect(&VIEWS, &mut files);
    files.into_iter().map(|(name, _)| name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_parses() {
        assert!(templates().len() >= 10, "{:?}", templates());
        assert!(ENGINE
            .get_template_names()
            .any(|name| name == "pages/order.html"));
    }

    /// Every word a template asks for by name is in both languages, and so
    /// is every word it asks for by a value (`"status-" ~ order.status`).
    #[test]
    fn every_word_the_pages_use_is_in_english_and_swahili() {
        let mut files = Vec::new();
        collect(&VIEWS, &mut files);
        let mut keys: Vec<String> = Vec::new();
        for (name, text) in &files {
            for part in text.split("key=\"").skip(1) {
                let key = part.split('"').next().unwrap_or_default();
                if !part[key.len()..].starts_with("\" ~") && !key.ends_with('-') {
                    keys.push(key.to_string());
                } else {
                    assert!(!key.is_empty(), "{name}");
                }
            }
        }
        let by_value: &[(&str, &[&str])] = &[
            (
                "status-",
                &[
                    "requested",
                    "pending_approval",
                    "approved",
                    "declined",
                    "in_progress",
                    "completed",
                    "cancelled",
                ],
            ),
            ("priority-", &["low", "normal", "high", "urgent"]),
            ("line-approval-", &["pending", "approved", "declined"]),
            (
                "kind-",
                &[
                    "service_reminder",
                    "invoice",
                    "repair_status",
                    "low_stock_digest",
                    "promotion",
                    "estimate",
                ],
            ),
            ("channel-", &["email", "sms"]),
            ("delivery-", &["sending", "sent", "failed", "skipped"]),
            (
                "consent-",
                &["in_person", "phone", "sms", "email", "web", "paper_form"],
            ),
            ("source-", &["manual", "intake"]),
            (
                "move-",
                &["pending_approval", "approved", "declined", "cancelled"],
            ),
            ("period-", &["week", "month", "last-month", "custom"]),
            (
                "role-",
                &["owner", "manager", "advisor", "technician", "customer"],
            ),
            (
                "nav-",
                &[
                    "queue",
                    "work",
                    "stats",
                    "board",
                    "orders",
                    "customers",
                    "settings",
                ],
            ),
        ];
        for (prefix, values) in by_value {
            keys.extend(values.iter().map(|value| format!("{prefix}{value}")));
        }
        keys.extend(
            crate::controllers::web::work::CHANGE_KEYS
                .iter()
                .chain(&["notice-changes-seen", "notice-order-revised"])
                .map(ToString::to_string)
                .chain(crate::controllers::web::settings::words()),
        );
        assert!(keys.len() > 150, "{}", keys.len());
        for key in &keys {
            for language in Language::ALL {
                assert!(i18n::has(language, key), "{key} is missing in {language:?}");
            }
        }
    }

    #[test]
    fn amounts_dates_and_words_follow_the_language() {
        for (lang, expected) in [
            ("en", "KES 13,050.00 · 7 Dec 2026 · Queue"),
            ("sw", "KES 13,050.00 · 7 Des 2026 · Foleni"),
        ] {
            let mut tera = Tera::new();
            register(&mut tera);
            tera.add_raw_template(
                "t",
                r#"{{ amount | money(currency="KES") }} · {{ day | date }} · {{ t(key="nav-queue") }}"#,
            )
            .unwrap();
            let context = Context::from_serialize(&serde_json::json!({
                "lang": lang, "amount": "13050", "day": "2026-12-07",
            }))
            .unwrap();
            assert_eq!(tera.render("t", &context).unwrap(), expected);
        }
    }
}
