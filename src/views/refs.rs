//! How one resource names another inside a response.

use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// A user (staff member) as others see them.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PersonRef {
    pub id: Uuid,
    pub name: String,
}

impl From<(Uuid, String)> for PersonRef {
    fn from((id, name): (Uuid, String)) -> Self {
        Self { id, name }
    }
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CustomerRef {
    pub id: Uuid,
    pub name: String,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct VehicleRef {
    pub id: Uuid,
    #[schema(example = "KDA 123A")]
    pub plate: String,
    pub make: String,
    pub model: String,
}
