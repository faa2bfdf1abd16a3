//! The stockroom and the till: products per site and every movement of
//! their stock, parts on repair orders, approval of estimate lines, purchase
//! orders, invoices numbered per site and year, and payments.
//!
//! Quantities are exact decimals with up to three places (oil by the
//! millilitre), stored as integer thousandths (`*_milli`): the database then
//! decides stock races in one conditional UPDATE with exact integer
//! arithmetic, on SQLite (which has no decimal arithmetic) as on PostgreSQL.

use sea_orm_migration::{prelude::*, schema::*};

use crate::columns::{index, numeric, numeric_null, references, timestamps};

#[derive(DeriveMigrationName)]
pub struct Migration;

const APPROVAL_CHECK: &str = "approval IN ('pending', 'approved', 'declined')";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // How customers pay a branch: printed on its invoices.
        m.alter_table(
            Table::alter()
                .table(Alias::new("sites"))
                .add_column(text_null(Alias::new("payment_instructions")))
                .take(),
        )
        .await?;
        // Estimate lines: the customer's word on each labour line.
        for column in [
            string(Alias::new("approval"))
                .default("pending")
                .check(Expr::cust(APPROVAL_CHECK))
                .take(),
            big_integer_null(Alias::new("approval_by")),
            timestamp_with_time_zone_null(Alias::new("approval_at")),
            text_null(Alias::new("approval_note")),
        ] {
            m.alter_table(
                Table::alter()
                    .table(Alias::new("labor_lines"))
                    .add_column(column)
                    .take(),
            )
            .await?;
        }

        m.create_table(timestamps(
            Table::create()
                .table(Alias::new("products"))
                .col(big_pk_auto(Alias::new("id")))
                .col(uuid_uniq(Alias::new("pid")))
                .col(big_integer(Alias::new("organization_id")))
                .col(big_integer(Alias::new("site_id")))
                .col(string(Alias::new("sku")))
                .col(string(Alias::new("name")))
                .col(numeric(m, Alias::new("unit_cost"), 14, 2))
                .col(numeric(m, Alias::new("unit_price"), 14, 2))
                .col(
                    big_integer(Alias::new("on_hand_milli"))
                        .check(Expr::cust("on_hand_milli >= 0")),
                )
                .col(
                    big_integer(Alias::new("reserved_milli"))
                        .default(0)
                        .check(Expr::cust("reserved_milli >= 0")),
                )
                .col(
                    big_integer(Alias::new("reorder_level_milli"))
                        .check(Expr::cust("reorder_level_milli >= 0")),
                )
                .col(string_null(Alias::new("supplier")))
                .col(string_null(Alias::new("barcode")))
                .check(Expr::cust("reserved_milli <= on_hand_milli"))
                .foreign_key(&mut references(
                    "products",
                    "organization_id",
                    "organizations",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut references(
                    "products",
                    "site_id",
                    "sites",
                    ForeignKeyAction::Restrict,
                ))
                .take(),
        ))
        .await?;
        m.create_index(index("products", &["site_id", "sku"], true))
            .await?;
        m.create_index(index(
            "products",
            &["organization_id", "site_id", "name"],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(Alias::new("stock_movements"))
                .col(big_pk_auto(Alias::new("id")))
                .col(uuid_uniq(Alias::new("pid")))
                .col(big_integer(Alias::new("organization_id")))
                .col(big_integer(Alias::new("site_id")))
                .col(big_integer(Alias::new("product_id")))
                .col(string(Alias::new("kind")).check(Expr::cust(
                    "kind IN ('receipt', 'adjustment', 'reservation', 'release', 'consumption', \
                     'transfer_in', 'transfer_out')",
                )))
                // The change to on-hand and to reserved stock, signed, and
                // both as they stood after it: each row explains the next.
                .col(big_integer(Alias::new("on_hand_change_milli")))
                .col(big_integer(Alias::new("reserved_change_milli")))
                .col(big_integer(Alias::new("on_hand_after_milli")))
                .col(big_integer(Alias::new("reserved_after_milli")))
                .col(numeric_null(m, Alias::new("unit_cost"), 14, 2))
                .col(text_null(Alias::new("reason")))
                .col(big_integer_null(Alias::new("repair_order_id")))
                .col(big_integer_null(Alias::new("purchase_order_id")))
                .col(big_integer_null(Alias::new("counterpart_product_id")))
                .col(big_integer_null(Alias::new("actor_id")))
                .col(timestamp_with_time_zone(Alias::new("created_at")))
                .foreign_key(&mut references(
                    "stock_movements",
                    "product_id",
                    "products",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut references(
                    "stock_movements",
                    "organization_id",
                    "organizations",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut references(
                    "stock_movements",
                    "site_id",
                    "sites",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut references(
                    "stock_movements",
                    "actor_id",
                    "users",
                    ForeignKeyAction::SetNull,
                ))
                .take(),
        )
        .await?;
        m.create_index(index("stock_movements", &["product_id", "id"], false))
            .await?;

        m.create_table(
            Table::create()
                .table(Alias::new("part_lines"))
                .col(big_pk_auto(Alias::new("id")))
                .col(uuid_uniq(Alias::new("pid")))
                .col(big_integer(Alias::new("organization_id")))
                .col(big_integer(Alias::new("site_id")))
                .col(big_integer(Alias::new("repair_order_id")))
                .col(big_integer(Alias::new("product_id")))
                // Copied from the product when the line was written.
                .col(string(Alias::new("sku")))
                .col(text(Alias::new("description")))
                .col(
                    big_integer(Alias::new("quantity_milli"))
                        .check(Expr::cust("quantity_milli > 0")),
                )
                .col(numeric(m, Alias::new("unit_price"), 14, 2))
                .col(numeric(m, Alias::new("unit_cost"), 14, 2))
                .col(numeric(m, Alias::new("amount"), 14, 2))
                // Stock held for the line until it is consumed or released.
                .col(boolean(Alias::new("reserved")).default(true))
                .col(timestamp_with_time_zone_null(Alias::new("consumed_at")))
                .col(
                    string(Alias::new("approval"))
                        .default("pending")
                        .check(Expr::cust(APPROVAL_CHECK)),
                )
                .col(big_integer_null(Alias::new("approval_by")))
                .col(timestamp_with_time_zone_null(Alias::new("approval_at")))
                .col(text_null(Alias::new("approval_note")))
                .col(big_integer_null(Alias::new("created_by")))
                .col(timestamp_with_time_zone(Alias::new("created_at")))
                .foreign_key(&mut references(
                    "part_lines",
                    "repair_order_id",
                    "repair_orders",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut references(
                    "part_lines",
                    "product_id",
                    "products",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut references(
                    "part_lines",
                    "organization_id",
                    "organizations",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut references(
                    "part_lines",
                    "site_id",
                    "sites",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut references(
                    "part_lines",
                    "created_by",
                    "users",
                    ForeignKeyAction::SetNull,
                ))
                .take(),
        )
        .await?;
        m.create_index(index("part_lines", &["repair_order_id"], false))
            .await?;

        m.create_table(timestamps(
            Table::create()
                .table(Alias::new("purchase_orders"))
                .col(big_pk_auto(Alias::new("id")))
                .col(uuid_uniq(Alias::new("pid")))
                .col(big_integer(Alias::new("organization_id")))
                .col(big_integer(Alias::new("site_id")))
                .col(string(Alias::new("supplier")))
                .col(string(Alias::new("status")).check(Expr::cust(
                    "status IN ('draft', 'ordered', 'partially_received', 'received')",
                )))
                .col(big_integer(Alias::new("created_by")))
                .col(timestamp_with_time_zone_null(Alias::new("ordered_at")))
                .col(timestamp_with_time_zone_null(Alias::new("received_at")))
                .foreign_key(&mut references(
                    "purchase_orders",
                    "organization_id",
                    "organizations",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut references(
                    "purchase_orders",
                    "site_id",
                    "sites",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut references(
                    "purchase_orders",
                    "created_by",
                    "users",
                    ForeignKeyAction::Restrict,
                ))
                .take(),
        ))
        .await?;
        m.create_index(index(
            "purchase_orders",
            &["organization_id", "site_id", "id"],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(Alias::new("purchase_order_lines"))
                .col(big_pk_auto(Alias::new("id")))
                .col(big_integer(Alias::new("organization_id")))
                .col(big_integer(Alias::new("site_id")))
                .col(big_integer(Alias::new("purchase_order_id")))
                .col(big_integer(Alias::new("product_id")))
                .col(
                    big_integer(Alias::new("quantity_milli"))
                        .check(Expr::cust("quantity_milli > 0")),
                )
                .col(
                    big_integer(Alias::new("received_milli"))
                        .default(0)
                        .check(Expr::cust("received_milli >= 0")),
                )
                .col(numeric(m, Alias::new("unit_cost"), 14, 2))
                .check(Expr::cust("received_milli <= quantity_milli"))
                .foreign_key(&mut references(
                    "purchase_order_lines",
                    "purchase_order_id",
                    "purchase_orders",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut references(
                    "purchase_order_lines",
                    "product_id",
                    "products",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut references(
                    "purchase_order_lines",
                    "organization_id",
                    "organizations",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut references(
                    "purchase_order_lines",
                    "site_id",
                    "sites",
                    ForeignKeyAction::Restrict,
                ))
                .take(),
        )
        .await?;
        m.create_index(index(
            "purchase_order_lines",
            &["purchase_order_id", "product_id"],
            true,
        ))
        .await?;

        // One row per site and year, bumped in the transaction that issues
        // an invoice: the numbers have no gaps and no repeats.
        m.create_table(
            Table::create()
                .table(Alias::new("invoice_counters"))
                .col(big_integer(Alias::new("site_id")))
                .col(integer(Alias::new("year")))
                .col(integer(Alias::new("last_number")))
                .primary_key(
                    Index::create()
                        .col(Alias::new("site_id"))
                        .col(Alias::new("year")),
                )
                .foreign_key(&mut references(
                    "invoice_counters",
                    "site_id",
                    "sites",
                    ForeignKeyAction::Cascade,
                ))
                .take(),
        )
        .await?;

        m.create_table(timestamps(
            Table::create()
                .table(Alias::new("invoices"))
                .col(big_pk_auto(Alias::new("id")))
                .col(uuid_uniq(Alias::new("pid")))
                .col(big_integer(Alias::new("organization_id")))
                .col(big_integer(Alias::new("site_id")))
                .col(big_integer(Alias::new("repair_order_id")))
                .col(big_integer(Alias::new("customer_id")))
                .col(integer(Alias::new("year")))
                .col(integer(Alias::new("sequence")))
                .col(string(Alias::new("number")))
                .col(string(Alias::new("status")).check(Expr::cust(
                    "status IN ('issued', 'partially_paid', 'paid', 'void')",
                )))
                .col(string(Alias::new("currency")))
                .col(numeric(m, Alias::new("tax_rate"), 6, 4))
                .col(numeric(m, Alias::new("subtotal"), 14, 2))
                .col(numeric(m, Alias::new("tax"), 14, 2))
                .col(numeric(m, Alias::new("total"), 14, 2))
                .col(numeric(m, Alias::new("amount_paid"), 14, 2))
                // What the invoice says, as it was when it was issued.
                .col(string(Alias::new("site_name")))
                .col(text_null(Alias::new("site_address")))
                .col(string_null(Alias::new("site_phone")))
                .col(string_null(Alias::new("site_email")))
                .col(text_null(Alias::new("payment_instructions")))
                .col(string(Alias::new("customer_name")))
                .col(string_null(Alias::new("customer_phone")))
                .col(string_null(Alias::new("customer_email")))
                .col(string(Alias::new("vehicle_plate")))
                .col(string(Alias::new("vehicle_description")))
                .col(big_integer_null(Alias::new("odometer_km")))
                .col(text(Alias::new("order_description")))
                .col(date(Alias::new("issued_on")))
                .col(timestamp_with_time_zone(Alias::new("issued_at")))
                .col(big_integer(Alias::new("issued_by")))
                .col(timestamp_with_time_zone_null(Alias::new("voided_at")))
                .col(big_integer_null(Alias::new("voided_by")))
                .col(text_null(Alias::new("void_reason")))
                .foreign_key(&mut references(
                    "invoices",
                    "organization_id",
                    "organizations",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut references(
                    "invoices",
                    "site_id",
                    "sites",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut references(
                    "invoices",
                    "repair_order_id",
                    "repair_orders",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut references(
                    "invoices",
                    "customer_id",
                    "customers",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut references(
                    "invoices",
                    "issued_by",
                    "users",
                    ForeignKeyAction::Restrict,
                ))
                .take(),
        ))
        .await?;
        m.create_index(index("invoices", &["site_id", "number"], true))
            .await?;
        m.create_index(index("invoices", &["site_id", "year", "sequence"], true))
            .await?;
        m.create_index(index("invoices", &["repair_order_id"], true))
            .await?;
        m.create_index(index(
            "invoices",
            &["organization_id", "site_id", "status", "issued_on"],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(Alias::new("invoice_lines"))
                .col(big_pk_auto(Alias::new("id")))
                .col(big_integer(Alias::new("organization_id")))
                .col(big_integer(Alias::new("site_id")))
                .col(big_integer(Alias::new("invoice_id")))
                .col(integer(Alias::new("position")))
                .col(string(Alias::new("kind")).check(Expr::cust("kind IN ('labor', 'part')")))
                .col(text(Alias::new("description")))
                .col(numeric(m, Alias::new("quantity"), 12, 3))
                .col(numeric(m, Alias::new("unit_price"), 14, 2))
                .col(numeric(m, Alias::new("amount"), 14, 2))
                .foreign_key(&mut references(
                    "invoice_lines",
                    "invoice_id",
                    "invoices",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut references(
                    "invoice_lines",
                    "organization_id",
                    "organizations",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut references(
                    "invoice_lines",
                    "site_id",
                    "sites",
                    ForeignKeyAction::Restrict,
                ))
                .take(),
        )
        .await?;
        m.create_index(index("invoice_lines", &["invoice_id", "position"], true))
            .await?;

        m.create_table(
            Table::create()
                .table(Alias::new("payments"))
                .col(big_pk_auto(Alias::new("id")))
                .col(uuid_uniq(Alias::new("pid")))
                .col(big_integer(Alias::new("organization_id")))
                .col(big_integer(Alias::new("site_id")))
                .col(big_integer(Alias::new("invoice_id")))
                .col(numeric(m, Alias::new("amount"), 14, 2))
                .col(string(Alias::new("method")).check(Expr::cust(
                    "method IN ('cash', 'card', 'mobile_money', 'bank_transfer')",
                )))
                .col(string_null(Alias::new("reference")))
                // A mobile-money transaction code, as its network writes it:
                // one code is one payment in the whole organization.
                .col(string_null(Alias::new("mobile_money_code")))
                .col(timestamp_with_time_zone(Alias::new("received_at")))
                .col(big_integer(Alias::new("received_by")))
                .col(timestamp_with_time_zone_null(Alias::new("reversed_at")))
                .col(big_integer_null(Alias::new("reversed_by")))
                .col(text_null(Alias::new("reversal_reason")))
                .foreign_key(&mut references(
                    "payments",
                    "invoice_id",
                    "invoices",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut references(
                    "payments",
                    "organization_id",
                    "organizations",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut references(
                    "payments",
                    "site_id",
                    "sites",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut references(
                    "payments",
                    "received_by",
                    "users",
                    ForeignKeyAction::Restrict,
                ))
                .take(),
        )
        .await?;
        m.create_index(index("payments", &["invoice_id"], false))
            .await?;
        m.create_index(index(
            "payments",
            &["organization_id", "mobile_money_code"],
            true,
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "payments",
            "invoice_lines",
            "invoices",
            "invoice_counters",
            "purchase_order_lines",
            "purchase_orders",
            "part_lines",
            "stock_movements",
            "products",
        ] {
            m.drop_table(Table::drop().table(Alias::new(table)).take())
                .await?;
        }
        for column in ["approval_note", "approval_at", "approval_by", "approval"] {
            m.alter_table(
                Table::alter()
                    .table(Alias::new("labor_lines"))
                    .drop_column(Alias::new(column))
                    .take(),
            )
            .await?;
        }
        m.alter_table(
            Table::alter()
                .table(Alias::new("sites"))
                .drop_column(Alias::new("payment_instructions"))
                .take(),
        )
        .await
    }
}
