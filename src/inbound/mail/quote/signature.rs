//! Cleaning the new text of a reply: cut at the signature delimiter ("-- "), mobile and
//! webmail footers near the end removed ("Envoyé de mon iPhone", "Get Outlook for iOS"),
//! lines right-trimmed, blank lines trimmed and collapsed.

use std::sync::LazyLock;

use regex::Regex;

use super::languages::FOOTERS;
use super::re;

/// A device or app name in a footer: one to five words ("iPhone", "appareil Galaxy").
const FOOTER_NAME: &str = r"[\p{L}\p{N}][\p{L}\p{N}\-'’]*(?:\s+[\p{L}\p{N}][\p{L}\p{N}\-'’]*){0,4}";

/// A whole-line mobile or webmail footer, in every language of [`FOOTERS`].
static MOBILE_FOOTER: LazyLock<Regex> = LazyLock::new(|| {
    let footers = FOOTERS
        .iter()
        .flat_map(|(_, footers)| footers.iter())
        .map(|f| f.replace(' ', r"\s+").replace('…', FOOTER_NAME))
        .collect::<Vec<_>>()
        .join("|");
    re(&format!(r"(?i)^(?:{footers})\s*\.?$"))
});

/// The line without a link that ends it, glued on as Outlook for iOS and TypeApp write
/// it when the HTML link is turned into text ("Get Outlook for iOS<https://…>"). Only a
/// link that ends the line goes: with text after it, the line is the person's.
fn without_glued_link(line: &str) -> &str {
    if !line.ends_with('>') {
        return line;
    }
    match line.rfind('<') {
        Some(open)
            if line[open + 1..].starts_with("http")
                && !line[open + 1..line.len() - 1].contains(char::is_whitespace) =>
        {
            line[..open].trim_end()
        }
        _ => line,
    }
}

pub(super) fn is_signature_delimiter(line: &str) -> bool {
    line.trim_end() == "--"
}

pub(super) fn is_mobile_footer(line: &str) -> bool {
    let line = without_glued_link(line.trim());
    // The longest footer ("Envoyé avec la messagerie sécurisée Proton Mail") is 50 bytes.
    line.len() <= 80 && MOBILE_FOOTER.is_match(line)
}

/// The new text: cut at the signature, mobile footers near the end removed,
/// lines right-trimmed, blank lines trimmed and collapsed.
pub(super) fn clean_new_text(own: &[String]) -> String {
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
