//! `karakana task send_estimates`: enqueues a `SendEstimate` job for every
//! open order whose estimate was asked to be sent in the last week and has
//! not gone (a lost job, a mail server that was down), and says what it
//! found. Scheduled every few minutes.

use loco_rs::{
    app::AppContext,
    task::{Task, TaskInfo, Vars},
    Result,
};

use crate::{
    messages::estimates,
    settings::Settings,
    workers::send_estimate::{EstimateArgs, SendEstimate},
};

pub struct SendEstimates;

#[async_trait::async_trait]
impl Task for SendEstimates {
    fn task(&self) -> TaskInfo {
        TaskInfo {
            name: "send_estimates".to_string(),
            detail: "Enqueue the estimates asked to be sent and not sent yet".to_string(),
        }
    }

    async fn run(&self, ctx: &AppContext, _vars: &Vars) -> Result<()> {
        let clock = Settings::clock_of(ctx);
        let unsent = estimates::unsent(&ctx.db, clock).await?;
        let (enqueued, failed) = super::enqueue_all::<SendEstimate, _>(
            ctx,
            unsent
                .iter()
                .map(|&repair_order_id| EstimateArgs { repair_order_id }),
        )
        .await;
        tracing::info!(unsent = unsent.len(), enqueued, failed, "estimate sweep");
        println!(
            "{} estimates to send: {enqueued} enqueued, {failed} failed.",
            unsent.len()
        );
        Ok(())
    }
}
