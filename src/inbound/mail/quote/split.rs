//! Splitting a plain-text reply into what the person wrote now and the older messages it
//! quotes, newest first: the lines are walked once, each quote found ([`super::markers`])
//! either ends the new text (top posting) or is answered below (bottom posting), and each
//! older message is split the same way in turn.

use super::markers::{Lines, attribution_len, dequote, dequote_all, hard_start, is_blank, is_quoted};
use super::signature::{clean_new_text, is_mobile_footer, is_signature_delimiter};
use super::truncate;

/// At most this much plain text is read (docs/inbound-mail.md, "Sizes").
pub(super) const MAX_TEXT_BYTES: usize = 256 * 1024;
/// Nested messages deeper than this are kept as one flat older entry.
const MAX_MESSAGE_DEPTH: usize = 8;

/// The parts of a reply: what the person wrote now, and the older messages it quotes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReplyParts {
    /// What the person wrote in this message, cleaned as docs/inbound-mail.md says (signature and mobile footers removed, lines right-trimmed, leading/trailing blank lines removed, blank-line runs reduced to one).
    pub new_text: String,
    /// The quoted/older text, newest first, with quote markers ("> ", ">>") removed, one entry per quoted message or quote block. Used to find form values the person typed inside the quote. Keep the original lines (do not strip signatures here).
    pub older: Vec<String>,
}

/// Splits a plain-text body into the new text and the quoted older text.
///
/// Quoted text starts at a `>` line, an attribution line ("Le … a écrit :",
/// "On … wrote:"), an Outlook header block ("De : / Envoyé : / À : / Objet :")
/// or an original-message separator. `>` blocks that the person answered
/// between (bottom posting) are each an older entry, and the person's lines
/// between them are joined into the new text.
pub fn split_reply(text: &str) -> ReplyParts {
    let text = truncate(text, MAX_TEXT_BYTES);
    let lines: Vec<String> = if text.contains('\r') {
        text.replace("\r\n", "\n")
            .split(['\n', '\r'])
            .map(str::to_owned)
            .collect()
    } else {
        text.split('\n').map(str::to_owned).collect()
    };
    let parsed = parse_message(&lines, 0);
    let mut older = Vec::new();
    collect_older(parsed.children, 1, &mut older);
    ReplyParts {
        new_text: clean_new_text(&parsed.own),
        older,
    }
}

/// One message: its own lines, and the older messages or quote blocks in it.
struct Parsed {
    own: Vec<String>,
    children: Vec<Vec<String>>,
}

/// What a scan after an attribution found, kept so that a run of
/// attributions is scanned once (the result holds for any later start
/// before `end`, as long as no text-between-quotes was found).
struct ScanMemo {
    end: usize,
    trailing_text: bool,
}

fn parse_message(lines: &[String], depth: usize) -> Parsed {
    if depth >= MAX_MESSAGE_DEPTH {
        return Parsed {
            own: lines.iter().map(|l| dequote_all(l).to_owned()).collect(),
            children: Vec::new(),
        };
    }
    let text = Lines::new(lines);
    let mut own: Vec<String> = Vec::new();
    let mut children = Vec::new();
    let mut memo: Option<ScanMemo> = None;
    // Whether the person wrote something above, kept as we go (rescanning
    // `own` at each attribution would be quadratic).
    let mut own_has_text = false;
    let mut i = 0;
    while i < lines.len() {
        let line = &lines[i];
        if is_quoted(line) {
            let end = quote_run_end(lines, i);
            children.push(
                lines[i..end]
                    .iter()
                    .map(|l| dequote(l).unwrap_or(l).to_owned())
                    .collect(),
            );
            push_gap(&mut own);
            i = end;
            continue;
        }
        if let Some(body) = hard_start(&text, i) {
            children.push(dequote_rest(lines, body));
            break;
        }
        if let Some(len) = attribution_len(lines, i) {
            let after = i + len;
            if is_interleaved(&text, after, own_has_text, &mut memo) {
                // Bottom posting: the attribution only introduces the next
                // `>` block, and the person's lines after it are new text.
                push_gap(&mut own);
                i = after;
                continue;
            }
            children.push(dequote_rest(lines, after));
            break;
        }
        own_has_text |= !is_blank(line);
        own.push(line.clone());
        i += 1;
    }
    Parsed { own, children }
}

/// The lines from `from` on, with one level of `>` removed where there is one.
fn dequote_rest(lines: &[String], from: usize) -> Vec<String> {
    lines
        .get(from..)
        .unwrap_or_default()
        .iter()
        .map(|l| dequote(l).unwrap_or(l).to_owned())
        .collect()
}

/// The end (exclusive) of the `>` block starting at `i`; blank lines inside
/// the block belong to it, blank lines after it do not.
fn quote_run_end(lines: &[String], i: usize) -> usize {
    let mut last_quoted = i;
    for (j, line) in lines.iter().enumerate().skip(i) {
        // (`skip` on a slice iterator jumps straight to `i`.)
        if is_quoted(line) {
            last_quoted = j;
        } else if !is_blank(line) {
            break;
        }
    }
    last_quoted + 1
}

fn push_gap(own: &mut Vec<String>) {
    if own.last().is_some_and(|l| !is_blank(l)) {
        own.push(String::new());
    }
}

/// Whether the attribution ending before `after` introduces a `>` block that
/// the person answers below (bottom posting) rather than the older thread
/// under a top-posted reply.
///
/// It does when a `>` block follows and the person wrote between two `>`
/// blocks, or wrote after the last one and nothing above the attribution.
/// Text after the last block under a top-posted reply is more likely a
/// footer or a disclaimer added by a server.
fn is_interleaved(text: &Lines<'_>, after: usize, own_has_text: bool, memo: &mut Option<ScanMemo>) -> bool {
    let lines = text.lines;
    let Some(start) = (after..lines.len()).find(|&j| !is_blank(&lines[j])) else {
        return false;
    };
    if !is_quoted(&lines[start]) {
        // An unquoted original under the attribution (Outlook for Mac, iOS).
        return false;
    }
    if let Some(m) = memo.as_ref().filter(|m| start < m.end) {
        return m.trailing_text && !own_has_text;
    }
    let mut pending_text = false;
    let mut j = start;
    while j < lines.len() {
        let line = &lines[j];
        if is_quoted(line) {
            if pending_text {
                return true;
            }
            j += 1;
            continue;
        }
        if is_blank(line) {
            j += 1;
            continue;
        }
        if is_signature_delimiter(line) || is_mobile_footer(line) || hard_start(text, j).is_some() {
            break;
        }
        if let Some(len) = attribution_len(lines, j) {
            j += len;
            continue;
        }
        pending_text = true;
        j += 1;
    }
    *memo = Some(ScanMemo {
        end: j,
        trailing_text: pending_text,
    });
    pending_text && !own_has_text
}

/// Adds one entry per older message (its own lines), newest first.
fn collect_older(children: Vec<Vec<String>>, depth: usize, out: &mut Vec<String>) {
    for child in children {
        let parsed = parse_message(&child, depth);
        let text = join_trimmed(&parsed.own);
        if !text.is_empty() {
            out.push(text);
        }
        collect_older(parsed.children, depth + 1, out);
    }
}

/// The lines joined, without the blank lines at the start and the end.
fn join_trimmed(lines: &[String]) -> String {
    let Some(first) = lines.iter().position(|l| !is_blank(l)) else {
        return String::new();
    };
    let last = lines.iter().rposition(|l| !is_blank(l)).unwrap_or(first);
    lines[first..=last].join("\n")
}
