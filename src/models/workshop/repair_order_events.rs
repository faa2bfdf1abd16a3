//! The history of a repair order: every status change, with who and when,
//! written in the same transaction as the change.

use sea_orm::{entity::prelude::*, ActiveValue, QueryOrder};

pub use crate::models::_entities::repair_order_events::{self, ActiveModel, Column, Entity, Model};
use crate::models::values::Stored;
use crate::models::{actor::Actor, people::users, values::RepairStatus, workshop::repair_orders};

impl ActiveModelBehavior for ActiveModel {}

/// An event with the name of whoever caused it.
#[derive(Debug)]
pub struct HistoryEntry {
    pub event: Model,
    pub actor: Option<(Uuid, String)>,
}

impl Model {
    /// # Errors
    /// When the database fails.
    pub async fn record(
        db: &impl ConnectionTrait,
        order: &repair_orders::Model,
        from: Option<RepairStatus>,
        to: RepairStatus,
        actor: &Actor,
        note: Option<String>,
    ) -> Result<Self, DbErr> {
        ActiveModel {
            organization_id: ActiveValue::Set(order.organization_id),
            site_id: ActiveValue::Set(order.site_id),
            repair_order_id: ActiveValue::Set(order.id),
            from_status: ActiveValue::Set(from.map(|status| status.as_str().to_string())),
            to_status: ActiveValue::Set(to.as_str().to_string()),
            actor_id: ActiveValue::Set(Some(actor.user_id())),
            note: ActiveValue::Set(note),
            created_at: ActiveValue::Set(crate::models::now_at(actor.clock)),
            ..Default::default()
        }
        .insert(db)
        .await
    }

    /// An order's history, oldest first.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn history_of(
        db: &impl ConnectionTrait,
        repair_order_id: i64,
    ) -> Result<Vec<HistoryEntry>, DbErr> {
        let events = Entity::find()
            .filter(Column::RepairOrderId.eq(repair_order_id))
            .order_by_asc(Column::Id)
            .all(db)
            .await?;
        let actor_ids: Vec<i64> = events.iter().filter_map(|event| event.actor_id).collect();
        let names = users::Model::names_by_id(db, &actor_ids).await?;
        Ok(events
            .into_iter()
            .map(|event| HistoryEntry {
                actor: event.actor_id.and_then(|id| names.get(&id).cloned()),
                event,
            })
            .collect())
    }
}
