//! The period a document covers, and the document numbers drawn from it.

use crate::domain::locale::Locale;
use chrono::{Datelike, NaiveDate};

/// A period that ends before it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the period ends ({to}) before it starts ({from})")]
pub struct PeriodError {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// Appointment dates from `from` to `to`, both included, in the bank's local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Period {
    from: NaiveDate,
    to: NaiveDate,
}

impl Period {
    /// A period; `to` must not be before `from`.
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Period, PeriodError> {
        if to < from {
            return Err(PeriodError { from, to });
        }
        Ok(Period { from, to })
    }

    pub fn from(&self) -> NaiveDate {
        self.from
    }

    pub fn to(&self) -> NaiveDate {
        self.to
    }

    pub fn contains(&self, date: NaiveDate) -> bool {
        self.from <= date && date <= self.to
    }

    /// Whether the period is exactly one calendar month.
    fn whole_month(&self) -> bool {
        let next_month = self.to.succ_opt().is_none_or(|next| next.day() == 1);
        self.from.day() == 1 && self.from.year() == self.to.year() && self.from.month() == self.to.month() && next_month
    }

    /// The part of a document number that names the period: `202603` for March 2026,
    /// `20260301-20260315` for any other span. The same period always gives the same key.
    pub fn key(&self) -> String {
        if self.whole_month() {
            self.from.format("%Y%m").to_string()
        } else {
            format!("{}-{}", self.from.format("%Y%m%d"), self.to.format("%Y%m%d"))
        }
    }

    /// "du 2026-03-01 au 2026-03-31" / "2026-03-01 to 2026-03-31".
    pub fn label(&self, locale: Locale) -> String {
        match locale {
            Locale::Fr => format!("du {} au {}", self.from, self.to),
            Locale::En => format!("{} to {}", self.from, self.to),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn a_whole_month_is_named_by_its_month_and_anything_else_by_its_ends() {
        assert_eq!(Period::new(d(2026, 3, 1), d(2026, 3, 31)).unwrap().key(), "202603");
        assert_eq!(Period::new(d(2028, 2, 1), d(2028, 2, 29)).unwrap().key(), "202802");
        assert_eq!(Period::new(d(2026, 12, 1), d(2026, 12, 31)).unwrap().key(), "202612");
        assert_eq!(
            Period::new(d(2026, 3, 1), d(2026, 3, 30)).unwrap().key(),
            "20260301-20260330"
        );
        assert_eq!(
            Period::new(d(2026, 3, 2), d(2026, 4, 1)).unwrap().key(),
            "20260302-20260401"
        );
        assert_eq!(
            Period::new(d(2026, 1, 1), d(2026, 12, 31)).unwrap().key(),
            "20260101-20261231"
        );
        assert_eq!(
            Period::new(d(2026, 3, 9), d(2026, 3, 9)).unwrap().key(),
            "20260309-20260309"
        );
    }

    #[test]
    fn a_period_ends_on_or_after_its_start_both_ends_included() {
        assert!(Period::new(d(2026, 3, 2), d(2026, 3, 1)).is_err());
        let p = Period::new(d(2026, 3, 1), d(2026, 3, 31)).unwrap();
        assert!(p.contains(d(2026, 3, 1)) && p.contains(d(2026, 3, 31)));
        assert!(!p.contains(d(2026, 2, 28)) && !p.contains(d(2026, 4, 1)));
        assert_eq!(p.label(Locale::Fr), "du 2026-03-01 au 2026-03-31");
        assert_eq!(p.label(Locale::En), "2026-03-01 to 2026-03-31");
    }
}
