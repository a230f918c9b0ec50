//! The language a person reads Relais in: French first, English too; and dates, times,
//! durations and sizes as people read them in it, for mail, SMS and the web pages alike.

use chrono::{Datelike, NaiveDate, NaiveTime, Timelike};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A display language. French is the default everywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    #[default]
    Fr,
    En,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::Fr, Locale::En];

    pub fn as_str(self) -> &'static str {
        match self {
            Locale::Fr => "fr",
            Locale::En => "en",
        }
    }

    /// Picks the French or English text.
    pub fn pick<'a>(self, fr: &'a str, en: &'a str) -> &'a str {
        match self {
            Locale::Fr => fr,
            Locale::En => en,
        }
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown display language {0:?}: expected \"fr\" or \"en\"")]
pub struct UnknownLocale(pub String);

impl FromStr for Locale {
    type Err = UnknownLocale;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "fr" | "fr-ca" | "fr-be" | "fr-fr" | "francais" | "français" | "french" => Ok(Locale::Fr),
            "en" | "en-ca" | "en-us" | "en-gb" | "anglais" | "english" => Ok(Locale::En),
            _ => Err(UnknownLocale(s.to_string())),
        }
    }
}

const DAYS_FR: [&str; 7] = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"];
const DAYS_EN: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const MONTHS_FR: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];
const MONTHS_FR_SHORT: [&str; 12] = [
    "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// "jeudi 10 décembre 2026" / "Thursday, December 10, 2026".
pub fn long_date(date: NaiveDate, locale: Locale) -> String {
    let day = date.weekday().num_days_from_monday() as usize;
    let month = date.month0() as usize;
    match locale {
        Locale::Fr => format!("{} {} {} {}", DAYS_FR[day], date.day(), MONTHS_FR[month], date.year()),
        Locale::En => format!("{}, {} {}, {}", DAYS_EN[day], MONTHS_EN[month], date.day(), date.year()),
    }
}

/// "10 déc." / "Dec 10" for SMS.
pub fn short_date(date: NaiveDate, locale: Locale) -> String {
    let month = date.month0() as usize;
    match locale {
        Locale::Fr => format!("{} {}", date.day(), MONTHS_FR_SHORT[month]),
        Locale::En => format!("{} {}", &MONTHS_EN[month][..3], date.day()),
    }
}

/// "lun. 7 déc." / "Mon, Dec 7": a day the week names, for a dense table.
pub fn short_day_date(date: NaiveDate, locale: Locale) -> String {
    let day = date.weekday().num_days_from_monday() as usize;
    match locale {
        Locale::Fr => format!("{}. {}", &DAYS_FR[day][..3], short_date(date, locale)),
        Locale::En => format!("{}, {}", &DAYS_EN[day][..3], short_date(date, locale)),
    }
}

/// « 14 h 30 » (with no-break spaces: it never splits across lines) / "2:30 PM".
pub fn clock_time(time: NaiveTime, locale: Locale) -> String {
    match locale {
        Locale::Fr => format!("{}\u{a0}h\u{a0}{:02}", time.hour(), time.minute()),
        Locale::En => {
            let (pm, hour) = time.hour12();
            format!("{hour}:{:02} {}", time.minute(), if pm { "PM" } else { "AM" })
        }
    }
}

/// A size as people read it: "25 Mo" / "25 MB", "30,5 Mo" / "30.5 MB", "98 Ko" / "98 KB".
pub fn size(bytes: u64, locale: Locale) -> String {
    const KIB: u64 = 1024;
    let (value, unit) = if bytes >= KIB * KIB {
        (bytes as f64 / (KIB * KIB) as f64, locale.pick("Mo", "MB"))
    } else {
        (bytes.div_ceil(KIB) as f64, locale.pick("Ko", "KB"))
    };
    let shown = format!("{value:.1}");
    let shown = shown.strip_suffix(".0").unwrap_or(&shown);
    match locale {
        Locale::Fr => format!("{}\u{a0}{unit}", shown.replace('.', ",")),
        Locale::En => format!("{shown} {unit}"),
    }
}

/// "1 h 30" / "1 h 30 min"; "45 min".
pub fn duration(minutes: u32, locale: Locale) -> String {
    let (h, m) = (minutes / 60, minutes % 60);
    match (h, m, locale) {
        (0, m, _) => format!("{m} min"),
        (h, 0, _) => format!("{h} h"),
        (h, m, Locale::Fr) => format!("{h} h {m:02}"),
        (h, m, Locale::En) => format!("{h} h {m:02} min"),
    }
}

/// « mars 2026 » / "March 2026".
pub fn month_year(date: NaiveDate, locale: Locale) -> String {
    let month = date.month0() as usize;
    let name = locale.pick(MONTHS_FR[month], MONTHS_EN[month]);
    format!("{name} {}", date.year())
}

/// "jeudi 10 décembre 2026 à 14 h 02" / "Thursday, December 10, 2026 at 2:02 PM".
pub fn long_date_time(at: chrono::DateTime<chrono_tz::Tz>, locale: Locale) -> String {
    format!(
        "{} {} {}",
        long_date(at.date_naive(), locale),
        locale.pick("à", "at"),
        clock_time(at.time(), locale)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_times_and_durations_read_naturally() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 10).unwrap();
        assert_eq!(long_date(d, Locale::Fr), "jeudi 10 décembre 2026");
        assert_eq!(long_date(d, Locale::En), "Thursday, December 10, 2026");
        assert_eq!(short_date(d, Locale::Fr), "10 déc.");
        assert_eq!(short_date(d, Locale::En), "Dec 10");
        assert_eq!(short_day_date(d, Locale::Fr), "jeu. 10 déc.");
        assert_eq!(short_day_date(d, Locale::En), "Thu, Dec 10");
        let monday = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        assert_eq!(short_day_date(monday, Locale::Fr), "lun. 7 déc.");
        let t = NaiveTime::from_hms_opt(14, 30, 0).unwrap();
        // Never split across two lines: « 14 h » on one, « 30 » on the next.
        assert_eq!(clock_time(t, Locale::Fr), "14\u{a0}h\u{a0}30");
        assert_eq!(clock_time(t, Locale::En), "2:30 PM");
        assert_eq!(duration(90, Locale::Fr), "1 h 30");
        assert_eq!(duration(60, Locale::En), "1 h");
        assert_eq!(duration(45, Locale::Fr), "45 min");
    }

    #[test]
    fn sizes_read_naturally() {
        assert_eq!(size(25 * 1024 * 1024, Locale::Fr), "25\u{a0}Mo");
        assert_eq!(size(25 * 1024 * 1024, Locale::En), "25 MB");
        assert_eq!(size(32_000_000, Locale::Fr), "30,5\u{a0}Mo");
        assert_eq!(size(100_000, Locale::En), "98 KB");
    }
}
