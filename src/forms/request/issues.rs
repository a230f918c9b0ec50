//! What is wrong with a field of the request form (missing, unreadable, in the past,
//! negative, or free text past its limits), and the message that tells the requester, in
//! their language, with what they wrote.

use super::fields::{FormField, Kind};
use crate::domain::locale::Locale;
use crate::domain::text::TextProblem;
use crate::forms::values::duration_minutes;

/// A field that is missing or could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldIssue {
    /// The field at fault.
    pub field: FormField,
    /// What was written (hint removed, trimmed); `None` when missing.
    pub value: Option<String>,
    /// What is wrong with it.
    pub problem: IssueKind,
}

/// What is wrong with a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IssueKind {
    /// A mandatory field has no value in any source.
    Missing,
    /// The value is not a date, time, duration, language, type, yes/no or
    /// gender that the form understands (or a duration out of range).
    Unreadable,
    /// The date is before the mail's date.
    InThePast,
    /// A duration with a minus sign: refused, never read as its absolute value.
    Negative,
    /// A free text with a line break where one line is expected, a control character, or
    /// more characters than the field holds.
    Text(TextProblem),
}

/// Echoed values are cut to this many characters in messages: the message
/// goes back to a person, who needs to recognise the value, not reread it.
const MESSAGE_VALUE_CHARS: usize = 80;

impl FieldIssue {
    /// The message shown to the requester, e.g. "obligatoire" / "required",
    /// "date non reconnue : « le 32 »" / "unrecognised date: “le 32”".
    pub fn message(&self, locale: Locale) -> String {
        let value = self.value.as_deref().map(shorten);
        match self.problem {
            IssueKind::Missing => {
                if self.field == FormField::Location {
                    locale
                        .pick(
                            "obligatoire en présentiel (lieu ou adresse)",
                            "required for an in-person request (location or address)",
                        )
                        .to_string()
                } else {
                    locale.pick("obligatoire", "required").to_string()
                }
            }
            IssueKind::InThePast => quoted(locale, ("date passée", "date in the past"), value, ""),
            IssueKind::Negative => quoted(
                locale,
                ("durée négative", "negative duration"),
                value,
                locale.pick(
                    " (une durée se donne sans signe moins, de 1 min à 12 h)",
                    " (a duration has no minus sign, 1 min to 12 h)",
                ),
            ),
            IssueKind::Text(problem) => problem.message(locale),
            IssueKind::Unreadable => {
                let (what, suffix) = match self.field.kind() {
                    Kind::Date => (("date non reconnue", "unrecognised date"), ("", "")),
                    Kind::Time => (("heure non reconnue", "unrecognised time"), ("", "")),
                    Kind::Duration => {
                        let out_of_range = self.value.as_deref().and_then(duration_minutes).is_some();
                        if out_of_range {
                            (
                                ("durée hors limites", "duration out of range"),
                                (" (de 1 min à 12 h)", " (1 min to 12 h)"),
                            )
                        } else {
                            (("durée non reconnue", "unrecognised duration"), ("", ""))
                        }
                    }
                    Kind::Language => (("langue non reconnue", "unrecognised language"), ("", "")),
                    Kind::RequestType => (
                        ("type de demande non reconnu", "unrecognised request type"),
                        (
                            " (en présentiel, téléphone, vidéo, transmission de message, traduction, permanence \
                             ou service professionnel)",
                            " (in person, phone, video, message, translation, permanence or professional service)",
                        ),
                    ),
                    Kind::YesNo => (
                        ("réponse non reconnue", "unrecognised answer"),
                        (" (oui ou non)", " (yes or no)"),
                    ),
                    Kind::Gender => (
                        ("genre non reconnu", "unrecognised gender"),
                        (" (femme, homme ou indifférent)", " (female, male or any)"),
                    ),
                    Kind::InterpreterType => (
                        ("type d'interprète non reconnu", "unrecognised interpreter type"),
                        (
                            " (BI du RSSS, fournisseur externe ou aucun)",
                            " (bank, external provider or none)",
                        ),
                    ),
                    Kind::Repetition => (
                        ("répétition non reconnue", "unrecognised repetition"),
                        (
                            " (ex. chaque semaine, 8 fois\u{a0}; toutes les 2 semaines jusqu'au 2027-03-31\u{a0}; au plus 52 fois, aux 8 semaines au plus)",
                            " (e.g. every week, 8 times; every 2 weeks until 2027-03-31; at most 52 times, every 8 weeks at most)",
                        ),
                    ),
                    Kind::Text => (("valeur non reconnue", "unrecognised value"), ("", "")),
                };
                quoted(locale, what, value, locale.pick(suffix.0, suffix.1))
            }
        }
    }
}

/// "what : « value »suffix" in French, "what: “value”suffix" in English.
fn quoted(locale: Locale, what: (&str, &str), value: Option<String>, suffix: &str) -> String {
    let what = locale.pick(what.0, what.1);
    match (locale, value) {
        (Locale::Fr, Some(value)) => format!("{what} : «\u{a0}{value}\u{a0}»{suffix}"),
        (Locale::En, Some(value)) => format!("{what}: “{value}”{suffix}"),
        (_, None) => format!("{what}{suffix}"),
    }
}

fn shorten(value: &str) -> String {
    if value.chars().count() <= MESSAGE_VALUE_CHARS {
        value.to_string()
    } else {
        let mut short: String = value.chars().take(MESSAGE_VALUE_CHARS).collect();
        short.push('…');
        short
    }
}
