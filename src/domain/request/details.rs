//! What a requester asks for: every field of the seeds' request form, and its rules.

use crate::domain::contact::{EmailAddress, PhoneNumber};
use crate::domain::ids::{BillingCodeId, CostCentreId, InstallationId, PersonId};
use crate::domain::language::LanguageTag;
use crate::domain::locale::Locale;
use crate::domain::text::{self, TextProblem};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Type de demande.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestType {
    /// En présentiel (SeTIS: par déplacement).
    InPerson,
    /// Par téléphone (SeTIS: réservation téléphonique).
    Phone,
    /// Par vidéoconférence.
    Video,
    /// Transmission de message.
    MessageTransmission,
    /// Traduction de documents.
    Translation,
    /// Permanence (SeTIS): an interpreter on site for a period, serving whoever comes.
    Permanence,
    /// Service professionnel (seeds, beside « Traduction de documents »): a service of the
    /// interpreter's other than interpreting, booked like an appointment: at a time, for
    /// a duration, billed by the hour.
    ProfessionalService,
}

impl RequestType {
    pub const ALL: [RequestType; 7] = [
        RequestType::InPerson,
        RequestType::Phone,
        RequestType::Video,
        RequestType::MessageTransmission,
        RequestType::Translation,
        RequestType::Permanence,
        RequestType::ProfessionalService,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RequestType::InPerson => "in_person",
            RequestType::Phone => "phone",
            RequestType::Video => "video",
            RequestType::MessageTransmission => "message_transmission",
            RequestType::Translation => "translation",
            RequestType::Permanence => "permanence",
            RequestType::ProfessionalService => "professional_service",
        }
    }

    pub fn label(self, locale: Locale) -> &'static str {
        let (fr, en) = match self {
            RequestType::InPerson => ("En présentiel", "In person"),
            RequestType::Phone => ("Par téléphone", "By phone"),
            RequestType::Video => ("Par vidéoconférence", "By video"),
            RequestType::MessageTransmission => ("Transmission de message", "Message transmission"),
            RequestType::Translation => ("Traduction", "Translation"),
            RequestType::Permanence => ("Permanence", "Permanence"),
            RequestType::ProfessionalService => ("Service professionnel", "Professional service"),
        };
        locale.pick(fr, en)
    }

    /// Interpretation happens at a time and lasts; a translation or a message has a due date.
    pub fn is_timed(self) -> bool {
        !matches!(self, RequestType::MessageTransmission | RequestType::Translation)
    }
}

impl fmt::Display for RequestType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RequestType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RequestType::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| format!("unknown request type {s:?}"))
    }
}

/// Genre.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Female,
    Male,
    NonBinary,
}

impl Gender {
    pub fn as_str(self) -> &'static str {
        match self {
            Gender::Female => "female",
            Gender::Male => "male",
            Gender::NonBinary => "non_binary",
        }
    }

    pub fn label(self, locale: Locale) -> &'static str {
        let (fr, en) = match self {
            Gender::Female => ("Femme", "Woman"),
            Gender::Male => ("Homme", "Man"),
            Gender::NonBinary => ("Non binaire", "Non-binary"),
        };
        locale.pick(fr, en)
    }
}

impl FromStr for Gender {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "female" => Ok(Gender::Female),
            "male" => Ok(Gender::Male),
            "non_binary" => Ok(Gender::NonBinary),
            other => Err(format!("unknown gender {other:?}")),
        }
    }
}

/// Type d'interprète: whom the preferred interpreter is chosen among. The seeds' rule: a
/// type chosen without a preferred interpreter cannot be sent (clear the type, or name one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InterpreterType {
    /// Interprète de la Banque (BI du RSSS).
    Bank,
    /// Fournisseur externe.
    ExternalProvider,
}

impl InterpreterType {
    pub fn as_str(self) -> &'static str {
        match self {
            InterpreterType::Bank => "bank",
            InterpreterType::ExternalProvider => "external_provider",
        }
    }

    pub fn label(self, locale: Locale) -> &'static str {
        let (fr, en) = match self {
            InterpreterType::Bank => ("Interprète de la Banque (BI du RSSS)", "Bank interpreter (BI du RSSS)"),
            InterpreterType::ExternalProvider => ("Fournisseur externe", "External provider"),
        };
        locale.pick(fr, en)
    }
}

impl FromStr for InterpreterType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "bank" => Ok(InterpreterType::Bank),
            "external_provider" => Ok(InterpreterType::ExternalProvider),
            other => Err(format!("unknown interpreter type {other:?}")),
        }
    }
}

/// The person who receives the interpreter on site (SeTIS: not always the requester).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnSiteContact {
    pub name: Option<String>,
    pub phone: Option<PhoneNumber>,
}

/// Détails du patient (usager). Health information: never logged, never sent by SMS,
/// erased after the retention period.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatientDetails {
    pub name: Option<String>,
    pub phone: Option<String>,
    /// Coordinates, specifics, anything the interpreter should know about the user.
    pub details: Option<String>,
}

impl fmt::Debug for PatientDetails {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PatientDetails(<redacted>)")
    }
}

impl PatientDetails {
    pub fn is_empty(&self) -> bool {
        self.name.is_none() && self.phone.is_none() && self.details.is_none()
    }
}

/// The free-text fields, which may describe health: context, reason, messages.
/// Same care as [`PatientDetails`].
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notes {
    /// Contexte (précisions): "fin de vie", "protection de la jeunesse"…
    pub context: Option<String>,
    /// Raison de la demande.
    pub reason: Option<String>,
    /// Message à l'interprète.
    pub message_to_interpreter: Option<String>,
    /// Note au coordonnateur: seen by the requester and coordinators only.
    pub coordinator_note: Option<String>,
}

impl fmt::Debug for Notes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Notes(<redacted>)")
    }
}

/// Plate-forme, lien et code secret of a video appointment.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VideoDetails {
    pub platform: Option<String>,
    pub link: Option<String>,
    pub passcode: Option<String>,
}

impl fmt::Debug for VideoDetails {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VideoDetails")
            .field("platform", &self.platform)
            .finish_non_exhaustive()
    }
}

/// The professional who will work with the interpreter (not necessarily the requester).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Professional {
    pub name: Option<String>,
    pub function: Option<String>,
    pub phone: Option<PhoneNumber>,
    pub email: Option<EmailAddress>,
}

/// Every field of a request that its requester fills in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestDetails {
    pub installation_id: InstallationId,
    /// Lieu du rendez-vous: "Visite à domicile", "Clinique externe, 3e étage"…
    pub location: String,
    pub address: Option<String>,
    pub request_type: RequestType,
    /// The appointment, or the due date of a translation or message.
    pub date: NaiveDate,
    pub start_time: NaiveTime,
    /// The appointment may start as late as this (plage d'heure flexible).
    pub flexible_until: Option<NaiveTime>,
    pub duration_minutes: u32,
    /// Langue de départ: the professional's.
    pub source_language: LanguageTag,
    /// Langue d'arrivée: the user's.
    pub target_language: LanguageTag,
    /// Another language the user speaks, to widen the choice (SeTIS).
    pub alternative_language: Option<LanguageTag>,
    /// Another date that would suit, if nobody is free on the first (SeTIS).
    pub alternative_date: Option<NaiveDate>,
    pub professional: Professional,
    /// Interprète à prioriser.
    pub preferred_interpreter: Option<PersonId>,
    pub interpreter_gender: Option<Gender>,
    /// Est-ce que l'interprète doit aviser l'usager du rendez-vous.
    pub interpreter_must_notify_user: bool,
    pub notes: Notes,
    pub patient: PatientDetails,
    pub video: VideoDetails,
    pub cost_centre_id: Option<CostCentreId>,
    pub billing_code_id: Option<BillingCodeId>,
    /// Type d'interprète (BI du RSSS or external provider), if the requester chose one.
    #[serde(default)]
    pub interpreter_type: Option<InterpreterType>,
    /// Who receives the interpreter on site.
    #[serde(default)]
    pub on_site: OnSiteContact,
    /// Demande supplémentaire: added to a service already planned.
    #[serde(default)]
    pub supplementary: bool,
}

/// A field of the request form, named as people read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Installation,
    Location,
    RequestType,
    Date,
    StartTime,
    FlexibleUntil,
    Duration,
    SourceLanguage,
    TargetLanguage,
    AlternativeLanguage,
    AlternativeDate,
    ProfessionalPhone,
    ProfessionalEmail,
    PreferredInterpreter,
    CostCentre,
    BillingCode,
    VideoLink,
    Address,
    Context,
    Reason,
    MessageToInterpreter,
    CoordinatorNote,
    PatientName,
    PatientPhone,
    PatientDetails,
    ProfessionalName,
    ProfessionalFunction,
    VideoPlatform,
    VideoPasscode,
    InterpreterType,
    OnSiteName,
    OnSitePhone,
    /// How a new request repeats (a series).
    Repetition,
    /// The words given with a cancellation or a contest.
    Note,
}

impl Field {
    pub fn label(self, locale: Locale) -> &'static str {
        let (fr, en) = match self {
            Field::Installation => ("Installation", "Installation"),
            Field::Location => ("Lieu du rendez-vous", "Appointment location"),
            Field::RequestType => ("Type de demande", "Request type"),
            Field::Date => ("Date du service", "Date of service"),
            Field::StartTime => ("Heure du service", "Time of service"),
            Field::FlexibleUntil => ("Plage d'heure flexible", "Flexible until"),
            Field::Duration => ("Durée", "Duration"),
            Field::SourceLanguage => ("Langue de départ", "Source language"),
            Field::TargetLanguage => ("Langue d'arrivée", "Target language"),
            Field::AlternativeLanguage => ("Langue alternative", "Alternative language"),
            Field::AlternativeDate => ("Date alternative", "Alternative date"),
            Field::ProfessionalPhone => ("Téléphone du professionnel", "Professional's phone"),
            Field::ProfessionalEmail => ("Courriel du professionnel", "Professional's email"),
            Field::PreferredInterpreter => ("Interprète à prioriser", "Preferred interpreter"),
            Field::CostCentre => ("Centre de coût", "Cost centre"),
            Field::BillingCode => ("Code de facturation", "Billing code"),
            Field::VideoLink => ("Lien vidéo", "Video link"),
            Field::Address => ("Adresse", "Address"),
            Field::Context => ("Contexte", "Context"),
            Field::Reason => ("Raison de la demande", "Reason"),
            Field::MessageToInterpreter => ("Message à l'interprète", "Message to the interpreter"),
            Field::CoordinatorNote => ("Note au coordonnateur", "Note to the coordinator"),
            Field::PatientName => ("Nom de l'usager", "Patient name"),
            Field::PatientPhone => ("Téléphone de l'usager", "Patient phone"),
            Field::PatientDetails => ("Précisions sur l'usager", "About the patient"),
            Field::ProfessionalName => ("Nom du professionnel", "Professional name"),
            Field::ProfessionalFunction => ("Fonction du professionnel", "Professional role"),
            Field::VideoPlatform => ("Plateforme vidéo", "Video platform"),
            Field::VideoPasscode => ("Code de la rencontre vidéo", "Video passcode"),
            Field::InterpreterType => ("Type d'interprète", "Interpreter type"),
            Field::OnSiteName => ("Personne qui reçoit l'interprète", "Person receiving the interpreter"),
            Field::OnSitePhone => (
                "Téléphone de la personne qui reçoit l'interprète",
                "Phone of the person receiving the interpreter",
            ),
            Field::Note => ("Précisions", "Details"),
            Field::Repetition => ("Répétition", "Repeat"),
        };
        locale.pick(fr, en)
    }
}

/// What is wrong with a field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "problem", content = "detail")]
pub enum Problem {
    Required,
    InThePast,
    /// Shorter than the minimum, in minutes.
    TooShort(u32),
    /// Longer than the maximum, in minutes.
    TooLong(u32),
    SameAsTargetLanguage,
    NotAfterStart,
    NotAfterDate,
    /// Not understood: the text that was given.
    Unreadable(String),
    /// Refers to something that does not exist or is not the requester's to use.
    Unknown,
    /// Refers to something the coordinators retired (a cost centre, a billing code): past
    /// requests keep it, new ones may not take it.
    Retired,
    /// A line break in a one-line field, a control character, or more than the field holds.
    Text(TextProblem),
    /// An interpreter type chosen and no interpreter named (the seeds' submit rule).
    TypeWithoutInterpreter,
    /// A repetition that gives one appointment or none.
    SeriesTooShort,
    /// A repetition that gives more appointments than a series holds.
    SeriesTooLong(u32),
    /// A repetition on a draft or on a change: only a new request sent at once repeats.
    SeriesOnlyNew,
}

impl Problem {
    pub fn message(&self, locale: Locale) -> String {
        match (self, locale) {
            (Problem::Required, Locale::Fr) => "est obligatoire".into(),
            (Problem::Required, Locale::En) => "is required".into(),
            (Problem::InThePast, Locale::Fr) => "est déjà passée".into(),
            (Problem::InThePast, Locale::En) => "is in the past".into(),
            (Problem::TooShort(m), Locale::Fr) => format!("doit être d'au moins {m} minutes"),
            (Problem::TooShort(m), Locale::En) => format!("must be at least {m} minutes"),
            (Problem::TooLong(m), Locale::Fr) => format!("ne peut dépasser {} heures", m / 60),
            (Problem::TooLong(m), Locale::En) => format!("cannot exceed {} hours", m / 60),
            (Problem::SameAsTargetLanguage, Locale::Fr) => "doit différer de la langue d'arrivée".into(),
            (Problem::SameAsTargetLanguage, Locale::En) => "must differ from the target language".into(),
            (Problem::NotAfterStart, Locale::Fr) => "doit suivre l'heure du service".into(),
            (Problem::NotAfterStart, Locale::En) => "must be after the time of service".into(),
            (Problem::NotAfterDate, Locale::Fr) => "doit suivre la date du service".into(),
            (Problem::NotAfterDate, Locale::En) => "must be after the date of service".into(),
            (Problem::Unreadable(v), Locale::Fr) => format!("n'est pas compris : «\u{a0}{v}\u{a0}»"),
            (Problem::Unreadable(v), Locale::En) => format!("was not understood: \"{v}\""),
            (Problem::Unknown, Locale::Fr) => "n'existe pas ou ne vous est pas accessible".into(),
            (Problem::Unknown, Locale::En) => "does not exist or is not yours to use".into(),
            (Problem::Retired, Locale::Fr) => {
                "n'est plus en usage : la coordination l'a retiré ; choisissez-en un autre".into()
            }
            (Problem::Retired, Locale::En) => "is no longer in use: the coordinators retired it; choose another".into(),
            (Problem::Text(problem), _) => problem.message(locale),
            (Problem::TypeWithoutInterpreter, Locale::Fr) => "est choisi sans interprète à prioriser\u{a0}: \
                 nommez l'interprète, ou effacez le type d'interprète pour laisser la coordination choisir"
                .into(),
            (Problem::TypeWithoutInterpreter, Locale::En) => "is chosen with no preferred interpreter: \
                 name the interpreter, or clear the interpreter type to let the coordinators choose"
                .into(),
            (Problem::SeriesTooShort, Locale::Fr) => {
                "ne donne qu'un rendez-vous\u{a0}: la date de fin doit suivre la date du service".into()
            }
            (Problem::SeriesTooShort, Locale::En) => {
                "gives a single appointment: the end date must come after the date of service".into()
            }
            (Problem::SeriesOnlyNew, Locale::Fr) => "s'indique seulement dans une nouvelle demande envoyée aussitôt \
                 (ni brouillon ni modification)\u{a0}; retirez la ligne, ou faites une nouvelle demande"
                .into(),
            (Problem::SeriesOnlyNew, Locale::En) => {
                "only goes in a new request sent at once (not a draft nor a change); \
                 remove the line, or make a new request"
                    .into()
            }
            (Problem::SeriesTooLong(n), Locale::Fr) => {
                format!("donne plus de {n}\u{a0}rendez-vous, le plus qu'une série compte")
            }
            (Problem::SeriesTooLong(n), Locale::En) => {
                format!("gives more than {n} appointments, the most a series holds")
            }
        }
    }
}

/// One wrong field, said so a person can fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: Field,
    #[serde(flatten)]
    pub problem: Problem,
}

impl FieldError {
    pub fn new(field: Field, problem: Problem) -> Self {
        FieldError { field, problem }
    }

    /// "Durée : doit être d'au moins 15 minutes".
    pub fn describe(&self, locale: Locale) -> String {
        let sep = locale.pick("\u{a0}: ", ": ");
        format!("{}{}{}", self.field.label(locale), sep, self.problem.message(locale))
    }
}

/// The shortest interpretation the bank books, in minutes.
pub const MIN_DURATION_MINUTES: u32 = 15;
/// The longest single booking, in minutes (a full day of permanence).
pub const MAX_DURATION_MINUTES: u32 = 12 * 60;

impl RequestDetails {
    /// Rules between fields, checked against `now` in the bank's time zone.
    /// Returns every problem at once so a person fixes them in one go.
    pub fn check(&self, now: NaiveDateTime) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if self.location.trim().is_empty() {
            errors.push(FieldError::new(Field::Location, Problem::Required));
        }
        if self.request_type.is_timed() {
            if self.date.and_time(self.start_time) < now {
                errors.push(FieldError::new(Field::Date, Problem::InThePast));
            }
            if self.duration_minutes < MIN_DURATION_MINUTES {
                errors.push(FieldError::new(
                    Field::Duration,
                    Problem::TooShort(MIN_DURATION_MINUTES),
                ));
            }
        } else if self.date < now.date() {
            errors.push(FieldError::new(Field::Date, Problem::InThePast));
        }
        if self.duration_minutes > MAX_DURATION_MINUTES {
            errors.push(FieldError::new(Field::Duration, Problem::TooLong(MAX_DURATION_MINUTES)));
        }
        if let Some(until) = self.flexible_until
            && until <= self.start_time
        {
            errors.push(FieldError::new(Field::FlexibleUntil, Problem::NotAfterStart));
        }
        if self.source_language == self.target_language {
            errors.push(FieldError::new(Field::SourceLanguage, Problem::SameAsTargetLanguage));
        }
        if self.alternative_language.as_ref() == Some(&self.target_language) {
            errors.push(FieldError::new(
                Field::AlternativeLanguage,
                Problem::SameAsTargetLanguage,
            ));
        }
        if let Some(alt) = self.alternative_date
            && alt < now.date()
        {
            errors.push(FieldError::new(Field::AlternativeDate, Problem::InThePast));
        }
        if self.interpreter_type.is_some() && self.preferred_interpreter.is_none() {
            errors.push(FieldError::new(Field::InterpreterType, Problem::TypeWithoutInterpreter));
        }
        errors.extend(self.text_problems());
        errors
    }

    /// The free texts against the rule of `domain::text`, whoever typed them: one line for
    /// names, places and phones, no control character anywhere, none past its limit.
    pub fn text_problems(&self) -> Vec<FieldError> {
        let lines = [
            (Field::Location, Some(self.location.as_str()), text::LINE_MAX),
            (Field::Address, self.address.as_deref(), text::LINE_MAX),
            (
                Field::ProfessionalName,
                self.professional.name.as_deref(),
                text::LINE_MAX,
            ),
            (
                Field::ProfessionalFunction,
                self.professional.function.as_deref(),
                text::LINE_MAX,
            ),
            (Field::PatientName, self.patient.name.as_deref(), text::LINE_MAX),
            (Field::PatientPhone, self.patient.phone.as_deref(), text::LINE_MAX),
            (Field::VideoPlatform, self.video.platform.as_deref(), text::LINE_MAX),
            (Field::VideoLink, self.video.link.as_deref(), text::LINK_MAX),
            (Field::VideoPasscode, self.video.passcode.as_deref(), text::LINE_MAX),
            (Field::OnSiteName, self.on_site.name.as_deref(), text::LINE_MAX),
        ];
        let free = [
            (Field::Context, self.notes.context.as_deref()),
            (Field::Reason, self.notes.reason.as_deref()),
            (
                Field::MessageToInterpreter,
                self.notes.message_to_interpreter.as_deref(),
            ),
            (Field::CoordinatorNote, self.notes.coordinator_note.as_deref()),
            (Field::PatientDetails, self.patient.details.as_deref()),
        ];
        let one_line = lines
            .into_iter()
            .filter_map(|(field, value, max)| Some((field, text::line(value?, max).err()?)));
        let several = free
            .into_iter()
            .filter_map(|(field, value)| Some((field, text::lines(value?, text::TEXT_MAX).err()?)));
        one_line
            .chain(several)
            .map(|(field, problem)| FieldError::new(field, Problem::Text(problem)))
            .collect()
    }

    /// The appointment's start in the bank's local time.
    pub fn starts_at_local(&self) -> NaiveDateTime {
        self.date.and_time(self.start_time)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn details() -> RequestDetails {
        RequestDetails {
            installation_id: InstallationId(1),
            location: "Clinique externe".into(),
            address: None,
            request_type: RequestType::Phone,
            date: NaiveDate::from_ymd_opt(2026, 3, 9).unwrap(),
            start_time: NaiveTime::from_hms_opt(10, 0, 0).unwrap(),
            flexible_until: None,
            duration_minutes: 60,
            source_language: LanguageTag::parse("fr").unwrap(),
            target_language: LanguageTag::parse("es").unwrap(),
            alternative_language: None,
            alternative_date: None,
            professional: Professional::default(),
            preferred_interpreter: None,
            interpreter_gender: None,
            interpreter_must_notify_user: false,
            notes: Notes::default(),
            patient: PatientDetails::default(),
            video: VideoDetails::default(),
            cost_centre_id: None,
            billing_code_id: None,
            interpreter_type: None,
            on_site: OnSiteContact::default(),
            supplementary: false,
        }
    }

    #[test]
    fn free_texts_are_checked_whoever_typed_them() {
        let now = NaiveDate::from_ymd_opt(2026, 3, 2)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap();
        assert!(details().check(now).is_empty());
        let mut d = details();
        d.patient.name = Some("Jean\r\nBcc: x@example.org".into());
        d.notes.context = Some("Suivi.\nDeux lignes, c'est permis.".into());
        d.notes.reason = Some("a\0b".into());
        d.video.link = Some(format!("https://x.example/{}", "a".repeat(1900)));
        d.address = Some("x".repeat(201));
        let errors = d.check(now);
        assert_eq!(
            errors,
            [
                FieldError::new(Field::Address, Problem::Text(TextProblem::TooLong(200))),
                FieldError::new(Field::PatientName, Problem::Text(TextProblem::LineBreak)),
                FieldError::new(Field::Reason, Problem::Text(TextProblem::ControlCharacter)),
            ]
        );
        assert_eq!(errors[0].describe(Locale::Fr), "Adresse\u{a0}: au plus 200 caractères");
        assert_eq!(
            errors[1].describe(Locale::En),
            "Patient name: one line only: remove the line break"
        );
    }

    #[test]
    fn an_interpreter_type_needs_a_preferred_interpreter() {
        let now = NaiveDate::from_ymd_opt(2026, 3, 2)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap();
        let mut d = details();
        d.interpreter_type = Some(InterpreterType::Bank);
        let errors = d.check(now);
        assert_eq!(
            errors,
            [FieldError::new(Field::InterpreterType, Problem::TypeWithoutInterpreter)]
        );
        assert!(
            errors[0]
                .describe(Locale::Fr)
                .starts_with("Type d'interprète\u{a0}: est choisi sans")
        );
        d.preferred_interpreter = Some(PersonId(7));
        assert!(d.check(now).is_empty());
    }
}
