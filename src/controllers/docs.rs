//! The OpenAPI description of the API, generated from the handlers'
//! annotations, and the page that renders it.

use axum::Router as AxumRouter;
use utoipa::{
    openapi::security::{Http, HttpAuthScheme, SecurityScheme},
    Modify, OpenApi,
};
use utoipa_swagger_ui::SwaggerUi;

use loco_rs::app::AppContext;

use crate::errors::ErrorBody;

/// What the document says beyond its paths: the API's name, its tags and
/// its one security scheme. The paths come from the routes themselves
/// (`controllers::all`).
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Karakana API",
        description = "Run vehicle workshops with several branches. Errors share one body: \
                       `{\"error\": {\"code\", \"message\", \"fields\"?}}`."
    ),
    components(schemas(ErrorBody)),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Sign up, sign in, who am I"),
        (name = "organization", description = "The business: its names and the tax number on its invoices"),
        (name = "sites", description = "Branches of the workshop"),
        (name = "staff", description = "The people who work there"),
        (name = "customers", description = "The workshop's customers and their consent"),
        (name = "vehicles", description = "Customers' vehicles, odometer history, service schedule"),
        (name = "repair orders", description = "Booking in, the queue, claiming, the work, parts and the customer's word on each line"),
        (name = "stock", description = "Products on each site's shelves and every change to their stock"),
        (name = "invoices", description = "Invoices issued on completion, payments, what customers owe"),
        (name = "purchase orders", description = "Ordering stock from suppliers and receiving it"),
        (name = "promotions", description = "Offers to customers who agreed to them: audience, schedule, daily cap, counts"),
        (name = "reminders", description = "Service reminders sent to customers, one per vehicle and due date"),
        (name = "jobs", description = "Background work: queues, running, failed and dead jobs"),
        (name = "notifications", description = "In-app notifications"),
        (name = "audit", description = "Who changed what, and when"),
    )
)]
pub struct ApiDoc;

/// The whole document: `ApiDoc` with every controller's paths, completed
/// with the answers that follow from each operation's shape.
#[must_use]
pub fn document(ctx: &AppContext) -> utoipa::openapi::OpenApi {
    let mut document = ApiDoc::openapi();
    for controller in super::all(ctx) {
        document.merge(controller.openapi);
    }
    super::api::complete(&mut document);
    document
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                Http::builder()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// `/api/openapi.json` and the Swagger UI at `/api/docs`, served from files
/// built into the binary (no network needed to read the docs).
pub fn router(ctx: &AppContext) -> AxumRouter {
    AxumRouter::new().merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", document(ctx)))
}
