use sea_orm::{entity::prelude::*, ActiveValue};

pub use super::_entities::organizations::{self, ActiveModel, Column, Entity, Model};

#[async_trait::async_trait]
impl ActiveModelBehavior for ActiveModel {
    async fn before_save<C>(mut self, _db: &C, insert: bool) -> Result<Self, DbErr>
    where
        C: ConnectionTrait,
    {
        let now = super::now();
        if insert {
            self.pid = ActiveValue::Set(Uuid::new_v4());
            self.created_at = ActiveValue::Set(now);
        }
        self.updated_at = ActiveValue::Set(now);
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
