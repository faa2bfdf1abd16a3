//! The workshop's customers: organization-wide (a customer may visit any
//! branch), with how to reach them and whether they agreed to marketing;
//! their vehicles with the odometer history and the service schedule it
//! predicts, and the promotions they may agree to hear of.

pub mod odometer_readings;
pub mod portal;
pub mod promotions;
pub mod schedule;
pub mod vehicles;

use sea_orm::{
    entity::prelude::*,
    sea_query::{Func, LikeExpr, Query},
    ActiveValue, Condition, IntoActiveModel, QueryOrder, QuerySelect, TryIntoModel,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

pub use crate::models::_entities::customers::{self, ActiveModel, Column, Entity, Model};
use crate::models::values::Stored;
use crate::models::Scoped;
use crate::models::{
    actor::{Ability, Actor, By},
    audit_events::{self, Change},
    organization::sites,
    paging::{Page, PageRequest},
    values::{LanguageCode, Plate},
    Write,
};
use crate::models::{
    clock::Clock,
    error::{DomainError, DomainResult},
    now_at,
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

/// How a customer gave (or withdrew) marketing consent.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    ToSchema,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::VariantArray,
)]
#[strum(serialize_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum ConsentSource {
    #[default]
    InPerson,
    Phone,
    Sms,
    Email,
    Web,
    PaperForm,
}

/// A new customer, every value already checked.
#[derive(Debug)]
pub struct NewCustomer {
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub home_site_id: Uuid,
    pub marketing_opt_in: bool,
    pub consent_source: ConsentSource,
    /// `None`: the home site's language.
    pub language: Option<LanguageCode>,
    /// Text messages rather than email, where both are possible.
    pub prefers_sms: bool,
}

/// A partial change; for `phone` and `email`, `Some(None)` clears.
#[derive(Debug, Default)]
pub struct CustomerChanges {
    pub name: Option<String>,
    pub phone: Option<Option<String>>,
    pub email: Option<Option<String>>,
    pub home_site_id: Option<Uuid>,
    pub marketing_opt_in: Option<bool>,
    pub consent_source: Option<ConsentSource>,
    /// `Some(None)`: back to the home site's language.
    pub language: Option<Option<LanguageCode>>,
    pub prefers_sms: Option<bool>,
}

const NEEDS_CONTACT: &str = "a customer needs a phone number or an email";

impl Scoped for Entity {
    const NAME: &'static str = "customer";
    const ABILITY: Option<Ability> = Some(Ability::ManageCustomers);

    fn pid_column() -> Column {
        Column::Pid
    }

    /// Customers of the actor's organization, erased ones excepted.
    fn visible_to(actor: &Actor) -> Select<Self> {
        Entity::find()
            .filter(Column::OrganizationId.eq(actor.organization_id()))
            .filter(Column::ErasedAt.is_null())
    }
}

impl Model {
    /// The branch the customer belongs to: whose calendar their vehicles'
    /// dates follow.
    ///
    /// # Errors
    /// When the database fails or the site is gone.
    pub async fn home_site(&self, db: &impl ConnectionTrait) -> Result<sites::Model, DbErr> {
        sites::Model::by_ids(db, self.organization_id, &[self.home_site_id])
            .await?
            .pop()
            .ok_or_else(|| DbErr::RecordNotFound(format!("site {}", self.home_site_id)))
    }

    /// A customer and the branch that deals with them: `site_id`, or their
    /// home branch. For background work, which finds them by id.
    ///
    /// # Errors
    /// `NotFound` when either is gone.
    pub async fn with_site(
        db: &impl ConnectionTrait,
        customer_id: i64,
        site_id: Option<i64>,
    ) -> DomainResult<(Self, sites::Model)> {
        let customer = Entity::find_by_id(customer_id)
            .one(db)
            .await?
            .ok_or(DomainError::NotFound("customer"))?;
        let site = sites::Entity::find_by_id(site_id.unwrap_or(customer.home_site_id))
            .one(db)
            .await?
            .ok_or(DomainError::NotFound("site"))?;
        Ok((customer, site))
    }

    /// The customer `pid` (not erased), with their home branch: whom an
    /// unsubscribe link names, to show them its page.
    ///
    /// # Errors
    /// `NotFound` for a customer who is gone.
    pub async fn subscriber(
        db: &impl ConnectionTrait,
        pid: Uuid,
    ) -> DomainResult<(Self, sites::Model)> {
        let customer = Entity::find()
            .filter(Column::Pid.eq(pid))
            .filter(Column::ErasedAt.is_null())
            .one(db)
            .await?
            .ok_or(DomainError::NotFound("customer"))?;
        Self::with_site(db, customer.id, None).await
    }

    /// Withdraws customer `pid`'s consent to promotions, as their
    /// unsubscribe link asks (the caller opened it): no further promotion
    /// goes to them. Doing it twice changes nothing more.
    ///
    /// # Errors
    /// `NotFound` for a customer who is gone.
    pub async fn unsubscribe(
        db: &Write,
        clock: Clock,
        pid: Uuid,
    ) -> DomainResult<(Self, sites::Model)> {
        let now = now_at(clock);
        let withdrawn = Entity::update_many()
            .col_expr(Column::MarketingOptIn, Expr::value(false))
            .col_expr(Column::MarketingConsentAt, Expr::value(now))
            .col_expr(
                Column::MarketingConsentSource,
                Expr::value("unsubscribe_link"),
            )
            .col_expr(Column::MarketingConsentBy, Expr::value(Option::<i64>::None))
            .col_expr(Column::UpdatedAt, Expr::value(now))
            .filter(Column::Pid.eq(pid))
            .filter(Column::ErasedAt.is_null())
            .filter(Column::MarketingOptIn.eq(true))
            .exec(db)
            .await?;
        let (customer, site) = Self::subscriber(db, pid).await?;
        if withdrawn.rows_affected == 1 {
            audit_events::Model::record(
                db,
                customer.organization_id,
                By::System(clock),
                Change {
                    action: "customer.unsubscribed",
                    subject_type: "customer",
                    subject_id: customer.pid,
                    site_id: None,
                    details: Some(json!({"via": "unsubscribe_link"})),
                },
            )
            .await?;
        }
        Ok((customer, site))
    }

    /// Customers by internal id within one organization, erased ones too
    /// (their vehicles and orders still point at them).
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
            .filter(Column::OrganizationId.eq(organization_id))
            .filter(Column::Id.is_in(ids.iter().copied()))
            .all(db)
            .await
    }

    /// Customers whose name, phone or email, or whose vehicle's plate or VIN,
    /// contains `q`; all of them without `q`. By name.
    ///
    /// # Errors
    /// 403 when the actor's role does not deal with customers.
    pub async fn search(
        db: &impl ConnectionTrait,
        actor: &Actor,
        q: Option<&str>,
        page: PageRequest,
    ) -> DomainResult<Page<Self>> {
        actor.authorize(Ability::ManageCustomers)?;
        let mut query = Entity::visible_to(actor);
        if let Some(q) = q.map(str::trim).filter(|q| !q.is_empty()) {
            query = query.filter(matching(actor, q));
        }
        let query = query.order_by_asc(Column::Name).order_by_asc(Column::Id);
        page.fetch(db, query).await
    }

    /// # Errors
    /// 403 unless the actor deals with customers; 404 when the home site is
    /// not theirs.
    pub async fn create(txn: &Write, actor: &Actor, new: NewCustomer) -> DomainResult<Self> {
        actor.authorize(Ability::ManageCustomers)?;
        let home = sites::Entity::find_for(txn, actor, new.home_site_id).await?;
        let now = now_at(actor.clock);
        let mut customer = ActiveModel {
            organization_id: ActiveValue::Set(actor.organization_id()),
            home_site_id: ActiveValue::Set(home.id),
            name: ActiveValue::Set(new.name),
            phone: ActiveValue::Set(new.phone),
            email: ActiveValue::Set(new.email),
            marketing_opt_in: ActiveValue::Set(false),
            language: ActiveValue::Set(new.language.map(|language| language.as_str().to_string())),
            prefers_sms: ActiveValue::Set(new.prefers_sms),
            created_at: ActiveValue::Set(now),
            updated_at: ActiveValue::Set(now),
            ..Default::default()
        };
        if new.marketing_opt_in {
            customer.record_consent(actor, true, new.consent_source);
        }
        let customer = customer.insert(txn).await?;
        audit_events::Model::record(
            txn,
            actor.organization_id(),
            actor,
            Change {
                action: "customer.created",
                subject_type: "customer",
                subject_id: customer.pid,
                site_id: Some(home.id),
                details: Some(json!({ "marketing_opt_in": customer.marketing_opt_in })),
            },
        )
        .await?;
        Ok(customer)
    }
}

impl ActiveModel {
    fn record_consent(&mut self, actor: &Actor, opt_in: bool, source: ConsentSource) {
        self.marketing_opt_in = ActiveValue::Set(opt_in);
        self.marketing_consent_at = ActiveValue::Set(Some(now_at(actor.clock)));
        self.marketing_consent_source = ActiveValue::Set(Some(source.as_str().to_string()));
        self.marketing_consent_by = ActiveValue::Set(Some(actor.user_id()));
    }

    /// Applies changes; a change of consent records when, how and by whom.
    ///
    /// # Errors
    /// 403 unless the actor deals with customers; 404 for a home site not
    /// theirs; 422 when the customer would be left with no way to reach them.
    pub async fn change(
        self,
        txn: &Write,
        actor: &Actor,
        changes: CustomerChanges,
    ) -> DomainResult<Model> {
        actor.authorize(Ability::ManageCustomers)?;
        let home_site = match changes.home_site_id {
            Some(site) => Some(sites::Entity::find_for(txn, actor, site).await?),
            None => None,
        };
        // The customer as they are now, locked: a change racing an erasure
        // must not write their personal data back, and two changes that each
        // clear one contact must not leave them with none.
        let mut customer = Model::locked(txn, *self.id.as_ref())
            .await?
            .into_active_model();
        if let Some(name) = changes.name {
            customer.name.set_if_not_equals(name);
        }
        if let Some(phone) = changes.phone {
            customer.phone.set_if_not_equals(phone);
        }
        if let Some(email) = changes.email {
            customer.email.set_if_not_equals(email);
        }
        if let Some(language) = changes.language {
            customer
                .language
                .set_if_not_equals(language.map(|language| language.as_str().to_string()));
        }
        if let Some(prefers_sms) = changes.prefers_sms {
            customer.prefers_sms.set_if_not_equals(prefers_sms);
        }
        if let Some(site) = home_site {
            customer.home_site_id.set_if_not_equals(site.id);
        }
        if customer.phone.as_ref().is_none() && customer.email.as_ref().is_none() {
            return Err(DomainError::invalid("phone", NEEDS_CONTACT));
        }
        let opted_in = *customer.marketing_opt_in.as_ref();
        if let Some(opt_in) = changes
            .marketing_opt_in
            .filter(|wanted| *wanted != opted_in)
        {
            customer.record_consent(actor, opt_in, changes.consent_source.unwrap_or_default());
        }
        let changed = crate::models::changed_columns(&customer);
        if changed.is_empty() {
            return Ok(customer.try_into_model()?);
        }
        customer.updated_at = ActiveValue::Set(now_at(actor.clock));
        let customer = customer.update(txn).await?;
        audit_events::Model::record(
            txn,
            actor.organization_id(),
            actor,
            Change {
                action: "customer.updated",
                subject_type: "customer",
                subject_id: customer.pid,
                site_id: None,
                details: Some(json!({
                    "changed": changed,
                    "marketing_opt_in": customer.marketing_opt_in,
                    "consent_source": customer.marketing_consent_source,
                })),
            },
        )
        .await?;
        Ok(customer)
    }

    /// Erases the customer's personal data. The row stays, nameless, so
    /// their vehicles' repair orders and invoices keep an owner to point at.
    ///
    /// # Errors
    /// 403 unless the actor is an owner or a manager of the customer's home
    /// branch; 404 when they were erased meanwhile.
    pub async fn erase(self, txn: &Write, actor: &Actor) -> DomainResult<()> {
        actor.authorize_erasure(*self.home_site_id.as_ref())?;
        Model::wipe(txn, *self.id.as_ref(), By::Actor(actor), None).await
    }
}

impl Model {
    /// Erases customer `id`'s personal data, by staff (`erase`) or at the
    /// customer's own request (`portal::Portal::erase`), recorded with who
    /// and `details`.
    ///
    /// # Errors
    /// 404 when they were erased meanwhile.
    pub(crate) async fn wipe(
        txn: &Write,
        id: i64,
        by: By<'_>,
        details: Option<serde_json::Value>,
    ) -> DomainResult<()> {
        let mut customer = Model::locked(txn, id).await?.into_active_model();
        customer.name = ActiveValue::Set(ERASED_NAME.to_string());
        customer.phone = ActiveValue::Set(None);
        customer.email = ActiveValue::Set(None);
        customer.marketing_opt_in = ActiveValue::Set(false);
        customer.marketing_consent_at = ActiveValue::Set(None);
        customer.marketing_consent_source = ActiveValue::Set(None);
        customer.marketing_consent_by = ActiveValue::Set(None);
        let now = by.now();
        customer.erased_at = ActiveValue::Set(Some(now));
        customer.updated_at = ActiveValue::Set(now);
        let customer = customer.update(txn).await?;
        audit_events::Model::record(
            txn,
            customer.organization_id,
            by,
            Change {
                action: "customer.erased",
                subject_type: "customer",
                subject_id: customer.pid,
                site_id: None,
                details,
            },
        )
        .await?;
        Ok(())
    }
}

impl Model {
    /// The customer by internal id, unless erased, with their row locked
    /// until the transaction ends (`FOR UPDATE` on PostgreSQL; SQLite's
    /// write transaction holds the database).
    async fn locked(db: &Write, id: i64) -> DomainResult<Self> {
        Entity::find_by_id(id)
            .filter(Column::ErasedAt.is_null())
            .lock_exclusive()
            .one(db)
            .await?
            .ok_or(DomainError::NotFound("customer"))
    }
}

/// What an erased customer is called wherever they still appear.
pub const ERASED_NAME: &str = "Erased customer";

fn matching(actor: &Actor, q: &str) -> Condition {
    use sea_orm::sea_query::ExprTrait;

    let escaped = q
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    let contains = |text: &str| LikeExpr::new(format!("%{text}%")).escape('\\');
    let lower = |column: Column| Expr::expr(Func::lower(Expr::col((Entity, column))));
    let mut condition = Condition::any()
        .add(lower(Column::Name).like(contains(&escaped.to_lowercase())))
        .add(lower(Column::Email).like(contains(&escaped.to_lowercase())));
    let digits: String = q.chars().filter(char::is_ascii_digit).collect();
    if digits.len() >= 3 {
        condition = condition.add(Column::Phone.like(contains(&digits)));
    }
    let key = Plate::key_of(q);
    if key.len() >= 2 {
        let vehicles = Query::select()
            .column(vehicles::Column::CustomerId)
            .from(vehicles::Entity)
            .and_where(vehicles::Column::OrganizationId.eq(actor.organization_id()))
            .cond_where(
                Condition::any()
                    .add(vehicles::Column::PlateKey.like(contains(&key)))
                    .add(vehicles::Column::Vin.like(contains(&key))),
            )
            .to_owned();
        condition = condition.add(Column::Id.in_subquery(vehicles));
    }
    condition
}
