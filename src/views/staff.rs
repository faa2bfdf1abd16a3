use chrono::{DateTime, FixedOffset};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::sites::SiteRef;
use crate::models::{
    organization::sites,
    people::{roles::Role, users},
};

/// A member of staff.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffResponse {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub role: Role,
    /// Deactivated staff cannot sign in; their history stays.
    pub active: bool,
    /// Assigned sites (empty for owners, who see every site).
    pub sites: Vec<SiteRef>,
    #[serde(serialize_with = "super::time::rfc3339")]
    pub created_at: DateTime<FixedOffset>,
    #[serde(serialize_with = "super::time::rfc3339")]
    pub updated_at: DateTime<FixedOffset>,
}

impl StaffResponse {
    #[must_use]
    pub fn new(user: &users::Model, role: Role, sites: &[sites::Model]) -> Self {
        Self {
            id: user.pid,
            name: user.name.clone(),
            email: user.email.clone(),
            role,
            active: user.active,
            sites: sites.iter().map(SiteRef::from).collect(),
            created_at: user.created_at,
            updated_at: user.updated_at,
        }
    }
}
