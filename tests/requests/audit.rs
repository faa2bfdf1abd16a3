use serde_json::Value;

use crate::support::{assert_error, TestApp};

#[tokio::test]
async fn signing_up_is_the_first_entry_of_the_trail() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;

    let audit: serde_json::Value = app.get("/api/audit-events", &owner).await.json();

    assert_eq!(audit["total"], 1);
    assert_eq!(audit["items"][0]["action"], "organization.created");
    assert!(audit["items"][0]["actor"].is_null());
}

#[tokio::test]
async fn one_organizations_trail_is_not_anothers() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let stranger = app.owner("Other Garage").await;
    app.site(&owner, "NBO").await;

    let theirs: serde_json::Value = app.get("/api/audit-events", &stranger).await.json();

    assert_eq!(theirs["total"], 1);
}

#[tokio::test]
async fn the_trail_is_read_by_who_what_and_when() {
    // 20 April 2026; the days below are counted in UTC.
    let app = TestApp::spawn_at("2026-04-20T09:00:00Z").await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let manager = app.staff(&owner, "manager", &[&site]).await;
    app.advance_clock(chrono::TimeDelta::days(2));
    // The manager adds a customer on the 22nd.
    let customer = app.customer(&manager, &site).await;
    let read = |query: &'static str| {
        let app = &app;
        let owner = &owner;
        async move {
            let listed: Value = app
                .get(&format!("/api/audit-events?{query}"), owner)
                .await
                .json();
            listed["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|event| event["action"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };

    let by_manager = app
        .get(
            &format!("/api/audit-events?actor_id={}", manager.id),
            &owner,
        )
        .await
        .json::<Value>();
    let actions: Vec<&str> = by_manager["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["customer.created"]);
    assert_eq!(read("subject_type=site").await, ["site.created"]);
    let one = app
        .get(&format!("/api/audit-events?subject_id={customer}"), &owner)
        .await
        .json::<Value>();
    assert_eq!(one["total"], 1);
    assert_eq!(one["items"][0]["subject_id"], customer.as_str());
    // The 20th holds the signup, the site and the manager; the 22nd the
    // customer.
    assert!(!read("to=2026-04-20")
        .await
        .contains(&"customer.created".to_string()));
    assert_eq!(
        read("from=2026-04-21&to=2026-04-22").await,
        ["customer.created"]
    );

    // What cannot be a filter is refused, and someone not on the staff is
    // not found.
    assert_error(
        &app.get("/api/audit-events?subject_type=Site", &owner).await,
        422,
        "validation_failed",
    );
    assert_error(
        &app.get("/api/audit-events?subject_type=", &owner).await,
        422,
        "validation_failed",
    );
    assert_error(
        &app.get("/api/audit-events?from=2026-04-22&to=2026-04-20", &owner)
            .await,
        422,
        "validation_failed",
    );
    let stranger = app.owner("Other").await;
    assert_error(
        &app.get(
            &format!("/api/audit-events?actor_id={}", stranger.id),
            &owner,
        )
        .await,
        404,
        "not_found",
    );
    // Only owners read the trail.
    assert_error(
        &app.get("/api/audit-events", &manager).await,
        403,
        "forbidden",
    );
}
