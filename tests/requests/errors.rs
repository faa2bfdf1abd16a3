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
    // Over the 1 MiB limit for JSON bodies, under Loco's own default (2 MB).
    let huge = "x".repeat(1_500_000);

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

/// PostgreSQL cannot store a NUL character in text; both databases refuse
/// it the same way, as a 422 naming the field, and nothing changes.
#[tokio::test]
async fn a_nul_character_in_any_text_is_refused_naming_the_field() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let order = app.order(&owner, &site, "normal").await;
    let nul = "brakes\u{0}squeal";

    let search = app.get("/api/customers?q=%00", &owner).await;
    let search_vehicles = app.get("/api/vehicles?q=ab%00", &owner).await;
    let note = app
        .post(
            &format!("/api/repair-orders/{order}/notes"),
            &owner,
            &json!({ "body": nul }),
        )
        .await;
    let labour = app
        .post(
            &format!("/api/repair-orders/{order}/labor"),
            &owner,
            &json!({"description": nul, "hours": "1", "rate": "100"}),
        )
        .await;
    let transition = app
        .post(
            &format!("/api/repair-orders/{order}/transition"),
            &owner,
            &json!({"to": "pending_approval", "note": nul}),
        )
        .await;
    let site_change = app
        .patch(
            &format!("/api/sites/{site}"),
            &owner,
            &json!({"address": nul, "phone": "+254700\u{0}000000"}),
        )
        .await;
    let nested_key = app
        .post("/api/auth/login", &owner, &json!({"email\u{0}": "x"}))
        .await;

    for (response, field) in [
        (&search, "q"),
        (&search_vehicles, "q"),
        (&note, "body"),
        (&labour, "description"),
        (&transition, "note"),
        (&site_change, "address"),
        (&site_change, "phone"),
        (&nested_key, "email"),
    ] {
        let body = assert_error(response, 422, "validation_failed");
        assert_eq!(
            body["error"]["fields"][field],
            json!(["must not contain NUL characters"]),
            "{body}"
        );
    }
    let detail: serde_json::Value = app
        .get(&format!("/api/repair-orders/{order}"), &owner)
        .await
        .json();
    assert_eq!(detail["status"], "requested", "nothing changed");
    assert_eq!(detail["labor"], json!([]));
}

/// One strict reading per kind of value, wherever it comes from: what the
/// document's patterns and formats forbid is refused, and changes nothing.
#[tokio::test]
async fn what_the_document_forbids_is_refused_in_bodies_queries_and_paths() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let customer = app.customer(&owner, &site).await;
    let vehicle = app.vehicle(&owner, &customer).await;
    let product = |quantity: &str, price: &str| {
        json!({"site_id": site, "sku": "OIL", "name": "Oil", "unit_cost": "1",
               "unit_price": price, "quantity_on_hand": quantity, "reorder_level": "0"})
    };

    let cases = [
        (
            app.post("/api/products", &owner, &product(" 1", "950"))
                .await,
            "quantity_on_hand",
        ),
        (
            app.post("/api/products", &owner, &product("1 ", "950"))
                .await,
            "quantity_on_hand",
        ),
        (
            app.post("/api/products", &owner, &product("1", "-0")).await,
            "unit_price",
        ),
        (
            app.post("/api/products", &owner, &product("1", "+5")).await,
            "unit_price",
        ),
        (
            app.post(
                &format!("/api/vehicles/{vehicle}/odometer"),
                &owner,
                &json!({"reading_km": 1000, "read_on": "2026-1-1"}),
            )
            .await,
            "read_on",
        ),
        (
            app.post(
                "/api/vehicles",
                &owner,
                &json!({"customer_id": format!("{{{customer}}}"), "plate": "KDA 1A",
                        "make": "Toyota", "model": "Vitz"}),
            )
            .await,
            "customer_id",
        ),
        (
            app.post(
                "/api/repair-orders",
                &owner,
                &json!({"site_id": site, "vehicle_id": vehicle,
                        "description": "bell\u{7}rings"}),
            )
            .await,
            "description",
        ),
    ];
    for (response, field) in &cases {
        let body = assert_error(response, 422, "validation_failed");
        assert!(body["error"]["fields"][field].is_array(), "{field}: {body}");
    }

    let order = app.order(&owner, &site, "normal").await;
    let unknown_status = app
        .post(
            &format!("/api/repair-orders/{order}/transition"),
            &owner,
            &json!({"to": "nowhere"}),
        )
        .await;
    let body = assert_error(&unknown_status, 422, "validation_failed");
    let message = body["error"]["fields"]["to"][0].as_str().unwrap();
    assert!(
        message.starts_with("must be one of requested, "),
        "{message}"
    );

    let braced = format!("{{{customer}}}");
    assert_error(
        &app.get(&format!("/api/customers/{braced}"), &owner).await,
        404,
        "not_found",
    );
    let simple = customer.replace('-', "");
    assert_error(
        &app.get(&format!("/api/customers/{simple}"), &owner).await,
        404,
        "not_found",
    );
    let by_query = app
        .get(
            &format!("/api/vehicles?customer_id=%7B{customer}%7D"),
            &owner,
        )
        .await;
    assert!(
        [400, 422].contains(&by_query.status_code().as_u16()),
        "{}",
        by_query.text()
    );

    let products: serde_json::Value = app
        .get(&format!("/api/products?site_id={site}"), &owner)
        .await
        .json();
    assert_eq!(products["total"], 0, "nothing was made");
    let orders: serde_json::Value = app.get("/api/repair-orders", &owner).await.json();
    assert_eq!(
        orders["total"], 1,
        "only the order made to test transitions"
    );
}

/// JSON Schema calls `152.0` an integer; so does the server.
#[tokio::test]
async fn a_whole_number_written_as_a_float_is_an_integer() {
    let app = TestApp::spawn_at("2026-03-10T09:00:00Z").await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let customer = app.customer(&owner, &site).await;
    let vehicle = app.vehicle(&owner, &customer).await;
    let path = format!("/api/vehicles/{vehicle}/odometer");

    let whole = app
        .post(
            &path,
            &owner,
            &serde_json::from_str::<serde_json::Value>(
                r#"{"reading_km": 152000.0, "read_on": "2026-03-10"}"#,
            )
            .unwrap(),
        )
        .await;
    let fraction = app
        .post(
            &path,
            &owner,
            &json!({"reading_km": 152_000.5, "read_on": "2026-03-10"}),
        )
        .await;
    // Past 2^53 a float no longer holds every whole number exactly.
    let imprecise = app
        .post(
            &path,
            &owner,
            &serde_json::from_str::<serde_json::Value>(
                r#"{"reading_km": 9007199254740993.0, "read_on": "2026-03-10"}"#,
            )
            .unwrap(),
        )
        .await;

    assert_eq!(whole.status_code(), 201, "{}", whole.text());
    assert_eq!(
        whole.json::<serde_json::Value>()["reading"]["reading_km"],
        152_000
    );
    assert_error(&fraction, 400, "bad_request");
    assert_error(&imprecise, 400, "bad_request");
}

/// A key given twice is refused, as it would be by any field's own rules:
/// which of the two was meant is not the server's guess to make.
#[tokio::test]
async fn a_field_given_twice_is_refused() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;

    let response = app
        .server
        .post("/api/sites")
        .authorization_bearer(&owner.token)
        .text(r#"{"name": "A", "code": "NBO", "code": "MSA", "timezone": "Africa/Nairobi", "currency": "KES", "tax_rate": "0.16"}"#)
        .content_type("application/json")
        .await;

    let body = assert_error(&response, 422, "validation_failed");
    assert_eq!(body["error"]["fields"]["code"], json!(["is given twice"]));
}

/// The pages' files come from the binary, with an ETag a browser asks with
/// again; statuses from outside the handlers (an unknown file, a method a
/// file does not take) still carry the contract's body.
#[tokio::test]
async fn static_files_are_revalidated_by_etag_and_errors_keep_the_contract_shape() {
    let app = TestApp::spawn().await;

    let file = app.server.get("/static/favicon.svg").await;
    let etag = file.header(header::ETAG).to_str().unwrap().to_string();
    let again = app
        .server
        .get("/static/favicon.svg")
        .add_header(header::IF_NONE_MATCH, etag.clone())
        .await;
    let missing = app.server.get("/static/nothing-here.css").await;
    let climbing = app.server.get("/static/../Cargo.toml").await;
    let posted = app.server.post("/static/favicon.svg").await;

    assert_eq!(file.status_code(), 200);
    assert_eq!(file.header(header::CONTENT_TYPE), "image/svg+xml");
    assert!(etag.starts_with('"') && etag.len() > 10, "{etag}");
    assert_eq!(again.status_code(), 304);
    assert!(again.as_bytes().is_empty());
    assert_error(&missing, 404, "not_found");
    assert_ne!(climbing.status_code(), 200);
    assert_error(&posted, 405, "method_not_allowed");
}

#[tokio::test]
async fn responses_do_not_advertise_the_framework() {
    let app = TestApp::spawn().await;

    let response = app.server.get("/_ping").await;

    assert_eq!(response.status_code(), 200);
    assert!(!response.headers().contains_key("x-powered-by"));
}

#[tokio::test]
async fn cors_is_off_unless_origins_are_configured() {
    let origin = "https://portal.example.com";
    let closed = TestApp::spawn().await;
    let open = TestApp::spawn_with(|config| {
        config.server.middlewares.cors = Some(
            serde_json::from_value(json!({
                "enable": true,
                "allow_origins": [origin],
                "allow_headers": ["authorization", "content-type"],
                "allow_methods": ["GET", "POST", "PATCH", "DELETE"],
            }))
            .unwrap(),
        );
    })
    .await;
    let preflight = |app: &TestApp| {
        app.server
            .method(axum::http::Method::OPTIONS, "/api/sites")
            .add_header(header::ORIGIN, origin)
            .add_header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
    };

    let refused = preflight(&closed).await;
    let allowed = preflight(&open).await;
    let other_origin = open
        .server
        .get("/_ping")
        .add_header(header::ORIGIN, "https://evil.example.com")
        .await;

    assert!(!refused
        .headers()
        .contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN));
    assert_eq!(
        allowed.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        origin
    );
    assert!(!other_origin
        .headers()
        .contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN));
}

/// Every status that reaches the outer layer unmapped keeps its status and
/// gets the contract's body: none becomes a 500.
#[test]
fn every_error_status_keeps_its_status_in_the_contract_shape() {
    use axum::{http::StatusCode, response::IntoResponse};
    use karakana::errors::ApiError;

    for code in (400..=431).chain([451]).chain(500..=511) {
        let Ok(status) = StatusCode::from_u16(code) else {
            continue;
        };
        let response = ApiError::for_status(status).into_response();
        // The contract files a wrong content type under 400.
        let expected = if status == StatusCode::UNSUPPORTED_MEDIA_TYPE {
            StatusCode::BAD_REQUEST
        } else {
            status
        };
        assert_eq!(response.status(), expected, "{code}");
    }
    let code_of = |status: StatusCode| {
        let body = ApiError::for_status(status).into_response();
        let bytes =
            futures::executor::block_on(axum::body::to_bytes(body.into_body(), 4096)).unwrap();
        serde_json::from_slice::<serde_json::Value>(&bytes).unwrap()["error"]["code"].clone()
    };
    assert_eq!(code_of(StatusCode::REQUEST_TIMEOUT), "request_timeout");
    assert_eq!(
        code_of(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE),
        "request_header_fields_too_large"
    );
    assert_eq!(
        code_of(StatusCode::METHOD_NOT_ALLOWED),
        "method_not_allowed"
    );
    assert_eq!(
        code_of(StatusCode::SERVICE_UNAVAILABLE),
        "service_unavailable"
    );
    assert_eq!(code_of(StatusCode::IM_A_TEAPOT), "im_a_teapot");
}
