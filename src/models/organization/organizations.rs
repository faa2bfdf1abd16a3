use sea_orm::{entity::prelude::*, ActiveValue, IntoActiveModel, QuerySelect};
use serde_json::json;

pub use crate::models::_entities::organizations::{self, ActiveModel, Column, Entity, Model};
use crate::models::{
    actor::{Ability, Actor},
    audit_events::{self, Change},
    error::{DomainError, DomainResult},
    Write,
};

#[async_trait::async_trait]
impl ActiveModelBehavior for ActiveModel {
    /// A new row gets its public id. Its times are the writer's to set,
    /// from the actor's (or the job's) clock.
    async fn before_save<C>(mut self, _db: &C, insert: bool) -> Result<Self, DbErr>
    where
        C: ConnectionTrait,
    {
        if insert {
            self.pid = ActiveValue::Set(Uuid::new_v4());
        }
        Ok(self)
    }
}

impl Model {
    /// # Errors
    /// When the database fails; a missing organization is a broken foreign key.
    pub async fn find_by_id(db: &impl ConnectionTrait, id: i64) -> Result<Self, DbErr> {
        Entity::find_by_id(id)
            .one(db)
            .await?
            .ok_or_else(|| DbErr::RecordNotFound(format!("organization {id}")))
    }
}

/// A change to the business's own details; `None` leaves a value as it is,
/// and for the optional ones `Some(None)` clears it.
#[derive(Clone, Debug, Default)]
pub struct OrganizationChanges {
    pub name: Option<String>,
    /// The registered name printed on invoices, when it differs from the
    /// trading name.
    pub legal_name: Option<Option<String>>,
    /// The tax authority's number: a KRA PIN in Kenya, a TIN in Uganda.
    pub tax_number: Option<Option<String>>,
}

impl Model {
    /// The name an invoice is issued in: the legal name, else the trading
    /// name.
    #[must_use]
    pub fn business_name(&self) -> &str {
        self.legal_name.as_deref().unwrap_or(&self.name)
    }

    /// Changes the business's details (owners), recording each value
    /// before and after. Invoices issued already keep what they printed.
    ///
    /// # Errors
    /// 403 unless the actor is an owner.
    pub async fn change(
        db: &Write,
        actor: &Actor,
        changes: OrganizationChanges,
    ) -> DomainResult<Self> {
        actor.authorize(Ability::ManageSites)?;
        let current = Entity::find_by_id(actor.organization_id())
            .lock_exclusive()
            .one(db)
            .await?
            .ok_or(DomainError::NotFound("organization"))?;
        let mut changed = serde_json::Map::new();
        let mut row = current.clone().into_active_model();
        if let Some(name) = changes.name.filter(|name| *name != current.name) {
            changed.insert("name".into(), json!({"from": current.name, "to": name}));
            row.name = ActiveValue::Set(name);
        }
        if let Some(legal) = changes
            .legal_name
            .filter(|legal| *legal != current.legal_name)
        {
            changed.insert(
                "legal_name".into(),
                json!({"from": current.legal_name, "to": legal}),
            );
            row.legal_name = ActiveValue::Set(legal);
        }
        if let Some(number) = changes
            .tax_number
            .filter(|number| *number != current.tax_number)
        {
            changed.insert(
                "tax_number".into(),
                json!({"from": current.tax_number, "to": number}),
            );
            row.tax_number = ActiveValue::Set(number);
        }
        if changed.is_empty() {
            return Ok(current);
        }
        row.updated_at = ActiveValue::Set(crate::models::now_at(actor.clock));
        let updated = row.update(db).await?;
        audit_events::Model::record(
            db,
            updated.id,
            actor,
            Change {
                action: "organization.updated",
                subject_type: "organization",
                subject_id: updated.pid,
                site_id: None,
                details: Some(serde_json::Value::Object(changed)),
            },
        )
        .await?;
        Ok(updated)
    }
}
