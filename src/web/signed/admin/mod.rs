//! `/admin/people` (coordinators with their second factor): everyone the bank knows, by
//! role, active or not, each with their page (`person`) and a button that sends an
//! activation link, what `relais accounts invite` does from the command line; a person is
//! added on `new_person`.

pub mod documents;
pub mod files;
mod form;
pub mod import;
mod interpreter;
pub mod new_person;
pub mod person;
mod roles;

use super::{FormView, Item, Section, SignedPage, render};
use crate::config::Settings;
use crate::domain::contact::EmailAddress;
use crate::domain::locale::Locale;
use crate::domain::person::Person;
use crate::domain::role::Role;
use crate::web::AppState;
use crate::web::WebError;
use crate::web::account::{Coordinator, SignedIn};
use crate::web::page::Tone;
use crate::workflow::accounts::InviteOutcome;
use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

/// `GET /admin/people`.
pub async fn people(Coordinator(signed_in): Coordinator, State(state): State<AppState>) -> Result<Response, WebError> {
    let settings = crate::web::signed::settings(&state);
    list(&signed_in, &state, &settings, StatusCode::OK, None, None).await
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

fn role_heading(role: Role, locale: Locale) -> String {
    match role {
        Role::Coordinator => locale.text("coord-coordinators"),
        Role::Interpreter => locale.text("coord-interpreters"),
        Role::Requester => locale.text("coord-requesters"),
    }
}

/// The roster page, with the report of a file just imported (`report`) above it.
async fn list(
    signed_in: &SignedIn,
    state: &AppState,
    settings: &Settings,
    status: StatusCode,
    notice: Option<(Tone, String)>,
    report: Option<Section>,
) -> Result<Response, WebError> {
    let locale = signed_in.person().locale;
    let csrf = signed_in.session().csrf();
    let mut page = SignedPage::new(signed_in, ("Personnes", "People"));
    if let Some((tone, text)) = notice {
        page = page.notice(tone, text);
    }
    page.sections.extend(report);
    page.sections.push(Section {
        heading: locale.text("coord-add"),
        items: vec![Item {
            headline: String::new(),
            lines: Vec::new(),
            forms: vec![
                FormView {
                    method: "get",
                    action: "/admin/people/new".into(),
                    buttons: vec![(locale.text("coord-add-a-person"), String::new())],
                    ..FormView::default()
                },
                import::form(&csrf, locale),
            ],
        }],
        ..Section::default()
    });
    let mut tx = state.workflow.store().begin_read().await?;
    let accounts: std::collections::HashMap<_, _> = tx.account_states().await?.into_iter().collect();
    for role in [Role::Coordinator, Role::Interpreter, Role::Requester] {
        let people = tx.roster(role).await?;
        page.sections.push(Section {
            table: None,
            heading: role_heading(role, locale).to_string(),
            empty: locale.text("coord-nobody"),
            lines: Vec::new(),
            items: people
                .iter()
                .map(|p| roster_item(p, accounts.get(&p.id).copied(), &csrf, locale))
                .collect(),
        });
    }
    tx.commit().await?;
    Ok(render(status, &settings.general.bank_name, &page))
}

/// One person of the roster: their address and the state of their account, their page,
/// and the button that sends an activation link where one is of use (an active person
/// whose account is not activated yet).
fn roster_item(p: &Person, account: Option<bool>, csrf: &str, locale: Locale) -> Item {
    let state = match (p.active, account) {
        (false, _) => locale.text("coord-inactive"),
        (true, Some(true)) => locale.pick("compte actif", "account active").to_string(),
        (true, Some(false)) => locale
            .pick(
                "lien d'activation envoyé, pas encore activé",
                "activation link sent, not activated yet",
            )
            .to_string(),
        (true, None) => locale.pick("pas de compte", "no account").to_string(),
    };
    let mut forms = vec![FormView {
        method: "get",
        action: format!("/admin/people/{}", p.user_code),
        buttons: vec![(
            format!("{} {}", locale.text("coord-manage"), p.user_code),
            String::new(),
        )],
        secondary: true,
        ..FormView::default()
    }];
    if p.active && account != Some(true) {
        forms.push(FormView {
            method: "post",
            action: "/admin/people/invite".into(),
            csrf: csrf.to_string(),
            hidden: vec![("email".into(), p.email.to_string())],
            buttons: vec![(locale.text("coord-send-an-activation-link"), String::new())],
            secondary: true,
            ..FormView::default()
        });
    }
    Item {
        headline: format!("{} — {}", p.display_name(), p.user_code),
        lines: vec![format!("{} — {state}", p.email)],
        forms,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct InviteForm {
    csrf: String,
    email: String,
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
        return list(
            &signed_in,
            &state,
            &settings,
            StatusCode::UNPROCESSABLE_ENTITY,
            bad(&text),
            None,
        )
        .await;
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
    list(&signed_in, &state, &settings, StatusCode::OK, Some((tone, text)), None).await
}
