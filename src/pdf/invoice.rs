//! An invoice as its customer holds it: the stored invoice and its lines,
//! formatted for the page (`InvoiceDocument`; the layout is `layout.rs`),
//! and rendered by the one function the download and the mail both use.

use std::sync::Arc;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sea_orm::ConnectionTrait;

use super::{InvoiceDocument, InvoiceLine, InvoiceRenderer};
use crate::i18n::Language;
use crate::models::values::Stored;
use crate::models::{
    billing::invoices,
    error::{DomainError, DomainResult},
    values::TaxRate,
};

impl InvoiceRenderer {
    /// `invoice` as a PDF, with its lines as stored, on `today` at its
    /// branch (whether it is overdue). The drawing runs on a
    /// blocking thread: it is CPU work (a couple of milliseconds).
    ///
    /// # Errors
    /// When the database fails, or the document cannot be drawn.
    pub async fn invoice(
        self: &Arc<Self>,
        db: &impl ConnectionTrait,
        today: NaiveDate,
        invoice: &invoices::Model,
    ) -> DomainResult<Vec<u8>> {
        let lines = invoice.lines(db).await?;
        let document = document(invoice, &lines, today)?;
        let renderer = Arc::clone(self);
        tokio::task::spawn_blocking(move || renderer.render(&document))
            .await
            .map_err(DomainError::internal)?
            .map_err(DomainError::internal)
    }
}

/// # Errors
/// 500 when the stored status is not one of ours.
pub fn document(
    invoice: &invoices::Model,
    lines: &[invoices::Line],
    today: NaiveDate,
) -> DomainResult<InvoiceDocument> {
    let status = invoice.status()?;
    let language = invoice.language();
    let due_on = invoice.due_on();
    Ok(InvoiceDocument {
        language,
        business_name: invoice.business_name.clone(),
        tax_number: invoice
            .tax_number
            .as_deref()
            .map(|number| format!("{} {number}", tax_authority(&invoice.currency))),
        due_on: (due_on > invoice.issued_on).then(|| day(due_on, language)),
        overdue: invoice.is_overdue(today),
        site_name: invoice.site_name.clone(),
        site_address: invoice.site_address.clone(),
        site_phone: invoice.site_phone.clone(),
        site_email: invoice.site_email.clone(),
        number: invoice.number.clone(),
        status: status.as_str().to_string(),
        issued_on: day(invoice.issued_on, language),
        void_reason: invoice.void_reason.clone(),
        customer_name: invoice.customer_name.clone(),
        customer_phone: invoice.customer_phone.clone(),
        customer_email: invoice.customer_email.clone(),
        vehicle: format!(
            "{} · {}",
            invoice.vehicle_plate, invoice.vehicle_description
        ),
        odometer: invoice
            .odometer_km
            .map(|km| format!("{} km", crate::i18n::number(Decimal::from(km)))),
        order_ref: Some(invoice.order_description.clone()),
        currency: invoice.currency.clone(),
        lines: lines
            .iter()
            .map(|line| InvoiceLine {
                description: line.description.clone(),
                quantity: line.quantity.decimal().normalize().to_string(),
                unit_price: crate::i18n::money(line.unit_price.decimal()),
                amount: crate::i18n::money(line.amount.decimal()),
            })
            .collect(),
        subtotal: crate::i18n::money(invoice.subtotal.decimal()),
        tax_label: format!("VAT {}", percent(invoice.tax_rate.decimal())),
        tax: crate::i18n::money(invoice.tax.decimal()),
        total: crate::i18n::money(invoice.total.decimal()),
        amount_paid: crate::i18n::money(invoice.amount_paid.decimal()),
        balance: crate::i18n::money(invoice.balance()),
        payment_instructions: invoice
            .payment_instructions
            .as_deref()
            .map(|text| {
                text.lines()
                    .map(str::trim)
                    .filter(|line| !line.is_empty())
                    .map(ToString::to_string)
                    .collect()
            })
            .unwrap_or_default(),
    })
}

/// `16%`, `7.5%`.
fn percent(rate: Decimal) -> String {
    let shown = TaxRate::display(rate);
    let value: Decimal = shown.parse().unwrap_or(rate);
    format!("{}%", (value * Decimal::from(100)).normalize())
}

/// `22 Nov 2026`, in the invoice's language.
fn day(date: NaiveDate, language: Language) -> String {
    crate::i18n::short_date(date, language)
}

/// The name of the number a business's tax authority gives it, by the
/// country its currency says the branch is in.
fn tax_authority(currency: &str) -> &'static str {
    match currency {
        "KES" => "KRA PIN",
        "UGX" | "TZS" | "RWF" => "TIN",
        _ => "Tax no.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printed_amounts_are_grouped() {
        let d = |text: &str| text.parse::<Decimal>().unwrap();
        assert_eq!(crate::i18n::money(d("23722")), "23,722.00");
        assert_eq!(crate::i18n::money(d("999.5")), "999.50");
        assert_eq!(crate::i18n::money(d("1234567.891")), "1,234,567.89");
        assert_eq!(crate::i18n::money(d("-1000")), "-1,000.00");
        assert_eq!(percent(d("0.16")), "16%");
        assert_eq!(percent(d("0.075")), "7.5%");
        assert_eq!(
            day("2026-03-05".parse().unwrap(), Language::English),
            "5 Mar 2026"
        );
        assert_eq!(tax_authority("KES"), "KRA PIN");
        assert_eq!(tax_authority("UGX"), "TIN");
    }
}
