//! The service record form (réalisation): one `Libellé : valeur` line per field of the
//! seeds' "Détails après la demande" tab, sent to the interpreter after the appointment and
//! read back from their reply. The lines are found as the request form's are
//! (`forms::lines`) and values read with the same date, time and duration readers
//! (`forms::values`), so "11 h", "1 h 30" and "20/08/2024" mean what they mean everywhere.
//!
//! Reading gives every problem at once, each naming its field, with what was written kept
//! so the reply can give it back: nothing typed is lost. The web form reads its fields
//! with [`read_value`] and checks them with the same
//! [`ServiceRecord::problems`](crate::domain::request::ServiceRecord::problems).
//!
//! The hints and other labels are in `fields`; `read` finds the record's lines, `values`
//! reads each field, `build` makes and checks the record, `render` prints the form.

mod build;
mod fields;
mod read;
mod render;
mod values;

pub use build::{RecordIssue, build_record, context};
pub use read::{RecordReading, read_record_form};
pub use render::{prefill, record_summary, record_values, render_record_form};
pub use values::{RecordValue, read_value};

#[cfg(test)]
mod tests;
