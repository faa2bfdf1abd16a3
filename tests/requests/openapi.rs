use karakana::{app::App, controllers::docs::ApiDoc};
use loco_rs::app::Hooks;
use utoipa::OpenApi;

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

    for (path, item) in ApiDoc::openapi().paths.paths {
        let item = serde_json::to_value(item).unwrap();
        for method in item.as_object().unwrap().keys() {
            let served = routes.iter().any(|route| {
                route.uri == path
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

#[tokio::test]
async fn every_response_documents_the_error_body() {
    let document = serde_json::to_value(ApiDoc::openapi()).unwrap();
    assert!(document["components"]["schemas"]["ErrorBody"].is_object());
    assert_eq!(
        document["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
}
