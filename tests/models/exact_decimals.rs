//! Money and rates are stored exactly: NUMERIC on PostgreSQL, decimal text on
//! SQLite, never a binary float.

use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};
use serde_json::json;

use crate::support::TestApp;

#[tokio::test]
async fn decimals_are_stored_without_a_float_in_between() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let order = app.order(&owner, &site, "normal").await;
    // 0.1 and 0.2 have no exact binary representation.
    app.post(
        &format!("/api/repair-orders/{order}/labor"),
        &owner,
        &json!({"description": "x", "hours": "0.1", "rate": "9999999999.99"}),
    )
    .await;

    let db = &app.ctx.db;
    let backend = db.get_database_backend();
    let sql = match backend {
        DatabaseBackend::Sqlite => "SELECT typeof(rate), rate, amount FROM labor_lines",
        _ => "SELECT pg_typeof(rate)::text, rate::text, amount::text FROM labor_lines",
    };
    let row = db
        .query_one_raw(Statement::from_string(backend, sql))
        .await
        .unwrap()
        .expect("one labour line");
    let (kind, rate, amount): (String, String, String) = (
        row.try_get_by_index(0).unwrap(),
        row.try_get_by_index(1).unwrap(),
        row.try_get_by_index(2).unwrap(),
    );

    assert_eq!(
        kind,
        if backend == DatabaseBackend::Sqlite {
            "text"
        } else {
            "numeric"
        }
    );
    assert_eq!(rate, "9999999999.99");
    // 0.1 × 9,999,999,999.99 = 999,999,999.999 → 1,000,000,000.00
    assert_eq!(amount, "1000000000.00");
    let detail: serde_json::Value = app
        .get(&format!("/api/repair-orders/{order}"), &owner)
        .await
        .json();
    assert_eq!(detail["labor"][0]["rate"], "9999999999.99");
    assert_eq!(detail["labor_total"], "1000000000.00");
}

/// Stock is counted in exact thousandths, money on invoices exactly: a
/// litre and a half of oil at 33.33 is 49.995, rounded once to 50.00.
#[tokio::test]
async fn invoice_money_and_stock_quantities_are_exact() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let technician = app.staff(&owner, "technician", &[&site]).await;
    let product = app.product(&owner, &site, "OIL", "10.1", "33.33").await;
    let order = app.claimed_order(&owner, &site, &technician).await;
    app.add_part(&technician, &order, &product, "0.3").await;
    app.add_part(&technician, &order, &product, "1.2").await;
    app.complete(&technician, &order, &owner).await;

    let db = &app.ctx.db;
    let backend = db.get_database_backend();
    let sql = match backend {
        DatabaseBackend::Sqlite => {
            "SELECT typeof(total), total, (SELECT on_hand_milli FROM products) FROM invoices"
        }
        _ => "SELECT pg_typeof(total)::text, total::text, (SELECT on_hand_milli FROM products) FROM invoices",
    };
    let row = db
        .query_one_raw(Statement::from_string(backend, sql))
        .await
        .unwrap()
        .expect("one invoice");
    let (kind, total, on_hand): (String, String, i64) = (
        row.try_get_by_index(0).unwrap(),
        row.try_get_by_index(1).unwrap(),
        row.try_get_by_index(2).unwrap(),
    );

    assert_eq!(
        kind,
        if backend == DatabaseBackend::Sqlite {
            "text"
        } else {
            "numeric"
        }
    );
    // 0.3 × 33.33 = 9.999 → 10.00; 1.2 × 33.33 = 39.996 → 40.00; 50.00 + 16 %.
    assert_eq!(
        total.parse::<rust_decimal::Decimal>().unwrap(),
        "58.00".parse().unwrap()
    );
    // 10.1 − 0.3 − 1.2, in thousandths: no float drift.
    assert_eq!(on_hand, 8_600);
}
