//! Finding the record's lines in the new text of a reply, and whether they make a record.

use std::collections::BTreeMap;

use super::fields::LABELS;
use crate::domain::request::RecordField;
use crate::forms::lines::scan_lines;

/// What the record lines of a mail say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordReading {
    /// At least one record label was recognised.
    pub present: bool,
    /// What was written for each field (hint removed, trimmed).
    pub raw: BTreeMap<RecordField, String>,
}

impl RecordReading {
    /// Whether the lines look like a record rather than a stray label: a record says at
    /// least whether the service was completed, or gives its times.
    pub fn is_record(&self) -> bool {
        self.present
            && [
                RecordField::Completed,
                RecordField::ActualStart,
                RecordField::ActualEnd,
                RecordField::GeneralReason,
            ]
            .iter()
            .any(|f| self.raw.contains_key(f))
    }
}

/// Finds the record lines in `text` (the new text of a reply: a quoted record never counts).
pub fn read_record_form(text: &str) -> RecordReading {
    let found = scan_lines(text, &LABELS, |_, _, _| false);
    RecordReading {
        present: found.recognised,
        raw: found.values.into_iter().collect(),
    }
}
