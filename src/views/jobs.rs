use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::queue::jobs::{Entry, Snapshot};

/// Background work at a glance: queue sizes and jobs running (the whole
/// installation's), and the caller's failed jobs waiting for a retry or dead.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobsResponse {
    /// `sidekiq` (Redis), `embedded` (the application's database) or
    /// `inline` (jobs run inside requests; nothing waits).
    #[schema(example = "sidekiq")]
    pub backend: &'static str,
    pub queues: Vec<QueueSize>,
    /// Jobs running now.
    pub busy: u64,
    /// Failed jobs that will run again (Sidekiq only), soonest first.
    pub retries: Vec<JobResponse>,
    /// Jobs whose retries are spent, latest first.
    pub dead: Vec<JobResponse>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QueueSize {
    #[schema(example = "default")]
    pub name: String,
    pub size: u64,
}

/// A failed job.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobResponse {
    #[schema(example = "0f3d3e0b5c1a4f6e8d9c7b2a")]
    pub jid: String,
    #[schema(example = "DeliverInvoice")]
    pub class: String,
    /// The job's one argument, e.g. `{"invoice_id": "…"}`.
    #[schema(value_type = Object)]
    pub args: Value,
    pub queue: String,
    /// What the last attempt failed with.
    pub error: Option<String>,
    /// Retries so far (Sidekiq's `retry_count`: 0 after the first failure).
    pub retry_count: Option<u64>,
    pub failed_at: Option<String>,
    /// When it runs again (retries) or when it died (dead).
    pub at: Option<String>,
}

fn rfc3339(at: Option<DateTime<Utc>>) -> Option<String> {
    at.map(|at| at.to_rfc3339_opts(SecondsFormat::Secs, true))
}

impl From<Entry> for JobResponse {
    fn from(entry: Entry) -> Self {
        Self {
            jid: entry.jid,
            class: entry.class,
            args: entry.args,
            queue: entry.queue,
            error: entry.error,
            retry_count: entry.retry_count,
            failed_at: rfc3339(entry.failed_at),
            at: rfc3339(entry.at),
        }
    }
}

impl From<Snapshot> for JobsResponse {
    fn from(snapshot: Snapshot) -> Self {
        Self {
            backend: snapshot.backend,
            queues: snapshot
                .queues
                .into_iter()
                .map(|(name, size)| QueueSize { name, size })
                .collect(),
            busy: snapshot.busy,
            retries: snapshot
                .retries
                .into_iter()
                .map(JobResponse::from)
                .collect(),
            dead: snapshot.dead.into_iter().map(JobResponse::from).collect(),
        }
    }
}
