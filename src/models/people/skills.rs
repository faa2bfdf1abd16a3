//! The organization's skills (`electrical`, `ac`, `hybrid`, …), the ones
//! each technician has, and the ones a repair order needs: a technician
//! lacking one cannot claim the order or be assigned it.

use std::collections::HashMap;

use sea_orm::{
    sea_query::{Expr, ExprTrait, Query},
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QueryOrder, QuerySelect,
    RelationTrait,
};
use serde_json::json;
use uuid::Uuid;

pub use crate::models::_entities::skills::{ActiveModel, Column, Entity, Model};
use crate::models::Write;
use crate::models::{
    _entities::{repair_order_skills, technician_skills},
    actor::{Ability, Actor},
    audit_events::{self, Change},
    error::{DomainError, DomainResult, OnUnique},
    now_at,
};

impl sea_orm::ActiveModelBehavior for ActiveModel {}
impl sea_orm::ActiveModelBehavior for technician_skills::ActiveModel {}
impl sea_orm::ActiveModelBehavior for repair_order_skills::ActiveModel {}

/// The most skills one order needs or one technician has.
pub const MAX_SKILLS: usize = 30;

/// How a skill is compared: trimmed, lower case, inner spaces single.
#[must_use]
pub fn key_of(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

impl Model {
    /// The organization's skills, by name.
    ///
    /// # Errors
    /// 403 for customers (skills are the workshop's business).
    pub async fn list_for(db: &impl ConnectionTrait, actor: &Actor) -> DomainResult<Vec<Self>> {
        actor.authorize(Ability::ViewSites)?;
        Ok(Entity::find()
            .filter(Column::OrganizationId.eq(actor.organization_id()))
            .order_by_asc(Column::Key)
            .all(db)
            .await?)
    }

    /// Adds a skill to the organization's list.
    ///
    /// # Errors
    /// 403 unless owner or manager; 409 naming `name` when the organization
    /// has it already (in any case).
    pub async fn create(db: &Write, actor: &Actor, name: String) -> DomainResult<Self> {
        actor.authorize(Ability::ManageTechnicians)?;
        let now = now_at(actor.clock);
        let skill = ActiveModel {
            pid: Set(Uuid::new_v4()),
            organization_id: Set(actor.organization_id()),
            key: Set(key_of(&name)),
            name: Set(name),
            created_by: Set(Some(actor.user_id())),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await
        .on_unique("name", "is a skill already")?;
        audit_events::Model::record(
            db,
            actor.organization_id(),
            actor,
            Change {
                action: "skill.created",
                subject_type: "skill",
                subject_id: skill.pid,
                site_id: None,
                details: Some(json!({"name": skill.name})),
            },
        )
        .await?;
        Ok(skill)
    }
}

/// The organization's skills named in `names` (any case), in the order
/// given.
///
/// # Errors
/// 422 at `field` naming each name that is not one of its skills.
pub async fn resolve(
    db: &impl ConnectionTrait,
    organization_id: i64,
    names: &[String],
    field: &str,
) -> DomainResult<Vec<Model>> {
    if names.len() > MAX_SKILLS {
        return Err(DomainError::invalid(
            field,
            format!("must name at most {MAX_SKILLS} skills"),
        ));
    }
    let keys: Vec<String> = names.iter().map(|name| key_of(name)).collect();
    let found: HashMap<String, Model> = Entity::find()
        .filter(Column::OrganizationId.eq(organization_id))
        .filter(Column::Key.is_in(keys.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|skill| (skill.key.clone(), skill))
        .collect();
    let mut errors = crate::models::error::FieldErrors::default();
    let mut skills: Vec<Model> = Vec::new();
    for (name, key) in names.iter().zip(&keys) {
        match found.get(key) {
            Some(skill) if !skills.iter().any(|known| known.id == skill.id) => {
                skills.push(skill.clone());
            }
            Some(_) => {}
            None => errors.add(
                field,
                format!("`{name}` is not one of your skills; add it first (POST /api/skills)"),
            ),
        }
    }
    errors.finish()?;
    Ok(skills)
}

/// The names of the skills each of `orders` needs.
///
/// # Errors
/// When the database fails.
pub async fn of_orders(
    db: &impl ConnectionTrait,
    orders: &[i64],
) -> DomainResult<HashMap<i64, Vec<String>>> {
    let rows: Vec<(i64, String)> = repair_order_skills::Entity::find()
        .select_only()
        .column(repair_order_skills::Column::RepairOrderId)
        .column(Column::Name)
        .join(
            JoinType::InnerJoin,
            repair_order_skills::Relation::Skills.def(),
        )
        .filter(repair_order_skills::Column::RepairOrderId.is_in(orders.iter().copied()))
        .order_by_asc(Column::Key)
        .into_tuple()
        .all(db)
        .await?;
    let mut needs: HashMap<i64, Vec<String>> = HashMap::new();
    for (order, name) in rows {
        needs.entry(order).or_default().push(name);
    }
    Ok(needs)
}

/// The names of the skills `technician` has.
///
/// # Errors
/// When the database fails.
pub async fn of_technician(
    db: &impl ConnectionTrait,
    technician: i64,
) -> DomainResult<Vec<String>> {
    Ok(technician_skills::Entity::find()
        .select_only()
        .column(Column::Name)
        .join(
            JoinType::InnerJoin,
            technician_skills::Relation::Skills.def(),
        )
        .filter(technician_skills::Column::UserId.eq(technician))
        .order_by_asc(Column::Key)
        .into_tuple()
        .all(db)
        .await?)
}

/// The skills order `order` needs that `technician` lacks, by name.
///
/// # Errors
/// When the database fails.
pub async fn missing(
    db: &impl ConnectionTrait,
    order: i64,
    technician: i64,
) -> DomainResult<Vec<String>> {
    Ok(repair_order_skills::Entity::find()
        .select_only()
        .column(Column::Name)
        .join(
            JoinType::InnerJoin,
            repair_order_skills::Relation::Skills.def(),
        )
        .filter(repair_order_skills::Column::RepairOrderId.eq(order))
        .filter(repair_order_skills::Column::SkillId.not_in_subquery(held_by(technician)))
        .order_by_asc(Column::Key)
        .into_tuple()
        .all(db)
        .await?)
}

/// `SELECT skill_id FROM technician_skills WHERE user_id = technician`.
fn held_by(technician: i64) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(technician_skills::Column::SkillId)
        .from(technician_skills::Entity)
        .and_where(technician_skills::Column::UserId.eq(technician))
        .to_owned()
}

/// The condition, for an update of `repair_orders`, that `technician` has
/// every skill the order needs: so a claim is decided with the skills as
/// they are when it is written.
#[must_use]
pub fn has_every_skill_for(technician: i64) -> Expr {
    Expr::exists(
        Query::select()
            .expr(Expr::val(1))
            .from(repair_order_skills::Entity)
            .and_where(
                Expr::col((
                    repair_order_skills::Entity,
                    repair_order_skills::Column::RepairOrderId,
                ))
                .equals((
                    crate::models::_entities::repair_orders::Entity,
                    crate::models::_entities::repair_orders::Column::Id,
                )),
            )
            .and_where(repair_order_skills::Column::SkillId.not_in_subquery(held_by(technician)))
            .to_owned(),
    )
    .not()
}

/// The 422 for a technician who lacks `missing` at `field`; `who` ends the
/// sentence ("you do not have").
#[must_use]
pub fn lacking(field: &str, who: &str, missing: &[String]) -> DomainError {
    let named = missing
        .iter()
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(", ");
    DomainError::invalid(
        field,
        format!("this order needs the skill {named}, which {who}"),
    )
}

/// Makes `skills` exactly what order `order` needs.
///
/// # Errors
/// When the database fails.
pub async fn set_for_order(
    db: &impl ConnectionTrait,
    order: i64,
    skills: &[Model],
) -> DomainResult<()> {
    repair_order_skills::Entity::delete_many()
        .filter(repair_order_skills::Column::RepairOrderId.eq(order))
        .exec(db)
        .await?;
    if !skills.is_empty() {
        repair_order_skills::Entity::insert_many(skills.iter().map(|skill| {
            repair_order_skills::ActiveModel {
                repair_order_id: Set(order),
                skill_id: Set(skill.id),
            }
        }))
        .exec_without_returning(db)
        .await?;
    }
    Ok(())
}

/// Makes `skills` exactly what `technician` has.
///
/// # Errors
/// When the database fails.
pub async fn set_for_technician(
    db: &impl ConnectionTrait,
    technician: i64,
    skills: &[Model],
) -> DomainResult<()> {
    technician_skills::Entity::delete_many()
        .filter(technician_skills::Column::UserId.eq(technician))
        .exec(db)
        .await?;
    if !skills.is_empty() {
        technician_skills::Entity::insert_many(skills.iter().map(|skill| {
            technician_skills::ActiveModel {
                user_id: Set(technician),
                skill_id: Set(skill.id),
            }
        }))
        .exec_without_returning(db)
        .await?;
    }
    Ok(())
}
