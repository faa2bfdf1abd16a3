//! When the technician working on an order last took in what the office
//! changed on it: set when they claim or accept it, and each time they say
//! they have seen the changes since. Changes by anyone else after it are
//! shown to them until they do.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Alias::new("repair_orders"))
                .add_column(timestamp_with_time_zone_null(Alias::new(
                    "technician_seen_at",
                )))
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Alias::new("repair_orders"))
                .drop_column(Alias::new("technician_seen_at"))
                .take(),
        )
        .await
    }
}
