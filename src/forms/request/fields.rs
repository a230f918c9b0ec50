//! The fields of the request form, in the order the form lists them: each with its
//! canonical key, how its value is read, its labels and hints in French and English, and
//! the other labels people write for it.

use crate::domain::locale::Locale;
use crate::domain::text;

/// A field of the form email, with its canonical key (docs/inbound-mail.md).
///
/// The declaration order is the order of the form email, so the derived `Ord`
/// sorts fields (and their errors) the way the form lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FormField {
    RequestType,
    Date,
    AlternativeDate,
    StartTime,
    FlexibleUntil,
    DurationMinutes,
    /// « Répétition : chaque semaine, 8 fois »: a series, one request per occurrence.
    Repetition,
    SourceLanguage,
    TargetLanguage,
    AlternativeLanguage,
    Installation,
    Location,
    Address,
    OnSiteName,
    OnSitePhone,
    Context,
    ProfessionalName,
    ProfessionalFunction,
    ProfessionalPhone,
    ProfessionalEmail,
    InterpreterType,
    PreferredInterpreter,
    InterpreterGender,
    NotifyUser,
    Reason,
    MessageToInterpreter,
    NoteToCoordinator,
    PatientName,
    PatientPhone,
    PatientDetails,
    CostCentre,
    BillingCode,
    VideoPlatform,
    VideoLink,
    VideoPasscode,
    Supplementary,
    /// « Brouillon : oui » saves the request without sending it.
    Draft,
    SendAnyway,
}

/// How a field's value is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Text,
    Date,
    Time,
    Duration,
    Language,
    RequestType,
    YesNo,
    Gender,
    InterpreterType,
    Repetition,
}

/// Everything the form knows about one field. Kept as one table, one row per
/// field, so that labels, hints and synonyms of a field are read side by side.
pub(super) struct Spec {
    pub(super) field: FormField,
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
pub(super) static SPECS: [Spec; 38] = [
    Spec { field: FormField::RequestType, key: "request_type", kind: Kind::RequestType,
        label_fr: "Type de demande", label_en: "Request type",
        hint_fr: "[en présentiel, téléphone, vidéo, transmission de message, traduction, permanence, service professionnel]",
        hint_en: "[in person, phone, video, message, translation, permanence, professional service]",
        synonyms: &["Type de service", "Type", "Type of request", "Service type"] },
    Spec { field: FormField::Date, key: "date", kind: Kind::Date,
        label_fr: "Date du service", label_en: "Date of service",
        hint_fr: "[AAAA-MM-JJ ou JJ/MM/AAAA]", hint_en: "[YYYY-MM-DD or DD/MM/YYYY]",
        synonyms: &["Date", "Date du rendez-vous", "Appointment date", "Service date"] },
    Spec { field: FormField::AlternativeDate, key: "alternative_date", kind: Kind::Date,
        label_fr: "Date alternative", label_en: "Alternative date",
        hint_fr: "[facultatif, si personne n'est libre à la date du service]",
        hint_en: "[optional, if nobody is free on the date of service]",
        synonyms: &["Autre date", "Other date", "Date de rechange"] },
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
    Spec { field: FormField::Repetition, key: "repetition", kind: Kind::Repetition,
        label_fr: "Répétition", label_en: "Repeat",
        hint_fr: "[facultatif, ex. chaque semaine, 8 fois\u{a0}; toutes les 2 semaines jusqu'au AAAA-MM-JJ]",
        hint_en: "[optional, e.g. every week, 8 times; every 2 weeks until YYYY-MM-DD]",
        synonyms: &["Répéter", "Récurrence", "Série", "Repetition", "Recurrence", "Series", "Repeats"] },
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
    Spec { field: FormField::OnSiteName, key: "on_site_name", kind: Kind::Text,
        label_fr: "Personne qui reçoit l'interprète", label_en: "Person receiving the interpreter",
        hint_fr: "[nom de la personne sur place]", hint_en: "[name of the person on site]",
        synonyms: &["Personne sur place", "Personne de contact sur place", "Reçu par", "Accueil",
            "On-site contact", "Contact on site", "Received by"] },
    Spec { field: FormField::OnSitePhone, key: "on_site_phone", kind: Kind::Text,
        label_fr: "Téléphone de la personne qui reçoit", label_en: "Phone of the person receiving",
        hint_fr: "[ex. 514 555-1234, poste 123]", hint_en: "[e.g. 514 555-1234, ext. 123]",
        synonyms: &["Téléphone sur place", "Téléphone de la personne sur place", "On-site phone",
            "On-site contact phone"] },
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
    Spec { field: FormField::InterpreterType, key: "interpreter_type", kind: Kind::InterpreterType,
        label_fr: "Type d'interprète", label_en: "Interpreter type",
        hint_fr: "[BI du RSSS ou fournisseur externe, facultatif ; exige un interprète à prioriser]",
        hint_en: "[bank (BI du RSSS) or external provider, optional; needs a preferred interpreter]",
        synonyms: &["Type de l'interprète", "Type of interpreter"] },
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
    Spec { field: FormField::PatientDetails, key: "patient_details", kind: Kind::Text,
        label_fr: "Précisions sur l'usager", label_en: "About the patient",
        hint_fr: "[coordonnées, particularités ; facultatif]", hint_en: "[contact details, specifics; optional]",
        synonyms: &["Détails du patient", "Détails de l'usager", "Précisions sur le patient", "Patient details",
            "About the user"] },
    Spec { field: FormField::CostCentre, key: "cost_centre", kind: Kind::Text,
        label_fr: "Centre de coût", label_en: "Cost centre",
        hint_fr: "[numéro du centre de coût]", hint_en: "[cost centre number]",
        synonyms: &["Centre de coûts", "Cost center"] },
    Spec { field: FormField::BillingCode, key: "billing_code", kind: Kind::Text,
        label_fr: "Code de facturation", label_en: "Billing code",
        hint_fr: "[code de facturation de l'institution]", hint_en: "[the institution's billing code]",
        synonyms: &["Code facturation", "Billing"] },
    Spec { field: FormField::VideoPlatform, key: "video_platform", kind: Kind::Text,
        label_fr: "Plateforme vidéo", label_en: "Video platform",
        hint_fr: "[ex. Teams, Zoom]", hint_en: "[e.g. Teams, Zoom]",
        synonyms: &["Plateforme", "Platform"] },
    Spec { field: FormField::VideoLink, key: "video_link", kind: Kind::Text,
        label_fr: "Lien vidéo", label_en: "Video link",
        hint_fr: "[lien de la rencontre]", hint_en: "[meeting link]",
        synonyms: &["Lien", "Link", "Lien de la rencontre", "Meeting link"] },
    Spec { field: FormField::VideoPasscode, key: "video_passcode", kind: Kind::Text,
        label_fr: "Code secret ou mot de passe", label_en: "Video passcode",
        hint_fr: "[de la rencontre vidéo, facultatif]", hint_en: "[of the video meeting, optional]",
        synonyms: &["Code secret", "Mot de passe", "Code de la rencontre", "Code de la rencontre vidéo",
            "Passcode", "Password", "Meeting passcode"] },
    Spec { field: FormField::Supplementary, key: "supplementary", kind: Kind::YesNo,
        label_fr: "Demande supplémentaire", label_en: "Additional request",
        hint_fr: "[oui ou non]", hint_en: "[yes or no]",
        synonyms: &["Supplementary request", "Supplémentaire"] },
    Spec { field: FormField::Draft, key: "draft", kind: Kind::YesNo,
        label_fr: "Brouillon", label_en: "Draft",
        hint_fr: "[oui pour l'enregistrer sans l'envoyer, facultatif]",
        hint_en: "[yes to save it without sending it, optional]",
        synonyms: &["Enregistrer comme brouillon", "Garder en brouillon", "Save as draft", "Keep as draft"] },
    Spec { field: FormField::SendAnyway, key: "send_anyway", kind: Kind::YesNo,
        label_fr: "Envoyer quand même", label_en: "Send anyway",
        hint_fr: "[oui pour envoyer malgré la demande semblable]", hint_en: "[yes to send despite the similar request]",
        synonyms: &["Envoyer quand meme", "Send it anyway"] },
];

impl FormField {
    /// Every field, in the order the form email lists them.
    pub const ALL: [FormField; 38] = [
        FormField::RequestType,
        FormField::Date,
        FormField::AlternativeDate,
        FormField::StartTime,
        FormField::FlexibleUntil,
        FormField::DurationMinutes,
        FormField::Repetition,
        FormField::SourceLanguage,
        FormField::TargetLanguage,
        FormField::AlternativeLanguage,
        FormField::Installation,
        FormField::Location,
        FormField::Address,
        FormField::OnSiteName,
        FormField::OnSitePhone,
        FormField::Context,
        FormField::ProfessionalName,
        FormField::ProfessionalFunction,
        FormField::ProfessionalPhone,
        FormField::ProfessionalEmail,
        FormField::InterpreterType,
        FormField::PreferredInterpreter,
        FormField::InterpreterGender,
        FormField::NotifyUser,
        FormField::Reason,
        FormField::MessageToInterpreter,
        FormField::NoteToCoordinator,
        FormField::PatientName,
        FormField::PatientPhone,
        FormField::PatientDetails,
        FormField::CostCentre,
        FormField::BillingCode,
        FormField::VideoPlatform,
        FormField::VideoLink,
        FormField::VideoPasscode,
        FormField::Supplementary,
        FormField::Draft,
        FormField::SendAnyway,
    ];

    fn spec(self) -> &'static Spec {
        // The discriminants are 0..38 in declaration order, which is the order
        // of SPECS (checked by a test), so this index never goes out of bounds.
        &SPECS[self as usize]
    }

    pub(super) fn kind(self) -> Kind {
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
            FormField::Context
            | FormField::Reason
            | FormField::MessageToInterpreter
            | FormField::NoteToCoordinator
            | FormField::PatientDetails => (TextShape::Lines, text::TEXT_MAX),
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
pub(super) const MANDATORY: [FormField; 5] = [
    FormField::RequestType,
    FormField::Date,
    FormField::StartTime,
    FormField::DurationMinutes,
    FormField::TargetLanguage,
];
