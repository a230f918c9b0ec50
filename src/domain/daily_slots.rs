//! When scheduled work is due: times of day on business days, in the bank's time zone,
//! correct across daylight-saving changes. Pure: the runner (`crate::scheduler`) records each
//! slot it ran in the database so a slot runs once, whatever the number of processes.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

/// "08:30 and 13:00 on business days, except holidays".
#[derive(Debug, Clone)]
pub struct DailySlots {
    pub times: Vec<NaiveTime>,
    pub days: Vec<Weekday>,
    pub holidays: Vec<NaiveDate>,
    pub time_zone: Tz,
}

/// One occurrence: when it falls, and the local name that identifies it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    pub at: DateTime<Utc>,
    /// `2026-03-08T08:30`: local wall-clock time, so the hour repeated in the autumn
    /// still names one slot.
    pub key: String,
}

/// The instant a local wall-clock time falls on. In the spring gap (02:30 does not exist)
/// it is the first instant after the gap; in the repeated autumn hour, the first of the two.
pub fn instant(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        chrono::LocalResult::Single(t) => t.with_timezone(&Utc),
        chrono::LocalResult::Ambiguous(first, _) => first.with_timezone(&Utc),
        chrono::LocalResult::None => {
            // Walk forward minute by minute to the end of the gap (at most a few hours).
            let mut probe = local;
            for _ in 0..(24 * 60) {
                probe += TimeDelta::minutes(1);
                if let Some(t) = tz.from_local_datetime(&probe).earliest() {
                    return t.with_timezone(&Utc);
                }
            }
            Utc.from_utc_datetime(&local)
        }
    }
}

impl DailySlots {
    fn runs_on(&self, date: NaiveDate) -> bool {
        self.days.contains(&date.weekday()) && !self.holidays.contains(&date)
    }

    fn slots_on(&self, date: NaiveDate) -> impl Iterator<Item = Slot> + '_ {
        let on = self.runs_on(date);
        let mut times = self.times.clone();
        times.sort();
        times.into_iter().filter(move |_| on).map(move |time| {
            let local = date.and_time(time);
            Slot {
                at: instant(self.time_zone, local),
                key: local.format("%Y-%m-%dT%H:%M").to_string(),
            }
        })
    }

    /// The latest slot at or before `now`, looking back at most `lookback`: after downtime
    /// the runner catches up with that one slot, not every one it missed.
    pub fn latest(&self, now: DateTime<Utc>, lookback: TimeDelta) -> Option<Slot> {
        let today = now.with_timezone(&self.time_zone).date_naive();
        let mut date = today;
        let oldest = (now - lookback).with_timezone(&self.time_zone).date_naive();
        while date >= oldest {
            if let Some(slot) = self
                .slots_on(date)
                .filter(|s| s.at <= now && s.at > now - lookback)
                .last()
            {
                return Some(slot);
            }
            date = date.pred_opt()?;
        }
        None
    }

    /// The first slot after `now` (within a year).
    pub fn next(&self, now: DateTime<Utc>) -> Option<Slot> {
        let mut date = now.with_timezone(&self.time_zone).date_naive();
        for _ in 0..366 {
            if let Some(slot) = self.slots_on(date).find(|s| s.at > now) {
                return Some(slot);
            }
            date = date.succ_opt()?;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slots(tz: Tz, times: &[(u32, u32)]) -> DailySlots {
        DailySlots {
            times: times
                .iter()
                .map(|&(h, m)| NaiveTime::from_hms_opt(h, m, 0).unwrap())
                .collect(),
            days: vec![
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu,
                Weekday::Fri,
                Weekday::Sat,
                Weekday::Sun,
            ],
            holidays: vec![],
            time_zone: tz,
        }
    }

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
    }

    #[test]
    fn montreal_spring_forward_and_fall_back() {
        let tz = chrono_tz::America::Montreal;
        let s = slots(tz, &[(2, 30), (8, 30)]);
        // 2026-03-08: clocks jump from 02:00 to 03:00 EDT. 02:30 does not exist: it runs at
        // 03:00 EDT (07:00 UTC); 08:30 EDT is 12:30 UTC.
        let next = s.next(utc(2026, 3, 8, 5, 0)).unwrap();
        assert_eq!(
            (next.at, next.key.as_str()),
            (utc(2026, 3, 8, 7, 0), "2026-03-08T02:30")
        );
        let next = s.next(next.at).unwrap();
        assert_eq!(next.at, utc(2026, 3, 8, 12, 30));
        // The day before, 08:30 EST was 13:30 UTC.
        assert_eq!(
            s.latest(utc(2026, 3, 7, 14, 0), TimeDelta::hours(2)).unwrap().at,
            utc(2026, 3, 7, 13, 30)
        );
        // 2026-11-01: clocks fall back from 02:00 EDT to 01:00 EST. 01:30 happens twice;
        // the slot runs once, at the first.
        let s = slots(tz, &[(1, 30)]);
        let first = s.next(utc(2026, 11, 1, 4, 0)).unwrap();
        assert_eq!(
            (first.at, first.key.as_str()),
            (utc(2026, 11, 1, 5, 30), "2026-11-01T01:30")
        );
        let after = s.next(first.at).unwrap();
        assert_eq!(after.key, "2026-11-02T01:30", "not again an hour later");
        // An hour after the first 01:30, the latest slot is still the same one.
        assert_eq!(
            s.latest(utc(2026, 11, 1, 6, 40), TimeDelta::hours(12)).unwrap().key,
            "2026-11-01T01:30"
        );
    }

    #[test]
    fn brussels_changes_on_its_own_dates() {
        let tz = chrono_tz::Europe::Brussels;
        let s = slots(tz, &[(8, 30), (13, 0)]);
        // 2026-03-29: CET → CEST. 08:30 CEST = 06:30 UTC.
        assert_eq!(s.next(utc(2026, 3, 29, 0, 0)).unwrap().at, utc(2026, 3, 29, 6, 30));
        assert_eq!(s.next(utc(2026, 3, 28, 0, 0)).unwrap().at, utc(2026, 3, 28, 7, 30));
        // 2026-10-25: CEST → CET. 08:30 CET = 07:30 UTC.
        assert_eq!(s.next(utc(2026, 10, 25, 0, 0)).unwrap().at, utc(2026, 10, 25, 7, 30));
        assert_eq!(s.next(utc(2026, 10, 24, 0, 0)).unwrap().at, utc(2026, 10, 24, 6, 30));
    }

    #[test]
    fn business_days_holidays_and_catching_up_once() {
        let mut s = slots(chrono_tz::America::Montreal, &[(8, 30), (13, 0)]);
        s.days = vec![Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri];
        s.holidays = vec![NaiveDate::from_ymd_opt(2026, 12, 25).unwrap()];
        // Friday 2026-12-25 is a holiday; the next slot after Thursday's 13:00 is Monday.
        let next = s.next(utc(2026, 12, 24, 19, 0)).unwrap();
        assert_eq!(next.key, "2026-12-28T08:30");
        // Down from Monday 07:00 to Tuesday 15:00: one catch-up, the latest missed slot.
        let latest = s.latest(utc(2026, 12, 29, 20, 0), TimeDelta::hours(36)).unwrap();
        assert_eq!(latest.key, "2026-12-29T13:00");
        // Nothing within the lookback: nothing to catch up.
        assert!(s.latest(utc(2026, 12, 27, 12, 0), TimeDelta::hours(12)).is_none());
    }
}
