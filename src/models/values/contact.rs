/// A phone number in E.164 (`+254712345678`). Spaces, hyphens, dots and
/// brackets between digits are accepted and dropped; a national number
/// without its country code is refused, since the workshop's customers
/// span several countries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PhoneE164(String);

impl PhoneE164 {
    /// # Errors
    /// The field message when the number is not in international format.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let trimmed = raw.trim();
        let Some(rest) = trimmed.strip_prefix('+') else {
            return Err("must be in international format, e.g. +254712345678".to_string());
        };
        if !rest
            .chars()
            .all(|c| c.is_ascii_digit() || " -.()".contains(c))
        {
            return Err("must hold only digits after the +".to_string());
        }
        let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
        if digits.starts_with('0') || !(8..=15).contains(&digits.len()) {
            return Err("must be a country code and number of 8 to 15 digits".to_string());
        }
        Ok(Self(format!("+{digits}")))
    }

    #[must_use]
    pub fn into_inner(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones() {
        assert_eq!(
            PhoneE164::parse("+254 712 345-678").unwrap().into_inner(),
            "+254712345678"
        );
        assert_eq!(
            PhoneE164::parse("+256 (772) 000300").unwrap().into_inner(),
            "+256772000300"
        );
        for bad in [
            "0712345678",
            "+0712345678",
            "+2547",
            "+2547123456789012",
            "+254 712 abc",
            "",
        ] {
            assert!(PhoneE164::parse(bad).is_err(), "{bad} should be refused");
        }
    }
}
