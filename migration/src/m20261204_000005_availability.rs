//! The technician's working day, last part: when they are expected in
//! (weekly working hours per site, in the site's local time), when they are
//! away (days off, leave, sick days), and how long after a repair a return
//! of the vehicle counts as a comeback (a site setting, default 30 days).

use sea_orm_migration::{prelude::*, schema::*};

use crate::columns::{index, references};

#[derive(DeriveMigrationName)]
pub struct Migration;

const WEEKDAY_CHECK: &str = "weekday BETWEEN 1 AND 7";
const MINUTES_CHECK: &str =
    "start_minute >= 0 AND start_minute < end_minute AND end_minute <= 1440";
const KIND_CHECK: &str = "kind IN ('day_off', 'leave', 'sick')";
const DAYS_CHECK: &str = "first_day <= last_day";
const WINDOW_CHECK: &str = "comeback_window_days BETWEEN 1 AND 365";

fn owned_by_technician(table: &str) -> TableCreateStatement {
    Table::create()
        .table(Alias::new(table))
        .col(big_pk_auto(Alias::new("id")))
        .col(big_integer(Alias::new("organization_id")))
        .col(big_integer(Alias::new("user_id")))
        .foreign_key(&mut references(
            table,
            "organization_id",
            "organizations",
            ForeignKeyAction::Cascade,
        ))
        .foreign_key(&mut references(
            table,
            "user_id",
            "users",
            ForeignKeyAction::Cascade,
        ))
        .take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // Weekday 1 (Monday) to 7 (Sunday); minutes after the site's local
        // midnight, the end after the start.
        m.create_table(
            owned_by_technician("working_hours")
                .col(big_integer(Alias::new("site_id")))
                .col(small_integer(Alias::new("weekday")).check(Expr::cust(WEEKDAY_CHECK)))
                .col(integer(Alias::new("start_minute")))
                .col(integer(Alias::new("end_minute")))
                .check(Expr::cust(MINUTES_CHECK))
                .foreign_key(&mut references(
                    "working_hours",
                    "site_id",
                    "sites",
                    ForeignKeyAction::Cascade,
                ))
                .take(),
        )
        .await?;
        m.create_index(index("working_hours", &["user_id", "weekday"], false))
            .await?;
        m.create_index(index("working_hours", &["site_id", "weekday"], false))
            .await?;
        m.create_table(
            owned_by_technician("time_off")
                .col(uuid_uniq(Alias::new("pid")))
                .col(string(Alias::new("kind")).check(Expr::cust(KIND_CHECK)))
                .col(date(Alias::new("first_day")))
                .col(date(Alias::new("last_day")))
                .check(Expr::cust(DAYS_CHECK))
                .col(string_null(Alias::new("note")))
                .col(big_integer_null(Alias::new("created_by")))
                .col(timestamp_with_time_zone(Alias::new("created_at")))
                .foreign_key(&mut references(
                    "time_off",
                    "created_by",
                    "users",
                    ForeignKeyAction::SetNull,
                ))
                .take(),
        )
        .await?;
        m.create_index(index("time_off", &["user_id", "first_day"], false))
            .await?;
        m.alter_table(
            Table::alter()
                .table(Alias::new("sites"))
                .add_column(
                    integer(Alias::new("comeback_window_days"))
                        .default(30)
                        .check(Expr::cust(WINDOW_CHECK))
                        .take(),
                )
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Alias::new("sites"))
                .drop_column(Alias::new("comeback_window_days"))
                .take(),
        )
        .await?;
        for table in ["time_off", "working_hours"] {
            m.drop_table(Table::drop().table(Alias::new(table)).take())
                .await?;
        }
        Ok(())
    }
}
