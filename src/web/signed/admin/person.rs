//! `/admin/people/{code}` (coordinators with their second factor): one person's page, with
//! what the coordinators keep for them: the contact block, an interpreter's languages and
//! financial file (read-only on the interpreter's own profile), a requester's installations
//! and cost centre, the activation link, and deactivation. The person's history is at the
//! foot. Each form posts to `/admin/people/{code}/{part}`.

use super::super::{FormView, Input, Item, Section, SignedPage, coordinator_actor, history, render, see_other};
use super::form::{Failed, Posted, all, apply, contact, contact_inputs, first};
use super::{documents, interpreter, roles};
use crate::config::Settings;
use crate::domain::history::Entity;
use crate::domain::ids::{CostCentreId, InstallationId, PersonId};
use crate::domain::interpreter::{InterpreterProfile, TaxNumber};
use crate::domain::locale::Locale;
use crate::domain::organisation::{CostCentre, Establishment, Installation};
use crate::domain::person::{Person, RequesterProfile, UserCode};
use crate::domain::person_form::{
    ContactForm, FinancialForm, Problems, read_languages, tax_registrations, write_languages,
};
use crate::domain::role::Role;
use crate::store::StoreError;
use crate::store::accounts::Account;
use crate::store::interpreter_files::InterpreterFile;
use crate::web::AppState;
use crate::web::WebError;
use crate::web::account::{Coordinator, SignedIn};
use crate::web::page::Tone;
use crate::workflow::accounts::{InviteOutcome, MfaReset};
use crate::workflow::roster::{ActiveChange, RosterError};
use crate::workflow::{Actor, Workflow, WorkflowError};
use axum::Form;
use axum::extract::rejection::{FormRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

/// Everything the page shows of one person.
struct Loaded {
    person: Person,
    account: Option<Account>,
    requester: Option<(RequesterProfile, Establishment, Vec<Installation>, Vec<CostCentre>)>,
    interpreter: Option<InterpreterProfile>,
    /// Every establishment, for an interpreter's blocked ones.
    establishments: Vec<Establishment>,
    /// An interpreter's files.
    files: Vec<InterpreterFile>,
    /// Where signing in lands them, if a coordinator chose it.
    default_role: Option<Role>,
    history: Vec<String>,
}

fn action_label(action: &str, locale: Locale) -> Option<String> {
    history::person_action(action, locale)
}

async fn load(state: &AppState, code: &UserCode, settings: &Settings, locale: Locale) -> Result<Loaded, StoreError> {
    let mut tx = state.workflow.store().begin_read().await?;
    let person = tx.person_by_user_code(code).await?.ok_or(StoreError::NotFound)?;
    let account = tx.account(person.id).await?;
    let requester = match tx.requester_profile(person.id).await? {
        Some(profile) => {
            let establishment = tx.establishment(profile.establishment_id).await?;
            let installations = tx.installations_of(profile.establishment_id).await?;
            let centres = tx.cost_centres_of(profile.establishment_id).await?;
            Some((profile, establishment, installations, centres))
        }
        None => None,
    };
    let interpreter = tx.interpreter_profile(person.id).await?;
    let mut establishments = Vec::new();
    let files = tx.interpreter_files(person.id).await?;
    let default_role = tx.default_role(person.id).await?;
    if interpreter.is_some() {
        for summary in tx.establishment_summaries().await? {
            establishments.push(summary.establishment);
        }
    }
    let history = history::lines(&mut tx, Entity::Person, person.id.0, action_label, settings, locale).await?;
    tx.commit().await?;
    Ok(Loaded {
        person,
        account,
        requester,
        interpreter,
        establishments,
        files,
        default_role,
        history,
    })
}

fn save(id: &str, action: String, csrf: &str, inputs: Vec<Input>, label: &str) -> FormView {
    FormView {
        id: id.into(),
        method: "post",
        action,
        csrf: csrf.into(),
        inputs,
        buttons: vec![(label.into(), String::new())],
        ..FormView::default()
    }
}

fn one_item(heading: &str, lines: Vec<String>, form: FormView) -> Section {
    Section {
        heading: heading.into(),
        items: vec![Item {
            headline: String::new(),
            lines,
            forms: vec![form],
        }],
        ..Section::default()
    }
}

fn account_state(account: Option<&Account>, locale: Locale) -> String {
    match account {
        Some(a) if a.password_hash.is_some() && a.mfa_method.is_some() => {
            locale.text("coord-activated-with-a-second-factor")
        }
        Some(a) if a.password_hash.is_some() => locale.text("coord-activated-without-a-second-factor"),
        Some(_) => locale.text("coord-activation-link-sent-not-used-yet"),
        None => locale.text("coord-no-web-account"),
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn person_page(
    signed_in: &SignedIn,
    state: &AppState,
    settings: &Settings,
    code: &UserCode,
    status: StatusCode,
    notice: Option<(Tone, String)>,
    failed: Option<Failed>,
) -> Result<Response, WebError> {
    let locale = signed_in.person().locale;
    let csrf = signed_in.session().csrf();
    let loaded = match load(state, code, settings, locale).await {
        Ok(l) => l,
        Err(StoreError::NotFound) => return Err(WebError::NotFound),
        Err(e) => return Err(e.into()),
    };
    let p = &loaded.person;
    let base = format!("/admin/people/{}", p.user_code);
    let mut page = SignedPage::new(signed_in, ("Personne", "Person"));
    page.title = format!("{} — {}", p.display_name(), p.user_code);
    if let Some((tone, text)) = notice {
        page = page.notice(tone, text);
    }
    page.links.push(("/admin/people".into(), locale.text("coord-everyone")));
    page.facts = person_facts(&loaded, locale);
    page.sections.push(contact_section(p, &base, &csrf, locale));
    let installations = super::new_person::installation_choices(state, locale).await?;
    page.sections.push(roles::roles_section(
        p,
        loaded.default_role,
        installations,
        &base,
        &csrf,
        locale,
    ));
    if let Some(profile) = &loaded.interpreter {
        let tz = settings.general.time_zone;
        page.sections.push(record_section(profile, &base, &csrf, locale));
        page.sections.push(interpreter::placement_section(
            profile,
            &loaded.establishments,
            &base,
            &csrf,
            locale,
        ));
        page.sections.push(documents::documents_section(
            profile,
            &loaded.files,
            &base,
            &csrf,
            locale,
        ));
        page.sections
            .push(interpreter::inactivity_section(profile, &base, &csrf, locale, tz));
        // A document's file shows beside its document, not among the others.
        let others: Vec<InterpreterFile> = loaded
            .files
            .iter()
            .filter(|f| !profile.documents.iter().any(|d| d.file_id == Some(f.id)))
            .cloned()
            .collect();
        page.sections
            .push(super::files::files_section(&others, &base, &csrf, locale));
    }
    if let Some(requester) = &loaded.requester {
        page.sections.push(places_section(requester, &base, &csrf, locale));
    }
    let is_self = p.id == signed_in.person().id;
    page.sections
        .push(access_section(&loaded, is_self, &base, &csrf, locale));
    page.sections.push(Section {
        table: None,
        heading: locale.text("coord-history"),
        empty: locale.text("coord-no-change-recorded"),
        lines: loaded.history,
        items: Vec::new(),
    });
    apply(&mut page, failed.as_ref());
    Ok(render(status, &settings.general.bank_name, &page))
}

/// Who the person is: code, roles, whether active, their web account.
fn person_facts(loaded: &Loaded, locale: Locale) -> Vec<(String, String)> {
    let p = &loaded.person;
    let roles: Vec<String> = p.roles.iter().map(|r| super::role_name(*r, locale)).collect();
    vec![
        (locale.text("coord-user-code"), p.user_code.to_string()),
        (locale.text("coord-role"), roles.join(", ")),
        (
            locale.text("coord-default-role"),
            match loaded.default_role {
                Some(r) => super::role_name(r, locale),
                None => locale.text("coord-default-role-by-roles"),
            },
        ),
        (
            locale.text("coord-status"),
            if p.active {
                locale.text("coord-active")
            } else {
                locale.text("coord-inactive-cannot-sign-in-nor-get")
            },
        ),
        (
            locale.text("coord-web-account"),
            account_state(loaded.account.as_ref(), locale),
        ),
    ]
}

/// The contact details' form.
fn contact_section(p: &Person, base: &str, csrf: &str, locale: Locale) -> Section {
    let mobile = p.mobile.as_ref().map(|m| m.as_str().to_string()).unwrap_or_default();
    let values = ContactForm {
        first_name: &p.first_name,
        last_name: &p.last_name,
        email: p.email.as_str(),
        mobile: &mobile,
        phone: p.phone.as_deref().unwrap_or(""),
        locale: p.locale.as_str(),
    };
    one_item(
        &locale.text("coord-contact-details"),
        Vec::new(),
        save(
            "contact",
            format!("{base}/contact"),
            csrf,
            contact_inputs(&values, locale),
            &locale.text("coord-save-the-contact-details"),
        ),
    )
}

/// An interpreter's languages and financial file, which only coordinators change.
fn record_section(profile: &InterpreterProfile, base: &str, csrf: &str, locale: Locale) -> Section {
    let f = &profile.financial;
    let inputs = vec![
        Input::new(
            "languages",
            "textarea",
            &locale.text("coord-languages"),
            write_languages(&profile.language_pairs, locale),
        )
        .hint(locale.text("coord-one-pair-a-line-french-spanish")),
        Input::new(
            "legal_name",
            "text",
            &locale.text("coord-full-legal-name-if-different"),
            f.legal_name.clone().unwrap_or_default(),
        ),
        Input::new(
            "supplier_number",
            "text",
            &locale.text("coord-supplier-number"),
            f.supplier_number.clone().unwrap_or_default(),
        ),
        Input::new(
            "tax_registration",
            "select",
            &locale.text("coord-gst-qst-registration"),
            f.tax_registration.as_str(),
        )
        .choices(tax_registrations(locale)),
    ];
    let mut inputs = inputs;
    for (name, tax) in [("gst", &f.gst), ("qst", &f.qst)] {
        inputs.extend(tax_inputs(name, tax.as_ref(), locale));
    }
    one_item(
        &locale.text("coord-languages-and-financial-file"),
        vec![locale.text("coord-the-interpreter-sees-them-on-their")],
        save(
            "record",
            format!("{base}/record"),
            csrf,
            inputs,
            &locale.text("coord-save"),
        ),
    )
}

/// A tax number (`gst` or `qst`) and the dates of its registration.
fn tax_inputs(name: &str, tax: Option<&TaxNumber>, locale: Locale) -> [Input; 3] {
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let label = |what: &str| locale.text(&format!("coord-{name}-{what}"));
    [
        Input::new(
            name,
            "text",
            &label("number"),
            tax.map(|t| t.number.clone()).unwrap_or_default(),
        ),
        Input::new(
            format!("{name}_from"),
            "date",
            &label("from"),
            date(tax.and_then(|t| t.from)),
        ),
        Input::new(
            format!("{name}_until"),
            "date",
            &label("until"),
            date(tax.and_then(|t| t.until)),
        ),
    ]
}

/// A requester's installations and cost centre, within their establishment.
fn places_section(
    (profile, establishment, installations, centres): &(
        RequesterProfile,
        Establishment,
        Vec<Installation>,
        Vec<CostCentre>,
    ),
    base: &str,
    csrf: &str,
    locale: Locale,
) -> Section {
    let chosen = |i: &Installation| profile.installations.contains(&i.id);
    let mut centre_choices = vec![(String::new(), locale.text("coord-none-2"))];
    centre_choices.extend(
        centres
            .iter()
            .filter(|c| c.active || profile.cost_centre_id == Some(c.id))
            .map(|c| (c.id.0.to_string(), format!("{} — {}", c.code, c.description))),
    );
    let inputs = vec![
        Input {
            options: installations
                .iter()
                .map(|i| (i.id.0.to_string(), i.name.clone(), chosen(i)))
                .collect(),
            ..Input::new("installation", "checks", &locale.text("coord-installations"), "")
        },
        Input::new(
            "cost_centre",
            "select",
            &locale.text("coord-cost-centre"),
            profile.cost_centre_id.map(|c| c.0.to_string()).unwrap_or_default(),
        )
        .choices(centre_choices),
    ];
    one_item(
        &format!(
            "{} — {} ({})",
            locale.text("coord-establishment"),
            establishment.name,
            establishment.code
        ),
        vec![locale.text("coord-the-requester-sees-the-requests-of")],
        save(
            "places",
            format!("{base}/places"),
            csrf,
            inputs,
            &locale.text("coord-save"),
        ),
    )
}

/// The activation link (for someone active without a password yet) and the button that
/// deactivates or reactivates (never one's own).
fn access_section(loaded: &Loaded, is_self: bool, base: &str, csrf: &str, locale: Locale) -> Section {
    let p = &loaded.person;
    let mut account_forms = Vec::new();
    if p.active && loaded.account.as_ref().is_none_or(|a| a.password_hash.is_none()) {
        account_forms.push(FormView {
            secondary: true,
            ..save(
                "invite",
                format!("{base}/invite"),
                csrf,
                Vec::new(),
                &locale.text("coord-send-an-activation-link"),
            )
        });
    }
    let has_second_factor = loaded.account.as_ref().is_some_and(|a| a.mfa_method.is_some());
    if !is_self && has_second_factor {
        account_forms.push(FormView {
            secondary: true,
            ..save(
                "mfa",
                format!("{base}/mfa"),
                csrf,
                Vec::new(),
                &locale.text("coord-reset-the-second-factor"),
            )
        });
    }
    if !is_self {
        let (value, label) = if p.active {
            ("0", locale.text("coord-deactivate-this-person"))
        } else {
            ("1", locale.text("coord-reactivate-this-person"))
        };
        account_forms.push(FormView {
            hidden: vec![("active".into(), value.into())],
            secondary: true,
            ..save("active", format!("{base}/active"), csrf, Vec::new(), &label)
        });
    }
    Section {
        heading: locale.text("coord-access"),
        items: vec![Item {
            headline: String::new(),
            lines: vec![
                locale.text("coord-a-deactivated-person-can-no-longer"),
                locale.text("coord-reset-the-second-factor-explained"),
            ],
            forms: account_forms,
        }],
        ..Section::default()
    }
}

/// What the page says after a change, by the `done` of its address.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Done {
    done: String,
}

fn done_text(done: &str, locale: Locale) -> Option<(Tone, String)> {
    Some(match done {
        "invited" => (Tone::Good, locale.text("coord-the-person-was-added-their-activation")),
        "created" => (Tone::Good, locale.text("coord-the-person-was-added")),
        "saved" => (Tone::Good, locale.text("coord-the-changes-were-saved")),
        "link" => (Tone::Good, locale.text("coord-an-activation-link-was-sent")),
        "already" => (
            Tone::Neutral,
            locale.text("coord-this-account-is-active-already-forgot"),
        ),
        "deactivated" => (
            Tone::Good,
            locale.text("coord-the-person-is-deactivated-their-sessions"),
        ),
        "reactivated" => (Tone::Good, locale.text("coord-the-person-is-reactivated")),
        "mfa_reset" => (Tone::Good, locale.text("coord-the-second-factor-was-reset")),
        "file_added" => (Tone::Good, locale.text("coord-the-file-was-added")),
        "file_removed" => (Tone::Good, locale.text("coord-the-file-was-removed")),
        "document_saved" => (Tone::Good, locale.text("coord-the-document-was-saved")),
        "document_removed" => (Tone::Good, locale.text("coord-the-document-was-removed")),
        "mfa_none" => (Tone::Neutral, locale.text("coord-no-second-factor-to-reset")),
        _ => return None,
    })
}

/// `GET /admin/people/{code}`.
pub async fn show(
    Coordinator(signed_in): Coordinator,
    State(state): State<AppState>,
    code: Result<Path<String>, PathRejection>,
    done: Result<Query<Done>, QueryRejection>,
) -> Result<Response, WebError> {
    let settings = crate::web::signed::settings(&state);
    let Some(code) = code.ok().and_then(|Path(c)| UserCode::parse(&c)) else {
        return Err(WebError::NotFound);
    };
    let locale = signed_in.person().locale;
    let notice = done
        .ok()
        .and_then(|Query(d)| done_text(&d.done, locale))
        .map(|(tone, t)| (tone, t.to_string()));
    person_page(&signed_in, &state, &settings, &code, StatusCode::OK, notice, None).await
}

/// The person of `code`, with their interpreter profile if they have one.
async fn person_and_profile(
    state: &AppState,
    code: &UserCode,
) -> Result<Option<(Person, Option<InterpreterProfile>)>, StoreError> {
    let mut tx = state.workflow.store().begin_read().await?;
    let p = tx.person_by_user_code(code).await?;
    let interpreter = match &p {
        Some(p) => tx.interpreter_profile(p.id).await?,
        None => None,
    };
    tx.commit().await?;
    Ok(p.map(|p| (p, interpreter)))
}

/// An interpreter's languages and financial file, as posted.
async fn change_record(
    workflow: &crate::workflow::Workflow,
    actor: crate::workflow::Actor,
    id: crate::domain::ids::PersonId,
    posted: &Posted,
) -> Result<&'static str, RosterError> {
    let mut problems = Problems::default();
    let languages = read_languages(first(posted, "languages"), &mut problems);
    let financial = FinancialForm {
        legal_name: first(posted, "legal_name"),
        supplier_number: first(posted, "supplier_number"),
        tax_registration: first(posted, "tax_registration"),
        gst: first(posted, "gst"),
        qst: first(posted, "qst"),
        gst_from: first(posted, "gst_from"),
        gst_until: first(posted, "gst_until"),
        qst_from: first(posted, "qst_from"),
        qst_until: first(posted, "qst_until"),
    }
    .read(&mut problems);
    match problems.or(()) {
        Ok(()) => workflow
            .set_interpreter_record(actor, id, languages, financial)
            .await
            .map(|()| "saved"),
        Err(errors) => Err(RosterError::Invalid(errors)),
    }
}

/// The contact part: name, email, phone, language, read and saved.
async fn change_contact(
    workflow: &Workflow,
    actor: Actor,
    id: PersonId,
    posted: &Posted,
    phone_region: &str,
) -> Result<&'static str, RosterError> {
    let mut problems = Problems::default();
    let read = contact(posted).read(phone_region, &mut problems);
    match (read, problems.0.is_empty()) {
        (Some(c), true) => workflow.edit_contact(actor, id, c).await.map(|_| "saved"),
        _ => Err(RosterError::Invalid(problems.0)),
    }
}

/// The requester's places: installations and cost centre.
async fn change_places(
    workflow: &Workflow,
    actor: Actor,
    id: PersonId,
    posted: &Posted,
) -> Result<&'static str, RosterError> {
    let installations: Vec<InstallationId> = all(posted, "installation")
        .into_iter()
        .filter_map(|v| v.parse().ok().map(InstallationId))
        .collect();
    let centre = first(posted, "cost_centre").parse().ok().map(CostCentreId);
    workflow
        .set_requester_places(actor, id, installations, centre)
        .await
        .map(|()| "saved")
}

/// `POST /admin/people/{code}/{part}`: `contact`, `record`, `placement`, `inactivity`,
/// `places`, `invite`, `mfa` (reset the second factor) or `active`.
pub async fn change(
    Coordinator(signed_in): Coordinator,
    State(state): State<AppState>,
    path: Result<Path<(String, String)>, PathRejection>,
    form: Result<Form<Posted>, FormRejection>,
) -> Result<Response, WebError> {
    let settings = crate::web::signed::settings(&state);
    let Some((code, part)) = path.ok().and_then(|Path((c, p))| UserCode::parse(&c).map(|c| (c, p))) else {
        return Err(WebError::NotFound);
    };
    let locale = signed_in.person().locale;
    let posted = super::checked(&signed_in, form, &format!("/admin/people/{code}"))?;
    let (person, interpreter) = person_and_profile(&state, &code).await?.ok_or(WebError::NotFound)?;
    let actor = coordinator_actor(&signed_in);
    let id = person.id;
    let workflow = &state.workflow;
    let outcome: Result<&str, RosterError> = match part.as_str() {
        "contact" => change_contact(workflow, actor, id, &posted, &settings.general.default_phone_region).await,
        "record" if interpreter.is_some() => change_record(workflow, actor, id, &posted).await,
        "places" => change_places(workflow, actor, id, &posted).await,
        "roles" => roles::change_roles(workflow, actor, id, &posted).await,
        "placement" if interpreter.is_some() => interpreter::change_placement(workflow, actor, id, &posted).await,
        "inactivity" => {
            let Some(profile) = &interpreter else {
                return Err(WebError::NotFound);
            };
            let tz = settings.general.time_zone;
            interpreter::change_inactivity(workflow, actor, id, profile, &posted, tz).await
        }
        "invite" => match state.account_pages.accounts.invite(&person.email).await {
            Ok(InviteOutcome::Invited) => Ok("link"),
            Ok(InviteOutcome::AlreadyActive) => Ok("already"),
            Ok(InviteOutcome::Inactive | InviteOutcome::NoSuchPerson) => return Err(WebError::NotFound),
            Err(e) => return Err(WebError::internal(e)),
        },
        "mfa" => match state.account_pages.accounts.reset_mfa(actor, id).await {
            Ok(MfaReset::Reset { .. }) => Ok("mfa_reset"),
            Ok(MfaReset::NoSecondFactor) => Ok("mfa_none"),
            Ok(MfaReset::Forbidden) => return Err(WebError::NotFound),
            Err(e) => return Err(WebError::internal(e)),
        },
        "active" => workflow
            .set_active(actor, id, first(&posted, "active") == "1")
            .await
            .map(|change| match change {
                ActiveChange::Deactivated { .. } => "deactivated",
                ActiveChange::Reactivated => "reactivated",
                ActiveChange::Unchanged => "saved",
            }),
        _ => return Err(WebError::NotFound),
    };
    match outcome {
        Ok(done) => Ok(see_other(format!("/admin/people/{}?done={done}", person.user_code))),
        Err(RosterError::Invalid(errors)) => {
            let failed = Failed {
                form: part,
                posted,
                errors,
            };
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            person_page(&signed_in, &state, &settings, &code, status, None, Some(failed)).await
        }
        // The only refusal a coordinator past the checks above meets: deactivating themselves.
        Err(RosterError::Workflow(WorkflowError::Forbidden(_))) if part == "active" || part == "roles" => {
            let key = if part == "roles" {
                "coord-nothing-was-done-you-keep-your-coordinator-role"
            } else {
                "coord-nothing-was-done-you-cannot-deactivate"
            };
            let notice = Some((Tone::Bad, locale.text(key)));
            person_page(
                &signed_in,
                &state,
                &settings,
                &code,
                StatusCode::FORBIDDEN,
                notice,
                None,
            )
            .await
        }
        // A part this person does not have (requester places of an interpreter), or someone
        // gone meanwhile: as if the address did not exist.
        Err(RosterError::Workflow(WorkflowError::BadCommand(_) | WorkflowError::NotFound)) => Err(WebError::NotFound),
        Err(RosterError::Workflow(e)) => Err(e.into()),
    }
}
