//! In-app notifications, e.g. a technician's "a job was assigned to you".

use std::collections::HashMap;

use sea_orm::{entity::prelude::*, ActiveValue, IntoActiveModel, QueryOrder, QuerySelect};

pub use crate::models::_entities::notifications::{self, ActiveModel, Column, Entity, Model};
use crate::models::error::{DomainError, DomainResult};
use crate::models::values::Stored;
use crate::models::{
    actor::Actor,
    paging::{Page, PageRequest},
    workshop::repair_orders,
};

impl ActiveModelBehavior for ActiveModel {}

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, strum::IntoStaticStr, strum::EnumString, strum::VariantArray,
)]
#[strum(serialize_all = "snake_case")]
pub enum Kind {
    RepairOrderAssigned,
    /// The customer approved or declined lines through their estimate link.
    EstimateDecided,
    /// A technician handed back an order assigned to them.
    AssignmentDeclined,
    /// A message to a customer could not be sent by its deadline.
    MessageGivenUp,
}

impl Model {
    /// Tells `user` something, at `at`.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn notify(
        db: &impl ConnectionTrait,
        at: DateTimeWithTimeZone,
        user: &crate::models::people::users::Model,
        kind: Kind,
        title: &str,
        body: &str,
        repair_order_id: Option<i64>,
    ) -> Result<Self, DbErr> {
        ActiveModel {
            pid: ActiveValue::Set(Uuid::new_v4()),
            organization_id: ActiveValue::Set(user.organization_id),
            user_id: ActiveValue::Set(user.id),
            kind: ActiveValue::Set(kind.as_str().to_string()),
            title: ActiveValue::Set(title.to_string()),
            body: ActiveValue::Set(body.to_string()),
            repair_order_id: ActiveValue::Set(repair_order_id),
            created_at: ActiveValue::Set(at),
            ..Default::default()
        }
        .insert(db)
        .await
    }

    /// The actor's notifications, newest first.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn list_for(
        db: &impl ConnectionTrait,
        actor: &Actor,
        unread_only: bool,
        page: PageRequest,
    ) -> DomainResult<Page<Self>> {
        let mut query = Entity::find().filter(Column::UserId.eq(actor.user_id()));
        if unread_only {
            query = query.filter(Column::ReadAt.is_null());
        }
        let query = query
            .order_by_desc(Column::CreatedAt)
            .order_by_desc(Column::Id);
        page.fetch(db, query).await
    }

    /// Marks one of the actor's notifications read.
    ///
    /// # Errors
    /// 404 when the actor has no such notification.
    pub async fn mark_read(
        db: &impl ConnectionTrait,
        actor: &Actor,
        pid: Uuid,
    ) -> DomainResult<Self> {
        let notification = Entity::find()
            .filter(Column::UserId.eq(actor.user_id()))
            .filter(Column::Pid.eq(pid))
            .one(db)
            .await?
            .ok_or(DomainError::NotFound("notification"))?;
        if notification.read_at.is_some() {
            return Ok(notification);
        }
        let mut notification = notification.into_active_model();
        notification.read_at = ActiveValue::Set(Some(crate::models::now_at(actor.clock)));
        Ok(notification.update(db).await?)
    }

    /// Marks all of the actor's notifications read; returns how many were not.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn mark_all_read(db: &impl ConnectionTrait, actor: &Actor) -> DomainResult<u64> {
        let result = Entity::update_many()
            .col_expr(
                Column::ReadAt,
                sea_orm::sea_query::Expr::value(crate::models::now_at(actor.clock)),
            )
            .filter(Column::UserId.eq(actor.user_id()))
            .filter(Column::ReadAt.is_null())
            .exec(db)
            .await?;
        Ok(result.rows_affected)
    }

    /// The public ids of the repair orders these notifications are about.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn order_pids(
        db: &impl ConnectionTrait,
        notifications: &[Self],
    ) -> Result<HashMap<i64, Uuid>, DbErr> {
        let ids: Vec<i64> = notifications
            .iter()
            .filter_map(|n| n.repair_order_id)
            .collect();
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let pairs: Vec<(i64, Uuid)> = repair_orders::Entity::find()
            .select_only()
            .columns([repair_orders::Column::Id, repair_orders::Column::Pid])
            .filter(repair_orders::Column::Id.is_in(ids))
            .into_tuple()
            .all(db)
            .await?;
        Ok(pairs.into_iter().collect())
    }
}
