//! Values with rules of their own. Each `parse` returns the message to show
//! against the field it came from, so a request collects every problem in one
//! 422 (`FieldErrors::check`).

mod numeric;
mod site_settings;
mod text;

pub use numeric::Numeric;
pub use site_settings::{CurrencyCode, SiteCode, TaxRate, TimeZone};
pub use text::{Email, Name, OptionalText, Password};
