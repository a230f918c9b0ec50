//! How soon a request starts, as the coordinator's board shows it beside each request
//! waiting for an interpreter: « passée », « dans 2 h », « aujourd'hui », « demain ».
//! Later than tomorrow it says nothing: the date says enough.

use crate::domain::locale::Locale;
use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;

/// Within this much time a request is said to start « dans 2 h » rather than today.
pub const SOON: TimeDelta = TimeDelta::hours(3);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Urgency {
    /// Its start is past.
    Past,
    /// It starts within [`SOON`]: in this many minutes.
    Soon(i64),
    /// Later today, in the bank's time zone.
    Today,
    /// Tomorrow, in the bank's time zone.
    Tomorrow,
}

impl Urgency {
    /// How soon a request starting at `starts_at` starts, seen at `now` in the bank's time
    /// zone `tz`; `None` after tomorrow.
    pub fn of(starts_at: DateTime<Utc>, now: DateTime<Utc>, tz: Tz) -> Option<Urgency> {
        let left = starts_at - now;
        if left < TimeDelta::zero() {
            return Some(Urgency::Past);
        }
        if left <= SOON {
            return Some(Urgency::Soon(left.num_minutes()));
        }
        let days = (starts_at.with_timezone(&tz).date_naive() - now.with_timezone(&tz).date_naive()).num_days();
        match days {
            0 => Some(Urgency::Today),
            1 => Some(Urgency::Tomorrow),
            _ => None,
        }
    }

    /// The badge's words: « passée », « dans 2 h », « dans 40 min », « aujourd'hui », « demain ».
    pub fn label(self, locale: Locale) -> String {
        match self {
            Urgency::Past => locale.pick("passée", "past").into(),
            Urgency::Soon(minutes) if minutes < 60 => format!("{} {minutes} min", locale.pick("dans", "in")),
            Urgency::Soon(minutes) => format!("{} {} h", locale.pick("dans", "in"), minutes / 60),
            Urgency::Today => locale.pick("aujourd'hui", "today").into(),
            Urgency::Tomorrow => locale.pick("demain", "tomorrow").into(),
        }
    }

    /// The badge's look, a class of the page's style sheet.
    pub fn class(self) -> &'static str {
        match self {
            Urgency::Past => "past",
            Urgency::Soon(_) => "soon",
            Urgency::Today => "today",
            Urgency::Tomorrow => "tomorrow",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const TZ: Tz = chrono_tz::America::Toronto;

    /// `day` March 2026 at `hour`:`minute` in Montréal.
    fn at(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
        TZ.with_ymd_and_hms(2026, 3, day, hour, minute, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn a_request_is_past_soon_today_tomorrow_or_later() {
        let now = at(2, 9, 0);
        assert_eq!(Urgency::of(at(2, 8, 59), now, TZ), Some(Urgency::Past));
        assert_eq!(Urgency::of(at(1, 10, 0), now, TZ), Some(Urgency::Past));
        assert_eq!(Urgency::of(at(2, 9, 40), now, TZ), Some(Urgency::Soon(40)));
        assert_eq!(Urgency::of(at(2, 11, 30), now, TZ), Some(Urgency::Soon(150)));
        assert_eq!(Urgency::of(at(2, 12, 0), now, TZ), Some(Urgency::Soon(180)));
        assert_eq!(Urgency::of(at(2, 12, 1), now, TZ), Some(Urgency::Today));
        assert_eq!(Urgency::of(at(3, 0, 30), now, TZ), Some(Urgency::Tomorrow));
        assert_eq!(Urgency::of(at(3, 23, 59), now, TZ), Some(Urgency::Tomorrow));
        assert_eq!(Urgency::of(at(4, 0, 0), now, TZ), None);
    }

    #[test]
    fn the_day_is_the_bank_s_not_utc_s() {
        // 21:00 in Montréal is 02:00 UTC the next day: tomorrow morning is still tomorrow.
        let evening = at(2, 21, 0);
        assert_eq!(Urgency::of(at(3, 8, 0), evening, TZ), Some(Urgency::Tomorrow));
        // Just before midnight, a start at 01:00 is within three hours, not tomorrow.
        assert_eq!(Urgency::of(at(3, 1, 0), at(2, 23, 0), TZ), Some(Urgency::Soon(120)));
    }

    #[test]
    fn badges_read_in_both_languages() {
        assert_eq!(Urgency::Past.label(Locale::Fr), "passée");
        assert_eq!(Urgency::Soon(150).label(Locale::Fr), "dans 2 h");
        assert_eq!(Urgency::Soon(40).label(Locale::Fr), "dans 40 min");
        assert_eq!(Urgency::Today.label(Locale::Fr), "aujourd'hui");
        assert_eq!(Urgency::Tomorrow.label(Locale::Fr), "demain");
        assert_eq!(Urgency::Past.label(Locale::En), "past");
        assert_eq!(Urgency::Soon(150).label(Locale::En), "in 2 h");
        assert_eq!(Urgency::Today.label(Locale::En), "today");
        assert_eq!(Urgency::Tomorrow.label(Locale::En), "tomorrow");
    }
}
