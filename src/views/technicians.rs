use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::refs::PersonRef;
use crate::models::technician_stats::TechnicianStats;

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
}

impl TechnicianStatsResponse {
    #[must_use]
    pub fn new(
        technician: PersonRef,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        stats: TechnicianStats,
    ) -> Self {
        Self {
            technician,
            from,
            to,
            orders_completed: stats.completed,
            orders_in_progress: stats.in_progress,
            mean_approval_to_claim_secs: stats.mean_wait_secs,
            mean_claim_to_completion_secs: stats.mean_work_secs,
        }
    }
}
