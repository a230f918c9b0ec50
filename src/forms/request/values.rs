//! The values of the request form: what each field is read into (a date, a time, a
//! duration in range, a language of the catalogue, a request type, a gender, yes/no or
//! free text within its limits), and the readers only this form has: languages, request
//! types and genders.

use std::collections::HashMap;
use std::sync::LazyLock;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use serde_json::Value;

use super::fields::{FormField, Kind, TextShape};
use super::issues::IssueKind;
use crate::domain::language::LanguageTag;
use crate::domain::request::InterpreterType;
use crate::domain::request::repetition::Repetition;
use crate::domain::text::{self, fold};
use crate::forms::values::{
    duration_minutes, is_negative, match_words, parse_date, parse_repetition, parse_time, parse_yes_no, trim,
};

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
    /// Service professionnel.
    ProfessionalService,
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
            FormRequestType::ProfessionalService => "professional_service",
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
    /// `interpreter_type`: `None` when the requester clears it (« aucun »).
    InterpreterType(Option<InterpreterType>),
    /// `repetition`: how a new request repeats.
    Repetition(Repetition),
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
            FieldValue::InterpreterType(kind) => kind.map_or(Value::Null, |k| Value::String(k.as_str().to_string())),
            FieldValue::Repetition(repetition) => Value::String(repetition.key()),
        }
    }
}

/// The longest bookable duration: a 12-hour day.
const MAX_DURATION_MINUTES: u64 = 720;

/// Reads one value written for `field` the way [`read_form`](super::read_form) does: the
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
        Kind::InterpreterType => parse_interpreter_type(raw)
            .map(FieldValue::InterpreterType)
            .ok_or(IssueKind::Unreadable),
        Kind::Repetition => parse_repetition(raw, reference.date())
            .map(FieldValue::Repetition)
            .ok_or(IssueKind::Unreadable),
    }
}

/// A language: a tag, a name or an alias; also "français (Canada)" when the
/// parenthesis only qualifies the language, and "espagnol / Spanish" when
/// every part names the same language.
pub(super) fn parse_language(raw: &str) -> Option<LanguageTag> {
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
    use FormRequestType::{InPerson, Message, Permanence, Phone, ProfessionalService, Translation, Video};
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
        ("service professionnel", ProfessionalService),
        ("professionnel", ProfessionalService),
        ("professional service", ProfessionalService),
    ];
    let mut map: HashMap<String, FormRequestType> = table.iter().map(|(words, kind)| (fold(words), *kind)).collect();
    for kind in [
        InPerson,
        Phone,
        Video,
        Message,
        Translation,
        Permanence,
        ProfessionalService,
    ] {
        map.insert(fold(kind.key()), kind);
    }
    map
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

pub(super) fn parse_request_type(raw: &str) -> Option<FormRequestType> {
    match_words(raw, &REQUEST_TYPES)
}

pub(super) fn parse_gender(raw: &str) -> Option<GenderWanted> {
    match_words(raw, &GENDERS)
}

/// Folded spellings of the interpreter types; « aucun » clears the choice.
static INTERPRETER_TYPES: LazyLock<HashMap<String, Option<InterpreterType>>> = LazyLock::new(|| {
    use InterpreterType::{Bank, ExternalProvider};
    let table: &[(&str, Option<InterpreterType>)] = &[
        ("bi du rsss", Some(Bank)),
        ("bi du rssss", Some(Bank)),
        ("bi", Some(Bank)),
        ("banque", Some(Bank)),
        ("interprète de la banque", Some(Bank)),
        ("interprète de la banque bi du rsss", Some(Bank)),
        ("banque d'interprètes", Some(Bank)),
        ("bank", Some(Bank)),
        ("bank interpreter", Some(Bank)),
        ("bank interpreter bi du rsss", Some(Bank)),
        ("fournisseur externe", Some(ExternalProvider)),
        ("interprète fournisseur externe", Some(ExternalProvider)),
        ("externe", Some(ExternalProvider)),
        ("fournisseur", Some(ExternalProvider)),
        ("external provider", Some(ExternalProvider)),
        ("external", Some(ExternalProvider)),
        ("aucun", None),
        ("indifférent", None),
        ("effacer", None),
        ("none", None),
        ("any", None),
    ];
    let mut map: HashMap<String, Option<InterpreterType>> =
        table.iter().map(|(words, kind)| (fold(words), *kind)).collect();
    for kind in [Bank, ExternalProvider] {
        map.insert(fold(kind.as_str()), Some(kind));
    }
    map
});

pub(super) fn parse_interpreter_type(raw: &str) -> Option<Option<InterpreterType>> {
    match_words(raw, &INTERPRETER_TYPES)
}
