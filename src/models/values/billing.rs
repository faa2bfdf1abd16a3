//! The named states and kinds of stock and billing, each stored as its
//! snake-case name (the migrations' CHECK constraints list the same names).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A string-backed enum: the API and the database both use `as_str`.
macro_rules! stored_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            #[must_use]
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text),+
                }
            }

            #[must_use]
            pub fn from_stored(value: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|kind| kind.as_str() == value)
            }
        }
    };
}

stored_enum! {
    /// The customer's word on an estimate line.
    Approval {
        /// Not yet asked, or no answer: invoiced like an approved line.
        Pending => "pending",
        Approved => "approved",
        /// Not done and not invoiced; its parts go back on the shelf.
        Declined => "declined",
    }
}

stored_enum! {
    /// Why a product's stock changed.
    MovementKind {
        /// Bought in, on a purchase order.
        Receipt => "receipt",
        /// Counted, broken, lost or found: with a reason.
        Adjustment => "adjustment",
        /// Held for a part line on an open repair order.
        Reservation => "reservation",
        /// No longer held: the line was removed or declined, or the order
        /// cancelled.
        Release => "release",
        /// Fitted: taken out of stock when the order was completed.
        Consumption => "consumption",
        TransferIn => "transfer_in",
        TransferOut => "transfer_out",
    }
}

stored_enum! {
    /// Where an invoice stands.
    InvoiceStatus {
        Issued => "issued",
        PartiallyPaid => "partially_paid",
        Paid => "paid",
        /// Cancelled with a reason; it keeps its number.
        Void => "void",
    }
}

stored_enum! {
    /// How a customer paid.
    PaymentMethod {
        Cash => "cash",
        Card => "card",
        /// M-Pesa, MTN MoMo, Airtel Money: the transaction code is required.
        MobileMoney => "mobile_money",
        BankTransfer => "bank_transfer",
    }
}

stored_enum! {
    /// Where a purchase order to a supplier stands.
    PurchaseOrderStatus {
        Draft => "draft",
        Ordered => "ordered",
        PartiallyReceived => "partially_received",
        Received => "received",
    }
}
