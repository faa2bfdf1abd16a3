use serde_json::json;

use crate::support::{assert_error, id_of, ids, TestApp};

#[tokio::test]
async fn an_advisor_adds_a_customer_who_agreed_to_marketing_by_sms() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let advisor = app.staff(&owner, "advisor", &[&site]).await;

    let response = app
        .post(
            "/api/customers",
            &advisor,
            &json!({
                "name": "Achieng Odhiambo",
                "phone": "+254 712 345 678",
                "email": "Achieng@Example.com",
                "home_site_id": site,
                "marketing_opt_in": true,
                "marketing_consent_source": "sms",
            }),
        )
        .await;

    assert_eq!(response.status_code(), 201, "{}", response.text());
    let customer: serde_json::Value = response.json();
    assert_eq!(customer["phone"], "+254712345678");
    assert_eq!(customer["email"], "achieng@example.com");
    assert_eq!(customer["home_site"]["id"], site.as_str());
    assert_eq!(customer["marketing_opt_in"], true);
    assert_eq!(customer["marketing_consent"]["source"], "sms");
    assert!(customer["marketing_consent"]["recorded_at"]
        .as_str()
        .unwrap()
        .ends_with('Z'));
}

#[tokio::test]
async fn a_customer_needs_a_valid_phone_or_email() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;

    let neither = app
        .post(
            "/api/customers",
            &owner,
            &json!({"name": "X", "home_site_id": site}),
        )
        .await;
    let national = app
        .post(
            "/api/customers",
            &owner,
            &json!({"name": "X", "phone": "0712345678", "home_site_id": site}),
        )
        .await;
    let bad_email = app
        .post(
            "/api/customers",
            &owner,
            &json!({"name": "X", "email": "x@", "home_site_id": site}),
        )
        .await;
    let wrong_type = app
        .post(
            "/api/customers",
            &owner,
            &json!({"name": "X", "phone": 254712345678_i64, "home_site_id": site}),
        )
        .await;
    let missing_site = app
        .post(
            "/api/customers",
            &owner,
            &json!({"name": "X", "phone": "+254712345678"}),
        )
        .await;

    let body = assert_error(&neither, 422, "validation_failed");
    assert!(body["error"]["fields"]["phone"].is_array());
    let body = assert_error(&national, 422, "validation_failed");
    assert_eq!(
        body["error"]["fields"]["phone"],
        json!(["must be in international format, e.g. +254712345678"])
    );
    assert_error(&bad_email, 422, "validation_failed");
    assert_error(&wrong_type, 400, "bad_request");
    let body = assert_error(&missing_site, 422, "validation_failed");
    assert_eq!(
        body["error"]["fields"]["home_site_id"],
        json!(["is required"])
    );
}

#[tokio::test]
async fn customers_are_found_by_name_phone_email_plate_and_vin() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let achieng = id_of(
        &app.post(
            "/api/customers",
            &owner,
            &json!({"name": "Achieng Odhiambo", "phone": "+254711222333", "email": "achieng@mail.co.ke", "home_site_id": site}),
        )
        .await
        .json(),
    );
    let baraka = id_of(
        &app.post(
            "/api/customers",
            &owner,
            &json!({"name": "Baraka Mwita", "phone": "+254700999888", "home_site_id": site}),
        )
        .await
        .json(),
    );
    app.post(
        "/api/vehicles",
        &owner,
        &json!({"customer_id": baraka, "plate": "KDA 123A", "make": "Toyota", "model": "Hilux", "vin": "JTDBR32E720123456"}),
    )
    .await;

    let search = |q: &str| {
        let path = format!("/api/customers?q={q}");
        let app = &app;
        let owner = &owner;
        async move { ids(&app.get(&path, owner).await.json()) }
    };

    assert_eq!(search("achieng").await, vec![achieng.clone()]);
    assert_eq!(search("ODHIAMBO").await, vec![achieng.clone()]);
    assert_eq!(search("222333").await, vec![achieng.clone()]);
    assert_eq!(search("mail.co").await, vec![achieng.clone()]);
    assert_eq!(search("kda123").await, vec![baraka.clone()]);
    assert_eq!(search("kda%20123a").await, vec![baraka.clone()]);
    assert_eq!(search("20123456").await, vec![baraka.clone()]);
    assert_eq!(
        search("%25").await,
        Vec::<String>::new(),
        "a % matches nothing special"
    );
    assert_eq!(search("").await.len(), 2);
}

#[tokio::test]
async fn consent_changes_are_recorded_with_when_how_and_who() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let customer = app.customer(&owner, &site).await;

    let opted_in = app
        .patch(
            &format!("/api/customers/{customer}"),
            &owner,
            &json!({"marketing_opt_in": true, "marketing_consent_source": "paper_form"}),
        )
        .await;
    let opted_out = app
        .patch(
            &format!("/api/customers/{customer}"),
            &owner,
            &json!({"marketing_opt_in": false, "marketing_consent_source": "phone"}),
        )
        .await;

    assert_eq!(
        opted_in.json::<serde_json::Value>()["marketing_consent"]["source"],
        "paper_form"
    );
    let body: serde_json::Value = opted_out.json();
    assert_eq!(body["marketing_opt_in"], false);
    assert_eq!(body["marketing_consent"]["source"], "phone");
    let audit: serde_json::Value = app.get("/api/audit-events", &owner).await.json();
    let latest = &audit["items"][0];
    assert_eq!(latest["action"], "customer.updated");
    assert_eq!(latest["details"]["consent_source"], "phone");
    assert_eq!(latest["actor"]["id"], owner.id.as_str());
}

#[tokio::test]
async fn a_customer_cannot_be_left_unreachable() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let customer = app.customer(&owner, &site).await;

    let response = app
        .patch(
            &format!("/api/customers/{customer}"),
            &owner,
            &json!({"phone": null}),
        )
        .await;

    assert_error(&response, 422, "validation_failed");
    let shown: serde_json::Value = app
        .get(&format!("/api/customers/{customer}"), &owner)
        .await
        .json();
    assert_eq!(shown["phone"], "+254712345678");
}

#[tokio::test]
async fn erasing_a_customer_removes_their_personal_data_but_keeps_their_orders() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let customer = app.customer(&owner, &site).await;
    let vehicle = app.vehicle(&owner, &customer).await;
    let order = id_of(
        &app.post(
            "/api/repair-orders",
            &owner,
            &json!({"site_id": site, "vehicle_id": vehicle, "description": "Service"}),
        )
        .await
        .json(),
    );

    let erased = app
        .delete(&format!("/api/customers/{customer}"), &owner)
        .await;

    assert_eq!(erased.status_code(), 204);
    assert_error(
        &app.get(&format!("/api/customers/{customer}"), &owner).await,
        404,
        "not_found",
    );
    assert_eq!(
        app.get("/api/customers", &owner)
            .await
            .json::<serde_json::Value>()["total"],
        0
    );
    let kept: serde_json::Value = app
        .get(&format!("/api/repair-orders/{order}"), &owner)
        .await
        .json();
    assert_eq!(kept["customer"]["name"], "Erased customer");
    assert_eq!(kept["customer"]["id"], customer.as_str());
    let audit: serde_json::Value = app.get("/api/audit-events", &owner).await.json();
    assert_eq!(audit["items"][0]["action"], "customer.erased");
}

#[tokio::test]
async fn customers_belong_to_the_organization_not_a_branch() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let nbo = app.site(&owner, "NBO").await;
    let msa = app.site(&owner, "MSA").await;
    let msa_advisor = app.staff(&owner, "advisor", &[&msa]).await;
    let customer = app.customer(&owner, &nbo).await;

    let seen_elsewhere = app
        .get(&format!("/api/customers/{customer}"), &msa_advisor)
        .await;

    assert_eq!(
        seen_elsewhere.status_code(),
        200,
        "a customer may visit any branch"
    );
}

#[tokio::test]
async fn another_organizations_customer_is_not_found_and_technicians_may_not_look() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let customer = app.customer(&owner, &site).await;
    let technician = app.staff(&owner, "technician", &[&site]).await;
    let stranger = app.owner("Other Garage").await;
    let stranger_site = app.site(&stranger, "NBO").await;

    for (method, response) in [
        (
            "get",
            app.get(&format!("/api/customers/{customer}"), &stranger)
                .await,
        ),
        (
            "patch",
            app.patch(
                &format!("/api/customers/{customer}"),
                &stranger,
                &json!({"name": "X"}),
            )
            .await,
        ),
        (
            "delete",
            app.delete(&format!("/api/customers/{customer}"), &stranger)
                .await,
        ),
    ] {
        assert_eq!(response.status_code(), 404, "{method}");
    }
    let foreign_home = app
        .post(
            "/api/customers",
            &stranger,
            &json!({"name": "X", "phone": "+254712345678", "home_site_id": site}),
        )
        .await;
    assert_error(&foreign_home, 404, "not_found");
    assert_eq!(
        ids(&app.get("/api/customers", &stranger).await.json()).len(),
        0
    );
    let _ = stranger_site;

    assert_error(
        &app.get("/api/customers", &technician).await,
        403,
        "forbidden",
    );
    assert_error(
        &app.get(&format!("/api/customers/{customer}"), &technician)
            .await,
        403,
        "forbidden",
    );
    let by_technician = app
        .post(
            "/api/customers",
            &technician,
            &json!({"name": "X", "phone": "+254712345678", "home_site_id": site}),
        )
        .await;
    assert_error(&by_technician, 403, "forbidden");
}
