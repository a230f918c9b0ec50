//! `GET /requests/{id}`: one request for a signed-in person: its facts (patient details
//! only for those who may see them), its history, its attachments and the actions this
//! person may take now, each a POST form to `/requests/{id}/act` bound to the session.
//! Without a signed-in session the page falls back to the `Open` link session's page.

use super::{ActionForm, Seen, Table, View, bank, seen as visible_request};
use crate::domain::history::{Entity, HistoryEntry};
use crate::domain::locale::Locale;
use crate::domain::locale::{clock_time, short_date};
use crate::domain::request::{CancellationReason, Request, RequestStatus, changes, is_late_cancellation};
use crate::domain::role::{ActorKind, Channel, Role};
use crate::forms::request::FormField;
use crate::security::link::LinkAction;
use crate::store::attachments::{AttachmentInfo, AttachmentPurpose};
use crate::store::change_names::ChangeNames;
use crate::store::requests::OfferStatus;
use crate::store::{StoreError, Tx};
use crate::web::account::SignedIn;
use crate::web::links::{briefed_facts, record_facts};
use crate::web::page::Tone;
use crate::web::{AppState, WebError};
use crate::workflow::links::{actor_kind, current_version};
use crate::workflow::{Actor, Command, WorkflowError};
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;

/// « Offrir à… » for a coordinator past their second factor, while the request waits for
/// an interpreter: a name or user code, resolved and offered as the board's field does
/// (`POST /board/offer-to`, whose answer is the board with what became of it).
fn offer_to_form(request: &Request, signed_in: &SignedIn, csrf: &str, locale: Locale) -> Option<ActionForm> {
    let may = signed_in.is(Role::Coordinator) && signed_in.mfa_passed() && request.status == RequestStatus::New;
    may.then(|| ActionForm {
        action: "/board/offer-to".into(),
        csrf: csrf.to_string(),
        value: "offer",
        label: locale.text("coord-offer"),
        danger: false,
        reason_label: String::new(),
        reasons: Vec::new(),
        note_label: String::new(),
        warning: String::new(),
        who_label: locale.text("coord-offer-to-field"),
        request: request.id.0.to_string(),
    })
}

/// The actions the page offers, in the order shown.
const ACTIONS: [LinkAction; 6] = [
    LinkAction::Accept,
    LinkAction::Refuse,
    LinkAction::Validate,
    LinkAction::Contest,
    LinkAction::Withdraw,
    LinkAction::Cancel,
];

fn action_key(action: LinkAction) -> &'static str {
    match action {
        LinkAction::Accept => "accept",
        LinkAction::Refuse => "refuse",
        LinkAction::Validate => "validate",
        LinkAction::Contest => "contest",
        LinkAction::Withdraw => "withdraw",
        _ => "cancel",
    }
}

fn action_label(action: LinkAction, locale: Locale) -> String {
    match action {
        LinkAction::Accept => locale.text("request-accept-the-offer"),
        LinkAction::Refuse => locale.text("request-decline-the-offer"),
        LinkAction::Validate => locale.text("request-validate-the-service-record"),
        LinkAction::Contest => locale.text("request-contest-the-service-record"),
        LinkAction::Withdraw => locale.text("request-withdraw"),
        _ => locale.text("request-cancel-the-request"),
    }
}

/// `GET /requests/{id}`.
pub async fn show(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    signed_in: Result<SignedIn, WebError>,
    Query(shown): Query<Shown>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let signed_in = match signed_in {
        Ok(s) => s,
        // A signed-in session that ended: sign in again.
        Err(redirect) if crate::web::cookies::read(&headers, crate::web::account::SESSION_COOKIE).is_some() => {
            return Err(redirect);
        }
        // An `Open` link's short session, or nobody: the link session's page says which.
        Err(_) => return crate::web::requests::show(State(state), Path(id), headers).await,
    };
    let seen = visible_request(&state, &signed_in, id).await?;
    let (tone, notice) = if shown.fait.is_empty() {
        (Tone::Neutral, String::new())
    } else {
        (Tone::Good, done(seen.request.status, signed_in.person().locale))
    };
    page(&state, &signed_in, &seen, tone, notice, StatusCode::OK).await
}

pub(super) async fn page(
    state: &AppState,
    signed_in: &SignedIn,
    seen: &Seen,
    tone: Tone,
    notice: String,
    status: StatusCode,
) -> Result<Response, WebError> {
    let view = build(state, signed_in, seen).await?;
    Ok(view.tone(tone, notice).render(status))
}

async fn build(state: &AppState, signed_in: &SignedIn, seen: &Seen) -> anyhow::Result<View> {
    let workflow = &state.workflow;
    let request = &seen.request;
    let person = &seen.person;
    let locale = person.locale;
    let heading = format!("{} {}", locale.text("request-request"), request.shown(locale));
    let mut view = View::signed(signed_in, &bank(state), &heading);
    view.facts = briefed_facts(workflow, request, person.id, locale).await?;
    let tz = workflow.config().time_zone;
    let mut tx = workflow.store().begin_read().await?;
    if let Some(i) = request.assigned_interpreter {
        let name = tx.person(i).await?.display_name();
        view.facts
            .insert(view.facts.len().min(8), (locale.text("request-interpreter"), name));
    }
    if seen.full || request.assigned_interpreter == Some(person.id) {
        view.facts.extend(record_facts(workflow, request, locale).await?);
    }
    if seen.full
        && let Some(code) = request.details.billing_code_id
    {
        let code = tx.billing_code(code).await?;
        let shown = format!("{} — {}", code.code, code.description);
        view.facts
            .push((FormField::BillingCode.label(locale).to_string(), shown));
    }
    if seen.full {
        if matches!(
            request.status,
            RequestStatus::Draft
                | RequestStatus::New
                | RequestStatus::Offered
                | RequestStatus::Booked
                | RequestStatus::Modified
        ) {
            view.links.push((
                format!("/requests/{}/edit", request.id.0),
                locale.text("request-change-the-request"),
            ));
        }
        if person.has_role(Role::Coordinator) {
            let requester = tx.person(request.requested_by).await?;
            view.facts.insert(
                0,
                (
                    locale.text("request-requester"),
                    format!("{} ({})", requester.display_name(), requester.email),
                ),
            );
            view.tables.push(offers_table(&mut tx, request, tz, locale).await?);
        }
        let files = tx.attachments_of(request.id, AttachmentPurpose::Request).await?;
        view.tables.push(attachments_table(request, &files, locale));
        view.tables.push(history_table(&mut tx, request, tz, locale).await?);
    }
    let csrf = signed_in.session().csrf();
    let late = is_late_cancellation(
        request.booked_at,
        request.starts_at,
        state.workflow.clock().now(),
        state.workflow.config().late_cancellation_hours,
    );
    let in_series = tx.series_of(request.id).await?.is_some();
    for action in ACTIONS {
        if current_version(&mut tx, action, request, person).await?.is_some() {
            // An occurrence of a series may be cancelled alone, or with the ones after.
            let with_series: &[(&'static str, bool)] = if action == LinkAction::Cancel && in_series {
                &[(CANCEL_SERIES, false), (CANCEL_SERIES, true)]
            } else {
                &[("", false)]
            };
            for (key, rest) in with_series {
                let choice = crate::web::links::reason_choice(action, locale);
                view.forms.push(ActionForm {
                    action: format!("/requests/{}/act", request.id.0),
                    csrf: csrf.clone(),
                    value: if *rest { key } else { action_key(action) },
                    label: if *rest {
                        locale
                            .pick(
                                "Annuler cette séance et les suivantes",
                                "Cancel this session and the ones after",
                            )
                            .to_string()
                    } else {
                        action_label(action, locale)
                    },
                    danger: matches!(action, LinkAction::Cancel | LinkAction::Refuse | LinkAction::Withdraw),
                    reason_label: choice.reason_label,
                    reasons: choice.reasons,
                    note_label: choice.note_label,
                    warning: if action == LinkAction::Cancel && late {
                        locale.text_with(
                            "request-late-cancellation-warning",
                            &[("hours", &state.workflow.config().late_cancellation_hours.to_string())],
                        )
                    } else {
                        String::new()
                    },
                    who_label: String::new(),
                    request: String::new(),
                });
            }
        }
    }
    view.forms.extend(offer_to_form(request, signed_in, &csrf, locale));
    view.forms.extend(super::close::form(request, signed_in, &csrf, locale));
    if person.has_role(Role::Coordinator) && request.assigned_interpreter != Some(person.id) {
        view.links.extend(record_link(state, &mut tx, request, person).await?);
    }
    tx.commit().await?;
    Ok(view)
}

/// For a coordinator: the service record's web form, to record the service for the
/// interpreter or correct what they recorded. It is the interpreter's form, behind a
/// signed link made for this coordinator now (the one-click links' rules: single use,
/// bound to the request's version), so both are one form checked by the same rules.
async fn record_link(
    state: &AppState,
    tx: &mut Tx,
    request: &Request,
    person: &crate::domain::person::Person,
) -> Result<Option<(String, String)>, StoreError> {
    let expires = state.workflow.clock().now() + chrono::TimeDelta::hours(2);
    let Some(claim) = state
        .workflow
        .link_claim(tx, LinkAction::Record, request, person, Vec::new(), expires)
        .await?
    else {
        return Ok(None);
    };
    let recorded = tx.service_record(request.id).await?.is_some();
    let label = if recorded {
        person.locale.text("request-correct-the-service-record")
    } else {
        person.locale.text("request-record-the-service")
    };
    Ok(Some((format!("/l/{}", state.link_pages.keys.sign(&claim)), label)))
}

/// For coordinators: whom the request was offered to, and what each answered, when.
async fn offers_table(tx: &mut Tx, request: &Request, tz: chrono_tz::Tz, locale: Locale) -> Result<Table, StoreError> {
    let mut rows = Vec::new();
    for offer in tx.offers_of_request(request.id).await? {
        let name = tx.person(offer.interpreter_id).await?.display_name();
        let answer = match offer.status {
            OfferStatus::Pending => locale.pick("En attente de réponse", "Awaiting an answer"),
            OfferStatus::Accepted => locale.pick("Acceptée", "Accepted"),
            OfferStatus::Declined => locale.pick("Refusée", "Declined"),
            OfferStatus::Lapsed => locale.pick("Sans réponse à temps", "No answer in time"),
            OfferStatus::Withdrawn => locale.pick("Retirée", "Withdrawn"),
        };
        let at = offer.responded_at.unwrap_or(offer.created_at).with_timezone(&tz);
        rows.push(vec![
            (name, String::new()),
            (answer.to_string(), String::new()),
            (
                format!(
                    "{} {}",
                    short_date(at.date_naive(), locale),
                    clock_time(at.time(), locale)
                ),
                String::new(),
            ),
        ]);
    }
    Ok(Table {
        title: locale.pick("Offres", "Offers").to_string(),
        headers: vec![
            locale.text("request-interpreter"),
            locale.pick("Réponse", "Answer").to_string(),
            locale.text("request-when"),
        ],
        rows,
        empty: locale.pick("Pas encore offerte.", "Not offered yet.").to_string(),
    })
}

/// The request form's files, each a link to download it.
fn attachments_table(request: &Request, files: &[AttachmentInfo], locale: Locale) -> Table {
    Table {
        title: locale.text("request-attachments"),
        headers: vec![locale.text("request-file"), locale.text("request-size")],
        rows: files
            .iter()
            .map(|f| {
                vec![
                    (
                        f.file_name.clone(),
                        format!("/requests/{}/attachments/{}", request.id.0, f.id),
                    ),
                    (format!("{} Ko", (f.size + 1023) / 1024), String::new()),
                ]
            })
            .collect(),
        empty: locale.text("request-no-attachments"),
    }
}

/// The request's history: when, who, by which channel, what.
async fn history_table(tx: &mut Tx, request: &Request, tz: chrono_tz::Tz, locale: Locale) -> Result<Table, StoreError> {
    let entries = tx.history_of(Entity::Request, request.id.0).await?;
    let changes: Vec<_> = entries.iter().flat_map(|e| &e.changes).collect();
    let names = ChangeNames::load(tx, &changes).await?;
    let mut rows = Vec::new();
    for entry in &entries {
        let who = match entry.actor_id {
            Some(p) => tx.person(p).await?.display_name(),
            None => actor_label(entry.actor_kind, locale),
        };
        let at = entry.at.with_timezone(&tz);
        rows.push(vec![
            (
                format!(
                    "{} {}",
                    short_date(at.date_naive(), locale),
                    clock_time(at.time(), locale)
                ),
                String::new(),
            ),
            (who, String::new()),
            (channel_label(entry.channel, locale), String::new()),
            (what(entry, &names, locale), String::new()),
        ]);
    }
    Ok(Table {
        title: locale.text("request-history"),
        headers: vec![
            locale.text("request-when"),
            locale.text("request-who"),
            locale.text("request-channel"),
            locale.text("request-what"),
        ],
        rows,
        empty: locale.text("request-no-history"),
    })
}

fn actor_label(kind: ActorKind, locale: Locale) -> String {
    match kind {
        ActorKind::Requester => locale.text("request-requester"),
        ActorKind::Interpreter => locale.text("request-interpreter"),
        ActorKind::Coordinator => locale.text("request-coordinator"),
        ActorKind::System => "Relais".to_string(),
    }
}

fn channel_label(channel: Channel, locale: Locale) -> String {
    match channel {
        Channel::Email => locale.text("request-email"),
        Channel::Sms => "SMS".to_string(),
        Channel::Link => locale.text("request-link"),
        Channel::Web => "Web".to_string(),
        Channel::System => locale.text("request-automatic"),
        Channel::Cli => locale.text("request-command-line"),
    }
}

/// What an entry did: its action, then each change in words; sensitive values stay hidden
/// as history stores them (« nouvelle valeur »).
fn what(entry: &HistoryEntry, names: &ChangeNames, locale: Locale) -> String {
    let action = match entry.action.as_str() {
        "create" => locale.text("request-created"),
        "submit" => locale.text("request-sent"),
        "modify" => locale.text("request-changed"),
        "offer" => locale.text("request-offered-to-interpreters"),
        "offers_lapsed" => locale.text("request-offers-lapsed"),
        "accept" => locale.text("request-accepted-by-the-interpreter"),
        "decline" => locale.text("request-declined-by-the-interpreter"),
        "withdraw" => locale.text("request-interpreter-withdrew"),
        "cancel" => locale.text("request-cancelled"),
        "record_service" => locale.text("request-service-recorded"),
        "correct_service_record" => locale.text("request-service-record-corrected"),
        "validate" => locale.text("request-service-validated"),
        "contest" => locale.text("request-service-contested"),
        "close" => locale.text("request-closed"),
        "erase_patient_details" => locale.text("request-patient-details-erased"),
        _ => locale.text("request-updated"),
    };
    let mut parts = vec![action];
    parts.extend(changes::describe_entry(&entry.changes, names, locale));
    parts.join(locale.pick("\u{a0}; ", "; "))
}

#[derive(Debug, Default, Deserialize)]
pub struct Posted {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    note: String,
}

/// `POST /requests/{id}/act`: one of the page's buttons.
pub async fn act(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    signed_in: SignedIn,
    posted: Result<Form<Posted>, axum::extract::rejection::FormRejection>,
) -> Result<Response, WebError> {
    let locale = signed_in.person().locale;
    let seen = visible_request(&state, &signed_in, id).await?;
    let Some(Form(posted)) = posted.ok().filter(|f| signed_in.session().csrf_ok(&f.csrf)) else {
        let notice = locale.text("request-nothing-was-done-this-form-expired");
        return page(&state, &signed_in, &seen, Tone::Bad, notice, StatusCode::FORBIDDEN).await;
    };
    let series = posted.action == CANCEL_SERIES;
    let Some(action) = ACTIONS
        .into_iter()
        .find(|a| action_key(*a) == posted.action || (series && *a == LinkAction::Cancel))
    else {
        return Err(WebError::NoSuchRequest(locale));
    };
    let Some(kind) = possible_as(&state, action, &seen).await? else {
        let notice = locale.text("request-this-action-is-no-longer-possible");
        return page(&state, &signed_in, &seen, Tone::Bad, notice, StatusCode::CONFLICT).await;
    };
    let command = match command_of(action, &seen, &posted, locale) {
        Ok(command) => command,
        Err(notice) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return page(&state, &signed_in, &seen, Tone::Bad, notice, status).await;
        }
    };
    let actor = Actor {
        person: Some(seen.person.id),
        kind,
        channel: Channel::Web,
    };
    if let (
        true,
        Command::CancelRequest {
            request,
            reason,
            detail,
        },
    ) = (series, &command)
    {
        let done = cancel_series(&state, actor, *request, *reason, detail.clone()).await?;
        return after(&state, &signed_in, id, done).await;
    }
    after(&state, &signed_in, id, state.workflow.execute(actor, command).await).await
}

/// The posted action that cancels an occurrence of a series and the ones after.
const CANCEL_SERIES: &str = "cancel_series";

/// Cancels `request` and the later occurrences of its series in one transaction: the
/// first one cancelled, or why nothing was.
async fn cancel_series(
    state: &AppState,
    actor: Actor,
    request: crate::domain::ids::RequestId,
    reason: crate::domain::request::CancellationReason,
    detail: Option<String>,
) -> Result<Result<crate::workflow::Applied, WorkflowError>, WebError> {
    let mut tx = state.workflow.store().begin().await?;
    match state
        .workflow
        .cancel_series_from_in(&mut tx, actor, request, reason, detail)
        .await
    {
        Ok(cancelled) => {
            tx.commit().await?;
            Ok(cancelled.into_iter().next().ok_or(WorkflowError::NotFound))
        }
        Err(e) => {
            tx.rollback().await?;
            Ok(Err(e))
        }
    }
}

/// As whom this person may take `action` on the request now; `None` when it is no longer
/// possible.
async fn possible_as(state: &AppState, action: LinkAction, seen: &Seen) -> Result<Option<ActorKind>, StoreError> {
    let (request, person) = (&seen.request, &seen.person);
    let mut tx = state.workflow.store().begin_read().await?;
    let version = current_version(&mut tx, action, request, person).await?;
    tx.commit().await?;
    Ok(version.and(actor_kind(action, request, person)))
}

/// The command `action` posts, or why nothing was done (a note too long, no reason for
/// cancelling).
fn command_of(action: LinkAction, seen: &Seen, posted: &Posted, locale: Locale) -> Result<Command, String> {
    let target = seen.request.id;
    let note = match crate::domain::text::lines(&posted.note, crate::domain::text::TEXT_MAX) {
        Ok(note) => Some(note.to_string()).filter(|n| !n.is_empty()),
        Err(problem) => {
            let label = locale.text("request-what-is-wrong");
            return Err(format!(
                "{} {}.",
                locale.text("request-nothing-was-done"),
                problem.about(&label, locale)
            ));
        }
    };
    Ok(match action {
        LinkAction::Accept => Command::AcceptOffer { request: target },
        LinkAction::Refuse => Command::DeclineOffer { request: target },
        LinkAction::Withdraw => Command::WithdrawInterpreter { request: target },
        LinkAction::Validate => Command::ValidateService { request: target },
        LinkAction::Contest => Command::ContestService {
            request: target,
            reason: note,
        },
        _ => {
            let Ok(reason) = posted.reason.parse::<CancellationReason>() else {
                let text = locale.text("request-choose-the-reason-for-cancelling");
                return Err(text);
            };
            Command::CancelRequest {
                request: target,
                reason,
                detail: note,
            }
        }
    })
}

/// What follows the workflow's answer to one of the page's buttons (`id`: the request).
/// Done: the page again by a redirection, so that reloading it posts nothing twice, and it
/// says what the request became. Refused: the page at once, saying nothing was done.
pub(super) async fn after(
    state: &AppState,
    signed_in: &SignedIn,
    id: i64,
    result: Result<crate::workflow::Applied, WorkflowError>,
) -> Result<Response, WebError> {
    match result {
        Ok(_) => Ok(crate::web::page::see_other(format!("/requests/{id}?{DONE}=1"))),
        Err(WorkflowError::Store(e)) => Err(e.into()),
        Err(e) => {
            tracing::info!(error = %e, "page action refused");
            let now = visible_request(state, signed_in, id).await?;
            let notice = signed_in
                .person()
                .locale
                .text("request-nothing-was-done-this-action-is");
            page(state, signed_in, &now, Tone::Bad, notice, StatusCode::CONFLICT).await
        }
    }
}

/// The query word the page is opened with after one of its buttons did its work.
const DONE: &str = "fait";

/// What the page says once a button did its work: the request's state now.
fn done(status: RequestStatus, locale: Locale) -> String {
    match locale {
        Locale::Fr => format!(
            "C'est fait. La demande est maintenant {}.",
            status.as_state_of_request(locale)
        ),
        Locale::En => format!("Done. The request is now {}.", status.as_state_of_request(locale)),
    }
}

/// `?fait=1`: the page is shown after one of its buttons did its work.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Shown {
    fait: String,
}

/// `GET /requests/{id}/attachments/{file}`: a file of the request form, for those who see
/// the request in full.
pub async fn download(
    State(state): State<AppState>,
    Path((id, file)): Path<(i64, i64)>,
    signed_in: SignedIn,
) -> Result<Response, WebError> {
    let locale = signed_in.person().locale;
    let seen = visible_request(&state, &signed_in, id).await?;
    if !seen.full {
        return Err(WebError::NoSuchRequest(locale));
    }
    let loaded = async {
        let mut tx = state.workflow.store().begin_read().await?;
        let found = tx
            .attachment_content(seen.request.id, AttachmentPurpose::Request, file)
            .await?;
        tx.commit().await?;
        Ok::<_, crate::store::StoreError>(found)
    }
    .await;
    let (info, bytes) = loaded?.ok_or(WebError::NoSuchRequest(locale))?;
    Ok(crate::web::uploads::file_response(&info.file_name, bytes))
}
