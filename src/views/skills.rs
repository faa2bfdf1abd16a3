//! Skills and technicians' profiles as the API shows them.

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::sites::SiteRef;
use crate::models::{
    skills,
    technician_profiles::{CertificationLevel, Profile},
};

#[derive(Debug, Serialize, ToSchema)]
pub struct SkillResponse {
    pub id: Uuid,
    #[schema(example = "hybrid")]
    pub name: String,
}

impl From<skills::Model> for SkillResponse {
    fn from(skill: skills::Model) -> Self {
        Self {
            id: skill.pid,
            name: skill.name,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TechnicianResponse {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    /// Whether they may sign in and take work.
    pub active: bool,
    #[schema(example = "+254712345678")]
    pub phone: Option<String>,
    pub hire_date: Option<NaiveDate>,
    pub certification_level: Option<CertificationLevel>,
    pub home_site: Option<SiteRef>,
    #[schema(example = json!(["electrical", "hybrid"]))]
    pub skills: Vec<String>,
}

impl From<Profile> for TechnicianResponse {
    fn from(profile: Profile) -> Self {
        Self {
            id: profile.user.pid,
            name: profile.user.name,
            email: profile.user.email,
            active: profile.user.active,
            phone: profile.phone,
            hire_date: profile.hire_date,
            certification_level: profile.certification_level,
            home_site: profile.home_site.as_ref().map(SiteRef::from),
            skills: profile.skills,
        }
    }
}
