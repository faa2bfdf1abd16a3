//! `RepairStatusUpdate {"repair_order_id", "status"}`: the customer hears
//! that work has started (`in_progress`) or that the car is ready for pickup
//! (`completed`).

use loco_rs::{app::AppContext, bgworker::BackgroundWorker};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    messages::{job_news, Messenger},
    models::values::RepairStatus,
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
        super::finish("RepairStatusUpdate", sent)
    }
}

/// Enqueues the customer's news of an order that reached `status`, after
/// the write committed; statuses customers do not hear of are ignored. A
/// queue that cannot take it now is logged: this news is worth less than
/// the claim or transition that made it, which has happened.
pub async fn enqueue(ctx: &AppContext, repair_order_id: Uuid, status: RepairStatus) {
    if !job_news::announced(status) {
        return;
    }
    let args = StatusArgs {
        repair_order_id,
        status,
    };
    if let Err(err) = RepairStatusUpdate::perform_later(ctx, args).await {
        tracing::warn!(order = %repair_order_id, error = %err, "status message not queued");
    }
}
