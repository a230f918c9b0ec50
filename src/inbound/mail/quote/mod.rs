//! Splitting an email reply into what the person wrote now and the older
//! messages it quotes (docs/inbound-mail.md, "Quoted text").
//!
//! Plain text is read line by line: every pattern is anchored on one line (or
//! on up to four short lines joined, for wrapped attributions), so the work
//! stays linear in the size of the text, which is cut at 256 KiB first.
//!
//! HTML is turned into such text first (`html`, with `markup`); `markers` finds where a
//! quote starts, with the words of each language from `languages`, `split` walks the
//! lines into the new text and the older messages, and `signature` cleans the new text.

use regex::Regex;

mod html;
mod languages;
mod markers;
mod markup;
mod signature;
mod split;
mod table_rows;

pub use html::html_to_text;
pub use split::{ReplyParts, split_reply};

/// Builds a regex from a literal pattern; only used in the statics of these modules.
fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("valid regex literal")
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

#[cfg(test)]
mod tests;
