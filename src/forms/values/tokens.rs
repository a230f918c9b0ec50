//! Splitting a value into numbers, words and a few punctuation marks, the first step of
//! the date, time and duration readers: "14h30", "14 h 30" and "14:30" then differ only
//! by their punctuation, and accents and case are gone.

use unicode_normalization::UnicodeNormalization;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum TokKind {
    /// A run of ASCII digits: its value (saturating) and its number of digits.
    Num(u64, usize),
    /// A run of letters, lower-cased, accents removed.
    Word(String),
    /// ':', '.', ',', '/' or '-'.
    Punct(char),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Tok {
    pub(super) kind: TokKind,
    /// White space or other separators came right before this token.
    pub(super) spaced: bool,
}

/// Values longer than this are not dates, times or durations; stopping early
/// keeps a pasted essay in the "Heure" field cheap.
const MAX_TOKENS: usize = 24;

#[derive(Clone, Copy, PartialEq, Eq)]
enum CharClass {
    Digit,
    Letter,
    Other,
}

/// Splits a value into numbers, words and a few punctuation marks, so that
/// "14h30", "14 h 30" and "14:30" differ only by their punctuation. Returns
/// `None` for more than [`MAX_TOKENS`] tokens.
pub(super) fn tokenize(input: &str) -> Option<Vec<Tok>> {
    let mut toks: Vec<Tok> = Vec::new();
    let mut spaced = false;
    let mut previous = CharClass::Other;
    for c in input.nfkd() {
        if unicode_normalization::char::is_combining_mark(c) {
            continue;
        }
        let class = if c.is_ascii_digit() {
            CharClass::Digit
        } else if c.is_alphabetic() {
            CharClass::Letter
        } else {
            CharClass::Other
        };
        match class {
            CharClass::Digit => {
                let digit = u64::from(c as u32 - '0' as u32);
                match toks.last_mut() {
                    Some(Tok {
                        kind: TokKind::Num(value, digits),
                        ..
                    }) if previous == CharClass::Digit => {
                        *value = value.saturating_mul(10).saturating_add(digit);
                        *digits += 1;
                    }
                    _ => toks.push(Tok {
                        kind: TokKind::Num(digit, 1),
                        spaced,
                    }),
                }
            }
            CharClass::Letter => match toks.last_mut() {
                Some(Tok {
                    kind: TokKind::Word(word),
                    ..
                }) if previous == CharClass::Letter => word.extend(c.to_lowercase()),
                _ => toks.push(Tok {
                    kind: TokKind::Word(c.to_lowercase().collect()),
                    spaced,
                }),
            },
            CharClass::Other => {
                if matches!(c, ':' | '.' | ',' | '/' | '-') {
                    toks.push(Tok {
                        kind: TokKind::Punct(c),
                        spaced,
                    });
                    spaced = false;
                } else {
                    spaced = true;
                }
            }
        }
        if class != CharClass::Other {
            spaced = false;
        }
        previous = class;
        if toks.len() > MAX_TOKENS {
            return None;
        }
    }
    Some(toks)
}

pub(super) fn to_u32(value: u64) -> Option<u32> {
    u32::try_from(value).ok()
}

pub(super) fn to_i32(value: u64) -> Option<i32> {
    i32::try_from(value).ok()
}
