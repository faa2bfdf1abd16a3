use sea_orm_migration::{prelude::*, schema::*};

use crate::columns::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // Failed sign-ins and sign-ups, kept for the throttling window only.
        // They live in the database so every web process sees the same counts.
        m.create_table(
            Table::create()
                .table(Alias::new("login_attempts"))
                .col(big_pk_auto(Alias::new("id")))
                .col(string(Alias::new("kind")))
                .col(string(Alias::new("email")))
                .col(string(Alias::new("ip")))
                .col(timestamp_with_time_zone(Alias::new("created_at")))
                .take(),
        )
        .await?;
        m.create_index(index(
            "login_attempts",
            &["kind", "email", "created_at"],
            false,
        ))
        .await?;
        m.create_index(index(
            "login_attempts",
            &["kind", "ip", "created_at"],
            false,
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Alias::new("login_attempts")).take())
            .await?;
        Ok(())
    }
}
