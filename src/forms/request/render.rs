//! Rendering the request form: one `Label : value` line per field, the hint in place of
//! a value not given, in the requester's language, as the form email prints it.

use std::collections::BTreeMap;

use super::fields::FormField;
use crate::domain::locale::Locale;
use crate::forms::values::trim;

/// The form email body in `locale`, without an intro line (the caller adds it): the lines
/// a request needs first (the required fields and the place), so that a phone user copies
/// six lines, then a heading and the optional ones. One line per field of
/// [`FormField::ALL`] (`send_anyway` only when filled, first): "Label : value" when
/// `filled` has a non-empty value, else "Label : [hint]". French puts a non-breaking space
/// before the colon, English does not. A value is put on one line (line breaks become
/// spaces) so that [`read_form`](super::read_form) reads it back whole; the heading has no
/// colon, so the reader passes over it.
pub fn render_form(locale: Locale, filled: &BTreeMap<FormField, String>) -> String {
    let separator = locale.pick("\u{a0}: ", ": ");
    let line = |field: FormField| {
        let value = filled
            .get(&field)
            .map(|value| one_line(value))
            .filter(|value| !value.is_empty());
        let shown = value.unwrap_or_else(|| field.hint(locale).to_string());
        format!("{}{separator}{shown}", field.label(locale))
    };
    let leading = |field: &FormField| field.is_mandatory() || *field == FormField::Location;
    let mut lines: Vec<String> = Vec::new();
    // « Envoyer quand même » is printed only beside the notice of a similar request.
    if filled.contains_key(&FormField::SendAnyway) {
        lines.push(line(FormField::SendAnyway));
    }
    let fields = FormField::ALL.iter().filter(|f| **f != FormField::SendAnyway);
    lines.extend(fields.clone().filter(|f| leading(f)).map(|f| line(*f)));
    lines.push(String::new());
    lines.push(
        locale
            .pick(
                "— Facultatif (laissez ou effacez les lignes qui ne servent pas) —",
                "— Optional (leave or delete the lines you do not need) —",
            )
            .to_string(),
    );
    lines.extend(fields.filter(|f| !leading(f)).map(|f| line(*f)));
    lines.join("\n")
}

pub(super) fn one_line(value: &str) -> String {
    let joined: String = value
        .chars()
        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
        .collect();
    trim(&joined).to_string()
}
