//! Values with rules of their own. Each `parse` returns the message to show
//! against the field it came from, so a request collects every problem in one
//! 422 (`FieldErrors::check`).

mod contact;
mod money;
mod numeric;
mod repair;
mod site_settings;
mod text;
mod vehicle;

pub use contact::PhoneE164;
pub use money::{format_money, round_money, Hours, Money};
pub use numeric::Numeric;
pub use repair::{Priority, RepairStatus};
pub use site_settings::{CurrencyCode, SiteCode, TaxRate, TimeZone};
pub use text::{Email, Name, OptionalText, Password};
pub use vehicle::{Plate, Vin};
