//! People: requesters, interpreters and coordinators, and the identifier Relais gives them.

use crate::domain::contact::{EmailAddress, PhoneE164};
use crate::domain::ids::{CostCentreId, EstablishmentId, InstallationId, PersonId};
use crate::domain::locale::Locale;
use crate::domain::role::Role;
use crate::domain::text::fold;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The identifier shown on a profile: `UBIPN0002` is U, the bank's two letters (BI),
/// the person's initials (PN), and a four-digit sequence.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UserCode(String);

impl UserCode {
    /// The part before the sequence: `UBIPN` for Pepe Nomme at the BI bank.
    pub fn stem(bank_prefix: &str, first_name: &str, last_name: &str) -> String {
        let initial = |name: &str| {
            fold(name)
                .chars()
                .find(|c| c.is_ascii_alphabetic())
                .map(|c| c.to_ascii_uppercase())
                .unwrap_or('X')
        };
        format!("U{}{}{}", bank_prefix, initial(first_name), initial(last_name))
    }

    pub fn new(stem: &str, sequence: i64) -> UserCode {
        UserCode(format!("{stem}{sequence:04}"))
    }

    /// Accepts a stored or typed code (`ubipn0002`).
    pub fn parse(input: &str) -> Option<UserCode> {
        let s = input.trim().to_ascii_uppercase();
        // ASCII first: the byte slices below must not cut a character ("Uabcééé").
        let ok = s.is_ascii()
            && s.len() >= 9
            && s.starts_with('U')
            && s[..5].bytes().all(|b| b.is_ascii_uppercase())
            && s[5..].bytes().all(|b| b.is_ascii_digit());
        ok.then_some(UserCode(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UserCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A person as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub id: PersonId,
    pub user_code: UserCode,
    pub first_name: String,
    pub last_name: String,
    pub email: EmailAddress,
    /// Cellulaire, for SMS.
    pub mobile: Option<PhoneE164>,
    /// Téléphone, as written.
    pub phone: Option<String>,
    pub locale: Locale,
    pub notify_email: bool,
    pub notify_sms: bool,
    pub roles: Vec<Role>,
    pub active: bool,
}

impl Person {
    pub fn display_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }

    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

/// What is needed to create a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewPerson {
    pub first_name: String,
    pub last_name: String,
    pub email: EmailAddress,
    pub mobile: Option<PhoneE164>,
    pub phone: Option<String>,
    pub locale: Locale,
    pub notify_email: bool,
    pub notify_sms: bool,
    pub roles: Vec<Role>,
}

/// A requester's place in the network: one establishment, one or more installations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequesterProfile {
    pub establishment_id: EstablishmentId,
    pub installations: Vec<InstallationId>,
    pub cost_centre_id: Option<CostCentreId>,
    /// « Me prévenir quand ma demande est offerte à un interprète »: off unless they turn
    /// it on.
    #[serde(default)]
    pub notify_when_offered: bool,
}

/// The parts of a profile a person may change themselves; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileChange {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<EmailAddress>,
    pub mobile: Option<Option<PhoneE164>>,
    pub phone: Option<Option<String>>,
    pub locale: Option<Locale>,
    pub notify_email: Option<bool>,
    pub notify_sms: Option<bool>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_codes_follow_the_seed() {
        let stem = UserCode::stem("BI", "Pepe2", "Nomme2");
        assert_eq!(stem, "UBIPN");
        assert_eq!(UserCode::new(&stem, 2).as_str(), "UBIPN0002");
        assert_eq!(UserCode::stem("BI", "Élodie", "Ôté"), "UBIEO");
        assert_eq!(UserCode::stem("BI", "", "李"), "UBIXX");
        assert_eq!(UserCode::parse("ubipn0002").unwrap().as_str(), "UBIPN0002");
        assert!(UserCode::parse("UBIPN").is_none());
        assert!(UserCode::parse("HC-24240002").is_none());
        // Found by fuzzing: accented letters where the digits should be.
        assert!(UserCode::parse("Uabcééé").is_none());
        assert!(UserCode::parse("UBIPNé0002").is_none());
    }
}
