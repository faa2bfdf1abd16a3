/// A Vehicle Identification Number (ISO 3779): 17 letters and digits,
/// never I, O or Q. North American VINs (first character 1–5) carry a check
/// digit in position 9, which is verified; other regions do not require one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Vin(String);

impl Vin {
    /// # Errors
    /// The field message when the VIN is malformed or its check digit is wrong.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let vin = raw.trim().to_ascii_uppercase();
        if vin.len() != 17 || !vin.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err("must be 17 letters and digits".to_string());
        }
        if vin.chars().any(|c| matches!(c, 'I' | 'O' | 'Q')) {
            return Err("must not contain I, O or Q".to_string());
        }
        if vin.starts_with(['1', '2', '3', '4', '5']) && check_digit(&vin) != vin.as_bytes()[8] {
            return Err("has a wrong check digit (position 9)".to_string());
        }
        Ok(Self(vin))
    }

    #[must_use]
    pub fn into_inner(self) -> String {
        self.0
    }
}

fn check_digit(vin: &str) -> u8 {
    const WEIGHTS: [u32; 17] = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];
    let value = |c: char| -> u32 {
        match c {
            '0'..='9' => c.to_digit(10).unwrap_or(0),
            'A' | 'J' => 1,
            'B' | 'K' | 'S' => 2,
            'C' | 'L' | 'T' => 3,
            'D' | 'M' | 'U' => 4,
            'E' | 'N' | 'V' => 5,
            'F' | 'W' => 6,
            'G' | 'P' | 'X' => 7,
            'H' | 'Y' => 8,
            'R' | 'Z' => 9,
            _ => 0,
        }
    };
    let sum: u32 = vin.chars().zip(WEIGHTS).map(|(c, w)| value(c) * w).sum();
    match sum % 11 {
        10 => b'X',
        n => b'0' + u8::try_from(n).unwrap_or(0),
    }
}

/// A number plate as written on the car, upper-cased with single spaces
/// (`KDA 123A`), and its key without separators (`KDA123A`) for search and
/// uniqueness.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plate {
    pub display: String,
    pub key: String,
}

impl Plate {
    /// # Errors
    /// The field message when the plate is not 2–12 letters and digits
    /// (spaces and hyphens allowed between them).
    pub fn parse(raw: &str) -> Result<Self, String> {
        let display = raw
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_ascii_uppercase();
        let key = Self::key_of(&display);
        let allowed = display
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-');
        if !allowed || !(2..=12).contains(&key.len()) {
            return Err("must be 2 to 12 letters and digits".to_string());
        }
        Ok(Self { display, key })
    }

    /// The search key of any text: letters and digits only, upper-cased.
    #[must_use]
    pub fn key_of(text: &str) -> String {
        text.chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_uppercase())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vins() {
        // A North American VIN with a correct check digit, and one without.
        assert!(Vin::parse("1M8GDM9AXKP042788").is_ok());
        assert_eq!(
            Vin::parse("1M8GDM9A1KP042788"),
            Err("has a wrong check digit (position 9)".to_string())
        );
        // Japanese and European VINs have no mandatory check digit.
        assert!(Vin::parse("JTDBR32E720123456").is_ok());
        assert!(Vin::parse(" wvwzzz1jz3w386752 ").is_ok());
        assert_eq!(
            Vin::parse("JTDBR32E72012345"),
            Err("must be 17 letters and digits".to_string())
        );
        assert_eq!(
            Vin::parse("JTDBR32E7201234O6"),
            Err("must not contain I, O or Q".to_string())
        );
        assert!(Vin::parse("JTDBR32E72012345!").is_err());
    }

    #[test]
    fn plates() {
        let plate = Plate::parse("  kda  123a ").unwrap();
        assert_eq!(plate.display, "KDA 123A");
        assert_eq!(plate.key, "KDA123A");
        assert_eq!(Plate::parse("UBA-123X").unwrap().key, "UBA123X");
        assert!(Plate::parse("K").is_err());
        assert!(Plate::parse("KDA 123A!").is_err());
        assert!(Plate::parse("ABCDEFGHIJKLM").is_err());
    }
}
