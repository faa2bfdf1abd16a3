//! Accounts: signing up, signing in, and the user behind a token.

use std::{
    collections::HashMap,
    sync::{Arc, OnceLock},
};

use loco_rs::hash;
use sea_orm::{entity::prelude::*, ActiveValue};
use serde_json::json;
use tokio::sync::Semaphore;

pub use crate::models::_entities::users::{self, ActiveModel, Column, Entity, Model};
use crate::models::values::Stored;
use crate::models::{
    actor::By,
    clock::Clock,
    error::{DomainError, DomainResult, OnUnique},
    now_at,
};
use crate::models::{
    audit_events::{self, Change},
    organization::organizations,
    people::{
        login_attempts::{AttemptKind, Throttle},
        roles::Role,
    },
    values::{Email, Password},
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

pub(crate) const EMAIL_TAKEN: &str = "is already registered";
/// The token claim that carries the user's session version.
pub const SESSION_CLAIM: &str = "sv";
const BAD_CREDENTIALS: &str = "invalid email or password";

/// A new workshop business and the person who owns it.
#[derive(Debug)]
pub struct Signup {
    pub organization_name: String,
    pub name: String,
    pub email: Email,
}

/// A password as it is stored: its Argon2 hash. Made before a write
/// transaction begins: hashing is slow on purpose (about a tenth of a
/// second), and on SQLite a write transaction holds the database's lock.
#[derive(Clone)]
pub struct PasswordHash(String);

impl PasswordHash {
    /// # Errors
    /// 500 when hashing fails.
    pub async fn of(password: Password) -> DomainResult<Self> {
        argon2(move || hash::hash_password(password.expose()))
            .await?
            .map(Self)
            .map_err(DomainError::internal)
    }

    #[must_use]
    pub fn into_inner(self) -> String {
        self.0
    }
}

impl std::fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordHash([redacted])")
    }
}

/// Where a sign-in or sign-up comes from, for throttling.
#[derive(Clone, Debug)]
pub struct Origin {
    pub ip: String,
    pub throttle: Throttle,
    /// The request's clock, which the throttle's window is judged by.
    pub clock: Clock,
}

impl Origin {
    fn now(&self) -> DateTimeWithTimeZone {
        now_at(self.clock)
    }
}

impl Model {
    /// # Errors
    /// When the database fails.
    pub async fn find_by_email(
        db: &impl ConnectionTrait,
        email: &Email,
    ) -> Result<Option<Self>, DbErr> {
        Entity::find()
            .filter(Column::Email.eq(email.as_str()))
            .one(db)
            .await
    }

    /// # Errors
    /// 500 when the stored role is not one of ours (the CHECK constraint
    /// makes that a corrupted row).
    pub fn role(&self) -> DomainResult<Role> {
        Role::from_stored(&self.role).ok_or_else(|| {
            DomainError::internal(format!("user {} has role {:?}", self.id, self.role))
        })
    }

    /// Lets a sign-up from `origin` for `email` go ahead: counted (refused
    /// ones too, so the 409 for a taken email is no free way to test which
    /// addresses have accounts), and refused when the address signs up too
    /// often or the email is taken. Outside the sign-up's transaction, so
    /// the attempt stays counted whatever becomes of it.
    ///
    /// # Errors
    /// 429 when the address signed up too often; 409 when the email is
    /// registered already.
    pub async fn admit_signup(
        db: &impl ConnectionTrait,
        email: &Email,
        origin: &Origin,
    ) -> DomainResult<()> {
        let throttle = origin.throttle;
        let attempt = throttle
            .record(
                db,
                origin.now(),
                AttemptKind::Signup,
                email.as_str(),
                &origin.ip,
            )
            .await?;
        if let Err(limited) = throttle.check_signup(db, origin.now(), &origin.ip).await {
            throttle.forget(db, attempt).await?;
            return Err(limited);
        }
        if Self::find_by_email(db, email).await?.is_some() {
            return Err(DomainError::duplicate("email", EMAIL_TAKEN));
        }
        Ok(())
    }

    /// Creates the organization and its owner.
    ///
    /// # Errors
    /// 409 when the email is registered already.
    pub async fn sign_up(
        txn: &Write,
        signup: Signup,
        password: PasswordHash,
        clock: Clock,
    ) -> DomainResult<Self> {
        let password = password.into_inner();
        let now = now_at(clock);
        let organization = organizations::ActiveModel {
            name: ActiveValue::Set(signup.organization_name),
            created_at: ActiveValue::Set(now),
            updated_at: ActiveValue::Set(now),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        let owner = ActiveModel {
            organization_id: ActiveValue::Set(organization.id),
            email: ActiveValue::Set(signup.email.into_inner()),
            password: ActiveValue::Set(password),
            name: ActiveValue::Set(signup.name),
            role: ActiveValue::Set(Role::Owner.as_str().to_string()),
            active: ActiveValue::Set(true),
            created_at: ActiveValue::Set(now),
            updated_at: ActiveValue::Set(now),
            ..Default::default()
        }
        .insert(txn)
        .await
        .on_unique("email", EMAIL_TAKEN)?;
        audit_events::Model::record(
            txn,
            organization.id,
            By::System(clock),
            Change {
                action: "organization.created",
                subject_type: "organization",
                subject_id: organization.pid,
                site_id: None,
                details: Some(json!({ "owner": owner.pid })),
            },
        )
        .await?;
        Ok(owner)
    }

    /// Checks an email and password. Every sign-in is counted as it
    /// arrives and taken back when it succeeds, so refused ones stay
    /// counted; too many for the email or the address are refused before
    /// the password is even looked at, however many arrive at once.
    ///
    /// # Errors
    /// 429 when throttled; 401 for an unknown email, a wrong password or a
    /// deactivated account (the same message for all three).
    pub async fn sign_in(
        db: &DatabaseConnection,
        email: &Email,
        password: &str,
        origin: &Origin,
    ) -> DomainResult<Self> {
        let throttle = origin.throttle;
        let attempt = throttle
            .record(
                db,
                origin.now(),
                AttemptKind::FailedLogin,
                email.as_str(),
                &origin.ip,
            )
            .await?;
        if let Err(limited) = throttle
            .check_login(db, origin.now(), email.as_str(), &origin.ip)
            .await
        {
            throttle.forget(db, attempt).await?;
            return Err(limited);
        }
        let user = Self::find_by_email(db, email).await?;
        // An unknown email costs as much time as a known one, so response
        // times do not tell which addresses have accounts.
        let stored_hash = user
            .as_ref()
            .map_or_else(|| dummy_hash().to_string(), |user| user.password.clone());
        let matches = verify_password(password.to_string(), stored_hash).await?;
        match user {
            Some(user) if matches && user.active => {
                throttle.forget(db, attempt).await?;
                Ok(user)
            }
            _ => Err(DomainError::Unauthenticated(BAD_CREDENTIALS.to_string())),
        }
    }

    /// A signed token naming this user and their session version: a token
    /// stops working when the version moves on (a password reset,
    /// `staff::change_staff`).
    ///
    /// # Errors
    /// 500 when the configured secret cannot sign.
    pub fn token(&self, secret: &str, expiration_secs: u64) -> DomainResult<String> {
        let mut claims = serde_json::Map::new();
        claims.insert(SESSION_CLAIM.to_string(), self.session_version.into());
        loco_rs::auth::jwt::JWT::new(secret)
            .generate_token(expiration_secs, self.pid.to_string(), claims)
            .map_err(DomainError::internal)
    }
}

/// Argon2 is slow and memory-hard on purpose (19 MiB and tens of
/// milliseconds a hash); it runs off the async workers, one hash at a time
/// per process, so a burst of sign-ins queues instead of taking memory:
/// two at once took a server's peak from 80 to 120 MB (README, "Memory"),
/// and one at a time still checks a few dozen sign-ins a second.
async fn argon2<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> DomainResult<T> {
    static HASHING: OnceLock<Arc<Semaphore>> = OnceLock::new();
    let permits = HASHING.get_or_init(|| Arc::new(Semaphore::new(1)));
    let permit = Arc::clone(permits)
        .acquire_owned()
        .await
        .map_err(DomainError::internal)?;
    // The permit goes with the work: a request given up on while it hashes
    // still holds its place until the hash is done.
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        work()
    })
    .await
    .map_err(DomainError::internal)
}

async fn verify_password(password: String, stored_hash: String) -> DomainResult<bool> {
    argon2(move || hash::verify_password(&password, &stored_hash)).await
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash::hash_password(&hash::random_string(24)).unwrap_or_default())
}

impl Model {
    /// Public ids and names of users, by internal id.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn names_by_id(
        db: &impl ConnectionTrait,
        ids: &[i64],
    ) -> Result<HashMap<i64, (Uuid, String)>, DbErr> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        Ok(Entity::find()
            .filter(Column::Id.is_in(ids.iter().copied()))
            .all(db)
            .await?
            .into_iter()
            .map(|user| (user.id, (user.pid, user.name)))
            .collect())
    }
}

impl Model {
    /// Who answers for the branch `site_id`: its organization's active
    /// owners and the managers assigned to it.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn managers_of(db: &impl ConnectionTrait, site_id: i64) -> Result<Vec<Self>, DbErr> {
        use crate::models::_entities::{site_memberships, sites};
        use sea_orm::{QuerySelect, QueryTrait};
        let Some(site) = sites::Entity::find_by_id(site_id).one(db).await? else {
            return Ok(Vec::new());
        };
        let members = site_memberships::Entity::find()
            .select_only()
            .column(site_memberships::Column::UserId)
            .filter(site_memberships::Column::SiteId.eq(site_id))
            .into_query();
        Entity::find()
            .filter(Column::OrganizationId.eq(site.organization_id))
            .filter(Column::Active.eq(true))
            .filter(
                sea_orm::Condition::any()
                    .add(Column::Role.eq(Role::Owner.as_str()))
                    .add(
                        sea_orm::Condition::all()
                            .add(Column::Role.eq(Role::Manager.as_str()))
                            .add(Column::Id.in_subquery(members)),
                    ),
            )
            .all(db)
            .await
    }
}
