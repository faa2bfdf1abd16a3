use sea_orm::{entity::prelude::*, ActiveValue};

pub use crate::models::_entities::organizations::{self, ActiveModel, Column, Entity, Model};

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
