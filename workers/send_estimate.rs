//! `SendEstimate {"repair_order_id"}`: an order's estimate by email, with
//! the signed link where the customer approves or declines each line.

use loco_rs::{app::AppContext, bgworker::BackgroundWorker};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    messages::{estimates, Messenger},
    settings::Settings,
};

pub struct SendEstimate {
    ctx: AppContext,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct EstimateArgs {
    pub repair_order_id: Uuid,
}

#[async_trait::async_trait]
impl BackgroundWorker<EstimateArgs> for SendEstimate {
    fn build(ctx: &AppContext) -> Self {
        Self { ctx: ctx.clone() }
    }

    async fn perform(&self, args: EstimateArgs) -> loco_rs::Result<()> {
        let messenger = Messenger::of(&self.ctx)?;
        let sent = estimates::send(
            &self.ctx.db,
            &messenger,
            Settings::clock_of(&self.ctx),
            args.repair_order_id,
        )
        .await;
        super::finish("SendEstimate", sent)
    }
}

/// Enqueues the estimate's delivery after the write that asked for it has
/// committed; a queue that cannot take it loses nothing (the
/// `send_estimates` sweep sends it).
pub async fn enqueue(ctx: &AppContext, repair_order_id: Uuid) {
    if let Err(err) = SendEstimate::perform_later(ctx, EstimateArgs { repair_order_id }).await {
        tracing::warn!(order = %repair_order_id, error = %err, "estimate not queued; the sweep will send it");
    }
}
