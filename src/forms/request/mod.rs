//! The form email: one `Libellé : valeur` line per field (docs/inbound-mail.md,
//! "The form").
//!
//! Requesters book an interpreter by replying to a form email. They fill it in
//! whatever way their mail client and habits allow: French or English labels,
//! `Date:` or `Date :`, quoted (`> `) or bulleted lines, the hint left in place
//! with the value typed after it, values in any of the spellings people use for
//! dates, times and durations. This module turns those lines into canonical
//! keys and normalised values, and lists what is missing or unreadable so the
//! reply to the requester can say exactly what to fix.
//!
//! Reading is linear in the size of the text: each line is folded at most once
//! up to its label and looked up in one hash map, because a mail can carry
//! 256 KiB of text and this runs on every inbound mail.

use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

use chrono::{Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use serde_json::{Map, Value, json};
use unicode_normalization::UnicodeNormalization;

use crate::domain::language::LanguageTag;
use crate::domain::locale::Locale;
use crate::domain::text::{self, TextProblem, fold};

/// A field of the form email, with its canonical key (docs/inbound-mail.md).
///
/// The declaration order is the order of the form email, so the derived `Ord`
/// sorts fields (and their errors) the way the form lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FormField {
    RequestType,
    Date,
    StartTime,
    FlexibleUntil,
    DurationMinutes,
    SourceLanguage,
    TargetLanguage,
    AlternativeLanguage,
    Installation,
    Location,
    Address,
    Context,
    ProfessionalName,
    ProfessionalFunction,
    ProfessionalPhone,
    ProfessionalEmail,
    PreferredInterpreter,
    InterpreterGender,
    NotifyUser,
    Reason,
    MessageToInterpreter,
    NoteToCoordinator,
    PatientName,
    PatientPhone,
    CostCentre,
    VideoPlatform,
    VideoLink,
}

/// How a field's value is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Date,
    Time,
    Duration,
    Language,
    RequestType,
    YesNo,
    Gender,
}

/// Everything the form knows about one field. Kept as one table, one row per
/// field, so that labels, hints and synonyms of a field are read side by side.
struct Spec {
    field: FormField,
    key: &'static str,
    kind: Kind,
    label_fr: &'static str,
    label_en: &'static str,
    hint_fr: &'static str,
    hint_en: &'static str,
    /// Other labels people write, French and English. Matched after folding,
    /// so no accent or case variants are needed; the printed labels and the
    /// key itself are always accepted too.
    synonyms: &'static [&'static str],
}

/// In the order of [`FormField::ALL`]; `specs_follow_the_field_order` checks it.
#[rustfmt::skip]
static SPECS: [Spec; 27] = [
    Spec { field: FormField::RequestType, key: "request_type", kind: Kind::RequestType,
        label_fr: "Type de demande", label_en: "Request type",
        hint_fr: "[en présentiel, téléphone, vidéo, transmission de message, traduction, permanence]",
        hint_en: "[in person, phone, video, message, translation, permanence]",
        synonyms: &["Type de service", "Type", "Type of request", "Service type"] },
    Spec { field: FormField::Date, key: "date", kind: Kind::Date,
        label_fr: "Date du service", label_en: "Date of service",
        hint_fr: "[AAAA-MM-JJ ou JJ/MM/AAAA]", hint_en: "[YYYY-MM-DD or DD/MM/YYYY]",
        synonyms: &["Date", "Date du rendez-vous", "Appointment date", "Service date"] },
    Spec { field: FormField::StartTime, key: "start_time", kind: Kind::Time,
        label_fr: "Heure de début", label_en: "Start time",
        hint_fr: "[HH:MM, ex. 14:30]", hint_en: "[HH:MM, e.g. 14:30]",
        synonyms: &["Heure", "Heure du service", "Heure du rendez-vous", "Time", "Appointment time"] },
    Spec { field: FormField::FlexibleUntil, key: "flexible_until", kind: Kind::Time,
        label_fr: "Plage flexible jusqu'à", label_en: "Flexible until",
        hint_fr: "[HH:MM, facultatif]", hint_en: "[HH:MM, optional]",
        synonyms: &["Heure flexible", "Jusqu'à", "Plage flexible"] },
    Spec { field: FormField::DurationMinutes, key: "duration_minutes", kind: Kind::Duration,
        label_fr: "Durée", label_en: "Duration",
        hint_fr: "[en minutes ou en heures, ex. 90 ou 1 h 30]",
        hint_en: "[in minutes or hours, e.g. 90 or 1 h 30]",
        synonyms: &["Length", "Durée (minutes)", "Duration (minutes)", "Durée en minutes", "Duration in minutes"] },
    Spec { field: FormField::SourceLanguage, key: "source_language", kind: Kind::Language,
        label_fr: "Langue de départ", label_en: "Source language",
        hint_fr: "[français par défaut]", hint_en: "[French by default]",
        synonyms: &["Langue source", "Langue du professionnel", "From language"] },
    Spec { field: FormField::TargetLanguage, key: "target_language", kind: Kind::Language,
        label_fr: "Langue d'arrivée", label_en: "Target language",
        hint_fr: "[ex. espagnol, arabe, mandarin]", hint_en: "[e.g. Spanish, Arabic, Mandarin]",
        synonyms: &["Langue cible", "Langue de l'usager", "Langue", "Language", "Langue demandée",
            "Requested language", "To language"] },
    Spec { field: FormField::AlternativeLanguage, key: "alternative_language", kind: Kind::Language,
        label_fr: "Langue alternative", label_en: "Alternative language",
        hint_fr: "[facultatif]", hint_en: "[optional]",
        synonyms: &["Autre langue", "Other language"] },
    Spec { field: FormField::Installation, key: "installation", kind: Kind::Text,
        label_fr: "Installation", label_en: "Facility",
        hint_fr: "[établissement ou site]", hint_en: "[facility or site]",
        synonyms: &["Site", "Établissement"] },
    Spec { field: FormField::Location, key: "location", kind: Kind::Text,
        label_fr: "Lieu", label_en: "Location",
        hint_fr: "[local, étage, service ; obligatoire en présentiel]",
        hint_en: "[room, floor, department; required in person]",
        synonyms: &["Lieu du rendez-vous", "Lieu du service", "Place", "Appointment location"] },
    Spec { field: FormField::Address, key: "address", kind: Kind::Text,
        label_fr: "Adresse", label_en: "Address",
        hint_fr: "[adresse civique]", hint_en: "[street address]",
        synonyms: &["Adresse civique", "Street address"] },
    Spec { field: FormField::Context, key: "context", kind: Kind::Text,
        label_fr: "Contexte", label_en: "Context",
        hint_fr: "[contexte de l'intervention]", hint_en: "[context of the appointment]",
        synonyms: &[] },
    Spec { field: FormField::ProfessionalName, key: "professional_name", kind: Kind::Text,
        label_fr: "Nom du professionnel", label_en: "Professional name",
        hint_fr: "[prénom et nom]", hint_en: "[first and last name]",
        synonyms: &["Professionnel", "Professionnelle", "Nom de la professionnelle", "Professional",
            "Intervenant", "Intervenante", "Nom de l'intervenant", "Nom de l'intervenante"] },
    Spec { field: FormField::ProfessionalFunction, key: "professional_function", kind: Kind::Text,
        label_fr: "Fonction du professionnel", label_en: "Professional role",
        hint_fr: "[ex. travailleuse sociale, infirmier]", hint_en: "[e.g. social worker, nurse]",
        synonyms: &["Fonction", "Function", "Role", "Titre d'emploi", "Job title"] },
    Spec { field: FormField::ProfessionalPhone, key: "professional_phone", kind: Kind::Text,
        label_fr: "Téléphone du professionnel", label_en: "Professional phone",
        hint_fr: "[ex. 514 555-1234, poste 123]", hint_en: "[e.g. 514 555-1234, ext. 123]",
        synonyms: &["Téléphone", "Phone", "Téléphone de la professionnelle"] },
    Spec { field: FormField::ProfessionalEmail, key: "professional_email", kind: Kind::Text,
        label_fr: "Courriel du professionnel", label_en: "Professional email",
        hint_fr: "[adresse courriel]", hint_en: "[email address]",
        synonyms: &["Courriel", "Email", "E-mail", "Courriel de la professionnelle"] },
    Spec { field: FormField::PreferredInterpreter, key: "preferred_interpreter", kind: Kind::Text,
        label_fr: "Interprète à prioriser", label_en: "Preferred interpreter",
        hint_fr: "[nom ou matricule, facultatif]", hint_en: "[name or ID, optional]",
        synonyms: &["Interprète préféré", "Interprète préférée"] },
    Spec { field: FormField::InterpreterGender, key: "interpreter_gender", kind: Kind::Gender,
        label_fr: "Genre de l'interprète", label_en: "Interpreter gender",
        hint_fr: "[femme, homme ou indifférent]", hint_en: "[female, male or any]",
        synonyms: &["Genre", "Gender", "Sexe de l'interprète"] },
    Spec { field: FormField::NotifyUser, key: "notify_user", kind: Kind::YesNo,
        label_fr: "L'interprète doit aviser l'usager", label_en: "Interpreter must notify the user",
        hint_fr: "[oui ou non]", hint_en: "[yes or no]",
        synonyms: &["Aviser l'usager", "Notify user", "Notify the user"] },
    Spec { field: FormField::Reason, key: "reason", kind: Kind::Text,
        label_fr: "Raison de la demande", label_en: "Reason",
        hint_fr: "[raison de la demande]", hint_en: "[reason for the request]",
        synonyms: &["Raison", "Motif", "Motif de la demande", "Reason for the request", "Reason for request"] },
    Spec { field: FormField::MessageToInterpreter, key: "message_to_interpreter", kind: Kind::Text,
        label_fr: "Message à l'interprète", label_en: "Message to the interpreter",
        hint_fr: "[facultatif]", hint_en: "[optional]",
        synonyms: &["Message pour l'interprète", "Message to interpreter"] },
    Spec { field: FormField::NoteToCoordinator, key: "note_to_coordinator", kind: Kind::Text,
        label_fr: "Note au coordonnateur", label_en: "Note to the coordinator",
        hint_fr: "[facultatif]", hint_en: "[optional]",
        synonyms: &["Notes au coordonnateur", "Note à la coordonnatrice", "Note à la coordination",
            "Note to coordinator"] },
    Spec { field: FormField::PatientName, key: "patient_name", kind: Kind::Text,
        label_fr: "Nom de l'usager", label_en: "Patient name",
        hint_fr: "[prénom et nom]", hint_en: "[first and last name]",
        synonyms: &["Nom du patient", "Nom de la patiente", "Nom de l'usagère", "Usager", "Usagère",
            "User name"] },
    Spec { field: FormField::PatientPhone, key: "patient_phone", kind: Kind::Text,
        label_fr: "Téléphone de l'usager", label_en: "Patient phone",
        hint_fr: "[ex. 514 555-1234]", hint_en: "[e.g. 514 555-1234]",
        synonyms: &["Téléphone du patient", "Téléphone de la patiente", "Téléphone de l'usagère",
            "User phone"] },
    Spec { field: FormField::CostCentre, key: "cost_centre", kind: Kind::Text,
        label_fr: "Centre de coût", label_en: "Cost centre",
        hint_fr: "[numéro du centre de coût]", hint_en: "[cost centre number]",
        synonyms: &["Centre de coûts", "Cost center"] },
    Spec { field: FormField::VideoPlatform, key: "video_platform", kind: Kind::Text,
        label_fr: "Plateforme vidéo", label_en: "Video platform",
        hint_fr: "[ex. Teams, Zoom]", hint_en: "[e.g. Teams, Zoom]",
        synonyms: &["Plateforme", "Platform"] },
    Spec { field: FormField::VideoLink, key: "video_link", kind: Kind::Text,
        label_fr: "Lien vidéo", label_en: "Video link",
        hint_fr: "[lien de la rencontre]", hint_en: "[meeting link]",
        synonyms: &["Lien", "Link", "Lien de la rencontre", "Meeting link"] },
];

impl FormField {
    /// Every field, in the order the form email lists them.
    pub const ALL: [FormField; 27] = [
        FormField::RequestType,
        FormField::Date,
        FormField::StartTime,
        FormField::FlexibleUntil,
        FormField::DurationMinutes,
        FormField::SourceLanguage,
        FormField::TargetLanguage,
        FormField::AlternativeLanguage,
        FormField::Installation,
        FormField::Location,
        FormField::Address,
        FormField::Context,
        FormField::ProfessionalName,
        FormField::ProfessionalFunction,
        FormField::ProfessionalPhone,
        FormField::ProfessionalEmail,
        FormField::PreferredInterpreter,
        FormField::InterpreterGender,
        FormField::NotifyUser,
        FormField::Reason,
        FormField::MessageToInterpreter,
        FormField::NoteToCoordinator,
        FormField::PatientName,
        FormField::PatientPhone,
        FormField::CostCentre,
        FormField::VideoPlatform,
        FormField::VideoLink,
    ];

    fn spec(self) -> &'static Spec {
        // The discriminants are 0..27 in declaration order, which is the order
        // of SPECS (checked by a test), so this index never goes out of bounds.
        &SPECS[self as usize]
    }

    fn kind(self) -> Kind {
        self.spec().kind
    }

    /// The canonical key: "request_type", "date", "start_time"…
    pub fn key(self) -> &'static str {
        self.spec().key
    }

    /// The label the form email prints: "Type de demande" / "Request type".
    pub fn label(self, locale: Locale) -> &'static str {
        let spec = self.spec();
        locale.pick(spec.label_fr, spec.label_en)
    }

    /// The short hint the form email prints after an empty label, square
    /// brackets included: "[AAAA-MM-JJ ou JJ/MM/AAAA]" / "[YYYY-MM-DD or DD/MM/YYYY]".
    pub fn hint(self, locale: Locale) -> &'static str {
        let spec = self.spec();
        locale.pick(spec.hint_fr, spec.hint_en)
    }

    /// The field with this canonical key, if any.
    pub fn from_key(key: &str) -> Option<FormField> {
        SPECS.iter().find(|spec| spec.key == key).map(|spec| spec.field)
    }

    /// Every label that selects this field, as written (printed labels in
    /// both languages, synonyms, and the key itself).
    pub fn labels(self) -> impl Iterator<Item = &'static str> {
        let spec = self.spec();
        [spec.label_fr, spec.label_en, spec.key]
            .into_iter()
            .chain(spec.synonyms.iter().copied())
    }

    /// Whether a complete form must give this field (the place of an
    /// in-person request is checked apart, as it depends on the type).
    pub fn is_mandatory(self) -> bool {
        MANDATORY.contains(&self)
    }

    /// What a free-text field may hold: several lines or one, and at most how many
    /// characters. `None` for the fields read into a date, a time, a choice…
    pub fn text_limit(self) -> Option<(TextShape, usize)> {
        if self.kind() != Kind::Text {
            return None;
        }
        Some(match self {
            FormField::Context | FormField::Reason | FormField::MessageToInterpreter | FormField::NoteToCoordinator => {
                (TextShape::Lines, text::TEXT_MAX)
            }
            FormField::VideoLink => (TextShape::Line, text::LINK_MAX),
            FormField::ProfessionalEmail => (TextShape::Line, EMAIL_MAX),
            _ => (TextShape::Line, text::LINE_MAX),
        })
    }
}

/// Whether a free-text field holds one line or several.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextShape {
    /// A name, a place, a phone, a code: it may end up in a mail header.
    Line,
    /// A context, a reason, a message: line breaks are its own.
    Lines,
}

/// The longest address mail carries.
const EMAIL_MAX: usize = 254;

/// The fields a complete form must give, whatever the request type.
const MANDATORY: [FormField; 5] = [
    FormField::RequestType,
    FormField::Date,
    FormField::StartTime,
    FormField::DurationMinutes,
    FormField::TargetLanguage,
];

/// The request type as the form names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormRequestType {
    /// En présentiel: the interpreter goes to the place.
    InPerson,
    /// Par téléphone.
    Phone,
    /// Par vidéoconférence (Teams, Zoom…).
    Video,
    /// Transmission de message: the interpreter passes a message on.
    Message,
    /// Traduction de documents.
    Translation,
    /// Permanence: an interpreter on site for a period, serving whoever comes.
    Permanence,
}

impl FormRequestType {
    /// The canonical key: "in_person", "phone", "video", "message",
    /// "translation", "permanence".
    pub fn key(self) -> &'static str {
        match self {
            FormRequestType::InPerson => "in_person",
            FormRequestType::Phone => "phone",
            FormRequestType::Video => "video",
            FormRequestType::Message => "message",
            FormRequestType::Translation => "translation",
            FormRequestType::Permanence => "permanence",
        }
    }
}

/// The interpreter gender the requester asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GenderWanted {
    /// A woman interpreter.
    Female,
    /// A man interpreter.
    Male,
    /// No preference.
    Any,
}

impl GenderWanted {
    /// The canonical key: "female", "male", "any".
    pub fn key(self) -> &'static str {
        match self {
            GenderWanted::Female => "female",
            GenderWanted::Male => "male",
            GenderWanted::Any => "any",
        }
    }
}

/// A normalised value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldValue {
    /// A free-text field, trimmed, inner white space as written.
    Text(String),
    /// `duration_minutes`: 1 to 720.
    Minutes(u32),
    /// `notify_user`.
    Bool(bool),
    /// `date`: never before the mail's date.
    Date(NaiveDate),
    /// `start_time`, `flexible_until`.
    Time(NaiveTime),
    /// `source_language`, `target_language`, `alternative_language`.
    Language(LanguageTag),
    /// `request_type`.
    RequestType(FormRequestType),
    /// `interpreter_gender`.
    Gender(GenderWanted),
}

impl FieldValue {
    /// The value as `inspect-mail` prints it under `fields`: text as a string,
    /// minutes as an integer, yes/no as a boolean, a date as "YYYY-MM-DD", a
    /// time as "HH:MM", a language as its tag, a type or gender as its key.
    pub fn to_json(&self) -> Value {
        match self {
            FieldValue::Text(text) => Value::String(text.clone()),
            FieldValue::Minutes(minutes) => Value::from(*minutes),
            FieldValue::Bool(flag) => Value::Bool(*flag),
            FieldValue::Date(date) => Value::String(date.format("%Y-%m-%d").to_string()),
            FieldValue::Time(time) => Value::String(time.format("%H:%M").to_string()),
            FieldValue::Language(tag) => Value::String(tag.as_str().to_string()),
            FieldValue::RequestType(kind) => Value::String(kind.key().to_string()),
            FieldValue::Gender(gender) => Value::String(gender.key().to_string()),
        }
    }
}

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
                            " (en présentiel, téléphone, vidéo, transmission de message, traduction ou permanence)",
                            " (in person, phone, video, message, translation or permanence)",
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
        (Locale::Fr, Some(value)) => format!("{what} : « {value} »{suffix}"),
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

/// What the form lines of a mail say.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FormReading {
    /// At least one form label was recognised in some source.
    pub present: bool,
    /// The values that could be read, normalised (plus the default source
    /// language when the form is present and does not give one).
    pub values: BTreeMap<FormField, FieldValue>,
    /// What was written for each field that was given, from the newest source
    /// that gives it (hint removed, trimmed), readable or not.
    pub raw: BTreeMap<FormField, String>,
    /// Missing and unreadable fields, in [`FormField::ALL`] order.
    pub issues: Vec<FieldIssue>,
}

impl FormReading {
    /// The form is there and nothing is missing or unreadable.
    pub fn is_complete(&self) -> bool {
        self.present && self.issues.is_empty()
    }

    /// The `fields` object of `inspect-mail`: canonical key → normalised value.
    pub fn fields_json(&self) -> Map<String, Value> {
        self.values
            .iter()
            .map(|(field, value)| (field.key().to_string(), value.to_json()))
            .collect()
    }

    /// The `field_errors` array of `inspect-mail`:
    /// `[{"field": key, "value": what was written or null, "message": …}]`,
    /// in [`FormField::ALL`] order.
    pub fn errors_json(&self, locale: Locale) -> Vec<Value> {
        let mut issues: Vec<&FieldIssue> = self.issues.iter().collect();
        issues.sort_by_key(|issue| issue.field);
        issues
            .into_iter()
            .map(|issue| {
                json!({
                    "field": issue.field.key(),
                    "value": issue.value,
                    "message": issue.message(locale),
                })
            })
            .collect()
    }
}

/// Reads the form lines of `sources`, newest first (the new text, then each
/// older quoted text). `reference` is the mail's Date in the bank's local
/// time: relative dates ("demain", "jeudi 5 décembre" without a year) resolve
/// against it, and a date before `reference.date()` is [`IssueKind::InThePast`].
pub fn read_form(sources: &[&str], reference: NaiveDateTime) -> FormReading {
    let mut reading = FormReading::default();
    for source in sources {
        let found = scan_source(source);
        reading.present |= found.recognised;
        for (field, value) in found.values {
            // Sources come newest first: the first one to give a field wins.
            reading.raw.entry(field).or_insert(value);
        }
    }
    finish_reading(reading, reference)
}

/// Reads values typed in separate fields (the web form), exactly as [`read_form`] reads
/// the lines of a mail: `raw` maps each field to what was typed; empty values count as
/// not given.
pub fn read_values(raw: &BTreeMap<FormField, String>, reference: NaiveDateTime) -> FormReading {
    let reading = FormReading {
        present: true,
        raw: raw
            .iter()
            .map(|(field, value)| (*field, trim(value).to_string()))
            .filter(|(_, value)| !value.is_empty())
            .collect(),
        ..FormReading::default()
    };
    finish_reading(reading, reference)
}

/// Normalises `reading.raw`, then names what is missing.
fn finish_reading(mut reading: FormReading, reference: NaiveDateTime) -> FormReading {
    for (&field, raw) in &reading.raw {
        match normalise_value(field, raw, reference) {
            Ok(value) => {
                reading.values.insert(field, value);
            }
            Err(problem) => reading.issues.push(FieldIssue {
                field,
                value: Some(raw.clone()),
                problem,
            }),
        }
    }
    if !reading.present {
        return reading;
    }
    if !reading.raw.contains_key(&FormField::SourceLanguage)
        && let Ok(french) = LanguageTag::parse("fr")
    {
        reading
            .values
            .insert(FormField::SourceLanguage, FieldValue::Language(french));
    }
    // A field that was written but unreadable already has its issue; only
    // fields nobody wrote are missing.
    for field in MANDATORY {
        if !reading.raw.contains_key(&field) {
            reading.issues.push(missing(field));
        }
    }
    let in_person =
        reading.values.get(&FormField::RequestType) == Some(&FieldValue::RequestType(FormRequestType::InPerson));
    if in_person && !reading.raw.contains_key(&FormField::Location) && !reading.raw.contains_key(&FormField::Address) {
        reading.issues.push(missing(FormField::Location));
    }
    reading.issues.sort_by_key(|issue| issue.field);
    reading
}

fn missing(field: FormField) -> FieldIssue {
    FieldIssue {
        field,
        value: None,
        problem: IssueKind::Missing,
    }
}

/// Reads one value written for `field` the way [`read_form`] does: the
/// normalised value, or why it cannot be used. `raw` is the value as written,
/// hint already removed.
pub fn normalise_value(field: FormField, raw: &str, reference: NaiveDateTime) -> Result<FieldValue, IssueKind> {
    let raw = trim(raw);
    match field.kind() {
        Kind::Text => {
            let checked = match field.text_limit() {
                Some((TextShape::Lines, max)) => text::lines(raw, max),
                Some((TextShape::Line, max)) => text::line(raw, max),
                None => Ok(raw),
            };
            checked
                .map(|value| FieldValue::Text(value.to_string()))
                .map_err(IssueKind::Text)
        }
        Kind::Date => {
            let today = reference.date();
            let date = parse_date(raw, today).ok_or(IssueKind::Unreadable)?;
            if date < today {
                Err(IssueKind::InThePast)
            } else {
                Ok(FieldValue::Date(date))
            }
        }
        Kind::Time => parse_time(raw).map(FieldValue::Time).ok_or(IssueKind::Unreadable),
        Kind::Duration if is_negative(raw) => Err(IssueKind::Negative),
        Kind::Duration => match duration_minutes(raw) {
            Some(minutes @ 1..=MAX_DURATION_MINUTES) => u32::try_from(minutes)
                .map(FieldValue::Minutes)
                .map_err(|_| IssueKind::Unreadable),
            _ => Err(IssueKind::Unreadable),
        },
        Kind::Language => parse_language(raw)
            .map(FieldValue::Language)
            .ok_or(IssueKind::Unreadable),
        Kind::RequestType => parse_request_type(raw)
            .map(FieldValue::RequestType)
            .ok_or(IssueKind::Unreadable),
        Kind::YesNo => parse_yes_no(raw).map(FieldValue::Bool).ok_or(IssueKind::Unreadable),
        Kind::Gender => parse_gender(raw).map(FieldValue::Gender).ok_or(IssueKind::Unreadable),
    }
}

/// The form email body in `locale`, without an intro line (the caller adds
/// it): one line per field of [`FormField::ALL`], "Label : value" when
/// `filled` has a non-empty value, else "Label : [hint]". French puts a space
/// before the colon, English does not. Lines are joined by "\n", with no
/// newline after the last one. A value is put on one line (line breaks become
/// spaces) so that [`read_form`] reads it back whole.
pub fn render_form(locale: Locale, filled: &BTreeMap<FormField, String>) -> String {
    let separator = locale.pick(" : ", ": ");
    let lines: Vec<String> = FormField::ALL
        .iter()
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

fn one_line(value: &str) -> String {
    let joined: String = value
        .chars()
        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
        .collect();
    trim(&joined).to_string()
}

// ---------------------------------------------------------------------------
// Finding the form lines
// ---------------------------------------------------------------------------

/// Folded label → field, for one kind of form. Built once per form: every line of every
/// inbound mail that has a colon near its start is looked up here. The service record
/// form (`record_form`) reads its lines with the same machinery and its own table.
pub(super) struct LabelTable<F> {
    map: HashMap<String, F>,
    /// Longest folded label, plus room for an "(optionnel)"-like suffix: a longer folded
    /// prefix cannot be a label, so the search on a line stops there.
    max_folded: usize,
}

impl<F: Copy + PartialEq> LabelTable<F> {
    /// A table of `(field, label as written)`; labels are folded here.
    pub(super) fn new(entries: impl IntoIterator<Item = (F, &'static str)>) -> LabelTable<F> {
        let mut map = HashMap::new();
        for (field, label) in entries {
            let previous = map.insert(fold(label), field);
            // A label shared by two fields would make one of them unreachable by that
            // label; each form's `no_folded_label_selects_two_fields` test proves it can't.
            debug_assert!(
                previous.is_none_or(|p| p == field),
                "a folded form label selects two fields"
            );
        }
        let longest_suffix = LABEL_SUFFIXES.iter().map(|s| s.len()).max().unwrap_or(0);
        let max_folded = map.keys().map(String::len).max().unwrap_or(0) + 2 * longest_suffix;
        LabelTable { map, max_folded }
    }

    pub(super) fn get(&self, folded: &str) -> Option<F> {
        self.map.get(folded).copied()
    }
}

static LABELS: LazyLock<LabelTable<FormField>> = LazyLock::new(|| {
    LabelTable::new(
        FormField::ALL
            .into_iter()
            .flat_map(|field| field.labels().map(move |label| (field, label))),
    )
});

/// Raw bytes before a colon beyond which no label is looked for: generous for
/// quote markers, bullets and odd spaces, and it keeps a line of thousands of
/// colons linear.
const MAX_LABEL_PREFIX_BYTES: usize = 512;

/// Folded words a form may print after a label ("Date (optionnel) :",
/// "Heure* :" needs nothing, fold drops the star).
const LABEL_SUFFIXES: [&str; 6] = [
    " optionnel",
    " optional",
    " facultatif",
    " obligatoire",
    " required",
    " requis",
];

/// The labels of an e-mail header block (Outlook's "De : / Envoyé : / À : /
/// Objet :", Gmail's forwarded block), folded. A "Date:" line next to one of
/// them is the quoted mail's date, not the form's.
const MAIL_HEADER_LABELS: [&str; 14] = [
    "de",
    "from",
    "envoye",
    "envoye le",
    "sent",
    "a",
    "to",
    "objet",
    "subject",
    "cc",
    "cci",
    "bcc",
    "reply to",
    "repondre a",
];

fn lookup_label<F: Copy + PartialEq>(folded: &str, table: &LabelTable<F>) -> Option<F> {
    // A numbered list ("1. Date :", "2) Heure :") folds to "1 date".
    let mut candidate = match folded.split_once(' ') {
        Some((number, rest)) if number.bytes().all(|b| b.is_ascii_digit()) => rest,
        _ => folded,
    };
    loop {
        if let Some(field) = table.get(candidate) {
            return Some(field);
        }
        let stripped = LABEL_SUFFIXES
            .iter()
            .find_map(|suffix| candidate.strip_suffix(suffix))?;
        candidate = stripped;
    }
}

/// A recognised form line.
pub(super) struct LabelMatch<'a, F> {
    pub(super) field: F,
    /// The label as folded, e.g. "date".
    folded_label: String,
    /// What stands before the colon, as written.
    label_part: &'a str,
    /// What follows the colon, as written.
    value: &'a str,
}

/// Finds the label of a form line: the first colon whose left part folds to a
/// known label. Leading spaces, quote markers and bullets need no special
/// case: folding drops them with the rest of the punctuation.
fn match_label<'a, F: Copy + PartialEq>(line: &'a str, table: &LabelTable<F>) -> Option<LabelMatch<'a, F>> {
    let mut folded = String::new();
    let mut start = 0;
    for (at, colon) in line.match_indices([':', '\u{FF1A}']) {
        if at > MAX_LABEL_PREFIX_BYTES {
            return None;
        }
        // Folding is word-wise, so the fold of "a:b" is fold(a) + " " + fold(b):
        // folding segment by segment keeps the work linear in the line.
        let segment = fold(line.get(start..at).unwrap_or(""));
        if !segment.is_empty() {
            if !folded.is_empty() {
                folded.push(' ');
            }
            folded.push_str(&segment);
        }
        if folded.len() > table.max_folded {
            return None;
        }
        if let Some(field) = lookup_label(&folded, table) {
            return Some(LabelMatch {
                field,
                folded_label: folded,
                label_part: line.get(..at).unwrap_or(""),
                value: line.get(at + colon.len()..).unwrap_or(""),
            });
        }
        start = at + colon.len();
    }
    None
}

/// Whether the line starts like an e-mail header ("De :", "From:", "Objet :").
fn is_mail_header(line: &str) -> bool {
    let Some(colon) = line.find([':', '\u{FF1A}']) else {
        return false;
    };
    if colon > 64 {
        return false;
    }
    let label = fold(line.get(..colon).unwrap_or(""));
    MAIL_HEADER_LABELS.contains(&label.as_str())
}

/// Whether the nearest non-blank line above or below line `index` is an e-mail
/// header line.
fn beside_mail_header(lines: &[&str], index: usize) -> bool {
    let is_blank = |line: &&str| trim(line).trim_start_matches('>').trim().is_empty();
    let above = lines
        .get(..index)
        .unwrap_or(&[])
        .iter()
        .rev()
        .take(3)
        .find(|line| !is_blank(line));
    let below = lines
        .get(index + 1..)
        .unwrap_or(&[])
        .iter()
        .take(3)
        .find(|line| !is_blank(line));
    above.is_some_and(|line| is_mail_header(line)) || below.is_some_and(|line| is_mail_header(line))
}

/// What one source says.
pub(super) struct Found<F> {
    pub(super) recognised: bool,
    /// Non-empty values, at most one per field: the first line that gives one.
    pub(super) values: Vec<(F, String)>,
}

fn scan_source(source: &str) -> Found<FormField> {
    scan_lines(source, &LABELS, |label, lines, index| {
        label.field == FormField::Date && label.folded_label == "date" && beside_mail_header(lines, index)
    })
}

/// The form lines of `source` for the fields of `table`; `ignore` drops a recognised line
/// that is not the form's (a quoted mail header's "Date:").
pub(super) fn scan_lines<F: Copy + PartialEq>(
    source: &str,
    table: &LabelTable<F>,
    ignore: impl Fn(&LabelMatch<'_, F>, &[&str], usize) -> bool,
) -> Found<F> {
    let lines: Vec<&str> = source.lines().collect();
    let mut found = Found {
        recognised: false,
        values: Vec::new(),
    };
    let mut given: Vec<F> = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        let Some(label) = match_label(line, table) else {
            continue;
        };
        if ignore(&label, &lines, index) {
            continue;
        }
        found.recognised = true;
        if given.contains(&label.field) {
            continue;
        }
        let value = read_value(&label, lines.get(index + 1).copied(), table);
        if !says_nothing(&value) {
            given.push(label.field);
            found.values.push((label.field, value));
        }
    }
    found
}

/// The value of a form line: trimmed, without the bracketed hint in front.
/// `next_line` is read only when the hint was wrapped by a mail client, to
/// find a value typed after its closing bracket.
fn read_value<F: Copy + PartialEq>(
    label: &LabelMatch<'_, F>,
    next_line: Option<&str>,
    table: &LabelTable<F>,
) -> String {
    let mut value = trim(label.value);
    // HTML turned into text marks bold as "**Date :** value": drop the
    // emphasis markers that belong to the label.
    for marker in ["**", "__"] {
        if label.label_part.contains(marker) {
            let c = if marker == "**" { '*' } else { '_' };
            value = trim(value.trim_matches(c));
        }
    }
    while let Some(inside) = value.strip_prefix('[') {
        match inside.find(']') {
            Some(end) => value = trim(inside.get(end + 1..).unwrap_or("")),
            None => {
                // A long hint wrapped over two lines: what follows its closing
                // bracket on the next line is the value; the rest is hint.
                return next_line
                    .filter(|next| match_label(next, table).is_none())
                    .and_then(|next| next.find(']').map(|end| next.get(end + 1..).unwrap_or("")))
                    .map(|rest| trim(rest).to_string())
                    .unwrap_or_default();
            }
        }
    }
    value.to_string()
}

/// A value that gives nothing: empty, punctuation only ("-", "?", "…"), or
/// "N/A" and its French "s. o.". It counts as not given here, so an older
/// source may give the field, and an optional field left "N/A" is no error.
pub(super) fn says_nothing(value: &str) -> bool {
    if is_check_mark(value) {
        return false;
    }
    matches!(
        fold(value).as_str(),
        "" | "n a" | "na" | "s o" | "sans objet" | "non applicable" | "not applicable"
    )
}

/// Trims white space (including the no-break spaces Outlook and French
/// typography put around colons) and invisible zero-width characters.
pub(super) fn trim(text: &str) -> &str {
    text.trim_matches(|c: char| c.is_whitespace() || c == '\u{200B}' || c == '\u{FEFF}')
}

// ---------------------------------------------------------------------------
// Tokens shared by the date, time and duration readers
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
enum TokKind {
    /// A run of ASCII digits: its value (saturating) and its number of digits.
    Num(u64, usize),
    /// A run of letters, lower-cased, accents removed.
    Word(String),
    /// ':', '.', ',', '/' or '-'.
    Punct(char),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Tok {
    kind: TokKind,
    /// White space or other separators came right before this token.
    spaced: bool,
}

/// Values longer than this are not dates, times or durations; stopping early
/// keeps a pasted essay in the "Heure" field cheap.
const MAX_TOKENS: usize = 24;

#[derive(Clone, Copy, PartialEq, Eq)]
enum CharClass {
    Digit,
    Letter,
    Other,
}

/// Splits a value into numbers, words and a few punctuation marks, so that
/// "14h30", "14 h 30" and "14:30" differ only by their punctuation. Returns
/// `None` for more than [`MAX_TOKENS`] tokens.
fn tokenize(input: &str) -> Option<Vec<Tok>> {
    let mut toks: Vec<Tok> = Vec::new();
    let mut spaced = false;
    let mut previous = CharClass::Other;
    for c in input.nfkd() {
        if unicode_normalization::char::is_combining_mark(c) {
            continue;
        }
        let class = if c.is_ascii_digit() {
            CharClass::Digit
        } else if c.is_alphabetic() {
            CharClass::Letter
        } else {
            CharClass::Other
        };
        match class {
            CharClass::Digit => {
                let digit = u64::from(c as u32 - '0' as u32);
                match toks.last_mut() {
                    Some(Tok {
                        kind: TokKind::Num(value, digits),
                        ..
                    }) if previous == CharClass::Digit => {
                        *value = value.saturating_mul(10).saturating_add(digit);
                        *digits += 1;
                    }
                    _ => toks.push(Tok {
                        kind: TokKind::Num(digit, 1),
                        spaced,
                    }),
                }
            }
            CharClass::Letter => match toks.last_mut() {
                Some(Tok {
                    kind: TokKind::Word(word),
                    ..
                }) if previous == CharClass::Letter => word.extend(c.to_lowercase()),
                _ => toks.push(Tok {
                    kind: TokKind::Word(c.to_lowercase().collect()),
                    spaced,
                }),
            },
            CharClass::Other => {
                if matches!(c, ':' | '.' | ',' | '/' | '-') {
                    toks.push(Tok {
                        kind: TokKind::Punct(c),
                        spaced,
                    });
                    spaced = false;
                } else {
                    spaced = true;
                }
            }
        }
        if class != CharClass::Other {
            spaced = false;
        }
        previous = class;
        if toks.len() > MAX_TOKENS {
            return None;
        }
    }
    Some(toks)
}

// ---------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------

/// Words that carry no date information: articles, "next", "ce", "of"…
const DATE_FILLERS: [&str; 17] = [
    "le",
    "la",
    "l",
    "the",
    "on",
    "of",
    "de",
    "du",
    "ce",
    "cette",
    "this",
    "next",
    "prochain",
    "prochaine",
    "coming",
    "en",
    "for",
];

/// Ordinal endings: "1er", "1re", "2e", "2eme", "1st", "2nd", "3rd", "5th".
const ORDINAL_SUFFIXES: [&str; 9] = ["er", "re", "e", "eme", "ieme", "st", "nd", "rd", "th"];

fn month_of(word: &str) -> Option<u32> {
    let month = match word {
        "janvier" | "janv" | "jan" | "january" => 1,
        "fevrier" | "fevr" | "fev" | "feb" | "february" => 2,
        "mars" | "march" => 3,
        "avril" | "avr" | "apr" | "april" => 4,
        "mai" | "may" => 5,
        "juin" | "jun" | "june" => 6,
        "juillet" | "juil" | "juill" | "jul" | "july" => 7,
        "aout" | "aug" | "august" => 8,
        "septembre" | "sept" | "sep" | "september" => 9,
        "octobre" | "oct" | "october" => 10,
        "novembre" | "nov" | "november" => 11,
        "decembre" | "dec" | "december" => 12,
        _ => return None,
    };
    Some(month)
}

fn weekday_of(word: &str) -> Option<Weekday> {
    let day = match word {
        "lundi" | "lun" | "monday" | "mon" => Weekday::Mon,
        "mardi" | "tuesday" | "tue" | "tues" => Weekday::Tue,
        "mercredi" | "mer" | "wednesday" | "wed" => Weekday::Wed,
        "jeudi" | "jeu" | "thursday" | "thu" | "thur" | "thurs" => Weekday::Thu,
        "vendredi" | "ven" | "friday" | "fri" => Weekday::Fri,
        "samedi" | "sam" | "saturday" | "sat" => Weekday::Sat,
        "dimanche" | "dim" | "sunday" | "sun" => Weekday::Sun,
        _ => return None,
    };
    Some(day)
}

/// Reads a date; relative and year-less dates resolve against `today`.
pub(super) fn parse_date(raw: &str, today: NaiveDate) -> Option<NaiveDate> {
    let toks = tokenize(raw)?;
    let mut numbers: Vec<(u64, usize)> = Vec::new();
    let mut words: Vec<&str> = Vec::new();
    for tok in &toks {
        match &tok.kind {
            TokKind::Punct(_) => {}
            TokKind::Num(value, digits) => numbers.push((*value, *digits)),
            TokKind::Word(word) => {
                let word = word.as_str();
                if !DATE_FILLERS.contains(&word) && !ORDINAL_SUFFIXES.contains(&word) {
                    words.push(word);
                }
            }
        }
    }
    if numbers.is_empty() {
        let offset = match words.join(" ").as_str() {
            "aujourd hui" | "aujourdhui" | "today" => Some(0),
            "demain" | "tomorrow" => Some(1),
            "apres demain" | "day after tomorrow" => Some(2),
            _ => None,
        };
        if let Some(offset) = offset {
            return today.checked_add_days(Days::new(offset));
        }
    }
    let mut months: Vec<u32> = Vec::new();
    let mut weekdays = 0;
    let mut mar = 0;
    for word in &words {
        if *word == "mar" {
            // "mar." is mardi in French and March in English: decided below.
            mar += 1;
        } else if let Some(month) = month_of(word) {
            months.push(month);
        } else if let Some(day) = weekday_of(word) {
            weekdays += 1;
            if numbers.is_empty() && words.len() == 1 {
                return next_weekday(today, day);
            }
        } else {
            return None;
        }
    }
    if mar > 1 {
        return None;
    }
    if mar == 1 {
        if months.is_empty() && !numbers.is_empty() {
            months.push(3);
        } else if numbers.is_empty() && words.len() == 1 {
            return next_weekday(today, Weekday::Tue);
        } else {
            weekdays += 1;
        }
    }
    if weekdays > 1 {
        return None;
    }
    match (months.as_slice(), numbers.as_slice()) {
        // "5 décembre", "Dec 5", "jeudi 5 décembre" (the weekday is not checked).
        ([month], [(day, 1..=2)]) => next_yearless(today, *month, to_u32(*day)?),
        // "5 décembre 2026", "December 5, 2026", "2026 Dec 5".
        ([month], [(a, da), (b, db)]) => {
            let (day, year) = match (da, db) {
                (1..=2, 4) => (*a, *b),
                (4, 1..=2) => (*b, *a),
                _ => return None,
            };
            NaiveDate::from_ymd_opt(to_i32(year)?, *month, to_u32(day)?)
        }
        // "20261205".
        ([], [(value, 8)]) => NaiveDate::from_ymd_opt(
            to_i32(value / 10_000)?,
            to_u32(value / 100 % 100)?,
            to_u32(value % 100)?,
        ),
        // "5/12": day first, month first only when day first cannot be a date.
        ([], [(a, 1..=2), (b, 1..=2)]) => {
            let (a, b) = (to_u32(*a)?, to_u32(*b)?);
            next_yearless(today, b, a).or_else(|| next_yearless(today, a, b))
        }
        // "2026-12-05".
        ([], [(year, 4), (month, 1..=2), (day, 1..=2)]) => {
            NaiveDate::from_ymd_opt(to_i32(*year)?, to_u32(*month)?, to_u32(*day)?)
        }
        // "05/12/2026", "5.12.26": day first (Quebec), month first only when
        // day first cannot be a date ("12/25/2026").
        ([], [(a, 1..=2), (b, 1..=2), (year, year_digits @ (2 | 4))]) => {
            let year = if *year_digits == 2 { 2000 + year } else { *year };
            let (year, a, b) = (to_i32(year)?, to_u32(*a)?, to_u32(*b)?);
            NaiveDate::from_ymd_opt(year, b, a).or_else(|| NaiveDate::from_ymd_opt(year, a, b))
        }
        _ => None,
    }
}

fn to_u32(value: u64) -> Option<u32> {
    u32::try_from(value).ok()
}

fn to_i32(value: u64) -> Option<i32> {
    i32::try_from(value).ok()
}

/// The next such day strictly after `today`: "lundi" said on a Monday means
/// the Monday after ("aujourd'hui" would have been said otherwise).
fn next_weekday(today: NaiveDate, day: Weekday) -> Option<NaiveDate> {
    let ahead = (7 + day.num_days_from_monday() - today.weekday().num_days_from_monday()) % 7;
    let ahead = if ahead == 0 { 7 } else { ahead };
    today.checked_add_days(Days::new(u64::from(ahead)))
}

/// The first date with this month and day on or after `today` (the doc's rule
/// for dates written without a year). Looks a few years ahead for 29 February.
fn next_yearless(today: NaiveDate, month: u32, day: u32) -> Option<NaiveDate> {
    (today.year()..=today.year().saturating_add(8))
        .filter_map(|year| NaiveDate::from_ymd_opt(year, month, day))
        .find(|date| *date >= today)
}

// ---------------------------------------------------------------------------
// Times
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TimeTok {
    Num(u64, usize),
    Hour,
    Minute,
    Am,
    Pm,
    Et,
    Half,
    Quarter,
    Noon,
    Midnight,
}

/// Reads a time of day: "14:30", "14 h 30", "14h", "2:30 PM", "2 pm", "midi".
pub(super) fn parse_time(raw: &str) -> Option<NaiveTime> {
    let toks = tokenize(raw)?;
    // Punctuation only separates ("14:30", "14.30", "p.m."), so drop it.
    let words: Vec<&TokKind> = toks
        .iter()
        .map(|tok| &tok.kind)
        .filter(|kind| !matches!(kind, TokKind::Punct(_)))
        .collect();
    let mut items: Vec<TimeTok> = Vec::new();
    let mut index = 0;
    while let Some(kind) = words.get(index) {
        index += 1;
        let word = match kind {
            TokKind::Num(value, digits) => {
                items.push(TimeTok::Num(*value, *digits));
                continue;
            }
            TokKind::Word(word) => word.as_str(),
            TokKind::Punct(_) => continue,
        };
        let next_is_m = matches!(words.get(index), Some(TokKind::Word(w)) if w == "m");
        let item = match word {
            "a" if next_is_m => {
                index += 1;
                TimeTok::Am
            }
            "p" if next_is_m => {
                index += 1;
                TimeTok::Pm
            }
            "am" => TimeTok::Am,
            "pm" => TimeTok::Pm,
            "h" | "hr" | "hrs" | "hre" | "hres" | "heure" | "heures" | "hour" | "hours" => TimeTok::Hour,
            "min" | "mins" | "mn" | "minute" | "minutes" => TimeTok::Minute,
            "et" => TimeTok::Et,
            "demi" | "demie" => TimeTok::Half,
            "quart" => TimeTok::Quarter,
            "midi" | "noon" | "midday" => TimeTok::Noon,
            "minuit" | "midnight" => TimeTok::Midnight,
            // "à 14 h", "vers 9 h", "at 2 pm", "environ 10 h".
            "a" | "at" | "vers" | "around" | "about" | "environ" | "des" | "from" => continue,
            _ => return None,
        };
        items.push(item);
    }
    let meridiem = match items.last() {
        Some(TimeTok::Am) => Some(false),
        Some(TimeTok::Pm) => Some(true),
        _ => None,
    };
    if meridiem.is_some() {
        items.pop();
    }
    use TimeTok::{Et, Half, Hour, Midnight, Minute, Noon, Num, Quarter};
    let (hour, minute, fixed) = match items.as_slice() {
        [Noon] => (12, 0, true),
        [Midnight] => (0, 0, true),
        [Noon, Num(m, 1..=2)] | [Noon, Num(m, 1..=2), Minute] => (12, *m, true),
        [Midnight, Num(m, 1..=2)] | [Midnight, Num(m, 1..=2), Minute] => (0, *m, true),
        [Noon, Et, Half] => (12, 30, true),
        [Noon, Et, Quarter] => (12, 15, true),
        [Midnight, Et, Half] => (0, 30, true),
        [Midnight, Et, Quarter] => (0, 15, true),
        [Num(h, 1..=2)] | [Num(h, 1..=2), Hour] => (*h, 0, false),
        // "1430", "0830", "930".
        [Num(hm, 3..=4)] => (hm / 100, hm % 100, false),
        [Num(h, 1..=2), Num(m, 1..=2)]
        | [Num(h, 1..=2), Hour, Num(m, 1..=2)]
        | [Num(h, 1..=2), Hour, Num(m, 1..=2), Minute]
        | [Num(h, 1..=2), Num(m, 1..=2), Minute] => (*h, *m, false),
        // "14:30:00": seconds are dropped, but must be seconds.
        [Num(h, 1..=2), Num(m, 1..=2), Num(s, 2)] if *s < 60 => (*h, *m, false),
        [Num(h, 1..=2), Hour, Et, Half] | [Num(h, 1..=2), Et, Half] => (*h, 30, false),
        [Num(h, 1..=2), Hour, Et, Quarter] | [Num(h, 1..=2), Et, Quarter] => (*h, 15, false),
        _ => return None,
    };
    let hour = match meridiem {
        None => hour,
        // "midi pm" says nothing more than "midi"; "minuit am" likewise, but
        // "midi am" contradicts itself.
        Some(_) if fixed => return None,
        Some(false) => match hour {
            12 => 0,
            1..=11 => hour,
            _ => return None,
        },
        Some(true) => match hour {
            12..=23 => hour,
            1..=11 => hour + 12,
            _ => return None,
        },
    };
    if hour > 23 || minute > 59 {
        return None;
    }
    NaiveTime::from_hms_opt(to_u32(hour)?, to_u32(minute)?, 0)
}

// ---------------------------------------------------------------------------
// Durations
// ---------------------------------------------------------------------------

/// The longest bookable duration: a 12-hour day.
const MAX_DURATION_MINUTES: u64 = 720;

#[derive(Debug, Clone, Copy, PartialEq)]
enum DurTok {
    /// A number; `decimal` when it had a decimal part ("1,5").
    Num {
        value: f64,
        decimal: bool,
    },
    /// "1:30".
    HoursMinutes(u64, u64),
    Hour,
    Minute,
    Half,
    And,
    /// "a"/"an": one hour when followed by an hour word, else nothing.
    Article,
}

/// Whether a number or a duration is written with a minus sign ("-30", "− 1 h",
/// "moins 2 heures"): such a value is refused as negative, never read without its sign.
pub(super) fn is_negative(raw: &str) -> bool {
    let value = trim(raw);
    let signed = value
        .strip_prefix(['-', '\u{2212}', '\u{2013}', '\u{2014}'])
        .is_some_and(|rest| rest.trim_start().starts_with(|c: char| c.is_alphanumeric()));
    signed || matches!(fold(value).split(' ').next(), Some("moins" | "minus"))
}

/// Reads a duration as minutes, without checking the range, so that the error
/// message can tell "out of range" from "not a duration". A negative duration is none.
pub(super) fn duration_minutes(raw: &str) -> Option<u64> {
    if is_negative(raw) {
        return None;
    }
    let toks = tokenize(raw)?;
    let mut items: Vec<DurTok> = Vec::new();
    let mut index = 0;
    while let Some(tok) = toks.get(index) {
        index += 1;
        match &tok.kind {
            TokKind::Num(value, digits) => {
                if *digits > 6 {
                    return None;
                }
                let next = (toks.get(index), toks.get(index + 1));
                match next {
                    (
                        Some(Tok {
                            kind: TokKind::Punct(':'),
                            spaced: false,
                        }),
                        Some(Tok {
                            kind: TokKind::Num(minutes, 1..=2),
                            spaced: false,
                        }),
                    ) => {
                        items.push(DurTok::HoursMinutes(*value, *minutes));
                        index += 2;
                    }
                    (
                        Some(Tok {
                            kind: TokKind::Punct(',' | '.'),
                            spaced: false,
                        }),
                        Some(Tok {
                            kind: TokKind::Num(fraction, fraction_digits @ 1..=3),
                            spaced: false,
                        }),
                    ) => {
                        let scale = 10_f64.powi(i32::try_from(*fraction_digits).unwrap_or(3));
                        items.push(DurTok::Num {
                            value: *value as f64 + *fraction as f64 / scale,
                            decimal: true,
                        });
                        index += 2;
                    }
                    _ => items.push(DurTok::Num {
                        value: *value as f64,
                        decimal: false,
                    }),
                }
            }
            TokKind::Punct(_) => {}
            TokKind::Word(word) => {
                let number = |value: f64| DurTok::Num { value, decimal: false };
                let item = match word.as_str() {
                    "h" | "hr" | "hrs" | "hre" | "hres" | "heure" | "heures" | "hour" | "hours" => DurTok::Hour,
                    "m" | "mn" | "min" | "mins" | "minute" | "minutes" => DurTok::Minute,
                    "demi" | "demie" | "half" => DurTok::Half,
                    "et" | "and" => DurTok::And,
                    "a" | "an" => DurTok::Article,
                    "un" | "une" | "one" => number(1.0),
                    "deux" | "two" => number(2.0),
                    "trois" | "three" => number(3.0),
                    "quatre" | "four" => number(4.0),
                    "cinq" | "five" => number(5.0),
                    "six" => number(6.0),
                    "sept" | "seven" => number(7.0),
                    "huit" | "eight" => number(8.0),
                    "environ" | "approx" | "approximativement" | "about" | "around" => continue,
                    _ => return None,
                };
                items.push(item);
            }
        }
    }
    // "an hour" is one hour; the article of "half an hour", "and a half" is nothing.
    let mut cleaned: Vec<DurTok> = Vec::with_capacity(items.len());
    for (at, item) in items.iter().enumerate() {
        let next = items.get(at + 1);
        match item {
            DurTok::Article => {
                if next == Some(&DurTok::Hour) && cleaned.last() != Some(&DurTok::Half) {
                    cleaned.push(DurTok::Num {
                        value: 1.0,
                        decimal: false,
                    });
                }
            }
            // "une demi-heure": the "une" belongs to "demi".
            DurTok::Num { value, decimal: false } if *value == 1.0 && next == Some(&DurTok::Half) => {}
            _ => cleaned.push(*item),
        }
    }
    let minutes = duration_grammar(&cleaned)?;
    if !minutes.is_finite() || !(0.0..=1.0e9).contains(&minutes) {
        return None;
    }
    Some(minutes.round() as u64)
}

/// hours-part? "et"? minutes-part?, or one bare number (minutes), or "1:30".
fn duration_grammar(items: &[DurTok]) -> Option<f64> {
    use DurTok::{And, Half, Hour, HoursMinutes, Minute, Num};
    match items {
        [] => return None,
        [Num { value, decimal }] => return (!decimal).then_some(*value),
        [HoursMinutes(hours, minutes)] | [HoursMinutes(hours, minutes), Hour] => {
            return (*minutes < 60).then_some((*hours * 60 + *minutes) as f64);
        }
        _ => {}
    }
    let mut total = 0.0;
    let mut rest = items;
    let mut hours_given = false;
    match rest {
        // "1 and a half hours".
        [Num { value, .. }, And, Half, Hour, tail @ ..] => {
            total += value * 60.0 + 30.0;
            hours_given = true;
            rest = tail;
        }
        [Num { value, .. }, Hour, tail @ ..] => {
            total += value * 60.0;
            hours_given = true;
            rest = tail;
            // "1 heure et demie", "an hour and a half".
            match rest {
                [And, Half, tail @ ..] | [Half, tail @ ..] => {
                    total += 30.0;
                    rest = tail;
                }
                _ => {}
            }
        }
        // "demi-heure", "half an hour".
        [Half, Hour, tail @ ..] => {
            total += 30.0;
            hours_given = true;
            rest = tail;
        }
        _ => {}
    }
    if hours_given && let [And, tail @ ..] = rest {
        rest = tail;
    }
    match rest {
        [] if hours_given => {}
        [Num { value, decimal: false }] | [Num { value, decimal: false }, Minute] if hours_given => {
            // "1 h 30": minutes after hours are the minutes of the hour.
            if *value >= 60.0 {
                return None;
            }
            total += value;
        }
        [Num { value, .. }, Minute] => total += value,
        _ => return None,
    }
    Some(total)
}

// ---------------------------------------------------------------------------
// Languages, types, yes/no, gender
// ---------------------------------------------------------------------------

/// A language: a tag, a name or an alias; also "français (Canada)" when the
/// parenthesis only qualifies the language, and "espagnol / Spanish" when
/// every part names the same language.
fn parse_language(raw: &str) -> Option<LanguageTag> {
    if let Ok(tag) = LanguageTag::parse(raw) {
        return Some(tag);
    }
    if let Some((head, rest)) = raw.split_once('(') {
        let (inside, after) = rest.split_once(')').unwrap_or((rest, ""));
        if fold(after).is_empty()
            && let Ok(tag) = LanguageTag::parse(head)
        {
            // "espagnol (ou portugais)" names a second language: ambiguous.
            let inside = fold(inside);
            let named = inside
                .split_once(' ')
                .filter(|(first, _)| matches!(*first, "ou" | "or" | "et" | "and" | "sinon"))
                .map_or(inside.as_str(), |(_, rest)| rest);
            return match LanguageTag::parse(named) {
                Ok(other) if other != tag => None,
                _ => Some(tag),
            };
        }
    }
    let lowered = raw.to_lowercase();
    let mut tags: Vec<LanguageTag> = Vec::new();
    for part in lowered.split(['/', ',', ';', '|']) {
        for piece in part.split(" ou ").flat_map(|piece| piece.split(" or ")) {
            if fold(piece).is_empty() {
                continue;
            }
            tags.push(LanguageTag::parse(piece).ok()?);
        }
    }
    let first = tags.first()?;
    (tags.len() > 1 && tags.iter().all(|tag| tag == first)).then(|| first.clone())
}

/// Folded spellings of the request types (docs/inbound-mail.md), and a few
/// more people write.
static REQUEST_TYPES: LazyLock<HashMap<String, FormRequestType>> = LazyLock::new(|| {
    use FormRequestType::{InPerson, Message, Permanence, Phone, Translation, Video};
    let table: &[(&str, FormRequestType)] = &[
        ("en présentiel", InPerson),
        ("présentiel", InPerson),
        ("en personne", InPerson),
        ("présence", InPerson),
        ("en présence", InPerson),
        ("sur place", InPerson),
        ("déplacement", InPerson),
        ("par déplacement", InPerson),
        ("face à face", InPerson),
        ("in person", InPerson),
        ("in-person", InPerson),
        ("on site", InPerson),
        ("onsite", InPerson),
        ("face to face", InPerson),
        ("téléphone", Phone),
        ("par téléphone", Phone),
        ("téléphonique", Phone),
        ("au téléphone", Phone),
        ("phone", Phone),
        ("telephone", Phone),
        ("by phone", Phone),
        ("over the phone", Phone),
        ("telephonic", Phone),
        ("vidéo", Video),
        ("par vidéo", Video),
        ("en vidéo", Video),
        ("vidéoconférence", Video),
        ("par vidéoconférence", Video),
        ("en vidéoconférence", Video),
        ("visio", Video),
        ("en visio", Video),
        ("visioconférence", Video),
        ("video", Video),
        ("by video", Video),
        ("videoconference", Video),
        ("video conference", Video),
        ("teams", Video),
        ("zoom", Video),
        ("transmission de message", Message),
        ("transmission d'un message", Message),
        ("transmission", Message),
        ("message", Message),
        ("message transmission", Message),
        ("traduction", Translation),
        ("traduction de documents", Translation),
        ("traduction écrite", Translation),
        ("translation", Translation),
        ("document translation", Translation),
        ("written translation", Translation),
        ("permanence", Permanence),
    ];
    let mut map: HashMap<String, FormRequestType> = table.iter().map(|(words, kind)| (fold(words), *kind)).collect();
    for kind in [InPerson, Phone, Video, Message, Translation, Permanence] {
        map.insert(fold(kind.key()), kind);
    }
    map
});

static YES_NO: LazyLock<HashMap<String, bool>> = LazyLock::new(|| {
    [
        ("oui", true),
        ("o", true),
        ("x", true),
        ("yes", true),
        ("y", true),
        ("vrai", true),
        ("true", true),
        ("non", false),
        ("n", false),
        ("no", false),
        ("faux", false),
        ("false", false),
    ]
    .into_iter()
    .map(|(word, flag)| (word.to_string(), flag))
    .collect()
});

static GENDERS: LazyLock<HashMap<String, GenderWanted>> = LazyLock::new(|| {
    use GenderWanted::{Any, Female, Male};
    let table: &[(&str, GenderWanted)] = &[
        ("femme", Female),
        ("une femme", Female),
        ("féminin", Female),
        ("féminine", Female),
        ("f", Female),
        ("female", Female),
        ("woman", Female),
        ("a woman", Female),
        ("homme", Male),
        ("un homme", Male),
        ("masculin", Male),
        ("h", Male),
        ("m", Male),
        ("male", Male),
        ("man", Male),
        ("a man", Male),
        ("indifférent", Any),
        ("indifférente", Any),
        ("peu importe", Any),
        ("aucune préférence", Any),
        ("pas de préférence", Any),
        ("sans préférence", Any),
        ("n'importe", Any),
        ("any", Any),
        ("no preference", Any),
        ("either", Any),
    ];
    table.iter().map(|(words, gender)| (fold(words), *gender)).collect()
});

/// Looks up the folded value whole, then its first words, longest first
/// ("Vidéo (Teams)", "oui merci", "femme de préférence"). One-letter entries
/// ("o", "x", "f", "h") only match a whole value: as a first word they are
/// too often something else.
fn match_words<T: Copy>(raw: &str, table: &HashMap<String, T>) -> Option<T> {
    let folded = fold(raw);
    if let Some(value) = table.get(&folded) {
        return Some(*value);
    }
    let words: Vec<&str> = folded.split(' ').take(6).collect();
    (1..words.len()).rev().find_map(|count| {
        let prefix = words.get(..count)?.join(" ");
        if prefix.chars().count() < 2 {
            return None;
        }
        table.get(&prefix).copied()
    })
}

fn parse_request_type(raw: &str) -> Option<FormRequestType> {
    match_words(raw, &REQUEST_TYPES)
}

pub(super) fn parse_yes_no(raw: &str) -> Option<bool> {
    if is_check_mark(raw) {
        return Some(true);
    }
    match_words(raw, &YES_NO)
}

/// A ticked box pasted from a form: yes.
fn is_check_mark(value: &str) -> bool {
    matches!(trim(value), "✓" | "✔" | "☑" | "☒" | "✅" | "✔\u{FE0F}")
}

fn parse_gender(raw: &str) -> Option<GenderWanted> {
    match_words(raw, &GENDERS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    /// Thursday 26 November 2026, 10:00.
    fn reference() -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 11, 26)
            .unwrap()
            .and_hms_opt(10, 0, 0)
            .unwrap()
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn date(raw: &str) -> Option<NaiveDate> {
        parse_date(raw, reference().date())
    }

    fn time(raw: &str) -> Option<String> {
        parse_time(raw).map(|t| t.format("%H:%M").to_string())
    }

    fn minutes(raw: &str) -> Option<u32> {
        match normalise_value(FormField::DurationMinutes, raw, reference()) {
            Ok(FieldValue::Minutes(m)) => Some(m),
            _ => None,
        }
    }

    fn read(text: &str) -> FormReading {
        read_form(&[text], reference())
    }

    fn issue_of(reading: &FormReading, field: FormField) -> &FieldIssue {
        reading.issues.iter().find(|issue| issue.field == field).unwrap()
    }

    fn tag(raw: &str) -> Option<String> {
        parse_language(raw).map(|t| t.as_str().to_string())
    }

    #[test]
    fn reference_is_a_thursday() {
        assert_eq!(reference().date().weekday(), Weekday::Thu);
    }

    #[test]
    fn specs_follow_the_field_order() {
        for (index, field) in FormField::ALL.iter().enumerate() {
            assert_eq!(SPECS[index].field, *field);
            assert_eq!(*field as usize, index);
            assert_eq!(FormField::from_key(field.key()), Some(*field));
        }
        assert_eq!(FormField::from_key("nope"), None);
        let keys: Vec<&str> = FormField::ALL.iter().map(|f| f.key()).collect();
        assert_eq!(
            keys,
            [
                "request_type",
                "date",
                "start_time",
                "flexible_until",
                "duration_minutes",
                "source_language",
                "target_language",
                "alternative_language",
                "installation",
                "location",
                "address",
                "context",
                "professional_name",
                "professional_function",
                "professional_phone",
                "professional_email",
                "preferred_interpreter",
                "interpreter_gender",
                "notify_user",
                "reason",
                "message_to_interpreter",
                "note_to_coordinator",
                "patient_name",
                "patient_phone",
                "cost_centre",
                "video_platform",
                "video_link",
            ]
        );
    }

    #[test]
    fn no_folded_label_selects_two_fields() {
        let mut seen: HashMap<String, FormField> = HashMap::new();
        for field in FormField::ALL {
            for label in field.labels() {
                let folded = fold(label);
                assert!(!folded.is_empty(), "{label:?}");
                if let Some(other) = seen.insert(folded.clone(), field) {
                    assert_eq!(other, field, "{folded:?} selects {other:?} and {field:?}");
                }
            }
        }
    }

    #[test]
    fn hints_are_bracketed_and_labels_are_set() {
        for field in FormField::ALL {
            for locale in Locale::ALL {
                let hint = field.hint(locale);
                assert!(hint.starts_with('[') && hint.ends_with(']'), "{hint}");
                assert_eq!(hint.matches(']').count(), 1, "{hint}");
                assert!(!field.label(locale).is_empty());
                assert_eq!(LABELS.get(&fold(field.label(locale))), Some(field));
            }
        }
        assert_eq!(FormField::RequestType.label(Locale::Fr), "Type de demande");
        assert_eq!(FormField::RequestType.label(Locale::En), "Request type");
        assert_eq!(FormField::Date.label(Locale::Fr), "Date du service");
        assert_eq!(FormField::Date.label(Locale::En), "Date of service");
        assert_eq!(FormField::Date.hint(Locale::Fr), "[AAAA-MM-JJ ou JJ/MM/AAAA]");
        assert_eq!(FormField::Date.hint(Locale::En), "[YYYY-MM-DD or DD/MM/YYYY]");
        assert_eq!(
            FormField::RequestType.hint(Locale::Fr),
            "[en présentiel, téléphone, vidéo, transmission de message, traduction, permanence]"
        );
    }

    #[test]
    fn every_documented_label_is_recognised() {
        let documented: &[(&str, FormField)] = &[
            ("Type de demande", FormField::RequestType),
            ("Type de service", FormField::RequestType),
            ("Type", FormField::RequestType),
            ("Request type", FormField::RequestType),
            ("Type of request", FormField::RequestType),
            ("Service type", FormField::RequestType),
            ("Date", FormField::Date),
            ("Date du service", FormField::Date),
            ("Date du rendez-vous", FormField::Date),
            ("Date of service", FormField::Date),
            ("Appointment date", FormField::Date),
            ("Heure", FormField::StartTime),
            ("Heure du service", FormField::StartTime),
            ("Heure de début", FormField::StartTime),
            ("Heure du rendez-vous", FormField::StartTime),
            ("Time", FormField::StartTime),
            ("Start time", FormField::StartTime),
            ("Appointment time", FormField::StartTime),
            ("Plage flexible jusqu'à", FormField::FlexibleUntil),
            ("Heure flexible", FormField::FlexibleUntil),
            ("Jusqu'à", FormField::FlexibleUntil),
            ("Flexible until", FormField::FlexibleUntil),
            ("Durée", FormField::DurationMinutes),
            ("Duration", FormField::DurationMinutes),
            ("Length", FormField::DurationMinutes),
            ("Langue de départ", FormField::SourceLanguage),
            ("Langue source", FormField::SourceLanguage),
            ("Langue du professionnel", FormField::SourceLanguage),
            ("Source language", FormField::SourceLanguage),
            ("From language", FormField::SourceLanguage),
            ("Langue d'arrivée", FormField::TargetLanguage),
            ("Langue cible", FormField::TargetLanguage),
            ("Langue de l'usager", FormField::TargetLanguage),
            ("Langue", FormField::TargetLanguage),
            ("Target language", FormField::TargetLanguage),
            ("Language", FormField::TargetLanguage),
            ("Langue alternative", FormField::AlternativeLanguage),
            ("Alternative language", FormField::AlternativeLanguage),
            ("Installation", FormField::Installation),
            ("Facility", FormField::Installation),
            ("Site", FormField::Installation),
            ("Lieu", FormField::Location),
            ("Lieu du rendez-vous", FormField::Location),
            ("Location", FormField::Location),
            ("Place", FormField::Location),
            ("Appointment location", FormField::Location),
            ("Adresse", FormField::Address),
            ("Address", FormField::Address),
            ("Contexte", FormField::Context),
            ("Context", FormField::Context),
            ("Nom du professionnel", FormField::ProfessionalName),
            ("Professionnel", FormField::ProfessionalName),
            ("Professional", FormField::ProfessionalName),
            ("Professional name", FormField::ProfessionalName),
            ("Fonction", FormField::ProfessionalFunction),
            ("Fonction du professionnel", FormField::ProfessionalFunction),
            ("Function", FormField::ProfessionalFunction),
            ("Professional role", FormField::ProfessionalFunction),
            ("Role", FormField::ProfessionalFunction),
            ("Téléphone du professionnel", FormField::ProfessionalPhone),
            ("Téléphone", FormField::ProfessionalPhone),
            ("Professional phone", FormField::ProfessionalPhone),
            ("Phone", FormField::ProfessionalPhone),
            ("Courriel du professionnel", FormField::ProfessionalEmail),
            ("Courriel", FormField::ProfessionalEmail),
            ("Professional email", FormField::ProfessionalEmail),
            ("Email", FormField::ProfessionalEmail),
            ("Interprète à prioriser", FormField::PreferredInterpreter),
            ("Interprète préféré", FormField::PreferredInterpreter),
            ("Preferred interpreter", FormField::PreferredInterpreter),
            ("Genre de l'interprète", FormField::InterpreterGender),
            ("Genre", FormField::InterpreterGender),
            ("Interpreter gender", FormField::InterpreterGender),
            ("Gender", FormField::InterpreterGender),
            ("L'interprète doit aviser l'usager", FormField::NotifyUser),
            ("Aviser l'usager", FormField::NotifyUser),
            ("Interpreter must notify the user", FormField::NotifyUser),
            ("Notify user", FormField::NotifyUser),
            ("Raison", FormField::Reason),
            ("Raison de la demande", FormField::Reason),
            ("Reason", FormField::Reason),
            ("Message à l'interprète", FormField::MessageToInterpreter),
            ("Message to the interpreter", FormField::MessageToInterpreter),
            ("Note au coordonnateur", FormField::NoteToCoordinator),
            ("Notes au coordonnateur", FormField::NoteToCoordinator),
            ("Note to the coordinator", FormField::NoteToCoordinator),
            ("Nom de l'usager", FormField::PatientName),
            ("Nom du patient", FormField::PatientName),
            ("Usager", FormField::PatientName),
            ("Patient name", FormField::PatientName),
            ("User name", FormField::PatientName),
            ("Téléphone de l'usager", FormField::PatientPhone),
            ("Téléphone du patient", FormField::PatientPhone),
            ("Patient phone", FormField::PatientPhone),
            ("User phone", FormField::PatientPhone),
            ("Centre de coût", FormField::CostCentre),
            ("Centre de coûts", FormField::CostCentre),
            ("Cost centre", FormField::CostCentre),
            ("Cost center", FormField::CostCentre),
            ("Plateforme", FormField::VideoPlatform),
            ("Plateforme vidéo", FormField::VideoPlatform),
            ("Video platform", FormField::VideoPlatform),
            ("Platform", FormField::VideoPlatform),
            ("Lien vidéo", FormField::VideoLink),
            ("Lien", FormField::VideoLink),
            ("Video link", FormField::VideoLink),
            ("Link", FormField::VideoLink),
        ];
        for (label, field) in documented {
            for line in [
                format!("{label} : x"),
                format!("{label}: x"),
                format!("{} :x", label.to_uppercase()),
                format!("{}  :   x", label.to_lowercase()),
            ] {
                let found = match_label(&line, &LABELS).map(|m| m.field);
                assert_eq!(found, Some(*field), "{line:?}");
            }
        }
    }

    #[test]
    fn label_spacing_case_accents_and_markers() {
        let lines = [
            "Date : 2026-12-05",
            "Date: 2026-12-05",
            "DATE  : 2026-12-05",
            "date:2026-12-05",
            "Date\u{00A0}: 2026-12-05",
            "Date\u{202F}:\u{00A0}2026-12-05",
            "Date\u{FF1A}2026-12-05",
            "   Date : 2026-12-05",
            "> Date : 2026-12-05",
            ">> Date : 2026-12-05",
            "> > > Date : 2026-12-05",
            "- Date : 2026-12-05",
            "* Date : 2026-12-05",
            "• Date : 2026-12-05",
            "> - Date : 2026-12-05",
            "1. Date : 2026-12-05",
            "2) Date : 2026-12-05",
            "Date (optionnel) : 2026-12-05",
            "Date (optional): 2026-12-05",
            "Date* : 2026-12-05",
            "**Date :** 2026-12-05",
            "Date du service : 2026-12-05",
            "DATE DU SERVICE: 2026-12-05",
            "Date of service: 2026-12-05",
            "date du rendez vous : 2026-12-05",
        ];
        for line in lines {
            let reading = read(line);
            assert!(reading.present, "{line:?}");
            assert_eq!(
                reading.values.get(&FormField::Date),
                Some(&FieldValue::Date(day(2026, 12, 5))),
                "{line:?}"
            );
        }
        let reading = read("Heure de début : 9 h\nLANGUE D'ARRIVEE : ESPAGNOL\nLangue d’arrivée : x");
        assert_eq!(
            reading.values.get(&FormField::TargetLanguage),
            Some(&FieldValue::Language(LanguageTag::parse("es").unwrap()))
        );
        assert_eq!(
            reading.values.get(&FormField::StartTime),
            Some(&FieldValue::Time(NaiveTime::from_hms_opt(9, 0, 0).unwrap()))
        );
    }

    #[test]
    fn lines_that_are_not_form_lines() {
        for text in [
            "",
            "Bonjour,\nMerci de votre aide.",
            "Date de naissance : 1990-01-01",
            "Voici la date: demain",
            "https://example.com/date: x",
            "Le jeu. 5 déc. 2026 à 14:03, Marie <m@x> a écrit :",
            "Note: rien",
            "Dates : 2026-12-05",
            "Typewriter : x",
        ] {
            let reading = read(text);
            assert!(!reading.present, "{text:?}");
            assert!(reading.issues.is_empty(), "{text:?}");
            assert!(reading.values.is_empty(), "{text:?}");
            assert!(reading.raw.is_empty(), "{text:?}");
        }
    }

    #[test]
    fn values_with_colons_keep_them() {
        let reading = read(
            "Lien vidéo : https://teams.microsoft.com/l/meetup-join/19:meeting_abc@thread.v2/0?x=1\n\
             Heure : 14:30\n\
             Link: http://zoom.us/j/123\n\
             Contexte : suivi : résultats d'examens\n\
             https://intranet/page: Plage flexible jusqu'à : 15:00",
        );
        assert_eq!(
            reading.raw.get(&FormField::VideoLink).map(String::as_str),
            Some("https://teams.microsoft.com/l/meetup-join/19:meeting_abc@thread.v2/0?x=1")
        );
        assert_eq!(
            reading.values.get(&FormField::StartTime).map(FieldValue::to_json),
            Some(json!("14:30"))
        );
        assert_eq!(
            reading.raw.get(&FormField::Context).map(String::as_str),
            Some("suivi : résultats d'examens")
        );
        // The first colon whose left part is a label is "https", which is not.
        assert!(!reading.raw.contains_key(&FormField::FlexibleUntil));
    }

    #[test]
    fn hints_are_ignored_and_values_after_hints_read() {
        let reading = read(
            "Type de demande : [en présentiel, téléphone, vidéo, transmission de message, traduction, permanence]\n\
             Date du service : [AAAA-MM-JJ ou JJ/MM/AAAA] 2026-12-05\n\
             Heure de début : [HH:MM, ex. 14:30]14 h 30\n\
             Durée : [en minutes ou en heures, ex. 90 ou 1 h 30]\n\
             Contexte :   [contexte de l'intervention]   \n\
             Lieu : [a] [b] Salle 3",
        );
        assert!(reading.present);
        assert!(!reading.raw.contains_key(&FormField::RequestType));
        assert!(!reading.raw.contains_key(&FormField::DurationMinutes));
        assert!(!reading.raw.contains_key(&FormField::Context));
        assert_eq!(
            reading.values.get(&FormField::Date),
            Some(&FieldValue::Date(day(2026, 12, 5)))
        );
        assert_eq!(reading.raw[&FormField::Date], "2026-12-05");
        assert_eq!(reading.raw[&FormField::StartTime], "14 h 30");
        assert_eq!(reading.raw[&FormField::Location], "Salle 3");
        let fields: Vec<FormField> = reading.issues.iter().map(|i| i.field).collect();
        assert_eq!(
            fields,
            [
                FormField::RequestType,
                FormField::DurationMinutes,
                FormField::TargetLanguage
            ]
        );
        assert!(reading.issues.iter().all(|i| i.problem == IssueKind::Missing));
    }

    #[test]
    fn wrapped_hint_is_ignored_and_the_value_after_it_read() {
        let reading = read(
            "> Type de demande : [en présentiel, téléphone, vidéo, transmission de\n\
             > message, traduction, permanence] vidéo\n\
             > Durée : [en minutes ou en heures, ex. 90 ou\n\
             > 1 h 30]\n\
             > Langue : [ex.\n\
             > Heure : 9 h",
        );
        assert_eq!(
            reading.values.get(&FormField::RequestType),
            Some(&FieldValue::RequestType(FormRequestType::Video))
        );
        assert!(!reading.raw.contains_key(&FormField::DurationMinutes));
        assert!(!reading.raw.contains_key(&FormField::TargetLanguage));
        assert_eq!(reading.raw[&FormField::StartTime], "9 h");
    }

    #[test]
    fn free_text_is_kept_as_written() {
        let reading = read(
            "Contexte :   Rencontre  de suivi,\tdeuxième   visite  \n\
             Nom de l'usager : Ahmed   Ben Ali\n\
             Courriel : marie.tremblay@ciusss.example\n\
             Téléphone : 514 555-1234, poste 12\n\
             Contexte : ignoré, la première valeur compte",
        );
        assert_eq!(
            reading.values.get(&FormField::Context),
            Some(&FieldValue::Text("Rencontre  de suivi,\tdeuxième   visite".into()))
        );
        assert_eq!(reading.raw[&FormField::PatientName], "Ahmed   Ben Ali");
        assert_eq!(
            reading.raw[&FormField::ProfessionalEmail],
            "marie.tremblay@ciusss.example"
        );
        assert_eq!(reading.raw[&FormField::ProfessionalPhone], "514 555-1234, poste 12");
    }

    #[test]
    fn newest_source_wins_and_empty_values_fall_through() {
        let new_text = "Heure : 15 h\nDurée :\nLieu : [local, étage]";
        let quoted = "> Type de demande : téléphone\n> Heure : 9 h\n> Durée : 60\n> Lieu : Salle 2";
        let original = "Type de demande : vidéo\nLangue : espagnol\nDurée : 30";
        let reading = read_form(&[new_text, quoted, original], reference());
        assert_eq!(reading.raw[&FormField::StartTime], "15 h");
        assert_eq!(reading.raw[&FormField::DurationMinutes], "60");
        assert_eq!(reading.raw[&FormField::RequestType], "téléphone");
        assert_eq!(reading.raw[&FormField::Location], "Salle 2");
        assert_eq!(reading.raw[&FormField::TargetLanguage], "espagnol");
        assert_eq!(
            reading.values.get(&FormField::DurationMinutes),
            Some(&FieldValue::Minutes(60))
        );
        // The newest unreadable value wins over an older readable one.
        let reading = read_form(&["Heure : 25 h", "Heure : 9 h"], reference());
        let issue = issue_of(&reading, FormField::StartTime);
        assert_eq!(issue.problem, IssueKind::Unreadable);
        assert_eq!(issue.value.as_deref(), Some("25 h"));
        assert!(!reading.values.contains_key(&FormField::StartTime));
        // A label only in an older source still makes the form present.
        let reading = read_form(&["ACCEPTER", "> Langue : [ex. espagnol]"], reference());
        assert!(reading.present);
        let reading = read_form(&[], reference());
        assert_eq!(reading, FormReading::default());
        // "N/A", "-", "?" say nothing: the older value stands, and an
        // optional field so answered is no error.
        let reading = read_form(
            &[
                "Durée : N/A\nHeure : -\nGenre : s. o.\nLangue : ?\nAviser l'usager : ✔",
                "Durée : 45\nHeure : 9 h",
            ],
            reference(),
        );
        assert_eq!(reading.raw[&FormField::DurationMinutes], "45");
        assert_eq!(reading.raw[&FormField::StartTime], "9 h");
        assert!(!reading.raw.contains_key(&FormField::InterpreterGender));
        assert_eq!(reading.values[&FormField::NotifyUser], FieldValue::Bool(true));
        assert_eq!(
            issue_of(&reading, FormField::TargetLanguage).problem,
            IssueKind::Missing
        );
    }

    #[test]
    fn outlook_header_date_is_not_the_form_date() {
        let quoted = "De : Relais <relais@bi.example>\n\
                      Envoyé : 20 novembre 2026 09:12\n\
                      Date : jeudi 19 novembre 2026 09:12\n\
                      À : Marie Tremblay <m@x>\n\
                      Objet : Demande d'interprète\n\
                      \n\
                      Date du service : 2026-12-05\n";
        let reading = read_form(&["Heure : 9 h", quoted], reference());
        assert_eq!(
            reading.values.get(&FormField::Date),
            Some(&FieldValue::Date(day(2026, 12, 5)))
        );
        let gmail = "---------- Forwarded message ---------\n\
                     From: Marie <m@x>\n\
                     Date: Thu, Nov 19, 2026 at 9:12 AM\n\
                     Subject: Request\n\
                     To: <relais@bi.example>\n";
        let reading = read_form(&[gmail], reference());
        assert!(!reading.present);
        // A plain "Date :" line in a form is read.
        let reading = read("Type : téléphone\nDate : 2026-12-05\nHeure : 9 h");
        assert_eq!(reading.raw[&FormField::Date], "2026-12-05");
    }

    #[test]
    fn dates_in_many_spellings() {
        let ok: &[(&str, NaiveDate)] = &[
            ("2026-12-05", day(2026, 12, 5)),
            ("2026/12/05", day(2026, 12, 5)),
            ("2026.12.5", day(2026, 12, 5)),
            ("05/12/2026", day(2026, 12, 5)),
            ("5/12/2026", day(2026, 12, 5)),
            ("5-12-2026", day(2026, 12, 5)),
            ("5.12.2026", day(2026, 12, 5)),
            ("05/12/26", day(2026, 12, 5)),
            ("12/25/2026", day(2026, 12, 25)),
            ("20261205", day(2026, 12, 5)),
            ("5 déc. 2026", day(2026, 12, 5)),
            ("5 dec 2026", day(2026, 12, 5)),
            ("5 décembre 2026", day(2026, 12, 5)),
            ("5 DÉCEMBRE 2026", day(2026, 12, 5)),
            ("5 decembre 2026", day(2026, 12, 5)),
            ("samedi 5 décembre 2026", day(2026, 12, 5)),
            ("jeudi 5 décembre", day(2026, 12, 5)),
            ("le 5 décembre", day(2026, 12, 5)),
            ("Le jeudi 5 déc.", day(2026, 12, 5)),
            ("1er décembre", day(2026, 12, 1)),
            ("December 5, 2026", day(2026, 12, 5)),
            ("Saturday, December 5, 2026", day(2026, 12, 5)),
            ("Dec 5", day(2026, 12, 5)),
            ("Dec. 5th", day(2026, 12, 5)),
            ("5 Dec 2026", day(2026, 12, 5)),
            ("5th of December", day(2026, 12, 5)),
            ("2026 Dec 5", day(2026, 12, 5)),
            ("5 janv. 2027", day(2027, 1, 5)),
            ("14 février 2027", day(2027, 2, 14)),
            ("14 fev 2027", day(2027, 2, 14)),
            ("3 mars 2027", day(2027, 3, 3)),
            ("3 Mar 2027", day(2027, 3, 3)),
            ("mar. 3 mars 2027", day(2027, 3, 3)),
            ("1er avril", day(2027, 4, 1)),
            ("Apr 1st", day(2027, 4, 1)),
            ("8 mai", day(2027, 5, 8)),
            ("May 8", day(2027, 5, 8)),
            ("24 juin", day(2027, 6, 24)),
            ("1 juil. 2027", day(2027, 7, 1)),
            ("15 août 2027", day(2027, 8, 15)),
            ("15 aout", day(2027, 8, 15)),
            ("7 sept. 2027", day(2027, 9, 7)),
            ("Sep 7", day(2027, 9, 7)),
            ("11 oct", day(2027, 10, 11)),
            ("30 novembre", day(2026, 11, 30)),
            // Year-less: on or after the mail's date, so the 26th is today
            // and the 25th is next year.
            ("26 novembre", day(2026, 11, 26)),
            ("25 novembre", day(2027, 11, 25)),
            ("26/11", day(2026, 11, 26)),
            ("5/12", day(2026, 12, 5)),
            ("29 février", day(2028, 2, 29)),
            ("aujourd'hui", day(2026, 11, 26)),
            ("Aujourd’hui", day(2026, 11, 26)),
            ("today", day(2026, 11, 26)),
            ("demain", day(2026, 11, 27)),
            ("Tomorrow", day(2026, 11, 27)),
            ("après-demain", day(2026, 11, 28)),
            ("apres demain", day(2026, 11, 28)),
            ("the day after tomorrow", day(2026, 11, 28)),
            ("lundi", day(2026, 11, 30)),
            ("lundi prochain", day(2026, 11, 30)),
            ("next Monday", day(2026, 11, 30)),
            ("Monday", day(2026, 11, 30)),
            ("mardi", day(2026, 12, 1)),
            ("mar.", day(2026, 12, 1)),
            ("jeudi", day(2026, 12, 3)),
            ("jeudi prochain", day(2026, 12, 3)),
            ("vendredi", day(2026, 11, 27)),
            ("ce vendredi", day(2026, 11, 27)),
            ("dimanche", day(2026, 11, 29)),
            ("sun", day(2026, 11, 29)),
        ];
        for (raw, expected) in ok {
            assert_eq!(date(raw), Some(*expected), "{raw:?}");
        }
        for raw in [
            "le 32",
            "32/12/2026",
            "2026-13-01",
            "31 novembre",
            "30 février 2027",
            "bientôt",
            "lundi dernier",
            "5",
            "5 6 7 8",
            "décembre",
            "5 décembre 12",
            "lundi mardi",
            "mar mar 5",
            "5 décembre janvier 2026",
            "99999999999999999999-1-1",
            "",
        ] {
            assert_eq!(date(raw), None, "{raw:?}");
        }
    }

    #[test]
    fn times_in_many_spellings() {
        let ok: &[(&str, &str)] = &[
            ("14:30", "14:30"),
            ("14 h 30", "14:30"),
            ("14\u{202F}h\u{202F}30", "14:30"),
            ("14h30", "14:30"),
            ("14H30", "14:30"),
            ("14h", "14:00"),
            ("14 h", "14:00"),
            ("14", "14:00"),
            ("9h", "09:00"),
            ("09:05", "09:05"),
            ("9 h 5", "09:05"),
            ("14.30", "14:30"),
            ("14:30:00", "14:30"),
            ("1430", "14:30"),
            ("0830", "08:30"),
            ("2:30 PM", "14:30"),
            ("2:30pm", "14:30"),
            ("2 pm", "14:00"),
            ("2PM", "14:00"),
            ("2 p.m.", "14:00"),
            ("9 a.m.", "09:00"),
            ("9am", "09:00"),
            ("12 pm", "12:00"),
            ("12 am", "00:00"),
            ("12:15 AM", "00:15"),
            ("14 h pm", "14:00"),
            ("midi", "12:00"),
            ("Midi", "12:00"),
            ("noon", "12:00"),
            ("midi 30", "12:30"),
            ("midi et demi", "12:30"),
            ("minuit", "00:00"),
            ("midnight", "00:00"),
            ("14 h et demie", "14:30"),
            ("9 h et quart", "09:15"),
            ("à 14 h", "14:00"),
            ("vers 9 h 30", "09:30"),
            ("at 2 pm", "14:00"),
            ("14 heures", "14:00"),
            ("14 h 30 min", "14:30"),
            ("0 h", "00:00"),
            ("23:59", "23:59"),
        ];
        for (raw, expected) in ok {
            assert_eq!(time(raw).as_deref(), Some(*expected), "{raw:?}");
        }
        for raw in [
            "24:00",
            "25 h",
            "14:60",
            "14 h 75",
            "0 pm",
            "14 am",
            "midi am",
            "2460",
            "bientôt",
            "14h-16h",
            "de 9 h à 11 h",
            "14:30:99",
            "1:2:3:4",
            "",
            "h",
            "pm",
        ] {
            assert_eq!(time(raw), None, "{raw:?}");
        }
    }

    #[test]
    fn durations_in_many_spellings() {
        let ok: &[(&str, u32)] = &[
            ("90", 90),
            ("90 min", 90),
            ("90min", 90),
            ("90 mins", 90),
            ("90 minutes", 90),
            ("90 mn", 90),
            ("45 minutes", 45),
            ("1 h 30", 90),
            ("1h30", 90),
            ("1H30", 90),
            ("1 h 30 min", 90),
            ("1h30min", 90),
            ("1 h", 60),
            ("1h", 60),
            ("2h00", 120),
            ("1,5 h", 90),
            ("1.5 h", 90),
            ("1,5h", 90),
            ("1.5 hours", 90),
            ("1.25 heure", 75),
            ("2 heures", 120),
            ("2 hrs", 120),
            ("1 hr 30 mins", 90),
            ("1 hour 30 minutes", 90),
            ("1 hour and 30 minutes", 90),
            ("1 heure et 30 minutes", 90),
            ("3 heures 30 minutes", 210),
            ("1:30", 90),
            ("01:30", 90),
            ("2:00 h", 120),
            ("une heure", 60),
            ("deux heures", 120),
            ("an hour", 60),
            ("1 heure et demie", 90),
            ("une heure et demie", 90),
            ("an hour and a half", 90),
            ("1 and a half hours", 90),
            ("une demi-heure", 30),
            ("demi-heure", 30),
            ("half an hour", 30),
            ("half hour", 30),
            ("environ 2 h", 120),
            ("90 minutes environ", 90),
            ("12 h", 720),
            ("720", 720),
            ("1", 1),
        ];
        for (raw, expected) in ok {
            assert_eq!(minutes(raw), Some(*expected), "{raw:?}");
        }
        for raw in [
            "0",
            "0 min",
            "721",
            "13 h",
            "1,5",
            "beaucoup",
            "1 h 75",
            "2-3 heures",
            "1:75",
            "90 90",
            "h",
            "min",
            "1 h 2 h",
            "9999999999",
            "",
        ] {
            assert_eq!(minutes(raw), None, "{raw:?}");
        }
    }

    #[test]
    fn languages_through_the_catalogue() {
        assert_eq!(tag("espagnol").as_deref(), Some("es"));
        assert_eq!(tag("ESPAGNOL").as_deref(), Some("es"));
        assert_eq!(tag("Spanish").as_deref(), Some("es"));
        assert_eq!(tag("es").as_deref(), Some("es"));
        assert_eq!(tag("arabe (Maroc)").as_deref(), Some("ar-MA"));
        assert_eq!(tag("français (Canada)").as_deref(), Some("fr"));
        assert_eq!(tag("Espagnol (Mexique)").as_deref(), Some("es"));
        assert_eq!(tag("espagnol / Spanish").as_deref(), Some("es"));
        assert_eq!(tag("espagnol (ou portugais)"), None);
        assert_eq!(tag("espagnol ou portugais"), None);
        assert_eq!(tag("espagnol, portugais"), None);
        assert_eq!(tag("klingon"), None);
        assert_eq!(tag("(espagnol)").as_deref(), Some("es"));
        assert_eq!(tag(""), None);
    }

    #[test]
    fn request_types_gender_and_yes_no() {
        use FormRequestType::*;
        let types: &[(&str, FormRequestType)] = &[
            ("en présentiel", InPerson),
            ("En présentiel", InPerson),
            ("EN PRESENTIEL", InPerson),
            ("en personne", InPerson),
            ("présence", InPerson),
            ("sur place", InPerson),
            ("déplacement", InPerson),
            ("in person", InPerson),
            ("In-person", InPerson),
            ("on site", InPerson),
            ("in_person", InPerson),
            ("En présentiel au CLSC", InPerson),
            ("téléphone", Phone),
            ("par téléphone", Phone),
            ("Phone", Phone),
            ("telephone", Phone),
            ("Téléphone svp", Phone),
            ("vidéo", Video),
            ("vidéoconférence", Video),
            ("visio", Video),
            ("video", Video),
            ("videoconference", Video),
            ("Teams", Video),
            ("Zoom", Video),
            ("Vidéo (Teams)", Video),
            ("transmission de message", Message),
            ("message", Message),
            ("traduction", Translation),
            ("Translation", Translation),
            ("permanence", Permanence),
        ];
        for (raw, expected) in types {
            assert_eq!(parse_request_type(raw), Some(*expected), "{raw:?}");
        }
        for raw in ["n'importe quoi", "p", "", "x"] {
            assert_eq!(parse_request_type(raw), None, "{raw:?}");
        }

        use GenderWanted::*;
        let genders: &[(&str, GenderWanted)] = &[
            ("femme", Female),
            ("Féminin", Female),
            ("F", Female),
            ("female", Female),
            ("woman", Female),
            ("Une femme de préférence", Female),
            ("homme", Male),
            ("masculin", Male),
            ("H", Male),
            ("M", Male),
            ("male", Male),
            ("Man", Male),
            ("indifférent", Any),
            ("Peu importe", Any),
            ("aucune préférence", Any),
            ("any", Any),
            ("No preference", Any),
        ];
        for (raw, expected) in genders {
            assert_eq!(parse_gender(raw), Some(*expected), "{raw:?}");
        }
        for raw in ["peut-être", "f h", "", "femmes"] {
            assert_eq!(parse_gender(raw), None, "{raw:?}");
        }

        for raw in [
            "oui",
            "OUI",
            "Oui, merci",
            "o",
            "x",
            "X",
            "yes",
            "Y",
            "vrai",
            "true",
            "✔",
        ] {
            assert_eq!(parse_yes_no(raw), Some(true), "{raw:?}");
        }
        for raw in ["non", "Non merci", "n", "no", "faux", "False"] {
            assert_eq!(parse_yes_no(raw), Some(false), "{raw:?}");
        }
        for raw in ["peut-être", "maybe", "", "o k"] {
            assert_eq!(parse_yes_no(raw), None, "{raw:?}");
        }
    }

    const COMPLETE: &str = "Type de demande : en présentiel\n\
                            Date du service : 2026-12-05\n\
                            Heure de début : 14 h 30\n\
                            Durée : 1 h 30\n\
                            Langue d'arrivée : espagnol\n\
                            Lieu : CLSC Côte-des-Neiges, salle 2";

    #[test]
    fn a_complete_form() {
        let reading = read(COMPLETE);
        assert!(reading.present);
        assert!(reading.is_complete(), "{:?}", reading.issues);
        let fields = Value::Object(reading.fields_json());
        assert_eq!(
            fields,
            json!({
                "request_type": "in_person",
                "date": "2026-12-05",
                "start_time": "14:30",
                "duration_minutes": 90,
                "source_language": "fr",
                "target_language": "es",
                "location": "CLSC Côte-des-Neiges, salle 2",
            })
        );
        assert!(reading.errors_json(Locale::Fr).is_empty());
        assert!(!reading.raw.contains_key(&FormField::SourceLanguage));
    }

    #[test]
    fn in_person_needs_a_place() {
        let without_place: String = COMPLETE.lines().take(5).collect::<Vec<_>>().join("\n");
        let reading = read(&without_place);
        assert!(!reading.is_complete());
        assert_eq!(
            reading.issues,
            [FieldIssue {
                field: FormField::Location,
                value: None,
                problem: IssueKind::Missing
            }]
        );
        assert_eq!(
            reading.issues[0].message(Locale::Fr),
            "obligatoire en présentiel (lieu ou adresse)"
        );
        assert_eq!(
            reading.issues[0].message(Locale::En),
            "required for an in-person request (location or address)"
        );
        let with_address = format!("{without_place}\nAdresse : 5700, chemin de la Côte-des-Neiges");
        assert!(read(&with_address).is_complete());
        let by_phone = without_place.replace("en présentiel", "par téléphone");
        assert!(read(&by_phone).is_complete());
    }

    #[test]
    fn each_issue_kind() {
        let reading = read(
            "Type de demande : en avion\n\
             Date : le 32\n\
             Heure : 25 h\n\
             Plage flexible jusqu'à : plus tard\n\
             Durée : 0\n\
             Langue de départ : elfique\n\
             Langue alternative : anglais\n\
             Genre : peut-être\n\
             Aviser l'usager : bof",
        );
        assert!(reading.present);
        let summary: Vec<(FormField, IssueKind, Option<&str>)> = reading
            .issues
            .iter()
            .map(|i| (i.field, i.problem.clone(), i.value.as_deref()))
            .collect();
        assert_eq!(
            summary,
            [
                (FormField::RequestType, IssueKind::Unreadable, Some("en avion")),
                (FormField::Date, IssueKind::Unreadable, Some("le 32")),
                (FormField::StartTime, IssueKind::Unreadable, Some("25 h")),
                (FormField::FlexibleUntil, IssueKind::Unreadable, Some("plus tard")),
                (FormField::DurationMinutes, IssueKind::Unreadable, Some("0")),
                (FormField::SourceLanguage, IssueKind::Unreadable, Some("elfique")),
                (FormField::TargetLanguage, IssueKind::Missing, None),
                (FormField::InterpreterGender, IssueKind::Unreadable, Some("peut-être")),
                (FormField::NotifyUser, IssueKind::Unreadable, Some("bof")),
            ]
        );
        // Unreadable fields are left out of the values; no default replaces
        // an unreadable source language.
        assert_eq!(
            reading.values.keys().copied().collect::<Vec<_>>(),
            [FormField::AlternativeLanguage]
        );
        let messages: Vec<String> = reading.issues.iter().map(|i| i.message(Locale::Fr)).collect();
        assert_eq!(
            messages[0],
            "type de demande non reconnu : « en avion » (en présentiel, téléphone, vidéo, transmission de message, traduction ou permanence)"
        );
        assert_eq!(messages[1], "date non reconnue : « le 32 »");
        assert_eq!(messages[2], "heure non reconnue : « 25 h »");
        assert_eq!(messages[4], "durée hors limites : « 0 » (de 1 min à 12 h)");
        assert_eq!(messages[5], "langue non reconnue : « elfique »");
        assert_eq!(messages[6], "obligatoire");
        assert_eq!(
            messages[7],
            "genre non reconnu : « peut-être » (femme, homme ou indifférent)"
        );
        assert_eq!(messages[8], "réponse non reconnue : « bof » (oui ou non)");
        let english: Vec<String> = reading.issues.iter().map(|i| i.message(Locale::En)).collect();
        assert_eq!(english[1], "unrecognised date: “le 32”");
        assert_eq!(english[6], "required");
        assert_eq!(english[8], "unrecognised answer: “bof” (yes or no)");

        let past = read("Date : 2026-11-25\nHeure : 9 h");
        assert_eq!(past.issues[1].field, FormField::Date);
        assert_eq!(past.issues[1].problem, IssueKind::InThePast);
        assert_eq!(past.issues[1].value.as_deref(), Some("2026-11-25"));
        assert!(!past.values.contains_key(&FormField::Date));
        assert_eq!(past.issues[1].message(Locale::Fr), "date passée : « 2026-11-25 »");
        assert_eq!(past.issues[1].message(Locale::En), "date in the past: “2026-11-25”");
        // Today is not in the past.
        let today = read("Date : 2026-11-26");
        assert_eq!(today.values[&FormField::Date], FieldValue::Date(day(2026, 11, 26)));

        let unparsable = read("Durée : beaucoup");
        assert_eq!(
            issue_of(&unparsable, FormField::DurationMinutes).message(Locale::Fr),
            "durée non reconnue : « beaucoup »"
        );
        let long = read(&format!("Heure : {}", "9".repeat(500)));
        let issue = issue_of(&long, FormField::StartTime);
        assert!(issue.message(Locale::En).chars().count() < 120);
        assert_eq!(issue.value.as_ref().map(String::len), Some(500));
    }

    #[test]
    fn a_negative_duration_is_refused_not_read_without_its_sign() {
        for raw in ["-30", "-1 h", "− 90 minutes", "– 45", "moins 2 heures", "minus 30 min"] {
            assert_eq!(minutes(raw), None, "{raw:?}");
            let reading = read(&format!("Durée : {raw}"));
            let issue = issue_of(&reading, FormField::DurationMinutes);
            assert_eq!(issue.problem, IssueKind::Negative, "{raw:?}");
            assert!(!reading.values.contains_key(&FormField::DurationMinutes));
        }
        let issue = issue_of(&read("Durée : -30"), FormField::DurationMinutes).clone();
        assert_eq!(
            issue.message(Locale::Fr),
            "durée négative : « -30 » (une durée se donne sans signe moins, de 1 min à 12 h)"
        );
        assert_eq!(
            issue.message(Locale::En),
            "negative duration: “-30” (a duration has no minus sign, 1 min to 12 h)"
        );
        assert_eq!(minutes("1-2 h"), None, "a range is no duration either");
    }

    #[test]
    fn free_text_is_refused_past_its_limit_or_with_a_control_character() {
        let reading = read(&format!(
            "Lieu : Clinique\u{0} 3e\nNom de l'usager : {}\nContexte : {}\nLien vidéo : https://x.example/{}",
            "y".repeat(201),
            "z".repeat(2001),
            "a".repeat(1900)
        ));
        let problems: Vec<(FormField, IssueKind)> = reading
            .issues
            .iter()
            .filter(|i| i.value.is_some())
            .map(|i| (i.field, i.problem.clone()))
            .collect();
        assert_eq!(
            problems,
            [
                (FormField::Location, IssueKind::Text(TextProblem::ControlCharacter)),
                (FormField::Context, IssueKind::Text(TextProblem::TooLong(2000))),
                (FormField::PatientName, IssueKind::Text(TextProblem::TooLong(200))),
            ]
        );
        assert!(
            reading.values.contains_key(&FormField::VideoLink),
            "a long link is a link"
        );
        let issue = issue_of(&reading, FormField::PatientName);
        assert_eq!(issue.message(Locale::Fr), "au plus 200 caractères");
        // The web form's text areas keep their lines; its one-line inputs may not have any.
        let typed = BTreeMap::from([
            (FormField::Context, "Suivi.\r\nDeuxième ligne.".to_string()),
            (FormField::PatientName, "Jean\r\nBcc: x@example.org".to_string()),
        ]);
        let web = read_values(&typed, reference());
        assert_eq!(
            web.values.get(&FormField::Context),
            Some(&FieldValue::Text("Suivi.\r\nDeuxième ligne.".into()))
        );
        assert_eq!(
            issue_of(&web, FormField::PatientName).problem,
            IssueKind::Text(TextProblem::LineBreak)
        );
    }

    #[test]
    fn json_shapes() {
        let reading = read(
            "Type : vidéo\nDate : 5 déc. 2026\nHeure : 2 pm\nDurée : 45\nLangue : arabe (Maroc)\n\
             Langue source : anglais\nAviser l'usager : oui\nGenre : femme\nLien : https://x.example/a:b\n\
             Heure flexible : 25:00",
        );
        let fields = Value::Object(reading.fields_json());
        assert_eq!(
            fields,
            json!({
                "request_type": "video",
                "date": "2026-12-05",
                "start_time": "14:00",
                "duration_minutes": 45,
                "source_language": "en",
                "target_language": "ar-MA",
                "notify_user": true,
                "interpreter_gender": "female",
                "video_link": "https://x.example/a:b",
            })
        );
        assert_eq!(
            Value::Array(reading.errors_json(Locale::En)),
            json!([{"field": "flexible_until", "value": "25:00", "message": "unrecognised time: “25:00”"}])
        );
        let missing = read("Contexte : x");
        let errors = missing.errors_json(Locale::Fr);
        assert_eq!(errors.len(), 5);
        assert_eq!(
            errors[0],
            json!({"field": "request_type", "value": null, "message": "obligatoire"})
        );
        let order: Vec<&str> = errors.iter().filter_map(|e| e["field"].as_str()).collect();
        assert_eq!(
            order,
            [
                "request_type",
                "date",
                "start_time",
                "duration_minutes",
                "target_language"
            ]
        );
        assert_eq!(FieldValue::Minutes(90).to_json(), json!(90));
        assert_eq!(FieldValue::Bool(false).to_json(), json!(false));
        assert_eq!(
            FieldValue::Time(NaiveTime::from_hms_opt(9, 5, 0).unwrap()).to_json(),
            json!("09:05")
        );
        assert_eq!(FieldValue::Gender(GenderWanted::Any).to_json(), json!("any"));
        assert_eq!(
            FieldValue::RequestType(FormRequestType::Message).to_json(),
            json!("message")
        );
    }

    #[test]
    fn render_form_lists_every_field_with_hints() {
        for locale in Locale::ALL {
            let form = render_form(locale, &BTreeMap::new());
            let lines: Vec<&str> = form.lines().collect();
            assert_eq!(lines.len(), FormField::ALL.len());
            for (line, field) in lines.iter().zip(FormField::ALL) {
                let separator = locale.pick(" : ", ": ");
                assert_eq!(
                    *line,
                    format!("{}{separator}{}", field.label(locale), field.hint(locale))
                );
            }
            let reading = read(&form);
            assert!(reading.present);
            assert!(reading.raw.is_empty(), "{:?}", reading.raw);
            assert_eq!(reading.issues.len(), MANDATORY.len());
        }
        assert!(render_form(Locale::Fr, &BTreeMap::new()).starts_with("Type de demande : [en présentiel"));
        assert!(render_form(Locale::En, &BTreeMap::new()).starts_with("Request type: [in person"));
    }

    #[test]
    fn render_then_read_round_trip() {
        let filled: BTreeMap<FormField, String> = [
            (FormField::RequestType, "in_person"),
            (FormField::Date, "2026-12-05"),
            (FormField::StartTime, "14:30"),
            (FormField::FlexibleUntil, "15:00"),
            (FormField::DurationMinutes, "90"),
            (FormField::SourceLanguage, "fr"),
            (FormField::TargetLanguage, "ar-MA"),
            (FormField::AlternativeLanguage, "en"),
            (FormField::Installation, "CLSC Parc-Extension"),
            (FormField::Location, "Salle 2 : 3e étage"),
            (FormField::Address, "7085, rue Hutchison"),
            (FormField::Context, "Suivi  de grossesse\nsecond line"),
            (FormField::ProfessionalName, "Marie Tremblay"),
            (FormField::ProfessionalFunction, "Infirmière"),
            (FormField::ProfessionalPhone, "514 555-1234"),
            (FormField::ProfessionalEmail, "marie@ciusss.example"),
            (FormField::PreferredInterpreter, "UBIPN0002"),
            (FormField::InterpreterGender, "female"),
            (FormField::NotifyUser, "yes"),
            (FormField::Reason, "Rendez-vous"),
            (FormField::MessageToInterpreter, "Arriver 10 min avant"),
            (FormField::NoteToCoordinator, "Merci"),
            (FormField::PatientName, "Ahmed Ben Ali"),
            (FormField::PatientPhone, "438 555-0000"),
            (FormField::CostCentre, "7110-1234"),
            (FormField::VideoPlatform, "Teams"),
            (FormField::VideoLink, "https://teams.example/l/19:abc"),
        ]
        .into_iter()
        .map(|(field, value)| (field, value.to_string()))
        .collect();
        for locale in Locale::ALL {
            let form = render_form(locale, &filled);
            let reading = read(&form);
            assert!(reading.is_complete(), "{locale}: {:?}", reading.issues);
            assert_eq!(reading.raw.len(), FormField::ALL.len());
            for field in FormField::ALL {
                let expected = normalise_value(field, &one_line(&filled[&field]), reference());
                assert_eq!(reading.values.get(&field), expected.as_ref().ok(), "{field:?}");
            }
            assert_eq!(reading.raw[&FormField::Context], "Suivi  de grossesse second line");
            assert_eq!(reading.raw[&FormField::Location], "Salle 2 : 3e étage");
            // Quoted in a reply, with the new text giving another time.
            let quoted: String = form.lines().map(|l| format!("> {l}\n")).collect();
            let reading = read_form(&["Heure : 16 h", &quoted], reference());
            assert!(reading.is_complete());
            assert_eq!(
                reading.values[&FormField::StartTime],
                FieldValue::Time(NaiveTime::from_hms_opt(16, 0, 0).unwrap())
            );
        }
        // Partly filled: the rest stays hints and is not read.
        let partial: BTreeMap<FormField, String> = [
            (FormField::Date, "5/12/2026".to_string()),
            (FormField::Context, "  ".to_string()),
        ]
        .into_iter()
        .collect();
        let form = render_form(Locale::Fr, &partial);
        assert!(form.contains("Date du service : 5/12/2026"));
        assert!(form.contains("Contexte : [contexte de l'intervention]"));
        let reading = read(&form);
        assert_eq!(reading.raw.keys().copied().collect::<Vec<_>>(), [FormField::Date]);
        assert_eq!(reading.values[&FormField::Date], FieldValue::Date(day(2026, 12, 5)));
    }

    /// A small deterministic generator, so that the test needs no dependency.
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            self.0 >> 33
        }
    }

    #[test]
    fn nasty_input_never_panics() {
        let pieces = [
            "Date",
            "Heure",
            "Durée",
            ":",
            "：",
            " ",
            "\u{00A0}",
            "\u{202F}",
            "[",
            "]",
            ">",
            "*",
            "**",
            "\n",
            "\r\n",
            "é",
            "\u{301}",
            "14",
            "h",
            "pm",
            "9999999999999999999999",
            "-",
            "/",
            ".",
            ",",
            "Type de demande",
            "en présentiel",
            "Langue",
            "(",
            ")",
            "ß",
            "İ",
            "\u{FEFF}",
            "\u{200B}",
            "😀",
            "mar",
            "demi",
            "et",
            "0",
            "12",
            "1:30",
            "Lieu",
            "Genre",
            "x",
            "a",
            "m",
            "\u{0}",
            "\u{10FFFF}",
            "ﬁ",
            "½",
            "²",
            "٣",
        ];
        let mut rng = Lcg(7);
        for _ in 0..3000 {
            let mut text = String::new();
            let count = rng.next() % 40;
            for _ in 0..count {
                text.push_str(pieces[(rng.next() as usize) % pieces.len()]);
            }
            let reading = read_form(&[&text, &text], reference());
            let _ = reading.fields_json();
            for locale in Locale::ALL {
                let _ = reading.errors_json(locale);
            }
            for field in FormField::ALL {
                let _ = normalise_value(field, &text, reference());
            }
        }
        // Extreme dates near chrono's limits.
        let far = NaiveDate::MAX.and_hms_opt(23, 59, 59).unwrap();
        for raw in ["demain", "lundi", "5 décembre", "5/12", "29 février"] {
            let _ = normalise_value(FormField::Date, raw, far);
        }
        let _ = read_form(&["Date : ]]]][[[[", "Date : [", "Date :[\n]"], reference());
    }

    #[test]
    fn large_input_is_fast() {
        let mut big = String::new();
        while big.len() < 256 * 1024 {
            big.push_str("> Contexte : une ligne ordinaire avec du texte, 14:30 et https://x.example/a:b\n");
            big.push_str(&"a:".repeat(100));
            big.push('\n');
        }
        let colons = ":".repeat(256 * 1024);
        let label_like = format!("{}:x", "Date ".repeat(50_000));
        let one_line = format!("Date : {}", "5 ".repeat(120_000));
        let start = std::time::Instant::now();
        let reading = read_form(&[&big, &colons, &label_like, &one_line], reference());
        assert!(reading.present);
        assert!(
            start.elapsed() < std::time::Duration::from_secs(3),
            "{:?}",
            start.elapsed()
        );
    }
}
