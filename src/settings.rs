//! Karakana's own settings: the `settings:` block of `config/<env>.yaml`,
//! read once at boot and kept in the context's shared store.

use loco_rs::{app::AppContext, config::Config};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use crate::models::{clock::Clock, people::login_attempts::Throttle};

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
    /// Limits on files attached to repair orders.
    #[serde(default)]
    pub uploads: Uploads,
    /// Where attached files are kept.
    #[serde(default)]
    pub storage: StorageSettings,
    /// Tests only: judge every request as if it were this instant.
    #[serde(default)]
    pub clock: Option<chrono::DateTime<chrono::Utc>>,
    /// How customers' mail leaves: an SMTP server, or `.eml` files.
    #[serde(default)]
    pub mail: MailSettings,
    /// Jobs in Sidekiq's queues in Redis instead of the embedded queue.
    #[serde(default)]
    pub sidekiq: SidekiqSettings,
    /// The gateway text messages go through; none by default.
    #[serde(default)]
    pub sms: crate::messages::sms::SmsSettings,
}

/// The Sidekiq backend (`src/queue`): on when `redis_url` is not empty.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SidekiqSettings {
    /// `REDIS_URL`; empty keeps the embedded queue.
    #[serde(default)]
    pub redis_url: String,
    /// Jobs one worker process runs at once.
    #[serde(default = "SidekiqSettings::default_concurrency")]
    pub concurrency: usize,
    /// The queues fetched from, in turn.
    #[serde(default = "SidekiqSettings::default_queues")]
    pub queues: Vec<String>,
    /// Retries of a failing job before it goes to the dead set; a job's own
    /// `retry` wins. With the backoff capped at `max_backoff_seconds`, 500
    /// span about three weeks: longer than any message is worth sending, so
    /// a message's job ends when its deadline says (`messages::ledger`), not
    /// when a count runs out.
    #[serde(default = "SidekiqSettings::default_max_retries")]
    pub max_retries: u32,
    /// Multiplies Sidekiq's backoff (`count⁴ + 15 + jitter` seconds); tests
    /// set 0 to retry at once.
    #[serde(default = "SidekiqSettings::default_backoff_scale")]
    pub backoff_scale: f64,
    /// A worker process that has not beaten for this long is dead, and the
    /// jobs it held go back to their queues.
    #[serde(default = "SidekiqSettings::default_heartbeat_ttl")]
    pub heartbeat_ttl_seconds: u64,
    /// How often due retries and scheduled jobs move to their queues.
    #[serde(default = "SidekiqSettings::default_poll_interval")]
    pub poll_interval_ms: u64,
    /// The longest wait between two retries of a job, before `backoff_scale`.
    #[serde(default = "SidekiqSettings::default_max_backoff")]
    pub max_backoff_seconds: u64,
    /// How long a claim on a job (embedded queue) or on a message (the
    /// ledger) holds unless its live holder renews it: after a worker dies,
    /// what it held is taken again this soon.
    #[serde(default = "SidekiqSettings::default_lease")]
    pub lease_seconds: u64,
    /// How often an idle worker looks for jobs written by other processes
    /// (the embedded queue), and the relay for jobs to move to Redis.
    #[serde(default = "SidekiqSettings::default_outbox_poll")]
    pub outbox_poll_ms: u64,
}

impl SidekiqSettings {
    fn default_concurrency() -> usize {
        10
    }
    fn default_queues() -> Vec<String> {
        vec!["default".to_string()]
    }
    const fn default_max_retries() -> u32 {
        500
    }
    const fn default_backoff_scale() -> f64 {
        1.0
    }
    const fn default_heartbeat_ttl() -> u64 {
        30
    }
    const fn default_poll_interval() -> u64 {
        5000
    }
    const fn default_max_backoff() -> u64 {
        3600
    }
    const fn default_lease() -> u64 {
        30
    }
    const fn default_outbox_poll() -> u64 {
        250
    }

    /// How long a claim holds unless renewed.
    #[must_use]
    pub fn lease(&self) -> chrono::TimeDelta {
        chrono::TimeDelta::seconds(i64::try_from(self.lease_seconds.max(1)).unwrap_or(30))
    }

    /// The wait before retry `count + 1` of a failed job: Sidekiq's
    /// `count⁴ + 15` seconds with up to `10 × (count + 1)` of jitter, at
    /// most `max_backoff_seconds`, times `backoff_scale`.
    #[must_use]
    pub fn backoff(&self, count: u64) -> std::time::Duration {
        let jitter = u64::from(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|now| now.subsec_nanos())
                .unwrap_or_default()
                % 10,
        ) * (count + 1);
        #[allow(clippy::cast_precision_loss)]
        let seconds = (count.saturating_pow(4).saturating_add(15 + jitter))
            .min(self.max_backoff_seconds.max(1)) as f64;
        std::time::Duration::from_secs_f64((seconds * self.backoff_scale).max(0.0))
    }

    /// Whether jobs go to Redis.
    #[must_use]
    pub fn enabled(&self) -> bool {
        !self.redis_url.trim().is_empty()
    }
}

impl Default for SidekiqSettings {
    fn default() -> Self {
        Self {
            redis_url: String::new(),
            concurrency: Self::default_concurrency(),
            queues: Self::default_queues(),
            max_retries: Self::default_max_retries(),
            backoff_scale: Self::default_backoff_scale(),
            heartbeat_ttl_seconds: Self::default_heartbeat_ttl(),
            poll_interval_ms: Self::default_poll_interval(),
            max_backoff_seconds: Self::default_max_backoff(),
            lease_seconds: Self::default_lease(),
            outbox_poll_ms: Self::default_outbox_poll(),
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailSettings {
    /// The sender of every message, e.g. `Kamau Motors <service@kamau.co.ke>`;
    /// replies go to the branch's own email when it has one.
    pub from: String,
    pub delivery: MailDelivery,
}

impl Default for MailSettings {
    fn default() -> Self {
        Self {
            from: "Karakana <no-reply@karakana.localhost>".to_string(),
            delivery: MailDelivery::File {
                dir: "tmp/mail".to_string(),
            },
        }
    }
}

/// Where mail goes.
#[derive(Clone, Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum MailDelivery {
    /// An SMTP server (`SMTP_HOST`, `SMTP_PORT`).
    Smtp {
        host: String,
        port: u16,
        /// `none` (a local relay), `starttls` (port 587) or `implicit` (465).
        #[serde(default)]
        tls: SmtpTls,
        #[serde(default)]
        user: Option<String>,
        /// Shown by no `Debug` print.
        #[serde(default)]
        password: Option<SecretString>,
    },
    /// Each message as an `.eml` file in `dir` (development).
    File { dir: String },
}

#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SmtpTls {
    None,
    #[default]
    Starttls,
    Implicit,
}

#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Uploads {
    pub max_bytes: u64,
}

impl Default for Uploads {
    fn default() -> Self {
        Self {
            max_bytes: 10 * 1024 * 1024,
        }
    }
}

/// Local disk by default; any S3-compatible service (AWS, MinIO, R2, …) by
/// configuration.
#[derive(Clone, Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum StorageSettings {
    Local {
        path: String,
    },
    S3 {
        bucket: String,
        region: String,
        /// Empty for AWS itself; the service's URL otherwise.
        #[serde(default)]
        endpoint: String,
        access_key_id: String,
        /// Shown by no `Debug` print, so no log line can carry it.
        secret_access_key: SecretString,
    },
}

impl Default for StorageSettings {
    fn default() -> Self {
        Self::Local {
            path: "storage".to_string(),
        }
    }
}

impl StorageSettings {
    /// The storage these settings describe.
    ///
    /// # Errors
    /// When the local folder cannot be created or the S3 settings are unusable.
    pub fn storage(&self) -> loco_rs::Result<loco_rs::storage::Storage> {
        use loco_rs::storage::{drivers, Storage};
        let driver = match self {
            Self::Local { path } => {
                std::fs::create_dir_all(path)?;
                drivers::local::new_with_prefix(path).map_err(|err| {
                    loco_rs::Error::Message(format!("storage folder {path}: {err}"))
                })?
            }
            Self::S3 {
                bucket,
                region,
                endpoint,
                access_key_id,
                secret_access_key,
            } => {
                opendal::install_default();
                let credentials = drivers::aws::Credential {
                    key_id: access_key_id.clone(),
                    secret_key: secret_access_key.expose_secret().to_string(),
                    token: None,
                };
                let driver = if endpoint.is_empty() {
                    drivers::aws::with_credentials(bucket, region, credentials)
                } else {
                    drivers::aws::with_credentials_and_endpoint(
                        bucket,
                        region,
                        endpoint,
                        credentials,
                    )
                };
                driver.map_err(|err| loco_rs::Error::Message(format!("S3 storage: {err}")))?
            }
        };
        Ok(Storage::single(driver))
    }
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

    /// The clock requests are judged by.
    #[must_use]
    pub fn clock(&self) -> Clock {
        self.clock.map_or(Clock::System, Clock::Fixed)
    }

    /// The clock stored at boot: what requests, jobs and tasks judge by.
    #[must_use]
    pub fn clock_of(ctx: &AppContext) -> Clock {
        ctx.shared_store.get::<Clock>().unwrap_or_default()
    }

    /// The settings stored at boot (`App::after_context`).
    #[must_use]
    pub fn of(ctx: &AppContext) -> Self {
        ctx.shared_store.get::<Self>().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_s3_secret_is_never_printed() {
        let settings: Settings = serde_json::from_value(serde_json::json!({
            "storage": {
                "kind": "s3", "bucket": "photos", "region": "af-south-1",
                "access_key_id": "AKIAEXAMPLE", "secret_access_key": "wJalrXUtnFEMI-very-secret",
            }
        }))
        .unwrap();

        let printed = format!("{settings:?} {settings:#?}");

        assert!(!printed.contains("very-secret"), "{printed}");
        assert!(
            printed.contains("photos"),
            "the rest is still there: {printed}"
        );
    }
}
