//! Labour, notes and what a technician records on their orders.

use serde_json::json;

use crate::support::{assert_error, id_of, TestApp};

#[tokio::test]
async fn labour_is_hours_times_rate_rounded_to_the_cent() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let technician = app.staff(&owner, "technician", &[&site]).await;
    let order = app.claimed_order(&owner, &site, &technician).await;
    let path = format!("/api/repair-orders/{order}/labor");

    let first = app
        .post(
            &path,
            &technician,
            &json!({"description": "Diagnose", "hours": "0.33", "rate": "1234.55"}),
        )
        .await;
    let second = app
        .post(
            &path,
            &technician,
            &json!({"description": "Fit pads", "hours": "1.5", "rate": "3000"}),
        )
        .await;

    assert_eq!(first.status_code(), 201, "{}", first.text());
    let line: serde_json::Value = first.json();
    // 0.33 × 1234.55 = 407.4015 → 407.40
    assert_eq!(line["amount"], "407.40");
    assert_eq!(line["hours"], "0.33");
    assert_eq!(line["rate"], "1234.55");
    assert_eq!(second.json::<serde_json::Value>()["amount"], "4500.00");
    let detail: serde_json::Value = app
        .get(&format!("/api/repair-orders/{order}"), &owner)
        .await
        .json();
    assert_eq!(detail["labor"].as_array().unwrap().len(), 2);
    assert_eq!(detail["labor_total"], "4907.40");

    let removed = app
        .delete(&format!("{path}/{}", id_of(&line)), &technician)
        .await;
    assert_eq!(removed.status_code(), 204);
    let detail: serde_json::Value = app
        .get(&format!("/api/repair-orders/{order}"), &owner)
        .await
        .json();
    assert_eq!(detail["labor_total"], "4500.00");
    let audit: serde_json::Value = app.get("/api/audit-events", &owner).await.json();
    assert_eq!(audit["items"][0]["action"], "labor_line.removed");
    assert_eq!(audit["items"][0]["actor"]["id"], technician.id.as_str());
}

#[tokio::test]
async fn labour_half_cents_round_away_from_zero() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let order = app.order(&owner, &site, "normal").await;

    // 0.5 × 0.05 = 0.025 → 0.03
    let response = app
        .post(
            &format!("/api/repair-orders/{order}/labor"),
            &owner,
            &json!({"description": "x", "hours": "0.5", "rate": "0.05"}),
        )
        .await;

    assert_eq!(response.json::<serde_json::Value>()["amount"], "0.03");
}

#[tokio::test]
async fn bad_labour_is_refused_field_by_field() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let order = app.order(&owner, &site, "normal").await;
    let path = format!("/api/repair-orders/{order}/labor");

    let bad = app
        .post(
            &path,
            &owner,
            &json!({"description": "", "hours": "0", "rate": "-5"}),
        )
        .await;
    let floats = app
        .post(
            &path,
            &owner,
            &json!({"description": "x", "hours": 1.5, "rate": "100"}),
        )
        .await;
    let precise = app
        .post(
            &path,
            &owner,
            &json!({"description": "x", "hours": "1.005", "rate": "100.001"}),
        )
        .await;
    let missing = app.post(&path, &owner, &json!({"description": "x"})).await;

    let body = assert_error(&bad, 422, "validation_failed");
    for field in ["description", "hours", "rate"] {
        assert!(body["error"]["fields"][field].is_array(), "{field}: {body}");
    }
    assert_error(&floats, 400, "bad_request");
    let body = assert_error(&precise, 422, "validation_failed");
    assert!(
        body["error"]["fields"]["hours"].is_array() && body["error"]["fields"]["rate"].is_array()
    );
    assert_error(&missing, 422, "validation_failed");
    let detail: serde_json::Value = app
        .get(&format!("/api/repair-orders/{order}"), &owner)
        .await
        .json();
    assert_eq!(detail["labor"], json!([]));
}

#[tokio::test]
async fn technicians_work_on_their_own_orders_only_and_closed_orders_do_not_change() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let kevin = app.staff(&owner, "technician", &[&site]).await;
    let dennis = app.staff(&owner, "technician", &[&site]).await;
    let order = app.claimed_order(&owner, &site, &kevin).await;
    let labor = json!({"description": "x", "hours": "1", "rate": "100"});

    assert_error(
        &app.post(
            &format!("/api/repair-orders/{order}/labor"),
            &dennis,
            &labor,
        )
        .await,
        403,
        "forbidden",
    );
    assert_error(
        &app.post(
            &format!("/api/repair-orders/{order}/notes"),
            &dennis,
            &json!({"body": "not mine"}),
        )
        .await,
        403,
        "forbidden",
    );
    let line = id_of(
        &app.post(&format!("/api/repair-orders/{order}/labor"), &kevin, &labor)
            .await
            .json(),
    );
    assert_error(
        &app.delete(&format!("/api/repair-orders/{order}/labor/{line}"), &dennis)
            .await,
        403,
        "forbidden",
    );
    assert_error(
        &app.delete(
            &format!("/api/repair-orders/{order}/labor/{}", uuid::Uuid::new_v4()),
            &kevin,
        )
        .await,
        404,
        "not_found",
    );

    app.transition(&kevin, &order, "completed").await;
    assert_error(
        &app.post(&format!("/api/repair-orders/{order}/labor"), &kevin, &labor)
            .await,
        409,
        "conflict",
    );
    assert_error(
        &app.delete(&format!("/api/repair-orders/{order}/labor/{line}"), &owner)
            .await,
        409,
        "conflict",
    );
}

#[tokio::test]
async fn notes_record_who_wrote_them() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let advisor = app.staff(&owner, "advisor", &[&site]).await;
    let technician = app.staff(&owner, "technician", &[&site]).await;
    let order = app.claimed_order(&owner, &site, &technician).await;
    let path = format!("/api/repair-orders/{order}/notes");

    let by_advisor = app
        .post(
            &path,
            &advisor,
            &json!({"body": "Customer waits in the lounge"}),
        )
        .await;
    let by_technician = app
        .post(
            &path,
            &technician,
            &json!({"body": "Rear pads at 2 mm too"}),
        )
        .await;
    let blank = app.post(&path, &technician, &json!({"body": " "})).await;

    assert_eq!(by_advisor.status_code(), 201);
    assert_eq!(by_technician.status_code(), 201);
    assert_error(&blank, 422, "validation_failed");
    let notes: serde_json::Value = app.get(&path, &owner).await.json();
    assert_eq!(notes["items"][0]["author"]["id"], advisor.id.as_str());
    assert_eq!(notes["items"][1]["body"], "Rear pads at 2 mm too");
    assert_eq!(notes["items"][1]["author"]["id"], technician.id.as_str());
}

#[tokio::test]
async fn assigned_technicians_are_notified_and_mark_it_read() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let technician = app.staff(&owner, "technician", &[&site]).await;
    let order = app.order(&owner, &site, "urgent").await;

    app.post(
        &format!("/api/repair-orders/{order}/assign"),
        &owner,
        &json!({"technician_id": technician.id}),
    )
    .await;

    let unread: serde_json::Value = app
        .get("/api/notifications?unread=true", &technician)
        .await
        .json();
    assert_eq!(unread["total"], 1);
    let notification = &unread["items"][0];
    assert_eq!(notification["kind"], "repair_order_assigned");
    assert_eq!(notification["repair_order_id"], order.as_str());
    assert!(notification["title"]
        .as_str()
        .unwrap()
        .contains("Toyota Probox"));
    assert!(notification["read_at"].is_null());

    let read = app
        .post(
            &format!("/api/notifications/{}/read", id_of(notification)),
            &technician,
            &json!({}),
        )
        .await;
    assert_eq!(read.status_code(), 200);
    assert!(read.json::<serde_json::Value>()["read_at"].is_string());
    let unread: serde_json::Value = app
        .get("/api/notifications?unread=true", &technician)
        .await
        .json();
    assert_eq!(unread["total"], 0);
    // Someone else's notification is not found.
    assert_error(
        &app.post(
            &format!("/api/notifications/{}/read", id_of(notification)),
            &owner,
            &json!({}),
        )
        .await,
        404,
        "not_found",
    );
    let all: serde_json::Value = app
        .post("/api/notifications/read-all", &technician, &json!({}))
        .await
        .json();
    assert_eq!(all["marked"], 0);
}

/// Sets an order's approval, claim and completion times, so that the
/// numbers can be worked out by hand.
async fn set_times(
    app: &TestApp,
    order: &str,
    approved: &str,
    started: &str,
    completed: Option<&str>,
) {
    use karakana::models::_entities::repair_orders::{Column, Entity};
    use sea_orm::{sea_query::Expr, ColumnTrait, EntityTrait, QueryFilter};

    let at = |text: &str| chrono::DateTime::parse_from_rfc3339(text).unwrap();
    Entity::update_many()
        .col_expr(Column::ApprovedAt, Expr::value(at(approved)))
        .col_expr(Column::StartedAt, Expr::value(at(started)))
        .col_expr(Column::CompletedAt, Expr::value(completed.map(at)))
        .filter(Column::Pid.eq(uuid::Uuid::parse_str(order).unwrap()))
        .exec(&app.ctx.db)
        .await
        .unwrap();
}

#[tokio::test]
async fn technician_stats_count_completed_work_and_mean_times() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let manager = app.staff(&owner, "manager", &[&site]).await;
    let technician = app.staff(&owner, "technician", &[&site]).await;
    let other = app.staff(&owner, "technician", &[&site]).await;
    let mut completed = Vec::new();
    for _ in 0..3 {
        let order = app.claimed_order(&owner, &site, &technician).await;
        app.transition(&technician, &order, "completed").await;
        completed.push(order);
    }
    let in_progress = app.claimed_order(&owner, &site, &technician).await;
    // The week of Monday 2 March 2026, and one job the week before:
    //   waited (approval → claim)   worked (claim → completion)
    //   A  600 s                    5,400 s   completed Mon 2nd
    //   B  1,800 s                  7,200 s   completed Tue 3rd
    //   C  2,700 s                  —         in progress since Wed 4th
    //   D  300 s                    14,400 s  completed Wed 25 Feb
    set_times(
        &app,
        &completed[0],
        "2026-03-02T08:00:00Z",
        "2026-03-02T08:10:00Z",
        Some("2026-03-02T09:40:00Z"),
    )
    .await;
    set_times(
        &app,
        &completed[1],
        "2026-03-03T08:00:00Z",
        "2026-03-03T08:30:00Z",
        Some("2026-03-03T10:30:00Z"),
    )
    .await;
    set_times(
        &app,
        &in_progress,
        "2026-03-04T07:00:00Z",
        "2026-03-04T07:45:00Z",
        None,
    )
    .await;
    set_times(
        &app,
        &completed[2],
        "2026-02-25T08:00:00Z",
        "2026-02-25T08:05:00Z",
        Some("2026-02-25T12:05:00Z"),
    )
    .await;
    let stats_for = |query: &'static str, who| {
        let path = format!("/api/technicians/{}/stats{query}", technician.id);
        let app = &app;
        async move { app.get(&path, who).await.json::<serde_json::Value>() }
    };

    let week = stats_for("?from=2026-03-02&to=2026-03-08", &manager).await;
    let all_time = stats_for("", &manager).await;
    let tuesday = stats_for("?from=2026-03-03&to=2026-03-03", &manager).await;
    let own = stats_for("?from=2026-03-02&to=2026-03-08", &technician).await;
    let empty = stats_for("?from=2026-03-09", &manager).await;

    // Waits count orders claimed in the period, work orders completed in it.
    assert_eq!(week["orders_completed"], 2);
    assert_eq!(week["orders_in_progress"], 1);
    assert_eq!(
        week["mean_approval_to_claim_secs"],
        (600 + 1_800 + 2_700) / 3
    );
    assert_eq!(week["mean_claim_to_completion_secs"], (5_400 + 7_200) / 2);
    assert_eq!(all_time["orders_completed"], 3);
    assert_eq!(
        all_time["mean_approval_to_claim_secs"],
        (600 + 1_800 + 2_700 + 300) / 4
    );
    assert_eq!(
        all_time["mean_claim_to_completion_secs"],
        (5_400 + 7_200 + 14_400) / 3
    );
    assert_eq!(tuesday["orders_completed"], 1, "`to` is inclusive");
    assert_eq!(tuesday["mean_approval_to_claim_secs"], 1_800);
    assert_eq!(tuesday["mean_claim_to_completion_secs"], 7_200);
    assert_eq!(own, week, "technicians see their own numbers");
    assert_eq!(empty["orders_completed"], 0);
    assert!(empty["mean_approval_to_claim_secs"].is_null());
    assert!(empty["mean_claim_to_completion_secs"].is_null());
    assert_error(
        &app.get(&format!("/api/technicians/{}/stats", technician.id), &other)
            .await,
        403,
        "forbidden",
    );
    assert_error(
        &app.get(&format!("/api/technicians/{}/stats", manager.id), &owner)
            .await,
        404,
        "not_found",
    );
    assert_error(
        &app.get(
            &format!("/api/technicians/{}/stats?from=2026-02-30", technician.id),
            &owner,
        )
        .await,
        400,
        "bad_request",
    );
}
