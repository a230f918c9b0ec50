//! Text folding shared by every parser that matches what people type, and the one rule of
//! what a typed value may hold.
//!
//! Every reader of what people type (mail forms, web forms, CSV imports, the SMS webhook)
//! checks a value with [`line`] (one line: names, phones, addresses, codes, file names) or
//! [`lines`] (free text: context, reasons, comments, notes) before anything is saved, and
//! names the field in its answer. A one-line value never holds a line break (a mail header
//! built from it could not be sent), no value holds another control character, and none is
//! longer than its field's limit: past it, the person is told, nothing is cut.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

use crate::domain::locale::Locale;

/// The most a one-line field holds unless it says otherwise: a name, a place, a phone.
pub const LINE_MAX: usize = 200;
/// The most a free text holds: a context, a reason, a message, a comment.
pub const TEXT_MAX: usize = 2000;
/// The most a link holds (video platforms put their passcode in it).
pub const LINK_MAX: usize = 2000;

/// Why a typed value cannot be saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "max")]
pub enum TextProblem {
    /// A line break in a field of one line.
    LineBreak,
    /// A control character (NUL, escape…), which no field holds.
    ControlCharacter,
    /// More than this many characters.
    TooLong(usize),
}

impl TextProblem {
    /// What is wrong, to follow the field's name: lower case, no final stop
    /// ("au plus 200 caractères").
    pub fn message(self, locale: Locale) -> String {
        match (self, locale) {
            (TextProblem::LineBreak, Locale::Fr) => "une seule ligne\u{a0}: retirez le saut de ligne".into(),
            (TextProblem::LineBreak, Locale::En) => "one line only: remove the line break".into(),
            (TextProblem::ControlCharacter, Locale::Fr) => {
                "contient un caractère invisible non permis (caractère de contrôle)\u{a0}; retapez la valeur".into()
            }
            (TextProblem::ControlCharacter, Locale::En) => {
                "holds an invisible character that is not allowed (a control character); type the value again".into()
            }
            (TextProblem::TooLong(max), Locale::Fr) => format!("au plus {} caractères", count(max, locale)),
            (TextProblem::TooLong(max), Locale::En) => format!("at most {} characters", count(max, locale)),
        }
    }

    /// The same as a sentence, for a message shown beside its field ("Au plus 200 caractères.").
    pub fn sentence(self, locale: Locale) -> String {
        let message = self.message(locale);
        let mut chars = message.chars();
        let first: String = chars.next().map(|c| c.to_uppercase().collect()).unwrap_or_default();
        format!("{first}{}.", chars.as_str())
    }

    /// The field named, for a message read away from its form:
    /// "Nom de l'usager : au plus 200 caractères" / "Patient name: at most 200 characters"
    /// (a no-break space before the French colon).
    pub fn about(self, label: &str, locale: Locale) -> String {
        format!("{label}{}{}", locale.pick("\u{a0}: ", ": "), self.message(locale))
    }
}

/// A count as people read it: "4 000" (no-break space) / "4,000".
pub fn count(n: usize, locale: Locale) -> String {
    let digits = n.to_string();
    let separator = locale.pick("\u{a0}", ",");
    let mut out = String::with_capacity(digits.len() + 8);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(separator);
        }
        out.push(c);
    }
    out
}

fn is_line_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

fn within(value: &str, max: usize) -> Result<(), TextProblem> {
    // A line break counts once, as browsers count it against a text area's `maxlength`
    // (they send it as CR LF). Counting stops one past the limit: a pasted megabyte costs
    // no more than the limit.
    let counted = value.chars().filter(|c| *c != '\r').take(max + 1).count();
    if counted > max {
        Err(TextProblem::TooLong(max))
    } else {
        Ok(())
    }
}

/// A one-line value as typed, trimmed: refused when it holds a line break or any other
/// control character (tab, NUL, escape…), or has more than `max` characters.
pub fn line(value: &str, max: usize) -> Result<&str, TextProblem> {
    let value = value.trim();
    if value.chars().any(is_line_break) {
        return Err(TextProblem::LineBreak);
    }
    if value.chars().any(char::is_control) {
        return Err(TextProblem::ControlCharacter);
    }
    within(value, max)?;
    Ok(value)
}

/// A free text as typed, trimmed: line breaks and tabs are its own, any other control
/// character is refused, and so is more than `max` characters.
pub fn lines(value: &str, max: usize) -> Result<&str, TextProblem> {
    let value = value.trim();
    if value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(TextProblem::ControlCharacter);
    }
    within(value, max)?;
    Ok(value)
}

/// Text from outside kept as it came, except NUL, which becomes U+FFFD: no text column of
/// PostgreSQL (nor its JSON) can hold NUL, and SQLite keeps the same text. Raw bytes, kept
/// apart, keep theirs.
pub fn without_nul(text: &str) -> Cow<'_, str> {
    if text.contains('\0') {
        Cow::Owned(text.replace('\0', "\u{FFFD}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// `value` with every string in it, keys included, [`without_nul`].
pub fn json_without_nul(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::String(s) if s.contains('\0') => *s = s.replace('\0', "\u{FFFD}"),
        Value::Array(items) => items.iter_mut().for_each(json_without_nul),
        Value::Object(map) => {
            let taken = std::mem::take(map);
            for (key, mut item) in taken {
                json_without_nul(&mut item);
                map.insert(without_nul(&key).into_owned(), item);
            }
        }
        _ => {}
    }
}

/// Folds text for matching: Unicode NFKD, accents dropped, lower case,
/// apostrophes and punctuation turned to spaces, runs of white space collapsed.
/// "  Arabe (Maroc) " and "arabe maroc" fold to the same string.
pub fn fold(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut pending_space = false;
    for c in input.nfkd() {
        if unicode_normalization::char::is_combining_mark(c) {
            continue;
        }
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.extend(c.to_lowercase());
        } else {
            pending_space = true;
        }
    }
    out
}

/// French typography for text people read: the space before « : ; ! ? » and inside
/// guillemets becomes non-breaking, so that a line never starts with the sign. Applied
/// where French mail and pages leave Relais, so every template and value gets it.
/// Inside a `<style>` element nothing changes (CSS needs its plain spaces).
pub fn french_spacing(text: &str) -> Cow<'_, str> {
    if !text.contains([':', ';', '!', '?', '«', '»']) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut in_style = false;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if c == '<' {
            let rest = text.get(at..).unwrap_or("");
            if rest.starts_with("<style") {
                in_style = true;
            } else if rest.starts_with("</style") {
                in_style = false;
            }
        }
        let next = chars.peek().map(|(_, n)| *n);
        if !in_style && c == ' ' && matches!(next, Some(':' | ';' | '!' | '?' | '»')) {
            out.push('\u{a0}');
        } else if !in_style && c == '«' && next == Some(' ') {
            out.push('«');
            out.push('\u{a0}');
            chars.next();
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_signs_keep_to_their_words() {
        assert_eq!(
            french_spacing("Statut : « Réservé » ; prêt ? oui !"),
            "Statut\u{a0}: «\u{a0}Réservé\u{a0}»\u{a0}; prêt\u{a0}? oui\u{a0}!"
        );
        assert_eq!(
            french_spacing("https://x.example/?a=1 10:30"),
            "https://x.example/?a=1 10:30"
        );
        assert_eq!(
            french_spacing("<style>a { color: red !important }</style><p>Voir : x</p>"),
            "<style>a { color: red !important }</style><p>Voir\u{a0}: x</p>"
        );
        assert!(matches!(french_spacing("rien"), Cow::Borrowed(_)));
    }

    #[test]
    fn folds_case_accents_and_punctuation() {
        assert_eq!(fold("  Arabe (Maroc) "), "arabe maroc");
        assert_eq!(fold("ESPAGNOL"), "espagnol");
        assert_eq!(fold("Créole haïtien"), "creole haitien");
        assert_eq!(fold("l'arménien"), "l armenien");
        assert_eq!(fold("ACCEPTÉE!!"), "acceptee");
        assert_eq!(fold(""), "");
    }

    #[test]
    fn one_line_holds_no_line_break_nor_control_character() {
        assert_eq!(line("  Amina Haddad ", 100), Ok("Amina Haddad"));
        assert_eq!(line("Hôpital – 3e étage ✓", 100), Ok("Hôpital – 3e étage ✓"));
        for bad in ["Marie\r\nBcc: x@y.z", "a\nb", "a\rb", "a\u{2028}b", "a\u{85}b"] {
            assert_eq!(line(bad, 100), Err(TextProblem::LineBreak), "{bad:?}");
        }
        for bad in ["a\0b", "a\u{1b}[31mb", "a\tb", "a\u{7f}b", "a\u{9b}b"] {
            assert_eq!(line(bad, 100), Err(TextProblem::ControlCharacter), "{bad:?}");
        }
        assert_eq!(line(&"é".repeat(100), 100).map(str::len), Ok(200));
        assert_eq!(line(&"é".repeat(101), 100), Err(TextProblem::TooLong(100)));
    }

    #[test]
    fn free_text_keeps_its_lines_but_no_other_control_character() {
        assert_eq!(lines(" un\r\ndeux\n\ttrois ", 100), Ok("un\r\ndeux\n\ttrois"));
        assert_eq!(lines("a\0b", 100), Err(TextProblem::ControlCharacter));
        assert_eq!(lines("a\u{7}b", 100), Err(TextProblem::ControlCharacter));
        assert_eq!(lines(&"x".repeat(2001), TEXT_MAX), Err(TextProblem::TooLong(2000)));
        let browser = format!("{}\r\n{}", "x".repeat(1000), "y".repeat(999));
        assert_eq!(lines(&browser, TEXT_MAX).map(str::len), Ok(2001), "CR LF counts once");
    }

    #[test]
    fn problems_are_said_in_both_languages_with_the_limit() {
        let long = TextProblem::TooLong(4000);
        assert_eq!(long.message(Locale::Fr), "au plus 4\u{a0}000 caractères");
        assert_eq!(long.message(Locale::En), "at most 4,000 characters");
        assert_eq!(long.sentence(Locale::Fr), "Au plus 4\u{a0}000 caractères.");
        assert_eq!(
            TextProblem::LineBreak.about("Nom de l'usager", Locale::Fr),
            "Nom de l'usager\u{a0}: une seule ligne\u{a0}: retirez le saut de ligne"
        );
        assert_eq!(
            TextProblem::ControlCharacter.about("Patient name", Locale::En),
            "Patient name: holds an invisible character that is not allowed (a control character); type the value again"
        );
        assert_eq!(count(200, Locale::Fr), "200");
        assert_eq!(count(1_600, Locale::Fr), "1\u{a0}600");
        assert_eq!(count(25_000_000, Locale::En), "25,000,000");
    }

    #[test]
    fn nul_is_replaced_for_storage_and_nothing_else() {
        assert_eq!(without_nul("a\0b"), "a\u{FFFD}b");
        assert!(matches!(without_nul("a\nb"), Cow::Borrowed("a\nb")));
        let mut v = serde_json::json!({"subject": "a\0b", "list": ["\0"], "k\0": 1, "n": 2});
        json_without_nul(&mut v);
        assert_eq!(
            v,
            serde_json::json!({"subject": "a\u{FFFD}b", "list": ["\u{FFFD}"], "k\u{FFFD}": 1, "n": 2})
        );
    }
}
