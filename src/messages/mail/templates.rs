//! The messages' words: one subject, text and HTML template per kind and
//! language under `assets/mail/`, compiled into the binary and parsed once.

use std::sync::LazyLock;

use chrono::NaiveDate;
use serde::Serialize;
use tera::{Context, Tera};

use crate::messages::Kind;
use crate::models::values::Stored;

pub use crate::i18n::Language;

/// A message's subject and its two bodies.
#[derive(Clone, Debug)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

macro_rules! template_files {
    ($($name:literal),* $(,)?) => {
        [$(($name, include_str!(concat!("../../../assets/mail/", $name)))),*]
    };
}

static TEMPLATES: LazyLock<Tera> = LazyLock::new(|| {
    let mut tera = Tera::new();
    // HTML templates (`.html`) escape what they print; subjects and text do not.
    tera.autoescape_on([".html"]);
    tera.add_raw_templates(template_files![
        "layout.html",
        "service_reminder/en.subject",
        "service_reminder/en.text",
        "service_reminder/en.html",
        "service_reminder/sw.subject",
        "service_reminder/sw.text",
        "service_reminder/sw.html",
        "invoice/en.subject",
        "invoice/en.text",
        "invoice/en.html",
        "invoice/sw.subject",
        "invoice/sw.text",
        "invoice/sw.html",
        "repair_status/en.subject",
        "repair_status/en.text",
        "repair_status/en.html",
        "repair_status/sw.subject",
        "repair_status/sw.text",
        "repair_status/sw.html",
        "low_stock_digest/en.subject",
        "low_stock_digest/en.text",
        "low_stock_digest/en.html",
        "low_stock_digest/sw.subject",
        "low_stock_digest/sw.text",
        "low_stock_digest/sw.html",
        "promotion/en.subject",
        "promotion/en.text",
        "promotion/en.html",
        "promotion/sw.subject",
        "promotion/sw.text",
        "promotion/sw.html",
        "estimate/en.subject",
        "estimate/en.text",
        "estimate/en.html",
        "estimate/sw.subject",
        "estimate/sw.text",
        "estimate/sw.html",
        "portal_link/en.subject",
        "portal_link/en.text",
        "portal_link/en.html",
        "portal_link/sw.subject",
        "portal_link/sw.text",
        "portal_link/sw.html",
        "service_reminder/en.sms",
        "service_reminder/sw.sms",
        "invoice/en.sms",
        "invoice/sw.sms",
        "repair_status/en.sms",
        "repair_status/sw.sms",
        "promotion/en.sms",
        "promotion/sw.sms",
        "estimate/en.sms",
        "estimate/sw.sms",
        "portal_link/en.sms",
        "portal_link/sw.sms",
    ])
    .expect("the mail templates under assets/mail parse");
    tera
});

impl Kind {
    /// The message in `language`, its placeholders filled from `values`.
    ///
    /// # Errors
    /// When `values` lacks something a template prints.
    pub fn render(self, language: Language, values: &impl Serialize) -> Result<Rendered, String> {
        let context = Context::from_serialize(values).map_err(|err| err.to_string())?;
        let render = |part: &str| {
            let name = format!("{}/{}.{part}", self.as_str(), language.code());
            TEMPLATES
                .render(&name, &context)
                .map_err(|err| format!("{name}: {err}"))
        };
        Ok(Rendered {
            subject: render("subject")?.trim().to_string(),
            text: render("text")?,
            html: render("html")?,
        })
    }

    /// The message as one text message in `language`: one line, in the
    /// GSM alphabet where the words allow (`sms::gsm_friendly`).
    ///
    /// # Errors
    /// When the kind has no text form, or `values` lacks something it
    /// prints.
    pub fn render_sms(self, language: Language, values: &impl Serialize) -> Result<String, String> {
        let context = Context::from_serialize(values).map_err(|err| err.to_string())?;
        let name = format!("{}/{}.sms", self.as_str(), language.code());
        let text = TEMPLATES
            .render(&name, &context)
            .map_err(|err| format!("{name}: {err}"))?;
        Ok(crate::messages::sms::gsm_friendly(
            &text.split_whitespace().collect::<Vec<_>>().join(" "),
        ))
    }
}

/// `12 December 2026`, `12 Desemba 2026`: the month's name from the
/// language's message file (`assets/i18n`), as the pages print it.
#[must_use]
pub fn long_date(date: NaiveDate, language: Language) -> String {
    crate::i18n::long_date(date, language)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn values() -> serde_json::Value {
        json!({
            "customer": {"name": "Zainabu <Hamisi>"},
            "vehicle": {"plate": "KDB 333Z", "make": "Honda", "model": "Fit"},
            "due_on": "12 December 2026",
            "overdue": false,
            "site": {"name": "Mombasa — Nyali", "phone": "+254711000200",
                     "email": "msa@kamaumotors.co.ke", "address": "Links Road"},
        })
    }

    #[test]
    fn every_language_renders_and_html_is_escaped() {
        for language in [Language::English, Language::Swahili] {
            let rendered = Kind::ServiceReminder.render(language, &values()).unwrap();
            assert!(
                rendered.subject.contains("KDB 333Z"),
                "{}",
                rendered.subject
            );
            assert!(!rendered.subject.contains('\n'));
            assert!(
                rendered.text.contains("Zainabu <Hamisi>"),
                "{}",
                rendered.text
            );
            assert!(rendered.text.contains("+254711000200"));
            assert!(
                rendered.html.contains("Zainabu &lt;Hamisi&gt;"),
                "{}",
                rendered.html
            );
        }
    }

    #[test]
    fn an_overdue_service_is_written_as_past() {
        let mut values = values();
        values["overdue"] = json!(true);
        let english = Kind::ServiceReminder
            .render(Language::English, &values)
            .unwrap();
        assert!(
            english.subject.starts_with("Service overdue"),
            "{}",
            english.subject
        );
        assert!(
            english.text.contains("was due for its service"),
            "{}",
            english.text
        );
        let swahili = Kind::ServiceReminder
            .render(Language::Swahili, &values)
            .unwrap();
        assert!(
            swahili.text.contains("ilitakiwa kufanyiwa"),
            "{}",
            swahili.text
        );
    }

    #[test]
    fn swahili_is_swahili() {
        let rendered = Kind::ServiceReminder
            .render(Language::Swahili, &values())
            .unwrap();
        assert!(rendered.text.contains("Habari"), "{}", rendered.text);
        assert_eq!(
            long_date(
                NaiveDate::from_ymd_opt(2026, 12, 12).unwrap(),
                Language::Swahili
            ),
            "12 Desemba 2026"
        );
    }
}
