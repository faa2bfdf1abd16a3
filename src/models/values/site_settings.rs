use rust_decimal::Decimal;

use super::{or_null, string_enum};

/// A branch code, used in invoice numbers: 2–8 letters or digits, stored
/// upper-case so that `nbo` and `NBO` are the same code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SiteCode(String);

impl SiteCode {
    /// # Errors
    /// The field message when the code is not 2–8 ASCII letters or digits.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let code = raw;
        let valid_chars = code.chars().all(|c| c.is_ascii_alphanumeric());
        if !(2..=8).contains(&code.len()) || !valid_chars {
            return Err("must be 2 to 8 letters or digits".to_string());
        }
        Ok(Self(code.to_ascii_uppercase()))
    }

    #[must_use]
    pub fn into_inner(self) -> String {
        self.0
    }
}

/// An IANA time zone such as `Africa/Nairobi`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeZone(chrono_tz::Tz);

impl TimeZone {
    /// # Errors
    /// The field message when the name is not in the IANA database.
    pub fn parse(raw: &str) -> Result<Self, String> {
        raw.parse::<chrono_tz::Tz>()
            .map(Self)
            .map_err(|_| "is not an IANA time zone such as Africa/Nairobi".to_string())
    }

    #[must_use]
    pub fn name(self) -> &'static str {
        self.0.name()
    }

    /// Every name `parse` accepts, for the API's document.
    #[must_use]
    pub fn schema() -> utoipa::openapi::Object {
        string_enum(chrono_tz::TZ_VARIANTS.iter().map(|zone| zone.name()))
    }

    /// `schema`, or `null` for "leave it as it is".
    #[must_use]
    pub fn schema_or_null() -> utoipa::openapi::Object {
        or_null(Self::schema())
    }
}

/// An ISO 4217 currency code such as `KES`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CurrencyCode(iso_currency::Currency);

impl CurrencyCode {
    /// # Errors
    /// The field message when the code is not an ISO 4217 currency.
    pub fn parse(raw: &str) -> Result<Self, String> {
        // Codes are taken in either case (`kes`), as typed; not padded.
        iso_currency::Currency::from_code(&raw.to_ascii_uppercase())
            .map(Self)
            .ok_or_else(|| "is not an ISO 4217 currency code such as KES".to_string())
    }

    #[must_use]
    pub fn code(self) -> &'static str {
        self.0.code()
    }

    /// How many decimal places amounts in `code` are rounded to: the
    /// currency's minor unit (KES 2, UGX 0), never more than the contract's
    /// two places.
    #[must_use]
    pub fn minor_digits(code: &str) -> u32 {
        iso_currency::Currency::from_code(code)
            .and_then(iso_currency::Currency::exponent)
            .map_or(2, |exponent| u32::from(exponent).min(2))
    }

    /// Every code `parse` accepts, for the API's document.
    #[must_use]
    pub fn schema() -> utoipa::openapi::Object {
        use iso_currency::IntoEnumIterator;

        string_enum(iso_currency::Currency::iter().map(|currency| currency.code()))
    }

    /// `schema`, or `null` for "leave it as it is".
    #[must_use]
    pub fn schema_or_null() -> utoipa::openapi::Object {
        or_null(Self::schema())
    }
}

/// A sales tax rate as a fraction (`"0.16"` for 16 %), at most four places.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TaxRate(Decimal);

impl TaxRate {
    /// # Errors
    /// The field message when the text is not a decimal in `[0, 1)` with at
    /// most four places.
    pub fn parse(raw: &str) -> Result<Self, String> {
        if raw.starts_with('-') {
            return Err("must be at least 0 and less than 1".to_string());
        }
        let rate = super::money::plain_decimal(raw, false, "0.16")?;
        if rate >= Decimal::ONE {
            return Err("must be at least 0 and less than 1".to_string());
        }
        if rate.normalize().scale() > 4 {
            return Err("must have at most four decimal places".to_string());
        }
        Ok(Self(rate.normalize()))
    }

    #[must_use]
    pub const fn decimal(self) -> Decimal {
        self.0
    }

    /// The contract shows rates with at least two places: `"0.16"`, `"0.075"`.
    #[must_use]
    pub fn display(rate: Decimal) -> String {
        let mut rate = rate.normalize();
        if rate.scale() < 2 {
            rate.rescale(2);
        }
        rate.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currencies_round_to_their_minor_unit() {
        assert_eq!(CurrencyCode::minor_digits("KES"), 2);
        assert_eq!(CurrencyCode::minor_digits("UGX"), 0);
        // Three-place currencies keep the contract's two.
        assert_eq!(CurrencyCode::minor_digits("KWD"), 2);
    }

    #[test]
    fn site_codes() {
        assert_eq!(SiteCode::parse("nbo1").unwrap().into_inner(), "NBO1");
        for bad in ["N", "NAIROBI12", "NB-1", "", "ÑBO", " NBO"] {
            assert!(SiteCode::parse(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn time_zones_and_currencies() {
        assert_eq!(
            TimeZone::parse("Africa/Kampala").unwrap().name(),
            "Africa/Kampala"
        );
        assert!(TimeZone::parse("Africa/Atlantis").is_err());
        assert_eq!(CurrencyCode::parse("ugx").unwrap().code(), "UGX");
        assert!(CurrencyCode::parse(" UGX").is_err());
        assert!(TimeZone::parse(" Africa/Kampala").is_err());
        assert!(CurrencyCode::parse("KSH").is_err());
    }

    #[test]
    fn tax_rates() {
        assert_eq!(
            TaxRate::parse("0.16").unwrap().decimal().to_string(),
            "0.16"
        );
        assert_eq!(
            TaxRate::display(TaxRate::parse("0.1600").unwrap().decimal()),
            "0.16"
        );
        assert_eq!(
            TaxRate::display(TaxRate::parse("0").unwrap().decimal()),
            "0.00"
        );
        assert_eq!(
            TaxRate::display(TaxRate::parse("0.075").unwrap().decimal()),
            "0.075"
        );
        for bad in ["-0.01", "1", "1.5", "0.12345", "sixteen", "", " 0.16", "-0"] {
            assert!(TaxRate::parse(bad).is_err(), "{bad} should be refused");
        }
    }
}
