//! Sidekiq's queues in Redis, as a Loco `QueueProvider` on rusty-sidekiq's
//! connection pool.
//!
//! Jobs are Sidekiq's own JSON (`class`, `args`, `queue`, `jid`, `retry`,
//! `created_at`, `enqueued_at`, seconds as floats) under Sidekiq's own keys
//! with no namespace: `queues`, `queue:<name>`, `schedule`, `retry`, `dead`,
//! `processes`, `stat:processed`, `stat:failed`. A job pushed by Ruby's
//! Sidekiq client runs here, and Ruby's `Sidekiq::Queue`, `RetrySet`,
//! `DeadSet` and `ProcessSet` read what this side writes.
//!
//! What Sidekiq does not do and this does: **reliable fetch**. Open-source
//! Sidekiq takes a job off its queue with `BRPOP`, so a worker killed
//! mid-job loses it. Here a worker moves the job (`BLMOVE`) into its
//! process's working list `karakana:working:<identity>` and removes it only
//! when the job has finished, in the same transaction that records a retry.
//! Every process beats (Sidekiq's `<identity>` hash, expiring after
//! `heartbeat_ttl_seconds`), and a reaper in every process returns the
//! working list of a process whose beat expired to the front of its queues.
//! A job can therefore run twice (its process died after the work, before
//! the acknowledgement), never zero times; the deliveries ledger makes twice
//! harmless.

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc, Mutex, RwLock,
    },
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use loco_rs::{
    bgworker::{Job, JobData, JobHandler, JobId, JobStatus, QueueProvider},
    Error, Result,
};
use sea_orm::DatabaseConnection;
use serde_json::{json, Map, Value};
use sidekiq::{redis_rs as redis, RedisConnectionManager, RedisPool};
use tokio::{
    sync::{watch, Notify},
    task::JoinSet,
};

use super::table::{self, Pusher, Row};
use crate::settings::SidekiqSettings;

/// Each worker process's working list is `karakana:working:<identity>`.
const WORKING: &str = "karakana:working";
/// The error class a failed job carries in Sidekiq's `error_class`.
const ERROR_CLASS: &str = "Karakana::JobFailed";
/// Sidekiq's limits on the dead set: 10,000 jobs, six months.
const DEAD_MAX_JOBS: isize = 10_000;
const DEAD_TIMEOUT_SECS: f64 = 180.0 * 24.0 * 3600.0;
/// How long one fetch blocks before a worker looks at the shutdown flag.
const FETCH_BLOCK_SECS: f64 = 1.0;

/// The Lua that reads a job's queue (`default` for a job that is not JSON),
/// shared by the scripts below.
macro_rules! lua_queue_of {
    () => {
        r"
local function queue_of(job)
  local ok, decoded = pcall(cjson.decode, job)
  if ok and type(decoded) == 'table' and type(decoded['queue']) == 'string' then
    return decoded['queue']
  end
  return 'default'
end
"
    };
}

/// Returns the jobs of one process whose heartbeat has expired (KEYS[1]
/// its heartbeat, KEYS[2] its working list) to the front of their queues,
/// oldest first. Atomic and checked inside, so reapers in several
/// processes cannot both return the same job, nor take a live one's.
const REAP: &str = concat!(
    lua_queue_of!(),
    r"
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
local revived = 0
while true do
  local job = redis.call('LPOP', KEYS[2])
  if not job then break end
  local queue = queue_of(job)
  redis.call('SADD', 'queues', queue)
  redis.call('RPUSH', 'queue:' .. queue, job)
  revived = revived + 1
end
redis.call('SREM', 'processes', KEYS[1])
return revived
"
);

/// Moves due jobs from the retry and schedule sets to their queues, in one
/// step each (Sidekiq's poller pops and then pushes, and can drop a job in
/// between).
const ENQUEUE_DUE: &str = concat!(
    lua_queue_of!(),
    r"
local moved = 0
for _, key in ipairs(KEYS) do
  local jobs = redis.call('ZRANGEBYSCORE', key, '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
  for _, job in ipairs(jobs) do
    if redis.call('ZREM', key, job) == 1 then
      local queue = queue_of(job)
      redis.call('SADD', 'queues', queue)
      redis.call('LPUSH', 'queue:' .. queue, job)
      moved = moved + 1
    end
  end
end
return moved
"
);

/// Acknowledges a finished job once: removes it from the working list and
/// counts it only if it was still there.
const ACKNOWLEDGE: &str = r"
if redis.call('LREM', KEYS[1], 1, ARGV[1]) == 1 then
  redis.call('INCR', 'stat:processed')
  return 1
end
return 0
";

/// Moves one job from a working list (KEYS[1]) back to the front of its
/// queue (ARGV[2]), if it is still there.
const RESCUE: &str = r"
if redis.call('LREM', KEYS[1], 1, ARGV[1]) == 1 then
  redis.call('SADD', 'queues', ARGV[2])
  redis.call('RPUSH', 'queue:' .. ARGV[2], ARGV[1])
  return 1
end
return 0
";

type Handlers = HashMap<String, Arc<JobHandler>>;

/// What Redis runs (a command, a transaction, a script), on a connection
/// from the provider's pool.
#[async_trait]
trait Run {
    async fn run<T: redis::FromRedisValue + Send>(&self, on: &Inner) -> Result<T>;
}

#[async_trait]
impl Run for redis::Cmd {
    async fn run<T: redis::FromRedisValue + Send>(&self, on: &Inner) -> Result<T> {
        let mut conn = on.connection().await?;
        self.query_async(conn.unnamespaced_borrow_mut())
            .await
            .map_err(redis_error)
    }
}

#[async_trait]
impl Run for redis::Pipeline {
    async fn run<T: redis::FromRedisValue + Send>(&self, on: &Inner) -> Result<T> {
        let mut conn = on.connection().await?;
        self.query_async(conn.unnamespaced_borrow_mut())
            .await
            .map_err(redis_error)
    }
}

#[async_trait]
impl Run for redis::ScriptInvocation<'_> {
    async fn run<T: redis::FromRedisValue + Send>(&self, on: &Inner) -> Result<T> {
        let mut conn = on.connection().await?;
        self.invoke_async(conn.unnamespaced_borrow_mut())
            .await
            .map_err(redis_error)
    }
}

/// The provider: one per process.
pub struct SidekiqQueue {
    inner: Arc<Inner>,
}

impl std::ops::Deref for SidekiqQueue {
    type Target = Inner;

    fn deref(&self) -> &Inner {
        &self.inner
    }
}

/// What the provider's tasks share: the pool, the worker registry, the busy
/// count and the stop flag.
pub struct Inner {
    pool: RedisPool,
    settings: SidekiqSettings,
    identity: String,
    handlers: RwLock<Handlers>,
    busy: AtomicUsize,
    stop: watch::Sender<bool>,
    started_at: f64,
    /// Jobs of the working list a worker here holds (running, or finished
    /// and not acknowledged yet), by payload, with how many.
    held: Mutex<HashMap<String, usize>>,
    /// Jobs of the working list no worker held at the last look.
    suspects: Mutex<HashMap<String, usize>>,
    /// The jobs table, whose committed jobs the relay moves here.
    outbox: Option<DatabaseConnection>,
    /// Woken when this process committed a job, so the relay moves it now.
    relay_wake: Notify,
}

impl SidekiqQueue {
    /// A provider for `settings.redis_url`. Nothing connects until the first
    /// command, so a web process starts while Redis is away (its jobs then
    /// wait for the sweeps).
    ///
    /// # Errors
    /// When the URL is not a Redis URL.
    pub fn new(mut settings: SidekiqSettings, outbox: Option<DatabaseConnection>) -> Result<Self> {
        if settings.queues.is_empty() {
            settings.queues = vec!["default".to_string()];
        }
        let manager = RedisConnectionManager::new(settings.redis_url.as_str())
            .map_err(|err| Error::Message(format!("REDIS_URL: {err}")))?;
        // One connection per worker (each blocks in BLMOVE) and a few for
        // the heartbeat, the poller, the reaper and enqueues.
        let size = u32::try_from(settings.concurrency.max(1) + 4).unwrap_or(u32::MAX);
        let pool = bb8::Pool::builder()
            .max_size(size)
            .min_idle(Some(0))
            .connection_timeout(Duration::from_secs(3))
            .build_unchecked(manager);
        let inner = Inner {
            pool,
            identity: super::identity(),
            outbox,
            relay_wake: Notify::new(),
            settings,
            handlers: RwLock::new(HashMap::new()),
            busy: AtomicUsize::new(0),
            started_at: now_seconds(),
            held: Mutex::new(HashMap::new()),
            suspects: Mutex::new(HashMap::new()),
            stop: watch::channel(false).0,
        };
        Ok(Self {
            inner: Arc::new(inner),
        })
    }
}

#[async_trait]
impl Pusher for Inner {
    async fn push_rows(&self, rows: &[Row]) -> Result<()> {
        let mut pipe = redis::pipe();
        pipe.atomic();
        let enqueued_at = now_seconds();
        for row in rows {
            let args: Value = serde_json::from_str(&row.args).unwrap_or(Value::Null);
            #[allow(clippy::cast_precision_loss)]
            let created_at = row.created_at.timestamp_micros() as f64 / 1e6;
            let payload = json!({
                "class": row.class,
                "args": [args],
                "queue": row.queue,
                "jid": row.jid,
                "retry": true,
                "created_at": created_at,
                "enqueued_at": enqueued_at,
            })
            .to_string();
            pipe.sadd("queues", &row.queue)
                .ignore()
                .lpush(format!("queue:{}", row.queue), payload)
                .ignore();
        }
        pipe.run::<()>(self).await
    }
}

impl Inner {
    /// Tells the relay that a job was committed.
    pub fn wake_relay(&self) {
        self.relay_wake.notify_one();
    }

    /// Moves the jobs table's committed jobs to their queues until told to
    /// stop: at once when woken, else every `outbox_poll_ms`; while Redis
    /// is away they wait in the table.
    async fn relay(self: Arc<Self>, db: DatabaseConnection) {
        let mut stop = self.stop.subscribe();
        let poll = Duration::from_millis(self.settings.outbox_poll_ms.max(10));
        while !*stop.borrow_and_update() {
            if let Err(err) = table::relay(&db, self.as_ref()).await {
                tracing::warn!(error = %err, "jobs wait in the table until Redis takes them");
            }
            tokio::select! {
                () = self.relay_wake.notified() => {}
                () = tokio::time::sleep(poll) => {}
                _ = stop.changed() => {}
            }
        }
    }

    /// This process's name in Sidekiq's `processes` set.
    #[must_use]
    pub fn identity(&self) -> &str {
        &self.identity
    }

    fn working_list(&self) -> String {
        format!("{WORKING}:{}", self.identity)
    }

    async fn connection(&self) -> Result<bb8::PooledConnection<'_, RedisConnectionManager>> {
        self.pool
            .get()
            .await
            .map_err(|err| Error::Message(format!("redis: {err}")))
    }

    /// A new job in Sidekiq's format, `args` its one argument.
    /// Returns its jid and the job as pushed.
    fn job(class: &str, queue: &str, args: Value) -> (String, String) {
        let now = now_seconds();
        let mut jid = uuid::Uuid::new_v4().simple().to_string();
        jid.truncate(24);
        let payload = json!({
            "class": class,
            "args": [args],
            "queue": queue,
            "jid": jid,
            "retry": true,
            "created_at": now,
            "enqueued_at": now,
        })
        .to_string();
        (jid, payload)
    }

    /// Returns the jobs of processes whose heartbeat expired; how many.
    ///
    /// # Errors
    /// When Redis cannot be reached.
    pub async fn reap(&self) -> Result<u64> {
        // Every working list, found by its name: even the list of a process
        // that was reaped once, lived on and fetched again before dying.
        let mut revived = 0;
        for list in self.working_keys().await? {
            let Some(identity) = list.strip_prefix(&format!("{WORKING}:")) else {
                continue;
            };
            revived += redis::Script::new(REAP)
                .key(identity)
                .key(&list)
                .run::<u64>(self)
                .await?;
        }
        // Sidekiq's `processes` set keeps names whose beat is gone.
        let processes: Vec<String> = redis::cmd("SMEMBERS").arg("processes").run(self).await?;
        for identity in processes {
            let alive: bool = redis::cmd("EXISTS").arg(&identity).run(self).await?;
            if !alive {
                redis::cmd("SREM")
                    .arg("processes")
                    .arg(&identity)
                    .run::<()>(self)
                    .await?;
            }
        }
        if revived > 0 {
            tracing::warn!(
                revived,
                "jobs of a dead worker process went back to their queues"
            );
        }
        Ok(revived)
    }

    /// Moves due retries and scheduled jobs to their queues; how many.
    ///
    /// # Errors
    /// When Redis cannot be reached.
    pub async fn enqueue_due(&self) -> Result<u64> {
        let mut total = 0;
        loop {
            let moved: u64 = redis::Script::new(ENQUEUE_DUE)
                .key("retry")
                .key("schedule")
                .arg(now_seconds())
                .arg(100)
                .run(self)
                .await?;
            total += moved;
            if moved < 100 {
                return Ok(total);
            }
        }
    }

    /// Sidekiq's process record: the `processes` set and the `<identity>`
    /// hash that expires unless renewed, which is what the reaper reads.
    async fn beat(&self, quiet: bool) -> Result<()> {
        let info = json!({
            "hostname": self.identity.split(':').next().unwrap_or_default(),
            "started_at": self.started_at,
            "pid": std::process::id(),
            "tag": "karakana",
            "concurrency": self.settings.concurrency,
            "queues": self.settings.queues,
            "labels": ["karakana"],
            "identity": self.identity,
        });
        let ttl = self.settings.heartbeat_ttl_seconds.max(1);
        redis::pipe()
            .atomic()
            .sadd("processes", &self.identity)
            .ignore()
            .hset_multiple(
                &self.identity,
                &[
                    ("info", info.to_string()),
                    ("busy", self.busy.load(Ordering::Relaxed).to_string()),
                    ("beat", now_seconds().to_string()),
                    ("quiet", quiet.to_string()),
                ],
            )
            .ignore()
            .expire(&self.identity, i64::try_from(ttl).unwrap_or(60))
            .ignore()
            .run::<()>(self)
            .await
    }

    /// The process leaves: what it still holds goes back, its record goes.
    async fn leave(&self) -> Result<()> {
        redis::pipe()
            .atomic()
            .del(&self.identity)
            .ignore()
            .srem("processes", &self.identity)
            .ignore()
            .run::<()>(self)
            .await?;
        // With the beat gone, this process is one the reaper returns.
        self.reap().await.map(|_| ())
    }

    /// One worker: fetch, run, acknowledge, until told to stop. A job that
    /// succeeded is acknowledged with the next fetch, in the same round trip.
    async fn work(self: Arc<Self>, first_queue: usize) {
        let stop = self.stop.subscribe();
        let queues = &self.settings.queues;
        let mut turn = first_queue;
        let mut done: Option<String> = None;
        while !*stop.borrow() {
            let first = turn % queues.len();
            turn = turn.wrapping_add(1);
            // Not raced against the stop flag: a fetch abandoned in flight
            // could still move a job into the working list after this
            // process has handed its list back. It blocks a second at most;
            // the timeout is for a connection that died without a word.
            let fetched = tokio::time::timeout(
                Duration::from_secs_f64(FETCH_BLOCK_SECS + 5.0),
                self.fetch(first, done.as_deref()),
            )
            .await
            .unwrap_or_else(|_| Err(Error::Message("redis: no answer to a fetch".into())));
            if fetched.is_ok() {
                // The fetch carried `done`'s acknowledgement.
                if let Some(payload) = done.take() {
                    self.release(&payload);
                }
            }
            match fetched {
                Ok(Some(payload)) => {
                    self.hold(&payload);
                    done = self.perform(payload).await;
                }
                Ok(None) => {}
                Err(err) => {
                    // `done` is acknowledged with the next fetch (again, if
                    // this one reached Redis: removing it twice is harmless).
                    tracing::warn!(error = %err, "fetch failed; retrying in a second");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
        // The last job's acknowledgement had no fetch to ride with.
        if let Some(payload) = done {
            let acknowledged = redis::Script::new(ACKNOWLEDGE)
                .key(self.working_list())
                .arg(&payload)
                .run::<u64>(&self)
                .await;
            if let Err(err) = acknowledged {
                tracing::error!(error = %err, "could not acknowledge a job; it will run again");
            }
            self.release(&payload);
        }
    }

    fn hold(&self, payload: &str) {
        if let Ok(mut held) = self.held.lock() {
            *held.entry(payload.to_string()).or_default() += 1;
        }
    }

    fn release(&self, payload: &str) {
        if let Ok(mut held) = self.held.lock() {
            if let Some(count) = held.get_mut(payload) {
                *count -= 1;
                if *count == 0 {
                    held.remove(payload);
                }
            }
        }
    }

    /// Returns to its queue a job of this process's working list that no
    /// worker here has held at two looks in a row: a fetch whose answer was
    /// lost, an acknowledgement that failed. (A job fetched between the two
    /// looks is held by then.) How many.
    ///
    /// # Errors
    /// When Redis cannot be reached.
    pub async fn rescue_own(&self) -> Result<u64> {
        let listed: Vec<String> = everything_in(&self.working_list(), false).run(self).await?;
        let mut unheld: HashMap<String, usize> = HashMap::new();
        {
            let held = self
                .held
                .lock()
                .map_err(|_| Error::Message("the held jobs are poisoned".into()))?;
            let mut counted: HashMap<&str, usize> = HashMap::new();
            for payload in &listed {
                let seen = counted.entry(payload).or_default();
                *seen += 1;
                if *seen > held.get(payload.as_str()).copied().unwrap_or_default() {
                    *unheld.entry(payload.clone()).or_default() += 1;
                }
            }
        }
        let previous = std::mem::take(
            &mut *self
                .suspects
                .lock()
                .map_err(|_| Error::Message("the suspects are poisoned".into()))?,
        );
        let mut rescued = 0;
        let mut still = HashMap::new();
        for (payload, count) in unheld {
            let both = count.min(previous.get(&payload).copied().unwrap_or_default());
            for _ in 0..both {
                let queue = serde_json::from_str::<Map<String, Value>>(&payload)
                    .ok()
                    .and_then(|job| job.get("queue").and_then(Value::as_str).map(String::from))
                    .unwrap_or_else(|| "default".to_string());
                rescued += redis::Script::new(RESCUE)
                    .key(self.working_list())
                    .arg(&payload)
                    .arg(&queue)
                    .run::<u64>(self)
                    .await?;
            }
            if count > both {
                still.insert(payload, count - both);
            }
        }
        if let Ok(mut suspects) = self.suspects.lock() {
            *suspects = still;
        }
        if rescued > 0 {
            tracing::warn!(rescued, "jobs no worker held went back to their queues");
        }
        Ok(rescued)
    }

    /// The next job, moved into this process's working list, after
    /// acknowledging `done` (in the same round trip). Each queue is looked
    /// at in turn from `first`; only when all are empty does the fetch wait,
    /// on `first`, for a second at most.
    async fn fetch(&self, first: usize, done: Option<&str>) -> Result<Option<String>> {
        let queues = &self.settings.queues;
        let mut done = done;
        for step in 0..=queues.len() {
            let mut pipe = redis::pipe();
            if let Some(done) = done.take() {
                pipe.lrem(self.working_list(), 1, done)
                    .ignore()
                    .incr("stat:processed", 1)
                    .ignore();
            }
            let waiting = step == queues.len();
            let queue = format!("queue:{}", queues[(first + step) % queues.len()]);
            pipe.cmd(if waiting { "BLMOVE" } else { "LMOVE" })
                .arg(queue)
                .arg(self.working_list())
                .arg("RIGHT")
                .arg("LEFT");
            if waiting {
                pipe.arg(FETCH_BLOCK_SECS);
            }
            let (fetched,): (Option<String>,) = pipe.run(self).await?;
            if fetched.is_some() {
                return Ok(fetched);
            }
        }
        Ok(None)
    }

    /// Runs one fetched job. A failure is acknowledged at once, in the same
    /// transaction that schedules its retry or buries it, so the job is
    /// always somewhere; a success returns the job, to be acknowledged with
    /// the next fetch.
    async fn perform(&self, payload: String) -> Option<String> {
        self.busy.fetch_add(1, Ordering::Relaxed);
        let outcome = self.run_job(&payload).await;
        self.busy.fetch_sub(1, Ordering::Relaxed);
        let Err(failure) = outcome else {
            return Some(payload);
        };
        let after = self.after_failure(&payload, &failure);
        if let Err(err) = self.acknowledge_failure(&payload, after).await {
            // The job stays in the working list, unheld: `rescue_own`
            // returns it to its queue, and it runs again.
            tracing::error!(error = %err, "could not record a failed job");
        }
        self.release(&payload);
        None
    }

    async fn run_job(&self, payload: &str) -> std::result::Result<(), Failure> {
        let job: Map<String, Value> =
            serde_json::from_str(payload).map_err(|err| Failure::Unreadable(err.to_string()))?;
        let class = job.get("class").and_then(Value::as_str).unwrap_or_default();
        let jid = job.get("jid").and_then(Value::as_str).unwrap_or_default();
        let handler = self
            .handlers
            .read()
            .map_err(|_| Failure::Failed("the worker registry is poisoned".into()))?
            .get(class)
            .cloned()
            .ok_or_else(|| Failure::Failed(format!("no worker for the job class {class:?}")))?;
        let args = match job.get("args") {
            Some(Value::Array(args)) => args.first().cloned().unwrap_or(Value::Null),
            Some(other) => other.clone(),
            None => Value::Null,
        };
        tracing::debug!(class, jid, "job starts");
        handler(jid.to_string(), args).await.map_err(|err| {
            super::GiveUp::of(&err).map_or_else(
                || Failure::Failed(err.to_string()),
                |gave_up| Failure::GaveUp(gave_up.to_string()),
            )
        })
    }

    /// Where a failed job goes: Sidekiq's retry set with its backoff, the
    /// dead set when its retries are spent, or nowhere when it asked for no
    /// retries. `None` for nowhere.
    fn after_failure(&self, payload: &str, failure: &Failure) -> Option<(Grave, String, f64)> {
        let now = now_seconds();
        let (message, gave_up) = match failure {
            Failure::Failed(message) => (message, false),
            Failure::GaveUp(message) => (message, true),
            Failure::Unreadable(reason) => {
                tracing::error!(
                    job = payload,
                    reason,
                    "a job that is not JSON goes to the dead set"
                );
                return Some((Grave::Dead, payload.to_string(), now));
            }
        };
        let mut job: Map<String, Value> = serde_json::from_str(payload).unwrap_or_default();
        // As Sidekiq: `true` for the default number of retries, a number
        // for that many, anything else (absent, `false`) for none.
        let max = match job.get("retry") {
            Some(Value::Bool(true)) => Some(u64::from(self.settings.max_retries)),
            Some(Value::Number(max)) => Some(max.as_u64().unwrap_or(0)),
            _ => None,
        };
        let Some(max) = max else {
            tracing::warn!(job = payload, error = %message, "a job that asked for no retries failed");
            return None;
        };
        if let Some(queue) = job.get("retry_queue").cloned().filter(Value::is_string) {
            job.insert("queue".into(), queue);
        }
        job.insert("error_message".into(), json!(message));
        job.insert("error_class".into(), json!(ERROR_CLASS));
        let count = match job.get("retry_count").and_then(Value::as_u64) {
            Some(previous) => {
                job.insert("retried_at".into(), json!(now));
                previous + 1
            }
            None => {
                job.insert("failed_at".into(), json!(now));
                0
            }
        };
        job.insert("retry_count".into(), json!(count));
        let payload = Value::Object(job).to_string();
        if gave_up {
            tracing::error!(error = %message, "job gave up; it goes to the dead set");
            Some((Grave::Dead, payload, now))
        } else if count < max {
            let delay = self.settings.backoff(count).as_secs_f64();
            tracing::warn!(error = %message, retry = count + 1, in_seconds = delay, "job failed; it will be retried");
            Some((Grave::Retry, payload, now + delay))
        } else if serde_json::from_str::<Map<String, Value>>(&payload)
            .ok()
            .and_then(|job| job.get("dead").cloned())
            == Some(Value::Bool(false))
        {
            None
        } else {
            tracing::error!(error = %message, retries = count, "job failed for the last time; it goes to the dead set");
            Some((Grave::Dead, payload, now))
        }
    }

    async fn acknowledge_failure(
        &self,
        payload: &str,
        after: Option<(Grave, String, f64)>,
    ) -> Result<()> {
        let mut pipe = redis::pipe();
        pipe.atomic()
            .lrem(self.working_list(), 1, payload)
            .ignore()
            .incr("stat:processed", 1)
            .ignore()
            .incr("stat:failed", 1)
            .ignore();
        match after {
            Some((Grave::Retry, job, at)) => {
                pipe.zadd("retry", job, at).ignore();
            }
            Some((Grave::Dead, job, at)) => {
                pipe.zadd("dead", job, at)
                    .ignore()
                    .zrembyscore("dead", "-inf", at - DEAD_TIMEOUT_SECS)
                    .ignore()
                    .zremrangebyrank("dead", 0, -(DEAD_MAX_JOBS + 1))
                    .ignore();
            }
            None => {}
        }
        pipe.run::<()>(self).await
    }

    /// Every job in a list or sorted set, as Loco's `Job`.
    async fn listed(&self, key: &str, status: &JobStatus, sorted: bool) -> Result<Vec<Job>> {
        let raw: Vec<String> = everything_in(key, sorted).run(self).await?;
        Ok(raw
            .iter()
            .filter_map(|payload| loco_job(payload, status))
            .collect())
    }

    async fn queue_keys(&self) -> Result<Vec<String>> {
        let queues: Vec<String> = redis::cmd("SMEMBERS").arg("queues").run(self).await?;
        Ok(queues
            .into_iter()
            .map(|queue| format!("queue:{queue}"))
            .collect())
    }

    async fn working_keys(&self) -> Result<Vec<String>> {
        let mut cursor = 0_u64;
        let mut lists = Vec::new();
        loop {
            let (next, found): (u64, Vec<String>) = redis::cmd("SCAN")
                .arg(cursor)
                .arg("MATCH")
                .arg(format!("{WORKING}:*"))
                .arg("COUNT")
                .arg(1000)
                .run(self)
                .await?;
            lists.extend(found);
            if next == 0 {
                return Ok(lists);
            }
            cursor = next;
        }
    }

    /// Removes the listed entries whose job matches `keep_out`.
    async fn remove_where(
        &self,
        key: &str,
        sorted: bool,
        keep_out: impl Fn(&Map<String, Value>) -> bool,
    ) -> Result<u64> {
        let raw: Vec<String> = everything_in(key, sorted).run(self).await?;
        let mut removed = 0;
        for payload in raw {
            let Ok(job) = serde_json::from_str::<Map<String, Value>>(&payload) else {
                continue;
            };
            if keep_out(&job) {
                let mut remove = redis::cmd(if sorted { "ZREM" } else { "LREM" });
                remove.arg(key);
                if !sorted {
                    remove.arg(1);
                }
                let gone: u64 = remove.arg(&payload).run(self).await?;
                removed += gone;
            }
        }
        Ok(removed)
    }

    /// Moves jobs of the retry or dead set back to their queues: one by
    /// `jid`, or all of the dead set; how many.
    ///
    /// # Errors
    /// When Redis cannot be reached.
    pub async fn retry_now(&self, jid: Option<&str>) -> Result<u64> {
        let mut moved = 0;
        for set in ["retry", "dead"] {
            if jid.is_none() && set == "retry" {
                continue;
            }
            for (payload, _) in self.entries(set, usize::MAX).await? {
                let Ok(job) = serde_json::from_str::<Map<String, Value>>(&payload) else {
                    continue;
                };
                if jid.is_some_and(|jid| job.get("jid").and_then(Value::as_str) != Some(jid)) {
                    continue;
                }
                moved += u64::from(self.revive(set, &payload).await?);
            }
        }
        Ok(moved)
    }

    /// The first `limit` entries of a sorted set (`retry`: soonest first;
    /// `dead`: latest first), each with its score in seconds.
    ///
    /// # Errors
    /// When Redis cannot be reached.
    pub async fn entries(&self, set: &str, limit: usize) -> Result<Vec<(String, f64)>> {
        let stop = isize::try_from(limit).map_or(-1, |limit| limit - 1);
        let mut cmd = redis::cmd(if set == "dead" { "ZREVRANGE" } else { "ZRANGE" });
        cmd.arg(set).arg(0).arg(stop).arg("WITHSCORES");
        cmd.run(self).await
    }

    /// The entry of the retry or dead set with this `jid`: the set and the
    /// job as stored.
    ///
    /// # Errors
    /// When Redis cannot be reached.
    pub async fn find(&self, jid: &str) -> Result<Option<(&'static str, String)>> {
        for set in ["retry", "dead"] {
            for (payload, _) in self.entries(set, usize::MAX).await? {
                let matches = serde_json::from_str::<Map<String, Value>>(&payload)
                    .ok()
                    .is_some_and(|job| job.get("jid").and_then(Value::as_str) == Some(jid));
                if matches {
                    return Ok(Some((set, payload)));
                }
            }
        }
        Ok(None)
    }

    /// Moves one stored job from `set` to the front of its queue; false
    /// when someone else moved or removed it first. As Ruby's
    /// `SortedEntry#retry`, a retry by hand does not use up an attempt.
    ///
    /// # Errors
    /// When Redis cannot be reached.
    pub async fn revive(&self, set: &str, payload: &str) -> Result<bool> {
        let mut job = serde_json::from_str::<Map<String, Value>>(payload).unwrap_or_default();
        let queue = job
            .get("queue")
            .and_then(Value::as_str)
            .unwrap_or("default")
            .to_string();
        let revived = match job.get("retry_count").and_then(Value::as_i64) {
            Some(count) => {
                job.insert("retry_count".into(), json!(count - 1));
                Value::Object(job).to_string()
            }
            None => payload.to_string(),
        };
        let moved: u64 = redis::Script::new(
            r"
if redis.call('ZREM', KEYS[1], ARGV[1]) == 1 then
  redis.call('SADD', 'queues', ARGV[2])
  redis.call('RPUSH', 'queue:' .. ARGV[2], ARGV[3])
  return 1
end
return 0
",
        )
        .key(set)
        .arg(payload)
        .arg(&queue)
        .arg(&revived)
        .run(self)
        .await?;
        Ok(moved == 1)
    }

    /// Removes one stored job from `set`; false when it was gone already.
    ///
    /// # Errors
    /// When Redis cannot be reached.
    pub async fn discard(&self, set: &str, payload: &str) -> Result<bool> {
        let removed: u64 = redis::cmd("ZREM").arg(set).arg(payload).run(self).await?;
        Ok(removed == 1)
    }

    /// Each queue's length.
    ///
    /// # Errors
    /// When Redis cannot be reached.
    pub async fn sizes(&self) -> Result<Vec<(String, u64)>> {
        let mut sizes = Vec::new();
        for key in self.queue_keys().await? {
            let size: u64 = redis::cmd("LLEN").arg(&key).run(self).await?;
            sizes.push((key.trim_start_matches("queue:").to_string(), size));
        }
        sizes.sort();
        Ok(sizes)
    }

    /// Jobs running now in every worker process (those in working lists).
    ///
    /// # Errors
    /// When Redis cannot be reached.
    pub async fn busy(&self) -> Result<u64> {
        let mut busy = 0;
        for key in self.working_keys().await? {
            let held: u64 = redis::cmd("LLEN").arg(&key).run(self).await?;
            busy += held;
        }
        Ok(busy)
    }
}

#[async_trait]
impl QueueProvider for SidekiqQueue {
    async fn enqueue(
        &self,
        class: String,
        queue: Option<String>,
        args: Value,
        _tags: Option<Vec<String>>,
        _priority: Option<i32>,
    ) -> Result<Option<String>> {
        Ok(self
            .enqueue_batch(class, queue, vec![(args, None)], None)
            .await?
            .pop())
    }

    async fn enqueue_batch(
        &self,
        class: String,
        queue: Option<String>,
        jobs: Vec<(Value, Option<i32>)>,
        _tags: Option<Vec<String>>,
    ) -> Result<Vec<JobId>> {
        let queue = super::known_queue(&self.settings, queue)?;
        let (jids, payloads): (Vec<String>, Vec<String>) = jobs
            .into_iter()
            .map(|(args, _)| Inner::job(&class, &queue, args))
            .unzip();
        redis::pipe()
            .atomic()
            .sadd("queues", &queue)
            .ignore()
            .lpush(format!("queue:{queue}"), payloads)
            .ignore()
            .run::<()>(self)
            .await?;
        Ok(jids)
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
        // Redis may come up after the worker: wait for it rather than sit
        // idle forever.
        let mut stop = self.stop.subscribe();
        let mut wait = Duration::from_millis(250);
        while let Err(err) = shared.beat(false).await {
            tracing::warn!(error = %err, retry_in = ?wait, "Redis is not reachable yet");
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                _ = stop.changed() => return Ok(()),
            }
            wait = (wait * 2).min(Duration::from_secs(10));
        }
        if let Err(err) = shared.reap().await {
            tracing::warn!(error = %err, "the first reap failed; the reaper tries again");
        }
        let mut workers = JoinSet::new();
        for worker in 0..self.settings.concurrency.max(1) {
            workers.spawn(shared.clone().work(worker));
        }
        // The heartbeat and the reaper outlive the workers: a job still
        // running after the stop is this process's until it ends.
        let (done, upkeep_stop) = watch::channel(false);
        let mut tasks = JoinSet::new();
        let ttl = self.settings.heartbeat_ttl_seconds.max(1);
        let beat_every = Duration::from_millis((ttl * 1000 / 4).clamp(250, 5000));
        tasks.spawn(super::every(
            shared.clone(),
            upkeep_stop.clone(),
            beat_every,
            "heartbeat",
            |queue| async move { queue.beat(false).await },
        ));
        tasks.spawn(super::every(
            shared.clone(),
            shared.stop.subscribe(),
            Duration::from_millis(self.settings.poll_interval_ms.max(50)),
            "retry and schedule poller",
            |queue| async move { queue.enqueue_due().await.map(|_| ()) },
        ));
        tasks.spawn(super::every(
            shared.clone(),
            upkeep_stop,
            Duration::from_secs(ttl).max(Duration::from_secs(1)),
            "reaper",
            |queue| async move {
                queue.reap().await?;
                queue.rescue_own().await.map(|_| ())
            },
        ));
        if let Some(db) = self.outbox.clone() {
            tasks.spawn(shared.clone().relay(db));
        }
        tracing::info!(identity = %self.identity, concurrency = self.settings.concurrency, queues = ?self.settings.queues, "Sidekiq worker started");
        while let Some(joined) = workers.join_next().await {
            if let Err(err) = joined {
                tracing::error!(error = %err, "a worker ended abnormally");
            }
        }
        done.send_replace(true);
        while let Some(joined) = tasks.join_next().await {
            if let Err(err) = joined {
                tracing::error!(error = %err, "a queue task ended abnormally");
            }
        }
        shared.leave().await?;
        tracing::info!(identity = %self.identity, "Sidekiq worker stopped");
        Ok(())
    }

    async fn setup(&self) -> Result<()> {
        Ok(())
    }

    async fn clear(&self) -> Result<()> {
        let mut keys = self.queue_keys().await?;
        keys.extend(["queues", "retry", "schedule", "dead"].map(String::from));
        redis::cmd("DEL").arg(keys).run::<()>(self).await
    }

    async fn ping(&self) -> Result<()> {
        redis::cmd("PING").run::<()>(self).await
    }

    async fn get_jobs(
        &self,
        status: Option<&Vec<JobStatus>>,
        age_days: Option<i64>,
    ) -> Result<Vec<Job>> {
        let wanted = |s: &JobStatus| status.is_none_or(|list| list.contains(s));
        let mut jobs = Vec::new();
        if wanted(&JobStatus::Queued) {
            for key in self
                .queue_keys()
                .await?
                .into_iter()
                .chain(["retry".to_string(), "schedule".to_string()])
            {
                let sorted = !key.starts_with("queue:");
                jobs.extend(self.listed(&key, &JobStatus::Queued, sorted).await?);
            }
        }
        if wanted(&JobStatus::Processing) {
            for key in self.working_keys().await? {
                jobs.extend(self.listed(&key, &JobStatus::Processing, false).await?);
            }
        }
        if wanted(&JobStatus::Failed) {
            jobs.extend(self.listed("dead", &JobStatus::Failed, true).await?);
        }
        if let Some(days) = age_days {
            let cutoff = Utc::now() - chrono::Duration::days(days);
            jobs.retain(|job| job.created_at.is_some_and(|at| at < cutoff));
        }
        Ok(jobs)
    }

    async fn cancel_jobs_by_name(&self, name: &str) -> Result<()> {
        for key in self.queue_keys().await? {
            self.remove_where(&key, false, |job| {
                job.get("class").and_then(Value::as_str) == Some(name)
            })
            .await?;
        }
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
        let cutoff = now_seconds() - 86_400.0 * age_days as f64;
        let older = |job: &Map<String, Value>| {
            job.get("created_at")
                .and_then(Value::as_f64)
                .is_none_or(|at| created_seconds(at) <= cutoff)
        };
        let wanted = |s: &JobStatus| status.is_none_or(|list| list.contains(s));
        if wanted(&JobStatus::Queued) {
            for key in self.queue_keys().await? {
                self.remove_where(&key, false, older).await?;
            }
            self.remove_where("retry", true, older).await?;
            self.remove_where("schedule", true, older).await?;
        }
        if wanted(&JobStatus::Failed) {
            self.remove_where("dead", true, older).await?;
        }
        Ok(())
    }

    async fn requeue(&self, _age_minutes: &i64) -> Result<()> {
        // A job is stuck when its process died; the reaper knows which.
        self.reap().await.map(|_| ())
    }

    async fn retry_failed(&self, id: Option<&str>) -> Result<u64> {
        self.retry_now(id).await
    }

    fn describe(&self) -> String {
        format!("sidekiq at {}", redacted(&self.settings.redis_url))
    }

    fn shutdown(&self) -> Result<()> {
        self.stop.send_replace(true);
        Ok(())
    }
}

#[derive(Debug)]
enum Failure {
    /// Not a job at all: no retry can mend it.
    Unreadable(String),
    /// The worker failed, or there is none for the class.
    Failed(String),
    /// What the job was for is no longer worth doing: dead at once.
    GaveUp(String),
}

#[derive(Clone, Copy, Debug)]
enum Grave {
    Retry,
    Dead,
}

/// Every entry of a list or sorted set.
fn everything_in(key: &str, sorted: bool) -> redis::Cmd {
    let mut cmd = redis::cmd(if sorted { "ZRANGE" } else { "LRANGE" });
    cmd.arg(key).arg(0).arg(-1);
    cmd
}

fn now_seconds() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|now| now.as_secs_f64())
        .unwrap_or_default()
}

/// Sidekiq 8 writes milliseconds, earlier versions seconds.
fn created_seconds(at: f64) -> f64 {
    if at > 1e11 {
        at / 1000.0
    } else {
        at
    }
}

fn timestamp(job: &Map<String, Value>, field: &str) -> Option<DateTime<Utc>> {
    let seconds = created_seconds(job.get(field)?.as_f64()?);
    DateTime::from_timestamp_millis((seconds * 1000.0) as i64)
}

/// A Sidekiq job as Loco's `Job` (for `cargo loco jobs` and the jobs view).
fn loco_job(payload: &str, status: &JobStatus) -> Option<Job> {
    let job: Map<String, Value> = serde_json::from_str(payload).ok()?;
    let data: JobData = match job.get("args") {
        Some(Value::Array(args)) if args.len() == 1 => args[0].clone(),
        Some(args) => args.clone(),
        None => Value::Null,
    };
    let created_at = timestamp(&job, "created_at");
    Some(Job {
        id: job.get("jid")?.as_str()?.to_string(),
        name: job.get("class")?.as_str()?.to_string(),
        data,
        status: status.clone(),
        run_at: timestamp(&job, "enqueued_at")
            .or(created_at)
            .unwrap_or_else(Utc::now),
        interval: None,
        created_at,
        updated_at: timestamp(&job, "retried_at").or_else(|| timestamp(&job, "failed_at")),
        tags: None,
        priority: 0,
    })
}

fn redis_error(err: redis::RedisError) -> Error {
    Error::Message(format!("redis: {err}"))
}

/// The URL without its password, for logs.
fn redacted(url: &str) -> String {
    match url.split_once('@') {
        Some((credentials, host)) => {
            let scheme = credentials.split("//").next().unwrap_or("redis:");
            format!("{scheme}//***@{host}")
        }
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_job_reads_as_loco_sees_it() {
        let (jid, payload) = Inner::job("DeliverInvoice", "default", json!({"invoice_id": "x"}));
        let job = loco_job(&payload, &JobStatus::Queued).expect("a job");
        assert_eq!(job.name, "DeliverInvoice");
        assert_eq!(job.id, jid);
        assert_eq!(job.id.len(), 24);
        assert_eq!(job.data, json!({"invoice_id": "x"}));
        let raw: Value = serde_json::from_str(&payload).unwrap();
        assert_eq!(raw["args"], json!([{"invoice_id": "x"}]));
        assert_eq!(raw["retry"], json!(true));
        // Seconds, as Sidekiq before 8 writes and every version reads.
        assert!(raw["created_at"].as_f64().unwrap() < 1e11);
    }

    #[test]
    fn passwords_stay_out_of_logs() {
        assert_eq!(
            redacted("redis://:secret@cache:6379/2"),
            "redis://***@cache:6379/2"
        );
        assert_eq!(redacted("redis://127.0.0.1:6379"), "redis://127.0.0.1:6379");
    }
}
