//! Background workers (Loco `BackgroundWorker`s), one file each. Jobs carry
//! ids only and re-read state, so running one twice is harmless; each
//! worker's body is one call into `messages` (docs/architecture.md,
//! "Background work").

pub mod deliver_invoice;
pub mod low_stock_digest;
pub mod repair_status_update;
pub mod send_estimate;
pub mod send_promotion;
pub mod send_service_reminder;

use std::fmt::Debug;

use serde_json::Value;
use uuid::Uuid;

use crate::models::{error::DomainResult, job_subjects::Subject};

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
