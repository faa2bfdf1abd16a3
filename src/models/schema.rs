//! The database's own description of Karakana's tables: what `truncate`
//! empties and what the tenancy test holds every table to, so neither can
//! miss a table a migration adds.

use sea_orm::{ConnectionTrait, DatabaseBackend, DbErr, Statement};

/// Tables that are not Karakana's data: the migrations' bookkeeping and
/// the embedded job queue's (Loco's).
fn is_ours(table: &str) -> bool {
    table != "seaql_migrations"
        && !table.starts_with("sqlt_loco_")
        && !table.starts_with("pg_loco_")
        && !table.starts_with("sqlite_")
}

/// Every table the migrations made, by name, sorted.
///
/// # Errors
/// When the database fails.
pub async fn tables(db: &impl ConnectionTrait) -> Result<Vec<String>, DbErr> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DatabaseBackend::Postgres => {
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1"
        }
        _ => "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY 1",
    };
    let rows = db
        .query_all_raw(Statement::from_string(backend, sql))
        .await?;
    let mut tables = Vec::with_capacity(rows.len());
    for row in rows {
        let name: String = row.try_get_by_index(0)?;
        if is_ours(&name) {
            tables.push(name);
        }
    }
    Ok(tables)
}

/// Empties every one of Karakana's tables, in one transaction: on
/// PostgreSQL one `TRUNCATE … CASCADE`, on SQLite a `DELETE` per table with
/// the foreign keys checked at the commit, when nothing is left to point at.
///
/// # Errors
/// When the database fails.
pub async fn truncate_all(db: &sea_orm::DatabaseConnection) -> Result<(), DbErr> {
    let tables = tables(db).await?;
    let txn = crate::models::Write::begin(db).await?;
    match db.get_database_backend() {
        DatabaseBackend::Postgres => {
            let list = tables
                .iter()
                .map(|table| format!("\"{table}\""))
                .collect::<Vec<_>>()
                .join(", ");
            txn.execute_unprepared(&format!("TRUNCATE {list} RESTART IDENTITY CASCADE"))
                .await?;
        }
        _ => {
            txn.execute_unprepared("PRAGMA defer_foreign_keys = ON")
                .await?;
            for table in &tables {
                txn.execute_unprepared(&format!("DELETE FROM \"{table}\""))
                    .await?;
            }
        }
    }
    txn.commit().await
}
