//! An interpreter's eligibility documents on their page (`/admin/people/{code}`), kept by
//! the coordinators one at a time: name, description, end of validity, whether it makes
//! the interpreter inactive once expired, comments, and a file (the permit's scan). The
//! file is checked and kept as the profile's other files are (`files`, `web::uploads`),
//! shown beside its document with a download button (`GET …/files/{id}`), and removed
//! with it.
//!
//! `POST /admin/people/{code}/documents` adds one (multipart), `POST …/documents/{index}`
//! saves one (multipart: a new file replaces the one attached), `POST
//! …/documents/{index}/remove` removes one. Each names its document by its place and its
//! name as the page showed it (`was`), so that a document renamed or removed meanwhile by
//! someone else is not touched.

use super::super::{FormView, Input, Item, Section, checked_form, coordinator_actor, see_other};
use super::files::interpreter;
use super::form::{Failed, Posted};
use crate::domain::interpreter::{EligibilityDocument, InterpreterProfile};
use crate::domain::interpreter_form::DocumentForm;
use crate::domain::locale::{self, Locale};
use crate::domain::person_form::{PersonField, PersonProblem, Problems};
use crate::store::interpreter_files::InterpreterFile;
use crate::web::account::Coordinator;
use crate::web::page::Tone;
use crate::web::uploads::{ATTACHMENTS, check_file, read_multipart};
use crate::web::{AppState, WebError};
use crate::workflow::roster::{DocumentChange, DocumentFile, RosterError};
use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;

/// The fields of a document's form, beside its file (`attachments`).
const FIELDS: [&str; 7] = [
    "document_name",
    "document_description",
    "document_until",
    "document_inactive",
    "document_comments",
    "remove_file",
    "was",
];

/// The inputs of a document's form, filled with `d` (empty for a new one); `file` is the
/// file attached, if any.
fn inputs(d: Option<&EligibilityDocument>, file: Option<&InterpreterFile>, locale: Locale) -> Vec<Input> {
    let text = |key: &str| locale.text(key);
    let or_empty = |v: Option<&String>| v.cloned().unwrap_or_default();
    let until = d.and_then(|d| d.valid_until).map(|u| u.to_string()).unwrap_or_default();
    let inactive = d.is_some_and(|d| d.inactive_if_invalid);
    let mut inputs = vec![
        Input::new(
            "document_name",
            "text",
            &text("coord-document-name"),
            d.map(|d| d.name.clone()).unwrap_or_default(),
        )
        .hint(text("coord-document-name-hint")),
        Input::new(
            "document_description",
            "text",
            &text("coord-file-description"),
            or_empty(d.and_then(|d| d.description.as_ref())),
        ),
        Input::new("document_until", "date", &text("coord-valid-until-yyyy-mm-dd"), until),
        Input {
            options: vec![("yes".into(), text("coord-document-inactive-if-expired"), inactive)],
            hint: text("coord-document-inactive-if-expired-hint"),
            ..Input::new("document_inactive", "checks", &text("coord-document-expiry"), "")
        },
        Input::new(
            "document_comments",
            "text",
            &text("coord-document-comments"),
            or_empty(d.and_then(|d| d.comments.as_ref())),
        ),
    ];
    let label = if file.is_some() {
        "coord-document-replace-the-file"
    } else {
        "coord-document-file"
    };
    inputs.push(Input::new(ATTACHMENTS, "upload", &text(label), "").hint(text("coord-file-hint")));
    if file.is_some() {
        inputs.push(Input {
            options: vec![("yes".into(), text("coord-document-remove-the-file"), false)],
            ..Input::new("remove_file", "checks", &text("coord-document-file"), "")
        });
    }
    inputs
}

/// What the page says of a document: its description, validity, comments and file.
fn lines(d: &EligibilityDocument, file: Option<&InterpreterFile>, locale: Locale) -> Vec<String> {
    let mut lines: Vec<String> = d.description.iter().cloned().collect();
    lines.push(match (d.valid_until, d.inactive_if_invalid) {
        (Some(until), true) => locale.text_with(
            "coord-document-valid-until-then-inactive",
            &[("date", &locale::long_date(until, locale))],
        ),
        (Some(until), false) => locale.text_with(
            "coord-document-valid-until",
            &[("date", &locale::long_date(until, locale))],
        ),
        (None, _) => locale.text("coord-document-no-end-date"),
    });
    lines.extend(d.comments.iter().cloned());
    lines.push(match file {
        Some(f) => {
            let size = locale::size(u64::try_from(f.size).unwrap_or(0), locale);
            let shown = format!("{} ({size})", f.file_name);
            locale.text_with("coord-document-file-attached", &[("file", &shown)])
        }
        None => locale.text("coord-document-no-file"),
    });
    lines
}

/// The section: each document with its file's download button, its form and its removal
/// button; then the form that adds one.
pub fn documents_section(
    p: &InterpreterProfile,
    files: &[InterpreterFile],
    base: &str,
    csrf: &str,
    locale: Locale,
) -> Section {
    let text = |key: &str| locale.text(key);
    let mut items: Vec<Item> = p
        .documents
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let file = d.file_id.and_then(|id| files.iter().find(|f| f.id == id));
            let was = vec![("was".to_string(), d.name.clone())];
            let mut forms = Vec::new();
            if let Some(f) = file {
                forms.push(FormView {
                    method: "get",
                    action: format!("{base}/files/{}", f.id),
                    buttons: vec![(text("coord-download-the-file"), String::new())],
                    secondary: true,
                    ..FormView::default()
                });
            }
            forms.push(FormView {
                id: format!("document-{i}"),
                method: "post",
                action: format!("{base}/documents/{i}"),
                csrf: csrf.into(),
                hidden: was.clone(),
                inputs: inputs(Some(d), file, locale),
                buttons: vec![(text("coord-save-the-document"), String::new())],
                multipart: true,
                ..FormView::default()
            });
            forms.push(FormView {
                method: "post",
                action: format!("{base}/documents/{i}/remove"),
                csrf: csrf.into(),
                hidden: was,
                buttons: vec![(text("coord-remove-this-document"), String::new())],
                secondary: true,
                ..FormView::default()
            });
            Item {
                headline: d.name.clone(),
                lines: lines(d, file, locale),
                forms,
            }
        })
        .collect();
    items.push(Item {
        headline: text("coord-add-a-document"),
        lines: vec![text("coord-eligibility-documents-intro")],
        forms: vec![FormView {
            id: "document-new".into(),
            method: "post",
            action: format!("{base}/documents"),
            csrf: csrf.into(),
            inputs: inputs(None, None, locale),
            buttons: vec![(text("coord-add-the-document"), String::new())],
            multipart: true,
            ..FormView::default()
        }],
    });
    Section {
        heading: text("coord-eligibility-documents"),
        items,
        ..Section::default()
    }
}

/// `POST /admin/people/{code}/documents`.
pub async fn add(
    Coordinator(signed_in): Coordinator,
    State(state): State<AppState>,
    Path(code): Path<String>,
    request: Request,
) -> Result<Response, WebError> {
    save(signed_in, state, code, None, request).await
}

/// `POST /admin/people/{code}/documents/{index}`.
pub async fn edit(
    Coordinator(signed_in): Coordinator,
    State(state): State<AppState>,
    Path((code, index)): Path<(String, usize)>,
    request: Request,
) -> Result<Response, WebError> {
    save(signed_in, state, code, Some(index), request).await
}

/// Reads a document's form and saves it: a new one (`index` `None`) or the one at `index`.
/// Anything wrong comes back in the form, beside its field, with nothing saved.
async fn save(
    signed_in: crate::web::account::SignedIn,
    state: AppState,
    code: String,
    index: Option<usize>,
    request: Request,
) -> Result<Response, WebError> {
    let locale = signed_in.person().locale;
    let person = interpreter(&state, &code).await?;
    let back = format!("/admin/people/{}", person.user_code);
    let settings = crate::web::signed::settings(&state);
    let read = match Multipart::from_request(request, &()).await {
        Ok(multipart) => read_multipart(multipart, |name| FIELDS.iter().find(|f| **f == name).copied()).await,
        Err(e) => Err(e.body_text()),
    };
    let Ok(posted) = read else {
        let text = format!(
            "{} {}",
            locale.text("coord-nothing-was-saved"),
            locale.text("coord-the-form-arrived-incomplete")
        );
        let (status, notice) = (StatusCode::UNPROCESSABLE_ENTITY, Some((Tone::Bad, text)));
        return super::person::person_page(&signed_in, &state, &settings, &person.user_code, status, notice, None)
            .await;
    };
    if !signed_in.session().csrf_ok(&posted.csrf) {
        return Err(WebError::Csrf { locale, again: back });
    }
    let value = |name: &str| posted.values.get(name).map(String::as_str).unwrap_or("");
    let mut problems = Problems::default();
    let document = DocumentForm {
        name: value("document_name"),
        description: value("document_description"),
        valid_until: value("document_until"),
        inactive_if_invalid: value("document_inactive"),
        comments: value("document_comments"),
    }
    .read(&mut problems);
    let file = match posted.files.as_slice() {
        [] => None,
        [(name, bytes)] => match check_file(name, bytes, locale) {
            Ok(file) => Some(file),
            Err(why) => {
                problems.push(PersonField::DocumentFile, PersonProblem::File(why));
                None
            }
        },
        _ => {
            let why = locale.text("coord-choose-one-file");
            problems.push(PersonField::DocumentFile, PersonProblem::File(why));
            None
        }
    };
    let change = match index {
        None => DocumentChange::Add(document, file),
        Some(index) => DocumentChange::Edit {
            index,
            was: value("was").to_string(),
            document,
            file: match (file, value("remove_file")) {
                (Some(f), _) => DocumentFile::Replace(f),
                (None, "") => DocumentFile::Keep,
                (None, _) => DocumentFile::Remove,
            },
        },
    };
    let outcome = match problems.or(()) {
        Ok(()) => {
            let actor = coordinator_actor(&signed_in);
            state
                .workflow
                .change_eligibility_document(actor, person.id, change)
                .await
        }
        Err(errors) => Err(RosterError::Invalid(errors)),
    };
    match outcome {
        Ok(true) => Ok(see_other(format!("{back}?done=document_saved"))),
        // Removed or renamed meanwhile: that document is no longer on the page.
        Ok(false) => Err(WebError::NotFound),
        Err(RosterError::Invalid(errors)) => {
            let form = index.map_or("document-new".to_string(), |i| format!("document-{i}"));
            let typed: Posted = posted.values.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
            let failed = Failed {
                form,
                posted: typed,
                errors,
            };
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            super::person::person_page(
                &signed_in,
                &state,
                &settings,
                &person.user_code,
                status,
                None,
                Some(failed),
            )
            .await
        }
        Err(RosterError::Workflow(e)) => Err(e.into()),
    }
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct Remove {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    was: String,
}

/// `POST /admin/people/{code}/documents/{index}/remove`: the document and its file.
pub async fn remove(
    Coordinator(signed_in): Coordinator,
    State(state): State<AppState>,
    Path((code, index)): Path<(String, usize)>,
    form: Result<Form<Remove>, FormRejection>,
) -> Result<Response, WebError> {
    let person = interpreter(&state, &code).await?;
    let back = format!("/admin/people/{}", person.user_code);
    let posted = checked_form(&signed_in, form, |f| &f.csrf, &back)?;
    let actor = coordinator_actor(&signed_in);
    let change = DocumentChange::Remove { index, was: posted.was };
    match state
        .workflow
        .change_eligibility_document(actor, person.id, change)
        .await
    {
        Ok(true) => Ok(see_other(format!("{back}?done=document_removed"))),
        Ok(false) | Err(RosterError::Invalid(_)) => Err(WebError::NotFound),
        Err(RosterError::Workflow(e)) => Err(e.into()),
    }
}
