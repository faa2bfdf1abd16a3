use std::fmt;

use validator::ValidateEmail;

/// A person's, organization's or branch's name: trimmed, not blank, bounded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Name(String);

impl Name {
    /// # Errors
    /// The field message when the name is blank, too long or holds control
    /// characters.
    pub fn parse(raw: &str, max_chars: usize) -> Result<Self, String> {
        let name = raw.trim();
        if name.is_empty() {
            return Err("must not be blank".to_string());
        }
        if name.chars().count() > max_chars {
            return Err(format!("must be at most {max_chars} characters"));
        }
        if name.chars().any(char::is_control) {
            return Err("must not contain control characters".to_string());
        }
        Ok(Self(name.to_string()))
    }

    #[must_use]
    pub fn into_inner(self) -> String {
        self.0
    }
}

/// Free text that may be absent: blank input means "none".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OptionalText(Option<String>);

impl OptionalText {
    /// # Errors
    /// The field message when the text is longer than `max_chars`.
    pub fn parse(raw: Option<&str>, max_chars: usize) -> Result<Self, String> {
        let text = raw.map(str::trim).filter(|text| !text.is_empty());
        match text {
            Some(text) if text.chars().count() > max_chars => {
                Err(format!("must be at most {max_chars} characters"))
            }
            text => Ok(Self(text.map(ToString::to_string))),
        }
    }

    #[must_use]
    pub fn into_inner(self) -> Option<String> {
        self.0
    }
}

/// An email address, trimmed and lower-cased so that one address is one user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// # Errors
    /// The field message when the address is not a valid email.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let email = raw.trim().to_lowercase();
        if email.len() > 254 || !email.validate_email() {
            return Err("is not a valid email".to_string());
        }
        Ok(Self(email))
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    #[must_use]
    pub fn into_inner(self) -> String {
        self.0
    }
}

/// A password as typed. Its `Debug` never shows it, so it cannot reach a log.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub const MIN_CHARS: usize = 10;
    /// Hashing is deliberately slow; an unbounded input would make it a lever.
    pub const MAX_CHARS: usize = 256;

    /// # Errors
    /// The field message when the password is shorter than 10 or longer than
    /// 256 characters.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let chars = raw.chars().count();
        if chars < Self::MIN_CHARS {
            return Err(format!("must be at least {} characters", Self::MIN_CHARS));
        }
        if chars > Self::MAX_CHARS {
            return Err(format!("must be at most {} characters", Self::MAX_CHARS));
        }
        Ok(Self(raw.to_string()))
    }

    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_is_normalized_and_checked() {
        assert_eq!(
            Email::parse("  Wanjiru@Kamau.CO.KE ").unwrap().as_str(),
            "wanjiru@kamau.co.ke"
        );
        assert!(Email::parse("not-an-email").is_err());
        assert!(Email::parse("").is_err());
    }

    #[test]
    fn password_bounds_and_redaction() {
        assert!(Password::parse("short").is_err());
        assert!(Password::parse(&"x".repeat(257)).is_err());
        let password = Password::parse("long enough secret").unwrap();
        assert_eq!(format!("{password:?}"), "Password([redacted])");
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(
            Name::parse("  Kamau Motors ", 120).unwrap().into_inner(),
            "Kamau Motors"
        );
        assert!(Name::parse("   ", 120).is_err());
        assert!(Name::parse(&"a".repeat(121), 120).is_err());
        assert!(Name::parse("bad\u{0007}name", 120).is_err());
    }

    #[test]
    fn optional_text_treats_blank_as_none() {
        assert_eq!(
            OptionalText::parse(Some("  "), 10).unwrap().into_inner(),
            None
        );
        assert_eq!(OptionalText::parse(None, 10).unwrap().into_inner(), None);
        assert!(OptionalText::parse(Some("abcdefghijk"), 10).is_err());
    }
}

/// A tax authority's number for a business (a KRA PIN such as
/// `P051234567X`, a Ugandan TIN of ten digits): letters, digits, spaces,
/// dashes and slashes, 3 to 40 of them, kept upper-case as printed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaxNumber(String);

impl TaxNumber {
    /// # Errors
    /// The field message when it is not such a number.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let number = raw.trim();
        let shaped = (3..=40).contains(&number.chars().count())
            && number.starts_with(|c: char| c.is_ascii_alphanumeric())
            && number
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '/'));
        if shaped {
            Ok(Self(number.to_ascii_uppercase()))
        } else {
            Err("must be 3 to 40 letters, digits, spaces, dashes or slashes".to_string())
        }
    }

    #[must_use]
    pub fn into_inner(self) -> String {
        self.0
    }
}
