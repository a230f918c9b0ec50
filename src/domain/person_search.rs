//! How the coordinators' People page finds a person from what is typed: part of a name,
//! an address, a phone number or a user code, whatever the accents and case.
//!
//! Each person carries a search key ([`key`]): their name, address, user code and phones
//! folded ([`text::fold`]: lower case, no accents, punctuation as spaces), then the phones'
//! digits alone. What is typed ([`Search::parse`]) folds the same way; a person matches when
//! their key holds every word typed, or, for what reads as a phone number, its digits
//! (« (514) 555-0142 » finds `+15145550142`).

use super::text;

/// What one person is found by.
pub struct Parts<'a> {
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub email: &'a str,
    pub user_code: &'a str,
    pub mobile: Option<&'a str>,
    pub phone: Option<&'a str>,
}

/// The search key of a person, as stored with them.
pub fn key(p: &Parts<'_>) -> String {
    let phones = [p.mobile, p.phone];
    let mut key = text::fold(&format!(
        "{} {} {} {} {} {}",
        p.first_name,
        p.last_name,
        p.email,
        p.user_code,
        p.mobile.unwrap_or(""),
        p.phone.unwrap_or("")
    ));
    for phone in phones.into_iter().flatten() {
        let digits = digits(phone);
        if !digits.is_empty() {
            key.push(' ');
            key.push_str(&digits);
        }
    }
    key
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// The most words of a search that count: a name and a bit more.
const MAX_WORDS: usize = 6;

/// What a search looks for, folded as the keys are.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Search {
    /// Every one of them is in a matching key (letters, digits and no spaces each: nothing
    /// a `LIKE` pattern reads as a wildcard).
    pub words: Vec<String>,
    /// What was typed reads as a phone number: its digits, found in a key on their own.
    pub digits: Option<String>,
}

impl Search {
    /// What `typed` looks for; `None` when it holds nothing to look for.
    pub fn parse(typed: &str) -> Option<Search> {
        let words: Vec<String> = text::fold(typed)
            .split(' ')
            .filter(|w| !w.is_empty())
            .take(MAX_WORDS)
            .map(|w| w.chars().take(100).collect())
            .collect();
        if words.is_empty() {
            return None;
        }
        let phone_like = typed.chars().all(|c| c.is_ascii_digit() || " +-.()\u{a0}".contains(c));
        let digits = digits(typed);
        let digits = (phone_like && digits.len() >= 3).then_some(digits);
        Some(Search { words, digits })
    }

    /// Whether `key` matches: what the store's query says, in Rust.
    pub fn matches(&self, key: &str) -> bool {
        self.words.iter().all(|w| key.contains(w.as_str())) || self.digits.as_deref().is_some_and(|d| key.contains(d))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lucia() -> String {
        key(&Parts {
            first_name: "Lucía",
            last_name: "Ramírez Soto",
            email: "lucia.ramirez@interpretes.example",
            user_code: "UBILR0003",
            mobile: Some("+15145550142"),
            phone: Some("514 555-0199 poste 12"),
        })
    }

    fn finds(typed: &str) -> bool {
        Search::parse(typed).is_some_and(|s| s.matches(&lucia()))
    }

    #[test]
    fn a_person_is_found_by_part_of_any_of_their_details() {
        for typed in [
            "lucia",
            "LUCÍA",
            "ramirez",
            "Ramírez Luc",
            "soto lucía",
            "lucia.ramirez@",
            "interpretes.example",
            "ubilr0003",
            "UBILR",
            "(514) 555-0142",
            "5145550142",
            "+1 514 555 0142",
            "555-0199",
            "514 555-0199 poste 12",
        ] {
            assert!(finds(typed), "{typed}");
        }
        for typed in ["marie", "lucia tremblay", "555-0100", "ramirez zz"] {
            assert!(!finds(typed), "{typed}");
        }
    }

    #[test]
    fn a_search_holds_no_wildcard_and_nothing_blank() {
        assert_eq!(Search::parse("  "), None);
        assert_eq!(Search::parse("%_%"), None);
        let s = Search::parse("100% d'_Ève\\").unwrap();
        assert_eq!(s.words, vec!["100", "d", "eve"]);
        assert!(s.words.iter().all(|w| w.chars().all(char::is_alphanumeric)));
        assert_eq!(s.digits, None, "not a phone number");
        assert_eq!(Search::parse("12").unwrap().digits, None, "too short for a phone");
    }
}
