//! `/admin/people` (coordinators with their second factor): everyone the bank knows, active
//! or not, searched and narrowed by role and account, fifty a page (`roster`), each with
//! their page (`person`) and, where of use, a button that sends an activation link, what
//! `relais accounts invite` does from the command line; a person is added on `new_person`.

pub mod documents;
pub mod files;
mod form;
pub mod import;
mod interpreter;
pub mod new_person;
pub mod person;
mod roles;
mod roster;

use super::Section;
use crate::config::Settings;
use crate::domain::contact::EmailAddress;
use crate::domain::locale::Locale;
use crate::domain::role::Role;
use crate::web::AppState;
use crate::web::WebError;
use crate::web::account::{Coordinator, SignedIn};
use crate::web::page::Tone;
use crate::workflow::accounts::InviteOutcome;
use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

/// `GET /admin/people?q=&role=&status=&page=`.
pub async fn people(
    Coordinator(signed_in): Coordinator,
    State(state): State<AppState>,
    Query(search): Query<roster::Search>,
) -> Result<Response, WebError> {
    let settings = crate::web::signed::settings(&state);
    roster::show(&signed_in, &state, &settings, StatusCode::OK, None, None, &search).await
}

/// The posted pairs with the session's CSRF value, or the CSRF answer (`again`: the page).
fn checked(
    signed_in: &SignedIn,
    form: Result<Form<form::Posted>, FormRejection>,
    again: &str,
) -> Result<form::Posted, WebError> {
    super::checked_form(signed_in, form, |p| form::first(p, "csrf"), again)
}

/// A role, as a person holds it and as the new-person form offers it.
fn role_name(role: Role, locale: Locale) -> String {
    match role {
        Role::Coordinator => locale.text("coord-coordinator"),
        Role::Interpreter => locale.text("coord-interpreter"),
        Role::Requester => locale.text("coord-requester"),
    }
}

/// The roster page as it opens, with `notice` and the report of a file just imported
/// (`report`) above it.
async fn list(
    signed_in: &SignedIn,
    state: &AppState,
    settings: &Settings,
    status: StatusCode,
    notice: Option<(Tone, String)>,
    report: Option<Section>,
) -> Result<Response, WebError> {
    let search = roster::Search::default();
    roster::show(signed_in, state, settings, status, notice, report, &search).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct InviteForm {
    csrf: String,
    email: String,
    /// The list the button was pressed on, shown again.
    #[serde(flatten)]
    search: roster::Search,
}

/// `POST /admin/people/invite`: queues an activation link, as `relais accounts invite`.
pub async fn invite(
    Coordinator(signed_in): Coordinator,
    State(state): State<AppState>,
    form: Result<Form<InviteForm>, FormRejection>,
) -> Result<Response, WebError> {
    let settings = crate::web::signed::settings(&state);
    let pages = state.account_pages.clone();
    let locale = signed_in.person().locale;
    let bad = |text: &str| Some((Tone::Bad, text.to_string()));
    let form = super::checked_form(&signed_in, form, |f| &f.csrf, "/admin/people")?;
    let Ok(email) = EmailAddress::parse(&form.email) else {
        let text = locale.text("coord-invalid-email-address");
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return roster::show(&signed_in, &state, &settings, status, bad(&text), None, &form.search).await;
    };
    let outcome = pages.accounts.invite(&email).await?;
    let (tone, fr, en) = match outcome {
        InviteOutcome::Invited => (
            Tone::Good,
            "Un lien d'activation a été envoyé à",
            "An activation link was sent to",
        ),
        InviteOutcome::AlreadyActive => (
            Tone::Neutral,
            "Ce compte est déjà activé ; « Mot de passe oublié » est son chemin de retour :",
            "This account is active already; “Forgot password” is its way back:",
        ),
        InviteOutcome::Inactive => (
            Tone::Bad,
            "Cette personne est inactive ; aucun lien n'a été envoyé :",
            "This person is inactive; no link was sent:",
        ),
        InviteOutcome::NoSuchPerson => (Tone::Bad, "Personne n'a cette adresse :", "Nobody has this address:"),
    };
    let text = format!("{} {email}", locale.pick(fr, en));
    let notice = Some((tone, text));
    roster::show(
        &signed_in,
        &state,
        &settings,
        StatusCode::OK,
        notice,
        None,
        &form.search,
    )
    .await
}
