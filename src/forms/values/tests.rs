//! The value readers in the spellings people write.

use chrono::{Datelike, NaiveDate, NaiveDateTime, Weekday};

use super::{parse_date, parse_time};

/// Thursday 26 November 2026, 10:00.
fn reference() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 11, 26)
        .unwrap()
        .and_hms_opt(10, 0, 0)
        .unwrap()
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn date(raw: &str) -> Option<NaiveDate> {
    parse_date(raw, reference().date())
}

fn time(raw: &str) -> Option<String> {
    parse_time(raw).map(|t| t.format("%H:%M").to_string())
}

#[test]
fn reference_is_a_thursday() {
    assert_eq!(reference().date().weekday(), Weekday::Thu);
}

// Long for a reason: a table of cases.
#[test]
fn dates_in_many_spellings() {
    let ok: &[(&str, NaiveDate)] = &[
        ("2026-12-05", day(2026, 12, 5)),
        ("2026/12/05", day(2026, 12, 5)),
        ("2026.12.5", day(2026, 12, 5)),
        ("05/12/2026", day(2026, 12, 5)),
        ("5/12/2026", day(2026, 12, 5)),
        ("5-12-2026", day(2026, 12, 5)),
        ("5.12.2026", day(2026, 12, 5)),
        ("05/12/26", day(2026, 12, 5)),
        ("12/25/2026", day(2026, 12, 25)),
        ("20261205", day(2026, 12, 5)),
        ("5 déc. 2026", day(2026, 12, 5)),
        ("5 dec 2026", day(2026, 12, 5)),
        ("5 décembre 2026", day(2026, 12, 5)),
        ("5 DÉCEMBRE 2026", day(2026, 12, 5)),
        ("5 decembre 2026", day(2026, 12, 5)),
        ("samedi 5 décembre 2026", day(2026, 12, 5)),
        ("jeudi 5 décembre", day(2026, 12, 5)),
        ("le 5 décembre", day(2026, 12, 5)),
        ("Le jeudi 5 déc.", day(2026, 12, 5)),
        ("1er décembre", day(2026, 12, 1)),
        ("December 5, 2026", day(2026, 12, 5)),
        ("Saturday, December 5, 2026", day(2026, 12, 5)),
        ("Dec 5", day(2026, 12, 5)),
        ("Dec. 5th", day(2026, 12, 5)),
        ("5 Dec 2026", day(2026, 12, 5)),
        ("5th of December", day(2026, 12, 5)),
        ("2026 Dec 5", day(2026, 12, 5)),
        ("5 janv. 2027", day(2027, 1, 5)),
        ("14 février 2027", day(2027, 2, 14)),
        ("14 fev 2027", day(2027, 2, 14)),
        ("3 mars 2027", day(2027, 3, 3)),
        ("3 Mar 2027", day(2027, 3, 3)),
        ("mar. 3 mars 2027", day(2027, 3, 3)),
        ("1er avril", day(2027, 4, 1)),
        ("Apr 1st", day(2027, 4, 1)),
        ("8 mai", day(2027, 5, 8)),
        ("May 8", day(2027, 5, 8)),
        ("24 juin", day(2027, 6, 24)),
        ("1 juil. 2027", day(2027, 7, 1)),
        ("15 août 2027", day(2027, 8, 15)),
        ("15 aout", day(2027, 8, 15)),
        ("7 sept. 2027", day(2027, 9, 7)),
        ("Sep 7", day(2027, 9, 7)),
        ("11 oct", day(2027, 10, 11)),
        ("30 novembre", day(2026, 11, 30)),
        // Year-less: on or after the mail's date, so the 26th is today
        // and the 25th is next year.
        ("26 novembre", day(2026, 11, 26)),
        ("25 novembre", day(2027, 11, 25)),
        ("26/11", day(2026, 11, 26)),
        ("5/12", day(2026, 12, 5)),
        ("29 février", day(2028, 2, 29)),
        ("aujourd'hui", day(2026, 11, 26)),
        ("Aujourd’hui", day(2026, 11, 26)),
        ("today", day(2026, 11, 26)),
        ("demain", day(2026, 11, 27)),
        ("Tomorrow", day(2026, 11, 27)),
        ("après-demain", day(2026, 11, 28)),
        ("apres demain", day(2026, 11, 28)),
        ("the day after tomorrow", day(2026, 11, 28)),
        ("lundi", day(2026, 11, 30)),
        ("lundi prochain", day(2026, 11, 30)),
        ("next Monday", day(2026, 11, 30)),
        ("Monday", day(2026, 11, 30)),
        ("mardi", day(2026, 12, 1)),
        ("mar.", day(2026, 12, 1)),
        ("jeudi", day(2026, 12, 3)),
        ("jeudi prochain", day(2026, 12, 3)),
        ("vendredi", day(2026, 11, 27)),
        ("ce vendredi", day(2026, 11, 27)),
        ("dimanche", day(2026, 11, 29)),
        ("sun", day(2026, 11, 29)),
    ];
    for (raw, expected) in ok {
        assert_eq!(date(raw), Some(*expected), "{raw:?}");
    }
    for raw in [
        "le 32",
        "32/12/2026",
        "2026-13-01",
        "31 novembre",
        "30 février 2027",
        "bientôt",
        "lundi dernier",
        "5",
        "5 6 7 8",
        "décembre",
        "5 décembre 12",
        "lundi mardi",
        "mar mar 5",
        "5 décembre janvier 2026",
        "99999999999999999999-1-1",
        "",
    ] {
        assert_eq!(date(raw), None, "{raw:?}");
    }
}

#[test]
fn times_in_many_spellings() {
    let ok: &[(&str, &str)] = &[
        ("14:30", "14:30"),
        ("14 h 30", "14:30"),
        ("14\u{202F}h\u{202F}30", "14:30"),
        // As Relais writes it (`domain::locale::clock_time`), read back from a reply.
        ("14\u{a0}h\u{a0}30", "14:30"),
        ("14h30", "14:30"),
        ("14H30", "14:30"),
        ("14h", "14:00"),
        ("14 h", "14:00"),
        ("14", "14:00"),
        ("9h", "09:00"),
        ("09:05", "09:05"),
        ("9 h 5", "09:05"),
        ("14.30", "14:30"),
        ("14:30:00", "14:30"),
        ("1430", "14:30"),
        ("0830", "08:30"),
        ("2:30 PM", "14:30"),
        ("2:30pm", "14:30"),
        ("2 pm", "14:00"),
        ("2PM", "14:00"),
        ("2 p.m.", "14:00"),
        ("9 a.m.", "09:00"),
        ("9am", "09:00"),
        ("12 pm", "12:00"),
        ("12 am", "00:00"),
        ("12:15 AM", "00:15"),
        ("14 h pm", "14:00"),
        ("midi", "12:00"),
        ("Midi", "12:00"),
        ("noon", "12:00"),
        ("midi 30", "12:30"),
        ("midi et demi", "12:30"),
        ("minuit", "00:00"),
        ("midnight", "00:00"),
        ("14 h et demie", "14:30"),
        ("9 h et quart", "09:15"),
        ("à 14 h", "14:00"),
        ("vers 9 h 30", "09:30"),
        ("at 2 pm", "14:00"),
        ("14 heures", "14:00"),
        ("14 h 30 min", "14:30"),
        ("0 h", "00:00"),
        ("23:59", "23:59"),
    ];
    for (raw, expected) in ok {
        assert_eq!(time(raw).as_deref(), Some(*expected), "{raw:?}");
    }
    for raw in [
        "24:00",
        "25 h",
        "14:60",
        "14 h 75",
        "0 pm",
        "14 am",
        "midi am",
        "2460",
        "bientôt",
        "14h-16h",
        "de 9 h à 11 h",
        "14:30:99",
        "1:2:3:4",
        "",
        "h",
        "pm",
    ] {
        assert_eq!(time(raw), None, "{raw:?}");
    }
}
