use chrono::{DateTime, FixedOffset};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::models::{organization::sites, values::TaxRate};

/// A branch of the workshop.
#[derive(Debug, Serialize, ToSchema)]
pub struct SiteResponse {
    pub id: Uuid,
    #[schema(example = "Nairobi Industrial Area")]
    pub name: String,
    /// Upper-case branch code used in invoice numbers.
    #[schema(example = "NBO")]
    pub code: String,
    #[schema(example = "Africa/Nairobi")]
    pub timezone: String,
    #[schema(example = "KES")]
    pub currency: String,
    /// Fraction as a decimal string.
    #[schema(example = "0.16")]
    pub tax_rate: String,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// Printed on invoices: how customers pay.
    pub payment_instructions: Option<String>,
    /// Days before a service is due that customers are reminded.
    pub reminder_lead_days: i32,
    /// Days after a completed repair in which a return is a comeback.
    pub comeback_window_days: i32,
    /// Days from an invoice's issue to its due date; 0: due on receipt.
    pub payment_terms_days: i32,
    /// Local hour (0–23) at which reminders go out.
    pub reminder_hour: i32,
    /// The language customers are written to in unless they chose their
    /// own: `en` or `sw`.
    #[schema(example = "en")]
    pub language: String,
    #[serde(serialize_with = "super::time::rfc3339")]
    pub created_at: DateTime<FixedOffset>,
    #[serde(serialize_with = "super::time::rfc3339")]
    pub updated_at: DateTime<FixedOffset>,
}

impl From<&sites::Model> for SiteResponse {
    fn from(site: &sites::Model) -> Self {
        Self {
            id: site.pid,
            name: site.name.clone(),
            code: site.code.clone(),
            timezone: site.timezone.clone(),
            currency: site.currency.clone(),
            tax_rate: TaxRate::display(site.tax_rate.decimal()),
            address: site.address.clone(),
            phone: site.phone.clone(),
            email: site.email.clone(),
            payment_instructions: site.payment_instructions.clone(),
            reminder_lead_days: site.reminder_lead_days,
            comeback_window_days: site.comeback_window_days,
            payment_terms_days: site.payment_terms_days,
            reminder_hour: site.reminder_hour,
            language: site.language.clone(),
            created_at: site.created_at,
            updated_at: site.updated_at,
        }
    }
}

/// A site as other resources refer to it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SiteRef {
    pub id: Uuid,
    pub name: String,
}

impl From<&sites::Model> for SiteRef {
    fn from(site: &sites::Model) -> Self {
        Self {
            id: site.pid,
            name: site.name.clone(),
        }
    }
}
