//! Promotions as the API shows them.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::sites::SiteRef;
use crate::{messages::promotions::Counts, models::customers::promotions::Model};

/// Whom a promotion is for, beside consent.
#[derive(Debug, Serialize, ToSchema)]
pub struct AudienceResponse {
    pub make: Option<String>,
    pub model: Option<String>,
    pub year_from: Option<i32>,
    pub year_to: Option<i32>,
    pub last_visit_before: Option<NaiveDate>,
    pub last_visit_after: Option<NaiveDate>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PromotionResponse {
    pub id: Uuid,
    pub title: String,
    pub body: String,
    /// The same in Swahili, for customers who read it.
    pub title_sw: Option<String>,
    pub body_sw: Option<String>,
    /// The branches it is from; empty: every branch.
    pub sites: Vec<SiteRef>,
    #[serde(serialize_with = "super::time::rfc3339")]
    pub send_at: DateTime<FixedOffset>,
    /// `scheduled`, `sending` (it went out and messages are still owed),
    /// `sent` (every recipient's message is settled: sent, skipped or given
    /// up), `held` (the daily cap refused it; see `held_reason`) or
    /// `cancelled`.
    #[schema(example = "sending")]
    pub status: String,
    pub held_reason: Option<String>,
    pub audience: AudienceResponse,
    /// Customers it goes to: fixed once it went out, the audience now
    /// before.
    pub recipients: u64,
    pub sent: u64,
    /// Messages whose last attempt failed; they are tried again until
    /// they are no longer worth sending.
    pub failed: u64,
    /// Messages given up: not sent in the days a promotion is worth
    /// sending.
    pub given_up: u64,
    /// Messages not sent: the customer unsubscribed since, or has no
    /// address any more.
    pub skipped: u64,
    /// Recipients who withdrew their consent by an unsubscribe link after
    /// it went out.
    pub unsubscribed: u64,
    #[serde(serialize_with = "super::time::rfc3339_opt")]
    pub launched_at: Option<DateTime<FixedOffset>>,
    #[serde(serialize_with = "super::time::rfc3339")]
    pub created_at: DateTime<FixedOffset>,
}

impl PromotionResponse {
    #[must_use]
    pub fn new(promotion: Model, sites: Vec<SiteRef>, counts: Counts, unsubscribed: u64) -> Self {
        Self {
            id: promotion.pid,
            title: promotion.title,
            body: promotion.body,
            title_sw: promotion.title_sw,
            body_sw: promotion.body_sw,
            unsubscribed,
            sites,
            send_at: promotion.send_at,
            status: if promotion.status == "sending" && counts.all_settled() {
                "sent".to_string()
            } else {
                promotion.status
            },
            held_reason: promotion.held_reason,
            audience: AudienceResponse {
                make: promotion.audience_make,
                model: promotion.audience_model,
                year_from: promotion.audience_year_from,
                year_to: promotion.audience_year_to,
                last_visit_before: promotion.last_visit_before,
                last_visit_after: promotion.last_visit_after,
            },
            recipients: counts.recipients,
            sent: counts.sent,
            failed: counts.failed,
            skipped: counts.skipped,
            given_up: counts.given_up,
            launched_at: promotion.launched_at,
            created_at: promotion.created_at,
        }
    }
}

/// How many customers a promotion would reach now, and what sending it
/// is judged against.
#[derive(Debug, Serialize, ToSchema)]
pub struct PreviewResponse {
    pub recipients: u64,
    /// The organization's cap on promotional messages a day (UTC).
    pub daily_cap: u64,
    /// Of it, taken today by promotions already sent.
    pub used_today: u64,
    /// Messages go out only between these hours, each branch's local
    /// time; outside them they wait for the morning.
    #[schema(example = 8)]
    pub send_from_hour: u32,
    #[schema(example = 20)]
    pub send_until_hour: u32,
}
