//! The business and its branches (sites): each branch's settings, its code in
//! invoice numbers, its time zone and money.

pub mod organizations;
pub mod sites;
