//! What a technician earned from their completed, invoiced work over a
//! period, on their pay basis: the hours their timer ran on each order at
//! their hourly rate, or their share of the labour invoiced for it.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime};
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::models::values::Stored;
use crate::models::{
    _entities::{invoice_lines, invoices, repair_orders, sites, users, work_sessions},
    actor::Actor,
    error::{DomainError, DomainResult},
    now_at,
    people::technician_profiles::{self, Pay},
    values::{round_to_minor_unit, CurrencyCode, InvoiceStatus, RepairStatus},
};

/// One order's earnings.
#[derive(Clone, Debug)]
pub struct EarningLine {
    pub repair_order_id: Uuid,
    pub invoice_number: String,
    pub completed_at: DateTime<FixedOffset>,
    /// Labour hours invoiced.
    pub billed_hours: Decimal,
    /// The labour invoiced (before tax).
    pub labour_amount: Decimal,
    /// Hours their timer ran on the order.
    pub clocked_hours: Decimal,
    pub amount: Decimal,
}

/// A period's earnings.
#[derive(Clone, Debug)]
pub struct Earnings {
    pub currency: String,
    pub pay: Pay,
    pub lines: Vec<EarningLine>,
    pub total: Decimal,
}

fn day_start(day: NaiveDate) -> DateTime<FixedOffset> {
    day.and_time(NaiveTime::MIN).and_utc().fixed_offset()
}

/// `technician`'s earnings from the orders they completed in `from..=to`
/// (UTC days) at the sites `actor` sees (or `site`), invoiced and not void.
/// `technician` is one the caller has looked up for `actor` already.
///
/// # Errors
/// 409 when the technician has no pay basis yet; 422 naming `site_id`
/// when the work was invoiced in more than one currency.
pub async fn of(
    db: &impl ConnectionTrait,
    actor: &Actor,
    technician: &users::Model,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    site: Option<&sites::Model>,
) -> DomainResult<Earnings> {
    let profile = technician_profiles::profile_of(db, technician.clone()).await?;
    let Some(pay) = profile.pay else {
        return Err(DomainError::conflict(
            "no pay basis is set for this technician: set `pay_basis` on their profile",
        ));
    };
    let mut orders = repair_orders::Entity::find()
        .filter(actor.scope(
            repair_orders::Column::OrganizationId,
            repair_orders::Column::SiteId,
        ))
        .filter(repair_orders::Column::TechnicianId.eq(technician.id))
        .filter(repair_orders::Column::Status.eq(RepairStatus::Completed.as_str()));
    if let Some(site) = site {
        orders = orders.filter(repair_orders::Column::SiteId.eq(site.id));
    }
    if let Some(from) = from {
        orders = orders.filter(repair_orders::Column::CompletedAt.gte(day_start(from)));
    }
    if let Some(next) = to.and_then(|to| to.succ_opt()) {
        orders = orders.filter(repair_orders::Column::CompletedAt.lt(day_start(next)));
    }
    let orders = orders
        .order_by_asc(repair_orders::Column::CompletedAt)
        .all(db)
        .await?;
    let ids: Vec<i64> = orders.iter().map(|order| order.id).collect();
    let invoices: HashMap<i64, invoices::Model> = invoices::Entity::find()
        .filter(invoices::Column::RepairOrderId.is_in(ids.clone()))
        .filter(invoices::Column::Status.ne(InvoiceStatus::Void.as_str()))
        .all(db)
        .await?
        .into_iter()
        .map(|invoice| (invoice.repair_order_id, invoice))
        .collect();
    let currencies: BTreeSet<&str> = invoices
        .values()
        .map(|invoice| invoice.currency.as_str())
        .collect();
    if currencies.len() > 1 {
        return Err(DomainError::invalid(
            "site_id",
            format!(
                "this work was invoiced in {}: ask for one site at a time",
                currencies.into_iter().collect::<Vec<_>>().join(" and ")
            ),
        ));
    }
    // Nothing invoiced: nothing earned, in the money of the site asked
    // about, their home site, or else the first site they work at.
    let currency = match (currencies.first(), site.or(profile.home_site.as_ref())) {
        (Some(currency), _) => (*currency).to_string(),
        (None, Some(site)) => site.currency.clone(),
        (None, None) => {
            let ids =
                crate::models::people::site_memberships::Model::site_ids_of(db, technician.id)
                    .await?;
            sites::Entity::find()
                .filter(sites::Column::Id.is_in(ids))
                .order_by_asc(sites::Column::Id)
                .one(db)
                .await?
                .map(|site| site.currency)
                .ok_or_else(|| DomainError::conflict("this technician works at no site"))?
        }
    };
    let invoice_ids: Vec<i64> = invoices.values().map(|invoice| invoice.id).collect();
    let mut labour: HashMap<i64, (Decimal, Decimal)> = HashMap::new();
    for line in invoice_lines::Entity::find()
        .filter(invoice_lines::Column::InvoiceId.is_in(invoice_ids))
        .filter(invoice_lines::Column::Kind.eq("labor"))
        .all(db)
        .await?
    {
        let entry = labour.entry(line.invoice_id).or_default();
        entry.0 += line.quantity.decimal();
        entry.1 += line.amount.decimal();
    }
    let now = now_at(actor.clock);
    let mut clocked: HashMap<i64, i64> = HashMap::new();
    for session in work_sessions::Entity::find()
        .filter(work_sessions::Column::UserId.eq(technician.id))
        .filter(work_sessions::Column::RepairOrderId.is_in(ids))
        .all(db)
        .await?
    {
        let end = session.ended_at.unwrap_or(now);
        *clocked.entry(session.repair_order_id).or_default() +=
            (end - session.started_at).num_seconds().max(0);
    }
    let digits = CurrencyCode::minor_digits(&currency);
    let lines: Vec<EarningLine> = orders
        .iter()
        .filter_map(|order| {
            let invoice = invoices.get(&order.id)?;
            let (billed_hours, labour_amount) =
                labour.get(&invoice.id).copied().unwrap_or_default();
            let clocked_hours = crate::models::people::shifts::hours(
                clocked.get(&order.id).copied().unwrap_or_default(),
            );
            let amount = match pay {
                Pay::Hourly(rate) => clocked_hours * rate,
                Pay::LabourShare(share) => labour_amount * share,
            };
            Some(EarningLine {
                repair_order_id: order.pid,
                invoice_number: invoice.number.clone(),
                completed_at: order.completed_at?,
                billed_hours,
                labour_amount,
                clocked_hours,
                amount: round_to_minor_unit(amount, digits),
            })
        })
        .collect();
    let total = lines.iter().map(|line| line.amount).sum();
    Ok(Earnings {
        currency,
        pay,
        lines,
        total,
    })
}
