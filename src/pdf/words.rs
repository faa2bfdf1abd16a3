//! The invoice's printed words in the customer's language, from the same
//! message files as the pages and the mail (`pdf-…` in
//! `assets/i18n/{en,sw}/main.ftl`), looked up once per language.

use std::sync::LazyLock;

use crate::i18n::{self, Language};

/// Every fixed word an invoice prints, each with its message key: the
/// struct, its loading and the list of keys come from the one table.
macro_rules! words {
    ($($field:ident => $key:literal,)*) => {
        /// Every fixed word an invoice prints.
        #[derive(Debug)]
        pub struct Words {
            $(pub $field: String,)*
        }

        impl Words {
            fn load(language: Language) -> Self {
                Self {
                    $($field: i18n::text(language, $key),)*
                }
            }
        }

        /// The message keys the invoice uses, for the test that both
        /// languages have each.
        #[cfg(test)]
        pub const KEYS: &[&str] = &[$($key,)*];
    };
}

// "Please quote … as the payment reference." is `quote_before`, the
// invoice number, then `quote_after`.
words! {
    invoice => "pdf-invoice",
    issued => "pdf-issued",
    due => "pdf-due",
    due_on_receipt => "pdf-due-on-receipt",
    bill_to => "pdf-bill-to",
    vehicle => "pdf-vehicle",
    odometer => "pdf-odometer",
    order => "pdf-order",
    description => "pdf-description",
    qty => "pdf-qty",
    unit_price => "pdf-unit-price",
    amount => "pdf-amount",
    subtotal => "pdf-subtotal",
    tax => "pdf-tax",
    total => "pdf-total",
    paid => "pdf-paid",
    balance_due => "pdf-balance-due",
    balance_due_void => "pdf-balance-due-void",
    no_items => "pdf-no-items",
    payment_instructions => "pdf-payment-instructions",
    quote_before => "pdf-quote-before",
    quote_after => "pdf-quote-after",
    continued => "pdf-continued",
    page => "pdf-page",
    of => "pdf-of",
    void_notice => "pdf-void-notice",
    reason => "pdf-reason",
    no_reason => "pdf-no-reason",
    status_paid => "pdf-status-paid",
    status_void => "pdf-status-void",
    status_partially_paid => "pdf-status-partially_paid",
    status_issued => "pdf-status-issued",
    status_overdue => "pdf-status-overdue",
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
}

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
