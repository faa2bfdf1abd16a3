//! Shifts, work timers and the board as the API shows them.

use chrono::{DateTime, FixedOffset};
use rust_decimal::Decimal;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    availability::{HoursResponse, TimeOffResponse},
    refs::PersonRef,
    sites::SiteRef,
};
use crate::models::people::shifts::{self, OnTheFloor};

#[derive(Debug, Serialize, ToSchema)]
pub struct ShiftResponse {
    pub id: Uuid,
    pub site: SiteRef,
    #[serde(serialize_with = "super::time::rfc3339")]
    pub started_at: DateTime<FixedOffset>,
    #[serde(serialize_with = "super::time::rfc3339_opt")]
    pub ended_at: Option<DateTime<FixedOffset>>,
    /// Hours on shift, to two places (so far, while it is open).
    #[schema(value_type = String, example = "7.50")]
    pub hours: Decimal,
}

impl ShiftResponse {
    #[must_use]
    pub fn new(shift: shifts::Model, site: SiteRef, now: DateTime<FixedOffset>) -> Self {
        let end = shift.ended_at.unwrap_or(now);
        Self {
            id: shift.pid,
            site,
            started_at: shift.started_at,
            ended_at: shift.ended_at,
            hours: shifts::hours((end - shift.started_at).num_seconds().max(0)),
        }
    }
}

/// One technician's time on an order.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClockedResponse {
    pub technician: PersonRef,
    #[schema(value_type = String, example = "1.25")]
    pub hours: Decimal,
    /// Their timer is running on it now.
    pub running: bool,
}

/// The time clocked on an order.
#[derive(Debug, Serialize, ToSchema)]
pub struct TimerResponse {
    pub repair_order_id: Uuid,
    /// Whether the caller's timer runs on it now.
    pub running: bool,
    pub clocked: Vec<ClockedResponse>,
    /// Labour hours written on the order (declined lines left out), next
    /// to the time clocked on it.
    #[schema(value_type = String, example = "2.50")]
    pub billed_hours: Decimal,
    /// All the technicians' clocked hours together.
    #[schema(value_type = String, example = "2.17")]
    pub clocked_hours: Decimal,
}

/// A technician on the board.
#[derive(Debug, Serialize, ToSchema)]
pub struct BoardEntryResponse {
    pub technician: PersonRef,
    /// Their open shift (here or at another site); absent: not clocked in.
    pub shift: Option<ShiftResponse>,
    pub open_orders: u64,
    /// Labour hours written on their open orders.
    #[schema(value_type = String, example = "6.50")]
    pub hours_in_hand: Decimal,
    /// The order their timer runs on.
    pub timer_on: Option<Uuid>,
    /// Their working hours at this site today, in its local time; empty:
    /// not due in here today.
    pub due_today: Vec<HoursResponse>,
    /// Time off that covers today: they are away, whatever their hours.
    pub away: Option<TimeOffResponse>,
}

impl BoardEntryResponse {
    #[must_use]
    pub fn new(entry: OnTheFloor, site: Option<SiteRef>, now: DateTime<FixedOffset>) -> Self {
        Self {
            technician: PersonRef::from((entry.technician.pid, entry.technician.name)),
            shift: entry
                .shift
                .zip(site)
                .map(|(shift, site)| ShiftResponse::new(shift, site, now)),
            open_orders: entry.open_orders,
            hours_in_hand: shifts::two_places(entry.hours_in_hand),
            timer_on: entry.timer_on,
            due_today: entry.due_today.iter().map(HoursResponse::from).collect(),
            away: entry.away.map(TimeOffResponse::from),
        }
    }
}
