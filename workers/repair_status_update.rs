//! `RepairStatusUpdate {"repair_order_id", "status"}`: the customer hears
//! that work has started (`in_progress`) or that the car is ready for pickup
//! (`completed`).

use loco_rs::{app::AppContext, bgworker::BackgroundWorker};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    models::{repair_status_mail, values::RepairStatus},
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
        let mailer = super::mailer(&self.ctx)?;
        let clock = Settings::clock_of(&self.ctx);
        let sent = repair_status_mail::notify(
            &self.ctx.db,
            &mailer,
            super::sms(&self.ctx).as_deref(),
            clock,
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
    if !repair_status_mail::announced(status) {
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
