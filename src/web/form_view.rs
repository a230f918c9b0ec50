//! What the long forms (the request form and the service record form) show for each field,
//! shared by both, with their one template `web/record.html`: the label (required fields
//! marked), the value, the hint and the error tied to the input by `aria-describedby`, and
//! the summary at the top, each problem named and linked to its field.

/// One field of a form as the page shows it.
pub struct FieldView {
    pub key: &'static str,
    pub label: String,
    /// "yesno", "select", "textarea", "file", "kept", or an input type.
    pub kind: &'static str,
    pub inputmode: &'static str,
    pub value: String,
    pub hint: String,
    pub options: Vec<(String, String)>,
    pub error: String,
    /// Marked « (obligatoire) » beside its label and `aria-required`.
    pub required: bool,
    /// The id of the page's [`Datalist`] that suggests values as one types (or "").
    pub list: &'static str,
}

impl FieldView {
    /// The ids of the hint and the error, for the input's `aria-describedby` (empty when
    /// the field has neither).
    pub fn described_by(&self) -> String {
        let mut ids = Vec::new();
        if !self.hint.is_empty() {
            ids.push(format!("{}-hint", self.key));
        }
        if !self.error.is_empty() {
            ids.push(format!("{}-error", self.key));
        }
        ids.join(" ")
    }
}

/// Values suggested as one types in a text field, without JavaScript (`<datalist>`):
/// shared by the fields whose `list` names it.
pub struct Datalist {
    pub id: &'static str,
    pub options: Vec<String>,
}

/// A titled group of fields.
pub struct Section {
    pub title: String,
    pub fields: Vec<FieldView>,
}

/// One line of the summary of problems: the field's name with what is wrong, and the
/// field's id to link to (empty for a problem of no field).
pub struct ErrorLine {
    pub text: String,
    pub anchor: &'static str,
}

impl ErrorLine {
    /// « Durée : obligatoire », linked to the field `key`; the label is not repeated when
    /// the message already starts with it.
    pub fn of_field(label: &str, message: &str, key: &'static str, sep: &str) -> ErrorLine {
        let text = if message.starts_with(label) {
            message.to_string()
        } else {
            format!("{label}{sep}{message}")
        };
        ErrorLine { text, anchor: key }
    }

    pub fn general(text: String) -> ErrorLine {
        ErrorLine { text, anchor: "" }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_names_what_describes_it_and_a_problem_names_its_field() {
        let mut field = FieldView {
            key: "duration",
            label: "Durée".into(),
            kind: "text",
            inputmode: "",
            value: String::new(),
            hint: "ex. 1 h 30".into(),
            options: Vec::new(),
            error: String::new(),
            required: true,
            list: "",
        };
        assert_eq!(field.described_by(), "duration-hint");
        field.error = "obligatoire".into();
        assert_eq!(field.described_by(), "duration-hint duration-error");
        field.hint.clear();
        assert_eq!(field.described_by(), "duration-error");
        let line = ErrorLine::of_field("Durée", "obligatoire", "duration", "\u{a0}: ");
        assert_eq!(
            (line.text.as_str(), line.anchor),
            ("Durée\u{a0}: obligatoire", "duration")
        );
        let line = ErrorLine::of_field("Adresse", "Adresse : trop longue", "address", " : ");
        assert_eq!(line.text, "Adresse : trop longue");
    }
}
