//! Many processes, one truth: two web processes and two worker processes on
//! one PostgreSQL and one Redis, as Karakana runs behind a load balancer.
//! Claims, invoice numbers and a promotion's fan-out are raced across them:
//! one winner per order, gapless numbers, each recipient messaged once.

use std::{
    collections::{HashMap, HashSet},
    net::TcpListener,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use chrono::{Timelike, Utc};
use futures::future::join_all;
use serde_json::{json, Value};

use super::sidekiq::per_recipient;
use crate::support::{
    id_of,
    redis::{TestRedis, WorkerProcess},
    smtp::SmtpSink,
    Session, TestApp,
};

/// `karakana start`: a web process of its own on `port`.
struct WebProcess {
    child: Child,
    base: String,
}

impl WebProcess {
    async fn start(database_url: &str, redis_url: &str, smtp_port: u16) -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new(env!("CARGO_BIN_EXE_karakana"))
            .arg("start")
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("LOCO_ENV", "test")
            .env("DATABASE_URL", database_url)
            .env("REDIS_URL", redis_url)
            .env("WORKER_MODE", "BackgroundQueue")
            .env("SMTP_PORT", smtp_port.to_string())
            .env("PORT", port.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the karakana binary starts");
        let web = Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        let client = reqwest::Client::new();
        let started = Instant::now();
        loop {
            let ready = client
                .get(format!("{}/_ping", web.base))
                .send()
                .await
                .is_ok_and(|response| response.status().is_success());
            if ready {
                return web;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "web process on {port} did not start"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

impl Drop for WebProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// POST `path` on `web` as `session`; the status and the body.
async fn post(web: &WebProcess, session: &Session, path: &str, body: Value) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(format!("{}{path}", web.base))
        .bearer_auth(&session.token)
        .json(&body)
        .send()
        .await
        .expect("the web process answers");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// A time zone where it is now the middle of the working day, so that the
/// promotion may go out whenever the test runs.
fn a_daytime_zone() -> String {
    let offset = 13 - i64::from(Utc::now().hour());
    let offset = if offset > 14 { offset - 24 } else { offset };
    let offset = if offset < -12 { offset + 24 } else { offset };
    // IANA's `Etc/GMT` zones count the other way round.
    if offset >= 0 {
        format!("Etc/GMT-{offset}")
    } else {
        format!("Etc/GMT+{}", -offset)
    }
}

#[tokio::test]
#[ignore = "needs PostgreSQL, Redis and python3-aiosmtpd"]
async fn two_web_and_two_worker_processes_agree_on_one_truth() {
    let postgres = std::env::var("KARAKANA_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string());
    let app = TestApp::spawn_with(|config| config.database.uri = postgres).await;
    let database_url = app.ctx.config.database.uri.clone();
    assert!(database_url.starts_with("postgres"), "{database_url}");
    let redis = TestRedis::fresh().await;
    let sink = SmtpSink::start();

    // The workshop, set up through the in-test app on the same database.
    let owner = app.owner("Kamau Motors").await;
    let response = app
        .post(
            "/api/sites",
            &owner,
            &json!({"name": "Branch NBO", "code": "NBO", "timezone": a_daytime_zone(),
                    "currency": "KES", "tax_rate": "0.16"}),
        )
        .await;
    assert_eq!(response.status_code(), 201, "{}", response.text());
    let site = id_of(&response.json());
    let mut technicians = Vec::new();
    for _ in 0..6 {
        technicians.push(app.staff(&owner, "technician", &[&site]).await);
    }
    let mut orders = Vec::new();
    for _ in 0..12 {
        orders.push(app.approved_order(&owner, &site, "normal").await);
    }
    let mut audience = Vec::new();
    for n in 0..25 {
        let email = format!("driver-{n}@example.com");
        let response = app
            .post(
                "/api/customers",
                &owner,
                &json!({"name": format!("Driver {n}"), "home_site_id": site, "email": email,
                        "marketing_opt_in": true}),
            )
            .await;
        assert_eq!(response.status_code(), 201, "{}", response.text());
        app.vehicle(&owner, &id_of(&response.json())).await;
        audience.push(email);
    }

    let web = [
        WebProcess::start(&database_url, &redis.url, sink.port).await,
        WebProcess::start(&database_url, &redis.url, sink.port).await,
    ];
    let _workers = [
        WorkerProcess::start(&database_url, &redis, sink.port, &[]),
        WorkerProcess::start(&database_url, &redis, sink.port, &[]),
    ];

    // Every technician claims every order, through both web processes at
    // once: one winner per order.
    let web = &web;
    let technicians = &technicians;
    let claims = orders.iter().flat_map(|order| {
        technicians.iter().enumerate().map(move |(n, technician)| {
            let web = &web[n % 2];
            async move {
                let path = format!("/api/repair-orders/{order}/claim");
                let (status, _) = post(web, technician, &path, json!({})).await;
                (order.clone(), n, status)
            }
        })
    });
    let outcomes = join_all(claims).await;
    let mut winners: HashMap<String, usize> = HashMap::new();
    for (order, technician, status) in &outcomes {
        match status {
            200 => {
                let previous = winners.insert(order.clone(), *technician);
                assert!(previous.is_none(), "two winners for {order}: {outcomes:?}");
            }
            409 => {}
            other => panic!("a claim answered {other}: {outcomes:?}"),
        }
    }
    assert_eq!(
        winners.len(),
        orders.len(),
        "every order has its one winner"
    );

    // Every order completed at once, half through each web process: each
    // issues an invoice, numbered without a gap.
    let completions = orders.iter().enumerate().map(|(n, order)| {
        let technician = &technicians[winners[order]];
        let web = &web[n % 2];
        async move {
            let path = format!("/api/repair-orders/{order}/transition");
            post(web, technician, &path, json!({"to": "completed"})).await
        }
    });
    let mut numbers = Vec::new();
    for (status, detail) in join_all(completions).await {
        assert_eq!(status, 200, "{detail}");
        let invoice = detail["invoice"]["id"].as_str().expect("an invoice");
        let invoice: Value = app
            .get(&format!("/api/invoices/{invoice}"), &owner)
            .await
            .json();
        numbers.push(invoice["number"].as_str().expect("a number").to_string());
    }
    let mut sequence: Vec<u64> = numbers
        .iter()
        .map(|number| {
            number
                .rsplit(|c: char| !c.is_ascii_digit())
                .next()
                .and_then(|digits| digits.parse().ok())
                .unwrap_or_else(|| panic!("a number ending in digits: {number}"))
        })
        .collect();
    sequence.sort_unstable();
    let expected: Vec<u64> = (1..=orders.len() as u64).collect();
    assert_eq!(sequence, expected, "gapless: {numbers:?}");

    // A promotion sent through both web processes at once: it launches
    // once, and each of its recipients hears of it once.
    let (status, promotion) = post(
        &web[0],
        &owner,
        "/api/promotions",
        json!({"title": "Free wash", "body": "With every service this month.",
               "send_at": Utc::now().to_rfc3339()}),
    )
    .await;
    assert_eq!(status, 201, "{promotion}");
    let send = format!("/api/promotions/{}/send", id_of(&promotion));
    let sends = join_all(web.iter().map(|web| post(web, &owner, &send, json!({})))).await;
    let launched = sends.iter().filter(|(status, _)| *status == 200).count();
    assert_eq!(launched, 1, "{sends:?}");
    assert!(
        sends.iter().all(|(status, _)| [200, 409].contains(status)),
        "{sends:?}"
    );

    let expected = audience.len();
    let started = Instant::now();
    let offers = loop {
        let offers: Vec<Value> = sink
            .messages()
            .into_iter()
            .filter(|message| {
                message["subject"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("Free wash")
            })
            .collect();
        if offers.len() >= expected || started.elapsed() > Duration::from_secs(60) {
            break offers;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    // A moment more, for a duplicate to show if there were one.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let counts = per_recipient(&offers);
    let reached: HashSet<&String> = counts.keys().collect();
    assert_eq!(reached.len(), expected, "everyone reached: {counts:?}");
    assert!(
        counts.values().all(|&count| count == 1),
        "once each: {counts:?}"
    );
}
