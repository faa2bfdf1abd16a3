//! Money: invoices issued with gapless numbers per branch and year
//! (`invoices`), the payments against them and their reversal (`payments`),
//! receivables.

pub mod invoices;
pub mod payments;
