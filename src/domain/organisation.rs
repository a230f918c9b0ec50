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
}

/// Code de facturation (SeTIS): which institution pays for a service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillingCode {
    pub id: BillingCodeId,
    pub establishment_id: EstablishmentId,
    pub code: String,
    pub description: String,
}
