//! The low-stock digest: once a day, every manager hears what is running
//! low at the sites they manage (owners: at every site), in one message.
//! A day with nothing low sends nothing.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use chrono_tz::Tz;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::json;
use uuid::Uuid;

use super::{
    ledger, long_date, mail::site_values, Extras, Kind, Language, Message, Messenger, Sent, To,
};
use crate::models::values::Stored;
use crate::models::{
    _entities::{organizations, products, site_memberships, sites, users},
    clock::Clock,
    error::{DomainError, DomainResult},
    now_at,
    people::roles::Role,
};

/// One digest to send: to this user, for this day (their first site's).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Due {
    pub user_id: Uuid,
    pub on: NaiveDate,
}

/// The digests due now: one per manager or owner with something low at
/// their sites and no digest for today yet.
///
/// # Errors
/// When the database fails.
pub async fn due(db: &impl ConnectionTrait, clock: Clock) -> DomainResult<Vec<Due>> {
    let low_sites: HashSet<i64> = products::Entity::find()
        .select_only()
        .column(products::Column::SiteId)
        .distinct()
        .filter(crate::models::stock::products::low_stock())
        .into_tuple::<i64>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    if low_sites.is_empty() {
        return Ok(Vec::new());
    }
    let sites: Vec<sites::Model> = sites::Entity::find()
        .filter(sites::Column::Id.is_in(low_sites.iter().copied()))
        .order_by_asc(sites::Column::Id)
        .all(db)
        .await?;
    let organizations: HashSet<i64> = sites.iter().map(|site| site.organization_id).collect();
    let staff: Vec<users::Model> = users::Entity::find()
        .filter(users::Column::OrganizationId.is_in(organizations))
        .filter(users::Column::Active.eq(true))
        .filter(users::Column::Role.is_in([Role::Owner.as_str(), Role::Manager.as_str()]))
        .all(db)
        .await?;
    let memberships: Vec<(i64, i64)> = site_memberships::Entity::find()
        .select_only()
        .column(site_memberships::Column::UserId)
        .column(site_memberships::Column::SiteId)
        .filter(site_memberships::Column::UserId.is_in(staff.iter().map(|user| user.id)))
        .into_tuple()
        .all(db)
        .await?;
    let mut managed: HashMap<i64, Vec<i64>> = HashMap::new();
    for (user, site) in memberships {
        managed.entry(user).or_default().push(site);
    }
    let mut due = Vec::new();
    for user in &staff {
        // Their first site with something low says what day it is.
        let first = sites.iter().find(|site| {
            site.organization_id == user.organization_id
                && (user.role == Role::Owner.as_str()
                    || managed
                        .get(&user.id)
                        .is_some_and(|ids| ids.contains(&site.id)))
        });
        if let Some(site) = first {
            due.push(Due {
                user_id: user.pid,
                on: clock.today_in(site.timezone.parse::<Tz>().unwrap_or(Tz::UTC)),
            });
        }
    }
    let now = now_at(clock);
    let subjects: Vec<Uuid> = due.iter().map(|due| due.user_id).collect();
    let settled = ledger::settled(db, Kind::LowStockDigest, &subjects, now).await?;
    due.retain(|due| !settled.contains(&(due.user_id, due.on.to_string())));
    Ok(due)
}

/// Sends `user_id` the digest for `on`, at most once.
///
/// # Errors
/// `NotFound` for an unknown user (the job ends); `Upstream` when the mail
/// server failed (recorded in the ledger; try again later).
pub async fn send(
    db: &impl ConnectionTrait,
    messenger: &Messenger,
    clock: Clock,
    user_id: Uuid,
    on: NaiveDate,
) -> DomainResult<Sent> {
    let user = users::Entity::find()
        .filter(users::Column::Pid.eq(user_id))
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("user"))?;
    let role = user.role()?;
    if !user.active || !matches!(role, Role::Owner | Role::Manager) {
        return Ok(Sent::NoLongerDue);
    }
    let mut their_sites = sites::Entity::find()
        .filter(sites::Column::OrganizationId.eq(user.organization_id))
        .order_by_asc(sites::Column::Id);
    if role != Role::Owner {
        let ids = site_memberships::Model::site_ids_of(db, user.id).await?;
        their_sites = their_sites.filter(sites::Column::Id.is_in(ids));
    }
    let their_sites = their_sites.all(db).await?;
    let low: Vec<products::Model> = products::Entity::find()
        .filter(products::Column::SiteId.is_in(their_sites.iter().map(|site| site.id)))
        .filter(crate::models::stock::products::low_stock())
        .order_by_asc(products::Column::Name)
        .all(db)
        .await?;
    let mut by_site: BTreeMap<i64, Vec<&products::Model>> = BTreeMap::new();
    for product in &low {
        by_site.entry(product.site_id).or_default().push(product);
    }
    let Some(first) = their_sites
        .iter()
        .find(|site| by_site.contains_key(&site.id))
    else {
        return Ok(Sent::NoLongerDue);
    };
    let organization = organizations::Entity::find_by_id(user.organization_id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("organization"))?;
    let sections: Vec<_> = their_sites
        .iter()
        .filter_map(|site| {
            let products = by_site.get(&site.id)?;
            Some(json!({
                "name": site.name,
                "products": products.iter().map(|product| json!({
                    "name": product.name,
                    "sku": product.sku,
                    "available": product.available().to_string(),
                    "reorder_level": product.reorder_level().to_string(),
                    "supplier": product.supplier.clone().unwrap_or_default(),
                })).collect::<Vec<_>>(),
            }))
        })
        .collect();
    let language = Language::from_code(&first.language).unwrap_or(Language::English);
    let values = json!({
        "user": {"name": user.name},
        "count": low.len(),
        "sites": sections,
        "date": long_date(on, language),
        // The layout's header and footer: the organization.
        "site": site_values(&organization.name, None, None, None),
    });
    let message = Message {
        kind: Kind::LowStockDigest,
        subject: user.pid,
        cycle: on.to_string(),
        site: first.clone(),
        to: To::Staff(user),
        language,
        values,
        extras: Extras::default(),
        withheld: None,
        give_up_at: None,
        by: None,
    };
    super::send(db, messenger, clock, message).await
}
