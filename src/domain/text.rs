//! Text folding shared by every parser that matches what people type.

use unicode_normalization::UnicodeNormalization;

/// Folds text for matching: Unicode NFKD, accents dropped, lower case,
/// apostrophes and punctuation turned to spaces, runs of white space collapsed.
/// "  Arabe (Maroc) " and "arabe maroc" fold to the same string.
pub fn fold(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut pending_space = false;
    for c in input.nfkd() {
        if unicode_normalization::char::is_combining_mark(c) {
            continue;
        }
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.extend(c.to_lowercase());
        } else {
            pending_space = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::fold;

    #[test]
    fn folds_case_accents_and_punctuation() {
        assert_eq!(fold("  Arabe (Maroc) "), "arabe maroc");
        assert_eq!(fold("ESPAGNOL"), "espagnol");
        assert_eq!(fold("Créole haïtien"), "creole haitien");
        assert_eq!(fold("l'arménien"), "l armenien");
        assert_eq!(fold("ACCEPTÉE!!"), "acceptee");
        assert_eq!(fold(""), "");
    }
}
