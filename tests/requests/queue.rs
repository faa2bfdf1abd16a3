use std::collections::HashMap;

use serde_json::json;

use crate::support::{assert_error, ids, Session, TestApp};

#[tokio::test]
async fn the_queue_serves_urgent_first_then_oldest() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let technician = app.staff(&owner, "technician", &[&site]).await;
    let old_normal = app.approved_order(&owner, &site, "normal").await;
    let old_low = app.approved_order(&owner, &site, "low").await;
    let urgent = app.approved_order(&owner, &site, "urgent").await;
    let new_normal = app.approved_order(&owner, &site, "normal").await;
    let high = app.approved_order(&owner, &site, "high").await;
    let not_approved = app.order(&owner, &site, "urgent").await;
    let claimed = app.approved_order(&owner, &site, "urgent").await;
    app.post(
        &format!("/api/repair-orders/{claimed}/claim"),
        &technician,
        &json!({}),
    )
    .await;

    let queue = ids(&app
        .get(
            &format!("/api/repair-orders/queue?site_id={site}"),
            &technician,
        )
        .await
        .json());

    assert_eq!(queue, vec![urgent, high, old_normal, new_normal, old_low]);
    assert!(!queue_contains(&app, &technician, &site, &not_approved).await);
}

async fn queue_contains(app: &TestApp, who: &Session, site: &str, order: &str) -> bool {
    ids(&app
        .get(&format!("/api/repair-orders/queue?site_id={site}"), who)
        .await
        .json())
    .contains(&order.to_string())
}

#[tokio::test]
async fn a_technician_sees_the_queues_of_their_own_sites_only() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let nbo = app.site(&owner, "NBO").await;
    let msa = app.site(&owner, "MSA").await;
    let technician = app.staff(&owner, "technician", &[&nbo]).await;
    let here = app.approved_order(&owner, &nbo, "normal").await;
    let there = app.approved_order(&owner, &msa, "urgent").await;

    let queue = ids(&app
        .get("/api/repair-orders/queue", &technician)
        .await
        .json());
    let all = ids(&app.get("/api/repair-orders/queue", &owner).await.json());

    assert_eq!(queue, vec![here]);
    assert_eq!(all.len(), 2);
    assert_error(
        &app.get(
            &format!("/api/repair-orders/queue?site_id={msa}"),
            &technician,
        )
        .await,
        404,
        "not_found",
    );
    assert_error(
        &app.post(
            &format!("/api/repair-orders/{there}/claim"),
            &technician,
            &json!({}),
        )
        .await,
        404,
        "not_found",
    );
}

#[tokio::test]
async fn only_technicians_claim_and_only_from_the_queue() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let advisor = app.staff(&owner, "advisor", &[&site]).await;
    let kevin = app.staff(&owner, "technician", &[&site]).await;
    let dennis = app.staff(&owner, "technician", &[&site]).await;
    let order = app.approved_order(&owner, &site, "normal").await;
    let requested = app.order(&owner, &site, "normal").await;
    let claim = |order: &str| format!("/api/repair-orders/{order}/claim");

    assert_error(
        &app.post(&claim(&order), &advisor, &json!({})).await,
        403,
        "forbidden",
    );
    assert_error(
        &app.post(&claim(&requested), &kevin, &json!({})).await,
        409,
        "conflict",
    );
    assert_eq!(
        app.post(&claim(&order), &kevin, &json!({}))
            .await
            .status_code(),
        200
    );
    assert_error(
        &app.post(&claim(&order), &kevin, &json!({})).await,
        409,
        "conflict",
    );
    assert_error(
        &app.post(&claim(&order), &dennis, &json!({})).await,
        409,
        "conflict",
    );
    let assigned = app.approved_order(&owner, &site, "normal").await;
    app.post(
        &format!("/api/repair-orders/{assigned}/assign"),
        &owner,
        &json!({"technician_id": dennis.id}),
    )
    .await;
    assert_error(
        &app.post(&claim(&assigned), &kevin, &json!({})).await,
        409,
        "conflict",
    );
}

/// Many technicians race for many orders at once: each order has exactly
/// one winner, every loser gets 409, and nobody's claim is lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_claimers_find_exactly_one_winner_per_order() {
    const ORDERS: usize = 6;
    const TECHNICIANS: usize = 8;
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let mut technicians = Vec::new();
    for _ in 0..TECHNICIANS {
        technicians.push(app.staff(&owner, "technician", &[&site]).await);
    }
    let mut orders = Vec::new();
    for _ in 0..ORDERS {
        orders.push(app.approved_order(&owner, &site, "normal").await);
    }

    let attempts = orders.iter().flat_map(|order| {
        technicians
            .iter()
            .map(move |technician| (order.clone(), technician.clone()))
    });
    let results = futures::future::join_all(attempts.map(|(order, technician)| {
        let app = &app;
        async move {
            let response = app
                .post(
                    &format!("/api/repair-orders/{order}/claim"),
                    &technician,
                    &json!({}),
                )
                .await;
            (order, technician.id, response.status_code().as_u16())
        }
    }))
    .await;

    let mut winners: HashMap<String, Vec<String>> = HashMap::new();
    for (order, technician, status) in &results {
        match status {
            200 => winners
                .entry(order.clone())
                .or_default()
                .push(technician.clone()),
            409 => {}
            other => panic!("unexpected status {other}"),
        }
    }
    for order in &orders {
        let won = winners.get(order).cloned().unwrap_or_default();
        assert_eq!(won.len(), 1, "order {order} was won by {won:?}");
        let shown: serde_json::Value = app
            .get(&format!("/api/repair-orders/{order}"), &owner)
            .await
            .json();
        assert_eq!(shown["technician"]["id"], won[0].as_str());
        assert_eq!(shown["status"], "in_progress");
        let history: serde_json::Value = app
            .get(&format!("/api/repair-orders/{order}/history"), &owner)
            .await
            .json();
        let claims = history
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["to"] == "in_progress")
            .count();
        assert_eq!(claims, 1, "one claim recorded for {order}");
    }
    assert_eq!(
        results.iter().filter(|(_, _, s)| *s == 409).count(),
        ORDERS * (TECHNICIANS - 1)
    );
    assert!(ids(&app.get("/api/repair-orders/queue", &owner).await.json()).is_empty());
}
