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

/// Turns an HTML body into plain text: <blockquote> content becomes "> "-prefixed lines (nested blockquotes ">> "), Outlook reply dividers (<div id="divRplyFwdMsg">, <div id="appendonsend">, a div/p with style border-top before a From:/De : block, <hr> followed by From/De) become a line "-----Original Message-----" so split_reply treats what follows as quoted; <br>, <p>, <div> become line breaks; entities decoded; no markdown decoration (no ** or # or link footnotes: keep link text, and put a URL in angle brackets only when the text differs from it... simplest: just the text). Must be robust on malformed HTML.
///
/// Nested blockquotes come out as "> > " lines, which [`split_reply`] reads
/// as two quote levels. Non-breaking and narrow spaces become plain spaces,
/// and each line is right-trimmed.
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
    LazyLock::new(|| re(r"(?i)^(?:le|on)\s.*\d.*\b(?:a\s+écrit|a\s+ecrit|wrote)\s*:$"));
/// "Marie Tremblay <m@x.ca> a écrit :".
static ATTR_EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"(?i)^.*(?:<[^<>\s]+@[^<>\s]+>|[^\s<>@"']+@[^\s<>@"']+\.\w+).*\b(?:a\s+écrit|a\s+ecrit|wrote)\s*:$"#,
    )
});
/// "Marie Tremblay a écrit :" (only when a `>` block follows).
static ATTR_NAME: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)^[^\s>].{0,80}\s(?:a\s+écrit|a\s+ecrit|wrote)\s*:$"));
/// The first line of an attribution wrapped over several lines.
static ATTR_START: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)^(?:le|on)\s"));
static EMAIL: LazyLock<Regex> = LazyLock::new(|| re(r#"[^\s<>@"']+@[^\s<>@"']+"#));
static DATE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b\d{1,4}[./-]\d{1,2}[./-]\d{2,4}\b|\b\d{1,2}\s+\p{L}{3,}\.?,?\s+\d{4}\b|\b\p{L}{3,}\.?\s+\d{1,2},?\s+\d{4}\b",
    )
});
static TIME: LazyLock<Regex> = LazyLock::new(|| re(r"\b\d{1,2}\s?[:h]\s?\d{2}\b"));
/// A header line of an Outlook/forward block; the group is the label.
static HEADER_LINE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^\s*[*_]{0,2}\s*(from|de|von|от|sent|envoyé|envoye|date|to|à|a|cc|cci|bcc|subject|objet|sujet|reply-to|répondre à|repondre a|importance)\s*[*_]{0,2}\s*:",
    )
});
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

fn header_kind(line: &str) -> Option<HeaderKind> {
    let caps = HEADER_LINE.captures(line)?;
    let label = caps.get(1)?.as_str().to_lowercase();
    Some(match label.as_str() {
        "from" | "de" | "von" | "от" => HeaderKind::From,
        "sent" | "envoyé" | "envoye" | "date" => HeaderKind::Sent,
        "to" | "à" | "a" => HeaderKind::To,
        "subject" | "objet" | "sujet" => HeaderKind::Subject,
        _ => HeaderKind::Other,
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
    let line = line.trim();
    line.len() <= 80 && MOBILE_FOOTER.is_match(line)
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
    if ATTR_ON_LE.is_match(first) || ATTR_EMAIL.is_match(first) {
        return Some(1);
    }
    if ATTR_NAME.is_match(first) && quote_follows(lines, i + 1) {
        return Some(1);
    }
    // A line ending with ":" that names a sender or a date and time, just
    // above a `>` block ("26.06.2014, 14:41, "Alex" <a@x.ru>:").
    if first.ends_with(':')
        && quote_follows(lines, i + 1)
        && (EMAIL.is_match(first) || (DATE.is_match(first) && TIME.is_match(first)))
    {
        return Some(1);
    }
    if ends_sentence(first) {
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
        if next.is_empty()
            || next.len() > MAX_ATTRIBUTION_LINE
            || is_quoted(next)
            || ATTR_START.is_match(next)
        {
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

/// The end (exclusive) of the Outlook header block starting at `i`, if any:
/// a From/De line, a Sent/Envoyé/Date line and a To/À or Subject/Objet line
/// within a few consecutive lines.
fn header_block_end(lines: &[String], i: usize) -> Option<usize> {
    header_kind(&lines[i])?;
    let (mut from, mut sent, mut to_or_subject) = (false, false, false);
    let (mut headers, mut continuations, mut last_header) = (0, 0, i);
    for (j, line) in lines.iter().enumerate().skip(i).take(10) {
        match header_kind(line) {
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
fn skip_headers(lines: &[String], from: usize) -> usize {
    let mut j = next_non_blank(lines, from, 3).unwrap_or(from);
    while j < lines.len() && header_kind(&lines[j]).is_some() {
        j += 1;
    }
    j
}

/// Where the older message begins when line `i` starts an Outlook header
/// block, an original-message separator or a forward: everything after is older.
fn hard_start(lines: &[String], i: usize) -> Option<usize> {
    let line = &lines[i];
    if SEPARATOR.is_match(line) || FORWARD_INTRO.is_match(line) {
        return Some(skip_headers(lines, i + 1));
    }
    if RULE.is_match(line) {
        let j = next_non_blank(lines, i + 1, 3)?;
        return header_block_end(lines, j);
    }
    header_block_end(lines, i)
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
    let mut own: Vec<String> = Vec::new();
    let mut children = Vec::new();
    let mut memo: Option<ScanMemo> = None;
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
        if let Some(body) = hard_start(lines, i) {
            children.push(dequote_rest(lines, body));
            break;
        }
        if let Some(len) = attribution_len(lines, i) {
            let after = i + len;
            let own_has_text = own.iter().any(|l| !is_blank(l));
            if is_interleaved(lines, after, own_has_text, &mut memo) {
                // Bottom posting: the attribution only introduces the next
                // `>` block, and the person's lines after it are new text.
                push_gap(&mut own);
                i = after;
                continue;
            }
            children.push(dequote_rest(lines, after));
            break;
        }
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
fn is_interleaved(
    lines: &[String],
    after: usize,
    own_has_text: bool,
    memo: &mut Option<ScanMemo>,
) -> bool {
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
        if is_signature_delimiter(line) || is_mobile_footer(line) || hard_start(lines, j).is_some()
        {
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
    let end = own
        .iter()
        .position(|l| is_signature_delimiter(l))
        .unwrap_or(own.len());
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
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr", "keygen", "basefont", "bgsound", "frame",
];
/// Elements the parser closes by itself when a sibling opens: they do not
/// nest, and often have no end tag.
const SELF_CLOSING_SIBLINGS: &[&str] = &[
    "p", "li", "dd", "dt", "option", "optgroup", "tr", "td", "th", "tbody", "thead", "tfoot",
    "colgroup", "caption", "rb", "rt", "rp", "rtc", "html", "head", "body",
];
/// Elements whose content is raw text, skipped when scanning for tags.
const RAW_TEXT_ELEMENTS: &[&str] = &[
    "script", "style", "title", "textarea", "xmp", "iframe", "noembed", "noframes",
];

static DIVIDER_HEADER: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)^[*_\s]*(?:from|de|von|от)\s*[*_]*\s*:"));
static HR_HEADER: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)^[*_\s]*(?:from|de|von|от|date|sent|envoyé|envoye|subject|objet)\s*[*_]*\s*:")
});

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
    let value = attrs[at + "border-top".len()..]
        .trim_start_matches(|c: char| c == ':' || c.is_whitespace());
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
        if VOID_ELEMENTS.contains(&name) || SELF_CLOSING_SIBLINGS.contains(&name) {
            if name == "hr" && text_since_marker && divider_checks < MAX_DIVIDER_CHECKS && {
                divider_checks += 1;
                HR_HEADER.is_match(&text_after(html, tag.end))
            } {
                out.push_str(&html[copied..start]);
                out.push_str("<div>");
                out.push_str(ORIGINAL_MESSAGE_LINE);
                out.push_str("</div>");
                copied = start;
                text_since_marker = false;
            } else if name == "p"
                && text_since_marker
                && is_border_divider(html, &tag, &mut divider_checks)
            {
                out.push_str(&html[copied..start]);
                out.push_str("<div>");
                out.push_str(ORIGINAL_MESSAGE_LINE);
                out.push_str("</div>");
                copied = start;
                text_since_marker = false;
            }
            continue;
        }
        let too_deep = stack.len() >= MAX_HTML_NESTING
            || (name == "blockquote" && kept_quotes >= MAX_HTML_QUOTE_NESTING);
        stack.push((name, !too_deep));
        if too_deep {
            out.push_str(&html[copied..start]);
            copied = tag.end;
            continue;
        }
        if name == "blockquote" {
            kept_quotes += 1;
        }
        if name == "div"
            && text_since_marker
            && (tag.attrs.contains("divrplyfwdmsg")
                || tag.attrs.contains("appendonsend")
                || is_border_divider(html, &tag, &mut divider_checks))
        {
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
    if *checks >= MAX_DIVIDER_CHECKS || !has_border_top(tag.attrs) {
        return false;
    }
    *checks += 1;
    DIVIDER_HEADER.is_match(&text_after(html, tag.end))
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
        let semi = rest[..rest.len().min(12)].find(';');
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
