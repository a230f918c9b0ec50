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
    let mut items: Vec<DurTok> = Vec::new();
    let mut index = 0;
    while let Some(tok) = toks.get(index) {
        index += 1;
        match &tok.kind {
            TokKind::Num(value, digits) => {
                if *digits > 6 {
                    return None;
                }
                let next = (toks.get(index), toks.get(index + 1));
                match next {
                    (
                        Some(Tok {
                            kind: TokKind::Punct(':'),
                            spaced: false,
                        }),
                        Some(Tok {
                            kind: TokKind::Num(minutes, 1..=2),
                            spaced: false,
                        }),
                    ) => {
                        items.push(DurTok::HoursMinutes(*value, *minutes));
                        index += 2;
                    }
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
                        items.push(DurTok::Num {
                            value: *value as f64 + *fraction as f64 / scale,
                            decimal: true,
                        });
                        index += 2;
                    }
                    _ => items.push(DurTok::Num {
                        value: *value as f64,
                        decimal: false,
                    }),
                }
            }
            TokKind::Punct(_) => {}
            TokKind::Word(word) => {
                let number = |value: f64| DurTok::Num { value, decimal: false };
                let item = match word.as_str() {
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
                    "environ" | "approx" | "approximativement" | "about" | "around" => continue,
                    _ => return None,
                };
                items.push(item);
            }
        }
    }
    // "an hour" is one hour; the article of "half an hour", "and a half" is nothing.
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
    let minutes = duration_grammar(&cleaned)?;
    if !minutes.is_finite() || !(0.0..=1.0e9).contains(&minutes) {
        return None;
    }
    Some(minutes.round() as u64)
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
