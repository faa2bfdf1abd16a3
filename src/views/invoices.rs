use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{refs::PersonRef, sites::SiteRef};
use crate::{
    errors::ApiResult,
    models::{
        billing::{
            invoices::{self, AgeBuckets, Receivables},
            payments,
        },
        values::{format_money, InvoiceStatus, PaymentMethod, TaxRate},
    },
};

/// An invoice as lists show it. Money is a decimal string with two places
/// in the invoice's currency (rounded to its minor unit: UGX has none).
#[derive(Debug, Serialize, ToSchema)]
pub struct InvoiceSummary {
    pub id: Uuid,
    #[schema(example = "NBO-2026-000042")]
    pub number: String,
    pub status: InvoiceStatus,
    pub site: SiteRef,
    pub customer: BilledCustomer,
    #[schema(example = "KES")]
    pub currency: String,
    #[schema(example = "8932.00")]
    pub total: String,
    #[schema(example = "5000.00")]
    pub amount_paid: String,
    #[schema(example = "3932.00")]
    pub balance: String,
    /// The day it was issued, at the site.
    #[schema(value_type = String, format = Date)]
    pub issued_on: NaiveDate,
    #[serde(serialize_with = "super::time::rfc3339")]
    pub issued_at: DateTime<FixedOffset>,
    /// The day it is due: issued on, plus the site's payment terms when it
    /// was issued.
    #[schema(value_type = String, format = Date)]
    pub due_on: NaiveDate,
    /// A balance still owed after the due day (at the site).
    pub overdue: bool,
}

/// Who was billed, as they were called when the invoice was issued.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct BilledCustomer {
    pub id: Option<Uuid>,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// The vehicle the work was on.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct BilledVehicle {
    #[schema(example = "KDA 123A")]
    pub plate: String,
    #[schema(example = "Toyota Probox")]
    pub description: String,
    pub odometer_km: Option<i64>,
}

/// One billed line, copied from the order when the invoice was issued.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvoiceLineResponse {
    /// `labor` or `part`.
    #[schema(example = "part")]
    pub kind: String,
    pub description: String,
    /// Hours of labour or units of a part.
    #[schema(example = "1.5")]
    pub quantity: String,
    #[schema(example = "3000.00")]
    pub unit_price: String,
    #[schema(example = "4500.00")]
    pub amount: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentResponse {
    pub id: Uuid,
    #[schema(example = "5000.00")]
    pub amount: String,
    pub method: PaymentMethod,
    /// The transaction code (mobile money), card slip or bank reference.
    pub reference: Option<String>,
    pub received_by: Option<PersonRef>,
    #[serde(serialize_with = "super::time::rfc3339")]
    pub received_at: DateTime<FixedOffset>,
    /// Set when the payment was reversed; it then no longer counts.
    #[serde(serialize_with = "super::time::rfc3339_opt")]
    pub reversed_at: Option<DateTime<FixedOffset>>,
    pub reversed_by: Option<PersonRef>,
    pub reversal_reason: Option<String>,
}

/// A whole invoice: what was billed, to whom, what has been paid.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvoiceResponse {
    #[serde(flatten)]
    pub summary: InvoiceSummary,
    pub repair_order_id: Uuid,
    /// The business that issued it, as it was then.
    pub business: Business,
    /// The language it is written in (the customer's): `en` or `sw`.
    #[schema(example = "sw")]
    pub language: String,
    pub vehicle: BilledVehicle,
    pub lines: Vec<InvoiceLineResponse>,
    #[schema(example = "7700.00")]
    pub subtotal: String,
    #[schema(example = "0.16")]
    pub tax_rate: String,
    #[schema(example = "1232.00")]
    pub tax: String,
    pub payments: Vec<PaymentResponse>,
    /// How to pay, as the site said when the invoice was issued.
    pub payment_instructions: Option<String>,
    pub issued_by: Option<PersonRef>,
    #[serde(serialize_with = "super::time::rfc3339_opt")]
    pub voided_at: Option<DateTime<FixedOffset>>,
    pub voided_by: Option<PersonRef>,
    pub void_reason: Option<String>,
}

/// The business an invoice was issued by, as printed on it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Business {
    /// Its legal name (else its trading name) when the invoice was issued;
    /// absent on invoices issued before Karakana kept it.
    #[schema(example = "Kamau Motors Limited")]
    pub name: Option<String>,
    /// A KRA PIN in Kenya, a TIN in Uganda.
    #[schema(example = "P051234567X")]
    pub tax_number: Option<String>,
}

/// Public ids and names an invoice refers to.
pub struct InvoiceRefs<'a> {
    pub site: SiteRef,
    pub customer_id: Option<Uuid>,
    pub repair_order_id: Uuid,
    pub people: &'a std::collections::HashMap<i64, (Uuid, String)>,
    /// The day it is at the invoice's site.
    pub today: NaiveDate,
}

impl InvoiceSummary {
    /// # Errors
    /// 500 when the stored status is not one of ours.
    pub fn new(
        invoice: &invoices::Model,
        site: SiteRef,
        customer_id: Option<Uuid>,
        today: NaiveDate,
    ) -> ApiResult<Self> {
        Ok(Self {
            id: invoice.pid,
            number: invoice.number.clone(),
            status: invoice.status()?,
            site,
            customer: BilledCustomer {
                id: customer_id,
                name: invoice.customer_name.clone(),
                phone: invoice.customer_phone.clone(),
                email: invoice.customer_email.clone(),
            },
            currency: invoice.currency.clone(),
            total: format_money(invoice.total.decimal()),
            amount_paid: format_money(invoice.amount_paid.decimal()),
            balance: format_money(invoice.balance()),
            issued_on: invoice.issued_on,
            issued_at: invoice.issued_at,
            due_on: invoice.due_on(),
            overdue: invoice.is_overdue(today),
        })
    }
}

impl InvoiceResponse {
    /// # Errors
    /// 500 when a stored status or method is not one of ours.
    pub fn new(
        invoice: &invoices::Model,
        lines: &[invoices::Line],
        payments: &[payments::Model],
        refs: &InvoiceRefs<'_>,
    ) -> ApiResult<Self> {
        let person =
            |id: Option<i64>| id.and_then(|id| refs.people.get(&id).cloned().map(PersonRef::from));
        Ok(Self {
            summary: InvoiceSummary::new(invoice, refs.site.clone(), refs.customer_id, refs.today)?,
            business: Business {
                name: invoice.business_name.clone(),
                tax_number: invoice.tax_number.clone(),
            },
            language: invoice.language.clone(),
            repair_order_id: refs.repair_order_id,
            vehicle: BilledVehicle {
                plate: invoice.vehicle_plate.clone(),
                description: invoice.vehicle_description.clone(),
                odometer_km: invoice.odometer_km,
            },
            lines: lines
                .iter()
                .map(|line| InvoiceLineResponse {
                    kind: line.kind.clone(),
                    description: line.description.clone(),
                    quantity: line.quantity.decimal().normalize().to_string(),
                    unit_price: format_money(line.unit_price.decimal()),
                    amount: format_money(line.amount.decimal()),
                })
                .collect(),
            subtotal: format_money(invoice.subtotal.decimal()),
            tax_rate: TaxRate::display(invoice.tax_rate.decimal()),
            tax: format_money(invoice.tax.decimal()),
            payments: payments
                .iter()
                .map(|payment| PaymentResponse::new(payment, refs.people))
                .collect::<ApiResult<_>>()?,
            payment_instructions: invoice.payment_instructions.clone(),
            issued_by: person(Some(invoice.issued_by)),
            voided_at: invoice.voided_at,
            voided_by: person(invoice.voided_by),
            void_reason: invoice.void_reason.clone(),
        })
    }
}

impl PaymentResponse {
    /// # Errors
    /// 500 when the stored method is not one of ours.
    pub fn new(
        payment: &payments::Model,
        people: &std::collections::HashMap<i64, (Uuid, String)>,
    ) -> ApiResult<Self> {
        let person =
            |id: Option<i64>| id.and_then(|id| people.get(&id).cloned().map(PersonRef::from));
        Ok(Self {
            id: payment.pid,
            amount: format_money(payment.amount.decimal()),
            method: payment.method()?,
            reference: payment.reference.clone(),
            received_by: person(Some(payment.received_by)),
            received_at: payment.received_at,
            reversed_at: payment.reversed_at,
            reversed_by: person(payment.reversed_by),
            reversal_reason: payment.reversal_reason.clone(),
        })
    }
}

/// A payment and the invoice as it stands after it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentRecorded {
    pub payment: PaymentResponse,
    pub invoice: InvoiceResponse,
}

/// Amounts owed by how long they have been owed, in days since the
/// invoice was issued.
#[derive(Debug, Serialize, ToSchema)]
pub struct BucketsResponse {
    #[serde(rename = "0_30")]
    #[schema(example = "12000.00")]
    pub days_0_30: String,
    #[serde(rename = "31_60")]
    pub days_31_60: String,
    #[serde(rename = "61_90")]
    pub days_61_90: String,
    #[serde(rename = "90_plus")]
    pub days_90_plus: String,
}

impl From<AgeBuckets> for BucketsResponse {
    fn from(buckets: AgeBuckets) -> Self {
        Self {
            days_0_30: format_money(buckets.days_0_30),
            days_31_60: format_money(buckets.days_31_60),
            days_61_90: format_money(buckets.days_61_90),
            days_90_plus: format_money(buckets.days_90_plus),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerBalanceResponse {
    pub id: Uuid,
    pub name: String,
    pub buckets: BucketsResponse,
    #[schema(example = "15932.00")]
    pub total: String,
    /// How many of their invoices are open.
    pub invoices: usize,
    /// The oldest unpaid one's issue day.
    #[schema(value_type = String, format = Date)]
    pub oldest_issued_on: NaiveDate,
}

/// What customers owe: `{buckets, customers, total}`, in one currency.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReceivablesResponse {
    #[schema(example = "KES")]
    pub currency: String,
    pub buckets: BucketsResponse,
    /// Most owed first.
    pub customers: Vec<CustomerBalanceResponse>,
    #[schema(example = "15932.00")]
    pub total: String,
}

impl From<Receivables> for ReceivablesResponse {
    fn from(receivables: Receivables) -> Self {
        Self {
            currency: receivables.currency,
            buckets: receivables.buckets.into(),
            customers: receivables
                .customers
                .into_iter()
                .map(|balance| CustomerBalanceResponse {
                    id: balance.customer_pid,
                    name: balance.name,
                    buckets: balance.buckets.into(),
                    total: format_money(balance.total),
                    invoices: balance.invoices,
                    oldest_issued_on: balance.oldest_issued_on,
                })
                .collect(),
            total: format_money(receivables.total),
        }
    }
}

/// The PDF file, for the API's document: bytes, not JSON.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct PdfFile(pub Vec<u8>);
