//! Where a quote starts, line by line: `>` lines, attribution lines ("Le … a écrit :",
//! "On … wrote:", wrapped over two or three lines), Outlook header blocks ("De : / Envoyé :
//! / À : / Objet :"), original-message separators and forwards, in the French, English
//! and other spellings mail clients use.
//!
//! Every pattern is anchored on one line (or on two or three short lines joined, for
//! wrapped attributions), so the work stays linear in the size of the text.

use std::sync::LazyLock;

use regex::Regex;

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
static EMAIL: LazyLock<Regex> = LazyLock::new(|| re(r#"[^\s<>@"']+@[^\s<>@"']+"#));
static DATE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?-u:\b)(?:\d{1,4}[./-]\d{1,2}[./-]\d{2,4}|\d{1,2}\s+\p{L}{3,}\.?,?\s+\d{4}|\p{L}{3,}\.?\s+\d{1,2},?\s+\d{4})(?-u:\b)",
    )
});
static TIME: LazyLock<Regex> = LazyLock::new(|| re(r"(?-u:\b)\d{1,2}\s?[:h]\s?\d{2}(?-u:\b)"));
/// "-----Original Message-----", "-------- Message original --------", "---------- Forwarded message ---------"…
static SEPARATOR: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^\s*-{2,}\s*(?:original message|message d['’]origine|message original|forwarded message|message transf[ée]r[ée]|message r[ée]exp[ée]di[ée]|mensaje original)\s*-{2,}\s*$",
    )
});
/// "Begin forwarded message:", "Début du message réexpédié :".
static FORWARD_INTRO: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^\s*(?:begin forwarded message|d[ée]but du message r[ée]exp[ée]di[ée]|d[ée]but du message transf[ée]r[ée])\s*:\s*$",
    )
});
/// A rule that Outlook or Gmail puts above a header block.
static RULE: LazyLock<Regex> = LazyLock::new(|| re(r"^\s*(?:_{5,}|-{5,}|={5,}|─{5,}|—{5,})\s*$"));

/// The kinds of header line that make an Outlook header block.
#[derive(Clone, Copy, PartialEq, Eq)]
enum HeaderKind {
    From,
    Sent,
    To,
    Subject,
    Other,
}

/// The kind of header line ("De : …", "*From:* …"), read by hand: this runs
/// on every line, and a regex with captures is slow there.
fn header_kind(line: &str) -> Option<HeaderKind> {
    let head = truncate(line, 48);
    let colon = head.find(':')?;
    let label = head[..colon].trim().trim_matches(['*', '_']).trim().to_lowercase();
    Some(match label.as_str() {
        "from" | "de" | "von" | "от" => HeaderKind::From,
        "sent" | "envoyé" | "envoye" | "date" | "отправлено" | "дата" => HeaderKind::Sent,
        "to" | "à" | "a" | "кому" => HeaderKind::To,
        "subject" | "objet" | "sujet" | "тема" => HeaderKind::Subject,
        "cc" | "cci" | "bcc" | "копия" | "reply-to" | "répondre à" | "repondre a" | "importance" => {
            HeaderKind::Other
        }
        _ => return None,
    })
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
    // Every attribution ends with a colon ("a écrit :", "wrote:"), on this
    // line or on one of the next two: a cheap test before any regex.
    if first.ends_with(':') {
        let found = ATTR_ON_LE.is_match(first)
            || ATTR_EMAIL.is_match(first)
            || (ATTR_NAME.is_match(first) && quote_follows(lines, i + 1))
            // A line naming a sender or a date and time, just above a `>`
            // block ("26.06.2014, 14:41, "Alex" <a@x.ru>:").
            || (quote_follows(lines, i + 1)
                && (EMAIL.is_match(first) || (DATE.is_match(first) && TIME.is_match(first))));
        return found.then_some(1);
    }
    let colon_below = lines
        .get(i + 1..lines.len().min(i + 3))
        .unwrap_or_default()
        .iter()
        .any(|l| l.trim_end().ends_with(':'));
    if !colon_below || ends_sentence(first) {
        return None;
    }
    let starts_attribution = ATTR_START.is_match(first);
    let starts_with_date = DATE.is_match(first);
    if !starts_attribution && !starts_with_date {
        return None;
    }
    // An attribution wrapped over two or three lines.
    let mut joined = first.to_owned();
    for k in 2..=3 {
        let Some(next) = lines.get(i + k - 1) else {
            break;
        };
        let next = next.trim();
        if next.is_empty() || next.len() > MAX_ATTRIBUTION_LINE || is_quoted(next) || ATTR_START.is_match(next) {
            break;
        }
        joined.push(' ');
        joined.push_str(next);
        if starts_attribution && (ATTR_ON_LE.is_match(&joined) || ATTR_EMAIL.is_match(&joined)) {
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
    if (trimmed.starts_with("--") && SEPARATOR.is_match(line))
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
