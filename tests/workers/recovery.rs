//! Outages outlasted and killed workers recovered, with real processes:
//! `karakana start --worker` on the embedded queue and on Sidekiq's, a real
//! SMTP server that goes away and comes back, a Redis that is not there
//! when a claim commits.

use std::{
    collections::HashMap,
    net::TcpListener,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use karakana::{
    models::Write,
    queue,
    workers::send_service_reminder::{ReminderArgs, SendServiceReminder},
};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

use super::sidekiq::{per_recipient, Fleet};
use crate::support::{
    redis::{TestRedis, WorkerProcess},
    smtp::SmtpSink,
    wait_until, TestApp,
};

/// Which queue the workers run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Backend {
    Embedded,
    Sidekiq,
}

impl Backend {
    /// The Redis the workers use: none on the embedded queue.
    async fn redis(self) -> Option<TestRedis> {
        match self {
            Self::Sidekiq => Some(TestRedis::fresh().await),
            Self::Embedded => None,
        }
    }
}

/// Queues one reminder job per vehicle of `fleet` on `backend`.
async fn queue_reminders(fleet: &Fleet, redis: Option<&TestRedis>) {
    match redis {
        Some(redis) => {
            for n in 0..fleet.due.len() {
                redis.push("SendServiceReminder", fleet.job(n)).await;
            }
        }
        None => {
            let txn = Write::begin(&fleet.app.ctx.db).await.expect("a write");
            for n in 0..fleet.due.len() {
                let args: ReminderArgs =
                    serde_json::from_value(fleet.job(n)).expect("reminder arguments");
                queue::later::<SendServiceReminder, _>(&txn, &args)
                    .await
                    .expect("a job written");
            }
            txn.commit().await.expect("committed");
        }
    }
}

fn worker(
    backend: Backend,
    fleet: &Fleet,
    redis: Option<&TestRedis>,
    smtp_port: u16,
    env: &[(&str, &str)],
) -> WorkerProcess {
    match (backend, redis) {
        (Backend::Sidekiq, Some(redis)) => {
            WorkerProcess::start(fleet.database_url(), redis, smtp_port, env)
        }
        _ => WorkerProcess::embedded(fleet.database_url(), smtp_port, env),
    }
}

/// Rows of the jobs table.
async fn table_jobs(app: &TestApp) -> i64 {
    let db = &app.ctx.db;
    db.query_one_raw(Statement::from_string(
        db.get_database_backend(),
        "SELECT COUNT(*) AS n FROM queue_jobs",
    ))
    .await
    .expect("the jobs table")
    .expect("a count")
    .try_get("", "n")
    .expect("n")
}

/// 150 reminders, a slow mail server, and the worker killed with SIGKILL a
/// few seconds in; a new worker is started at once. Every customer is
/// reminded within two minutes of the kill, without waiting for a sweep;
/// duplicates are no more than the jobs in flight at the kill (the
/// concurrency, 4 in the tests), each with the first copy's Message-ID.
async fn a_killed_worker_is_recovered_within_two_minutes(backend: Backend) {
    let redis = backend.redis().await;
    let sink = SmtpSink::slow(Duration::from_millis(150));
    let fleet = Fleet::of(150).await;
    queue_reminders(&fleet, redis.as_ref()).await;

    // Quick heartbeats and claims, and a retry schedule compressed tenfold.
    let quick = [
        ("SIDEKIQ_HEARTBEAT_TTL", "3"),
        ("SIDEKIQ_LEASE", "3"),
        ("SIDEKIQ_BACKOFF_SCALE", "0.1"),
    ];
    let mut doomed = worker(backend, &fleet, redis.as_ref(), sink.port, &quick);
    sink.wait_for(12, Duration::from_secs(60));
    doomed.kill();
    let killed_at = Instant::now();
    let sent_before = sink.messages().len();
    assert!(
        sent_before < 150,
        "the kill came too late to test anything ({sent_before} sent)"
    );

    let _survivor = worker(backend, &fleet, redis.as_ref(), sink.port, &quick);
    wait_until(
        Duration::from_secs(120),
        "every customer reminded",
        || async { fleet.ledger("sent").await == 150 },
    )
    .await;
    let recovered_in = killed_at.elapsed();

    let messages = sink.wait_for(150, Duration::from_secs(5));
    let counts = per_recipient(&messages);
    let missing: Vec<_> = fleet
        .due
        .iter()
        .filter(|(_, _, email)| !counts.contains_key(email))
        .collect();
    assert!(missing.is_empty(), "never reminded: {missing:?}");
    let duplicates = messages.len() - 150;
    eprintln!(
        "{backend:?}: SIGKILL after {sent_before} messages; all 150 reminded {recovered_in:?} \
         after the kill; {duplicates} duplicates"
    );
    assert!(duplicates <= 4, "{duplicates} duplicates: {counts:?}");
    // A duplicate is the same message again: the same Message-ID.
    let mut ids: HashMap<String, Vec<String>> = HashMap::new();
    for message in &messages {
        let to = message["rcpt_tos"][0].as_str().unwrap().to_string();
        let id = message["headers"]["message-id"]
            .as_str()
            .unwrap()
            .to_string();
        ids.entry(to).or_default().push(id);
    }
    for (to, ids) in ids {
        assert!(
            ids.windows(2).all(|pair| pair[0] == pair[1]),
            "{to} got different messages: {ids:?}"
        );
    }
    if backend == Backend::Embedded {
        wait_until(
            Duration::from_secs(10),
            "the jobs table to empty",
            || async { table_jobs(&fleet.app).await == 0 },
        )
        .await;
    }
}

#[tokio::test]
#[ignore = "needs python3-aiosmtpd (a real SMTP server)"]
async fn on_the_embedded_queue_a_killed_worker_is_recovered_within_two_minutes() {
    a_killed_worker_is_recovered_within_two_minutes(Backend::Embedded).await;
}

#[tokio::test]
#[ignore = "needs Redis and python3-aiosmtpd"]
async fn on_sidekiq_a_killed_worker_is_recovered_within_two_minutes() {
    a_killed_worker_is_recovered_within_two_minutes(Backend::Sidekiq).await;
}

/// The mail server is away for "ten minutes", then back. The tests compress
/// time fifty-fold (`SIDEKIQ_BACKOFF_SCALE=0.02`: the retries at 15 s,
/// 31 s, 62 s, 158 s, 429 s and 1069 s come at 0.3 s … 21 s), so the outage
/// is 12 s. Every reminder arrives, once, and nothing is given up.
async fn a_ten_minute_mail_outage_is_outlasted(backend: Backend) {
    let redis = backend.redis().await;
    let mut sink = SmtpSink::start();
    sink.stop();
    let fleet = Fleet::of(20).await;
    queue_reminders(&fleet, redis.as_ref()).await;
    let _worker = worker(
        backend,
        &fleet,
        redis.as_ref(),
        sink.port,
        &[("SIDEKIQ_BACKOFF_SCALE", "0.02")],
    );
    wait_until(
        Duration::from_secs(30),
        "every first attempt to fail",
        || async { fleet.ledger("failed").await == 20 },
    )
    .await;
    tokio::time::sleep(Duration::from_secs(12)).await;
    assert_eq!(fleet.ledger("sent").await, 0, "the server was down");
    sink.restart();

    wait_until(Duration::from_secs(90), "every reminder sent", || async {
        fleet.ledger("sent").await == 20
    })
    .await;
    let messages = sink.wait_for(20, Duration::from_secs(5));
    let counts = per_recipient(&messages);
    assert_eq!(messages.len(), 20, "each once: {counts:?}");
    assert!(counts.values().all(|&count| count == 1), "{counts:?}");
    match &redis {
        Some(redis) => assert_eq!(redis.zcard("dead").await, 0),
        None => {
            wait_until(
                Duration::from_secs(10),
                "the jobs table to empty",
                || async { table_jobs(&fleet.app).await == 0 },
            )
            .await;
        }
    }
}

#[tokio::test]
#[ignore = "needs python3-aiosmtpd (a real SMTP server)"]
async fn on_the_embedded_queue_a_ten_minute_mail_outage_is_outlasted() {
    a_ten_minute_mail_outage_is_outlasted(Backend::Embedded).await;
}

#[tokio::test]
#[ignore = "needs Redis and python3-aiosmtpd"]
async fn on_sidekiq_a_ten_minute_mail_outage_is_outlasted() {
    a_ten_minute_mail_outage_is_outlasted(Backend::Sidekiq).await;
}

/// A Redis server of the test's own, on a port of its own.
struct OwnRedis {
    child: Option<Child>,
    port: u16,
}

impl OwnRedis {
    fn not_started() -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        Self { child: None, port }
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    fn start(&mut self) {
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server runs (apt-get install -y redis-server)");
        self.child = Some(child);
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        if let Some(child) = self.child.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

#[tokio::test]
#[ignore = "needs Redis and python3-aiosmtpd"]
async fn redis_down_during_a_claim_then_up_the_customers_news_goes_without_a_sweep() {
    let mut redis = OwnRedis::not_started();
    let sink = SmtpSink::start();
    let app = TestApp::spawn_with_settings(json!({
        "mail": sink.settings(),
        "sidekiq": {"redis_url": redis.url(), "concurrency": 2},
    }))
    .await;
    let owner = app.owner("Kamau Motors").await;
    let site = app.site(&owner, "NBO").await;
    let technician = app.staff(&owner, "technician", &[&site]).await;
    let order = app.approved_order(&owner, &site, "normal").await;
    app.order_customer(&owner, &order, &json!({"email": "achieng@example.com"}))
        .await;

    // Redis is not there: the claim is not the worse for it, and its job
    // waits in the database.
    let response = app.claim(&technician, &order).await;
    assert_eq!(response.status_code(), 200, "{}", response.text());
    assert_eq!(table_jobs(&app).await, 1);

    // Redis comes up, and a worker: the relay moves the job, the worker
    // sends the news. No sweep runs.
    redis.start();
    let _worker =
        WorkerProcess::start_on(&app.ctx.config.database.uri, &redis.url(), sink.port, &[]);
    let messages = sink.wait_for(1, Duration::from_secs(60));
    assert_eq!(messages.len(), 1, "the customer heard: {messages:#?}");
    assert!(messages[0]["subject"]
        .as_str()
        .unwrap()
        .starts_with("Work has started"));
    wait_until(Duration::from_secs(10), "the outbox to empty", || async {
        table_jobs(&app).await == 0
    })
    .await;
}
