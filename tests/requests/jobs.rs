//! `GET /api/jobs`, `POST /api/jobs/{jid}/retry`, `DELETE /api/jobs/{jid}`:
//! on Sidekiq (a real Redis) and on the embedded queue; an organization sees
//! and touches only jobs about its own records, a manager only their sites'.

use loco_rs::config::WorkerMode;
use sea_orm::ConnectionTrait;
use serde_json::{json, Value};

use crate::support::{assert_error, redis::TestRedis, Session, TestApp};

/// A garage with two branches; a vehicle whose owner's home is the first.
struct Garage {
    owner: Session,
    manager_elsewhere: Session,
    vehicle: String,
}

async fn garage(app: &TestApp, name: &str) -> Garage {
    let owner = app.owner(name).await;
    let nbo = app.site(&owner, "NBO").await;
    let msa = app.site(&owner, "MSA").await;
    let manager_elsewhere = app.staff(&owner, "manager", &[&msa]).await;
    let customer = app.customer(&owner, &nbo).await;
    let vehicle = app.vehicle(&owner, &customer).await;
    Garage {
        owner,
        manager_elsewhere,
        vehicle,
    }
}

fn reminder_job(jid: &str, vehicle: &str, retry_count: u64) -> Value {
    json!({"class": "SendServiceReminder", "args": [{"vehicle_id": vehicle, "due_on": "2026-12-04"}],
           "queue": "default", "jid": jid, "retry": true, "created_at": 1_795_000_000.0,
           "enqueued_at": 1_795_000_000.0, "failed_at": 1_795_000_001.0,
           "error_message": "the mail server answered 451 try again later",
           "error_class": "Karakana::JobFailed", "retry_count": retry_count})
}

async fn jobs(app: &TestApp, session: &Session) -> Value {
    let response = app.get("/api/jobs", session).await;
    assert_eq!(response.status_code(), 200, "{}", response.text());
    response.json()
}

fn jids(list: &Value) -> Vec<&str> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|job| job["jid"].as_str().unwrap())
        .collect()
}

#[tokio::test]
#[ignore = "needs Redis"]
async fn on_sidekiq_each_organization_sees_retries_and_buries_only_its_own_jobs() {
    let redis = TestRedis::fresh().await;
    let app = TestApp::spawn_with_settings(json!({"sidekiq": {"redis_url": redis.url}})).await;
    let kamau = garage(&app, "Kamau Motors").await;
    let baraka = garage(&app, "Baraka Auto").await;
    redis
        .zadd(
            "dead",
            &reminder_job("aaaaaaaaaaaaaaaaaaaaaaaa", &kamau.vehicle, 25),
            1_795_000_100.0,
        )
        .await;
    redis
        .zadd(
            "retry",
            &reminder_job("bbbbbbbbbbbbbbbbbbbbbbbb", &baraka.vehicle, 0),
            1_795_000_200.0,
        )
        .await;
    // No worker here runs this class: nobody's.
    redis
        .zadd("dead", &json!({"class": "Mystery", "args": [{}], "jid": "cccccccccccccccccccccccc", "queue": "default"}), 1.0)
        .await;
    redis
        .push(
            "DeliverInvoice",
            json!({"invoice_id": uuid::Uuid::new_v4()}),
        )
        .await;

    let seen = jobs(&app, &kamau.owner).await;
    assert_eq!(seen["backend"], "sidekiq");
    assert_eq!(seen["queues"], json!([{"name": "default", "size": 1}]));
    assert_eq!(seen["busy"], 0);
    assert_eq!(
        seen["retries"],
        json!([]),
        "Baraka's retry is not Kamau's: {seen}"
    );
    assert_eq!(jids(&seen["dead"]), ["aaaaaaaaaaaaaaaaaaaaaaaa"]);
    let dead = &seen["dead"][0];
    assert_eq!(dead["class"], "SendServiceReminder");
    assert_eq!(dead["args"]["vehicle_id"], kamau.vehicle.as_str());
    assert_eq!(dead["retry_count"], 25);
    assert!(dead["error"].as_str().unwrap().contains("451"));
    assert_eq!(dead["failed_at"], "2026-11-18T11:06:41Z");
    assert_eq!(dead["at"], "2026-11-18T11:08:20Z");

    let seen = jobs(&app, &baraka.owner).await;
    assert_eq!(jids(&seen["retries"]), ["bbbbbbbbbbbbbbbbbbbbbbbb"]);
    assert_eq!(seen["dead"], json!([]));

    // A manager of the other branch sees neither.
    let seen = jobs(&app, &kamau.manager_elsewhere).await;
    assert_eq!(
        (seen["retries"].clone(), seen["dead"].clone()),
        (json!([]), json!([]))
    );

    // Someone else's job, or a job nobody owns, is not found.
    for (session, jid) in [
        (&baraka.owner, "aaaaaaaaaaaaaaaaaaaaaaaa"),
        (&kamau.manager_elsewhere, "aaaaaaaaaaaaaaaaaaaaaaaa"),
        (&kamau.owner, "bbbbbbbbbbbbbbbbbbbbbbbb"),
        (&kamau.owner, "cccccccccccccccccccccccc"),
        (&kamau.owner, "no-such-job"),
        (&kamau.owner, "a%00b"),
        (&kamau.owner, "..%2F..%2Fetc"),
    ] {
        let response = app
            .post(&format!("/api/jobs/{jid}/retry"), session, &json!({}))
            .await;
        assert_error(&response, 404, "not_found");
        let response = app.delete(&format!("/api/jobs/{jid}"), session).await;
        assert_error(&response, 404, "not_found");
    }
    assert_eq!(redis.zcard("dead").await, 2);
    assert_eq!(redis.zcard("retry").await, 1);

    // Retrying puts it at the front of its queue; discarding drops it.
    let response = app
        .post(
            "/api/jobs/aaaaaaaaaaaaaaaaaaaaaaaa/retry",
            &kamau.owner,
            &json!({}),
        )
        .await;
    assert_eq!(response.status_code(), 204, "{}", response.text());
    assert_eq!(redis.zcard("dead").await, 1);
    assert_eq!(redis.llen("queue:default").await, 2);
    let again = app
        .post(
            "/api/jobs/aaaaaaaaaaaaaaaaaaaaaaaa/retry",
            &kamau.owner,
            &json!({}),
        )
        .await;
    assert_error(&again, 404, "not_found");

    let response = app
        .delete("/api/jobs/bbbbbbbbbbbbbbbbbbbbbbbb", &baraka.owner)
        .await;
    assert_eq!(response.status_code(), 204, "{}", response.text());
    assert_eq!(redis.zcard("retry").await, 0);
}

#[tokio::test]
async fn only_owners_and_managers_see_jobs() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Kamau Motors").await;
    let site = app.site(&owner, "NBO").await;
    let manager = app.staff(&owner, "manager", &[&site]).await;
    let seen = jobs(&app, &manager).await;
    // The tests run jobs inline: nothing ever waits.
    assert_eq!(
        seen,
        json!({"backend": "inline", "queues": [], "busy": 0, "retries": [], "dead": []})
    );
    for role in ["advisor", "technician"] {
        let staff = app.staff(&owner, role, &[&site]).await;
        assert_error(&app.get("/api/jobs", &staff).await, 403, "forbidden");
        let response = app.post("/api/jobs/x/retry", &staff, &json!({})).await;
        assert_error(&response, 403, "forbidden");
        assert_error(&app.delete("/api/jobs/x", &staff).await, 403, "forbidden");
    }
    let customer = app.customer_account(&owner).await;
    assert_error(&app.get("/api/jobs", &customer).await, 403, "forbidden");
    let response = app.server.get("/api/jobs").await;
    assert_eq!(response.status_code(), 401);
}

#[tokio::test]
async fn on_the_embedded_queue_failed_jobs_are_the_dead_set() {
    let app = TestApp::spawn_with(|config| {
        config.workers.mode = WorkerMode::BackgroundQueue;
        // The URI is the test database's (TestApp::spawn_with).
        config.queue = Some(
            serde_json::from_value(json!({"kind": "Sqlite", "uri": "sqlite::memory:"}))
                .expect("a queue configuration"),
        );
    })
    .await;
    let kamau = garage(&app, "Kamau Motors").await;
    let baraka = garage(&app, "Baraka Auto").await;
    let queue = app.ctx.queue_provider.clone().expect("an embedded queue");
    let mut ids = Vec::new();
    for vehicle in [&kamau.vehicle, &kamau.vehicle, &baraka.vehicle] {
        let id = queue
            .enqueue(
                "SendServiceReminder".to_string(),
                None,
                json!({"vehicle_id": vehicle, "due_on": "2026-12-04"}),
                None,
                None,
            )
            .await
            .expect("enqueued")
            .expect("an id");
        ids.push(id);
    }
    // Two of them died: their retries spent, or given up.
    let db = &app.ctx.db;
    for id in &ids[1..] {
        db.execute_unprepared(&format!(
            "UPDATE queue_jobs SET status = 'dead', retry_count = 1, \
             error = 'the mail server answered 451' WHERE jid = '{id}'"
        ))
        .await
        .expect("a dead job");
    }

    let seen = jobs(&app, &kamau.owner).await;
    assert_eq!(seen["backend"], "embedded");
    assert_eq!(seen["queues"], json!([{"name": "default", "size": 1}]));
    assert_eq!(seen["retries"], json!([]));
    assert_eq!(jids(&seen["dead"]), [ids[1].as_str()], "{seen}");
    let dead = &seen["dead"][0];
    assert_eq!(dead["class"], "SendServiceReminder");
    assert_eq!(
        dead["args"],
        json!({"vehicle_id": kamau.vehicle, "due_on": "2026-12-04"})
    );
    assert_eq!(dead["error"], "the mail server answered 451");
    assert!(dead["at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(
        jids(&jobs(&app, &baraka.owner).await["dead"]),
        [ids[2].as_str()]
    );
    assert_eq!(
        jobs(&app, &kamau.manager_elsewhere).await["dead"],
        json!([])
    );

    let stolen = app
        .post(
            &format!("/api/jobs/{}/retry", ids[2]),
            &kamau.owner,
            &json!({}),
        )
        .await;
    assert_error(&stolen, 404, "not_found");
    let queued = app
        .post(
            &format!("/api/jobs/{}/retry", ids[0]),
            &kamau.owner,
            &json!({}),
        )
        .await;
    assert_error(&queued, 404, "not_found");

    let response = app
        .post(
            &format!("/api/jobs/{}/retry", ids[1]),
            &kamau.owner,
            &json!({}),
        )
        .await;
    assert_eq!(response.status_code(), 204, "{}", response.text());
    let seen = jobs(&app, &kamau.owner).await;
    assert_eq!(seen["queues"], json!([{"name": "default", "size": 2}]));
    assert_eq!(seen["dead"], json!([]));

    let response = app
        .delete(&format!("/api/jobs/{}", ids[2]), &baraka.owner)
        .await;
    assert_eq!(response.status_code(), 204, "{}", response.text());
    assert_eq!(jobs(&app, &baraka.owner).await["dead"], json!([]));
    let again = app
        .delete(&format!("/api/jobs/{}", ids[2]), &baraka.owner)
        .await;
    assert_error(&again, 404, "not_found");
}
