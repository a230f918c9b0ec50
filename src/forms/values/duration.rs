//! Reading a duration as minutes: "90", "1 h 30", "1,5 h", "1:30", "une heure et demie",
//! "half an hour"; and telling a duration written with a minus sign, which is refused,
//! never read without its sign.

use super::tokens::{Tok, TokKind, tokenize};
use super::trim;
use crate::domain::text::fold;

#[derive(Debug, Clone, Copy, PartialEq)]
enum DurTok {
    /// A number; `decimal` when it had a decimal part ("1,5").
    Num {
        value: f64,
        decimal: bool,
    },
    /// "1:30".
    HoursMinutes(u64, u64),
    Hour,
    Minute,
    Half,
    And,
    /// "a"/"an": one hour when followed by an hour word, else nothing.
    Article,
}

/// Whether a number or a duration is written with a minus sign ("-30", "− 1 h",
/// "moins 2 heures"): such a value is refused as negative, never read without its sign.
pub(in crate::forms) fn is_negative(raw: &str) -> bool {
    let value = trim(raw);
    let signed = value
        .strip_prefix(['-', '\u{2212}', '\u{2013}', '\u{2014}'])
        .is_some_and(|rest| rest.trim_start().starts_with(|c: char| c.is_alphanumeric()));
    signed || matches!(fold(value).split(' ').next(), Some("moins" | "minus"))
}

/// Reads a duration as minutes, without checking the range, so that the error
/// message can tell "out of range" from "not a duration". A negative duration is none.
pub(in crate::forms) fn duration_minutes(raw: &str) -> Option<u64> {
    if is_negative(raw) {
        return None;
    }
    let toks = tokenize(raw)?;
    let items = duration_items(&toks)?;
    let minutes = duration_grammar(&without_articles(&items))?;
    if !minutes.is_finite() || !(0.0..=1.0e9).contains(&minutes) {
        return None;
    }
    Some(minutes.round() as u64)
}

/// The tokens as numbers and duration words; `None` at a word that has no place in a
/// duration, or a number too long to be one.
fn duration_items(toks: &[Tok]) -> Option<Vec<DurTok>> {
    let mut items: Vec<DurTok> = Vec::new();
    let mut index = 0;
    while let Some(tok) = toks.get(index) {
        index += 1;
        match &tok.kind {
            TokKind::Num(value, digits) => {
                if *digits > 6 {
                    return None;
                }
                let (item, used) = number_item(*value, toks.get(index), toks.get(index + 1));
                items.push(item);
                index += used;
            }
            TokKind::Punct(_) => {}
            TokKind::Word(word) => {
                if let Some(item) = word_item(word)? {
                    items.push(item);
                }
            }
        }
    }
    Some(items)
}

/// A number and what follows it: "1:30" (hours and minutes), "1,5" (a decimal), or the
/// number alone; with how many of the following tokens it used.
fn number_item(value: u64, next: Option<&Tok>, after: Option<&Tok>) -> (DurTok, usize) {
    match (next, after) {
        (
            Some(Tok {
                kind: TokKind::Punct(':'),
                spaced: false,
            }),
            Some(Tok {
                kind: TokKind::Num(minutes, 1..=2),
                spaced: false,
            }),
        ) => (DurTok::HoursMinutes(value, *minutes), 2),
        (
            Some(Tok {
                kind: TokKind::Punct(',' | '.'),
                spaced: false,
            }),
            Some(Tok {
                kind: TokKind::Num(fraction, fraction_digits @ 1..=3),
                spaced: false,
            }),
        ) => {
            let scale = 10_f64.powi(i32::try_from(*fraction_digits).unwrap_or(3));
            let item = DurTok::Num {
                value: value as f64 + *fraction as f64 / scale,
                decimal: true,
            };
            (item, 2)
        }
        _ => (
            DurTok::Num {
                value: value as f64,
                decimal: false,
            },
            0,
        ),
    }
}

/// A word of a duration: `Some(None)` for one that says nothing ("environ"), `None` for
/// one that has no place in a duration.
fn word_item(word: &str) -> Option<Option<DurTok>> {
    let number = |value: f64| DurTok::Num { value, decimal: false };
    Some(Some(match word {
        "h" | "hr" | "hrs" | "hre" | "hres" | "heure" | "heures" | "hour" | "hours" => DurTok::Hour,
        "m" | "mn" | "min" | "mins" | "minute" | "minutes" => DurTok::Minute,
        "demi" | "demie" | "half" => DurTok::Half,
        "et" | "and" => DurTok::And,
        "a" | "an" => DurTok::Article,
        "un" | "une" | "one" => number(1.0),
        "deux" | "two" => number(2.0),
        "trois" | "three" => number(3.0),
        "quatre" | "four" => number(4.0),
        "cinq" | "five" => number(5.0),
        "six" => number(6.0),
        "sept" | "seven" => number(7.0),
        "huit" | "eight" => number(8.0),
        "environ" | "approx" | "approximativement" | "about" | "around" => return Some(None),
        _ => return None,
    }))
}

/// "an hour" is one hour; the article of "half an hour", "and a half" is nothing; the
/// "une" of "une demi-heure" belongs to "demi".
fn without_articles(items: &[DurTok]) -> Vec<DurTok> {
    let mut cleaned: Vec<DurTok> = Vec::with_capacity(items.len());
    for (at, item) in items.iter().enumerate() {
        let next = items.get(at + 1);
        match item {
            DurTok::Article => {
                if next == Some(&DurTok::Hour) && cleaned.last() != Some(&DurTok::Half) {
                    cleaned.push(DurTok::Num {
                        value: 1.0,
                        decimal: false,
                    });
                }
            }
            // "une demi-heure": the "une" belongs to "demi".
            DurTok::Num { value, decimal: false } if *value == 1.0 && next == Some(&DurTok::Half) => {}
            _ => cleaned.push(*item),
        }
    }
    cleaned
}

/// hours-part? "et"? minutes-part?, or one bare number (minutes), or "1:30".
fn duration_grammar(items: &[DurTok]) -> Option<f64> {
    use DurTok::{And, Half, Hour, HoursMinutes, Minute, Num};
    match items {
        [] => return None,
        [Num { value, decimal }] => return (!decimal).then_some(*value),
        [HoursMinutes(hours, minutes)] | [HoursMinutes(hours, minutes), Hour] => {
            return (*minutes < 60).then_some((*hours * 60 + *minutes) as f64);
        }
        _ => {}
    }
    let mut total = 0.0;
    let mut rest = items;
    let mut hours_given = false;
    match rest {
        // "1 and a half hours".
        [Num { value, .. }, And, Half, Hour, tail @ ..] => {
            total += value * 60.0 + 30.0;
            hours_given = true;
            rest = tail;
        }
        [Num { value, .. }, Hour, tail @ ..] => {
            total += value * 60.0;
            hours_given = true;
            rest = tail;
            // "1 heure et demie", "an hour and a half".
            match rest {
                [And, Half, tail @ ..] | [Half, tail @ ..] => {
                    total += 30.0;
                    rest = tail;
                }
                _ => {}
            }
        }
        // "demi-heure", "half an hour".
        [Half, Hour, tail @ ..] => {
            total += 30.0;
            hours_given = true;
            rest = tail;
        }
        _ => {}
    }
    if hours_given && let [And, tail @ ..] = rest {
        rest = tail;
    }
    match rest {
        [] if hours_given => {}
        [Num { value, decimal: false }] | [Num { value, decimal: false }, Minute] if hours_given => {
            // "1 h 30": minutes after hours are the minutes of the hour.
            if *value >= 60.0 {
                return None;
            }
            total += value;
        }
        [Num { value, .. }, Minute] => total += value,
        _ => return None,
    }
    Some(total)
}
