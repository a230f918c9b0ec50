//! How Relais reaches people: email addresses and mobile numbers, parsed at the edge.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A syntactically valid email address, lower-cased so that lookups match
/// however the person typed it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContactError {
    #[error("adresse courriel invalide / invalid email address")]
    InvalidEmail,
    #[error("numéro de téléphone invalide / invalid phone number")]
    InvalidPhone,
}

impl EmailAddress {
    /// Accepts `local@domain.tld` with surrounding space and an optional `mailto:`.
    pub fn parse(input: &str) -> Result<Self, ContactError> {
        let s = input.trim();
        let s = s.strip_prefix("mailto:").unwrap_or(s);
        let (local, domain) = s.rsplit_once('@').ok_or(ContactError::InvalidEmail)?;
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .chars()
                .all(|c| c.is_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && domain.len() <= 253
            && labels.iter().all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
        // "localhost" is a valid mail domain for the embedded default.
        let local_host = domain.eq_ignore_ascii_case("localhost");
        if !local_ok || !(domain_ok || local_host) {
            return Err(ContactError::InvalidEmail);
        }
        Ok(EmailAddress(s.to_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map(|(_, d)| d).unwrap_or("")
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for EmailAddress {
    type Error = ContactError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        EmailAddress::parse(&s)
    }
}

impl From<EmailAddress> for String {
    fn from(e: EmailAddress) -> String {
        e.0
    }
}

/// A phone number in E.164 form (`+15819909582`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhoneE164(String);

impl PhoneE164 {
    /// Parses what people write ("1 (581) 990 9582", "581-990-9582", "+32 2 555 12 12"),
    /// assuming `default_region` when there is no country code.
    pub fn parse(input: &str, default_region: &str) -> Result<Self, ContactError> {
        let region = default_region.parse::<phonenumber::country::Id>().ok();
        let number = phonenumber::parse(region, input.trim()).map_err(|_| ContactError::InvalidPhone)?;
        if !phonenumber::is_valid(&number) {
            return Err(ContactError::InvalidPhone);
        }
        Ok(PhoneE164(number.format().mode(phonenumber::Mode::E164).to_string()))
    }

    /// Accepts a value already stored in E.164 form.
    pub fn from_e164(input: &str) -> Result<Self, ContactError> {
        let ok =
            input.starts_with('+') && (8..=16).contains(&input.len()) && input[1..].bytes().all(|b| b.is_ascii_digit());
        if ok {
            Ok(PhoneE164(input.to_string()))
        } else {
            Err(ContactError::InvalidPhone)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PhoneE164 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for PhoneE164 {
    type Error = ContactError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        PhoneE164::from_e164(&s)
    }
}

impl From<PhoneE164> for String {
    fn from(p: PhoneE164) -> String {
        p.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_lower_cased_and_checked() {
        assert_eq!(
            EmailAddress::parse(" Nomme2@Yahoo.CA ").unwrap().as_str(),
            "nomme2@yahoo.ca"
        );
        assert_eq!(
            EmailAddress::parse("mailto:a.b@ssss.gouv.qc.ca").unwrap().domain(),
            "ssss.gouv.qc.ca"
        );
        assert_eq!(
            EmailAddress::parse("relais@localhost").unwrap().as_str(),
            "relais@localhost"
        );
        for bad in [
            "",
            "nobody",
            "@x.ca",
            "a@",
            "a@b",
            "a..b@x.ca",
            "a b@x.ca",
            "a@-x.ca",
            "a@x..ca",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn phones_become_e164() {
        assert_eq!(
            PhoneE164::parse("1 (581) 990 9582", "CA").unwrap().as_str(),
            "+15819909582"
        );
        assert_eq!(PhoneE164::parse("514-597-3284", "CA").unwrap().as_str(), "+15145973284");
        assert_eq!(
            PhoneE164::parse("+32 2 555 12 12", "CA").unwrap().as_str(),
            "+3225551212"
        );
        assert!(PhoneE164::parse("123", "CA").is_err());
        assert!(PhoneE164::parse("not a number", "CA").is_err());
        assert!(PhoneE164::from_e164("5145973284").is_err());
    }
}
