use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::sites::SiteRef;
use crate::models::{
    organization::{organizations, sites},
    people::{roles::Role, users},
};

/// The signed-in user: who they are, where they work.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeResponse {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub organization: OrganizationRef,
    /// The sites the user sees: all of them for an owner.
    pub sites: Vec<SiteRef>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationRef {
    pub id: Uuid,
    pub name: String,
}

impl MeResponse {
    #[must_use]
    pub fn new(
        user: &users::Model,
        role: Role,
        organization: &organizations::Model,
        sites: &[sites::Model],
    ) -> Self {
        Self {
            id: user.pid,
            name: user.name.clone(),
            email: user.email.clone(),
            role,
            organization: OrganizationRef {
                id: organization.pid,
                name: organization.name.clone(),
            },
            sites: sites.iter().map(SiteRef::from).collect(),
        }
    }
}

/// A token and the user it names.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuthResponse {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    pub user: MeResponse,
}
