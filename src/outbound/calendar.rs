//! Calendar invites (RFC 5545): one event per request, with a stable UID and a SEQUENCE
//! that grows with every change, so calendars update the one event instead of adding
//! copies. Times are in the bank's time zone, described by a VTIMEZONE.

use crate::domain::request::Request;
use crate::store::calendar::InviteState;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use std::fmt::Write as _;

/// Whether the invite books or cancels the event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Request,
    Cancel,
}

/// What an invite does to the event in the recipient's calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InviteKind {
    /// An offer (or a booking's modification to accept again): the event pencilled in
    /// (`STATUS:TENTATIVE`) and the interpreter asked to answer (`RSVP=TRUE`). Their
    /// calendar's *Accept* or *Decline* comes back as an iTIP reply
    /// (`inbound/mail/calendar_reply.rs`).
    Offer,
    /// A booking: the event confirmed, nothing to answer.
    Booking,
    /// The event taken off the calendar.
    Cancel,
}

impl InviteKind {
    pub fn method(self) -> Method {
        match self {
            InviteKind::Offer | InviteKind::Booking => Method::Request,
            InviteKind::Cancel => Method::Cancel,
        }
    }

    /// What the event looks like in the calendar after this invite.
    pub fn state(self) -> InviteState {
        match self {
            InviteKind::Offer => InviteState::Tentative,
            InviteKind::Booking => InviteState::Confirmed,
            InviteKind::Cancel => InviteState::Cancelled,
        }
    }
}

/// What an invite says, beyond the request itself. Never patient details.
pub struct Invite<'a> {
    pub kind: InviteKind,
    pub request: &'a Request,
    pub time_zone: Tz,
    pub domain: &'a str,
    pub summary: &'a str,
    pub location: &'a str,
    pub description: &'a str,
    /// The reply-key address of the recipient's thread: a calendar client mails its
    /// answer to the organizer, and the key says who was invited to what.
    pub organizer: &'a str,
    pub organizer_name: &'a str,
    pub attendee: &'a str,
    pub attendee_name: &'a str,
    pub now: DateTime<Utc>,
}

/// RFC 5545 text escaping.
fn escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace("\r\n", "\\n")
        .replace('\n', "\\n")
}

/// A parameter value (`CN=…`), quoted: RFC 5545 allows no double quote or control
/// character inside one.
fn param_value(text: &str) -> String {
    let kept: String = text.chars().filter(|c| *c != '"' && !c.is_control()).collect();
    format!("\"{kept}\"")
}

/// Folds a content line at 75 octets, never inside a UTF-8 character.
fn fold_line(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

fn local(t: NaiveDateTime) -> String {
    t.format("%Y%m%dT%H%M%S").to_string()
}

fn offset(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let s = seconds.abs();
    format!("{sign}{:02}{:02}", s / 3600, (s % 3600) / 60)
}

/// The zone's offset changes during `year`, as (local time of the change, from, to).
fn transitions(tz: Tz, year: i32) -> Vec<(NaiveDateTime, i32, i32)> {
    let at = |t: DateTime<Utc>| t.with_timezone(&tz).offset().fix().local_minus_utc();
    let mut found = Vec::new();
    let Some(start) = NaiveDate::from_ymd_opt(year, 1, 1) else {
        return found;
    };
    let mut t = start.and_hms_opt(0, 0, 0).map(|n| n.and_utc()).unwrap_or_default();
    let end = t + Duration::days(366);
    let mut previous = at(t);
    while t < end {
        let next = t + Duration::hours(1);
        let now = at(next);
        if now != previous {
            // The change happened within this hour, on the hour in every zone in use.
            found.push((
                (next).with_timezone(&tz).naive_local() - Duration::seconds(i64::from(now - previous)),
                previous,
                now,
            ));
            previous = now;
        }
        t = next;
    }
    found
}

fn vtimezone(tz: Tz, year: i32) -> String {
    let mut out = String::new();
    fold_line(&mut out, "BEGIN:VTIMEZONE");
    fold_line(&mut out, &format!("TZID:{}", tz.name()));
    let changes = transitions(tz, year);
    if changes.is_empty() {
        let standing = tz
            .from_utc_datetime(
                &NaiveDate::from_ymd_opt(year, 1, 1)
                    .and_then(|d| d.and_hms_opt(0, 0, 0))
                    .unwrap_or_default(),
            )
            .offset()
            .fix()
            .local_minus_utc();
        for line in [
            "BEGIN:STANDARD".to_string(),
            "DTSTART:19700101T000000".to_string(),
            format!("TZOFFSETFROM:{}", offset(standing)),
            format!("TZOFFSETTO:{}", offset(standing)),
            "END:STANDARD".to_string(),
        ] {
            fold_line(&mut out, &line);
        }
    }
    for (when, from, to) in changes {
        let kind = if to > from { "DAYLIGHT" } else { "STANDARD" };
        for line in [
            format!("BEGIN:{kind}"),
            format!("DTSTART:{}", local(when)),
            format!("TZOFFSETFROM:{}", offset(from)),
            format!("TZOFFSETTO:{}", offset(to)),
            format!("END:{kind}"),
        ] {
            fold_line(&mut out, &line);
        }
    }
    fold_line(&mut out, "END:VTIMEZONE");
    out
}

/// The `text/calendar` body of an invite.
pub fn render(invite: &Invite<'_>) -> String {
    let r = invite.request;
    let start = r.details.date.and_time(r.details.start_time);
    let end = start + Duration::minutes(i64::from(r.details.duration_minutes.max(15)));
    let method = match invite.kind.method() {
        Method::Request => "REQUEST",
        Method::Cancel => "CANCEL",
    };
    let (status, attendance) = match invite.kind {
        InviteKind::Offer => ("TENTATIVE", "PARTSTAT=NEEDS-ACTION;RSVP=TRUE"),
        InviteKind::Booking => ("CONFIRMED", "PARTSTAT=ACCEPTED;RSVP=FALSE"),
        InviteKind::Cancel => ("CANCELLED", "PARTSTAT=NEEDS-ACTION;RSVP=FALSE"),
    };
    let mut out = String::new();
    for line in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Relais//Banque d'interpretes//FR",
        "CALSCALE:GREGORIAN",
    ] {
        fold_line(&mut out, line);
    }
    fold_line(&mut out, &format!("METHOD:{method}"));
    out.push_str(&vtimezone(invite.time_zone, start.year()));
    let tzid = invite.time_zone.name();
    let mut lines = vec![
        "BEGIN:VEVENT".to_string(),
        format!("UID:relais-request-{}@{}", r.id, invite.domain),
        format!("SEQUENCE:{}", r.version),
        format!("DTSTAMP:{}", invite.now.format("%Y%m%dT%H%M%SZ")),
        format!("DTSTART;TZID={tzid}:{}", local(start)),
        format!("DTEND;TZID={tzid}:{}", local(end)),
        format!("SUMMARY:{}", escape(invite.summary)),
        format!("LOCATION:{}", escape(invite.location)),
        format!("DESCRIPTION:{}", escape(invite.description)),
        format!(
            "ORGANIZER;CN={}:mailto:{}",
            param_value(invite.organizer_name),
            invite.organizer
        ),
        format!(
            "ATTENDEE;CN={};ROLE=REQ-PARTICIPANT;{attendance}:mailto:{}",
            param_value(invite.attendee_name),
            invite.attendee
        ),
        format!("STATUS:{status}"),
        "TRANSP:OPAQUE".to_string(),
        "END:VEVENT".to_string(),
        "END:VCALENDAR".to_string(),
    ];
    if let Some(number) = &r.number {
        lines.insert(7, format!("X-RELAIS-REQUEST:{number}"));
    }
    for line in lines {
        fold_line(&mut out, &line);
    }
    let _ = write!(out, "");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn montreal_changes_clocks_twice_a_year() {
        let t = transitions(chrono_tz::America::Montreal, 2026);
        assert_eq!(t.len(), 2);
        assert_eq!(local(t[0].0), "20260308T020000");
        assert_eq!((t[0].1, t[0].2), (-5 * 3600, -4 * 3600));
        assert_eq!(local(t[1].0), "20261101T020000");
        assert_eq!((t[1].1, t[1].2), (-4 * 3600, -5 * 3600));
        assert!(transitions(chrono_tz::Asia::Tokyo, 2026).is_empty());
    }

    #[test]
    fn lines_are_escaped_and_folded() {
        assert_eq!(escape("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
        let mut out = String::new();
        fold_line(&mut out, &"é".repeat(60));
        assert!(out.split("\r\n").all(|l| l.len() <= 75));
        assert_eq!(out.replace("\r\n ", "").trim_end(), "é".repeat(60));
    }
}
