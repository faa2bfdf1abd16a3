//! Requests that may arrive twice: a POST that carries an `Idempotency-Key`
//! is remembered per user with its first answer, so the same key sent again
//! (a phone's offline queue resending after a dropped connection) gets that
//! answer back and changes nothing a second time.

use sea_orm_migration::{prelude::*, schema::*};

use crate::columns::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

const STATE_CHECK: &str = "state IN ('running', 'done')";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Alias::new("idempotency_keys"))
                // The user's public id: keys are theirs alone.
                .col(uuid(Alias::new("user_pid")))
                .col(string_len(Alias::new("request_key"), 255))
                // SHA-256 of the method, path and body, hex: the same key
                // with another request is refused.
                .col(string_len(Alias::new("fingerprint"), 64))
                .col(string(Alias::new("state")).check(Expr::cust(STATE_CHECK)))
                // The first answer, once there is one.
                .col(small_integer_null(Alias::new("status")))
                .col(string_null(Alias::new("content_type")))
                .col(blob_null(Alias::new("body")))
                .col(timestamp_with_time_zone(Alias::new("created_at")))
                .col(timestamp_with_time_zone(Alias::new("expires_at")))
                .primary_key(
                    Index::create()
                        .col(Alias::new("user_pid"))
                        .col(Alias::new("request_key")),
                )
                .take(),
        )
        .await?;
        m.create_index(index("idempotency_keys", &["expires_at"], false))
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Alias::new("idempotency_keys")).take())
            .await
    }
}
