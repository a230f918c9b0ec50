//! A series of appointments (issue #23): « chaque semaine, 8 fois », « toutes les 2
//! semaines jusqu'au 2027-03-31 ». Each occurrence becomes a request of its own (its own
//! number, status, interpreter and service record), linked to the series; this value says
//! how often and until when, and gives the occurrences' dates. Reading what people write
//! is `forms::values::repetition`.

use crate::domain::locale::{Locale, long_date};
use chrono::{Days, NaiveDate};

/// The most occurrences a series holds: a year of weekly appointments.
pub const MAX_OCCURRENCES: usize = 52;
/// The longest step between two occurrences: every 8 weeks.
pub const MAX_STEP_DAYS: u32 = 56;

/// When a series ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RepetitionEnd {
    /// After this many occurrences, the first included.
    Times(u32),
    /// With the last occurrence on or before this day.
    Until(NaiveDate),
}

/// How a request repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Repetition {
    /// Days between two occurrences: 1 (every day) to [`MAX_STEP_DAYS`].
    pub step_days: u32,
    pub end: RepetitionEnd,
}

/// Why a repetition cannot make a series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RepetitionProblem {
    /// It gives one occurrence (or none): no series.
    TooFew,
    /// More than [`MAX_OCCURRENCES`].
    TooMany,
}

impl Repetition {
    /// The occurrences' dates from `first`, the first included; or why there is no series.
    pub fn dates(&self, first: NaiveDate) -> Result<Vec<NaiveDate>, RepetitionProblem> {
        let step = u64::from(self.step_days.clamp(1, MAX_STEP_DAYS));
        let mut dates = Vec::new();
        let mut day = Some(first);
        while let Some(d) = day {
            let more = match self.end {
                RepetitionEnd::Times(n) => dates.len() < n as usize,
                RepetitionEnd::Until(last) => d <= last,
            };
            if !more {
                break;
            }
            if dates.len() == MAX_OCCURRENCES {
                return Err(RepetitionProblem::TooMany);
            }
            dates.push(d);
            day = d.checked_add_days(Days::new(step));
        }
        if dates.len() < 2 {
            return Err(RepetitionProblem::TooFew);
        }
        Ok(dates)
    }

    /// As people read it: « chaque semaine, 8 fois », "every 2 weeks until Wednesday, March 31, 2027".
    pub fn describe(&self, locale: Locale) -> String {
        let every = match (self.step_days, locale) {
            (1, Locale::Fr) => "chaque jour".to_string(),
            (1, Locale::En) => "every day".to_string(),
            (7, Locale::Fr) => "chaque semaine".to_string(),
            (7, Locale::En) => "every week".to_string(),
            (d, Locale::Fr) if d % 7 == 0 => format!("toutes les {} semaines", d / 7),
            (d, Locale::En) if d % 7 == 0 => format!("every {} weeks", d / 7),
            (d, Locale::Fr) => format!("tous les {d} jours"),
            (d, Locale::En) => format!("every {d} days"),
        };
        match (self.end, locale) {
            (RepetitionEnd::Times(n), Locale::Fr) => format!("{every}, {n}\u{a0}fois"),
            (RepetitionEnd::Times(n), Locale::En) => format!("{every}, {n} times"),
            (RepetitionEnd::Until(d), Locale::Fr) => format!("{every} jusqu’au {}", long_date(d, locale)),
            (RepetitionEnd::Until(d), Locale::En) => format!("{every} until {}", long_date(d, locale)),
        }
    }

    /// As stored with the series: `7d8x` or `14d-2027-03-31`.
    pub fn key(&self) -> String {
        match self.end {
            RepetitionEnd::Times(n) => format!("{}d{n}x", self.step_days),
            RepetitionEnd::Until(d) => format!("{}d-{}", self.step_days, d.format("%Y-%m-%d")),
        }
    }

    /// What [`Repetition::key`] wrote.
    pub fn from_key(key: &str) -> Option<Repetition> {
        let (step, rest) = key.split_once('d')?;
        let step_days: u32 = step.parse().ok()?;
        let end = if let Some(times) = rest.strip_suffix('x') {
            RepetitionEnd::Times(times.parse().ok()?)
        } else {
            RepetitionEnd::Until(NaiveDate::parse_from_str(rest.strip_prefix('-')?, "%Y-%m-%d").ok()?)
        };
        Some(Repetition { step_days, end })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_weekly_series_of_eight_and_one_every_two_weeks_until_a_day() {
        let weekly = Repetition {
            step_days: 7,
            end: RepetitionEnd::Times(8),
        };
        let dates = weekly.dates(day(2026, 12, 29)).unwrap();
        assert_eq!(dates.len(), 8);
        assert_eq!(dates[1], day(2027, 1, 5), "across the new year");
        assert_eq!(dates[7], day(2027, 2, 16));
        let fortnightly = Repetition {
            step_days: 14,
            end: RepetitionEnd::Until(day(2027, 3, 31)),
        };
        let dates = fortnightly.dates(day(2027, 1, 6)).unwrap();
        assert_eq!(dates.first(), Some(&day(2027, 1, 6)));
        assert_eq!(dates.last(), Some(&day(2027, 3, 31)), "the last day counts");
        assert_eq!(dates.len(), 7);
        assert_eq!(weekly.describe(Locale::Fr), "chaque semaine, 8\u{a0}fois");
        assert_eq!(
            fortnightly.describe(Locale::En),
            "every 2 weeks until Wednesday, March 31, 2027"
        );
        for r in [weekly, fortnightly] {
            assert_eq!(Repetition::from_key(&r.key()), Some(r));
        }
    }

    #[test]
    fn one_occurrence_is_no_series_and_a_year_is_the_most() {
        let once = Repetition {
            step_days: 7,
            end: RepetitionEnd::Times(1),
        };
        assert_eq!(once.dates(day(2027, 1, 6)), Err(RepetitionProblem::TooFew));
        let before = Repetition {
            step_days: 7,
            end: RepetitionEnd::Until(day(2027, 1, 1)),
        };
        assert_eq!(before.dates(day(2027, 1, 6)), Err(RepetitionProblem::TooFew));
        let daily = Repetition {
            step_days: 1,
            end: RepetitionEnd::Times(60),
        };
        assert_eq!(daily.dates(day(2027, 1, 6)), Err(RepetitionProblem::TooMany));
        let year = Repetition {
            step_days: 7,
            end: RepetitionEnd::Times(52),
        };
        assert_eq!(year.dates(day(2027, 1, 6)).unwrap().len(), 52);
        assert_eq!(Repetition::from_key("garbage"), None);
    }
}
