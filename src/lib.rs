pub mod app;
pub mod controllers;
pub mod errors;
pub mod messages;
pub mod models;
pub mod pdf;
pub mod queue;
pub mod settings;
pub mod views;

// The design card puts workers and tasks beside `src/`; they are modules of
// this library all the same, sharing its models.
#[path = "../tasks/mod.rs"]
pub mod tasks;
#[path = "../workers/mod.rs"]
pub mod workers;
