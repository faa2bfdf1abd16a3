//! Jobs benchmark, three parts in one run:
//!
//! 1. No-op jobs per second through Karakana's Sidekiq provider (reliable
//!    fetch: `BLMOVE` into a working list, acknowledged with `LREM`; its
//!    heartbeat, reaper and outbox relay running as in a worker process),
//!    against rusty-sidekiq's own `Processor` (`BRPOP`, nothing to
//!    acknowledge) and Ruby's Sidekiq (Debian's `ruby-sidekiq`, `BRPOP`), on
//!    the same Redis, each with 10 workers. Each engine is started first and
//!    waits on an empty queue; then all the jobs are pushed in one command
//!    and the clock runs until the queue is empty. Ruby logs at WARN, as our
//!    provider runs with no log subscriber.
//! 2. The reminder sweep (`reminders::due`) on a fleet of 100,000 and then
//!    1,000,000 vehicles, 1 % of them due: it reads the due-date index, so
//!    its time follows the number due, not the fleet. Beside it, the naive
//!    sweep that reads every vehicle.
//! 3. Service reminders per second end to end: `SendServiceReminder` jobs in
//!    Redis, run by the provider with the app's workers (database, ledger,
//!    templates), to a local SMTP server (aiosmtpd, keeping nothing); beside
//!    it, lettre alone sending as many messages of the same size to the same
//!    server, the ceiling of the mail path.
//!
//! `cargo bench --bench jobs` (SQLite; with `DATABASE_URL=postgres://…` the
//! database parts run on PostgreSQL); `BENCH_QUICK=1` for a short run (as CI
//! does). Redis: `KARAKANA_BENCH_REDIS_URL`, default
//! `redis://127.0.0.1:6379/15` (the database is emptied). Prints Markdown
//! tables.

use std::{
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
    sync::Arc,
    time::{Duration, Instant},
};

use chrono::{NaiveDate, Utc};
use karakana::{
    app::App,
    messages::reminders,
    models::{
        _entities::{customers, deliveries, vehicles},
        clock::Clock,
        organization::sites::{self, SiteSettings},
        Write,
    },
    queue::sidekiq::SidekiqQueue,
    settings::SidekiqSettings,
};
use loco_rs::{
    app::{AppContext, Hooks},
    bgworker::QueueProvider,
    boot::StartMode,
    config::WorkerMode,
    environment::Environment,
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, TransactionTrait,
};
use serde_json::{json, Value};
use sidekiq::{
    redis_rs::{aio::MultiplexedConnection, AsyncCommands, Client},
    Processor, ProcessorConfig, RedisConnectionManager,
};
use uuid::Uuid;

mod support;
use support::ScratchDatabase;

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

    let fleets = if quick {
        [2_000, 20_000]
    } else {
        [100_000, 1_000_000]
    };
    sweeps(fleets).await;
    let reminders = if quick { 300 } else { 100_000 };
    reminders_end_to_end(&url, &mut conn, reminders).await;
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
            Self::Karakana => "LMOVE/BLMOVE to a working list, LREM with the next fetch (reliable)",
            Self::RustySidekiq | Self::Ruby => "BRPOP (a killed worker loses its jobs)",
        }
    }

    /// Jobs per second for one round.
    async fn run(self, url: &str, conn: &mut MultiplexedConnection, jobs: usize) -> f64 {
        flush(conn).await;
        match self {
            Self::Karakana => {
                // As a worker process runs: with its relay polling an (empty)
                // jobs table beside the fetchers and the heartbeat.
                let outbox = sea_orm::Database::connect(
                    sea_orm::ConnectOptions::new("sqlite::memory:")
                        .max_connections(1)
                        .to_owned(),
                )
                .await
                .expect("an outbox");
                <migration::Migrator as migration::MigratorTrait>::up(&outbox, None)
                    .await
                    .expect("its schema");
                let provider = Arc::new(
                    SidekiqQueue::new(
                        SidekiqSettings {
                            redis_url: url.to_string(),
                            concurrency: WORKERS,
                            ..SidekiqSettings::default()
                        },
                        Some(outbox),
                    )
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

/// Boots the app on a fresh scratch database (migrated), with `configure`
/// applied to its configuration first.
async fn app(
    database: &ScratchDatabase,
    mode: StartMode,
    configure: impl FnOnce(&mut loco_rs::config::Config),
) -> AppContext {
    let mut config = App::load_config(&Environment::Test).await.expect("config");
    config.database.uri = database.url.clone();
    configure(&mut config);
    App::boot(mode, &Environment::Test, config)
        .await
        .expect("the app boots")
        .app_context
}

/// An organization with one Nairobi site; its id.
async fn garage(ctx: &AppContext) -> (i64, i64) {
    let owner = support::owner(&ctx.db).await;
    let txn = Write::begin(&ctx.db).await.unwrap();
    let site = sites::Model::create(
        &txn,
        &owner,
        SiteSettings {
            phone: Some("+254700000000".into()),
            email: Some("nbo@bench.example".into()),
            ..support::nairobi_site("Bench Nairobi".into(), "NBO".into())
        },
    )
    .await
    .unwrap();
    txn.commit().await.unwrap();
    (owner.organization_id(), site.id)
}

/// Adds `count` vehicles (numbered from `first`), one customer with an
/// email per ten vehicles; every `due_every`-th vehicle is due in three
/// days, the others in half a year or more.
async fn add_fleet(
    ctx: &AppContext,
    (organization, site): (i64, i64),
    first: usize,
    count: usize,
    due_every: usize,
) {
    const CHUNK: usize = 1_000;
    let db = &ctx.db;
    let now = Utc::now().fixed_offset();
    let today = Utc::now().date_naive();
    let due = today + chrono::Days::new(3);
    for start in (first..first + count).step_by(CHUNK) {
        let end = (start + CHUNK).min(first + count);
        let txn = db.begin().await.unwrap();
        let people = (start / 10..end.div_ceil(10)).map(|c| customers::ActiveModel {
            pid: Set(Uuid::new_v4()),
            organization_id: Set(organization),
            home_site_id: Set(site),
            name: Set(format!("Driver {c}")),
            phone: Set(None),
            email: Set(Some(format!("driver{c}@bench.example"))),
            marketing_opt_in: Set(false),
            marketing_consent_at: Set(None),
            marketing_consent_source: Set(None),
            marketing_consent_by: Set(None),
            erased_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            language: Set(None),
            ..Default::default()
        });
        customers::Entity::insert_many(people)
            .exec(&txn)
            .await
            .unwrap();
        let ids: Vec<i64> = customers::Entity::find()
            .select_only()
            .column(customers::Column::Id)
            .filter(customers::Column::OrganizationId.eq(organization))
            .order_by_desc(customers::Column::Id)
            .limit(u64::try_from(end.div_ceil(10) - start / 10).unwrap())
            .into_tuple()
            .all(&txn)
            .await
            .unwrap();
        let lowest = *ids.last().unwrap();
        let fleet = (start..end).map(|v| {
            let due_on: NaiveDate = if v % due_every == 0 {
                due
            } else {
                today + chrono::Days::new(180 + (v % 365) as u64)
            };
            let plate = format!("KB{v:07}");
            vehicles::ActiveModel {
                pid: Set(Uuid::new_v4()),
                organization_id: Set(organization),
                customer_id: Set(lowest + i64::try_from(v / 10 - start / 10).unwrap()),
                plate: Set(plate.clone()),
                plate_key: Set(plate),
                vin: Set(None),
                make: Set("Toyota".into()),
                model: Set("Probox".into()),
                year: Set(Some(2014)),
                service_interval_months: Set(Some(6)),
                service_interval_km: Set(None),
                last_service_on: Set(None),
                last_service_km: Set(None),
                odometer_km: Set(None),
                next_service_due_on: Set(Some(due_on)),
                next_service_due_km: Set(None),
                next_service_km_predicted_on: Set(None),
                service_due_on: Set(Some(due_on)),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
        });
        vehicles::Entity::insert_many(fleet)
            .exec(&txn)
            .await
            .unwrap();
        txn.commit().await.unwrap();
    }
}

/// The median of `runs` timings of `work`, in milliseconds.
async fn median_ms<F, Fut>(runs: usize, mut work: F) -> f64
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = usize>,
{
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        std::hint::black_box(work().await);
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    times[runs / 2]
}

/// Part 2: the sweep's time on a fleet grown tenfold, 1 % due.
async fn sweeps(fleets: [usize; 2]) {
    let database = ScratchDatabase::create().await;
    let ctx = app(&database, StartMode::ServerOnly, |_| {}).await;
    let garage = garage(&ctx).await;
    let backend = if database.url.starts_with("postgres") {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    println!("\nReminder sweep on {backend}: 1 % of the fleet due, median of 5 runs; the sweep's cost follows the number due, the naive one's the fleet\n");
    println!(
        "| fleet | due | Karakana's sweep (due-date index) | naive sweep (reads every vehicle) |"
    );
    println!("|---:|---:|---:|---:|");
    let mut seeded = 0;
    for fleet in fleets {
        let started = Instant::now();
        add_fleet(&ctx, garage, seeded, fleet - seeded, 100).await;
        seeded = fleet;
        eprintln!(
            "seeded {fleet} vehicles in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        let db = &ctx.db;
        let due = reminders::due(db, Clock::System, false).await.unwrap().due;
        let indexed = median_ms(5, || async {
            reminders::due(db, Clock::System, false)
                .await
                .unwrap()
                .to_send
                .len()
        })
        .await;
        let today = Utc::now().date_naive();
        let window = today..=today + chrono::Days::new(7);
        let naive = median_ms(5, || async {
            let all: Vec<(Uuid, Option<NaiveDate>)> = vehicles::Entity::find()
                .select_only()
                .column(vehicles::Column::Pid)
                .column(vehicles::Column::ServiceDueOn)
                .into_tuple()
                .all(db)
                .await
                .unwrap();
            all.iter()
                .filter(|(_, due_on)| due_on.is_some_and(|on| window.contains(&on)))
                .count()
        })
        .await;
        let per_due = indexed * 1000.0 / due.max(1) as f64;
        let per_vehicle = naive * 1000.0 / fleet as f64;
        println!("| {fleet} | {due} | {indexed:.1} ms ({per_due:.1} µs a due vehicle) | {naive:.1} ms ({per_vehicle:.2} µs a vehicle) |");
    }
}

/// An SMTP server on a free port that accepts every message and keeps
/// nothing (tests/support/smtp_sink.py --discard).
struct Sink {
    child: Child,
    port: u16,
}

impl Sink {
    fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let mut child = Command::new("/usr/bin/python3")
            .arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/support/smtp_sink.py"
            ))
            .args(["--port", &port.to_string(), "--out"])
            .arg(std::env::temp_dir())
            .arg("--discard")
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 runs (apt-get install -y python3-aiosmtpd)");
        let mut ready = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut ready)
            .unwrap();
        assert_eq!(ready.trim(), "ready", "the SMTP sink did not start");
        Self { child, port }
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Part 3: reminders per second, job to SMTP server, against lettre alone.
async fn reminders_end_to_end(url: &str, conn: &mut MultiplexedConnection, count: usize) {
    flush(conn).await;
    let sink = Sink::start();
    let database = ScratchDatabase::create().await;
    let mail = json!({"from": "Bench Motors <service@bench.example>",
                      "delivery": {"kind": "smtp", "host": "127.0.0.1", "port": sink.port, "tls": "none"}});
    let queue_kind = if database.url.starts_with("postgres") {
        "Postgres"
    } else {
        "Sqlite"
    };
    let ctx = app(
        &database,
        StartMode::WorkerOnly { tags: Vec::new() },
        |config| {
            config.workers.mode = WorkerMode::BackgroundQueue;
            config.queue = Some(
                serde_json::from_value(json!({"kind": queue_kind, "uri": database.url})).unwrap(),
            );
            let settings = config
                .settings
                .as_mut()
                .and_then(Value::as_object_mut)
                .unwrap();
            settings.insert("mail".into(), mail.clone());
            settings.insert(
                "sidekiq".into(),
                json!({"redis_url": url, "concurrency": WORKERS, "heartbeat_ttl_seconds": 60}),
            );
        },
    )
    .await;
    let garage = garage(&ctx).await;
    // Every vehicle due, so each job sends one message.
    add_fleet(&ctx, garage, 0, count, 1).await;
    let due: Vec<Value> = reminders::due(&ctx.db, Clock::System, false)
        .await
        .unwrap()
        .to_send
        .iter()
        .map(|due| json!({"vehicle_id": due.vehicle_id, "due_on": due.due_on}))
        .collect();
    assert_eq!(due.len(), count);
    let queue = ctx.queue_provider.clone().expect("the Sidekiq provider");
    let worker = {
        let queue = queue.clone();
        tokio::spawn(async move { queue.run(Vec::new()).await })
    };
    wait_for_process(conn).await;

    let started = Instant::now();
    queue
        .enqueue_batch(
            "SendServiceReminder".to_string(),
            None,
            due.into_iter().map(|args| (args, None)).collect(),
            None,
        )
        .await
        .expect("enqueued");
    let sent = loop {
        let sent = deliveries::Entity::find()
            .filter(deliveries::Column::Status.eq("sent"))
            .count(&ctx.db)
            .await
            .unwrap();
        if sent >= count as u64 {
            break sent;
        }
        assert!(
            started.elapsed() < Duration::from_secs(1800),
            "{sent} of {count} sent after 30 minutes"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let karakana = sent as f64 / started.elapsed().as_secs_f64();
    queue.shutdown().unwrap();
    worker.await.unwrap().unwrap();

    let lettre = lettre_alone(sink.port, count).await;
    let backend = if database.url.starts_with("postgres") {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    println!("\nService reminders end to end: {count} messages, {WORKERS} workers, {backend}, local SMTP server (aiosmtpd)\n");
    println!("| sender | messages/s |");
    println!("|---|---:|");
    println!("| Karakana: job in Redis → database → ledger → template → SMTP | {karakana:.0} |");
    println!(
        "| lettre alone, same server and concurrency (the mail path's ceiling) | {lettre:.0} |"
    );
}

/// Messages per second from lettre alone, `WORKERS` at a time, over a
/// pooled transport as Karakana's mailer has.
async fn lettre_alone(port: u16, count: usize) -> f64 {
    use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
    let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
        .port(port)
        .build();
    let body =
        "Hello Driver,\n\nYour Toyota Probox KB0000001 is due for its service on 25 November.\n"
            .repeat(12);
    let started = Instant::now();
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut senders = tokio::task::JoinSet::new();
    for _ in 0..WORKERS {
        let (transport, next, body) = (transport.clone(), next.clone(), body.clone());
        senders.spawn(async move {
            while next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < count {
                let message = Message::builder()
                    .from("Bench Motors <service@bench.example>".parse().unwrap())
                    .to("driver@bench.example".parse().unwrap())
                    .subject("Your service is due")
                    .body(body.clone())
                    .unwrap();
                transport.send(message).await.expect("sent");
            }
        });
    }
    while senders.join_next().await.is_some() {}
    count as f64 / started.elapsed().as_secs_f64()
}
