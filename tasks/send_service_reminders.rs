//! `karakana task send_service_reminders`: enqueues a `SendServiceReminder`
//! job for every vehicle due a reminder now and not reminded yet, and says
//! what it found. By hand it ignores the sites' send hours; the hourly
//! schedule runs it with `at_send_hour:true`.

use loco_rs::{
    app::AppContext,
    task::{Task, TaskInfo, Vars},
    Result,
};

use crate::{
    messages::reminders,
    settings::Settings,
    workers::send_service_reminder::{ReminderArgs, SendServiceReminder},
};

pub struct SendServiceReminders;

#[async_trait::async_trait]
impl Task for SendServiceReminders {
    fn task(&self) -> TaskInfo {
        TaskInfo {
            name: "send_service_reminders".to_string(),
            detail: "Enqueue the service reminders due now (at_send_hour:true to wait for each site's hour)"
                .to_string(),
        }
    }

    async fn run(&self, ctx: &AppContext, vars: &Vars) -> Result<()> {
        let at_send_hour = vars
            .cli_arg("at_send_hour")
            .is_ok_and(|value| value == "true");
        let clock = Settings::clock_of(ctx);
        let sweep = reminders::due(&ctx.db, clock, at_send_hour).await?;
        let (enqueued, failed) = super::enqueue_all::<SendServiceReminder, _>(
            ctx,
            sweep.to_send.iter().map(|due| ReminderArgs {
                vehicle_id: due.vehicle_id,
                due_on: due.due_on,
            }),
        )
        .await;
        tracing::info!(
            sites = sweep.sites,
            due = sweep.due,
            settled = sweep.settled,
            enqueued,
            failed,
            "service reminder sweep"
        );
        println!(
            "{} vehicles due a service reminder at {} sites: {} reminded already, {enqueued} enqueued, {failed} failed.",
            sweep.due, sweep.sites, sweep.settled
        );
        Ok(())
    }
}
