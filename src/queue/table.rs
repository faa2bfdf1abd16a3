//! The jobs table, `queue_jobs`: where a job a change causes is written, in
//! the change's own transaction, so that a rollback leaves no job and a
//! crash after the commit loses none.
//!
//! Without Redis it *is* the queue (`TableQueue`, a Loco `QueueProvider`):
//! workers take jobs with one conditional update that names them as the
//! holder until `locked_until`, renew that while they run, delete a job
//! that finished, schedule a failed one's retry with backoff and bury one
//! that gave up (`dead`, with the reason). A job whose holder stopped
//! renewing (killed, frozen, cut off) goes back to `queued` within a lease.
//!
//! With Redis it is the outbox: `relay` moves committed rows to Sidekiq's
//! queues and deletes them in one transaction, so a job reaches Redis once
//! committed (twice at worst, when the process dies between the push and
//! the commit: jobs are safe to run twice), and waits in the table while
//! Redis is away.

use std::{
    collections::HashMap,
    sync::{Arc, RwLock},
    time::Duration,
};

use async_trait::async_trait;
use chrono::{DateTime, FixedOffset, Utc};
use loco_rs::{
    app::AppContext,
    bgworker::{BackgroundWorker, Job, JobHandler, JobStatus, QueueProvider},
    Error, Result,
};
use sea_orm::{
    ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr, QueryResult, Statement, Value,
};
use serde::Serialize;
use tokio::{
    sync::{watch, Notify, Semaphore},
    task::JoinSet,
};

use super::GiveUp;
use crate::{models::Write, settings::SidekiqSettings};

/// Jobs one relay transaction moves to Redis.
const RELAY_BATCH: u64 = 200;

/// A job as the table holds it.
#[derive(Clone, Debug)]
pub struct Row {
    pub id: i64,
    pub jid: String,
    pub class: String,
    pub queue: String,
    pub args: String,
    pub retry_count: i32,
    pub created_at: DateTime<FixedOffset>,
}

impl Row {
    fn read(row: &QueryResult) -> std::result::Result<Self, DbErr> {
        Ok(Self {
            id: row.try_get("", "id")?,
            jid: row.try_get("", "jid")?,
            class: row.try_get("", "class")?,
            queue: row.try_get("", "queue")?,
            args: row.try_get("", "args")?,
            retry_count: row.try_get("", "retry_count")?,
            created_at: row.try_get("", "created_at")?,
        })
    }
}

/// The queue's own time: leases and backoff are about real seconds, not the
/// domain's clock (which tests fix).
fn now() -> DateTime<FixedOffset> {
    Utc::now().fixed_offset()
}

fn later(after: Duration) -> DateTime<FixedOffset> {
    now() + chrono::TimeDelta::from_std(after).unwrap_or(chrono::TimeDelta::MAX)
}

fn statement(db: &impl ConnectionTrait, sql: &str, values: Vec<Value>) -> Statement {
    Statement::from_sql_and_values(db.get_database_backend(), sql, values)
}

/// A new Sidekiq job id: 24 hex characters.
fn new_jid() -> String {
    let mut jid = uuid::Uuid::new_v4().simple().to_string();
    jid.truncate(24);
    jid
}

/// Writes a job of worker `W` into the transaction `txn`: it exists when
/// `txn` commits and not otherwise. Returns its jid.
///
/// # Errors
/// When the arguments do not serialize or the database fails.
pub async fn push<W, A>(txn: &Write, args: &A) -> std::result::Result<String, DbErr>
where
    W: BackgroundWorker<A>,
    A: Serialize + Send + Sync + 'static,
{
    let args = serde_json::to_string(args).map_err(|err| DbErr::Custom(err.to_string()))?;
    let queue = W::queue().unwrap_or_else(|| "default".to_string());
    insert(txn, &W::class_name(), &queue, &args).await
}

async fn insert(
    db: &impl ConnectionTrait,
    class: &str,
    queue: &str,
    args: &str,
) -> std::result::Result<String, DbErr> {
    let jid = new_jid();
    let at = now();
    db.execute_raw(statement(
        db,
        "INSERT INTO queue_jobs (jid, class, queue, args, status, run_at, retry_count, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 'queued', $5, 0, $5, $5)",
        vec![
            jid.clone().into(),
            class.into(),
            queue.into(),
            args.into(),
            at.into(),
        ],
    ))
    .await?;
    Ok(jid)
}

/// Whether any job is waiting to run now: one read, so an idle poll takes
/// no write lock.
async fn any_due(db: &impl ConnectionTrait) -> std::result::Result<bool, DbErr> {
    Ok(db
        .query_one_raw(statement(
            db,
            "SELECT id FROM queue_jobs WHERE status = 'queued' AND run_at <= $1 LIMIT 1",
            vec![now().into()],
        ))
        .await?
        .is_some())
}

/// The Sidekiq side of the relay: pushes rows to their queues.
#[async_trait]
pub trait Pusher: Send + Sync {
    /// Pushes every row to its queue in one step.
    ///
    /// # Errors
    /// When Redis cannot be reached.
    async fn push_rows(&self, rows: &[Row]) -> Result<()>;
}

/// Moves every committed job to Redis, a batch per transaction; how many.
/// A batch Redis did not take stays in the table for the next pass.
///
/// # Errors
/// When the database or Redis fails.
pub async fn relay(db: &DatabaseConnection, to: &dyn Pusher) -> Result<u64> {
    let mut moved = 0;
    loop {
        if !any_due(db).await? {
            return Ok(moved);
        }
        let batch = if db.get_database_backend() == DatabaseBackend::Postgres {
            relay_locked(db, to).await?
        } else {
            relay_unlocked(db, to).await?
        };
        if batch == 0 {
            return Ok(moved);
        }
        moved += batch;
    }
}

const RELAY_SELECT: &str =
    "SELECT id, jid, class, queue, args, retry_count, created_at FROM queue_jobs \
     WHERE status = 'queued' AND run_at <= $1 ORDER BY id";

/// PostgreSQL: the batch's rows stay locked (`SKIP LOCKED` for the other
/// relays) while Redis takes them, and go in the same transaction.
async fn relay_locked(db: &DatabaseConnection, to: &dyn Pusher) -> Result<u64> {
    let txn = Write::begin(db).await?;
    let rows = read_rows(
        &txn,
        &format!("{RELAY_SELECT} LIMIT {RELAY_BATCH} FOR UPDATE SKIP LOCKED"),
    )
    .await?;
    if rows.is_empty() {
        txn.rollback().await?;
        return Ok(0);
    }
    // Pushed before the rows go: a crash in between pushes them again (a
    // job runs twice, harmlessly), never not at all.
    to.push_rows(&rows).await?;
    delete_rows(&txn, &rows).await?;
    txn.commit().await?;
    Ok(rows.len() as u64)
}

/// SQLite: a transaction would hold the database's one write lock while
/// Redis answers (or, when it is down, for its whole timeout), so the batch
/// is read, pushed and only then deleted. Two relays on one database file
/// may push a row twice: the job runs twice, harmlessly.
async fn relay_unlocked(db: &DatabaseConnection, to: &dyn Pusher) -> Result<u64> {
    let rows = read_rows(db, &format!("{RELAY_SELECT} LIMIT {RELAY_BATCH}")).await?;
    if rows.is_empty() {
        return Ok(0);
    }
    to.push_rows(&rows).await?;
    let txn = Write::begin(db).await?;
    delete_rows(&txn, &rows).await?;
    txn.commit().await?;
    Ok(rows.len() as u64)
}

async fn read_rows(db: &impl ConnectionTrait, sql: &str) -> std::result::Result<Vec<Row>, DbErr> {
    db.query_all_raw(statement(db, sql, vec![now().into()]))
        .await?
        .iter()
        .map(Row::read)
        .collect()
}

async fn delete_rows(db: &impl ConnectionTrait, rows: &[Row]) -> std::result::Result<(), DbErr> {
    let ids: Vec<String> = rows.iter().map(|row| row.id.to_string()).collect();
    db.execute_unprepared(&format!(
        "DELETE FROM queue_jobs WHERE id IN ({})",
        ids.join(", ")
    ))
    .await?;
    Ok(())
}

type Handlers = HashMap<String, Arc<JobHandler>>;

/// The embedded queue: Loco's `QueueProvider` on the jobs table.
pub struct TableQueue {
    inner: Arc<Inner>,
}

pub struct Inner {
    db: DatabaseConnection,
    settings: SidekiqSettings,
    identity: String,
    handlers: RwLock<Handlers>,
    /// The jobs this process is running, whose claims it renews.
    held: std::sync::Mutex<std::collections::HashSet<i64>>,
    stop: watch::Sender<bool>,
    /// Woken when this process wrote a job, so an idle worker here takes it
    /// at once rather than at its next poll.
    wake: Notify,
}

impl std::ops::Deref for TableQueue {
    type Target = Inner;

    fn deref(&self) -> &Inner {
        &self.inner
    }
}

impl TableQueue {
    #[must_use]
    pub fn new(db: DatabaseConnection, mut settings: SidekiqSettings) -> Self {
        if settings.queues.is_empty() {
            settings.queues = vec!["default".to_string()];
        }
        Self {
            inner: Arc::new(Inner {
                db,
                settings,
                identity: super::identity(),
                handlers: RwLock::new(HashMap::new()),
                held: std::sync::Mutex::new(std::collections::HashSet::new()),
                stop: watch::channel(false).0,
                wake: Notify::new(),
            }),
        }
    }
}

impl Inner {
    /// Tells this process's workers that a job was written.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Takes up to `limit` due jobs for this process, in one write.
    async fn take(&self, limit: usize) -> std::result::Result<Vec<Row>, DbErr> {
        take(
            &self.db,
            &self.identity,
            self.lease(),
            Which::Queues(&self.settings.queues),
            limit,
        )
        .await
    }

    fn lease(&self) -> Duration {
        Duration::from_secs(self.settings.lease_seconds.max(1))
    }

    /// Renews this process's claims on the jobs it is running (and no
    /// other: a job whose end could not be recorded lapses and runs again).
    async fn renew(&self) -> std::result::Result<(), DbErr> {
        let held: Vec<String> = self
            .held
            .lock()
            .map(|held| held.iter().map(ToString::to_string).collect())
            .unwrap_or_default();
        if held.is_empty() {
            return Ok(());
        }
        self.db
            .execute_raw(statement(
                &self.db,
                &format!(
                    "UPDATE queue_jobs SET locked_until = $1 WHERE worker = $2 AND status = 'running' \
                     AND id IN ({})",
                    held.join(", ")
                ),
                vec![later(self.lease()).into(), self.identity.clone().into()],
            ))
            .await?;
        Ok(())
    }

    /// Returns to the queue the jobs whose holder stopped renewing; how
    /// many.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn reap(&self) -> std::result::Result<u64, DbErr> {
        reap(&self.db).await
    }

    /// Runs one taken job and records how it ended.
    async fn perform(&self, row: Row) {
        let handler = self
            .handlers
            .read()
            .ok()
            .and_then(|handlers| handlers.get(&row.class).cloned());
        let outcome = match handler {
            Some(handler) => match serde_json::from_str(&row.args) {
                Ok(args) => handler(row.jid.clone(), args).await,
                Err(err) => Err(Error::Message(format!("the job's arguments: {err}"))),
            },
            None => Err(Error::Message(format!(
                "no worker for the job class {:?}",
                row.class
            ))),
        };
        let recorded = match outcome {
            Ok(()) => finished(&self.db, &row).await,
            Err(err) => failed(&self.db, &self.settings, &self.identity, &row, &err).await,
        };
        if let Ok(mut held) = self.held.lock() {
            held.remove(&row.id);
        }
        if let Err(err) = recorded {
            // The claim lapses and the job runs again: twice, never never.
            tracing::error!(jid = row.jid, error = %err, "could not record a job's end");
        }
    }

    /// Takes and runs jobs until told to stop: up to `concurrency` at once,
    /// taking as many as there are free hands in one write.
    async fn work(self: Arc<Self>) {
        let hands = Arc::new(Semaphore::new(self.settings.concurrency.max(1)));
        let mut stop = self.stop.subscribe();
        let poll = Duration::from_millis(self.settings.outbox_poll_ms.max(10));
        let mut running = JoinSet::new();
        while !*stop.borrow_and_update() {
            while running.try_join_next().is_some() {}
            let free = hands.available_permits();
            let taken = if free > 0 && any_due(&self.db).await.unwrap_or(false) {
                self.take(free).await.unwrap_or_else(|err| {
                    tracing::warn!(error = %err, "could not take jobs");
                    Vec::new()
                })
            } else {
                Vec::new()
            };
            if taken.is_empty() {
                tokio::select! {
                    () = self.wake.notified() => {}
                    () = tokio::time::sleep(poll) => {}
                    _ = stop.changed() => {}
                    Ok(_) = hands.clone().acquire_owned(), if free == 0 => {}
                }
                continue;
            }
            if let Ok(mut held) = self.held.lock() {
                held.extend(taken.iter().map(|row| row.id));
            }
            for row in taken {
                let Ok(hand) = hands.clone().acquire_owned().await else {
                    break;
                };
                let inner = self.clone();
                running.spawn(async move {
                    inner.perform(row).await;
                    drop(hand);
                });
            }
        }
        // Jobs running now finish; none is abandoned mid-message.
        while running.join_next().await.is_some() {}
    }
}

/// Which due jobs a take is for.
enum Which<'a> {
    /// Those of these queues (a worker).
    Queues(&'a [String]),
    /// Any written after the job with this id (a drain: each job once).
    After(i64),
}

/// Takes up to `limit` due jobs for `holder` until `lease` from now, in one
/// write.
async fn take(
    db: &DatabaseConnection,
    holder: &str,
    lease: Duration,
    which: Which<'_>,
    limit: usize,
) -> std::result::Result<Vec<Row>, DbErr> {
    let lock = if db.get_database_backend() == DatabaseBackend::Postgres {
        " FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    let at = now();
    let mut values: Vec<Value> = vec![holder.into(), later(lease).into(), at.into()];
    let which = match which {
        Which::Queues(queues) => {
            values.extend(queues.iter().map(|queue| queue.clone().into()));
            let placeholders: Vec<String> =
                (0..queues.len()).map(|i| format!("${}", 4 + i)).collect();
            format!("queue IN ({})", placeholders.join(", "))
        }
        Which::After(id) => {
            values.push(id.into());
            "id > $4".to_string()
        }
    };
    let sql = format!(
        "UPDATE queue_jobs SET status = 'running', worker = $1, locked_until = $2, updated_at = $3 \
         WHERE id IN (SELECT id FROM queue_jobs WHERE status = 'queued' AND run_at <= $3 \
         AND {which} ORDER BY id LIMIT {limit}{lock}) \
         RETURNING id, jid, class, queue, args, retry_count, created_at"
    );
    let txn = Write::begin(db).await?;
    let rows = txn.query_all_raw(statement(&txn, &sql, values)).await?;
    txn.commit().await?;
    let mut rows = rows
        .iter()
        .map(Row::read)
        .collect::<std::result::Result<Vec<_>, _>>()?;
    rows.sort_by_key(|row| row.id);
    Ok(rows)
}

/// Returns to the queue every running job whose claim lapsed; how many.
///
/// # Errors
/// When the database fails.
pub async fn reap(db: &impl ConnectionTrait) -> std::result::Result<u64, DbErr> {
    let at = now();
    let reaped = db
        .execute_raw(statement(
            db,
            "UPDATE queue_jobs SET status = 'queued', worker = NULL, locked_until = NULL, updated_at = $1 \
             WHERE status = 'running' AND locked_until < $1",
            vec![at.into()],
        ))
        .await?
        .rows_affected();
    if reaped > 0 {
        tracing::warn!(
            reaped,
            "jobs whose worker stopped renewing went back to the queue"
        );
    }
    Ok(reaped)
}

/// A job that finished: its row goes, and so do dead jobs of the same class
/// and arguments (what they were for has now been done).
async fn finished(db: &impl ConnectionTrait, row: &Row) -> std::result::Result<(), DbErr> {
    db.execute_raw(statement(
        db,
        "DELETE FROM queue_jobs WHERE id = $1 \
         OR id IN (SELECT id FROM queue_jobs WHERE status = 'dead' AND class = $2 AND args = $3)",
        vec![
            row.id.into(),
            row.class.clone().into(),
            row.args.clone().into(),
        ],
    ))
    .await?;
    Ok(())
}

/// A job that failed: retried after its backoff, or dead when it gave up or
/// its retries are spent; if `holder` still holds it (a worker whose claim
/// lapsed and was taken over must not reset the new holder's run).
async fn failed(
    db: &impl ConnectionTrait,
    settings: &SidekiqSettings,
    holder: &str,
    row: &Row,
    err: &Error,
) -> std::result::Result<(), DbErr> {
    let count = u64::try_from(row.retry_count).unwrap_or_default();
    let gave_up = GiveUp::of(err).is_some();
    let (status, run_at) = if gave_up || count >= u64::from(settings.max_retries) {
        tracing::error!(jid = row.jid, class = row.class, error = %err, "job is dead");
        ("dead", now())
    } else {
        let wait = settings.backoff(count);
        tracing::warn!(jid = row.jid, class = row.class, error = %err, retry = count + 1, in_seconds = wait.as_secs_f64(), "job failed; it will be retried");
        ("queued", later(wait))
    };
    db.execute_raw(statement(
        db,
        "UPDATE queue_jobs SET status = $1, run_at = $2, retry_count = retry_count + 1, error = $3, \
         worker = NULL, locked_until = NULL, updated_at = $4 \
         WHERE id = $5 AND worker = $6 AND status = 'running'",
        vec![
            status.into(),
            run_at.into(),
            err.to_string().into(),
            now().into(),
            row.id.into(),
            holder.into(),
        ],
    ))
    .await?;
    Ok(())
}

/// Runs every due job here and now, each once, one after another until
/// none is left (jobs a job writes included): what a process without
/// workers (`ForegroundBlocking`: the tests) does after a change commits. A
/// job that fails waits for its retry: the next drain, or a worker. How
/// many ran.
///
/// # Errors
/// When the database fails.
pub async fn drain(ctx: &AppContext) -> std::result::Result<u64, DbErr> {
    let settings = &crate::settings::Settings::of(ctx).sidekiq;
    let identity = super::identity();
    let lease = Duration::from_secs(settings.lease_seconds.max(1));
    let mut ran = 0;
    let mut after = 0;
    loop {
        let taken = take(&ctx.db, &identity, lease, Which::After(after), 100).await?;
        if taken.is_empty() {
            return Ok(ran);
        }
        for row in taken {
            after = after.max(row.id);
            let outcome = match serde_json::from_str(&row.args) {
                Ok(args) => crate::workers::perform(ctx, &row.class, args).await,
                Err(err) => Err(Error::Message(format!("the job's arguments: {err}"))),
            };
            match outcome {
                Ok(()) => finished(&ctx.db, &row).await?,
                Err(err) => failed(&ctx.db, settings, &identity, &row, &err).await?,
            }
            ran += 1;
        }
    }
}

#[async_trait]
impl QueueProvider for TableQueue {
    async fn enqueue(
        &self,
        class: String,
        queue: Option<String>,
        args: serde_json::Value,
        _tags: Option<Vec<String>>,
        _priority: Option<i32>,
    ) -> Result<Option<String>> {
        let queue = super::known_queue(&self.settings, queue)?;
        let jid = insert(&self.db, &class, &queue, &args.to_string()).await?;
        self.wake();
        Ok(Some(jid))
    }

    async fn register_handler(&self, name: String, handler: JobHandler) -> Result<()> {
        self.handlers
            .write()
            .map_err(|_| Error::Message("the worker registry is poisoned".into()))?
            .insert(name, Arc::new(handler));
        Ok(())
    }

    async fn run(&self, _tags: Vec<String>) -> Result<()> {
        let shared = self.inner.clone();
        if let Err(err) = shared.reap().await {
            tracing::warn!(error = %err, "the first reap failed; the reaper tries again");
        }
        let lease = shared.lease();
        // Renewing and reaping outlive the workers: a job still running
        // after the stop stays this process's until it ends.
        let (done, upkeep_stop) = watch::channel(false);
        let mut tasks = JoinSet::new();
        tasks.spawn(super::every(
            shared.clone(),
            upkeep_stop.clone(),
            lease / 3,
            "renewing claims",
            |queue| async move { queue.renew().await },
        ));
        tasks.spawn(super::every(
            shared.clone(),
            upkeep_stop,
            lease / 2,
            "reaper",
            |queue| async move { queue.reap().await.map(|_| ()) },
        ));
        tracing::info!(identity = %shared.identity, concurrency = shared.settings.concurrency, "embedded queue worker started");
        shared.clone().work().await;
        done.send_replace(true);
        while let Some(joined) = tasks.join_next().await {
            if let Err(err) = joined {
                tracing::error!(error = %err, "a queue task ended abnormally");
            }
        }
        // What this process still holds goes back now, not after a lease.
        shared
            .db
            .execute_raw(statement(
                &shared.db,
                "UPDATE queue_jobs SET status = 'queued', worker = NULL, locked_until = NULL \
                 WHERE worker = $1 AND status = 'running'",
                vec![shared.identity.clone().into()],
            ))
            .await?;
        tracing::info!(identity = %shared.identity, "embedded queue worker stopped");
        Ok(())
    }

    async fn setup(&self) -> Result<()> {
        Ok(())
    }

    async fn clear(&self) -> Result<()> {
        self.db.execute_unprepared("DELETE FROM queue_jobs").await?;
        Ok(())
    }

    async fn ping(&self) -> Result<()> {
        self.db.ping().await?;
        Ok(())
    }

    async fn get_jobs(
        &self,
        status: Option<&Vec<JobStatus>>,
        age_days: Option<i64>,
    ) -> Result<Vec<Job>> {
        let rows = self
            .db
            .query_all_raw(statement(
                &self.db,
                "SELECT id, jid, class, queue, args, retry_count, created_at, status, run_at, updated_at \
                 FROM queue_jobs ORDER BY id",
                vec![],
            ))
            .await?;
        let cutoff = age_days.map(|days| Utc::now() - chrono::TimeDelta::days(days));
        let mut jobs = Vec::new();
        for row in rows {
            let stored: String = row.try_get("", "status")?;
            let job_status = match stored.as_str() {
                "running" => JobStatus::Processing,
                "dead" => JobStatus::Failed,
                _ => JobStatus::Queued,
            };
            if status.is_some_and(|wanted| !wanted.contains(&job_status)) {
                continue;
            }
            let read = Row::read(&row)?;
            if cutoff.is_some_and(|cutoff| read.created_at.to_utc() >= cutoff) {
                continue;
            }
            let run_at: DateTime<FixedOffset> = row.try_get("", "run_at")?;
            let updated_at: DateTime<FixedOffset> = row.try_get("", "updated_at")?;
            jobs.push(Job {
                id: read.jid,
                name: read.class,
                data: serde_json::from_str(&read.args).unwrap_or_default(),
                status: job_status,
                run_at: run_at.to_utc(),
                interval: None,
                created_at: Some(read.created_at.to_utc()),
                updated_at: Some(updated_at.to_utc()),
                tags: None,
                priority: 0,
            });
        }
        Ok(jobs)
    }

    async fn cancel_jobs_by_name(&self, name: &str) -> Result<()> {
        self.db
            .execute_raw(statement(
                &self.db,
                "DELETE FROM queue_jobs WHERE class = $1 AND status = 'queued'",
                vec![name.into()],
            ))
            .await?;
        Ok(())
    }

    async fn clear_by_status(&self, status: Vec<JobStatus>) -> Result<()> {
        self.clear_jobs_older_than(0, Some(&status)).await
    }

    async fn clear_jobs_older_than(
        &self,
        age_days: i64,
        status: Option<&Vec<JobStatus>>,
    ) -> Result<()> {
        let cutoff = (Utc::now() - chrono::TimeDelta::days(age_days)).fixed_offset();
        let stored: Vec<Value> = [
            (JobStatus::Queued, "queued"),
            (JobStatus::Processing, "running"),
            (JobStatus::Failed, "dead"),
        ]
        .iter()
        .filter(|(wanted, _)| status.is_none_or(|list| list.contains(wanted)))
        .map(|(_, name)| (*name).into())
        .collect();
        if stored.is_empty() {
            return Ok(());
        }
        let placeholders: Vec<String> = (2..stored.len() + 2).map(|n| format!("${n}")).collect();
        let mut values = vec![cutoff.into()];
        values.extend(stored);
        self.db
            .execute_raw(statement(
                &self.db,
                &format!(
                    "DELETE FROM queue_jobs WHERE created_at <= $1 AND status IN ({})",
                    placeholders.join(", ")
                ),
                values,
            ))
            .await?;
        Ok(())
    }

    async fn requeue(&self, _age_minutes: &i64) -> Result<()> {
        // A job is stuck when its claim lapsed; the reaper knows which.
        self.reap().await?;
        Ok(())
    }

    async fn retry_failed(&self, id: Option<&str>) -> Result<u64> {
        Ok(retry_dead(&self.db, id).await?)
    }

    fn describe(&self) -> String {
        "the embedded queue (queue_jobs)".to_string()
    }

    fn shutdown(&self) -> Result<()> {
        self.stop.send_replace(true);
        Ok(())
    }
}

/// Runs dead jobs (one by `jid`, or all) and retries waiting for their time
/// again now; how many.
///
/// # Errors
/// When the database fails.
pub async fn retry_dead(
    db: &impl ConnectionTrait,
    jid: Option<&str>,
) -> std::result::Result<u64, DbErr> {
    let mut sql = "UPDATE queue_jobs SET status = 'queued', run_at = $1, updated_at = $1 \
                   WHERE (status = 'dead' OR (status = 'queued' AND retry_count > 0))"
        .to_string();
    let mut values: Vec<Value> = vec![now().into()];
    if let Some(jid) = jid {
        sql.push_str(" AND jid = $2");
        values.push(jid.into());
    } else {
        sql.push_str(" AND status = 'dead'");
    }
    Ok(db
        .execute_raw(statement(db, &sql, values))
        .await?
        .rows_affected())
}

/// Drops one dead job, or one waiting for a retry; whether there was one.
///
/// # Errors
/// When the database fails.
pub async fn discard(db: &impl ConnectionTrait, jid: &str) -> std::result::Result<bool, DbErr> {
    Ok(db
        .execute_raw(statement(
            db,
            "DELETE FROM queue_jobs WHERE jid = $1 \
             AND (status = 'dead' OR (status = 'queued' AND retry_count > 0))",
            vec![jid.into()],
        ))
        .await?
        .rows_affected()
        == 1)
}
