//! Request numbers in the seeds' form: `HC-24240002` is prefix `HC`, year 24,
//! day of year 240, third-digit-padded sequence 002 within that day.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RequestNumber(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestNumberError {
    #[error("numéro de demande invalide / invalid request number: {0:?}")]
    Invalid(String),
}

impl RequestNumber {
    /// Builds the number of the `sequence`-th request of `date` (1-based).
    /// Past 999 requests in a day the sequence simply grows a digit: a booking is
    /// never refused for want of a number.
    pub fn new(prefix: &str, date: NaiveDate, sequence: u32) -> RequestNumber {
        RequestNumber(format!(
            "{}-{:02}{:03}{:03}",
            prefix,
            date.year().rem_euclid(100),
            date.ordinal(),
            sequence
        ))
    }

    /// The key under which the day's sequence is counted: `HC-24240`.
    pub fn day_key(prefix: &str, date: NaiveDate) -> String {
        format!("{}-{:02}{:03}", prefix, date.year().rem_euclid(100), date.ordinal())
    }

    /// Accepts `HC-24240002`, in any case, with or without the dash, with surrounding space.
    pub fn parse(input: &str) -> Result<RequestNumber, RequestNumberError> {
        let invalid = || RequestNumberError::Invalid(input.to_string());
        let s = input.trim().to_ascii_uppercase();
        let (prefix, digits) = match s.split_once('-') {
            Some((p, d)) => (p.to_string(), d.to_string()),
            None if s.len() > 2 && s.is_char_boundary(2) => (s[..2].to_string(), s[2..].to_string()),
            None => return Err(invalid()),
        };
        if prefix.len() != 2 || !prefix.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(invalid());
        }
        if digits.len() < 8 || digits.len() > 10 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid());
        }
        let day: u32 = digits[2..5].parse().map_err(|_| invalid())?;
        let seq: u32 = digits[5..].parse().map_err(|_| invalid())?;
        if !(1..=366).contains(&day) || seq == 0 {
            return Err(invalid());
        }
        Ok(RequestNumber(format!("{prefix}-{digits}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RequestNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for RequestNumber {
    type Err = RequestNumberError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RequestNumber::parse(s)
    }
}

impl TryFrom<String> for RequestNumber {
    type Error = RequestNumberError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        RequestNumber::parse(&s)
    }
}

impl From<RequestNumber> for String {
    fn from(n: RequestNumber) -> String {
        n.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_the_seed_example() {
        let date = NaiveDate::from_ymd_opt(2024, 8, 27).unwrap();
        assert_eq!(date.ordinal(), 240);
        assert_eq!(RequestNumber::new("HC", date, 2).as_str(), "HC-24240002");
        assert_eq!(RequestNumber::day_key("HC", date), "HC-24240");
        assert_eq!(
            RequestNumber::new("CD", NaiveDate::from_ymd_opt(2024, 8, 6).unwrap(), 7).as_str(),
            "CD-24219007"
        );
        assert_eq!(RequestNumber::new("HC", date, 1234).as_str(), "HC-242401234");
    }

    #[test]
    fn parses_what_people_type() {
        for s in ["HC-24240002", "hc-24240002", " HC24240002 ", "HC-242401234"] {
            let n = RequestNumber::parse(s).unwrap();
            assert!(n.as_str().starts_with("HC-2424"), "{s}");
        }
        for bad in [
            "",
            "HC",
            "HC-2424",
            "H1-24240002",
            "HC-24000002",
            "HC-24367x02",
            "HC-24240000",
            "ÉC-24240002",
        ] {
            assert!(RequestNumber::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }
}
