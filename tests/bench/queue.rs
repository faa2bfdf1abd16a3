//! Queue benchmark: listing a site's queue and claiming from it, with 10,000
//! repair orders across 3 sites, 32 concurrent clients, against a raw
//! axum + sqlx baseline that runs the same SQL without Karakana around it.
//!
//! Each server runs in a process of its own, so its peak resident memory
//! under the load is its own: Karakana is the real `karakana start` binary
//! in production mode; the baseline is this program started again as a
//! server.
//!
//! `cargo bench --bench queue` (SQLite), or with
//! `DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres` for PostgreSQL
//! (a scratch database is created on that server). `BENCH_QUICK=1` runs a
//! small version in seconds, as CI does so that the benchmark cannot rot.
//! Prints Markdown tables.

use std::{
    net::SocketAddr,
    process::{Child, Command, Stdio},
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    routing::{get, post},
    Json, Router,
};
use base64::Engine;
use chrono::{DateTime, FixedOffset, TimeDelta, Utc};
use http_body_util::{BodyExt, Empty};
use hyper::{body::Bytes, Request};
use hyper_util::{client::legacy::Client, rt::TokioExecutor};
use karakana::models::values::Stored;
use karakana::{
    app::App,
    models::{
        customers::{
            self,
            vehicles::{self, NewVehicle},
            ConsentSource, NewCustomer,
        },
        organization::sites,
        people::{staff::NewStaff, users},
        values::{Email, Plate, Priority, RepairStatus},
        workshop::repair_orders,
        Write,
    },
};
use loco_rs::{
    app::{AppContext, Hooks},
    boot::StartMode,
    environment::Environment,
};
use sea_orm::{ActiveValue, ConnectionTrait, EntityTrait, TransactionTrait};
use serde::Deserialize;
use uuid::Uuid;

mod support;
use support::ScratchDatabase;

/// How much work one run does.
#[derive(Clone, Copy)]
struct Size {
    orders: usize,
    list_requests: usize,
    claim_requests: usize,
}

impl Size {
    fn from_env() -> Self {
        if std::env::var("BENCH_QUICK").is_ok_and(|quick| quick != "0") {
            Self {
                orders: 600,
                list_requests: 300,
                claim_requests: 100,
            }
        } else {
            Self {
                orders: 10_000,
                list_requests: 6_000,
                claim_requests: 1_500,
            }
        }
    }
}

const SITES: usize = 3;
const CLIENTS: usize = 32;
const TECHNICIANS_PER_SITE: usize = 32;
const POOL_SIZE: u32 = 16;
/// Set when this program runs as the baseline server: the database URL.
const BASELINE_DATABASE: &str = "KARAKANA_BENCH_BASELINE_DATABASE";
const BASELINE_PORT: &str = "KARAKANA_BENCH_BASELINE_PORT";

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    if let Ok(url) = std::env::var(BASELINE_DATABASE) {
        let port: u16 = std::env::var(BASELINE_PORT)
            .expect("a port")
            .parse()
            .expect("a port number");
        runtime.block_on(serve_baseline(&url, port));
    } else {
        runtime.block_on(run(Size::from_env()));
    }
}

async fn run(size: Size) {
    let database = ScratchDatabase::create().await;
    let mut config = App::load_config(&Environment::Test).await.expect("config");
    config.database.uri = database.url.clone();
    // Migrates the scratch database and gives the models a connection to
    // seed it through; this in-process app serves nothing.
    let boot = App::boot(StartMode::ServerOnly, &Environment::Test, config)
        .await
        .expect("boot");
    let ctx = boot.app_context.clone();
    let secret =
        base64::engine::general_purpose::STANDARD.encode(Uuid::new_v4().as_bytes().repeat(3));
    let world = seed(&ctx, size, &secret).await;

    let karakana_process = Server::karakana(&database.url, &secret);
    let baseline_process = Server::baseline(&database.url);
    karakana_process.wait_until_up("/_ping").await;
    baseline_process
        .wait_until_up("/queue?site_id=00000000-0000-0000-0000-000000000000")
        .await;
    let karakana_rss_idle = karakana_process.peak_rss_mb();
    let baseline_rss_idle = baseline_process.peak_rss_mb();
    let (karakana, baseline) = (karakana_process.address, baseline_process.address);
    let client = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(CLIENTS)
        .build_http::<Empty<Bytes>>();
    let backend = if database.url.starts_with("postgres") {
        "PostgreSQL"
    } else {
        "SQLite"
    };

    let site = world.sites[0];
    let cpu_before = Cpu::now(&karakana_process);
    let list_karakana = load(
        &client,
        (0..size.list_requests)
            .map(|i| Call {
                method: "GET",
                url: format!(
                    "http://{karakana}/api/repair-orders/queue?site_id={site}&per_page=50"
                ),
                token: Some(world.tokens_by_site[0][i % TECHNICIANS_PER_SITE].clone()),
                cookie: false,
                expect: 200,
            })
            .collect(),
    )
    .await;
    let list_karakana_cpu = Cpu::now(&karakana_process) - cpu_before;
    let cpu_before = Cpu::now(&baseline_process);
    let list_baseline = load(
        &client,
        (0..size.list_requests)
            .map(|_| Call {
                method: "GET",
                url: format!("http://{baseline}/queue?site_id={site}"),
                token: None,
                cookie: false,
                expect: 200,
            })
            .collect(),
    )
    .await;

    let list_baseline_cpu = Cpu::now(&baseline_process) - cpu_before;

    // The technician's queue page: the same 50 orders, rendered as HTML
    // with the page's shift bar, for a browser's session cookie.
    let cpu_before = Cpu::now(&karakana_process);
    let page_karakana = load(
        &client,
        (0..size.list_requests)
            .map(|i| Call {
                method: "GET",
                url: format!("http://{karakana}/queue"),
                token: Some(world.tokens_by_site[0][i % TECHNICIANS_PER_SITE].clone()),
                cookie: true,
                expect: 200,
            })
            .collect(),
    )
    .await;
    let page_karakana_cpu = Cpu::now(&karakana_process) - cpu_before;

    // Claims: every request takes a different approved order, so each wins.
    let (ours, theirs) = world.claimable.split_at(world.claimable.len() / 2);
    let cpu_before = Cpu::now(&karakana_process);
    let claim_karakana = load(
        &client,
        ours.iter()
            .take(size.claim_requests)
            .enumerate()
            .map(|(i, (order, s))| Call {
                method: "POST",
                url: format!("http://{karakana}/api/repair-orders/{order}/claim"),
                token: Some(world.tokens_by_site[*s][i % TECHNICIANS_PER_SITE].clone()),
                cookie: false,
                expect: 200,
            })
            .collect(),
    )
    .await;
    let claim_karakana_cpu = Cpu::now(&karakana_process) - cpu_before;
    let cpu_before = Cpu::now(&baseline_process);
    let claim_baseline = load(
        &client,
        theirs
            .iter()
            .take(size.claim_requests)
            .enumerate()
            .map(|(i, (order, s))| Call {
                method: "POST",
                url: format!(
                    "http://{baseline}/claim/{order}?technician={}",
                    world.technician_ids[*s][i % TECHNICIANS_PER_SITE]
                ),
                token: None,
                cookie: false,
                expect: 200,
            })
            .collect(),
    )
    .await;

    let claim_baseline_cpu = Cpu::now(&baseline_process) - cpu_before;

    let orders = size.orders;
    println!("\nQueue benchmark on {backend}: {orders} orders across {SITES} sites, {CLIENTS} concurrent clients\n");
    println!("| operation | server | requests | requests/s | p50 ms | p99 ms |");
    println!("|---|---|---:|---:|---:|---:|");
    for (operation, server, result) in [
        ("list queue (50 per page)", "Karakana", &list_karakana),
        (
            "list queue (50 per page)",
            "axum + sqlx baseline",
            &list_baseline,
        ),
        ("queue page, HTML (50 orders)", "Karakana", &page_karakana),
        ("claim", "Karakana", &claim_karakana),
        ("claim", "axum + sqlx baseline", &claim_baseline),
    ] {
        println!(
            "| {operation} | {server} | {} | {:.0} | {:.2} | {:.2} |",
            result.requests,
            result.per_second(),
            result.percentile(0.50),
            result.percentile(0.99)
        );
    }
    // Where the time goes: CPU a request costs the server's process, the
    // database server's processes (PostgreSQL; SQLite works inside the
    // server) and the load generator, all on the same two cores.
    println!(
        "\n| operation | server | CPU ms a request: server | database server | load generator |"
    );
    println!("|---|---|---:|---:|---:|");
    for (operation, server, spent, result) in [
        ("list queue", "Karakana", &list_karakana_cpu, &list_karakana),
        (
            "list queue",
            "axum + sqlx baseline",
            &list_baseline_cpu,
            &list_baseline,
        ),
        ("queue page", "Karakana", &page_karakana_cpu, &page_karakana),
        ("claim", "Karakana", &claim_karakana_cpu, &claim_karakana),
        (
            "claim",
            "axum + sqlx baseline",
            &claim_baseline_cpu,
            &claim_baseline,
        ),
    ] {
        #[allow(clippy::cast_precision_loss)]
        let per = |seconds: f64| seconds * 1000.0 / result.requests as f64;
        println!(
            "| {operation} | {server} | {:.3} | {:.3} | {:.3} |",
            per(spent.server),
            per(spent.database),
            per(spent.generator)
        );
    }
    println!(
        "\n| server | resident memory when ready, MB | peak resident memory under the load, MB |"
    );
    println!("|---|---:|---:|");
    for (server, idle, peak) in [
        (
            "Karakana",
            karakana_rss_idle,
            karakana_process.peak_rss_mb(),
        ),
        (
            "axum + sqlx baseline",
            baseline_rss_idle,
            baseline_process.peak_rss_mb(),
        ),
    ] {
        println!("| {server} | {idle:.1} | {peak:.1} |");
    }
    println!(
        "\nThe queue page serves {:.2}x the JSON list's requests a second (goal: at least 0.8x).",
        page_karakana.per_second() / list_karakana.per_second()
    );
    drop((karakana_process, baseline_process));
    drop(ctx);
    drop(database);
}

/// CPU seconds (user and system) spent so far by a server under test, by
/// every PostgreSQL process, and by this program (the load generator).
#[derive(Clone, Copy)]
struct Cpu {
    server: f64,
    database: f64,
    generator: f64,
}

impl Cpu {
    fn now(server: &Server) -> Self {
        let database = std::fs::read_dir("/proc")
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
                    .filter_map(|pid| {
                        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
                        stat.contains("(postgres)").then(|| cpu_seconds(&stat))
                    })
                    .sum()
            })
            .unwrap_or_default();
        let of = |pid: String| {
            std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .map(|stat| cpu_seconds(&stat))
                .unwrap_or_default()
        };
        Self {
            server: of(server.child.id().to_string()),
            database,
            generator: of("self".to_string()),
        }
    }
}

impl std::ops::Sub for Cpu {
    type Output = Self;

    fn sub(self, before: Self) -> Self {
        Self {
            server: self.server - before.server,
            database: self.database - before.database,
            generator: self.generator - before.generator,
        }
    }
}

/// `utime + stime` of a `/proc/<pid>/stat` line, in seconds (100 ticks a
/// second on Linux).
fn cpu_seconds(stat: &str) -> f64 {
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |n: usize| fields.get(n).and_then(|value| value.parse::<f64>().ok());
    (ticks(11).unwrap_or_default() + ticks(12).unwrap_or_default()) / 100.0
}

/// A server under test, in a process of its own; stopped when dropped.
struct Server {
    child: Child,
    address: SocketAddr,
}

impl Server {
    /// `karakana start` in production mode on the scratch database.
    fn karakana(database_url: &str, secret: &str) -> Self {
        let port = free_port();
        let storage = std::env::temp_dir().join(format!("karakana-bench-storage-{port}"));
        let child = Command::new(env!("CARGO_BIN_EXE_karakana"))
            .arg("start")
            .env("LOCO_ENV", "production")
            .env("DATABASE_URL", database_url)
            .env("DB_MAX_CONNECTIONS", POOL_SIZE.to_string())
            .env("DB_AUTO_MIGRATE", "false")
            .env("JWT_SECRET", secret)
            .env("BINDING", "127.0.0.1")
            .env("PORT", port.to_string())
            .env("LOG_LEVEL", "warn")
            .env("STORAGE_PATH", storage)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("karakana starts");
        Self {
            child,
            address: SocketAddr::from(([127, 0, 0, 1], port)),
        }
    }

    /// This program again, serving the baseline.
    fn baseline(database_url: &str) -> Self {
        let port = free_port();
        let child = Command::new(std::env::current_exe().expect("this program"))
            .env(BASELINE_DATABASE, database_url)
            .env(BASELINE_PORT, port.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the baseline starts");
        Self {
            child,
            address: SocketAddr::from(([127, 0, 0, 1], port)),
        }
    }

    async fn wait_until_up(&self, path: &str) {
        let client = Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();
        let url: hyper::Uri = format!("http://{}{path}", self.address).parse().unwrap();
        for _ in 0..600 {
            if client
                .get(url.clone())
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the server at {} did not come up", self.address);
    }

    /// The most memory the process has held resident (`VmHWM`), in MB.
    fn peak_rss_mb(&self) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("the process's status");
        let kib: f64 = status
            .lines()
            .find_map(|line| line.strip_prefix("VmHWM:"))
            .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmHWM");
        kib / 1024.0
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free port")
}

struct World {
    sites: Vec<Uuid>,
    tokens_by_site: Vec<Vec<String>>,
    technician_ids: Vec<Vec<i64>>,
    /// Approved, unclaimed orders: (public id, site index).
    claimable: Vec<(Uuid, usize)>,
}

async fn seed(ctx: &AppContext, size: Size, secret: &str) -> World {
    let db = &ctx.db;
    let started = Instant::now();
    let owner = support::owner(db).await;

    let mut sites = Vec::new();
    let mut tokens_by_site = Vec::new();
    let mut technician_ids = Vec::new();
    let password = support::password().await;
    for s in 0..SITES {
        let txn = Write::begin(db).await.unwrap();
        let site = sites::Model::create(
            &txn,
            &owner,
            support::nairobi_site(format!("Site {s}"), format!("S{s}")),
        )
        .await
        .unwrap();
        let mut tokens = Vec::new();
        let mut ids = Vec::new();
        for t in 0..TECHNICIANS_PER_SITE {
            let technician = users::Model::create_staff(
                &txn,
                &owner,
                NewStaff {
                    name: format!("Technician {s}-{t}"),
                    email: Email::parse(&format!("tech{s}-{t}@bench.example")).unwrap(),
                    password: password.clone(),
                    role: karakana::models::people::roles::Role::Technician,
                    site_ids: vec![site.pid],
                },
            )
            .await
            .unwrap();
            tokens.push(technician.token(secret, 3600).unwrap());
            ids.push(technician.id);
        }
        txn.commit().await.unwrap();
        tokens_by_site.push(tokens);
        technician_ids.push(ids);
        sites.push(site);
    }

    // 300 customers with a vehicle each, through the models.
    let mut vehicles_by_site: Vec<Vec<vehicles::Model>> = vec![Vec::new(); SITES];
    for c in 0..300 {
        let site = &sites[c % SITES];
        let txn = Write::begin(db).await.unwrap();
        let customer = customers::Model::create(
            &txn,
            &owner,
            NewCustomer {
                name: format!("Customer {c}"),
                phone: Some(format!("+2547{c:08}")),
                email: None,
                home_site_id: site.pid,
                marketing_opt_in: false,
                consent_source: ConsentSource::InPerson,
                language: None,
                prefers_sms: false,
            },
        )
        .await
        .unwrap();
        let vehicle = vehicles::Model::create(
            &txn,
            &owner,
            &customer,
            NewVehicle {
                plate: Plate::parse(&format!("KB{c:04}")).unwrap(),
                vin: None,
                make: "Toyota".into(),
                model: "Probox".into(),
                year: Some(2014),
                service_interval_months: Some(6),
                service_interval_km: Some(5_000),
                last_service_on: None,
                last_service_km: None,
            },
            None,
        )
        .await
        .unwrap();
        txn.commit().await.unwrap();
        vehicles_by_site[c % SITES].push(vehicle);
    }

    // The orders in bulk: 60 % waiting in the queue, the rest at other
    // stages, created over the last 30 days with mixed priorities.
    let statuses = [
        RepairStatus::Approved,
        RepairStatus::Approved,
        RepairStatus::Approved,
        RepairStatus::Requested,
        RepairStatus::Completed,
    ];
    let now = Utc::now();
    let txn = db.begin().await.unwrap();
    let mut claimable = Vec::new();
    let mut batch = Vec::new();
    for i in 0..size.orders {
        let s = i % SITES;
        let status = if i % 5 == 4 {
            RepairStatus::InProgress
        } else {
            statuses[i % statuses.len()]
        };
        let status = if i % 10 < 6 {
            RepairStatus::Approved
        } else {
            status
        };
        let vehicle = &vehicles_by_site[s][i % vehicles_by_site[s].len()];
        let created: DateTime<FixedOffset> = (now
            - TimeDelta::seconds(i64::try_from(size.orders - i).unwrap() * 250))
        .fixed_offset();
        let technician = (status == RepairStatus::InProgress)
            .then(|| technician_ids[s][i % TECHNICIANS_PER_SITE]);
        let pid = Uuid::new_v4();
        if status == RepairStatus::Approved {
            claimable.push((pid, s));
        }
        batch.push(repair_orders::ActiveModel {
            pid: ActiveValue::Set(pid),
            organization_id: ActiveValue::Set(owner.organization_id()),
            site_id: ActiveValue::Set(sites[s].id),
            vehicle_id: ActiveValue::Set(vehicle.id),
            customer_id: ActiveValue::Set(vehicle.customer_id),
            status: ActiveValue::Set(status.as_str().to_string()),
            priority: ActiveValue::Set(
                [
                    Priority::Low,
                    Priority::Normal,
                    Priority::Normal,
                    Priority::High,
                    Priority::Urgent,
                ][i % 5]
                    .rank(),
            ),
            description: ActiveValue::Set(format!("Job {i}")),
            complaint: ActiveValue::Set(None),
            odometer_km: ActiveValue::Set(None),
            technician_id: ActiveValue::Set(technician),
            created_by: ActiveValue::Set(owner.user_id()),
            approved_at: ActiveValue::Set(Some(created)),
            started_at: ActiveValue::Set(None),
            completed_at: ActiveValue::Set(None),
            created_at: ActiveValue::Set(created),
            updated_at: ActiveValue::Set(created),
            ..Default::default()
        });
        if batch.len() == 500 {
            repair_orders::Entity::insert_many(std::mem::take(&mut batch))
                .exec(&txn)
                .await
                .unwrap();
        }
    }
    if !batch.is_empty() {
        repair_orders::Entity::insert_many(batch)
            .exec(&txn)
            .await
            .unwrap();
    }
    txn.commit().await.unwrap();
    db.execute_unprepared("ANALYZE").await.unwrap();
    // Spread the claims over the sites so neither server gets an easier mix.
    claimable.sort_by_key(|(pid, _)| *pid);
    eprintln!("seeded in {:.1}s", started.elapsed().as_secs_f64());
    World {
        sites: sites.iter().map(|site| site.pid).collect(),
        tokens_by_site,
        technician_ids,
        claimable,
    }
}

/// The baseline as a server of its own (this program, started by `run`).
async fn serve_baseline(database_url: &str, port: u16) {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .expect("the baseline's port");
    axum::serve(listener, baseline_router(database_url).await)
        .await
        .expect("serve");
}

struct Call {
    method: &'static str,
    url: String,
    token: Option<String>,
    /// The token goes in the session cookie, as a browser sends it.
    cookie: bool,
    expect: u16,
}

struct Outcome {
    requests: usize,
    elapsed: Duration,
    latencies_ms: Vec<f64>,
}

impl Outcome {
    fn per_second(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    fn percentile(&self, p: f64) -> f64 {
        let index = ((self.latencies_ms.len() as f64 - 1.0) * p).round() as usize;
        self.latencies_ms[index]
    }
}

/// `calls` made by `CLIENTS` concurrent clients; every answer must carry the
/// expected status.
async fn load(
    client: &Client<hyper_util::client::legacy::connect::HttpConnector, Empty<Bytes>>,
    calls: Vec<Call>,
) -> Outcome {
    let requests = calls.len();
    let calls = Arc::new(calls);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let workers = (0..CLIENTS).map(|_| {
        let (client, calls, next) = (client.clone(), calls.clone(), next.clone());
        tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= requests {
                    return latencies;
                }
                let call = &calls[i];
                let mut request = Request::builder().method(call.method).uri(&call.url);
                match &call.token {
                    Some(token) if call.cookie => {
                        request = request.header("cookie", format!("karakana_session={token}"));
                    }
                    Some(token) => {
                        request = request.header("authorization", format!("Bearer {token}"));
                    }
                    None => {}
                }
                let sent = Instant::now();
                let response = client
                    .request(request.body(Empty::new()).unwrap())
                    .await
                    .expect("a response");
                let status = response.status().as_u16();
                let body = response
                    .into_body()
                    .collect()
                    .await
                    .expect("a body")
                    .to_bytes();
                latencies.push(sent.elapsed().as_secs_f64() * 1000.0);
                assert_eq!(
                    status,
                    call.expect,
                    "{} {}: {}",
                    call.method,
                    call.url,
                    String::from_utf8_lossy(&body)
                );
            }
        })
    });
    let mut latencies_ms: Vec<f64> = futures::future::join_all(workers)
        .await
        .into_iter()
        .flat_map(|worker| worker.expect("a client"))
        .collect();
    let elapsed = started.elapsed();
    latencies_ms.sort_by(f64::total_cmp);
    Outcome {
        requests,
        elapsed,
        latencies_ms,
    }
}

// ---------------------------------------------------------------------------
// The baseline: the same SQL over plain sqlx, no ORM, no auth, no scoping
// layers; what Karakana's overhead is measured against.

#[derive(Clone)]
enum Pool {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

async fn baseline_router(url: &str) -> Router {
    let pool = if url.starts_with("postgres") {
        Pool::Postgres(
            sqlx::postgres::PgPoolOptions::new()
                .max_connections(POOL_SIZE)
                .connect(url)
                .await
                .unwrap(),
        )
    } else {
        Pool::Sqlite(
            sqlx::sqlite::SqlitePoolOptions::new()
                .max_connections(POOL_SIZE)
                .connect_with(
                    url.parse::<sqlx::sqlite::SqliteConnectOptions>()
                        .unwrap()
                        .busy_timeout(Duration::from_secs(5)),
                )
                .await
                .unwrap(),
        )
    };
    Router::new()
        .route("/queue", get(baseline_queue))
        .route("/claim/{id}", post(baseline_claim))
        .with_state(pool)
}

/// The statement Karakana runs for a page of the queue (the ORM's own SQL,
/// written out), and the count for `total`.
const QUEUE_SQL: &str = "SELECT o.id, o.pid, o.status, o.priority, o.description, o.complaint, \
    o.odometer_km, o.technician_id, o.created_at, s.pid AS site_pid, s.name AS site_name, \
    v.pid AS vehicle_pid, v.plate, v.make, v.model, c.pid AS customer_pid, c.name AS customer_name, \
    u.pid AS technician_pid, u.name AS technician_name \
    FROM repair_orders o \
    JOIN sites s ON s.id = o.site_id AND s.organization_id = o.organization_id \
    JOIN vehicles v ON v.id = o.vehicle_id \
    JOIN customers c ON c.id = o.customer_id LEFT JOIN users u ON u.id = o.technician_id \
    WHERE s.pid = $1 AND o.status = 'approved' AND o.technician_id IS NULL \
    ORDER BY o.priority DESC, o.created_at ASC, o.id ASC LIMIT 50";
const COUNT_SQL: &str = "SELECT COUNT(*) FROM repair_orders o \
    JOIN sites s ON s.id = o.site_id AND s.organization_id = o.organization_id WHERE s.pid = $1 AND o.status = 'approved' AND o.technician_id IS NULL";

/// A 500 that says why, so a baseline that breaks is seen at once.
fn failed(err: sqlx::Error) -> StatusCode {
    eprintln!("baseline: {err}");
    StatusCode::INTERNAL_SERVER_ERROR
}

#[derive(Deserialize)]
struct SiteQuery {
    site_id: Uuid,
}

#[derive(sqlx::FromRow, serde::Serialize)]
struct Row {
    id: i64,
    pid: Uuid,
    status: String,
    priority: i16,
    description: String,
    complaint: Option<String>,
    odometer_km: Option<i64>,
    technician_id: Option<i64>,
    created_at: DateTime<FixedOffset>,
    site_pid: Uuid,
    site_name: String,
    vehicle_pid: Uuid,
    plate: String,
    make: String,
    model: String,
    customer_pid: Uuid,
    customer_name: String,
    technician_pid: Option<Uuid>,
    technician_name: Option<String>,
}

async fn baseline_queue(
    State(pool): State<Pool>,
    Query(query): Query<SiteQuery>,
) -> Result<Json<serde_json::Value>, StatusCode> {
    let (rows, total): (Vec<Row>, i64) = match &pool {
        Pool::Sqlite(pool) => (
            sqlx::query_as(QUEUE_SQL)
                .bind(query.site_id)
                .fetch_all(pool)
                .await
                .map_err(failed)?,
            sqlx::query_scalar(COUNT_SQL)
                .bind(query.site_id)
                .fetch_one(pool)
                .await
                .map_err(failed)?,
        ),
        Pool::Postgres(pool) => (
            sqlx::query_as(QUEUE_SQL)
                .bind(query.site_id)
                .fetch_all(pool)
                .await
                .map_err(failed)?,
            sqlx::query_scalar(COUNT_SQL)
                .bind(query.site_id)
                .fetch_one(pool)
                .await
                .map_err(failed)?,
        ),
    };
    Ok(Json(
        serde_json::json!({ "items": rows, "page": 1, "per_page": 50, "total": total }),
    ))
}

#[derive(Deserialize)]
struct Technician {
    technician: i64,
}

const CLAIM_SQL: &str = "UPDATE repair_orders SET status = 'in_progress', technician_id = $1, \
    started_at = $2, updated_at = $2 WHERE pid = $3 AND status = 'approved' AND technician_id IS NULL";
const EVENT_SQL: &str = "INSERT INTO repair_order_events (organization_id, site_id, \
    repair_order_id, from_status, to_status, actor_id, note, created_at) \
    SELECT organization_id, site_id, id, 'approved', 'in_progress', $1, 'claimed from the queue', $2 \
    FROM repair_orders WHERE pid = $3";
/// The customer's "work has started" job, written in the claim's own
/// transaction as Karakana writes it.
const JOB_SQL: &str = "INSERT INTO queue_jobs (jid, class, queue, args, status, run_at, \
    retry_count, created_at, updated_at) VALUES ($1, 'RepairStatusUpdate', 'default', $2, \
    'queued', $3, 0, $3, $3)";

/// The job's id and argument, as Karakana writes them.
fn job_of(pid: Uuid) -> (String, String) {
    let mut jid = Uuid::new_v4().simple().to_string();
    jid.truncate(24);
    let args = serde_json::json!({"repair_order_id": pid, "status": "in_progress"}).to_string();
    (jid, args)
}

async fn baseline_claim(
    State(pool): State<Pool>,
    Path(pid): Path<Uuid>,
    Query(technician): Query<Technician>,
) -> Result<StatusCode, StatusCode> {
    let now = Utc::now().fixed_offset();
    let claimed = match &pool {
        Pool::Sqlite(pool) => {
            let mut txn = pool.begin().await.map_err(failed)?;
            let done = sqlx::query(CLAIM_SQL)
                .bind(technician.technician)
                .bind(now)
                .bind(pid)
                .execute(&mut *txn)
                .await
                .map_err(failed)?;
            if done.rows_affected() == 1 {
                sqlx::query(EVENT_SQL)
                    .bind(technician.technician)
                    .bind(now)
                    .bind(pid)
                    .execute(&mut *txn)
                    .await
                    .map_err(failed)?;
                let (jid, args) = job_of(pid);
                sqlx::query(JOB_SQL)
                    .bind(jid)
                    .bind(args)
                    .bind(now)
                    .execute(&mut *txn)
                    .await
                    .map_err(failed)?;
            }
            txn.commit().await.map_err(failed)?;
            done.rows_affected() == 1
        }
        Pool::Postgres(pool) => {
            let mut txn = pool.begin().await.map_err(failed)?;
            let done = sqlx::query(CLAIM_SQL)
                .bind(technician.technician)
                .bind(now)
                .bind(pid)
                .execute(&mut *txn)
                .await
                .map_err(failed)?;
            if done.rows_affected() == 1 {
                sqlx::query(EVENT_SQL)
                    .bind(technician.technician)
                    .bind(now)
                    .bind(pid)
                    .execute(&mut *txn)
                    .await
                    .map_err(failed)?;
                let (jid, args) = job_of(pid);
                sqlx::query(JOB_SQL)
                    .bind(jid)
                    .bind(args)
                    .bind(now)
                    .execute(&mut *txn)
                    .await
                    .map_err(failed)?;
            }
            txn.commit().await.map_err(failed)?;
            done.rows_affected() == 1
        }
    };
    Ok(if claimed {
        StatusCode::OK
    } else {
        StatusCode::CONFLICT
    })
}
