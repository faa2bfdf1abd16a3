//! `SendServiceReminder {"vehicle_id", "due_on"}`: one service reminder.

use chrono::NaiveDate;
use loco_rs::{app::AppContext, bgworker::BackgroundWorker};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{models::reminders, settings::Settings};

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
        let mailer = super::mailer(&self.ctx)?;
        let clock = Settings::clock_of(&self.ctx);
        let sms = super::sms(&self.ctx);
        let sent = reminders::send(
            &self.ctx.db,
            &mailer,
            sms.as_deref(),
            clock,
            args.vehicle_id,
            args.due_on,
        )
        .await;
        super::finish("SendServiceReminder", sent)
    }
}
