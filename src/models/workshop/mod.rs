//! The floor: repair orders and their state machine (`repair_orders`, with
//! every transition in `repair_order_events`), the queue technicians claim
//! from, notes and photos, the labour and part lines an order bills,
//! comebacks, and the customer's word on an estimate.

pub mod attachments;
pub mod comebacks;
pub mod estimates;
pub mod labor_lines;
pub mod office_changes;
pub mod part_lines;
pub mod repair_order_events;
pub mod repair_order_notes;
pub mod repair_orders;
