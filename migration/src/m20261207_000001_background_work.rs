//! Background work the database answers for: the jobs a change causes,
//! written in the change's own transaction (`queue_jobs`: the embedded
//! queue, and with Redis the outbox its relay empties), and the deliveries
//! ledger's deadline, give-up and cost of each message.

use sea_orm_migration::{prelude::*, schema::*};

use crate::columns::{index, timestamps};

#[derive(DeriveMigrationName)]
pub struct Migration;

const STATUS_CHECK: &str = "status IN ('queued', 'running', 'dead')";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One row per job waiting, running or dead. A finished job's row is
        // deleted, so the table holds only what is still owed or given up.
        m.create_table(timestamps(
            Table::create()
                .table(Alias::new("queue_jobs"))
                .col(big_pk_auto(Alias::new("id")))
                // Sidekiq's job id, kept when the relay moves it to Redis.
                .col(string_uniq(Alias::new("jid")))
                .col(string(Alias::new("class")))
                .col(string(Alias::new("queue")))
                // The job's one argument, as JSON text.
                .col(text(Alias::new("args")))
                .col(string(Alias::new("status")).check(Expr::cust(STATUS_CHECK)))
                .col(timestamp_with_time_zone(Alias::new("run_at")))
                .col(integer(Alias::new("retry_count")).default(0))
                // The process running it, and until when its claim holds
                // unless that process renews it.
                .col(string_null(Alias::new("worker")))
                .col(timestamp_with_time_zone_null(Alias::new("locked_until")))
                .col(text_null(Alias::new("error")))
                .take(),
        ))
        .await?;
        m.create_index(index("queue_jobs", &["status", "run_at"], false))
            .await?;
        m.create_index(index("queue_jobs", &["worker"], false))
            .await?;

        // Until when a message is worth trying (a reminder until a week
        // after its due date, job news for a day…); when it was given up;
        // how many SMS segments its text took.
        m.alter_table(
            Table::alter()
                .table(Alias::new("deliveries"))
                .add_column(timestamp_with_time_zone_null(Alias::new("give_up_at")))
                .take(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Alias::new("deliveries"))
                .add_column(timestamp_with_time_zone_null(Alias::new("given_up_at")))
                .take(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Alias::new("deliveries"))
                .add_column(small_integer_null(Alias::new("segments")))
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in ["segments", "given_up_at", "give_up_at"] {
            m.alter_table(
                Table::alter()
                    .table(Alias::new("deliveries"))
                    .drop_column(Alias::new(column))
                    .take(),
            )
            .await?;
        }
        m.drop_table(Table::drop().table(Alias::new("queue_jobs")).take())
            .await
    }
}
