//! `GET/POST /profile`: what a person keeps up to date themselves.
//!
//! An interpreter edits their phones, notification channels, request types, weekly
//! availability, inactivity periods and eligibility documents' end dates; their languages
//! and financial file are shown read-only (the seeds leave them to the coordinators). A
//! requester edits their name, phones, notification channels and cost centre; their
//! establishment and installations are read-only. Changes go through the workflow's person
//! commands, so each is in the history. Errors are named beside their fields.

use super::hours::{availability_text, parse_availability};
use super::{FormView, Input, Item, Section, SignedPage, render, settings};
use crate::config::Settings;
use crate::domain::contact::PhoneE164;
use crate::domain::export::filter::parse_date;
use crate::domain::history::Entity;
use crate::domain::ids::CostCentreId;
use crate::domain::interpreter::{EligibilityDocument, Inactivity, InterpreterProfile};
use crate::domain::locale::Locale;
use crate::domain::organisation::CostCentre;
use crate::domain::person::{ProfileChange, RequesterProfile};
use crate::domain::request::RequestType;
use crate::domain::role::{ActorKind, Channel, Role};
use crate::domain::text;
use crate::web::AppState;
use crate::web::WebError;
use crate::web::account::SignedIn;
use crate::web::page::Tone;
use crate::workflow::InterpreterSelfChange;
use crate::workflow::{Actor, WorkflowError};
use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{NaiveDate, NaiveTime, TimeZone};
use chrono_tz::Tz;
use serde::Deserialize;

/// What was posted, as pairs: checkboxes repeat their name.
type Posted = Vec<(String, String)>;
type Problems = Vec<(String, String)>;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ProfileQuery {
    saved: String,
    /// What became of a change of address asked (`sent`, `taken`…).
    email: String,
}

/// Whose profile this page edits.
enum Kind {
    Interpreter(Box<InterpreterProfile>),
    Requester(RequesterProfile),
}

async fn load(state: &AppState, signed_in: &SignedIn) -> Result<Option<Kind>, crate::store::StoreError> {
    let id = signed_in.person().id;
    let mut tx = state.workflow.store().begin_read().await?;
    let kind = if signed_in.is(Role::Interpreter) {
        tx.interpreter_profile(id)
            .await?
            .map(|p| Kind::Interpreter(Box::new(p)))
    } else if signed_in.is(Role::Requester) {
        tx.requester_profile(id).await?.map(Kind::Requester)
    } else {
        None
    };
    tx.commit().await?;
    Ok(kind)
}

/// `GET /profile`.
pub async fn show(
    signed_in: SignedIn,
    State(state): State<AppState>,
    Query(q): Query<ProfileQuery>,
) -> Result<Response, WebError> {
    let settings = settings(&state);
    let kind = load(&state, &signed_in).await?.ok_or(WebError::NotFound)?;
    let locale = signed_in.person().locale;
    let notice = (q.saved == "1")
        .then(|| (Tone::Good, locale.text("coord-your-profile-is-saved")))
        .or_else(|| {
            super::email_change::outcome_notice(&q.email, locale)
                .map(|(good, text)| (if good { Tone::Good } else { Tone::Bad }, text))
        });
    let values = current_values(&signed_in, &kind);
    page(
        &signed_in,
        &state,
        &settings,
        &kind,
        &values,
        &Problems::new(),
        notice,
        StatusCode::OK,
    )
    .await
}

fn first<'a>(posted: &'a Posted, name: &str) -> &'a str {
    posted
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim())
        .unwrap_or("")
}

/// The value of a one-line field as `domain::text` allows it: `Ok(None)` when empty; a
/// refused one is named in `problems`, beside its field.
fn line_field(
    posted: &Posted,
    name: &str,
    max: usize,
    locale: Locale,
    problems: &mut Problems,
) -> Result<Option<String>, ()> {
    match text::line(first(posted, name), max) {
        Ok(value) => Ok(Some(value.to_string()).filter(|v| !v.is_empty())),
        Err(problem) => {
            problems.push((name.to_string(), problem.sentence(locale)));
            Err(())
        }
    }
}

fn all<'a>(posted: &'a Posted, name: &str) -> Vec<&'a str> {
    posted
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .collect()
}

fn local_date(at: chrono::DateTime<chrono::Utc>, tz: Tz) -> NaiveDate {
    at.with_timezone(&tz).date_naive()
}

/// The form's values as stored now.
fn current_values(signed_in: &SignedIn, kind: &Kind) -> Posted {
    let person = signed_in.person();
    let mut v: Posted = vec![
        ("first_name".into(), person.first_name.clone()),
        ("last_name".into(), person.last_name.clone()),
        ("phone".into(), person.phone.clone().unwrap_or_default()),
        (
            "mobile".into(),
            person
                .mobile
                .as_ref()
                .map(|m| m.as_str().to_string())
                .unwrap_or_default(),
        ),
    ];
    if person.notify_email {
        v.push(("notify".into(), "email".into()));
    }
    if person.notify_sms {
        v.push(("notify".into(), "sms".into()));
    }
    match kind {
        Kind::Requester(r) => {
            v.push((
                "cost_centre".into(),
                r.cost_centre_id.map(|c| c.0.to_string()).unwrap_or_default(),
            ));
            if r.notify_when_offered {
                v.push(("notify_when_offered".into(), "on".into()));
            }
        }
        Kind::Interpreter(p) => {
            for t in &p.request_types {
                v.push(("request_types".into(), t.as_str().into()));
            }
            v.push(("availability".into(), availability_text(&p.availability)));
            for i in 0..p.inactivity.len() {
                v.push(("keep_inactivity".into(), i.to_string()));
            }
            for (i, d) in p.documents.iter().enumerate() {
                v.push((
                    format!("document_{i}"),
                    d.valid_until.map(|d| d.to_string()).unwrap_or_default(),
                ));
            }
        }
    }
    v
}

#[allow(clippy::too_many_arguments)]
async fn page(
    signed_in: &SignedIn,
    state: &AppState,
    settings: &Settings,
    kind: &Kind,
    values: &Posted,
    problems: &Problems,
    notice: Option<(Tone, String)>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let locale = signed_in.person().locale;
    let person = signed_in.person();
    let mut page = SignedPage::new(signed_in, ("Mon profil", "My profile"));
    if let Some((tone, text)) = notice {
        page = page.notice(tone, text);
    }
    page.facts = vec![
        (locale.text("coord-identifier"), person.user_code.to_string()),
        (locale.text("coord-email"), person.email.to_string()),
    ];
    let mut inputs = contact_inputs(kind, values, locale);
    match kind {
        Kind::Requester(r) => {
            let (establishment, installations, centres) = requester_facts(state, r).await?;
            page.facts.push((locale.text("coord-establishment"), establishment));
            page.facts.push((locale.text("coord-installations"), installations));
            inputs.push(cost_centre_input(r, centres, values, locale));
            inputs.push(offered_input(values, locale));
        }
        Kind::Interpreter(p) => {
            page.facts.extend(interpreter_facts(p, locale));
            inputs.extend(availability_inputs(p, values, locale, settings.general.time_zone));
            inputs.extend(document_inputs(p, values, locale));
            if let Some(section) = document_files(state, person.id, p, locale).await? {
                page.sections.push(section);
            }
        }
    }
    for input in &mut inputs {
        if let Some((_, message)) = problems.iter().find(|(field, _)| *field == input.name) {
            input.error = message.clone();
        }
    }
    page.forms.push(FormView {
        id: "profile".into(),
        method: "post",
        action: "/profile".into(),
        csrf: signed_in.session().csrf(),
        inputs,
        buttons: vec![(locale.text("coord-save"), String::new())],
        ..FormView::default()
    });
    if let Kind::Requester(_) = kind {
        page.forms
            .push(super::email_change::form(state, signed_in, settings.general.time_zone).await?);
    }
    own_history(state, signed_in, settings, &mut page).await?;
    Ok(render(status, &settings.general.bank_name, &page))
}

/// The person's own history, newest first, and its last change among the facts: who did
/// what, and which fields, in words.
async fn own_history(
    state: &AppState,
    signed_in: &SignedIn,
    settings: &Settings,
    page: &mut SignedPage,
) -> Result<(), WebError> {
    let person = signed_in.person();
    let locale = person.locale;
    let mut tx = state.workflow.store().begin_read().await?;
    let lines = super::history::lines(
        &mut tx,
        Entity::Person,
        person.id.0,
        super::history::person_action,
        settings,
        locale,
    )
    .await?;
    tx.commit().await?;
    if let Some(last) = lines.first() {
        page.facts.push((locale.text("profile-last-change"), last.clone()));
    }
    page.sections.push(Section {
        heading: locale.text("coord-history"),
        empty: locale.text("profile-history-empty"),
        lines,
        ..Section::default()
    });
    Ok(())
}

/// The fields everyone's profile has: the name (a requester's), phones and how to be reached.
fn contact_inputs(kind: &Kind, values: &Posted, locale: Locale) -> Vec<Input> {
    let value = |name: &str| first(values, name).to_string();
    let mut inputs = Vec::new();
    if let Kind::Requester(_) = kind {
        inputs.push(Input::new(
            "first_name",
            "text",
            &locale.text("coord-first-name"),
            value("first_name"),
        ));
        inputs.push(Input::new(
            "last_name",
            "text",
            &locale.text("coord-last-name"),
            value("last_name"),
        ));
    }
    inputs.push(
        Input::new(
            "mobile",
            "tel",
            &locale.text("coord-mobile-text-messages"),
            value("mobile"),
        )
        .hint(locale.text("coord-for-example-514-555-0123-empty")),
    );
    inputs.push(
        Input::new("phone", "text", &locale.text("coord-phone-extension"), value("phone"))
            .hint(locale.text("coord-for-example-514-555-0100-ext")),
    );
    let notify = all(values, "notify");
    inputs.push(Input {
        options: vec![
            ("email".into(), locale.text("coord-email"), notify.contains(&"email")),
            ("sms".into(), locale.text("coord-text-message"), notify.contains(&"sms")),
        ],
        ..Input::new("notify", "checks", &locale.text("coord-reach-me-by"), "")
    });
    inputs
}

/// A requester's cost centre: the active ones of their establishment, and their own even
/// retired (offered no more, but still shown).
fn cost_centre_input(r: &RequesterProfile, centres: Vec<CostCentre>, values: &Posted, locale: Locale) -> Input {
    let mut choices = vec![(String::new(), locale.text("coord-none-3"))];
    choices.extend(
        centres
            .into_iter()
            .filter(|c| c.active || r.cost_centre_id == Some(c.id))
            .map(|c| {
                let retired = if c.active {
                    ""
                } else {
                    locale.pick(" (retiré)", " (retired)")
                };
                (c.id.0.to_string(), format!("{} — {}{retired}", c.code, c.description))
            }),
    );
    Input::new(
        "cost_centre",
        "select",
        &locale.text("coord-cost-centre-2"),
        first(values, "cost_centre"),
    )
    .choices(choices)
}

/// « Me prévenir quand ma demande est offerte à un interprète ».
fn offered_input(values: &Posted, locale: Locale) -> Input {
    let on = all(values, "notify_when_offered").contains(&"on");
    Input {
        options: vec![("on".into(), locale.text("profile-tell-me-when-offered"), on)],
        ..Input::new("notify_when_offered", "checks", &locale.text("profile-notices"), "")
    }
}

/// What an interpreter sees but the coordinators keep: languages and the financial file.
fn interpreter_facts(p: &InterpreterProfile, locale: Locale) -> Vec<(String, String)> {
    let languages: Vec<String> = p
        .language_pairs
        .iter()
        .map(|l| format!("{} → {}", l.source.name(locale), l.target.name(locale)))
        .collect();
    let types: Vec<&str> = p.request_types.iter().map(|t| t.label(locale)).collect();
    let f = &p.financial;
    let registration = crate::domain::person_form::tax_registrations(locale)
        .into_iter()
        .find(|(code, _)| code == f.tax_registration.as_str())
        .map(|(_, label)| label);
    let mut facts = vec![
        (locale.text("coord-languages"), languages.join(", ")),
        (locale.text("coord-request-types"), types.join(", ")),
        (
            locale.text("coord-gender"),
            p.gender
                .map(|g| g.label(locale).to_string())
                .unwrap_or_else(|| locale.text("coord-gender-not-given")),
        ),
    ];
    let optional = [
        (locale.text("coord-main-region"), p.main_region.clone()),
        (locale.text("coord-postal-code"), p.postal_code.clone()),
        (
            locale.text("coord-contexts"),
            (!p.contexts.is_empty()).then(|| p.contexts.join(", ")),
        ),
    ];
    facts.extend(
        optional
            .into_iter()
            .filter_map(|(label, value)| value.map(|v| (label, v))),
    );
    facts.push((
        locale.text("coord-financial-file"),
        [
            f.legal_name.clone(),
            f.supplier_number
                .clone()
                .map(|n| format!("{} {n}", locale.text("coord-supplier"))),
            registration,
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · "),
    ));
    facts.push((String::new(), locale.text("coord-languages-and-the-financial-file-are")));
    facts
}

/// When an interpreter works: the request types, the weekly slots and the inactivity periods
/// (those kept, and a new one).
fn availability_inputs(p: &InterpreterProfile, values: &Posted, locale: Locale, tz: Tz) -> Vec<Input> {
    let value = |name: &str| first(values, name).to_string();
    let mut inputs = Vec::new();
    let types = all(values, "request_types");
    inputs.push(Input {
        options: RequestType::ALL
            .into_iter()
            .map(|t| (t.as_str().into(), t.label(locale).into(), types.contains(&t.as_str())))
            .collect(),
        ..Input::new("request_types", "checks", &locale.text("coord-request-types"), "")
    });
    inputs.push(
        Input::new(
            "availability",
            "textarea",
            &locale.text("coord-availability"),
            value("availability"),
        )
        .hint(locale.text("coord-one-slot-per-line-monday-08")),
    );
    let keep = all(values, "keep_inactivity");
    if !p.inactivity.is_empty() {
        inputs.push(Input {
            options: p
                .inactivity
                .iter()
                .enumerate()
                .map(|(i, a)| {
                    let text = format!(
                        "{} – {}{}",
                        local_date(a.starts_at, tz),
                        local_date(a.ends_at - chrono::TimeDelta::seconds(1), tz),
                        a.reason.as_ref().map(|r| format!(" ({r})")).unwrap_or_default()
                    );
                    (i.to_string(), text, keep.contains(&i.to_string().as_str()))
                })
                .collect(),
            hint: locale.text("coord-untick-a-period-to-remove-it"),
            ..Input::new(
                "keep_inactivity",
                "checks",
                &locale.text("coord-inactivity-periods"),
                "",
            )
        });
    }
    inputs.push(Input::new(
        "inactivity_from",
        "date",
        &locale.text("coord-new-inactivity-period-from"),
        value("inactivity_from"),
    ));
    inputs.push(Input::new(
        "inactivity_to",
        "date",
        &locale.text("coord-to"),
        value("inactivity_to"),
    ));
    inputs.push(Input::new(
        "inactivity_reason",
        "text",
        &locale.text("coord-reason-optional"),
        value("inactivity_reason"),
    ));
    inputs
}

/// An interpreter's eligibility documents, each with its end of validity, and a new one.
fn document_inputs(p: &InterpreterProfile, values: &Posted, locale: Locale) -> Vec<Input> {
    let value = |name: &str| first(values, name).to_string();
    let mut inputs = Vec::new();
    for (i, d) in p.documents.iter().enumerate() {
        let name = format!("document_{i}");
        inputs.push(
            Input::new(
                name.clone(),
                "date",
                &format!("{} — {}", d.name, locale.text("coord-valid-until")),
                value(&name),
            )
            .hint(if d.inactive_if_invalid {
                locale.text("coord-after-this-date-no-request-will")
            } else {
                String::new()
            }),
        );
    }
    inputs.push(Input::new(
        "document_name",
        "text",
        &locale.text("coord-new-eligibility-document-permit-card"),
        value("document_name"),
    ));
    inputs.push(Input::new(
        "document_until",
        "date",
        &locale.text("coord-valid-until-yyyy-mm-dd"),
        value("document_until"),
    ));
    inputs
}

/// The files the coordinators attached to the interpreter's eligibility documents, each
/// with its download button; `None` when no document has one.
async fn document_files(
    state: &AppState,
    person: crate::domain::ids::PersonId,
    p: &InterpreterProfile,
    locale: Locale,
) -> Result<Option<Section>, crate::store::StoreError> {
    if p.documents.iter().all(|d| d.file_id.is_none()) {
        return Ok(None);
    }
    let mut tx = state.workflow.store().begin_read().await?;
    let files = tx.interpreter_files(person).await?;
    tx.commit().await?;
    let items = p
        .documents
        .iter()
        .filter_map(|d| {
            let file = files.iter().find(|f| Some(f.id) == d.file_id)?;
            let size = crate::domain::locale::size(u64::try_from(file.size).unwrap_or(0), locale);
            let shown = format!("{} ({size})", file.file_name);
            Some(Item {
                headline: d.name.clone(),
                lines: vec![locale.text_with("coord-document-file-attached", &[("file", &shown)])],
                forms: vec![FormView {
                    method: "get",
                    action: format!("/profile/files/{}", file.id),
                    buttons: vec![(locale.text("coord-download-the-file"), String::new())],
                    secondary: true,
                    ..FormView::default()
                }],
            })
        })
        .collect();
    Ok(Some(Section {
        heading: locale.text("profile-document-files"),
        lines: vec![locale.text("profile-document-files-intro")],
        items,
        ..Section::default()
    }))
}

/// `GET /profile/files/{id}`: the file of one of the signed-in interpreter's eligibility
/// documents. Anyone else's file, or one of their files no document holds, does not exist
/// here (coordinators download from the interpreter's page).
pub async fn download(
    signed_in: SignedIn,
    State(state): State<AppState>,
    axum::extract::Path(id): axum::extract::Path<i64>,
) -> Result<Response, WebError> {
    if !signed_in.is(Role::Interpreter) {
        return Err(WebError::NotFound);
    }
    let me = signed_in.person().id;
    let mut tx = state.workflow.store().begin_read().await?;
    let attached = tx
        .interpreter_profile(me)
        .await?
        .is_some_and(|p| p.documents.iter().any(|d| d.file_id == Some(id)));
    let found = if attached {
        tx.interpreter_file_content(me, id).await?
    } else {
        None
    };
    tx.commit().await?;
    let (info, bytes) = found.ok_or(WebError::NotFound)?;
    Ok(crate::web::uploads::file_response(&info.file_name, bytes))
}

async fn requester_facts(
    state: &AppState,
    r: &RequesterProfile,
) -> Result<(String, String, Vec<CostCentre>), crate::store::StoreError> {
    let mut tx = state.workflow.store().begin_read().await?;
    let establishment = tx.establishment(r.establishment_id).await?;
    let mut installations = Vec::new();
    for id in &r.installations {
        installations.push(tx.installation(*id).await?.name);
    }
    let centres = tx.cost_centres_of(r.establishment_id).await?;
    tx.commit().await?;
    Ok((
        format!("{} ({})", establishment.name, establishment.code),
        installations.join(", "),
        centres,
    ))
}

/// `POST /profile`.
pub async fn submit(
    signed_in: SignedIn,
    State(state): State<AppState>,
    form: Result<Form<Posted>, FormRejection>,
) -> Result<Response, WebError> {
    let settings = settings(&state);
    let kind = load(&state, &signed_in).await?.ok_or(WebError::NotFound)?;
    let locale = signed_in.person().locale;
    let posted = match form {
        Ok(Form(p)) if signed_in.session().csrf_ok(first(&p, "csrf")) => p,
        // Not from this page: the profile as saved, with why nothing was.
        _ => {
            let values = current_values(&signed_in, &kind);
            let text = locale.text("coord-nothing-was-saved-this-form-expired");
            let (notice, none) = (Some((Tone::Bad, text.to_string())), Problems::new());
            let status = StatusCode::FORBIDDEN;
            return page(&signed_in, &state, &settings, &kind, &values, &none, notice, status).await;
        }
    };
    let mut problems = Problems::new();
    let mut lines = Lines::read(&posted, &kind, locale, &mut problems);
    let requester = matches!(kind, Kind::Requester(_));
    let change = read_contact(&posted, &mut lines, requester, &settings, locale, &mut problems);
    let (cost_centre, interpreter_change) = match &kind {
        Kind::Requester(r) => (read_cost_centre(&state, r, &posted, locale, &mut problems).await?, None),
        Kind::Interpreter(p) => {
            let tz = settings.general.time_zone;
            let change = read_interpreter(p, &posted, lines, tz, locale, &mut problems);
            (None, change)
        }
    };
    if !problems.is_empty() {
        let text = locale.text("coord-nothing-was-saved-correct-the-fields");
        let (notice, status) = (Some((Tone::Bad, text.to_string())), StatusCode::UNPROCESSABLE_ENTITY);
        return page(&signed_in, &state, &settings, &kind, &posted, &problems, notice, status).await;
    }
    let person = signed_in.person().id;
    let actor = Actor {
        person: Some(person),
        kind: if matches!(kind, Kind::Interpreter(_)) {
            ActorKind::Interpreter
        } else {
            ActorKind::Requester
        },
        channel: Channel::Web,
    };
    let save = async {
        state.workflow.update_profile(actor, person, change).await?;
        if let Some(c) = interpreter_change {
            state.workflow.update_interpreter_profile(actor, person, c).await?;
        }
        if let Some(c) = cost_centre {
            state.workflow.set_cost_centre(actor, person, c).await?;
        }
        if requester {
            let on = all(&posted, "notify_when_offered").contains(&"on");
            state.workflow.set_notify_when_offered(actor, person, on).await?;
        }
        Ok::<_, WorkflowError>(())
    };
    save.await.map_err(WebError::internal)?;
    Ok(super::see_other("/profile?saved=1"))
}

/// A problem with `field`, in the person's language.
fn note(problems: &mut Problems, locale: Locale, field: &str, fr: &str, en: &str) {
    problems.push((field.to_string(), locale.pick(fr, en).into()));
}

/// The one-line fields, read first as `domain::text` allows them (a refused one is named
/// already, and is `Err`).
struct Lines {
    names: [Result<Option<String>, ()>; 2],
    phone: Result<Option<String>, ()>,
    inactivity_reason: Result<Option<String>, ()>,
    document_name: Result<Option<String>, ()>,
}

impl Lines {
    fn read(posted: &Posted, kind: &Kind, locale: Locale, problems: &mut Problems) -> Lines {
        let names = if matches!(kind, Kind::Requester(_)) {
            [
                line_field(posted, "first_name", 100, locale, problems),
                line_field(posted, "last_name", 100, locale, problems),
            ]
        } else {
            [Ok(None), Ok(None)]
        };
        Lines {
            names,
            phone: line_field(posted, "phone", 40, locale, problems),
            inactivity_reason: line_field(posted, "inactivity_reason", text::LINE_MAX, locale, problems),
            document_name: line_field(posted, "document_name", 200, locale, problems),
        }
    }
}

/// The change of what everyone's profile has: a requester's name (`names`, read for
/// requesters only), phones and how to be reached.
fn read_contact(
    posted: &Posted,
    lines: &mut Lines,
    requester: bool,
    settings: &Settings,
    locale: Locale,
    problems: &mut Problems,
) -> ProfileChange {
    let mut change = ProfileChange::default();
    if requester {
        let [first_name, last_name] = std::mem::replace(&mut lines.names, [Ok(None), Ok(None)]);
        for (name, value) in [("first_name", first_name), ("last_name", last_name)] {
            match value {
                Ok(Some(v)) if name == "first_name" => change.first_name = Some(v),
                Ok(Some(v)) => change.last_name = Some(v),
                Ok(None) => note(
                    problems,
                    locale,
                    name,
                    "Ce champ est obligatoire.",
                    "This field is required.",
                ),
                Err(()) => {}
            }
        }
    }
    let mobile = first(posted, "mobile");
    change.mobile = if mobile.is_empty() {
        Some(None)
    } else {
        match PhoneE164::parse(mobile, &settings.general.default_phone_region) {
            Ok(p) => Some(Some(p)),
            Err(_) => {
                note(
                    problems,
                    locale,
                    "mobile",
                    "Numéro de cellulaire invalide (par exemple 514 555-0123).",
                    "Invalid mobile number (for example 514 555-0123).",
                );
                None
            }
        }
    };
    change.phone = lines.phone.clone().ok();
    let notify = all(posted, "notify");
    let (by_email, by_sms) = (notify.contains(&"email"), notify.contains(&"sms"));
    if !by_email && !by_sms {
        note(
            problems,
            locale,
            "notify",
            "Choisissez au moins un moyen de vous joindre.",
            "Choose at least one way to reach you.",
        );
    }
    if by_sms && mobile.is_empty() {
        note(
            problems,
            locale,
            "mobile",
            "Les textos demandent un numéro de cellulaire.",
            "Text messages need a mobile number.",
        );
    }
    change.notify_email = Some(by_email);
    change.notify_sms = Some(by_sms);
    change
}

/// An interpreter's own part: request types, weekly slots, inactivity periods and
/// eligibility documents; `None` when the slots cannot be read (the problem is noted).
fn read_interpreter(
    p: &InterpreterProfile,
    posted: &Posted,
    lines: Lines,
    tz: Tz,
    locale: Locale,
    problems: &mut Problems,
) -> Option<InterpreterSelfChange> {
    let mut request_types = Vec::new();
    for t in all(posted, "request_types") {
        match t.parse::<RequestType>() {
            Ok(t) if !request_types.contains(&t) => request_types.push(t),
            Ok(_) => {}
            Err(_) => note(
                problems,
                locale,
                "request_types",
                "Type de demande inconnu.",
                "Unknown request type.",
            ),
        }
    }
    if request_types.is_empty() {
        note(
            problems,
            locale,
            "request_types",
            "Choisissez au moins un type de demande.",
            "Choose at least one request type.",
        );
    }
    let availability = parse_availability(first(posted, "availability"));
    if availability.is_none() {
        note(
            problems,
            locale,
            "availability",
            "Plage illisible : écrivez une plage par ligne, comme « lundi 08:00-17:00 ».",
            "Unreadable slot: write one slot per line, like “monday 08:00-17:00”.",
        );
    }
    let inactivity = read_inactivity(p, posted, lines.inactivity_reason, tz, locale, problems);
    let documents = read_documents(p, posted, lines.document_name, locale, problems);
    Some(InterpreterSelfChange {
        request_types,
        availability: availability?,
        inactivity,
        documents,
    })
}

const BAD_DATE: (&str, &str) = ("Date attendue au format AAAA-MM-JJ.", "Expected a date as YYYY-MM-DD.");

/// A date field: `Ok(None)` when empty, `Err` when unreadable.
fn date_field(posted: &Posted, name: &str) -> Result<Option<NaiveDate>, ()> {
    match first(posted, name) {
        "" => Ok(None),
        s => parse_date(s).map(Some).map_err(|_| ()),
    }
}

/// The inactivity periods kept, and the new one if given.
fn read_inactivity(
    p: &InterpreterProfile,
    posted: &Posted,
    reason: Result<Option<String>, ()>,
    tz: Tz,
    locale: Locale,
    problems: &mut Problems,
) -> Vec<Inactivity> {
    let keep = all(posted, "keep_inactivity");
    let mut inactivity: Vec<Inactivity> = p
        .inactivity
        .iter()
        .enumerate()
        .filter(|(i, _)| keep.contains(&i.to_string().as_str()))
        .map(|(_, a)| a.clone())
        .collect();
    let mut problem = |field: &str, (fr, en): (&str, &str)| note(problems, locale, field, fr, en);
    match (
        date_field(posted, "inactivity_from"),
        date_field(posted, "inactivity_to"),
    ) {
        (Ok(None), Ok(None)) => {}
        (Ok(Some(from)), Ok(Some(to))) if from <= to => {
            match (midnight(from, tz), to.succ_opt().and_then(|d| midnight(d, tz))) {
                (Some(starts_at), Some(ends_at)) => inactivity.push(Inactivity {
                    starts_at,
                    ends_at,
                    reason: reason.ok().flatten(),
                }),
                _ => problem("inactivity_from", BAD_DATE),
            }
        }
        (Ok(Some(_)), Ok(Some(_))) => problem(
            "inactivity_to",
            (
                "La période se termine avant de commencer.",
                "The period ends before it starts.",
            ),
        ),
        (Err(()), _) => problem("inactivity_from", BAD_DATE),
        (_, Err(())) => problem("inactivity_to", BAD_DATE),
        (Ok(None), _) => problem("inactivity_from", ("Indiquez le début.", "Give the start.")),
        (_, Ok(None)) => problem("inactivity_to", ("Indiquez la fin.", "Give the end.")),
    }
    inactivity
}

/// The eligibility documents with their new ends of validity, and the new one if given.
fn read_documents(
    p: &InterpreterProfile,
    posted: &Posted,
    document_name: Result<Option<String>, ()>,
    locale: Locale,
    problems: &mut Problems,
) -> Vec<EligibilityDocument> {
    let mut documents: Vec<EligibilityDocument> = p.documents.clone();
    for (i, d) in documents.iter_mut().enumerate() {
        let name = format!("document_{i}");
        match date_field(posted, &name) {
            Ok(until) => d.valid_until = until,
            Err(()) => note(problems, locale, &name, BAD_DATE.0, BAD_DATE.1),
        }
    }
    match (document_name, date_field(posted, "document_until")) {
        (Ok(None), Ok(None)) | (Err(()), Ok(_)) => {}
        (Ok(Some(name)), Ok(until)) => documents.push(EligibilityDocument {
            name,
            description: None,
            valid_until: until,
            inactive_if_invalid: true,
            comments: None,
            file_id: None,
        }),
        (Ok(None), Ok(Some(_))) => note(
            problems,
            locale,
            "document_name",
            "Nommez le document (permis de travail, carte…).",
            "Name the document (work permit, card…).",
        ),
        (_, Err(())) => note(problems, locale, "document_until", BAD_DATE.0, BAD_DATE.1),
    }
    documents
}

/// The cost centre a requester chose: `Some(None)` for none, `None` when refused (the
/// problem is noted).
async fn read_cost_centre(
    state: &AppState,
    r: &RequesterProfile,
    posted: &Posted,
    locale: Locale,
    problems: &mut Problems,
) -> Result<Option<Option<CostCentreId>>, WebError> {
    let chosen = first(posted, "cost_centre");
    if chosen.is_empty() {
        return Ok(Some(None));
    }
    let (_, _, centres) = requester_facts(state, r).await?;
    match centres.iter().find(|c| c.id.0.to_string() == chosen) {
        Some(c) if c.active || r.cost_centre_id == Some(c.id) => return Ok(Some(Some(c.id))),
        Some(_) => note(
            problems,
            locale,
            "cost_centre",
            "Ce centre de coût n'est plus en usage : la coordination l'a retiré. Choisissez-en un autre.",
            "This cost centre is no longer in use: the coordinators retired it. Choose another.",
        ),
        None => note(
            problems,
            locale,
            "cost_centre",
            "Choisissez un centre de coût de la liste.",
            "Choose a cost centre from the list.",
        ),
    }
    Ok(None)
}

/// Midnight of `date` in the bank's time zone.
fn midnight(date: NaiveDate, tz: Tz) -> Option<chrono::DateTime<chrono::Utc>> {
    tz.from_local_datetime(&date.and_time(NaiveTime::MIN))
        .earliest()
        .map(|d| d.with_timezone(&chrono::Utc))
}
