//! `karakana task NAME` commands, one file each.

pub mod prune_login_attempts;
pub mod seed_demo;
pub mod send_service_reminders;
