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
pub use text::{Email, Name, OptionalText, Password, TaxNumber};
pub use vehicle::{Plate, Vin};

/// A named state or kind, stored and shown as its snake-case name (the
/// migrations' CHECK constraints list the same names). The names come from
/// strum's derives (`IntoStaticStr`, `EnumString`, `VariantArray`, with
/// `serialize_all = "snake_case"`, as serde's `rename_all`), and every such
/// enum reads and writes them through this one trait.
pub trait Stored: Copy + Into<&'static str> + std::str::FromStr + strum::VariantArray {
    /// The name as stored.
    #[must_use]
    fn as_str(self) -> &'static str {
        self.into()
    }

    /// The variant a stored name is, if it is one.
    #[must_use]
    fn from_stored(value: &str) -> Option<Self> {
        value.parse().ok()
    }
}

impl<T> Stored for T where T: Copy + Into<&'static str> + std::str::FromStr + strum::VariantArray {}

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::{
        customers::ConsentSource,
        people::{availability::TimeOffKind, roles::Role, technician_profiles::CertificationLevel},
        workshop::attachments::AttachmentKind,
    };

    /// What the API shows (serde) and what the database stores (strum) are
    /// one name.
    fn names_agree<T: Stored + serde::Serialize + std::fmt::Debug>() {
        for &variant in T::VARIANTS {
            assert_eq!(
                serde_json::to_value(variant).unwrap(),
                serde_json::Value::from(variant.as_str()),
                "{variant:?}"
            );
            assert!(
                matches!(T::from_stored(variant.as_str()), Some(read) if read.as_str() == variant.as_str())
            );
        }
        assert!(T::from_stored("no such name").is_none());
    }

    #[test]
    fn stored_names_are_the_apis_names() {
        names_agree::<RepairStatus>();
        names_agree::<LanguageCode>();
        names_agree::<Approval>();
        names_agree::<MovementKind>();
        names_agree::<InvoiceStatus>();
        names_agree::<PaymentMethod>();
        names_agree::<PurchaseOrderStatus>();
        names_agree::<ConsentSource>();
        names_agree::<AttachmentKind>();
        names_agree::<CertificationLevel>();
        names_agree::<TimeOffKind>();
        names_agree::<Role>();
        assert_eq!(RepairStatus::PendingApproval.as_str(), "pending_approval");
        assert_eq!(PaymentMethod::MobileMoney.as_str(), "mobile_money");
    }
}
