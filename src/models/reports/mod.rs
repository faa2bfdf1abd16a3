//! Figures read across the workshop's records for the people who run it.

pub mod dashboard;
