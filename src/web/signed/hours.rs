//! Weekly availability as a person types it in the profile form: one slot per line,
//! "lundi 08:00-17:00" (French or English day names, three letters at least; "8h-12h" too);
//! no line at all means available at any time. Pure, so it is tested here.

use crate::domain::interpreter::{Availability, WeeklyHours};
use chrono::{NaiveTime, Weekday};

const DAYS: [(Weekday, &str, &str); 7] = [
    (Weekday::Mon, "lundi", "monday"),
    (Weekday::Tue, "mardi", "tuesday"),
    (Weekday::Wed, "mercredi", "wednesday"),
    (Weekday::Thu, "jeudi", "thursday"),
    (Weekday::Fri, "vendredi", "friday"),
    (Weekday::Sat, "samedi", "saturday"),
    (Weekday::Sun, "dimanche", "sunday"),
];

/// "lundi 08:00-17:00", one line per slot; empty for always.
pub fn availability_text(a: &Availability) -> String {
    match a {
        Availability::Always => String::new(),
        Availability::Weekly(hours) => hours
            .iter()
            .map(|h| {
                let day = DAYS.iter().find(|d| d.0 == h.weekday).map(|d| d.1).unwrap_or("lundi");
                format!("{day} {}-{}", h.starts.format("%H:%M"), h.ends.format("%H:%M"))
            })
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

/// `None` when a line cannot be read or a slot ends before it starts.
pub fn parse_availability(text: &str) -> Option<Availability> {
    let mut hours = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (day, span) = line.split_once(char::is_whitespace)?;
        let day = day.to_lowercase();
        let weekday = DAYS
            .iter()
            .find(|d| day.chars().count() >= 3 && (d.1.starts_with(&day) || d.2.starts_with(&day)))?
            .0;
        let (from, to) = span.trim().split_once('-')?;
        let time = |s: &str| {
            let s = s.trim().replace('h', ":");
            let s = if s.ends_with(':') { format!("{s}00") } else { s };
            NaiveTime::parse_from_str(&s, "%H:%M").ok()
        };
        let (starts, ends) = (time(from)?, time(to)?);
        if ends <= starts {
            return None;
        }
        hours.push(WeeklyHours { weekday, starts, ends });
    }
    Some(if hours.is_empty() {
        Availability::Always
    } else {
        Availability::Weekly(hours)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn slots_read_french_english_and_short_forms() {
        let a = parse_availability("Lundi 08:00-12:00\n\n  wed 13h30 - 17h\nsam 9h-12h").unwrap();
        assert_eq!(
            a,
            Availability::Weekly(vec![
                WeeklyHours {
                    weekday: Weekday::Mon,
                    starts: t(8, 0),
                    ends: t(12, 0)
                },
                WeeklyHours {
                    weekday: Weekday::Wed,
                    starts: t(13, 30),
                    ends: t(17, 0)
                },
                WeeklyHours {
                    weekday: Weekday::Sat,
                    starts: t(9, 0),
                    ends: t(12, 0)
                },
            ])
        );
        assert_eq!(parse_availability(&availability_text(&a)), Some(a));
    }

    #[test]
    fn nothing_means_always_and_nonsense_is_refused() {
        assert_eq!(parse_availability(" \n "), Some(Availability::Always));
        assert_eq!(availability_text(&Availability::Always), "");
        for wrong in [
            "lundi 17:00-08:00",
            "lu 08:00-12:00",
            "funday 08:00-12:00",
            "lundi",
            "lundi 8-12",
        ] {
            assert_eq!(parse_availability(wrong), None, "{wrong}");
        }
    }
}
