//! A promotion's messages, one to each customer it was launched to
//! (`models::customers::promotions` decides who, and when it goes out): each one
//! delivery in the ledger, sent only inside the quiet-hours window of the
//! branch that writes, with a one-click unsubscribe link, and skipped for a
//! customer who withdrew their consent since.

use std::collections::{HashMap, HashSet};

use chrono::TimeDelta;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QuerySelect, RelationTrait,
};
use serde_json::json;
use uuid::Uuid;

use super::{
    ledger,
    links::{Purpose, UNSUBSCRIBE_VALID_FOR},
    Kind, Message, Messenger, Sent,
};
use crate::i18n::Language;
use crate::models::values::Stored;
use crate::models::Scoped;
use crate::models::{
    _entities::{customers, promotion_recipients, sites},
    actor::By,
    clock::Clock,
    customers::promotions::{
        hold, launch, may_send_at, recipients, Column, Entity, Model, Status, SEND_WITHIN_DAYS,
    },
    error::{DomainError, DomainResult},
    now_at, Write,
};

/// One recipient's message: the job's arguments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Recipient {
    pub promotion_id: Uuid,
    pub customer_id: Uuid,
}

/// A promotion's reach and what became of its messages.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Customers it goes to: fixed once it went out, the audience today
    /// before.
    pub recipients: u64,
    pub sent: u64,
    pub failed: u64,
    pub skipped: u64,
    pub given_up: u64,
}

impl Counts {
    /// Whether every recipient's message is settled: sent, skipped or
    /// given up.
    #[must_use]
    pub const fn all_settled(&self) -> bool {
        self.recipients > 0 && self.sent + self.skipped + self.given_up >= self.recipients
    }
}

/// `promotion`'s recipients and what the ledger says of their messages.
///
/// # Errors
/// When the database fails.
pub async fn counts(
    db: &impl ConnectionTrait,
    promotion: &Model,
    site_ids: &[i64],
    sms_on: bool,
) -> DomainResult<Counts> {
    let delivered = ledger::counts(db, Kind::Promotion, promotion.pid).await?;
    Ok(Counts {
        recipients: recipients(db, promotion, site_ids, sms_on).await?,
        sent: delivered.sent,
        failed: delivered.failed,
        skipped: delivered.skipped,
        given_up: delivered.given_up,
    })
}

/// The messages of launched promotions (of `only`, when given) that are
/// not settled in the ledger and whose branch is inside its sending window
/// now: what to send.
///
/// # Errors
/// When the database fails.
pub async fn unsent(
    db: &impl ConnectionTrait,
    clock: Clock,
    only: Option<i64>,
) -> DomainResult<Vec<Recipient>> {
    let now = now_at(clock);
    let mut query = promotion_recipients::Entity::find()
        .select_only()
        .column(Column::Pid)
        .column(customers::Column::Pid)
        .column(promotion_recipients::Column::SiteId)
        .join(
            JoinType::InnerJoin,
            promotion_recipients::Relation::Promotions.def(),
        )
        .join(
            JoinType::InnerJoin,
            promotion_recipients::Relation::Customers.def(),
        )
        .filter(Column::Status.eq(Status::Sending.as_str()))
        .filter(Column::LaunchedAt.gte(now - TimeDelta::days(SEND_WITHIN_DAYS)));
    if let Some(id) = only {
        query = query.filter(Column::Id.eq(id));
    }
    let rows: Vec<(Uuid, Uuid, i64)> = query.into_tuple().all(db).await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let site_ids: HashSet<i64> = rows.iter().map(|row| row.2).collect();
    let open: HashMap<i64, bool> = sites::Entity::find()
        .filter(sites::Column::Id.is_in(site_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|site| (site.id, may_send_at(&site, clock.now())))
        .collect();
    let promotions: Vec<Uuid> = rows
        .iter()
        .map(|row| row.0)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let settled = ledger::settled(db, Kind::Promotion, &promotions, now).await?;
    Ok(rows
        .into_iter()
        .filter(|(promotion, customer, site)| {
            open.get(site).copied().unwrap_or(false)
                && !settled.contains(&(*promotion, customer.to_string()))
        })
        .map(|(promotion_id, customer_id, _)| Recipient {
            promotion_id,
            customer_id,
        })
        .collect())
}

/// Sends `recipient`'s message, at most once: only while the promotion is
/// out, inside the branch's sending window (`Later` outside it), and to a
/// customer who still agrees (skipped, and recorded, otherwise).
///
/// # Errors
/// `NotFound` for an unknown promotion or customer (the job ends);
/// `Upstream` when the mail server or gateway failed (recorded; try again
/// later).
pub async fn send_to(
    db: &impl ConnectionTrait,
    messenger: &Messenger,
    clock: Clock,
    recipient: Recipient,
) -> DomainResult<Sent> {
    let promotion = Entity::by_pid(db, recipient.promotion_id).await?;
    if promotion.status()? != Status::Sending {
        return Ok(Sent::NoLongerDue);
    }
    let customer = customers::Entity::find()
        .filter(customers::Column::Pid.eq(recipient.customer_id))
        .filter(customers::Column::OrganizationId.eq(promotion.organization_id))
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("customer"))?;
    let Some(site_id) = promotion_recipients::Entity::find()
        .select_only()
        .column(promotion_recipients::Column::SiteId)
        .filter(promotion_recipients::Column::PromotionId.eq(promotion.id))
        .filter(promotion_recipients::Column::CustomerId.eq(customer.id))
        .into_tuple::<i64>()
        .one(db)
        .await?
    else {
        return Ok(Sent::NoLongerDue);
    };
    let (customer, site) = customers::Model::with_site(db, customer.id, Some(site_id)).await?;
    if !may_send_at(&site, clock.now()) {
        return Ok(Sent::Later);
    }
    let unsubscribe = messenger.links().url(
        Purpose::Unsubscribe,
        customer.pid,
        clock.now(),
        UNSUBSCRIBE_VALID_FOR,
    );
    // A text says what the offer is (its title, then as much of its body
    // as fits) in one segment: 160 characters, less the branch's name, the
    // way out and its link.
    let budget = 160_usize.saturating_sub(site.name.chars().count() + unsubscribe.len() + 16);
    let (title, body) = text_for(&promotion, super::language_for(&customer, &site));
    let offer = super::sms::fit(
        &format!("{}. {}", title.trim_end_matches('.'), body),
        budget,
    );
    let values = json!({
        "customer": {"name": customer.name},
        "promotion": {
            "title": title,
            "body": body,
            "paragraphs": paragraphs(body),
        },
        "offer": offer,
        "unsubscribe_url": unsubscribe,
    });
    let consented = customer.marketing_opt_in;
    let mut message = Message::to_customer(
        Kind::Promotion,
        promotion.pid,
        customer.pid.to_string(),
        customer,
        site,
        values,
    );
    message.extras.unsubscribe = Some(unsubscribe);
    if !consented {
        message.withheld = Some("unsubscribed");
    }
    super::send(db, messenger, clock, message).await
}

/// The promotion's title and body in `language`: its Swahili for a
/// customer who reads Swahili, when it was written in Swahili too; else
/// its English.
fn text_for(promotion: &Model, language: Language) -> (&str, &str) {
    match (&promotion.title_sw, &promotion.body_sw, language) {
        (Some(title), Some(body), Language::Swahili) => (title, body),
        _ => (&promotion.title, &promotion.body),
    }
}

/// A message's paragraphs (split at blank lines), each as its lines.
fn paragraphs(body: &str) -> Vec<Vec<&str>> {
    body.split("\n\n")
        .map(|paragraph| {
            paragraph
                .trim()
                .lines()
                .map(str::trim_end)
                .collect::<Vec<_>>()
        })
        .filter(|lines| !lines.is_empty())
        .collect()
}

/// The `SendPromotion {"promotion_id"}` job: launches the promotion if its
/// time has come (holding it, with the reason, when the cap refuses), and
/// returns its messages to send now, one job each.
///
/// # Errors
/// `NotFound` for an unknown promotion (the job ends).
pub async fn fan_out(
    db: &sea_orm::DatabaseConnection,
    clock: Clock,
    pid: Uuid,
    sms_on: bool,
) -> DomainResult<Vec<Recipient>> {
    let promotion = Entity::by_pid(db, pid).await?;
    if promotion.status()? == Status::Scheduled {
        let txn = Write::begin(db).await?;
        match launch(&txn, &promotion, By::System(clock), sms_on).await {
            Ok(_) => txn.commit().await?,
            Err(DomainError::RateLimited {
                limit: Some(reason),
                ..
            }) => {
                txn.rollback().await?;
                let txn = Write::begin(db).await?;
                hold(&txn, clock, &promotion, &reason).await?;
                txn.commit().await?;
                return Ok(Vec::new());
            }
            Err(other) => return Err(other),
        }
    }
    unsent(db, clock, Some(promotion.id)).await
}
