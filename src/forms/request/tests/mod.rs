//! Unit tests of the request form: finding its lines (`labels`), reading its values
//! (`values`), and whole forms read, checked, rendered and read back (`reading`).

use chrono::{NaiveDate, NaiveDateTime};

use super::values::parse_language;
use super::*;

mod labels;
mod reading;
mod values;

/// Thursday 26 November 2026, 10:00.
fn reference() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 11, 26)
        .unwrap()
        .and_hms_opt(10, 0, 0)
        .unwrap()
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn minutes(raw: &str) -> Option<u32> {
    match normalise_value(FormField::DurationMinutes, raw, reference()) {
        Ok(FieldValue::Minutes(m)) => Some(m),
        _ => None,
    }
}

fn read(text: &str) -> FormReading {
    read_form(&[text], reference())
}

fn issue_of(reading: &FormReading, field: FormField) -> &FieldIssue {
    reading.issues.iter().find(|issue| issue.field == field).unwrap()
}

fn tag(raw: &str) -> Option<String> {
    parse_language(raw).map(|t| t.as_str().to_string())
}
