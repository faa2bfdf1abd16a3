//! Where jobs wait: Loco's embedded queue in the application's database (the
//! default), or Sidekiq's queues in Redis when `REDIS_URL` is set
//! (docs/architecture.md, "Background work").

pub mod jobs;
pub mod sidekiq;

use std::sync::Arc;

use loco_rs::{app::AppContext, bgworker::Queue};

use crate::settings::SidekiqSettings;

/// The queue the settings ask for, installed over the one Loco built from
/// `queue:` (`App::after_context`). Without `REDIS_URL`, Loco's own.
///
/// # Errors
/// When `REDIS_URL` is not a Redis URL.
pub fn install(ctx: AppContext, settings: &SidekiqSettings) -> loco_rs::Result<AppContext> {
    if !settings.enabled() {
        return Ok(ctx);
    }
    let provider = Arc::new(sidekiq::SidekiqQueue::new(settings.clone())?);
    tracing::info!(queue = %loco_rs::bgworker::QueueProvider::describe(provider.as_ref()), "jobs go to Sidekiq's queues");
    // The jobs view reads Redis through the same provider.
    ctx.shared_store.insert(provider.clone());
    Ok(ctx
        .into_builder()
        .queue_provider(Arc::new(Queue::from_provider(provider)))
        .build())
}
