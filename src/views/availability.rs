//! Working hours and time off as the API shows them.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{refs::PersonRef, sites::SiteRef};
use crate::models::values::Stored;
use crate::models::{
    _entities::{time_off, working_hours},
    people::availability::{clock_time, weekday_name, weekday_of, TimeOffKind, Week},
};

/// A stretch of working time on one day, in the site's local time.
#[derive(Debug, Serialize, ToSchema)]
pub struct HoursResponse {
    #[schema(example = "08:00")]
    pub starts: String,
    /// `24:00` is the end of the day.
    #[schema(example = "17:00")]
    pub ends: String,
}

impl From<&working_hours::Model> for HoursResponse {
    fn from(row: &working_hours::Model) -> Self {
        Self {
            starts: clock_time(row.start_minute),
            ends: clock_time(row.end_minute),
        }
    }
}

/// A stretch of a working week at a site.
#[derive(Debug, Serialize, ToSchema)]
pub struct StintResponse {
    pub site: SiteRef,
    #[schema(example = "monday")]
    pub weekday: &'static str,
    #[schema(example = "08:00")]
    pub starts: String,
    #[schema(example = "17:00")]
    pub ends: String,
}

/// A technician's working week, at the sites the caller sees.
#[derive(Debug, Serialize, ToSchema)]
pub struct WeekResponse {
    pub technician: PersonRef,
    /// Monday first, then by start.
    pub hours: Vec<StintResponse>,
}

impl From<Week> for WeekResponse {
    fn from(week: Week) -> Self {
        Self {
            technician: PersonRef::from((week.technician.pid, week.technician.name)),
            hours: week
                .stints
                .iter()
                .map(|(row, site)| {
                    let hours = HoursResponse::from(row);
                    StintResponse {
                        site: SiteRef::from(site),
                        weekday: weekday_name(weekday_of(row.weekday)),
                        starts: hours.starts,
                        ends: hours.ends,
                    }
                })
                .collect(),
        }
    }
}

/// Days a technician is away.
#[derive(Debug, Serialize, ToSchema)]
pub struct TimeOffResponse {
    pub id: Uuid,
    pub kind: TimeOffKind,
    pub first_day: NaiveDate,
    /// Inclusive.
    pub last_day: NaiveDate,
    pub note: Option<String>,
    #[serde(serialize_with = "super::time::rfc3339")]
    pub created_at: DateTime<FixedOffset>,
}

impl From<time_off::Model> for TimeOffResponse {
    fn from(row: time_off::Model) -> Self {
        Self {
            id: row.pid,
            kind: TimeOffKind::from_stored(&row.kind).unwrap_or(TimeOffKind::DayOff),
            first_day: row.first_day,
            last_day: row.last_day,
            note: row.note,
            created_at: row.created_at,
        }
    }
}
