//! Promotions: a message to the customers who agreed to offers, chosen by
//! branch, vehicle and last visit, sent at a time; the customers it went to,
//! frozen when it goes out; and a daily count per organization that a
//! promotion must fit in. Estimates: when an order's estimate was last asked
//! to be sent to its customer. Customers who would rather have a text
//! message than an email.

use sea_orm_migration::{prelude::*, schema::*};

use crate::columns::{index, references, timestamps};

#[derive(DeriveMigrationName)]
pub struct Migration;

const STATUS_CHECK: &str = "status IN ('scheduled', 'sending', 'held', 'cancelled')";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // The most promotional messages an organization sends in a day.
        m.alter_table(
            Table::alter()
                .table(Alias::new("organizations"))
                .add_column(
                    integer(Alias::new("promotion_daily_cap"))
                        .default(1000)
                        .check(Expr::cust("promotion_daily_cap >= 0")),
                )
                .take(),
        )
        .await?;

        m.alter_table(
            Table::alter()
                .table(Alias::new("customers"))
                .add_column(boolean(Alias::new("prefers_sms")).default(false))
                .take(),
        )
        .await?;

        m.create_table(timestamps(
            Table::create()
                .table(Alias::new("promotions"))
                .col(big_pk_auto(Alias::new("id")))
                .col(uuid_uniq(Alias::new("pid")))
                .col(big_integer(Alias::new("organization_id")))
                .col(string(Alias::new("title")))
                .col(text(Alias::new("body")))
                .col(timestamp_with_time_zone(Alias::new("send_at")))
                .col(string(Alias::new("status")).check(Expr::cust(STATUS_CHECK)))
                .col(text_null(Alias::new("held_reason")))
                // The audience, beside consent: every one that is set must hold.
                .col(string_null(Alias::new("audience_make")))
                .col(string_null(Alias::new("audience_model")))
                .col(integer_null(Alias::new("audience_year_from")))
                .col(integer_null(Alias::new("audience_year_to")))
                .col(date_null(Alias::new("last_visit_before")))
                .col(date_null(Alias::new("last_visit_after")))
                // Frozen when it goes out.
                .col(integer_null(Alias::new("recipients")))
                .col(timestamp_with_time_zone_null(Alias::new("launched_at")))
                .col(big_integer(Alias::new("created_by")))
                .foreign_key(&mut references(
                    "promotions",
                    "organization_id",
                    "organizations",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut references(
                    "promotions",
                    "created_by",
                    "users",
                    ForeignKeyAction::Restrict,
                ))
                .take(),
        ))
        .await?;
        m.create_index(index("promotions", &["status", "send_at"], false))
            .await?;
        m.create_index(index(
            "promotions",
            &["organization_id", "created_at"],
            false,
        ))
        .await?;

        // The branches a promotion is from; none: every branch (owners only).
        m.create_table(
            Table::create()
                .table(Alias::new("promotion_sites"))
                .col(big_integer(Alias::new("promotion_id")))
                .col(big_integer(Alias::new("site_id")))
                .primary_key(
                    Index::create()
                        .col(Alias::new("promotion_id"))
                        .col(Alias::new("site_id")),
                )
                .foreign_key(&mut references(
                    "promotion_sites",
                    "promotion_id",
                    "promotions",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut references(
                    "promotion_sites",
                    "site_id",
                    "sites",
                    ForeignKeyAction::Cascade,
                ))
                .take(),
        )
        .await?;

        // Whom it went to, and the branch that wrote to them.
        m.create_table(
            Table::create()
                .table(Alias::new("promotion_recipients"))
                .col(big_pk_auto(Alias::new("id")))
                .col(big_integer(Alias::new("promotion_id")))
                .col(big_integer(Alias::new("customer_id")))
                .col(big_integer(Alias::new("site_id")))
                .foreign_key(&mut references(
                    "promotion_recipients",
                    "promotion_id",
                    "promotions",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut references(
                    "promotion_recipients",
                    "customer_id",
                    "customers",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut references(
                    "promotion_recipients",
                    "site_id",
                    "sites",
                    ForeignKeyAction::Cascade,
                ))
                .take(),
        )
        .await?;
        m.create_index(index(
            "promotion_recipients",
            &["promotion_id", "customer_id"],
            true,
        ))
        .await?;

        // Promotional messages an organization has committed to in a UTC day.
        m.create_table(
            Table::create()
                .table(Alias::new("promotion_quotas"))
                .col(big_integer(Alias::new("organization_id")))
                .col(date(Alias::new("day")))
                .col(integer(Alias::new("used")).default(0))
                .primary_key(
                    Index::create()
                        .col(Alias::new("organization_id"))
                        .col(Alias::new("day")),
                )
                .foreign_key(&mut references(
                    "promotion_quotas",
                    "organization_id",
                    "organizations",
                    ForeignKeyAction::Cascade,
                ))
                .take(),
        )
        .await?;

        // Set by every "send the estimate"; its delivery is the ledger row
        // with it as its cycle.
        m.alter_table(
            Table::alter()
                .table(Alias::new("repair_orders"))
                .add_column(timestamp_with_time_zone_null(Alias::new(
                    "estimate_requested_at",
                )))
                .take(),
        )
        .await?;
        m.create_index(index("repair_orders", &["estimate_requested_at"], false))
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("idx_repair_orders_estimate_requested_at")
                .table(Alias::new("repair_orders"))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Alias::new("repair_orders"))
                .drop_column(Alias::new("estimate_requested_at"))
                .take(),
        )
        .await?;
        for table in [
            "promotion_quotas",
            "promotion_recipients",
            "promotion_sites",
            "promotions",
        ] {
            m.drop_table(Table::drop().table(Alias::new(table)).take())
                .await?;
        }
        m.alter_table(
            Table::alter()
                .table(Alias::new("customers"))
                .drop_column(Alias::new("prefers_sms"))
                .take(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Alias::new("organizations"))
                .drop_column(Alias::new("promotion_daily_cap"))
                .take(),
        )
        .await
    }
}
