//! Reading HTML markup by hand, for what html2text does not do: walking its tags and text
//! ([`pieces`]: quoted attributes, comments and raw-text elements skipped), which the
//! divider marking (`html`), the table-row joining (`table_rows`) and [`strip_tags`] share,
//! and a crude text of the markup with the common entities decoded, to peek after a
//! divider or to fall back on.

use std::ops::Range;

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
    /// Where the tag starts (its `<`) and ends (after its `>`).
    pub(super) start: usize,
    pub(super) end: usize,
}

/// One step through the markup: a run of text (a byte range of the markup, entities not
/// decoded; a `<` that starts no tag is part of it), then the tag that ends it, if a tag
/// does (a comment or the end of the markup may).
pub(super) struct Piece<'a> {
    pub(super) text: Range<usize>,
    pub(super) tag: Option<Tag<'a>>,
}

/// The text runs and tags of the markup, in one pass: comments and the content of
/// raw-text elements (`<script>`, `<style>`…) are skipped, neither text nor tags.
pub(super) struct Pieces<'a> {
    lower: &'a str,
    /// Where to look for the next `<`.
    pos: usize,
    /// Where the text run not yet given starts.
    text_start: usize,
    done: bool,
}

/// Walks `lower`, the ASCII lower-cased markup (offsets are the same in the markup).
pub(super) fn pieces(lower: &str) -> Pieces<'_> {
    Pieces {
        lower,
        pos: 0,
        text_start: 0,
        done: false,
    }
}

impl<'a> Iterator for Pieces<'a> {
    type Item = Piece<'a>;

    fn next(&mut self) -> Option<Piece<'a>> {
        let lower = self.lower;
        while !self.done {
            let Some(offset) = lower[self.pos..].find('<') else {
                self.done = true;
                let text = self.text_start..lower.len();
                return (!text.is_empty()).then_some(Piece { text, tag: None });
            };
            let start = self.pos + offset;
            let text = self.text_start..start;
            if lower[start..].starts_with("<!--") {
                let end = lower[start + 4..]
                    .find("-->")
                    .map_or(lower.len(), |e| start + 4 + e + 3);
                self.pos = end;
                self.text_start = end;
                if text.is_empty() {
                    continue;
                }
                return Some(Piece { text, tag: None });
            }
            let Some(tag) = read_tag(lower, start) else {
                self.pos = start + 1;
                continue;
            };
            self.pos = tag.end;
            if !tag.closing && RAW_TEXT_ELEMENTS.contains(&tag.name) {
                let close = format!("</{}", tag.name);
                self.pos = lower[tag.end..].find(&close).map_or(lower.len(), |e| tag.end + e);
            }
            self.text_start = self.pos;
            return Some(Piece { text, tag: Some(tag) });
        }
        None
    }
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
        start,
        end,
    })
}

/// A crude text of the markup: tags and comments removed, a few entities
/// decoded, line breaks for block tags. Used when html2text fails and to
/// peek at the text after a divider.
pub(super) fn strip_tags(html: &str) -> String {
    let lower = html.to_ascii_lowercase();
    let mut out = String::with_capacity(html.len() / 2);
    for Piece { text, tag } in pieces(&lower) {
        push_decoded(&mut out, &html[text]);
        if tag.is_some_and(|tag| {
            matches!(
                tag.name,
                "br" | "p" | "div" | "tr" | "li" | "blockquote" | "hr" | "table" | "h1" | "h2" | "h3"
            )
        }) {
            out.push('\n');
        }
    }
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

#[cfg(test)]
mod tests {
    use super::{Piece, pieces, strip_tags};

    #[test]
    fn pieces_are_text_runs_and_tags_without_comments_or_raw_text() {
        let html = "a<!-- x<b> -->b<p class='q>'>c < d<script>if (a<b) {}</script>e</p>";
        let lower = html.to_ascii_lowercase();
        let shown: Vec<String> = pieces(&lower)
            .map(|Piece { text, tag }| {
                let tag = tag.map_or("-".to_owned(), |tag| {
                    let slash = if tag.closing { "/" } else { "" };
                    format!("{slash}{} {:?}", tag.name, &html[tag.start..tag.end])
                });
                format!("{:?} {tag}", &html[text])
            })
            .collect();
        assert_eq!(
            shown,
            [
                "\"a\" -",
                "\"b\" p \"<p class='q>'>\"",
                "\"c < d\" script \"<script>\"",
                "\"\" /script \"</script>\"",
                "\"e\" /p \"</p>\"",
            ]
        );
        assert_eq!(strip_tags(html), "ab\nc < de\n");
        // An unterminated comment or raw-text element ends the markup.
        assert_eq!(strip_tags("a<!-- b<br>"), "a");
        assert_eq!(strip_tags("a<style>b<br>"), "a");
    }
}
