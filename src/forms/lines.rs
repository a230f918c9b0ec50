//! Finding the `Libellé : valeur` lines of a form in the text of a mail, for either form:
//! a table of folded labels, the first colon of a line whose left part folds to one of
//! them, the value read past a bracketed hint (even one a mail client wrapped), and a
//! quoted mail header's "Date:" told apart from the form's.
//!
//! Reading is linear in the size of the text: each line is folded at most once up to its
//! label and looked up in one hash map, because a mail can carry 256 KiB of text and this
//! runs on every inbound mail.

use std::collections::HashMap;

use super::values::{says_nothing, trim};
use crate::domain::text::fold;

/// Folded label → field, for one kind of form. Built once per form: every line of every
/// inbound mail that has a colon near its start is looked up here. The request form and
/// the service record form each build their own table and read their lines alike.
pub(super) struct LabelTable<F> {
    map: HashMap<String, F>,
    /// Longest folded label, plus room for an "(optionnel)"-like suffix: a longer folded
    /// prefix cannot be a label, so the search on a line stops there.
    max_folded: usize,
}

impl<F: Copy + PartialEq> LabelTable<F> {
    /// A table of `(field, label as written)`; labels are folded here.
    pub(super) fn new(entries: impl IntoIterator<Item = (F, &'static str)>) -> LabelTable<F> {
        let mut map = HashMap::new();
        for (field, label) in entries {
            let previous = map.insert(fold(label), field);
            // A label shared by two fields would make one of them unreachable by that
            // label; each form's `no_folded_label_selects_two_fields` test proves it can't.
            debug_assert!(
                previous.is_none_or(|p| p == field),
                "a folded form label selects two fields"
            );
        }
        let longest_suffix = LABEL_SUFFIXES.iter().map(|s| s.len()).max().unwrap_or(0);
        let max_folded = map.keys().map(String::len).max().unwrap_or(0) + 2 * longest_suffix;
        LabelTable { map, max_folded }
    }

    pub(super) fn get(&self, folded: &str) -> Option<F> {
        self.map.get(folded).copied()
    }
}

/// Raw bytes before a colon beyond which no label is looked for: generous for
/// quote markers, bullets and odd spaces, and it keeps a line of thousands of
/// colons linear.
const MAX_LABEL_PREFIX_BYTES: usize = 512;

/// Folded words a form may print after a label ("Date (optionnel) :",
/// "Heure* :" needs nothing, fold drops the star).
const LABEL_SUFFIXES: [&str; 6] = [
    " optionnel",
    " optional",
    " facultatif",
    " obligatoire",
    " required",
    " requis",
];

/// The labels of an e-mail header block (Outlook's "De : / Envoyé : / À : /
/// Objet :", Gmail's forwarded block), folded. A "Date:" line next to one of
/// them is the quoted mail's date, not the form's.
const MAIL_HEADER_LABELS: [&str; 14] = [
    "de",
    "from",
    "envoye",
    "envoye le",
    "sent",
    "a",
    "to",
    "objet",
    "subject",
    "cc",
    "cci",
    "bcc",
    "reply to",
    "repondre a",
];

fn lookup_label<F: Copy + PartialEq>(folded: &str, table: &LabelTable<F>) -> Option<F> {
    // A numbered list ("1. Date :", "2) Heure :") folds to "1 date".
    let mut candidate = match folded.split_once(' ') {
        Some((number, rest)) if number.bytes().all(|b| b.is_ascii_digit()) => rest,
        _ => folded,
    };
    loop {
        if let Some(field) = table.get(candidate) {
            return Some(field);
        }
        let stripped = LABEL_SUFFIXES
            .iter()
            .find_map(|suffix| candidate.strip_suffix(suffix))?;
        candidate = stripped;
    }
}

/// A recognised form line.
pub(super) struct LabelMatch<'a, F> {
    pub(super) field: F,
    /// The label as folded, e.g. "date".
    pub(super) folded_label: String,
    /// What stands before the colon, as written.
    label_part: &'a str,
    /// What follows the colon, as written.
    value: &'a str,
}

/// Finds the label of a form line: the first colon whose left part folds to a
/// known label. Leading spaces, quote markers and bullets need no special
/// case: folding drops them with the rest of the punctuation.
pub(super) fn match_label<'a, F: Copy + PartialEq>(line: &'a str, table: &LabelTable<F>) -> Option<LabelMatch<'a, F>> {
    let mut folded = String::new();
    let mut start = 0;
    for (at, colon) in line.match_indices([':', '\u{FF1A}']) {
        if at > MAX_LABEL_PREFIX_BYTES {
            return None;
        }
        // Folding is word-wise, so the fold of "a:b" is fold(a) + " " + fold(b):
        // folding segment by segment keeps the work linear in the line.
        let segment = fold(line.get(start..at).unwrap_or(""));
        if !segment.is_empty() {
            if !folded.is_empty() {
                folded.push(' ');
            }
            folded.push_str(&segment);
        }
        if folded.len() > table.max_folded {
            return None;
        }
        if let Some(field) = lookup_label(&folded, table) {
            return Some(LabelMatch {
                field,
                folded_label: folded,
                label_part: line.get(..at).unwrap_or(""),
                value: line.get(at + colon.len()..).unwrap_or(""),
            });
        }
        start = at + colon.len();
    }
    None
}

/// Whether the line starts like an e-mail header ("De :", "From:", "Objet :").
fn is_mail_header(line: &str) -> bool {
    let Some(colon) = line.find([':', '\u{FF1A}']) else {
        return false;
    };
    if colon > 64 {
        return false;
    }
    let label = fold(line.get(..colon).unwrap_or(""));
    MAIL_HEADER_LABELS.contains(&label.as_str())
}

/// Whether the nearest non-blank line above or below line `index` is an e-mail
/// header line.
pub(super) fn beside_mail_header(lines: &[&str], index: usize) -> bool {
    let is_blank = |line: &&str| trim(line).trim_start_matches('>').trim().is_empty();
    let above = lines
        .get(..index)
        .unwrap_or(&[])
        .iter()
        .rev()
        .take(3)
        .find(|line| !is_blank(line));
    let below = lines
        .get(index + 1..)
        .unwrap_or(&[])
        .iter()
        .take(3)
        .find(|line| !is_blank(line));
    above.is_some_and(|line| is_mail_header(line)) || below.is_some_and(|line| is_mail_header(line))
}

/// What one source says.
pub(super) struct Found<F> {
    pub(super) recognised: bool,
    /// Non-empty values, at most one per field: the first line that gives one.
    pub(super) values: Vec<(F, String)>,
}

/// The form lines of `source` for the fields of `table`; `ignore` drops a recognised line
/// that is not the form's (a quoted mail header's "Date:").
pub(super) fn scan_lines<F: Copy + PartialEq>(
    source: &str,
    table: &LabelTable<F>,
    ignore: impl Fn(&LabelMatch<'_, F>, &[&str], usize) -> bool,
) -> Found<F> {
    let lines: Vec<&str> = source.lines().collect();
    let mut found = Found {
        recognised: false,
        values: Vec::new(),
    };
    let mut given: Vec<F> = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        let Some(label) = match_label(line, table) else {
            continue;
        };
        if ignore(&label, &lines, index) {
            continue;
        }
        found.recognised = true;
        if given.contains(&label.field) {
            continue;
        }
        let value = read_value(&label, lines.get(index + 1).copied(), table);
        if !says_nothing(&value) {
            given.push(label.field);
            found.values.push((label.field, value));
        }
    }
    found
}

/// The value of a form line: trimmed, without the bracketed hint in front.
/// `next_line` is read only when the hint was wrapped by a mail client, to
/// find a value typed after its closing bracket.
fn read_value<F: Copy + PartialEq>(
    label: &LabelMatch<'_, F>,
    next_line: Option<&str>,
    table: &LabelTable<F>,
) -> String {
    let mut value = trim(label.value);
    // HTML turned into text marks bold as "**Date :** value": drop the
    // emphasis markers that belong to the label.
    for marker in ["**", "__"] {
        if label.label_part.contains(marker) {
            let c = if marker == "**" { '*' } else { '_' };
            value = trim(value.trim_matches(c));
        }
    }
    while let Some(inside) = value.strip_prefix('[') {
        match inside.find(']') {
            Some(end) => value = trim(inside.get(end + 1..).unwrap_or("")),
            None => {
                // A long hint wrapped over two lines: what follows its closing
                // bracket on the next line is the value; the rest is hint.
                return next_line
                    .filter(|next| match_label(next, table).is_none())
                    .and_then(|next| next.find(']').map(|end| next.get(end + 1..).unwrap_or("")))
                    .map(|rest| trim(rest).to_string())
                    .unwrap_or_default();
            }
        }
    }
    value.to_string()
}
