//! Invoices by email, the PDF attached: asked for when the invoice is issued
//! (the completion that issues it) and again by staff (`POST
//! /api/invoices/{id}/send`); each request is one delivery in the ledger,
//! its cycle the moment it was asked for, so a job run twice sends it once
//! and the sweep of unsent invoices finds what a lost job left.

use chrono::TimeDelta;
use rust_decimal::Decimal;
use sea_orm::{
    prelude::DateTimeWithTimeZone, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QuerySelect,
};
use serde_json::json;
use uuid::Uuid;

use super::{ledger, mail::site_values, Kind, Message, Messenger, Sent};
use crate::models::values::Stored;
use crate::models::Scoped;
use crate::models::{
    _entities::customers,
    billing::invoices::{Column, Entity},
    clock::Clock,
    error::DomainResult,
    now_at,
    values::InvoiceStatus,
};

/// How far back the sweep looks for invoices asked to be sent and not sent.
pub const SWEEP_DAYS: i64 = 7;

/// Invoices asked to be sent in the last `SWEEP_DAYS` whose request has no
/// settled delivery yet.
///
/// # Errors
/// When the database fails.
pub async fn unsent(db: &impl ConnectionTrait, clock: Clock) -> DomainResult<Vec<Uuid>> {
    let now = now_at(clock);
    let asked: Vec<(Uuid, Option<DateTimeWithTimeZone>)> = Entity::find()
        .select_only()
        .column(Column::Pid)
        .column(Column::SendRequestedAt)
        .filter(Column::SendRequestedAt.gte(now - TimeDelta::days(SWEEP_DAYS)))
        .filter(Column::Status.ne(InvoiceStatus::Void.as_str()))
        .into_tuple()
        .all(db)
        .await?;
    ledger::unsettled_requests(db, Kind::Invoice, asked, now).await
}

/// Sends invoice `pid` to its customer, the PDF attached to an email,
/// once per request.
///
/// # Errors
/// `NotFound` for an unknown invoice (the job ends); `Upstream` when the
/// mail server or gateway failed (recorded; try again later).
pub async fn deliver(
    db: &impl ConnectionTrait,
    messenger: &Messenger,
    clock: Clock,
    pid: Uuid,
) -> DomainResult<Sent> {
    let invoice = Entity::by_pid(db, pid).await?;
    let Some(requested_at) = invoice.send_requested_at else {
        return Ok(Sent::NoLongerDue);
    };
    if invoice.status()? == InvoiceStatus::Void {
        return Ok(Sent::NoLongerDue);
    }
    let (customer, site) =
        customers::Model::with_site(db, invoice.customer_id, Some(invoice.site_id)).await?;
    let instructions = invoice.payment_instructions.clone().unwrap_or_default();
    let language = super::language_for(&customer, &site);
    let due_on = invoice.due_on();
    let values = json!({
        "customer": {"name": customer.name},
        "invoice": {
            "number": invoice.number,
            "vehicle": format!("{} ({})", invoice.vehicle_description, invoice.vehicle_plate),
            "currency": invoice.currency,
            "total": crate::i18n::money(invoice.total.0),
            "paid": crate::i18n::money(invoice.amount_paid.0),
            "balance": crate::i18n::money(invoice.balance().max(Decimal::ZERO)),
            "payment_instructions": instructions,
            "payment_lines": instructions.lines().collect::<Vec<_>>(),
            // No due day when it is due on receipt.
            "due": (due_on > invoice.issued_on)
                .then(|| crate::i18n::long_date(due_on, language)),
            "overdue": invoice.is_overdue(clock.today_in(site.time_zone())),
        },
        // The branch as the invoice was issued by it.
        "site": site_values(
            &invoice.site_name,
            invoice.site_phone.as_deref(),
            invoice.site_email.as_deref(),
            invoice.site_address.as_deref(),
        ),
    });
    let mut message = Message::to_customer(
        Kind::Invoice,
        invoice.pid,
        ledger::requested_cycle(requested_at),
        customer,
        site,
        values,
    );
    message.extras.invoice_pdf = Some(invoice);
    super::send(db, messenger, clock, message).await
}
