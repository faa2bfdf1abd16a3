//! `LowStockDigest {"user_id", "on"}`: one manager's (or owner's) daily
//! list of what is running low at their sites.

use chrono::NaiveDate;
use loco_rs::{app::AppContext, bgworker::BackgroundWorker};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    messages::{low_stock, Messenger},
    settings::Settings,
};

pub struct LowStockDigest {
    ctx: AppContext,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct DigestArgs {
    pub user_id: Uuid,
    /// The day the digest is for, in the user's first site's time zone.
    pub on: NaiveDate,
}

#[async_trait::async_trait]
impl BackgroundWorker<DigestArgs> for LowStockDigest {
    fn build(ctx: &AppContext) -> Self {
        Self { ctx: ctx.clone() }
    }

    async fn perform(&self, args: DigestArgs) -> loco_rs::Result<()> {
        let messenger = Messenger::of(&self.ctx)?;
        let sent = low_stock::send(
            &self.ctx.db,
            &messenger,
            Settings::clock_of(&self.ctx),
            args.user_id,
            args.on,
        )
        .await;
        super::finish_message("LowStockDigest", sent)
    }
}
