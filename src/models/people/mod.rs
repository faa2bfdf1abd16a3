//! The people who work at the branches: accounts and sign-in (`users`,
//! `login_attempts`), staff and their roles and branches (`staff`, `roles`,
//! `site_memberships`), and the technician's working day: profiles, skills,
//! shifts and timers, hours and time off, pay and stats.

pub mod availability;
pub mod earnings;
pub mod login_attempts;
pub mod roles;
pub mod shifts;
pub mod site_memberships;
pub mod skills;
pub mod staff;
pub mod technician_profiles;
pub mod technician_stats;
pub mod users;
