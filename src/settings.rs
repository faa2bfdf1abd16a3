//! Karakana's own settings: the `settings:` block of `config/<env>.yaml`,
//! read once at boot and kept in the context's shared store.

use loco_rs::{app::AppContext, config::Config};
use serde::Deserialize;

use crate::models::login_attempts::Throttle;

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Sign-in and sign-up limits.
    #[serde(default)]
    pub throttle: Throttle,
    /// Load the demo organization when the server starts on an empty
    /// database (development only).
    #[serde(default)]
    pub seed_demo_on_empty: bool,
}

impl Settings {
    /// # Errors
    /// When the `settings:` block does not match this shape.
    pub fn from_config(config: &Config) -> loco_rs::Result<Self> {
        config.settings.clone().map_or_else(
            || Ok(Self::default()),
            |raw| {
                serde_json::from_value(raw).map_err(|err| {
                    loco_rs::Error::Message(format!("config `settings:` is invalid: {err}"))
                })
            },
        )
    }

    /// The settings stored at boot (`App::after_context`).
    #[must_use]
    pub fn of(ctx: &AppContext) -> Self {
        ctx.shared_store.get::<Self>().unwrap_or_default()
    }
}
