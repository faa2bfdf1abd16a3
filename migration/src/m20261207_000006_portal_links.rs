//! The customer's own page is signed into by a one-time link sent to the
//! email address or phone number on file. Each link asked for is a row:
//! whom it signs in, where it was sent, until when it works, when it was
//! used (once: the row is then the browser's session until it ends).
//! The token itself is never stored; it is a signature over the row's
//! public id under the server's key.

use sea_orm_migration::{prelude::*, schema::*};

use crate::columns::{index, references};

#[derive(DeriveMigrationName)]
pub struct Migration;

const CHANNEL_CHECK: &str = "channel IN ('email', 'sms')";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Alias::new("portal_links"))
                .col(big_pk_auto(Alias::new("id")))
                .col(uuid_uniq(Alias::new("pid")))
                .col(big_integer(Alias::new("customer_id")))
                .col(string_len(Alias::new("channel"), 8).check(Expr::cust(CHANNEL_CHECK)))
                .col(timestamp_with_time_zone(Alias::new("created_at")))
                .col(timestamp_with_time_zone(Alias::new("expires_at")))
                // Set once, by the one request that signs in with it.
                .col(timestamp_with_time_zone_null(Alias::new("used_at")))
                // The session it opened, signed out or ended by erasure.
                .col(timestamp_with_time_zone_null(Alias::new("ended_at")))
                .foreign_key(&mut references(
                    "portal_links",
                    "customer_id",
                    "customers",
                    ForeignKeyAction::Cascade,
                ))
                .take(),
        )
        .await?;
        m.create_index(index("portal_links", &["customer_id"], false))
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Alias::new("portal_links")).take())
            .await
    }
}
