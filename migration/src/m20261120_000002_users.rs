use sea_orm_migration::{prelude::*, schema::*};

use crate::columns::{index, references, timestamps};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(timestamps(
            Table::create()
                .table(Alias::new("users"))
                .col(big_pk_auto(Alias::new("id")))
                .col(uuid_uniq(Alias::new("pid")))
                .col(big_integer(Alias::new("organization_id")))
                // Login is by email alone, so an email names one user anywhere.
                .col(string_uniq(Alias::new("email")))
                .col(string(Alias::new("password")))
                .col(string(Alias::new("name")))
                .col(string(Alias::new("role")).check(Expr::cust(
                    "role IN ('owner', 'manager', 'advisor', 'technician', 'customer')",
                )))
                .col(boolean(Alias::new("active")).default(true))
                .foreign_key(&mut references(
                    "users",
                    "organization_id",
                    "organizations",
                    ForeignKeyAction::Cascade,
                ))
                .take(),
        ))
        .await?;
        m.create_index(index("users", &["organization_id", "role"], false))
            .await?;

        m.create_table(
            Table::create()
                .table(Alias::new("site_memberships"))
                .col(big_pk_auto(Alias::new("id")))
                .col(big_integer(Alias::new("organization_id")))
                .col(big_integer(Alias::new("user_id")))
                .col(big_integer(Alias::new("site_id")))
                .col(timestamp_with_time_zone(Alias::new("created_at")))
                .foreign_key(&mut references(
                    "site_memberships",
                    "user_id",
                    "users",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut references(
                    "site_memberships",
                    "site_id",
                    "sites",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut references(
                    "site_memberships",
                    "organization_id",
                    "organizations",
                    ForeignKeyAction::Cascade,
                ))
                .take(),
        )
        .await?;
        m.create_index(index("site_memberships", &["user_id", "site_id"], true))
            .await?;
        m.create_index(index("site_memberships", &["site_id"], false))
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Alias::new("site_memberships")).take())
            .await?;
        m.drop_table(Table::drop().table(Alias::new("users")).take())
            .await?;
        Ok(())
    }
}
