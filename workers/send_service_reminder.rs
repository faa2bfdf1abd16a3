//! `SendServiceReminder {"vehicle_id", "due_on"}`: one service reminder.

use chrono::NaiveDate;
use loco_rs::{app::AppContext, bgworker::BackgroundWorker};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    messages::{reminders, Messenger},
    settings::Settings,
};

pub struct SendServiceReminder {
    ctx: AppContext,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct ReminderArgs {
    pub vehicle_id: Uuid,
    pub due_on: NaiveDate,
}

#[async_trait::async_trait]
impl BackgroundWorker<ReminderArgs> for SendServiceReminder {
    fn build(ctx: &AppContext) -> Self {
        Self { ctx: ctx.clone() }
    }

    async fn perform(&self, args: ReminderArgs) -> loco_rs::Result<()> {
        let messenger = Messenger::of(&self.ctx)?;
        let sent = reminders::send(
            &self.ctx.db,
            &messenger,
            Settings::clock_of(&self.ctx),
            args.vehicle_id,
            args.due_on,
        )
        .await;
        super::finish_message("SendServiceReminder", sent)
    }
}
