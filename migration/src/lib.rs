#![allow(elided_lifetimes_in_paths)]
#![allow(clippy::wildcard_imports)]
pub use sea_orm_migration::prelude::*;

mod columns;
mod m20261120_000001_organizations_and_sites;
mod m20261120_000002_users;
mod m20261120_000003_audit_events;
mod m20261120_000004_login_attempts;
mod m20261121_000001_customers_and_vehicles;
mod m20261121_000002_repair_orders;
mod m20261122_000001_session_version;
mod m20261122_000002_stock_and_invoices;
mod m20261122_000003_deliveries;
mod m20261204_000001_promotions_and_estimates;
mod m20261204_000002_skills_and_profiles;
mod m20261204_000003_shifts_and_timers;
mod m20261204_000004_pay;
mod m20261204_000005_availability;
mod m20261207_000001_background_work;
mod m20261207_000002_idempotency_keys;
mod m20261207_000003_seen_by_technician;
mod m20261207_000004_invoice_terms;
mod m20261207_000005_promotion_swahili;
mod m20261207_000006_portal_links;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261120_000001_organizations_and_sites::Migration),
            Box::new(m20261120_000002_users::Migration),
            Box::new(m20261120_000003_audit_events::Migration),
            Box::new(m20261120_000004_login_attempts::Migration),
            Box::new(m20261121_000001_customers_and_vehicles::Migration),
            Box::new(m20261121_000002_repair_orders::Migration),
            Box::new(m20261122_000001_session_version::Migration),
            Box::new(m20261122_000002_stock_and_invoices::Migration),
            Box::new(m20261122_000003_deliveries::Migration),
            Box::new(m20261204_000001_promotions_and_estimates::Migration),
            Box::new(m20261204_000002_skills_and_profiles::Migration),
            Box::new(m20261204_000003_shifts_and_timers::Migration),
            Box::new(m20261204_000004_pay::Migration),
            Box::new(m20261204_000005_availability::Migration),
            Box::new(m20261207_000001_background_work::Migration),
            Box::new(m20261207_000002_idempotency_keys::Migration),
            Box::new(m20261207_000003_seen_by_technician::Migration),
            Box::new(m20261207_000004_invoice_terms::Migration),
            Box::new(m20261207_000005_promotion_swahili::Migration),
            Box::new(m20261207_000006_portal_links::Migration),
            // inject-above (do not remove this comment)
        ]
    }
}
