//! Throttling of sign-ins, sign-ups and customers' sign-in links, counted in the database so that every
//! web process behind a load balancer sees the same numbers.

use chrono::TimeDelta;
use sea_orm::{entity::prelude::*, ActiveValue, QueryOrder, QuerySelect};
use serde::Deserialize;

pub use crate::models::_entities::login_attempts::{self, ActiveModel, Column, Entity, Model};
use crate::models::error::{DomainError, DomainResult};
use crate::models::values::Stored;

impl ActiveModelBehavior for ActiveModel {}

/// Limits within a sliding window (`settings.throttle` in config).
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
pub struct Throttle {
    /// Failed sign-ins for one email before further tries are refused.
    pub login_failures_per_email: u64,
    /// Failed sign-ins from one address, whatever the email.
    pub login_failures_per_ip: u64,
    /// Sign-ups from one address.
    pub signups_per_ip: u64,
    /// Sign-in links asked for one email address or phone number, known
    /// or not.
    #[serde(default = "default_links_per_contact")]
    pub portal_links_per_contact: u64,
    /// Sign-in links asked from one address, whatever the contact.
    #[serde(default = "default_links_per_ip")]
    pub portal_links_per_ip: u64,
    pub window_seconds: u64,
}

const fn default_links_per_contact() -> u64 {
    3
}

const fn default_links_per_ip() -> u64 {
    20
}

impl Default for Throttle {
    fn default() -> Self {
        Self {
            login_failures_per_email: 5,
            login_failures_per_ip: 30,
            signups_per_ip: 10,
            portal_links_per_contact: default_links_per_contact(),
            portal_links_per_ip: default_links_per_ip(),
            window_seconds: 900,
        }
    }
}

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, strum::IntoStaticStr, strum::EnumString, strum::VariantArray,
)]
#[strum(serialize_all = "snake_case")]
pub enum AttemptKind {
    FailedLogin,
    Signup,
    /// A customer asked for a link to their page.
    PortalLink,
}

impl Throttle {
    fn window(self) -> TimeDelta {
        TimeDelta::seconds(i64::try_from(self.window_seconds).unwrap_or(i64::MAX / 1_000))
    }

    /// Refuses a sign-in when the email or the address has failed too often,
    /// its own attempt (recorded just before, `record`) not counted.
    ///
    /// # Errors
    /// 429 with the seconds until the oldest counted failure leaves the window.
    pub async fn check_login(
        self,
        db: &impl ConnectionTrait,
        now: DateTimeWithTimeZone,
        email: &str,
        ip: &str,
    ) -> DomainResult<()> {
        self.check(
            db,
            now,
            AttemptKind::FailedLogin,
            Column::Email,
            email,
            self.login_failures_per_email,
        )
        .await?;
        self.check(
            db,
            now,
            AttemptKind::FailedLogin,
            Column::Ip,
            ip,
            self.login_failures_per_ip,
        )
        .await
    }

    /// Refuses a sign-up when the address has signed up too often, its own
    /// attempt (recorded just before, `record`) not counted.
    ///
    /// # Errors
    /// 429 with the seconds until the oldest counted sign-up leaves the window.
    pub async fn check_signup(
        self,
        db: &impl ConnectionTrait,
        now: DateTimeWithTimeZone,
        ip: &str,
    ) -> DomainResult<()> {
        self.check(
            db,
            now,
            AttemptKind::Signup,
            Column::Ip,
            ip,
            self.signups_per_ip,
        )
        .await
    }

    /// Refuses a sign-in link when the contact (`email` here holds it) or
    /// the address asked too often, its own request (recorded just before)
    /// not counted.
    ///
    /// # Errors
    /// 429 with the seconds until the oldest counted request leaves the
    /// window.
    pub async fn check_portal_link(
        self,
        db: &impl ConnectionTrait,
        now: DateTimeWithTimeZone,
        contact: &str,
        ip: &str,
    ) -> DomainResult<()> {
        self.check(
            db,
            now,
            AttemptKind::PortalLink,
            Column::Email,
            contact,
            self.portal_links_per_contact,
        )
        .await?;
        self.check(
            db,
            now,
            AttemptKind::PortalLink,
            Column::Ip,
            ip,
            self.portal_links_per_ip,
        )
        .await
    }

    async fn check(
        self,
        db: &impl ConnectionTrait,
        now: DateTimeWithTimeZone,
        kind: AttemptKind,
        column: Column,
        value: &str,
        limit: u64,
    ) -> DomainResult<()> {
        let since = now - self.window();
        let recent = Entity::find()
            .filter(Column::Kind.eq(kind.as_str()))
            .filter(column.eq(value))
            .filter(Column::CreatedAt.gt(since));
        // Less the caller's own attempt, recorded first.
        let before = recent.clone().count(db).await?.saturating_sub(1);
        if before < limit {
            return Ok(());
        }
        // The count reaches the limit: wait until enough old attempts expire
        // for the count to drop below it again.
        let skip = before - limit;
        let freeing: Option<DateTimeWithTimeZone> = recent
            .select_only()
            .column(Column::CreatedAt)
            .order_by_asc(Column::CreatedAt)
            .offset(skip)
            .into_tuple()
            .one(db)
            .await?;
        let retry_after = freeing.map_or(self.window(), |at| at + self.window() - now);
        Err(DomainError::RateLimited {
            retry_after_secs: u64::try_from(retry_after.num_seconds().max(1)).unwrap_or(1),
            limit: None,
        })
    }

    /// Counts one attempt, before it is judged (`check_login`,
    /// `check_signup`): attempts that arrive together are counted as they
    /// arrive, not once each has been through the slow password hash, so a
    /// burst from one address is refused at the limit instead of queueing
    /// for the hasher. Its id, for `forget`.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn record(
        self,
        db: &impl ConnectionTrait,
        now: DateTimeWithTimeZone,
        kind: AttemptKind,
        email: &str,
        ip: &str,
    ) -> Result<i64, DbErr> {
        let attempt = ActiveModel {
            kind: ActiveValue::Set(kind.as_str().to_string()),
            email: ActiveValue::Set(email.to_string()),
            ip: ActiveValue::Set(ip.to_string()),
            created_at: ActiveValue::Set(now),
            ..Default::default()
        }
        .insert(db)
        .await?;
        Ok(attempt.id)
    }

    /// Takes back attempt `id`: a sign-in that succeeded, or one refused by
    /// the throttle itself, does not count against the limit.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn forget(self, db: &impl ConnectionTrait, id: i64) -> Result<(), DbErr> {
        Entity::delete_by_id(id).exec(db).await?;
        Ok(())
    }

    /// Forgets attempts that left the window; they no longer count.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn prune(
        self,
        db: &impl ConnectionTrait,
        now: DateTimeWithTimeZone,
    ) -> Result<u64, DbErr> {
        let result = Entity::delete_many()
            .filter(Column::CreatedAt.lt(now - self.window()))
            .exec(db)
            .await?;
        Ok(result.rows_affected)
    }
}
