//! Notes on a repair order: what was found, what the customer said.

use sea_orm::{entity::prelude::*, ActiveValue, QueryOrder};

pub use crate::models::_entities::repair_order_notes::{self, ActiveModel, Column, Entity, Model};
use crate::models::error::DomainResult;
use crate::models::{actor::Actor, workshop::repair_orders};

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// # Errors
    /// 403 when the actor may not work on the order.
    pub async fn add(
        db: &impl ConnectionTrait,
        actor: &Actor,
        order: &repair_orders::Model,
        body: String,
    ) -> DomainResult<Self> {
        order.authorize_work(actor)?;
        repair_orders::Model::touch(db, order.id, crate::models::now_at(actor.clock)).await?;
        Ok(ActiveModel {
            pid: ActiveValue::Set(Uuid::new_v4()),
            organization_id: ActiveValue::Set(order.organization_id),
            site_id: ActiveValue::Set(order.site_id),
            repair_order_id: ActiveValue::Set(order.id),
            author_id: ActiveValue::Set(Some(actor.user_id())),
            body: ActiveValue::Set(body),
            created_at: ActiveValue::Set(crate::models::now_at(actor.clock)),
            ..Default::default()
        }
        .insert(db)
        .await?)
    }

    /// A page of an order's notes, oldest first.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn page_of(
        db: &impl ConnectionTrait,
        order_id: i64,
        page: crate::models::paging::PageRequest,
    ) -> DomainResult<crate::models::paging::Page<Self>> {
        let query = Entity::find()
            .filter(Column::RepairOrderId.eq(order_id))
            .order_by_asc(Column::Id);
        page.fetch(db, query).await
    }
}
