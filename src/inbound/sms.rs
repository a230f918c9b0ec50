//! What people can text, read from the text alone: accept or refuse an offer (with its
//! four-digit code), withdraw, opt out or back in, ask for help. Anything else is
//! unknown, and unknown changes nothing.

use crate::domain::text::fold;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SmsVerb {
    Accept,
    Reject,
    Withdraw,
    OptOut,
    OptIn,
    Help,
    Unknown,
}

impl SmsVerb {
    pub fn as_str(self) -> &'static str {
        match self {
            SmsVerb::Accept => "accept",
            SmsVerb::Reject => "reject",
            SmsVerb::Withdraw => "withdraw",
            SmsVerb::OptOut => "opt_out",
            SmsVerb::OptIn => "opt_in",
            SmsVerb::Help => "help",
            SmsVerb::Unknown => "unknown",
        }
    }
}

/// A text, read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SmsReading {
    pub verb: SmsVerb,
    /// The offer's four-digit short code, when given.
    pub code: Option<String>,
}

impl SmsReading {
    fn of(verb: SmsVerb) -> SmsReading {
        SmsReading { verb, code: None }
    }

    /// The `inspect-sms` JSON object.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({ "verb": self.verb.as_str(), "code": self.code })
    }
}

const ACCEPT: &[&str] = &[
    "oui",
    "o",
    "yes",
    "y",
    "ok",
    "1",
    "accepte",
    "acceptee",
    "accept",
    "accepter",
    "j accepte",
];
const REJECT: &[&str] = &["non", "n", "no", "2", "refuse", "decline", "refuser", "je refuse"];
const WITHDRAW: &[&str] = &["desistement", "withdraw", "desister"];
const OPT_OUT: &[&str] = &["stop", "arret", "unsubscribe"];
const OPT_IN: &[&str] = &["start", "reprendre"];
const HELP: &[&str] = &["aide", "help", "info"];
/// Words that may follow an answer without changing it.
const COURTESY: &[&str] = &[
    "merci",
    "merci beaucoup",
    "thanks",
    "thank you",
    "please",
    "svp",
    "s il vous plait",
    "s il te plait",
    "desole",
    "desolee",
    "sorry",
    "bien sur",
    "of course",
    "avec plaisir",
    "with pleasure",
    "bonne journee",
    "have a nice day",
];

/// Words that may come before an answer without changing it: « Parfait, j'accepte ».
const GREETING: &[&str] = &[
    "bonjour",
    "bonsoir",
    "salut",
    "allo",
    "hello",
    "hi",
    "parfait",
    "super",
    "genial",
    "excellent",
    "tres bien",
    "perfect",
    "great",
    "merci",
    "thanks",
    "avec plaisir",
    "with pleasure",
];

/// `text` without the phrases of `phrases` it starts with, any number of them, each
/// followed by a space or the end; longest phrase first.
fn without_leading<'a>(mut text: &'a str, phrases: &[&str]) -> &'a str {
    loop {
        let next = phrases
            .iter()
            .filter_map(|p| text.strip_prefix(p))
            .filter(|rest| rest.is_empty() || rest.starts_with(' '))
            .min_by_key(|rest| rest.len());
        match next {
            Some(rest) => text = rest.trim_start(),
            None => return text,
        }
    }
}

/// Reads a text message.
pub fn read_sms(text: &str) -> SmsReading {
    // Emoji and symbols fold away with punctuation: "Oui 👍" reads as "oui".
    let folded = fold(text);
    if folded.is_empty() {
        return SmsReading::of(SmsVerb::Unknown);
    }
    if OPT_OUT.contains(&folded.as_str()) {
        return SmsReading::of(SmsVerb::OptOut);
    }
    if OPT_IN.contains(&folded.as_str()) {
        return SmsReading::of(SmsVerb::OptIn);
    }
    if HELP.contains(&folded.as_str()) {
        return SmsReading::of(SmsVerb::Help);
    }
    // « Parfait, j'accepte »: a greeting before the answer changes nothing.
    let folded = without_leading(&folded, GREETING);
    for (words, verb) in [
        (ACCEPT, SmsVerb::Accept),
        (REJECT, SmsVerb::Reject),
        (WITHDRAW, SmsVerb::Withdraw),
    ] {
        // Longest phrase first, so "j accepte" is not read as "j" + rest.
        let mut candidates: Vec<&&str> = words.iter().collect();
        candidates.sort_by_key(|w| std::cmp::Reverse(w.len()));
        for word in candidates {
            if let Some(reading) = answer(folded, text, word, verb) {
                return reading;
            }
        }
    }
    SmsReading::of(SmsVerb::Unknown)
}

/// `word` at the start of `folded`, then an optional code, then only courtesy words.
fn answer(folded: &str, original: &str, word: &str, verb: SmsVerb) -> Option<SmsReading> {
    let rest = folded.strip_prefix(word)?;
    let digit_answer = word.chars().all(|c| c.is_ascii_digit());
    let (code, after) = if let Some(stripped) = rest.strip_prefix(' ') {
        take_code(stripped)
    } else if rest.is_empty() {
        (None, "")
    } else if !digit_answer && word.chars().all(|c| c.is_alphabetic() || c == ' ') {
        // "OUI4821": letters glued to the code. A digit answer needs a space ("1 4821").
        match take_code(rest) {
            (Some(code), after) => (Some(code), after),
            (None, _) => return None,
        }
    } else {
        return None;
    };
    // Courtesy after the answer, as much of it as people write: « oui merci merci merci 🙏🙏 ».
    if !without_leading(after.trim(), COURTESY).is_empty() {
        return None;
    }
    // "#4821" folds to "4821"; a code must be exactly four digits in the original too.
    if let Some(code) = &code
        && !original.contains(code.as_str())
    {
        return None;
    }
    Some(SmsReading { verb, code })
}

/// A leading four-digit code, and what follows it.
fn take_code(s: &str) -> (Option<String>, &str) {
    let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
    if digits.len() == 4 {
        let after = &s[4..];
        if after.is_empty() || after.starts_with(' ') {
            return (Some(digits), after);
        }
    }
    (None, s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> (&'static str, Option<String>) {
        let r = read_sms(text);
        (r.verb.as_str(), r.code)
    }

    #[test]
    fn answers_in_both_languages() {
        for text in [
            "OUI",
            "oui",
            "O",
            "YES",
            "y",
            "OK",
            "1",
            "ACCEPTE",
            "ACCEPTÉE",
            "acceptee",
            "Accept",
            "  oui!  ",
            "Oui.",
        ] {
            assert_eq!(read(text), ("accept", None), "{text}");
        }
        for text in ["NON", "n", "No", "2", "REFUSE", "decline", "Non!"] {
            assert_eq!(read(text), ("reject", None), "{text}");
        }
    }

    #[test]
    fn codes_in_every_spelling() {
        for text in [
            "OUI 4821",
            "OUI4821",
            "OUI, 4821",
            "OUI #4821",
            "oui 4821 merci",
            "1 4821",
            "yes 4821",
        ] {
            assert_eq!(read(text), ("accept", Some("4821".into())), "{text}");
        }
        assert_eq!(read("NON 4821"), ("reject", Some("4821".into())));
        assert_eq!(read("2 4821"), ("reject", Some("4821".into())));
        // A digit answer glued to digits is not an answer.
        assert_eq!(read("14821").0, "unknown");
        assert_eq!(read("OUI 482").0, "unknown");
        assert_eq!(read("OUI 48211").0, "unknown");
    }

    #[test]
    fn courtesy_is_fine_conditions_are_not() {
        for text in [
            "Oui merci",
            "Yes please",
            "Oui 👍",
            "oui merci beaucoup",
            "OUI 4821 merci !",
            "Oui merci merci merci 🙏🙏🙏",
            "Parfait, j'accepte",
            "Bonjour ! Oui 4821, merci beaucoup, bonne journée 😊",
            "Super, oui svp merci",
        ] {
            assert_eq!(read(text).0, "accept", "{text}");
        }
        assert_eq!(read("Parfait, j'accepte 4821"), ("accept", Some("4821".into())));
        assert_eq!(read("Merci, non").0, "reject");
        // A greeting alone, or a greeting before anything else, is no answer.
        for text in [
            "Parfait",
            "Bonjour merci",
            "Super, mais pas jeudi",
            "Parfait oui mais après 14 h",
        ] {
            assert_eq!(read(text).0, "unknown", "{text}");
        }
        for text in ["Non, désolé", "No sorry", "non désolée"] {
            assert_eq!(read(text).0, "reject", "{text}");
        }
        for text in [
            "Oui mais pas avant 14 h",
            "Oui si possible",
            "non peut-être",
            "ok pour jeudi",
        ] {
            assert_eq!(read(text).0, "unknown", "{text}");
        }
    }

    #[test]
    fn withdrawals_opt_outs_and_help() {
        assert_eq!(read("DESISTEMENT 4821"), ("withdraw", Some("4821".into())));
        assert_eq!(read("Désistement"), ("withdraw", None));
        assert_eq!(read("WITHDRAW 4821"), ("withdraw", Some("4821".into())));
        for text in ["STOP", "stop", "ARRET", "ARRÊT", "Unsubscribe", "Stop."] {
            assert_eq!(read(text), ("opt_out", None), "{text}");
        }
        assert_eq!(read("Stop by at 3").0, "unknown");
        for text in ["START", "reprendre"] {
            assert_eq!(read(text).0, "opt_in", "{text}");
        }
        for text in ["AIDE", "help", "Info ?"] {
            assert_eq!(read(text).0, "help", "{text}");
        }
        for text in ["", "   ", "Bonjour", "👍", "4821"] {
            assert_eq!(read(text).0, "unknown", "{text:?}");
        }
    }

    #[test]
    fn json_shape() {
        assert_eq!(
            read_sms("OUI #4821").to_json(),
            serde_json::json!({"verb": "accept", "code": "4821"})
        );
        assert_eq!(
            read_sms("hein?").to_json(),
            serde_json::json!({"verb": "unknown", "code": null})
        );
    }
}
