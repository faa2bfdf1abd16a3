//! One way to find a record: through the caller. Each entity says once
//! what a caller sees of it (`visible_to`: their organization, and for all
//! but owners their sites) and which ability it takes to see one at all;
//! `find_for` is then the same for every entity, so an outsider gets a 404
//! without a separate check that someone could forget, and a role that may
//! not deal with the thing gets a 403 only for a record it could see.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Select};
use uuid::Uuid;

use crate::models::{
    actor::{Ability, Actor},
    error::{DomainError, DomainResult},
};

#[expect(
    async_fn_in_trait,
    reason = "implemented and called in this crate only, on concrete entities whose futures are Send"
)]
pub trait Scoped: EntityTrait {
    /// What the record is called in a 404: "repair order".
    const NAME: &'static str;
    /// What it takes to see one at all, checked once it is found (a record
    /// the caller does not see is a 404 whatever their role).
    const ABILITY: Option<Ability>;

    /// The column of the public id (`pid`).
    fn pid_column() -> Self::Column;

    /// Every record `actor` sees.
    fn visible_to(actor: &Actor) -> Select<Self>;

    /// The record `pid`, if `actor` sees it and may deal with it.
    ///
    /// # Errors
    /// 404 when no such record exists for the actor; 403 when their role
    /// may not deal with it.
    async fn find_for(
        db: &impl ConnectionTrait,
        actor: &Actor,
        pid: Uuid,
    ) -> DomainResult<Self::Model> {
        let found = Self::visible_to(actor)
            .filter(Self::pid_column().eq(pid))
            .one(db)
            .await?
            .ok_or(DomainError::NotFound(Self::NAME))?;
        if let Some(ability) = Self::ABILITY {
            actor.authorize(ability)?;
        }
        Ok(found)
    }

    /// `find_for` of an optional id, e.g. a list's `?site_id=` filter.
    ///
    /// # Errors
    /// As `find_for`, when the id is given.
    async fn find_optional_for(
        db: &impl ConnectionTrait,
        actor: &Actor,
        pid: Option<Uuid>,
    ) -> DomainResult<Option<Self::Model>> {
        match pid {
            Some(pid) => Self::find_for(db, actor, pid).await.map(Some),
            None => Ok(None),
        }
    }

    /// The record `pid`, whoever's: for work that acts for nobody in
    /// particular (a job, the schedule), which carries ids and re-reads
    /// them.
    ///
    /// # Errors
    /// `NotFound` when there is no such record (the job ends).
    async fn by_pid(db: &impl ConnectionTrait, pid: Uuid) -> DomainResult<Self::Model> {
        Self::find()
            .filter(Self::pid_column().eq(pid))
            .one(db)
            .await?
            .ok_or(DomainError::NotFound(Self::NAME))
    }
}
