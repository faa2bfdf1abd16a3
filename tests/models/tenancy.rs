//! Every tenant-owned row carries its organization, and every site-owned row
//! its site (docs/architecture.md, "Data and tenancy"), matching its parent's.

use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

use crate::support::TestApp;

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
