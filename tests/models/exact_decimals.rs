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
