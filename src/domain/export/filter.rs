//! Which requests an export holds: the filters of the requesters' list (seeds: statut,
//! langue, interprète; the calendar's presets and custom range), plus the establishment a
//! coordinator reports on. Each is parsed from what a person types, once, at the edge.

use crate::domain::ids::PersonId;
use crate::domain::language::LanguageTag;
use crate::domain::locale::Locale;
use crate::domain::person::UserCode;
use crate::domain::request::RequestStatus;
use crate::domain::text::fold;
use chrono::{Datelike, Days, Months, NaiveDate};
use std::fmt;
use std::str::FromStr;

/// Why a filter value could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    #[error("date {0:?}: expected YYYY-MM-DD")]
    Date(String),
    #[error("the period starts ({from}) after it ends ({to})")]
    EmptyPeriod { from: NaiveDate, to: NaiveDate },
    #[error(
        "period {0:?}: expected today, tomorrow, this-month, last-month or next-month \
         (aujourd'hui, demain, mois-en-cours, mois-precedent, mois-prochain)"
    )]
    Preset(String),
    #[error(
        "status {0:?}: expected one of draft, new, offered, booked, modified, cancelled, service_rendered, validated, closed, or its label"
    )]
    Status(String),
    #[error("interpreter {0:?}: expected a user code (UBILR0001) or a person id")]
    Interpreter(String),
    #[error("establishment code is empty")]
    Establishment,
}

/// Appointment dates from `from` to `to`, both included; either end may stay open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Period {
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
}

impl Period {
    /// Refuses a period that ends before it starts: it could only export nothing.
    pub fn new(from: Option<NaiveDate>, to: Option<NaiveDate>) -> Result<Period, FilterError> {
        match (from, to) {
            (Some(from), Some(to)) if from > to => Err(FilterError::EmptyPeriod { from, to }),
            _ => Ok(Period { from, to }),
        }
    }

    /// Every date.
    pub fn all() -> Period {
        Period::default()
    }

    pub fn from(&self) -> Option<NaiveDate> {
        self.from
    }

    pub fn to(&self) -> Option<NaiveDate> {
        self.to
    }
}

/// The calendar's presets of the seeds' list ("le jour même, le lendemain, le mois en
/// cours, le mois précédent, le mois prochain").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatePreset {
    Today,
    Tomorrow,
    ThisMonth,
    LastMonth,
    NextMonth,
}

impl DatePreset {
    /// The period the preset names, counted from `today` (the bank's local date).
    pub fn period(self, today: NaiveDate) -> Period {
        let month_start = today.with_day(1).unwrap_or(today);
        let month = |start: NaiveDate| Period {
            from: Some(start),
            to: start
                .checked_add_months(Months::new(1))
                .and_then(|next| next.checked_sub_days(Days::new(1))),
        };
        match self {
            DatePreset::Today => Period {
                from: Some(today),
                to: Some(today),
            },
            DatePreset::Tomorrow => {
                let tomorrow = today.succ_opt();
                Period {
                    from: tomorrow,
                    to: tomorrow,
                }
            }
            DatePreset::ThisMonth => month(month_start),
            DatePreset::LastMonth => month(month_start.checked_sub_months(Months::new(1)).unwrap_or(month_start)),
            DatePreset::NextMonth => month(month_start.checked_add_months(Months::new(1)).unwrap_or(month_start)),
        }
    }
}

impl FromStr for DatePreset {
    type Err = FilterError;

    /// English or French, in any case, with or without accents and dashes.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match fold(s).as_str() {
            "today" | "aujourd hui" | "jour meme" => Ok(DatePreset::Today),
            "tomorrow" | "demain" | "lendemain" => Ok(DatePreset::Tomorrow),
            "this month" | "mois en cours" => Ok(DatePreset::ThisMonth),
            "last month" | "previous month" | "mois precedent" => Ok(DatePreset::LastMonth),
            "next month" | "mois prochain" => Ok(DatePreset::NextMonth),
            _ => Err(FilterError::Preset(s.to_string())),
        }
    }
}

/// An interpreter as a person names them on a command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InterpreterRef {
    Code(UserCode),
    Id(PersonId),
}

impl FromStr for InterpreterRef {
    type Err = FilterError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
            return t
                .parse()
                .map(|id| InterpreterRef::Id(PersonId(id)))
                .map_err(|_| FilterError::Interpreter(s.to_string()));
        }
        UserCode::parse(t)
            .map(InterpreterRef::Code)
            .ok_or_else(|| FilterError::Interpreter(s.to_string()))
    }
}

impl fmt::Display for InterpreterRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InterpreterRef::Code(code) => code.fmt(f),
            InterpreterRef::Id(id) => write!(f, "#{id}"),
        }
    }
}

/// Which requests to export. The default holds every request but drafts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportFilter {
    /// On the appointment date.
    pub period: Period,
    /// Only these statuses; empty means every status but drafts, which are not requests yet.
    pub statuses: Vec<RequestStatus>,
    /// Matches the source, target or alternative language. A tag without a region ("ar")
    /// also matches its regional variants ("ar-MA").
    pub language: Option<LanguageTag>,
    /// The establishment's code ("CCSMTL").
    pub establishment: Option<String>,
    /// The assigned interpreter.
    pub interpreter: Option<InterpreterRef>,
    /// Only the requests this person asked for (a requester's own export).
    pub requested_by: Option<crate::domain::ids::PersonId>,
}

impl ExportFilter {
    /// The statuses the export holds, in the life cycle's order.
    pub fn effective_statuses(&self) -> Vec<RequestStatus> {
        let mut statuses: Vec<RequestStatus> = if self.statuses.is_empty() {
            RequestStatus::ALL
                .into_iter()
                .filter(|s| *s != RequestStatus::Draft)
                .collect()
        } else {
            self.statuses.clone()
        };
        statuses.sort();
        statuses.dedup();
        statuses
    }

    /// The filter in words, one (label, value) per criterion set, for the statistics sheet.
    pub fn describe(&self, locale: Locale) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        let (from, to) = (self.period.from(), self.period.to());
        if from.is_some() || to.is_some() {
            let end = |d: Option<NaiveDate>| d.map_or_else(|| "…".to_string(), |d| d.to_string());
            out.push((locale.pick("Période", "Period"), format!("{} – {}", end(from), end(to))));
        }
        if !self.statuses.is_empty() {
            let labels: Vec<&str> = self.effective_statuses().iter().map(|s| s.label(locale)).collect();
            out.push((locale.pick("Statuts", "Statuses"), labels.join(", ")));
        }
        if let Some(language) = &self.language {
            out.push((locale.pick("Langue", "Language"), language.name(locale).to_string()));
        }
        if let Some(code) = &self.establishment {
            out.push((locale.pick("Établissement", "Establishment"), code.clone()));
        }
        if let Some(interpreter) = &self.interpreter {
            out.push((locale.pick("Interprète", "Interpreter"), interpreter.to_string()));
        }
        out
    }
}

/// A date as typed on a command line: `2026-03-09`.
pub fn parse_date(s: &str) -> Result<NaiveDate, FilterError> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| FilterError::Date(s.to_string()))
}

/// A status by its code (`booked`, `service_rendered`) or its label in French or English
/// (`Réservé`, `service fourni`, `Awaiting acceptance`).
pub fn parse_status(s: &str) -> Result<RequestStatus, FilterError> {
    let wanted = fold(s);
    RequestStatus::ALL
        .into_iter()
        .find(|st| fold(st.as_str()) == wanted || Locale::ALL.into_iter().any(|l| fold(st.label(l)) == wanted))
        .ok_or_else(|| FilterError::Status(s.to_string()))
}

/// An establishment code: trimmed, never empty.
pub fn parse_establishment(s: &str) -> Result<String, FilterError> {
    let code = s.trim();
    if code.is_empty() {
        Err(FilterError::Establishment)
    } else {
        Ok(code.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn presets_name_the_calendar_periods() {
        let today = d(2026, 3, 31);
        let p = |preset: DatePreset| {
            let period = preset.period(today);
            (period.from().unwrap(), period.to().unwrap())
        };
        assert_eq!(p(DatePreset::Today), (today, today));
        assert_eq!(p(DatePreset::Tomorrow), (d(2026, 4, 1), d(2026, 4, 1)));
        assert_eq!(p(DatePreset::ThisMonth), (d(2026, 3, 1), d(2026, 3, 31)));
        assert_eq!(p(DatePreset::LastMonth), (d(2026, 2, 1), d(2026, 2, 28)));
        assert_eq!(p(DatePreset::NextMonth), (d(2026, 4, 1), d(2026, 4, 30)));
        assert_eq!(
            DatePreset::LastMonth.period(d(2026, 1, 15)).from(),
            Some(d(2025, 12, 1))
        );
    }

    #[test]
    fn presets_read_english_and_french() {
        assert_eq!("last-month".parse(), Ok(DatePreset::LastMonth));
        assert_eq!("Mois précédent".parse(), Ok(DatePreset::LastMonth));
        assert_eq!("aujourd'hui".parse(), Ok(DatePreset::Today));
        assert_eq!("NEXT_MONTH".parse(), Ok(DatePreset::NextMonth));
        assert!("yesterday".parse::<DatePreset>().is_err());
    }

    #[test]
    fn a_period_cannot_end_before_it_starts() {
        assert!(Period::new(Some(d(2026, 3, 2)), Some(d(2026, 3, 1))).is_err());
        assert!(Period::new(Some(d(2026, 3, 1)), Some(d(2026, 3, 1))).is_ok());
        assert!(Period::new(None, Some(d(2026, 3, 1))).is_ok());
    }

    #[test]
    fn statuses_read_codes_and_labels() {
        assert_eq!(parse_status("booked"), Ok(RequestStatus::Booked));
        assert_eq!(parse_status("Réservé"), Ok(RequestStatus::Booked));
        assert_eq!(parse_status("service_rendered"), Ok(RequestStatus::ServiceRendered));
        assert_eq!(parse_status("service fourni"), Ok(RequestStatus::ServiceRendered));
        assert_eq!(parse_status("ANNULE"), Ok(RequestStatus::Cancelled));
        assert!(parse_status("lost").is_err());
    }

    #[test]
    fn interpreters_are_named_by_code_or_id() {
        assert_eq!(
            "ubilr0001".parse::<InterpreterRef>(),
            Ok(InterpreterRef::Code(UserCode::parse("UBILR0001").unwrap()))
        );
        assert_eq!("42".parse::<InterpreterRef>(), Ok(InterpreterRef::Id(PersonId(42))));
        assert!("Lucía".parse::<InterpreterRef>().is_err());
        assert!("99999999999999999999".parse::<InterpreterRef>().is_err());
    }

    #[test]
    fn drafts_only_when_asked_for() {
        let all = ExportFilter::default().effective_statuses();
        assert!(!all.contains(&RequestStatus::Draft));
        assert_eq!(all.len(), RequestStatus::ALL.len() - 1);
        let drafts = ExportFilter {
            statuses: vec![RequestStatus::Draft, RequestStatus::Booked, RequestStatus::Draft],
            ..ExportFilter::default()
        };
        assert_eq!(
            drafts.effective_statuses(),
            vec![RequestStatus::Draft, RequestStatus::Booked]
        );
    }

    #[test]
    fn dates_are_iso() {
        assert_eq!(parse_date(" 2026-03-09 "), Ok(d(2026, 3, 9)));
        assert!(parse_date("09/03/2026").is_err());
    }
}
