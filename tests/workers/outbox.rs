//! Jobs written inside the write that causes them, and messages retried for
//! as long as they are worth sending, then given up where people see them.

use std::{sync::Arc, time::Duration};

use karakana::{
    messages::{mail::Mailer, Messenger},
    models::Write,
    queue::{self, table},
    settings::MailSettings,
    workers::repair_status_update::{RepairStatusUpdate, StatusArgs},
};
use loco_rs::config::WorkerMode;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{json, Value};

use crate::support::{smtp::SmtpSink, TestApp};

/// An app whose jobs wait in the jobs table for a worker (none runs here;
/// the test drains the table when it means to).
async fn embedded(settings: Value) -> TestApp {
    TestApp::spawn_with(|config| {
        config.workers.mode = WorkerMode::BackgroundQueue;
        config.queue = Some(
            serde_json::from_value(json!({"kind": "Sqlite", "uri": "sqlite::memory:"}))
                .expect("a queue configuration"),
        );
        if let (Some(Value::Object(all)), Value::Object(overrides)) =
            (config.settings.as_mut(), settings)
        {
            all.extend(overrides);
        }
    })
    .await
}

/// `(class, args, status, error)` of every row of the jobs table.
async fn jobs(app: &TestApp) -> Vec<(String, Value, String, Option<String>)> {
    let db = &app.ctx.db;
    db.query_all_raw(Statement::from_string(
        db.get_database_backend(),
        "SELECT class, args, status, error FROM queue_jobs ORDER BY id",
    ))
    .await
    .expect("the jobs table")
    .into_iter()
    .map(|row| {
        let args: String = row.try_get("", "args").unwrap();
        (
            row.try_get("", "class").unwrap(),
            serde_json::from_str(&args).unwrap(),
            row.try_get("", "status").unwrap(),
            row.try_get("", "error").unwrap(),
        )
    })
    .collect()
}

#[tokio::test]
async fn a_rolled_back_write_leaves_no_job_and_a_committed_one_waits_for_a_worker() {
    let app = embedded(json!({})).await;
    let args = StatusArgs {
        repair_order_id: uuid::Uuid::new_v4(),
        status: karakana::models::values::RepairStatus::InProgress,
    };

    let txn = Write::begin(&app.ctx.db).await.unwrap();
    queue::later::<RepairStatusUpdate, _>(&txn, &args)
        .await
        .unwrap();
    txn.rollback().await.unwrap();
    assert!(jobs(&app).await.is_empty(), "a rolled-back write's job");

    let txn = Write::begin(&app.ctx.db).await.unwrap();
    queue::later::<RepairStatusUpdate, _>(&txn, &args)
        .await
        .unwrap();
    txn.commit().await.unwrap();
    let written = jobs(&app).await;
    assert_eq!(written.len(), 1);
    assert_eq!(written[0].0, "RepairStatusUpdate");
    assert_eq!(
        written[0].1["repair_order_id"],
        args.repair_order_id.to_string()
    );
    assert_eq!(written[0].2, "queued");

    // A job about an order that does not exist ends for good: done, gone.
    let ran = table::drain(&app.ctx).await.unwrap();
    assert_eq!(ran, 1);
    assert!(jobs(&app).await.is_empty());
}

#[tokio::test]
async fn a_claim_writes_the_customers_news_in_its_own_transaction_and_a_lost_race_writes_none() {
    let app = embedded(json!({})).await;
    let owner = app.owner("Kamau Motors").await;
    let site = app.site(&owner, "NBO").await;
    let first = app.staff(&owner, "technician", &[&site]).await;
    let second = app.staff(&owner, "technician", &[&site]).await;
    let order = app.approved_order(&owner, &site, "normal").await;

    let won = app
        .post(
            &format!("/api/repair-orders/{order}/claim"),
            &first,
            &json!({}),
        )
        .await;
    assert_eq!(won.status_code(), 200, "{}", won.text());
    let lost = app
        .post(
            &format!("/api/repair-orders/{order}/claim"),
            &second,
            &json!({}),
        )
        .await;
    assert_eq!(lost.status_code(), 409, "{}", lost.text());

    let written = jobs(&app).await;
    assert_eq!(
        written.len(),
        1,
        "one job, from the claim that won: {written:?}"
    );
    assert_eq!(written[0].0, "RepairStatusUpdate");
    assert_eq!(
        written[0].1,
        json!({"repair_order_id": order, "status": "in_progress"})
    );
}

#[tokio::test]
#[ignore = "needs python3-aiosmtpd (a real SMTP server)"]
async fn news_past_its_deadline_is_given_up_shown_told_and_retried_with_one_action() {
    // Nothing listens on port 9: the mail server is down.
    let app = embedded(json!({
        "clock": "2026-12-01T07:00:00Z",
        "mail": {"from": "Kamau Motors <service@kamaumotors.co.ke>",
                 "delivery": {"kind": "smtp", "host": "127.0.0.1", "port": 9, "tls": "none"}},
    }))
    .await;
    let owner = app.owner("Kamau Motors").await;
    let site = app.site(&owner, "NBO").await;
    let technician = app.staff(&owner, "technician", &[&site]).await;
    let order = app.approved_order(&owner, &site, "normal").await;
    let customer = app
        .order_customer(&owner, &order, &json!({"email": "achieng@example.com"}))
        .await;
    let response = app.claim(&technician, &order).await;
    assert_eq!(response.status_code(), 200, "{}", response.text());

    // The first try fails: the job waits for its retry, the ledger says
    // why, and nothing is given up yet.
    table::drain(&app.ctx).await.unwrap();
    let written = jobs(&app).await;
    assert_eq!(written.len(), 1);
    assert_eq!(written[0].2, "queued", "waiting for its retry: {written:?}");
    let ledger = deliveries(&app, &owner, &customer).await;
    assert_eq!(ledger[0]["status"], "failed", "{ledger:?}");
    assert_eq!(ledger[0]["given_up_at"], Value::Null);

    // Job news is worth a day. Two days on, the retry fails again: given
    // up, the job dead with the reason, the managers told.
    app.advance_clock(chrono::TimeDelta::days(2));
    table::drain(&app.ctx).await.unwrap();
    let written = jobs(&app).await;
    assert_eq!(written[0].2, "dead", "{written:?}");
    let error = written[0].3.clone().unwrap_or_default();
    assert!(error.contains("not sent by its deadline"), "{error}");
    let ledger = deliveries(&app, &owner, &customer).await;
    assert_eq!(ledger[0]["status"], "failed");
    assert_ne!(ledger[0]["given_up_at"], Value::Null, "{ledger:?}");

    let seen: Value = app.get("/api/jobs", &owner).await.json();
    assert_eq!(seen["dead"].as_array().map(Vec::len), Some(1), "{seen}");
    let dead = &seen["dead"][0];
    assert_eq!(dead["class"], "RepairStatusUpdate");
    assert!(
        dead["error"]
            .as_str()
            .unwrap()
            .contains("not sent by its deadline"),
        "{dead}"
    );
    let told: Value = app.get("/api/notifications", &owner).await.json();
    let notice = told["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["kind"] == "message_given_up")
        .unwrap_or_else(|| panic!("the owner is told: {told}"));
    assert!(
        notice["body"].as_str().unwrap().contains("jobs page"),
        "{notice}"
    );

    // The mail server is back; one action sends it.
    let sink = SmtpSink::start();
    let mail: MailSettings = serde_json::from_value(sink.settings()).unwrap();
    let messenger = Messenger::of(&app.ctx).unwrap();
    app.ctx
        .shared_store
        .insert(Arc::new(messenger.with_mailer(Mailer::new(&mail).unwrap())));
    let jid = dead["jid"].as_str().unwrap();
    let response = app
        .post(&format!("/api/jobs/{jid}/retry"), &owner, &json!({}))
        .await;
    assert_eq!(response.status_code(), 204, "{}", response.text());
    table::drain(&app.ctx).await.unwrap();
    let messages = sink.wait_for(1, Duration::from_secs(5));
    assert_eq!(messages.len(), 1, "{messages:#?}");
    assert!(
        jobs(&app).await.is_empty(),
        "done, and gone from the dead list"
    );
    let ledger = deliveries(&app, &owner, &customer).await;
    assert_eq!(ledger[0]["status"], "sent", "{ledger:?}");
}

async fn deliveries(app: &TestApp, owner: &crate::support::Session, customer: &str) -> Vec<Value> {
    let response = app
        .get(&format!("/api/customers/{customer}/deliveries"), owner)
        .await;
    assert_eq!(response.status_code(), 200, "{}", response.text());
    response.json::<Value>()["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[tokio::test]
async fn a_job_for_a_queue_no_worker_reads_is_refused_when_pushed() {
    let app = embedded(json!({})).await;
    let queue = app.ctx.queue_provider.clone().expect("the embedded queue");
    let refused = queue
        .enqueue(
            "SendServiceReminder".to_string(),
            Some("low".to_string()),
            json!({}),
            None,
            None,
        )
        .await;
    let err = refused.expect_err("no worker reads `low`");
    assert!(err.to_string().contains("\"low\""), "{err}");
    assert!(jobs(&app).await.is_empty());
    queue
        .enqueue(
            "SendServiceReminder".to_string(),
            Some("default".to_string()),
            json!({}),
            None,
            None,
        )
        .await
        .expect("`default` is read");
    assert_eq!(jobs(&app).await.len(), 1);
}
