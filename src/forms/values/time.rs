//! Reading a time of day: "14:30", "14 h 30", "14h", "2:30 PM", "2 pm", "midi",
//! "14 h et demie".

use chrono::NaiveTime;

use super::tokens::{TokKind, to_u32, tokenize};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TimeTok {
    Num(u64, usize),
    Hour,
    Minute,
    Am,
    Pm,
    Et,
    Half,
    Quarter,
    Noon,
    Midnight,
}

/// Reads a time of day: "14:30", "14 h 30", "14h", "2:30 PM", "2 pm", "midi".
pub(in crate::forms) fn parse_time(raw: &str) -> Option<NaiveTime> {
    let toks = tokenize(raw)?;
    // Punctuation only separates ("14:30", "14.30", "p.m."), so drop it.
    let words: Vec<&TokKind> = toks
        .iter()
        .map(|tok| &tok.kind)
        .filter(|kind| !matches!(kind, TokKind::Punct(_)))
        .collect();
    let mut items = time_items(&words)?;
    let meridiem = match items.last() {
        Some(TimeTok::Am) => Some(false),
        Some(TimeTok::Pm) => Some(true),
        _ => None,
    };
    if meridiem.is_some() {
        items.pop();
    }
    let (hour, minute, fixed) = hour_and_minute(&items)?;
    let hour = on_the_clock(hour, fixed, meridiem)?;
    if hour > 23 || minute > 59 {
        return None;
    }
    NaiveTime::from_hms_opt(to_u32(hour)?, to_u32(minute)?, 0)
}

/// The words as numbers and time words; `None` at a word that has no place in a time.
fn time_items(words: &[&TokKind]) -> Option<Vec<TimeTok>> {
    let mut items: Vec<TimeTok> = Vec::new();
    let mut index = 0;
    while let Some(kind) = words.get(index) {
        index += 1;
        let word = match kind {
            TokKind::Num(value, digits) => {
                items.push(TimeTok::Num(*value, *digits));
                continue;
            }
            TokKind::Word(word) => word.as_str(),
            TokKind::Punct(_) => continue,
        };
        let next_is_m = matches!(words.get(index), Some(TokKind::Word(w)) if w == "m");
        let item = match word {
            "a" if next_is_m => {
                index += 1;
                TimeTok::Am
            }
            "p" if next_is_m => {
                index += 1;
                TimeTok::Pm
            }
            "am" => TimeTok::Am,
            "pm" => TimeTok::Pm,
            "h" | "hr" | "hrs" | "hre" | "hres" | "heure" | "heures" | "hour" | "hours" => TimeTok::Hour,
            "min" | "mins" | "mn" | "minute" | "minutes" => TimeTok::Minute,
            "et" => TimeTok::Et,
            "demi" | "demie" => TimeTok::Half,
            "quart" => TimeTok::Quarter,
            "midi" | "noon" | "midday" => TimeTok::Noon,
            "minuit" | "midnight" => TimeTok::Midnight,
            // "à 14 h", "vers 9 h", "at 2 pm", "environ 10 h".
            "a" | "at" | "vers" | "around" | "about" | "environ" | "des" | "from" => continue,
            _ => return None,
        };
        items.push(item);
    }
    Some(items)
}

/// The hour and minute the items say, and whether the hour is fixed (noon, midnight):
/// a flat table of the ways a time is written.
fn hour_and_minute(items: &[TimeTok]) -> Option<(u64, u64, bool)> {
    use TimeTok::{Et, Half, Hour, Midnight, Minute, Noon, Num, Quarter};
    Some(match items {
        [Noon] => (12, 0, true),
        [Midnight] => (0, 0, true),
        [Noon, Num(m, 1..=2)] | [Noon, Num(m, 1..=2), Minute] => (12, *m, true),
        [Midnight, Num(m, 1..=2)] | [Midnight, Num(m, 1..=2), Minute] => (0, *m, true),
        [Noon, Et, Half] => (12, 30, true),
        [Noon, Et, Quarter] => (12, 15, true),
        [Midnight, Et, Half] => (0, 30, true),
        [Midnight, Et, Quarter] => (0, 15, true),
        [Num(h, 1..=2)] | [Num(h, 1..=2), Hour] => (*h, 0, false),
        // "1430", "0830", "930".
        [Num(hm, 3..=4)] => (hm / 100, hm % 100, false),
        [Num(h, 1..=2), Num(m, 1..=2)]
        | [Num(h, 1..=2), Hour, Num(m, 1..=2)]
        | [Num(h, 1..=2), Hour, Num(m, 1..=2), Minute]
        | [Num(h, 1..=2), Num(m, 1..=2), Minute] => (*h, *m, false),
        // "14:30:00": seconds are dropped, but must be seconds.
        [Num(h, 1..=2), Num(m, 1..=2), Num(s, 2)] if *s < 60 => (*h, *m, false),
        [Num(h, 1..=2), Hour, Et, Half] | [Num(h, 1..=2), Et, Half] => (*h, 30, false),
        [Num(h, 1..=2), Hour, Et, Quarter] | [Num(h, 1..=2), Et, Quarter] => (*h, 15, false),
        _ => return None,
    })
}

/// The hour on a 24-hour clock, given AM or PM (`Some(false)`, `Some(true)`) if written.
fn on_the_clock(hour: u64, fixed: bool, meridiem: Option<bool>) -> Option<u64> {
    Some(match meridiem {
        None => hour,
        // "midi pm" says nothing more than "midi"; "minuit am" likewise, but
        // "midi am" contradicts itself.
        Some(_) if fixed => return None,
        Some(false) => match hour {
            12 => 0,
            1..=11 => hour,
            _ => return None,
        },
        Some(true) => match hour {
            12..=23 => hour,
            1..=11 => hour + 12,
            _ => return None,
        },
    })
}
