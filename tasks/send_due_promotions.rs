//! `karakana task send_due_promotions`: enqueues a `SendPromotion` job for
//! every promotion whose time has come, and one per message of a launched
//! promotion that has not gone (a lost job, a mail server that was down, a
//! customer whose branch was outside its sending hours), and says what it
//! found. Scheduled every few minutes. Quiet hours hold here too: a message
//! goes only between 08:00 and 20:00 at the branch that writes it.

use loco_rs::{
    app::AppContext,
    task::{Task, TaskInfo, Vars},
    Result,
};

use crate::{
    messages,
    models::customers::promotions,
    settings::Settings,
    workers::send_promotion::{PromotionArgs, SendPromotion},
};

pub struct SendDuePromotions;

#[async_trait::async_trait]
impl Task for SendDuePromotions {
    fn task(&self) -> TaskInfo {
        TaskInfo {
            name: "send_due_promotions".to_string(),
            detail: "Launch the promotions whose time has come and enqueue their unsent messages"
                .to_string(),
        }
    }

    async fn run(&self, ctx: &AppContext, _vars: &Vars) -> Result<()> {
        let clock = Settings::clock_of(ctx);
        let due = promotions::due(&ctx.db, clock).await?;
        let (launched, launch_failed) = super::enqueue_all::<SendPromotion, _>(
            ctx,
            due.iter().map(|&promotion_id| PromotionArgs {
                promotion_id,
                customer_id: None,
            }),
        )
        .await;
        let unsent = messages::promotions::unsent(&ctx.db, clock, None).await?;
        let (enqueued, failed) = super::enqueue_all::<SendPromotion, _>(
            ctx,
            unsent.iter().copied().map(PromotionArgs::from),
        )
        .await;
        tracing::info!(
            due = due.len(),
            launched,
            launch_failed,
            unsent = unsent.len(),
            enqueued,
            failed,
            "promotion sweep"
        );
        println!(
            "{} promotions due: {launched} enqueued, {launch_failed} failed. {} messages to send now: {enqueued} enqueued, {failed} failed.",
            due.len(),
            unsent.len()
        );
        Ok(())
    }
}
