//! Values read as words: yes or no (a ticked box too), a value that says nothing ("N/A",
//! "-", "s. o."), and the lookup of a value in a table of folded words, whole or by its
//! first words, that the request form's types and genders use as well.

use std::collections::HashMap;
use std::sync::LazyLock;

use super::trim;
use crate::domain::text::fold;

static YES_NO: LazyLock<HashMap<String, bool>> = LazyLock::new(|| {
    [
        ("oui", true),
        ("o", true),
        ("x", true),
        ("yes", true),
        ("y", true),
        ("vrai", true),
        ("true", true),
        ("non", false),
        ("n", false),
        ("no", false),
        ("faux", false),
        ("false", false),
    ]
    .into_iter()
    .map(|(word, flag)| (word.to_string(), flag))
    .collect()
});

/// Looks up the folded value whole, then its first words, longest first
/// ("Vidéo (Teams)", "oui merci", "femme de préférence"). One-letter entries
/// ("o", "x", "f", "h") only match a whole value: as a first word they are
/// too often something else.
pub(in crate::forms) fn match_words<T: Copy>(raw: &str, table: &HashMap<String, T>) -> Option<T> {
    let folded = fold(raw);
    if let Some(value) = table.get(&folded) {
        return Some(*value);
    }
    let words: Vec<&str> = folded.split(' ').take(6).collect();
    (1..words.len()).rev().find_map(|count| {
        let prefix = words.get(..count)?.join(" ");
        if prefix.chars().count() < 2 {
            return None;
        }
        table.get(&prefix).copied()
    })
}

pub(in crate::forms) fn parse_yes_no(raw: &str) -> Option<bool> {
    if is_check_mark(raw) {
        return Some(true);
    }
    match_words(raw, &YES_NO)
}

/// A ticked box pasted from a form: yes.
fn is_check_mark(value: &str) -> bool {
    matches!(trim(value), "✓" | "✔" | "☑" | "☒" | "✅" | "✔\u{FE0F}")
}

/// A value that gives nothing: empty, punctuation only ("-", "?", "…"), or
/// "N/A" and its French "s. o.". It counts as not given here, so an older
/// source may give the field, and an optional field left "N/A" is no error.
pub(in crate::forms) fn says_nothing(value: &str) -> bool {
    if is_check_mark(value) {
        return false;
    }
    matches!(
        fold(value).as_str(),
        "" | "n a" | "na" | "s o" | "sans objet" | "non applicable" | "not applicable"
    )
}
