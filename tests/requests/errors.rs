//! Every error status of the contract, with its body.

use axum::http::header;
use serde_json::json;

use crate::support::{assert_error, TestApp};

#[tokio::test]
async fn a_body_that_is_not_json_is_a_bad_request() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;

    let response = app
        .server
        .post("/api/sites")
        .authorization_bearer(&owner.token)
        .text("{\"name\": \"Nairobi\",")
        .content_type("application/json")
        .await;

    let body = assert_error(&response, 400, "bad_request");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("not valid JSON"));
}

#[tokio::test]
async fn a_body_with_the_wrong_content_type_is_a_bad_request() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;

    let form = app
        .server
        .post("/api/sites")
        .authorization_bearer(&owner.token)
        .text("name=Nairobi")
        .content_type("application/x-www-form-urlencoded")
        .await;
    let none = app
        .server
        .post("/api/auth/login")
        .bytes(r#"{"email":"a@b.co","password":"x"}"#.into())
        .await;

    assert_error(&form, 400, "bad_request");
    assert_error(&none, 400, "bad_request");
}

#[tokio::test]
async fn a_wrong_json_type_is_a_bad_request_naming_the_field() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;

    let number_for_string = app
        .post("/api/sites", &owner, &json!({"name": 12, "code": "NBO", "timezone": "Africa/Nairobi", "currency": "KES", "tax_rate": "0.16"}))
        .await;
    // Money and rates are strings, never JSON numbers.
    let number_for_rate = app
        .post("/api/sites", &owner, &json!({"name": "Nairobi", "code": "NBO", "timezone": "Africa/Nairobi", "currency": "KES", "tax_rate": 0.16}))
        .await;
    let array_body = app.post("/api/sites", &owner, &json!([1, 2])).await;

    let body = assert_error(&number_for_string, 400, "bad_request");
    assert!(body["error"]["message"].as_str().unwrap().contains("name"));
    let body = assert_error(&number_for_rate, 400, "bad_request");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("tax_rate"));
    assert_error(&array_body, 400, "bad_request");
}

#[tokio::test]
async fn missing_and_unknown_fields_are_validation_failures() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;

    let missing = app
        .post("/api/sites", &owner, &json!({"name": "Nairobi"}))
        .await;
    let unknown = app
        .post(
            "/api/sites",
            &owner,
            &json!({"name": "Nairobi", "code": "NBO", "timezone": "Africa/Nairobi",
                    "currency": "KES", "tax_rate": "0.16", "organization_id": 7}),
        )
        .await;

    let body = assert_error(&missing, 422, "validation_failed");
    assert_eq!(body["error"]["fields"]["code"], json!(["is required"]));
    let body = assert_error(&unknown, 422, "validation_failed");
    assert_eq!(
        body["error"]["fields"]["organization_id"],
        json!(["is not allowed"])
    );
}

#[tokio::test]
async fn an_unknown_route_and_a_wrong_method_answer_in_the_contract_shape() {
    let app = TestApp::spawn().await;

    let unknown = app.server.get("/api/nothing-here").await;
    let wrong_method = app.server.delete("/api/sites").await;

    assert_error(&unknown, 404, "not_found");
    assert_error(&wrong_method, 405, "method_not_allowed");
    assert!(wrong_method.headers().contains_key(header::ALLOW));
}

#[tokio::test]
async fn a_malformed_id_in_the_path_is_not_found() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;

    let response = app.get("/api/sites/not-a-uuid", &owner).await;

    assert_error(&response, 404, "not_found");
}

#[tokio::test]
async fn bad_paging_is_refused_clearly() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;

    let not_a_number = app.get("/api/sites?page=first", &owner).await;
    let too_many = app.get("/api/sites?per_page=500", &owner).await;
    let page_zero = app.get("/api/sites?page=0", &owner).await;
    let page_huge = app
        .get("/api/repair-orders/queue?page=18446744073709551615", &owner)
        .await;

    assert_error(&not_a_number, 400, "bad_request");
    let body = assert_error(&too_many, 422, "validation_failed");
    assert_eq!(
        body["error"]["fields"]["per_page"],
        json!(["must be between 1 and 200"])
    );
    let body = assert_error(&page_zero, 422, "validation_failed");
    assert_eq!(
        body["error"]["fields"]["page"],
        json!(["must be between 1 and 1000000"])
    );
    assert_error(&page_huge, 422, "validation_failed");
}

#[tokio::test]
async fn a_body_over_the_limit_is_payload_too_large() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let huge = "x".repeat(3_000_000);

    let response = app
        .post("/api/sites", &owner, &json!({"name": huge, "code": "NBO"}))
        .await;

    assert_error(&response, 413, "payload_too_large");
}

#[tokio::test]
async fn lists_have_the_contract_shape() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    for code in ["AA", "BB", "CC"] {
        app.site(&owner, code).await;
    }

    let response = app.get("/api/sites?page=2&per_page=2", &owner).await;

    assert_eq!(response.status_code(), 200);
    let body: serde_json::Value = response.json();
    assert_eq!(body["page"], 2);
    assert_eq!(body["per_page"], 2);
    assert_eq!(body["total"], 3);
    assert_eq!(body["items"].as_array().unwrap().len(), 1);
}
