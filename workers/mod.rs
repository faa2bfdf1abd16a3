//! Background workers (Loco `BackgroundWorker`s), one file each. Jobs carry
//! ids only and re-read state, so running one twice is harmless; each
//! worker's body is one call into `messages` (docs/architecture.md,
//! "Background work").

pub mod deliver_invoice;
pub mod low_stock_digest;
pub mod repair_status_update;
pub mod send_estimate;
pub mod send_portal_link;
pub mod send_promotion;
pub mod send_service_reminder;

use std::fmt::Debug;

use loco_rs::{app::AppContext, bgworker::BackgroundWorker};
use serde_json::Value;
use uuid::Uuid;

use crate::{
    messages::{Kind, Sent},
    models::{error::DomainResult, job_subjects::Subject},
    queue::GiveUp,
};

/// Runs one job of `class` with its argument here, as a worker process
/// would: what a process without workers does with the jobs its changes
/// wrote (`queue::kick`).
///
/// # Errors
/// As the job's worker; an unknown class or arguments that do not fit it.
pub async fn perform(ctx: &AppContext, class: &str, args: Value) -> loco_rs::Result<()> {
    async fn run<W, A>(ctx: &AppContext, args: Value) -> loco_rs::Result<()>
    where
        W: BackgroundWorker<A>,
        A: serde::de::DeserializeOwned + serde::Serialize + Send + Sync + 'static,
    {
        W::build(ctx).perform(serde_json::from_value(args)?).await
    }
    match class {
        "SendServiceReminder" => {
            run::<send_service_reminder::SendServiceReminder, _>(ctx, args).await
        }
        "DeliverInvoice" => run::<deliver_invoice::DeliverInvoice, _>(ctx, args).await,
        "RepairStatusUpdate" => run::<repair_status_update::RepairStatusUpdate, _>(ctx, args).await,
        "LowStockDigest" => run::<low_stock_digest::LowStockDigest, _>(ctx, args).await,
        "SendPromotion" => run::<send_promotion::SendPromotion, _>(ctx, args).await,
        "SendEstimate" => run::<send_estimate::SendEstimate, _>(ctx, args).await,
        "SendPortalLink" => run::<send_portal_link::SendPortalLink, _>(ctx, args).await,
        _ => Err(loco_rs::Error::Message(format!(
            "no worker for the job class {class:?}"
        ))),
    }
}

/// The message a job of `class` with `args` sends: its ledger kind,
/// subject and (where the job names it) cycle, so that retrying a dead job
/// gives that message more time too.
#[must_use]
pub fn delivery_of(class: &str, args: &Value) -> Option<(Kind, Uuid, Option<String>)> {
    let text = |field: &str| args.get(field).and_then(Value::as_str).map(String::from);
    let (kind, cycle) = match class {
        "SendServiceReminder" => (Kind::ServiceReminder, text("due_on")),
        "DeliverInvoice" => (Kind::Invoice, None),
        "RepairStatusUpdate" => (Kind::RepairStatus, None),
        "SendEstimate" => (Kind::Estimate, None),
        "SendPortalLink" => (Kind::PortalLink, None),
        "LowStockDigest" => (Kind::LowStockDigest, text("on")),
        "SendPromotion" if args.get("customer_id").is_some() => {
            (Kind::Promotion, text("customer_id"))
        }
        _ => return None,
    };
    let subject = match subject_of(class, args)? {
        Subject::Vehicle(id)
        | Subject::Invoice(id)
        | Subject::RepairOrder(id)
        | Subject::Promotion(id)
        | Subject::User(id)
        | Subject::PortalLink(id) => id,
    };
    Some((kind, subject, cycle))
}

/// What a job of `class` with argument `args` is about, which says whose it
/// is (the jobs view shows an organization only its own). `None` for a class
/// no worker here runs, or arguments that name nothing.
#[must_use]
pub fn subject_of(class: &str, args: &Value) -> Option<Subject> {
    let id = |field: &str| args.get(field)?.as_str()?.parse::<Uuid>().ok();
    match class {
        "SendServiceReminder" => id("vehicle_id").map(Subject::Vehicle),
        "DeliverInvoice" => id("invoice_id").map(Subject::Invoice),
        "RepairStatusUpdate" | "SendEstimate" => id("repair_order_id").map(Subject::RepairOrder),
        "LowStockDigest" => id("user_id").map(Subject::User),
        "SendPromotion" => id("promotion_id").map(Subject::Promotion),
        "SendPortalLink" => id("link_id").map(Subject::PortalLink),
        _ => None,
    }
}

/// A job's end: done, or ended for good (an unknown or foreign id, a rule
/// that will not change), or failed for the queue to retry (the database or
/// the mail server was not there).
///
/// # Errors
/// Only for what trying again may mend.
pub fn finish<T: Debug>(job: &str, outcome: DomainResult<T>) -> loco_rs::Result<()> {
    match outcome {
        Ok(done) => {
            tracing::info!(job, outcome = ?done, "job done");
            Ok(())
        }
        Err(err) if !err.is_transient() => {
            tracing::warn!(job, error = %err, "job ended without a retry");
            Ok(())
        }
        Err(err) => Err(err.into()),
    }
}

/// A message job's end: as `finish`, and a message given up past its
/// deadline makes the job dead, with the reason, for people to see and
/// retry.
///
/// # Errors
/// For what trying again may mend, and for a message given up.
pub fn finish_message(job: &str, outcome: DomainResult<Sent>) -> loco_rs::Result<()> {
    match outcome {
        Ok(Sent::GivenUp(reason)) => Err(GiveUp(reason).into()),
        outcome => finish(job, outcome),
    }
}
