//! Who changed what, and when: one row per change that matters, written in
//! the same transaction as the change.

use sea_orm::{entity::prelude::*, ActiveValue, QueryOrder};
use serde_json::Value as Json;

pub use crate::models::_entities::audit_events::{self, ActiveModel, Column, Entity, Model};
use crate::models::error::DomainResult;
use crate::models::{
    actor::{Ability, Actor, By},
    paging::{Page, PageRequest},
    people::users,
};

impl ActiveModelBehavior for ActiveModel {}

/// The change being recorded.
pub struct Change<'a> {
    pub action: &'a str,
    pub subject_type: &'a str,
    pub subject_id: Uuid,
    pub site_id: Option<i64>,
    pub details: Option<Json>,
}

impl Model {
    /// Records a change made `by` a member of staff or the system, at its
    /// moment.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn record<'a>(
        db: &impl ConnectionTrait,
        organization_id: i64,
        by: impl Into<By<'a>>,
        change: Change<'_>,
    ) -> Result<Self, DbErr> {
        let by = by.into();
        ActiveModel {
            organization_id: ActiveValue::Set(organization_id),
            site_id: ActiveValue::Set(change.site_id),
            actor_id: ActiveValue::Set(by.user_id()),
            action: ActiveValue::Set(change.action.to_string()),
            subject_type: ActiveValue::Set(change.subject_type.to_string()),
            subject_id: ActiveValue::Set(change.subject_id),
            details: ActiveValue::Set(change.details),
            created_at: ActiveValue::Set(by.now()),
            ..Default::default()
        }
        .insert(db)
        .await
    }
}

/// An event with the name of whoever made it.
#[derive(Debug)]
pub struct AuditEntry {
    pub event: Model,
    pub actor: Option<(Uuid, String)>,
}

/// Which changes a reading of the trail shows.
#[derive(Clone, Debug, Default)]
pub struct Filters {
    /// Made by this member of staff (the user's row id).
    pub by: Option<i64>,
    /// To this kind of record (`invoice`, `repair_order`, …).
    pub subject_type: Option<String>,
    /// To this record.
    pub subject_id: Option<Uuid>,
    /// From the first instant of the one day to before the other's end.
    pub since: Option<DateTimeWithTimeZone>,
    pub before: Option<DateTimeWithTimeZone>,
}

impl Model {
    /// The organization's trail, newest first.
    ///
    /// # Errors
    /// 403 unless the actor may read the trail.
    pub async fn list_for(
        db: &impl ConnectionTrait,
        actor: &Actor,
        filters: Filters,
        page: PageRequest,
    ) -> DomainResult<Page<AuditEntry>> {
        actor.authorize(Ability::ViewAudit)?;
        let mut query = Entity::find().filter(Column::OrganizationId.eq(actor.organization_id()));
        if let Some(by) = filters.by {
            query = query.filter(Column::ActorId.eq(by));
        }
        if let Some(kind) = filters.subject_type {
            query = query.filter(Column::SubjectType.eq(kind));
        }
        if let Some(subject) = filters.subject_id {
            query = query.filter(Column::SubjectId.eq(subject));
        }
        if let Some(since) = filters.since {
            query = query.filter(Column::CreatedAt.gte(since));
        }
        if let Some(before) = filters.before {
            query = query.filter(Column::CreatedAt.lt(before));
        }
        let query = query
            .order_by_desc(Column::CreatedAt)
            .order_by_desc(Column::Id);
        let events = page.fetch(db, query).await?;
        let actor_ids: Vec<i64> = events.items.iter().filter_map(|e| e.actor_id).collect();
        let names = users::Model::names_by_id(db, &actor_ids).await?;
        Ok(events.map(|event| AuditEntry {
            actor: event.actor_id.and_then(|id| names.get(&id).cloned()),
            event,
        }))
    }
}
