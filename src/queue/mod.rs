//! Where jobs wait: the jobs table in the application's database (the
//! embedded queue, the default), or Sidekiq's queues in Redis when
//! `REDIS_URL` is set, fed from that same table by a relay
//! (docs/architecture.md, "Background work").
//!
//! A job that a change causes is written into the change's own `Write`
//! (`later`), and `kick` after the commit gets it going: so a rollback
//! leaves no job, and a crash or an unreachable Redis after the commit
//! loses none.

pub mod jobs;
pub mod sidekiq;
pub mod table;

use std::sync::Arc;

use loco_rs::{
    app::AppContext,
    bgworker::{BackgroundWorker, Queue},
    config::WorkerMode,
};
use serde::Serialize;

use crate::{
    models::{error::DomainResult, Write},
    settings::SidekiqSettings,
};

/// What a job returns when what it was for is no longer worth doing (a
/// message past its deadline): the queue buries it at once, with this
/// reason, instead of retrying.
#[derive(Debug, thiserror::Error)]
#[error("given up: {0}")]
pub struct GiveUp(pub String);

impl GiveUp {
    /// The give-up inside a job's error, if that is what it is.
    #[must_use]
    pub fn of(err: &loco_rs::Error) -> Option<&Self> {
        match err {
            loco_rs::Error::Any(inner) => inner.downcast_ref(),
            _ => None,
        }
    }
}

impl From<GiveUp> for loco_rs::Error {
    fn from(give_up: GiveUp) -> Self {
        Self::Any(Box::new(give_up))
    }
}

/// A worker process's name: host, process id and a nonce, so two queues in
/// one process (tests) are two holders too.
#[must_use]
pub fn identity() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "localhost".to_string());
    let nonce = uuid::Uuid::new_v4().simple().to_string();
    format!("{host}:{}:{}", std::process::id(), &nonce[..12])
}

/// The queue a job is to wait in, if a worker takes jobs from it: a job
/// pushed to a queue nobody reads would wait for ever.
///
/// # Errors
/// When no worker process reads `queue`.
pub fn known_queue(settings: &SidekiqSettings, queue: Option<String>) -> loco_rs::Result<String> {
    let queue = queue.unwrap_or_else(|| "default".to_string());
    if settings.queues.is_empty() && queue == "default" || settings.queues.contains(&queue) {
        Ok(queue)
    } else {
        Err(loco_rs::Error::Message(format!(
            "no worker takes jobs from the queue {queue:?} (the queues are {:?})",
            settings.queues
        )))
    }
}

/// The queue worker `W`'s jobs go to (`None`: `default`).
#[must_use]
pub fn queue_of<W, A>() -> Option<String>
where
    W: BackgroundWorker<A>,
    A: Serialize + Send + Sync + 'static,
{
    W::queue()
}

/// Writes a job of worker `W` into the change `txn` is making: it exists
/// if and when `txn` commits. Call `kick` after the commit.
///
/// # Errors
/// When the database fails.
pub async fn later<W, A>(txn: &Write, args: &A) -> DomainResult<()>
where
    W: BackgroundWorker<A>,
    A: Serialize + Send + Sync + 'static,
{
    table::push::<W, A>(txn, args).await?;
    Ok(())
}

/// Gets the jobs a committed change wrote going: with workers in this
/// process, wakes them (or the relay to Redis); without any
/// (`ForegroundBlocking`), runs them here. Nothing is lost if this is not
/// called: workers elsewhere find the jobs on their next look.
pub async fn kick(ctx: &AppContext) {
    match jobs::Backend::of(ctx) {
        jobs::Backend::Sidekiq(sidekiq) => sidekiq.wake_relay(),
        jobs::Backend::Embedded(table) => table.wake(),
        jobs::Backend::Inline => {
            if let Err(err) = table::drain(ctx).await {
                tracing::warn!(error = %err, "jobs were not run now; a worker runs them");
            }
        }
    }
}

/// Every `period`, `tick(shared)`, until `stop` says so: a queue's upkeep
/// (heartbeats, reapers, renewals), whose failures are logged and tried
/// again at the next tick.
async fn every<T, E, F, Fut>(
    shared: Arc<T>,
    mut stop: tokio::sync::watch::Receiver<bool>,
    period: std::time::Duration,
    what: &'static str,
    tick: F,
) where
    F: Fn(Arc<T>) -> Fut + Send,
    Fut: std::future::Future<Output = Result<(), E>> + Send,
    E: std::fmt::Display,
{
    let mut interval = tokio::time::interval(period);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    while !*stop.borrow_and_update() {
        tokio::select! {
            _ = interval.tick() => {
                if let Err(err) = tick(shared.clone()).await {
                    tracing::warn!(error = %err, what, "queue upkeep failed");
                }
            }
            _ = stop.changed() => return,
        }
    }
}

/// The queue the settings ask for, installed over the one Loco built from
/// `queue:` (`App::after_context`): Sidekiq's with `REDIS_URL`, the jobs
/// table otherwise.
///
/// # Errors
/// When `REDIS_URL` is not a Redis URL.
pub fn install(ctx: AppContext, settings: &SidekiqSettings) -> loco_rs::Result<AppContext> {
    if settings.enabled() {
        let provider = Arc::new(sidekiq::SidekiqQueue::new(
            settings.clone(),
            Some(ctx.db.clone()),
        )?);
        tracing::info!(queue = %loco_rs::bgworker::QueueProvider::describe(provider.as_ref()), "jobs go to Sidekiq's queues");
        // The jobs view reads Redis through the same provider.
        ctx.shared_store.insert(provider.clone());
        return Ok(ctx
            .into_builder()
            .queue_provider(Arc::new(Queue::from_provider(provider)))
            .build());
    }
    if ctx.config.workers.mode != WorkerMode::BackgroundQueue {
        return Ok(ctx);
    }
    let provider = Arc::new(table::TableQueue::new(ctx.db.clone(), settings.clone()));
    ctx.shared_store.insert(provider.clone());
    Ok(ctx
        .into_builder()
        .queue_provider(Arc::new(Queue::from_provider(provider)))
        .build())
}
