//! The board's requests to assign as one dense table: a row per request with its number
//! (linked to its page), when, length, languages, place and how soon (« aujourd'hui »,
//! « dans 2 h », « passée »); in the last cell the candidates as compact buttons, the one that
//! offers it to all listed, why those candidates and who cannot take it and why (both
//! folded, so a row stays two lines high), and a field to offer it to anyone by name or
//! code ([`super::offer_to`]).

use super::super::{OfferButton, Row, Section, Table};
use crate::domain::locale::{Locale, clock_time, short_day_date};
use crate::domain::request::urgency::Urgency;
use crate::outbound::digest::WaitingItem;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// What the rows are seen from: the reader's language, the session's form value, the
/// bank's clock and time zone.
pub(super) struct Seen<'a> {
    pub locale: Locale,
    pub csrf: &'a str,
    pub now: DateTime<Utc>,
    pub time_zone: Tz,
}

/// The section of requests to assign; `names` are the interpreters the field suggests.
pub(super) fn section(waiting: &[WaitingItem], seen: &Seen<'_>, names: Vec<String>) -> Section {
    let locale = seen.locale;
    let columns = [
        "coord-board-number",
        "coord-board-when",
        "coord-board-duration",
        "coord-board-languages",
        "coord-board-place",
        "coord-board-urgency",
        "coord-board-interpreters",
    ]
    .map(|key| locale.text(key));
    Section {
        heading: locale.text("coord-requests-to-assign"),
        empty: locale.text("coord-no-request-waiting"),
        table: Some(Table {
            columns,
            rows: waiting.iter().map(|w| row(w, seen)).collect(),
            csrf: seen.csrf.to_string(),
            offer_to: locale.text("coord-offer-to-field"),
            offer: locale.text("coord-offer"),
            reasons: locale.text("coord-why-these-candidates"),
            names,
        }),
        ..Section::default()
    }
}

fn row(w: &WaitingItem, seen: &Seen<'_>) -> Row {
    let locale = seen.locale;
    let f = &w.facts;
    let urgency = Urgency::of(f.starts_at, seen.now, seen.time_zone);
    let mut notes = Vec::new();
    if !w.withdrawn.is_empty() {
        notes.push(w.withdrawn.clone());
    }
    if w.candidates.is_empty() {
        notes.push(locale.text("coord-no-eligible-interpreter"));
    }
    let mut buttons: Vec<OfferButton> = w
        .candidates
        .iter()
        .map(|c| OfferButton {
            label: c.name.clone(),
            title: c.label.clone(),
            why: c.why.clone(),
            interpreters: c.person.0.to_string(),
            all: false,
        })
        .collect();
    if let Some((label, _)) = &w.broadcast {
        buttons.push(OfferButton {
            label: locale.text_with("coord-offer-to-all", &[("count", &w.broadcast_to.len().to_string())]),
            title: label.clone(),
            why: String::new(),
            interpreters: w
                .broadcast_to
                .iter()
                .map(|p| p.0.to_string())
                .collect::<Vec<_>>()
                .join(","),
            all: true,
        });
    }
    let mut named: Vec<&crate::outbound::digest::NotAvailable> = w.not_available.iter().collect();
    named.sort_by(|a, b| a.name.cmp(&b.name));
    let mut not_available: Vec<String> = named.iter().map(|n| format!("{} — {}", n.name, n.why)).collect();
    let unnamed = w.not_available_count.saturating_sub(named.len());
    if unnamed > 0 {
        not_available.push(locale.text_with("coord-and-others", &[("count", &unnamed.to_string())]));
        not_available.push(w.excluded.clone());
    }
    Row {
        request: w.request.0.to_string(),
        number: f.number.clone(),
        href: format!("/requests/{}", w.request.0),
        when: format!("{} {}", short_day_date(f.date, locale), clock_time(f.time, locale)),
        duration: f.duration.clone(),
        languages: f.languages.clone(),
        place: f.installation.clone(),
        badge: urgency.map(|u| u.label(locale)).unwrap_or_default(),
        badge_class: urgency.map(Urgency::class).unwrap_or(""),
        notes,
        reasons: w
            .candidates
            .iter()
            .filter(|c| !c.why.is_empty())
            // With the code `ASSIGNER HC-… UBIPN0002` names them by, as the digest says it.
            .map(|c| format!("{} ({}) — {}", c.name, c.code, c.why))
            .collect(),
        buttons,
        not_available_heading: locale.text_with(
            "coord-not-available-count",
            &[("count", &w.not_available_count.to_string())],
        ),
        not_available,
    }
}
