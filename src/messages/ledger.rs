//! The ledger of messages: one row per kind + subject + cycle + channel
//! (`uq_deliveries_kind_subject_pid_cycle_channel`), taken before a
//! message is sent and settled after, so that a retried, duplicated or
//! re-derived job never sends a message twice.
//!
//! A row is `sending` while one attempt holds it, then `sent`, `failed`
//! (its job retries it with backoff until `give_up_at`; then it is given
//! up: `failed` with `given_up_at`, its job dead, managers told) or
//! `skipped` (nothing to send it to). The holder renews its claim while it
//! sends (`renew`); a worker that died while holding a row stops renewing,
//! and after `LEASE` another attempt takes it over. That attempt repeats a
//! message whose send had completed just before the crash, with the same
//! Message-ID: the one case of a duplicate, bounded by the messages in
//! flight at the crash.

use chrono::TimeDelta;
use sea_orm::{
    prelude::DateTimeWithTimeZone,
    sea_query::{Expr, ExprTrait},
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, TryInsertResult,
};
use uuid::Uuid;

pub use crate::models::_entities::deliveries::{ActiveModel, Column, Entity, Model};
use crate::models::values::Stored;
use crate::models::{
    _entities::customers,
    actor::{Ability, Actor},
    error::DomainResult,
    paging::{Page, PageRequest},
};

impl sea_orm::ActiveModelBehavior for ActiveModel {}

/// How long a `sending` row stays its holder's unless renewed.
pub const LEASE: TimeDelta = TimeDelta::seconds(30);
/// How often a holder renews while it sends.
pub const RENEW_EVERY: std::time::Duration = std::time::Duration::from_secs(10);
/// A failed row is its job's to retry (with backoff of an hour at most);
/// only one untouched for this long lost its job, and a sweep takes it.
pub const LOST_AFTER: TimeDelta = TimeDelta::hours(2);

/// What was sent.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, strum::IntoStaticStr, strum::EnumString, strum::VariantArray,
)]
#[strum(serialize_all = "snake_case")]
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
    /// A one-time link to the customer's own page.
    PortalLink,
}

impl Kind {
    /// How long after its first attempt a message of this kind is still
    /// worth sending, unless the message says (a reminder: until a week
    /// after its due date).
    #[must_use]
    pub const fn worth_for(self) -> TimeDelta {
        match self {
            Self::ServiceReminder | Self::Invoice => TimeDelta::days(7),
            Self::Estimate | Self::Promotion => TimeDelta::days(3),
            Self::RepairStatus | Self::LowStockDigest => TimeDelta::days(1),
            Self::PortalLink => crate::models::customers::portal::LINK_VALID_FOR,
        }
    }

    /// Its part of a Message-ID (`<delivery@karakana.tag>`).
    #[must_use]
    pub const fn tag(self) -> &'static str {
        match self {
            Self::ServiceReminder => "reminder",
            Self::Invoice => "invoice",
            Self::RepairStatus => "status",
            Self::LowStockDigest => "stock",
            Self::Promotion => "promotion",
            Self::Estimate => "estimate",
            Self::PortalLink => "portal",
        }
    }
}

/// How it was sent.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, strum::IntoStaticStr, strum::EnumString, strum::VariantArray,
)]
#[strum(serialize_all = "snake_case")]
pub enum Channel {
    Email,
    Sms,
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
    /// Until when it is worth trying.
    pub give_up_at: DateTimeWithTimeZone,
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
            give_up_at: Set(Some(recipient.give_up_at)),
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

/// The cycle of a delivery asked for at `requested_at`: each request to
/// send an invoice or an estimate (again) is a delivery of its own.
#[must_use]
pub fn requested_cycle(requested_at: DateTimeWithTimeZone) -> String {
    requested_at.to_rfc3339()
}

/// Of `asked` (subjects with the moment each was last asked to be sent),
/// those whose request has no settled delivery of `kind` yet: what a sweep
/// of requests (invoices, estimates) is to send.
///
/// # Errors
/// When the database fails.
pub async fn unsettled_requests(
    db: &impl ConnectionTrait,
    kind: Kind,
    asked: Vec<(Uuid, Option<DateTimeWithTimeZone>)>,
    now: DateTimeWithTimeZone,
) -> DomainResult<Vec<Uuid>> {
    let subjects: Vec<Uuid> = asked.iter().map(|(subject, _)| *subject).collect();
    let settled = settled(db, kind, &subjects, now).await?;
    Ok(asked
        .into_iter()
        .filter_map(|(subject, at)| Some((subject, requested_cycle(at?))))
        .filter(|key| !settled.contains(key))
        .map(|(subject, _)| subject)
        .collect())
}

/// Whether a sweep is to (re)send a delivery in this state: one whose
/// holder stopped renewing, or a failure whose job was lost (untouched for
/// `LOST_AFTER`) while it is still worth sending. A failure's retry is
/// its job's, on the queue's backoff: a sweep taking it as well would
/// multiply the jobs through a long outage.
#[must_use]
pub fn is_pending(delivery: &Model, now: DateTimeWithTimeZone) -> bool {
    match delivery.status.as_str() {
        "failed" => {
            delivery.given_up_at.is_none()
                && give_up_at(delivery) > now
                && delivery.updated_at < now - LOST_AFTER
        }
        "sending" => delivery.updated_at < now - LEASE,
        _ => false,
    }
}

/// What a claim found.
#[derive(Debug)]
pub enum Claim {
    /// The caller holds the delivery now and is to send it.
    Taken(Box<Model>),
    /// Sent, skipped or given up already: nothing to do.
    Settled,
    /// Another attempt holds it and is alive (renewing): try again later.
    Held,
}

/// Takes the delivery for one attempt. Decided by the database (an insert
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
) -> DomainResult<Claim> {
    if key
        .insert_new(db, key.row(recipient, "sending", now))
        .await?
    {
        return Ok(key
            .find(db)
            .await?
            .map_or(Claim::Settled, |row| Claim::Taken(Box::new(row))));
    }
    let retry = sea_orm::Condition::any()
        .add(
            sea_orm::Condition::all()
                .add(Column::Status.eq("failed"))
                .add(Column::GivenUpAt.is_null()),
        )
        .add(
            sea_orm::Condition::all()
                .add(Column::Status.eq("sending"))
                .add(Column::UpdatedAt.lt(now - LEASE)),
        );
    let taken = Entity::update_many()
        .col_expr(Column::Status, Expr::value("sending"))
        .col_expr(Column::Attempts, Expr::col(Column::Attempts).add(1))
        .col_expr(Column::Recipient, Expr::value(recipient.address.clone()))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(key.matches())
        .filter(retry)
        .exec_with_returning(db)
        .await?
        .pop();
    if let Some(row) = taken {
        return Ok(Claim::Taken(Box::new(row)));
    }
    Ok(match key.find(db).await? {
        Some(row) if row.status == "sending" => Claim::Held,
        _ => Claim::Settled,
    })
}

/// The holder of `delivery` is alive and still sending: its claim holds
/// for another `LEASE`.
///
/// # Errors
/// When the database fails.
pub async fn renew(
    db: &impl ConnectionTrait,
    delivery: &Model,
    now: DateTimeWithTimeZone,
) -> DomainResult<()> {
    Entity::update_many()
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(held_by(delivery))
        .exec(db)
        .await?;
    Ok(())
}

/// A manager asked for a given-up delivery (of `cycle`, or of every cycle)
/// to be tried again: it is worth trying for another `Kind::worth_for`
/// from `now`. How many rows.
///
/// # Errors
/// When the database fails.
pub async fn revive(
    db: &impl ConnectionTrait,
    kind: Kind,
    subject: Uuid,
    cycle: Option<&str>,
    now: DateTimeWithTimeZone,
) -> DomainResult<u64> {
    let mut update = Entity::update_many();
    if let Some(cycle) = cycle {
        update = update.filter(Column::Cycle.eq(cycle));
    }
    Ok(update
        .col_expr(
            Column::GivenUpAt,
            Expr::value(Option::<DateTimeWithTimeZone>::None),
        )
        .col_expr(Column::GiveUpAt, Expr::value(now + kind.worth_for()))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Kind.eq(kind.as_str()))
        .filter(Column::SubjectPid.eq(subject))
        .filter(Column::Status.eq("failed"))
        .exec(db)
        .await?
        .rows_affected)
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

/// The attempt that holds `delivery` succeeded; a text took `segments`.
///
/// # Errors
/// When the database fails.
pub async fn mark_sent(
    db: &impl ConnectionTrait,
    delivery: &Model,
    provider_message_id: &str,
    segments: Option<i16>,
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
            .col_expr(Column::Segments, Expr::value(segments))
            .col_expr(Column::SentAt, Expr::value(now)),
        now,
    )
    .await
}

/// The attempt that holds `delivery` failed past the delivery's deadline:
/// it is given up, with this reason.
///
/// # Errors
/// When the database fails.
pub async fn mark_given_up(
    db: &impl ConnectionTrait,
    delivery: &Model,
    error: &str,
    now: DateTimeWithTimeZone,
) -> DomainResult<()> {
    settle(
        db,
        delivery,
        failed(error).col_expr(Column::GivenUpAt, Expr::value(now)),
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
/// address that does not parse): given up at once.
///
/// # Errors
/// When the database fails.
pub async fn mark_undeliverable(
    db: &impl ConnectionTrait,
    delivery: &Model,
    error: &str,
    now: DateTimeWithTimeZone,
) -> DomainResult<()> {
    mark_given_up(db, delivery, error, now).await
}

fn failed(error: &str) -> sea_orm::UpdateMany<Entity> {
    Entity::update_many()
        .col_expr(Column::Status, Expr::value("failed"))
        .col_expr(Column::Error, Expr::value(error.to_string()))
}

/// Writes an attempt's end on its row, if the row is still this attempt's
/// (`sending`, at the attempt count it was claimed with): an attempt whose
/// claim lapsed and was taken over must not overwrite what the new holder
/// records.
async fn settle(
    db: &impl ConnectionTrait,
    delivery: &Model,
    update: sea_orm::UpdateMany<Entity>,
    now: DateTimeWithTimeZone,
) -> DomainResult<()> {
    let settled = update
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(held_by(delivery))
        .exec(db)
        .await?;
    if settled.rows_affected == 0 {
        tracing::warn!(delivery = %delivery.pid, "a message's claim was taken over before it settled");
    }
    Ok(())
}

/// The row `delivery` while it is still the claim that read it.
fn held_by(delivery: &Model) -> sea_orm::Condition {
    sea_orm::Condition::all()
        .add(Column::Id.eq(delivery.id))
        .add(Column::Status.eq("sending"))
        .add(Column::Attempts.eq(delivery.attempts))
}

/// Until when `delivery` is worth trying: its own deadline, or for a row
/// written before deadlines were kept, its kind's span from its first try.
#[must_use]
pub fn give_up_at(delivery: &Model) -> DateTimeWithTimeZone {
    delivery.give_up_at.unwrap_or_else(|| {
        let span = delivery
            .kind
            .parse::<Kind>()
            .map_or(TimeDelta::days(1), Kind::worth_for);
        delivery.created_at + span
    })
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
#[derive(Clone, Debug, PartialEq, Eq)]
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
    /// Past its deadline and still not sent: given up, with the reason.
    GivenUp(String),
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
    actor: &Actor,
    customer: &customers::Model,
    page: PageRequest,
) -> DomainResult<Page<Model>> {
    use sea_orm::QueryOrder;

    actor.authorize(Ability::ManageCustomers)?;
    let query = Entity::find()
        .filter(actor.scope(Column::OrganizationId, Column::SiteId))
        .filter(Column::CustomerId.eq(customer.id))
        .order_by_desc(Column::CreatedAt)
        .order_by_desc(Column::Id);
    page.fetch(db, query).await
}

/// What became of the messages about one subject.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub sent: u64,
    /// Failed and still being retried.
    pub failed: u64,
    pub skipped: u64,
    /// Failed past their deadline.
    pub given_up: u64,
}

/// How many of the deliveries of `kind` about `subject` were sent, are
/// failing, were skipped or given up.
///
/// # Errors
/// When the database fails.
pub async fn counts(db: &impl ConnectionTrait, kind: Kind, subject: Uuid) -> DomainResult<Counts> {
    use sea_orm::QuerySelect;

    let by_status: Vec<(String, bool, i64)> = Entity::find()
        .select_only()
        .column(Column::Status)
        .column_as(Expr::col(Column::GivenUpAt).is_not_null(), "given_up")
        .column_as(Column::Id.count(), "n")
        .filter(Column::Kind.eq(kind.as_str()))
        .filter(Column::SubjectPid.eq(subject))
        .group_by(Column::Status)
        .group_by(Expr::col(Column::GivenUpAt).is_not_null())
        .into_tuple()
        .all(db)
        .await?;
    let mut counts = Counts::default();
    for (status, given_up, n) in by_status {
        let n = u64::try_from(n).unwrap_or(0);
        match (status.as_str(), given_up) {
            ("sent", _) => counts.sent += n,
            ("failed", true) => counts.given_up += n,
            ("failed", false) => counts.failed += n,
            ("skipped", _) => counts.skipped += n,
            _ => {}
        }
    }
    Ok(counts)
}
