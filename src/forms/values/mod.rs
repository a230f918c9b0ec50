//! Readers of the values people type in a form, shared by both forms so that "11 h",
//! "1 h 30" and "20/08/2024" mean the same in a booking and in a service record: dates,
//! times, durations and yes/no, in the spellings French and English writers use. Each
//! reader takes the value as written (hint removed) and gives the value, or `None`.

mod date;
mod duration;
mod repetition;
mod time;
mod tokens;
mod words;

pub(super) use date::parse_date;
pub(super) use duration::{duration_minutes, is_negative};
pub(super) use repetition::parse_repetition;
pub(super) use time::parse_time;
pub(super) use words::{match_words, parse_yes_no, says_nothing};

/// Trims white space (including the no-break spaces Outlook and French
/// typography put around colons) and invisible zero-width characters.
pub(in crate::forms) fn trim(text: &str) -> &str {
    text.trim_matches(|c: char| c.is_whitespace() || c == '\u{200B}' || c == '\u{FEFF}')
}

#[cfg(test)]
mod tests;
