//! What the person forms share: the posted pairs, the contact block's inputs, and showing a
//! form again with what was typed and each problem beside its field.

use super::super::{Input, SignedPage};
use crate::domain::locale::Locale;
use crate::domain::person_form::{ContactForm, PersonFieldError};

/// A posted form as its pairs: a group of checkboxes repeats its name.
pub type Posted = Vec<(String, String)>;

pub fn first<'a>(posted: &'a Posted, name: &str) -> &'a str {
    posted
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

pub fn all<'a>(posted: &'a Posted, name: &str) -> Vec<&'a str> {
    posted
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .collect()
}

/// The contact block of a posted form.
pub fn contact(posted: &Posted) -> ContactForm<'_> {
    ContactForm {
        first_name: first(posted, "first_name"),
        last_name: first(posted, "last_name"),
        email: first(posted, "email"),
        mobile: first(posted, "mobile"),
        phone: first(posted, "phone"),
        locale: first(posted, "locale"),
    }
}

/// The inputs of the contact block, with these values.
pub fn contact_inputs(values: &ContactForm<'_>, locale: Locale) -> Vec<Input> {
    vec![
        Input::new(
            "first_name",
            "text",
            &locale.text("coord-first-name"),
            values.first_name,
        ),
        Input::new("last_name", "text", &locale.text("coord-last-name"), values.last_name),
        Input::new("email", "email", &locale.text("coord-email"), values.email)
            .hint(locale.text("coord-relais-s-mail-goes-there-and")),
        Input::new("mobile", "tel", &locale.text("coord-mobile"), values.mobile)
            .hint(locale.text("coord-for-interpreters-offers-by-text-message")),
        Input::new("phone", "tel", &locale.text("coord-phone"), values.phone),
        Input::new(
            "locale",
            "select",
            &locale.text("coord-language-of-messages"),
            values.locale,
        )
        .choices(vec![("fr".into(), "Français".into()), ("en".into(), "English".into())]),
    ]
}

/// A form that came back wrong: which one, what was typed, what is wrong.
pub struct Failed {
    pub form: String,
    pub posted: Posted,
    pub errors: Vec<PersonFieldError>,
}

/// Shows the failed form again with what was typed and each problem beside its field.
pub fn apply(page: &mut SignedPage, failed: Option<&Failed>) {
    let Some(failed) = failed else { return };
    let locale = page.locale;
    let problems: Vec<(&str, String)> = failed
        .errors
        .iter()
        .map(|e| (e.field.key(), e.problem.message(locale)))
        .collect();
    let typed = |name: &str| all(&failed.posted, name).into_iter().map(str::to_string).collect();
    super::super::show_again(page, &failed.form, &typed, &problems);
}
