//! What is on the shelves: products per branch with their reserved and
//! available quantities (`products`, decided by conditional updates), every
//! movement in and out (`stock_movements`), and purchase orders to suppliers.

pub mod products;
pub mod purchase_orders;
pub mod stock_movements;
