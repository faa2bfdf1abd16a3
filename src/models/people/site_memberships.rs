use std::collections::BTreeSet;

use sea_orm::{entity::prelude::*, ActiveValue, QuerySelect};

pub use crate::models::_entities::site_memberships::{self, ActiveModel, Column, Entity, Model};
use crate::models::Write;

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// The ids of the sites a user is assigned to.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn site_ids_of(db: &impl ConnectionTrait, user_id: i64) -> Result<Vec<i64>, DbErr> {
        Entity::find()
            .select_only()
            .column(Column::SiteId)
            .filter(Column::UserId.eq(user_id))
            .into_tuple()
            .all(db)
            .await
    }

    /// Makes `user_id`'s assignments exactly `wanted`; their working hours
    /// at the sites they leave end with them.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn replace(
        db: &Write,
        now: DateTimeWithTimeZone,
        organization_id: i64,
        user_id: i64,
        wanted: &BTreeSet<i64>,
    ) -> Result<(), DbErr> {
        let current: BTreeSet<i64> = Self::site_ids_of(db, user_id).await?.into_iter().collect();
        let removed: Vec<i64> = current.difference(wanted).copied().collect();
        if !removed.is_empty() {
            crate::models::_entities::working_hours::Entity::delete_many()
                .filter(crate::models::_entities::working_hours::Column::UserId.eq(user_id))
                .filter(
                    crate::models::_entities::working_hours::Column::SiteId.is_in(removed.clone()),
                )
                .exec(db)
                .await?;
            Entity::delete_many()
                .filter(Column::UserId.eq(user_id))
                .filter(Column::SiteId.is_in(removed))
                .exec(db)
                .await?;
        }
        for site_id in wanted.difference(&current) {
            ActiveModel {
                organization_id: ActiveValue::Set(organization_id),
                user_id: ActiveValue::Set(user_id),
                site_id: ActiveValue::Set(*site_id),
                created_at: ActiveValue::Set(now),
                ..Default::default()
            }
            .insert(db)
            .await?;
        }
        Ok(())
    }
}
