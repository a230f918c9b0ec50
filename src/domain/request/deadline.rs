//! How long an interpreter has to answer an offer: the bank's usual delay, shortened when
//! the appointment is near so that an unanswered offer still leaves time to find someone
//! else.

use chrono::{DateTime, TimeDelta, Utc};

/// The least time anyone is given to answer, however near the appointment.
pub const SHORTEST_ANSWER: TimeDelta = TimeDelta::minutes(15);

/// When an offer made at `offered_at` for an appointment at `starts_at` lapses: after
/// `usual_hours`, or halfway to the appointment if that comes first, but never sooner than
/// [`SHORTEST_ANSWER`] and never after the appointment starts (unless it started already).
pub fn answer_by(offered_at: DateTime<Utc>, starts_at: DateTime<Utc>, usual_hours: u32) -> DateTime<Utc> {
    let usual = offered_at + TimeDelta::hours(i64::from(usual_hours));
    let halfway = offered_at + (starts_at - offered_at) / 2;
    let by = usual.min(halfway).max(offered_at + SHORTEST_ANSWER);
    if starts_at > offered_at { by.min(starts_at) } else { by }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, day, hour, 0, 0).unwrap()
    }

    #[test]
    fn far_appointments_get_the_usual_delay_near_ones_half_the_time_left() {
        assert_eq!(
            answer_by(at(1, 9), at(10, 9), 24),
            at(2, 9),
            "nine days ahead: 24 hours"
        );
        assert_eq!(answer_by(at(1, 9), at(1, 17), 24), at(1, 13), "this afternoon: halfway");
        assert_eq!(
            answer_by(at(1, 9), at(1, 9) + TimeDelta::minutes(20), 24),
            at(1, 9) + TimeDelta::minutes(15),
            "in 20 minutes: the shortest delay"
        );
        assert_eq!(
            answer_by(at(1, 9), at(1, 9) + TimeDelta::minutes(10), 24),
            at(1, 9) + TimeDelta::minutes(10),
            "never after the appointment starts"
        );
    }
}
