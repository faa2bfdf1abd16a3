//! What an invoice says besides its lines: the business that issues it (its
//! legal name and tax number: a KRA PIN in Kenya, a TIN in Uganda), when it
//! is due (each branch's payment terms), and the language it is written in
//! (the customer's). An invoice keeps them as they were when it was issued.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            text_null(Alias::new("legal_name")),
            string_len_null(Alias::new("tax_number"), 40),
        ] {
            m.alter_table(
                Table::alter()
                    .table(Alias::new("organizations"))
                    .add_column(column)
                    .take(),
            )
            .await?;
        }
        // Days from issue to due; 0: due on receipt, as at most counters.
        m.alter_table(
            Table::alter()
                .table(Alias::new("sites"))
                .add_column(integer(Alias::new("payment_terms_days")).default(0))
                .take(),
        )
        .await?;
        for column in [
            text_null(Alias::new("business_name")),
            string_len_null(Alias::new("tax_number"), 40),
            date_null(Alias::new("due_on")),
            string_len(Alias::new("language"), 8).default("en").take(),
        ] {
            m.alter_table(
                Table::alter()
                    .table(Alias::new("invoices"))
                    .add_column(column)
                    .take(),
            )
            .await?;
        }
        // Invoices issued before terms existed were due when issued.
        m.get_connection()
            .execute_unprepared("UPDATE invoices SET due_on = issued_on")
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in ["business_name", "tax_number", "due_on", "language"] {
            m.alter_table(
                Table::alter()
                    .table(Alias::new("invoices"))
                    .drop_column(Alias::new(column))
                    .take(),
            )
            .await?;
        }
        m.alter_table(
            Table::alter()
                .table(Alias::new("sites"))
                .drop_column(Alias::new("payment_terms_days"))
                .take(),
        )
        .await?;
        for column in ["legal_name", "tax_number"] {
            m.alter_table(
                Table::alter()
                    .table(Alias::new("organizations"))
                    .drop_column(Alias::new(column))
                    .take(),
            )
            .await?;
        }
        Ok(())
    }
}
