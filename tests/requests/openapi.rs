use karakana::app::App;
use loco_rs::app::Hooks;

use crate::support::TestApp;

#[tokio::test]
async fn every_api_route_is_in_the_openapi_document() {
    let app = TestApp::spawn().await;
    let document: serde_json::Value = app.server.get("/api/openapi.json").await.json();
    let paths = document["paths"].as_object().expect("paths");

    let mut missing = Vec::new();
    for route in App::routes(&app.ctx).collect() {
        if !route.uri.starts_with("/api/") {
            continue; // Loco's own /_ping, /_health, /_readiness
        }
        for method in &route.actions {
            let method = method.as_str().to_lowercase();
            if paths.get(&route.uri).and_then(|p| p.get(&method)).is_none() {
                missing.push(format!("{method} {}", route.uri));
            }
        }
    }

    assert!(
        missing.is_empty(),
        "routes missing from the OpenAPI document: {missing:?}"
    );
}

#[tokio::test]
async fn the_openapi_document_lists_no_route_that_does_not_exist() {
    let app = TestApp::spawn().await;
    let routes = App::routes(&app.ctx).collect();
    let document: serde_json::Value = app.server.get("/api/openapi.json").await.json();
    let paths = document["paths"].as_object().expect("paths");

    assert!(paths.len() > 20, "the document has the API's paths");
    for (path, item) in paths {
        for method in item.as_object().unwrap().keys() {
            let served = routes.iter().any(|route| {
                route.uri == *path
                    && route
                        .actions
                        .iter()
                        .any(|m| m.as_str().eq_ignore_ascii_case(method))
            });
            assert!(served, "{method} {path} is documented but not served");
        }
    }
}

#[tokio::test]
async fn the_docs_page_is_served_without_the_network() {
    let app = TestApp::spawn().await;

    let page = app.server.get("/api/docs/").await;
    let script = app.server.get("/api/docs/swagger-ui-bundle.js").await;

    assert_eq!(page.status_code(), 200);
    assert!(page.text().contains("swagger"));
    assert_eq!(script.status_code(), 200);
    assert!(
        script.text().len() > 100_000,
        "the Swagger UI bundle is built in"
    );
}

/// Every list answers a page and takes `?page=&per_page=`, with their
/// bounds.
#[tokio::test]
async fn every_list_takes_the_paging_parameters() {
    let app = TestApp::spawn().await;
    let document: serde_json::Value = app.server.get("/api/openapi.json").await.json();
    let mut lists = 0;
    for (path, item) in document["paths"].as_object().unwrap() {
        let Some(get) = item.get("get") else { continue };
        let answer = get["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
            .as_str()
            .unwrap_or_default();
        if !answer.contains("PageResponse") {
            continue;
        }
        lists += 1;
        let parameters = get["parameters"].as_array().cloned().unwrap_or_default();
        for (name, maximum) in [("page", 1_000_000), ("per_page", 200)] {
            let parameter = parameters
                .iter()
                .find(|parameter| parameter["name"] == name)
                .unwrap_or_else(|| panic!("{path} lists without `{name}`"));
            assert_eq!(parameter["in"], "query", "{path} {name}");
            assert_eq!(parameter["schema"]["maximum"], maximum, "{path} {name}");
        }
    }
    assert!(lists >= 15, "only {lists} lists");
}

/// Every POST says it takes an `Idempotency-Key` and what a key can answer.
#[tokio::test]
async fn every_post_takes_an_idempotency_key() {
    let app = TestApp::spawn().await;
    let document: serde_json::Value = app.server.get("/api/openapi.json").await.json();
    let mut posts = 0;
    for (path, item) in document["paths"].as_object().unwrap() {
        let Some(post) = item.get("post") else {
            continue;
        };
        posts += 1;
        let key = post["parameters"]
            .as_array()
            .and_then(|parameters| {
                parameters
                    .iter()
                    .find(|parameter| parameter["name"] == "Idempotency-Key")
            })
            .unwrap_or_else(|| panic!("POST {path} takes no Idempotency-Key"));
        assert_eq!(key["in"], "header", "{path}");
        assert_eq!(key["schema"]["maxLength"], 255, "{path}");
        for status in ["400", "409", "422"] {
            assert!(
                post["responses"].get(status).is_some(),
                "POST {path} does not say it may answer {status}"
            );
        }
    }
    assert!(posts >= 30, "only {posts} POST operations");
}

/// Every `$ref` names a schema the document has.
#[tokio::test]
async fn every_reference_in_the_document_resolves() {
    fn refs<'a>(value: &'a serde_json::Value, found: &mut Vec<&'a str>) {
        match value {
            serde_json::Value::Object(members) => {
                for (key, member) in members {
                    match (key.as_str(), member.as_str()) {
                        ("$ref", Some(target)) => found.push(target),
                        _ => refs(member, found),
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|item| refs(item, found)),
            _ => {}
        }
    }
    let app = TestApp::spawn().await;
    let document: serde_json::Value = app.server.get("/api/openapi.json").await.json();
    let mut found = Vec::new();
    refs(&document, &mut found);
    assert!(found.len() > 100, "{} references", found.len());
    for target in found {
        let name = target
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("a reference outside the schemas: {target}"));
        assert!(
            document["components"]["schemas"][name].is_object(),
            "{target} does not resolve"
        );
    }
}

/// Every operation lists the errors its shape can produce, each with the
/// contract's body, and has an id of its own.
#[tokio::test]
async fn every_operation_documents_its_errors_in_the_contract_shape() {
    let app = TestApp::spawn().await;
    let document: serde_json::Value = app.server.get("/api/openapi.json").await.json();
    assert_eq!(
        document["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    assert!(document["components"]["schemas"]["ErrorBody"].is_object());

    let mut ids = std::collections::HashSet::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let name = format!("{method} {path}");
            let responses = operation["responses"].as_object().unwrap();
            let id = operation["operationId"].as_str().expect("an operation id");
            assert!(
                ids.insert(id.to_string()),
                "{name}: operation id {id} is used twice"
            );
            let mut expected = vec!["503"];
            if operation.get("security").is_some() {
                expected.push("401");
            }
            if operation.get("requestBody").is_some() {
                expected.extend(["400", "413", "422"]);
            }
            if path.contains('{') {
                expected.push("404");
            }
            for status in expected {
                assert!(
                    responses.contains_key(status),
                    "{name} does not list {status}"
                );
            }
            for (status, response) in responses {
                if status.starts_with('4') || status.starts_with('5') {
                    assert_eq!(
                        response["content"]["application/json"]["schema"]["$ref"],
                        "#/components/schemas/ErrorBody",
                        "{name} {status}"
                    );
                }
            }
        }
    }
    let busy = &document["paths"]["/api/customers"]["post"]["responses"]["503"];
    assert!(busy["headers"]["Retry-After"].is_object());
}

/// What a created object's `id` is good for, as links a client (and
/// schemathesis's stateful tests) can follow.
#[tokio::test]
async fn created_objects_link_to_what_can_be_done_with_them() {
    let app = TestApp::spawn().await;
    let document: serde_json::Value = app.server.get("/api/openapi.json").await.json();

    let created = |path: &str| document["paths"][path]["post"]["responses"]["201"]["links"].clone();
    let site = created("/api/sites");
    let customer = created("/api/customers");

    assert_eq!(customer["CustomersShow"]["operationId"], "customers_show");
    assert_eq!(
        customer["CustomersShow"]["parameters"]["id"],
        "$response.body#/id"
    );
    assert_eq!(
        site["CustomersCreateWithHomeSiteId"]["requestBody"]["home_site_id"],
        "$response.body#/id"
    );
    assert_eq!(
        created("/api/repair-orders")["RepairOrdersClaim"]["operationId"],
        "repair_orders_claim"
    );
}

/// The document states the server's rules, so that clients and generated
/// requests meet them.
#[tokio::test]
async fn the_document_states_the_rules_of_each_field() {
    let app = TestApp::spawn().await;
    let document: serde_json::Value = app.server.get("/api/openapi.json").await.json();
    let schema = |name: &str| document["components"]["schemas"][name]["properties"].clone();
    let query = |path: &str, name: &str| {
        document["paths"][path]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|parameter| parameter["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("{path} takes {name}"))
    };

    assert_eq!(schema("SignupParams")["password"]["minLength"], 10);
    assert_eq!(schema("OdometerParams")["reading_km"]["maximum"], 5_000_000);
    assert!(schema("CreateCustomerParams")["phone"]["pattern"].is_string());
    assert!(schema("CreateVehicleParams")["vin"]["pattern"].is_string());
    assert!(schema("LaborParams")["rate"]["pattern"].is_string());
    let zones = schema("CreateSiteParams")["timezone"]["enum"].clone();
    assert!(zones
        .as_array()
        .unwrap()
        .contains(&serde_json::json!("Africa/Nairobi")));
    assert_eq!(
        query("/api/customers", "per_page")["schema"]["maximum"],
        200
    );
    assert_eq!(query("/api/customers", "page")["schema"]["minimum"], 1);
}
