//! Demo invoices for tests, the PNG previews and the timing tool.

use super::{InvoiceDocument, InvoiceLine};

fn line(description: &str, quantity: &str, unit_price: &str, amount: &str) -> InvoiceLine {
    InvoiceLine {
        description: description.into(),
        quantity: quantity.into(),
        unit_price: unit_price.into(),
        amount: amount.into(),
    }
}

fn base() -> InvoiceDocument {
    InvoiceDocument {
        language: crate::i18n::Language::English,
        business_name: Some("Karakana Motors Limited".into()),
        tax_number: Some("KRA PIN P051234567X".into()),
        site_name: "Karakana Motors — Nairobi Industrial Area".into(),
        site_address: Some("Enterprise Road, Plot 42, P.O. Box 12345-00100, Nairobi".into()),
        site_phone: Some("+254 712 345 678".into()),
        site_email: Some("nairobi@karakana.example".into()),
        number: "NBO-2026-000042".into(),
        status: "issued".into(),
        issued_on: "22 Nov 2026".into(),
        due_on: Some("6 Dec 2026".into()),
        overdue: false,
        void_reason: None,
        customer_name: "Ngũgĩ wa Thiong'o".into(),
        customer_phone: Some("+254 722 000 111".into()),
        customer_email: Some("ngugi@example.co.ke".into()),
        vehicle: "KDA 123A · Toyota Probox".into(),
        odometer: Some("120,000 km".into()),
        order_ref: Some("RO-2026-0917 · Full service and front brake overhaul".into()),
        currency: "KES".into(),
        lines: vec![],
        subtotal: String::new(),
        tax_label: "VAT 16%".into(),
        tax: String::new(),
        total: String::new(),
        amount_paid: "0.00".into(),
        balance: String::new(),
        payment_instructions: vec![
            "M-Pesa Till 123456 (Karakana Motors)".into(),
            "Bank: KCB, Industrial Area branch, A/C 1234567890".into(),
        ],
    }
}

fn fmt_cents(cents: i64) -> String {
    let neg = cents < 0;
    let cents = cents.abs();
    let whole = (cents / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!(
        "{}{}.{:02}",
        if neg { "-" } else { "" },
        grouped,
        cents % 100
    )
}

fn with_lines(mut doc: InvoiceDocument, items: &[(&str, i64, i64)], paid: i64) -> InvoiceDocument {
    let mut subtotal = 0i64;
    doc.lines = items
        .iter()
        .map(|&(desc, qty, unit)| {
            let amount = qty * unit;
            subtotal += amount;
            line(desc, &qty.to_string(), &fmt_cents(unit), &fmt_cents(amount))
        })
        .collect();
    let tax = subtotal * 16 / 100;
    let total = subtotal + tax;
    doc.subtotal = fmt_cents(subtotal);
    doc.tax = fmt_cents(tax);
    doc.total = fmt_cents(total);
    doc.amount_paid = fmt_cents(paid.min(total));
    doc.balance = fmt_cents(total - paid.min(total));
    doc
}

const ITEMS: &[(&str, i64, i64)] = &[
    ("Engine oil 5W-30 fully synthetic (4 L)", 1, 650_000),
    ("Oil filter — Toyota genuine 90915-YZZE1", 1, 120_000),
    ("Front brake pads (set), Bosch 0 986 494 xxx, including fitting and bedding-in, plus cleaning and lubrication of caliper slide pins", 1, 480_000),
    ("Brake fluid DOT 4 (500 ml)", 2, 85_000),
    ("Labour: full service, 2.5 h", 1, 375_000),
    ("Wheel alignment and balancing (4 wheels)", 1, 250_000),
];

/// A typical one-page invoice, partly paid, customer with a Unicode name.
pub fn one_page() -> InvoiceDocument {
    let mut d = with_lines(base(), ITEMS, 1_000_000);
    d.status = "partially_paid".into();
    d
}

/// A paid invoice for a company customer.
pub fn paid() -> InvoiceDocument {
    let mut d = with_lines(base(), &ITEMS[..3], i64::MAX);
    d.status = "paid".into();
    d.customer_name = "Müller & Söhne Logistics Ltd.".into();
    d.vehicle = "KCB 777Z · Isuzu NQR".into();
    d
}

/// A voided invoice.
pub fn void() -> InvoiceDocument {
    let mut d = with_lines(base(), &ITEMS[..4], 0);
    d.status = "void".into();
    d.void_reason = Some(
        "Raised against the wrong vehicle (should be KDB 456B); replaced by NBO-2026-000043."
            .into(),
    );
    d.customer_name = "Zoë Nakato".into();
    d.number = "NBO-2026-000041".into();
    d
}

/// 60 lines: must paginate.
pub fn sixty_lines() -> InvoiceDocument {
    let parts = [
        "Spark plug NGK Iridium",
        "Air filter element",
        "Cabin filter (activated carbon)",
        "Wiper blade 22\"",
        "Coolant, long-life, pre-mixed (1 L)",
        "Labour: diagnostics with OBD-II scanner and road test, including a written report for the customer",
        "Fan belt",
        "Headlamp bulb H4 12 V 60/55 W",
    ];
    let names: Vec<String> = (0..60)
        .map(|i| format!("{} #{:02}", parts[i % parts.len()], i + 1))
        .collect();
    let items: Vec<(&str, i64, i64)> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), (i as i64 % 4) + 1, 45_000 + (i as i64) * 3_250))
        .collect();
    let mut d = with_lines(base(), &items, 0);
    d.customer_name = "Łukasz Ōkubo".into();
    d.number = "NBO-2026-000060".into();
    d
}
