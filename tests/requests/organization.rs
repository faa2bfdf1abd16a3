//! The business's own details: its trading name, and the legal name and tax
//! number its invoices are issued in.

use serde_json::{json, Value};

use crate::support::{assert_error, TestApp};

#[tokio::test]
async fn the_owner_sets_the_legal_name_and_tax_number_and_the_trail_keeps_both_values() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Kamau Motors").await;
    let site = app.site(&owner, "NBO").await;
    let manager = app.staff(&owner, "manager", &[&site]).await;
    let advisor = app.staff(&owner, "advisor", &[&site]).await;

    let before: Value = app.get("/api/organization", &advisor).await.json();
    assert_eq!(before["name"], "Kamau Motors");
    assert_eq!(before["business_name"], "Kamau Motors");
    assert_eq!(before["tax_number"], Value::Null);

    let by_manager = app
        .patch(
            "/api/organization",
            &manager,
            &json!({"tax_number": "P051234567X"}),
        )
        .await;
    assert_error(&by_manager, 403, "forbidden");
    let bad = app
        .patch(
            "/api/organization",
            &owner,
            &json!({"legal_name": "Kamau Motors Limited", "tax_number": "P05<script>"}),
        )
        .await;
    let body = assert_error(&bad, 422, "validation_failed");
    assert!(body["error"]["fields"]["tax_number"].is_array(), "{body}");
    let unknown = app
        .patch("/api/organization", &owner, &json!({"promotion_cap": 3}))
        .await;
    assert!(matches!(unknown.status_code().as_u16(), 400 | 422));
    let unchanged: Value = app.get("/api/organization", &owner).await.json();
    assert_eq!(unchanged, before);

    let changed = app
        .patch(
            "/api/organization",
            &owner,
            &json!({"legal_name": " Kamau Motors Limited ", "tax_number": "p051234567x"}),
        )
        .await;
    assert_eq!(changed.status_code(), 200, "{}", changed.text());
    let changed: Value = changed.json();
    assert_eq!(changed["legal_name"], "Kamau Motors Limited");
    assert_eq!(changed["business_name"], "Kamau Motors Limited");
    assert_eq!(changed["tax_number"], "P051234567X");
    let trail: Value = app.get("/api/audit-events", &owner).await.json();
    assert_eq!(trail["items"][0]["action"], "organization.updated");
    assert_eq!(
        trail["items"][0]["details"],
        json!({
            "legal_name": {"from": null, "to": "Kamau Motors Limited"},
            "tax_number": {"from": null, "to": "P051234567X"},
        })
    );

    // null clears the legal name: invoices go out in the trading name again.
    let cleared: Value = app
        .patch("/api/organization", &owner, &json!({"legal_name": null}))
        .await
        .json();
    assert_eq!(cleared["legal_name"], Value::Null);
    assert_eq!(cleared["business_name"], "Kamau Motors");
    assert_eq!(cleared["tax_number"], "P051234567X");
}

#[tokio::test]
async fn payment_terms_are_a_branch_setting_within_a_year() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let path = format!("/api/sites/{site}");
    let fresh: Value = app.get(&path, &owner).await.json();
    assert_eq!(fresh["payment_terms_days"], 0);

    let too_long = app
        .patch(&path, &owner, &json!({"payment_terms_days": 400}))
        .await;
    let body = assert_error(&too_long, 422, "validation_failed");
    assert!(body["error"]["fields"]["payment_terms_days"].is_array());
    let set: Value = app
        .patch(&path, &owner, &json!({"payment_terms_days": 30}))
        .await
        .json();
    assert_eq!(set["payment_terms_days"], 30);
}
