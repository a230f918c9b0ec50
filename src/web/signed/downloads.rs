//! `GET /downloads`: the download forms (GET, changing nothing) and the files they fetch.
//!
//! Coordinators get the requests export (CSV or Excel), an establishment's invoice and any
//! interpreter's pay statement; an interpreter gets only their own pay statement (asking for
//! anyone else's is answered 404, as if it did not exist); requesters get 404.

use super::criteria::{DocumentQuery, ExportQuery, Problems, read_document_period, read_export, read_format};
use super::{FormView, Input, SignedPage, render, settings, today};
use crate::billing::BillingError;
use crate::config::Settings;
use crate::domain::locale::Locale;
use crate::domain::person::UserCode;
use crate::domain::request::RequestStatus;
use crate::domain::role::Role;
use crate::reports::{DatePreset, ExportError, ExportFormat, ExportOptions};
use crate::web::account::SignedIn;
use crate::web::page::Tone;
use crate::web::{AppState, WebError};
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;

/// Who may download what.
enum Scope {
    Everything,
    OwnStatement(UserCode),
}

/// Coordinators past their second factor get everything (one without it goes to the
/// enrolment page), interpreters their own statement, anyone else 404.
fn scope(signed_in: &SignedIn) -> Result<Scope, WebError> {
    if signed_in.is(Role::Coordinator) {
        if !signed_in.mfa_passed() {
            return Err(WebError::redirect("/account/mfa"));
        }
        return Ok(Scope::Everything);
    }
    if signed_in.is(Role::Interpreter) {
        return Ok(Scope::OwnStatement(signed_in.person().user_code.clone()));
    }
    Err(WebError::NotFound)
}

/// The forms as they were filled; a form's problems are named beside its fields.
#[derive(Default)]
struct Filled {
    export: ExportQuery,
    export_problems: Problems,
    invoice: DocumentQuery,
    invoice_problems: Problems,
    statement: DocumentQuery,
    statement_problems: Problems,
}

/// `GET /downloads`.
pub async fn show(signed_in: SignedIn, State(state): State<AppState>) -> Result<Response, WebError> {
    let settings = settings(&state);
    let scope = scope(&signed_in)?;
    page(&signed_in, &state, &settings, &scope, StatusCode::OK, Filled::default()).await
}

async fn page(
    signed_in: &SignedIn,
    state: &AppState,
    settings: &Settings,
    scope: &Scope,
    status: StatusCode,
    filled: Filled,
) -> Result<Response, WebError> {
    let locale = signed_in.person().locale;
    let mut page = SignedPage::new(signed_in, ("Téléchargements", "Downloads"));
    if status != StatusCode::OK {
        page = page.notice(
            Tone::Bad,
            locale.text("coord-nothing-was-downloaded-correct-the-fields"),
        );
    }
    let (interpreters, establishments) = match scope {
        Scope::Everything => (interpreter_choices(state).await?, establishment_choices(state).await?),
        Scope::OwnStatement(_) => (Vec::new(), Vec::new()),
    };
    if matches!(scope, Scope::Everything) {
        let choices = Choices {
            interpreters: &interpreters,
            establishments: &establishments,
        };
        page.forms
            .push(export_form(locale, &filled.export, &filled.export_problems, &choices));
        page.forms.push(invoice_form(
            locale,
            &filled.invoice,
            &filled.invoice_problems,
            &establishments,
            state,
            settings,
        ));
    }
    page.forms.push(statement_form(
        locale,
        scope,
        &filled.statement,
        &filled.statement_problems,
        &interpreters,
        state,
        settings,
    ));
    Ok(render(status, &settings.general.bank_name, &page))
}

/// What the export's lists offer: interpreters and establishments, by name.
struct Choices<'a> {
    interpreters: &'a [(String, String)],
    establishments: &'a [(String, String)],
}

/// The establishments as `(code, « Name (CODE) »)`, by name.
async fn establishment_choices(state: &AppState) -> Result<Vec<(String, String)>, crate::store::StoreError> {
    let mut tx = state.workflow.store().begin_read().await?;
    let all = tx.establishment_summaries().await?;
    tx.commit().await?;
    let mut choices: Vec<(String, String)> = all
        .into_iter()
        .map(|s| {
            let e = s.establishment;
            (e.code.clone(), format!("{} ({})", e.name, e.code))
        })
        .collect();
    choices.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(choices)
}

/// Every language Relais knows as `(tag, name)`, by name in `locale`.
fn language_choices(locale: Locale) -> Vec<(String, String)> {
    let mut choices: Vec<(String, String)> = crate::domain::language::catalogue()
        .iter()
        .map(|l| (l.tag.to_string(), locale.pick(l.name_fr, l.name_en).to_string()))
        .collect();
    choices.sort_by_cached_key(|c| crate::domain::text::fold(&c.1));
    choices
}

async fn interpreter_choices(state: &AppState) -> Result<Vec<(String, String)>, crate::store::StoreError> {
    let mut tx = state.workflow.store().begin_read().await?;
    let people = tx.people_with_role(Role::Interpreter).await?;
    tx.commit().await?;
    Ok(people
        .into_iter()
        .map(|p| {
            (
                p.user_code.to_string(),
                format!("{} ({})", p.display_name(), p.user_code),
            )
        })
        .collect())
}

fn with_problems(mut inputs: Vec<Input>, problems: &Problems) -> Vec<Input> {
    for input in &mut inputs {
        if let Some((_, message)) = problems.iter().find(|(field, _)| input.name == *field) {
            input.error = message.clone();
        }
    }
    inputs
}

fn preset_choices(locale: Locale, any: &str) -> Vec<(String, String)> {
    vec![
        (String::new(), any.to_string()),
        ("today".into(), locale.text("coord-today")),
        ("tomorrow".into(), locale.text("coord-tomorrow")),
        ("this-month".into(), locale.text("coord-this-month")),
        ("last-month".into(), locale.text("coord-last-month")),
        ("next-month".into(), locale.text("coord-next-month")),
    ]
}

fn period_inputs(locale: Locale, preset: &str, from: &str, to: &str, any: &str) -> Vec<Input> {
    vec![
        Input::new("preset", "select", &locale.text("coord-period"), preset).choices(preset_choices(locale, any)),
        Input::new("from", "date", &locale.text("coord-from-yyyy-mm-dd"), from),
        Input::new("to", "date", &locale.text("coord-to-yyyy-mm-dd"), to),
    ]
}

fn export_form(locale: Locale, q: &ExportQuery, problems: &Problems, choices: &Choices<'_>) -> FormView {
    let mut statuses = vec![(String::new(), locale.text("coord-all"))];
    statuses.extend(
        RequestStatus::ALL
            .into_iter()
            .filter(|s| *s != RequestStatus::Draft)
            .map(|s| (s.as_str().to_string(), s.label(locale).to_string())),
    );
    let mut who = vec![(String::new(), locale.text("coord-all"))];
    who.extend(choices.interpreters.iter().cloned());
    let mut languages = vec![(String::new(), locale.pick("Toutes", "All").to_string())];
    languages.extend(language_choices(locale));
    let mut establishments = vec![(String::new(), locale.text("coord-all-establishments"))];
    establishments.extend(choices.establishments.iter().cloned());
    let mut inputs = period_inputs(locale, &q.preset, &q.from, &q.to, &locale.text("coord-dates-below"));
    inputs.extend([
        Input::new("status", "select", &locale.text("coord-status-2"), &q.status).choices(statuses),
        Input::new("language", "select", &locale.text("coord-language"), &q.language).choices(languages),
        Input::new(
            "establishment",
            "select",
            locale.pick("Établissement", "Establishment"),
            q.establishment.trim(),
        )
        .choices(establishments),
        Input::new(
            "interpreter",
            "select",
            &locale.text("coord-interpreter"),
            &q.interpreter,
        )
        .choices(who),
    ]);
    FormView {
        id: "export".into(),
        heading: locale.text("coord-export-the-requests"),
        method: "get",
        action: "/downloads/requests.csv".into(),
        inputs: with_problems(inputs, problems),
        buttons: vec![
            (locale.text("coord-download-as-csv"), String::new()),
            (
                locale.text("coord-download-as-excel"),
                "/downloads/requests.xlsx".into(),
            ),
        ],
        ..FormView::default()
    }
}

fn format_buttons(locale: Locale) -> Vec<(String, String)> {
    vec![(locale.text("coord-download"), String::new())]
}

fn format_input(locale: Locale, value: &str) -> Input {
    Input::new("format", "select", &locale.text("coord-format"), value).choices(vec![
        ("html".into(), locale.text("coord-printable-page-html")),
        ("csv".into(), "CSV".into()),
    ])
}

/// The default period of a document: last month.
fn last_month(state: &AppState, settings: &Settings) -> (String, String) {
    let period = DatePreset::LastMonth.period(today(state, settings));
    let show = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    (show(period.from()), show(period.to()))
}

/// A document's period (last month unless chosen) and format.
fn document_inputs(locale: Locale, q: &DocumentQuery, state: &AppState, settings: &Settings) -> Vec<Input> {
    let (from, to) = if q.from.is_empty() && q.to.is_empty() && q.preset.is_empty() {
        last_month(state, settings)
    } else {
        (q.from.clone(), q.to.clone())
    };
    let mut inputs = period_inputs(locale, &q.preset, &from, &to, &locale.text("coord-dates-below"));
    inputs.push(format_input(locale, &q.format));
    inputs
}

fn invoice_form(
    locale: Locale,
    q: &DocumentQuery,
    problems: &Problems,
    establishments: &[(String, String)],
    state: &AppState,
    settings: &Settings,
) -> FormView {
    let mut choices = vec![(
        String::new(),
        locale
            .pick("Choisissez l'établissement", "Choose the establishment")
            .to_string(),
    )];
    choices.extend(establishments.iter().cloned());
    let mut inputs = vec![
        Input::new(
            "establishment",
            "select",
            locale.pick("Établissement", "Establishment"),
            q.establishment.trim(),
        )
        .choices(choices),
    ];
    inputs.extend(document_inputs(locale, q, state, settings));
    FormView {
        id: "invoice".into(),
        heading: locale.text("coord-an-establishment-s-invoice"),
        method: "get",
        action: "/downloads/invoice".into(),
        inputs: with_problems(inputs, problems),
        buttons: format_buttons(locale),
        ..FormView::default()
    }
}

fn statement_form(
    locale: Locale,
    scope: &Scope,
    q: &DocumentQuery,
    problems: &Problems,
    interpreters: &[(String, String)],
    state: &AppState,
    settings: &Settings,
) -> FormView {
    let mut inputs = Vec::new();
    let mut hidden = Vec::new();
    let heading = match scope {
        Scope::Everything => {
            inputs.push(
                Input::new(
                    "interpreter",
                    "select",
                    &locale.text("coord-interpreter"),
                    &q.interpreter,
                )
                .choices(interpreters.to_vec()),
            );
            locale.text("coord-an-interpreter-s-pay-statement")
        }
        Scope::OwnStatement(code) => {
            hidden.push(("interpreter".to_string(), code.to_string()));
            locale.text("coord-my-pay-statement")
        }
    };
    inputs.extend(document_inputs(locale, q, state, settings));
    FormView {
        id: "statement".into(),
        heading,
        method: "get",
        action: "/downloads/pay-statement".into(),
        hidden,
        inputs: with_problems(inputs, problems),
        buttons: format_buttons(locale),
        ..FormView::default()
    }
}

/// A file to save, never cached.
pub(super) fn attachment(bytes: Vec<u8>, content_type: &'static str, file_name: &str) -> Response {
    let safe: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{safe}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; sandbox"),
    );
    response
}

/// `GET /downloads/requests.csv`.
pub async fn requests_csv(
    signed_in: SignedIn,
    state: State<AppState>,
    query: Query<ExportQuery>,
) -> Result<Response, WebError> {
    requests(signed_in, state, query, ExportFormat::Csv).await
}

/// `GET /downloads/requests.xlsx`.
pub async fn requests_xlsx(
    signed_in: SignedIn,
    state: State<AppState>,
    query: Query<ExportQuery>,
) -> Result<Response, WebError> {
    requests(signed_in, state, query, ExportFormat::Xlsx).await
}

async fn requests(
    signed_in: SignedIn,
    State(state): State<AppState>,
    Query(q): Query<ExportQuery>,
    format: ExportFormat,
) -> Result<Response, WebError> {
    let settings = settings(&state);
    let scope = match scope(&signed_in)? {
        Scope::Everything => Scope::Everything,
        Scope::OwnStatement(_) => return Err(WebError::NotFound),
    };
    let locale = signed_in.person().locale;
    let today = today(&state, &settings);
    let invalid = |problems: Problems| {
        let filled = Filled {
            export: q.clone(),
            export_problems: problems,
            ..Filled::default()
        };
        page(
            &signed_in,
            &state,
            &settings,
            &scope,
            StatusCode::UNPROCESSABLE_ENTITY,
            filled,
        )
    };
    let filter = match read_export(&q, today, locale) {
        Ok(f) => f,
        Err(problems) => return invalid(problems).await,
    };
    let options = ExportOptions {
        locale,
        time_zone: settings.general.time_zone,
        generated_at: state.workflow.clock().now(),
    };
    match crate::reports::export_requests(state.workflow.store(), &filter, format, &options).await {
        Ok(export) => {
            let name = format!(
                "{}-{}.{}",
                locale.text("coord-requests"),
                today.format("%Y-%m-%d"),
                format.as_str()
            );
            Ok(attachment(export.bytes, format.content_type(), &name))
        }
        Err(ExportError::UnknownEstablishment(_)) => {
            let message = locale.text("coord-no-establishment-has-this-code");
            invalid(vec![("establishment", message)]).await
        }
        Err(ExportError::UnknownInterpreter(_)) => {
            invalid(vec![("interpreter", locale.text("coord-unknown-interpreter"))]).await
        }
        Err(e) => Err(WebError::internal(e)),
    }
}

/// The two documents of `DocumentQuery`: an establishment's invoice, an interpreter's pay
/// statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Document {
    Invoice,
    PayStatement,
}

/// `GET /downloads/invoice?establishment=CCSMTL&from=…&to=…&format=html|csv`.
pub async fn invoice(
    signed_in: SignedIn,
    State(state): State<AppState>,
    Query(q): Query<DocumentQuery>,
) -> Result<Response, WebError> {
    document(signed_in, state, q, Document::Invoice).await
}

/// `GET /downloads/pay-statement?interpreter=UBIxx0001&from=…&to=…&format=html|csv`.
pub async fn pay_statement(
    signed_in: SignedIn,
    State(state): State<AppState>,
    Query(q): Query<DocumentQuery>,
) -> Result<Response, WebError> {
    document(signed_in, state, q, Document::PayStatement).await
}

/// Checks the query, then sends the document as a file, or the page with the form's
/// problems beside its fields.
async fn document(
    signed_in: SignedIn,
    state: AppState,
    q: DocumentQuery,
    kind: Document,
) -> Result<Response, WebError> {
    let settings = settings(&state);
    let scope = scope(&signed_in)?;
    // An interpreter's own statement is all they may see; anything else does not exist.
    if let Scope::OwnStatement(own) = &scope
        && (kind == Document::Invoice || UserCode::parse(&q.interpreter).as_ref() != Some(own))
    {
        return Err(WebError::NotFound);
    }
    let locale = signed_in.person().locale;
    let mut problems = Problems::new();
    if kind == Document::Invoice && q.establishment.trim().is_empty() {
        problems.push(("establishment", locale.text("coord-give-the-establishment-s-code")));
    }
    let period = read_document_period(&q, today(&state, &settings), locale, &mut problems);
    let format = read_format(&q, locale, &mut problems);
    let invalid = |problems: Problems| {
        let filled = match kind {
            Document::Invoice => Filled {
                invoice: q.clone(),
                invoice_problems: problems,
                ..Filled::default()
            },
            Document::PayStatement => Filled {
                statement: q.clone(),
                statement_problems: problems,
                ..Filled::default()
            },
        };
        page(
            &signed_in,
            &state,
            &settings,
            &scope,
            StatusCode::UNPROCESSABLE_ENTITY,
            filled,
        )
    };
    let (Some(period), Some(format), true) = (period, format, problems.is_empty()) else {
        return invalid(problems).await;
    };
    let store = state.workflow.store();
    let file = match kind {
        Document::Invoice => {
            crate::billing::invoice_file(store, &settings, &q.establishment, period, format, locale).await
        }
        Document::PayStatement => {
            crate::billing::pay_statement_file(store, &settings, &q.interpreter, period, format, locale).await
        }
    };
    let unknown = match file {
        Ok(file) => return Ok(attachment(file.bytes, format.content_type(), &file.file_name)),
        Err(BillingError::UnknownEstablishment(_)) => {
            ("establishment", locale.text("coord-no-establishment-has-this-code"))
        }
        Err(BillingError::UnknownInterpreter(_)) => ("interpreter", locale.text("coord-unknown-interpreter")),
        Err(e) => return Err(WebError::internal(e)),
    };
    invalid(vec![(unknown.0, unknown.1)]).await
}
