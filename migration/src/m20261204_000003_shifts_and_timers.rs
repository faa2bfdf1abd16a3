//! The technician's working day, second part: shifts (clocked in at one
//! site, at most one open at a time across sites) and work timers (time on
//! one repair order, at most one running per technician). Both "at most
//! one" rules are partial unique indexes, so the database decides a race.
//! And who assigned an order, to hear if its technician declines it; and
//! the earlier order a repeat repair of the same vehicle is a comeback of.

use sea_orm_migration::{prelude::*, schema::*};

use crate::columns::{index, references};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn periods(table: &str, subject: Option<(&str, &str)>) -> TableCreateStatement {
    let mut create = Table::create()
        .table(Alias::new(table))
        .col(big_pk_auto(Alias::new("id")))
        .col(uuid_uniq(Alias::new("pid")))
        .col(big_integer(Alias::new("organization_id")))
        .col(big_integer(Alias::new("site_id")))
        .col(big_integer(Alias::new("user_id")))
        .col(timestamp_with_time_zone(Alias::new("started_at")))
        .col(timestamp_with_time_zone_null(Alias::new("ended_at")))
        .foreign_key(&mut references(
            table,
            "organization_id",
            "organizations",
            ForeignKeyAction::Cascade,
        ))
        .foreign_key(&mut references(
            table,
            "site_id",
            "sites",
            ForeignKeyAction::Cascade,
        ))
        .foreign_key(&mut references(
            table,
            "user_id",
            "users",
            ForeignKeyAction::Cascade,
        ))
        .take();
    if let Some((column, target)) = subject {
        create
            .col(big_integer(Alias::new(column)))
            .foreign_key(&mut references(
                table,
                column,
                target,
                ForeignKeyAction::Cascade,
            ));
    }
    create
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(periods("shifts", None)).await?;
        m.create_index(index("shifts", &["site_id", "started_at"], false))
            .await?;
        m.create_table(periods(
            "work_sessions",
            Some(("repair_order_id", "repair_orders")),
        ))
        .await?;
        m.create_index(index("work_sessions", &["repair_order_id"], false))
            .await?;
        m.create_index(index("work_sessions", &["user_id", "started_at"], false))
            .await?;
        m.alter_table(
            Table::alter()
                .table(Alias::new("repair_orders"))
                .add_column(big_integer_null(Alias::new("assigned_by")))
                .take(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Alias::new("repair_orders"))
                .add_column(big_integer_null(Alias::new("comeback_of_id")))
                .take(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Alias::new("repair_orders"))
                .add_column(timestamp_with_time_zone_null(Alias::new(
                    "comeback_flagged_at",
                )))
                .take(),
        )
        .await?;
        m.create_index(index("repair_orders", &["comeback_of_id"], false))
            .await?;
        // The same syntax on SQLite and PostgreSQL.
        let db = m.get_connection();
        db.execute_unprepared(
            "CREATE UNIQUE INDEX uq_shifts_open ON shifts (user_id) WHERE ended_at IS NULL",
        )
        .await?;
        db.execute_unprepared(
            "CREATE UNIQUE INDEX uq_work_sessions_running ON work_sessions (user_id) \
             WHERE ended_at IS NULL",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in ["work_sessions", "shifts"] {
            m.drop_table(Table::drop().table(Alias::new(table)).take())
                .await?;
        }
        m.drop_index(
            Index::drop()
                .name("idx_repair_orders_comeback_of_id")
                .table(Alias::new("repair_orders"))
                .to_owned(),
        )
        .await?;
        for column in ["comeback_flagged_at", "comeback_of_id", "assigned_by"] {
            m.alter_table(
                Table::alter()
                    .table(Alias::new("repair_orders"))
                    .drop_column(Alias::new(column))
                    .take(),
            )
            .await?;
        }
        Ok(())
    }
}
