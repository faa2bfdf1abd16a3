//! Messages to customers (and digests to staff): the wing of the house
//! that talks to the outside world, kept apart from the domain models.
//!
//! Every kind of message (`reminders`, `job_news`, `estimates`,
//! `invoices`, `promotions`, `low_stock`) says only what is due (its sweep)
//! and what one message says and to whom (a `Message`). The rest is here
//! once, in `send`:
//!
//! 1. the channel: a text for customers who prefer one or have no email,
//!    when a gateway is configured; email otherwise;
//! 2. the ledger (`ledger`): one row per kind, subject, cycle and channel,
//!    claimed before sending, so a job run twice sends once; a customer
//!    with nowhere to write to, or a reason not to, is recorded as skipped;
//! 3. rendering in the customer's language (`mail::templates`);
//! 4. sending by mail (`mail`, with the invoice PDF or the unsubscribe
//!    headers where the message has them) or by SMS (`sms`);
//! 5. settling the ledger row: sent, failed for another attempt, or failed
//!    for good.
//!
//! Models import nothing from here; the wing reads the models.

pub mod estimates;
pub mod invoices;
pub mod job_news;
pub mod ledger;
pub mod links;
pub mod low_stock;
pub mod mail;
pub mod portal;
pub mod promotions;
pub mod reminders;
pub mod sms;

use std::sync::Arc;

use loco_rs::app::AppContext;
use sea_orm::ConnectionTrait;
use uuid::Uuid;

pub use self::{
    ledger::{Channel, Kind, Sent},
    mail::{long_date, Language},
};
use self::{
    ledger::{Key, Recipient},
    links::Links,
    mail::{MailError, Mailer, Outgoing, OutgoingFile},
    sms::{SmsError, SmsSender},
};
use crate::{
    models::{
        _entities::{customers, sites, users},
        clock::Clock,
        error::{DomainError, DomainResult},
        now_at,
    },
    pdf::InvoiceRenderer,
};

/// What sends messages, built once at boot (`App::after_context`) and
/// shared by the workers, the tasks and the pages that open links.
pub struct Messenger {
    mailer: Mailer,
    sms: Option<SmsSender>,
    links: Links,
    pdf: Arc<InvoiceRenderer>,
}

impl Messenger {
    #[must_use]
    pub fn new(
        mailer: Mailer,
        sms: Option<SmsSender>,
        links: Links,
        pdf: Arc<InvoiceRenderer>,
    ) -> Self {
        Self {
            mailer,
            sms,
            links,
            pdf,
        }
    }

    /// The same messenger, its mail going through `mailer` instead (a mail
    /// server that changed, in tests).
    #[must_use]
    pub fn with_mailer(&self, mailer: Mailer) -> Self {
        Self {
            mailer,
            sms: self.sms.clone(),
            links: self.links.clone(),
            pdf: Arc::clone(&self.pdf),
        }
    }

    /// The messenger built at boot.
    ///
    /// # Errors
    /// When the app was set up without one.
    pub fn of(ctx: &AppContext) -> loco_rs::Result<Arc<Self>> {
        ctx.shared_store
            .get::<Arc<Self>>()
            .ok_or_else(|| loco_rs::Error::Message("no messenger was set up at boot".into()))
    }

    /// Whether texts can be sent (a gateway is configured).
    #[must_use]
    pub const fn sms_on(&self) -> bool {
        self.sms.is_some()
    }

    #[must_use]
    pub const fn links(&self) -> &Links {
        &self.links
    }

    #[must_use]
    pub fn pdf(&self) -> &Arc<InvoiceRenderer> {
        &self.pdf
    }
}

/// Whom a message is for.
pub enum To {
    /// A customer, on the channel they are best reached on.
    Customer(customers::Model),
    /// A member of staff, by email.
    Staff(users::Model),
}

/// What goes with an email beside its words.
#[derive(Default)]
pub struct Extras {
    /// The invoice, as the PDF its customer holds.
    pub invoice_pdf: Option<crate::models::_entities::invoices::Model>,
    /// A one-click unsubscribe link (RFC 8058), for promotions.
    pub unsubscribe: Option<String>,
}

/// One message to one person: what a kind of message decides, and all it
/// decides.
pub struct Message {
    pub kind: Kind,
    /// What it is about, by public id: the ledger's subject.
    pub subject: Uuid,
    /// Which time it is sent about that subject (a due date, a request's
    /// moment, a customer of a promotion; `-` for once).
    pub cycle: String,
    pub to: To,
    /// The branch that writes: in the message's header and footer, and
    /// where replies go.
    pub site: sites::Model,
    pub language: Language,
    /// What the templates print, beside the branch (`site`, added here
    /// unless the kind gave its own).
    pub values: serde_json::Value,
    pub extras: Extras,
    /// A reason not to write after all (consent withdrawn since): recorded
    /// as skipped.
    pub withheld: Option<&'static str>,
    /// Until when it is worth trying to send, when the kind's own span
    /// (`Kind::worth_for`, from the first attempt) is not right.
    pub give_up_at: Option<sea_orm::prelude::DateTimeWithTimeZone>,
    /// The channel the customer asked for (a sign-in link goes where it
    /// was asked for), instead of their preference; a text asked for when
    /// no gateway is set up goes by their preference.
    pub by: Option<Channel>,
}

impl Message {
    /// A message of `kind` about `subject` for `cycle`, to a customer, from
    /// `site`, in the customer's language (`language_for`).
    #[must_use]
    pub fn to_customer(
        kind: Kind,
        subject: Uuid,
        cycle: String,
        customer: customers::Model,
        site: sites::Model,
        values: serde_json::Value,
    ) -> Self {
        let language = language_for(&customer, &site);
        Self {
            kind,
            subject,
            cycle,
            to: To::Customer(customer),
            site,
            language,
            values,
            extras: Extras::default(),
            withheld: None,
            give_up_at: None,
            by: None,
        }
    }

    /// The channel this message goes on.
    fn channel(&self, sms_on: bool) -> Channel {
        match (self.by, &self.to) {
            (Some(Channel::Email), _) => return Channel::Email,
            (Some(Channel::Sms), To::Customer(customer)) if sms_on && customer.phone.is_some() => {
                return Channel::Sms
            }
            _ => {}
        }
        match &self.to {
            To::Customer(customer) => channel_for(customer, sms_on),
            To::Staff(_) => Channel::Email,
        }
    }

    /// Where it goes on `channel`, or why it cannot go anywhere.
    fn address(&self, channel: Channel) -> Result<String, &'static str> {
        let (erased, address) = match (&self.to, channel) {
            (To::Customer(customer), Channel::Email) => {
                (customer.erased_at.is_some(), customer.email.clone())
            }
            (To::Customer(customer), Channel::Sms) => {
                (customer.erased_at.is_some(), customer.phone.clone())
            }
            (To::Staff(user), _) => (false, Some(user.email.clone())),
        };
        match (erased, address, channel) {
            (true, _, _) => Err("the customer was erased"),
            (false, Some(address), _) => Ok(address),
            (false, None, Channel::Email) => Err("no email address"),
            (false, None, Channel::Sms) => Err("no phone number"),
        }
    }

    fn recipient(
        &self,
        channel: Channel,
        now: sea_orm::prelude::DateTimeWithTimeZone,
    ) -> Recipient {
        let (organization_id, customer_id) = match &self.to {
            To::Customer(customer) => (customer.organization_id, Some(customer.id)),
            To::Staff(user) => (user.organization_id, None),
        };
        Recipient {
            organization_id,
            site_id: self.site.id,
            customer_id,
            address: self.address(channel).ok(),
            give_up_at: self
                .give_up_at
                .unwrap_or_else(|| now + self.kind.worth_for()),
        }
    }

    fn name(&self) -> &str {
        match &self.to {
            To::Customer(customer) => &customer.name,
            To::Staff(user) => &user.name,
        }
    }
}

/// Sends `message` at most once: its ledger row is claimed first, then it
/// is rendered, sent, and the row settled with how it went.
///
/// # Errors
/// `Upstream` when the mail server or the SMS gateway could not take it now
/// (recorded in the ledger; a later attempt may take it); `Internal` when a
/// template or the PDF fails.
pub async fn send(
    db: &impl ConnectionTrait,
    messenger: &Messenger,
    clock: Clock,
    mut message: Message,
) -> DomainResult<Sent> {
    let channel = message.channel(messenger.sms_on());
    let key = Key {
        kind: message.kind,
        subject_pid: message.subject,
        cycle: message.cycle.clone(),
        channel,
    };
    let now = now_at(clock);
    let recipient = message.recipient(channel, now);
    let address = match message
        .withheld
        .map_or_else(|| message.address(channel), Err)
    {
        Ok(address) => address,
        Err(reason) => {
            ledger::skip(db, &key, &recipient, reason, now).await?;
            return Ok(Sent::Skipped);
        }
    };
    let delivery = match ledger::claim(db, &key, &recipient, now).await? {
        ledger::Claim::Taken(delivery) => delivery,
        ledger::Claim::Settled => return Ok(Sent::AlreadyHandled),
        // Its holder may die before it settles: the job tries again later,
        // and takes it over once the holder has stopped renewing.
        ledger::Claim::Held => {
            return Err(DomainError::Busy(
                "another attempt is sending this message".into(),
            ))
        }
    };
    if message.values.get("site").is_none() {
        message.values["site"] = site_values(&message.site);
    }
    // Whatever goes wrong once the row is claimed (a template, the PDF, the
    // provider) is settled on the row, so the row never stays `sending`
    // behind a job that keeps failing.
    let (attempt, segments) =
        match attempt(db, messenger, clock, &delivery, &message, channel, &address).await {
            Ok(done) => done,
            Err(err) => (Attempt::TryLater(err.to_string()), None),
        };
    settle(db, clock, &delivery, &message, attempt, segments).await
}

/// Renders and sends the message the caller holds `delivery` for: how the
/// attempt went, and a text's segments.
async fn attempt(
    db: &impl ConnectionTrait,
    messenger: &Messenger,
    clock: Clock,
    delivery: &ledger::Model,
    message: &Message,
    channel: Channel,
    address: &str,
) -> DomainResult<(Attempt, Option<i16>)> {
    if let (Channel::Sms, Some(sms)) = (channel, &messenger.sms) {
        let text = message
            .kind
            .render_sms(message.language, &message.values)
            .map_err(DomainError::Internal)?;
        let segments = i16::try_from(sms::segments(&text)).ok();
        let sent = holding(db, clock, delivery, sms.send(address, &text)).await;
        return Ok((Attempt::from(sent), segments));
    }
    let content = message
        .kind
        .render(message.language, &message.values)
        .map_err(DomainError::Internal)?;
    let mut outgoing = Outgoing::new(
        message.name(),
        address,
        match message.to {
            To::Customer(_) => message.site.email.as_deref(),
            To::Staff(_) => None,
        },
        content,
        format!("<{}@karakana.{}>", delivery.pid, message.kind.tag()),
    );
    if let Some(invoice) = &message.extras.invoice_pdf {
        let body = holding(
            db,
            clock,
            delivery,
            // The invoice's message is its branch's: the day there.
            messenger
                .pdf
                .invoice(db, clock.today_in(message.site.time_zone()), invoice),
        )
        .await?;
        outgoing.attachments.push(OutgoingFile {
            filename: format!("{}.pdf", invoice.number),
            content_type: "application/pdf",
            body,
        });
    }
    if let Some(unsubscribe) = &message.extras.unsubscribe {
        // RFC 8058: a mail client may unsubscribe with one POST to the link.
        outgoing
            .headers
            .push(("List-Unsubscribe", format!("<{unsubscribe}>")));
        outgoing.headers.push((
            "List-Unsubscribe-Post",
            "List-Unsubscribe=One-Click".to_string(),
        ));
    }
    let message_id = outgoing.message_id.clone();
    let sent = holding(db, clock, delivery, messenger.mailer.send(outgoing))
        .await
        .map(|()| message_id);
    Ok((sent.into(), None))
}

/// Runs `work` while holding `delivery`: its claim is renewed every
/// `ledger::RENEW_EVERY`, so it stays this attempt's for as long as this
/// process is alive, and lapses within `ledger::LEASE` when it is not.
async fn holding<T>(
    db: &impl ConnectionTrait,
    clock: Clock,
    delivery: &ledger::Model,
    work: impl std::future::Future<Output = T>,
) -> T {
    tokio::pin!(work);
    let mut renew = tokio::time::interval(ledger::RENEW_EVERY);
    renew.tick().await;
    loop {
        tokio::select! {
            done = &mut work => return done,
            _ = renew.tick() => {
                if let Err(err) = ledger::renew(db, delivery, now_at(clock)).await {
                    tracing::warn!(error = %err, "could not renew a message's claim");
                }
            }
        }
    }
}

/// How one attempt at sending went, by whichever channel.
enum Attempt {
    /// Taken, with the provider's message id.
    Sent(String),
    /// Not taken now (a server down, a gateway out of credit): another
    /// attempt may succeed.
    TryLater(String),
    /// Never to be sent (an address or number that cannot be written to).
    Never(String),
}

impl From<Result<String, MailError>> for Attempt {
    fn from(sent: Result<String, MailError>) -> Self {
        match sent {
            Ok(message_id) => Self::Sent(message_id),
            Err(MailError::Delivery(error)) => Self::TryLater(error),
            Err(error) => Self::Never(error.to_string()),
        }
    }
}

impl From<Result<String, SmsError>> for Attempt {
    fn from(sent: Result<String, SmsError>) -> Self {
        match sent {
            Ok(message_id) => Self::Sent(message_id),
            Err(SmsError::Unavailable(error)) => Self::TryLater(error),
            Err(error) => Self::Never(error.to_string()),
        }
    }
}

/// Records on the ledger row the attempt holds how it went: first of all,
/// a message the provider took is recorded as sent (tried again before
/// anything else, since a message left `sending` would go again).
async fn settle(
    db: &impl ConnectionTrait,
    clock: Clock,
    delivery: &ledger::Model,
    message: &Message,
    attempt: Attempt,
    segments: Option<i16>,
) -> DomainResult<Sent> {
    let now = now_at(clock);
    match attempt {
        Attempt::Sent(message_id) => {
            let mut tries = 0;
            while let Err(err) = ledger::mark_sent(db, delivery, &message_id, segments, now).await {
                tries += 1;
                if tries == 3 {
                    return Err(err);
                }
                tokio::time::sleep(std::time::Duration::from_millis(200 * tries)).await;
            }
            Ok(Sent::Sent)
        }
        Attempt::TryLater(error) if now >= ledger::give_up_at(delivery) => {
            let reason = format!("not sent by its deadline: {error}");
            // Told first: a give-up recorded and then not told of would be
            // settled, and its job would find nothing left to do.
            give_up_notice(db, message, &reason, now).await?;
            ledger::mark_given_up(db, delivery, &error, now).await?;
            Ok(Sent::GivenUp(reason))
        }
        Attempt::TryLater(error) => {
            ledger::mark_failed(db, delivery, &error, now).await?;
            Err(DomainError::Upstream(error))
        }
        Attempt::Never(error) => {
            let reason = format!("it can never be delivered: {error}");
            give_up_notice(db, message, &reason, now).await?;
            ledger::mark_undeliverable(db, delivery, &error, now).await?;
            Ok(Sent::Skipped)
        }
    }
}

/// Tells the managers of the message's branch that it was given up, and
/// where to try it again.
async fn give_up_notice(
    db: &impl ConnectionTrait,
    message: &Message,
    reason: &str,
    now: sea_orm::prelude::DateTimeWithTimeZone,
) -> DomainResult<()> {
    let managers = crate::models::people::users::Model::managers_of(db, message.site.id).await?;
    let kind: &'static str = message.kind.into();
    let title = format!("A {} was not sent", kind.replace('_', " "));
    let body = format!(
        "To {} ({}): {reason}. Correct the address, or retry it from the jobs page.",
        message.name(),
        message.site.name
    );
    for manager in &managers {
        crate::models::notifications::Model::notify(
            db,
            now,
            manager,
            crate::models::notifications::Kind::MessageGivenUp,
            &title,
            &body,
            None,
        )
        .await?;
    }
    Ok(())
}

/// The channel to write to `customer` on: a text message when they prefer
/// one or have no email address, have a phone number, and texts can be
/// sent (`sms_on`); email otherwise (a customer with neither is then
/// recorded as skipped).
#[must_use]
pub fn channel_for(customer: &customers::Model, sms_on: bool) -> Channel {
    let texts = sms_on && customer.phone.is_some();
    if texts && (customer.prefers_sms || customer.email.is_none()) {
        Channel::Sms
    } else {
        Channel::Email
    }
}

/// The language to write to `customer` in: their own, else their branch's.
#[must_use]
pub fn language_for(customer: &customers::Model, site: &sites::Model) -> Language {
    customer
        .language
        .as_deref()
        .and_then(Language::from_code)
        .or_else(|| Language::from_code(&site.language))
        .unwrap_or(Language::English)
}

/// The branch's name and contact as the templates and pages print them.
#[must_use]
pub fn site_values(site: &sites::Model) -> serde_json::Value {
    mail::site_values(
        &site.name,
        site.phone.as_deref(),
        site.email.as_deref(),
        site.address.as_deref(),
    )
}
