use serde_json::json;

use crate::support::{assert_error, id_of, ids, TestApp};

fn nairobi() -> serde_json::Value {
    json!({
        "name": "Nairobi — Industrial Area",
        "code": "nbo",
        "timezone": "Africa/Nairobi",
        "currency": "kes",
        "tax_rate": "0.1600",
        "address": "Enterprise Road",
        "phone": "+254711000100",
        "email": "NBO@Example.com",
    })
}

#[tokio::test]
async fn an_owner_opens_a_site_with_normalized_settings() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Kamau Motors").await;

    let response = app.post("/api/sites", &owner, &nairobi()).await;

    assert_eq!(response.status_code(), 201, "{}", response.text());
    let site: serde_json::Value = response.json();
    assert_eq!(site["code"], "NBO");
    assert_eq!(site["currency"], "KES");
    assert_eq!(site["tax_rate"], "0.16");
    assert_eq!(site["email"], "nbo@example.com");
    assert_eq!(site["reminder_lead_days"], 7);
    assert_eq!(site["reminder_hour"], 9);
    let shown = app
        .get(&format!("/api/sites/{}", id_of(&site)), &owner)
        .await;
    assert_eq!(shown.json::<serde_json::Value>(), site);
}

#[tokio::test]
async fn a_site_with_bad_settings_names_every_field() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;

    let response = app
        .post(
            "/api/sites",
            &owner,
            &json!({
                "name": "",
                "code": "N-1",
                "timezone": "Africa/Atlantis",
                "currency": "KSH",
                "tax_rate": "1.5",
                "email": "nope",
                "reminder_hour": 24,
                "reminder_lead_days": -1,
            }),
        )
        .await;

    let body = assert_error(&response, 422, "validation_failed");
    let fields = body["error"]["fields"].as_object().unwrap();
    for field in [
        "name",
        "code",
        "timezone",
        "currency",
        "tax_rate",
        "email",
        "reminder_hour",
        "reminder_lead_days",
    ] {
        assert!(fields.contains_key(field), "{field} missing from {body}");
    }
}

#[tokio::test]
async fn site_codes_are_unique_within_an_organization_only() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let other = app.owner("Other Garage").await;
    app.site(&owner, "NBO").await;

    let duplicate = app.post("/api/sites", &owner, &nairobi()).await;
    let elsewhere = app.post("/api/sites", &other, &nairobi()).await;

    let body = assert_error(&duplicate, 409, "conflict");
    assert_eq!(
        body["error"]["fields"]["code"],
        json!(["is already used by another site"])
    );
    assert_eq!(elsewhere.status_code(), 201);
}

#[tokio::test]
async fn only_owners_open_sites() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;

    for role in ["manager", "advisor", "technician"] {
        let member = app.staff(&owner, role, &[&site]).await;
        let response = app.post("/api/sites", &member, &nairobi()).await;
        assert_error(&response, 403, "forbidden");
    }
}

#[tokio::test]
async fn each_role_lists_only_the_sites_it_works_at() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let nbo = app.site(&owner, "NBO").await;
    let msa = app.site(&owner, "MSA").await;
    let kla = app.site(&owner, "KLA").await;
    let manager = app.staff(&owner, "manager", &[&nbo, &msa]).await;
    let technician = app.staff(&owner, "technician", &[&kla]).await;

    let all: Vec<String> = ids(&app.get("/api/sites", &owner).await.json());
    let managed: Vec<String> = ids(&app.get("/api/sites", &manager).await.json());
    let worked: Vec<String> = ids(&app.get("/api/sites", &technician).await.json());

    assert_eq!(all.len(), 3);
    assert_eq!(managed.len(), 2);
    assert!(managed.contains(&nbo) && managed.contains(&msa));
    assert_eq!(worked, vec![kla]);
}

#[tokio::test]
async fn another_sites_or_organizations_site_is_not_found() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let nbo = app.site(&owner, "NBO").await;
    let msa = app.site(&owner, "MSA").await;
    let manager = app.staff(&owner, "manager", &[&nbo]).await;
    let stranger = app.owner("Other Garage").await;

    assert_error(
        &app.get(&format!("/api/sites/{msa}"), &manager).await,
        404,
        "not_found",
    );
    assert_error(
        &app.get(&format!("/api/sites/{nbo}"), &stranger).await,
        404,
        "not_found",
    );
    assert_error(
        &app.patch(
            &format!("/api/sites/{nbo}"),
            &stranger,
            &json!({"name": "Mine"}),
        )
        .await,
        404,
        "not_found",
    );
    assert_error(
        &app.patch(
            &format!("/api/sites/{msa}"),
            &manager,
            &json!({"name": "Mine"}),
        )
        .await,
        404,
        "not_found",
    );
}

#[tokio::test]
async fn an_owner_changes_settings_and_clears_optional_ones() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = id_of(&app.post("/api/sites", &owner, &nairobi()).await.json());

    let response = app
        .patch(
            &format!("/api/sites/{site}"),
            &owner,
            &json!({"tax_rate": "0.075", "address": null, "reminder_hour": 8, "code": "NBO2"}),
        )
        .await;

    assert_eq!(response.status_code(), 200, "{}", response.text());
    let updated: serde_json::Value = response.json();
    assert_eq!(updated["tax_rate"], "0.075");
    assert_eq!(updated["address"], serde_json::Value::Null);
    assert_eq!(updated["phone"], "+254711000100");
    assert_eq!(updated["reminder_hour"], 8);
    assert_eq!(updated["code"], "NBO2");

    let audit: serde_json::Value = app.get("/api/audit-events", &owner).await.json();
    let latest = &audit["items"][0];
    assert_eq!(latest["action"], "site.updated");
    assert_eq!(latest["subject_id"], site.as_str());
    assert_eq!(latest["actor"]["id"], owner.id.as_str());
    let changed = latest["details"]["changed"].as_array().unwrap();
    for field in ["tax_rate", "address", "reminder_hour", "code"] {
        assert!(
            changed.contains(&json!(field)),
            "{field} not in {changed:?}"
        );
    }
    assert!(!changed.contains(&json!("phone")));
}

#[tokio::test]
async fn a_change_that_changes_nothing_records_nothing() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let before: serde_json::Value = app.get("/api/audit-events", &owner).await.json();

    let response = app
        .patch(
            &format!("/api/sites/{site}"),
            &owner,
            &json!({"code": "nbo", "tax_rate": "0.16"}),
        )
        .await;

    assert_eq!(response.status_code(), 200);
    let after: serde_json::Value = app.get("/api/audit-events", &owner).await.json();
    assert_eq!(before["total"], after["total"]);
}

#[tokio::test]
async fn managers_and_others_may_not_change_a_site_they_see() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;

    for role in ["manager", "advisor", "technician"] {
        let member = app.staff(&owner, role, &[&site]).await;
        let response = app
            .patch(
                &format!("/api/sites/{site}"),
                &member,
                &json!({"name": "Renamed"}),
            )
            .await;
        assert_error(&response, 403, "forbidden");
    }
}

#[tokio::test]
async fn a_site_cannot_take_another_sites_code() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    app.site(&owner, "NBO").await;
    let msa = app.site(&owner, "MSA").await;

    let response = app
        .patch(
            &format!("/api/sites/{msa}"),
            &owner,
            &json!({"code": "NBO"}),
        )
        .await;

    assert_error(&response, 409, "conflict");
}

#[tokio::test]
async fn a_failed_change_changes_nothing() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let before: serde_json::Value = app.get(&format!("/api/sites/{site}"), &owner).await.json();

    let response = app
        .patch(
            &format!("/api/sites/{site}"),
            &owner,
            &json!({"name": "Renamed", "tax_rate": "2"}),
        )
        .await;

    assert_error(&response, 422, "validation_failed");
    let after: serde_json::Value = app.get(&format!("/api/sites/{site}"), &owner).await.json();
    assert_eq!(before, after);
}

/// Job cards and invoices carry the site's code: once the site has an order,
/// its code stays.
#[tokio::test]
async fn a_sites_code_is_fixed_once_it_has_repair_orders() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let path = format!("/api/sites/{site}");

    let before_any_order = app.patch(&path, &owner, &json!({"code": "NRB"})).await;
    app.order(&owner, &site, "normal").await;
    let after = app
        .patch(&path, &owner, &json!({"code": "NBI", "name": "Renamed"}))
        .await;
    let shown: serde_json::Value = app.get(&path, &owner).await.json();
    let same_code_and_a_new_name = app
        .patch(&path, &owner, &json!({"code": "nrb", "name": "Renamed"}))
        .await;

    assert_eq!(
        before_any_order.status_code(),
        200,
        "{}",
        before_any_order.text()
    );
    let body = assert_error(&after, 409, "conflict");
    assert_eq!(
        body["error"]["fields"]["code"],
        json!(["cannot change once the site has repair orders"])
    );
    assert_eq!(shown["code"], "NRB", "the refused change changed nothing");
    assert_eq!(shown["name"], "Branch NBO");
    assert_eq!(same_code_and_a_new_name.status_code(), 200);
    assert_eq!(
        same_code_and_a_new_name.json::<serde_json::Value>()["name"],
        "Renamed"
    );
}
