//! Promotions: an offer mailed to the customers who agreed to hear of
//! offers, chosen by branch, vehicle and last visit.
//!
//! A promotion is `scheduled` until its `send_at`; then it goes out
//! (`launch`): in one transaction its status turns `sending` (the
//! conditional write that decides which of several attempts launches it),
//! its audience is counted against the organization's daily cap (a
//! conditional write on the day's count: over the cap, nothing changes and
//! the caller hears 429, or a scheduled promotion is `held` with the reason)
//! and the customers it goes to are frozen as its recipients. Each
//! recipient's message is then one delivery in the ledger, sent only inside
//! the quiet-hours window of the branch that writes (08:00–20:00 local
//! time); outside it waits for the next sweep in the morning. A customer who
//! unsubscribed since is skipped.

use chrono::{DateTime, NaiveDate, TimeDelta, Timelike, Utc};
use chrono_tz::Tz;
use sea_orm::{
    prelude::DateTimeWithTimeZone,
    sea_query::{Expr, ExprTrait, Func, Query},
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select,
};
use serde_json::json;
use uuid::Uuid;

pub use crate::models::_entities::promotions::{ActiveModel, Column, Entity, Model};
use crate::models::values::Stored;
use crate::models::Scoped;
use crate::models::{
    _entities::{
        customers, organizations, promotion_quotas, promotion_recipients, promotion_sites,
        repair_orders, sites, vehicles,
    },
    actor::{Ability, Actor, By, SiteScope},
    audit_events::{self, Change},
    clock::Clock,
    error::{DomainError, DomainResult},
    now_at,
    paging::{Page, PageRequest},
    Write,
};

impl sea_orm::ActiveModelBehavior for ActiveModel {}
impl sea_orm::ActiveModelBehavior for promotion_sites::ActiveModel {}
impl sea_orm::ActiveModelBehavior for promotion_recipients::ActiveModel {}
impl sea_orm::ActiveModelBehavior for promotion_quotas::ActiveModel {}

/// Promotions go out from this hour, site time…
pub const SEND_FROM_HOUR: u32 = 8;
/// …until this one.
pub const SEND_UNTIL_HOUR: u32 = 20;
/// How long after its launch a promotion's unsent messages are still sent.
pub const SEND_WITHIN_DAYS: i64 = 7;

/// Where a promotion is.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, strum::IntoStaticStr, strum::EnumString, strum::VariantArray,
)]
#[strum(serialize_all = "snake_case")]
pub enum Status {
    /// Waiting for its `send_at`.
    Scheduled,
    /// Launched: its recipients are fixed and being written to.
    Sending,
    /// Due, but it would have passed the organization's daily cap.
    Held,
    /// Called off before it went out.
    Cancelled,
}

/// Whom a promotion is for, beside consent; every part given must hold.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Audience {
    /// A vehicle of this make (any case).
    pub make: Option<String>,
    /// A vehicle of this model (any case).
    pub model: Option<String>,
    /// A vehicle built in or after this year…
    pub year_from: Option<i32>,
    /// …and in or before this one.
    pub year_to: Option<i32>,
    /// Their last repair order was opened before this day (lapsed customers).
    pub last_visit_before: Option<NaiveDate>,
    /// Their last repair order was opened on or after this day.
    pub last_visit_after: Option<NaiveDate>,
}

impl Audience {
    #[must_use]
    pub fn of(promotion: &Model) -> Self {
        Self {
            make: promotion.audience_make.clone(),
            model: promotion.audience_model.clone(),
            year_from: promotion.audience_year_from,
            year_to: promotion.audience_year_to,
            last_visit_before: promotion.last_visit_before,
            last_visit_after: promotion.last_visit_after,
        }
    }
}

/// A promotion to create.
#[derive(Clone, Debug)]
pub struct NewPromotion {
    pub title: String,
    pub body: String,
    /// The same in Swahili (title, body), for customers who read it.
    pub swahili: Option<(String, String)>,
    /// The branches it is from; empty: every branch (owners only).
    pub sites: Vec<sites::Model>,
    pub send_at: DateTimeWithTimeZone,
    pub audience: Audience,
}

impl Scoped for Entity {
    const NAME: &'static str = "promotion";
    const ABILITY: Option<Ability> = Some(Ability::ManagePromotions);

    fn pid_column() -> Column {
        Column::Pid
    }

    /// Promotions the actor sees: the organization's, and for those who see
    /// only some sites, those from their sites alone.
    fn visible_to(actor: &Actor) -> Select<Self> {
        let query = Entity::find().filter(Column::OrganizationId.eq(actor.organization_id()));
        match &actor.sites {
            SiteScope::All => query,
            SiteScope::Only(ids) => query
                .filter(
                    Column::Id.in_subquery(
                        Query::select()
                            .column(promotion_sites::Column::PromotionId)
                            .from(promotion_sites::Entity)
                            .to_owned(),
                    ),
                )
                .filter(
                    Column::Id.not_in_subquery(
                        Query::select()
                            .column(promotion_sites::Column::PromotionId)
                            .from(promotion_sites::Entity)
                            .and_where(
                                promotion_sites::Column::SiteId.is_not_in(ids.iter().copied()),
                            )
                            .to_owned(),
                    ),
                ),
        }
    }
}

impl Model {
    /// # Errors
    /// 500 when the stored status is not one of ours.
    pub fn status(&self) -> DomainResult<Status> {
        match self.status.as_str() {
            "scheduled" => Ok(Status::Scheduled),
            "sending" => Ok(Status::Sending),
            "held" => Ok(Status::Held),
            "cancelled" => Ok(Status::Cancelled),
            other => Err(DomainError::Internal(format!(
                "promotion {} has status {other:?}",
                self.id
            ))),
        }
    }

    /// The actor's promotions, newest first.
    ///
    /// # Errors
    /// 403 for roles that do not run promotions.
    pub async fn list_for(
        db: &impl ConnectionTrait,
        actor: &Actor,
        page: PageRequest,
    ) -> DomainResult<Page<Self>> {
        actor.authorize(Ability::ManagePromotions)?;
        let query = Entity::visible_to(actor)
            .order_by_desc(Column::CreatedAt)
            .order_by_desc(Column::Id);
        page.fetch(db, query).await
    }

    /// Creates a promotion, scheduled for `send_at`.
    ///
    /// # Errors
    /// 403 for roles that do not run promotions; 422 when a manager names no
    /// site (they write for their own sites only).
    pub async fn create(db: &Write, actor: &Actor, new: NewPromotion) -> DomainResult<Self> {
        actor.authorize(Ability::ManagePromotions)?;
        let mut sites = new.sites;
        if sites.is_empty() {
            if let SiteScope::Only(ids) = &actor.sites {
                sites = sites::Entity::find()
                    .filter(sites::Column::Id.is_in(ids.iter().copied()))
                    .all(db)
                    .await?;
                if sites.is_empty() {
                    return Err(DomainError::invalid(
                        "site_ids",
                        "you manage no site to send from",
                    ));
                }
            }
        }
        let now = now_at(actor.clock);
        let audience = new.audience;
        let (title_sw, body_sw) = new.swahili.unzip();
        let promotion = ActiveModel {
            pid: Set(Uuid::new_v4()),
            organization_id: Set(actor.organization_id()),
            title: Set(new.title),
            body: Set(new.body),
            title_sw: Set(title_sw),
            body_sw: Set(body_sw),
            send_at: Set(new.send_at),
            status: Set(Status::Scheduled.as_str().to_string()),
            audience_make: Set(audience.make),
            audience_model: Set(audience.model),
            audience_year_from: Set(audience.year_from),
            audience_year_to: Set(audience.year_to),
            last_visit_before: Set(audience.last_visit_before),
            last_visit_after: Set(audience.last_visit_after),
            created_by: Set(actor.user_id()),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await?;
        if !sites.is_empty() {
            promotion_sites::Entity::insert_many(sites.iter().map(|site| {
                promotion_sites::ActiveModel {
                    promotion_id: Set(promotion.id),
                    site_id: Set(site.id),
                }
            }))
            .exec_without_returning(db)
            .await?;
        }
        audit_events::Model::record(
            db,
            actor.organization_id(),
            actor,
            Change {
                action: "promotion.created",
                subject_type: "promotion",
                subject_id: promotion.pid,
                site_id: None,
                details: Some(json!({
                    "title": promotion.title,
                    "send_at": promotion.send_at,
                    "sites": sites.iter().map(|site| site.pid).collect::<Vec<_>>(),
                })),
            },
        )
        .await?;
        Ok(promotion)
    }

    /// The branches it is from (ids); empty: every branch.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn site_ids(&self, db: &impl ConnectionTrait) -> DomainResult<Vec<i64>> {
        Ok(promotion_sites::Entity::find()
            .select_only()
            .column(promotion_sites::Column::SiteId)
            .filter(promotion_sites::Column::PromotionId.eq(self.id))
            .order_by_asc(promotion_sites::Column::SiteId)
            .into_tuple()
            .all(db)
            .await?)
    }

    /// Calls off a promotion that has not gone out.
    ///
    /// # Errors
    /// 409 once it went out.
    pub async fn cancel(self, db: &Write, actor: &Actor) -> DomainResult<Self> {
        let cancelled = Entity::update_many()
            .col_expr(Column::Status, Expr::value(Status::Cancelled.as_str()))
            .col_expr(Column::UpdatedAt, Expr::value(now_at(actor.clock)))
            .filter(Column::Id.eq(self.id))
            .filter(Column::Status.is_in([Status::Scheduled.as_str(), Status::Held.as_str()]))
            .exec(db)
            .await?;
        if cancelled.rows_affected == 0 {
            return Err(DomainError::conflict(format!(
                "a promotion that is {} cannot be cancelled",
                self.status
            )));
        }
        audit_events::Model::record(
            db,
            actor.organization_id(),
            actor,
            Change {
                action: "promotion.cancelled",
                subject_type: "promotion",
                subject_id: self.pid,
                site_id: None,
                details: None,
            },
        )
        .await?;
        reload(db, self.id).await
    }
}

async fn reload(db: &impl ConnectionTrait, id: i64) -> DomainResult<Model> {
    Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("promotion"))
}

/// The customers `promotion` would go to now, each with the branch that
/// writes to them: those who agreed to offers, are not erased and have an
/// address (an email address, or a phone number when texts can be sent:
/// `sms_on`), whose home branch is one of its sites or who had work done at
/// one, and who match its audience.
///
/// # Errors
/// When the database fails.
pub async fn audience(
    db: &impl ConnectionTrait,
    promotion: &Model,
    site_ids: &[i64],
    sms_on: bool,
) -> DomainResult<Vec<(i64, i64)>> {
    let found: Vec<(i64, i64)> = audience_query(
        promotion.organization_id,
        &Audience::of(promotion),
        site_ids,
        sms_on,
    )
    .select_only()
    .column(customers::Column::Id)
    .column(customers::Column::HomeSiteId)
    .order_by_asc(customers::Column::Id)
    .into_tuple()
    .all(db)
    .await?;
    Ok(found
        .into_iter()
        .map(|(customer, home)| {
            let site = if site_ids.is_empty() || site_ids.contains(&home) {
                home
            } else {
                site_ids[0]
            };
            (customer, site)
        })
        .collect())
}

/// How many customers `audience` finds, counted by the database.
///
/// # Errors
/// When the database fails.
pub async fn audience_count(
    db: &impl ConnectionTrait,
    promotion: &Model,
    site_ids: &[i64],
    sms_on: bool,
) -> DomainResult<u64> {
    Ok(audience_query(
        promotion.organization_id,
        &Audience::of(promotion),
        site_ids,
        sms_on,
    )
    .count(db)
    .await?)
}

/// How many customers a promotion not yet written would reach now: from
/// `sites` (none: every branch for owners, a manager's own branches for
/// managers), to `audience`. What the compose page shows as it is filled.
///
/// # Errors
/// 403 for roles that do not run promotions; when the database fails.
pub async fn draft_count(
    db: &impl ConnectionTrait,
    actor: &Actor,
    sites: &[sites::Model],
    audience: &Audience,
    sms_on: bool,
) -> DomainResult<u64> {
    actor.authorize(Ability::ManagePromotions)?;
    let site_ids: Vec<i64> = match (&actor.sites, sites.is_empty()) {
        (SiteScope::Only(ids), true) => ids.clone(),
        _ => sites.iter().map(|site| site.id).collect(),
    };
    if site_ids.is_empty() && actor.sites != SiteScope::All {
        return Ok(0);
    }
    Ok(
        audience_query(actor.organization_id(), audience, &site_ids, sms_on)
            .count(db)
            .await?,
    )
}

/// The organization's daily cap on promotional messages and how much of
/// it today (UTC) has taken: what a launch now would be judged against.
///
/// # Errors
/// When the database fails.
pub async fn quota_today(
    db: &impl ConnectionTrait,
    organization_id: i64,
    now: DateTime<Utc>,
) -> DomainResult<(u64, u64)> {
    let cap = daily_cap(db, organization_id).await?;
    let used = used_on(db, organization_id, now.date_naive()).await?;
    Ok((
        u64::try_from(cap).unwrap_or(0),
        u64::try_from(used).unwrap_or(0),
    ))
}

/// The organization's cap on promotional messages a day.
async fn daily_cap(db: &impl ConnectionTrait, organization_id: i64) -> DomainResult<i32> {
    organizations::Entity::find_by_id(organization_id)
        .select_only()
        .column(organizations::Column::PromotionDailyCap)
        .into_tuple()
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("organization"))
}

/// How much of the cap promotions launched on `day` (UTC) took.
async fn used_on(
    db: &impl ConnectionTrait,
    organization_id: i64,
    day: NaiveDate,
) -> DomainResult<i32> {
    Ok(promotion_quotas::Entity::find()
        .select_only()
        .column(promotion_quotas::Column::Used)
        .filter(promotion_quotas::Column::OrganizationId.eq(organization_id))
        .filter(promotion_quotas::Column::Day.eq(day))
        .into_tuple()
        .one(db)
        .await?
        .unwrap_or(0))
}

/// Of `promotion`'s recipients, how many withdrew their consent by an
/// unsubscribe link after it went out.
///
/// # Errors
/// When the database fails.
pub async fn unsubscribed(db: &impl ConnectionTrait, promotion: &Model) -> DomainResult<u64> {
    let Some(launched) = promotion.launched_at else {
        return Ok(0);
    };
    Ok(customers::Entity::find()
        .filter(customers::Column::MarketingOptIn.eq(false))
        .filter(customers::Column::MarketingConsentSource.eq("unsubscribe_link"))
        .filter(customers::Column::MarketingConsentAt.gte(launched))
        .filter(
            customers::Column::Id.in_subquery(
                Query::select()
                    .column(promotion_recipients::Column::CustomerId)
                    .from(promotion_recipients::Entity)
                    .and_where(promotion_recipients::Column::PromotionId.eq(promotion.id))
                    .to_owned(),
            ),
        )
        .count(db)
        .await?)
}

fn audience_query(
    organization: i64,
    audience: &Audience,
    site_ids: &[i64],
    sms_on: bool,
) -> Select<customers::Entity> {
    let mut query = customers::Entity::find()
        .filter(customers::Column::OrganizationId.eq(organization))
        .filter(customers::Column::MarketingOptIn.eq(true))
        .filter(customers::Column::ErasedAt.is_null())
        .filter(if sms_on {
            Condition::any()
                .add(customers::Column::Email.is_not_null())
                .add(customers::Column::Phone.is_not_null())
        } else {
            Condition::all().add(customers::Column::Email.is_not_null())
        });
    if !site_ids.is_empty() {
        query = query.filter(
            Condition::any()
                .add(customers::Column::HomeSiteId.is_in(site_ids.iter().copied()))
                .add(
                    customers::Column::Id.in_subquery(
                        Query::select()
                            .column(repair_orders::Column::CustomerId)
                            .from(repair_orders::Entity)
                            .and_where(
                                repair_orders::Column::SiteId.is_in(site_ids.iter().copied()),
                            )
                            .to_owned(),
                    ),
                ),
        );
    }
    if audience.make.is_some()
        || audience.model.is_some()
        || audience.year_from.is_some()
        || audience.year_to.is_some()
    {
        let mut vehicles = Query::select()
            .column(vehicles::Column::CustomerId)
            .from(vehicles::Entity)
            .and_where(vehicles::Column::OrganizationId.eq(organization))
            .to_owned();
        if let Some(make) = &audience.make {
            vehicles.and_where(
                Expr::expr(Func::lower(Expr::col(vehicles::Column::Make))).eq(make.to_lowercase()),
            );
        }
        if let Some(model) = &audience.model {
            vehicles.and_where(
                Expr::expr(Func::lower(Expr::col(vehicles::Column::Model)))
                    .eq(model.to_lowercase()),
            );
        }
        if let Some(from) = audience.year_from {
            vehicles.and_where(vehicles::Column::Year.gte(from));
        }
        if let Some(to) = audience.year_to {
            vehicles.and_where(vehicles::Column::Year.lte(to));
        }
        query = query.filter(customers::Column::Id.in_subquery(vehicles));
    }
    if audience.last_visit_before.is_some() || audience.last_visit_after.is_some() {
        let mut visits = Query::select()
            .column(repair_orders::Column::CustomerId)
            .from(repair_orders::Entity)
            .and_where(repair_orders::Column::OrganizationId.eq(organization))
            .group_by_col(repair_orders::Column::CustomerId)
            .to_owned();
        let last = || Expr::expr(Func::max(Expr::col(repair_orders::Column::CreatedAt)));
        if let Some(before) = audience.last_visit_before {
            visits.and_having(last().lt(start_of(before)));
        }
        if let Some(after) = audience.last_visit_after {
            visits.and_having(last().gte(start_of(after)));
        }
        query = query.filter(customers::Column::Id.in_subquery(visits));
    }
    query
}

fn start_of(day: NaiveDate) -> DateTimeWithTimeZone {
    day.and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc()
        .fixed_offset()
}

/// How many customers `pid` would go to now, or went to.
///
/// # Errors
/// 404 when it does not exist for this actor.
pub async fn preview(
    db: &impl ConnectionTrait,
    actor: &Actor,
    pid: Uuid,
    sms_on: bool,
) -> DomainResult<u64> {
    let promotion = Entity::find_for(db, actor, pid).await?;
    let site_ids = promotion.site_ids(db).await?;
    recipients(db, &promotion, &site_ids, sms_on).await
}

/// How many customers `promotion` goes to: those it was sent to, once it
/// went out; its audience today before.
///
/// # Errors
/// When the database fails.
pub async fn recipients(
    db: &impl ConnectionTrait,
    promotion: &Model,
    site_ids: &[i64],
    sms_on: bool,
) -> DomainResult<u64> {
    match promotion.recipients {
        Some(frozen) => Ok(u64::try_from(frozen).unwrap_or(0)),
        None => audience_count(db, promotion, site_ids, sms_on).await,
    }
}

/// How a launch went.
#[derive(Debug, PartialEq, Eq)]
pub enum Launch {
    /// It went out now, to this many customers.
    Launched(u64),
    /// Not scheduled and due (sent, held, cancelled, or not yet due).
    NotDue,
}

/// Sends `pid` now, whether or not its time has come: staff's "send now".
/// A held promotion may be sent again this way, once the cap allows.
///
/// # Errors
/// 404 when it does not exist for this actor; 409 when it went out or was
/// cancelled; 429 when it would pass the organization's daily cap (nothing
/// is changed).
pub async fn send_now(
    db: &Write,
    actor: &Actor,
    pid: Uuid,
    sms_on: bool,
) -> DomainResult<(Model, u64)> {
    let promotion = Entity::find_for(db, actor, pid).await?;
    match launch(db, &promotion, actor.into(), sms_on).await? {
        Launch::Launched(recipients) => Ok((reload(db, promotion.id).await?, recipients)),
        Launch::NotDue => Err(DomainError::conflict(format!(
            "a promotion that is {} cannot be sent",
            promotion.status
        ))),
    }
}

/// Launches `promotion`: it turns `sending`, its audience is counted
/// against the organization's cap for the day, and its recipients are
/// fixed. `by` is the member of staff who sent it now, or the schedule
/// (`By::System`), which launches only a scheduled promotion whose time has
/// come.
/// Over the cap it returns an error, and the caller's `Write` rolls back.
///
/// # Errors
/// `RateLimited` when the audience would pass the organization's daily cap.
pub async fn launch(
    db: &Write,
    promotion: &Model,
    by: By<'_>,
    sms_on: bool,
) -> DomainResult<Launch> {
    let now = by.now();
    let mut taken = Entity::update_many()
        .col_expr(Column::Status, Expr::value(Status::Sending.as_str()))
        .col_expr(Column::LaunchedAt, Expr::value(now))
        .col_expr(Column::HeldReason, Expr::value(Option::<String>::None))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Id.eq(promotion.id));
    taken = if by.actor().is_some() {
        taken.filter(Column::Status.is_in([Status::Scheduled.as_str(), Status::Held.as_str()]))
    } else {
        taken
            .filter(Column::Status.eq(Status::Scheduled.as_str()))
            .filter(Column::SendAt.lte(now))
    };
    if taken.exec(db).await?.rows_affected == 0 {
        return Ok(Launch::NotDue);
    }
    let site_ids = promotion.site_ids(db).await?;
    let recipients = audience(db, promotion, &site_ids, sms_on).await?;
    let count = i32::try_from(recipients.len()).unwrap_or(i32::MAX);
    take_quota(db, promotion.organization_id, count, by.clock().now()).await?;
    for chunk in recipients.chunks(500) {
        promotion_recipients::Entity::insert_many(chunk.iter().map(|&(customer, site)| {
            promotion_recipients::ActiveModel {
                promotion_id: Set(promotion.id),
                customer_id: Set(customer),
                site_id: Set(site),
                ..Default::default()
            }
        }))
        .exec_without_returning(db)
        .await?;
    }
    Entity::update_many()
        .col_expr(Column::Recipients, Expr::value(count))
        .filter(Column::Id.eq(promotion.id))
        .exec(db)
        .await?;
    audit_events::Model::record(
        db,
        promotion.organization_id,
        by,
        Change {
            action: "promotion.launched",
            subject_type: "promotion",
            subject_id: promotion.pid,
            site_id: None,
            details: Some(
                json!({"recipients": count, "by": if by.actor().is_some() { "staff" } else { "schedule" }}),
            ),
        },
    )
    .await?;
    Ok(Launch::Launched(recipients.len() as u64))
}

/// Counts `count` messages against the organization's cap for the UTC day
/// of `now`: one conditional write, so two launches racing cannot both
/// pass it.
async fn take_quota(
    db: &impl ConnectionTrait,
    organization_id: i64,
    count: i32,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    if count == 0 {
        return Ok(());
    }
    let day = now.date_naive();
    promotion_quotas::Entity::insert(promotion_quotas::ActiveModel {
        organization_id: Set(organization_id),
        day: Set(day),
        used: Set(0),
    })
    .on_conflict_do_nothing_on([
        promotion_quotas::Column::OrganizationId,
        promotion_quotas::Column::Day,
    ])
    .exec_without_returning(db)
    .await?;
    let cap = daily_cap(db, organization_id).await?;
    let taken = promotion_quotas::Entity::update_many()
        .col_expr(
            promotion_quotas::Column::Used,
            Expr::col(promotion_quotas::Column::Used).add(count),
        )
        .filter(promotion_quotas::Column::OrganizationId.eq(organization_id))
        .filter(promotion_quotas::Column::Day.eq(day))
        .filter(
            Expr::col(promotion_quotas::Column::Used)
                .add(count)
                .lte(cap),
        )
        .exec(db)
        .await?;
    if taken.rows_affected == 1 {
        return Ok(());
    }
    let used = used_on(db, organization_id, day).await?;
    let tomorrow = (day + TimeDelta::days(1))
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc();
    Err(DomainError::RateLimited {
        retry_after_secs: u64::try_from(Ord::max((tomorrow - now).num_seconds(), 1)).unwrap_or(1),
        limit: Some(format!(
            "this promotion would go to {count} customers, and the organization's daily cap of \
             {cap} promotional messages has {} left today (UTC); send it tomorrow, narrow its \
             audience, or ask an owner to raise the cap",
            Ord::max(cap - used, 0)
        )),
    })
}

/// Holds a due promotion that the cap refused, with the reason, for staff
/// to send when it allows; one that is no longer scheduled (cancelled in
/// between) is left as it is.
///
/// # Errors
/// When the database fails.
pub async fn hold(db: &Write, clock: Clock, promotion: &Model, reason: &str) -> DomainResult<()> {
    let held = Entity::update_many()
        .col_expr(Column::Status, Expr::value(Status::Held.as_str()))
        .col_expr(Column::HeldReason, Expr::value(reason.to_string()))
        .col_expr(Column::UpdatedAt, Expr::value(now_at(clock)))
        .filter(Column::Id.eq(promotion.id))
        .filter(Column::Status.eq(Status::Scheduled.as_str()))
        .exec(db)
        .await?;
    if held.rows_affected == 0 {
        return Ok(());
    }
    audit_events::Model::record(
        db,
        promotion.organization_id,
        By::System(clock),
        Change {
            action: "promotion.held",
            subject_type: "promotion",
            subject_id: promotion.pid,
            site_id: None,
            details: Some(json!({"reason": reason})),
        },
    )
    .await?;
    Ok(())
}

/// Scheduled promotions whose time has come, to launch.
///
/// # Errors
/// When the database fails.
pub async fn due(db: &impl ConnectionTrait, clock: Clock) -> DomainResult<Vec<Uuid>> {
    Ok(Entity::find()
        .select_only()
        .column(Column::Pid)
        .filter(Column::Status.eq(Status::Scheduled.as_str()))
        .filter(Column::SendAt.lte(now_at(clock)))
        .into_tuple()
        .all(db)
        .await?)
}

/// Whether `site`'s local time at `now` is inside the sending window.
#[must_use]
pub fn may_send_at(site: &sites::Model, now: DateTime<Utc>) -> bool {
    let hour = now
        .with_timezone(&site.timezone.parse::<Tz>().unwrap_or(Tz::UTC))
        .hour();
    (SEND_FROM_HOUR..SEND_UNTIL_HOUR).contains(&hour)
}
