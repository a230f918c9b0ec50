//! Database identifiers as distinct types, so a person id is never passed as a request id.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta] $name:ident),* $(,)?) => {$(
        #[$doc]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

id_type! {
    /// An établissement.
    EstablishmentId,
    /// An installation of an établissement.
    InstallationId,
    /// A cost centre / administrative unit.
    CostCentreId,
    /// A SeTIS billing code.
    BillingCodeId,
    /// A person: requester, interpreter, coordinator, or several of these.
    PersonId,
    /// A request (demande).
    RequestId,
    /// An offer of a request to one interpreter.
    OfferId,
}
