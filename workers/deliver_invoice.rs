//! `DeliverInvoice {"invoice_id"}`: an invoice by email, the PDF attached.

use loco_rs::{app::AppContext, bgworker::BackgroundWorker};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    messages::{invoices, Messenger},
    settings::Settings,
};

pub struct DeliverInvoice {
    ctx: AppContext,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct InvoiceArgs {
    pub invoice_id: Uuid,
}

#[async_trait::async_trait]
impl BackgroundWorker<InvoiceArgs> for DeliverInvoice {
    fn build(ctx: &AppContext) -> Self {
        Self { ctx: ctx.clone() }
    }

    async fn perform(&self, args: InvoiceArgs) -> loco_rs::Result<()> {
        let messenger = Messenger::of(&self.ctx)?;
        let sent = invoices::deliver(
            &self.ctx.db,
            &messenger,
            Settings::clock_of(&self.ctx),
            args.invoice_id,
        )
        .await;
        super::finish("DeliverInvoice", sent)
    }
}

/// Enqueues the invoice's delivery after the write that asked for it has
/// committed. A queue that cannot take it now loses nothing: the request is
/// on the invoice, and the `deliver_invoices` sweep sends it.
pub async fn enqueue(ctx: &AppContext, invoice_id: Uuid) {
    if let Err(err) = DeliverInvoice::perform_later(ctx, InvoiceArgs { invoice_id }).await {
        tracing::warn!(invoice = %invoice_id, error = %err, "invoice delivery not queued; the sweep will send it");
    }
}
