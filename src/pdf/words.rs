//! The invoice's printed words in the customer's language, from the same
//! message files as the pages and the mail (`pdf-…` in
//! `assets/i18n/{en,sw}/main.ftl`), looked up once per language.

use std::sync::LazyLock;

use crate::i18n::{self, Language};

/// Every fixed word an invoice prints.
#[derive(Debug)]
pub struct Words {
    pub invoice: String,
    pub issued: String,
    pub due: String,
    pub due_on_receipt: String,
    pub bill_to: String,
    pub vehicle: String,
    pub odometer: String,
    pub order: String,
    pub description: String,
    pub qty: String,
    pub unit_price: String,
    pub amount: String,
    pub subtotal: String,
    pub tax: String,
    pub total: String,
    pub paid: String,
    pub balance_due: String,
    pub balance_due_void: String,
    pub no_items: String,
    pub payment_instructions: String,
    /// Before and after the invoice number in "Please quote … as the
    /// payment reference."
    pub quote_before: String,
    pub quote_after: String,
    pub continued: String,
    pub page: String,
    pub of: String,
    pub void_notice: String,
    pub reason: String,
    pub no_reason: String,
    pub status_paid: String,
    pub status_void: String,
    pub status_partially_paid: String,
    pub status_issued: String,
    pub status_overdue: String,
}

static WORDS: LazyLock<[Words; 2]> = LazyLock::new(|| {
    [
        Words::load(Language::English),
        Words::load(Language::Swahili),
    ]
});

impl Words {
    /// The words of `language`.
    #[must_use]
    pub fn of(language: Language) -> &'static Self {
        match language {
            Language::English => &WORDS[0],
            Language::Swahili => &WORDS[1],
        }
    }

    fn load(language: Language) -> Self {
        let word = |key: &str| i18n::text(language, key);
        Self {
            invoice: word("pdf-invoice"),
            issued: word("pdf-issued"),
            due: word("pdf-due"),
            due_on_receipt: word("pdf-due-on-receipt"),
            bill_to: word("pdf-bill-to"),
            vehicle: word("pdf-vehicle"),
            odometer: word("pdf-odometer"),
            order: word("pdf-order"),
            description: word("pdf-description"),
            qty: word("pdf-qty"),
            unit_price: word("pdf-unit-price"),
            amount: word("pdf-amount"),
            subtotal: word("pdf-subtotal"),
            tax: word("pdf-tax"),
            total: word("pdf-total"),
            paid: word("pdf-paid"),
            balance_due: word("pdf-balance-due"),
            balance_due_void: word("pdf-balance-due-void"),
            no_items: word("pdf-no-items"),
            payment_instructions: word("pdf-payment-instructions"),
            quote_before: word("pdf-quote-before"),
            quote_after: word("pdf-quote-after"),
            continued: word("pdf-continued"),
            page: word("pdf-page"),
            of: word("pdf-of"),
            void_notice: word("pdf-void-notice"),
            reason: word("pdf-reason"),
            no_reason: word("pdf-no-reason"),
            status_paid: word("pdf-status-paid"),
            status_void: word("pdf-status-void"),
            status_partially_paid: word("pdf-status-partially_paid"),
            status_issued: word("pdf-status-issued"),
            status_overdue: word("pdf-status-overdue"),
        }
    }
}

/// The message keys the invoice uses, for the test that both languages
/// have each.
#[cfg(test)]
pub const KEYS: [&str; 33] = [
    "pdf-invoice",
    "pdf-issued",
    "pdf-due",
    "pdf-due-on-receipt",
    "pdf-bill-to",
    "pdf-vehicle",
    "pdf-odometer",
    "pdf-order",
    "pdf-description",
    "pdf-qty",
    "pdf-unit-price",
    "pdf-amount",
    "pdf-subtotal",
    "pdf-tax",
    "pdf-total",
    "pdf-paid",
    "pdf-balance-due",
    "pdf-balance-due-void",
    "pdf-no-items",
    "pdf-payment-instructions",
    "pdf-quote-before",
    "pdf-quote-after",
    "pdf-continued",
    "pdf-page",
    "pdf-of",
    "pdf-void-notice",
    "pdf-reason",
    "pdf-no-reason",
    "pdf-status-paid",
    "pdf-status-void",
    "pdf-status-partially_paid",
    "pdf-status-issued",
    "pdf-status-overdue",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_printed_word_is_in_english_and_swahili() {
        for key in KEYS {
            for language in Language::ALL {
                assert!(i18n::has(language, key), "{key} is missing in {language:?}");
            }
        }
        assert_eq!(Words::of(Language::Swahili).invoice, "ANKARA");
    }
}
