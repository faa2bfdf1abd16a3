//! Response bodies. Entities never go on the wire: each view names the fields
//! a client may see, with public ids in place of internal keys.

pub mod audit;
pub mod auth;
pub mod availability;
pub mod charts;
pub mod customers;
pub mod dashboard;
pub mod deliveries;
pub mod html;
pub mod invoices;
pub mod jobs;
pub mod notifications;
pub mod organization;
pub mod page;
pub mod pages;
pub mod portal;
pub mod products;
pub mod promotions;
pub mod purchase_orders;
pub mod refs;
pub mod reminders;
pub mod repair_orders;
pub mod shifts;
pub mod sites;
pub mod skills;
pub mod staff;
pub mod technicians;
pub mod time;
pub mod vehicles;
