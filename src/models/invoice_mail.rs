//! Invoices by email, the PDF attached: asked for when the invoice is issued
//! (the completion that issues it) and again by staff (`POST
//! /api/invoices/{id}/send`); each request is one delivery in the ledger,
//! its cycle the moment it was asked for, so a job run twice sends it once
//! and the sweep of unsent invoices finds what a lost job left.

use std::{collections::HashSet, sync::Arc};

use chrono::TimeDelta;
use rust_decimal::Decimal;
use sea_orm::{
    prelude::DateTimeWithTimeZone, sea_query::Expr, ColumnTrait, ConnectionTrait, EntityTrait,
    QueryFilter, QuerySelect,
};
use serde_json::json;
use uuid::Uuid;

use super::{
    actor::{Ability, Actor},
    clock::Clock,
    deliveries::{self, Channel, Key, Kind, Sent},
    error::{DomainError, DomainResult},
    invoices::{self, Column, Entity},
    now_at,
    values::{format_money, InvoiceStatus},
};
use crate::{
    mail::{site_values, Mailer, OutgoingFile, Template},
    pdf::InvoiceRenderer,
    sms::SmsSender,
    views::invoice_pdf,
};

/// How far back the sweep looks for invoices asked to be sent and not sent.
pub const SWEEP_DAYS: i64 = 7;

/// Asks for `pid` to be mailed to its customer again; the caller then
/// enqueues `DeliverInvoice`.
///
/// # Errors
/// 404 for another organization's or site's invoice; 403 for roles that do
/// not deal with money; 409 for a void invoice.
pub async fn request(
    db: &impl ConnectionTrait,
    actor: &Actor,
    pid: Uuid,
) -> DomainResult<invoices::Model> {
    actor.authorize(Ability::ManageBilling)?;
    let invoice = invoices::Model::find_for(db, actor, pid).await?;
    let requested = Entity::update_many()
        .col_expr(Column::SendRequestedAt, Expr::value(now_at(actor.clock)))
        .filter(Column::Id.eq(invoice.id))
        .filter(Column::Status.ne(InvoiceStatus::Void.as_str()))
        .exec(db)
        .await?;
    if requested.rows_affected == 0 {
        return Err(DomainError::conflict("a void invoice is not sent"));
    }
    invoices::Model::find_for(db, actor, pid).await
}

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
    let pids: Vec<Uuid> = asked.iter().map(|(pid, _)| *pid).collect();
    let settled: HashSet<(Uuid, String)> = deliveries::of_subjects(db, Kind::Invoice, &pids)
        .await?
        .into_iter()
        .filter(|delivery| !deliveries::is_pending(delivery, now))
        .map(|delivery| (delivery.subject_pid, delivery.cycle))
        .collect();
    Ok(asked
        .into_iter()
        .filter_map(|(pid, at)| Some((pid, cycle(at?))))
        .filter(|key| !settled.contains(key))
        .map(|(pid, _)| pid)
        .collect())
}

fn cycle(requested_at: DateTimeWithTimeZone) -> String {
    requested_at.to_rfc3339()
}

/// Mails invoice `pid` to its customer with the PDF attached, once per
/// request.
///
/// # Errors
/// `NotFound` for an unknown invoice (the job ends); `Upstream` when the
/// mail server failed (recorded; try again later).
pub async fn deliver(
    db: &impl ConnectionTrait,
    mailer: &Mailer,
    sms: Option<&SmsSender>,
    renderer: Arc<InvoiceRenderer>,
    clock: Clock,
    pid: Uuid,
) -> DomainResult<Sent> {
    let invoice = Entity::find()
        .filter(Column::Pid.eq(pid))
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("invoice"))?;
    let Some(requested_at) = invoice.send_requested_at else {
        return Ok(Sent::NoLongerDue);
    };
    if invoice.status()? == InvoiceStatus::Void {
        return Ok(Sent::NoLongerDue);
    }
    let (customer, site) =
        deliveries::customer_and_site(db, invoice.customer_id, Some(invoice.site_id)).await?;
    let now = now_at(clock);
    let key = Key {
        kind: Kind::Invoice,
        subject_pid: invoice.pid,
        cycle: cycle(requested_at),
        channel: deliveries::channel_for(&customer, sms.is_some()),
    };
    let (address, delivery) =
        match deliveries::take_for_customer(db, &key, &customer, &site, now).await? {
            Ok(taken) => taken,
            Err(outcome) => return Ok(outcome),
        };
    let language = deliveries::language_for(&customer, &site);
    let instructions = invoice.payment_instructions.clone().unwrap_or_default();
    let values = json!({
        "customer": {"name": customer.name},
        "invoice": {
            "number": invoice.number,
            "vehicle": format!("{} ({})", invoice.vehicle_description, invoice.vehicle_plate),
            "currency": invoice.currency,
            "total": format_money(invoice.total.0),
            "paid": format_money(invoice.amount_paid.0),
            "balance": format_money(invoice.balance().max(Decimal::ZERO)),
            "payment_instructions": instructions,
            "payment_lines": instructions.lines().collect::<Vec<_>>(),
        },
        "site": site_values(
            &invoice.site_name,
            invoice.site_phone.as_deref(),
            invoice.site_email.as_deref(),
            invoice.site_address.as_deref(),
        ),
    });
    if let (Channel::Sms, Some(sms)) = (key.channel, sms) {
        let text = Template::Invoice
            .render_sms(language, &values)
            .map_err(DomainError::Internal)?;
        return deliveries::send_sms(db, sms, clock, &delivery, &address, &text).await;
    }
    let lines = invoice.lines(db).await?;
    let document = invoice_pdf::document(&invoice, &lines)?;
    let pdf = tokio::task::spawn_blocking(move || renderer.render(&document))
        .await
        .map_err(DomainError::internal)?
        .map_err(DomainError::internal)?;
    let content = Template::Invoice
        .render(language, &values)
        .map_err(DomainError::Internal)?;
    let mut outgoing =
        deliveries::outgoing(&customer, &address, &site, content, &delivery, "invoice");
    outgoing.attachments.push(OutgoingFile {
        filename: format!("{}.pdf", invoice.number),
        content_type: "application/pdf",
        body: pdf,
    });
    deliveries::send_email(db, mailer, clock, &delivery, outgoing).await
}
