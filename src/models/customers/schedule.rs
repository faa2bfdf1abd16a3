//! When a vehicle is next due for a service.
//!
//! By date: the last service plus the interval in months. By distance: the
//! odometer at the last service plus the interval in km, and the day the
//! vehicle is expected to reach it at its own average km per day. A reminder
//! goes out for whichever comes first.

use chrono::{Days, Months, NaiveDate};

/// What the schedule is computed from.
#[derive(Clone, Debug, Default)]
pub struct ServiceHistory<'a> {
    pub interval_months: Option<i32>,
    pub interval_km: Option<i64>,
    pub last_service_on: Option<NaiveDate>,
    pub last_service_km: Option<i64>,
    /// Odometer readings, any order.
    pub readings: &'a [(NaiveDate, i64)],
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Schedule {
    pub odometer_km: Option<i64>,
    pub next_due_on: Option<NaiveDate>,
    pub next_due_km: Option<i64>,
    pub km_predicted_on: Option<NaiveDate>,
    /// The earlier of `next_due_on` and `km_predicted_on`.
    pub due_on: Option<NaiveDate>,
}

impl ServiceHistory<'_> {
    #[must_use]
    pub fn schedule(&self) -> Schedule {
        let mut readings = self.readings.to_vec();
        readings.sort_unstable();
        let latest = readings.last().copied();

        let next_due_on =
            self.last_service_on
                .zip(self.interval_months)
                .and_then(|(on, months)| {
                    on.checked_add_months(Months::new(u32::try_from(months).ok()?))
                });

        // The odometer at the last service: as recorded, or else the last
        // reading taken on or before that day.
        let service_km = self.last_service_km.or_else(|| {
            let on = self.last_service_on?;
            readings
                .iter()
                .rev()
                .find(|(read_on, _)| *read_on <= on)
                .map(|(_, km)| *km)
        });
        let next_due_km = service_km
            .zip(self.interval_km)
            .map(|(km, interval)| km + interval);

        let km_predicted_on = next_due_km
            .zip(latest)
            .and_then(|(due_km, (last_on, last_km))| {
                if due_km <= last_km {
                    return Some(last_on);
                }
                let (first_on, first_km) = *readings.first()?;
                let days = (last_on - first_on).num_days();
                let driven = last_km - first_km;
                if days < 1 || driven <= 0 {
                    return None;
                }
                // Whole days, rounded up: the day the distance is reached.
                let remaining = u64::try_from(due_km - last_km).ok()?;
                let (driven, days) = (u64::try_from(driven).ok()?, u64::try_from(days).ok()?);
                last_on.checked_add_days(Days::new((remaining * days).div_ceil(driven)))
            });

        let due_on = match (next_due_on, km_predicted_on) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        Schedule {
            odometer_km: latest.map(|(_, km)| km),
            next_due_on,
            next_due_km,
            km_predicted_on,
            due_on,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn due_by_date_from_the_last_service() {
        let history = ServiceHistory {
            interval_months: Some(6),
            last_service_on: Some(day("2026-05-31")),
            ..ServiceHistory::default()
        };
        let schedule = history.schedule();
        assert_eq!(schedule.next_due_on, Some(day("2026-11-30")));
        assert_eq!(schedule.due_on, Some(day("2026-11-30")));
        assert_eq!(schedule.next_due_km, None);
    }

    #[test]
    fn due_by_distance_predicted_from_the_vehicles_own_pace() {
        // 3,000 km in 30 days: 100 km a day; 5,000 km interval from 40,000.
        let readings = [(day("2026-10-01"), 40_000), (day("2026-10-31"), 43_000)];
        let history = ServiceHistory {
            interval_months: Some(6),
            interval_km: Some(5_000),
            last_service_on: Some(day("2026-10-01")),
            readings: &readings,
            ..ServiceHistory::default()
        };
        let schedule = history.schedule();
        assert_eq!(schedule.odometer_km, Some(43_000));
        assert_eq!(schedule.next_due_km, Some(45_000));
        assert_eq!(schedule.km_predicted_on, Some(day("2026-11-20")));
        assert_eq!(schedule.next_due_on, Some(day("2027-04-01")));
        assert_eq!(
            schedule.due_on,
            Some(day("2026-11-20")),
            "the earlier of the two"
        );
    }

    #[test]
    fn a_distance_already_passed_is_due_at_the_last_reading() {
        let readings = [(day("2026-10-01"), 40_000), (day("2026-11-01"), 46_000)];
        let history = ServiceHistory {
            interval_km: Some(5_000),
            last_service_km: Some(40_000),
            readings: &readings,
            ..ServiceHistory::default()
        };
        assert_eq!(history.schedule().km_predicted_on, Some(day("2026-11-01")));
    }

    #[test]
    fn no_prediction_without_a_pace() {
        let readings = [(day("2026-10-01"), 40_000)];
        let history = ServiceHistory {
            interval_km: Some(5_000),
            last_service_km: Some(40_000),
            readings: &readings,
            ..ServiceHistory::default()
        };
        let schedule = history.schedule();
        assert_eq!(schedule.next_due_km, Some(45_000));
        assert_eq!(schedule.km_predicted_on, None);
        assert_eq!(schedule.due_on, None);
    }
}
