//! Reading HTML markup by hand, for what html2text does not do: finding tags (quoted
//! attributes, comments and raw-text elements skipped), and a crude text of the markup
//! with the common entities decoded, to peek after a divider or to fall back on.

use super::truncate;

/// Elements whose content is raw text, skipped when scanning for tags.
pub(super) const RAW_TEXT_ELEMENTS: &[&str] = &[
    "script", "style", "title", "textarea", "xmp", "iframe", "noembed", "noframes",
];

/// A tag found in the markup; offsets are byte positions in the HTML.
pub(super) struct Tag<'a> {
    pub(super) closing: bool,
    pub(super) name: &'a str,
    pub(super) attrs: &'a str,
    pub(super) end: usize,
}

/// Reads the tag starting at `start` (`<` there); `lower` is the ASCII
/// lower-cased markup, so that offsets are the same in both.
pub(super) fn read_tag(lower: &str, start: usize) -> Option<Tag<'_>> {
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

/// A crude text of the markup: tags and comments removed, a few entities
/// decoded, line breaks for block tags. Used when html2text fails and to
/// peek at the text after a divider.
pub(super) fn strip_tags(html: &str) -> String {
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
