//! A technician's profile: how to reach them, since when they work here,
//! their certification, their skills and their home branch. Managers (of
//! the technician's sites) and owners edit it; technicians read their own.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sea_orm::{
    prelude::DateTimeWithTimeZone, sea_query::Expr, ActiveValue::Set, ColumnTrait, ConnectionTrait,
    EntityTrait, QueryFilter,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

pub use crate::models::_entities::technician_profiles::{ActiveModel, Column, Entity, Model};
use crate::models::values::Stored;
use crate::models::Scoped;
use crate::models::{
    _entities::{sites, users},
    actor::{Ability, Actor},
    audit_events::{self, Change},
    error::{DomainError, DomainResult},
    now_at,
    people::{roles::Role, skills},
    Write,
};

impl sea_orm::ActiveModelBehavior for ActiveModel {}

/// How far a technician's training has gone.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    ToSchema,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::VariantArray,
)]
#[strum(serialize_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum CertificationLevel {
    Apprentice,
    Junior,
    Senior,
    Master,
}

/// How a technician is paid for their work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pay {
    /// This much an hour clocked on completed, invoiced work.
    Hourly(Decimal),
    /// This share (0–1) of the labour invoiced on the work they completed.
    LabourShare(Decimal),
}

impl Pay {
    #[must_use]
    pub const fn basis(self) -> &'static str {
        match self {
            Self::Hourly(_) => "hourly",
            Self::LabourShare(_) => "labour_share",
        }
    }

    #[must_use]
    pub const fn rate(self) -> Decimal {
        match self {
            Self::Hourly(rate) | Self::LabourShare(rate) => rate,
        }
    }

    fn from_stored(basis: Option<&str>, rate: Option<Decimal>) -> Option<Self> {
        match (basis?, rate?) {
            ("hourly", rate) => Some(Self::Hourly(rate)),
            ("labour_share", share) => Some(Self::LabourShare(share)),
            _ => None,
        }
    }
}

/// A technician with their profile.
#[derive(Clone, Debug)]
pub struct Profile {
    pub user: users::Model,
    pub phone: Option<String>,
    pub hire_date: Option<NaiveDate>,
    pub certification_level: Option<CertificationLevel>,
    pub home_site: Option<sites::Model>,
    pub skills: Vec<String>,
    pub pay: Option<Pay>,
}

/// A change to a profile; `Some(None)` clears a field.
#[derive(Debug, Default)]
pub struct ProfileChanges {
    pub phone: Option<Option<String>>,
    pub hire_date: Option<Option<NaiveDate>>,
    pub certification_level: Option<Option<CertificationLevel>>,
    pub home_site_id: Option<Option<Uuid>>,
    pub skills: Option<Vec<String>>,
    pub pay: Option<Option<Pay>>,
}

/// The technician `pid`, as `actor` may see them: themselves, or one of the
/// staff at their sites.
pub(crate) async fn technician_for(
    db: &impl ConnectionTrait,
    actor: &Actor,
    pid: Uuid,
) -> DomainResult<users::Model> {
    let user = if pid == actor.user.pid {
        actor.user.clone()
    } else {
        users::Model::find_staff_for(db, actor, pid)
            .await
            .map_err(|err| match err {
                DomainError::Forbidden => DomainError::NotFound("technician"),
                other => other,
            })?
    };
    if user.role()? != Role::Technician {
        return Err(DomainError::NotFound("technician"));
    }
    Ok(user)
}

/// Takes the write lock on `technician`'s profile row, creating it, so
/// that changes to their profile, hours and time off happen one at a time.
/// Written first: SQLite takes its lock at once, PostgreSQL locks the row
/// until the transaction ends.
///
/// # Errors
/// When the database fails.
pub(crate) async fn lock(
    db: &Write,
    technician: &users::Model,
    now: DateTimeWithTimeZone,
) -> DomainResult<()> {
    Entity::insert(ActiveModel {
        user_id: Set(technician.id),
        organization_id: Set(technician.organization_id),
        updated_at: Set(now),
        ..Default::default()
    })
    .on_conflict_do_nothing_on([Column::UserId])
    .exec_without_returning(db)
    .await?;
    Entity::update_many()
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::UserId.eq(technician.id))
        .exec(db)
        .await?;
    Ok(())
}

/// Technician `pid`'s profile.
///
/// # Errors
/// 404 for anyone but the technician and the staff who see them.
pub async fn find_for(
    db: &impl ConnectionTrait,
    actor: &Actor,
    pid: Uuid,
) -> DomainResult<Profile> {
    let user = technician_for(db, actor, pid).await?;
    profile_of(db, user).await
}

/// `user`'s profile, for a caller who has looked them up already.
///
/// # Errors
/// When the database fails.
pub(crate) async fn profile_of(
    db: &impl ConnectionTrait,
    user: users::Model,
) -> DomainResult<Profile> {
    let row = Entity::find_by_id(user.id).one(db).await?;
    let home_site = match row.as_ref().and_then(|row| row.home_site_id) {
        Some(id) => sites::Entity::find_by_id(id).one(db).await?,
        None => None,
    };
    let skills = skills::of_technician(db, user.id).await?;
    Ok(Profile {
        phone: row.as_ref().and_then(|row| row.phone.clone()),
        hire_date: row.as_ref().and_then(|row| row.hire_date),
        certification_level: row
            .as_ref()
            .and_then(|row| row.certification_level.as_deref())
            .and_then(CertificationLevel::from_stored),
        home_site,
        skills,
        pay: row.as_ref().and_then(|row| {
            Pay::from_stored(
                row.pay_basis.as_deref(),
                row.pay_rate.map(crate::models::values::Numeric::decimal),
            )
        }),
        user,
    })
}

/// Changes technician `pid`'s profile.
///
/// # Errors
/// 404 for a technician the actor does not see; 403 unless owner or
/// manager; 422 for a skill not on the organization's list or a home site
/// the actor does not see.
pub async fn update(
    db: &Write,
    actor: &Actor,
    pid: Uuid,
    changes: ProfileChanges,
) -> DomainResult<Profile> {
    let user = technician_for(db, actor, pid).await?;
    actor.authorize(Ability::ManageTechnicians)?;
    let now = now_at(actor.clock);
    lock(db, &user, now).await?;
    let home_site = match changes.home_site_id {
        Some(Some(site)) => Some(Some(
            sites::Entity::find_for(db, actor, site)
                .await
                .map_err(|err| match err {
                    DomainError::NotFound(_) => {
                        DomainError::invalid("home_site_id", "is not a site of yours")
                    }
                    other => other,
                })?,
        )),
        Some(None) => Some(None),
        None => None,
    };
    let skills = match &changes.skills {
        Some(names) => Some(skills::resolve(db, user.organization_id, names, "skills").await?),
        None => None,
    };
    let mut row = ActiveModel {
        user_id: sea_orm::ActiveValue::Unchanged(user.id),
        updated_at: Set(now),
        updated_by: Set(Some(actor.user_id())),
        ..Default::default()
    };
    if let Some(phone) = changes.phone.clone() {
        row.phone = Set(phone);
    }
    if let Some(hire_date) = changes.hire_date {
        row.hire_date = Set(hire_date);
    }
    if let Some(level) = changes.certification_level {
        row.certification_level = Set(level.map(|level| level.as_str().to_string()));
    }
    if let Some(site) = &home_site {
        row.home_site_id = Set(site.as_ref().map(|site| site.id));
    }
    if let Some(pay) = changes.pay {
        row.pay_basis = Set(pay.map(|pay| pay.basis().to_string()));
        row.pay_rate = Set(pay.map(|pay| crate::models::values::Numeric(pay.rate())));
    }
    Entity::update(row).exec(db).await?;
    if let Some(skills) = &skills {
        skills::set_for_technician(db, user.id, skills).await?;
    }
    let profile = profile_of(db, user).await?;
    audit_events::Model::record(
        db,
        actor.organization_id(),
        actor,
        Change {
            action: "technician.profile_updated",
            subject_type: "user",
            subject_id: profile.user.pid,
            site_id: None,
            details: Some(json!({
                "phone": changes.phone.map(|_| &profile.phone),
                "hire_date": changes.hire_date.map(|_| profile.hire_date),
                "certification_level": changes
                    .certification_level
                    .map(|_| profile.certification_level.map(CertificationLevel::as_str)),
                "home_site": home_site.map(|_| profile.home_site.as_ref().map(|site| site.pid)),
                "skills": changes.skills.map(|_| &profile.skills),
                "pay": changes.pay.map(|_| profile.pay.map(|pay| json!({
                    "basis": pay.basis(), "rate": pay.rate().to_string(),
                }))),
            })),
        },
    )
    .await?;
    Ok(profile)
}
