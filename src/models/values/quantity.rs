use rust_decimal::Decimal;

/// A quantity of stock: an exact decimal with up to three places (a litre of
/// oil to the millilitre), kept as whole thousandths. The database stores
/// the thousandths (`*_milli` columns), so it can add, subtract and compare
/// quantities exactly in one conditional UPDATE on SQLite as on PostgreSQL.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quantity(i64);

/// The largest quantity anything holds: a billion units.
const MAX_MILLI: i64 = 1_000_000_000_000;

impl Quantity {
    pub const ZERO: Self = Self(0);

    /// # Errors
    /// The field message when the text is not a decimal with at most three
    /// places, or is negative, or (unless `zero_allowed`) zero.
    pub fn parse(raw: &str, zero_allowed: bool) -> Result<Self, String> {
        let value = Self::parse_signed(raw)?;
        match value.0 {
            n if n < 0 => Err("must not be negative".to_string()),
            0 if !zero_allowed => Err("must be more than 0".to_string()),
            _ => Ok(value),
        }
    }

    /// A change of stock, up or down (never zero).
    ///
    /// # Errors
    /// The field message when the text is not a decimal with at most three
    /// places, or is zero.
    pub fn parse_change(raw: &str) -> Result<Self, String> {
        let value = Self::parse_signed(raw)?;
        if value.0 == 0 {
            return Err("must not be zero".to_string());
        }
        Ok(value)
    }

    fn parse_signed(raw: &str) -> Result<Self, String> {
        let value = super::money::plain_decimal(raw, true, "1.5")?;
        if value.normalize().scale() > 3 {
            return Err("must have at most three decimal places".to_string());
        }
        let milli = (value * Decimal::from(1000))
            .trunc()
            .to_string()
            .parse::<i64>()
            .ok()
            .filter(|milli| milli.abs() < MAX_MILLI)
            .ok_or_else(|| "is too large".to_string())?;
        Ok(Self(milli))
    }

    #[must_use]
    pub const fn from_milli(milli: i64) -> Self {
        Self(milli)
    }

    #[must_use]
    pub const fn milli(self) -> i64 {
        self.0
    }

    #[must_use]
    pub fn decimal(self) -> Decimal {
        Decimal::new(self.0, 3).normalize()
    }

    #[must_use]
    pub const fn is_negative(self) -> bool {
        self.0 < 0
    }

    #[must_use]
    pub const fn abs(self) -> Self {
        Self(self.0.abs())
    }
}

impl std::fmt::Display for Quantity {
    /// As few places as it needs: `4`, `4.5`, `0.25`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.decimal())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_are_exact_thousandths() {
        assert_eq!(Quantity::parse("4.5", false).unwrap().milli(), 4500);
        assert_eq!(Quantity::parse("0.001", false).unwrap().milli(), 1);
        assert_eq!(Quantity::parse("12", false).unwrap().to_string(), "12");
        assert_eq!(Quantity::parse("0.250", false).unwrap().to_string(), "0.25");
        assert_eq!(Quantity::parse("0", true).unwrap(), Quantity::ZERO);
        assert_eq!(Quantity::parse_change("-2.5").unwrap().milli(), -2500);
        for bad in [
            "0",
            "-1",
            "1.0005",
            "1e3",
            "",
            "abc",
            "1-",
            "1000000000",
            " 1",
            "1 ",
            "-0",
        ] {
            assert!(Quantity::parse(bad, false).is_err(), "{bad} was accepted");
        }
        assert!(Quantity::parse_change("0").is_err());
        assert!(Quantity::parse_change("-0").is_err());
    }
}
