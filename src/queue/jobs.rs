//! The jobs view (`GET /api/jobs`): what waits, what runs, what waits for a
//! retry and what died, on whichever backend runs the jobs; and retrying or
//! discarding one.
//!
//! Queue sizes and the busy count are the installation's (a queue is
//! shared); the jobs listed, retried or discarded are only those about the
//! caller's organization and sites: a job carries ids, and the database
//! says whose they are (`models::job_subjects`).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use loco_rs::app::AppContext;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Map, Value};

use super::{sidekiq::SidekiqQueue, table::TableQueue};
use crate::{
    messages::ledger,
    models::{
        actor::Actor,
        error::{DomainError, DomainResult},
        job_subjects::{self, Subject},
        now_at,
    },
    workers,
};

/// At most this many entries of the retry and dead sets are looked at.
pub const SCAN_LIMIT: usize = 1000;

/// Where jobs wait.
pub enum Backend {
    /// Sidekiq's queues in Redis.
    Sidekiq(Arc<SidekiqQueue>),
    /// The jobs table in the application's database.
    Embedded(Arc<TableQueue>),
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
        } else if let Some(table) = ctx.shared_store.get::<Arc<TableQueue>>() {
            Self::Embedded(table)
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
            Self::Embedded(_) => embedded::snapshot(db).await?,
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
        // A message given up past its deadline gets another span of time
        // first, or the job would find it given up and end at once.
        let revive_message = |entry: Option<Entry>| async move {
            if let Some((kind, subject, cycle)) = entry
                .as_ref()
                .and_then(|entry| workers::delivery_of(&entry.class, &entry.args))
            {
                ledger::revive(
                    &ctx.db,
                    kind,
                    subject,
                    cycle.as_deref(),
                    now_at(actor.clock),
                )
                .await?;
            }
            DomainResult::Ok(())
        };
        match self {
            Self::Sidekiq(sidekiq) => {
                let (set, payload) = sidekiq_entry(sidekiq, &ctx.db, actor, jid).await?;
                revive_message(Entry::from_sidekiq(&payload, 0.0)).await?;
                if !sidekiq.revive(set, &payload).await.map_err(upstream)? {
                    return Err(DomainError::NotFound("job"));
                }
            }
            Self::Embedded(table) => {
                let entry = embedded::visible_failed(&ctx.db, actor, jid).await?;
                revive_message(Some(entry)).await?;
                if super::table::retry_dead(&ctx.db, Some(jid)).await? == 0 {
                    return Err(DomainError::NotFound("job"));
                }
                table.wake();
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
            Self::Embedded(_) => {
                embedded::visible_failed(&ctx.db, actor, jid).await?;
                if !super::table::discard(&ctx.db, jid).await? {
                    return Err(DomainError::NotFound("job"));
                }
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

/// The jobs table (`queue_jobs`): waiting jobs by queue, running ones,
/// retries waiting for their time, and dead jobs with why they died.
mod embedded {
    use super::{
        job_subjects, workers, Actor, ConnectionTrait, DomainError, DomainResult, Entry, Snapshot,
        Statement, Value, SCAN_LIMIT,
    };

    pub async fn snapshot(db: &impl ConnectionTrait) -> DomainResult<Snapshot> {
        let backend = db.get_database_backend();
        let now = chrono::Utc::now().fixed_offset();
        let counts = db
            .query_all_raw(Statement::from_sql_and_values(
                backend,
                "SELECT queue, CASE WHEN status = 'running' THEN 'running' ELSE 'queued' END AS state, \
                 COUNT(*) AS n FROM queue_jobs \
                 WHERE status = 'running' OR (status = 'queued' AND run_at <= $1) GROUP BY queue, state",
                [now.into()],
            ))
            .await?;
        let mut queues: Vec<(String, u64)> = Vec::new();
        let mut busy = 0;
        for row in counts {
            let queue: String = row.try_get("", "queue")?;
            let state: String = row.try_get("", "state")?;
            let n = u64::try_from(row.try_get::<i64>("", "n")?).unwrap_or_default();
            if state == "running" {
                busy += n;
            } else {
                queues.push((queue, n));
            }
        }
        if queues.is_empty() {
            queues.push(("default".to_string(), 0));
        }
        queues.sort();
        Ok(Snapshot {
            backend: "embedded",
            queues,
            busy,
            retries: listed(db, Listed::Retries, None).await?,
            dead: listed(db, Listed::Dead, None).await?,
        })
    }

    #[derive(Clone, Copy, PartialEq, Eq)]
    enum Listed {
        /// Failed, waiting for their retry's time: soonest first.
        Retries,
        /// Dead: latest first.
        Dead,
    }

    /// The retries or the dead jobs, or the one with `jid`.
    async fn listed(
        db: &impl ConnectionTrait,
        which: Listed,
        jid: Option<&str>,
    ) -> DomainResult<Vec<Entry>> {
        let backend = db.get_database_backend();
        let mut sql =
            "SELECT jid, class, queue, args, error, retry_count, created_at, run_at, updated_at \
                       FROM queue_jobs WHERE "
                .to_string();
        let mut values: Vec<sea_orm::Value> = Vec::new();
        if which == Listed::Dead {
            sql.push_str("status = 'dead'");
        } else {
            sql.push_str("status = 'queued' AND retry_count > 0 AND run_at > $1");
            values.push(chrono::Utc::now().fixed_offset().into());
        }
        if let Some(jid) = jid {
            sql.push_str(&format!(" AND jid = ${}", values.len() + 1));
            values.push(jid.into());
        }
        sql.push_str(if which == Listed::Dead {
            " ORDER BY updated_at DESC"
        } else {
            " ORDER BY run_at"
        });
        sql.push_str(&format!(" LIMIT {SCAN_LIMIT}"));
        let rows = db
            .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
            .await?;
        let mut entries = Vec::with_capacity(rows.len());
        for row in rows {
            let class: String = row.try_get("", "class")?;
            let args: String = row.try_get("", "args")?;
            let args: Value = serde_json::from_str(&args).unwrap_or(Value::Null);
            let run_at: sea_orm::prelude::DateTimeWithTimeZone = row.try_get("", "run_at")?;
            let updated_at: sea_orm::prelude::DateTimeWithTimeZone =
                row.try_get("", "updated_at")?;
            let retry_count: i32 = row.try_get("", "retry_count")?;
            entries.push(Entry {
                jid: row.try_get("", "jid")?,
                subject: workers::subject_of(&class, &args),
                class,
                args,
                queue: row.try_get("", "queue")?,
                error: row.try_get("", "error")?,
                retry_count: u64::try_from(retry_count - 1).ok(),
                failed_at: Some(updated_at.to_utc()),
                at: Some(
                    if which == Listed::Dead {
                        updated_at
                    } else {
                        run_at
                    }
                    .to_utc(),
                ),
            });
        }
        Ok(entries)
    }

    /// The failed job `jid` (dead or waiting for a retry), if it is the
    /// actor's to see.
    pub async fn visible_failed(
        db: &impl ConnectionTrait,
        actor: &Actor,
        jid: &str,
    ) -> DomainResult<Entry> {
        let mut found = listed(db, Listed::Dead, Some(jid)).await?;
        found.extend(listed(db, Listed::Retries, Some(jid)).await?);
        let entry = found.pop().ok_or(DomainError::NotFound("job"))?;
        let subjects: Vec<_> = entry.subject.into_iter().collect();
        let owners = job_subjects::owners(db, &subjects).await?;
        if job_subjects::visible_to(actor, &owners, entry.subject) {
            Ok(entry)
        } else {
            Err(DomainError::NotFound("job"))
        }
    }
}
