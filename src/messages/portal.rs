//! The link to a customer's own page, sent to the contact they typed
//! (`models::customers::portal`): by text when they typed their phone
//! number, by email when they typed their address. One delivery per link
//! in the ledger, given up when the link expires, so a job run twice sends
//! it once and a link nobody could deliver is seen as given up.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::json;
use uuid::Uuid;

use super::{links::Purpose, Channel, Kind, Message, Messenger, Sent};
use crate::models::values::Stored;
use crate::models::{
    clock::Clock,
    customers::portal::{self, LINK_VALID_FOR},
    error::DomainResult,
    now_at,
};

/// Sends link `pid`, while it can still be used.
///
/// # Errors
/// `Upstream` when the mail server or gateway failed (recorded; try again
/// until the link expires).
pub async fn send(
    db: &impl ConnectionTrait,
    messenger: &Messenger,
    clock: Clock,
    pid: Uuid,
) -> DomainResult<Sent> {
    let Some(link) = portal::Entity::find()
        .filter(portal::Column::Pid.eq(pid))
        .one(db)
        .await?
    else {
        return Ok(Sent::NoLongerDue);
    };
    let open = portal::unused(db, clock, pid).await;
    let Ok(found) = open else {
        return Ok(Sent::NoLongerDue);
    };
    let url = messenger
        .links()
        .url(Purpose::Portal, link.pid, clock.now(), LINK_VALID_FOR);
    let minutes = LINK_VALID_FOR.num_minutes();
    let values = json!({
        "customer": {"name": found.customer.name},
        "url": url,
        "minutes": minutes,
    });
    let mut message = Message::to_customer(
        Kind::PortalLink,
        link.pid,
        "-".to_string(),
        found.customer,
        found.site,
        values,
    );
    // Where they asked for it (a phone number still gets an email when the
    // workshop sends no texts).
    message.by = Channel::from_stored(&link.channel);
    message.give_up_at = Some(link.expires_at.max(now_at(clock)));
    super::send(db, messenger, clock, message).await
}
