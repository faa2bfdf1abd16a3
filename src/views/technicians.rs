use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use utoipa::ToSchema;

use super::refs::PersonRef;
use crate::models::{
    people::{earnings::Earnings, technician_stats::TechnicianStats},
    values::format_money,
};

/// How a technician's work flows over a period.
#[derive(Debug, Serialize, ToSchema)]
pub struct TechnicianStatsResponse {
    pub technician: PersonRef,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Orders completed in the period.
    pub orders_completed: u64,
    /// Orders in progress now.
    pub orders_in_progress: u64,
    /// Mean seconds an approved order waited before this technician claimed
    /// or started it.
    pub mean_approval_to_claim_secs: Option<i64>,
    /// Mean seconds from claim (start) to completion.
    pub mean_claim_to_completion_secs: Option<i64>,
    /// Orders completed in the period (the contract's name for
    /// `orders_completed`).
    pub completed: u64,
    /// Mean minutes from approval to claim.
    pub mean_minutes_to_claim: Option<i64>,
    /// Mean minutes from claim to completion.
    pub mean_minutes_to_complete: Option<i64>,
    /// Labour hours billed on the orders completed in the period.
    #[schema(value_type = String, example = "31.50")]
    pub billed_hours: Decimal,
    /// Hours their work timer ran in the period.
    #[schema(value_type = String, example = "35.00")]
    pub clocked_hours: Decimal,
    /// Billed ÷ clocked; absent with nothing clocked.
    #[schema(value_type = Option<String>, example = "0.90")]
    pub efficiency: Option<Decimal>,
    /// Comebacks of their repairs flagged in the period.
    pub comebacks: u64,
    /// What they earned from the period's completed, invoiced work; shown
    /// to themselves, owners and managers, once a pay basis is set and when
    /// the work was invoiced in one currency (else `null`).
    #[schema(example = "1650.00")]
    pub earnings: Option<String>,
    #[schema(example = "KES")]
    pub earnings_currency: Option<String>,
}

impl TechnicianStatsResponse {
    #[must_use]
    pub fn new(
        technician: PersonRef,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        stats: TechnicianStats,
        earnings: Option<Earnings>,
    ) -> Self {
        Self {
            technician,
            from,
            to,
            orders_completed: stats.completed,
            orders_in_progress: stats.in_progress,
            mean_approval_to_claim_secs: stats.mean_wait_secs,
            mean_claim_to_completion_secs: stats.mean_work_secs,
            completed: stats.completed,
            mean_minutes_to_claim: stats.mean_wait_secs.map(|secs| secs / 60),
            mean_minutes_to_complete: stats.mean_work_secs.map(|secs| secs / 60),
            billed_hours: stats.billed_hours,
            clocked_hours: stats.clocked_hours,
            efficiency: stats.efficiency(),
            comebacks: stats.comebacks,
            earnings: earnings.as_ref().map(|earned| format_money(earned.total)),
            earnings_currency: earnings.map(|earned| earned.currency),
        }
    }
}
