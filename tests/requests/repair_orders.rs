use serde_json::json;

use crate::support::{assert_error, id_of, ids, Session, TestApp};

async fn history(
    app: &TestApp,
    by: &Session,
    order: &str,
) -> Vec<(Option<String>, String, String)> {
    let body: serde_json::Value = app
        .get(&format!("/api/repair-orders/{order}/history"), by)
        .await
        .json();
    body.as_array()
        .unwrap()
        .iter()
        .map(|event| {
            (
                event["from"].as_str().map(ToString::to_string),
                event["to"].as_str().unwrap().to_string(),
                event["actor"]["id"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn an_order_goes_from_booking_in_to_completion_with_every_step_recorded() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let advisor = app.staff(&owner, "advisor", &[&site]).await;
    let technician = app.staff(&owner, "technician", &[&site]).await;
    let customer = app.customer(&advisor, &site).await;
    let vehicle = app.vehicle(&advisor, &customer).await;

    let created = app
        .post(
            "/api/repair-orders",
            &advisor,
            &json!({
                "site_id": site, "vehicle_id": vehicle, "description": "Front brakes",
                "complaint": "Squeals when stopping", "priority": "high", "odometer_km": 121_500,
            }),
        )
        .await;
    assert_eq!(created.status_code(), 201, "{}", created.text());
    let order: serde_json::Value = created.json();
    let id = id_of(&order);
    assert_eq!(order["status"], "requested");
    assert_eq!(order["priority"], "high");
    assert_eq!(order["complaint"], "Squeals when stopping");
    assert_eq!(order["odometer_km"], 121_500);
    assert_eq!(order["site"]["id"], site.as_str());
    assert_eq!(order["vehicle"]["id"], vehicle.as_str());
    assert_eq!(order["labor_total"], "0.00");
    assert_eq!(order["currency"], "KES");
    let reading: serde_json::Value = app
        .get(&format!("/api/vehicles/{vehicle}"), &advisor)
        .await
        .json();
    assert_eq!(
        reading["odometer_km"], 121_500,
        "the intake reading lands in the vehicle's history"
    );

    for to in ["pending_approval", "approved"] {
        assert_eq!(app.transition(&advisor, &id, to).await.status_code(), 200);
    }
    let claimed = app
        .post(
            &format!("/api/repair-orders/{id}/claim"),
            &technician,
            &json!({}),
        )
        .await;
    assert_eq!(claimed.status_code(), 200, "{}", claimed.text());
    let claimed: serde_json::Value = claimed.json();
    assert_eq!(claimed["status"], "in_progress");
    assert_eq!(claimed["technician"]["id"], technician.id.as_str());
    let done = app
        .post(
            &format!("/api/repair-orders/{id}/transition"),
            &technician,
            &json!({"to": "completed", "note": "Pads and discs"}),
        )
        .await;
    assert_eq!(done.status_code(), 200);
    let done: serde_json::Value = done.json();
    assert_eq!(done["status"], "completed");
    for at in ["approved_at", "started_at", "completed_at"] {
        assert!(done[at].as_str().is_some_and(|t| t.ends_with('Z')), "{at}");
    }

    assert_eq!(
        history(&app, &owner, &id).await,
        vec![
            (None, "requested".into(), advisor.id.clone()),
            (
                Some("requested".into()),
                "pending_approval".into(),
                advisor.id.clone()
            ),
            (
                Some("pending_approval".into()),
                "approved".into(),
                advisor.id.clone()
            ),
            (
                Some("approved".into()),
                "in_progress".into(),
                technician.id.clone()
            ),
            (
                Some("in_progress".into()),
                "completed".into(),
                technician.id.clone()
            ),
        ]
    );
    let events: serde_json::Value = app
        .get(&format!("/api/repair-orders/{id}/history"), &owner)
        .await
        .json();
    assert_eq!(events[4]["note"], "Pads and discs");
    assert!(events[4]["at"].as_str().unwrap().ends_with('Z'));
}

#[tokio::test]
async fn every_illegal_transition_is_a_conflict_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let technician = app.staff(&owner, "technician", &[&site]).await;
    let all = [
        "requested",
        "pending_approval",
        "approved",
        "declined",
        "in_progress",
        "completed",
        "cancelled",
    ];
    let legal: &[(&str, &str)] = &[
        ("requested", "pending_approval"),
        ("pending_approval", "approved"),
        ("pending_approval", "declined"),
        ("approved", "in_progress"),
        ("in_progress", "completed"),
        ("requested", "cancelled"),
        ("pending_approval", "cancelled"),
        ("approved", "cancelled"),
        ("in_progress", "cancelled"),
    ];
    // How to bring a fresh order to each status.
    let path_to = |status: &str| -> Vec<&'static str> {
        match status {
            "requested" => vec![],
            "pending_approval" => vec!["pending_approval"],
            "approved" => vec!["pending_approval", "approved"],
            "declined" => vec!["pending_approval", "declined"],
            "in_progress" => vec!["pending_approval", "approved", "in_progress"],
            "completed" => vec!["pending_approval", "approved", "in_progress", "completed"],
            "cancelled" => vec!["cancelled"],
            _ => unreachable!(),
        }
    };

    for from in all {
        let order = app.order(&owner, &site, "normal").await;
        for step in path_to(from) {
            if step == "in_progress" {
                let assigned = app
                    .post(
                        &format!("/api/repair-orders/{order}/assign"),
                        &owner,
                        &json!({"technician_id": technician.id}),
                    )
                    .await;
                assert_eq!(assigned.status_code(), 200, "{}", assigned.text());
            }
            let response = app.transition(&owner, &order, step).await;
            assert_eq!(
                response.status_code(),
                200,
                "{from}: step {step}: {}",
                response.text()
            );
        }
        for to in all {
            if legal.contains(&(from, to)) {
                continue;
            }
            let response = app.transition(&owner, &order, to).await;
            assert_error(&response, 409, "conflict");
            let now: serde_json::Value = app
                .get(&format!("/api/repair-orders/{order}"), &owner)
                .await
                .json();
            assert_eq!(now["status"], from, "{from} -> {to} changed the order");
        }
    }
}

#[tokio::test]
async fn an_unknown_target_status_is_a_validation_failure() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let order = app.order(&owner, &site, "normal").await;

    let response = app.transition(&owner, &order, "finished").await;
    let missing = app
        .post(
            &format!("/api/repair-orders/{order}/transition"),
            &owner,
            &json!({}),
        )
        .await;

    let body = assert_error(&response, 422, "validation_failed");
    assert!(body["error"]["fields"]["to"][0]
        .as_str()
        .unwrap()
        .contains("pending_approval"));
    assert_error(&missing, 422, "validation_failed");
}

#[tokio::test]
async fn starting_an_order_needs_someone_to_do_it() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let order = app.approved_order(&owner, &site, "normal").await;

    let response = app.transition(&owner, &order, "in_progress").await;

    let body = assert_error(&response, 409, "conflict");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("assign"));
}

#[tokio::test]
async fn technicians_start_and_complete_their_own_orders_only() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let kevin = app.staff(&owner, "technician", &[&site]).await;
    let dennis = app.staff(&owner, "technician", &[&site]).await;
    let order = app.approved_order(&owner, &site, "normal").await;
    app.post(
        &format!("/api/repair-orders/{order}/assign"),
        &owner,
        &json!({"technician_id": kevin.id}),
    )
    .await;

    assert_error(
        &app.transition(&dennis, &order, "in_progress").await,
        403,
        "forbidden",
    );
    assert_error(
        &app.transition(&kevin, &order, "cancelled").await,
        403,
        "forbidden",
    );
    assert_eq!(
        app.transition(&kevin, &order, "in_progress")
            .await
            .status_code(),
        200
    );
    assert_error(
        &app.transition(&dennis, &order, "completed").await,
        403,
        "forbidden",
    );
    assert_eq!(
        app.transition(&kevin, &order, "completed")
            .await
            .status_code(),
        200
    );

    let fresh = app.order(&owner, &site, "normal").await;
    assert_error(
        &app.transition(&kevin, &fresh, "pending_approval").await,
        403,
        "forbidden",
    );
    let by_technician = app
        .post(
            "/api/repair-orders",
            &kevin,
            &json!({"site_id": site, "vehicle_id": site, "description": "x"}),
        )
        .await;
    assert_error(&by_technician, 403, "forbidden");
}

#[tokio::test]
async fn assignment_checks_the_technician_and_the_role() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let nbo = app.site(&owner, "NBO").await;
    let msa = app.site(&owner, "MSA").await;
    let manager = app.staff(&owner, "manager", &[&nbo]).await;
    let advisor = app.staff(&owner, "advisor", &[&nbo]).await;
    let technician = app.staff(&owner, "technician", &[&nbo]).await;
    let msa_technician = app.staff(&owner, "technician", &[&msa]).await;
    let order = app.order(&manager, &nbo, "normal").await;
    let path = format!("/api/repair-orders/{order}/assign");

    let by_advisor = app
        .post(&path, &advisor, &json!({"technician_id": technician.id}))
        .await;
    let to_an_advisor = app
        .post(&path, &manager, &json!({"technician_id": advisor.id}))
        .await;
    let to_another_site = app
        .post(&path, &owner, &json!({"technician_id": msa_technician.id}))
        .await;
    let unseen_by_manager = app
        .post(
            &path,
            &manager,
            &json!({"technician_id": msa_technician.id}),
        )
        .await;
    let by_technician = app
        .post(&path, &technician, &json!({"technician_id": technician.id}))
        .await;

    assert_eq!(by_advisor.status_code(), 200, "{}", by_advisor.text());
    assert_eq!(
        by_advisor.json::<serde_json::Value>()["technician"]["id"],
        technician.id.as_str()
    );
    let body = assert_error(&to_an_advisor, 422, "validation_failed");
    assert!(body["error"]["fields"]["technician_id"].is_array());
    assert_error(&to_another_site, 422, "validation_failed");
    assert_error(&unseen_by_manager, 404, "not_found");
    assert_error(&by_technician, 403, "forbidden");

    app.transition(&manager, &order, "cancelled").await;
    let closed = app
        .post(&path, &manager, &json!({"technician_id": technician.id}))
        .await;
    assert_error(&closed, 409, "conflict");
}

#[tokio::test]
async fn lists_filter_by_site_status_and_technician() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let nbo = app.site(&owner, "NBO").await;
    let msa = app.site(&owner, "MSA").await;
    let manager = app.staff(&owner, "manager", &[&nbo]).await;
    let technician = app.staff(&owner, "technician", &[&nbo]).await;
    let at_nbo = app.order(&owner, &nbo, "normal").await;
    let approved = app.approved_order(&owner, &nbo, "low").await;
    let at_msa = app.order(&owner, &msa, "normal").await;
    app.post(
        &format!("/api/repair-orders/{approved}/assign"),
        &owner,
        &json!({"technician_id": technician.id}),
    )
    .await;

    let everything = ids(&app.get("/api/repair-orders", &owner).await.json());
    let managers = ids(&app.get("/api/repair-orders", &manager).await.json());
    let at_msa_only = ids(&app
        .get(&format!("/api/repair-orders?site_id={msa}"), &owner)
        .await
        .json());
    let approved_only = ids(&app
        .get("/api/repair-orders?status=approved", &owner)
        .await
        .json());
    let assigned = ids(&app
        .get(
            &format!("/api/repair-orders?technician_id={}", technician.id),
            &owner,
        )
        .await
        .json());
    let technicians_own = ids(&app.get("/api/repair-orders", &technician).await.json());

    assert_eq!(everything.len(), 3);
    assert_eq!(managers.len(), 2);
    assert!(!managers.contains(&at_msa));
    assert!(managers.contains(&at_nbo));
    assert_eq!(at_msa_only, vec![at_msa.clone()]);
    assert_eq!(approved_only, vec![approved.clone()]);
    assert_eq!(assigned, vec![approved.clone()]);
    assert_eq!(technicians_own, vec![approved.clone()]);
    assert_error(
        &app.get(&format!("/api/repair-orders?site_id={msa}"), &manager)
            .await,
        404,
        "not_found",
    );
    assert_error(
        &app.get("/api/repair-orders?status=done", &owner).await,
        400,
        "bad_request",
    );
}

#[tokio::test]
async fn another_sites_and_organizations_orders_are_not_found() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let nbo = app.site(&owner, "NBO").await;
    let msa = app.site(&owner, "MSA").await;
    let msa_manager = app.staff(&owner, "manager", &[&msa]).await;
    let msa_technician = app.staff(&owner, "technician", &[&msa]).await;
    let order = app.approved_order(&owner, &nbo, "normal").await;
    let stranger = app.owner("Other Garage").await;

    for who in [&msa_manager, &msa_technician, &stranger] {
        for path in [
            format!("/api/repair-orders/{order}"),
            format!("/api/repair-orders/{order}/history"),
            format!("/api/repair-orders/{order}/notes"),
            format!("/api/repair-orders/{order}/attachments"),
        ] {
            assert_error(&app.get(&path, who).await, 404, "not_found");
        }
        for (path, body) in [
            (format!("/api/repair-orders/{order}/claim"), json!({})),
            (
                format!("/api/repair-orders/{order}/transition"),
                json!({"to": "cancelled"}),
            ),
            (
                format!("/api/repair-orders/{order}/assign"),
                json!({"technician_id": msa_technician.id}),
            ),
            (
                format!("/api/repair-orders/{order}/notes"),
                json!({"body": "hi"}),
            ),
            (
                format!("/api/repair-orders/{order}/labor"),
                json!({"description": "x", "hours": "1", "rate": "1"}),
            ),
        ] {
            assert_error(&app.post(&path, who, &body).await, 404, "not_found");
        }
    }
    // Booking a vehicle in at a site one does not work at, or for another
    // organization's vehicle.
    let customer = app.customer(&owner, &nbo).await;
    let vehicle = app.vehicle(&owner, &customer).await;
    let elsewhere = app
        .post(
            "/api/repair-orders",
            &msa_manager,
            &json!({"site_id": nbo, "vehicle_id": vehicle, "description": "x"}),
        )
        .await;
    assert_error(&elsewhere, 404, "not_found");
    let their_site = app.site(&stranger, "NBO").await;
    let foreign_vehicle = app
        .post(
            "/api/repair-orders",
            &stranger,
            &json!({"site_id": their_site, "vehicle_id": vehicle, "description": "x"}),
        )
        .await;
    assert_error(&foreign_vehicle, 404, "not_found");
}

#[tokio::test]
async fn bad_order_input_is_refused() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let customer = app.customer(&owner, &site).await;
    let vehicle = app.vehicle(&owner, &customer).await; // at 120,000 km

    let blank = app
        .post(
            "/api/repair-orders",
            &owner,
            &json!({"site_id": site, "vehicle_id": vehicle, "description": "  "}),
        )
        .await;
    let priority = app
        .post("/api/repair-orders", &owner, &json!({"site_id": site, "vehicle_id": vehicle, "description": "x", "priority": "asap"}))
        .await;
    let backwards = app
        .post("/api/repair-orders", &owner, &json!({"site_id": site, "vehicle_id": vehicle, "description": "x", "odometer_km": 100}))
        .await;
    let bad_id = app
        .post(
            "/api/repair-orders",
            &owner,
            &json!({"site_id": "nope", "vehicle_id": vehicle, "description": "x"}),
        )
        .await;
    let status = app
        .post("/api/repair-orders", &owner, &json!({"site_id": site, "vehicle_id": vehicle, "description": "x", "status": "completed"}))
        .await;

    assert_eq!(
        assert_error(&blank, 422, "validation_failed")["error"]["fields"]["description"],
        json!(["must not be blank"])
    );
    assert!(
        assert_error(&priority, 422, "validation_failed")["error"]["fields"]["priority"].is_array()
    );
    assert!(
        assert_error(&backwards, 422, "validation_failed")["error"]["fields"]["odometer_km"]
            .is_array()
    );
    assert_eq!(
        assert_error(&bad_id, 422, "validation_failed")["error"]["fields"]["site_id"],
        json!(["is not a valid id"])
    );
    assert_eq!(
        assert_error(&status, 422, "validation_failed")["error"]["fields"]["status"],
        json!(["is not allowed"])
    );
    let orders: serde_json::Value = app.get("/api/repair-orders", &owner).await.json();
    assert_eq!(orders["total"], 0, "nothing was created");
}

/// A customer's own account sees no order through the staff API, and is told
/// so the same way for the list, the queue and any one order: 404.
#[tokio::test]
async fn a_customer_account_gets_404_for_the_list_the_queue_and_one_order() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let order = app.approved_order(&owner, &site, "normal").await;
    let customer = app.customer_account(&owner).await;

    let list = app.get("/api/repair-orders", &customer).await;
    let queue = app.get("/api/repair-orders/queue", &customer).await;
    let one = app
        .get(&format!("/api/repair-orders/{order}"), &customer)
        .await;

    assert_error(&list, 404, "not_found");
    assert_error(&queue, 404, "not_found");
    assert_error(&one, 404, "not_found");
}
