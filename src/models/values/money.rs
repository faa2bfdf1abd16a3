use rust_decimal::{Decimal, RoundingStrategy};

/// Rounds to the cent, half away from zero: the contract's one rule for
/// money (docs/architecture.md, "Conventions").
#[must_use]
pub fn round_money(amount: Decimal) -> Decimal {
    amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// Rounds half away from zero to a currency's minor unit: `minor_digits`
/// places, 2 for the Kenyan shilling, 0 for the Ugandan.
#[must_use]
pub fn round_to_minor_unit(amount: Decimal, minor_digits: u32) -> Decimal {
    amount.round_dp_with_strategy(minor_digits, RoundingStrategy::MidpointAwayFromZero)
}

/// Money as the contract writes it: a string with exactly two places.
#[must_use]
pub fn format_money(amount: Decimal) -> String {
    let mut amount = round_money(amount);
    amount.rescale(2);
    amount.to_string()
}

/// A non-negative amount of money with at most two places, from a decimal
/// string (`"1500"`, `"1500.50"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Money(Decimal);

impl Money {
    /// # Errors
    /// The field message when the text is not such an amount.
    pub fn parse(raw: &str) -> Result<Self, String> {
        if raw.starts_with('-') {
            return Err("must not be negative".to_string());
        }
        let amount = parse_decimal(raw)?;
        if amount.normalize().scale() > 2 {
            return Err("must have at most two decimal places".to_string());
        }
        if amount >= Decimal::from(1_000_000_000_000_i64) {
            return Err("is too large".to_string());
        }
        Ok(Self(amount))
    }

    #[must_use]
    pub const fn decimal(self) -> Decimal {
        self.0
    }
}

/// Hours of labour: more than 0, at most 999, in steps of a hundredth.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hours(Decimal);

impl Hours {
    /// # Errors
    /// The field message when the text is not such a number of hours.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let hours = parse_decimal(raw)?;
        if hours <= Decimal::ZERO || hours > Decimal::from(999) {
            return Err("must be more than 0 and at most 999".to_string());
        }
        if hours.normalize().scale() > 2 {
            return Err("must have at most two decimal places".to_string());
        }
        Ok(Self(hours))
    }

    #[must_use]
    pub const fn decimal(self) -> Decimal {
        self.0
    }
}

/// A decimal written as the API's document writes one: digits, then
/// optionally a point and more digits, a minus sign first where `signed`.
/// No spaces, no `+`, no exponent (`Decimal::from_str` takes "1e3" and
/// "1_000"), no `-0`: the one reading of a decimal string for every
/// amount, quantity and rate, in bodies, queries and forms alike.
///
/// # Errors
/// `example`'s message ("must be a decimal string such as …") for anything
/// else.
pub(super) fn plain_decimal(raw: &str, signed: bool, example: &str) -> Result<Decimal, String> {
    let digits = if signed {
        raw.strip_prefix('-').unwrap_or(raw)
    } else {
        raw
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
    let plain = !whole.is_empty()
        && !fraction.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
        // Long enough to be nonsense before `Decimal` overflows on it.
        && whole.len() <= 20
        && fraction.len() <= 20;
    let refused = || format!("must be a decimal string such as \"{example}\"");
    if !plain {
        return Err(refused());
    }
    let value = raw.parse::<Decimal>().map_err(|_| refused())?;
    if raw.starts_with('-') && value.is_zero() {
        return Err(refused());
    }
    Ok(value)
}

fn parse_decimal(raw: &str) -> Result<Decimal, String> {
    plain_decimal(raw, false, "1500.00")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn amounts_round_to_the_currencys_minor_unit() {
        assert_eq!(round_to_minor_unit(d("4999.5"), 0), d("5000"));
        assert_eq!(round_to_minor_unit(d("-4999.5"), 0), d("-5000"));
        assert_eq!(round_to_minor_unit(d("0.125"), 2), d("0.13"));
        assert_eq!(
            format_money(round_to_minor_unit(d("14999.5"), 0)),
            "15000.00"
        );
    }

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(round_money(d("2.345")), d("2.35"));
        assert_eq!(round_money(d("2.344")), d("2.34"));
        assert_eq!(round_money(d("-2.345")), d("-2.35"));
        assert_eq!(format_money(d("1500")), "1500.00");
        assert_eq!(format_money(d("0.005")), "0.01");
    }

    #[test]
    fn money_and_hours() {
        assert_eq!(Money::parse("1500").unwrap().decimal(), d("1500"));
        assert!(Money::parse("1500.505").is_err());
        assert!(Money::parse("-1").is_err());
        assert!(Money::parse("1e3").is_err());
        assert!(Money::parse("1000000000000").is_err());
        assert!(Money::parse("").is_err());
        for bad in [" 1", "1 ", "-0", "+1", "1.", ".5", "1_000", "0x10"] {
            assert!(Money::parse(bad).is_err(), "{bad:?} was taken");
        }
        assert_eq!(Hours::parse("1.25").unwrap().decimal(), d("1.25"));
        assert!(Hours::parse("0").is_err());
        assert!(Hours::parse("1000").is_err());
        assert!(Hours::parse("0.125").is_err());
    }
}
