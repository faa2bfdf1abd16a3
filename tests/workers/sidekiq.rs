//! The Sidekiq backend end to end: jobs in a real Redis, run by separate
//! `karakana start --worker` processes, mail to a real SMTP server, and
//! Ruby's Sidekiq (Debian's `ruby-sidekiq`) on the other side.

use std::{collections::HashMap, process::Command, time::Duration};

use chrono::{NaiveDate, Utc};
use karakana::models::_entities::deliveries;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::support::{
    id_of,
    redis::{TestRedis, WorkerProcess},
    smtp::SmtpSink,
    Session, TestApp,
};

/// A garage whose customers each have one vehicle due for service.
pub struct Fleet {
    pub app: TestApp,
    /// `(vehicle id, due on, customer's email)`.
    pub due: Vec<(String, String, String)>,
}

impl Fleet {
    pub async fn of(size: usize) -> Self {
        let app = TestApp::spawn().await;
        let owner = app.owner("Kamau Motors").await;
        let site = app.site(&owner, "NBO").await;
        // Due in three days, whatever today is.
        let due_on = Utc::now().date_naive() + chrono::Days::new(3);
        let last_service_on = due_on - chrono::Months::new(6);
        let mut due = Vec::with_capacity(size);
        for n in 0..size {
            due.push(due_vehicle(&app, &owner, &site, n, last_service_on).await);
        }
        Self { app, due }
    }

    pub fn database_url(&self) -> &str {
        &self.app.ctx.config.database.uri
    }

    pub fn job(&self, n: usize) -> Value {
        json!({"vehicle_id": self.due[n].0, "due_on": self.due[n].1})
    }

    pub async fn ledger(&self, status: &str) -> u64 {
        deliveries::Entity::find()
            .filter(deliveries::Column::Status.eq(status))
            .count(&self.app.ctx.db)
            .await
            .expect("the ledger")
    }
}

async fn due_vehicle(
    app: &TestApp,
    owner: &Session,
    site: &str,
    n: usize,
    last_service_on: NaiveDate,
) -> (String, String, String) {
    let email = format!("driver-{n}@example.com");
    let customer = app
        .post(
            "/api/customers",
            owner,
            &json!({"name": format!("Driver {n}"), "home_site_id": site, "email": email}),
        )
        .await;
    assert_eq!(customer.status_code(), 201, "{}", customer.text());
    let vehicle = app
        .post(
            "/api/vehicles",
            owner,
            &json!({"customer_id": id_of(&customer.json()), "plate": format!("KDA {n:03}A"),
                    "make": "Toyota", "model": "Probox", "service_interval_months": 6,
                    "last_service_on": last_service_on}),
        )
        .await;
    assert_eq!(vehicle.status_code(), 201, "{}", vehicle.text());
    let vehicle = vehicle.json::<Value>();
    let due_on = vehicle["service_due_on"]
        .as_str()
        .expect("a due date")
        .to_string();
    (id_of(&vehicle), due_on, email)
}

/// How many messages each address received.
pub fn per_recipient(messages: &[Value]) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for message in messages {
        for to in message["rcpt_tos"].as_array().expect("recipients") {
            *counts.entry(to.as_str().unwrap().to_string()).or_default() += 1;
        }
    }
    counts
}

/// Ruby's Sidekiq against `redis`: `push CLASS JSON` or `stats`.
fn ruby(redis: &TestRedis, args: &[&str]) -> String {
    let output = Command::new("ruby")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/support/sidekiq_client.rb"
        ))
        .args(args)
        .env("REDIS_URL", &redis.url)
        .output()
        .expect("ruby runs (apt-get install -y ruby-sidekiq)");
    assert!(
        output.status.success(),
        "ruby {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .expect("UTF-8")
        .trim()
        .to_string()
}

fn ruby_stats(redis: &TestRedis) -> Value {
    serde_json::from_str(&ruby(redis, &["stats"])).expect("JSON from Ruby")
}

#[tokio::test]
#[ignore = "needs Redis, python3-aiosmtpd and ruby-sidekiq"]
async fn two_worker_processes_send_each_reminder_once_however_often_it_is_queued() {
    let redis = TestRedis::fresh().await;
    let sink = SmtpSink::start();
    let fleet = Fleet::of(30).await;
    // Two sweeps' worth: every reminder queued twice.
    for _ in 0..2 {
        for n in 0..fleet.due.len() {
            redis.push("SendServiceReminder", fleet.job(n)).await;
        }
    }
    let stats = ruby_stats(&redis);
    assert_eq!(stats["queued"], 60, "Ruby sees our jobs: {stats}");
    assert_eq!(stats["queued_jobs"][0]["class"], "SendServiceReminder");
    assert_eq!(stats["queued_jobs"][0]["args"][0]["due_on"], fleet.due[0].1);

    let first = WorkerProcess::start(fleet.database_url(), &redis, sink.port, &[]);
    let second = WorkerProcess::start(fleet.database_url(), &redis, sink.port, &[]);
    redis
        .wait_until(Duration::from_secs(90), "every job to finish", || async {
            redis.unfinished().await == 0 && fleet.ledger("sent").await == 30
        })
        .await;

    let messages = sink.wait_for(30, Duration::from_secs(5));
    let counts = per_recipient(&messages);
    assert_eq!(messages.len(), 30, "one message per vehicle: {counts:?}");
    assert!(counts.values().all(|&count| count == 1), "{counts:?}");
    let stats = ruby_stats(&redis);
    // A copy that found its message being sent by the other process
    // failed, to be retried (it then found it sent): never a second message.
    let failed = stats["failed"].as_u64().expect("failed");
    assert_eq!(stats["processed"].as_u64(), Some(60 + failed), "{stats}");
    let processes = stats["processes"].as_array().expect("processes");
    assert_eq!(processes.len(), 2, "both workers beat: {stats}");
    for worker in [&first, &second] {
        assert!(
            processes.iter().any(|identity| identity
                .as_str()
                .unwrap()
                .contains(&format!(":{}:", worker.pid()))),
            "worker {} not in {processes:?}",
            worker.pid()
        );
    }
}

#[tokio::test]
#[ignore = "needs Redis, python3-aiosmtpd and ruby-sidekiq"]
async fn a_failing_mail_server_retries_then_buries_the_job_and_ruby_sees_it() {
    let redis = TestRedis::fresh().await;
    let sink = SmtpSink::failing();
    let fleet = Fleet::of(1).await;
    let jid = redis.push("SendServiceReminder", fleet.job(0)).await;
    let _worker = WorkerProcess::start(
        fleet.database_url(),
        &redis,
        sink.port,
        &[("SIDEKIQ_MAX_RETRIES", "2")],
    );
    redis
        .wait_until(Duration::from_secs(60), "the job to die", || async {
            redis.zcard("dead").await == 1
        })
        .await;

    let dead = redis.sorted_jobs("dead").await;
    assert_eq!(dead[0]["jid"], jid);
    assert_eq!(dead[0]["retry_count"], 2, "{}", dead[0]);
    assert!(
        dead[0]["error_message"].as_str().unwrap().contains("451"),
        "{}",
        dead[0]
    );
    assert_eq!(redis.zcard("retry").await, 0);

    let ledger = deliveries::Entity::find()
        .all(&fleet.app.ctx.db)
        .await
        .expect("the ledger");
    assert_eq!(ledger.len(), 1);
    assert_eq!(ledger[0].status, "failed");
    assert_eq!(ledger[0].attempts, 3, "the first try and two retries");
    assert!(
        ledger[0]
            .error
            .as_deref()
            .unwrap_or_default()
            .contains("451"),
        "{:?}",
        ledger[0].error
    );

    let stats = ruby_stats(&redis);
    assert_eq!(stats["dead"][0]["jid"], jid, "{stats}");
    assert_eq!(stats["dead"][0]["class"], "SendServiceReminder");
    assert_eq!(stats["dead"][0]["retry_count"], 2);
    assert!(stats["dead"][0]["error_message"]
        .as_str()
        .unwrap()
        .contains("451"));
    assert_eq!(stats["failed"], 3, "{stats}");
}

#[tokio::test]
#[ignore = "needs Redis, python3-aiosmtpd and ruby-sidekiq"]
async fn jobs_pushed_by_ruby_run_here_and_our_retries_show_in_ruby() {
    let redis = TestRedis::fresh().await;
    let sink = SmtpSink::start();
    let fleet = Fleet::of(1).await;
    // Sidekiq's real backoff, so a failed job waits in the retry set.
    let _worker = WorkerProcess::start(
        fleet.database_url(),
        &redis,
        sink.port,
        &[("SIDEKIQ_BACKOFF_SCALE", "1")],
    );

    // A reminder pushed by Ruby's client, with the documented class name.
    ruby(
        &redis,
        &["push", "SendServiceReminder", &fleet.job(0).to_string()],
    );
    let messages = sink.wait_for(1, Duration::from_secs(30));
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0]["rcpt_tos"], json!([fleet.due[0].2]));

    // An unknown vehicle ends its job: no retry, nothing dead.
    let unknown = json!({"vehicle_id": Uuid::new_v4(), "due_on": fleet.due[0].1}).to_string();
    ruby(&redis, &["push", "SendServiceReminder", &unknown]);
    // A class no worker here knows fails, and is retried as Sidekiq would
    // (another release's worker may know it).
    let typo = ruby(&redis, &["push", "SendServiceRemindr", "{}"]);
    redis
        .wait_until(Duration::from_secs(30), "the typo to fail", || async {
            ruby_stats(&redis)["failed"].as_u64().unwrap_or_default() >= 1
                && redis.unfinished().await == 0
        })
        .await;
    let stats = ruby_stats(&redis);
    assert!(
        stats["processed"].as_u64().unwrap_or_default() >= 3,
        "{stats}"
    );
    assert_eq!(stats["dead"], json!([]), "{stats}");
    let retries = stats["retries"].as_array().expect("retries");
    assert_eq!(
        retries.len(),
        1,
        "only the unknown class is retried: {stats}"
    );
    assert_eq!(retries[0]["jid"], typo.as_str());
    assert_eq!(retries[0]["retry_count"], 0);
    assert!(
        retries[0]["error_message"]
            .as_str()
            .unwrap()
            .contains("SendServiceRemindr"),
        "{stats}"
    );
}

#[tokio::test]
#[ignore = "needs Redis, python3-aiosmtpd and ruby-sidekiq"]
async fn a_job_stranded_in_a_live_workers_list_goes_back_and_runs() {
    let redis = TestRedis::fresh().await;
    let sink = SmtpSink::start();
    let fleet = Fleet::of(1).await;
    let _worker = WorkerProcess::start(
        fleet.database_url(),
        &redis,
        sink.port,
        &[("SIDEKIQ_HEARTBEAT_TTL", "2")],
    );
    redis
        .wait_until(Duration::from_secs(30), "the worker to beat", || async {
            !ruby_stats(&redis)["processes"]
                .as_array()
                .unwrap()
                .is_empty()
        })
        .await;
    let identity = ruby_stats(&redis)["processes"][0]
        .as_str()
        .unwrap()
        .to_string();
    // What a fetch whose answer was lost leaves: a job in the live worker's
    // own list that none of its workers holds. Its beat goes on, so the
    // reaper leaves it alone; the worker's own check does not.
    let job = json!({"class": "SendServiceReminder", "args": [fleet.job(0)], "queue": "default",
                     "jid": "5e1f5e1f5e1f5e1f5e1f5e1f", "retry": true,
                     "created_at": 1_795_000_000.0, "enqueued_at": 1_795_000_000.0});
    redis
        .lpush(&format!("karakana:working:{identity}"), &job)
        .await;
    let messages = sink.wait_for(1, Duration::from_secs(30));
    assert_eq!(messages.len(), 1, "the stranded job ran");
    assert_eq!(messages[0]["rcpt_tos"], json!([fleet.due[0].2]));
    redis
        .wait_until(Duration::from_secs(10), "the list to empty", || async {
            redis.unfinished().await == 0
        })
        .await;
}
