pub mod app;
pub mod controllers;
pub mod errors;
pub mod i18n;
pub mod messages;
pub mod models;
pub mod pdf;
pub mod queue;
pub mod settings;
pub mod views;

// Workers and tasks sit beside `src/`: they are the program's entry points
// other than HTTP, started by name (docs/architecture.md, "The rooms").
// They are modules of this library all the same, sharing its models.
#[path = "../tasks/mod.rs"]
pub mod tasks;
#[path = "../workers/mod.rs"]
pub mod workers;
