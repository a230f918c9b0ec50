//! `POST /admin/people/import` (coordinators with their second factor): a file of people,
//! read and imported as `relais accounts import` does (`domain::person_import`), in the
//! coordinator's name. The roster page comes back with the report: one line per line of
//! the file, and what was done or why not (for a known interpreter, which columns of their
//! profile the file changed). Importing the same file again changes nothing and sends
//! nothing.

use super::super::{FormView, Input, Item, Section, coordinator_actor};
use crate::domain::locale::Locale;
use crate::domain::person_import::{self, ProfileColumn};
use crate::web::AppState;
use crate::web::WebError;
use crate::web::account::Coordinator;
use crate::web::page::Tone;
use crate::workflow::accounts::{ImportOutcome, ImportReport};
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::StatusCode;
use axum::response::Response;

/// A file larger than this is refused: a bank's whole roster is a few hundred kilobytes.
const MAX_FILE_BYTES: usize = 1024 * 1024;

/// The form on the roster page.
pub fn form(csrf: &str, locale: Locale) -> FormView {
    FormView {
        id: "import".into(),
        heading: locale.text("coord-import-a-file"),
        method: "post",
        action: "/admin/people/import".into(),
        csrf: csrf.into(),
        inputs: vec![
            Input::new("file", "file", &locale.text("coord-csv-file"), "")
                .hint(locale.text("coord-one-person-a-line-columns-email")),
        ],
        buttons: vec![(locale.text("coord-import"), String::new())],
        secondary: true,
        multipart: true,
        ..FormView::default()
    }
}

/// Why a posted form could not be read.
enum Unread {
    /// Cut short or malformed.
    Form,
    /// The file is over [`MAX_FILE_BYTES`] (or the body over the server's limit).
    TooLarge,
}

/// What was posted: the CSRF value and the file's bytes, or why it could not be read.
async fn posted(request: Request) -> Result<(String, Vec<u8>), Unread> {
    let mut multipart = Multipart::from_request(request, &()).await.map_err(|_| Unread::Form)?;
    let (mut csrf, mut file) = (String::new(), Vec::new());
    while let Some(field) = multipart.next_field().await.map_err(|_| Unread::Form)? {
        match field.name() {
            Some("csrf") => csrf = field.text().await.map_err(|_| Unread::Form)?,
            Some("file") => {
                let bytes = field.bytes().await.map_err(|_| Unread::TooLarge)?;
                if bytes.len() > MAX_FILE_BYTES {
                    return Err(Unread::TooLarge);
                }
                file = bytes.to_vec();
            }
            _ => {}
        }
    }
    Ok((csrf, file))
}

fn outcome_text(outcome: &ImportOutcome, locale: Locale) -> String {
    let names = |columns: &[ProfileColumn]| ProfileColumn::names(columns, locale);
    match outcome {
        ImportOutcome::Created => locale.text("coord-added-activation-link-sent"),
        ImportOutcome::Invited(none) if none.is_empty() => locale.text("coord-known-already-activation-link-sent"),
        ImportOutcome::Invited(columns) => locale.text_with(
            "coord-known-already-updated-activation-link-sent",
            &[("fields", &names(columns))],
        ),
        ImportOutcome::Updated(columns) => {
            locale.text_with("coord-known-already-updated", &[("fields", &names(columns))])
        }
        ImportOutcome::Unchanged => locale.text("coord-known-already-unchanged"),
        ImportOutcome::Refused(why) => format!("{} {}", locale.text("coord-refused"), why.message(locale)),
    }
}

/// The report as a section of the roster page, and the notice that sums it up.
fn report_section(report: &ImportReport, locale: Locale) -> (Section, (Tone, String)) {
    let t = report.totals();
    let count = |n: usize| n.to_string();
    let summary = locale.text_with(
        "coord-file-imported",
        &[
            ("created", &count(t.created)),
            ("invited", &count(t.invited)),
            ("updated", &count(t.updated)),
            ("unchanged", &count(t.unchanged)),
            ("refused", &count(t.refused)),
        ],
    );
    let tone = if t.refused > 0 { Tone::Bad } else { Tone::Good };
    let lines = report
        .lines
        .iter()
        .map(|(number, email, outcome)| {
            let email = if email.is_empty() { "—" } else { email };
            format!(
                "{} {number} — {email} — {}",
                locale.text("coord-line"),
                outcome_text(outcome, locale)
            )
        })
        .collect();
    let section = Section {
        table: None,
        heading: locale.text("coord-file-import"),
        empty: locale.text("coord-the-file-holds-nobody"),
        lines,
        items: Vec::<Item>::new(),
    };
    (section, (tone, summary))
}

/// `POST /admin/people/import`.
pub async fn import(
    Coordinator(signed_in): Coordinator,
    State(state): State<AppState>,
    request: Request,
) -> Result<Response, WebError> {
    let settings = crate::web::signed::settings(&state);
    let pages = state.account_pages.clone();
    let locale = signed_in.person().locale;
    let bad = |status, fr: &str, en: &str| (status, Some((Tone::Bad, locale.pick(fr, en).to_string())));
    let (status, notice) = match posted(request).await {
        Ok((csrf, _)) if !signed_in.session().csrf_ok(&csrf) => {
            return Err(WebError::Csrf {
                locale,
                again: "/admin/people".into(),
            });
        }
        Ok((_, file)) if file.is_empty() => bad(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Rien n'a été importé : choisissez un fichier CSV.",
            "Nothing was imported: choose a CSV file.",
        ),
        Err(Unread::TooLarge) => bad(
            StatusCode::PAYLOAD_TOO_LARGE,
            "Rien n'a été importé : le fichier dépasse 1 Mo.",
            "Nothing was imported: the file is over 1 MB.",
        ),
        Err(Unread::Form) => bad(
            StatusCode::BAD_REQUEST,
            "Rien n'a été importé : le formulaire est arrivé incomplet ; réessayez.",
            "Nothing was imported: the form arrived incomplete; try again.",
        ),
        Ok((_, file)) => match person_import::read(&person_import::decode(&file)) {
            Err(problem) => {
                let text = format!(
                    "{} {}",
                    locale.text("coord-nothing-was-imported"),
                    problem.message(locale)
                );
                (StatusCode::UNPROCESSABLE_ENTITY, Some((Tone::Bad, text)))
            }
            Ok(lines) => {
                let report = match pages.accounts.import(coordinator_actor(&signed_in), lines).await {
                    Ok(r) => r,
                    Err(e) => return Err(WebError::internal(e)),
                };
                let (section, notice) = report_section(&report, locale);
                let status = StatusCode::OK;
                return super::list(&signed_in, &state, &settings, status, Some(notice), Some(section)).await;
            }
        },
    };
    super::list(&signed_in, &state, &settings, status, notice, None).await
}
