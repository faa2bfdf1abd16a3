use sea_orm_migration::{prelude::*, schema::*};

use crate::columns::{index, references, timestamps};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(timestamps(
            Table::create()
                .table(Alias::new("customers"))
                .col(big_pk_auto(Alias::new("id")))
                .col(uuid_uniq(Alias::new("pid")))
                .col(big_integer(Alias::new("organization_id")))
                .col(big_integer(Alias::new("home_site_id")))
                .col(string(Alias::new("name")))
                .col(string_null(Alias::new("phone")))
                .col(string_null(Alias::new("email")))
                .col(boolean(Alias::new("marketing_opt_in")).default(false))
                .col(timestamp_with_time_zone_null(Alias::new(
                    "marketing_consent_at",
                )))
                .col(string_null(Alias::new("marketing_consent_source")))
                .col(big_integer_null(Alias::new("marketing_consent_by")))
                // Set when the customer's personal data was erased; the row stays
                // so that their repair orders and invoices keep a (nameless) owner.
                .col(timestamp_with_time_zone_null(Alias::new("erased_at")))
                .foreign_key(&mut references(
                    "customers",
                    "organization_id",
                    "organizations",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut references(
                    "customers",
                    "home_site_id",
                    "sites",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut references(
                    "customers",
                    "marketing_consent_by",
                    "users",
                    ForeignKeyAction::SetNull,
                ))
                .take(),
        ))
        .await?;
        m.create_index(index("customers", &["organization_id", "name"], false))
            .await?;

        m.create_table(timestamps(
            Table::create()
                .table(Alias::new("vehicles"))
                .col(big_pk_auto(Alias::new("id")))
                .col(uuid_uniq(Alias::new("pid")))
                .col(big_integer(Alias::new("organization_id")))
                .col(big_integer(Alias::new("customer_id")))
                // As written on the car (`KDA 123A`), and without separators
                // for search and uniqueness (`KDA123A`).
                .col(string(Alias::new("plate")))
                .col(string(Alias::new("plate_key")))
                .col(string_null(Alias::new("vin")))
                .col(string(Alias::new("make")))
                .col(string(Alias::new("model")))
                .col(integer_null(Alias::new("year")))
                .col(integer_null(Alias::new("service_interval_months")))
                .col(big_integer_null(Alias::new("service_interval_km")))
                .col(date_null(Alias::new("last_service_on")))
                .col(big_integer_null(Alias::new("last_service_km")))
                // The service schedule, derived from the readings and the
                // intervals by `vehicles::ActiveModel::reschedule` alone.
                .col(big_integer_null(Alias::new("odometer_km")))
                .col(date_null(Alias::new("next_service_due_on")))
                .col(big_integer_null(Alias::new("next_service_due_km")))
                .col(date_null(Alias::new("next_service_km_predicted_on")))
                .col(date_null(Alias::new("service_due_on")))
                .foreign_key(&mut references(
                    "vehicles",
                    "organization_id",
                    "organizations",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut references(
                    "vehicles",
                    "customer_id",
                    "customers",
                    ForeignKeyAction::Restrict,
                ))
                .take(),
        ))
        .await?;
        m.create_index(index("vehicles", &["organization_id", "plate_key"], true))
            .await?;
        m.create_index(index("vehicles", &["organization_id", "vin"], false))
            .await?;
        m.create_index(index("vehicles", &["customer_id"], false))
            .await?;
        m.create_index(index("vehicles", &["service_due_on"], false))
            .await?;

        m.create_table(
            Table::create()
                .table(Alias::new("odometer_readings"))
                .col(big_pk_auto(Alias::new("id")))
                .col(big_integer(Alias::new("organization_id")))
                .col(big_integer(Alias::new("vehicle_id")))
                .col(big_integer(Alias::new("reading_km")))
                .col(date(Alias::new("read_on")))
                .col(string(Alias::new("source")))
                .col(big_integer_null(Alias::new("recorded_by")))
                .col(timestamp_with_time_zone(Alias::new("created_at")))
                .foreign_key(&mut references(
                    "odometer_readings",
                    "vehicle_id",
                    "vehicles",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut references(
                    "odometer_readings",
                    "recorded_by",
                    "users",
                    ForeignKeyAction::SetNull,
                ))
                .foreign_key(&mut references(
                    "odometer_readings",
                    "organization_id",
                    "organizations",
                    ForeignKeyAction::Cascade,
                ))
                .take(),
        )
        .await?;
        m.create_index(index(
            "odometer_readings",
            &["vehicle_id", "read_on"],
            false,
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in ["odometer_readings", "vehicles", "customers"] {
            m.drop_table(Table::drop().table(Alias::new(table)).take())
                .await?;
        }
        Ok(())
    }
}
