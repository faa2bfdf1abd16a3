//! How a technician is paid: by the hour clocked on invoiced work, or a
//! share of the invoiced labour; the rate or share.

use sea_orm_migration::prelude::*;

use crate::columns::numeric_null;

#[derive(DeriveMigrationName)]
pub struct Migration;

const BASIS_CHECK: &str = "pay_basis IS NULL OR pay_basis IN ('hourly', 'labour_share')";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Alias::new("technician_profiles"))
                .add_column(
                    ColumnDef::new(Alias::new("pay_basis"))
                        .string()
                        .null()
                        .check(Expr::cust(BASIS_CHECK))
                        .take(),
                )
                .take(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Alias::new("technician_profiles"))
                .add_column(numeric_null(m, Alias::new("pay_rate"), 14, 4))
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in ["pay_rate", "pay_basis"] {
            m.alter_table(
                Table::alter()
                    .table(Alias::new("technician_profiles"))
                    .drop_column(Alias::new(column))
                    .take(),
            )
            .await?;
        }
        Ok(())
    }
}
