//! The interpreter's profile: languages, request types, availability, eligibility, money.

use crate::domain::ids::EstablishmentId;
use crate::domain::language::LanguageTag;
use crate::domain::request::{Gender, RequestType};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc, Weekday};
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// One line of "compétences linguistiques".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LanguagePair {
    pub source: LanguageTag,
    pub target: LanguageTag,
    /// Pays d'origine.
    pub origin_country: Option<String>,
}

/// Disponibilités: always, or weekly hours in the bank's time zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "hours")]
pub enum Availability {
    /// 24/7.
    Always,
    Weekly(Vec<WeeklyHours>),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeeklyHours {
    pub weekday: Weekday,
    pub starts: NaiveTime,
    pub ends: NaiveTime,
}

/// A period the interpreter is away (vacances, congé maladie…).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inactivity {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub reason: Option<String>,
}

/// Admissibilité au travail: a work or study permit, a membership card…
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EligibilityDocument {
    pub name: String,
    pub description: Option<String>,
    /// Date de fin de validité.
    pub valid_until: Option<NaiveDate>,
    /// Compte inactif si non valide.
    pub inactive_if_invalid: bool,
    pub comments: Option<String>,
    /// The file attached to it (the permit's scan): the id of one of the interpreter's
    /// files, which the page shows beside this document rather than among the others.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_id: Option<i64>,
}

impl EligibilityDocument {
    /// Whether this document stops the interpreter from working on `date`.
    pub fn excludes_on(&self, date: NaiveDate) -> bool {
        self.inactive_if_invalid && self.valid_until.is_some_and(|until| date > until)
    }
}

/// Inscription TPS/TVQ: whether the interpreter's amounts include the taxes or add them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaxRegistration {
    /// Not registered: no tax is charged.
    #[default]
    NotRegistered,
    /// Registered; the rates paid already include the taxes.
    Inclusive,
    /// Registered; the taxes are added to the rates.
    Added,
}

impl TaxRegistration {
    pub fn as_str(self) -> &'static str {
        match self {
            TaxRegistration::NotRegistered => "not_registered",
            TaxRegistration::Inclusive => "inclusive",
            TaxRegistration::Added => "added",
        }
    }
}

impl FromStr for TaxRegistration {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "not_registered" => Ok(TaxRegistration::NotRegistered),
            "inclusive" => Ok(TaxRegistration::Inclusive),
            "added" => Ok(TaxRegistration::Added),
            other => Err(format!("unknown tax registration {other:?}")),
        }
    }
}

/// A tax number with its registration period.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TaxNumber {
    pub number: String,
    pub from: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
}

/// Dossier financier: read-only to the interpreter, kept by coordinators.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FinancialFile {
    /// Nom complet, if different from the usual name.
    pub legal_name: Option<String>,
    /// Numéro de fournisseur.
    pub supplier_number: Option<String>,
    pub tax_registration: TaxRegistration,
    /// TPS / GST.
    pub gst: Option<TaxNumber>,
    /// TVQ / QST.
    pub qst: Option<TaxNumber>,
}

/// Everything Relais knows of an interpreter beyond the person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InterpreterProfile {
    pub language_pairs: Vec<LanguagePair>,
    pub request_types: Vec<RequestType>,
    /// Région principale ("06-Montréal").
    pub main_region: Option<String>,
    /// Code postal de la région principale de travail.
    pub work_postal_code: Option<String>,
    pub address: Option<String>,
    pub postal_code: Option<String>,
    pub gender: Option<Gender>,
    pub availability: Availability,
    pub inactivity: Vec<Inactivity>,
    pub documents: Vec<EligibilityDocument>,
    /// Établissements the interpreter must not be sent to.
    pub blocked_establishments: Vec<EstablishmentId>,
    /// Contexte / domaine: what they are known to work in ("DPJ", "santé mentale").
    #[serde(default)]
    pub contexts: Vec<String>,
    pub financial: FinancialFile,
}

/// A new interpreter takes every type of request until they or a coordinator say
/// otherwise: starting with none, they would match nothing and nobody would know why.
impl Default for InterpreterProfile {
    fn default() -> Self {
        InterpreterProfile {
            language_pairs: Vec::new(),
            request_types: RequestType::ALL.to_vec(),
            main_region: None,
            work_postal_code: None,
            address: None,
            postal_code: None,
            gender: None,
            availability: Availability::Always,
            inactivity: Vec::new(),
            documents: Vec::new(),
            blocked_establishments: Vec::new(),
            contexts: Vec::new(),
            financial: FinancialFile::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_expired_document_excludes_only_when_marked() {
        let mut doc = EligibilityDocument {
            name: "Permis de travail / d'étude".into(),
            description: None,
            valid_until: NaiveDate::from_ymd_opt(2025, 3, 30),
            inactive_if_invalid: false,
            comments: None,
            file_id: None,
        };
        let after = NaiveDate::from_ymd_opt(2025, 3, 31).unwrap();
        let last_day = NaiveDate::from_ymd_opt(2025, 3, 30).unwrap();
        assert!(!doc.excludes_on(after));
        doc.inactive_if_invalid = true;
        assert!(doc.excludes_on(after));
        assert!(!doc.excludes_on(last_day));
    }
}
