use sea_orm_migration::{prelude::*, schema::*};

use crate::columns::{index, references};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Alias::new("audit_events"))
                .col(big_pk_auto(Alias::new("id")))
                .col(big_integer(Alias::new("organization_id")))
                .col(big_integer_null(Alias::new("site_id")))
                .col(big_integer_null(Alias::new("actor_id")))
                .col(string(Alias::new("action")))
                .col(string(Alias::new("subject_type")))
                .col(uuid(Alias::new("subject_id")))
                .col(json_null(Alias::new("details")))
                .col(timestamp_with_time_zone(Alias::new("created_at")))
                .foreign_key(&mut references(
                    "audit_events",
                    "organization_id",
                    "organizations",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut references(
                    "audit_events",
                    "site_id",
                    "sites",
                    ForeignKeyAction::SetNull,
                ))
                .foreign_key(&mut references(
                    "audit_events",
                    "actor_id",
                    "users",
                    ForeignKeyAction::SetNull,
                ))
                .take(),
        )
        .await?;
        m.create_index(index(
            "audit_events",
            &["organization_id", "created_at"],
            false,
        ))
        .await?;
        m.create_index(index("audit_events", &["subject_id"], false))
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Alias::new("audit_events")).take())
            .await?;
        Ok(())
    }
}
