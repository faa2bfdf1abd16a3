//! One clock: every time the domain writes is the request's (or the job's),
//! never the system's, so a test that fixes the clock sees every record at
//! that moment.

use karakana::models::{clock::Clock, now_at, schema};
use sea_orm::{ConnectionTrait, Statement, Value};
use serde_json::json;

use crate::support::{id_of, TestApp};

const NOW: &str = "2026-03-10T06:30:00Z";

#[tokio::test]
async fn every_record_a_request_writes_is_stamped_with_the_requests_clock() {
    let app = TestApp::spawn_at(NOW).await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let technician = app.staff(&owner, "technician", &[&site]).await;
    let product = app.product(&owner, &site, "OIL", "10", "950").await;
    let order = app.claimed_order(&owner, &site, &technician).await;
    app.add_part(&technician, &order, &product, "2").await;
    app.post(
        &format!("/api/repair-orders/{order}/labor"),
        &technician,
        &json!({"description": "Service", "hours": "1", "rate": "1000"}),
    )
    .await;
    app.post(
        &format!("/api/repair-orders/{order}/notes"),
        &technician,
        &json!({"body": "Done"}),
    )
    .await;
    let invoice = app.complete(&technician, &order, &owner).await;
    let paid = app
        .post(
            &format!("/api/invoices/{}/payments", id_of(&invoice)),
            &owner,
            &json!({"amount": "100", "method": "cash"}),
        )
        .await;
    assert_eq!(paid.status_code(), 201, "{}", paid.text());
    let adjusted = app
        .post(
            &format!("/api/products/{product}/adjustments"),
            &owner,
            &json!({"delta": "-1", "reason": "broken"}),
        )
        .await;
    assert_eq!(adjusted.status_code(), 201, "{}", adjusted.text());
    // A refused sign-in is counted at the request's moment too.
    app.try_login(&owner.email, "not the password").await;

    let db = &app.ctx.db;
    let backend = db.get_database_backend();
    let at: Value = now_at(Clock::Fixed(NOW.parse().unwrap())).into();
    let mut checked = 0;
    for table in schema::tables(db).await.unwrap() {
        for column in ["created_at", "updated_at"] {
            let rows = db
                .query_one_raw(Statement::from_sql_and_values(
                    backend,
                    format!("SELECT COUNT(*) FROM {table} WHERE {column} IS NOT NULL"),
                    [],
                ))
                .await;
            // Not every table keeps both times.
            let Ok(Some(rows)) = rows else { continue };
            let rows: i64 = rows.try_get_by_index(0).unwrap();
            let placeholder = if backend == sea_orm::DatabaseBackend::Postgres {
                "$1"
            } else {
                "?"
            };
            let other: i64 = db
                .query_one_raw(Statement::from_sql_and_values(
                    backend,
                    format!(
                        "SELECT COUNT(*) FROM {table} WHERE {column} IS NOT NULL \
                         AND {column} <> {placeholder}"
                    ),
                    [at.clone()],
                ))
                .await
                .unwrap()
                .unwrap()
                .try_get_by_index(0)
                .unwrap();
            assert_eq!(
                other, 0,
                "{table}.{column}: {other} of {rows} rows off the clock"
            );
            checked += rows;
        }
    }
    assert!(checked > 40, "only {checked} stamps were checked");
}
