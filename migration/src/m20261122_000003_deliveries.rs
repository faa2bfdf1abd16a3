//! Background work's ledger: every message Karakana sent, failed to send or
//! chose not to send, one row per kind + subject + cycle + channel, so that a
//! retried, duplicated or re-derived job never sends twice. The language a
//! customer is written to in (the site's when the customer has none), and
//! when an invoice was last asked to be sent to its customer.

use sea_orm_migration::{prelude::*, schema::*};

use crate::columns::{index, references, timestamps};

#[derive(DeriveMigrationName)]
pub struct Migration;

const STATUS_CHECK: &str = "status IN ('sending', 'sent', 'failed', 'skipped')";
const CHANNEL_CHECK: &str = "channel IN ('email', 'sms')";
const LANGUAGE_CHECK: &str = "language IN ('en', 'sw')";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Alias::new("sites"))
                .add_column(
                    string(Alias::new("language"))
                        .default("en")
                        .check(Expr::cust(LANGUAGE_CHECK)),
                )
                .take(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Alias::new("customers"))
                .add_column(
                    string_null(Alias::new("language"))
                        .check(Expr::cust(format!("language IS NULL OR {LANGUAGE_CHECK}"))),
                )
                .take(),
        )
        .await?;

        // Set when the invoice is issued and by every "send it again"; the
        // delivery of that request is the ledger row with it as its cycle.
        m.alter_table(
            Table::alter()
                .table(Alias::new("invoices"))
                .add_column(timestamp_with_time_zone_null(Alias::new(
                    "send_requested_at",
                )))
                .take(),
        )
        .await?;
        m.create_index(index("invoices", &["send_requested_at"], false))
            .await?;

        m.create_table(timestamps(
            Table::create()
                .table(Alias::new("deliveries"))
                .col(big_pk_auto(Alias::new("id")))
                .col(uuid_uniq(Alias::new("pid")))
                .col(big_integer(Alias::new("organization_id")))
                .col(big_integer(Alias::new("site_id")))
                .col(big_integer_null(Alias::new("customer_id")))
                // What was sent (`service_reminder`, …), about what (the
                // vehicle's, invoice's, promotion's public id) and for which
                // cycle (a due date, `-` for things sent once).
                .col(string(Alias::new("kind")))
                .col(uuid(Alias::new("subject_pid")))
                .col(string(Alias::new("cycle")))
                .col(string(Alias::new("channel")).check(Expr::cust(CHANNEL_CHECK)))
                .col(string_null(Alias::new("recipient")))
                .col(string(Alias::new("status")).check(Expr::cust(STATUS_CHECK)))
                .col(integer(Alias::new("attempts")).default(0))
                .col(string_null(Alias::new("provider_message_id")))
                .col(text_null(Alias::new("error")))
                .col(timestamp_with_time_zone_null(Alias::new("sent_at")))
                .foreign_key(&mut references(
                    "deliveries",
                    "organization_id",
                    "organizations",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut references(
                    "deliveries",
                    "site_id",
                    "sites",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut references(
                    "deliveries",
                    "customer_id",
                    "customers",
                    ForeignKeyAction::SetNull,
                ))
                .take(),
        ))
        .await?;
        m.create_index(index(
            "deliveries",
            &["kind", "subject_pid", "cycle", "channel"],
            true,
        ))
        .await?;
        m.create_index(index(
            "deliveries",
            &["organization_id", "site_id", "kind", "created_at"],
            false,
        ))
        .await?;
        m.create_index(index("deliveries", &["customer_id", "created_at"], false))
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Alias::new("deliveries")).take())
            .await?;
        m.drop_index(
            Index::drop()
                .name("idx_invoices_send_requested_at")
                .table(Alias::new("invoices"))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Alias::new("invoices"))
                .drop_column(Alias::new("send_requested_at"))
                .take(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Alias::new("customers"))
                .drop_column(Alias::new("language"))
                .take(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Alias::new("sites"))
                .drop_column(Alias::new("language"))
                .take(),
        )
        .await
    }
}
