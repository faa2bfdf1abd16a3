//! The words of the pages and of the messages, in English and Swahili: one
//! Fluent file per language under `assets/i18n/`, compiled into the binary.
//! Numbers, money and dates are written here too, the same way on a page,
//! in a mail and on the PDF.

use std::{borrow::Cow, collections::HashMap, sync::LazyLock};

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use chrono_tz::Tz;
use fluent_templates::{fluent_bundle::FluentValue, static_loader, LanguageIdentifier, Loader};
use rust_decimal::Decimal;

use crate::models::values::format_money;

static_loader! {
    static LOCALES = {
        locales: "./assets/i18n",
        fallback_language: "en",
        // No Unicode isolation marks around placeholders: plain text in
        // SMS and mail subjects, where they would show as boxes.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static ENGLISH: LazyLock<LanguageIdentifier> = LazyLock::new(|| "en".parse().expect("en"));
static SWAHILI: LazyLock<LanguageIdentifier> = LazyLock::new(|| "sw".parse().expect("sw"));

/// A language Karakana speaks: to customers, and on its pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Language {
    #[default]
    English,
    Swahili,
}

impl Language {
    pub const ALL: [Self; 2] = [Self::English, Self::Swahili];

    /// `en` or `sw`, as stored on customers and sites.
    #[must_use]
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "en" => Some(Self::English),
            "sw" => Some(Self::Swahili),
            _ => None,
        }
    }

    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Self::English => "en",
            Self::Swahili => "sw",
        }
    }

    fn id(self) -> &'static LanguageIdentifier {
        match self {
            Self::English => &ENGLISH,
            Self::Swahili => &SWAHILI,
        }
    }

    /// The first language of an `Accept-Language` header that Karakana
    /// speaks (`sw-KE` is Swahili), by the header's own order of preference.
    #[must_use]
    pub fn from_accept_language(header: &str) -> Option<Self> {
        let requested = fluent_langneg::accepted_languages::parse(header);
        let available = [ENGLISH.clone(), SWAHILI.clone()];
        fluent_langneg::negotiate_languages(
            &requested,
            &available,
            None,
            fluent_langneg::NegotiationStrategy::Lookup,
        )
        .first()
        .and_then(|found| Self::from_code(found.language.as_str()))
    }
}

/// The message `key` in `language`; the key itself when no file has it
/// (a test checks that every key used has both languages).
#[must_use]
pub fn text(language: Language, key: &str) -> String {
    LOCALES
        .try_lookup(language.id(), key)
        .unwrap_or_else(|| key.to_string())
}

/// The message `key` in `language` with its placeholders filled.
#[must_use]
pub fn text_with(language: Language, key: &str, args: &[(&str, FluentValue<'static>)]) -> String {
    let args: HashMap<Cow<'static, str>, FluentValue<'static>> = args
        .iter()
        .map(|(name, value)| (Cow::Owned((*name).to_string()), value.clone()))
        .collect();
    LOCALES
        .try_lookup_with_args(language.id(), key, &args)
        .unwrap_or_else(|| key.to_string())
}

/// Whether `language`'s own file defines `key` (not the fallback's),
/// whatever placeholders it takes: the tests' check that both languages
/// have every word.
#[cfg(test)]
#[must_use]
pub fn has(language: Language, key: &str) -> bool {
    use fluent_templates::fluent_bundle::{FluentBundle, FluentResource};
    let source = match language {
        Language::English => include_str!("../assets/i18n/en/main.ftl"),
        Language::Swahili => include_str!("../assets/i18n/sw/main.ftl"),
    };
    let resource =
        FluentResource::try_new(source.to_string()).unwrap_or_else(|(resource, _)| resource);
    let mut bundle = FluentBundle::new(vec![language.id().clone()]);
    bundle
        .add_resource(resource)
        .expect("one resource per bundle has no clashes");
    bundle.has_message(key)
}

/// `12 December 2026`, `12 Desemba 2026`.
#[must_use]
pub fn long_date(date: NaiveDate, language: Language) -> String {
    format!(
        "{} {} {}",
        date.day(),
        text(language, &format!("month-{}", date.month())),
        date.year()
    )
}

/// `12 Dec 2026`, `12 Des 2026`.
#[must_use]
pub fn short_date(date: NaiveDate, language: Language) -> String {
    format!(
        "{} {} {}",
        date.day(),
        text(language, &format!("month-short-{}", date.month())),
        date.year()
    )
}

/// `12 Dec 2026, 14:05` at the site's time zone; the date left out when it
/// is `today` there.
#[must_use]
pub fn local_time(at: DateTime<Utc>, zone: Tz, today: NaiveDate, language: Language) -> String {
    let local = at.with_timezone(&zone);
    let time = format!("{:02}:{:02}", local.hour(), local.minute());
    if local.date_naive() == today {
        time
    } else {
        format!("{}, {time}", short_date(local.date_naive(), language))
    }
}

/// `1,234,567.50`: two places, thousands grouped (the same in English and
/// Swahili as East Africa writes them).
#[must_use]
pub fn money(amount: Decimal) -> String {
    let text = format_money(amount);
    let (whole, cents) = text.split_once('.').unwrap_or((&text, "00"));
    match whole.strip_prefix('-') {
        Some(digits) => format!("-{}.{cents}", grouped(digits)),
        None => format!("{}.{cents}", grouped(whole)),
    }
}

/// `1,234.5`: a number as given, its whole part grouped.
#[must_use]
pub fn number(value: Decimal) -> String {
    let text = value.normalize().to_string();
    let (sign, text) = text
        .strip_prefix('-')
        .map_or(("", text.as_str()), |rest| ("-", rest));
    match text.split_once('.') {
        Some((whole, fraction)) => format!("{sign}{}.{fraction}", grouped(whole)),
        None => format!("{sign}{}", grouped(text)),
    }
}

fn grouped(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// `2 h 05 min`, `2 saa 05 dk`: a span of seconds as a clock on the wall
/// reads it.
#[must_use]
pub fn duration(seconds: i64, language: Language) -> String {
    let seconds = seconds.max(0);
    let (hours, minutes) = (seconds / 3600, (seconds % 3600) / 60);
    text_with(
        language,
        "duration",
        &[
            ("hours", FluentValue::from(hours)),
            ("minutes", FluentValue::from(format!("{minutes:02}"))),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browsers_preferences_choose_the_language() {
        assert_eq!(
            Language::from_accept_language("sw-KE,sw;q=0.9,en;q=0.8"),
            Some(Language::Swahili)
        );
        assert_eq!(
            Language::from_accept_language("en-GB,en;q=0.9,sw;q=0.5"),
            Some(Language::English)
        );
        assert_eq!(Language::from_accept_language("fr-FR"), None);
        assert_eq!(Language::from_accept_language(""), None);
    }

    #[test]
    fn amounts_and_numbers_are_grouped_in_thousands() {
        assert_eq!(money(Decimal::new(1_305_000, 2)), "13,050.00");
        assert_eq!(money(Decimal::new(-123_456_789, 2)), "-1,234,567.89");
        assert_eq!(money(Decimal::new(5, 1)), "0.50");
        assert_eq!(number(Decimal::new(1_234_500, 3)), "1,234.5");
        assert_eq!(number(Decimal::from(120_000)), "120,000");
    }

    #[test]
    fn dates_in_both_languages() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        assert_eq!(long_date(day, Language::English), "7 December 2026");
        assert_eq!(long_date(day, Language::Swahili), "7 Desemba 2026");
        assert_eq!(short_date(day, Language::Swahili), "7 Des 2026");
        assert_eq!(duration(7500, Language::English), "2 h 05 min");
    }
}
