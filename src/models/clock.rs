//! What time it is, for the rules that depend on the date: which day a
//! reading taken "today" belongs to, what is in the future. The system clock
//! in production; tests fix it (`settings.clock`), so a test about dates
//! means the same whenever it runs.

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use chrono_tz::Tz;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Clock {
    #[default]
    System,
    /// Always this instant.
    Fixed(DateTime<Utc>),
}

impl Clock {
    #[must_use]
    pub fn now(self) -> DateTime<Utc> {
        match self {
            Self::System => Utc::now(),
            Self::Fixed(at) => at,
        }
    }

    /// Today's date in the time zone `tz`: a site's day, not UTC's.
    #[must_use]
    pub fn today_in(self, tz: Tz) -> NaiveDate {
        self.now().with_timezone(&tz).date_naive()
    }

    /// The latest date it is anywhere on Earth now (UTC+14, Kiribati): no
    /// reading or service can be dated after it, whichever zone it was in.
    #[must_use]
    pub fn latest_date(self) -> NaiveDate {
        (self.now() + TimeDelta::hours(14)).date_naive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sites_day_is_its_own() {
        // 22:30 in London is 01:30 the next morning in Nairobi.
        let clock = Clock::Fixed("2026-03-10T22:30:00Z".parse().unwrap());

        assert_eq!(
            clock.today_in(chrono_tz::Africa::Nairobi),
            "2026-03-11".parse::<NaiveDate>().unwrap()
        );
        assert_eq!(
            clock.today_in(chrono_tz::UTC),
            "2026-03-10".parse::<NaiveDate>().unwrap()
        );
        assert_eq!(
            clock.latest_date(),
            "2026-03-11".parse::<NaiveDate>().unwrap()
        );
    }
}
