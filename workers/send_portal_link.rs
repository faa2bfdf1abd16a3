//! `SendPortalLink {"link_id"}`: a customer's one-time link to their own
//! page, by text or email as they asked for it.

use loco_rs::{app::AppContext, bgworker::BackgroundWorker};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    messages::{portal, Messenger},
    settings::Settings,
};

pub struct SendPortalLink {
    ctx: AppContext,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct LinkArgs {
    pub link_id: Uuid,
}

#[async_trait::async_trait]
impl BackgroundWorker<LinkArgs> for SendPortalLink {
    fn build(ctx: &AppContext) -> Self {
        Self { ctx: ctx.clone() }
    }

    async fn perform(&self, args: LinkArgs) -> loco_rs::Result<()> {
        let messenger = Messenger::of(&self.ctx)?;
        let sent = portal::send(
            &self.ctx.db,
            &messenger,
            Settings::clock_of(&self.ctx),
            args.link_id,
        )
        .await;
        super::finish_message("SendPortalLink", sent)
    }
}
