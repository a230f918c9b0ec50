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
                format!("« {line} » : écrivez une paire par ligne, par exemple « français > espagnol ».")
            }
            PersonProblem::LanguageLine(line) => {
                format!("“{line}”: write one pair a line, “French > Spanish” for example.")
            }
            PersonProblem::UnknownLanguage(name) if fr => format!("Langue inconnue : « {name} »."),
            PersonProblem::UnknownLanguage(name) => format!("Unknown language: “{name}”."),
            PersonProblem::NoLanguage => locale
                .pick(
                    "Au moins une paire de langues : sans elle, aucune offre ne lui parvient.",
                    "At least one language pair: without one, no offer reaches them.",
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
    fn text(&mut self, field: PersonField, value: &str, max: usize) -> Option<String> {
        match text::line(value, max) {
            Ok(v) => (!v.is_empty()).then(|| v.to_string()),
            Err(problem) => {
                self.push(field, PersonProblem::Text(problem));
                None
            }
        }
    }

    fn required(&mut self, field: PersonField, value: &str, max: usize) -> String {
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

/// The language pairs of `text`, one a line, "source > target" (also `→`, `->`, `<>`);
/// names or tags in French or English. A pair already held keeps its country of origin.
pub fn read_languages(text: &str, held: &[LanguagePair], problems: &mut Problems) -> Vec<LanguagePair> {
    let mut pairs: Vec<LanguagePair> = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let split = ["→", "->", "<>", "<->", ">"]
            .iter()
            .find_map(|sep| line.split_once(sep));
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
        if pairs.iter().any(|p| p.source == source && p.target == target) {
            continue;
        }
        let origin_country = held
            .iter()
            .find(|p| p.source == source && p.target == target)
            .and_then(|p| p.origin_country.clone());
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

/// The pairs as `read_languages` reads them back.
pub fn write_languages(pairs: &[LanguagePair], locale: Locale) -> String {
    pairs
        .iter()
        .map(|p| format!("{} > {}", p.source.name(locale), p.target.name(locale)))
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
}

impl FinancialForm<'_> {
    /// Reads the file over `held`: a tax number kept as it was keeps its period.
    pub fn read(&self, held: &FinancialFile, problems: &mut Problems) -> FinancialFile {
        let tax_registration = self.tax_registration.parse().unwrap_or_else(|_| {
            problems.push(PersonField::TaxRegistration, PersonProblem::Choice);
            TaxRegistration::NotRegistered
        });
        let mut number = |field, typed: &str, held: &Option<crate::domain::interpreter::TaxNumber>| {
            problems.text(field, typed, 40).map(|number| match held {
                Some(h) if h.number == number => h.clone(),
                _ => crate::domain::interpreter::TaxNumber {
                    number,
                    from: None,
                    until: None,
                },
            })
        };
        let gst = number(PersonField::Gst, self.gst, &held.gst);
        let qst = number(PersonField::Qst, self.qst, &held.qst);
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
        .read(&FinancialFile::default(), &mut problems);
        assert_eq!(file.legal_name, None);
        assert_eq!(problems.0[0].field, PersonField::LegalName);
    }

    #[test]
    fn languages_are_read_one_pair_a_line_in_either_language() {
        let mut problems = Problems::default();
        let held = vec![LanguagePair {
            source: LanguageTag::parse("fr").unwrap(),
            target: LanguageTag::parse("es").unwrap(),
            origin_country: Some("Mexique".into()),
        }];
        let pairs = read_languages(
            "Français > espagnol\n\nEnglish -> Arabic\nfr → es\n",
            &held,
            &mut problems,
        );
        assert!(problems.0.is_empty(), "{:?}", problems.0);
        assert_eq!(pairs.len(), 2, "the repeated pair counts once");
        assert_eq!(pairs[0].origin_country.as_deref(), Some("Mexique"));
        assert_eq!(pairs[1].target.as_str(), "ar");
        assert_eq!(
            write_languages(&pairs, Locale::Fr).to_lowercase(),
            "français > espagnol\nanglais > arabe"
        );
    }

    #[test]
    fn a_wrong_language_line_is_quoted_back() {
        let mut problems = Problems::default();
        read_languages("français espagnol\nfrançais > klingon", &[], &mut problems);
        assert_eq!(
            problems.0.iter().map(|p| p.problem.clone()).collect::<Vec<_>>(),
            vec![
                PersonProblem::LanguageLine("français espagnol".into()),
                PersonProblem::UnknownLanguage("klingon".into()),
            ]
        );
        let mut none = Problems::default();
        assert!(read_languages("  \n", &[], &mut none).is_empty());
        assert_eq!(none.0[0].problem, PersonProblem::NoLanguage);
    }

    #[test]
    fn a_tax_number_kept_keeps_its_period() {
        let since = chrono::NaiveDate::from_ymd_opt(2024, 1, 1);
        let held = FinancialFile {
            gst: Some(crate::domain::interpreter::TaxNumber {
                number: "123456789RT0001".into(),
                from: since,
                until: None,
            }),
            ..FinancialFile::default()
        };
        let mut problems = Problems::default();
        let form = FinancialForm {
            legal_name: "",
            supplier_number: "F-22",
            tax_registration: "added",
            gst: "123456789RT0001",
            qst: "1234567890TQ0001",
        };
        let file = form.read(&held, &mut problems);
        assert!(problems.0.is_empty());
        assert_eq!(file.gst.unwrap().from, since);
        assert_eq!(file.qst.unwrap().from, None);
        assert_eq!(file.tax_registration, TaxRegistration::Added);
        assert_eq!(file.legal_name, None);
        let wrong = FinancialForm {
            tax_registration: "maybe",
            ..form
        };
        let mut problems = Problems::default();
        wrong.read(&held, &mut problems);
        assert_eq!(problems.0[0].field, PersonField::TaxRegistration);
    }
}
