//! The OpenAPI description of the API, generated from the handlers'
//! annotations, and the page that renders it.

use axum::Router as AxumRouter;
use utoipa::{
    openapi::security::{Http, HttpAuthScheme, SecurityScheme},
    Modify, OpenApi,
};
use utoipa_swagger_ui::SwaggerUi;

use super::{
    audit, auth, customers, notifications, repair_orders, sites, staff, technicians, vehicles,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Karakana API",
        description = "Run vehicle workshops with several branches. Errors share one body: \
                       `{\"error\": {\"code\", \"message\", \"fields\"?}}`."
    ),
    paths(
        auth::signup, auth::login, auth::me,
        sites::create, sites::list, sites::show, sites::update,
        staff::create, staff::list, staff::show, staff::update,
        technicians::stats,
        customers::create, customers::list, customers::show, customers::update, customers::erase,
        vehicles::create, vehicles::list, vehicles::show, vehicles::update,
        vehicles::record_reading, vehicles::readings,
        repair_orders::create, repair_orders::list, repair_orders::queue, repair_orders::show,
        repair_orders::claim, repair_orders::assign, repair_orders::transition,
        repair_orders::history, repair_orders::add_labor, repair_orders::remove_labor,
        repair_orders::add_note, repair_orders::notes, repair_orders::upload,
        repair_orders::attachments_of, repair_orders::download,
        notifications::list, notifications::mark_read, notifications::mark_all_read,
        audit::list,
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Sign up, sign in, who am I"),
        (name = "sites", description = "Branches of the workshop"),
        (name = "staff", description = "The people who work there"),
        (name = "customers", description = "The workshop's customers and their consent"),
        (name = "vehicles", description = "Customers' vehicles, odometer history, service schedule"),
        (name = "repair orders", description = "Booking in, the queue, claiming, the work"),
        (name = "notifications", description = "In-app notifications"),
        (name = "audit", description = "Who changed what, and when"),
    )
)]
pub struct ApiDoc;

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
pub fn router() -> AxumRouter {
    AxumRouter::new().merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", ApiDoc::openapi()))
}
