//! The one way to own a transaction that writes.
//!
//! Callers own transactions: a handler, a task or a job begins a `Write`,
//! passes it to as many model methods as the change needs (complete an
//! order, consume its stock, issue its invoice, record its history) and
//! commits once. A model method that must run inside one, because it locks
//! a row and decides on it or makes writes that stand or fall together,
//! takes `&Write`, so passing it a bare connection does not compile; the
//! rest take `&impl ConnectionTrait`, which a `Write` is too.

use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, ExecResult,
    QueryResult, SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait,
};

/// A transaction that writes.
///
/// On SQLite it takes the database's write lock at once (`BEGIN
/// IMMEDIATE`), waiting for it on the busy timeout: a deferred transaction
/// that reads and then writes cannot wait, and SQLite fails it with
/// `SQLITE_BUSY` when another writer committed since its read. On
/// PostgreSQL it is a plain `BEGIN`; rows are locked by the statements
/// that write or lock them.
pub struct Write(DatabaseTransaction);

impl Write {
    /// # Errors
    /// When no connection or lock came free in time (`error::is_contention`).
    pub async fn begin(db: &DatabaseConnection) -> Result<Self, DbErr> {
        db.begin_with_options(TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..TransactionOptions::default()
        })
        .await
        .map(Self)
    }

    /// # Errors
    /// When the database refuses the commit; nothing was written then.
    pub async fn commit(self) -> Result<(), DbErr> {
        self.0.commit().await
    }

    /// # Errors
    /// When the connection failed; the database rolls back on its own then.
    pub async fn rollback(self) -> Result<(), DbErr> {
        self.0.rollback().await
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for Write {
    fn get_database_backend(&self) -> DbBackend {
        self.0.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.0.execute_raw(stmt).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.0.execute_unprepared(sql).await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.0.query_one_raw(stmt).await
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.0.query_all_raw(stmt).await
    }

    fn support_returning(&self) -> bool {
        self.0.support_returning()
    }
}
