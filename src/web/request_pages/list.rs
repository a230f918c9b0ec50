//! `GET /requests`: "Mes demandes" (or, by installation, every request of mine: "par
//! emplacement"), an interpreter's offers and bookings ("demandes en cours"), or everything
//! for a coordinator; narrowed by number, status, language, interpreter name and a period
//! (the exports' presets or a custom range). Newest appointment first, [`LIMIT`] lines a page,
//! a "Suivantes" link to the next page (it carries where this one ended).

use super::{FilterField, Table, View, bank};
use crate::domain::access::Visibility;
use crate::domain::export::filter::DatePreset;
use crate::domain::language::LanguageTag;
use crate::domain::locale::Locale;
use crate::domain::locale::{clock_time, duration, short_date};
use crate::domain::person::Person;
use crate::domain::request::RequestStatus;
use crate::domain::role::Role;
use crate::store::lists::{ListCursor, ListFilter, ListRow, ListScope};
use crate::web::account::SignedIn;
use crate::web::page::Tone;
use crate::web::{AppState, WebError};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use serde::Deserialize;
use std::str::FromStr;

/// The lines of one page.
pub const LIMIT: usize = 100;

#[derive(Debug, Default, Deserialize)]
pub struct Search {
    #[serde(default)]
    scope: String,
    #[serde(default)]
    period: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    number: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    language: String,
    #[serde(default)]
    interpreter: String,
    /// Where the previous page ended (`ListCursor::encode`).
    #[serde(default)]
    after: String,
}

impl Search {
    /// The address of this search, from its start or continued after `after`.
    fn page(&self, after: Option<&ListCursor>) -> String {
        let pairs = [
            ("scope", self.scope.as_str()),
            ("period", &self.period),
            ("from", &self.from),
            ("to", &self.to),
            ("number", &self.number),
            ("status", &self.status),
            ("language", &self.language),
            ("interpreter", &self.interpreter),
        ];
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs.iter().filter(|(_, v)| !v.is_empty()) {
            query.append_pair(k, v);
        }
        if let Some(after) = after {
            query.append_pair("after", &after.encode());
        }
        let query = query.finish();
        format!("/requests?{query}")
    }
}

const PRESETS: [(&str, DatePreset, &str, &str); 5] = [
    ("today", DatePreset::Today, "Aujourd'hui", "Today"),
    ("tomorrow", DatePreset::Tomorrow, "Demain", "Tomorrow"),
    ("this_month", DatePreset::ThisMonth, "Mois en cours", "This month"),
    ("last_month", DatePreset::LastMonth, "Mois précédent", "Last month"),
    ("next_month", DatePreset::NextMonth, "Mois prochain", "Next month"),
];

fn date(raw: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").ok()
}

fn text(raw: &str) -> Option<String> {
    Some(raw.trim().chars().take(100).collect::<String>()).filter(|t| !t.is_empty())
}

/// `GET /requests`.
pub async fn show(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(search): Query<Search>,
) -> Result<Response, WebError> {
    let person = signed_in.person().clone();
    let locale = person.locale;
    let visibility = signed_in.visibility().await?;
    let scopes = scopes_of(&person, &visibility, locale);
    let Some((scope_key, scope, scope_label)) = scopes
        .iter()
        .find(|(k, _, _)| *k == search.scope)
        .or(scopes.first())
        .cloned()
    else {
        let view = View::signed(&signed_in, &bank(&state), &locale.text("request-requests"))
            .tone(Tone::Bad, locale.text("request-your-account-gives-access-to-no"));
        return Ok(view.render(StatusCode::FORBIDDEN));
    };
    let tz = state.workflow.config().time_zone;
    let today = state.workflow.clock().now().with_timezone(&tz).date_naive();
    let mut problems = Vec::new();
    let filter = read_filter(&search, scope, today, locale, &mut problems);
    let mut tx = state.workflow.store().begin_read().await?;
    let mut rows = tx.request_list(&filter).await?;
    tx.commit().await?;
    let more = rows.len() > LIMIT;
    rows.truncate(LIMIT);
    let mut view = View::signed(&signed_in, &bank(&state), &scope_label);
    if person.has_role(Role::Requester) || person.has_role(Role::Coordinator) {
        view.primary
            .push(("/requests/new".into(), locale.text("request-new-request")));
    }
    if scopes.len() > 1 {
        view.tabs = scopes
            .iter()
            .map(|(key, _, label)| (format!("/requests?scope={key}"), label.clone(), *key == scope_key))
            .collect();
    }
    view.filter_action = "/requests".into();
    // Folded on a phone-sized first look; open while a search narrows the list.
    view.filters_open = [
        &search.period,
        &search.from,
        &search.to,
        &search.number,
        &search.status,
        &search.language,
        &search.interpreter,
    ]
    .iter()
    .any(|v| !v.trim().is_empty());
    let by_interpreter = !matches!(filter.scope, ListScope::Interpreter(_));
    view.filters = filter_fields(&search, &scopes, scope_key, by_interpreter, locale);
    let continued = filter.after.is_some();
    view.tables.push(results(&rows, continued, by_interpreter, locale));
    if let Some(last) = rows.last().filter(|_| more) {
        let text = match locale {
            Locale::Fr => format!("Les {LIMIT} suivantes →"),
            Locale::En => format!("The next {LIMIT} →"),
        };
        view.pages.push((search.page(Some(&last.cursor)), text));
    }
    if continued {
        let text = locale.text("request-back-to-the-start-of-the");
        view.pages.push((search.page(None), text));
    }
    if !problems.is_empty() {
        view = view.tone(Tone::Bad, problems.join(" ; "));
    }
    Ok(view.render(StatusCode::OK))
}

/// The lists this person may see, `(key, scope, label)`, the default first.
fn scopes_of(person: &Person, visibility: &Visibility, locale: Locale) -> Vec<(&'static str, ListScope, String)> {
    let mut scopes = Vec::new();
    if person.has_role(Role::Requester) {
        scopes.push((
            "mine",
            ListScope::RequestedBy(person.id),
            locale.text("request-my-requests"),
        ));
        scopes.push((
            "location",
            ListScope::Installations(visibility.installations.clone()),
            locale.text("request-by-location-every-request-of-my"),
        ));
    }
    if person.has_role(Role::Interpreter) {
        scopes.push((
            "offers",
            ListScope::Interpreter(person.id),
            locale.text("request-current-requests-offers-and-bookings"),
        ));
    }
    if person.has_role(Role::Coordinator) {
        scopes.push(("all", ListScope::Everything, locale.text("request-every-request")));
    }
    scopes
}

/// The search as the store reads it; what cannot be read (an unknown language) is named in
/// `problems`.
fn read_filter(
    search: &Search,
    scope: ListScope,
    today: NaiveDate,
    locale: Locale,
    problems: &mut Vec<String>,
) -> ListFilter {
    // Dates typed count as the period, whatever the list says; by default the list shows
    // what is coming up, nearest first, unless a number names one request anywhere.
    let typed = (date(&search.from), date(&search.to));
    let (from, to, ascending) = match PRESETS.iter().find(|p| p.0 == search.period) {
        _ if typed != (None, None) => (typed.0, typed.1, false),
        Some(p) => {
            let period = p.1.period(today);
            (period.from(), period.to(), false)
        }
        None if search.period.is_empty() && text(&search.number).is_none() => (Some(today), None, true),
        None => (None, None, false),
    };
    let language = match text(&search.language) {
        Some(l) => match LanguageTag::parse(&l) {
            Ok(tag) => Some(tag.as_str().to_string()),
            Err(_) => {
                problems.push(match locale {
                    Locale::Fr => format!("Langue «\u{a0}{l}\u{a0}» inconnue"),
                    Locale::En => format!("Unknown language “{l}”"),
                });
                None
            }
        },
        None => None,
    };
    ListFilter {
        scope,
        from,
        to,
        status: RequestStatus::from_str(search.status.trim()).ok(),
        language,
        number: text(&search.number),
        interpreter: text(&search.interpreter),
        after: ListCursor::decode(&search.after),
        // One more than a page tells whether another follows.
        limit: i64::try_from(LIMIT + 1).unwrap_or(i64::MAX),
        ascending,
    }
}

/// The search form's fields, as typed; the interpreter's name only where it narrows
/// (`by_interpreter`).
fn filter_fields(
    search: &Search,
    scopes: &[(&'static str, ListScope, String)],
    scope_key: &str,
    by_interpreter: bool,
    locale: Locale,
) -> Vec<FilterField> {
    let field = |key, label: &str, kind, value: &str, options| FilterField {
        key,
        label: label.into(),
        kind,
        value: value.to_string(),
        options,
    };
    let mut fields = Vec::new();
    if scopes.len() > 1 {
        // The list itself is chosen by the tabs above; the search keeps it.
        fields.push(field("scope", "", "hidden", scope_key, Vec::new()));
    }
    let mut periods = vec![
        (String::new(), locale.text("request-upcoming-nearest-first")),
        ("all".to_string(), locale.text("request-any-date")),
    ];
    periods.extend(
        PRESETS
            .iter()
            .map(|p| (p.0.to_string(), locale.pick(p.2, p.3).to_string())),
    );
    periods.push(("custom".into(), locale.text("request-from-to-below")));
    fields.push(field(
        "period",
        &locale.text("request-period"),
        "text",
        &search.period,
        periods,
    ));
    for (key, fr, en, value) in [("from", "Du", "From", &search.from), ("to", "Au", "To", &search.to)] {
        fields.push(field(key, locale.pick(fr, en), "date", value, Vec::new()));
    }
    let number = locale.text("request-request-number");
    fields.push(field("number", &number, "text", &search.number, Vec::new()));
    let mut statuses = vec![(String::new(), locale.text("request-all"))];
    statuses.extend(
        RequestStatus::ALL
            .into_iter()
            .filter(|s| *s != RequestStatus::Draft)
            .map(|s| (s.as_str().to_string(), s.label(locale).to_string())),
    );
    fields.push(field(
        "status",
        &locale.text("request-status"),
        "text",
        &search.status,
        statuses,
    ));
    let language = locale.text("request-language");
    fields.push(field("language", &language, "text", &search.language, Vec::new()));
    if by_interpreter {
        let name = locale.text("request-interpreter-s-name");
        fields.push(field("interpreter", &name, "text", &search.interpreter, Vec::new()));
    }
    fields
}

/// The table of the requests found (`continued`: a page after the first); who asked is
/// shown to requesters and coordinators (`with_requester`), not in an interpreter's list.
fn results(rows: &[ListRow], continued: bool, with_requester: bool, locale: Locale) -> Table {
    let shown = rows.len();
    Table {
        title: match (locale, continued) {
            (Locale::Fr, false) => format!("{shown} demande{}", if shown > 1 { "s" } else { "" }),
            (Locale::En, false) => format!("{shown} request{}", if shown == 1 { "" } else { "s" }),
            (Locale::Fr, true) => format!("{shown} demande{} de plus", if shown > 1 { "s" } else { "" }),
            (Locale::En, true) => format!("{shown} more request{}", if shown == 1 { "" } else { "s" }),
        },
        headers: [
            locale.text("request-request"),
            "Date".into(),
            locale.text("request-time"),
            locale.pick("Durée", "Length").to_string(),
            locale.pick("Type", "Type").to_string(),
            locale.text("request-language"),
            locale.text("request-facility"),
            locale.text("request-status"),
            locale.text("request-interpreter"),
        ]
        .into_iter()
        .chain(with_requester.then(|| locale.text("request-requester")))
        .collect(),
        rows: rows.iter().map(|r| result_row(r, with_requester, locale)).collect(),
        empty: locale.text("request-no-request-matches-these-criteria"),
    }
}

fn result_row(r: &ListRow, with_requester: bool, locale: Locale) -> Vec<(String, String)> {
    let language = LanguageTag::parse(&r.target_language)
        .map(|t| t.name(locale).to_string())
        .unwrap_or_else(|_| r.target_language.clone());
    let mut status = r.status.label(locale).to_string();
    if r.offer_pending {
        status = format!("{status} — {}", locale.text("request-offer-to-answer"));
    }
    let mut row = vec![
        (
            r.number
                .clone()
                .unwrap_or_else(|| RequestStatus::Draft.label(locale).to_string()),
            format!("/requests/{}", r.id.0),
        ),
        (short_date(r.date, locale), String::new()),
        (clock_time(r.start_time, locale), String::new()),
        (duration(r.duration_minutes, locale), String::new()),
        (r.request_type.label(locale).to_string(), String::new()),
        (language, String::new()),
        (r.installation.clone(), String::new()),
        (status, String::new()),
        (r.interpreter.clone().unwrap_or_default(), String::new()),
    ];
    if with_requester {
        row.push((r.requester.clone(), String::new()));
    }
    row
}
