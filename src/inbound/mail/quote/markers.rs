//! Where a quote starts, line by line: `>` lines, attribution lines ("Le … a écrit :",
//! "On … wrote:", "Op … schreef …:", wrapped over up to four lines), Outlook header blocks
//! ("De : / Envoyé : / À : / Objet :", "Von: / Gesendet: / An: / Betreff:"),
//! original-message separators and forwards, in the languages whose words
//! [`super::languages`] lists.
//!
//! Every pattern is anchored on one line (or on up to four short lines joined, for
//! wrapped attributions), so the work stays linear in the size of the text.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use super::languages::{ATTRIBUTION_STARTS, ATTRIBUTION_VERBS, HEADER_LABELS, SEPARATORS};
use super::{re, truncate};

/// A line longer than this is never an attribution line.
const MAX_ATTRIBUTION_LINE: usize = 300;

/// "Le jeu. 5 déc. 2026 à 14:03, Marie <m@x> a écrit :", "On Thu, Dec 5, 2026 at 2:03 PM Marie wrote:".
static ATTR_ON_LE: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)^(?:le|on)\s.*\d.*(?-u:\b)(?:a\s+écrit|a\s+ecrit|wrote)\s*:$"));
/// "Marie Tremblay <m@x.ca> a écrit :".
static ATTR_EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    re(r#"(?i)^.*(?:<[^<>\s]+@[^<>\s]+>|[^\s<>@"']+@[^\s<>@"']+\.\w+).*(?-u:\b)(?:a\s+écrit|a\s+ecrit|wrote)\s*:$"#)
});
/// "Marie Tremblay a écrit :" (only when a `>` block follows).
static ATTR_NAME: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)^[^\s>].{0,80}\s(?:a\s+écrit|a\s+ecrit|wrote)\s*:$"));
/// The first line of an attribution wrapped over several lines.
static ATTR_START: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)^(?:le|on)\s"));
/// The first words of attribution lines in every language of [`ATTRIBUTION_STARTS`]
/// ("Le …", "On …", "Op …", "Am …", "W dniu …"): such a line may be wrapped.
static ATTR_STARTS: LazyLock<Regex> = LazyLock::new(|| {
    let words = alternation(ATTRIBUTION_STARTS.iter().flat_map(|(_, words)| words.iter()));
    re(&format!(r"(?i)^\s*(?:{words})\s"))
});
/// The last attribution verb of a line (without its final colon), in every language of
/// [`ATTRIBUTION_VERBS`]: group 1 is what comes before it, group 2 or 3 what comes after
/// ("Op … schreef Marie <m@x>", "El … Marie escribió", "Marie <m@x> 于…写道").
static ATTR_VERB: LazyLock<Regex> = LazyLock::new(|| {
    let verbs = ATTRIBUTION_VERBS.iter().flat_map(|(_, words)| words.iter());
    // Chinese and Japanese verbs are written without spaces around them.
    let (glued, words): (Vec<_>, Vec<_>) = verbs.partition(|w| w.starts_with(|c: char| c >= '\u{3000}'));
    let (glued, words) = (alternation(glued), alternation(words));
    re(&format!(
        r"(?i)^(.*)(?:(?:^|[^\p{{L}}\p{{N}}])(?:{words})([^\p{{L}}\p{{N}}].*)?|(?:{glued})(.*))$"
    ))
});
/// A Notes hierarchical name without a domain, "Marie Roy/Cliniques/CIUSSS": a first and
/// last name, then one to four units, slashes without spaces around them.
static NOTES_NAME: LazyLock<Regex> =
    LazyLock::new(|| re(r"^\p{L}[\p{L}'.\-]*(?:\s\p{L}[\p{L}'.\-]*){1,3}(?:/[\p{L}\p{N}][\p{L}\p{N}&'.\-]*){1,4}$"));
/// "On Thu, Dec 10, 2026 at 9:12 AM, Marie <m@x> wrote", without the colon.
static ATTR_NO_COLON: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)^on\s.*\d.*\swrote$"));
/// Zoho Mail's "---- On Thu, 10 Dec 2026 09:12:40 -0500 Marie <m@x> wrote ----".
static ATTR_DASHED: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)^-{2,}\s*on\s.*\d.*\swrote\s*:?\s*-{2,}$"));
static EMAIL: LazyLock<Regex> = LazyLock::new(|| re(r#"[^\s<>@"']+@[^\s<>@"']+"#));
static DATE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?-u:\b)(?:\d{1,4}[./-]\d{1,2}[./-]\d{2,4}|\d{1,2}\s+\p{L}{3,}\.?,?\s+\d{4}|\p{L}{3,}\.?\s+\d{1,2},?\s+\d{4})(?-u:\b)",
    )
});
static TIME: LazyLock<Regex> = LazyLock::new(|| re(r"(?-u:\b)\d{1,2}\s?[:h]\s?\d{2}(?-u:\b)"));
/// "-----Original Message-----", "-------- Message original --------", "---------- Forwarded
/// message ---------", "*--- Original Message ---*" (bold, from HTML), in every language of
/// [`SEPARATORS`].
static SEPARATOR: LazyLock<Regex> = LazyLock::new(|| {
    let words = alternation(SEPARATORS.iter().flat_map(|(_, words)| words.iter()));
    re(&format!(r"(?i)^\s*[*_]?\s*-{{2,}}\s*(?:{words})\s*-{{2,}}\s*[*_]?\s*$"))
});
/// "Begin forwarded message:", "Début du message réexpédié :".
static FORWARD_INTRO: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^\s*(?:begin forwarded message|d[ée]but du message r[ée]exp[ée]di[ée]|d[ée]but du message transf[ée]r[ée])\s*:\s*$",
    )
});
/// A rule that Outlook or Gmail puts above a header block.
static RULE: LazyLock<Regex> = LazyLock::new(|| re(r"^\s*(?:_{5,}|-{5,}|={5,}|─{5,}|—{5,})\s*$"));

/// A regex alternation of the words, escaped, a space matching any run of white space.
fn alternation<'a>(words: impl IntoIterator<Item = &'a &'static str>) -> String {
    words
        .into_iter()
        .map(|w| regex::escape(w).replace(' ', r"\s+"))
        .collect::<Vec<_>>()
        .join("|")
}

/// Whether `body` (an attribution line without its final colon) is an attribution in
/// one of the languages of [`ATTRIBUTION_VERBS`]. The verb alone is never enough: a
/// line such as "Op 3 december schreef de arts het volgende:" is the person's text.
fn verb_attribution(body: &str, quote_below: bool) -> bool {
    let Some(caps) = ATTR_VERB.captures(body) else {
        return false;
    };
    let head = caps.get(1).map_or("", |m| m.as_str()).trim();
    let tail = caps.get(2).or_else(|| caps.get(3)).map_or("", |m| m.as_str()).trim();
    if tail.is_empty() {
        // The verb ends the line: "… Marie <m@x> escribió", "W dniu 5.12.2026 o 14:03,
        // Marie pisze", or a name alone just above a `>` block.
        return !head.is_empty()
            && (EMAIL.is_match(head)
                || ((DATE.is_match(head) || TIME.is_match(head)) && (ATTR_STARTS.is_match(head) || quote_below))
                || (quote_below && head.chars().count() <= 80));
    }
    // The name after the verb: "Op … schreef Marie <m@x>", "Marie <m@x> skrev 5. des.
    // 2026 kl. 14:03", "Marie <m@x> kirjoitti 5.12.2026 kello 14.03", or "Am 5.12.2026
    // um 14:03 schrieb Marie" above a `>` block; or the date after the verb behind a Notes
    // name, "Marie Roy/Cliniques/CIUSSS wrote on 03/12/2026 10:15".
    tail.len() <= 120
        && (EMAIL.is_match(tail)
            || (EMAIL.is_match(head) && (TIME.is_match(tail) || DATE.is_match(tail)))
            || (NOTES_NAME.is_match(head) && DATE.is_match(tail) && TIME.is_match(tail))
            || (quote_below && tail.chars().count() <= 60 && (DATE.is_match(head) || TIME.is_match(head))))
}

/// `line` without its final colon (ASCII or full-width), if it ends with one.
fn strip_colon(line: &str) -> Option<&str> {
    line.strip_suffix(':')
        .or_else(|| line.strip_suffix('：'))
        .map(str::trim_end)
}

fn ends_with_wrote(line: &str) -> bool {
    let bytes = line.as_bytes();
    bytes.len() >= 5 && bytes[bytes.len() - 5..].eq_ignore_ascii_case(b"wrote")
}

/// The kinds of header line that make an Outlook header block.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum HeaderKind {
    From,
    Sent,
    To,
    Subject,
    Other,
}

/// Every header label of [`HEADER_LABELS`], with the kind of line it starts.
static LABELS: LazyLock<HashMap<&'static str, HeaderKind>> = LazyLock::new(|| {
    let mut map = HashMap::new();
    for language in HEADER_LABELS {
        for (kind, words) in [
            (HeaderKind::From, language.from),
            (HeaderKind::Sent, language.sent),
            (HeaderKind::To, language.to),
            (HeaderKind::Subject, language.subject),
            (HeaderKind::Other, language.other),
        ] {
            for &word in words {
                let before = map.insert(word, kind);
                // A label means the same in every language that has it ("de", "a").
                debug_assert!(before.is_none_or(|b| b == kind), "{}: {word}", language.language);
            }
        }
    }
    map
});

/// Whether `text` starts with a header line of one of `kinds` ("De : …", "*From:* …",
/// "差出人:"), in any language of [`HEADER_LABELS`], and another header line follows within
/// three lines: what follows an HTML reply divider. One label line alone ("Van: 9:30 uur")
/// may be the person's text.
pub(super) fn starts_with_header(text: &str, kinds: &[HeaderKind]) -> bool {
    let mut lines = text.lines().filter(|l| !is_blank(l));
    let first = lines.next().and_then(header_kind);
    first.is_some_and(|kind| kinds.contains(&kind)) && lines.take(3).any(|l| header_kind(l).is_some())
}

#[cfg(test)]
pub(super) fn header_label_count() -> usize {
    LABELS.len()
}

/// The kind of header line ("De : …", "*From:* …"), read by hand: this runs
/// on every line, and a regex with captures is slow there.
fn header_kind(line: &str) -> Option<HeaderKind> {
    let head = truncate(line, 48);
    // Chinese clients often write the full-width colon.
    let colon = head.find([':', '：'])?;
    let label = head[..colon].trim().trim_matches(['*', '_']).trim();
    // The longest label ("vastaanottaja", "تاريخ الإرسال") is 13 letters; anything longer is text.
    if label.is_empty() || label.chars().count() > 16 {
        return None;
    }
    LABELS.get(label.to_lowercase().as_str()).copied()
}

pub(super) fn is_blank(line: &str) -> bool {
    line.trim().is_empty()
}

/// The line without one level of quoting, or `None` when it is not quoted.
pub(super) fn dequote(line: &str) -> Option<&str> {
    let rest = line.trim_start_matches([' ', '\t']);
    // A quote marker indented by more than a few spaces is more likely text.
    if line.len() - rest.len() > 3 {
        return None;
    }
    let rest = rest.strip_prefix('>')?;
    Some(rest.strip_prefix(' ').unwrap_or(rest))
}

pub(super) fn is_quoted(line: &str) -> bool {
    dequote(line).is_some()
}

pub(super) fn dequote_all(mut line: &str) -> &str {
    while let Some(rest) = dequote(line) {
        line = rest;
    }
    line
}

fn ends_sentence(line: &str) -> bool {
    line.ends_with(['.', '!', '?', ':'])
}

/// The index of the next non-blank line at or after `from` (within `limit` lines).
fn next_non_blank(lines: &[String], from: usize, limit: usize) -> Option<usize> {
    (from..lines.len().min(from.saturating_add(limit))).find(|&j| !is_blank(&lines[j]))
}

fn quote_follows(lines: &[String], from: usize) -> bool {
    next_non_blank(lines, from, 4).is_some_and(|j| is_quoted(&lines[j]))
}

/// How many lines the attribution line starting at `i` spans, if it is one.
pub(super) fn attribution_len(lines: &[String], i: usize) -> Option<usize> {
    let first = lines[i].trim();
    if first.is_empty() || first.len() > MAX_ATTRIBUTION_LINE || is_quoted(first) {
        return None;
    }
    // Zoho Mail's attribution between dashes, and "… wrote" without a colon
    // (only above a `>` block).
    if first.starts_with("--") && ATTR_DASHED.is_match(first) {
        return Some(1);
    }
    if ends_with_wrote(first) && ATTR_NO_COLON.is_match(first) && quote_follows(lines, i + 1) {
        return Some(1);
    }
    // Every other attribution ends with a colon ("a écrit :", "wrote:", "写道："), on
    // this line or on one of the next three: a cheap test before any regex.
    if let Some(body) = strip_colon(first) {
        let quote_below = quote_follows(lines, i + 1);
        let found = ATTR_ON_LE.is_match(first)
            || ATTR_EMAIL.is_match(first)
            || (ATTR_NAME.is_match(first) && quote_below)
            || verb_attribution(body, quote_below)
            // A line naming a sender or a date and time, just above a `>`
            // block ("26.06.2014, 14:41, "Alex" <a@x.ru>:").
            || (quote_below && (EMAIL.is_match(first) || (DATE.is_match(first) && TIME.is_match(first))));
        return found.then_some(1);
    }
    let colon_below = lines
        .get(i + 1..lines.len().min(i + 4))
        .unwrap_or_default()
        .iter()
        .any(|l| strip_colon(l.trim_end()).is_some());
    if !colon_below || ends_sentence(first) {
        return None;
    }
    let starts_attribution = ATTR_STARTS.is_match(first);
    let starts_with_date = DATE.is_match(first);
    if !starts_attribution && !starts_with_date {
        return None;
    }
    // An attribution wrapped over two to four lines.
    let mut joined = first.to_owned();
    for k in 2..=4 {
        let Some(next) = lines.get(i + k - 1) else {
            break;
        };
        let next = next.trim();
        if next.is_empty() || next.len() > MAX_ATTRIBUTION_LINE || is_quoted(next) || ATTR_START.is_match(next) {
            break;
        }
        joined.push(' ');
        joined.push_str(next);
        if starts_attribution
            && (ATTR_ON_LE.is_match(&joined)
                || ATTR_EMAIL.is_match(&joined)
                || strip_colon(&joined).is_some_and(|body| verb_attribution(body, quote_follows(lines, i + k))))
        {
            return Some(k);
        }
        if starts_with_date
            && k == 2
            && next.ends_with(':')
            && !ATTR_EMAIL.is_match(next)
            && quote_follows(lines, i + k)
            && (EMAIL.is_match(&joined) || TIME.is_match(&joined))
        {
            return Some(k);
        }
    }
    None
}

/// The lines of one message, with each line's header kind read once: the
/// block checks below look at several lines around each line.
pub(super) struct Lines<'a> {
    pub(super) lines: &'a [String],
    kinds: Vec<Option<HeaderKind>>,
}

impl<'a> Lines<'a> {
    pub(super) fn new(lines: &'a [String]) -> Self {
        let kinds = lines.iter().map(|l| header_kind(l)).collect();
        Lines { lines, kinds }
    }
}

/// The end (exclusive) of the Outlook header block starting at `i`, if any:
/// a From/De line, a Sent/Envoyé/Date line and a To/À or Subject/Objet line
/// within a few consecutive lines.
fn header_block_end(text: &Lines<'_>, i: usize) -> Option<usize> {
    text.kinds.get(i).copied().flatten()?;
    let (mut from, mut sent, mut to_or_subject) = (false, false, false);
    let (mut headers, mut continuations, mut last_header) = (0, 0, i);
    for j in i..text.lines.len().min(i + 10) {
        let line = &text.lines[j];
        match text.kinds[j] {
            Some(kind) => {
                headers += 1;
                last_header = j;
                match kind {
                    HeaderKind::From => from = true,
                    HeaderKind::Sent => sent = true,
                    HeaderKind::To | HeaderKind::Subject => to_or_subject = true,
                    HeaderKind::Other => {}
                }
            }
            None if is_blank(line) => break,
            // A wrapped "To:" line.
            None if continuations < 2 => continuations += 1,
            None => break,
        }
    }
    (from && sent && to_or_subject && headers >= 3).then_some(last_header + 1)
}

/// Skips blank lines and then header lines, from `from` on.
fn skip_headers(text: &Lines<'_>, from: usize) -> usize {
    let mut j = next_non_blank(text.lines, from, 3).unwrap_or(from);
    while text.kinds.get(j).is_some_and(Option::is_some) {
        j += 1;
    }
    j
}

/// Where the older message begins when line `i` starts an Outlook header
/// block, an original-message separator or a forward: everything after is older.
pub(super) fn hard_start(text: &Lines<'_>, i: usize) -> Option<usize> {
    let line = &text.lines[i];
    let trimmed = line.trim();
    // Cheap filters first: separators start with dashes, forward
    // introductions end with a colon, rules are made of one character.
    if (trimmed.trim_start_matches(['*', '_']).starts_with("--") && SEPARATOR.is_match(line))
        || (trimmed.ends_with(':') && FORWARD_INTRO.is_match(line))
    {
        return Some(skip_headers(text, i + 1));
    }
    if trimmed.starts_with(['_', '-', '=', '─', '—']) && RULE.is_match(line) {
        let j = next_non_blank(text.lines, i + 1, 3)?;
        return header_block_end(text, j);
    }
    header_block_end(text, i)
}
