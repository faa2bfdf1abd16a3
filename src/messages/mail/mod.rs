//! Customers' mail: messages rendered from the templates under
//! `assets/mail/` in the customer's language, sent through lettre to an SMTP
//! server or written as `.eml` files (development).
//!
//! Loco's own mailer renders and sends plain text + HTML only; invoices need
//! a PDF attached and promotions the `List-Unsubscribe` headers, so Karakana
//! builds its messages with lettre directly from the `settings.mail` block.

mod templates;

use std::time::Duration;

use lettre::{
    message::{
        header::{ContentType, HeaderName, HeaderValue},
        Attachment, Mailbox, MultiPart, SinglePart,
    },
    transport::smtp::{
        authentication::Credentials,
        client::{Tls, TlsParameters},
    },
    AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
};
use secrecy::ExposeSecret;

pub use self::templates::{long_date, Language, Rendered};
use crate::settings::{MailDelivery, MailSettings, SmtpTls};

/// How long one SMTP exchange may take before the send counts as failed
/// (and is retried later).
const SMTP_TIMEOUT: Duration = Duration::from_secs(20);

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// The settings cannot describe a transport (bad `from`, unknown host).
    #[error("mail settings: {0}")]
    Settings(String),
    /// This message cannot be built (a recipient address that does not parse).
    #[error("message: {0}")]
    Message(String),
    /// The server refused or could not be reached: worth trying again later.
    #[error("delivery: {0}")]
    Delivery(String),
}

enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    File(AsyncFileTransport<Tokio1Executor>),
}

/// Sends messages; built once at boot and shared.
pub struct Mailer {
    from: Mailbox,
    transport: Transport,
}

/// One message to one customer.
pub struct Outgoing<'a> {
    pub to_name: &'a str,
    pub to_email: &'a str,
    /// The branch's own address, so that a reply reaches people.
    pub reply_to: Option<&'a str>,
    pub content: Rendered,
    /// `<id@host>`: the same for every attempt at one delivery, so a
    /// receiving server or client can tell a repeat.
    pub message_id: String,
    pub attachments: Vec<OutgoingFile>,
    /// Extra headers such as `List-Unsubscribe`.
    pub headers: Vec<(&'static str, String)>,
}

impl<'a> Outgoing<'a> {
    /// A message to one customer, replies going to the branch.
    #[must_use]
    pub fn new(
        to_name: &'a str,
        to_email: &'a str,
        reply_to: Option<&'a str>,
        content: Rendered,
        message_id: String,
    ) -> Self {
        Self {
            to_name,
            to_email,
            reply_to,
            content,
            message_id,
            attachments: Vec::new(),
            headers: Vec::new(),
        }
    }
}

/// The branch's name and contact as the templates print them (every one
/// present, empty when unknown).
#[must_use]
pub fn site_values(
    name: &str,
    phone: Option<&str>,
    email: Option<&str>,
    address: Option<&str>,
) -> serde_json::Value {
    serde_json::json!({
        "name": name,
        "phone": phone.unwrap_or_default(),
        "email": email.unwrap_or_default(),
        "address": address.unwrap_or_default(),
    })
}

pub struct OutgoingFile {
    pub filename: String,
    pub content_type: &'static str,
    pub body: Vec<u8>,
}

impl Mailer {
    /// # Errors
    /// When `from` is not an address or the SMTP settings are unusable.
    pub fn new(settings: &MailSettings) -> Result<Self, MailError> {
        let from = settings
            .from
            .parse::<Mailbox>()
            .map_err(|err| MailError::Settings(format!("from {:?}: {err}", settings.from)))?;
        let transport = match &settings.delivery {
            MailDelivery::File { dir } => {
                std::fs::create_dir_all(dir)
                    .map_err(|err| MailError::Settings(format!("mail folder {dir}: {err}")))?;
                Transport::File(AsyncFileTransport::new(dir))
            }
            MailDelivery::Smtp {
                host,
                port,
                tls,
                user,
                password,
            } => {
                let tls_parameters = || {
                    TlsParameters::new(host.clone())
                        .map_err(|err| MailError::Settings(format!("SMTP TLS for {host}: {err}")))
                };
                let tls = match tls {
                    SmtpTls::None => Tls::None,
                    SmtpTls::Starttls => Tls::Required(tls_parameters()?),
                    SmtpTls::Implicit => Tls::Wrapper(tls_parameters()?),
                };
                // Pooled (lettre's `pool`): a worker reuses open connections
                // rather than greeting the server for every message.
                let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
                    .port(*port)
                    .tls(tls)
                    .timeout(Some(SMTP_TIMEOUT));
                if let Some(user) = user {
                    let password = password
                        .as_ref()
                        .map(|secret| secret.expose_secret().to_string())
                        .unwrap_or_default();
                    builder = builder.credentials(Credentials::new(user.clone(), password));
                }
                Transport::Smtp(builder.build())
            }
        };
        Ok(Self { from, transport })
    }

    /// Sends one message.
    ///
    /// # Errors
    /// `Message` when it cannot be built (it never will be); `Delivery` when
    /// the server refused it or could not be reached.
    pub async fn send(&self, outgoing: Outgoing<'_>) -> Result<(), MailError> {
        let message = self.build(outgoing)?;
        match &self.transport {
            Transport::Smtp(smtp) => smtp
                .send(message)
                .await
                .map(drop)
                .map_err(|err| MailError::Delivery(err.to_string())),
            Transport::File(file) => file
                .send(message)
                .await
                .map(drop)
                .map_err(|err| MailError::Delivery(err.to_string())),
        }
    }

    fn build(&self, outgoing: Outgoing<'_>) -> Result<Message, MailError> {
        let invalid = |err: &dyn std::fmt::Display| MailError::Message(err.to_string());
        let to = Mailbox::new(
            Some(outgoing.to_name.to_string()),
            outgoing.to_email.parse().map_err(|err| invalid(&err))?,
        );
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(outgoing.content.subject)
            .message_id(Some(outgoing.message_id));
        if let Some(reply_to) = outgoing.reply_to.and_then(|email| email.parse().ok()) {
            builder = builder.reply_to(Mailbox::new(None, reply_to));
        }
        for (name, value) in outgoing.headers {
            builder = builder.raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str(name),
                value,
            ));
        }
        let body = MultiPart::alternative_plain_html(outgoing.content.text, outgoing.content.html);
        let message = if outgoing.attachments.is_empty() {
            builder.multipart(body)
        } else {
            let mut mixed = MultiPart::mixed().multipart(body);
            for file in outgoing.attachments {
                let content_type =
                    ContentType::parse(file.content_type).map_err(|err| invalid(&err))?;
                let part: SinglePart = Attachment::new(file.filename).body(file.body, content_type);
                mixed = mixed.singlepart(part);
            }
            builder.multipart(mixed)
        };
        message.map_err(|err| invalid(&err))
    }
}
