//! The named states and kinds of stock and billing, each stored as its
//! snake-case name (the migrations' CHECK constraints list the same names).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A string-backed enum: the API and the database both use its snake-case
/// name (`Stored`).
macro_rules! stored_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema,
            strum::IntoStaticStr, strum::EnumString, strum::VariantArray,
        )]
        #[serde(rename_all = "snake_case")]
        #[strum(serialize_all = "snake_case")]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }
    };
}

stored_enum! {
    /// The customer's word on an estimate line.
    Approval {
        /// Not yet asked, or no answer: invoiced like an approved line.
        Pending,
        Approved,
        /// Not done and not invoiced; its parts go back on the shelf.
        Declined,
    }
}

stored_enum! {
    /// Why a product's stock changed.
    MovementKind {
        /// Bought in, on a purchase order.
        Receipt,
        /// Counted, broken, lost or found: with a reason.
        Adjustment,
        /// Held for a part line on an open repair order.
        Reservation,
        /// No longer held: the line was removed or declined, or the order
        /// cancelled.
        Release,
        /// Fitted: taken out of stock when the order was completed.
        Consumption,
        TransferIn,
        TransferOut,
    }
}

stored_enum! {
    /// Where an invoice stands.
    InvoiceStatus {
        Issued,
        PartiallyPaid,
        Paid,
        /// Cancelled with a reason; it keeps its number.
        Void,
    }
}

stored_enum! {
    /// How a customer paid.
    PaymentMethod {
        Cash,
        Card,
        /// M-Pesa, MTN MoMo, Airtel Money: the transaction code is required.
        MobileMoney,
        BankTransfer,
    }
}

stored_enum! {
    /// Where a purchase order to a supplier stands.
    PurchaseOrderStatus {
        Draft,
        Ordered,
        PartiallyReceived,
        Received,
    }
}
