//! A promotion written in Swahili too: customers who read Swahili get its
//! Swahili title and body, everyone else the English.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            string_len_null(Alias::new("title_sw"), 120),
            text_null(Alias::new("body_sw")),
        ] {
            m.alter_table(
                Table::alter()
                    .table(Alias::new("promotions"))
                    .add_column(column)
                    .take(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in ["title_sw", "body_sw"] {
            m.alter_table(
                Table::alter()
                    .table(Alias::new("promotions"))
                    .drop_column(Alias::new(column))
                    .take(),
            )
            .await?;
        }
        Ok(())
    }
}
