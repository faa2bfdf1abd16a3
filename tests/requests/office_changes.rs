//! What the office changes on an order a technician is working on reaches
//! the technician, and stays in front of them until they say they have
//! seen it; the office can change the job itself after booking.

use serde_json::{json, Value};

use crate::support::{assert_error, id_of, TestApp};

fn whats(detail: &Value) -> Vec<String> {
    detail["unseen_changes"]
        .as_array()
        .unwrap_or_else(|| panic!("no unseen_changes in {detail}"))
        .iter()
        .map(|change| change["what"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn the_technician_sees_what_the_office_changed_until_they_acknowledge_it() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let technician = app.staff(&owner, "technician", &[&site]).await;
    let advisor = app.staff(&owner, "advisor", &[&site]).await;
    let order = app.claimed_order(&owner, &site, &technician).await;
    let path = format!("/api/repair-orders/{order}");
    let detail = |who| {
        let app = &app;
        let path = path.clone();
        async move { app.get(&path, who).await.json::<Value>() }
    };
    assert_eq!(whats(&detail(&technician).await), Vec::<String>::new());

    // The technician's own work is not news to them.
    let own = app
        .post(
            &format!("{path}/labor"),
            &technician,
            &json!({"description": "Fit pads", "hours": "1", "rate": "1500"}),
        )
        .await;
    assert_eq!(own.status_code(), 201, "{}", own.text());
    assert_eq!(whats(&detail(&technician).await), Vec::<String>::new());

    let added = app
        .post(
            &format!("{path}/labor"),
            &advisor,
            &json!({"description": "Check the rear brakes too", "hours": "0.5", "rate": "1500"}),
        )
        .await;
    assert_eq!(added.status_code(), 201, "{}", added.text());
    let note = app
        .post(
            &format!("{path}/notes"),
            &advisor,
            &json!({"body": "Customer hears a squeal at low speed"}),
        )
        .await;
    assert_eq!(note.status_code(), 201, "{}", note.text());
    let revised = app
        .patch(
            &path,
            &advisor,
            &json!({"priority": "urgent", "description": "Brakes: front pads and rear check"}),
        )
        .await;
    assert_eq!(revised.status_code(), 200, "{}", revised.text());

    let seen_by_technician = detail(&technician).await;
    assert_eq!(
        whats(&seen_by_technician),
        ["labor_line.added", "note.added", "repair_order.updated"]
    );
    let changes = &seen_by_technician["unseen_changes"];
    assert_eq!(changes[0]["by"]["id"], advisor.id.as_str());
    assert_eq!(
        changes[0]["details"]["description"],
        "Check the rear brakes too"
    );
    assert_eq!(
        changes[1]["details"]["body"],
        "Customer hears a squeal at low speed"
    );
    assert_eq!(
        changes[2]["details"]["priority"],
        json!({"from": "normal", "to": "urgent"})
    );
    assert_eq!(seen_by_technician["priority"], "urgent");
    // The office sees the same: what its technician has not seen yet.
    assert_eq!(whats(&detail(&owner).await).len(), 3);

    let acknowledged = app
        .post(&format!("{path}/acknowledge"), &technician, &json!({}))
        .await;
    assert_eq!(acknowledged.status_code(), 200, "{}", acknowledged.text());
    assert_eq!(whats(&acknowledged.json()), Vec::<String>::new());
    assert_eq!(whats(&detail(&technician).await), Vec::<String>::new());
    let trail: Value = app.get("/api/audit-events", &owner).await.json();
    assert_eq!(trail["items"][0]["action"], "repair_order.acknowledged");
    assert_eq!(trail["items"][0]["actor"]["id"], technician.id.as_str());

    // The next change is news again.
    let removed = app
        .delete(&format!("{path}/labor/{}", id_of(&added.json())), &advisor)
        .await;
    assert_eq!(removed.status_code(), 204);
    assert_eq!(whats(&detail(&technician).await), ["labor_line.removed"]);
}

#[tokio::test]
async fn only_the_orders_technician_acknowledges_and_only_while_working_on_it() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let technician = app.staff(&owner, "technician", &[&site]).await;
    let other = app.staff(&owner, "technician", &[&site]).await;
    let order = app.claimed_order(&owner, &site, &technician).await;
    let acknowledge = format!("/api/repair-orders/{order}/acknowledge");

    let by_manager = app.post(&acknowledge, &owner, &json!({})).await;
    assert_error(&by_manager, 403, "forbidden");
    let by_other = app.post(&acknowledge, &other, &json!({})).await;
    assert_error(&by_other, 409, "conflict");
    let elsewhere = app.owner("Other garage").await;
    let foreign_site = app.site(&elsewhere, "KLA").await;
    let foreigner = app.staff(&elsewhere, "technician", &[&foreign_site]).await;
    assert_error(
        &app.post(&acknowledge, &foreigner, &json!({})).await,
        404,
        "not_found",
    );

    app.complete(&technician, &order, &owner).await;
    assert_error(
        &app.post(&acknowledge, &technician, &json!({})).await,
        409,
        "conflict",
    );
}

#[tokio::test]
async fn the_office_revises_a_job_with_the_apis_rules_and_the_trail_keeps_before_and_after() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let technician = app.staff(&owner, "technician", &[&site]).await;
    let order = app.order(&owner, &site, "normal").await;
    let path = format!("/api/repair-orders/{order}");
    let before: Value = app.get(&path, &owner).await.json();

    let blank = app
        .patch(&path, &owner, &json!({"description": "  "}))
        .await;
    assert_error(&blank, 422, "validation_failed");
    assert!(blank.json::<Value>()["error"]["fields"]["description"].is_array());
    let bad_priority = app
        .patch(&path, &owner, &json!({"priority": "soonish"}))
        .await;
    assert!(matches!(bad_priority.status_code().as_u16(), 400 | 422));
    let by_technician = app
        .patch(&path, &technician, &json!({"priority": "urgent"}))
        .await;
    assert!(matches!(by_technician.status_code().as_u16(), 403 | 404));
    let unchanged: Value = app.get(&path, &owner).await.json();
    assert_eq!(unchanged["description"], before["description"]);
    assert_eq!(unchanged["priority"], "normal");

    let revised = app
        .patch(
            &path,
            &owner,
            &json!({"complaint": "Grinding when braking", "priority": "high"}),
        )
        .await;
    assert_eq!(revised.status_code(), 200, "{}", revised.text());
    let revised: Value = revised.json();
    assert_eq!(revised["complaint"], "Grinding when braking");
    assert_eq!(revised["priority"], "high");
    assert_eq!(revised["description"], before["description"]);
    let cleared: Value = app
        .patch(&path, &owner, &json!({"complaint": null}))
        .await
        .json();
    assert_eq!(cleared["complaint"], Value::Null);

    let trail: Value = app.get("/api/audit-events", &owner).await.json();
    assert_eq!(trail["items"][0]["action"], "repair_order.updated");
    assert_eq!(
        trail["items"][0]["details"],
        json!({"complaint": {"from": "Grinding when braking", "to": null}})
    );
    assert_eq!(
        trail["items"][1]["details"],
        json!({
            "complaint": {"from": before["complaint"], "to": "Grinding when braking"},
            "priority": {"from": "normal", "to": "high"},
        })
    );

    // The same values again change nothing and record nothing.
    app.patch(&path, &owner, &json!({"priority": "high"})).await;
    let again: Value = app.get("/api/audit-events", &owner).await.json();
    assert_eq!(again["items"][0]["id"], trail["items"][0]["id"]);

    app.transition(&owner, &order, "cancelled").await;
    let closed = app.patch(&path, &owner, &json!({"priority": "low"})).await;
    assert_error(&closed, 409, "conflict");
}
