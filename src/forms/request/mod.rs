//! The request form: the form email, one `Libellé : valeur` line per field
//! (docs/inbound-mail.md, "The form"), and the web form's fields, read alike.
//!
//! Requesters book an interpreter by replying to a form email. They fill it in
//! whatever way their mail client and habits allow: French or English labels,
//! `Date:` or `Date :`, quoted (`> `) or bulleted lines, the hint left in place
//! with the value typed after it, values in any of the spellings people use for
//! dates, times and durations. This module turns those lines into canonical
//! keys and normalised values, and lists what is missing or unreadable so the
//! reply to the requester can say exactly what to fix.
//!
//! The fields and their labels are in `fields`, the values they are read into in
//! `values`, what can be wrong with them in `issues`; `read` reads a filled form and
//! `render` prints a blank or pre-filled one.

mod fields;
mod issues;
mod read;
mod render;
mod values;

pub use fields::{FormField, TextShape};
pub use issues::{FieldIssue, IssueKind};
pub use read::{FormReading, read_form, read_values};
pub use render::render_form;
pub use values::{FieldValue, FormRequestType, GenderWanted, normalise_value};

#[cfg(test)]
mod tests;
