//! `RepairStatusUpdate {"repair_order_id", "status"}`: the customer hears
//! that work has started (`in_progress`) or that the car is ready for pickup
//! (`completed`).

use loco_rs::{app::AppContext, bgworker::BackgroundWorker};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    messages::{job_news, Messenger},
    models::{error::DomainResult, values::RepairStatus, Write},
    queue,
    settings::Settings,
};

pub struct RepairStatusUpdate {
    ctx: AppContext,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct StatusArgs {
    pub repair_order_id: Uuid,
    pub status: RepairStatus,
}

#[async_trait::async_trait]
impl BackgroundWorker<StatusArgs> for RepairStatusUpdate {
    fn build(ctx: &AppContext) -> Self {
        Self { ctx: ctx.clone() }
    }

    async fn perform(&self, args: StatusArgs) -> loco_rs::Result<()> {
        let messenger = Messenger::of(&self.ctx)?;
        let sent = job_news::notify(
            &self.ctx.db,
            &messenger,
            Settings::clock_of(&self.ctx),
            args.repair_order_id,
            args.status,
        )
        .await;
        super::finish_message("RepairStatusUpdate", sent)
    }
}

/// Writes the job for the customer's news of an order that reached
/// `status` into the write that moved it; statuses customers do not hear
/// of write nothing.
///
/// # Errors
/// When the database fails.
pub async fn later(txn: &Write, repair_order_id: Uuid, status: RepairStatus) -> DomainResult<()> {
    if !job_news::announced(status) {
        return Ok(());
    }
    let args = StatusArgs {
        repair_order_id,
        status,
    };
    queue::later::<RepairStatusUpdate, _>(txn, &args).await
}
