//! A person's calendar feed (`/calendar/TOKEN.ics`, `web/calendar_feed.rs`): the requests
//! they asked for, those they are booked on and the offers waiting for their answer, as
//! one iCalendar file written with the `icalendar` crate.
//!
//! Each event keeps the `UID` of the request's invites (`relais-request-ID@DOMAIN`). Times
//! are in UTC: every calendar app places them right on either side of a change of clocks,
//! with no time zone to describe. `DTSTAMP` is the request's last change, so the file only
//! changes when a request does, and its `ETag` with it. Nothing of the patient is written:
//! the number, the languages, the type, the place and the status.

use crate::domain::ids::PersonId;
use crate::domain::locale::Locale;
use crate::domain::request::{Request, RequestStatus};
use icalendar::{Calendar, Component as _, Event, EventLike as _, EventStatus};

/// What a request is to the person whose feed lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// They asked for it.
    Asked,
    /// They interpret it.
    Booked,
    /// It is offered to them and waits for their answer.
    Offered,
}

/// One request of the feed, with its installation's name.
pub struct Entry<'a> {
    pub request: &'a Request,
    pub installation: &'a str,
}

/// What the feed is, for the calendar app's list.
pub struct Feed<'a> {
    pub person: PersonId,
    pub locale: Locale,
    /// The bank's name: the calendar's name.
    pub bank: &'a str,
    /// The domain of the invites' `UID`s.
    pub domain: &'a str,
    /// The bank's zone, which apps show the calendar in by default.
    pub time_zone: &'a str,
}

fn event_status(role: Role, status: RequestStatus) -> EventStatus {
    match (role, status) {
        (_, RequestStatus::Cancelled) => EventStatus::Cancelled,
        (Role::Offered, _) | (_, RequestStatus::Draft | RequestStatus::New | RequestStatus::Offered) => {
            EventStatus::Tentative
        }
        // A booking the requester changed waits for the interpreter to accept it again.
        (_, RequestStatus::Modified) => EventStatus::Tentative,
        _ => EventStatus::Confirmed,
    }
}

/// The feed's iCalendar text.
pub fn render(feed: &Feed<'_>, entries: &[Entry<'_>]) -> String {
    let locale = feed.locale;
    let mut calendar = Calendar::new();
    calendar
        .name(&format!(
            "{} — {}",
            feed.bank,
            locale.pick("Interprétation", "Interpreting")
        ))
        .timezone(feed.time_zone);
    for entry in entries {
        let r = entry.request;
        let role = if r.requested_by == feed.person {
            Role::Asked
        } else if r.assigned_interpreter == Some(feed.person) {
            Role::Booked
        } else {
            Role::Offered
        };
        let d = &r.details;
        let offer = if role == Role::Offered {
            locale.pick("Offre\u{a0}: ", "Offer: ")
        } else {
            ""
        };
        let summary = format!(
            "{offer}{} {} — {}",
            locale.pick("Interprétation", "Interpreting"),
            d.target_language.name(locale),
            r.shown(locale)
        );
        let place = if d.location.trim().is_empty() {
            entry.installation.to_string()
        } else {
            format!("{} — {}", entry.installation, d.location.trim())
        };
        let sep = locale.pick("\u{a0}: ", ": ");
        let description = [
            (locale.pick("Demande", "Request"), r.shown(locale)),
            (
                locale.pick("Langues", "Languages"),
                format!(
                    "{} → {}",
                    d.source_language.name(locale),
                    d.target_language.name(locale)
                ),
            ),
            (locale.pick("Type", "Type"), d.request_type.label(locale).to_string()),
            (locale.pick("Statut", "Status"), r.status.label(locale).to_string()),
        ]
        .iter()
        .map(|(label, value)| format!("{label}{sep}{value}"))
        .collect::<Vec<_>>()
        .join("\n");
        let ends = r.starts_at + chrono::TimeDelta::minutes(i64::from(d.duration_minutes.max(15)));
        calendar.push(
            Event::new()
                .uid(&format!("relais-request-{}@{}", r.id, feed.domain))
                .sequence(u32::try_from(r.version).unwrap_or(u32::MAX))
                .timestamp(r.updated_at)
                .last_modified(r.updated_at)
                .starts(r.starts_at)
                .ends(ends)
                .summary(&summary)
                .location(&place)
                .description(&description)
                .status(event_status(role, r.status))
                .done(),
        );
    }
    calendar.done().to_string()
}
