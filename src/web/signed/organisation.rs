//! « Mes organisations » (SeTIS): a requester sees their institution — its installations,
//! its team, every request made across its installations and billing codes, a short
//! overview of their numbers — exports their own requests or their institution's to Excel
//! (with the statistics sheet), and browses and downloads its invoices, month by month.
//!
//! Only the requesters of that establishment see it (and coordinators, any); to anyone
//! else an establishment is answered 404, exactly as one that does not exist.

use super::{FormView, Input, Section, SignedPage, render, settings, today};
use crate::billing::{BillingError, Format, Period as BillingPeriod};
use crate::domain::export::filter::Period;
use crate::domain::ids::EstablishmentId;
use crate::domain::locale::Locale;
use crate::domain::organisation::Establishment;
use crate::domain::role::Role;
use crate::reports::stats::Statistics;
use crate::reports::{ExportFilter, ExportFormat, ExportOptions, ExportRow};
use crate::store::StoreError;
use crate::web::account::SignedIn;
use crate::web::{AppState, WebError};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{Datelike, Months, NaiveDate};
use serde::Deserialize;

/// How many requests the page lists, newest first; the export holds them all.
const LISTED: usize = 200;
/// How many past months of invoices the page offers.
const INVOICE_MONTHS: u32 = 12;

/// `GET /organisations`: a requester's own establishment; a coordinator's are all of them.
pub async fn mine(signed_in: SignedIn, State(state): State<AppState>) -> Result<Response, WebError> {
    if signed_in.is(Role::Coordinator) {
        return Ok(super::see_other("/admin/establishments"));
    }
    let mut tx = state.workflow.store().begin_read().await?;
    let profile = tx.requester_profile(signed_in.person().id).await?;
    tx.commit().await?;
    match profile {
        Some(p) => Ok(super::see_other(format!("/organisations/{}", p.establishment_id.0))),
        None => Err(WebError::NotFound),
    }
}

/// The establishment `id` names, if the signed-in person may see it; otherwise `NotFound`,
/// whether or not it exists.
async fn visible(state: &AppState, signed_in: &SignedIn, id: &str) -> Result<Establishment, WebError> {
    let id = id.parse::<i64>().map(EstablishmentId).map_err(|_| WebError::NotFound)?;
    if signed_in.is(Role::Coordinator) && !signed_in.mfa_passed() {
        return Err(WebError::redirect("/account/mfa"));
    }
    let mut tx = state.workflow.store().begin_read().await?;
    let allowed = signed_in.is(Role::Coordinator)
        || tx
            .requester_profile(signed_in.person().id)
            .await?
            .is_some_and(|p| p.establishment_id == id);
    let establishment = match tx.establishment(id).await {
        Ok(e) if allowed => Ok(e),
        Ok(_) | Err(StoreError::NotFound) => Err(WebError::NotFound),
        Err(e) => Err(e.into()),
    };
    tx.commit().await?;
    establishment
}

/// What the page lists: installations (name, address), the team (name, address), the
/// requests of the establishment.
struct Loaded {
    installations: Vec<String>,
    team: Vec<String>,
    requests: Vec<ExportRow>,
}

async fn load(state: &AppState, establishment: &Establishment) -> Result<Loaded, WebError> {
    let mut tx = state.workflow.store().begin_read().await?;
    let installations = tx
        .installations_of(establishment.id)
        .await?
        .into_iter()
        .map(|i| {
            let place = [i.address, i.postal_code].into_iter().flatten().collect::<Vec<_>>();
            if place.is_empty() {
                i.name
            } else {
                format!("{} — {}", i.name, place.join(" "))
            }
        })
        .collect();
    let mut team = Vec::new();
    for id in tx.requesters_of(establishment.id).await? {
        let person = tx.person(id).await?;
        if person.active {
            team.push(format!("{} — {}", person.display_name(), person.email));
        }
    }
    let filter = ExportFilter {
        establishment: Some(establishment.code.clone()),
        ..ExportFilter::default()
    };
    let requests = tx.export_rows(&filter).await?;
    tx.commit().await?;
    Ok(Loaded {
        installations,
        team,
        requests,
    })
}

/// `GET /organisations/{id}`.
pub async fn show(
    signed_in: SignedIn,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let establishment = visible(&state, &signed_in, &id).await?;
    let settings = settings(&state);
    let locale = signed_in.person().locale;
    let loaded = load(&state, &establishment).await?;
    let mut page = SignedPage::new(&signed_in, ("Mes organisations", "My organisations"));
    page.facts = vec![
        (
            locale.text("coord-establishment"),
            format!("{} ({})", establishment.name, establishment.code),
        ),
        (locale.text("org-overview"), overview(&loaded.requests, locale)),
    ];
    let section = |heading: &str, empty: &str, lines: Vec<String>| Section {
        heading: locale.text(heading),
        empty: locale.text(empty),
        lines,
        ..Section::default()
    };
    page.sections.push(section(
        "org-installations",
        "org-no-installation",
        loaded.installations,
    ));
    page.sections.push(section("org-team", "org-no-team", loaded.team));
    let lines = loaded
        .requests
        .iter()
        .rev()
        .take(LISTED)
        .map(|r| request_line(r, locale))
        .collect();
    page.sections.push(section("org-requests", "org-no-request", lines));
    page.forms.push(export_form(&establishment, locale));
    let today = today(&state, &settings);
    page.forms.push(invoice_form(&establishment, today, locale));
    Ok(render(StatusCode::OK, &settings.general.bank_name, &page))
}

/// « 12 demandes, dont 2 annulées ; 14 h 30 prévues ».
fn overview(rows: &[ExportRow], locale: Locale) -> String {
    let total = Statistics::of(rows).total;
    let hours = format!("{:.1}", total.scheduled_hours());
    let hours = if locale == Locale::Fr {
        hours.replace('.', ",")
    } else {
        hours
    };
    locale.text_with(
        "org-overview-figures",
        &[
            ("requests", &total.requests.to_string()),
            ("cancelled", &total.cancelled.to_string()),
            ("hours", &hours),
        ],
    )
}

/// One request: number, when, status, language, where, who asked, and its billing code.
fn request_line(r: &ExportRow, locale: Locale) -> String {
    let number = r.number.as_ref().map(ToString::to_string).unwrap_or_default();
    let mut line = format!(
        "{number} — {} {} — {} — {} — {} — {}",
        r.date,
        r.start_time.format("%H:%M"),
        r.status.label(locale),
        r.target_language.name(locale),
        r.installation,
        r.requester
    );
    if let Some(code) = &r.billing_code {
        line.push_str(&format!(" — {} {code}", locale.text("org-billing-code")));
    }
    line
}

fn export_form(establishment: &Establishment, locale: Locale) -> FormView {
    let whose = vec![
        ("mine".to_string(), locale.text("org-my-requests")),
        ("all".to_string(), locale.text("org-all-requests")),
    ];
    FormView {
        id: "export".into(),
        heading: locale.text("org-export-heading"),
        method: "get",
        action: format!("/organisations/{}/requests.xlsx", establishment.id.0),
        inputs: vec![
            Input::new("whose", "select", &locale.text("org-whose"), "mine").choices(whose),
            Input::new("from", "date", &locale.text("coord-from-yyyy-mm-dd"), ""),
            Input::new("to", "date", &locale.text("coord-to-yyyy-mm-dd"), ""),
        ],
        buttons: vec![(locale.text("coord-download-as-excel"), String::new())],
        ..FormView::default()
    }
}

/// The first day of each of the last months, this one first.
fn months(today: NaiveDate) -> Vec<NaiveDate> {
    let first = today.with_day(1).unwrap_or(today);
    (0..INVOICE_MONTHS)
        .filter_map(|back| first.checked_sub_months(Months::new(back)))
        .collect()
}

fn invoice_form(establishment: &Establishment, today: NaiveDate, locale: Locale) -> FormView {
    let choices: Vec<(String, String)> = months(today)
        .into_iter()
        .map(|m| {
            (
                m.format("%Y-%m").to_string(),
                crate::domain::locale::month_year(m, locale),
            )
        })
        .collect();
    let last = choices.get(1).map(|(v, _)| v.clone()).unwrap_or_default();
    FormView {
        id: "invoice".into(),
        heading: locale.text("org-invoices-heading"),
        method: "get",
        action: format!("/organisations/{}/invoice", establishment.id.0),
        inputs: vec![
            Input::new("month", "select", &locale.text("org-month"), last).choices(choices),
            Input::new("format", "select", &locale.text("coord-format"), "html").choices(vec![
                ("html".into(), locale.text("coord-printable-page-html")),
                ("csv".into(), "CSV".into()),
            ]),
        ],
        buttons: vec![(locale.text("coord-download"), String::new())],
        ..FormView::default()
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ExportQuery {
    whose: String,
    from: String,
    to: String,
}

/// `GET /organisations/{id}/requests.xlsx?whose=mine|all&from=…&to=…`: dates come from
/// the form's date fields; anything else is no form of ours (422).
pub async fn export(
    signed_in: SignedIn,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<ExportQuery>,
) -> Result<Response, WebError> {
    let establishment = visible(&state, &signed_in, &id).await?;
    let settings = settings(&state);
    let locale = signed_in.person().locale;
    let date = |s: &str| match s.trim() {
        "" => Ok(None),
        s => crate::domain::export::filter::parse_date(s).map(Some),
    };
    let period = match (date(&q.from), date(&q.to)) {
        (Ok(from), Ok(to)) => Period::new(from, to).ok(),
        _ => None,
    }
    .ok_or(WebError::Invalid)?;
    let filter = ExportFilter {
        period,
        establishment: Some(establishment.code.clone()),
        requested_by: (q.whose != "all").then_some(signed_in.person().id),
        ..ExportFilter::default()
    };
    let options = ExportOptions {
        locale,
        time_zone: settings.general.time_zone,
        generated_at: state.workflow.clock().now(),
    };
    let export = crate::reports::export_requests(state.workflow.store(), &filter, ExportFormat::Xlsx, &options)
        .await
        .map_err(WebError::internal)?;
    let name = format!(
        "{}-{}-{}.xlsx",
        locale.text("coord-requests"),
        establishment.code,
        today(&state, &settings).format("%Y-%m-%d")
    );
    Ok(super::downloads::attachment(
        export.bytes,
        ExportFormat::Xlsx.content_type(),
        &name,
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct InvoiceQuery {
    month: String,
    format: String,
}

/// `GET /organisations/{id}/invoice?month=2026-03&format=html|csv`.
pub async fn invoice(
    signed_in: SignedIn,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<InvoiceQuery>,
) -> Result<Response, WebError> {
    let establishment = visible(&state, &signed_in, &id).await?;
    let settings = settings(&state);
    let locale = signed_in.person().locale;
    let first = NaiveDate::parse_from_str(&format!("{}-01", q.month.trim()), "%Y-%m-%d").ok();
    let period = first
        .and_then(|f| Some((f, f.checked_add_months(Months::new(1))?.pred_opt()?)))
        .and_then(|(from, to)| BillingPeriod::new(from, to).ok())
        .ok_or(WebError::Invalid)?;
    let format = match q.format.trim() {
        "" => Format::Html,
        f => f.parse::<Format>().map_err(|_| WebError::Invalid)?,
    };
    let store = state.workflow.store();
    match crate::billing::invoice_file(store, &settings, &establishment.code, period, format, locale).await {
        Ok(file) => Ok(super::downloads::attachment(
            file.bytes,
            format.content_type(),
            &file.file_name,
        )),
        Err(BillingError::UnknownEstablishment(_)) => Err(WebError::NotFound),
        Err(e) => Err(WebError::internal(e)),
    }
}
