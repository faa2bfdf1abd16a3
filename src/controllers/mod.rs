pub mod api;
pub mod audit;
pub mod auth;
pub mod customers;
pub mod dashboard;
pub mod docs;
pub mod extract;
pub mod idempotency;
pub mod invoices;
pub mod jobs;
pub mod notifications;
pub mod organization;
pub mod pages;
pub mod portal;
pub mod products;
pub mod promotions;
pub mod purchase_orders;
pub mod reminders;
pub mod repair_orders;
pub mod session;
pub mod shifts;
pub mod sites;
pub mod skills;
pub mod staff;
pub mod technicians;
pub mod vehicles;
pub mod web;

use loco_rs::app::AppContext;

use crate::settings::Settings;

/// Every controller's routes with their description: what the server
/// serves and `/api/openapi.json` describes, from the same list.
#[must_use]
pub fn all(ctx: &AppContext) -> Vec<api::ApiRoutes> {
    let upload_limit = usize::try_from(Settings::of(ctx).uploads.max_bytes).unwrap_or(usize::MAX);
    vec![
        auth::routes(),
        organization::routes(),
        sites::routes(),
        staff::routes(),
        technicians::routes(),
        skills::routes(),
        shifts::routes(),
        customers::routes(),
        vehicles::routes(),
        repair_orders::routes(upload_limit),
        products::routes(),
        invoices::routes(),
        purchase_orders::routes(),
        reminders::routes(),
        promotions::routes(),
        jobs::routes(),
        notifications::routes(),
        audit::routes(),
        dashboard::routes(),
        portal::routes(),
    ]
}
