//! What the link pages show: the confirmation of each action, why a link is dead, what
//! was refused, the facts of the request, and the form cookie that binds a button to the
//! page that showed it. Shared by the link handlers ([`super`]) and the service record
//! form ([`super::record_form`]).

use crate::domain::ids::PersonId;
use crate::domain::locale::Locale;
use crate::domain::person::Person;
use crate::domain::request::briefing::briefing;
use crate::domain::request::{CancellationReason, Request};
use crate::outbound::render::Facts;
use crate::security::link::{LinkAction, LinkClaim, LinkKeys, VerifiedLink};
use crate::store::StoreError;
use crate::web::AppState;
use crate::web::cookies;
use crate::web::page::{Page, PageForm, Tone, page_response};
use crate::workflow::links::{DeadReason, LinkState};
use crate::workflow::{Workflow, WorkflowError};
use axum::http::{StatusCode, header};
use axum::response::Response;

pub(crate) const SESSION_COOKIE: &str = "relais_session";

/// What the link pages need.
#[derive(Clone)]
pub struct LinkPages {
    pub keys: LinkKeys,
    pub bank: String,
    /// Cookies get `Secure` when Relais is served over HTTPS.
    pub secure_cookies: bool,
    /// `web.client_ip_header`, for the limit on new links per client address.
    pub client_ip_header: String,
}

impl LinkPages {
    /// The form cookie holding `nonce`, for an hour.
    pub(crate) fn form_cookie(&self, nonce: &str) -> Option<axum::http::HeaderValue> {
        cookies::set(
            cookies::FORM_COOKIE,
            nonce,
            3600,
            cookie::SameSite::Strict,
            self.secure_cookies,
        )
    }
}

pub(crate) async fn installation_name(workflow: &Workflow, request: &Request) -> String {
    let Ok(mut tx) = workflow.store().begin_read().await else {
        return String::new();
    };
    let name = tx
        .installation(request.details.installation_id)
        .await
        .map(|i| i.name)
        .unwrap_or_default();
    let _ = tx.commit().await;
    name
}

/// The request's facts as the page lists them. Never patient details.
pub(crate) async fn facts_list(workflow: &Workflow, request: &Request, locale: Locale) -> Vec<(String, String)> {
    let f = Facts::of(request, &installation_name(workflow, request).await, locale);
    vec![
        (locale.text("link-request"), f.number),
        (locale.text("link-status"), f.status),
        ("Date".into(), f.date),
        (locale.text("link-time"), f.time),
        (locale.text("link-duration"), f.duration),
        ("Type".into(), f.request_type),
        (locale.text("link-languages"), f.languages),
        (locale.text("link-place"), f.place),
    ]
}

/// The request's facts, then what `viewer` may read of it beyond them, by how they stand
/// toward it (see `domain::request::briefing`): the offered interpreter what decides, the
/// booked one what the booking needs, the requester's side everything.
pub(crate) async fn briefed_facts(
    workflow: &Workflow,
    request: &Request,
    viewer: PersonId,
    locale: Locale,
) -> Result<Vec<(String, String)>, StoreError> {
    let mut tx = workflow.store().begin_read().await?;
    let installation = tx.installation(request.details.installation_id).await?;
    let person = tx.person(viewer).await?;
    let standing = crate::workflow::standing::standing(&mut tx, request, &person).await?;
    tx.commit().await?;
    let mut facts = facts_list(workflow, request, locale).await;
    facts.extend(briefing(request, standing, &installation, locale));
    Ok(facts)
}

/// The service record as it stands, for whoever validates, contests or checks it: the
/// times, presence, waiting, distance and fees, and whether it was contested.
pub(crate) async fn record_facts(
    workflow: &Workflow,
    request: &Request,
    locale: Locale,
) -> Result<Vec<(String, String)>, StoreError> {
    let mut tx = workflow.store().begin_read().await?;
    let record = tx.service_record(request.id).await?;
    tx.commit().await?;
    let Some(record) = record else {
        return Ok(Vec::new());
    };
    let mut facts = crate::forms::record::record_summary(&record, request.details.request_type, locale);
    if let Some(at) = request.service_contested_at {
        let at = at.with_timezone(&workflow.config().time_zone);
        facts.push((
            locale.text("link-record-contested"),
            crate::domain::locale::long_date_time(at, locale),
        ));
    }
    Ok(facts)
}

pub(crate) fn action_heading(action: LinkAction, locale: Locale) -> String {
    match action {
        LinkAction::Accept => locale.text("link-accept-the-offer"),
        LinkAction::Refuse => locale.text("link-decline-the-offer"),
        LinkAction::Withdraw => locale.text("link-withdraw-from-this-request"),
        LinkAction::Assign => locale.text("link-offer-to-the-suggested-interpreter"),
        LinkAction::Broadcast => locale.text("link-offer-to-the-suggested-interpreters"),
        LinkAction::Cancel => locale.text("link-cancel-the-request"),
        LinkAction::Validate => locale.text("link-validate-the-service-record"),
        LinkAction::Contest => locale.text("link-contest-the-service-record"),
        LinkAction::Open => locale.text("link-open-the-request"),
        LinkAction::UseAlternative => locale.text("link-accept-the-alternative-language"),
        LinkAction::GiveUp => locale.text("link-continue-without-an-interpreter"),
        LinkAction::Record => locale.text("link-record-the-service"),
        LinkAction::CancelSeries => locale.text("link-cancel-this-session-and-the-ones-after"),
    }
}

pub(crate) fn action_explanation(action: LinkAction, subjects: &str, locale: Locale) -> String {
    match action {
        LinkAction::Accept => locale.text("link-by-accepting-you-are-booked-for"),
        LinkAction::Refuse => locale.text("link-by-declining-the-request-goes-back"),
        LinkAction::Withdraw => locale.text("link-by-withdrawing-you-are-no-longer"),
        LinkAction::Assign | LinkAction::Broadcast => {
            format!("{} {subjects}", locale.text("link-the-offer-will-be-sent-by"))
        }
        LinkAction::Cancel => locale.text("link-the-interpreter-and-the-bank-will"),
        LinkAction::Validate => locale.text("link-you-confirm-that-the-service-recorded"),
        LinkAction::Contest => locale.text("link-a-coordinator-will-review-the-service"),
        LinkAction::Open => locale.text("link-the-request-will-open-for-30"),
        LinkAction::UseAlternative => locale.text("link-the-target-language-becomes-the-alternative"),
        LinkAction::GiveUp => locale.text("link-the-request-is-cancelled-reason-no"),
        LinkAction::Record => locale.text("link-the-requester-will-receive-the-record"),
        LinkAction::CancelSeries => locale.text("link-this-session-and-the-ones-after-are-cancelled"),
    }
}

pub(crate) fn button_label(action: LinkAction, locale: Locale) -> String {
    match action {
        LinkAction::Accept => locale.text("link-accept"),
        LinkAction::Refuse => locale.text("link-decline"),
        LinkAction::Withdraw => locale.text("link-withdraw"),
        LinkAction::Assign | LinkAction::Broadcast => locale.text("link-send-the-offer"),
        LinkAction::Cancel => locale.text("link-cancel-the-request"),
        LinkAction::Validate => locale.text("link-validate"),
        LinkAction::Contest => locale.text("link-contest"),
        LinkAction::Open => locale.text("link-open"),
        LinkAction::UseAlternative => locale.text("link-change-the-language"),
        LinkAction::GiveUp => locale.text("link-continue-without-an-interpreter"),
        LinkAction::Record => locale.text("link-record-the-service"),
        LinkAction::CancelSeries => locale.text("link-cancel-this-session-and-the-ones-after"),
    }
}

pub(crate) async fn subject_names(workflow: &Workflow, claim: &LinkClaim) -> String {
    let Ok(mut tx) = workflow.store().begin_read().await else {
        return String::new();
    };
    let mut names = Vec::with_capacity(claim.subjects.len());
    for id in &claim.subjects {
        if let Ok(p) = tx.person(*id).await {
            names.push(p.display_name());
        }
    }
    let _ = tx.commit().await;
    names.join(", ")
}

/// The confirmation form for `token`.
pub(crate) fn form_for(pages: &LinkPages, claim: &LinkClaim, token: &str, nonce: &str, locale: Locale) -> PageForm {
    PageForm {
        action: token.to_string(),
        csrf: pages.keys.csrf(nonce, token),
        label: button_label(claim.action, locale).to_string(),
        danger: claim.action.undoes(),
        ..reason_choice(claim.action, locale)
    }
}

/// The value the "mail me a new link" form carries: bound to the form cookie and to this
/// token, and unlike the action button's.
pub(crate) fn renew_csrf(pages: &LinkPages, nonce: &str, token: &str) -> String {
    pages.keys.csrf(nonce, &format!("{token}{RENEW_SUFFIX}"))
}

/// Where the "mail me a new link" button posts, after the token.
pub(crate) const RENEW_SUFFIX: &str = "/new";

/// The "mail me a new link" button of a dead link's page.
pub(crate) fn renew_form(pages: &LinkPages, token: &str, nonce: &str, locale: Locale) -> PageForm {
    PageForm {
        action: format!("{token}{RENEW_SUFFIX}"),
        csrf: renew_csrf(pages, nonce, token),
        label: locale.text("link-email-me-a-new-link"),
        ..reason_choice(LinkAction::Open, locale)
    }
}

/// For a cancel button, the required choice of reason (the seeds' list; "no interpreter
/// available" is the bank's, not the requester's); nothing for other buttons. The form's
/// action, value and label are left empty for the caller.
pub(crate) fn reason_choice(action: LinkAction, locale: Locale) -> PageForm {
    let cancel = matches!(action, LinkAction::Cancel | LinkAction::CancelSeries);
    PageForm {
        action: String::new(),
        csrf: String::new(),
        label: String::new(),
        danger: false,
        reason_label: if cancel {
            locale.text("link-reason-for-cancelling")
        } else {
            String::new()
        },
        reasons: if cancel {
            CancellationReason::ALL
                .into_iter()
                .filter(|r| *r != CancellationReason::NoInterpreterAvailable)
                .map(|r| (r.as_str().to_string(), r.label(locale).to_string()))
                .collect()
        } else {
            Vec::new()
        },
        note_label: if action == LinkAction::Contest {
            locale.text("link-what-is-wrong-optional")
        } else {
            String::new()
        },
    }
}

pub(crate) fn invalid_page(bank: &str) -> Page {
    Page {
        locale: Locale::Fr,
        bank: bank.to_string(),
        title: "Lien non valide / Invalid link".into(),
        heading: "Ce lien n'est pas valide / This link is not valid".into(),
        notice: String::new(),
        tone: Tone::Bad,
        facts: Vec::new(),
        paragraphs: vec![
            "Il est peut-être incomplet : copiez-le en entier depuis le message reçu, ou répondez à ce message.".into(),
            "It may be incomplete: copy it whole from the message you received, or reply to that message.".into(),
        ],
        forms: Vec::new(),
    }
}

pub(crate) fn dead_notice(reason: &DeadReason, locale: Locale, tz: chrono_tz::Tz) -> String {
    match reason {
        DeadReason::Used(used) => {
            let at = used.used_at.with_timezone(&tz);
            format!(
                "{} {}",
                locale.text("link-this-link-was-already-used-on"),
                crate::domain::locale::long_date_time(at, locale),
            ) + locale.pick("\u{a0}: ce qu'il demandait est fait.", ": what it asked for is done.")
        }
        DeadReason::Expired => locale.text("link-this-link-has-expired"),
        DeadReason::Changed => locale.text("link-this-link-no-longer-works-the"),
        DeadReason::Gone => locale.text("link-this-link-can-no-longer-be"),
    }
}

pub(crate) fn next_step(recipient: Option<&Person>, locale: Locale) -> String {
    use crate::domain::role::Role;
    match recipient {
        Some(p) if p.has_role(Role::Interpreter) => locale.text("link-for-anything-else-reply-to-the"),
        Some(p) if p.has_role(Role::Coordinator) => locale.text("link-the-bank-s-board-shows-the"),
        _ => locale.text("link-for-anything-else-reply-to-the-2"),
    }
}

pub(crate) fn refusal_text(error: &WorkflowError, locale: Locale) -> String {
    match error {
        WorkflowError::OfferClosed => locale.text("link-this-offer-is-already-filled-or"),
        WorkflowError::Transition(_) => locale.text("link-the-request-is-no-longer-at"),
        WorkflowError::Forbidden(_) => locale.text("link-you-cannot-do-that-for-this"),
        WorkflowError::Conflict(_) => locale.text("link-another-change-arrived-at-the-same"),
        WorkflowError::Invalid(errors) => errors
            .iter()
            .map(|e| e.describe(locale))
            .collect::<Vec<_>>()
            .join(" ; "),
        WorkflowError::InvalidRecord(problems) => problems
            .iter()
            .map(|p| p.describe(locale))
            .collect::<Vec<_>>()
            .join(" ; "),
        WorkflowError::TooEarly => locale.text("link-the-appointment-has-not-started-yet"),
        other => format!("{} ({other})", locale.text("link-nothing-was-changed")),
    }
}

/// What a `GET` shows for a state: the confirmation, or why the link is dead.
pub(crate) async fn state_page(
    state: &AppState,
    pages: &LinkPages,
    link_state: LinkState,
    claim: &LinkClaim,
    token: &str,
    nonce: &str,
) -> (StatusCode, Page) {
    let workflow = &state.workflow;
    let tz = workflow.config().time_zone;
    match link_state {
        LinkState::Live { request, recipient } => {
            let page = live_page(state, pages, &request, &recipient, claim, token, nonce).await;
            (StatusCode::OK, page)
        }
        LinkState::Dead {
            reason,
            request,
            recipient,
            renewable,
        } => {
            let locale = recipient.as_ref().map_or(Locale::Fr, |p| p.locale);
            let facts = match &request {
                Some(r) => facts_list(workflow, r, locale).await,
                None => Vec::new(),
            };
            let mut paragraphs = Vec::new();
            let mut forms = Vec::new();
            if renewable {
                // Never a fresh token to whoever holds this one: a new link goes by mail to
                // the recipient's own address on file.
                paragraphs.push(match locale {
                    Locale::Fr => format!(
                        "Voici la demande telle qu'elle est maintenant. Il est encore possible de faire ceci\u{a0}: «\u{a0}{}\u{a0}». Un nouveau lien peut être envoyé par courriel à l'adresse inscrite au dossier de la personne à qui ce lien était destiné, et à aucune autre.",
                        action_heading(claim.action, locale)
                    ),
                    Locale::En => format!(
                        "Here is the request as it is now. This can still be done: “{}”. A new link can be sent by email to the address on file of the person this link was meant for, and to no other.",
                        action_heading(claim.action, locale)
                    ),
                });
                forms.push(renew_form(pages, token, nonce, locale));
            } else {
                paragraphs.push(next_step(recipient.as_ref(), locale));
            }
            (
                StatusCode::GONE,
                Page {
                    locale,
                    bank: pages.bank.clone(),
                    title: locale.text("link-link-no-longer-active"),
                    heading: match &request {
                        Some(r) => format!("{} — {}", action_heading(claim.action, locale), r.label()),
                        None => action_heading(claim.action, locale),
                    },
                    notice: dead_notice(&reason, locale, tz),
                    tone: Tone::Bad,
                    facts,
                    paragraphs,
                    forms,
                },
            )
        }
    }
}

/// The page of a link that still works: what it does, for whom, on what, and its button.
async fn live_page(
    state: &AppState,
    pages: &LinkPages,
    request: &Request,
    recipient: &Person,
    claim: &LinkClaim,
    token: &str,
    nonce: &str,
) -> Page {
    let workflow = &state.workflow;
    let locale = recipient.locale;
    let mut facts = match briefed_facts(workflow, request, recipient.id, locale).await {
        Ok(facts) => facts,
        Err(_) => facts_list(workflow, request, locale).await,
    };
    if matches!(claim.action, LinkAction::Validate | LinkAction::Contest) {
        facts.extend(record_facts(workflow, request, locale).await.unwrap_or_default());
    }
    facts.insert(0, (locale.text("link-for"), recipient.display_name()));
    let names = subject_names(workflow, claim).await;
    Page {
        locale,
        bank: pages.bank.clone(),
        title: action_heading(claim.action, locale),
        heading: format!("{} — {}", action_heading(claim.action, locale), request.label()),
        notice: String::new(),
        tone: Tone::Neutral,
        facts,
        paragraphs: vec![action_explanation(claim.action, &names, locale)],
        forms: vec![form_for(pages, claim, token, nonce, locale)],
    }
}

/// Sends the page with a CSRF cookie for the form (kept if the browser has one).
pub(crate) fn with_nonce(pages: &LinkPages, status: StatusCode, page: Page, nonce: &str, fresh: bool) -> Response {
    let mut response = page_response(status, &page);
    if fresh && let Some(value) = pages.form_cookie(nonce) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// Adds the form cookie holding `nonce` to a response.
pub(crate) fn with_csrf_cookie(pages: &LinkPages, mut response: Response, nonce: &str) -> Response {
    if let Some(value) = pages.form_cookie(nonce) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// The page for a command the workflow refused.
pub(crate) async fn refused_page(
    state: &AppState,
    pages: &LinkPages,
    link: &VerifiedLink,
    error: &WorkflowError,
) -> Result<Response, crate::web::WebError> {
    let Some((request, locale)) = load(&state.workflow, link).await else {
        return Err(crate::web::WebError::internal(anyhow::anyhow!("request vanished")));
    };
    let page = Page {
        locale,
        bank: pages.bank.clone(),
        title: action_heading(link.claim.action, locale),
        heading: format!("{} — {}", action_heading(link.claim.action, locale), request.label()),
        notice: refusal_text(error, locale),
        tone: Tone::Bad,
        facts: facts_list(&state.workflow, &request, locale).await,
        paragraphs: vec![next_step(None, locale)],
        forms: Vec::new(),
    };
    Ok(page_response(StatusCode::CONFLICT, &page))
}

/// The request as it is now, and the recipient's language.
pub(crate) async fn load(workflow: &Workflow, link: &VerifiedLink) -> Option<(Request, Locale)> {
    let mut tx = workflow.store().begin_read().await.ok()?;
    let request = tx.request(link.claim.request).await.ok()?;
    let locale = tx
        .person(link.claim.recipient)
        .await
        .map(|p| p.locale)
        .unwrap_or(Locale::Fr);
    let _ = tx.commit().await;
    Some((request, locale))
}

/// The page for a link in `link_state` other than a live record link (whose page is the
/// record form): its confirmation, or why it is dead. Sets the form cookie when the
/// browser has none.
pub(crate) async fn state_response(
    state: &AppState,
    pages: &LinkPages,
    link_state: LinkState,
    claim: &LinkClaim,
    token: &str,
    existing: Option<String>,
) -> Response {
    let nonce = existing.clone().unwrap_or_else(crate::security::random_token);
    let (status, page) = state_page(state, pages, link_state, claim, token, &nonce).await;
    with_nonce(pages, status, page, &nonce, existing.is_none())
}
