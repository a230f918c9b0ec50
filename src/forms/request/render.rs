//! Rendering the request form: one `Label : value` line per field, the hint in place of
//! a value not given, in the requester's language, as the form email prints it.

use std::collections::BTreeMap;

use super::fields::FormField;
use crate::domain::locale::Locale;
use crate::forms::values::trim;

/// The form email body in `locale`, without an intro line (the caller adds
/// it): one line per field of [`FormField::ALL`] (`send_anyway` only when filled), "Label : value" when
/// `filled` has a non-empty value, else "Label : [hint]". French puts a space
/// before the colon, English does not. Lines are joined by "\n", with no
/// newline after the last one. A value is put on one line (line breaks become
/// spaces) so that [`read_form`](super::read_form) reads it back whole.
pub fn render_form(locale: Locale, filled: &BTreeMap<FormField, String>) -> String {
    let separator = locale.pick("\u{a0}: ", ": ");
    let lines: Vec<String> = FormField::ALL
        .iter()
        // « Envoyer quand même » is printed only beside the notice of a similar request.
        .filter(|&&field| field != FormField::SendAnyway || filled.contains_key(&field))
        .map(|&field| {
            let value = filled
                .get(&field)
                .map(|value| one_line(value))
                .filter(|value| !value.is_empty());
            let shown = value.unwrap_or_else(|| field.hint(locale).to_string());
            format!("{}{separator}{shown}", field.label(locale))
        })
        .collect();
    lines.join("\n")
}

pub(super) fn one_line(value: &str) -> String {
    let joined: String = value
        .chars()
        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
        .collect();
    trim(&joined).to_string()
}
