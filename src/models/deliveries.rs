//! The ledger of messages to customers: one row per kind + subject + cycle +
//! channel (`uq_deliveries_kind_subject_pid_cycle_channel`), taken before a
//! message is sent and settled after, so that a retried, duplicated or
//! re-derived job never sends a message twice.
//!
//! A row is `sending` while one worker holds it, then `sent`, `failed`
//! (another attempt may take it, up to `MAX_ATTEMPTS`) or `skipped` (nothing
//! to send it to). A worker that died while holding a row leaves it
//! `sending`; after `STALE_AFTER` another attempt may take it over. That
//! attempt may repeat a message whose send had completed just before the
//! crash: the one case of a duplicate, bounded by the crash itself.

use chrono::TimeDelta;
use sea_orm::{
    prelude::DateTimeWithTimeZone,
    sea_query::{Expr, ExprTrait},
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, TryInsertResult,
};
use uuid::Uuid;

pub use super::_entities::deliveries::{ActiveModel, Column, Entity, Model};
use super::{
    _entities::{customers, sites},
    clock::Clock,
    now_at,
};
use crate::{
    mail::{Language, MailError, Mailer, Outgoing},
    sms::{SmsError, SmsSender},
};

impl sea_orm::ActiveModelBehavior for ActiveModel {}
use super::error::DomainResult;

/// Attempts at one delivery before it is left failed for people to look at.
pub const MAX_ATTEMPTS: i32 = 5;
/// How long a `sending` row stays its worker's before another may take it.
pub const STALE_AFTER: TimeDelta = TimeDelta::minutes(15);

/// What was sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    ServiceReminder,
    Invoice,
    RepairStatus,
    /// To staff: what is running low at their sites.
    LowStockDigest,
    /// An offer, to a customer who agreed to hear of offers.
    Promotion,
    /// A repair order's estimate, with the link to decide on it.
    Estimate,
}

impl Kind {
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ServiceReminder => "service_reminder",
            Self::Invoice => "invoice",
            Self::RepairStatus => "repair_status",
            Self::LowStockDigest => "low_stock_digest",
            Self::Promotion => "promotion",
            Self::Estimate => "estimate",
        }
    }
}

/// How it was sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Channel {
    Email,
    Sms,
}

impl Channel {
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Sms => "sms",
        }
    }
}

/// One delivery's identity: this kind, about this subject, for this cycle
/// (a due date; `-` for what is sent once), on this channel.
#[derive(Clone, Debug)]
pub struct Key {
    pub kind: Kind,
    pub subject_pid: Uuid,
    pub cycle: String,
    pub channel: Channel,
}

/// Whom a delivery is for.
#[derive(Clone, Debug)]
pub struct Recipient {
    pub organization_id: i64,
    pub site_id: i64,
    pub customer_id: Option<i64>,
    /// The address or number it goes to, when there is one.
    pub address: Option<String>,
}

impl Recipient {
    /// `customer`'s address on `channel` (email address or phone number),
    /// on behalf of `site`.
    #[must_use]
    pub fn of(customer: &customers::Model, site: &sites::Model, channel: Channel) -> Self {
        Self {
            organization_id: customer.organization_id,
            site_id: site.id,
            customer_id: Some(customer.id),
            address: match channel {
                Channel::Email => customer.email.clone(),
                Channel::Sms => customer.phone.clone(),
            },
        }
    }
}

/// The channel to write to `customer` on: a text message when they prefer
/// one or have no email address, have a phone number, and texts can be
/// sent (`sms_on`: a gateway is configured); email otherwise (a customer
/// with neither is then recorded as skipped).
#[must_use]
pub fn channel_for(customer: &customers::Model, sms_on: bool) -> Channel {
    let texts = sms_on && customer.phone.is_some();
    if texts && (customer.prefers_sms || customer.email.is_none()) {
        Channel::Sms
    } else {
        Channel::Email
    }
}

/// A customer and the branch that writes to them: `site_id`, or their home
/// branch.
///
/// # Errors
/// `NotFound` when either is gone.
pub async fn customer_and_site(
    db: &impl ConnectionTrait,
    customer_id: i64,
    site_id: Option<i64>,
) -> DomainResult<(customers::Model, sites::Model)> {
    let customer = customers::Entity::find_by_id(customer_id)
        .one(db)
        .await?
        .ok_or(super::error::DomainError::NotFound("customer"))?;
    let site = sites::Entity::find_by_id(site_id.unwrap_or(customer.home_site_id))
        .one(db)
        .await?
        .ok_or(super::error::DomainError::NotFound("site"))?;
    Ok((customer, site))
}

impl Key {
    fn matches(&self) -> sea_orm::Condition {
        sea_orm::Condition::all()
            .add(Column::Kind.eq(self.kind.as_str()))
            .add(Column::SubjectPid.eq(self.subject_pid))
            .add(Column::Cycle.eq(self.cycle.as_str()))
            .add(Column::Channel.eq(self.channel.as_str()))
    }

    fn row(&self, recipient: &Recipient, status: &str, now: DateTimeWithTimeZone) -> ActiveModel {
        ActiveModel {
            pid: Set(Uuid::new_v4()),
            organization_id: Set(recipient.organization_id),
            site_id: Set(recipient.site_id),
            customer_id: Set(recipient.customer_id),
            kind: Set(self.kind.as_str().to_string()),
            subject_pid: Set(self.subject_pid),
            cycle: Set(self.cycle.clone()),
            channel: Set(self.channel.as_str().to_string()),
            recipient: Set(recipient.address.clone()),
            status: Set(status.to_string()),
            attempts: Set(i32::from(status == "sending")),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
    }

    async fn insert_new(&self, db: &impl ConnectionTrait, row: ActiveModel) -> DomainResult<bool> {
        let inserted = Entity::insert(row)
            .on_conflict_do_nothing_on([
                Column::Kind,
                Column::SubjectPid,
                Column::Cycle,
                Column::Channel,
            ])
            .exec_without_returning(db)
            .await?;
        Ok(matches!(inserted, TryInsertResult::Inserted(rows) if rows > 0))
    }

    async fn find(&self, db: &impl ConnectionTrait) -> DomainResult<Option<Model>> {
        Ok(Entity::find().filter(self.matches()).one(db).await?)
    }
}

/// Whether a delivery in this state is still to be attempted.
#[must_use]
pub fn is_pending(delivery: &Model, now: DateTimeWithTimeZone) -> bool {
    match delivery.status.as_str() {
        "failed" => delivery.attempts < MAX_ATTEMPTS,
        "sending" => delivery.updated_at < now - STALE_AFTER,
        _ => false,
    }
}

/// Takes the delivery for one attempt: `Some` when the caller is now to send
/// it, `None` when it was sent or skipped already, is being sent by another
/// worker, or has used up its attempts. Decided by the database (an insert
/// that does nothing on a duplicate, then a conditional update), never from
/// a row read before.
///
/// # Errors
/// When the database fails.
pub async fn claim(
    db: &impl ConnectionTrait,
    key: &Key,
    recipient: &Recipient,
    now: DateTimeWithTimeZone,
) -> DomainResult<Option<Model>> {
    if key
        .insert_new(db, key.row(recipient, "sending", now))
        .await?
    {
        return key.find(db).await;
    }
    let retry = sea_orm::Condition::any()
        .add(
            sea_orm::Condition::all()
                .add(Column::Status.eq("failed"))
                .add(Column::Attempts.lt(MAX_ATTEMPTS)),
        )
        .add(
            sea_orm::Condition::all()
                .add(Column::Status.eq("sending"))
                .add(Column::UpdatedAt.lt(now - STALE_AFTER)),
        );
    let taken = Entity::update_many()
        .col_expr(Column::Status, Expr::value("sending"))
        .col_expr(Column::Attempts, Expr::col(Column::Attempts).add(1))
        .col_expr(Column::Recipient, Expr::value(recipient.address.clone()))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(key.matches())
        .filter(retry)
        .exec(db)
        .await?;
    if taken.rows_affected == 1 {
        key.find(db).await
    } else {
        Ok(None)
    }
}

/// Records that there was nothing to send to (no address, an erased
/// customer, consent withdrawn), once; a delivery whose earlier attempt
/// failed is settled as skipped too.
///
/// # Errors
/// When the database fails.
pub async fn skip(
    db: &impl ConnectionTrait,
    key: &Key,
    recipient: &Recipient,
    reason: &str,
    now: DateTimeWithTimeZone,
) -> DomainResult<()> {
    let mut row = key.row(recipient, "skipped", now);
    row.error = Set(Some(reason.to_string()));
    if !key.insert_new(db, row).await? {
        // An earlier attempt failed; there is nothing to send it to now.
        Entity::update_many()
            .col_expr(Column::Status, Expr::value("skipped"))
            .col_expr(Column::Error, Expr::value(reason.to_string()))
            .col_expr(Column::UpdatedAt, Expr::value(now))
            .filter(key.matches())
            .filter(Column::Status.eq("failed"))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// The attempt that holds `delivery` succeeded.
///
/// # Errors
/// When the database fails.
pub async fn mark_sent(
    db: &impl ConnectionTrait,
    delivery: &Model,
    provider_message_id: &str,
    now: DateTimeWithTimeZone,
) -> DomainResult<()> {
    settle(
        db,
        delivery,
        Entity::update_many()
            .col_expr(Column::Status, Expr::value("sent"))
            .col_expr(
                Column::ProviderMessageId,
                Expr::value(provider_message_id.to_string()),
            )
            .col_expr(Column::Error, Expr::value(Option::<String>::None))
            .col_expr(Column::SentAt, Expr::value(now)),
        now,
    )
    .await
}

/// The attempt that holds `delivery` failed, for this reason; the next
/// sweep may try again.
///
/// # Errors
/// When the database fails.
pub async fn mark_failed(
    db: &impl ConnectionTrait,
    delivery: &Model,
    error: &str,
    now: DateTimeWithTimeZone,
) -> DomainResult<()> {
    settle(db, delivery, failed(error), now).await
}

/// The attempt that holds `delivery` found it can never be sent (an
/// address that does not parse): failed, with no attempts left.
///
/// # Errors
/// When the database fails.
pub async fn mark_undeliverable(
    db: &impl ConnectionTrait,
    delivery: &Model,
    error: &str,
    now: DateTimeWithTimeZone,
) -> DomainResult<()> {
    let update = failed(error).col_expr(Column::Attempts, Expr::value(MAX_ATTEMPTS));
    settle(db, delivery, update, now).await
}

fn failed(error: &str) -> sea_orm::UpdateMany<Entity> {
    Entity::update_many()
        .col_expr(Column::Status, Expr::value("failed"))
        .col_expr(Column::Error, Expr::value(error.to_string()))
}

/// Writes an attempt's end on its row.
async fn settle(
    db: &impl ConnectionTrait,
    delivery: &Model,
    update: sea_orm::UpdateMany<Entity>,
    now: DateTimeWithTimeZone,
) -> DomainResult<()> {
    update
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Id.eq(delivery.id))
        .exec(db)
        .await?;
    Ok(())
}

/// The deliveries of `kind` about any of `subjects`, to tell what is still
/// to do.
///
/// # Errors
/// When the database fails.
pub async fn of_subjects(
    db: &impl ConnectionTrait,
    kind: Kind,
    subjects: &[Uuid],
) -> DomainResult<Vec<Model>> {
    let mut found = Vec::new();
    for chunk in subjects.chunks(500) {
        found.extend(
            Entity::find()
                .filter(Column::Kind.eq(kind.as_str()))
                .filter(Column::SubjectPid.is_in(chunk.iter().copied()))
                .all(db)
                .await?,
        );
    }
    Ok(found)
}

/// What became of one job's delivery.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sent {
    /// Sent now.
    Sent,
    /// Sent, skipped or being sent by another worker already.
    AlreadyHandled,
    /// Nothing to send it to; recorded as skipped.
    Skipped,
    /// Nothing to send any more (a service recorded since, a void invoice).
    NoLongerDue,
    /// Not now (outside the branch's sending hours); a later sweep sends it.
    Later,
}

/// The customer's address on the key's channel, or `None` after recording
/// the delivery as skipped (no address, an erased customer).
///
/// # Errors
/// When the database fails.
pub async fn address_of(
    db: &impl ConnectionTrait,
    key: &Key,
    recipient: &Recipient,
    customer: &customers::Model,
    now: DateTimeWithTimeZone,
) -> DomainResult<Option<String>> {
    let reason = match (&customer.erased_at, &recipient.address, key.channel) {
        (None, Some(address), _) => return Ok(Some(address.clone())),
        (Some(_), _, _) => "the customer was erased",
        (None, None, Channel::Email) => "no email address",
        (None, None, Channel::Sms) => "no phone number",
    };
    skip(db, key, recipient, reason, now).await?;
    Ok(None)
}

/// The customer's address on the key's channel and the ledger row claimed
/// for `key`, ready to send; or, instead, what became of it: `Skipped`
/// (nothing to send to, recorded) or `AlreadyHandled` (another attempt
/// holds or settled it).
///
/// # Errors
/// When the database fails.
pub async fn take_for_customer(
    db: &impl ConnectionTrait,
    key: &Key,
    customer: &customers::Model,
    site: &sites::Model,
    now: DateTimeWithTimeZone,
) -> DomainResult<Result<(String, Model), Sent>> {
    let recipient = Recipient::of(customer, site, key.channel);
    let Some(address) = address_of(db, key, &recipient, customer, now).await? else {
        return Ok(Err(Sent::Skipped));
    };
    let Some(delivery) = claim(db, key, &recipient, now).await? else {
        return Ok(Err(Sent::AlreadyHandled));
    };
    Ok(Ok((address, delivery)))
}

/// Sends the text `body` to `phone` for the attempt that holds `delivery`,
/// and records how it went.
///
/// # Errors
/// `Upstream` when the gateway could not take it now (the ledger says why;
/// a later attempt may take it).
pub async fn send_sms(
    db: &impl ConnectionTrait,
    sms: &SmsSender,
    clock: Clock,
    delivery: &Model,
    phone: &str,
    body: &str,
) -> DomainResult<Sent> {
    match sms.send(phone, body).await {
        Ok(message_id) => {
            mark_sent(db, delivery, &message_id, now_at(clock)).await?;
            Ok(Sent::Sent)
        }
        Err(SmsError::Unavailable(error)) => {
            mark_failed(db, delivery, &error, now_at(clock)).await?;
            Err(super::error::DomainError::Upstream(error))
        }
        Err(error) => {
            // A number the gateway will never send to.
            mark_undeliverable(db, delivery, &error.to_string(), now_at(clock)).await?;
            Ok(Sent::Skipped)
        }
    }
}

/// The branch's name and contact for the templates.
#[must_use]
pub fn site_values(site: &sites::Model) -> serde_json::Value {
    crate::mail::site_values(
        &site.name,
        site.phone.as_deref(),
        site.email.as_deref(),
        site.address.as_deref(),
    )
}

/// A message to `customer` at `email` for the attempt that holds
/// `delivery`, replies going to `site`; `tag` names the kind in its
/// Message-ID.
#[must_use]
pub fn outgoing<'a>(
    customer: &'a customers::Model,
    email: &'a str,
    site: &'a sites::Model,
    content: crate::mail::Rendered,
    delivery: &Model,
    tag: &str,
) -> Outgoing<'a> {
    Outgoing::new(
        &customer.name,
        email,
        site.email.as_deref(),
        content,
        format!("<{}@karakana.{tag}>", delivery.pid),
    )
}

/// The language to write to `customer` in: their own, else their site's.
#[must_use]
pub fn language_for(customer: &customers::Model, site: &sites::Model) -> Language {
    customer
        .language
        .as_deref()
        .and_then(Language::from_code)
        .or_else(|| Language::from_code(&site.language))
        .unwrap_or(Language::English)
}

/// Sends `outgoing` for the attempt that holds `delivery`, and records how
/// it went.
///
/// # Errors
/// `Upstream` when the mail server refused or could not be reached (the
/// ledger says why; a later attempt may take it).
pub async fn send_email(
    db: &impl ConnectionTrait,
    mailer: &Mailer,
    clock: Clock,
    delivery: &Model,
    outgoing: Outgoing<'_>,
) -> DomainResult<Sent> {
    let message_id = outgoing.message_id.clone();
    match mailer.send(outgoing).await {
        Ok(()) => {
            mark_sent(db, delivery, &message_id, now_at(clock)).await?;
            Ok(Sent::Sent)
        }
        Err(MailError::Delivery(error)) => {
            mark_failed(db, delivery, &error, now_at(clock)).await?;
            Err(super::error::DomainError::Upstream(error))
        }
        Err(error) => {
            // An address that cannot be written to will not improve.
            mark_undeliverable(db, delivery, &error.to_string(), now_at(clock)).await?;
            Ok(Sent::Skipped)
        }
    }
}

/// `(subject, cycle)` of the deliveries of `kind` about `subjects` that are
/// settled (sent, skipped, or failed for good): what a sweep must not send
/// again.
///
/// # Errors
/// When the database fails.
pub async fn settled(
    db: &impl ConnectionTrait,
    kind: Kind,
    subjects: &[Uuid],
    now: DateTimeWithTimeZone,
) -> DomainResult<std::collections::HashSet<(Uuid, String)>> {
    Ok(of_subjects(db, kind, subjects)
        .await?
        .into_iter()
        .filter(|delivery| !is_pending(delivery, now))
        .map(|delivery| (delivery.subject_pid, delivery.cycle))
        .collect())
}

/// Every message to `customer` from the actor's sites, newest first.
///
/// # Errors
/// 403 for roles that do not deal with customers.
pub async fn of_customer(
    db: &impl ConnectionTrait,
    actor: &super::actor::Actor,
    customer: &customers::Model,
    page: super::paging::PageRequest,
) -> DomainResult<super::paging::Page<Model>> {
    use sea_orm::QueryOrder;

    actor.authorize(super::actor::Ability::ManageCustomers)?;
    let query = Entity::find()
        .filter(actor.scope(Column::OrganizationId, Column::SiteId))
        .filter(Column::CustomerId.eq(customer.id))
        .order_by_desc(Column::CreatedAt)
        .order_by_desc(Column::Id);
    page.fetch(db, query).await
}
