//! `karakana task send_low_stock_digests`: enqueues a `LowStockDigest` job
//! for every manager and owner with products running low at their sites and
//! no digest today, and says what it found. Scheduled once a day.

use loco_rs::{
    app::AppContext,
    task::{Task, TaskInfo, Vars},
    Result,
};

use crate::{
    messages::low_stock,
    settings::Settings,
    workers::low_stock_digest::{DigestArgs, LowStockDigest},
};

pub struct SendLowStockDigests;

#[async_trait::async_trait]
impl Task for SendLowStockDigests {
    fn task(&self) -> TaskInfo {
        TaskInfo {
            name: "send_low_stock_digests".to_string(),
            detail: "Enqueue today's low-stock digests to managers and owners".to_string(),
        }
    }

    async fn run(&self, ctx: &AppContext, _vars: &Vars) -> Result<()> {
        let clock = Settings::clock_of(ctx);
        let due = low_stock::due(&ctx.db, clock).await?;
        let (enqueued, failed) = super::enqueue_all::<LowStockDigest, _>(
            ctx,
            due.iter().map(|due| DigestArgs {
                user_id: due.user_id,
                on: due.on,
            }),
        )
        .await;
        tracing::info!(due = due.len(), enqueued, failed, "low-stock digest sweep");
        println!(
            "{} low-stock digests due: {enqueued} enqueued, {failed} failed.",
            due.len()
        );
        Ok(())
    }
}
