//! Dashboard benchmark: the owner's dashboard of every branch of the demo
//! workshop, as the page (`GET /dashboard`, HTML with its charts) and as
//! the API (`GET /api/dashboard`), beside the cheapest signed-in request
//! (`GET /api/organization`, one row) as the baseline, in the same run.
//! Requests go one at a time through the whole app (middleware, session,
//! database, templates) in this process, so each figure is the server's
//! time alone, without a network or a client.
//!
//! `cargo bench --bench dashboard` (SQLite), or with
//! `DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres` for
//! PostgreSQL. `BENCH_QUICK=1` for a short run, as CI does. Prints a
//! Markdown table.

use std::time::{Duration, Instant};

use axum::{body::Body, Router};
use http_body_util::BodyExt;
use hyper::Request;
use karakana::app::App;
use loco_rs::{app::Hooks, boot::StartMode, environment::Environment};
use tower::ServiceExt;

// Only the scratch database is needed here: the demo seeds the rest.
#[allow(dead_code)]
mod support;
use support::ScratchDatabase;

const OWNER: &str = "wanjiru@kamaumotors.co.ke";
const PASSWORD: &str = "karakana-demo";

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(run());
}

async fn run() {
    let quick = std::env::var("BENCH_QUICK").is_ok_and(|quick| quick != "0");
    let requests = if quick { 30 } else { 1_000 };
    let database = ScratchDatabase::create().await;
    let mut config = App::load_config(&Environment::Test).await.expect("config");
    config.database.uri = database.url.clone();
    let boot = App::boot(StartMode::ServerOnly, &Environment::Test, config)
        .await
        .expect("boot");
    karakana::tasks::seed_demo::seed(&boot.app_context)
        .await
        .expect("the demo workshop");
    let router = boot.router.expect("the app's routes");
    let token = sign_in(&router).await;

    let first_site = {
        let body = call(&router, "/api/dashboard", &token, false).await;
        let figures: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
        figures["branches"][0]["site"]["id"]
            .as_str()
            .expect("a branch")
            .to_string()
    };
    let cases = [
        (
            "baseline: GET /api/organization",
            "/api/organization".to_string(),
            false,
        ),
        (
            "GET /api/dashboard (all branches)",
            "/api/dashboard".to_string(),
            false,
        ),
        (
            "GET /dashboard (all branches, HTML)",
            "/dashboard".to_string(),
            true,
        ),
        (
            "GET /dashboard (one branch, HTML)",
            format!("/dashboard?site_id={first_site}"),
            true,
        ),
    ];
    let backend = if database.url.starts_with("postgres") {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    println!("\nDashboard benchmark on {backend}: the demo workshop, {requests} requests each, one at a time\n");
    println!("| request | mean ms | p50 ms | p99 ms | × baseline (mean) | bytes |");
    println!("|---|---:|---:|---:|---:|---:|");
    let mut baseline_mean = None;
    for (name, path, page) in &cases {
        // Warm the connection pool and the templates first.
        for _ in 0..5 {
            call(&router, path, &token, *page).await;
        }
        let mut times = Vec::with_capacity(requests);
        let mut bytes = 0;
        for _ in 0..requests {
            let started = Instant::now();
            bytes = call(&router, path, &token, *page).await.len();
            times.push(started.elapsed());
        }
        times.sort_unstable();
        let mean = times.iter().sum::<Duration>().as_secs_f64() * 1e3 / requests as f64;
        let at = |share: f64| {
            let index = ((requests as f64 * share).ceil() as usize).clamp(1, requests) - 1;
            times[index].as_secs_f64() * 1e3
        };
        let baseline = *baseline_mean.get_or_insert(mean);
        println!(
            "| {name} | {mean:.2} | {:.2} | {:.2} | {:.1} | {bytes} |",
            at(0.5),
            at(0.99),
            mean / baseline
        );
    }
}

async fn sign_in(router: &Router) -> String {
    let body = serde_json::json!({"email": OWNER, "password": PASSWORD}).to_string();
    let request = Request::post("/api/auth/login")
        .header("content-type", "application/json")
        .body(Body::from(body))
        .expect("a request");
    let response = router.clone().oneshot(request).await.expect("an answer");
    assert!(response.status().is_success(), "the demo owner signs in");
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("a body")
        .to_bytes();
    let answer: serde_json::Value = serde_json::from_slice(&bytes).expect("JSON");
    answer["token"].as_str().expect("a token").to_string()
}

/// One GET through the whole app: with the token as a bearer, or in the
/// session cookie as a browser sends it (`page`).
async fn call(router: &Router, path: &str, token: &str, page: bool) -> Vec<u8> {
    let request = Request::get(path);
    let request = if page {
        request.header("cookie", format!("karakana_session={token}"))
    } else {
        request.header("authorization", format!("Bearer {token}"))
    };
    let response = router
        .clone()
        .oneshot(request.body(Body::empty()).expect("a request"))
        .await
        .expect("an answer");
    assert_eq!(response.status(), 200, "{path}");
    response
        .into_body()
        .collect()
        .await
        .expect("a body")
        .to_bytes()
        .to_vec()
}
