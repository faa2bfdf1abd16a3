//! Ids and dates read exactly as the API's document writes them, wherever
//! they come from (a JSON body, a query string, a form): the `uuid` crate
//! also takes `{…}`, `urn:uuid:…` and 32 bare hex digits, and chrono takes
//! `2026-1-1`; a client that sends those has a bug the server should name,
//! not guess around.

use std::fmt;

use chrono::NaiveDate;
use serde::{de, Deserialize, Deserializer, Serialize, Serializer};
use utoipa::{
    openapi::{
        schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type},
        RefOr, Schema,
    },
    PartialSchema, ToSchema,
};
use uuid::Uuid;

/// A public id: a UUID in its hyphenated form (`8-4-4-4-12` hex digits).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Id(pub Uuid);

impl Id {
    pub const MESSAGE: &'static str = "is not a valid id";

    /// # Errors
    /// The field message for anything but a hyphenated UUID.
    pub fn parse(text: &str) -> Result<Self, String> {
        if text.len() == 36 {
            if let Ok(id) = Uuid::try_parse(text) {
                return Ok(Self(id));
            }
        }
        Err(Self::MESSAGE.to_string())
    }

    /// The UUIDs of a list of ids.
    #[must_use]
    pub fn uuids(ids: &[Self]) -> Vec<Uuid> {
        ids.iter().map(|id| id.0).collect()
    }
}

impl From<Id> for Uuid {
    fn from(id: Id) -> Self {
        id.0
    }
}

impl From<Uuid> for Id {
    fn from(id: Uuid) -> Self {
        Self(id)
    }
}

impl std::ops::Deref for Id {
    type Target = Uuid;

    fn deref(&self) -> &Uuid {
        &self.0
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Self::parse(&text).map_err(de::Error::custom)
    }
}

impl Serialize for Id {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl PartialSchema for Id {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)))
            .into()
    }
}

impl ToSchema for Id {}

/// A calendar date written `YYYY-MM-DD`, each part with all its digits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Day(pub NaiveDate);

impl Day {
    pub const MESSAGE: &'static str = "must be a date written YYYY-MM-DD";

    /// # Errors
    /// The field message for anything but a real date in that form.
    pub fn parse(text: &str) -> Result<Self, String> {
        let digits_in_place = text.len() == 10
            && text.bytes().enumerate().all(|(index, byte)| match index {
                4 | 7 => byte == b'-',
                _ => byte.is_ascii_digit(),
            });
        if digits_in_place {
            if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
                return Ok(Self(day));
            }
        }
        Err(Self::MESSAGE.to_string())
    }
}

impl From<Day> for NaiveDate {
    fn from(day: Day) -> Self {
        day.0
    }
}

impl std::ops::Deref for Day {
    type Target = NaiveDate;

    fn deref(&self) -> &NaiveDate {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Self::parse(&text).map_err(de::Error::custom)
    }
}

impl Serialize for Day {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl PartialSchema for Day {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
            .into()
    }
}

impl ToSchema for Day {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_hyphenated_uuids_only() {
        let id = "0b6b3a4e-8c2f-4f53-9d1e-6a4c2b1f9e07";
        assert_eq!(Id::parse(id).unwrap().to_string(), id);
        assert!(Id::parse(&id.to_uppercase()).is_ok());
        for bad in [
            "{0b6b3a4e-8c2f-4f53-9d1e-6a4c2b1f9e07}",
            "urn:uuid:0b6b3a4e-8c2f-4f53-9d1e-6a4c2b1f9e07",
            "0b6b3a4e8c2f4f539d1e6a4c2b1f9e07",
            " 0b6b3a4e-8c2f-4f53-9d1e-6a4c2b1f9e07",
            "",
        ] {
            assert!(Id::parse(bad).is_err(), "{bad:?} was taken");
        }
    }

    #[test]
    fn days_have_every_digit() {
        assert_eq!(
            Day::parse("2026-01-09").unwrap().0,
            NaiveDate::from_ymd_opt(2026, 1, 9).unwrap()
        );
        for bad in [
            "2026-1-1",
            "2026-01-9",
            "2026-02-30",
            " 2026-01-09",
            "20260109",
            "+2026-01-09",
        ] {
            assert!(Day::parse(bad).is_err(), "{bad:?} was taken");
        }
    }
}
