//! `Idempotency-Key` on every POST: a request sent again with its key gets
//! the first answer and changes nothing a second time (a phone resending
//! what it did offline), whether the copies come one after the other or at
//! once.

use axum_test::{
    multipart::{MultipartForm, Part},
    TestResponse,
};
use serde_json::{json, Value};

use crate::support::{assert_error, id_of, Session, TestApp};

async fn post_with_key(
    app: &TestApp,
    who: &Session,
    path: &str,
    key: &str,
    body: &Value,
) -> TestResponse {
    app.server
        .post(path)
        .authorization_bearer(&who.token)
        .add_header("Idempotency-Key", key)
        .json(body)
        .await
}

async fn labour_lines(app: &TestApp, who: &Session, order: &str) -> usize {
    let detail: Value = app
        .get(&format!("/api/repair-orders/{order}"), who)
        .await
        .json();
    detail["labor"].as_array().map_or(0, Vec::len)
}

#[tokio::test]
async fn a_labour_line_sent_twice_with_its_key_is_added_once_and_answered_alike() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let technician = app.staff(&owner, "technician", &[&site]).await;
    let order = app.claimed_order(&owner, &site, &technician).await;
    let path = format!("/api/repair-orders/{order}/labor");
    let body = json!({"description": "Fit pads", "hours": "1.5", "rate": "3000"});

    let first = post_with_key(&app, &technician, &path, "offline-0001", &body).await;
    let again = post_with_key(&app, &technician, &path, "offline-0001", &body).await;

    assert_eq!(first.status_code(), 201, "{}", first.text());
    assert_eq!(again.status_code(), 201, "{}", again.text());
    assert_eq!(first.json::<Value>(), again.json::<Value>());
    assert!(first.maybe_header("idempotent-replayed").is_none());
    assert_eq!(again.header("idempotent-replayed"), "true");
    assert_eq!(labour_lines(&app, &owner, &order).await, 1);

    // Another key is another change.
    let other = post_with_key(&app, &technician, &path, "offline-0002", &body).await;
    assert_eq!(other.status_code(), 201);
    assert_ne!(id_of(&other.json()), id_of(&first.json()));
    assert_eq!(labour_lines(&app, &owner, &order).await, 2);
    // Without a key, nothing is remembered.
    app.post(&path, &technician, &body).await;
    app.post(&path, &technician, &body).await;
    assert_eq!(labour_lines(&app, &owner, &order).await, 4);
}

#[tokio::test]
async fn the_same_key_for_another_request_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let technician = app.staff(&owner, "technician", &[&site]).await;
    let order = app.claimed_order(&owner, &site, &technician).await;
    let path = format!("/api/repair-orders/{order}/labor");

    let first = post_with_key(
        &app,
        &technician,
        &path,
        "k-1",
        &json!({"description": "Fit pads", "hours": "1.5", "rate": "3000"}),
    )
    .await;
    let other = post_with_key(
        &app,
        &technician,
        &path,
        "k-1",
        &json!({"description": "Bleed brakes", "hours": "1", "rate": "3000"}),
    )
    .await;

    assert_eq!(first.status_code(), 201);
    let body = assert_error(&other, 422, "validation_failed");
    assert!(
        body["error"]["fields"]["Idempotency-Key"].is_array(),
        "{body}"
    );
    assert_eq!(labour_lines(&app, &owner, &order).await, 1);
}

#[tokio::test]
async fn keys_belong_to_their_user() {
    let app = TestApp::spawn().await;
    let one = app.owner("Garage One").await;
    let two = app.owner("Garage Two").await;
    let body = json!({"code": "NBO", "name": "Nairobi", "timezone": "Africa/Nairobi", "currency": "KES", "tax_rate": "0.16"});

    let first = post_with_key(&app, &one, "/api/sites", "same-key", &body).await;
    let second = post_with_key(&app, &two, "/api/sites", "same-key", &body).await;

    assert_eq!(first.status_code(), 201, "{}", first.text());
    assert_eq!(second.status_code(), 201, "{}", second.text());
    assert!(second.maybe_header("idempotent-replayed").is_none());
    assert_ne!(id_of(&first.json()), id_of(&second.json()));
}

#[tokio::test]
async fn a_refusal_is_the_first_answer_too() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let technician = app.staff(&owner, "technician", &[&site]).await;
    let order = app.claimed_order(&owner, &site, &technician).await;
    let path = format!("/api/repair-orders/{order}/labor");
    let body = json!({"description": "Fit pads", "hours": "-1", "rate": "3000"});

    let first = post_with_key(&app, &technician, &path, "bad-hours", &body).await;
    let again = post_with_key(&app, &technician, &path, "bad-hours", &body).await;

    assert_error(&first, 422, "validation_failed");
    assert_error(&again, 422, "validation_failed");
    assert_eq!(again.header("idempotent-replayed"), "true");
    assert_eq!(labour_lines(&app, &owner, &order).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn copies_sent_at_once_make_one_line_and_the_others_are_told_to_wait() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let technician = app.staff(&owner, "technician", &[&site]).await;
    let order = app.claimed_order(&owner, &site, &technician).await;
    let path = format!("/api/repair-orders/{order}/labor");
    let body = json!({"description": "Fit pads", "hours": "1.5", "rate": "3000"});

    for round in 0..5 {
        let key = format!("race-{round}");
        let answers = futures::future::join_all(
            (0..8).map(|_| post_with_key(&app, &technician, &path, &key, &body)),
        )
        .await;
        let statuses: Vec<u16> = answers.iter().map(|a| a.status_code().as_u16()).collect();
        assert!(
            statuses.iter().all(|status| [201, 409].contains(status)),
            "{statuses:?}"
        );
        assert!(statuses.contains(&201), "{statuses:?}");
        let created: Vec<String> = answers
            .iter()
            .filter(|answer| answer.status_code() == 201)
            .map(|answer| id_of(&answer.json()))
            .collect();
        assert!(
            created.windows(2).all(|pair| pair[0] == pair[1]),
            "one line, answered alike: {created:?}"
        );
        assert_eq!(labour_lines(&app, &owner, &order).await, round + 1);
    }
}

#[tokio::test]
async fn a_photo_resent_under_a_new_multipart_boundary_is_stored_once() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let technician = app.staff(&owner, "technician", &[&site]).await;
    let order = app.claimed_order(&owner, &site, &technician).await;
    let mut photo = vec![
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00, 0x01,
    ];
    photo.resize(20_000, 0x42);
    let send = || {
        app.server
            .post(&format!("/api/repair-orders/{order}/attachments"))
            .authorization_bearer(&technician.token)
            .add_header("Idempotency-Key", "photo-7")
            .multipart(
                MultipartForm::new().add_part(
                    "file",
                    Part::bytes(photo.clone())
                        .file_name("pads.jpg")
                        .mime_type("image/jpeg"),
                ),
            )
    };

    let first = send().await;
    let again = send().await;

    assert_eq!(first.status_code(), 201, "{}", first.text());
    assert_eq!(again.status_code(), 201, "{}", again.text());
    assert_eq!(id_of(&first.json()), id_of(&again.json()));
    let stored: Value = app
        .get(&format!("/api/repair-orders/{order}/attachments"), &owner)
        .await
        .json();
    assert_eq!(
        stored["items"].as_array().map(Vec::len),
        Some(1),
        "{stored}"
    );
}

#[tokio::test]
async fn a_payment_resent_is_recorded_once() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let advisor = app.staff(&owner, "advisor", &[&site]).await;
    let technician = app.staff(&owner, "technician", &[&site]).await;
    let order = app.claimed_order(&owner, &site, &technician).await;
    app.post(
        &format!("/api/repair-orders/{order}/labor"),
        &technician,
        &json!({"description": "Service", "hours": "1", "rate": "1000"}),
    )
    .await;
    let invoice = app.complete(&technician, &order, &owner).await; // 1,160.00
    let path = format!("/api/invoices/{}/payments", id_of(&invoice));
    let body = json!({"amount": "160", "method": "cash"});

    let first = post_with_key(&app, &advisor, &path, "pay-1", &body).await;
    let again = post_with_key(&app, &advisor, &path, "pay-1", &body).await;

    assert_eq!(first.status_code(), 201, "{}", first.text());
    assert_eq!(first.json::<Value>(), again.json::<Value>());
    let now: Value = app
        .get(&format!("/api/invoices/{}", id_of(&invoice)), &owner)
        .await
        .json();
    assert_eq!(now["balance"], "1000.00", "{now}");
}

#[tokio::test]
async fn a_key_is_kept_for_a_day_then_forgotten() {
    let app = TestApp::spawn_at("2026-03-10T09:00:00Z").await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let technician = app.staff(&owner, "technician", &[&site]).await;
    let order = app.claimed_order(&owner, &site, &technician).await;
    let path = format!("/api/repair-orders/{order}/labor");
    let body = json!({"description": "Fit pads", "hours": "1.5", "rate": "3000"});

    post_with_key(&app, &technician, &path, "day-key", &body).await;
    app.advance_clock(chrono::TimeDelta::hours(23));
    let within = post_with_key(&app, &technician, &path, "day-key", &body).await;
    app.advance_clock(chrono::TimeDelta::hours(2));
    let after = post_with_key(&app, &technician, &path, "day-key", &body).await;

    assert_eq!(within.header("idempotent-replayed"), "true");
    assert_eq!(after.status_code(), 201);
    assert!(after.maybe_header("idempotent-replayed").is_none());
    assert_eq!(labour_lines(&app, &owner, &order).await, 2);
}

#[tokio::test]
async fn a_key_that_cannot_be_one_is_a_bad_request() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let body = json!({"code": "NBO", "name": "Nairobi", "timezone": "Africa/Nairobi", "currency": "KES", "tax_rate": "0.16"});

    for key in ["two words", &"k".repeat(256)] {
        let answer = post_with_key(&app, &owner, "/api/sites", key, &body).await;
        assert_error(&answer, 400, "bad_request");
    }
    let sites: Value = app.get("/api/sites", &owner).await.json();
    assert_eq!(sites["total"], 0, "{sites}");
}

#[tokio::test]
async fn an_answer_about_the_session_is_not_kept_so_the_change_can_follow_a_new_sign_in() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let technician = app.staff(&owner, "technician", &[&site]).await;
    let order = app.claimed_order(&owner, &site, &technician).await;
    let path = format!("/api/repair-orders/{order}/labor");
    let body = json!({"description": "Fit pads", "hours": "1.5", "rate": "3000"});
    let changed = app
        .patch(
            &format!("/api/staff/{}", technician.id),
            &owner,
            &json!({"password": "a brand new password"}),
        )
        .await;
    assert_eq!(changed.status_code(), 200, "{}", changed.text());

    let ended = post_with_key(&app, &technician, &path, "after-reset", &body).await;
    let again = app
        .try_login(&technician.email, "a brand new password")
        .await;
    let fresh = Session {
        token: again.json::<Value>()["token"].as_str().unwrap().to_string(),
        ..technician.clone()
    };
    let sent = post_with_key(&app, &fresh, &path, "after-reset", &body).await;

    assert_error(&ended, 401, "unauthorized");
    assert_eq!(sent.status_code(), 201, "{}", sent.text());
    assert!(sent.maybe_header("idempotent-replayed").is_none());
    assert_eq!(labour_lines(&app, &owner, &order).await, 1);
}
