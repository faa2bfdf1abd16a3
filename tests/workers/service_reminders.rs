//! Service reminders: the sweep finds what is due, `SendServiceReminder`
//! sends it once by email through a real SMTP server, and the ledger says
//! what became of every one.

use std::time::Duration;

use futures::future::join_all;
use karakana::{
    app::App,
    messages::{reminders, Messenger, Sent},
    models::{clock::Clock, error::DomainError},
    workers::send_service_reminder::{ReminderArgs, SendServiceReminder},
};
use loco_rs::{bgworker::BackgroundWorker, boot::run_task, task};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::support::{assert_error, id_of, smtp::SmtpSink, Session, TestApp};

/// 10:00 in Nairobi: past the default send hour (9).
const NOW: &str = "2026-12-01T07:00:00Z";

async fn app_with(sink: &SmtpSink, now: &str) -> TestApp {
    TestApp::spawn_with_settings(json!({"clock": now, "mail": sink.settings()})).await
}

/// A garage with one Nairobi branch, its mail going to `sink`.
struct Garage {
    sink: SmtpSink,
    app: TestApp,
    owner: Session,
    site: String,
}

impl Garage {
    async fn open(sink: SmtpSink) -> Self {
        let app = app_with(&sink, NOW).await;
        let owner = app.owner("Kamau Motors").await;
        let site = app.site(&owner, "NBO").await;
        Self {
            sink,
            app,
            owner,
            site,
        }
    }

    /// A customer (`extra` fields added) with a vehicle due on 4 December.
    async fn due_vehicle(&self, extra: Value) -> (String, Value) {
        let customer = customer(&self.app, &self.owner, &self.site, extra).await;
        let vehicle = vehicle(&self.app, &self.owner, &customer, "2026-06-04").await;
        (customer, vehicle)
    }

    async fn ledger(&self) -> Vec<Value> {
        reminders_of(&self.app, &self.owner, &self.site).await
    }
}

async fn customer(app: &TestApp, owner: &Session, site: &str, extra: Value) -> String {
    let mut body = json!({"name": "Zainabu Hamisi", "home_site_id": site});
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    let response = app.post("/api/customers", owner, &body).await;
    assert_eq!(response.status_code(), 201, "{}", response.text());
    id_of(&response.json())
}

/// A vehicle whose six-monthly service falls due on `last_service_on` + 6
/// months.
async fn vehicle(app: &TestApp, owner: &Session, customer: &str, last_service_on: &str) -> Value {
    let response = app
        .post(
            "/api/vehicles",
            owner,
            &json!({"customer_id": customer, "plate": format!("KDB {}Z", &crate::support::unique()[..3]),
                    "make": "Honda", "model": "Fit", "service_interval_months": 6,
                    "last_service_on": last_service_on}),
        )
        .await;
    assert_eq!(response.status_code(), 201, "{}", response.text());
    response.json()
}

async fn sweep(app: &TestApp) {
    run_task::<App>(
        &app.ctx,
        Some(&"send_service_reminders".to_string()),
        &task::Vars::default(),
    )
    .await
    .expect("the sweep runs");
}

async fn reminders_of(app: &TestApp, owner: &Session, site: &str) -> Vec<Value> {
    let response = app
        .get(&format!("/api/reminders?site_id={site}"), owner)
        .await;
    assert_eq!(response.status_code(), 200, "{}", response.text());
    response.json::<Value>()["items"]
        .as_array()
        .unwrap()
        .clone()
}

#[tokio::test]
#[ignore = "needs python3-aiosmtpd (a real SMTP server)"]
async fn a_due_vehicle_is_reminded_once_by_email_however_often_the_sweep_runs() {
    let sink = SmtpSink::start();
    let app = app_with(&sink, NOW).await;
    let owner = app.owner("Kamau Motors").await;
    let site = app.site(&owner, "NBO").await;
    let zainabu = customer(
        &app,
        &owner,
        &site,
        json!({"email": "zainabu.h@example.com"}),
    )
    .await;
    let due = vehicle(&app, &owner, &zainabu, "2026-06-04").await; // due 4 December
    assert_eq!(due["service_due_on"], "2026-12-04");
    let later = vehicle(&app, &owner, &zainabu, "2026-11-01").await; // due in May

    sweep(&app).await;
    sweep(&app).await;

    let messages = sink.wait_for(1, Duration::from_secs(5));
    assert_eq!(messages.len(), 1, "one reminder: {messages:#?}");
    let message = &messages[0];
    assert_eq!(message["rcpt_tos"], json!(["zainabu.h@example.com"]));
    let plate = due["plate"].as_str().unwrap();
    assert!(
        message["subject"].as_str().unwrap().contains(plate),
        "{message}"
    );
    let text = message["text"].as_str().unwrap();
    assert!(text.contains("Hello Zainabu Hamisi"), "{text}");
    assert!(text.contains("Honda Fit"), "{text}");
    assert!(text.contains("4 December 2026"), "{text}");
    assert!(message["html"]
        .as_str()
        .unwrap()
        .contains("<strong>4 December 2026</strong>"));
    assert!(message["headers"]["message-id"]
        .as_str()
        .unwrap()
        .ends_with("@karakana.reminder>"));

    let ledger = reminders_of(&app, &owner, &site).await;
    assert_eq!(ledger.len(), 1, "{ledger:#?}");
    assert_eq!(ledger[0]["status"], "sent");
    assert_eq!(ledger[0]["due_on"], "2026-12-04");
    assert_eq!(ledger[0]["attempts"], 1);
    assert_eq!(ledger[0]["recipient"], "zainabu.h@example.com");
    assert_eq!(ledger[0]["vehicle"]["id"], due["id"]);
    assert_eq!(ledger[0]["customer"]["id"], zainabu.as_str());
    assert_ne!(ledger[0]["vehicle"]["id"], later["id"]);
    assert!(ledger[0]["sent_at"].is_string());

    // The customer's own record of what was sent to them.
    let response = app
        .get(&format!("/api/customers/{zainabu}/deliveries"), &owner)
        .await;
    assert_eq!(response.status_code(), 200, "{}", response.text());
    let deliveries: Value = response.json();
    assert_eq!(deliveries["total"], 1);
    assert_eq!(deliveries["items"][0]["kind"], "service_reminder");
    assert_eq!(deliveries["items"][0]["subject_id"], due["id"]);
    assert_eq!(deliveries["items"][0]["cycle"], "2026-12-04");
    assert_eq!(deliveries["items"][0]["status"], "sent");
}

#[tokio::test]
#[ignore = "needs python3-aiosmtpd (a real SMTP server)"]
async fn customers_are_written_to_in_their_language_or_their_sites() {
    let sink = SmtpSink::start();
    let app = app_with(&sink, NOW).await;
    let owner = app.owner("Kamau Motors").await;
    let site = app.site(&owner, "MSA").await;
    let response = app
        .patch(
            &format!("/api/sites/{site}"),
            &owner,
            &json!({"language": "sw"}),
        )
        .await;
    assert_eq!(response.status_code(), 200, "{}", response.text());
    assert_eq!(response.json::<Value>()["language"], "sw");
    let site_language = customer(&app, &owner, &site, json!({"email": "juma@example.com"})).await;
    let english = customer(
        &app,
        &owner,
        &site,
        json!({"email": "grace@example.com", "language": "en"}),
    )
    .await;
    let shown = app
        .get(&format!("/api/customers/{site_language}"), &owner)
        .await
        .json::<Value>();
    assert_eq!(shown["language"], "sw");
    assert_eq!(shown["language_chosen"], false);
    vehicle(&app, &owner, &site_language, "2026-06-04").await;
    vehicle(&app, &owner, &english, "2026-06-04").await;

    sweep(&app).await;

    let messages = sink.wait_for(2, Duration::from_secs(5));
    assert_eq!(messages.len(), 2);
    let to = |address: &str| {
        messages
            .iter()
            .find(|message| message["rcpt_tos"] == json!([address]))
            .unwrap_or_else(|| panic!("nothing to {address}"))["text"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let swahili = to("juma@example.com");
    assert!(swahili.starts_with("Habari"), "{swahili}");
    assert!(swahili.contains("4 Desemba 2026"), "{swahili}");
    assert!(to("grace@example.com").starts_with("Hello"));
}

#[tokio::test]
#[ignore = "needs python3-aiosmtpd (a real SMTP server)"]
async fn a_customer_without_email_is_recorded_as_skipped_not_forgotten() {
    let garage = Garage::open(SmtpSink::start()).await;
    garage.due_vehicle(json!({"phone": "+254712000111"})).await;

    sweep(&garage.app).await;
    sweep(&garage.app).await;

    assert!(garage.sink.messages().is_empty());
    let ledger = garage.ledger().await;
    assert_eq!(ledger.len(), 1, "{ledger:#?}");
    assert_eq!(ledger[0]["status"], "skipped");
    assert_eq!(ledger[0]["error"], "no email address");
}

#[tokio::test]
#[ignore = "needs python3-aiosmtpd (a real SMTP server)"]
async fn a_failing_mail_server_is_recorded_and_retried_by_its_job_not_every_sweep() {
    let garage = Garage::open(SmtpSink::failing()).await;
    garage.due_vehicle(json!({"email": "z@example.com"})).await;

    sweep(&garage.app).await;
    let ledger = garage.ledger().await;
    assert_eq!(ledger[0]["status"], "failed");
    assert_eq!(ledger[0]["attempts"], 1);
    let error = ledger[0]["error"].as_str().unwrap();
    assert!(error.contains("451"), "the server's answer: {error}");

    // The queue retries the job on its backoff; a sweep adding a job per
    // failing message every hour would multiply them through an outage.
    sweep(&garage.app).await;
    assert_eq!(garage.ledger().await[0]["attempts"], 1);

    // Two hours on, a failure nobody retried lost its job: the sweep takes
    // it.
    garage.app.advance_clock(chrono::TimeDelta::hours(3));
    sweep(&garage.app).await;
    let ledger = garage.ledger().await;
    assert_eq!(ledger.len(), 1);
    assert_eq!(ledger[0]["attempts"], 2, "the sweep tried a lost one again");
}

#[tokio::test]
#[ignore = "needs python3-aiosmtpd (a real SMTP server)"]
async fn racing_jobs_for_one_reminder_send_one_message() {
    let garage = Garage::open(SmtpSink::start()).await;
    let (_, due) = garage.due_vehicle(json!({"email": "z@example.com"})).await;
    let (app, sink) = (&garage.app, &garage.sink);
    let vehicle_id: Uuid = due["id"].as_str().unwrap().parse().unwrap();
    let due_on = "2026-12-04".parse().unwrap();
    let messenger = Messenger::of(&app.ctx).unwrap();
    let clock = Clock::Fixed(NOW.parse().unwrap());

    let outcomes = join_all((0..8).map(|_| {
        let (db, messenger) = (app.ctx.db.clone(), messenger.clone());
        tokio::spawn(
            async move { reminders::send(&db, &messenger, clock, vehicle_id, due_on).await },
        )
    }))
    .await;

    // A copy that finds the message held by another attempt fails, for its
    // queue to retry: the holder may die before it settles.
    let outcomes: Vec<Sent> = outcomes
        .into_iter()
        .map(|joined| match joined.unwrap() {
            Err(DomainError::Busy(_)) => Sent::AlreadyHandled,
            outcome => outcome.expect("no job fails otherwise"),
        })
        .collect();
    assert_eq!(
        outcomes.iter().filter(|sent| **sent == Sent::Sent).count(),
        1,
        "{outcomes:?}"
    );
    assert!(outcomes
        .iter()
        .all(|sent| matches!(sent, Sent::Sent | Sent::AlreadyHandled)));
    assert_eq!(sink.wait_for(2, Duration::from_millis(500)).len(), 1);
}

#[tokio::test]
#[ignore = "needs python3-aiosmtpd (a real SMTP server)"]
async fn the_schedule_waits_for_each_sites_send_hour_and_the_task_does_not() {
    // Nairobi, UTC+3, reminder_hour 9.
    let garage = Garage::open(SmtpSink::start()).await;
    garage.due_vehicle(json!({"email": "z@example.com"})).await;
    let app = &garage.app;
    let due_at = |instant: &'static str, at_send_hour: bool| {
        let db = app.ctx.db.clone();
        async move {
            let clock = Clock::Fixed(instant.parse().unwrap());
            reminders::due(&db, clock, at_send_hour).await.unwrap()
        }
    };

    let before = due_at("2026-12-01T05:59:00Z", true).await;
    assert_eq!(
        (before.sites, before.to_send.len()),
        (0, 0),
        "08:59 in Nairobi"
    );
    let after = due_at("2026-12-01T06:00:00Z", true).await;
    assert_eq!(
        (after.sites, after.to_send.len()),
        (1, 1),
        "09:00 in Nairobi"
    );
    let by_hand = due_at("2026-12-01T05:59:00Z", false).await;
    assert_eq!(by_hand.to_send.len(), 1, "the task ignores the hour");
    // Seven days' lead by default: on 26 November the 4 December service
    // is not due a reminder yet; on 27 November it is.
    assert!(due_at("2026-11-26T07:00:00Z", true)
        .await
        .to_send
        .is_empty());
    assert_eq!(due_at("2026-11-27T07:00:00Z", true).await.to_send.len(), 1);
    // Thirty days after the due date it is left to people.
    assert_eq!(due_at("2027-01-03T07:00:00Z", true).await.to_send.len(), 1);
    assert!(due_at("2027-01-04T07:00:00Z", true)
        .await
        .to_send
        .is_empty());
}

#[tokio::test]
#[ignore = "needs python3-aiosmtpd (a real SMTP server)"]
async fn a_job_for_an_unknown_or_moved_vehicle_ends_without_sending() {
    let garage = Garage::open(SmtpSink::start()).await;
    let (_, due) = garage.due_vehicle(json!({"email": "z@example.com"})).await;
    let worker = SendServiceReminder::build(&garage.app.ctx);

    // The job's arguments are the contract's: {"vehicle_id", "due_on"}.
    let args: ReminderArgs =
        serde_json::from_value(json!({"vehicle_id": Uuid::new_v4(), "due_on": "2026-12-04"}))
            .unwrap();
    worker
        .perform(args)
        .await
        .expect("an unknown vehicle ends the job, no retry");
    let moved: ReminderArgs =
        serde_json::from_value(json!({"vehicle_id": due["id"], "due_on": "2026-11-30"})).unwrap();
    worker
        .perform(moved)
        .await
        .expect("a stale due date ends it");

    assert!(garage.sink.messages().is_empty());
    assert!(garage.ledger().await.is_empty());
}

#[tokio::test]
#[ignore = "needs python3-aiosmtpd (a real SMTP server)"]
async fn reminders_are_for_the_callers_sites_and_roles() {
    let garage = Garage::open(SmtpSink::start()).await;
    let (app, owner, site) = (&garage.app, &garage.owner, &garage.site);
    let technician = app.staff(owner, "technician", &[site]).await;
    let other_owner = app.owner("Other Garage").await;
    let other_site = app.site(&other_owner, "OTH").await;

    assert_error(
        &app.get("/api/reminders", &technician).await,
        403,
        "forbidden",
    );
    let (customer, _) = garage.due_vehicle(json!({"email": "z@example.com"})).await;
    let deliveries = format!("/api/customers/{customer}/deliveries");
    assert_error(&app.get(&deliveries, &technician).await, 403, "forbidden");
    assert_error(&app.get(&deliveries, &other_owner).await, 404, "not_found");
    assert_error(
        &app.get(&format!("/api/reminders?site_id={other_site}"), owner)
            .await,
        404,
        "not_found",
    );
    assert_error(
        &app.get("/api/reminders?site_id=nope", owner).await,
        400,
        "bad_request",
    );
    assert_error(
        &app.get("/api/reminders?per_page=0", owner).await,
        422,
        "validation_failed",
    );
}
