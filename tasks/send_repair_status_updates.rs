//! `karakana task send_repair_status_updates`: enqueues a
//! `RepairStatusUpdate` for every order that started or was completed in
//! the last day and whose customer has not heard of it (a lost job, a mail
//! server that was down), and says what it found. Scheduled every few
//! minutes.

use loco_rs::{
    app::AppContext,
    task::{Task, TaskInfo, Vars},
    Result,
};

use crate::{
    messages::job_news,
    settings::Settings,
    workers::repair_status_update::{RepairStatusUpdate, StatusArgs},
};

pub struct SendRepairStatusUpdates;

#[async_trait::async_trait]
impl Task for SendRepairStatusUpdates {
    fn task(&self) -> TaskInfo {
        TaskInfo {
            name: "send_repair_status_updates".to_string(),
            detail: "Enqueue the job news (work started, ready for pickup) not told yet"
                .to_string(),
        }
    }

    async fn run(&self, ctx: &AppContext, _vars: &Vars) -> Result<()> {
        let clock = Settings::clock_of(ctx);
        let unsent = job_news::unsent(&ctx.db, clock).await?;
        let (enqueued, failed) = super::enqueue_all::<RepairStatusUpdate, _>(
            ctx,
            unsent.iter().map(|&(repair_order_id, status)| StatusArgs {
                repair_order_id,
                status,
            }),
        )
        .await;
        tracing::info!(unsent = unsent.len(), enqueued, failed, "job news sweep");
        println!(
            "{} job news to send: {enqueued} enqueued, {failed} failed.",
            unsent.len()
        );
        Ok(())
    }
}
