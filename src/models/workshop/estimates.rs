//! Estimates for customers: staff ask for an order's estimate to be sent
//! (`request`; the message itself is `messages::estimates`), and the
//! customer approves or declines each line on the page its link opens.
//! Their word is recorded on the lines as if told to the counter (approval,
//! when, a note; no member of staff), in the order's audit trail, and told
//! to the advisor who opened the order.

use std::collections::HashMap;

use rust_decimal::Decimal;
use sea_orm::{sea_query::Expr, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::json;
use uuid::Uuid;

use crate::models::values::Stored;
use crate::models::Scoped;
use crate::models::{
    _entities::{customers, repair_orders, sites, users, vehicles},
    actor::{Ability, Actor},
    audit_events::{self, Change},
    billing::invoices::{billables, totals},
    clock::Clock,
    error::{DomainError, DomainResult},
    notifications, now_at,
    values::{Approval, CurrencyCode, Quantity, RepairStatus},
    workshop::{labor_lines, part_lines},
    Write,
};

/// Asks for order `pid`'s estimate to be mailed to its customer; the caller
/// then enqueues `SendEstimate`.
///
/// # Errors
/// 404 for another organization's or site's order; 403 for roles that do
/// not deal with estimates; 409 for a closed order or one with no lines.
pub async fn request(db: &Write, actor: &Actor, pid: Uuid) -> DomainResult<repair_orders::Model> {
    actor.authorize(Ability::ManageBilling)?;
    let order = crate::models::workshop::repair_orders::Entity::find_for(db, actor, pid).await?;
    let requested = repair_orders::Entity::update_many()
        .col_expr(
            repair_orders::Column::EstimateRequestedAt,
            Expr::value(now_at(actor.clock)),
        )
        .col_expr(
            repair_orders::Column::UpdatedAt,
            Expr::value(now_at(actor.clock)),
        )
        .filter(repair_orders::Column::Id.eq(order.id))
        .filter(repair_orders::Column::Status.is_not_in(RepairStatus::CLOSED.map(Stored::as_str)))
        .exec(db)
        .await?;
    if requested.rows_affected == 0 {
        return Err(DomainError::conflict(
            "the order is closed (completed, declined or cancelled): it has no estimate to send",
        ));
    }
    let lines = labor_lines::Model::of_order(db, order.id).await?.len()
        + part_lines::Model::of_order(db, order.id).await?.len();
    if lines == 0 {
        return Err(DomainError::conflict(
            "the order has no labour or parts yet: there is nothing to estimate",
        ));
    }
    audit_events::Model::record(
        db,
        actor.organization_id(),
        actor,
        Change {
            action: "estimate.send_requested",
            subject_type: "repair_order",
            subject_id: order.pid,
            site_id: Some(order.site_id),
            details: Some(json!({"lines": lines})),
        },
    )
    .await?;
    crate::models::workshop::repair_orders::Entity::find_for(db, actor, pid).await
}

/// One line of an estimate as the customer sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EstimateLine {
    pub id: Uuid,
    pub description: String,
    /// Hours of labour, or how many of a part.
    pub quantity: Decimal,
    pub unit_price: Decimal,
    pub amount: Decimal,
    pub approval: Approval,
}

/// An order's estimate: its lines and what the approved and undecided ones
/// add up to, tax included, as the invoice will.
#[derive(Clone, Debug)]
pub struct Estimate {
    pub order: repair_orders::Model,
    pub site: sites::Model,
    pub customer: customers::Model,
    pub vehicle: vehicles::Model,
    pub lines: Vec<EstimateLine>,
    pub subtotal: Decimal,
    pub tax: Decimal,
    pub total: Decimal,
    /// Whether the customer may still decide (the order is open).
    pub open: bool,
}

/// Order `order`'s estimate.
///
/// # Errors
/// `NotFound` when its site, customer or vehicle is gone.
pub async fn estimate_of(
    db: &impl ConnectionTrait,
    order: repair_orders::Model,
) -> DomainResult<Estimate> {
    let (customer, site) =
        customers::Model::with_site(db, order.customer_id, Some(order.site_id)).await?;
    let vehicle = vehicles::Entity::find_by_id(order.vehicle_id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("vehicle"))?;
    let mut lines = Vec::new();
    for line in labor_lines::Model::of_order(db, order.id).await? {
        lines.push(EstimateLine {
            id: line.pid,
            approval: line.approval()?,
            description: line.description,
            quantity: line.hours.decimal(),
            unit_price: line.rate.decimal(),
            amount: line.amount.decimal(),
        });
    }
    for line in part_lines::Model::of_order(db, order.id).await? {
        lines.push(EstimateLine {
            id: line.pid,
            approval: line.approval()?,
            quantity: Quantity::from_milli(line.quantity_milli).decimal(),
            description: line.description,
            unit_price: line.unit_price.decimal(),
            amount: line.amount.decimal(),
        });
    }
    let billed = billables(db, &order).await?;
    let sums = totals(
        &billed,
        site.tax_rate.decimal(),
        CurrencyCode::minor_digits(&site.currency),
    );
    let open = !order.status()?.is_terminal();
    Ok(Estimate {
        order,
        site,
        customer,
        vehicle,
        lines,
        subtotal: sums.subtotal,
        tax: sums.tax,
        total: sums.total,
        open,
    })
}

/// Order `pid`'s estimate as its customer sees it, through the link they
/// were sent (the caller opened it).
///
/// # Errors
/// `NotFound` for an order that is gone, or a customer who was erased.
pub async fn for_customer(db: &impl ConnectionTrait, pid: Uuid) -> DomainResult<Estimate> {
    let order = repair_orders::Entity::by_pid(db, pid).await?;
    shown_to_customer(estimate_of(db, order).await?)
}

/// An erased customer's estimate is nobody's to open.
fn shown_to_customer(estimate: Estimate) -> DomainResult<Estimate> {
    if estimate.customer.erased_at.is_some() {
        return Err(DomainError::NotFound("customer"));
    }
    Ok(estimate)
}

/// Records the customer's word on lines of order `pid`'s estimate (the
/// caller opened their link): each `(line, decision)` that changes a line,
/// with `note`; then tells the advisor who opened the order.
///
/// # Errors
/// `NotFound` for an order that is gone; 422 for a line that is not the
/// order's or a decision that is not `approved` or `declined`; 409 for a
/// closed order, or a part taken back that is no longer in stock.
pub async fn decide(
    db: &Write,
    clock: Clock,
    pid: Uuid,
    decisions: &[(Uuid, Approval)],
    note: Option<String>,
) -> DomainResult<Estimate> {
    let order = repair_orders::Entity::by_pid(db, pid).await?;
    // The order's row before anything is read: a second submission waits
    // for the first and sees what it decided.
    crate::models::workshop::repair_orders::Model::lock_open(db, order.id, now_at(clock)).await?;
    let estimate = shown_to_customer(estimate_of(db, order).await?)?;
    let current: HashMap<Uuid, Approval> = estimate
        .lines
        .iter()
        .map(|line| (line.id, line.approval))
        .collect();
    if decisions.len() > current.len() {
        return Err(DomainError::invalid(
            "lines",
            format!("this estimate has {} lines", current.len()),
        ));
    }
    let mut changed: Vec<(Uuid, Approval)> = Vec::new();
    for (index, &(line, decision)) in decisions.iter().enumerate() {
        let field = format!("lines[{index}]");
        match current.get(&line) {
            None => {
                return Err(DomainError::invalid(
                    &field,
                    "is not a line of this estimate",
                ))
            }
            Some(_) if decision == Approval::Pending => {
                return Err(DomainError::invalid(&field, "must be approved or declined"))
            }
            Some(_) if decisions[..index].iter().any(|(seen, _)| *seen == line) => {
                return Err(DomainError::invalid(&field, "decides a line twice"))
            }
            Some(&was) if was != decision => changed.push((line, decision)),
            Some(_) => {}
        }
    }
    if changed.is_empty() {
        return Ok(estimate);
    }
    for &(line, decision) in &changed {
        estimate
            .order
            .decide_line_by_customer(db, line, decision, note.clone(), clock)
            .await?;
    }
    tell_advisor(db, clock, &estimate, &changed).await?;
    let order = estimate.order;
    estimate_of(db, order).await
}

/// An in-app notification to whoever opened the order.
async fn tell_advisor(
    db: &impl ConnectionTrait,
    clock: Clock,
    estimate: &Estimate,
    changed: &[(Uuid, Approval)],
) -> DomainResult<()> {
    let Some(advisor) = users::Entity::find_by_id(estimate.order.created_by)
        .one(db)
        .await?
        .filter(|user| user.active)
    else {
        return Ok(());
    };
    let approved = changed
        .iter()
        .filter(|(_, decision)| *decision == Approval::Approved)
        .count();
    let declined = changed.len() - approved;
    let described = |id: &Uuid| {
        estimate
            .lines
            .iter()
            .find(|line| line.id == *id)
            .map_or("a line", |line| line.description.as_str())
    };
    let body = changed
        .iter()
        .map(|(id, decision)| format!("{}: {}", described(id), decision.as_str()))
        .collect::<Vec<_>>()
        .join("\n");
    notifications::Model::notify(
        db,
        now_at(clock),
        &advisor,
        notifications::Kind::EstimateDecided,
        &format!(
            "{} ({}): {} approved {approved} and declined {declined} line(s)",
            estimate.vehicle.plate, estimate.vehicle.make, estimate.customer.name
        ),
        &body,
        Some(estimate.order.id),
    )
    .await?;
    Ok(())
}
