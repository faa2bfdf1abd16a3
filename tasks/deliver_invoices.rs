//! `karakana task deliver_invoices`: enqueues a `DeliverInvoice` job for
//! every invoice asked to be sent in the last week whose email has not gone
//! (a job lost with a worker, a mail server that was down), and says what it
//! found. Scheduled every few minutes.

use loco_rs::{
    app::AppContext,
    task::{Task, TaskInfo, Vars},
    Result,
};

use crate::{
    messages::invoices,
    settings::Settings,
    workers::deliver_invoice::{DeliverInvoice, InvoiceArgs},
};

pub struct DeliverInvoices;

#[async_trait::async_trait]
impl Task for DeliverInvoices {
    fn task(&self) -> TaskInfo {
        TaskInfo {
            name: "deliver_invoices".to_string(),
            detail: "Enqueue the invoices asked to be sent and not sent yet".to_string(),
        }
    }

    async fn run(&self, ctx: &AppContext, _vars: &Vars) -> Result<()> {
        let clock = Settings::clock_of(ctx);
        let unsent = invoices::unsent(&ctx.db, clock).await?;
        let (enqueued, failed) = super::enqueue_all::<DeliverInvoice, _>(
            ctx,
            unsent.iter().map(|&invoice_id| InvoiceArgs { invoice_id }),
        )
        .await;
        tracing::info!(unsent = unsent.len(), enqueued, failed, "invoice sweep");
        println!(
            "{} invoices to send: {enqueued} enqueued, {failed} failed.",
            unsent.len()
        );
        Ok(())
    }
}
