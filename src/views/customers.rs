use chrono::{DateTime, FixedOffset};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::sites::SiteRef;
use crate::models::{customers, organization::sites};

/// A customer of the workshop.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerResponse {
    pub id: Uuid,
    pub name: String,
    /// E.164, e.g. `+254712345678`.
    pub phone: Option<String>,
    pub email: Option<String>,
    /// The branch they usually visit.
    pub home_site: SiteRef,
    /// Whether they agreed to receive promotions.
    pub marketing_opt_in: bool,
    /// When and how the current marketing choice was recorded.
    pub marketing_consent: Option<ConsentResponse>,
    /// `en` or `sw`: the language messages to them are written in (their
    /// own, or else their home site's).
    #[schema(example = "sw")]
    pub language: String,
    /// Whether `language` is their own choice rather than the site's.
    pub language_chosen: bool,
    /// Text messages rather than email, where both are possible.
    pub prefers_sms: bool,
    #[serde(serialize_with = "super::time::rfc3339")]
    pub created_at: DateTime<FixedOffset>,
    #[serde(serialize_with = "super::time::rfc3339")]
    pub updated_at: DateTime<FixedOffset>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConsentResponse {
    #[serde(serialize_with = "super::time::rfc3339")]
    pub recorded_at: DateTime<FixedOffset>,
    /// `in_person`, `phone`, `sms`, `email`, `web` or `paper_form`.
    pub source: String,
}

impl CustomerResponse {
    #[must_use]
    pub fn new(customer: &customers::Model, home_site: &sites::Model) -> Self {
        Self {
            id: customer.pid,
            name: customer.name.clone(),
            phone: customer.phone.clone(),
            email: customer.email.clone(),
            home_site: SiteRef::from(home_site),
            marketing_opt_in: customer.marketing_opt_in,
            marketing_consent: customer
                .marketing_consent_at
                .zip(customer.marketing_consent_source.clone())
                .map(|(recorded_at, source)| ConsentResponse {
                    recorded_at,
                    source,
                }),
            language: customer
                .language
                .clone()
                .unwrap_or_else(|| home_site.language.clone()),
            language_chosen: customer.language.is_some(),
            prefers_sms: customer.prefers_sms,
            created_at: customer.created_at,
            updated_at: customer.updated_at,
        }
    }
}
