//! The statistics sheet's numbers: requests and hours by language pair, request type,
//! establishment, status and month. Pure: rows in, tallies out.
//!
//! Scheduled hours leave cancelled requests out (they were not given); worked hours add up
//! what service records declare, and `recorded` says how many requests that covers.

use crate::domain::export::row::ExportRow;
use crate::domain::language::LanguageTag;
use crate::domain::request::{RequestStatus, RequestType};
use chrono::Datelike;
use std::collections::BTreeMap;
use std::fmt;

/// What a group of requests adds up to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub requests: u64,
    pub cancelled: u64,
    /// Durée prévue of the requests not cancelled.
    pub scheduled_minutes: u64,
    /// Minutes worked, from the service records that give them.
    pub worked_minutes: u64,
    /// Requests whose service record gives the minutes worked.
    pub recorded: u64,
}

impl Tally {
    fn add(&mut self, row: &ExportRow) {
        self.requests += 1;
        if row.status == RequestStatus::Cancelled {
            self.cancelled += 1;
        } else {
            self.scheduled_minutes += u64::from(row.duration_minutes);
        }
        if let Some(worked) = row.service.and_then(|s| s.worked_minutes) {
            self.worked_minutes += u64::from(worked);
            self.recorded += 1;
        }
    }

    pub fn scheduled_hours(&self) -> f64 {
        hours(self.scheduled_minutes)
    }

    pub fn worked_hours(&self) -> f64 {
        hours(self.worked_minutes)
    }
}

fn hours(minutes: u64) -> f64 {
    // Exact for any realistic total: f64 holds integers up to 2^53.
    minutes as f64 / 60.0
}

/// A calendar month of appointments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth {
    pub year: i32,
    pub month: u32,
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// Source and target language of a request.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LanguagePairKey {
    pub source: LanguageTag,
    pub target: LanguageTag,
}

/// Every tally of an export.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Statistics {
    pub total: Tally,
    /// Most requested first.
    pub by_language_pair: Vec<(LanguagePairKey, Tally)>,
    /// In the order of [`RequestType::ALL`].
    pub by_request_type: Vec<(RequestType, Tally)>,
    /// By name, most requested first.
    pub by_establishment: Vec<(String, Tally)>,
    /// In the life cycle's order.
    pub by_status: Vec<(RequestStatus, Tally)>,
    /// Chronological.
    pub by_month: Vec<(YearMonth, Tally)>,
}

impl Statistics {
    pub fn of(rows: &[ExportRow]) -> Statistics {
        let mut total = Tally::default();
        for row in rows {
            total.add(row);
        }
        Statistics {
            total,
            by_language_pair: most_first(group(rows, |r| LanguagePairKey {
                source: r.source_language.clone(),
                target: r.target_language.clone(),
            })),
            by_request_type: group(rows, |r| r.request_type),
            by_establishment: most_first(group(rows, |r| r.establishment.clone())),
            by_status: group(rows, |r| r.status),
            by_month: group(rows, |r| YearMonth {
                year: r.date.year(),
                month: r.date.month(),
            }),
        }
    }
}

/// Tallies by key, in the key's order.
fn group<K: Ord>(rows: &[ExportRow], key: impl Fn(&ExportRow) -> K) -> Vec<(K, Tally)> {
    let mut groups: BTreeMap<K, Tally> = BTreeMap::new();
    for row in rows {
        groups.entry(key(row)).or_default().add(row);
    }
    groups.into_iter().collect()
}

/// Most requests first; ties keep the key's order (the sort is stable).
fn most_first<K>(mut groups: Vec<(K, Tally)>) -> Vec<(K, Tally)> {
    groups.sort_by_key(|g| std::cmp::Reverse(g.1.requests));
    groups
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::export::row::{CancellationSummary, ServiceSummary};
    use crate::domain::ids::RequestId;
    use crate::domain::request::CancellationReason;
    use chrono::{NaiveDate, NaiveTime, TimeZone, Utc};

    fn lang(s: &str) -> LanguageTag {
        LanguageTag::parse(s).unwrap()
    }

    fn row(
        id: i64,
        date: (i32, u32, u32),
        status: RequestStatus,
        target: &str,
        establishment: &str,
        minutes: u32,
    ) -> ExportRow {
        ExportRow {
            id: RequestId(id),
            number: None,
            date: NaiveDate::from_ymd_opt(date.0, date.1, date.2).unwrap(),
            start_time: NaiveTime::from_hms_opt(10, 0, 0).unwrap(),
            duration_minutes: minutes,
            status,
            request_type: RequestType::InPerson,
            source_language: lang("fr"),
            target_language: lang(target),
            establishment: establishment.into(),
            installation: "Hôpital".into(),
            location: "3e étage".into(),
            cost_centre: None,
            billing_code: None,
            requester: "Marie Tremblay".into(),
            interpreter: None,
            service: None,
            cancellation: (status == RequestStatus::Cancelled).then_some(CancellationSummary {
                reason: CancellationReason::AppointmentCancelled,
                late: false,
            }),
            created_at: Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap(),
            booked_at: None,
        }
    }

    fn worked(mut r: ExportRow, minutes: Option<u32>) -> ExportRow {
        r.service = Some(ServiceSummary {
            completed: true,
            worked_minutes: minutes,
        });
        r
    }

    #[test]
    fn nothing_adds_up_to_nothing() {
        let s = Statistics::of(&[]);
        assert_eq!(s.total, Tally::default());
        assert!(s.by_language_pair.is_empty() && s.by_month.is_empty());
    }

    #[test]
    fn cancelled_requests_count_but_schedule_no_hours() {
        let rows = [
            row(1, (2026, 3, 9), RequestStatus::Booked, "es", "A", 60),
            row(2, (2026, 3, 10), RequestStatus::Cancelled, "es", "A", 90),
        ];
        let s = Statistics::of(&rows);
        assert_eq!(
            s.total,
            Tally {
                requests: 2,
                cancelled: 1,
                scheduled_minutes: 60,
                worked_minutes: 0,
                recorded: 0
            }
        );
        assert_eq!(s.total.scheduled_hours(), 1.0);
    }

    #[test]
    fn worked_hours_come_from_records_that_give_them() {
        let rows = [
            worked(row(1, (2026, 3, 9), RequestStatus::Validated, "es", "A", 60), Some(75)),
            worked(
                row(2, (2026, 3, 9), RequestStatus::ServiceRendered, "es", "A", 60),
                None,
            ),
            row(3, (2026, 3, 9), RequestStatus::Booked, "es", "A", 30),
        ];
        let s = Statistics::of(&rows);
        assert_eq!(s.total.worked_minutes, 75);
        assert_eq!(s.total.recorded, 1);
        assert_eq!(s.total.worked_hours(), 1.25);
        assert_eq!(s.total.scheduled_minutes, 150);
    }

    #[test]
    fn groups_follow_their_keys() {
        let rows = [
            row(1, (2026, 4, 2), RequestStatus::Booked, "es", "B", 60),
            row(2, (2026, 3, 9), RequestStatus::New, "ar", "A", 30),
            row(3, (2026, 3, 20), RequestStatus::Cancelled, "es", "B", 45),
            row(4, (2025, 12, 31), RequestStatus::Booked, "es", "A", 120),
            row(5, (2026, 3, 21), RequestStatus::New, "ar-MA", "C", 60),
        ];
        let s = Statistics::of(&rows);

        let months: Vec<(String, u64)> = s.by_month.iter().map(|(m, t)| (m.to_string(), t.requests)).collect();
        assert_eq!(
            months,
            [("2025-12".into(), 1), ("2026-03".into(), 3), ("2026-04".into(), 1)]
        );

        let pairs: Vec<(&str, u64)> = s
            .by_language_pair
            .iter()
            .map(|(k, t)| (k.target.as_str(), t.requests))
            .collect();
        assert_eq!(pairs, [("es", 3), ("ar", 1), ("ar-MA", 1)], "most first, then by tag");

        let establishments: Vec<(&str, u64, u64)> = s
            .by_establishment
            .iter()
            .map(|(e, t)| (e.as_str(), t.requests, t.scheduled_minutes))
            .collect();
        assert_eq!(establishments, [("A", 2, 150), ("B", 2, 60), ("C", 1, 60)]);

        let statuses: Vec<(RequestStatus, u64)> = s.by_status.iter().map(|(st, t)| (*st, t.requests)).collect();
        assert_eq!(
            statuses,
            [
                (RequestStatus::New, 2),
                (RequestStatus::Booked, 2),
                (RequestStatus::Cancelled, 1)
            ]
        );
        assert_eq!(s.by_request_type, [(RequestType::InPerson, s.total)]);
    }

    #[test]
    fn every_group_adds_up_to_the_total() {
        let rows: Vec<ExportRow> = (0..40)
            .map(|i| {
                let status = RequestStatus::ALL[(i % 9) as usize];
                let r = row(
                    i,
                    (2026, 1 + (i % 12) as u32, 1),
                    status,
                    ["es", "ar", "fa"][(i % 3) as usize],
                    ["A", "B"][(i % 2) as usize],
                    15 * (i as u32 % 5),
                );
                if i % 4 == 0 { worked(r, Some(i as u32)) } else { r }
            })
            .collect();
        let s = Statistics::of(&rows);
        let sum = |groups: Vec<Tally>| {
            groups.into_iter().fold(Tally::default(), |mut acc, t| {
                acc.requests += t.requests;
                acc.cancelled += t.cancelled;
                acc.scheduled_minutes += t.scheduled_minutes;
                acc.worked_minutes += t.worked_minutes;
                acc.recorded += t.recorded;
                acc
            })
        };
        assert_eq!(sum(s.by_language_pair.iter().map(|g| g.1).collect()), s.total);
        assert_eq!(sum(s.by_request_type.iter().map(|g| g.1).collect()), s.total);
        assert_eq!(sum(s.by_establishment.iter().map(|g| g.1).collect()), s.total);
        assert_eq!(sum(s.by_status.iter().map(|g| g.1).collect()), s.total);
        assert_eq!(sum(s.by_month.iter().map(|g| g.1).collect()), s.total);
        assert_eq!(s.total.requests, 40);
    }
}
