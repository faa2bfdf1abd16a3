mod audit;
mod auth;
mod errors;
mod openapi;
mod sites;
mod staff;
