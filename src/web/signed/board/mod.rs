//! `GET /board`: the coordinator's overview, gathered by the same code as the digest
//! ([`crate::outbound::digest::gather`]) so the page and the mail say the same thing:
//! requests waiting for an interpreter as a dense table ([`table`]) with their ranked
//! candidates and who cannot take them, offers unanswered for an hour, modified requests,
//! contested records with the requester's words, bounced addresses, undelivered messages,
//! and inbound messages set aside (retried or dismissed from here: [`super::set_aside`]).
//! Each candidate has a button, and each request one to offer it to all listed; they post
//! to `/board/offer` with the session's form value. Each request also has a field to offer
//! it to anyone by name or code: `/board/offer-to` ([`offer_to`]).

pub mod offer_to;
mod table;

use super::{Section, SignedPage, render};
use crate::config::Settings;
use crate::domain::ids::{PersonId, RequestId};
use crate::domain::locale::Locale;
use crate::domain::request::RequestStatus;
use crate::domain::role::{ActorKind, Channel, Role};
use crate::outbound::digest::{Digest, LinkContext, gather};
use crate::web::AppState;
use crate::web::WebError;
use crate::web::account::{Coordinator, SignedIn};
use crate::web::page::Tone;
use crate::workflow::{Actor, Command, WorkflowError};
use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::TimeDelta;
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct BoardQuery {
    /// Set after an offer went out: the request's number.
    offered: String,
    /// Set after a set-aside message was retried or dismissed: what became of it.
    set_aside: String,
}

/// `GET /board`.
pub async fn show(
    Coordinator(signed_in): Coordinator,
    State(state): State<AppState>,
    Query(q): Query<BoardQuery>,
) -> Result<Response, WebError> {
    let settings = super::settings(&state);
    let locale = signed_in.person().locale;
    let notice = if !q.set_aside.is_empty() {
        super::set_aside::notice(&q.set_aside, locale)
    } else if q.offered.is_empty() {
        None
    } else {
        let number: String = q.offered.chars().take(32).collect();
        Some((
            Tone::Good,
            match locale {
                Locale::Fr => format!("La demande {number} a été offerte ; les interprètes sont avisés."),
                Locale::En => format!("Request {number} was offered; the interpreters are notified."),
            },
        ))
    };
    board(&signed_in, &state, &settings, StatusCode::OK, notice).await
}

pub(super) async fn board(
    signed_in: &SignedIn,
    state: &AppState,
    settings: &Settings,
    status: StatusCode,
    notice: Option<(Tone, String)>,
) -> Result<Response, WebError> {
    board_with(signed_in, state, settings, status, notice, Vec::new()).await
}

/// The board under a notice with forms that answer it (« Offrir quand même »).
pub(super) async fn board_with(
    signed_in: &SignedIn,
    state: &AppState,
    settings: &Settings,
    status: StatusCode,
    notice: Option<(Tone, String)>,
    notice_forms: Vec<super::FormView>,
) -> Result<Response, WebError> {
    let now = state.workflow.clock().now();
    let (digest, names) = gather_for(signed_in, state, settings, now).await?;
    let mut page = SignedPage::new(signed_in, ("Tableau de bord", "Board"));
    if let Some((tone, text)) = notice {
        page = page.notice(tone, text);
    }
    page.notice_forms = notice_forms;
    page.wide = true;
    let seen = table::Seen {
        locale: page.locale,
        csrf: &signed_in.session().csrf(),
        now,
        time_zone: settings.general.time_zone,
    };
    page.sections = sections(&digest, &seen, names);
    Ok(render(status, &settings.general.bank_name, &page))
}

/// The digest as of `now`, and the names of the active interpreters for the « Offrir à… »
/// fields.
async fn gather_for(
    signed_in: &SignedIn,
    state: &AppState,
    settings: &Settings,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<(Digest, Vec<String>)> {
    let keys = crate::security::link_keys(settings)?;
    let ctx = LinkContext {
        keys: &keys,
        public_base_url: &settings.web.public_base_url,
        ttl: TimeDelta::hours(i64::from(settings.security.link_ttl_hours)),
        now,
        time_zone: settings.general.time_zone,
        candidates: settings.coordination.digest_candidates,
    };
    let mut tx = state.workflow.store().begin().await?;
    let digest = gather(&mut tx, signed_in.person(), &ctx).await?;
    let names = if digest.waiting.is_empty() {
        Vec::new()
    } else {
        let people = tx.people_with_role(Role::Interpreter).await?;
        let mut names: Vec<String> = people.iter().map(|p| p.display_name()).collect();
        names.dedup();
        names
    };
    tx.commit().await?;
    Ok((digest, names))
}

// Long for a reason: the board's sections in the order the page shows them, one flat
// list.
fn sections(digest: &Digest, seen: &table::Seen<'_>, names: Vec<String>) -> Vec<Section> {
    let locale = seen.locale;
    let lines = |fr: &str, en: &str, empty: (&str, &str), lines: &[String]| Section {
        heading: locale.pick(fr, en).to_string(),
        empty: locale.pick(empty.0, empty.1).to_string(),
        lines: lines.to_vec(),
        ..Section::default()
    };
    vec![
        table::section(&digest.waiting, seen, names),
        lines(
            "Offres sans réponse",
            "Offers unanswered",
            (
                "Aucune offre sans réponse depuis une heure.",
                "No offer unanswered for an hour.",
            ),
            &digest.unanswered,
        ),
        lines(
            "Demandes modifiées à faire accepter",
            "Modified requests awaiting acceptance",
            ("Aucune.", "None."),
            &digest.modified,
        ),
        lines(
            "Réalisations contestées",
            "Contested service records",
            ("Aucune.", "None."),
            &digest.contested,
        ),
        lines(
            "Adresses en échec (7 jours)",
            "Bounced addresses (7 days)",
            ("Aucune.", "None."),
            &digest.bounces,
        ),
        lines(
            "Messages non remis (7 jours)",
            "Undelivered messages (7 days)",
            ("Aucun.", "None."),
            &digest.undelivered,
        ),
        super::set_aside::section(&digest.set_aside, locale, seen.csrf),
    ]
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OfferForm {
    csrf: String,
    request: i64,
    /// Person ids, comma-separated.
    interpreters: String,
}

/// `POST /board/offer`: offers a request to the interpreters the button names.
pub async fn offer(
    Coordinator(signed_in): Coordinator,
    State(state): State<AppState>,
    form: Result<Form<OfferForm>, FormRejection>,
) -> Result<Response, WebError> {
    let settings = super::settings(&state);
    let locale = signed_in.person().locale;
    let refused = |text: &str| Some((Tone::Bad, text.to_string()));
    let Some(Form(form)) = form.ok().filter(|f| signed_in.session().csrf_ok(&f.csrf)) else {
        let text = locale.text("coord-nothing-was-done-this-form-expired");
        return board(&signed_in, &state, &settings, StatusCode::FORBIDDEN, refused(&text)).await;
    };
    let interpreters: Option<Vec<PersonId>> = form
        .interpreters
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.trim().parse().ok().map(PersonId))
        .collect();
    let Some(interpreters) = interpreters.filter(|list| !list.is_empty()) else {
        let text = locale.text("coord-no-interpreter-chosen");
        return board(
            &signed_in,
            &state,
            &settings,
            StatusCode::UNPROCESSABLE_ENTITY,
            refused(&text),
        )
        .await;
    };
    offer_now(&signed_in, &state, &settings, RequestId(form.request), interpreters).await
}

/// Offers `request` to `interpreters` and shows the board saying so, or, when the request
/// is no longer waiting, the board as it is now.
pub(super) async fn offer_now(
    signed_in: &SignedIn,
    state: &AppState,
    settings: &Settings,
    request: RequestId,
    interpreters: Vec<PersonId>,
) -> Result<Response, WebError> {
    // The board offers only what it shows: a request still waiting. (Offering an offered
    // request to more interpreters is a deliberate act, not a stale button's.)
    if !is_waiting(state, request).await? {
        return changed(signed_in, state, settings).await;
    }
    let actor = Actor {
        person: Some(signed_in.person().id),
        kind: ActorKind::Coordinator,
        channel: Channel::Web,
    };
    let command = Command::OfferRequest {
        request,
        interpreters,
        expires_at: None,
    };
    match state.workflow.execute(actor, command).await {
        Ok(_) => {
            let number = label_of(state, request).await?;
            Ok(super::see_other(format!("/board?offered={}", url_safe(&number))))
        }
        Err(
            WorkflowError::Transition(_)
            | WorkflowError::NotFound
            | WorkflowError::BadCommand(_)
            | WorkflowError::Conflict(_)
            | WorkflowError::OfferClosed,
        ) => changed(signed_in, state, settings).await,
        Err(e) => Err(e.into()),
    }
}

/// The request changed since the board was shown: nothing done, the board as it is now.
pub(super) async fn changed(signed_in: &SignedIn, state: &AppState, settings: &Settings) -> Result<Response, WebError> {
    let locale = signed_in.person().locale;
    let text = locale.text("coord-nothing-was-done-this-request-changed");
    board(
        signed_in,
        state,
        settings,
        StatusCode::CONFLICT,
        Some((Tone::Bad, text.to_string())),
    )
    .await
}

/// Whether the request is still waiting for an interpreter, as the board showed it.
pub(super) async fn is_waiting(state: &AppState, id: RequestId) -> Result<bool, crate::store::StoreError> {
    Ok(status_of(state, id).await? == Some(RequestStatus::New))
}

async fn status_of(state: &AppState, id: RequestId) -> Result<Option<RequestStatus>, crate::store::StoreError> {
    let mut tx = state.workflow.store().begin_read().await?;
    let status = match tx.request(id).await {
        Ok(r) => Some(r.status),
        Err(crate::store::StoreError::NotFound) => None,
        Err(e) => return Err(e),
    };
    tx.commit().await?;
    Ok(status)
}

pub(super) async fn label_of(state: &AppState, id: RequestId) -> Result<String, crate::store::StoreError> {
    let mut tx = state.workflow.store().begin_read().await?;
    let request = tx.request(id).await?;
    tx.commit().await?;
    Ok(request.label())
}

/// Request numbers are letters, digits and dashes; anything else is dropped.
fn url_safe(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect()
}
