//! Turning an HTML mail into plain text the reply splitter reads: blockquotes become `>`
//! lines, Outlook's reply dividers become a "-----Original Message-----" line, and nothing
//! else is added. The markup is rewritten first (dividers marked, nesting too deep
//! dropped) and converted with html2text, with tag stripping should it fail.

use std::panic::{AssertUnwindSafe, catch_unwind};

use html2text::render::TextDecorator;

use super::markers::{HeaderKind, starts_with_header};
use super::markup::{Piece, RAW_TEXT_ELEMENTS, Tag, pieces, strip_tags};
use super::truncate;

/// At most this much HTML is converted: the reply is at the top, and the
/// converter's cost grows with the size of the markup.
const MAX_HTML_BYTES: usize = 512 * 1024;
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
pub(super) const ORIGINAL_MESSAGE_LINE: &str = "-----Original Message-----";

/// Turns an HTML body into plain text for [`split_reply`](super::split_reply).
///
/// - `<blockquote>` content becomes "> "-prefixed lines; nested blockquotes
///   give "> > " lines, which [`split_reply`](super::split_reply) reads as deeper levels.
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
    // A form filled in a two-column table reads as « label : value » lines.
    let html = super::table_rows::join_two_cell_rows(html);
    let prepared = prepare_html(&html);
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

/// The header lines that may follow a bordered divider: a From line, in any language.
const DIVIDER_HEADER: &[HeaderKind] = &[HeaderKind::From];
/// The header lines that may follow an `<hr>`: From, Sent/Date or Subject.
const HR_HEADER: &[HeaderKind] = &[HeaderKind::From, HeaderKind::Sent, HeaderKind::Subject];

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
    // Open elements: name and whether the tag was kept in the output.
    let mut stack: Vec<(&str, bool)> = Vec::new();
    let mut kept_quotes = 0usize;
    let mut divider_checks = 0;
    let mut text_since_marker = true;
    for Piece { text, tag } in pieces(&lower) {
        // Only looked at after a marker: most text needs no trimming.
        if !text_since_marker && !html[text].trim().is_empty() {
            text_since_marker = true;
        }
        let Some(tag) = tag else {
            continue;
        };
        let (start, name) = (tag.start, tag.name);
        if tag.closing {
            // Close the nearest open element of that name, and any element
            // left open inside it; drop the end tag of a dropped element.
            if close_element(&mut stack, name, &mut kept_quotes) == Some(false) {
                out.push_str(&html[copied..start]);
                copied = tag.end;
            }
            continue;
        }
        // A raw-text element (its content already skipped) is neither nested nor a divider.
        if RAW_TEXT_ELEMENTS.contains(&name) {
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
        if text_since_marker && is_divider(html, &tag, &mut divider_checks) {
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

/// Closes the nearest open element named `name` (among the last 256), and any element
/// left open inside it. `Some(kept)`: whether its start tag was kept, so its end tag is
/// kept too; `None` when no such element is open.
fn close_element(stack: &mut Vec<(&str, bool)>, name: &str, kept_quotes: &mut usize) -> Option<bool> {
    let search_from = stack.len().saturating_sub(256);
    let at = stack[search_from..]
        .iter()
        .rposition(|(n, _)| *n == name)
        .map(|k| k + search_from)?;
    let kept = stack[at].1;
    for (n, k) in stack.drain(at..) {
        if n == "blockquote" && k {
            *kept_quotes -= 1;
        }
    }
    Some(kept)
}

/// Whether `tag` starts an Outlook reply divider (a rule or a bordered block before a
/// "From:" header, or one of Outlook's own markers).
fn is_divider(html: &str, tag: &Tag<'_>, checks: &mut usize) -> bool {
    match tag.name {
        "hr" => follows_header(html, tag, HR_HEADER, checks),
        "p" => is_border_divider(html, tag, checks),
        "div" => {
            tag.attrs.contains("divrplyfwdmsg")
                || tag.attrs.contains("appendonsend")
                || is_border_divider(html, tag, checks)
        }
        _ => false,
    }
}

/// A div or p whose top border separates the reply from a "From:" block.
fn is_border_divider(html: &str, tag: &Tag<'_>, checks: &mut usize) -> bool {
    has_border_top(tag.attrs) && follows_header(html, tag, DIVIDER_HEADER, checks)
}

/// Whether the text right after `tag` starts with a header line of one of `kinds`, in any
/// language. Only the first few candidates are looked at, to stay linear.
fn follows_header(html: &str, tag: &Tag<'_>, kinds: &[HeaderKind], checks: &mut usize) -> bool {
    if *checks >= MAX_DIVIDER_CHECKS {
        return false;
    }
    *checks += 1;
    starts_with_header(&text_after(html, tag.end), kinds)
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
