//! Cleaning the new text of a reply: cut at the signature delimiter ("-- "), mobile and
//! webmail footers near the end removed ("Envoyé de mon iPhone", "Get Outlook for iOS"),
//! lines right-trimmed, blank lines trimmed and collapsed.

use std::sync::LazyLock;

use regex::Regex;

use super::{re, truncate};

/// A whole-line mobile or webmail footer.
static MOBILE_FOOTER: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?ix)^(?:
        sent\s+from\s+my(?:\s+[\p{L}\p{N}][\p{L}\p{N}\-'’]*){1,5}
      | envoy[ée]\s+(?:de|depuis|[àa]\s+partir\s+de)\s+(?:mon|ma)(?:\s+[\p{L}\p{N}][\p{L}\p{N}\-'’]*){1,5}
      | sent\s+from\s+(?:yahoo\s+mail|outlook|mail\s+for\s+windows|typeapp)(?:\s+(?:for|on)\s+[\p{L}\p{N}]+)?(?:\s+\d+)?
      | envoy[ée]\s+(?:de|depuis|avec|[àa]\s+partir\s+de)\s+(?:yahoo\s+mail|outlook|typeapp)(?:\s+(?:pour|sur)\s+[\p{L}\p{N}]+)?
      | envoy[ée]\s+[àa]\s+partir\s+de\s+courrier\s+pour\s+windows(?:\s+\d+)?
      | provenance\s*:\s*courrier\s+pour\s+windows(?:\s+\d+)?
      | (?:obtenir|get|t[ée]l[ée]charger|download)\s+outlook\s+(?:pour|for)\s+(?:ios|android)
      | sent\s+with\s+proton\s+mail\s+secure\s+email
      | envoy[ée]\s+avec\s+la\s+messagerie\s+s[ée]curis[ée]e\s+proton\s+mail
    )\s*\.?$")
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
    let line = without_glued_link(line.trim());
    if line.len() > 80 {
        return false;
    }
    let start = truncate(line, 12).to_lowercase();
    FIRST_WORDS.iter().any(|w| start.starts_with(w)) && MOBILE_FOOTER.is_match(line)
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
