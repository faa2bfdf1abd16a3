//! When technicians are expected in and when they are away.
//!
//! Working hours are a weekly pattern per technician and site, in the
//! site's local time: "Mondays 08:00–17:00 at Nairobi, Saturdays 09:00–13:00
//! at Mombasa". Time off (a day off, leave, a sick day) covers whole days and
//! every site. A manager sets a technician's hours at the sites they manage
//! (hours at other sites are left as they are); changes to one technician's
//! hours and time off are serialized on their profile row, so two managers
//! writing at once cannot leave overlapping hours or leave behind.

use std::collections::HashMap;

use chrono::{NaiveDate, Weekday};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::models::values::Stored;
use crate::models::Scoped;
use crate::models::{
    _entities::{site_memberships, time_off, working_hours},
    actor::{Ability, Actor},
    audit_events::{self, Change},
    error::{DomainError, DomainResult},
    now_at,
    organization::sites,
    paging::{Page, PageRequest},
    people::{
        technician_profiles::{self, technician_for},
        users,
    },
    Write,
};

impl sea_orm::ActiveModelBehavior for working_hours::ActiveModel {}
impl sea_orm::ActiveModelBehavior for time_off::ActiveModel {}

/// The longest single stretch of time off that can be recorded at once.
pub const MAX_TIME_OFF_DAYS: i64 = 366;

/// Why a technician is away.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Deserialize,
    Serialize,
    utoipa::ToSchema,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::VariantArray,
)]
#[strum(serialize_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum TimeOffKind {
    DayOff,
    Leave,
    Sick,
}

/// One stretch of a working week: on `weekday` at `site`, from
/// `start_minute` to `end_minute` after the site's local midnight.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stint {
    pub site: Uuid,
    pub weekday: Weekday,
    pub start_minute: i32,
    pub end_minute: i32,
}

/// A technician's week as the actor sees it: stints at sites they see,
/// by weekday and start.
#[derive(Clone, Debug)]
pub struct Week {
    pub technician: users::Model,
    pub stints: Vec<(working_hours::Model, sites::Model)>,
}

/// `minute` after midnight as `HH:MM` (`24:00` for the end of the day).
#[must_use]
pub fn clock_time(minute: i32) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

/// ISO weekday number, 1 (Monday) to 7 (Sunday), as stored.
fn weekday_number(day: Weekday) -> i16 {
    i16::try_from(day.number_from_monday()).unwrap_or(1)
}

/// The weekday stored as `number`.
#[must_use]
pub fn weekday_of(number: i16) -> Weekday {
    Weekday::try_from(u8::try_from(number.clamp(1, 7) - 1).unwrap_or(0)).unwrap_or(Weekday::Mon)
}

/// `technician`'s stints, at the sites `actor` sees.
async fn stints_of(
    db: &impl ConnectionTrait,
    actor: &Actor,
    technician: &users::Model,
) -> DomainResult<Vec<(working_hours::Model, sites::Model)>> {
    let rows = working_hours::Entity::find()
        .filter(working_hours::Column::UserId.eq(technician.id))
        .order_by_asc(working_hours::Column::Weekday)
        .order_by_asc(working_hours::Column::StartMinute)
        .all(db)
        .await?;
    let site_ids: Vec<i64> = rows.iter().map(|row| row.site_id).collect();
    let sites: HashMap<i64, sites::Model> =
        sites::Model::by_ids(db, technician.organization_id, &site_ids)
            .await?
            .into_iter()
            .map(|site| (site.id, site))
            .collect();
    Ok(rows
        .into_iter()
        .filter(|row| actor.sees_site(row.site_id))
        .filter_map(|row| {
            let site = sites.get(&row.site_id)?.clone();
            Some((row, site))
        })
        .collect())
}

/// Technician `pid`'s working week, at the sites the actor sees.
///
/// # Errors
/// 404 for anyone but the technician and the staff who see them.
pub async fn week_for(db: &impl ConnectionTrait, actor: &Actor, pid: Uuid) -> DomainResult<Week> {
    let technician = technician_for(db, actor, pid).await?;
    let stints = stints_of(db, actor, &technician).await?;
    Ok(Week { technician, stints })
}

/// Replaces technician `pid`'s working hours at the sites `actor` sees
/// with `stints` (hours at other sites stay).
///
/// # Errors
/// 404 for a technician the actor does not see; 403 unless owner or
/// manager; 422 naming `hours` for a site the actor does not see or the
/// technician does not work at, or stints that overlap on a day (those
/// kept at other sites included).
pub async fn set_week(
    db: &Write,
    actor: &Actor,
    pid: Uuid,
    stints: &[Stint],
) -> DomainResult<Week> {
    let technician = technician_for(db, actor, pid).await?;
    actor.authorize(Ability::ManageTechnicians)?;
    technician_profiles::lock(db, &technician, now_at(actor.clock)).await?;
    let their_sites = site_memberships::Model::site_ids_of(db, technician.id).await?;
    let mut site_of: HashMap<Uuid, sites::Model> = HashMap::new();
    for (index, stint) in stints.iter().enumerate() {
        if site_of.contains_key(&stint.site) {
            continue;
        }
        let field = format!("hours[{index}].site_id");
        let site = sites::Entity::find_for(db, actor, stint.site)
            .await
            .map_err(|err| match err {
                DomainError::NotFound(_) => DomainError::invalid(&field, "is not a site of yours"),
                other => other,
            })?;
        if !their_sites.contains(&site.id) {
            return Err(DomainError::invalid(
                &field,
                "the technician does not work at this site",
            ));
        }
        site_of.insert(stint.site, site);
    }
    // The hours that stay: at the technician's other sites, which the
    // actor does not manage (hours at sites they have left do not count).
    let kept: Vec<working_hours::Model> = working_hours::Entity::find()
        .filter(working_hours::Column::UserId.eq(technician.id))
        .filter(working_hours::Column::SiteId.is_in(their_sites))
        .all(db)
        .await?
        .into_iter()
        .filter(|row| !actor.sees_site(row.site_id))
        .collect();
    // (weekday, start, end, whether the actor may be told the times)
    let mut by_day: Vec<(i16, i32, i32, bool)> = kept
        .iter()
        .map(|row| (row.weekday, row.start_minute, row.end_minute, false))
        .chain(stints.iter().map(|stint| {
            (
                weekday_number(stint.weekday),
                stint.start_minute,
                stint.end_minute,
                true,
            )
        }))
        .collect();
    by_day.sort_unstable();
    if let Some(pair) = by_day
        .windows(2)
        .find(|pair| pair[0].0 == pair[1].0 && pair[1].1 < pair[0].2)
    {
        let day = weekday_name(weekday_of(pair[0].0));
        let message = if pair[0].3 && pair[1].3 {
            format!(
                "overlap on {day}: {}–{} and {}–{}",
                clock_time(pair[0].1),
                clock_time(pair[0].2),
                clock_time(pair[1].1),
                clock_time(pair[1].2),
            )
        } else {
            format!("clashes on {day} with their hours at another site")
        };
        return Err(DomainError::invalid("hours", message));
    }
    working_hours::Entity::delete_many()
        .filter(working_hours::Column::UserId.eq(technician.id))
        .filter(actor.site_condition(working_hours::Column::SiteId))
        .exec(db)
        .await?;
    for stint in stints {
        working_hours::ActiveModel {
            organization_id: Set(technician.organization_id),
            user_id: Set(technician.id),
            site_id: Set(site_of[&stint.site].id),
            weekday: Set(weekday_number(stint.weekday)),
            start_minute: Set(stint.start_minute),
            end_minute: Set(stint.end_minute),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    let week = Week {
        stints: stints_of(db, actor, &technician).await?,
        technician,
    };
    audit_events::Model::record(
        db,
        actor.organization_id(),
        actor,
        Change {
            action: "technician.hours_set",
            subject_type: "user",
            subject_id: week.technician.pid,
            site_id: None,
            details: Some(json!({
                "hours": week.stints.iter().map(|(row, site)| json!({
                    "site": site.pid,
                    "weekday": weekday_name(weekday_of(row.weekday)),
                    "starts": clock_time(row.start_minute),
                    "ends": clock_time(row.end_minute),
                })).collect::<Vec<_>>(),
            })),
        },
    )
    .await?;
    Ok(week)
}

/// `day`'s English name in lower case, as the API writes weekdays.
#[must_use]
pub const fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "monday",
        Weekday::Tue => "tuesday",
        Weekday::Wed => "wednesday",
        Weekday::Thu => "thursday",
        Weekday::Fri => "friday",
        Weekday::Sat => "saturday",
        Weekday::Sun => "sunday",
    }
}

/// Time off to record.
#[derive(Clone, Debug)]
pub struct NewTimeOff {
    pub kind: TimeOffKind,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub note: Option<String>,
}

/// Records `action` on `technician`'s time off `row` in the audit trail.
async fn audit_time_off(
    db: &impl ConnectionTrait,
    actor: &Actor,
    technician: &users::Model,
    row: &time_off::Model,
    action: &'static str,
) -> DomainResult<()> {
    audit_events::Model::record(
        db,
        actor.organization_id(),
        actor,
        Change {
            action,
            subject_type: "user",
            subject_id: technician.pid,
            site_id: None,
            details: Some(json!({
                "time_off": row.pid, "kind": row.kind,
                "first_day": row.first_day, "last_day": row.last_day,
            })),
        },
    )
    .await?;
    Ok(())
}

/// Records time off for technician `pid`.
///
/// # Errors
/// 404 for a technician the actor does not see; 403 unless owner or
/// manager; 409 when it overlaps time off recorded already.
pub async fn record_time_off(
    db: &Write,
    actor: &Actor,
    pid: Uuid,
    new: NewTimeOff,
) -> DomainResult<(users::Model, time_off::Model)> {
    let technician = technician_for(db, actor, pid).await?;
    actor.authorize(Ability::ManageTechnicians)?;
    technician_profiles::lock(db, &technician, now_at(actor.clock)).await?;
    let clash = time_off::Entity::find()
        .filter(time_off::Column::UserId.eq(technician.id))
        .filter(time_off::Column::FirstDay.lte(new.last_day))
        .filter(time_off::Column::LastDay.gte(new.first_day))
        .order_by_asc(time_off::Column::FirstDay)
        .one(db)
        .await?;
    if let Some(clash) = clash {
        return Err(DomainError::conflict(format!(
            "overlaps time off recorded already, {} to {}",
            clash.first_day, clash.last_day
        )));
    }
    let row = time_off::ActiveModel {
        organization_id: Set(technician.organization_id),
        user_id: Set(technician.id),
        pid: Set(Uuid::new_v4()),
        kind: Set(new.kind.as_str().to_string()),
        first_day: Set(new.first_day),
        last_day: Set(new.last_day),
        note: Set(new.note),
        created_by: Set(Some(actor.user_id())),
        created_at: Set(now_at(actor.clock)),
        ..Default::default()
    }
    .insert(db)
    .await?;
    audit_time_off(db, actor, &technician, &row, "time_off.recorded").await?;
    Ok((technician, row))
}

/// Cancels technician `pid`'s time off `entry`.
///
/// # Errors
/// 404 for a technician or an entry the actor does not see; 403 unless
/// owner or manager.
pub async fn cancel_time_off(
    db: &Write,
    actor: &Actor,
    pid: Uuid,
    entry: Uuid,
) -> DomainResult<()> {
    let technician = technician_for(db, actor, pid).await?;
    actor.authorize(Ability::ManageTechnicians)?;
    technician_profiles::lock(db, &technician, now_at(actor.clock)).await?;
    let row = time_off::Entity::find()
        .filter(time_off::Column::UserId.eq(technician.id))
        .filter(time_off::Column::Pid.eq(entry))
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("time off"))?;
    time_off::Entity::delete_by_id(row.id).exec(db).await?;
    audit_time_off(db, actor, &technician, &row, "time_off.cancelled").await?;
    Ok(())
}

/// Technician `pid`'s time off that touches `from..=to` (either end
/// open), earliest first.
///
/// # Errors
/// 404 for anyone but the technician and the staff who see them.
pub async fn time_off_for(
    db: &impl ConnectionTrait,
    actor: &Actor,
    pid: Uuid,
    (from, to): (Option<NaiveDate>, Option<NaiveDate>),
    page: PageRequest,
) -> DomainResult<Page<time_off::Model>> {
    let technician = technician_for(db, actor, pid).await?;
    let mut query = time_off::Entity::find().filter(time_off::Column::UserId.eq(technician.id));
    if let Some(from) = from {
        query = query.filter(time_off::Column::LastDay.gte(from));
    }
    if let Some(to) = to {
        query = query.filter(time_off::Column::FirstDay.lte(to));
    }
    page.fetch(db, query.order_by_asc(time_off::Column::FirstDay))
        .await
}

/// For the board: each of `technicians`' stints at `site` on `day` (the
/// site's local date), and the time off that covers `day`.
///
/// # Errors
/// When the database fails.
pub async fn on_day(
    db: &impl ConnectionTrait,
    site: &sites::Model,
    technicians: &[i64],
    day: NaiveDate,
) -> DomainResult<(
    HashMap<i64, Vec<working_hours::Model>>,
    HashMap<i64, time_off::Model>,
)> {
    use chrono::Datelike;

    let mut hours: HashMap<i64, Vec<working_hours::Model>> = HashMap::new();
    for row in working_hours::Entity::find()
        .filter(working_hours::Column::SiteId.eq(site.id))
        .filter(working_hours::Column::Weekday.eq(weekday_number(day.weekday())))
        .filter(working_hours::Column::UserId.is_in(technicians.iter().copied()))
        .order_by_asc(working_hours::Column::StartMinute)
        .all(db)
        .await?
    {
        hours.entry(row.user_id).or_default().push(row);
    }
    let away = time_off::Entity::find()
        .filter(time_off::Column::UserId.is_in(technicians.iter().copied()))
        .filter(time_off::Column::FirstDay.lte(day))
        .filter(time_off::Column::LastDay.gte(day))
        .all(db)
        .await?
        .into_iter()
        .map(|row| (row.user_id, row))
        .collect();
    Ok((hours, away))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekdays_round_trip_through_their_stored_numbers() {
        for day in [
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
            Weekday::Sat,
            Weekday::Sun,
        ] {
            assert_eq!(weekday_of(weekday_number(day)), day);
        }
        assert_eq!(weekday_number(Weekday::Mon), 1);
        assert_eq!(weekday_number(Weekday::Sun), 7);
    }

    #[test]
    fn clock_times_are_written_with_two_digits() {
        assert_eq!(clock_time(0), "00:00");
        assert_eq!(clock_time(8 * 60 + 5), "08:05");
        assert_eq!(clock_time(1440), "24:00");
    }
}
