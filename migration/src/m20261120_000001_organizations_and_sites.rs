use sea_orm_migration::{prelude::*, schema::*};

use crate::columns::{index, numeric, references, timestamps};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(timestamps(
            Table::create()
                .table(Alias::new("organizations"))
                .col(big_pk_auto(Alias::new("id")))
                .col(uuid_uniq(Alias::new("pid")))
                .col(string(Alias::new("name")))
                .take(),
        ))
        .await?;

        m.create_table(timestamps(
            Table::create()
                .table(Alias::new("sites"))
                .col(big_pk_auto(Alias::new("id")))
                .col(uuid_uniq(Alias::new("pid")))
                .col(big_integer(Alias::new("organization_id")))
                .col(string(Alias::new("name")))
                .col(string(Alias::new("code")))
                .col(string(Alias::new("timezone")))
                .col(string(Alias::new("currency")))
                .col(numeric(m, Alias::new("tax_rate"), 6, 4))
                .col(text_null(Alias::new("address")))
                .col(string_null(Alias::new("phone")))
                .col(string_null(Alias::new("email")))
                .col(integer(Alias::new("reminder_lead_days")).default(7))
                .col(integer(Alias::new("reminder_hour")).default(9))
                .foreign_key(&mut references(
                    "sites",
                    "organization_id",
                    "organizations",
                    ForeignKeyAction::Cascade,
                ))
                .take(),
        ))
        .await?;
        // Site codes appear in invoice numbers, so they are unique per organization.
        m.create_index(index("sites", &["organization_id", "code"], true))
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Alias::new("sites")).take())
            .await?;
        m.drop_table(Table::drop().table(Alias::new("organizations")).take())
            .await?;
        Ok(())
    }
}
