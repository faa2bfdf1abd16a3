//! `karakana task NAME` commands, one file each.

pub mod deliver_invoices;
pub mod prune_login_attempts;
pub mod seed_demo;
pub mod send_due_promotions;
pub mod send_estimates;
pub mod send_low_stock_digests;
pub mod send_repair_status_updates;
pub mod send_service_reminders;

use loco_rs::{app::AppContext, bgworker::BackgroundWorker};
use serde::Serialize;

/// Enqueues one job of `W` per argument; returns how many were enqueued and
/// how many failed. With the embedded queue in tests (`ForegroundBlocking`)
/// each job runs here: one that fails is recorded in the ledger and taken
/// again by the next sweep, and must not stop the others.
pub async fn enqueue_all<W, A>(ctx: &AppContext, jobs: impl Iterator<Item = A>) -> (usize, usize)
where
    W: BackgroundWorker<A>,
    A: Serialize + Send + Sync + 'static,
{
    let (mut enqueued, mut failed) = (0, 0);
    for args in jobs {
        match W::perform_later(ctx, args).await {
            Ok(_) => enqueued += 1,
            Err(err) => {
                failed += 1;
                tracing::warn!(job = %W::class_name(), error = %err, "a job failed");
            }
        }
    }
    (enqueued, failed)
}
