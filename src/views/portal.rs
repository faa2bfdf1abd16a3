//! What a signed-in customer sees of their own: the same body for the
//! API's `GET /api/portal` and the page `/portal`.

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset, TimeDelta};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{invoices::InvoiceSummary, sites::SiteRef, vehicles::VehicleResponse};
use crate::{
    errors::ApiResult,
    messages::{
        language_for,
        links::{Links, Purpose, ESTIMATE_VALID_FOR},
    },
    models::{
        clock::Clock,
        customers::portal::Portal,
        organization::sites,
        values::{format_money, Approval, RepairStatus},
        workshop::estimates,
    },
};

/// The customer, as they may change themselves.
#[derive(Debug, Serialize, ToSchema)]
pub struct PortalCustomer {
    pub id: Uuid,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// The language they are written to in: their own choice, else their
    /// branch's.
    #[schema(example = "sw")]
    pub language: String,
    /// Whether `language` is their own choice.
    pub language_chosen: bool,
    pub marketing_opt_in: bool,
    pub home_site: SiteRef,
}

/// A repair of one of their vehicles, open now or completed this week.
#[derive(Debug, Serialize, ToSchema)]
pub struct CurrentOrder {
    pub id: Uuid,
    pub status: RepairStatus,
    pub site: SiteRef,
    pub description: String,
    #[serde(serialize_with = "super::time::rfc3339")]
    pub since: DateTime<FixedOffset>,
}

/// A vehicle of theirs, when it is due for a service, and the repairs it
/// is in now (or finished this week), newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct PortalVehicle {
    #[serde(flatten)]
    pub vehicle: VehicleResponse,
    /// Its service is due today or earlier, by date or by distance.
    pub service_due_now: bool,
    pub in_workshop: Vec<CurrentOrder>,
}

/// One line of an estimate and their word on it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PortalEstimateLine {
    pub id: Uuid,
    pub description: String,
    #[schema(example = "3000.00")]
    pub amount: String,
    pub approval: Approval,
}

/// An estimate the workshop sent them for an open order.
#[derive(Debug, Serialize, ToSchema)]
pub struct PortalEstimate {
    pub repair_order_id: Uuid,
    pub plate: String,
    pub description: String,
    pub site: SiteRef,
    pub currency: String,
    /// The total of what is not declined, tax included.
    #[schema(example = "3480.00")]
    pub total: String,
    pub lines: Vec<PortalEstimateLine>,
    /// Lines still waiting for their word.
    pub pending: usize,
    /// The estimate's own page (a path on this server), where each line is
    /// approved or declined.
    #[schema(example = "/e/AbCdEf")]
    pub decide_at: String,
}

/// A message the workshop sent them (or tried to).
#[derive(Debug, Serialize, ToSchema)]
pub struct PortalMessage {
    #[schema(example = "invoice")]
    pub kind: String,
    #[schema(example = "sms")]
    pub channel: String,
    #[schema(example = "sent")]
    pub status: String,
    #[serde(serialize_with = "super::time::rfc3339")]
    pub at: DateTime<FixedOffset>,
}

/// Everything of theirs, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct PortalResponse {
    pub customer: PortalCustomer,
    pub vehicles: Vec<PortalVehicle>,
    pub estimates: Vec<PortalEstimate>,
    pub invoices: Vec<InvoiceSummary>,
    pub messages: Vec<PortalMessage>,
}

impl PortalCustomer {
    #[must_use]
    pub fn new(portal: &Portal) -> Self {
        let who = &portal.customer;
        Self {
            id: who.pid,
            name: who.name.clone(),
            email: who.email.clone(),
            phone: who.phone.clone(),
            language: language_for(who, &portal.site).code().to_string(),
            language_chosen: who.language.is_some(),
            marketing_opt_in: who.marketing_opt_in,
            home_site: SiteRef::from(&portal.site),
        }
    }
}

impl PortalResponse {
    /// # Errors
    /// When the database fails, or a stored value is not one of ours.
    pub async fn of(
        db: &impl ConnectionTrait,
        links: &Links,
        clock: Clock,
        portal: &Portal,
    ) -> ApiResult<Self> {
        let who = &portal.customer;
        let sites: HashMap<i64, SiteRef> = sites::Entity::find()
            .filter(sites::Column::OrganizationId.eq(who.organization_id))
            .all(db)
            .await?
            .iter()
            .map(|site| (site.id, SiteRef::from(site)))
            .collect();
        let site_of = |id: i64| {
            sites.get(&id).cloned().unwrap_or_else(|| SiteRef {
                id: Uuid::nil(),
                name: String::new(),
            })
        };
        let mut in_workshop: HashMap<i64, Vec<CurrentOrder>> = HashMap::new();
        let mut estimates_open = Vec::new();
        for order in portal.current_orders(db, clock).await? {
            let status = order.status()?;
            in_workshop
                .entry(order.vehicle_id)
                .or_default()
                .push(CurrentOrder {
                    id: order.pid,
                    status,
                    site: site_of(order.site_id),
                    description: order.description.clone(),
                    since: order.created_at,
                });
            if order.estimate_requested_at.is_none() || status.is_terminal() {
                continue;
            }
            let token = links.token(
                Purpose::Estimate,
                order.pid,
                clock.now() + ESTIMATE_VALID_FOR.min(TimeDelta::days(1)),
            );
            let site = site_of(order.site_id);
            let estimate = estimates::estimate_of(db, order).await?;
            estimates_open.push(PortalEstimate {
                repair_order_id: estimate.order.pid,
                plate: estimate.vehicle.plate.clone(),
                description: estimate.order.description.clone(),
                site,
                currency: estimate.site.currency.clone(),
                total: format_money(estimate.total),
                pending: estimate
                    .lines
                    .iter()
                    .filter(|line| line.approval == Approval::Pending)
                    .count(),
                lines: estimate
                    .lines
                    .into_iter()
                    .map(|line| PortalEstimateLine {
                        id: line.id,
                        description: line.description,
                        amount: format_money(line.amount),
                        approval: line.approval,
                    })
                    .collect(),
                decide_at: format!("/e/{token}"),
            });
        }
        let today = clock.today_in(portal.site.time_zone());
        let vehicles = portal
            .vehicles(db)
            .await?
            .into_iter()
            .map(|row| {
                let vehicle = VehicleResponse::new(&row, who);
                let by_date = vehicle.service_due_on.is_some_and(|due| due <= today);
                let by_distance = vehicle
                    .next_service_due_km
                    .zip(vehicle.odometer_km)
                    .is_some_and(|(due, read)| read >= due);
                PortalVehicle {
                    in_workshop: in_workshop.remove(&row.id).unwrap_or_default(),
                    service_due_now: by_date || by_distance,
                    vehicle,
                }
            })
            .collect();
        let invoices = portal
            .invoices(db)
            .await?
            .iter()
            .map(|invoice| {
                InvoiceSummary::new(invoice, site_of(invoice.site_id), Some(who.pid), today)
            })
            .collect::<ApiResult<_>>()?;
        let messages = portal
            .messages(db)
            .await?
            .into_iter()
            .map(|delivery| PortalMessage {
                at: delivery.sent_at.unwrap_or(delivery.created_at),
                kind: delivery.kind,
                channel: delivery.channel,
                status: delivery.status,
            })
            .collect();
        Ok(Self {
            customer: PortalCustomer::new(portal),
            vehicles,
            estimates: estimates_open,
            invoices,
            messages,
        })
    }
}
