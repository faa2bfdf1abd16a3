//! The customer's own page, signed into without a password: they ask for a
//! link at `/portal` with the email address or phone number the workshop
//! has for them, and it is sent there (`messages::portal`). A link works
//! once, for `LINK_VALID_FOR`; the request that uses it first opens a
//! session of `SESSION_LASTS` on that row, and any later use finds it used.
//!
//! Asking never says whether the contact is known: the answer, and the
//! throttle (counted per contact and per address, known or not), are the
//! same either way, and the message is sent by a job, so the answer takes
//! no longer for a known contact.

use chrono::TimeDelta;
use phonenumber::{country, Mode};
use sea_orm::{
    entity::prelude::*,
    sea_query::{Expr, ExprTrait, Func},
    ActiveValue, Condition, QueryOrder, QuerySelect,
};
use serde_json::json;

pub use crate::models::_entities::portal_links::{self, ActiveModel, Column, Entity, Model};
use crate::models::{
    _entities::{deliveries, invoices, repair_orders, vehicles},
    actor::By,
    audit_events::{self, Change},
    clock::Clock,
    customers::{self, ConsentSource},
    error::{DomainError, DomainResult},
    now_at,
    organization::sites,
    people::{login_attempts::AttemptKind, users::Origin},
    values::{Email, LanguageCode, PhoneE164, RepairStatus, Stored},
    Write,
};

/// How long a link asked for works, unused.
pub const LINK_VALID_FOR: TimeDelta = TimeDelta::minutes(15);
/// How long a session opened by a link lasts.
pub const SESSION_LASTS: TimeDelta = TimeDelta::hours(12);
/// The most of each list the page shows: the newest.
const SHOWN: u64 = 50;

#[async_trait::async_trait]
impl ActiveModelBehavior for ActiveModel {
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

/// What a customer typed to be found by: an email address, or a phone
/// number (international, or national in one of the countries the
/// workshops are in, which may read as a number in more than one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Contact {
    Email(String),
    Phones(Vec<String>),
}

/// Where a national number (`0712 345 678`) may be from.
const NATIONAL: [country::Id; 3] = [country::Id::KE, country::Id::UG, country::Id::TZ];

impl Contact {
    /// # Errors
    /// The field message when it is neither an email address nor a phone
    /// number.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err("type the email address or phone number the workshop has for you".into());
        }
        if raw.contains('@') {
            return Email::parse(raw).map(|email| Self::Email(email.into_inner()));
        }
        if raw.starts_with('+') {
            return PhoneE164::parse(raw).map(|phone| Self::Phones(vec![phone.into_inner()]));
        }
        let mut phones: Vec<String> = NATIONAL
            .iter()
            .filter_map(|country| phonenumber::parse(Some(*country), raw).ok())
            .filter(phonenumber::is_valid)
            .map(|number| number.format().mode(Mode::E164).to_string())
            .collect();
        phones.dedup();
        if phones.is_empty() {
            return Err("is not an email address or a phone number, e.g. +254712345678".into());
        }
        Ok(Self::Phones(phones))
    }

    /// What the throttle counts it by.
    fn key(&self) -> String {
        match self {
            Self::Email(email) => email.clone(),
            Self::Phones(phones) => phones.join(","),
        }
    }

    const fn channel(&self) -> &'static str {
        match self {
            Self::Email(_) => "email",
            Self::Phones(_) => "sms",
        }
    }

    fn matches(&self) -> Condition {
        match self {
            Self::Email(email) => Condition::all().add(
                Expr::expr(Func::lower(Expr::col(customers::Column::Email))).eq(email.as_str()),
            ),
            Self::Phones(phones) => {
                Condition::all().add(customers::Column::Phone.is_in(phones.clone()))
            }
        }
    }
}

/// Asks for a link for whoever has `contact` on file: one link (and one
/// job to send it, written in the same change) per customer found, in any
/// organization, erased customers excepted. Nothing tells the caller
/// whether anyone was found. Counted before anything is looked up.
///
/// # Errors
/// 429 when the contact or the address asked too often (known or not).
pub async fn request_link(db: &Write, origin: &Origin, contact: &Contact) -> DomainResult<()> {
    let now = now_at(origin.clock);
    let throttle = origin.throttle;
    let key = contact.key();
    let attempt = throttle
        .record(db, now, AttemptKind::PortalLink, &key, &origin.ip)
        .await?;
    if let Err(limited) = throttle.check_portal_link(db, now, &key, &origin.ip).await {
        throttle.forget(db, attempt).await?;
        return Err(limited);
    }
    let found = customers::Entity::find()
        .filter(customers::Column::ErasedAt.is_null())
        .filter(contact.matches())
        .all(db)
        .await?;
    for customer in found {
        let link = ActiveModel {
            customer_id: ActiveValue::Set(customer.id),
            channel: ActiveValue::Set(contact.channel().to_string()),
            created_at: ActiveValue::Set(now),
            expires_at: ActiveValue::Set(now + LINK_VALID_FOR),
            ..Default::default()
        }
        .insert(db)
        .await?;
        crate::queue::later::<crate::workers::send_portal_link::SendPortalLink, _>(
            db,
            &crate::workers::send_portal_link::LinkArgs { link_id: link.pid },
        )
        .await?;
    }
    Ok(())
}

/// A signed-in customer: the link that opened the session, who they are,
/// and their home branch (whose language and zone their page uses).
#[derive(Clone, Debug)]
pub struct Portal {
    pub link: Model,
    pub customer: customers::Model,
    pub site: sites::Model,
}

async fn customer_of(db: &impl ConnectionTrait, link: Model) -> DomainResult<Portal> {
    let (customer, site) = customers::Model::with_site(db, link.customer_id, None).await?;
    if customer.erased_at.is_some() {
        return Err(DomainError::NotFound("link"));
    }
    Ok(Portal {
        link,
        customer,
        site,
    })
}

/// Link `pid` while it may still be used: for the page that asks the
/// customer to sign in with it (opening that page uses nothing, so a mail
/// scanner fetching it does no harm).
///
/// # Errors
/// `NotFound` for a link that is used, expired, unknown, or whose customer
/// was erased.
pub async fn unused(db: &impl ConnectionTrait, clock: Clock, pid: Uuid) -> DomainResult<Portal> {
    let link = Entity::find()
        .filter(Column::Pid.eq(pid))
        .filter(Column::UsedAt.is_null())
        .filter(Column::ExpiresAt.gt(now_at(clock)))
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("link"))?;
    customer_of(db, link).await
}

/// Signs in with link `pid`: one conditional write decides, so of any
/// number of requests with the same link exactly one gets the session.
///
/// # Errors
/// `NotFound` for a link used before, expired or unknown.
pub async fn sign_in(db: &Write, clock: Clock, pid: Uuid) -> DomainResult<Portal> {
    let now = now_at(clock);
    let used = Entity::update_many()
        .col_expr(Column::UsedAt, Expr::value(now))
        .filter(Column::Pid.eq(pid))
        .filter(Column::UsedAt.is_null())
        .filter(Column::ExpiresAt.gt(now))
        .exec(db)
        .await?;
    if used.rows_affected != 1 {
        return Err(DomainError::NotFound("link"));
    }
    let link = Entity::find()
        .filter(Column::Pid.eq(pid))
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("link"))?;
    let portal = customer_of(db, link).await?;
    audit_events::Model::record(
        db,
        portal.customer.organization_id,
        By::System(clock),
        Change {
            action: "customer.signed_in",
            subject_type: "customer",
            subject_id: portal.customer.pid,
            site_id: None,
            details: Some(json!({"via": "portal", "channel": portal.link.channel})),
        },
    )
    .await?;
    Ok(portal)
}

/// The session link `pid` opened, while it lasts.
///
/// # Errors
/// `NotFound` when it never opened one, ended, or the customer was erased.
pub async fn session(db: &impl ConnectionTrait, clock: Clock, pid: Uuid) -> DomainResult<Portal> {
    let link = Entity::find()
        .filter(Column::Pid.eq(pid))
        .filter(Column::UsedAt.gt(now_at(clock) - SESSION_LASTS))
        .filter(Column::EndedAt.is_null())
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("link"))?;
    customer_of(db, link).await
}

/// Ends the session link `pid` opened.
///
/// # Errors
/// When the database fails.
pub async fn sign_out(db: &impl ConnectionTrait, clock: Clock, pid: Uuid) -> DomainResult<()> {
    Entity::update_many()
        .col_expr(Column::EndedAt, Expr::value(now_at(clock)))
        .filter(Column::Pid.eq(pid))
        .filter(Column::EndedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// What a customer may change of their own: their language (`Some(None)`:
/// their branch's) and whether they hear of offers.
#[derive(Debug, Default)]
pub struct Preferences {
    pub language: Option<Option<LanguageCode>>,
    pub marketing_opt_in: Option<bool>,
}

impl Portal {
    /// Records the customer's own choice; consent given or withdrawn here
    /// is stamped as theirs, on the web, now.
    ///
    /// # Errors
    /// `NotFound` when they were erased meanwhile.
    pub async fn set_preferences(
        &self,
        db: &Write,
        clock: Clock,
        preferences: Preferences,
    ) -> DomainResult<customers::Model> {
        let now = now_at(clock);
        let mut update = customers::Entity::update_many()
            .col_expr(customers::Column::UpdatedAt, Expr::value(now))
            .filter(customers::Column::Id.eq(self.customer.id))
            .filter(customers::Column::ErasedAt.is_null());
        if let Some(language) = preferences.language {
            update = update.col_expr(
                customers::Column::Language,
                Expr::value(language.map(|code| code.as_str().to_string())),
            );
        }
        let consent_changed = preferences
            .marketing_opt_in
            .filter(|wanted| *wanted != self.customer.marketing_opt_in);
        if let Some(opt_in) = consent_changed {
            update = update
                .col_expr(customers::Column::MarketingOptIn, Expr::value(opt_in))
                .col_expr(customers::Column::MarketingConsentAt, Expr::value(now))
                .col_expr(
                    customers::Column::MarketingConsentSource,
                    Expr::value(ConsentSource::Web.as_str()),
                )
                .col_expr(
                    customers::Column::MarketingConsentBy,
                    Expr::value(Option::<i64>::None),
                );
        }
        if update.exec(db).await?.rows_affected != 1 {
            return Err(DomainError::NotFound("customer"));
        }
        let customer = customers::Entity::find_by_id(self.customer.id)
            .one(db)
            .await?
            .ok_or(DomainError::NotFound("customer"))?;
        audit_events::Model::record(
            db,
            customer.organization_id,
            By::System(clock),
            Change {
                action: "customer.preferences_changed",
                subject_type: "customer",
                subject_id: customer.pid,
                site_id: None,
                details: Some(json!({
                    "by": "customer",
                    "via": "portal",
                    "language": customer.language,
                    "marketing_opt_in": customer.marketing_opt_in,
                })),
            },
        )
        .await?;
        Ok(customer)
    }

    /// Erases the customer's personal data at their own request, as staff
    /// erase it (`customers::Model::erase`), and ends every session of
    /// theirs.
    ///
    /// # Errors
    /// `NotFound` when they were erased meanwhile.
    pub async fn erase(&self, db: &Write, clock: Clock) -> DomainResult<()> {
        customers::Model::wipe(
            db,
            self.customer.id,
            By::System(clock),
            Some(json!({"requested_by": "customer", "via": "portal"})),
        )
        .await?;
        Entity::update_many()
            .col_expr(Column::EndedAt, Expr::value(now_at(clock)))
            .filter(Column::CustomerId.eq(self.customer.id))
            .filter(Column::EndedAt.is_null())
            .exec(db)
            .await?;
        Ok(())
    }

    /// Their vehicles, by plate.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn vehicles(&self, db: &impl ConnectionTrait) -> DomainResult<Vec<vehicles::Model>> {
        Ok(vehicles::Entity::find()
            .filter(vehicles::Column::CustomerId.eq(self.customer.id))
            .order_by_asc(vehicles::Column::Plate)
            .all(db)
            .await?)
    }

    /// Their orders still open (the car is booked in or in the workshop),
    /// and those completed in the last week (ready, or just collected),
    /// newest first.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn current_orders(
        &self,
        db: &impl ConnectionTrait,
        clock: Clock,
    ) -> DomainResult<Vec<repair_orders::Model>> {
        let recent = now_at(clock) - TimeDelta::days(7);
        Ok(repair_orders::Entity::find()
            .filter(repair_orders::Column::CustomerId.eq(self.customer.id))
            .filter(
                Condition::any()
                    .add(
                        repair_orders::Column::Status
                            .is_not_in(RepairStatus::CLOSED.map(Stored::as_str)),
                    )
                    .add(
                        Condition::all()
                            .add(repair_orders::Column::Status.eq(RepairStatus::Completed.as_str()))
                            .add(repair_orders::Column::UpdatedAt.gt(recent)),
                    ),
            )
            .order_by_desc(repair_orders::Column::CreatedAt)
            .limit(SHOWN)
            .all(db)
            .await?)
    }

    /// Their invoices, newest first.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn invoices(&self, db: &impl ConnectionTrait) -> DomainResult<Vec<invoices::Model>> {
        Ok(invoices::Entity::find()
            .filter(invoices::Column::CustomerId.eq(self.customer.id))
            .order_by_desc(invoices::Column::IssuedAt)
            .order_by_desc(invoices::Column::Id)
            .limit(SHOWN)
            .all(db)
            .await?)
    }

    /// Their invoice `pid`; anyone else's is not found.
    ///
    /// # Errors
    /// `NotFound` for an invoice that is not theirs.
    pub async fn invoice(
        &self,
        db: &impl ConnectionTrait,
        pid: Uuid,
    ) -> DomainResult<invoices::Model> {
        invoices::Entity::find()
            .filter(invoices::Column::Pid.eq(pid))
            .filter(invoices::Column::CustomerId.eq(self.customer.id))
            .one(db)
            .await?
            .ok_or(DomainError::NotFound("invoice"))
    }

    /// The messages sent (or tried) to them, newest first; sign-in links
    /// are left out.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn messages(
        &self,
        db: &impl ConnectionTrait,
    ) -> DomainResult<Vec<deliveries::Model>> {
        Ok(deliveries::Entity::find()
            .filter(deliveries::Column::CustomerId.eq(self.customer.id))
            .filter(deliveries::Column::Kind.ne("portal_link"))
            .order_by_desc(deliveries::Column::CreatedAt)
            .order_by_desc(deliveries::Column::Id)
            .limit(SHOWN)
            .all(db)
            .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_contact_is_an_email_address_or_a_phone_number() {
        assert_eq!(
            Contact::parse("  Achieng@Example.COM "),
            Ok(Contact::Email("achieng@example.com".into()))
        );
        assert_eq!(
            Contact::parse("+254 712 345 678"),
            Ok(Contact::Phones(vec!["+254712345678".into()]))
        );
        // A national number is read in each country the workshops are in
        // where it is a valid number; each reading finds only its owner.
        let Ok(Contact::Phones(national)) = Contact::parse("0712 345 678") else {
            panic!("a national number");
        };
        assert!(
            national.contains(&"+254712345678".to_string()),
            "{national:?}"
        );
        assert!(national.iter().all(|phone| phone.starts_with('+')));
        for bad in [
            "",
            "   ",
            "nobody",
            "a@",
            "+999",
            "07",
            "0712 345 678 999 1",
        ] {
            assert!(Contact::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_throttle_counts_a_contact_the_same_however_it_is_typed() {
        let typed = ["+254712345678", "+254 712-345-678"];
        let keys: Vec<String> = typed
            .iter()
            .map(|raw| Contact::parse(raw).unwrap().key())
            .collect();
        assert_eq!(keys[0], keys[1]);
        assert_eq!(
            Contact::parse("A@B.co").unwrap().key(),
            Contact::parse("a@b.co").unwrap().key()
        );
    }
}
