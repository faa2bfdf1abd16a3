//! `SendPromotion {"promotion_id"}`: launches a promotion whose time has
//! come and fans out one job per recipient; `SendPromotion
//! {"promotion_id", "customer_id"}` is one recipient's message.

use loco_rs::{app::AppContext, bgworker::BackgroundWorker};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    messages::{
        promotions::{self, Recipient},
        Messenger,
    },
    settings::Settings,
};

pub struct SendPromotion {
    ctx: AppContext,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct PromotionArgs {
    pub promotion_id: Uuid,
    /// One recipient's message; absent: the whole promotion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<Uuid>,
}

impl From<Recipient> for PromotionArgs {
    fn from(recipient: Recipient) -> Self {
        Self {
            promotion_id: recipient.promotion_id,
            customer_id: Some(recipient.customer_id),
        }
    }
}

#[async_trait::async_trait]
impl BackgroundWorker<PromotionArgs> for SendPromotion {
    fn build(ctx: &AppContext) -> Self {
        Self { ctx: ctx.clone() }
    }

    async fn perform(&self, args: PromotionArgs) -> loco_rs::Result<()> {
        let clock = Settings::clock_of(&self.ctx);
        let messenger = Messenger::of(&self.ctx)?;
        let Some(customer_id) = args.customer_id else {
            let recipients =
                promotions::fan_out(&self.ctx.db, clock, args.promotion_id, messenger.sms_on())
                    .await;
            if let Ok(recipients) = &recipients {
                crate::tasks::enqueue_all::<Self, _>(
                    &self.ctx,
                    recipients.iter().copied().map(PromotionArgs::from),
                )
                .await;
            }
            return super::finish("SendPromotion", recipients.map(|found| found.len()));
        };
        let recipient = Recipient {
            promotion_id: args.promotion_id,
            customer_id,
        };
        let sent = promotions::send_to(&self.ctx.db, &messenger, clock, recipient).await;
        super::finish("SendPromotion", sent)
    }
}

/// Enqueues a promotion's fan-out after the write that launched it has
/// committed; a queue that cannot take it loses nothing (the
/// `send_due_promotions` sweep sends what is unsent).
pub async fn enqueue(ctx: &AppContext, promotion_id: Uuid) {
    let args = PromotionArgs {
        promotion_id,
        customer_id: None,
    };
    if let Err(err) = SendPromotion::perform_later(ctx, args).await {
        tracing::warn!(promotion = %promotion_id, error = %err, "promotion not queued; the sweep will send it");
    }
}
