//! Jobs benchmark: no-op jobs per second through Karakana's Sidekiq provider
//! (reliable fetch: `BLMOVE` into a working list, acknowledged with `LREM`),
//! against rusty-sidekiq's own `Processor` (`BRPOP`, nothing to
//! acknowledge) and Ruby's Sidekiq (Debian's `ruby-sidekiq`, `BRPOP`), on
//! the same Redis, in the same run, each with 10 workers.
//!
//! Each engine is started first and waits on an empty queue; then all the
//! jobs are pushed in one command and the clock runs until the queue is
//! empty. Ruby logs at WARN, as our provider runs with no log subscriber.
//!
//! `cargo bench --bench jobs`; `BENCH_QUICK=1` for a short run (as CI does).
//! Redis: `KARAKANA_BENCH_REDIS_URL`, default `redis://127.0.0.1:6379/15`
//! (the database is emptied). Prints a Markdown table.

use std::{
    process::{Command, Stdio},
    sync::Arc,
    time::{Duration, Instant},
};

use karakana::{queue::sidekiq::SidekiqQueue, settings::SidekiqSettings};
use loco_rs::bgworker::QueueProvider;
use serde_json::{json, Value};
use sidekiq::{
    redis_rs::{aio::MultiplexedConnection, AsyncCommands, Client},
    Processor, ProcessorConfig, RedisConnectionManager,
};

const WORKERS: usize = 10;
const CLASS: &str = "NoopJob";

#[derive(Clone)]
struct NoopJob;

#[async_trait::async_trait]
impl sidekiq::Worker<Value> for NoopJob {
    async fn perform(&self, _args: Value) -> sidekiq::Result<()> {
        Ok(())
    }
}

#[tokio::main]
async fn main() {
    let quick = std::env::var("BENCH_QUICK").is_ok_and(|quick| quick != "0");
    let jobs = if quick { 2_000 } else { 50_000 };
    let rounds = if quick { 1 } else { 3 };
    let url = std::env::var("KARAKANA_BENCH_REDIS_URL")
        .unwrap_or_else(|_| "redis://127.0.0.1:6379/15".to_string());
    let client = Client::open(url.as_str()).expect("a Redis URL");
    let mut conn = client
        .get_multiplexed_async_connection()
        .await
        .expect("Redis is running (redis-server --daemonize yes)");

    println!("\nJobs benchmark: {jobs} no-op jobs, {WORKERS} workers each, best of {rounds}\n");
    println!("| engine | fetch | jobs/s | vs Ruby |");
    println!("|---|---|---:|---:|");
    let mut results = Vec::new();
    for engine in [Engine::Karakana, Engine::RustySidekiq, Engine::Ruby] {
        let mut best = 0.0_f64;
        for _ in 0..rounds {
            best = best.max(engine.run(&url, &mut conn, jobs).await);
        }
        results.push((engine, best));
    }
    let ruby = results
        .iter()
        .find(|(engine, _)| matches!(engine, Engine::Ruby))
        .map_or(1.0, |(_, rate)| *rate);
    for (engine, rate) in &results {
        println!(
            "| {} | {} | {rate:.0} | {:.2}× |",
            engine.name(),
            engine.fetch(),
            rate / ruby
        );
    }
}

#[derive(Clone, Copy)]
enum Engine {
    Karakana,
    RustySidekiq,
    Ruby,
}

impl Engine {
    const fn name(self) -> &'static str {
        match self {
            Self::Karakana => "Karakana's provider",
            Self::RustySidekiq => "rusty-sidekiq 0.15 Processor",
            Self::Ruby => "Ruby Sidekiq 6.4 (Debian)",
        }
    }

    const fn fetch(self) -> &'static str {
        match self {
            Self::Karakana => "BLMOVE + LREM (reliable)",
            Self::RustySidekiq | Self::Ruby => "BRPOP (a killed worker loses its jobs)",
        }
    }

    /// Jobs per second for one round.
    async fn run(self, url: &str, conn: &mut MultiplexedConnection, jobs: usize) -> f64 {
        flush(conn).await;
        match self {
            Self::Karakana => {
                let provider = Arc::new(
                    SidekiqQueue::new(SidekiqSettings {
                        redis_url: url.to_string(),
                        concurrency: WORKERS,
                        ..SidekiqSettings::default()
                    })
                    .expect("a provider"),
                );
                provider
                    .register_handler(
                        CLASS.to_string(),
                        Box::new(|_, _| Box::pin(async { Ok(()) })),
                    )
                    .await
                    .expect("a handler");
                let running = provider.clone();
                let worker = tokio::spawn(async move { running.run(Vec::new()).await });
                // Started: its beat is in `processes`.
                wait_for_process(conn).await;
                let rate = drain(conn, jobs).await;
                provider.shutdown().expect("stop");
                worker.await.expect("joined").expect("ran");
                rate
            }
            Self::RustySidekiq => {
                let manager = RedisConnectionManager::new(url).expect("a Redis URL");
                let pool = bb8::Pool::builder()
                    .max_size(u32::try_from(WORKERS + 4).unwrap())
                    .build(manager)
                    .await
                    .expect("a pool");
                let mut processor = Processor::new(pool, vec!["default".to_string()])
                    .with_config(ProcessorConfig::default().num_workers(WORKERS));
                processor.register(NoopJob);
                let stop = processor.get_cancellation_token();
                let worker = tokio::spawn(processor.run());
                wait_for_process(conn).await;
                let rate = drain(conn, jobs).await;
                stop.cancel();
                worker.await.expect("joined");
                rate
            }
            Self::Ruby => {
                let boot = std::env::temp_dir().join("karakana-bench-noop.rb");
                std::fs::write(
                    &boot,
                    "require 'sidekiq'\nSidekiq.logger.level = Logger::WARN\n\
                     class NoopJob\n  include Sidekiq::Worker\n  def perform(*) = nil\nend\n",
                )
                .expect("the Ruby worker file");
                let mut sidekiq = Command::new("sidekiq")
                    .args(["-c", &WORKERS.to_string(), "-q", "default", "-r"])
                    .arg(&boot)
                    .env("REDIS_URL", url)
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
                    .expect("sidekiq runs (apt-get install -y ruby-sidekiq)");
                wait_for_process(conn).await;
                let rate = drain(conn, jobs).await;
                let _ = Command::new("kill")
                    .args(["-TERM", &sidekiq.id().to_string()])
                    .status();
                let _ = sidekiq.wait();
                rate
            }
        }
    }
}

async fn flush(conn: &mut MultiplexedConnection) {
    sidekiq::redis_rs::cmd("FLUSHDB")
        .query_async::<()>(conn)
        .await
        .expect("FLUSHDB");
}

/// Waits until a worker process has registered its heartbeat (Ruby takes a
/// second or two to boot).
async fn wait_for_process(conn: &mut MultiplexedConnection) {
    let started = Instant::now();
    loop {
        let processes: usize = conn.scard("processes").await.expect("SCARD");
        if processes > 0 {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no worker process registered within a minute"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Pushes `jobs` no-op jobs in one command; jobs per second until the queue
/// is empty.
async fn drain(conn: &mut MultiplexedConnection, jobs: usize) -> f64 {
    let now = chrono::Utc::now().timestamp_millis() as f64 / 1000.0;
    let payloads: Vec<String> = (0..jobs)
        .map(|n| {
            json!({"class": CLASS, "args": [{"n": n}], "queue": "default",
                   "jid": format!("{n:024x}"), "retry": true,
                   "created_at": now, "enqueued_at": now})
            .to_string()
        })
        .collect();
    let started = Instant::now();
    sidekiq::redis_rs::pipe()
        .sadd("queues", "default")
        .ignore()
        .lpush("queue:default", payloads)
        .ignore()
        .query_async::<()>(conn)
        .await
        .expect("LPUSH");
    loop {
        let left: usize = conn.llen("queue:default").await.expect("LLEN");
        if left == 0 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "{left} jobs left after ten minutes"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    jobs as f64 / started.elapsed().as_secs_f64()
}
