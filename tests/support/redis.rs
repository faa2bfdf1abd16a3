//! A real Redis for the Sidekiq tests: each test gets one of the server's
//! numbered databases, emptied first, so tests run side by side. The
//! server is `KARAKANA_TEST_REDIS_URL` (default `redis://127.0.0.1:6379`);
//! `.ci/run` makes sure one runs there. The tests that use it are
//! `#[ignore]`d (`cargo test -- --include-ignored` runs them, as CI does);
//! run without a server, they fail.

use std::{
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::atomic::{AtomicU32, Ordering},
    time::Duration,
};

use karakana::{queue::sidekiq::SidekiqQueue, settings::SidekiqSettings};
use loco_rs::bgworker::QueueProvider;
use serde_json::Value;
use sidekiq::redis_rs::{aio::MultiplexedConnection, AsyncCommands, Client};

/// Databases 1..=13 go to tests; 14 and 15 are the benchmark's.
static NEXT_DATABASE: AtomicU32 = AtomicU32::new(1);

/// The key that says a test holds a database (released when it ends, or
/// after 15 minutes).
const LOCK: &str = "karakana:test:lock";

pub struct TestRedis {
    pub url: String,
    conn: MultiplexedConnection,
}

impl TestRedis {
    /// An empty database of one's own.
    ///
    /// # Panics
    /// Without a Redis server at `KARAKANA_TEST_REDIS_URL`.
    pub async fn fresh() -> Self {
        let server = std::env::var("KARAKANA_TEST_REDIS_URL")
            .unwrap_or_else(|_| "redis://127.0.0.1:6379".to_string());
        let token = super::unique();
        loop {
            let number = NEXT_DATABASE.fetch_add(1, Ordering::Relaxed);
            assert!(
                number <= 13,
                "no free Redis database among 1..=13 (another test run holding them?)"
            );
            let url = format!("{}/{number}", server.trim_end_matches('/'));
            let connected = async {
                Client::open(url.as_str())?
                    .get_multiplexed_async_connection()
                    .await
            }
            .await;
            let mut conn = connected.unwrap_or_else(|err| {
                panic!("no Redis at {server} ({err}); `redis-server --daemonize yes` runs one")
            });
            // A database another test run holds is not ours to empty.
            let taken: Option<String> = sidekiq::redis_rs::cmd("SET")
                .arg(LOCK)
                .arg(&token)
                .arg("NX")
                .arg("EX")
                .arg(900)
                .query_async(&mut conn)
                .await
                .expect("SET");
            if taken.is_none() {
                continue;
            }
            sidekiq::redis_rs::pipe()
                .atomic()
                .cmd("FLUSHDB")
                .ignore()
                .cmd("SET")
                .arg(LOCK)
                .arg(&token)
                .arg("EX")
                .arg(900)
                .ignore()
                .query_async::<()>(&mut conn)
                .await
                .expect("FLUSHDB");
            return Self { url, conn };
        }
    }

    /// A provider pushing to this database, as a web process has.
    pub fn provider(&self) -> SidekiqQueue {
        SidekiqQueue::new(
            SidekiqSettings {
                redis_url: self.url.clone(),
                ..SidekiqSettings::default()
            },
            None,
        )
        .expect("a provider")
    }

    pub async fn llen(&self, key: &str) -> usize {
        self.conn.clone().llen(key).await.expect("LLEN")
    }

    pub async fn zcard(&self, key: &str) -> usize {
        self.conn.clone().zcard(key).await.expect("ZCARD")
    }

    /// The jobs in a sorted set (`retry`, `dead`), parsed.
    pub async fn sorted_jobs(&self, key: &str) -> Vec<Value> {
        let raw: Vec<String> = self.conn.clone().zrange(key, 0, -1).await.expect("ZRANGE");
        raw.iter()
            .map(|job| serde_json::from_str(job).expect("a JSON job"))
            .collect()
    }

    /// Puts a job straight onto a list.
    pub async fn lpush(&self, key: &str, job: &Value) {
        self.conn
            .clone()
            .lpush::<_, _, ()>(key, job.to_string())
            .await
            .expect("LPUSH");
    }

    /// Puts a job straight into a sorted set (`retry`, `dead`) at `score`.
    pub async fn zadd(&self, set: &str, job: &Value, score: f64) {
        self.conn
            .clone()
            .zadd::<_, _, _, ()>(set, job.to_string(), score)
            .await
            .expect("ZADD");
    }

    /// Jobs still queued or held by any worker process: twice 0, 100 ms
    /// apart, is 0 (a list a worker is about to fill may not exist yet).
    pub async fn unfinished(&self) -> usize {
        let first = self.unfinished_now().await;
        if first > 0 {
            return first;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        self.unfinished_now().await
    }

    async fn unfinished_now(&self) -> usize {
        let mut conn = self.conn.clone();
        let working: Vec<String> = conn.keys("karakana:working:*").await.expect("KEYS");
        let mut total = self.llen("queue:default").await;
        for key in working {
            total += self.llen(&key).await;
        }
        total
    }

    /// Waits until `done` holds, for at most `within`.
    pub async fn wait_until<F, Fut>(&self, within: Duration, what: &str, done: F)
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        super::wait_until(within, what, done).await;
    }

    /// Pushes a job as any web process would.
    pub async fn push(&self, class: &str, args: Value) -> String {
        self.provider()
            .enqueue(class.to_string(), None, args, None, None)
            .await
            .expect("enqueue")
            .expect("a jid")
    }
}

impl Drop for TestRedis {
    fn drop(&mut self) {
        let url = self.url.clone();
        // Drop runs outside any runtime the test may still be using.
        let _ = std::thread::spawn(move || {
            let client = Client::open(url.as_str()).ok()?;
            let mut conn = client.get_connection().ok()?;
            sidekiq::redis_rs::cmd("DEL")
                .arg(LOCK)
                .query::<()>(&mut conn)
                .ok()
        })
        .join();
    }
}

/// `karakana start --worker` in a process of its own, on the test's
/// database, Redis database and SMTP server.
pub struct WorkerProcess {
    child: Child,
    pub log: PathBuf,
}

impl WorkerProcess {
    pub fn start(
        database_url: &str,
        redis: &TestRedis,
        smtp_port: u16,
        env: &[(&str, &str)],
    ) -> Self {
        Self::start_on(database_url, &redis.url, smtp_port, env)
    }

    /// `karakana start --worker` on the embedded queue: the jobs table of
    /// the test's database.
    pub fn embedded(database_url: &str, smtp_port: u16, env: &[(&str, &str)]) -> Self {
        Self::start_on(database_url, "", smtp_port, env)
    }

    /// A worker on the Redis at `redis_url` (none: empty).
    pub fn start_on(
        database_url: &str,
        redis_url: &str,
        smtp_port: u16,
        env: &[(&str, &str)],
    ) -> Self {
        let log = std::env::temp_dir().join(format!("karakana-worker-{}.log", super::unique()));
        let out = std::fs::File::create(&log).expect("the worker's log");
        let mut command = Command::new(env!("CARGO_BIN_EXE_karakana"));
        command
            .args(["start", "--worker"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("LOCO_ENV", "test")
            .env("TEST_LOG", "true")
            .env("DATABASE_URL", database_url)
            .env("REDIS_URL", redis_url)
            .env("WORKER_MODE", "BackgroundQueue")
            .env("SMTP_PORT", smtp_port.to_string())
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(out.try_clone().expect("the log again"))
            .stderr(out);
        let child = command.spawn().expect("the karakana binary starts");
        Self { child, log }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL: no chance to put anything back.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for WorkerProcess {
    fn drop(&mut self) {
        self.kill();
        // A failed test shows what its workers said.
        if std::thread::panicking() {
            let log = std::fs::read_to_string(&self.log).unwrap_or_default();
            let tail: Vec<&str> = log.lines().rev().take(40).collect();
            eprintln!(
                "worker {} said, last lines first:\n{}",
                self.child.id(),
                tail.join("\n")
            );
        }
        let _ = std::fs::remove_file(&self.log);
    }
}
