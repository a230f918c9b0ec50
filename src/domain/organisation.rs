//! Établissements, their installations, cost centres and billing codes.

use crate::domain::ids::{BillingCodeId, CostCentreId, EstablishmentId, InstallationId};
use serde::{Deserialize, Serialize};

/// An établissement of the network (a CIUSSS, a hospital, a social service).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Establishment {
    pub id: EstablishmentId,
    /// Short code people and exports use ("CIUSSS-EMTL").
    pub code: String,
    pub name: String,
    /// Overrides the bank's request-number prefix for this establishment's requests.
    pub request_prefix: Option<String>,
}

/// An installation: a place where the establishment's professionals work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Installation {
    pub id: InstallationId,
    pub establishment_id: EstablishmentId,
    pub name: String,
    pub address: Option<String>,
    pub postal_code: Option<String>,
}

/// Centre de coût / unité administrative: where the expense is charged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostCentre {
    pub id: CostCentreId,
    pub establishment_id: EstablishmentId,
    /// "7301110".
    pub code: String,
    /// "DA services multidisciplinaires - volet opérations".
    pub description: String,
    /// `false` once retired: no longer accepted on new requests or profile changes, still
    /// named by the requests and invoices that already use it.
    pub active: bool,
}

/// Code de facturation (SeTIS): which institution pays for a service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillingCode {
    pub id: BillingCodeId,
    pub establishment_id: EstablishmentId,
    pub code: String,
    pub description: String,
    /// `false` once retired, as a cost centre.
    pub active: bool,
}

/// An establishment as the coordinators' list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EstablishmentSummary {
    pub establishment: Establishment,
    pub installations: i64,
    pub requesters: i64,
}

/// A request-number prefix as typed: empty for the bank's own, else two capital letters
/// (what the database accepts). `None` for anything else.
pub fn parse_request_prefix(text: &str) -> Option<Option<String>> {
    let t = text.trim().to_uppercase();
    if t.is_empty() {
        Some(None)
    } else if t.len() == 2 && t.chars().all(|c| c.is_ascii_uppercase()) {
        Some(Some(t))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::parse_request_prefix;

    #[test]
    fn prefixes_are_two_capital_letters_or_nothing() {
        assert_eq!(parse_request_prefix(" hc "), Some(Some("HC".into())));
        assert_eq!(parse_request_prefix(""), Some(None));
        for wrong in ["H", "HCX", "H1", "É1", "ÉT"] {
            assert_eq!(parse_request_prefix(wrong), None, "{wrong}");
        }
    }
}
