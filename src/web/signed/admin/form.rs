//! What the person forms share: the posted pairs, the contact block's inputs, and showing a
//! form again with what was typed and each problem beside its field.

use super::super::{FormView, Input, SignedPage};
use crate::domain::locale::Locale;
use crate::domain::person_form::{ContactForm, PersonFieldError};
use crate::web::page::Tone;

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
            locale.pick("Prénom", "First name"),
            values.first_name,
        ),
        Input::new("last_name", "text", locale.pick("Nom", "Last name"), values.last_name),
        Input::new("email", "email", locale.pick("Courriel", "Email"), values.email).hint(locale.pick(
            "Les courriels de Relais y arrivent, et les réponses en viennent.",
            "Relais's mail goes there, and replies come from it.",
        )),
        Input::new("mobile", "tel", locale.pick("Cellulaire", "Mobile"), values.mobile).hint(locale.pick(
            "Pour les offres par texto des interprètes.",
            "For interpreters' offers by text message.",
        )),
        Input::new("phone", "tel", locale.pick("Téléphone", "Phone"), values.phone),
        Input::new(
            "locale",
            "select",
            locale.pick("Langue des messages", "Language of messages"),
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
    let forms = page.forms.iter_mut().chain(
        page.sections
            .iter_mut()
            .flat_map(|s| s.items.iter_mut())
            .flat_map(|i| i.forms.iter_mut()),
    );
    for form in forms.filter(|f: &&mut FormView| f.id == failed.form) {
        for input in &mut form.inputs {
            let chosen = all(&failed.posted, &input.name);
            input.value = chosen.first().copied().unwrap_or("").to_string();
            for (value, _, on) in &mut input.options {
                *on = chosen.contains(&value.as_str());
            }
            input.error = failed
                .errors
                .iter()
                .filter(|e| e.field.key() == input.name)
                .map(|e| e.problem.message(locale))
                .collect::<Vec<_>>()
                .join(" ");
        }
    }
    page.tone = Tone::Bad;
    page.notice = locale
        .pick(
            "Rien n'a été enregistré : corrigez les champs signalés.",
            "Nothing was saved: correct the fields marked.",
        )
        .to_string();
}
