use crate::models::values::Stored;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What a user is to their organization (README, "Who may do what").
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    ToSchema,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::VariantArray,
)]
#[strum(serialize_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Owner,
    Manager,
    Advisor,
    Technician,
    Customer,
}

impl Role {
    /// Roles that work at a workshop, as opposed to its customers.
    pub const STAFF: [Self; 4] = [Self::Owner, Self::Manager, Self::Advisor, Self::Technician];

    /// The roles staff can be given, for the API's document: a customer's
    /// account is not opened through the staff endpoints.
    #[must_use]
    pub fn staff_schema() -> utoipa::openapi::Object {
        crate::models::values::string_enum(Self::STAFF.iter().map(|role| role.as_str()))
    }

    /// `staff_schema`, or `null` for "leave it as it is".
    #[must_use]
    pub fn staff_schema_or_null() -> utoipa::openapi::Object {
        crate::models::values::or_null(Self::staff_schema())
    }

    /// Owners see every site of the organization; everyone else the sites
    /// they are assigned to.
    #[must_use]
    pub const fn sees_every_site(self) -> bool {
        matches!(self, Self::Owner)
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
