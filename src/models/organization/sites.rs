use sea_orm::{entity::prelude::*, ActiveValue, Condition, QueryOrder, QuerySelect, TryIntoModel};
use serde_json::json;

pub use crate::models::_entities::sites::{self, ActiveModel, Column, Entity, Model};
use crate::models::error::{DomainError, DomainResult, OnUnique};
use crate::models::values::Stored;
use crate::models::Scoped;
use crate::models::{
    actor::{Ability, Actor},
    audit_events::{self, Change},
    paging::{Page, PageRequest},
    values::{LanguageCode, Numeric},
    workshop::repair_orders,
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

/// A branch as its owner describes it, every value already checked.
#[derive(Clone, Debug)]
pub struct SiteSettings {
    pub name: String,
    pub code: String,
    pub timezone: String,
    pub currency: String,
    pub tax_rate: rust_decimal::Decimal,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// How customers pay: an M-Pesa till or paybill, a bank account.
    pub payment_instructions: Option<String>,
    pub reminder_lead_days: i32,
    pub reminder_hour: i32,
    pub language: LanguageCode,
    /// Days after a completed repair in which a return is a comeback.
    pub comeback_window_days: i32,
    /// Days from an invoice's issue to its due date; 0: on receipt.
    pub payment_terms_days: i32,
}

/// A partial change to a branch; `None` leaves the value as it is, and for
/// the optional texts `Some(None)` clears it.
#[derive(Clone, Debug, Default)]
pub struct SiteChanges {
    pub name: Option<String>,
    pub code: Option<String>,
    pub timezone: Option<String>,
    pub currency: Option<String>,
    pub tax_rate: Option<rust_decimal::Decimal>,
    pub address: Option<Option<String>>,
    pub phone: Option<Option<String>>,
    pub email: Option<Option<String>>,
    pub payment_instructions: Option<Option<String>>,
    pub reminder_lead_days: Option<i32>,
    pub reminder_hour: Option<i32>,
    pub language: Option<LanguageCode>,
    pub comeback_window_days: Option<i32>,
    pub payment_terms_days: Option<i32>,
}

pub const DEFAULT_REMINDER_LEAD_DAYS: i32 = 7;
pub const DEFAULT_REMINDER_HOUR: i32 = 9;
pub const DEFAULT_COMEBACK_WINDOW_DAYS: i32 = 30;

const CODE_TAKEN: &str = "is already used by another site";
const CODE_FIXED: &str = "cannot change once the site has repair orders";

impl Scoped for Entity {
    const NAME: &'static str = "site";
    const ABILITY: Option<Ability> = None;

    fn pid_column() -> Column {
        Column::Pid
    }

    /// The sites `actor` sees, by name.
    fn visible_to(actor: &Actor) -> Select<Self> {
        Entity::find()
            .filter(Column::OrganizationId.eq(actor.organization_id()))
            .filter(actor.site_condition(Column::Id))
            .order_by_asc(Column::Name)
            .order_by_asc(Column::Id)
    }
}

impl Model {
    /// Resolves public site ids to sites `actor` sees, keeping their order.
    ///
    /// # Errors
    /// 404 when any of them does not exist for this actor.
    pub async fn find_all_for(
        db: &impl ConnectionTrait,
        actor: &Actor,
        pids: &[Uuid],
    ) -> DomainResult<Vec<Self>> {
        let found = Entity::visible_to(actor)
            .filter(Column::Pid.is_in(pids.iter().copied()))
            .all(db)
            .await?;
        pids.iter()
            .map(|pid| {
                found
                    .iter()
                    .find(|site| site.pid == *pid)
                    .cloned()
                    .ok_or(DomainError::NotFound("site"))
            })
            .collect()
    }

    /// # Errors
    /// 422 on a bad page request; 500 when the database fails.
    pub async fn list_for(
        db: &impl ConnectionTrait,
        actor: &Actor,
        page: PageRequest,
    ) -> DomainResult<Page<Self>> {
        actor.authorize(Ability::ViewSites)?;
        page.fetch(db, Entity::visible_to(actor)).await
    }

    /// Sites by internal id within one organization, for rendering.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn by_ids(
        db: &impl ConnectionTrait,
        organization_id: i64,
        ids: &[i64],
    ) -> Result<Vec<Self>, DbErr> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        Entity::find()
            .filter(
                Condition::all()
                    .add(Column::OrganizationId.eq(organization_id))
                    .add(Column::Id.is_in(ids.iter().copied())),
            )
            .order_by_asc(Column::Name)
            .all(db)
            .await
    }

    /// Opens a branch.
    ///
    /// # Errors
    /// 403 unless the actor may manage sites; 409 when the code is taken.
    pub async fn create(txn: &Write, actor: &Actor, settings: SiteSettings) -> DomainResult<Self> {
        actor.authorize(Ability::ManageSites)?;
        if Self::code_taken(txn, actor.organization_id(), &settings.code, None).await? {
            return Err(DomainError::duplicate("code", CODE_TAKEN));
        }
        let site = ActiveModel {
            organization_id: ActiveValue::Set(actor.organization_id()),
            name: ActiveValue::Set(settings.name),
            code: ActiveValue::Set(settings.code),
            timezone: ActiveValue::Set(settings.timezone),
            currency: ActiveValue::Set(settings.currency),
            tax_rate: ActiveValue::Set(Numeric(settings.tax_rate)),
            address: ActiveValue::Set(settings.address),
            phone: ActiveValue::Set(settings.phone),
            email: ActiveValue::Set(settings.email),
            payment_instructions: ActiveValue::Set(settings.payment_instructions),
            reminder_lead_days: ActiveValue::Set(settings.reminder_lead_days),
            reminder_hour: ActiveValue::Set(settings.reminder_hour),
            comeback_window_days: ActiveValue::Set(settings.comeback_window_days),
            payment_terms_days: ActiveValue::Set(settings.payment_terms_days),
            language: ActiveValue::Set(settings.language.as_str().to_string()),
            created_at: ActiveValue::Set(crate::models::now_at(actor.clock)),
            updated_at: ActiveValue::Set(crate::models::now_at(actor.clock)),
            ..Default::default()
        }
        .insert(txn)
        .await
        .on_unique("code", CODE_TAKEN)?;
        audit_events::Model::record(
            txn,
            actor.organization_id(),
            actor,
            Change {
                action: "site.created",
                subject_type: "site",
                subject_id: site.pid,
                site_id: Some(site.id),
                details: Some(json!({ "code": site.code, "name": site.name })),
            },
        )
        .await?;
        Ok(site)
    }

    /// Refuses a new code once anything carries the old one: repair orders
    /// are printed with it on their job cards and invoiced under it, so it
    /// is fixed once the first order is opened.
    ///
    /// The site's row is locked first (`FOR UPDATE` on PostgreSQL; SQLite's
    /// write transaction holds the database). Opening an order takes a key
    /// share lock on its site, so an order being opened right now is waited
    /// for and counted, and one opened after waits for the new code.
    ///
    /// # Errors
    /// 409 naming `code` once the site has repair orders.
    async fn ensure_code_can_change(db: &Write, id: i64) -> DomainResult<()> {
        Entity::find_by_id(id).lock_exclusive().one(db).await?;
        let orders = repair_orders::Entity::find()
            .filter(repair_orders::Column::SiteId.eq(id))
            .count(db)
            .await?;
        if orders == 0 {
            Ok(())
        } else {
            Err(DomainError::duplicate("code", CODE_FIXED))
        }
    }

    /// The site's IANA time zone (checked when it was set).
    #[must_use]
    pub fn time_zone(&self) -> chrono_tz::Tz {
        self.timezone.parse().unwrap_or(chrono_tz::UTC)
    }

    async fn code_taken(
        db: &impl ConnectionTrait,
        organization_id: i64,
        code: &str,
        except: Option<i64>,
    ) -> Result<bool, DbErr> {
        let mut query = Entity::find()
            .filter(Column::OrganizationId.eq(organization_id))
            .filter(Column::Code.eq(code));
        if let Some(id) = except {
            query = query.filter(Column::Id.ne(id));
        }
        Ok(query.count(db).await? > 0)
    }
}

impl ActiveModel {
    /// Applies an owner's changes to this branch and records which fields
    /// changed. Nothing is written when nothing differs.
    ///
    /// # Errors
    /// 403 unless the actor may manage sites; 409 when the new code is taken.
    pub async fn change(
        mut self,
        txn: &Write,
        actor: &Actor,
        changes: SiteChanges,
    ) -> DomainResult<Model> {
        actor.authorize(Ability::ManageSites)?;
        let id = *self.id.as_ref();
        if let Some(name) = changes.name {
            self.name.set_if_not_equals(name);
        }
        if let Some(code) = changes.code {
            self.code.set_if_not_equals(code);
        }
        if let Some(timezone) = changes.timezone {
            self.timezone.set_if_not_equals(timezone);
        }
        if let Some(currency) = changes.currency {
            self.currency.set_if_not_equals(currency);
        }
        if let Some(rate) = changes.tax_rate {
            self.tax_rate.set_if_not_equals(Numeric(rate));
        }
        if let Some(address) = changes.address {
            self.address.set_if_not_equals(address);
        }
        if let Some(phone) = changes.phone {
            self.phone.set_if_not_equals(phone);
        }
        if let Some(email) = changes.email {
            self.email.set_if_not_equals(email);
        }
        if let Some(instructions) = changes.payment_instructions {
            self.payment_instructions.set_if_not_equals(instructions);
        }
        if let Some(days) = changes.reminder_lead_days {
            self.reminder_lead_days.set_if_not_equals(days);
        }
        if let Some(hour) = changes.reminder_hour {
            self.reminder_hour.set_if_not_equals(hour);
        }
        if let Some(days) = changes.comeback_window_days {
            self.comeback_window_days.set_if_not_equals(days);
        }
        if let Some(days) = changes.payment_terms_days {
            self.payment_terms_days.set_if_not_equals(days);
        }
        if let Some(language) = changes.language {
            self.language
                .set_if_not_equals(language.as_str().to_string());
        }
        let changed = crate::models::changed_columns(&self);
        if changed.is_empty() {
            return Ok(self.try_into_model()?);
        }
        if let ActiveValue::Set(code) = &self.code {
            Model::ensure_code_can_change(txn, id).await?;
            if Model::code_taken(txn, actor.organization_id(), code, Some(id)).await? {
                return Err(DomainError::duplicate("code", CODE_TAKEN));
            }
        }
        self.updated_at = ActiveValue::Set(crate::models::now_at(actor.clock));
        let site = self.update(txn).await.on_unique("code", CODE_TAKEN)?;
        audit_events::Model::record(
            txn,
            actor.organization_id(),
            actor,
            Change {
                action: "site.updated",
                subject_type: "site",
                subject_id: site.pid,
                site_id: Some(site.id),
                details: Some(json!({ "changed": changed })),
            },
        )
        .await?;
        Ok(site)
    }
}
