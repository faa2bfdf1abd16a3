pub mod audit;
pub mod auth;
pub mod docs;
pub mod extract;
pub mod sites;
pub mod staff;
