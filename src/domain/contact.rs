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

/// A phone number people call, with its extension: « 514 555-0100, poste 123 ». The number
/// stays in E.164 (what SMS and dialling use); the extension is kept beside it. Stored as
/// RFC 3966 writes it: `+15145550100;ext=123`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhoneNumber {
    number: PhoneE164,
    extension: Option<String>,
}

/// The words people put before an extension, folded to lower case, longest first.
const EXTENSION_MARKS: [&str; 8] = ["extension", "poste", "ext.", "ext", "p.", "p", "x", "#"];

impl PhoneNumber {
    /// Reads "514 555-0100, poste 123", "514-555-0100 p. 123", "ext. 123", "x123", "#123",
    /// or a number without extension, assuming `default_region` without a country code.
    pub fn parse(input: &str, default_region: &str) -> Result<Self, ContactError> {
        // What Relais shows (« 514 555-0100, poste 123 ») reads back: no-break spaces are spaces.
        let input = input.replace('\u{a0}', " ");
        let (number, extension) = split_extension(input.trim());
        Ok(PhoneNumber {
            number: PhoneE164::parse(number, default_region)?,
            extension,
        })
    }

    /// Reads the stored form, `+15145550100` or `+15145550100;ext=123`.
    pub fn from_stored(input: &str) -> Result<Self, ContactError> {
        let (number, extension) = match input.split_once(";ext=") {
            Some((n, e)) if !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit()) => (n, Some(e.to_string())),
            Some(_) => return Err(ContactError::InvalidPhone),
            None => (input, None),
        };
        Ok(PhoneNumber {
            number: PhoneE164::from_e164(number)?,
            extension,
        })
    }

    /// The stored form: E.164, then `;ext=` and the extension if any.
    pub fn to_stored(&self) -> String {
        match &self.extension {
            Some(e) => format!("{};ext={e}", self.number),
            None => self.number.to_string(),
        }
    }

    /// The number to dial or text, without the extension.
    pub fn e164(&self) -> &PhoneE164 {
        &self.number
    }

    pub fn extension(&self) -> Option<&str> {
        self.extension.as_deref()
    }

    /// As people write it: « 514 555-0100, poste 123 » / "514-555-0100, ext. 123"; numbers
    /// outside North America in their international form.
    pub fn display(&self, locale: crate::domain::locale::Locale) -> String {
        let digits = self.number.as_str();
        let national = match digits.strip_prefix("+1") {
            Some(n) if n.len() == 10 => {
                let (area, rest) = n.split_at(3);
                let (exchange, line) = rest.split_at(3);
                locale
                    .pick(
                        &format!("{area}\u{a0}{exchange}-{line}"),
                        &format!("{area}-{exchange}-{line}"),
                    )
                    .to_string()
            }
            _ => phonenumber::parse(None, digits)
                .map(|n| n.format().mode(phonenumber::Mode::International).to_string())
                .unwrap_or_else(|_| digits.to_string()),
        };
        match &self.extension {
            Some(e) => format!("{national}, {}\u{a0}{e}", locale.pick("poste", "ext.")),
            None => national,
        }
    }
}

/// The number and its extension: the digits after the last extension mark, when the mark
/// follows the number.
fn split_extension(input: &str) -> (&str, Option<String>) {
    let lower = input.to_lowercase();
    if lower.len() != input.len() {
        return (input, None);
    }
    let digits_start = lower
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_ascii_digit())
        .last()
        .map(|(i, _)| i);
    let Some(digits_start) = digits_start else {
        return (input, None);
    };
    let before = lower[..digits_start].trim_end();
    for mark in EXTENSION_MARKS {
        if let Some(head) = before.strip_suffix(mark) {
            // "p" and "x" must stand alone ("x123", "p 12"), not end a word.
            let head_trimmed = head.trim_end_matches([' ', ',', ';', '-']);
            let joined = head.len() == head.trim_end().len() && mark.chars().all(char::is_alphabetic);
            if head_trimmed.is_empty() || (joined && !head.ends_with(|c: char| c.is_ascii_digit())) {
                continue;
            }
            let extension = &input[digits_start..];
            if extension.len() > 8 {
                return (input, None);
            }
            return (&input[..head_trimmed.len()], Some(extension.to_string()));
        }
    }
    (input, None)
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_stored())
    }
}

impl TryFrom<String> for PhoneNumber {
    type Error = ContactError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        PhoneNumber::from_stored(&s)
    }
}

impl From<PhoneNumber> for String {
    fn from(p: PhoneNumber) -> String {
        p.to_stored()
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

    #[test]
    fn phones_keep_their_extension_beside_the_e164_number() {
        use crate::domain::locale::Locale;
        for written in [
            "514 555-0100, poste 123",
            "514-555-0100 poste 123",
            "514 555 0100 p. 123",
            "(514) 555-0100 ext. 123",
            "514-555-0100 ext 123",
            "514-555-0100 x123",
            "514-555-0100 #123",
            "514 555-0100, Poste 123",
        ] {
            let p = PhoneNumber::parse(written, "CA").unwrap_or_else(|e| panic!("{written}: {e}"));
            assert_eq!(p.e164().as_str(), "+15145550100", "{written}");
            assert_eq!(p.extension(), Some("123"), "{written}");
            assert_eq!(p.to_stored(), "+15145550100;ext=123");
            assert_eq!(p.display(Locale::Fr), "514\u{a0}555-0100, poste\u{a0}123");
            assert_eq!(p.display(Locale::En), "514-555-0100, ext.\u{a0}123");
            assert_eq!(PhoneNumber::parse(&p.display(Locale::Fr), "CA").as_ref(), Ok(&p));
            assert_eq!(PhoneNumber::parse(&p.display(Locale::En), "CA").as_ref(), Ok(&p));
            assert_eq!(PhoneNumber::from_stored(&p.to_stored()), Ok(p));
        }
        let plain = PhoneNumber::parse("1 (581) 990 9582", "CA").unwrap();
        assert_eq!(plain.extension(), None);
        assert_eq!(plain.to_stored(), "+15819909582");
        assert_eq!(PhoneNumber::from_stored("+15819909582"), Ok(plain));
        assert_eq!(
            PhoneNumber::parse("+32 2 555 12 12", "CA").unwrap().display(Locale::Fr),
            "+32 2 555 12 12"
        );
        assert!(PhoneNumber::parse("poste 123", "CA").is_err());
        assert!(PhoneNumber::from_stored("+15145550100;ext=").is_err());
    }
}
