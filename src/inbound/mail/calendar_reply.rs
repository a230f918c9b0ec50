//! iTIP replies (RFC 5546, carried by mail as iMIP, RFC 6047): what a calendar client
//! mails back when its user presses *Accept*, *Decline* or *Maybe* on an invite Relais sent.
//! The `text/calendar` part is read with the `icalendar` crate's parser.
//!
//! Only `METHOD:REPLY` counts, with one `VEVENT` whose `UID` is one of Relais's
//! (`relais-request-ID@DOMAIN`); its `ATTENDEE`'s `PARTSTAT` is the answer. Nothing here
//! decides whether the reply may act: the pipeline checks its sender, its request and its
//! `SEQUENCE`.

use crate::domain::ids::RequestId;
use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use icalendar::parser::{Component, Property, read_calendar, unfold};

/// The largest calendar part read: a reply is a few kilobytes, with its time zones.
pub const MAX_CALENDAR_BYTES: usize = 256 * 1024;

/// The deepest nesting of components read. A reply nests three deep (calendar, event,
/// alarm); the parser recurses on nesting, so a part made of thousands of `BEGIN:` lines
/// is refused before it is parsed.
const MAX_DEPTH: usize = 8;

/// What the attendee answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Accepted,
    Declined,
    /// *Maybe*: no action.
    Tentative,
    /// Any other participation status (`NEEDS-ACTION`, `DELEGATED`, an unknown one).
    Other,
}

impl Answer {
    fn read(partstat: &str) -> Answer {
        match partstat.trim().to_ascii_uppercase().as_str() {
            "ACCEPTED" => Answer::Accepted,
            "DECLINED" => Answer::Declined,
            "TENTATIVE" => Answer::Tentative,
            _ => Answer::Other,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Answer::Accepted => "accepted",
            Answer::Declined => "declined",
            Answer::Tentative => "tentative",
            Answer::Other => "other",
        }
    }
}

/// A calendar client's reply to an invite.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarReply {
    pub uid: String,
    /// The invite's version the reply answers; `None` when the client left it out.
    pub sequence: Option<i64>,
    pub answer: Answer,
    /// The attendee's address, bare and lower-cased.
    pub attendee: Option<String>,
    /// The event's start as the reply gives it, when it names a time Relais can place
    /// (UTC, or a zone of the tz database, or a floating time in the bank's zone).
    pub start: Option<DateTime<Utc>>,
    /// The note the attendee typed with their answer, if any.
    pub comment: Option<String>,
}

impl CalendarReply {
    /// The request a Relais `UID` names on `domain`.
    pub fn request(&self, domain: &str) -> Option<RequestId> {
        let (local, at) = self.uid.rsplit_once('@')?;
        if !at.eq_ignore_ascii_case(domain) {
            return None;
        }
        let id = local.strip_prefix("relais-request-")?;
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        id.parse().ok().map(RequestId)
    }
}

fn named<'a>(properties: &'a [Property<'a>], name: &str) -> Option<&'a Property<'a>> {
    properties.iter().find(|p| p.name.as_str().eq_ignore_ascii_case(name))
}

fn param<'a>(property: &'a Property<'a>, key: &str) -> Option<&'a str> {
    property
        .params
        .iter()
        .find(|p| p.key.as_str().eq_ignore_ascii_case(key))
        .and_then(|p| p.val.as_ref())
        .map(|v| v.as_str().trim_matches('"'))
}

/// Whether `text` nests components deeper than [`MAX_DEPTH`] (or ends more than it begins).
fn too_deep(text: &str) -> bool {
    let mut depth: usize = 0;
    for line in text.lines() {
        let line = line.trim_start().to_ascii_uppercase();
        if line.starts_with("BEGIN:") {
            depth += 1;
            if depth > MAX_DEPTH {
                return true;
            }
        } else if line.starts_with("END:") {
            depth = depth.saturating_sub(1);
        }
    }
    false
}

/// A `DATE-TIME` (or `DATE`) value placed in time: `Z` is UTC, a `TZID` of the tz database
/// is that zone, no zone is the bank's. A zone Relais cannot place (Windows names such as
/// « Eastern Standard Time ») gives `None`.
fn instant(property: &Property<'_>, bank: Tz) -> Option<DateTime<Utc>> {
    let value = property.val.as_str().trim();
    if let Some(utc) = value.strip_suffix('Z') {
        return NaiveDateTime::parse_from_str(utc, "%Y%m%dT%H%M%S")
            .ok()
            .map(|t| t.and_utc());
    }
    let local = NaiveDateTime::parse_from_str(value, "%Y%m%dT%H%M%S").ok().or_else(|| {
        NaiveDate::parse_from_str(value, "%Y%m%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
    })?;
    let zone = match param(property, "TZID") {
        Some(name) => name.parse::<Tz>().ok()?,
        None => bank,
    };
    zone.from_local_datetime(&local)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

/// The bare address of a `mailto:` value.
fn mailto(value: &str) -> Option<String> {
    let value = value.trim();
    let address = if value.len() >= 7 && value[..7].eq_ignore_ascii_case("mailto:") {
        &value[7..]
    } else {
        value
    };
    let address = address.trim().to_ascii_lowercase();
    address.contains('@').then_some(address)
}

/// The reply in one calendar part's text, if it is an iTIP `REPLY` to one event.
pub fn read_reply(text: &str, bank: Tz) -> Option<CalendarReply> {
    if text.len() > MAX_CALENDAR_BYTES || too_deep(text) {
        return None;
    }
    let unfolded = unfold(text);
    let calendar = read_calendar(&unfolded).ok()?;
    let method = named(&calendar.properties, "METHOD")?;
    if !method.val.as_str().trim().eq_ignore_ascii_case("REPLY") {
        return None;
    }
    let mut events = calendar
        .components
        .iter()
        .filter(|c| c.name.as_str().eq_ignore_ascii_case("VEVENT"));
    let event: &Component<'_> = events.next()?;
    // A reply answers one event; one with several (a series' exceptions) is read by its
    // first, which carries the UID they share.
    let uid = named(&event.properties, "UID")?.val.as_str().trim().to_string();
    let attendee = named(&event.properties, "ATTENDEE");
    let answer = attendee
        .and_then(|a| param(a, "PARTSTAT"))
        .map_or(Answer::Other, Answer::read);
    let sequence = named(&event.properties, "SEQUENCE").and_then(|s| s.val.as_str().trim().parse().ok());
    let comment = named(&event.properties, "COMMENT")
        .map(|c| c.val.clone().unescape_text().as_str().trim().to_string())
        .filter(|c| !c.is_empty());
    Some(CalendarReply {
        uid,
        sequence,
        answer,
        attendee: attendee.and_then(|a| mailto(a.val.as_str())),
        start: named(&event.properties, "DTSTART").and_then(|p| instant(p, bank)),
        comment,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MONTREAL: Tz = chrono_tz::America::Montreal;

    fn reply(lines: &[&str]) -> String {
        let mut text = String::new();
        for line in lines {
            text.push_str(line);
            text.push_str("\r\n");
        }
        text
    }

    #[test]
    fn an_accepted_reply_names_its_request_version_and_attendee() {
        let text = reply(&[
            "BEGIN:VCALENDAR",
            "PRODID:-//Google Inc//Google Calendar 70.9054//EN",
            "VERSION:2.0",
            "METHOD:REPLY",
            "BEGIN:VEVENT",
            "DTSTART:20261215T150000Z",
            "DTEND:20261215T160000Z",
            "UID:relais-request-42@bi.example",
            "SEQUENCE:5",
            "ATTENDEE;CN=Lucía Ramírez;PARTSTAT=ACCEPTED:mailto:Interp0@Interpretes.example",
            "COMMENT:J'y serai\\, merci",
            "END:VEVENT",
            "END:VCALENDAR",
        ]);
        let read = read_reply(&text, MONTREAL).unwrap();
        assert_eq!(read.request("bi.example"), Some(RequestId(42)));
        assert_eq!(read.request("other.example"), None);
        assert_eq!(read.sequence, Some(5));
        assert_eq!(read.answer, Answer::Accepted);
        assert_eq!(read.attendee.as_deref(), Some("interp0@interpretes.example"));
        assert_eq!(read.start, Some(Utc.with_ymd_and_hms(2026, 12, 15, 15, 0, 0).unwrap()));
        assert_eq!(read.comment.as_deref(), Some("J'y serai, merci"));
    }

    #[test]
    fn times_are_placed_in_their_zone_or_the_bank_s() {
        let at = |line: &str| {
            let text = reply(&[
                "BEGIN:VCALENDAR",
                "METHOD:REPLY",
                "BEGIN:VEVENT",
                "UID:relais-request-1@bi.example",
                line,
                "ATTENDEE;PARTSTAT=DECLINED:mailto:a@b.example",
                "END:VEVENT",
                "END:VCALENDAR",
            ]);
            read_reply(&text, MONTREAL).unwrap().start
        };
        let ten_in_montreal = Some(Utc.with_ymd_and_hms(2026, 12, 15, 15, 0, 0).unwrap());
        assert_eq!(at("DTSTART;TZID=America/Montreal:20261215T100000"), ten_in_montreal);
        assert_eq!(at("DTSTART;TZID=\"America/Toronto\":20261215T100000"), ten_in_montreal);
        assert_eq!(
            at("DTSTART:20261215T100000"),
            ten_in_montreal,
            "floating: the bank's zone"
        );
        assert_eq!(at("DTSTART;TZID=Eastern Standard Time:20261215T100000"), None);
        assert_eq!(at("DTSTART:garbage"), None);
    }

    #[test]
    fn only_a_reply_with_an_event_counts() {
        let request = reply(&[
            "BEGIN:VCALENDAR",
            "METHOD:REQUEST",
            "BEGIN:VEVENT",
            "UID:relais-request-1@bi.example",
            "END:VEVENT",
            "END:VCALENDAR",
        ]);
        assert_eq!(read_reply(&request, MONTREAL), None);
        let no_event = reply(&["BEGIN:VCALENDAR", "METHOD:REPLY", "END:VCALENDAR"]);
        assert_eq!(read_reply(&no_event, MONTREAL), None);
        assert_eq!(read_reply("not a calendar at all", MONTREAL), None);
        let no_partstat = reply(&[
            "BEGIN:VCALENDAR",
            "METHOD:REPLY",
            "BEGIN:VEVENT",
            "UID:relais-request-1@bi.example",
            "ATTENDEE:mailto:a@b.example",
            "END:VEVENT",
            "END:VCALENDAR",
        ]);
        assert_eq!(read_reply(&no_partstat, MONTREAL).unwrap().answer, Answer::Other);
    }

    #[test]
    fn foreign_or_malformed_uids_name_no_request() {
        let uid = |uid: &str| CalendarReply {
            uid: uid.to_string(),
            sequence: None,
            answer: Answer::Accepted,
            attendee: None,
            start: None,
            comment: None,
        };
        assert_eq!(
            uid("relais-request-7@BI.example").request("bi.example"),
            Some(RequestId(7))
        );
        for other in [
            "relais-request-@bi.example",
            "relais-request--7@bi.example",
            "relais-request-7x@bi.example",
            "relais-request-99999999999999999999999@bi.example",
            "040000008200E00074C5B7101A82E008@bi.example",
            "relais-request-7",
        ] {
            assert_eq!(uid(other).request("bi.example"), None, "{other}");
        }
    }

    #[test]
    fn a_part_nested_too_deep_is_not_parsed() {
        let mut text = String::from("BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\n");
        for _ in 0..10_000 {
            text.push_str("BEGIN:VEVENT\r\n");
        }
        assert_eq!(read_reply(&text, MONTREAL), None);
        let big = format!(
            "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nX:{}\r\n",
            "a".repeat(MAX_CALENDAR_BYTES)
        );
        assert_eq!(read_reply(&big, MONTREAL), None);
    }
}
