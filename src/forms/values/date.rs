//! Reading a date: "2026-12-05", "05/12/2026" (day first, as in Quebec), "5 déc. 2026",
//! "December 5, 2026", "jeudi 5 décembre", "demain"; year-less and relative dates resolve
//! against the day the form is read.

use chrono::{Datelike, Days, NaiveDate, Weekday};

use super::tokens::{TokKind, to_i32, to_u32, tokenize};

/// Words that carry no date information: articles, "next", "ce", "of"…
const DATE_FILLERS: [&str; 17] = [
    "le",
    "la",
    "l",
    "the",
    "on",
    "of",
    "de",
    "du",
    "ce",
    "cette",
    "this",
    "next",
    "prochain",
    "prochaine",
    "coming",
    "en",
    "for",
];

/// Ordinal endings: "1er", "1re", "2e", "2eme", "1st", "2nd", "3rd", "5th".
const ORDINAL_SUFFIXES: [&str; 9] = ["er", "re", "e", "eme", "ieme", "st", "nd", "rd", "th"];

fn month_of(word: &str) -> Option<u32> {
    let month = match word {
        "janvier" | "janv" | "jan" | "january" => 1,
        "fevrier" | "fevr" | "fev" | "feb" | "february" => 2,
        "mars" | "march" => 3,
        "avril" | "avr" | "apr" | "april" => 4,
        "mai" | "may" => 5,
        "juin" | "jun" | "june" => 6,
        "juillet" | "juil" | "juill" | "jul" | "july" => 7,
        "aout" | "aug" | "august" => 8,
        "septembre" | "sept" | "sep" | "september" => 9,
        "octobre" | "oct" | "october" => 10,
        "novembre" | "nov" | "november" => 11,
        "decembre" | "dec" | "december" => 12,
        _ => return None,
    };
    Some(month)
}

fn weekday_of(word: &str) -> Option<Weekday> {
    let day = match word {
        "lundi" | "lun" | "monday" | "mon" => Weekday::Mon,
        "mardi" | "tuesday" | "tue" | "tues" => Weekday::Tue,
        "mercredi" | "mer" | "wednesday" | "wed" => Weekday::Wed,
        "jeudi" | "jeu" | "thursday" | "thu" | "thur" | "thurs" => Weekday::Thu,
        "vendredi" | "ven" | "friday" | "fri" => Weekday::Fri,
        "samedi" | "sam" | "saturday" | "sat" => Weekday::Sat,
        "dimanche" | "dim" | "sunday" | "sun" => Weekday::Sun,
        _ => return None,
    };
    Some(day)
}

/// Reads a date; relative and year-less dates resolve against `today`.
pub(in crate::forms) fn parse_date(raw: &str, today: NaiveDate) -> Option<NaiveDate> {
    let toks = tokenize(raw)?;
    let mut numbers: Vec<(u64, usize)> = Vec::new();
    let mut words: Vec<&str> = Vec::new();
    for tok in &toks {
        match &tok.kind {
            TokKind::Punct(_) => {}
            TokKind::Num(value, digits) => numbers.push((*value, *digits)),
            TokKind::Word(word) => {
                let word = word.as_str();
                if !DATE_FILLERS.contains(&word) && !ORDINAL_SUFFIXES.contains(&word) {
                    words.push(word);
                }
            }
        }
    }
    if numbers.is_empty() {
        let offset = match words.join(" ").as_str() {
            "aujourd hui" | "aujourdhui" | "today" => Some(0),
            "demain" | "tomorrow" => Some(1),
            "apres demain" | "day after tomorrow" => Some(2),
            _ => None,
        };
        if let Some(offset) = offset {
            return today.checked_add_days(Days::new(offset));
        }
    }
    match months_named(&words, &numbers, today) {
        Ok(months) => from_numbers(&months, &numbers, today),
        Err(answer) => answer,
    }
}

/// The months the words name; or, as `Err`, the answer already known: a weekday alone
/// is its next date, and a word that is neither month nor weekday (or two weekdays) is
/// no date.
fn months_named(words: &[&str], numbers: &[(u64, usize)], today: NaiveDate) -> Result<Vec<u32>, Option<NaiveDate>> {
    let mut months: Vec<u32> = Vec::new();
    let mut weekdays = 0;
    let mut mar = 0;
    for word in words {
        if *word == "mar" {
            // "mar." is mardi in French and March in English: decided below.
            mar += 1;
        } else if let Some(month) = month_of(word) {
            months.push(month);
        } else if let Some(day) = weekday_of(word) {
            weekdays += 1;
            if numbers.is_empty() && words.len() == 1 {
                return Err(next_weekday(today, day));
            }
        } else {
            return Err(None);
        }
    }
    if mar > 1 {
        return Err(None);
    }
    if mar == 1 {
        if months.is_empty() && !numbers.is_empty() {
            months.push(3);
        } else if numbers.is_empty() && words.len() == 1 {
            return Err(next_weekday(today, Weekday::Tue));
        } else {
            weekdays += 1;
        }
    }
    if weekdays > 1 {
        return Err(None);
    }
    Ok(months)
}

/// The date the numbers say with the months named: a flat table of the ways a date is
/// written.
fn from_numbers(months: &[u32], numbers: &[(u64, usize)], today: NaiveDate) -> Option<NaiveDate> {
    match (months, numbers) {
        // "5 décembre", "Dec 5", "jeudi 5 décembre" (the weekday is not checked).
        ([month], [(day, 1..=2)]) => next_yearless(today, *month, to_u32(*day)?),
        // "5 décembre 2026", "December 5, 2026", "2026 Dec 5".
        ([month], [(a, da), (b, db)]) => {
            let (day, year) = match (da, db) {
                (1..=2, 4) => (*a, *b),
                (4, 1..=2) => (*b, *a),
                _ => return None,
            };
            NaiveDate::from_ymd_opt(to_i32(year)?, *month, to_u32(day)?)
        }
        // "20261205".
        ([], [(value, 8)]) => NaiveDate::from_ymd_opt(
            to_i32(value / 10_000)?,
            to_u32(value / 100 % 100)?,
            to_u32(value % 100)?,
        ),
        // "5/12": day first, month first only when day first cannot be a date.
        ([], [(a, 1..=2), (b, 1..=2)]) => {
            let (a, b) = (to_u32(*a)?, to_u32(*b)?);
            next_yearless(today, b, a).or_else(|| next_yearless(today, a, b))
        }
        // "2026-12-05".
        ([], [(year, 4), (month, 1..=2), (day, 1..=2)]) => {
            NaiveDate::from_ymd_opt(to_i32(*year)?, to_u32(*month)?, to_u32(*day)?)
        }
        // "05/12/2026", "5.12.26": day first (Quebec), month first only when
        // day first cannot be a date ("12/25/2026").
        ([], [(a, 1..=2), (b, 1..=2), (year, year_digits @ (2 | 4))]) => {
            let year = if *year_digits == 2 { 2000 + year } else { *year };
            let (year, a, b) = (to_i32(year)?, to_u32(*a)?, to_u32(*b)?);
            NaiveDate::from_ymd_opt(year, b, a).or_else(|| NaiveDate::from_ymd_opt(year, a, b))
        }
        _ => None,
    }
}

/// The next such day strictly after `today`: "lundi" said on a Monday means
/// the Monday after ("aujourd'hui" would have been said otherwise).
fn next_weekday(today: NaiveDate, day: Weekday) -> Option<NaiveDate> {
    let ahead = (7 + day.num_days_from_monday() - today.weekday().num_days_from_monday()) % 7;
    let ahead = if ahead == 0 { 7 } else { ahead };
    today.checked_add_days(Days::new(u64::from(ahead)))
}

/// The first date with this month and day on or after `today` (the doc's rule
/// for dates written without a year). Looks a few years ahead for 29 February.
fn next_yearless(today: NaiveDate, month: u32, day: u32) -> Option<NaiveDate> {
    (today.year()..=today.year().saturating_add(8))
        .filter_map(|year| NaiveDate::from_ymd_opt(year, month, day))
        .find(|date| *date >= today)
}
