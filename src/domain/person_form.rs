//! What a coordinator types about a person (`/admin/people`), read into typed values: the
//! contact block every person has, an interpreter's language pairs (one a line, "français >
//! espagnol") and financial file. Each wrong field is named with its problem, so the form
//! can come back with the message beside it and nothing saved.

use crate::domain::contact::{EmailAddress, PhoneE164};
use crate::domain::interpreter::{FinancialFile, LanguagePair, TaxRegistration};
use crate::domain::language::LanguageTag;
use crate::domain::locale::Locale;
use crate::domain::text::{self, TextProblem};

/// The field of a person form a problem is about; `key()` is its form name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonField {
    Role,
    FirstName,
    LastName,
    Email,
    Mobile,
    Phone,
    Installation,
    CostCentre,
    Languages,
    LegalName,
    SupplierNumber,
    TaxRegistration,
    Gst,
    Qst,
    GstFrom,
    GstUntil,
    QstFrom,
    QstUntil,
    Gender,
    MainRegion,
    Address,
    PostalCode,
    WorkPostalCodes,
    RequestTypes,
    Blocked,
    Contexts,
    DocumentName,
    DocumentDescription,
    DocumentUntil,
    DocumentInactive,
    DocumentComments,
    /// An eligibility document's file, the form's `attachments` input.
    DocumentFile,
    Inactivity,
    Roles,
}

impl PersonField {
    pub fn key(self) -> &'static str {
        match self {
            PersonField::Role => "role",
            PersonField::FirstName => "first_name",
            PersonField::LastName => "last_name",
            PersonField::Email => "email",
            PersonField::Mobile => "mobile",
            PersonField::Phone => "phone",
            PersonField::Installation => "installation",
            PersonField::CostCentre => "cost_centre",
            PersonField::Languages => "languages",
            PersonField::LegalName => "legal_name",
            PersonField::SupplierNumber => "supplier_number",
            PersonField::TaxRegistration => "tax_registration",
            PersonField::Gst => "gst",
            PersonField::Qst => "qst",
            PersonField::GstFrom => "gst_from",
            PersonField::GstUntil => "gst_until",
            PersonField::QstFrom => "qst_from",
            PersonField::QstUntil => "qst_until",
            PersonField::Gender => "gender",
            PersonField::MainRegion => "main_region",
            PersonField::Address => "address",
            PersonField::PostalCode => "postal_code",
            PersonField::WorkPostalCodes => "work_postal_codes",
            PersonField::RequestTypes => "request_types",
            PersonField::Blocked => "blocked",
            PersonField::Contexts => "contexts",
            PersonField::DocumentName => "document_name",
            PersonField::DocumentDescription => "document_description",
            PersonField::DocumentUntil => "document_until",
            PersonField::DocumentInactive => "document_inactive",
            PersonField::DocumentComments => "document_comments",
            PersonField::DocumentFile => "attachments",
            PersonField::Inactivity => "inactivity",
            PersonField::Roles => "roles",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PersonProblem {
    Required,
    /// A line break, a control character, or more characters than the field holds.
    Text(TextProblem),
    Email,
    Mobile,
    /// Another person has this address: addresses are how mail finds people.
    EmailTaken,
    /// Not one of the choices offered.
    Choice,
    /// A requester belongs to at least one installation.
    NoInstallation,
    /// This line of the languages is not "language > language".
    LanguageLine(String),
    /// This language is not one the bank knows.
    UnknownLanguage(String),
    /// An interpreter without a language pair is offered nothing.
    NoLanguage,
    /// An interpreter who takes no type of request is offered nothing.
    NoRequestType,
    /// Not a date written `AAAA-MM-JJ`.
    Date(String),
    /// A file refused as `web::uploads::check_file` said why, in the reader's language.
    File(String),
    /// This line of the inactivity periods is not `start → end | reason`.
    InactivityLine(String),
    /// A person holds at least one role, and their default role among them.
    NoRole,
}

impl PersonProblem {
    pub fn message(&self, locale: Locale) -> String {
        let fr = locale == Locale::Fr;
        match self {
            PersonProblem::Required => locale
                .pick("Ce champ est obligatoire.", "This field is required.")
                .into(),
            PersonProblem::Text(problem) => problem.sentence(locale),
            PersonProblem::Email => locale
                .pick("Adresse courriel invalide.", "Invalid email address.")
                .into(),
            PersonProblem::Mobile => locale
                .pick(
                    "Numéro de cellulaire invalide (par exemple 514 555-0123).",
                    "Invalid mobile number (for example 514 555-0123).",
                )
                .into(),
            PersonProblem::EmailTaken => locale
                .pick(
                    "Une autre personne a déjà cette adresse courriel.",
                    "Another person has this email address already.",
                )
                .into(),
            PersonProblem::Choice => locale
                .pick(
                    "Choisissez une des valeurs proposées.",
                    "Choose one of the values offered.",
                )
                .into(),
            PersonProblem::NoInstallation => locale
                .pick(
                    "Un demandeur appartient à au moins une installation.",
                    "A requester belongs to at least one installation.",
                )
                .into(),
            PersonProblem::LanguageLine(line) if fr => {
                format!(
                    "«\u{a0}{line}\u{a0}»\u{a0}: écrivez une paire par ligne, par exemple «\u{a0}français > espagnol (Mexique)\u{a0}»."
                )
            }
            PersonProblem::LanguageLine(line) => {
                format!("“{line}”: write one pair a line, “French > Spanish (Mexico)” for example.")
            }
            PersonProblem::UnknownLanguage(name) if fr => format!("Langue inconnue\u{a0}: «\u{a0}{name}\u{a0}»."),
            PersonProblem::UnknownLanguage(name) => format!("Unknown language: “{name}”."),
            PersonProblem::NoLanguage => locale
                .pick(
                    "Au moins une paire de langues\u{a0}: sans elle, aucune offre ne lui parvient.",
                    "At least one language pair: without one, no offer reaches them.",
                )
                .into(),
            PersonProblem::NoRequestType => locale
                .pick(
                    "Au moins un type de demande\u{a0}: sans lui, aucune offre ne lui parvient.",
                    "At least one request type: without one, no offer reaches them.",
                )
                .into(),
            PersonProblem::Date(typed) if fr => {
                format!("Date invalide\u{a0}: «\u{a0}{typed}\u{a0}» (écrivez AAAA-MM-JJ, par exemple 2026-03-30).")
            }
            PersonProblem::Date(typed) => {
                format!("Invalid date: “{typed}” (write YYYY-MM-DD, 2026-03-30 for example).")
            }
            PersonProblem::File(why) => format!("{why}."),
            PersonProblem::InactivityLine(line) if fr => format!(
                "«\u{a0}{line}\u{a0}»\u{a0}: une période par ligne, «\u{a0}AAAA-MM-JJ HH:MM → AAAA-MM-JJ HH:MM | raison\u{a0}», la fin après le début."
            ),
            PersonProblem::InactivityLine(line) => format!(
                "“{line}”: one period a line, “YYYY-MM-DD HH:MM → YYYY-MM-DD HH:MM | reason”, the end after the start."
            ),
            PersonProblem::NoRole => locale
                .pick(
                    "Au moins un rôle, et le rôle par défaut parmi eux.",
                    "At least one role, and the default role among them.",
                )
                .into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonFieldError {
    pub field: PersonField,
    pub problem: PersonProblem,
}

/// The problems found while reading a form, in the order of its fields.
#[derive(Debug, Default)]
pub struct Problems(pub Vec<PersonFieldError>);

impl Problems {
    pub fn push(&mut self, field: PersonField, problem: PersonProblem) {
        self.0.push(PersonFieldError { field, problem });
    }

    /// `value` read, or `Err` with every problem found.
    pub fn or<T>(self, value: T) -> Result<T, Vec<PersonFieldError>> {
        if self.0.is_empty() { Ok(value) } else { Err(self.0) }
    }

    /// A one-line value as `domain::text` allows it; `None` when empty or refused.
    pub(crate) fn text(&mut self, field: PersonField, value: &str, max: usize) -> Option<String> {
        match text::line(value, max) {
            Ok(v) => (!v.is_empty()).then(|| v.to_string()),
            Err(problem) => {
                self.push(field, PersonProblem::Text(problem));
                None
            }
        }
    }

    pub(crate) fn required(&mut self, field: PersonField, value: &str, max: usize) -> String {
        let before = self.0.len();
        let v = self.text(field, value, max);
        if v.is_none() && self.0.len() == before {
            self.push(field, PersonProblem::Required);
        }
        v.unwrap_or_default()
    }
}

const NAME_MAX: usize = 100;
const TEXT_MAX: usize = 200;

/// The contact block, as typed.
#[derive(Debug, Clone, Default)]
pub struct ContactForm<'a> {
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub email: &'a str,
    pub mobile: &'a str,
    pub phone: &'a str,
    pub locale: &'a str,
}

/// The contact block, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub first_name: String,
    pub last_name: String,
    pub email: EmailAddress,
    pub mobile: Option<PhoneE164>,
    pub phone: Option<String>,
    pub locale: Locale,
}

impl ContactForm<'_> {
    /// Reads the block into `problems`; `None` when a field is wrong.
    pub fn read(&self, phone_region: &str, problems: &mut Problems) -> Option<Contact> {
        let before = problems.0.len();
        let first_name = problems.required(PersonField::FirstName, self.first_name, NAME_MAX);
        let last_name = problems.required(PersonField::LastName, self.last_name, NAME_MAX);
        let email = match self.email.trim() {
            "" => {
                problems.push(PersonField::Email, PersonProblem::Required);
                None
            }
            typed => EmailAddress::parse(typed)
                .map_err(|_| problems.push(PersonField::Email, PersonProblem::Email))
                .ok(),
        };
        let mobile = match self.mobile.trim() {
            "" => None,
            typed => PhoneE164::parse(typed, phone_region)
                .map_err(|_| problems.push(PersonField::Mobile, PersonProblem::Mobile))
                .ok(),
        };
        let phone = problems.text(PersonField::Phone, self.phone, 40);
        let locale = match self.locale {
            "en" => Locale::En,
            _ => Locale::Fr,
        };
        if problems.0.len() > before {
            return None;
        }
        Some(Contact {
            first_name,
            last_name,
            email: email?,
            mobile,
            phone,
            locale,
        })
    }
}

/// The language pairs of `text`, one a line, "source > target (country of origin)" (also
/// `→`, `->`, `<>`); names or tags in French or English; the country, in brackets, is
/// optional and kept as typed.
pub fn read_languages(text: &str, problems: &mut Problems) -> Vec<LanguagePair> {
    let mut pairs: Vec<LanguagePair> = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (pair, origin_country) = match split_country(line) {
            Some((pair, country)) => (pair, problems.text(PersonField::Languages, country, 80)),
            None => (line, None),
        };
        let split = ["→", "->", "<>", "<->", ">"]
            .iter()
            .find_map(|sep| pair.split_once(sep));
        let Some((source, target)) = split else {
            problems.push(PersonField::Languages, PersonProblem::LanguageLine(line.to_string()));
            continue;
        };
        let tag = |name: &str, problems: &mut Problems| {
            LanguageTag::parse(name.trim())
                .map_err(|_| {
                    let name = name.trim().to_string();
                    problems.push(PersonField::Languages, PersonProblem::UnknownLanguage(name))
                })
                .ok()
        };
        let (Some(source), Some(target)) = (tag(source, problems), tag(target, problems)) else {
            continue;
        };
        // A profile says where an interpreter's language comes from as its country of
        // origin: « espagnol du Mexique » is Spanish, from Mexico, as « espagnol (Mexique) »;
        // a country in brackets says it first.
        let origin_country = origin_country.or_else(|| target.region_name(Locale::Fr).map(str::to_string));
        let target = target.general();
        if pairs.iter().any(|p| p.source == source && p.target == target) {
            continue;
        }
        pairs.push(LanguagePair {
            source,
            target,
            origin_country,
        });
    }
    if pairs.is_empty() && !problems.0.iter().any(|p| p.field == PersonField::Languages) {
        problems.push(PersonField::Languages, PersonProblem::NoLanguage);
    }
    pairs
}

/// A line's pair and the country of origin in brackets at its end, if any. Brackets that
/// belong to the target language's own name ("arabe (Maroc)") are not a country.
fn split_country(line: &str) -> Option<(&str, &str)> {
    let (pair, country) = line.strip_suffix(')')?.rsplit_once('(')?;
    let target = line.rsplit(['>', '→']).next().unwrap_or(line);
    if LanguageTag::parse(target.trim()).is_ok() {
        return None;
    }
    Some((pair, country))
}

/// The pairs as `read_languages` reads them back, each with its country of origin.
pub fn write_languages(pairs: &[LanguagePair], locale: Locale) -> String {
    pairs
        .iter()
        .map(|p| {
            let pair = format!("{} > {}", p.source.name(locale), p.target.name(locale));
            match &p.origin_country {
                Some(country) => format!("{pair} ({country})"),
                None => pair,
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The financial file, as typed.
#[derive(Debug, Clone, Default)]
pub struct FinancialForm<'a> {
    pub legal_name: &'a str,
    pub supplier_number: &'a str,
    pub tax_registration: &'a str,
    pub gst: &'a str,
    pub qst: &'a str,
    /// The registration periods, `AAAA-MM-JJ`, each end optional.
    pub gst_from: &'a str,
    pub gst_until: &'a str,
    pub qst_from: &'a str,
    pub qst_until: &'a str,
}

impl FinancialForm<'_> {
    /// Reads the file: each tax number with the period typed beside it.
    pub fn read(&self, problems: &mut Problems) -> FinancialFile {
        use crate::domain::interpreter_form::read_date;
        let tax_registration = self.tax_registration.parse().unwrap_or_else(|_| {
            problems.push(PersonField::TaxRegistration, PersonProblem::Choice);
            TaxRegistration::NotRegistered
        });
        let mut number = |fields: [PersonField; 3], typed: [&str; 3]| {
            let from = read_date(typed[1], fields[1], problems);
            let until = read_date(typed[2], fields[2], problems);
            if let (Some(from), Some(until)) = (from, until)
                && until < from
            {
                problems.push(fields[2], PersonProblem::Date(typed[2].trim().to_string()));
            }
            problems
                .text(fields[0], typed[0], 40)
                .map(|number| crate::domain::interpreter::TaxNumber { number, from, until })
        };
        let gst = number(
            [PersonField::Gst, PersonField::GstFrom, PersonField::GstUntil],
            [self.gst, self.gst_from, self.gst_until],
        );
        let qst = number(
            [PersonField::Qst, PersonField::QstFrom, PersonField::QstUntil],
            [self.qst, self.qst_from, self.qst_until],
        );
        FinancialFile {
            legal_name: problems.text(PersonField::LegalName, self.legal_name, TEXT_MAX),
            supplier_number: problems.text(PersonField::SupplierNumber, self.supplier_number, 40),
            tax_registration,
            gst,
            qst,
        }
    }
}

/// The choices of a tax registration, in the seeds' words.
pub fn tax_registrations(locale: Locale) -> Vec<(String, String)> {
    [
        (
            TaxRegistration::NotRegistered,
            "Non inscrit aux taxes",
            "Not registered for taxes",
        ),
        (
            TaxRegistration::Inclusive,
            "Inscrit, taxes incluses dans les tarifs",
            "Registered, taxes included in the rates",
        ),
        (
            TaxRegistration::Added,
            "Inscrit, taxes ajoutées aux tarifs",
            "Registered, taxes added to the rates",
        ),
    ]
    .into_iter()
    .map(|(t, fr, en)| (t.as_str().to_string(), locale.pick(fr, en).to_string()))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact(email: &str, mobile: &str) -> Result<Contact, Vec<PersonFieldError>> {
        let mut problems = Problems::default();
        let form = ContactForm {
            first_name: " Amina ",
            last_name: "Haddad",
            email,
            mobile,
            phone: "",
            locale: "en",
        };
        let read = form.read("CA", &mut problems);
        problems.or(()).map(|()| read.unwrap())
    }

    #[test]
    fn a_contact_is_read_trimmed_and_typed() {
        let c = contact("Amina@Example.org", "514 555-0123").unwrap();
        assert_eq!(c.first_name, "Amina");
        assert_eq!(c.mobile.unwrap().as_str(), "+15145550123");
        assert_eq!(c.locale, Locale::En);
        assert_eq!(c.phone, None);
    }

    #[test]
    fn each_wrong_contact_field_is_named() {
        let errors = contact("not an address", "12").unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, vec![PersonField::Email, PersonField::Mobile]);
        let missing = contact("", "").unwrap_err();
        assert_eq!(missing[0].problem, PersonProblem::Required);
    }

    #[test]
    fn a_line_break_or_control_character_is_refused_with_its_field() {
        let mut problems = Problems::default();
        let form = ContactForm {
            first_name: "Amina\r\nBcc: tous@example.org",
            last_name: "Had\u{0}dad",
            email: "amina@example.org",
            mobile: "",
            phone: &"5".repeat(41),
            locale: "fr",
        };
        assert!(form.read("CA", &mut problems).is_none(), "nothing read, nothing saved");
        let found: Vec<_> = problems.0.iter().map(|e| (e.field, e.problem.clone())).collect();
        assert_eq!(
            found,
            vec![
                (PersonField::FirstName, PersonProblem::Text(TextProblem::LineBreak)),
                (
                    PersonField::LastName,
                    PersonProblem::Text(TextProblem::ControlCharacter)
                ),
                (PersonField::Phone, PersonProblem::Text(TextProblem::TooLong(40))),
            ]
        );
        assert_eq!(
            found[0].1.message(Locale::Fr),
            "Une seule ligne\u{a0}: retirez le saut de ligne."
        );
        assert_eq!(found[2].1.message(Locale::En), "At most 40 characters.");
        let mut problems = Problems::default();
        let file = FinancialForm {
            legal_name: "Traduction\nInc.",
            tax_registration: "not_registered",
            ..FinancialForm::default()
        }
        .read(&mut problems);
        assert_eq!(file.legal_name, None);
        assert_eq!(problems.0[0].field, PersonField::LegalName);
    }

    #[test]
    fn languages_are_read_one_pair_a_line_in_either_language() {
        let mut problems = Problems::default();
        let pairs = read_languages(
            "Français > espagnol (Mexique)\n\nEnglish -> Arabic\nfr → es\n",
            &mut problems,
        );
        assert!(problems.0.is_empty(), "{:?}", problems.0);
        assert_eq!(pairs.len(), 2, "the repeated pair counts once");
        let dialect = read_languages(
            "français > arabe (Maroc)\nfrançais > arabe (Maroc) (Maroc)",
            &mut problems,
        );
        assert_eq!(dialect[0].target.as_str(), "ar-MA", "a language's own brackets");
        assert_eq!(dialect[0].origin_country, None);
        assert_eq!(dialect.len(), 1, "the same pair, the first one kept");
        assert_eq!(pairs[0].origin_country.as_deref(), Some("Mexique"));
        assert_eq!(pairs[1].target.as_str(), "ar");
        assert_eq!(pairs[1].origin_country, None);
        let written = write_languages(&pairs, Locale::Fr);
        assert_eq!(written.to_lowercase(), "français > espagnol (mexique)\nanglais > arabe");
        assert_eq!(read_languages(&written, &mut problems), pairs);
        // A region named with the language is the country of origin, as in brackets.
        let from = read_languages("français > espagnol du Mexique\nfr > es-MX (Cuba)", &mut problems);
        assert_eq!(from.len(), 1, "{from:?}");
        assert_eq!(from[0].target.as_str(), "es");
        assert_eq!(from[0].origin_country.as_deref(), Some("Mexique"));
    }

    #[test]
    fn a_wrong_language_line_is_quoted_back() {
        let mut problems = Problems::default();
        read_languages("français espagnol\nfrançais > klingon", &mut problems);
        assert_eq!(
            problems.0.iter().map(|p| p.problem.clone()).collect::<Vec<_>>(),
            vec![
                PersonProblem::LanguageLine("français espagnol".into()),
                PersonProblem::UnknownLanguage("klingon".into()),
            ]
        );
        let mut none = Problems::default();
        assert!(read_languages("  \n", &mut none).is_empty());
        assert_eq!(none.0[0].problem, PersonProblem::NoLanguage);
    }

    #[test]
    fn tax_numbers_are_read_with_their_periods() {
        let mut problems = Problems::default();
        let form = FinancialForm {
            legal_name: "",
            supplier_number: "F-22",
            tax_registration: "added",
            gst: "123456789RT0001",
            gst_from: "2024-01-01",
            qst: "1234567890TQ0001",
            qst_until: "2026-12-31",
            ..FinancialForm::default()
        };
        let file = form.read(&mut problems);
        assert!(problems.0.is_empty(), "{:?}", problems.0);
        let gst = file.gst.unwrap();
        assert_eq!(gst.from, chrono::NaiveDate::from_ymd_opt(2024, 1, 1));
        assert_eq!(gst.until, None);
        assert_eq!(file.qst.unwrap().until, chrono::NaiveDate::from_ymd_opt(2026, 12, 31));
        assert_eq!(file.tax_registration, TaxRegistration::Added);
        assert_eq!(file.legal_name, None);
        let wrong = FinancialForm {
            tax_registration: "maybe",
            gst_until: "2023-12-31",
            qst_from: "1er janvier",
            ..form
        };
        let mut problems = Problems::default();
        wrong.read(&mut problems);
        let fields: Vec<_> = problems.0.iter().map(|p| p.field).collect();
        assert_eq!(
            fields,
            vec![
                PersonField::TaxRegistration,
                PersonField::GstUntil,
                PersonField::QstFrom
            ]
        );
    }
}
