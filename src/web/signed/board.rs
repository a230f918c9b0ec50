//! `GET /board`: the coordinator's overview, gathered by the same code as the digest
//! ([`crate::outbound::digest::gather`]) so the page and the mail say the same thing:
//! requests waiting for an interpreter with their ranked candidates, offers unanswered for
//! an hour, modified requests, contested records with the requester's words, bounced
//! addresses, undelivered messages, and inbound messages set aside (retried or dismissed
//! from here: [`super::set_aside`]). Each candidate has a button, and each request one to
//! offer it to all listed; they post to `/board/offer` with the session's form value.

use super::{FormView, Item, Section, SignedPage, render};
use crate::config::Settings;
use crate::domain::ids::{PersonId, RequestId};
use crate::domain::locale::Locale;
use crate::domain::request::RequestStatus;
use crate::domain::role::{ActorKind, Channel};
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
    let digest = gather_for(signed_in, state, settings).await?;
    let mut page = SignedPage::new(signed_in, ("Tableau de bord", "Board"));
    if let Some((tone, text)) = notice {
        page = page.notice(tone, text);
    }
    page.sections = sections(&digest, page.locale, &signed_in.session().csrf());
    Ok(render(status, &settings.general.bank_name, &page))
}

async fn gather_for(signed_in: &SignedIn, state: &AppState, settings: &Settings) -> anyhow::Result<Digest> {
    let keys = crate::security::link_keys(settings)?;
    let ctx = LinkContext {
        keys: &keys,
        public_base_url: &settings.web.public_base_url,
        ttl: TimeDelta::hours(i64::from(settings.security.link_ttl_hours)),
        now: state.workflow.clock().now(),
        time_zone: settings.general.time_zone,
        candidates: settings.coordination.digest_candidates,
    };
    let mut tx = state.workflow.store().begin().await?;
    let digest = gather(&mut tx, signed_in.person(), &ctx).await?;
    tx.commit().await?;
    Ok(digest)
}

fn offer_form(request: RequestId, to: &[PersonId], label: String, csrf: &str, secondary: bool) -> FormView {
    let ids: Vec<String> = to.iter().map(|p| p.0.to_string()).collect();
    FormView {
        method: "post",
        action: "/board/offer".into(),
        csrf: csrf.to_string(),
        hidden: vec![
            ("request".into(), request.0.to_string()),
            ("interpreters".into(), ids.join(",")),
        ],
        buttons: vec![(label, String::new())],
        secondary,
        ..FormView::default()
    }
}

// Long for a reason: the board's sections in the order the page shows them, one flat
// list.
fn sections(digest: &Digest, locale: Locale, csrf: &str) -> Vec<Section> {
    let lines = |fr: &str, en: &str, empty: (&str, &str), lines: &[String]| Section {
        heading: locale.pick(fr, en).to_string(),
        empty: locale.pick(empty.0, empty.1).to_string(),
        lines: lines.to_vec(),
        items: Vec::new(),
    };
    let waiting = digest
        .waiting
        .iter()
        .map(|w| {
            let mut item = Item {
                headline: w.headline.clone(),
                ..Item::default()
            };
            if !w.withdrawn.is_empty() {
                item.lines.push(w.withdrawn.clone());
            }
            for c in &w.candidates {
                if !c.why.is_empty() {
                    item.lines.push(format!("{} ({}) — {}", c.name, c.code, c.why));
                }
            }
            if w.candidates.is_empty() {
                item.lines.push(locale.text("coord-no-eligible-interpreter"));
            }
            if !w.excluded.is_empty() {
                item.lines
                    .push(format!("{} {}", locale.text("coord-left-out"), w.excluded));
            }
            for c in &w.candidates {
                item.forms
                    .push(offer_form(w.request, &[c.person], c.label.clone(), csrf, false));
            }
            if let Some((label, _)) = &w.broadcast {
                item.forms
                    .push(offer_form(w.request, &w.broadcast_to, label.clone(), csrf, true));
            }
            item
        })
        .collect();
    vec![
        Section {
            heading: locale.text("coord-requests-to-assign"),
            empty: locale.text("coord-no-request-waiting"),
            lines: Vec::new(),
            items: waiting,
        },
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
            "Rapports de service contestés",
            "Contested service records",
            ("Aucun.", "None."),
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
        super::set_aside::section(&digest.set_aside, locale, csrf),
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
    // The board offers only what it shows: a request still waiting. (Offering an offered
    // request to more interpreters is a deliberate act, not a stale button's.)
    let request = RequestId(form.request);
    let waiting = status_of(&state, request).await? == Some(RequestStatus::New);
    if !waiting {
        return changed(&signed_in, &state, &settings).await;
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
            let number = label_of(&state, request).await?;
            Ok(super::see_other(format!("/board?offered={}", url_safe(&number))))
        }
        Err(
            WorkflowError::Transition(_)
            | WorkflowError::NotFound
            | WorkflowError::BadCommand(_)
            | WorkflowError::Conflict(_)
            | WorkflowError::OfferClosed,
        ) => changed(&signed_in, &state, &settings).await,
        Err(e) => Err(e.into()),
    }
}

/// The request changed since the board was shown: nothing done, the board as it is now.
async fn changed(signed_in: &SignedIn, state: &AppState, settings: &Settings) -> Result<Response, WebError> {
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

async fn label_of(state: &AppState, id: RequestId) -> Result<String, crate::store::StoreError> {
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
