//! The business as its staff see it.

use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::models::organization::organizations;

#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationResponse {
    pub id: Uuid,
    /// The trading name.
    #[schema(example = "Kamau Motors")]
    pub name: String,
    /// The registered name, when it differs from the trading name.
    #[schema(example = "Kamau Motors Limited")]
    pub legal_name: Option<String>,
    /// The name invoices are issued in: the legal name, else the trading
    /// name.
    pub business_name: String,
    /// Printed on every invoice: a KRA PIN in Kenya, a TIN in Uganda.
    #[schema(example = "P051234567X")]
    pub tax_number: Option<String>,
}

impl From<&organizations::Model> for OrganizationResponse {
    fn from(organization: &organizations::Model) -> Self {
        Self {
            id: organization.pid,
            name: organization.name.clone(),
            legal_name: organization.legal_name.clone(),
            business_name: organization.business_name().to_string(),
            tax_number: organization.tax_number.clone(),
        }
    }
}
