//! The technician's working day, first part: the organization's list of
//! skills, the skills each technician has and each repair order needs, and
//! a technician's profile (phone, hire date, certification, home site).

use sea_orm_migration::{prelude::*, schema::*};

use crate::columns::{index, references};

#[derive(DeriveMigrationName)]
pub struct Migration;

const LEVEL_CHECK: &str = "certification_level IS NULL OR certification_level IN \
                           ('apprentice', 'junior', 'senior', 'master')";

fn link_table(table: &str, owner: &str, owner_table: &str) -> TableCreateStatement {
    Table::create()
        .table(Alias::new(table))
        .col(big_integer(Alias::new(owner)))
        .col(big_integer(Alias::new("skill_id")))
        .primary_key(
            Index::create()
                .col(Alias::new(owner))
                .col(Alias::new("skill_id")),
        )
        .foreign_key(&mut references(
            table,
            owner,
            owner_table,
            ForeignKeyAction::Cascade,
        ))
        .foreign_key(&mut references(
            table,
            "skill_id",
            "skills",
            ForeignKeyAction::Cascade,
        ))
        .take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Alias::new("skills"))
                .col(big_pk_auto(Alias::new("id")))
                .col(uuid_uniq(Alias::new("pid")))
                .col(big_integer(Alias::new("organization_id")))
                // As written (`AC`, `Hybrid`) and as compared (`ac`, `hybrid`).
                .col(string(Alias::new("name")))
                .col(string(Alias::new("key")))
                .col(big_integer_null(Alias::new("created_by")))
                .col(timestamp_with_time_zone(Alias::new("created_at")))
                .foreign_key(&mut references(
                    "skills",
                    "organization_id",
                    "organizations",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut references(
                    "skills",
                    "created_by",
                    "users",
                    ForeignKeyAction::SetNull,
                ))
                .take(),
        )
        .await?;
        m.create_index(index("skills", &["organization_id", "key"], true))
            .await?;
        m.create_table(link_table("technician_skills", "user_id", "users"))
            .await?;
        m.create_table(link_table(
            "repair_order_skills",
            "repair_order_id",
            "repair_orders",
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(Alias::new("technician_profiles"))
                .col(big_integer(Alias::new("user_id")).primary_key())
                .col(big_integer(Alias::new("organization_id")))
                .col(string_null(Alias::new("phone")))
                .col(date_null(Alias::new("hire_date")))
                .col(string_null(Alias::new("certification_level")).check(Expr::cust(LEVEL_CHECK)))
                .col(big_integer_null(Alias::new("home_site_id")))
                .col(big_integer_null(Alias::new("updated_by")))
                .col(timestamp_with_time_zone(Alias::new("updated_at")))
                .foreign_key(&mut references(
                    "technician_profiles",
                    "user_id",
                    "users",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut references(
                    "technician_profiles",
                    "organization_id",
                    "organizations",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut references(
                    "technician_profiles",
                    "home_site_id",
                    "sites",
                    ForeignKeyAction::SetNull,
                ))
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "technician_profiles",
            "repair_order_skills",
            "technician_skills",
            "skills",
        ] {
            m.drop_table(Table::drop().table(Alias::new(table)).take())
                .await?;
        }
        Ok(())
    }
}
