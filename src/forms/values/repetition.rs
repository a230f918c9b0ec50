//! « Répétition : chaque semaine, 8 fois », "Repeat: every 2 weeks until 2027-03-31": how
//! often (every day, every week, every N days or weeks, « aux deux semaines ») and until
//! when (N times, or until a date written as dates are everywhere in the form).

use super::parse_date;
use crate::domain::request::repetition::{MAX_STEP_DAYS, Repetition, RepetitionEnd};
use crate::domain::text::fold;
use chrono::NaiveDate;

/// Numbers people spell out for a step or a count.
fn number(word: &str) -> Option<u32> {
    Some(match word {
        "un" | "une" | "one" => 1,
        "deux" | "two" => 2,
        "trois" | "three" => 3,
        "quatre" | "four" => 4,
        "cinq" | "five" => 5,
        "six" => 6,
        "sept" | "seven" => 7,
        "huit" | "eight" => 8,
        "neuf" | "nine" => 9,
        "dix" | "ten" => 10,
        "douze" | "twelve" => 12,
        _ => return word.parse().ok(),
    })
}

const DAY_WORDS: &[&str] = &["jour", "jours", "day", "days"];
const WEEK_WORDS: &[&str] = &["semaine", "semaines", "week", "weeks"];
const TIMES_WORDS: &[&str] = &[
    "fois",
    "times",
    "occurrences",
    "occurrence",
    "seances",
    "seance",
    "rendez",
    "sessions",
    "appointments",
];

/// The step in days, from folded words.
fn step(words: &[&str]) -> Option<u32> {
    let joined = words.join(" ");
    for (phrase, days) in [
        ("une semaine sur deux", 14),
        ("every other week", 14),
        ("quotidien", 1),
        ("daily", 1),
        ("hebdomadaire", 7),
        ("weekly", 7),
        ("biweekly", 14),
    ] {
        if joined.contains(phrase) {
            return Some(days);
        }
    }
    for (i, w) in words.iter().enumerate() {
        let unit = if DAY_WORDS.contains(w) {
            1
        } else if WEEK_WORDS.contains(w) {
            7
        } else {
            continue;
        };
        // « toutes les 2 semaines », « aux deux semaines », "every 3 weeks": a number just
        // before; « chaque semaine », "every week": none.
        let n = i.checked_sub(1).and_then(|j| number(words[j])).unwrap_or(1);
        return Some(n * unit);
    }
    None
}

/// How the series ends: « 8 fois », "until 2027-03-31", « jusqu'au 31/03/2027 ».
fn end(words: &[&str], raw_folded: &str, today: NaiveDate) -> Option<RepetitionEnd> {
    for (i, w) in words.iter().enumerate() {
        if TIMES_WORDS.contains(w) {
            let n = i.checked_sub(1).and_then(|j| number(words[j]))?;
            return Some(RepetitionEnd::Times(n));
        }
    }
    for marker in ["jusqu'au ", "jusqu'à ", "jusqu au ", "until ", "till ", "through "] {
        if let Some(at) = raw_folded.find(marker) {
            let rest = &raw_folded[at + marker.len()..];
            return parse_date(rest.trim(), today).map(RepetitionEnd::Until);
        }
    }
    None
}

/// The repetition `raw` says, if it says one Relais can make.
pub(in crate::forms) fn parse_repetition(raw: &str, today: NaiveDate) -> Option<Repetition> {
    // Dates keep their slashes and dashes for `parse_date`; the rest is folded to words.
    let lowered = raw.to_lowercase().replace(['’', '\''], "'");
    let folded = fold(raw);
    let words: Vec<&str> = folded.split_whitespace().collect();
    let step_days = step(&words)?;
    if !(1..=MAX_STEP_DAYS).contains(&step_days) {
        return None;
    }
    let end = end(&words, &lowered, today)?;
    Some(Repetition { step_days, end })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(raw: &str) -> Option<String> {
        let today = NaiveDate::from_ymd_opt(2026, 12, 6).unwrap();
        parse_repetition(raw, today).map(|r| r.key())
    }

    #[test]
    fn french_and_english_spellings_of_a_series() {
        for (raw, key) in [
            ("chaque semaine, 8 fois", "7d8x"),
            ("Chaque semaine, huit fois", "7d8x"),
            ("toutes les 2 semaines jusqu'au 2027-03-31", "14d-2027-03-31"),
            ("aux deux semaines jusqu’au 31/03/2027", "14d-2027-03-31"),
            ("une semaine sur deux, 6 séances", "14d6x"),
            ("tous les jours, 5 fois", "1d5x"),
            ("every week, 8 times", "7d8x"),
            ("every 2 weeks until 2027-03-31", "14d-2027-03-31"),
            ("weekly, 10 sessions", "7d10x"),
            ("every 3 days, 4 times", "3d4x"),
        ] {
            assert_eq!(read(raw).as_deref(), Some(key), "{raw}");
        }
    }

    #[test]
    fn what_says_no_series_is_not_one() {
        for raw in [
            "",
            "non",
            "8 fois",
            "chaque semaine",
            "toutes les 10 semaines, 3 fois",
            "every week until someday",
        ] {
            assert_eq!(read(raw), None, "{raw}");
        }
    }
}
