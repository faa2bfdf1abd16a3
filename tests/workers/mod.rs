//! Background jobs run against real servers: mail to a real SMTP server
//! (aiosmtpd), the ledger in the test's database.

mod estimates;
mod invoice_delivery;
mod low_stock;
mod outbox;
mod portal;
mod processes;
mod promotions;
mod recovery;
mod repair_status;
mod service_reminders;
pub mod sidekiq;
mod sms;
