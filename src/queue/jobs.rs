//! The jobs view (`GET /api/jobs`): what waits, what runs, what waits for a
//! retry and what died, on whichever backend runs the jobs; and retrying or
//! discarding one.
//!
//! Queue sizes and the busy count are the installation's (a queue is
//! shared); the jobs listed, retried or discarded are only those about the
//! caller's organization and sites: a job carries ids, and the database
//! says whose they are (`models::job_subjects`).

use std::{collections::HashMap, sync::Arc};

use chrono::{DateTime, Utc};
use loco_rs::{app::AppContext, config::WorkerMode};
use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};
use serde_json::{Map, Value};

use super::sidekiq::SidekiqQueue;
use crate::{
    models::{
        actor::Actor,
        error::{DomainError, DomainResult},
        job_subjects::{self, Subject},
    },
    workers,
};

/// At most this many entries of the retry and dead sets are looked at.
pub const SCAN_LIMIT: usize = 1000;

/// Where jobs wait.
pub enum Backend {
    /// Sidekiq's queues in Redis.
    Sidekiq(Arc<SidekiqQueue>),
    /// Loco's queue in the application's database.
    Embedded,
    /// No queue: jobs run inside the request that asked for them (tests).
    Inline,
}

/// What the jobs view shows.
#[derive(Debug)]
pub struct Snapshot {
    pub backend: &'static str,
    pub queues: Vec<(String, u64)>,
    pub busy: u64,
    pub retries: Vec<Entry>,
    pub dead: Vec<Entry>,
}

/// One job of the retry or dead set.
#[derive(Debug)]
pub struct Entry {
    pub jid: String,
    pub class: String,
    pub args: Value,
    pub queue: String,
    pub error: Option<String>,
    pub retry_count: Option<u64>,
    pub failed_at: Option<DateTime<Utc>>,
    /// When it is retried (retry set) or when it died (dead set).
    pub at: Option<DateTime<Utc>>,
    subject: Option<Subject>,
}

impl Entry {
    fn from_sidekiq(payload: &str, score: f64) -> Option<Self> {
        let job: Map<String, Value> = serde_json::from_str(payload).ok()?;
        let class = job.get("class")?.as_str()?.to_string();
        let args = match job.get("args") {
            Some(Value::Array(args)) if args.len() == 1 => args[0].clone(),
            Some(args) => args.clone(),
            None => Value::Null,
        };
        Some(Self {
            jid: job.get("jid")?.as_str()?.to_string(),
            subject: workers::subject_of(&class, &args),
            class,
            args,
            queue: job
                .get("queue")
                .and_then(Value::as_str)
                .unwrap_or("default")
                .to_string(),
            error: job
                .get("error_message")
                .and_then(Value::as_str)
                .map(String::from),
            retry_count: job.get("retry_count").and_then(Value::as_u64),
            failed_at: job
                .get("failed_at")
                .and_then(Value::as_f64)
                .and_then(instant),
            at: instant(score),
        })
    }
}

impl Backend {
    /// The backend this process enqueues to.
    #[must_use]
    pub fn of(ctx: &AppContext) -> Self {
        if let Some(sidekiq) = ctx.shared_store.get::<Arc<SidekiqQueue>>() {
            Self::Sidekiq(sidekiq)
        } else if ctx.config.workers.mode == WorkerMode::BackgroundQueue
            && ctx.queue_provider.is_some()
        {
            Self::Embedded
        } else {
            Self::Inline
        }
    }

    /// The view for `actor`.
    ///
    /// # Errors
    /// `Upstream` when Redis cannot be reached; database failures.
    pub async fn snapshot(
        &self,
        db: &impl ConnectionTrait,
        actor: &Actor,
    ) -> DomainResult<Snapshot> {
        let mut snapshot = match self {
            Self::Sidekiq(sidekiq) => {
                let parse = |entries: Vec<(String, f64)>| -> Vec<Entry> {
                    entries
                        .iter()
                        .filter_map(|(payload, score)| Entry::from_sidekiq(payload, *score))
                        .collect()
                };
                Snapshot {
                    backend: "sidekiq",
                    queues: sidekiq.sizes().await.map_err(upstream)?,
                    busy: sidekiq.busy().await.map_err(upstream)?,
                    retries: parse(
                        sidekiq
                            .entries("retry", SCAN_LIMIT)
                            .await
                            .map_err(upstream)?,
                    ),
                    dead: parse(
                        sidekiq
                            .entries("dead", SCAN_LIMIT)
                            .await
                            .map_err(upstream)?,
                    ),
                }
            }
            Self::Embedded => embedded::snapshot(db).await?,
            Self::Inline => Snapshot {
                backend: "inline",
                queues: Vec::new(),
                busy: 0,
                retries: Vec::new(),
                dead: Vec::new(),
            },
        };
        let subjects: Vec<Subject> = snapshot
            .retries
            .iter()
            .chain(&snapshot.dead)
            .filter_map(|entry| entry.subject)
            .collect();
        let owners = job_subjects::owners(db, &subjects).await?;
        let visible = |entry: &Entry| job_subjects::visible_to(actor, &owners, entry.subject);
        snapshot.retries.retain(visible);
        snapshot.dead.retain(visible);
        Ok(snapshot)
    }

    /// Runs a failed job again now.
    ///
    /// # Errors
    /// `NotFound` when no failed job of the actor's has this id.
    pub async fn retry(&self, ctx: &AppContext, actor: &Actor, jid: &str) -> DomainResult<()> {
        match self {
            Self::Sidekiq(sidekiq) => {
                let (set, payload) = sidekiq_entry(sidekiq, &ctx.db, actor, jid).await?;
                if !sidekiq.revive(set, &payload).await.map_err(upstream)? {
                    return Err(DomainError::NotFound("job"));
                }
            }
            Self::Embedded => {
                embedded::visible_failed(&ctx.db, actor, jid).await?;
                let queue = ctx
                    .queue_provider
                    .as_ref()
                    .ok_or(DomainError::NotFound("job"))?;
                let moved = queue
                    .retry_failed(Some(jid))
                    .await
                    .map_err(|err| DomainError::Internal(err.to_string()))?;
                if moved == 0 {
                    return Err(DomainError::NotFound("job"));
                }
            }
            Self::Inline => return Err(DomainError::NotFound("job")),
        }
        tracing::info!(jid, by = %actor.user.pid, "failed job retried");
        Ok(())
    }

    /// Drops a failed job for good.
    ///
    /// # Errors
    /// `NotFound` when no failed job of the actor's has this id.
    pub async fn discard(&self, ctx: &AppContext, actor: &Actor, jid: &str) -> DomainResult<()> {
        match self {
            Self::Sidekiq(sidekiq) => {
                let (set, payload) = sidekiq_entry(sidekiq, &ctx.db, actor, jid).await?;
                if !sidekiq.discard(set, &payload).await.map_err(upstream)? {
                    return Err(DomainError::NotFound("job"));
                }
            }
            Self::Embedded => {
                embedded::visible_failed(&ctx.db, actor, jid).await?;
                embedded::delete_failed(&ctx.db, jid).await?;
            }
            Self::Inline => return Err(DomainError::NotFound("job")),
        }
        tracing::info!(jid, by = %actor.user.pid, "failed job discarded");
        Ok(())
    }
}

/// The retry- or dead-set entry `jid`, if it is the actor's to see.
async fn sidekiq_entry(
    sidekiq: &SidekiqQueue,
    db: &impl ConnectionTrait,
    actor: &Actor,
    jid: &str,
) -> DomainResult<(&'static str, String)> {
    let (set, payload) = sidekiq
        .find(jid)
        .await
        .map_err(upstream)?
        .ok_or(DomainError::NotFound("job"))?;
    let subject = Entry::from_sidekiq(&payload, 0.0).and_then(|entry| entry.subject);
    let owners = job_subjects::owners(db, &subject.into_iter().collect::<Vec<_>>()).await?;
    if job_subjects::visible_to(actor, &owners, subject) {
        Ok((set, payload))
    } else {
        Err(DomainError::NotFound("job"))
    }
}

fn upstream(err: loco_rs::Error) -> DomainError {
    DomainError::Upstream(format!("the job queue: {err}"))
}

fn instant(seconds: f64) -> Option<DateTime<Utc>> {
    let seconds = if seconds > 1e11 {
        seconds / 1000.0
    } else {
        seconds
    };
    #[allow(clippy::cast_possible_truncation)]
    DateTime::from_timestamp_millis((seconds * 1000.0) as i64)
}

/// Loco's queue table: `sqlt_loco_queue` or `pg_loco_queue`. It has no
/// retries (a failed job stays failed; the sweeps re-derive what it was
/// for), so its failed jobs are the dead set.
mod embedded {
    use super::{
        job_subjects, workers, Actor, ConnectionTrait, DatabaseBackend, DomainError, DomainResult,
        Entry, HashMap, Snapshot, Statement, Value, SCAN_LIMIT,
    };

    fn table(backend: DatabaseBackend) -> &'static str {
        if backend == DatabaseBackend::Postgres {
            "pg_loco_queue"
        } else {
            "sqlt_loco_queue"
        }
    }

    fn timestamp(backend: DatabaseBackend, column: &str) -> String {
        if backend == DatabaseBackend::Postgres {
            format!("to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')")
        } else {
            format!("strftime('%Y-%m-%dT%H:%M:%SZ', {column})")
        }
    }

    pub async fn snapshot(db: &impl ConnectionTrait) -> DomainResult<Snapshot> {
        let backend = db.get_database_backend();
        let table = table(backend);
        let counts = db
            .query_all_raw(Statement::from_string(
                backend,
                format!("SELECT status, COUNT(*) AS n FROM {table} WHERE status IN ('queued', 'processing') GROUP BY status"),
            ))
            .await?;
        let mut by_status = HashMap::new();
        for row in counts {
            let status: String = row.try_get("", "status")?;
            let n: i64 = row.try_get("", "n")?;
            by_status.insert(status, u64::try_from(n).unwrap_or_default());
        }
        let dead = failed(db, None).await?;
        Ok(Snapshot {
            backend: "embedded",
            queues: vec![(
                "default".to_string(),
                by_status.get("queued").copied().unwrap_or_default(),
            )],
            busy: by_status.get("processing").copied().unwrap_or_default(),
            retries: Vec::new(),
            dead,
        })
    }

    /// Failed jobs, latest first (or the one with `id`).
    async fn failed(db: &impl ConnectionTrait, id: Option<&str>) -> DomainResult<Vec<Entry>> {
        let backend = db.get_database_backend();
        let mut sql = format!(
            "SELECT id, name, CAST(task_data AS TEXT) AS data, {} AS failed_at FROM {} WHERE status = 'failed'",
            timestamp(backend, "updated_at"),
            table(backend),
        );
        let mut values = Vec::new();
        if let Some(id) = id {
            sql.push_str(if backend == DatabaseBackend::Postgres {
                " AND id = $1"
            } else {
                " AND id = ?"
            });
            values.push(id.into());
        }
        sql.push_str(&format!(" ORDER BY updated_at DESC LIMIT {SCAN_LIMIT}"));
        let rows = db
            .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
            .await?;
        let mut entries = Vec::with_capacity(rows.len());
        for row in rows {
            let class: String = row.try_get("", "name")?;
            let data: String = row.try_get("", "data")?;
            let failed_at: Option<String> = row.try_get("", "failed_at")?;
            let mut args: Value = serde_json::from_str(&data).unwrap_or(Value::Null);
            // Loco keeps the error inside the job's data.
            let error = args
                .as_object_mut()
                .and_then(|args| args.remove("error"))
                .and_then(|error| error.as_str().map(String::from));
            let failed_at = failed_at
                .and_then(|at| chrono::DateTime::parse_from_rfc3339(&at).ok())
                .map(|at| at.to_utc());
            entries.push(Entry {
                jid: row.try_get("", "id")?,
                subject: workers::subject_of(&class, &args),
                class,
                args,
                queue: "default".to_string(),
                error,
                retry_count: None,
                failed_at,
                at: failed_at,
            });
        }
        Ok(entries)
    }

    /// The failed job `id`, if it is the actor's to see.
    pub async fn visible_failed(
        db: &impl ConnectionTrait,
        actor: &Actor,
        id: &str,
    ) -> DomainResult<()> {
        let entry = failed(db, Some(id))
            .await?
            .pop()
            .ok_or(DomainError::NotFound("job"))?;
        let subjects: Vec<_> = entry.subject.into_iter().collect();
        let owners = job_subjects::owners(db, &subjects).await?;
        if job_subjects::visible_to(actor, &owners, entry.subject) {
            Ok(())
        } else {
            Err(DomainError::NotFound("job"))
        }
    }

    pub async fn delete_failed(db: &impl ConnectionTrait, id: &str) -> DomainResult<()> {
        let backend = db.get_database_backend();
        let placeholder = if backend == DatabaseBackend::Postgres {
            "$1"
        } else {
            "?"
        };
        let deleted = db
            .execute_raw(Statement::from_sql_and_values(
                backend,
                format!(
                    "DELETE FROM {} WHERE id = {placeholder} AND status = 'failed'",
                    table(backend)
                ),
                [id.into()],
            ))
            .await?;
        if deleted.rows_affected() == 0 {
            return Err(DomainError::NotFound("job"));
        }
        Ok(())
    }
}
