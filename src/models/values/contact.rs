use phonenumber::{Mode, PhoneNumber};

/// A phone number in E.164 (`+254712345678`), valid for its country by
/// libphonenumber's metadata (the `phonenumber` crate): the right length and
/// prefixes for Kenya, Uganda or anywhere else. Spaces, hyphens, dots and
/// brackets between digits are accepted and dropped; a national number
/// without its country code is refused, since the workshop's customers span
/// several countries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PhoneE164(String);

impl PhoneE164 {
    /// # Errors
    /// The field message when the number is not in international format or
    /// is not a valid number in its country.
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
        let number: PhoneNumber = phonenumber::parse(None, trimmed)
            .ok()
            .filter(phonenumber::is_valid)
            .ok_or_else(|| {
                "is not a valid phone number for its country code, e.g. +254712345678".to_string()
            })?;
        Ok(Self(number.format().mode(Mode::E164).to_string()))
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
            // Kenyan mobile numbers have nine digits after +254.
            "+25471234567",
            "+2547123456789",
            // No such country code.
            "+999712345678",
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

/// The language customers are written to in: `en` or `sw`.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    utoipa::ToSchema,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::VariantArray,
)]
#[strum(serialize_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum LanguageCode {
    /// English.
    #[default]
    En,
    /// Kiswahili.
    Sw,
}
