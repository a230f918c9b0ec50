//! Reading a filled request form: its lines in a mail's new text and older quoted texts
//! (the newest that gives a field wins), or the web form's fields, into normalised values
//! and the list of what is missing or unreadable, so the reply can say exactly what to fix.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use chrono::NaiveDateTime;
use serde_json::{Map, Value, json};

use super::fields::{FormField, MANDATORY};
use super::issues::{FieldIssue, IssueKind};
use super::values::{FieldValue, FormRequestType, normalise_value};
use crate::domain::language::LanguageTag;
use crate::domain::locale::Locale;
use crate::forms::lines::{Found, LabelTable, beside_mail_header, scan_lines};
use crate::forms::values::trim;

/// What the form lines of a mail say.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FormReading {
    /// At least one form label was recognised in some source.
    pub present: bool,
    /// The values that could be read, normalised (plus the default source
    /// language when the form is present and does not give one).
    pub values: BTreeMap<FormField, FieldValue>,
    /// What was written for each field that was given, from the newest source
    /// that gives it (hint removed, trimmed), readable or not.
    pub raw: BTreeMap<FormField, String>,
    /// Missing and unreadable fields, in [`FormField::ALL`] order.
    pub issues: Vec<FieldIssue>,
}

impl FormReading {
    /// The form is there and nothing is missing or unreadable.
    pub fn is_complete(&self) -> bool {
        self.present && self.issues.is_empty()
    }

    /// The `fields` object of `inspect-mail`: canonical key → normalised value.
    pub fn fields_json(&self) -> Map<String, Value> {
        self.values
            .iter()
            .map(|(field, value)| (field.key().to_string(), value.to_json()))
            .collect()
    }

    /// The `field_errors` array of `inspect-mail`:
    /// `[{"field": key, "value": what was written or null, "message": …}]`,
    /// in [`FormField::ALL`] order.
    pub fn errors_json(&self, locale: Locale) -> Vec<Value> {
        let mut issues: Vec<&FieldIssue> = self.issues.iter().collect();
        issues.sort_by_key(|issue| issue.field);
        issues
            .into_iter()
            .map(|issue| {
                json!({
                    "field": issue.field.key(),
                    "value": issue.value,
                    "message": issue.message(locale),
                })
            })
            .collect()
    }
}

/// Reads the form lines of `sources`, newest first (the new text, then each
/// older quoted text). `reference` is the mail's Date in the bank's local
/// time: relative dates ("demain", "jeudi 5 décembre" without a year) resolve
/// against it, and a date before `reference.date()` is [`IssueKind::InThePast`].
pub fn read_form(sources: &[&str], reference: NaiveDateTime) -> FormReading {
    let mut reading = FormReading::default();
    for source in sources {
        let found = scan_source(source);
        reading.present |= found.recognised;
        for (field, value) in found.values {
            // Sources come newest first: the first one to give a field wins.
            reading.raw.entry(field).or_insert(value);
        }
    }
    finish_reading(reading, reference)
}

/// Reads values typed in separate fields (the web form), exactly as [`read_form`] reads
/// the lines of a mail: `raw` maps each field to what was typed; empty values count as
/// not given.
pub fn read_values(raw: &BTreeMap<FormField, String>, reference: NaiveDateTime) -> FormReading {
    let reading = FormReading {
        present: true,
        raw: raw
            .iter()
            .map(|(field, value)| (*field, trim(value).to_string()))
            .filter(|(_, value)| !value.is_empty())
            .collect(),
        ..FormReading::default()
    };
    finish_reading(reading, reference)
}

/// Normalises `reading.raw`, then names what is missing.
fn finish_reading(mut reading: FormReading, reference: NaiveDateTime) -> FormReading {
    for (&field, raw) in &reading.raw {
        match normalise_value(field, raw, reference) {
            Ok(value) => {
                reading.values.insert(field, value);
            }
            Err(problem) => reading.issues.push(FieldIssue {
                field,
                value: Some(raw.clone()),
                problem,
            }),
        }
    }
    if !reading.present {
        return reading;
    }
    if !reading.raw.contains_key(&FormField::SourceLanguage)
        && let Ok(french) = LanguageTag::parse("fr")
    {
        reading
            .values
            .insert(FormField::SourceLanguage, FieldValue::Language(french));
    }
    // A field that was written but unreadable already has its issue; only
    // fields nobody wrote are missing.
    for field in MANDATORY {
        if !reading.raw.contains_key(&field) {
            reading.issues.push(missing(field));
        }
    }
    let in_person =
        reading.values.get(&FormField::RequestType) == Some(&FieldValue::RequestType(FormRequestType::InPerson));
    if in_person && !reading.raw.contains_key(&FormField::Location) && !reading.raw.contains_key(&FormField::Address) {
        reading.issues.push(missing(FormField::Location));
    }
    reading.issues.sort_by_key(|issue| issue.field);
    reading
}

fn missing(field: FormField) -> FieldIssue {
    FieldIssue {
        field,
        value: None,
        problem: IssueKind::Missing,
    }
}

/// The request form's labels, folded.
pub(super) static LABELS: LazyLock<LabelTable<FormField>> = LazyLock::new(|| {
    LabelTable::new(
        FormField::ALL
            .into_iter()
            .flat_map(|field| field.labels().map(move |label| (field, label))),
    )
});

fn scan_source(source: &str) -> Found<FormField> {
    scan_lines(source, &LABELS, |label, lines, index| {
        label.field == FormField::Date && label.folded_label == "date" && beside_mail_header(lines, index)
    })
}
