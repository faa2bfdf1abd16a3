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
    models::{error::DomainResult, Write},
    queue,
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
            let written = match recipients {
                Ok(recipients) => write_all(&self.ctx, &recipients).await,
                Err(err) => Err(err),
            };
            return super::finish("SendPromotion", written);
        };
        let recipient = Recipient {
            promotion_id: args.promotion_id,
            customer_id,
        };
        let sent = promotions::send_to(&self.ctx.db, &messenger, clock, recipient).await;
        super::finish_message("SendPromotion", sent)
    }
}

/// One job per recipient, written together: all or none.
async fn write_all(ctx: &AppContext, recipients: &[Recipient]) -> DomainResult<usize> {
    let txn = Write::begin(&ctx.db).await?;
    for recipient in recipients {
        queue::later::<SendPromotion, _>(&txn, &PromotionArgs::from(*recipient)).await?;
    }
    txn.commit().await?;
    queue::kick(ctx).await;
    Ok(recipients.len())
}

/// Writes a promotion's fan-out job into the write that launched it.
///
/// # Errors
/// When the database fails.
pub async fn later(txn: &Write, promotion_id: Uuid) -> DomainResult<()> {
    let args = PromotionArgs {
        promotion_id,
        customer_id: None,
    };
    queue::later::<SendPromotion, _>(txn, &args).await
}
