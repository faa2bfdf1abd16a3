//! Payments against invoices: cash, card, mobile money and bank transfer.
//! A payment is never deleted; a mistaken one is reversed with a reason.
//! Each decision is made on the invoice as it is now, its row locked.

use rust_decimal::Decimal;
use sea_orm::{entity::prelude::*, sea_query::Expr, ActiveValue, QueryOrder};
use serde_json::json;

pub use crate::models::_entities::payments::{self, ActiveModel, Column, Entity, Model};
use crate::models::error::{DomainError, DomainResult, OnUnique};
use crate::models::values::Stored;
use crate::models::{
    actor::{Ability, Actor},
    audit_events::{self, Change},
    billing::invoices,
    values::{CurrencyCode, InvoiceStatus, Numeric, PaymentMethod},
    Write,
};

impl ActiveModelBehavior for ActiveModel {}

const CODE_TAKEN: &str = "has been recorded for another payment already";

/// A payment as taken at the counter, every value already checked.
#[derive(Clone, Debug)]
pub struct NewPayment {
    pub amount: Decimal,
    pub method: PaymentMethod,
    pub reference: Option<String>,
}

impl Model {
    /// # Errors
    /// 500 when the stored method is not one of ours.
    pub fn method(&self) -> DomainResult<PaymentMethod> {
        PaymentMethod::from_stored(&self.method).ok_or_else(|| {
            DomainError::internal(format!("payment {} has method {:?}", self.id, self.method))
        })
    }

    /// An invoice's payments, oldest first, reversed ones too.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn of_invoice(
        db: &impl ConnectionTrait,
        invoice: &invoices::Model,
    ) -> Result<Vec<Self>, DbErr> {
        Entity::find()
            .filter(Column::InvoiceId.eq(invoice.id))
            .order_by_asc(Column::Id)
            .all(db)
            .await
    }

    /// Records a payment against the invoice, locked as it is now.
    ///
    /// # Errors
    /// 403 unless the actor takes payments; 409 for a void invoice or a
    /// mobile-money code recorded before; 422 naming `amount` when it is
    /// more than the balance or finer than the currency's smallest coin,
    /// naming `reference` when mobile money comes without its code.
    pub async fn record(
        db: &Write,
        actor: &Actor,
        invoice: &invoices::Model,
        payment: NewPayment,
    ) -> DomainResult<(Self, invoices::Model)> {
        actor.authorize(Ability::ManageBilling)?;
        let invoice = invoices::Model::locked(db, invoice.id).await?;
        if invoice.status()? == InvoiceStatus::Void {
            return Err(DomainError::conflict("a void invoice takes no payments"));
        }
        let digits = CurrencyCode::minor_digits(&invoice.currency);
        if payment.amount.normalize().scale() > digits {
            return Err(DomainError::invalid(
                "amount",
                format!(
                    "must be in whole {} to {digits} decimal places",
                    invoice.currency
                ),
            ));
        }
        let balance = invoice.balance();
        if payment.amount > balance {
            return Err(DomainError::invalid(
                "amount",
                format!(
                    "is more than the balance of {} {}",
                    crate::models::values::format_money(balance),
                    invoice.currency
                ),
            ));
        }
        let code = match payment.method {
            PaymentMethod::MobileMoney => Some(
                payment
                    .reference
                    .as_deref()
                    .map(mobile_money_code)
                    .filter(|code| !code.is_empty())
                    .ok_or_else(|| {
                        DomainError::invalid(
                            "reference",
                            "is required for mobile money: the transaction code, e.g. SGH7K2LQ9P",
                        )
                    })?,
            ),
            _ => None,
        };
        let now = crate::models::now_at(actor.clock);
        let saved = ActiveModel {
            pid: ActiveValue::Set(Uuid::new_v4()),
            organization_id: ActiveValue::Set(invoice.organization_id),
            site_id: ActiveValue::Set(invoice.site_id),
            invoice_id: ActiveValue::Set(invoice.id),
            amount: ActiveValue::Set(Numeric(payment.amount)),
            method: ActiveValue::Set(payment.method.as_str().to_string()),
            reference: ActiveValue::Set(payment.reference),
            mobile_money_code: ActiveValue::Set(code),
            received_at: ActiveValue::Set(now),
            received_by: ActiveValue::Set(actor.user_id()),
            ..Default::default()
        }
        .insert(db)
        .await
        .on_unique("reference", CODE_TAKEN)?;
        let invoice = settle(db, invoice, saved.amount.decimal(), now).await?;
        audit_events::Model::record(
            db,
            invoice.organization_id,
            actor,
            Change {
                action: "payment.received",
                subject_type: "invoice",
                subject_id: invoice.pid,
                site_id: Some(invoice.site_id),
                details: Some(json!({
                    "payment": saved.pid,
                    "amount": saved.amount.decimal().to_string(),
                    "method": saved.method,
                })),
            },
        )
        .await?;
        Ok((saved, invoice))
    }

    /// Reverses a payment (a bounced card, a wrong amount): it stays on the
    /// invoice, marked reversed with who, when and why, and no longer
    /// counts as paid.
    ///
    /// # Errors
    /// 403 unless the actor takes payments; 404 when the invoice has no
    /// such payment; 409 when it was reversed already.
    pub async fn reverse(
        db: &Write,
        actor: &Actor,
        invoice: &invoices::Model,
        pid: Uuid,
        reason: String,
    ) -> DomainResult<(Self, invoices::Model)> {
        actor.authorize(Ability::ManageBilling)?;
        let invoice = invoices::Model::locked(db, invoice.id).await?;
        let payment = Entity::find()
            .filter(Column::InvoiceId.eq(invoice.id))
            .filter(Column::Pid.eq(pid))
            .one(db)
            .await?
            .ok_or(DomainError::NotFound("payment"))?;
        let now = crate::models::now_at(actor.clock);
        let reversed = Entity::update_many()
            .col_expr(Column::ReversedAt, Expr::value(now))
            .col_expr(Column::ReversedBy, Expr::value(actor.user_id()))
            .col_expr(Column::ReversalReason, Expr::value(reason.clone()))
            .filter(Column::Id.eq(payment.id))
            .filter(Column::ReversedAt.is_null())
            .exec(db)
            .await?;
        if reversed.rows_affected != 1 {
            return Err(DomainError::conflict("the payment was reversed already"));
        }
        let invoice = settle(db, invoice, -payment.amount.decimal(), now).await?;
        audit_events::Model::record(
            db,
            invoice.organization_id,
            actor,
            Change {
                action: "payment.reversed",
                subject_type: "invoice",
                subject_id: invoice.pid,
                site_id: Some(invoice.site_id),
                details: Some(json!({
                    "payment": payment.pid,
                    "amount": payment.amount.decimal().to_string(),
                    "reason": reason,
                })),
            },
        )
        .await?;
        let payment = Entity::find_by_id(payment.id)
            .one(db)
            .await?
            .ok_or(DomainError::NotFound("payment"))?;
        Ok((payment, invoice))
    }
}

/// Adds `change` to what the (locked) invoice has been paid, and moves its
/// status with it.
async fn settle(
    db: &impl ConnectionTrait,
    invoice: invoices::Model,
    change: Decimal,
    now: DateTimeWithTimeZone,
) -> DomainResult<invoices::Model> {
    let paid = invoice.amount_paid.decimal() + change;
    let status = invoices::Model::status_for(invoice.total.decimal(), paid);
    let mut settled: invoices::ActiveModel = invoice.into();
    settled.amount_paid = ActiveValue::Set(Numeric(paid));
    settled.status = ActiveValue::Set(status.as_str().to_string());
    settled.updated_at = ActiveValue::Set(now);
    Ok(settled.update(db).await?)
}

/// A mobile-money transaction code as its network writes it: M-Pesa's
/// `SGH7K2LQ9P` whether typed `sgh7k2lq9p` or `SGH7 K2LQ 9P`.
fn mobile_money_code(reference: &str) -> String {
    reference
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_uppercase)
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn one_code_however_it_is_typed() {
        for typed in ["SGH7K2LQ9P", "sgh7k2lq9p", " SGH7 K2LQ 9P ", "SGH7-K2LQ-9P"] {
            assert_eq!(super::mobile_money_code(typed), "SGH7K2LQ9P");
        }
    }
}
