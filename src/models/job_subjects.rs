//! Whose a background job is: the organization and site of the record its
//! arguments name. Jobs carry ids only, so the jobs view asks the database.

use std::collections::HashMap;

use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QuerySelect, RelationTrait,
};
use uuid::Uuid;

use crate::models::{
    _entities::{customers, invoices, portal_links, promotions, repair_orders, users, vehicles},
    actor::Actor,
    error::DomainResult,
};

/// The record a job is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Subject {
    Vehicle(Uuid),
    Invoice(Uuid),
    RepairOrder(Uuid),
    /// A member of staff (their digest): the organization's, at no one
    /// site, so owners see it.
    User(Uuid),
    /// A promotion: the organization's, seen by owners.
    Promotion(Uuid),
    /// A customer's sign-in link: seen where the customer belongs.
    PortalLink(Uuid),
}

/// The "site" of what belongs to no one site: only those who see every
/// site (owners) see it.
const ORGANIZATION_WIDE: i64 = -1;

/// `(organization, site)` of each subject that exists; one query per kind.
///
/// # Errors
/// When the database fails.
pub async fn owners(
    db: &impl ConnectionTrait,
    subjects: &[Subject],
) -> DomainResult<HashMap<Subject, (i64, i64)>> {
    let mut owners = HashMap::new();
    let mut vehicles_wanted = Vec::new();
    let mut invoices_wanted = Vec::new();
    let mut orders_wanted = Vec::new();
    let mut users_wanted = Vec::new();
    let mut promotions_wanted = Vec::new();
    let mut links_wanted = Vec::new();
    for subject in subjects {
        match *subject {
            Subject::Vehicle(id) => vehicles_wanted.push(id),
            Subject::Invoice(id) => invoices_wanted.push(id),
            Subject::RepairOrder(id) => orders_wanted.push(id),
            Subject::User(id) => users_wanted.push(id),
            Subject::Promotion(id) => promotions_wanted.push(id),
            Subject::PortalLink(id) => links_wanted.push(id),
        }
    }
    if !users_wanted.is_empty() {
        let rows: Vec<(Uuid, i64)> = users::Entity::find()
            .select_only()
            .column(users::Column::Pid)
            .column(users::Column::OrganizationId)
            .filter(users::Column::Pid.is_in(users_wanted))
            .into_tuple()
            .all(db)
            .await?;
        owners.extend(
            rows.into_iter()
                .map(|(id, org)| (Subject::User(id), (org, ORGANIZATION_WIDE))),
        );
    }
    if !promotions_wanted.is_empty() {
        let rows: Vec<(Uuid, i64)> = promotions::Entity::find()
            .select_only()
            .column(promotions::Column::Pid)
            .column(promotions::Column::OrganizationId)
            .filter(promotions::Column::Pid.is_in(promotions_wanted))
            .into_tuple()
            .all(db)
            .await?;
        owners.extend(
            rows.into_iter()
                .map(|(id, org)| (Subject::Promotion(id), (org, ORGANIZATION_WIDE))),
        );
    }
    if !links_wanted.is_empty() {
        let rows: Vec<(Uuid, i64, i64)> = portal_links::Entity::find()
            .select_only()
            .column(portal_links::Column::Pid)
            .column(customers::Column::OrganizationId)
            .column(customers::Column::HomeSiteId)
            .join(JoinType::InnerJoin, portal_links::Relation::Customers.def())
            .filter(portal_links::Column::Pid.is_in(links_wanted))
            .into_tuple()
            .all(db)
            .await?;
        owners.extend(
            rows.into_iter()
                .map(|(id, org, site)| (Subject::PortalLink(id), (org, site))),
        );
    }
    if !vehicles_wanted.is_empty() {
        let rows: Vec<(Uuid, i64, i64)> = vehicles::Entity::find()
            .select_only()
            .column(vehicles::Column::Pid)
            .column(customers::Column::OrganizationId)
            .column(customers::Column::HomeSiteId)
            .join(JoinType::InnerJoin, vehicles::Relation::Customers.def())
            .filter(vehicles::Column::Pid.is_in(vehicles_wanted))
            .into_tuple()
            .all(db)
            .await?;
        owners.extend(
            rows.into_iter()
                .map(|(id, org, site)| (Subject::Vehicle(id), (org, site))),
        );
    }
    if !invoices_wanted.is_empty() {
        let rows: Vec<(Uuid, i64, i64)> = invoices::Entity::find()
            .select_only()
            .column(invoices::Column::Pid)
            .column(invoices::Column::OrganizationId)
            .column(invoices::Column::SiteId)
            .filter(invoices::Column::Pid.is_in(invoices_wanted))
            .into_tuple()
            .all(db)
            .await?;
        owners.extend(
            rows.into_iter()
                .map(|(id, org, site)| (Subject::Invoice(id), (org, site))),
        );
    }
    if !orders_wanted.is_empty() {
        let rows: Vec<(Uuid, i64, i64)> = repair_orders::Entity::find()
            .select_only()
            .column(repair_orders::Column::Pid)
            .column(repair_orders::Column::OrganizationId)
            .column(repair_orders::Column::SiteId)
            .filter(repair_orders::Column::Pid.is_in(orders_wanted))
            .into_tuple()
            .all(db)
            .await?;
        owners.extend(
            rows.into_iter()
                .map(|(id, org, site)| (Subject::RepairOrder(id), (org, site))),
        );
    }
    Ok(owners)
}

/// Whether `actor` sees a job about `subject`, given `owners`.
#[must_use]
pub fn visible_to(
    actor: &Actor,
    owners: &HashMap<Subject, (i64, i64)>,
    subject: Option<Subject>,
) -> bool {
    subject
        .and_then(|subject| owners.get(&subject))
        .is_some_and(|&(organization, site)| {
            organization == actor.organization_id() && actor.sees_site(site)
        })
}
