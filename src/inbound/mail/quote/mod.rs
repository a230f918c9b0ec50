//! Splitting an email reply into what the person wrote now and the older
//! messages it quotes (docs/inbound-mail.md, "Quoted text").
//!
//! Plain text is read line by line: every pattern is anchored on one line (or
//! on two or three short lines joined, for wrapped attributions), so the work
//! stays linear in the size of the text, which is cut at 256 KiB first.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::LazyLock;

use html2text::render::TextDecorator;
use regex::Regex;

/// At most this much plain text is read (docs/inbound-mail.md, "Sizes").
const MAX_TEXT_BYTES: usize = 256 * 1024;
/// At most this much HTML is converted: the reply is at the top, and the
/// converter's cost grows with the size of the markup.
const MAX_HTML_BYTES: usize = 512 * 1024;
/// Nested messages deeper than this are kept as one flat older entry.
const MAX_MESSAGE_DEPTH: usize = 8;
/// A line longer than this is never an attribution line.
const MAX_ATTRIBUTION_LINE: usize = 300;
/// HTML elements nested deeper than this are dropped (their content is kept):
/// the converter's cost grows with the square of the nesting depth.
const MAX_HTML_NESTING: usize = 64;
/// Blockquotes nested deeper than this are dropped (their content is kept).
const MAX_HTML_QUOTE_NESTING: usize = 12;
/// How many `<hr>`/`border-top` candidates are checked for a header after them.
const MAX_DIVIDER_CHECKS: usize = 64;
/// How much markup after a candidate divider is looked at for "From:"/"De :".
const DIVIDER_LOOKAHEAD: usize = 2048;
/// The line that stands for an Outlook reply divider in converted HTML.
const ORIGINAL_MESSAGE_LINE: &str = "-----Original Message-----";

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

/// Turns an HTML body into plain text for [`split_reply`].
///
/// - `<blockquote>` content becomes "> "-prefixed lines; nested blockquotes
///   give "> > " lines, which [`split_reply`] reads as deeper levels.
/// - Outlook reply dividers (`<div id="divRplyFwdMsg">`, `<div id="appendonsend">`,
///   a div or p with a `border-top` style before a "From:"/"De :" block, an
///   `<hr>` followed by a From/De/Date header) become a line
///   "-----Original Message-----", so that what follows is read as quoted.
/// - `<br>`, `<p>` and `<div>` become line breaks; entities are decoded.
/// - No decoration: no `**`, `#`, list bullets or link footnotes; a link
///   keeps its text only.
/// - Non-breaking and narrow spaces become plain spaces (French puts them
///   before colons), and each line is right-trimmed.
///
/// Robust on malformed or hostile markup: at most 512 KiB is read, elements
/// nested too deep are flattened, and should the converter fail the tags are
/// stripped instead.
pub fn html_to_text(html: &str) -> String {
    let html = truncate(html, MAX_HTML_BYTES);
    let prepared = prepare_html(html);
    // html2text is robust, but a panic in a dependency must not take down
    // the mail pipeline: fall back to crude tag stripping instead.
    let rendered = catch_unwind(AssertUnwindSafe(|| {
        html2text::config::with_decorator(PlainText)
            .raw_mode(true)
            .allow_width_overflow()
            .string_from_read(prepared.as_bytes(), 1 << 20)
            .ok()
    }))
    .ok()
    .flatten()
    .unwrap_or_else(|| strip_tags(&prepared));
    tidy_text(&rendered)
}

// ---------------------------------------------------------------------------
// Plain text: line patterns
// ---------------------------------------------------------------------------

/// Builds a regex from a literal pattern; only used in the statics below.
fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("valid regex literal")
}

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
/// A whole-line mobile or webmail footer.
static MOBILE_FOOTER: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?ix)^(?:
        sent\s+from\s+my(?:\s+[\p{L}\p{N}][\p{L}\p{N}\-'’]*){1,5}
      | envoy[ée]\s+(?:de|depuis|[àa]\s+partir\s+de)\s+(?:mon|ma)(?:\s+[\p{L}\p{N}][\p{L}\p{N}\-'’]*){1,5}
      | sent\s+from\s+(?:yahoo\s+mail|outlook|mail\s+for\s+windows)(?:\s+(?:for|on)\s+[\p{L}\p{N}]+)?(?:\s+\d+)?
      | envoy[ée]\s+(?:de|depuis|avec)\s+(?:yahoo\s+mail|outlook)(?:\s+(?:pour|sur)\s+[\p{L}\p{N}]+)?
      | envoy[ée]\s+[àa]\s+partir\s+de\s+courrier\s+pour\s+windows(?:\s+\d+)?
      | provenance\s*:\s*courrier\s+pour\s+windows(?:\s+\d+)?
      | (?:obtenir|get|t[ée]l[ée]charger|download)\s+outlook\s+(?:pour|for)\s+(?:ios|android)
    )\s*\.?$")
});

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

fn is_blank(line: &str) -> bool {
    line.trim().is_empty()
}

/// The line without one level of quoting, or `None` when it is not quoted.
fn dequote(line: &str) -> Option<&str> {
    let rest = line.trim_start_matches([' ', '\t']);
    // A quote marker indented by more than a few spaces is more likely text.
    if line.len() - rest.len() > 3 {
        return None;
    }
    let rest = rest.strip_prefix('>')?;
    Some(rest.strip_prefix(' ').unwrap_or(rest))
}

fn is_quoted(line: &str) -> bool {
    dequote(line).is_some()
}

fn dequote_all(mut line: &str) -> &str {
    while let Some(rest) = dequote(line) {
        line = rest;
    }
    line
}

fn is_signature_delimiter(line: &str) -> bool {
    line.trim_end() == "--"
}

fn is_mobile_footer(line: &str) -> bool {
    const FIRST_WORDS: &[&str] = &[
        "sent",
        "envoy",
        "get",
        "obtenir",
        "tél",
        "tel",
        "download",
        "provenance",
    ];
    let line = line.trim();
    if line.len() > 80 {
        return false;
    }
    let start = truncate(line, 12).to_lowercase();
    FIRST_WORDS.iter().any(|w| start.starts_with(w)) && MOBILE_FOOTER.is_match(line)
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
fn attribution_len(lines: &[String], i: usize) -> Option<usize> {
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
struct Lines<'a> {
    lines: &'a [String],
    kinds: Vec<Option<HeaderKind>>,
}

impl<'a> Lines<'a> {
    fn new(lines: &'a [String]) -> Self {
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
fn hard_start(text: &Lines<'_>, i: usize) -> Option<usize> {
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

// ---------------------------------------------------------------------------
// Plain text: splitting
// ---------------------------------------------------------------------------

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

/// The new text: cut at the signature, mobile footers near the end removed,
/// lines right-trimmed, blank lines trimmed and collapsed.
fn clean_new_text(own: &[String]) -> String {
    let end = own.iter().position(|l| is_signature_delimiter(l)).unwrap_or(own.len());
    let mut lines: Vec<&str> = own[..end].iter().map(|l| l.trim_end()).collect();
    // A footer is only removed among the last few lines: higher up, such a
    // line is something the person wrote.
    let mut seen = 0;
    for line in lines.iter_mut().rev() {
        if line.is_empty() {
            continue;
        }
        if seen == 3 {
            break;
        }
        seen += 1;
        if is_mobile_footer(line) {
            *line = "";
        }
    }
    let mut out = String::new();
    let mut blank_before = false;
    for line in lines {
        if line.trim().is_empty() {
            blank_before = !out.is_empty();
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
            if blank_before {
                out.push('\n');
            }
        }
        out.push_str(line);
        blank_before = false;
    }
    out
}

/// `text` cut to at most `max` bytes, at a char boundary.
fn truncate(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

// ---------------------------------------------------------------------------
// HTML
// ---------------------------------------------------------------------------

/// html2text decorations for mail: quotes as "> ", nothing else added.
#[derive(Clone, Copy)]
struct PlainText;

impl TextDecorator for PlainText {
    type Annotation = ();

    fn decorate_link_start(&mut self, _url: &str) -> (String, ()) {
        (String::new(), ())
    }
    fn decorate_link_end(&mut self) -> String {
        String::new()
    }
    fn decorate_em_start(&self) -> (String, ()) {
        (String::new(), ())
    }
    fn decorate_em_end(&self) -> String {
        String::new()
    }
    fn decorate_strong_start(&self) -> (String, ()) {
        (String::new(), ())
    }
    fn decorate_strong_end(&self) -> String {
        String::new()
    }
    fn decorate_strikeout_start(&self) -> (String, ()) {
        (String::new(), ())
    }
    fn decorate_strikeout_end(&self) -> String {
        String::new()
    }
    fn decorate_code_start(&self) -> (String, ()) {
        (String::new(), ())
    }
    fn decorate_code_end(&self) -> String {
        String::new()
    }
    fn decorate_preformat_first(&self) {}
    fn decorate_preformat_cont(&self) {}
    fn decorate_image(&mut self, _src: &str, _title: &str) -> (String, ()) {
        (String::new(), ())
    }
    fn header_prefix(&self, _level: usize) -> String {
        String::new()
    }
    fn quote_prefix(&self) -> String {
        "> ".to_owned()
    }
    fn unordered_item_prefix(&self) -> String {
        String::new()
    }
    fn ordered_item_prefix(&self, _i: i64) -> String {
        String::new()
    }
    fn make_subblock_decorator(&self) -> Self {
        PlainText
    }
    fn decorate_superscript_start(&self) -> (String, ()) {
        (String::new(), ())
    }
    fn decorate_superscript_end(&self) -> String {
        String::new()
    }
    fn finalise(&mut self, _urls: Vec<String>) -> Vec<html2text::render::TaggedLine<()>> {
        Vec::new()
    }
}

/// Elements without content: never pushed on the nesting stack.
const VOID_ELEMENTS: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr",
    "keygen", "basefont", "bgsound", "frame",
];
/// Elements the parser closes by itself when a sibling opens: they do not
/// nest, and often have no end tag.
const SELF_CLOSING_SIBLINGS: &[&str] = &[
    "p", "li", "dd", "dt", "option", "optgroup", "tr", "td", "th", "tbody", "thead", "tfoot", "colgroup", "caption",
    "rb", "rt", "rp", "rtc", "html", "head", "body",
];
/// Elements whose content is raw text, skipped when scanning for tags.
const RAW_TEXT_ELEMENTS: &[&str] = &[
    "script", "style", "title", "textarea", "xmp", "iframe", "noembed", "noframes",
];

static DIVIDER_HEADER: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)^[*_\s]*(?:from|de|von|от)\s*[*_]*\s*:"));
static HR_HEADER: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)^[*_\s]*(?:from|de|von|от|date|sent|envoyé|envoye|subject|objet)\s*[*_]*\s*:"));

/// A tag found in the markup; offsets are byte positions in the HTML.
struct Tag<'a> {
    closing: bool,
    name: &'a str,
    attrs: &'a str,
    end: usize,
}

/// Reads the tag starting at `start` (`<` there); `lower` is the ASCII
/// lower-cased markup, so that offsets are the same in both.
fn read_tag(lower: &str, start: usize) -> Option<Tag<'_>> {
    let bytes = lower.as_bytes();
    let mut pos = start + 1;
    let closing = bytes.get(pos) == Some(&b'/');
    if closing {
        pos += 1;
    }
    let name_start = pos;
    if !bytes.get(pos).is_some_and(u8::is_ascii_alphabetic) {
        return None;
    }
    while bytes
        .get(pos)
        .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b':' || *b == b'-')
    {
        pos += 1;
    }
    let name_end = pos;
    // Find the closing '>' outside quoted attribute values.
    let mut quote: Option<u8> = None;
    let mut after_equals = false;
    while pos < bytes.len() {
        let b = bytes[pos];
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'>' => break,
            None if (b == b'"' || b == b'\'') && after_equals => quote = Some(b),
            None => {}
        }
        if quote.is_none() && !b.is_ascii_whitespace() {
            after_equals = b == b'=';
        }
        pos += 1;
    }
    let end = (pos + 1).min(bytes.len());
    Some(Tag {
        closing,
        name: &lower[name_start..name_end],
        attrs: &lower[name_end..pos.min(bytes.len())],
        end,
    })
}

/// The text of the markup right after `from`, tags removed, to see whether a
/// header block ("From:", "De :") follows a candidate divider.
fn text_after(html: &str, from: usize) -> String {
    let window = truncate(&html[from..], DIVIDER_LOOKAHEAD);
    let text = strip_tags(window);
    text.trim_start().to_owned()
}

/// Whether a `border-top` in the style attribute draws a line.
fn has_border_top(attrs: &str) -> bool {
    let Some(at) = attrs.find("border-top") else {
        return false;
    };
    let value = attrs[at + "border-top".len()..].trim_start_matches(|c: char| c == ':' || c.is_whitespace());
    !(value.starts_with("none") || value.starts_with('0') || value.starts_with("hidden"))
}

/// Rewrites the markup before conversion: a "-----Original Message-----"
/// line before Outlook reply dividers, and elements nested too deep dropped.
fn prepare_html(html: &str) -> String {
    let lower = html.to_ascii_lowercase();
    let mut out = String::with_capacity(html.len() + 256);
    let mut copied = 0;
    let mut pos = 0;
    // Open elements: name and whether the tag was kept in the output.
    let mut stack: Vec<(&str, bool)> = Vec::new();
    let mut kept_quotes = 0usize;
    let mut divider_checks = 0;
    let mut text_since_marker = true;
    while let Some(offset) = lower[pos..].find('<') {
        let start = pos + offset;
        if !text_since_marker && !html[pos..start].trim().is_empty() {
            text_since_marker = true;
        }
        if lower[start..].starts_with("<!--") {
            pos = lower[start + 4..]
                .find("-->")
                .map_or(lower.len(), |e| start + 4 + e + 3);
            continue;
        }
        let Some(tag) = read_tag(&lower, start) else {
            pos = start + 1;
            continue;
        };
        pos = tag.end;
        let name = tag.name;
        if tag.closing {
            // Close the nearest open element of that name, and any element
            // left open inside it; drop the end tag of a dropped element.
            let search_from = stack.len().saturating_sub(256);
            if let Some(at) = stack[search_from..]
                .iter()
                .rposition(|(n, _)| *n == name)
                .map(|k| k + search_from)
            {
                let kept = stack[at].1;
                for (n, k) in stack.drain(at..) {
                    if n == "blockquote" && k {
                        kept_quotes -= 1;
                    }
                }
                if !kept {
                    out.push_str(&html[copied..start]);
                    copied = tag.end;
                }
            }
            continue;
        }
        if RAW_TEXT_ELEMENTS.contains(&name) {
            let close = format!("</{name}");
            pos = lower[pos..].find(&close).map_or(lower.len(), |e| pos + e);
            continue;
        }
        let nests = !(VOID_ELEMENTS.contains(&name) || SELF_CLOSING_SIBLINGS.contains(&name));
        if nests {
            let too_deep =
                stack.len() >= MAX_HTML_NESTING || (name == "blockquote" && kept_quotes >= MAX_HTML_QUOTE_NESTING);
            stack.push((name, !too_deep));
            if too_deep {
                out.push_str(&html[copied..start]);
                copied = tag.end;
                continue;
            }
            if name == "blockquote" {
                kept_quotes += 1;
            }
        }
        // One marker per divider: Outlook stacks several (appendonsend, hr,
        // divRplyFwdMsg) with no text between them.
        let divider = text_since_marker
            && match name {
                "hr" => follows_header(html, &tag, &HR_HEADER, &mut divider_checks),
                "p" => is_border_divider(html, &tag, &mut divider_checks),
                "div" => {
                    tag.attrs.contains("divrplyfwdmsg")
                        || tag.attrs.contains("appendonsend")
                        || is_border_divider(html, &tag, &mut divider_checks)
                }
                _ => false,
            };
        if divider {
            out.push_str(&html[copied..start]);
            out.push_str("<div>");
            out.push_str(ORIGINAL_MESSAGE_LINE);
            out.push_str("</div>");
            copied = start;
            text_since_marker = false;
        }
    }
    out.push_str(&html[copied..]);
    out
}

/// A div or p whose top border separates the reply from a "From:" block.
fn is_border_divider(html: &str, tag: &Tag<'_>, checks: &mut usize) -> bool {
    has_border_top(tag.attrs) && follows_header(html, tag, &DIVIDER_HEADER, checks)
}

/// Whether the text right after `tag` starts with a header label matched by
/// `header`. Only the first few candidates are looked at, to stay linear.
fn follows_header(html: &str, tag: &Tag<'_>, header: &Regex, checks: &mut usize) -> bool {
    if *checks >= MAX_DIVIDER_CHECKS {
        return false;
    }
    *checks += 1;
    header.is_match(&text_after(html, tag.end))
}

/// A crude text of the markup: tags and comments removed, a few entities
/// decoded, line breaks for block tags. Used when html2text fails and to
/// peek at the text after a divider.
fn strip_tags(html: &str) -> String {
    let lower = html.to_ascii_lowercase();
    let mut out = String::with_capacity(html.len() / 2);
    let mut pos = 0;
    while let Some(offset) = lower[pos..].find('<') {
        let start = pos + offset;
        push_decoded(&mut out, &html[pos..start]);
        if lower[start..].starts_with("<!--") {
            pos = lower[start + 4..]
                .find("-->")
                .map_or(lower.len(), |e| start + 4 + e + 3);
            continue;
        }
        let Some(tag) = read_tag(&lower, start) else {
            out.push('<');
            pos = start + 1;
            continue;
        };
        pos = tag.end;
        if !tag.closing && RAW_TEXT_ELEMENTS.contains(&tag.name) {
            let close = format!("</{}", tag.name);
            pos = lower[pos..].find(&close).map_or(lower.len(), |e| pos + e);
            continue;
        }
        if matches!(
            tag.name,
            "br" | "p" | "div" | "tr" | "li" | "blockquote" | "hr" | "table" | "h1" | "h2" | "h3"
        ) {
            out.push('\n');
        }
    }
    push_decoded(&mut out, &html[pos..]);
    out
}

/// Appends `text` with the common entities decoded.
fn push_decoded(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let semi = truncate(rest, 12).find(';');
        let decoded = semi.and_then(|s| decode_entity(&rest[1..s]).map(|c| (c, s)));
        match decoded {
            Some((c, s)) => {
                out.push(c);
                rest = &rest[s + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
}

fn decode_entity(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        return char::from_u32(code);
    }
    Some(match name {
        "nbsp" => ' ',
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "eacute" => 'é',
        "egrave" => 'è',
        "ecirc" => 'ê',
        "agrave" => 'à',
        "acirc" => 'â',
        "ccedil" => 'ç',
        "ocirc" => 'ô',
        "ucirc" => 'û',
        "ugrave" => 'ù',
        "icirc" => 'î',
        "iuml" => 'ï',
        "Eacute" => 'É',
        "Agrave" => 'À',
        _ => return None,
    })
}

/// Final touches on converted text: non-breaking and narrow spaces become
/// spaces (French puts them before colons), invisible marks go, lines are
/// right-trimmed.
fn tidy_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let line: String = line
            .chars()
            .filter(|c| !matches!(c, '\u{200B}' | '\u{200E}' | '\u{200F}' | '\u{FEFF}'))
            .map(|c| match c {
                '\u{A0}' | '\u{202F}' | '\u{2007}' => ' ',
                c => c,
            })
            .collect();
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    // Whole replies from many mail clients, each with the new text it must give, are in
    // mailbox-fixtures/replies/ and run by tests/reply_cases.rs. The tests here check
    // single rules and the limits.

    // --- French and English clients -----------------------------------------

    #[test]
    fn gmail_fr_top_post() {
        let p = split_reply(
            "ACCEPTER\n\nLe jeu. 5 déc. 2026 à 14:03, Marie Tremblay <marie.tremblay@ciusss.example> a écrit :\n\n> Bonjour,\n> Pouvez-vous venir ?\n>\n",
        );
        assert_eq!(p.new_text, "ACCEPTER");
        assert_eq!(p.older, vec!["Bonjour,\nPouvez-vous venir ?"]);
    }

    #[test]
    fn gmail_fr_attribution_wrapped_and_iso_dates() {
        let p = split_reply(
            "Oui\n\nLe jeu. 5 déc. 2026 à 14:03, Marie Tremblay <\nmarie.tremblay@ciusss.example> a écrit :\n\n> Question\n",
        );
        assert_eq!(p.new_text, "Oui");
        assert_eq!(p.older, vec!["Question"]);

        for attribution in [
            "Le 2026-12-05 à 14:03, Relais <relais+r42.7.k3@bi.example> a écrit :",
            "Le 2026-12-05 à 14:03, Relais a écrit :",
            "Le 5 déc. 2026 à 14:03, Marie <m@x> a écrit :",
            "Le jeu. 5 déc. 2026 à 14 h 03, Marie Tremblay <m@x.ca> a écrit\u{a0}:",
            "On Thu, Dec 5, 2026 at 2:03 PM Marie <m@x> wrote:",
            "On 2026-12-05 14:03, Marie wrote:",
            "Marie Tremblay <m@x> a écrit :",
            "Le 05/12/2026 à 14:03, Marie Tremblay a écrit :",
        ] {
            let p = split_reply(&format!("REFUSER\n\n{attribution}\n> Question\n"));
            assert_eq!(p.new_text, "REFUSER", "{attribution}");
            assert_eq!(p.older, vec!["Question"], "{attribution}");
        }

        // Wrapped, as "Le"/"On" on the first line and "a écrit :"/"wrote:" on the next.
        for attribution in [
            "Le jeu. 5 déc. 2026 à 14:03, Marie Tremblay\n<m@x.ca> a écrit :",
            "On Thu, Dec 5, 2026 at 2:03 PM Marie Tremblay\n<m@x.ca> wrote:",
        ] {
            let p = split_reply(&format!("ANNULER\n\n{attribution}\n\nUnquoted original\n"));
            assert_eq!(p.new_text, "ANNULER", "{attribution}");
            assert_eq!(p.older, vec!["Unquoted original"], "{attribution}");
        }
    }

    #[test]
    fn outlook_fr_header_block() {
        let p = split_reply(
            "Je confirme.\r\n\r\nMarie\r\n\r\n________________________________\r\nDe : Relais <relais@bi.example>\r\nEnvoyé : jeudi 5 décembre 2026 14:03\r\nÀ : Marie Tremblay <m@x.ca>\r\nObjet : Demande HC-24240002\r\n\r\nBonjour,\r\nDate : 2026-12-05\r\n",
        );
        assert_eq!(p.new_text, "Je confirme.\n\nMarie");
        assert_eq!(p.older, vec!["Bonjour,\nDate : 2026-12-05"]);

        // Outlook for Mac: "Date :" instead of "Envoyé :", no rule, Cc on the way.
        let p = split_reply(
            "ACCEPTER\n\nDe : Relais <relais@bi.example>\nDate : jeudi 5 décembre 2026 à 14:03\nÀ : Marie Tremblay <m@x.ca>\nCc : Coordination <c@x.ca>\nObjet : Demande\n\n> Type de demande : en personne\n> Date : 2026-12-05\n",
        );
        assert_eq!(p.new_text, "ACCEPTER");
        assert_eq!(p.older, vec!["Type de demande : en personne\nDate : 2026-12-05"]);

        let p = split_reply(
            "Non merci.\n\n-----Message d'origine-----\nDe : Relais [mailto:relais@bi.example]\nEnvoyé : 5 décembre 2026 14:03\nÀ : Marie\nObjet : Offre\n\nUne offre.\n",
        );
        assert_eq!(p.new_text, "Non merci.");
        assert_eq!(p.older, vec!["Une offre."]);
    }

    #[test]
    fn outlook_thread_gives_one_entry_per_message() {
        let p = split_reply(
            "OK pour moi.\n\n________________________________\nDe : Marie Tremblay <m@x.ca>\nEnvoyé : vendredi 6 décembre 2026 09:00\nÀ : Jean\nObjet : RE: Offre\n\nPeux-tu y aller ?\nDate : 2026-12-05\n\n________________________________\nDe : Relais <relais@bi.example>\nEnvoyé : jeudi 5 décembre 2026 14:03\nÀ : Marie Tremblay <m@x.ca>\nObjet : Offre\n\nDate : [AAAA-MM-JJ]\n",
        );
        assert_eq!(p.new_text, "OK pour moi.");
        assert_eq!(
            p.older,
            vec!["Peux-tu y aller ?\nDate : 2026-12-05", "Date : [AAAA-MM-JJ]"]
        );
    }

    #[test]
    fn separators_and_forwards() {
        for separator in [
            "-----Original Message-----",
            "-------- Message original --------",
            "-------- Original Message --------",
            "----- Original Message -----",
            "---------- Forwarded message ---------",
            "---------- Message transféré ---------",
            "Begin forwarded message:",
            "Début du message réexpédié :",
        ] {
            let p = split_reply(&format!(
                "Voir ci-dessous.\n\n{separator}\n\nDe: Marie <m@x>\nObjet: Demande\nDate: 5 décembre 2026 à 14:03:00 UTC−5\nÀ: Relais\n\nBonjour\n"
            ));
            assert_eq!(p.new_text, "Voir ci-dessous.", "{separator}");
            assert_eq!(p.older, vec!["Bonjour"], "{separator}");
        }
    }

    #[test]
    fn apple_mail_and_ios_fr() {
        // Apple Mail puts the attribution inside the quote.
        let p = split_reply(
            "Oui, je suis disponible.\n\nEnvoyé de mon iPhone\n\n> Le 5 déc. 2026 à 14:03, Marie Tremblay <m@x.ca> a écrit :\n> \n> Êtes-vous disponible ?\n",
        );
        assert_eq!(p.new_text, "Oui, je suis disponible.");
        assert_eq!(p.older, vec!["Êtes-vous disponible ?"]);

        let p = split_reply(
            "ACCEPTER\n\nEnvoyé de mon iPhone\n\nLe 5 déc. 2026 à 14:03, Marie Tremblay <m@x.ca> a écrit :\n\n> Êtes-vous disponible ?\n",
        );
        assert_eq!(p.new_text, "ACCEPTER");
        assert_eq!(p.older, vec!["Êtes-vous disponible ?"]);
    }

    #[test]
    fn android_fr() {
        let p = split_reply(
            "ACCEPTER\n\nEnvoyé depuis mon appareil Galaxy\n\n-------- Message d'origine --------\nDe : Relais <relais@bi.example>\nDate : 2026-12-05 14:03 (GMT-05:00)\nÀ : marie@x.ca\nObjet : Offre\n\nUne offre.\n",
        );
        assert_eq!(p.new_text, "ACCEPTER");
        assert_eq!(p.older, vec!["Une offre."]);

        let p = split_reply(
            "Ok\n\nEnvoyé de mon appareil Android\n\nLe jeu. 5 déc. 2026 à 14:03, Relais <relais@bi.example> a écrit :\n> Offre\n",
        );
        assert_eq!(p.new_text, "Ok");
    }

    #[test]
    fn thunderbird_fr_bottom_post() {
        let p = split_reply(
            "Le 05/12/2026 à 14:03, Marie Tremblay a écrit :\n> Pouvez-vous venir ?\nOui.\n\n-- \nJean Interprète\n514 555-0000\n",
        );
        assert_eq!(p.new_text, "Oui.");
        assert_eq!(p.older, vec!["Pouvez-vous venir ?"]);
    }

    #[test]
    fn interleaved_replies() {
        let p = split_reply(
            "Le jeu. 5 déc. 2026 à 14:03, Relais <relais@bi.example> a écrit :\n> Question 1 ?\nRéponse 1\n\n> Question 2 ?\n>\nRéponse 2\n\n--\nMarie\n",
        );
        assert_eq!(p.new_text, "Réponse 1\n\nRéponse 2");
        assert_eq!(p.older, vec!["Question 1 ?", "Question 2 ?"]);

        // Without an attribution, and with a greeting on top.
        let p = split_reply("Bonjour,\n> a\nb\n> c\nd\n");
        assert_eq!(p.new_text, "Bonjour,\n\nb\n\nd");
        assert_eq!(p.older, vec!["a", "c"]);

        // Once an Outlook block starts, the rest is older even if unquoted.
        let p = split_reply(
            "> a\nb\n\nFrom: Relais\nSent: Thursday, December 5, 2026 2:03 PM\nTo: Marie\nSubject: Offer\n\nc\n> d\n",
        );
        assert_eq!(p.new_text, "b");
        assert_eq!(p.older, vec!["a", "c\nd"]);
    }

    #[test]
    fn top_post_with_trailing_disclaimer_stays_top_post() {
        let p = split_reply(
            "ACCEPTER\n\nLe jeu. 5 déc. 2026 à 14:03, Relais <relais@bi.example> a écrit :\n> Offre\n\nAVIS DE CONFIDENTIALITÉ : ce message est confidentiel.\n",
        );
        assert_eq!(p.new_text, "ACCEPTER");
        assert!(p.older[0].starts_with("Offre"));
    }

    #[test]
    fn form_values_typed_inside_the_quote() {
        let p = split_reply(
            "Voir plus bas.\n\nLe jeu. 5 déc. 2026 à 14:03, Relais <relais@bi.example> a écrit :\n> Type de demande : en personne\n> Date : 2026-12-05\n> Heure : [HH:MM] 14:30\n",
        );
        assert_eq!(p.new_text, "Voir plus bas.");
        assert!(p.older[0].contains("Date : 2026-12-05"));
        assert!(p.older[0].lines().all(|l| !l.starts_with('>')));

        // A form at the top is new text, not an Outlook block.
        let p = split_reply("Type de demande : vidéo\nDate : 2026-12-05\nHeure : 14:30\nDurée : 90\n");
        assert_eq!(
            p.new_text,
            "Type de demande : vidéo\nDate : 2026-12-05\nHeure : 14:30\nDurée : 90"
        );
        assert!(p.older.is_empty());
    }

    #[test]
    fn nested_quotes_are_split_newest_first() {
        let p = split_reply(
            "Réponse\n\nLe 6 déc. 2026 à 09:00, Relais <relais@bi.example> a écrit :\n> Merci.\n>\n> Le 5 déc. 2026 à 14:03, Marie <m@x.ca> a écrit :\n>> Date : 2026-12-05\n>> > Heure : 14:30\n",
        );
        assert_eq!(p.new_text, "Réponse");
        assert_eq!(p.older, vec!["Merci.", "Date : 2026-12-05", "Heure : 14:30"]);
    }

    #[test]
    fn signatures() {
        assert_eq!(split_reply("Oui\n-- \nMarie\n").new_text, "Oui");
        assert_eq!(split_reply("Oui\n--\nMarie\n").new_text, "Oui");
        assert_eq!(split_reply("Oui -- Marie\n").new_text, "Oui -- Marie");
        assert_eq!(split_reply("Oui\n---\nMarie").new_text, "Oui\n---\nMarie");
    }

    #[test]
    fn mobile_footers_near_the_end() {
        for footer in [
            "Envoyé de mon iPhone",
            "Envoyé de mon iPad",
            "Sent from my iPhone",
            "Sent from my iPad",
            "Envoyé de mon appareil Android",
            "Envoyé depuis mon appareil Android",
            "Sent from my Android",
            "Sent from my Samsung Galaxy smartphone.",
            "Sent from my BlackBerry",
            "Obtenir Outlook pour iOS",
            "Obtenir Outlook pour Android",
            "Get Outlook for iOS",
            "Get Outlook for Android",
            "Sent from Mail for Windows",
            "Envoyé à partir de Courrier pour Windows",
            "Sent from Yahoo Mail",
            "Sent from my mobile device",
            "Sent from my Huawei phone",
            "Envoyé de mon téléphone Huawei",
        ] {
            let p = split_reply(&format!("  ACCEPTER  \n\n\n{footer}\n\n"));
            assert_eq!(p.new_text, "  ACCEPTER", "{footer}");
        }
        // Higher up, such a line is something the person wrote.
        let p = split_reply("Sent from my iPhone\none\ntwo\nthree\nfour");
        assert!(p.new_text.starts_with("Sent from my iPhone"));
        // Not a footer: a sentence.
        let p = split_reply("Sent from my office, which is closer to the hospital.");
        assert_eq!(p.new_text, "Sent from my office, which is closer to the hospital.");
    }

    #[test]
    fn lines_that_look_like_attributions_but_are_not() {
        for text in [
            "On Monday I will be there.\nOn verra.",
            "Le rendez-vous est à 14:00.\nLe 5 déc. 2026 ça me va.",
            "Le patient a écrit :\nrien",
            "On 5 Dec I can do:\n- 14:00\n- 15:00",
        ] {
            let p = split_reply(text);
            assert_eq!(p.new_text, text);
            assert!(p.older.is_empty());
        }
    }

    #[test]
    fn blank_lines_and_trimming() {
        let p = split_reply("\n\n  \nLine one   \n\n\n\nLine two\t\n\n");
        assert_eq!(p.new_text, "Line one\n\nLine two");
        assert_eq!(split_reply(""), ReplyParts::default());
        assert_eq!(split_reply(">"), ReplyParts::default());
        assert_eq!(split_reply("\r\r\n"), ReplyParts::default());
    }

    // --- HTML -----------------------------------------------------------------

    #[test]
    fn html_gmail_fr() {
        let html = r#"<div dir="ltr">ACCEPTER&nbsp;!<br><a href="https://example.org/x">le lien</a> &lt;ok&gt; <b>gras</b> <h1>Titre</h1></div><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">Le jeu. 5 déc. 2026 à 14:03, Relais &lt;<a href="mailto:relais@bi.example">relais@bi.example</a>&gt; a écrit&nbsp;:<br></div><blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex"><div>Date&nbsp;: [AAAA-MM-JJ] 2026-12-05</div><blockquote>Plus ancien</blockquote></blockquote></div>"#;
        let text = html_to_text(html);
        assert!(text.contains("> Date : [AAAA-MM-JJ] 2026-12-05"), "{text}");
        assert!(text.contains("> > Plus ancien"), "{text}");
        assert!(!text.contains("**") && !text.contains("# ") && !text.contains("[1]"));
        assert!(!text.contains("https://example.org"));
        let p = split_reply(&text);
        assert_eq!(p.new_text, "ACCEPTER !\nle lien <ok> gras\n\nTitre");
        assert_eq!(p.older, vec!["Date : [AAAA-MM-JJ] 2026-12-05", "Plus ancien"]);
    }

    #[test]
    fn html_outlook_fr_dividers() {
        let html = r#"<html><head><style>p {margin:0}</style></head><body><div>Je confirme.</div><div id="appendonsend"></div><hr style="display:inline-block;width:98%" tabindex="-1"><div id="divRplyFwdMsg" dir="ltr"><font face="Calibri"><b>De&nbsp;:</b> Relais &lt;relais@bi.example&gt;<br><b>Envoyé&nbsp;:</b> jeudi 5 décembre 2026 14:03<br><b>À&nbsp;:</b> Marie<br><b>Objet&nbsp;:</b> Offre</font><div>&nbsp;</div></div><div>Une offre pour le 2026-12-05.</div></body></html>"#;
        let text = html_to_text(html);
        assert_eq!(text.matches(ORIGINAL_MESSAGE_LINE).count(), 1, "{text}");
        let p = split_reply(&text);
        assert_eq!(p.new_text, "Je confirme.");
        assert_eq!(p.older, vec!["Une offre pour le 2026-12-05."]);

        // Outlook desktop: a border-top div before the "De :" block.
        let html = r#"<div class=WordSection1><p class=MsoNormal>Oui<o:p></o:p></p><div style='border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm'><p class=MsoNormal><b>De&nbsp;:</b> Relais<br><b>Envoyé&nbsp;:</b> 5 décembre 2026 14:03<br><b>À&nbsp;:</b> Marie<br><b>Objet&nbsp;:</b> Offre</p></div><p>Une offre.</p></div>"#;
        let p = split_reply(&html_to_text(html));
        assert_eq!(p.new_text, "Oui");
        assert_eq!(p.older, vec!["Une offre."]);

        // A border-top that is not followed by a header is not a divider.
        let html = r#"<div>Oui</div><div style="border-top:1px solid #ccc">Marie Tremblay, inf.</div>"#;
        let p = split_reply(&html_to_text(html));
        assert_eq!(p.new_text, "Oui\nMarie Tremblay, inf.");
    }

    #[test]
    fn html_apple_mail_and_outlook_2003_fr() {
        let html = r#"<html><body dir="auto">Oui, disponible.<br><br><div dir="ltr">Envoyé de mon iPhone</div><div dir="ltr"><br><blockquote type="cite">Le 5 déc. 2026 à 14:03, Marie Tremblay &lt;m@x.ca&gt; a écrit&nbsp;:<br><br></blockquote></div><blockquote type="cite"><div dir="ltr">Heure&nbsp;: 14:30</div></blockquote></body></html>"#;
        let p = split_reply(&html_to_text(html));
        assert_eq!(p.new_text, "Oui, disponible.");
        assert_eq!(p.older, vec!["Heure : 14:30"]);

        let html = r#"<div class=Section1><p class=MsoNormal>Refuser<o:p></o:p></p><div><div class=MsoNormal align=center style='text-align:center'><hr size=2 width="100%" align=center></div><p class=MsoNormal><b><span style='font-weight:bold'>De&nbsp;:</span></b> Relais<br><b>Envoy&eacute;&nbsp;:</b> 5 d&eacute;cembre 2026<br><b>&Agrave;&nbsp;:</b> Marie<br><b>Objet&nbsp;:</b> Offre</p></div><p class=MsoNormal>L'offre.</p></div>"#;
        let text = html_to_text(html);
        assert!(text.contains(ORIGINAL_MESSAGE_LINE), "{text}");
        let p = split_reply(&text);
        assert_eq!(p.new_text, "Refuser");
        assert_eq!(p.older, vec!["L'offre."]);

        // An <hr> before ordinary text is not a divider.
        let text = html_to_text("<div>Oui</div><hr><div>Merci</div>");
        assert!(!text.contains(ORIGINAL_MESSAGE_LINE), "{text}");
        assert_eq!(split_reply(&text).new_text, "Oui\nMerci");
    }

    #[test]
    fn html_malformed_and_hostile() {
        let deep_divs = "<div>".repeat(20_000) + "x" + &"</div>".repeat(20_000);
        assert_eq!(html_to_text(&deep_divs).trim(), "x");
        let deep_quotes = "<blockquote>".repeat(5_000) + "x";
        let text = html_to_text(&deep_quotes);
        assert!(text.trim_end().ends_with("> x"));
        assert!(text.len() < 100, "{}", text.len());
        let unclosed = "<p>a<p>b<div><span><b>c".repeat(2_000);
        assert!(html_to_text(&unclosed).contains("b"));
        for html in [
            "",
            "<",
            "<<<>>>",
            "<!-- never closed",
            "<div title=\"never closed>x",
            "<style>p{}",
            "</div></blockquote></p>",
            "&#xFFFFFFFF; &#0; &#55296; &bogus; &",
            "<hr><hr><hr>",
            "<div style='border-top:solid'>",
            "<a href='x'>y</a",
            "<é><\u{0}>",
        ] {
            let _ = split_reply(&html_to_text(html));
        }
        let mut rng = 0x2545_f491_4f6c_dd1du64;
        for round in 0..200 {
            let len = 1 + (round * 37) % 3_000;
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    rng ^= rng << 13;
                    rng ^= rng >> 7;
                    rng ^= rng << 17;
                    const PICK: &[u8] = b"<>/=\"'!- \n>adiv pbrhq:&;#";
                    if rng.is_multiple_of(3) {
                        (rng >> 8) as u8
                    } else {
                        PICK[(rng >> 16) as usize % PICK.len()]
                    }
                })
                .collect();
            let input = String::from_utf8_lossy(&bytes);
            let _ = split_reply(&html_to_text(&input));
            let _ = split_reply(&input);
        }
    }

    #[test]
    fn plain_text_hostile_inputs() {
        let huge_line = "a".repeat(1 << 20);
        assert_eq!(split_reply(&huge_line).new_text.len(), MAX_TEXT_BYTES);
        let quotes = ">".repeat(5_000) + " x\n" + &"> ".repeat(3_000) + "y";
        let p = split_reply(&quotes);
        assert!(p.new_text.is_empty());
        assert!(p.older.concat().contains('x'));
        // Many attributions in a row stay linear (cached scan).
        let many = "On 1 Jan 2020, X wrote:\n> q\n".repeat(5_000) + "t\n";
        assert_eq!(split_reply(&many).new_text, "t");
        // Thousands of header-like lines and rules.
        let headers = "From: a\nSent: b\nTo: c\n_____\n".repeat(5_000);
        let _ = split_reply(&headers);
        // A multi-byte char at the cut.
        let text = "é".repeat(MAX_TEXT_BYTES);
        assert!(split_reply(&text).new_text.len() <= MAX_TEXT_BYTES);
        let mut rng = 0x9e37_79b9_7f4a_7c15u64;
        for round in 0..300 {
            let len = (round * 53) % 4_000;
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    rng ^= rng << 13;
                    rng ^= rng >> 7;
                    rng ^= rng << 17;
                    const PICK: &[u8] = b"> \n-_:@<Le On wrote a crit 2026 14:03 From De Sent To";
                    if rng.is_multiple_of(4) {
                        (rng >> 8) as u8
                    } else {
                        PICK[(rng >> 16) as usize % PICK.len()]
                    }
                })
                .collect();
            let _ = split_reply(&String::from_utf8_lossy(&bytes));
        }
    }
}
