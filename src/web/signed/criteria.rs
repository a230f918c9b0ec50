//! What the download forms send, read once at the edge: a period (a preset or dates), the
//! export's criteria, a document's period and format. Pure; each problem names its field.

use crate::billing::Format;
use crate::domain::export::filter::{parse_date, parse_establishment, parse_status};
use crate::domain::language::LanguageTag;
use crate::domain::locale::Locale;
use crate::reports::{DatePreset, ExportFilter, InterpreterRef, Period};
use chrono::NaiveDate;
use serde::Deserialize;

/// The requests export's criteria, as the form sends them.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct ExportQuery {
    pub preset: String,
    pub from: String,
    pub to: String,
    pub status: String,
    pub language: String,
    pub establishment: String,
    pub interpreter: String,
}

/// An invoice's or a pay statement's criteria.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct DocumentQuery {
    pub establishment: String,
    pub interpreter: String,
    pub preset: String,
    pub from: String,
    pub to: String,
    pub format: String,
}

/// What is wrong with a form's values: `(field, message)`.
pub type Problems = Vec<(&'static str, String)>;

/// A preset, or the dates typed: `(from, to)`, either open.
pub fn read_period(
    preset: &str,
    from: &str,
    to: &str,
    today: NaiveDate,
    locale: Locale,
    problems: &mut Problems,
) -> Option<Period> {
    if !preset.trim().is_empty() {
        return match preset.parse::<DatePreset>() {
            Ok(p) => Some(p.period(today)),
            Err(_) => {
                problems.push(("preset", locale.text("coord-unknown-period")));
                None
            }
        };
    }
    let date = |name: &'static str, s: &str, problems: &mut Problems| -> Option<Option<NaiveDate>> {
        if s.trim().is_empty() {
            return Some(None);
        }
        match parse_date(s) {
            Ok(d) => Some(Some(d)),
            Err(_) => {
                problems.push((name, locale.text("coord-expected-a-date-as-yyyy-mm")));
                None
            }
        }
    };
    let from = date("from", from, problems)?;
    let to = date("to", to, problems)?;
    match Period::new(from, to) {
        Ok(p) => Some(p),
        Err(_) => {
            problems.push(("to", locale.text("coord-the-period-ends-before-it-starts")));
            None
        }
    }
}

pub fn read_export(q: &ExportQuery, today: NaiveDate, locale: Locale) -> Result<ExportFilter, Problems> {
    let mut problems = Problems::new();
    let period = read_period(&q.preset, &q.from, &q.to, today, locale, &mut problems);
    let mut filter = ExportFilter::default();
    if !q.status.trim().is_empty() {
        match parse_status(&q.status) {
            Ok(s) => filter.statuses = vec![s],
            Err(_) => problems.push(("status", locale.text("coord-unknown-status"))),
        }
    }
    if !q.language.trim().is_empty() {
        match LanguageTag::parse(&q.language) {
            Ok(l) => filter.language = Some(l),
            Err(_) => problems.push(("language", locale.text("coord-unknown-language-code-es-ar-fa"))),
        }
    }
    if !q.establishment.trim().is_empty() {
        filter.establishment = parse_establishment(&q.establishment).ok();
    }
    if !q.interpreter.trim().is_empty() {
        match q.interpreter.parse::<InterpreterRef>() {
            Ok(i) => filter.interpreter = Some(i),
            Err(_) => problems.push(("interpreter", locale.text("coord-unknown-interpreter"))),
        }
    }
    match period {
        Some(p) if problems.is_empty() => {
            filter.period = p;
            Ok(filter)
        }
        _ => Err(problems),
    }
}

/// A document's period: both ends are needed.
pub fn read_document_period(
    q: &DocumentQuery,
    today: NaiveDate,
    locale: Locale,
    problems: &mut Problems,
) -> Option<crate::billing::Period> {
    let period = read_period(&q.preset, &q.from, &q.to, today, locale, problems)?;
    match (period.from(), period.to()) {
        (Some(from), Some(to)) => crate::billing::Period::new(from, to).ok(),
        (None, _) => {
            problems.push(("from", locale.text("coord-give-the-period-s-start")));
            None
        }
        (_, None) => {
            problems.push(("to", locale.text("coord-give-the-period-s-end")));
            None
        }
    }
}

pub fn read_format(q: &DocumentQuery, locale: Locale, problems: &mut Problems) -> Option<Format> {
    if q.format.trim().is_empty() {
        return Some(Format::Html);
    }
    match q.format.parse::<Format>() {
        Ok(f) => Some(f),
        Err(_) => {
            problems.push(("format", locale.text("coord-unknown-format")));
            None
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
    fn exports_read_presets_dates_and_criteria() {
        let q = ExportQuery {
            preset: "last-month".into(),
            status: "booked".into(),
            language: "es".into(),
            establishment: " CCSMTL ".into(),
            ..ExportQuery::default()
        };
        let f = read_export(&q, d(2026, 3, 15), Locale::Fr).unwrap();
        assert_eq!(
            (f.period.from(), f.period.to()),
            (Some(d(2026, 2, 1)), Some(d(2026, 2, 28)))
        );
        assert_eq!(f.establishment.as_deref(), Some("CCSMTL"));
        assert_eq!(f.statuses.len(), 1);
        let wrong = ExportQuery {
            from: "2026-03-31".into(),
            to: "2026-03-01".into(),
            language: "klingon!".into(),
            ..ExportQuery::default()
        };
        let problems = read_export(&wrong, d(2026, 3, 15), Locale::En).unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, vec!["to", "language"]);
    }

    #[test]
    fn documents_need_both_ends_and_a_known_format() {
        let mut problems = Problems::new();
        let q = DocumentQuery {
            from: "2026-03-01".into(),
            format: "pdf".into(),
            ..DocumentQuery::default()
        };
        assert!(read_document_period(&q, d(2026, 3, 15), Locale::Fr, &mut problems).is_none());
        assert!(read_format(&q, Locale::Fr, &mut problems).is_none());
        let fields: Vec<&str> = problems.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, vec!["to", "format"]);
        let q = DocumentQuery {
            preset: "this-month".into(),
            ..DocumentQuery::default()
        };
        let period = read_document_period(&q, d(2026, 3, 15), Locale::Fr, &mut Problems::new()).unwrap();
        assert_eq!((period.from(), period.to()), (d(2026, 3, 1), d(2026, 3, 31)));
        assert_eq!(read_format(&q, Locale::Fr, &mut Problems::new()), Some(Format::Html));
    }
}
