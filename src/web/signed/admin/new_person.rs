//! `/admin/people/new` (coordinators with their second factor): one person added from the
//! web, what `relais accounts import` does for a file. A requester is placed in one
//! installation (more are added on their page), an interpreter starts with their language
//! pairs; the new person gets their activation link by email at once.

use super::super::{FormView, Input, SignedPage, coordinator_actor, render, see_other};
use super::form::{Failed, Posted, apply, contact, contact_inputs, first};
use crate::config::Settings;
use crate::domain::ids::InstallationId;
use crate::domain::interpreter::InterpreterProfile;
use crate::domain::locale::Locale;
use crate::domain::person::{NewPerson, RequesterProfile};
use crate::domain::person_form::{ContactForm, PersonField, PersonProblem, Problems, read_languages};
use crate::domain::role::Role;
use crate::store::StoreError;
use crate::web::AppState;
use crate::web::WebError;
use crate::web::account::{Coordinator, SignedIn};
use crate::web::page::Tone;
use crate::workflow::NewPersonCommand;
use crate::workflow::accounts::InviteOutcome;
use crate::workflow::roster::RosterError;
use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::StatusCode;
use axum::response::Response;

/// Every installation, as "CODE — name", for the choice of a requester's.
pub(super) async fn installation_choices(
    state: &AppState,
    locale: Locale,
) -> Result<Vec<(String, String)>, StoreError> {
    let mut tx = state.workflow.store().begin_read().await?;
    let mut choices = vec![(String::new(), locale.text("coord-requesters-only"))];
    for summary in tx.establishment_summaries().await? {
        let e = summary.establishment;
        for i in tx.installations_of(e.id).await? {
            choices.push((i.id.0.to_string(), format!("{} — {}", e.code, i.name)));
        }
    }
    tx.commit().await?;
    Ok(choices)
}

async fn page(
    signed_in: &SignedIn,
    state: &AppState,
    settings: &Settings,
    status: StatusCode,
    notice: Option<(Tone, String)>,
    failed: Option<Failed>,
) -> Result<Response, WebError> {
    let locale = signed_in.person().locale;
    let installations = match installation_choices(state, locale).await {
        Ok(c) => c,
        Err(e) => return Err(e.into()),
    };
    let mut page = SignedPage::new(signed_in, ("Ajouter une personne", "Add a person"));
    if let Some((tone, text)) = notice {
        page = page.notice(tone, text);
    }
    page.links.push(("/admin/people".into(), locale.text("coord-everyone")));
    let mut inputs = vec![
        Input::new("role", "select", &locale.text("coord-role"), "requester").choices(
            Role::ALL
                .into_iter()
                .map(|r| (r.as_str().to_string(), super::role_name(r, locale).to_string()))
                .collect(),
        ),
    ];
    inputs.extend(contact_inputs(
        &ContactForm {
            locale: "fr",
            ..ContactForm::default()
        },
        locale,
    ));
    inputs.push(
        Input::new("installation", "select", &locale.text("coord-installation"), "")
            .choices(installations)
            .hint(locale.text("coord-for-a-requester-their-establishment-is")),
    );
    inputs.push(
        Input::new("languages", "textarea", &locale.text("coord-languages"), "")
            .hint(locale.text("coord-for-an-interpreter-one-pair-a")),
    );
    page.forms.push(FormView {
        id: "new-person".into(),
        method: "post",
        action: "/admin/people/new".into(),
        csrf: signed_in.session().csrf(),
        inputs,
        buttons: vec![(locale.text("coord-add-and-send-the-activation-link"), String::new())],
        ..FormView::default()
    });
    apply(&mut page, failed.as_ref());
    Ok(render(status, &settings.general.bank_name, &page))
}

/// `GET /admin/people/new`.
pub async fn show(Coordinator(signed_in): Coordinator, State(state): State<AppState>) -> Result<Response, WebError> {
    let settings = crate::web::signed::settings(&state);
    page(&signed_in, &state, &settings, StatusCode::OK, None, None).await
}

/// The command the form describes, or its problems.
async fn read(
    state: &AppState,
    settings: &Settings,
    posted: &Posted,
) -> Result<Result<NewPersonCommand, Problems>, StoreError> {
    let mut problems = Problems::default();
    let role = first(posted, "role").parse::<Role>().ok();
    if role.is_none() {
        problems.push(PersonField::Role, PersonProblem::Choice);
    }
    let contact = contact(posted).read(&settings.general.default_phone_region, &mut problems);
    let mut requester = None;
    if role == Some(Role::Requester) {
        let chosen = first(posted, "installation").parse().ok().map(InstallationId);
        let mut tx = state.workflow.store().begin_read().await?;
        let installation = match chosen {
            Some(id) => match tx.installation(id).await {
                Ok(i) => Some(i),
                Err(StoreError::NotFound) => None,
                Err(e) => return Err(e),
            },
            None => None,
        };
        tx.commit().await?;
        match installation {
            Some(i) => {
                requester = Some(RequesterProfile {
                    establishment_id: i.establishment_id,
                    installations: vec![i.id],
                    cost_centre_id: None,
                    notify_when_offered: false,
                })
            }
            None => problems.push(PersonField::Installation, PersonProblem::NoInstallation),
        }
    }
    let interpreter = (role == Some(Role::Interpreter)).then(|| InterpreterProfile {
        language_pairs: read_languages(first(posted, "languages"), &mut problems),
        ..InterpreterProfile::default()
    });
    let (Some(role), Some(contact), true) = (role, contact, problems.0.is_empty()) else {
        return Ok(Err(problems));
    };
    let person = NewPerson {
        first_name: contact.first_name,
        last_name: contact.last_name,
        email: contact.email,
        notify_sms: role == Role::Interpreter && contact.mobile.is_some(),
        mobile: contact.mobile,
        phone: contact.phone,
        locale: contact.locale,
        notify_email: true,
        roles: vec![role],
    };
    Ok(Ok(NewPersonCommand {
        person,
        requester,
        interpreter,
    }))
}

/// `POST /admin/people/new`: adds the person, sends the activation link, shows their page.
pub async fn create(
    Coordinator(signed_in): Coordinator,
    State(state): State<AppState>,
    form: Result<Form<Posted>, FormRejection>,
) -> Result<Response, WebError> {
    let settings = crate::web::signed::settings(&state);
    let posted = super::checked(&signed_in, form, "/admin/people/new")?;
    let command = match read(&state, &settings, &posted).await {
        Ok(Ok(c)) => c,
        Ok(Err(problems)) => return refused(&signed_in, &state, &settings, posted, problems.0).await,
        Err(e) => return Err(e.into()),
    };
    let email = command.person.email.clone();
    let person = match state.workflow.enlist(coordinator_actor(&signed_in), command).await {
        Ok(p) => p,
        Err(RosterError::Invalid(errors)) => return refused(&signed_in, &state, &settings, posted, errors).await,
        Err(RosterError::Workflow(e)) => return Err(e.into()),
    };
    let pages = state.account_pages.clone();
    let done = match pages.accounts.invite(&email).await? {
        InviteOutcome::Invited => "invited",
        _ => "created",
    };
    Ok(see_other(format!("/admin/people/{}?done={done}", person.user_code)))
}

async fn refused(
    signed_in: &SignedIn,
    state: &AppState,
    settings: &Settings,
    posted: Posted,
    errors: Vec<crate::domain::person_form::PersonFieldError>,
) -> Result<Response, WebError> {
    let failed = Failed {
        form: "new-person".into(),
        posted,
        errors,
    };
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    page(signed_in, state, settings, status, None, Some(failed)).await
}
