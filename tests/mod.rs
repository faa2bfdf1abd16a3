//! Black-box tests against the real app: each test boots Karakana on a
//! database of its own (SQLite by default; PostgreSQL when `DATABASE_URL`
//! points at one), so tests run in parallel without sharing state.

mod boot;
mod models;
mod requests;
mod support;
mod tasks;
mod workers;
