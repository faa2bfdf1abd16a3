use sea_orm_migration::{prelude::*, schema::*};

use crate::columns::{index, numeric, references, timestamps};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(timestamps(
            Table::create()
                .table(Alias::new("repair_orders"))
                .col(big_pk_auto(Alias::new("id")))
                .col(uuid_uniq(Alias::new("pid")))
                .col(big_integer(Alias::new("organization_id")))
                .col(big_integer(Alias::new("site_id")))
                .col(big_integer(Alias::new("vehicle_id")))
                .col(big_integer(Alias::new("customer_id")))
                .col(string(Alias::new("status")).check(Expr::cust(
                    "status IN ('requested', 'pending_approval', 'approved', 'declined', \
                     'in_progress', 'completed', 'cancelled')",
                )))
                // 0 low, 1 normal, 2 high, 3 urgent: the queue sorts on it.
                .col(
                    small_integer(Alias::new("priority"))
                        .check(Expr::cust("priority BETWEEN 0 AND 3")),
                )
                .col(text(Alias::new("description")))
                .col(text_null(Alias::new("complaint")))
                .col(big_integer_null(Alias::new("odometer_km")))
                .col(big_integer_null(Alias::new("technician_id")))
                .col(big_integer(Alias::new("created_by")))
                .col(timestamp_with_time_zone_null(Alias::new("approved_at")))
                .col(timestamp_with_time_zone_null(Alias::new("started_at")))
                .col(timestamp_with_time_zone_null(Alias::new("completed_at")))
                .foreign_key(&mut references(
                    "repair_orders",
                    "organization_id",
                    "organizations",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut references(
                    "repair_orders",
                    "site_id",
                    "sites",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut references(
                    "repair_orders",
                    "vehicle_id",
                    "vehicles",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut references(
                    "repair_orders",
                    "customer_id",
                    "customers",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut references(
                    "repair_orders",
                    "technician_id",
                    "users",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut references(
                    "repair_orders",
                    "created_by",
                    "users",
                    ForeignKeyAction::Restrict,
                ))
                .take(),
        ))
        .await?;
        // The queue: approved, unclaimed orders of a site, urgent first, then
        // oldest first. The index holds them in exactly that order, so a page
        // of the queue is read off it without sorting, and counted without
        // touching the table (every query also filters on the organization).
        m.create_index(
            Index::create()
                .name("idx_repair_orders_queue")
                .table(Alias::new("repair_orders"))
                .col(Alias::new("organization_id"))
                .col(Alias::new("site_id"))
                .col(Alias::new("status"))
                .col(Alias::new("technician_id"))
                .col((Alias::new("priority"), IndexOrder::Desc))
                .col(Alias::new("created_at"))
                .col(Alias::new("id"))
                .take(),
        )
        .await?;
        m.create_index(index("repair_orders", &["technician_id", "status"], false))
            .await?;
        m.create_index(index("repair_orders", &["vehicle_id"], false))
            .await?;

        m.create_table(
            Table::create()
                .table(Alias::new("repair_order_events"))
                .col(big_pk_auto(Alias::new("id")))
                .col(big_integer(Alias::new("organization_id")))
                .col(big_integer(Alias::new("site_id")))
                .col(big_integer(Alias::new("repair_order_id")))
                .col(string_null(Alias::new("from_status")))
                .col(string(Alias::new("to_status")))
                .col(big_integer_null(Alias::new("actor_id")))
                .col(text_null(Alias::new("note")))
                .col(timestamp_with_time_zone(Alias::new("created_at")))
                .foreign_key(&mut references(
                    "repair_order_events",
                    "repair_order_id",
                    "repair_orders",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut references(
                    "repair_order_events",
                    "actor_id",
                    "users",
                    ForeignKeyAction::SetNull,
                ))
                .foreign_key(&mut references(
                    "repair_order_events",
                    "organization_id",
                    "organizations",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut references(
                    "repair_order_events",
                    "site_id",
                    "sites",
                    ForeignKeyAction::Cascade,
                ))
                .take(),
        )
        .await?;
        m.create_index(index("repair_order_events", &["repair_order_id"], false))
            .await?;

        m.create_table(
            Table::create()
                .table(Alias::new("labor_lines"))
                .col(big_pk_auto(Alias::new("id")))
                .col(big_integer(Alias::new("organization_id")))
                .col(big_integer(Alias::new("site_id")))
                .col(uuid_uniq(Alias::new("pid")))
                .col(big_integer(Alias::new("repair_order_id")))
                .col(text(Alias::new("description")))
                .col(numeric(m, Alias::new("hours"), 8, 2))
                .col(numeric(m, Alias::new("rate"), 14, 2))
                .col(numeric(m, Alias::new("amount"), 14, 2))
                .col(big_integer_null(Alias::new("created_by")))
                .col(timestamp_with_time_zone(Alias::new("created_at")))
                .foreign_key(&mut references(
                    "labor_lines",
                    "repair_order_id",
                    "repair_orders",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut references(
                    "labor_lines",
                    "created_by",
                    "users",
                    ForeignKeyAction::SetNull,
                ))
                .foreign_key(&mut references(
                    "labor_lines",
                    "organization_id",
                    "organizations",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut references(
                    "labor_lines",
                    "site_id",
                    "sites",
                    ForeignKeyAction::Cascade,
                ))
                .take(),
        )
        .await?;
        m.create_index(index("labor_lines", &["repair_order_id"], false))
            .await?;

        m.create_table(
            Table::create()
                .table(Alias::new("repair_order_notes"))
                .col(big_pk_auto(Alias::new("id")))
                .col(big_integer(Alias::new("organization_id")))
                .col(big_integer(Alias::new("site_id")))
                .col(uuid_uniq(Alias::new("pid")))
                .col(big_integer(Alias::new("repair_order_id")))
                .col(big_integer_null(Alias::new("author_id")))
                .col(text(Alias::new("body")))
                .col(timestamp_with_time_zone(Alias::new("created_at")))
                .foreign_key(&mut references(
                    "repair_order_notes",
                    "repair_order_id",
                    "repair_orders",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut references(
                    "repair_order_notes",
                    "author_id",
                    "users",
                    ForeignKeyAction::SetNull,
                ))
                .foreign_key(&mut references(
                    "repair_order_notes",
                    "organization_id",
                    "organizations",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut references(
                    "repair_order_notes",
                    "site_id",
                    "sites",
                    ForeignKeyAction::Cascade,
                ))
                .take(),
        )
        .await?;
        m.create_index(index("repair_order_notes", &["repair_order_id"], false))
            .await?;

        m.create_table(
            Table::create()
                .table(Alias::new("attachments"))
                .col(big_pk_auto(Alias::new("id")))
                .col(big_integer(Alias::new("organization_id")))
                .col(big_integer(Alias::new("site_id")))
                .col(uuid_uniq(Alias::new("pid")))
                .col(big_integer(Alias::new("repair_order_id")))
                .col(big_integer_null(Alias::new("uploaded_by")))
                .col(string(Alias::new("kind")))
                .col(string(Alias::new("content_type")))
                .col(string(Alias::new("file_name")))
                .col(big_integer(Alias::new("size_bytes")))
                .col(string(Alias::new("storage_key")))
                .col(timestamp_with_time_zone(Alias::new("created_at")))
                .foreign_key(&mut references(
                    "attachments",
                    "repair_order_id",
                    "repair_orders",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut references(
                    "attachments",
                    "uploaded_by",
                    "users",
                    ForeignKeyAction::SetNull,
                ))
                .foreign_key(&mut references(
                    "attachments",
                    "organization_id",
                    "organizations",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut references(
                    "attachments",
                    "site_id",
                    "sites",
                    ForeignKeyAction::Cascade,
                ))
                .take(),
        )
        .await?;
        m.create_index(index("attachments", &["repair_order_id"], false))
            .await?;

        m.create_table(
            Table::create()
                .table(Alias::new("notifications"))
                .col(big_pk_auto(Alias::new("id")))
                .col(big_integer(Alias::new("organization_id")))
                .col(uuid_uniq(Alias::new("pid")))
                .col(big_integer(Alias::new("user_id")))
                .col(string(Alias::new("kind")))
                .col(string(Alias::new("title")))
                .col(text(Alias::new("body")))
                .col(big_integer_null(Alias::new("repair_order_id")))
                .col(timestamp_with_time_zone_null(Alias::new("read_at")))
                .col(timestamp_with_time_zone(Alias::new("created_at")))
                .foreign_key(&mut references(
                    "notifications",
                    "user_id",
                    "users",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut references(
                    "notifications",
                    "repair_order_id",
                    "repair_orders",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut references(
                    "notifications",
                    "organization_id",
                    "organizations",
                    ForeignKeyAction::Cascade,
                ))
                .take(),
        )
        .await?;
        m.create_index(index("notifications", &["user_id", "read_at"], false))
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "notifications",
            "attachments",
            "repair_order_notes",
            "labor_lines",
            "repair_order_events",
            "repair_orders",
        ] {
            m.drop_table(Table::drop().table(Alias::new(table)).take())
                .await?;
        }
        Ok(())
    }
}
