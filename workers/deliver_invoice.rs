//! `DeliverInvoice {"invoice_id"}`: an invoice by email, the PDF attached.

use loco_rs::{app::AppContext, bgworker::BackgroundWorker};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    messages::{invoices, Messenger},
    models::{error::DomainResult, Write},
    queue,
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
        super::finish_message("DeliverInvoice", sent)
    }
}

/// Writes the invoice's delivery job into the write that issued it or
/// asked for it to be sent again.
///
/// # Errors
/// When the database fails.
pub async fn later(txn: &Write, invoice_id: Uuid) -> DomainResult<()> {
    queue::later::<DeliverInvoice, _>(txn, &InvoiceArgs { invoice_id }).await
}
