//! The customer's own API: a link traded once for a session token that
//! opens `/api/portal` and nothing else, their estimates decided through
//! the estimate's own rules, their language, consent and erasure.

use chrono::TimeDelta;
use karakana::{
    messages::links::{Links, Purpose},
    models::_entities::portal_links,
};
use sea_orm::{EntityTrait, QueryOrder};
use serde_json::{json, Value};

use crate::support::{assert_error, Estimated, TestApp};

const NOW: &str = "2026-12-01T07:00:00Z";

/// The token of the newest link asked for, as its message carries it.
async fn newest_token(app: &TestApp) -> String {
    let link = portal_links::Entity::find()
        .order_by_desc(portal_links::Column::Id)
        .one(&app.ctx.db)
        .await
        .unwrap()
        .expect("a link was made");
    Links::of(&app.ctx).unwrap().token(
        Purpose::Portal,
        link.pid,
        chrono::Utc::now() + TimeDelta::days(1),
    )
}

async fn ask(app: &TestApp, contact: &str) -> axum_test::TestResponse {
    app.server
        .post("/api/portal/links")
        .json(&json!({ "contact": contact }))
        .await
}

async fn session(app: &TestApp, contact: &str) -> String {
    let asked = ask(app, contact).await;
    assert_eq!(asked.status_code(), 202, "{}", asked.text());
    let token = newest_token(app).await;
    let signed_in = app
        .server
        .post("/api/portal/sessions")
        .json(&json!({ "token": token }))
        .await;
    assert_eq!(signed_in.status_code(), 201, "{}", signed_in.text());
    signed_in.json::<Value>()["token"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_link_is_traded_once_for_a_token_that_opens_the_portal_only() {
    let app = TestApp::spawn_at(NOW).await;
    let owner = app.owner("Kamau Motors").await;
    let site = app.site(&owner, "NBO").await;
    let order = app.order(&owner, &site, "normal").await;
    app.order_customer(&owner, &order, &json!({"email": "achieng@example.com"}))
        .await;

    let known = ask(&app, "achieng@example.com").await;
    let unknown = ask(&app, "nobody@example.com").await;
    assert_eq!(known.status_code(), 202);
    assert_eq!(known.text(), unknown.text(), "no enumeration");
    assert_error(&ask(&app, "not a contact").await, 422, "validation_failed");

    let token = newest_token(&app).await;
    let trade = || async {
        app.server
            .post("/api/portal/sessions")
            .json(&json!({ "token": token }))
            .await
    };
    let first = trade().await;
    assert_eq!(first.status_code(), 201, "{}", first.text());
    let body: Value = first.json();
    assert_eq!(body["customer"]["email"], "achieng@example.com");
    assert_error(&trade().await, 401, "unauthorized");
    assert_error(&trade().await, 401, "unauthorized");
    let bearer = body["token"].as_str().unwrap().to_string();

    let mine = app
        .server
        .get("/api/portal")
        .authorization_bearer(&bearer)
        .await;
    assert_eq!(mine.status_code(), 200, "{}", mine.text());
    let mine: Value = mine.json();
    assert_eq!(mine["vehicles"].as_array().unwrap().len(), 1);
    assert_eq!(mine["vehicles"][0]["in_workshop"][0]["status"], "requested");

    // The customer's token opens no staff route; staff tokens open no
    // customer's page; nothing opens it without a token.
    let staff_route = app
        .server
        .get("/api/customers")
        .authorization_bearer(&bearer)
        .await;
    assert_error(&staff_route, 401, "unauthorized");
    let as_staff = app
        .server
        .get("/api/portal")
        .authorization_bearer(&owner.token)
        .await;
    assert_error(&as_staff, 401, "unauthorized");
    assert_error(&app.server.get("/api/portal").await, 401, "unauthorized");

    // Signing out ends the token.
    let out = app
        .server
        .delete("/api/portal/session")
        .authorization_bearer(&bearer)
        .await;
    assert_eq!(out.status_code(), 204);
    let after = app
        .server
        .get("/api/portal")
        .authorization_bearer(&bearer)
        .await;
    assert_error(&after, 401, "unauthorized");
}

#[tokio::test]
async fn a_customer_decides_their_estimate_sets_preferences_and_is_erased() {
    let app = TestApp::spawn_at(NOW).await;
    let owner = app.owner("Kamau Motors").await;
    let site = app.site(&owner, "NBO").await;
    let technician = app.staff(&owner, "technician", &[&site]).await;
    let Estimated {
        order,
        customer,
        labour: labour_line,
        part: part_line,
    } = app
        .estimated_order(
            &owner,
            &site,
            &technician,
            &json!({"email": "achieng@example.com", "marketing_opt_in": true}),
        )
        .await;

    let bearer = session(&app, "achieng@example.com").await;
    let post = |path: String, body: Value| {
        let bearer = bearer.clone();
        let app = &app;
        async move {
            app.server
                .post(&path)
                .authorization_bearer(&bearer)
                .json(&body)
                .await
        }
    };
    let mine: Value = app
        .server
        .get("/api/portal")
        .authorization_bearer(&bearer)
        .await
        .json();
    assert_eq!(mine["estimates"][0]["pending"], 2, "{mine}");
    assert!(mine["estimates"][0]["decide_at"]
        .as_str()
        .unwrap()
        .starts_with("/e/"));

    let decisions = format!("/api/portal/estimates/{order}/decisions");
    for bad in [
        json!({"decisions": []}),
        json!({"decisions": [{"line_id": labour_line, "decision": "pending"}]}),
        json!({"decisions": [{"line_id": labour_line, "decision": "maybe"}]}),
        json!({"decisions": [{"line_id": labour_line, "decision": "approved"}], "note": "x".repeat(501)}),
        json!({"decisions": [{"line_id": uuid::Uuid::new_v4(), "decision": "approved"}]}),
        json!({"decisions": [{"line_id": labour_line, "decision": "approved"}], "total": "1"}),
    ] {
        let response = post(decisions.clone(), bad.clone()).await;
        assert_eq!(response.status_code(), 422, "{bad}: {}", response.text());
    }
    let decided = post(
        decisions.clone(),
        json!({"decisions": [
            {"line_id": labour_line, "decision": "approved"},
            {"line_id": part_line, "decision": "declined"},
        ], "note": "Pads next month"}),
    )
    .await;
    assert_eq!(decided.status_code(), 200, "{}", decided.text());
    assert_eq!(decided.json::<Value>()["estimates"][0]["pending"], 0);
    let detail: Value = app
        .get(&format!("/api/repair-orders/{order}"), &owner)
        .await
        .json();
    assert_eq!(detail["labor"][0]["approval"], "approved");
    assert_eq!(detail["labor"][0]["decided"]["source"], "customer");
    assert_eq!(detail["parts"][0]["approval"], "declined");

    // Another customer's order is not theirs to decide.
    let theirs = app.claimed_order(&owner, &site, &technician).await;
    let response = post(
        format!("/api/portal/estimates/{theirs}/decisions"),
        json!({"decisions": [{"line_id": labour_line, "decision": "approved"}]}),
    )
    .await;
    assert_error(&response, 404, "not_found");

    // Their invoice, not another's.
    let invoice = app.complete(&technician, &order, &owner).await;
    let theirs_invoice = app.complete(&technician, &theirs, &owner).await;
    let get = |path: String| {
        let bearer = bearer.clone();
        let app = &app;
        async move { app.server.get(&path).authorization_bearer(&bearer).await }
    };
    let own = get(format!(
        "/api/portal/invoices/{}",
        invoice["id"].as_str().unwrap()
    ))
    .await;
    assert_eq!(own.status_code(), 200);
    assert_eq!(own.json::<Value>()["total"], "3480.00");
    let pdf = get(format!(
        "/api/portal/invoices/{}/pdf",
        invoice["id"].as_str().unwrap()
    ))
    .await;
    assert!(pdf.as_bytes().starts_with(b"%PDF"));
    for path in [
        format!(
            "/api/portal/invoices/{}",
            theirs_invoice["id"].as_str().unwrap()
        ),
        format!(
            "/api/portal/invoices/{}/pdf",
            theirs_invoice["id"].as_str().unwrap()
        ),
    ] {
        assert_error(&get(path).await, 404, "not_found");
    }

    // Their language and consent.
    let patch = |body: Value| {
        let bearer = bearer.clone();
        let app = &app;
        async move {
            app.server
                .patch("/api/portal")
                .authorization_bearer(&bearer)
                .json(&body)
                .await
        }
    };
    assert_error(
        &patch(json!({"language": "fr"})).await,
        422,
        "validation_failed",
    );
    assert_error(&patch(json!({"name": "X"})).await, 422, "validation_failed");
    let changed = patch(json!({"language": "sw", "marketing_opt_in": false})).await;
    assert_eq!(changed.status_code(), 200, "{}", changed.text());
    assert_eq!(changed.json::<Value>()["language"], "sw");
    let record: Value = app
        .get(&format!("/api/customers/{customer}"), &owner)
        .await
        .json();
    assert_eq!(record["marketing_opt_in"], false);
    assert_eq!(record["marketing_consent"]["source"], "web");
    let back = patch(json!({"language": null})).await;
    assert_eq!(back.json::<Value>()["language_chosen"], false);

    // Erasure: only when they mean it, then the token is spent.
    assert_error(
        &post("/api/portal/erasure".to_string(), json!({"confirm": false})).await,
        422,
        "validation_failed",
    );
    let erased = post("/api/portal/erasure".to_string(), json!({"confirm": true})).await;
    assert_eq!(erased.status_code(), 204, "{}", erased.text());
    assert_error(
        &app.get(&format!("/api/customers/{customer}"), &owner).await,
        404,
        "not_found",
    );
    assert_error(&get("/api/portal".to_string()).await, 401, "unauthorized");
}
