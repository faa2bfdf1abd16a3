//! Skills and technicians' profiles as the API shows them.

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::sites::SiteRef;
use crate::models::people::{
    skills,
    technician_profiles::{CertificationLevel, Pay, Profile},
};

#[derive(Debug, Serialize, ToSchema)]
pub struct SkillResponse {
    pub id: Uuid,
    #[schema(example = "hybrid")]
    pub name: String,
}

impl From<skills::Model> for SkillResponse {
    fn from(skill: skills::Model) -> Self {
        Self {
            id: skill.pid,
            name: skill.name,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TechnicianResponse {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    /// Whether they may sign in and take work.
    pub active: bool,
    #[schema(example = "+254712345678")]
    pub phone: Option<String>,
    pub hire_date: Option<NaiveDate>,
    pub certification_level: Option<CertificationLevel>,
    pub home_site: Option<SiteRef>,
    #[schema(example = json!(["electrical", "hybrid"]))]
    pub skills: Vec<String>,
    /// How they are paid; `null` until set.
    pub pay_basis: Option<PayBasisResponse>,
}

/// A pay basis: `hourly` (`rate` money an hour clocked) or `labour_share`
/// (`rate` a share from 0 to 1 of invoiced labour).
#[derive(Debug, Serialize, ToSchema)]
pub struct PayBasisResponse {
    #[schema(example = "labour_share")]
    pub kind: &'static str,
    /// Money an hour with two places (`hourly`), or a share from 0 to 1
    /// (`labour_share`).
    #[schema(example = "0.3")]
    pub rate: String,
}

impl From<Pay> for PayBasisResponse {
    fn from(pay: Pay) -> Self {
        Self {
            kind: pay.basis(),
            rate: match pay {
                Pay::Hourly(money) => crate::models::values::format_money(money),
                Pay::LabourShare(share) => share.normalize().to_string(),
            },
        }
    }
}

impl From<Profile> for TechnicianResponse {
    fn from(profile: Profile) -> Self {
        Self {
            id: profile.user.pid,
            name: profile.user.name,
            email: profile.user.email,
            active: profile.user.active,
            phone: profile.phone,
            hire_date: profile.hire_date,
            certification_level: profile.certification_level,
            home_site: profile.home_site.as_ref().map(SiteRef::from),
            skills: profile.skills,
            pay_basis: profile.pay.map(PayBasisResponse::from),
        }
    }
}

/// One order's earnings.
#[derive(Debug, Serialize, ToSchema)]
pub struct EarningLineResponse {
    pub repair_order_id: Uuid,
    pub invoice_number: String,
    #[serde(serialize_with = "super::time::rfc3339")]
    pub completed_at: chrono::DateTime<chrono::FixedOffset>,
    #[schema(example = "2.00")]
    pub billed_hours: String,
    /// Labour invoiced, before tax.
    #[schema(example = "4000.00")]
    pub labour_amount: String,
    #[schema(example = "1.50")]
    pub clocked_hours: String,
    #[schema(example = "1200.00")]
    pub amount: String,
}

/// What a technician earned over a period.
#[derive(Debug, Serialize, ToSchema)]
pub struct EarningsResponse {
    pub technician: super::refs::PersonRef,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    #[schema(example = "KES")]
    pub currency: String,
    pub pay_basis: PayBasisResponse,
    #[schema(example = "1650.00")]
    pub total: String,
    pub lines: Vec<EarningLineResponse>,
}

impl EarningsResponse {
    #[must_use]
    pub fn new(
        technician: super::refs::PersonRef,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        earnings: crate::models::people::earnings::Earnings,
    ) -> Self {
        use crate::models::{people::shifts::two_places, values::format_money};

        Self {
            technician,
            from,
            to,
            currency: earnings.currency,
            pay_basis: PayBasisResponse::from(earnings.pay),
            total: format_money(earnings.total),
            lines: earnings
                .lines
                .into_iter()
                .map(|line| EarningLineResponse {
                    repair_order_id: line.repair_order_id,
                    invoice_number: line.invoice_number,
                    completed_at: line.completed_at,
                    billed_hours: two_places(line.billed_hours).to_string(),
                    labour_amount: format_money(line.labour_amount),
                    clocked_hours: two_places(line.clocked_hours).to_string(),
                    amount: format_money(line.amount),
                })
                .collect(),
        }
    }
}
