//! The customer hears when work starts on their car and when it is ready.

use std::time::Duration;

use karakana::workers::repair_status_update::{RepairStatusUpdate, StatusArgs};
use loco_rs::bgworker::BackgroundWorker;
use serde_json::{json, Value};

use crate::support::{smtp::SmtpSink, TestApp};

#[tokio::test]
#[ignore = "needs python3-aiosmtpd (a real SMTP server)"]
async fn the_customer_hears_when_work_starts_and_when_the_car_is_ready() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn_with_settings(json!({"mail": sink.settings()})).await;
    let owner = app.owner("Kamau Motors").await;
    let site = app.site(&owner, "NBO").await;
    let technician = app.staff(&owner, "technician", &[&site]).await;
    let order = app.approved_order(&owner, &site, "normal").await;
    let customer = app
        .order_customer(
            &owner,
            &order,
            &json!({"email": "achieng@example.com", "language": "sw"}),
        )
        .await;

    let response = app.claim(&technician, &order).await;
    assert_eq!(response.status_code(), 200, "{}", response.text());
    let started = sink.wait_for(1, Duration::from_secs(5));
    assert_eq!(started.len(), 1);
    let subject = started[0]["subject"].as_str().unwrap();
    assert!(
        subject.starts_with("Kazi imeanza"),
        "in Kiswahili: {subject}"
    );
    assert!(started[0]["text"]
        .as_str()
        .unwrap()
        .contains("Brakes squeal"));

    app.complete(&technician, &order, &owner).await;
    let messages = sink.wait_for(3, Duration::from_secs(5));
    let subjects: Vec<&str> = messages
        .iter()
        .map(|message| message["subject"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages.len(),
        3,
        "started, ready, and the invoice: {subjects:?}"
    );
    assert!(
        subjects
            .iter()
            .any(|subject| subject.contains("iko tayari kuchukuliwa")),
        "{subjects:?}"
    );
    assert!(subjects
        .iter()
        .any(|subject| subject.starts_with("Ankara ")));

    // A job that arrives late, after the order moved on, tells nothing
    // stale; a repeated one tells nothing twice.
    let worker = RepairStatusUpdate::build(&app.ctx);
    for status in ["in_progress", "completed"] {
        let args: StatusArgs =
            serde_json::from_value(json!({"repair_order_id": order, "status": status})).unwrap();
        worker.perform(args).await.expect("the job ends");
    }
    assert_eq!(sink.wait_for(4, Duration::from_millis(500)).len(), 3);
    let deliveries: Value = app
        .get(&format!("/api/customers/{customer}/deliveries"), &owner)
        .await
        .json();
    let kinds: Vec<(&str, &str)> = deliveries["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["kind"].as_str().unwrap(), d["cycle"].as_str().unwrap()))
        .collect();
    assert!(
        kinds.contains(&("repair_status", "in_progress")),
        "{kinds:?}"
    );
    assert!(kinds.contains(&("repair_status", "completed")), "{kinds:?}");
}

#[tokio::test]
#[ignore = "needs python3-aiosmtpd (a real SMTP server)"]
async fn news_a_lost_job_left_untold_is_sent_by_the_sweep_once() {
    use std::sync::Arc;

    use karakana::{
        app::App,
        messages::{mail::Mailer, Messenger},
        settings::MailSettings,
    };
    use loco_rs::{boot::run_task, task};

    // Nothing listens on port 9: every send fails, as with a worker that
    // died or a mail server that was down.
    let app = TestApp::spawn_with_settings(json!({"mail": {
        "from": "Kamau Motors <service@kamaumotors.co.ke>",
        "delivery": {"kind": "smtp", "host": "127.0.0.1", "port": 9, "tls": "none"}}}))
    .await;
    let owner = app.owner("Kamau Motors").await;
    let site = app.site(&owner, "NBO").await;
    let technician = app.staff(&owner, "technician", &[&site]).await;
    let order = app.approved_order(&owner, &site, "normal").await;
    app.order_customer(&owner, &order, &json!({"email": "achieng@example.com"}))
        .await;
    let response = app.claim(&technician, &order).await;
    assert_eq!(response.status_code(), 200, "{}", response.text());

    // The mail server is back.
    let sink = SmtpSink::start();
    let settings: MailSettings = serde_json::from_value(sink.settings()).unwrap();
    let messenger = Messenger::of(&app.ctx).unwrap();
    app.ctx.shared_store.insert(Arc::new(
        messenger.with_mailer(Mailer::new(&settings).unwrap()),
    ));
    let sweep = || async {
        run_task::<App>(
            &app.ctx,
            Some(&"send_repair_status_updates".to_string()),
            &task::Vars::default(),
        )
        .await
        .expect("the sweep runs");
    };
    // The job's retry would send it; a sweep takes it once it looks lost.
    app.advance_clock(chrono::TimeDelta::hours(3));
    sweep().await;
    sweep().await;
    let messages = sink.wait_for(2, Duration::from_millis(500));
    assert_eq!(messages.len(), 1, "{messages:#?}");
    assert!(messages[0]["subject"]
        .as_str()
        .unwrap()
        .starts_with("Work has started"));
}
