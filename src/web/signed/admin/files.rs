//! An interpreter's files on their page (`/admin/people/{code}`), kept by the coordinators:
//! a cheque specimen, a training certificate, the scan of a permit. Each is a PDF, JPEG or
//! PNG (checked by its bytes, as the request form's attachments are), at most 10 MB, with a
//! description; each can be downloaded and removed, and both show in the history.
//! `POST /admin/people/{code}/files` adds one (multipart), `GET …/files/{id}` downloads it,
//! `POST …/files/{id}/remove` removes it.

use super::super::{FormView, Input, Item, Section, coordinator_actor, see_other};
use crate::domain::locale::Locale;
use crate::domain::person::UserCode;
use crate::domain::text;
use crate::store::interpreter_files::InterpreterFile;
use crate::web::account::Coordinator;
use crate::web::page::Tone;
use crate::web::uploads::{ATTACHMENTS, check_file, file_response, read_multipart};
use crate::web::{AppState, WebError};
use crate::workflow::roster::RosterError;
use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;

/// The section: each file with its buttons, and the form that adds one.
pub fn files_section(files: &[InterpreterFile], base: &str, csrf: &str, locale: Locale) -> Section {
    let mut items: Vec<Item> = files
        .iter()
        .map(|f| Item {
            headline: match &f.description {
                Some(d) => format!("{d} — {}", f.file_name),
                None => f.file_name.clone(),
            },
            lines: vec![format!(
                "{} Ko — {}",
                (f.size + 1023) / 1024,
                f.uploaded_at.format("%Y-%m-%d")
            )],
            forms: vec![
                FormView {
                    method: "get",
                    action: format!("{base}/files/{}", f.id),
                    buttons: vec![(locale.text("coord-download"), String::new())],
                    secondary: true,
                    ..FormView::default()
                },
                FormView {
                    method: "post",
                    action: format!("{base}/files/{}/remove", f.id),
                    csrf: csrf.into(),
                    buttons: vec![(locale.text("coord-remove-this-file"), String::new())],
                    secondary: true,
                    ..FormView::default()
                },
            ],
        })
        .collect();
    items.push(Item {
        headline: String::new(),
        lines: Vec::new(),
        forms: vec![FormView {
            id: "files".into(),
            method: "post",
            action: format!("{base}/files"),
            csrf: csrf.into(),
            inputs: vec![
                Input::new("description", "text", &locale.text("coord-file-description"), "")
                    .hint(locale.text("coord-file-description-hint")),
                Input::new(ATTACHMENTS, "upload", &locale.text("coord-file"), "").hint(locale.text("coord-file-hint")),
            ],
            buttons: vec![(locale.text("coord-add-the-file"), String::new())],
            multipart: true,
            ..FormView::default()
        }],
    });
    Section {
        heading: locale.text("coord-files"),
        items,
        ..Section::default()
    }
}

/// The person of `code`, when they are an interpreter (their files and documents pages).
pub(super) async fn interpreter(state: &AppState, code: &str) -> Result<crate::domain::person::Person, WebError> {
    let code = UserCode::parse(code).ok_or(WebError::NotFound)?;
    let mut tx = state.workflow.store().begin_read().await?;
    let person = tx.person_by_user_code(&code).await?.ok_or(WebError::NotFound)?;
    let is_interpreter = tx.interpreter_profile(person.id).await?.is_some();
    tx.commit().await?;
    if is_interpreter {
        Ok(person)
    } else {
        Err(WebError::NotFound)
    }
}

/// `POST /admin/people/{code}/files`: one file with its description; anything wrong comes
/// back on the person's page, saying what, with nothing kept.
pub async fn add(
    Coordinator(signed_in): Coordinator,
    State(state): State<AppState>,
    Path(code): Path<String>,
    request: Request,
) -> Result<Response, WebError> {
    let locale = signed_in.person().locale;
    let person = interpreter(&state, &code).await?;
    let back = format!("/admin/people/{}", person.user_code);
    let read = match Multipart::from_request(request, &()).await {
        Ok(multipart) => read_multipart(multipart, |name| (name == "description").then_some(())).await,
        Err(e) => Err(e.body_text()),
    };
    let (shown, to) = (&signed_in, &person.user_code);
    let state_ref = &state;
    let refused = move |text: String| async move {
        let settings = crate::web::signed::settings(state_ref);
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        let notice = Some((Tone::Bad, format!("{} {text}", locale.text("coord-no-file-was-added"))));
        super::person::person_page(shown, state_ref, &settings, to, status, notice, None).await
    };
    let Ok(posted) = read else {
        return refused(locale.text("coord-the-form-arrived-incomplete")).await;
    };
    if !signed_in.session().csrf_ok(&posted.csrf) {
        return Err(WebError::Csrf { locale, again: back });
    }
    let description = posted.values.get(&()).map(String::as_str).unwrap_or("");
    let description = match text::line(description, 200) {
        Ok(d) => Some(d.to_string()).filter(|d| !d.is_empty()),
        Err(problem) => return refused(problem.about(&locale.text("coord-file-description"), locale)).await,
    };
    let file = match posted.files.as_slice() {
        [(name, bytes)] => check_file(name, bytes, locale),
        _ => Err(locale.text("coord-choose-one-file")),
    };
    let file = match file {
        Ok(file) => file,
        Err(text) => return refused(text).await,
    };
    let actor = coordinator_actor(&signed_in);
    match state
        .workflow
        .add_interpreter_file(actor, person.id, description, file)
        .await
    {
        Ok(()) => Ok(see_other(format!("{back}?done=file_added"))),
        Err(RosterError::Workflow(e)) => Err(e.into()),
        Err(RosterError::Invalid(_)) => Err(WebError::NotFound),
    }
}

/// `GET /admin/people/{code}/files/{id}`.
pub async fn download(
    Coordinator(_signed_in): Coordinator,
    State(state): State<AppState>,
    Path((code, id)): Path<(String, i64)>,
) -> Result<Response, WebError> {
    let person = interpreter(&state, &code).await?;
    let mut tx = state.workflow.store().begin_read().await?;
    let found = tx.interpreter_file_content(person.id, id).await?;
    tx.commit().await?;
    let (info, bytes) = found.ok_or(WebError::NotFound)?;
    Ok(file_response(&info.file_name, bytes))
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct Remove {
    #[serde(default)]
    csrf: String,
}

/// `POST /admin/people/{code}/files/{id}/remove`.
pub async fn remove(
    Coordinator(signed_in): Coordinator,
    State(state): State<AppState>,
    Path((code, id)): Path<(String, i64)>,
    form: Result<Form<Remove>, FormRejection>,
) -> Result<Response, WebError> {
    let person = interpreter(&state, &code).await?;
    let back = format!("/admin/people/{}", person.user_code);
    super::super::checked_form(&signed_in, form, |f| &f.csrf, &back)?;
    let actor = coordinator_actor(&signed_in);
    match state.workflow.remove_interpreter_file(actor, person.id, id).await {
        Ok(true) => Ok(see_other(format!("{back}?done=file_removed"))),
        Ok(false) | Err(RosterError::Invalid(_)) => Err(WebError::NotFound),
        Err(RosterError::Workflow(e)) => Err(e.into()),
    }
}
