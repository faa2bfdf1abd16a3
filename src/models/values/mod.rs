//! Values with rules of their own. Each `parse` returns the message to show
//! against the field it came from, so a request collects every problem in one
//! 422 (`FieldErrors::check`).

mod billing;
mod contact;
mod money;
mod numeric;
mod quantity;
mod repair;
mod site_settings;
mod strict;
mod text;
mod vehicle;

pub use billing::{Approval, InvoiceStatus, MovementKind, PaymentMethod, PurchaseOrderStatus};
pub use contact::{LanguageCode, PhoneE164};
pub use money::{format_money, round_money, round_to_minor_unit, Hours, Money};
pub use numeric::Numeric;
pub use quantity::Quantity;
pub use repair::{Priority, RepairStatus};
pub use site_settings::{CurrencyCode, SiteCode, TaxRate, TimeZone};
pub use strict::{Day, Id};
pub use text::{Email, Name, OptionalText, Password};
pub use vehicle::{Plate, Vin};

/// The years a date the API takes may fall in: every database stores them,
/// and a date outside them is a slip of the keyboard.
pub const PLAUSIBLE_YEARS: std::ops::RangeInclusive<i32> = 1900..=2100;

/// `day`, or why it is not a date the API takes.
///
/// # Errors
/// The message for a date outside `PLAUSIBLE_YEARS`.
pub fn plausible_day(day: chrono::NaiveDate) -> Result<chrono::NaiveDate, String> {
    use chrono::Datelike;

    if PLAUSIBLE_YEARS.contains(&day.year()) {
        Ok(day)
    } else {
        Err(format!(
            "must be a date between {} and {}",
            PLAUSIBLE_YEARS.start(),
            PLAUSIBLE_YEARS.end()
        ))
    }
}

/// A string schema that takes only `values`, for the API's document.
#[must_use]
pub fn string_enum(values: impl Iterator<Item = &'static str>) -> utoipa::openapi::Object {
    use utoipa::openapi::schema::{ObjectBuilder, Type};

    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values))
        .build()
}

/// `schema`, or `null`: how an optional field of a change reads (absent and
/// `null` both leave the value as it is).
#[must_use]
pub fn or_null(mut schema: utoipa::openapi::Object) -> utoipa::openapi::Object {
    use utoipa::openapi::schema::{SchemaType, Type};

    if let SchemaType::Type(kind) = schema.schema_type {
        schema.schema_type = SchemaType::from_iter([kind, Type::Null]);
    }
    if let Some(values) = schema.enum_values.as_mut() {
        values.push(serde_json::Value::Null);
    }
    schema
}
