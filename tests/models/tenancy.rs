//! Every tenant-owned row carries its organization, and every site-owned row
//! its site (docs/architecture.md, "Tenancy and roles"), matching its parent's; every
//! table says how it belongs to a tenant, and `truncate` empties them all.

use karakana::{app::App, models::schema};
use loco_rs::{app::Hooks, boot::run_task, task};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

use crate::support::TestApp;

/// How the rows of a table belong to an organization.
#[derive(Clone, Copy, Debug)]
enum Tenancy {
    /// The tenant itself.
    Tenant,
    /// Carries `organization_id`.
    Organization,
    /// Carries `organization_id` and `site_id`.
    Site,
    /// Belongs to the row it points at through this column (a link or a
    /// counter), whose organization scopes it.
    Through(&'static str),
    /// Nobody's: kept about requests, before anyone is known.
    Global,
}

/// Every table, in the database's order (by name). A migration that adds a
/// table adds it here too, or `every_table_says_whose_its_rows_are` fails.
const TABLES: &[(&str, Tenancy)] = &[
    ("attachments", Tenancy::Site),
    ("audit_events", Tenancy::Organization),
    ("customers", Tenancy::Organization),
    ("deliveries", Tenancy::Site),
    // Keyed by the user's public id, and read only for that user's requests.
    ("idempotency_keys", Tenancy::Global),
    ("invoice_counters", Tenancy::Through("site_id")),
    ("invoice_lines", Tenancy::Site),
    ("invoices", Tenancy::Site),
    ("labor_lines", Tenancy::Site),
    ("login_attempts", Tenancy::Global),
    ("notifications", Tenancy::Organization),
    ("odometer_readings", Tenancy::Organization),
    ("organizations", Tenancy::Tenant),
    ("part_lines", Tenancy::Site),
    ("payments", Tenancy::Site),
    // A customer's sign-in links, scoped by the customer they sign in.
    ("portal_links", Tenancy::Through("customer_id")),
    ("products", Tenancy::Site),
    ("promotion_quotas", Tenancy::Organization),
    ("promotion_recipients", Tenancy::Through("promotion_id")),
    ("promotion_sites", Tenancy::Through("promotion_id")),
    ("promotions", Tenancy::Organization),
    ("purchase_order_lines", Tenancy::Site),
    ("purchase_orders", Tenancy::Site),
    // Jobs carry public ids only; the jobs view asks the database whose
    // each subject is (`models::job_subjects`).
    ("queue_jobs", Tenancy::Global),
    ("repair_order_events", Tenancy::Site),
    ("repair_order_notes", Tenancy::Site),
    ("repair_order_skills", Tenancy::Through("repair_order_id")),
    ("repair_orders", Tenancy::Site),
    ("shifts", Tenancy::Site),
    ("site_memberships", Tenancy::Site),
    ("sites", Tenancy::Organization),
    ("skills", Tenancy::Organization),
    ("stock_movements", Tenancy::Site),
    ("technician_profiles", Tenancy::Organization),
    ("technician_skills", Tenancy::Through("user_id")),
    ("time_off", Tenancy::Organization),
    ("users", Tenancy::Organization),
    ("vehicles", Tenancy::Organization),
    ("work_sessions", Tenancy::Site),
    ("working_hours", Tenancy::Site),
];

async fn count(db: &impl ConnectionTrait, sql: &str) -> i64 {
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            sql.to_string(),
        ))
        .await
        .unwrap_or_else(|err| panic!("{sql}: {err}"))
        .unwrap();
    row.try_get_by_index(0).unwrap()
}

#[tokio::test]
async fn every_table_says_whose_its_rows_are() {
    let app = TestApp::spawn().await;
    let db = &app.ctx.db;
    let tables = schema::tables(db).await.unwrap();
    let listed: Vec<String> = TABLES.iter().map(|(table, _)| table.to_string()).collect();
    assert_eq!(
        tables, listed,
        "the database's tables and TABLES differ: say how a new table belongs to a tenant"
    );
    for (table, tenancy) in TABLES {
        let columns = match tenancy {
            Tenancy::Organization => "organization_id",
            Tenancy::Site => "organization_id, site_id",
            Tenancy::Through(column) => column,
            Tenancy::Tenant | Tenancy::Global => continue,
        };
        // Fails on a missing column.
        count(
            db,
            &format!("SELECT COUNT(*) FROM (SELECT {columns} FROM {table}) t"),
        )
        .await;
    }
}

#[tokio::test]
async fn truncate_empties_every_table() {
    let app = TestApp::spawn().await;
    let db = &app.ctx.db;
    run_task::<App>(
        &app.ctx,
        Some(&"seed_demo".to_string()),
        &task::Vars::default(),
    )
    .await
    .expect("the demo loads");
    let tables = schema::tables(db).await.unwrap();
    let mut before = 0;
    for table in &tables {
        before += count(db, &format!("SELECT COUNT(*) FROM {table}")).await;
    }
    assert!(before > 100, "the demo left {before} rows");

    App::truncate(&app.ctx).await.expect("truncate");

    for table in &tables {
        assert_eq!(
            count(db, &format!("SELECT COUNT(*) FROM {table}")).await,
            0,
            "{table} still has rows"
        );
    }
}

#[tokio::test]
async fn child_rows_carry_their_parents_organization_and_site() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let technician = app.staff(&owner, "technician", &[&site]).await;
    let order = app.order(&owner, &site, "normal").await;
    let path = |tail: &str| format!("/api/repair-orders/{order}/{tail}");
    app.post(
        &path("assign"),
        &owner,
        &json!({"technician_id": technician.id}),
    )
    .await;
    app.post(
        &path("labor"),
        &owner,
        &json!({"description": "x", "hours": "1", "rate": "100"}),
    )
    .await;
    app.post(&path("notes"), &owner, &json!({"body": "x"}))
        .await;
    app.server
        .post(&path("attachments"))
        .authorization_bearer(&owner.token)
        .multipart(axum_test::multipart::MultipartForm::new().add_part(
            "file",
            axum_test::multipart::Part::bytes(b"%PDF-1.4\n%%EOF\n".to_vec()).file_name("a.pdf"),
        ))
        .await;

    // Stock, a completed order's invoice, a payment, a purchase order.
    let product = app.product(&owner, &site, "OIL", "10", "950").await;
    let worked = app.claimed_order(&owner, &site, &technician).await;
    app.add_part(&technician, &worked, &product, "2").await;
    let invoice = app.complete(&technician, &worked, &owner).await;
    app.post(
        &format!("/api/invoices/{}/payments", crate::support::id_of(&invoice)),
        &owner,
        &json!({"amount": "100", "method": "cash"}),
    )
    .await;
    let purchase = app
        .post(
            "/api/purchase-orders",
            &owner,
            &json!({"site_id": site, "supplier": "S", "lines": [
                {"product_id": product, "quantity": "1", "unit_cost": "600"}]}),
        )
        .await;
    assert_eq!(purchase.status_code(), 201, "{}", purchase.text());

    let checks = [
        ("products", "JOIN sites p ON p.id = c.site_id", false),
        (
            "stock_movements",
            "JOIN products p ON p.id = c.product_id",
            true,
        ),
        (
            "part_lines",
            "JOIN repair_orders p ON p.id = c.repair_order_id",
            true,
        ),
        (
            "invoices",
            "JOIN repair_orders p ON p.id = c.repair_order_id",
            true,
        ),
        (
            "invoice_lines",
            "JOIN invoices p ON p.id = c.invoice_id",
            true,
        ),
        ("payments", "JOIN invoices p ON p.id = c.invoice_id", true),
        (
            "purchase_order_lines",
            "JOIN purchase_orders p ON p.id = c.purchase_order_id",
            true,
        ),
        (
            "site_memberships",
            "JOIN users p ON p.id = c.user_id",
            false,
        ),
        (
            "odometer_readings",
            "JOIN vehicles p ON p.id = c.vehicle_id",
            false,
        ),
        ("notifications", "JOIN users p ON p.id = c.user_id", false),
        (
            "repair_order_events",
            "JOIN repair_orders p ON p.id = c.repair_order_id",
            true,
        ),
        (
            "labor_lines",
            "JOIN repair_orders p ON p.id = c.repair_order_id",
            true,
        ),
        (
            "repair_order_notes",
            "JOIN repair_orders p ON p.id = c.repair_order_id",
            true,
        ),
        (
            "attachments",
            "JOIN repair_orders p ON p.id = c.repair_order_id",
            true,
        ),
    ];
    let db = &app.ctx.db;
    for (table, join, has_site) in checks {
        let site_check = if has_site {
            " AND c.site_id = p.site_id"
        } else {
            ""
        };
        let sql = format!(
            "SELECT COUNT(*), SUM(CASE WHEN c.organization_id = p.organization_id{site_check} THEN 1 ELSE 0 END) \
             FROM {table} c {join}"
        );
        let row = db
            .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
            .await
            .unwrap()
            .unwrap();
        let (rows, matching): (i64, i64) = (
            row.try_get_by_index(0).unwrap(),
            row.try_get_by_index(1).unwrap(),
        );
        assert!(rows > 0, "{table} has no rows to check");
        assert_eq!(
            rows, matching,
            "{table} rows with another organization or site than their parent"
        );
    }
}
