//! `SendEstimate {"repair_order_id"}`: an order's estimate by email, with
//! the signed link where the customer approves or declines each line.

use loco_rs::{app::AppContext, bgworker::BackgroundWorker};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    messages::{estimates, Messenger},
    models::{error::DomainResult, Write},
    queue,
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
        super::finish_message("SendEstimate", sent)
    }
}

/// Writes the estimate's delivery job into the write that asked for it.
///
/// # Errors
/// When the database fails.
pub async fn later(txn: &Write, repair_order_id: Uuid) -> DomainResult<()> {
    queue::later::<SendEstimate, _>(txn, &EstimateArgs { repair_order_id }).await
}
