//! The forms people fill in: the request form (a booking, by mail or on the web) and the
//! service record form (réalisation, after the appointment). Each form is a list of fields
//! with labels in both languages, a reader of `Libellé : valeur` lines in the text of a
//! mail, readers of the values people type, and a renderer of the blank or pre-filled form.
//!
//! Pure: the mail pipeline, the outbox worker and the web pages call in; nothing here knows
//! where a text came from or where a form goes. Only [`crate::domain`] is used.

mod lines;
pub mod record;
pub mod request;
mod values;
