//! `/l/TOKEN`: the pages behind signed links. `GET` and `HEAD` only show what the button
//! will do (mail scanners that fetch every link change nothing); the button `POST`s the
//! token with a value bound to a cookie set by that `GET`. Pages work without JavaScript.
//!
//! `/requests/ID`: the request page an `Open` link grants for a short while.

mod page;
pub mod record_form;

pub use page::LinkPages;
use page::*;
pub(crate) use page::{SESSION_COOKIE, briefed_facts, facts_list, reason_choice, record_facts};

use super::page::{Page, Tone, page_response};
use super::{AppState, WebError};
use crate::domain::locale::Locale;
use crate::domain::request::{CancellationReason, Request, RequestStatus};
use crate::security::link::{LinkAction, LinkClaim, LinkError, VerifiedLink};
use crate::workflow::links::{Followed, LinkInput, LinkRefusal, LinkState, Renewal};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;

use super::cookies::form_nonce as nonce_from;

/// The guard of the link pages: the token of `/l/{token}`, verified by its signature (a
/// link is its own credential; no session is involved). An expired link still passes, to
/// show why it is dead; a forged or broken one is [`WebError::InvalidLink`].
pub struct SignedLink {
    pub token: String,
    pub link: VerifiedLink,
    pub expired: bool,
}

impl axum::extract::FromRequestParts<AppState> for SignedLink {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &AppState) -> Result<Self, WebError> {
        let Ok(Path(token)) = Path::<String>::from_request_parts(parts, state).await else {
            return Err(WebError::InvalidLink);
        };
        let (link, expired) = match state.link_pages.keys.verify(&token, state.workflow.clock().now()) {
            Ok(link) => (link, false),
            Err(LinkError::Expired(link)) => (link, true),
            Err(LinkError::Invalid) => return Err(WebError::InvalidLink),
        };
        Ok(SignedLink { token, link, expired })
    }
}

/// The page of [`WebError::InvalidLink`].
pub(super) fn invalid_link_page(bank: &str) -> Response {
    page_response(StatusCode::NOT_FOUND, &invalid_page(bank))
}

/// `GET /l/{token}` (and `HEAD`): shows, never acts.
pub async fn show(
    State(state): State<AppState>,
    SignedLink { token, link, expired }: SignedLink,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let pages = &state.link_pages;
    let link_state = state.workflow.inspect_link(&link, expired).await?;
    show_state(&state, pages, link_state, &link.claim, &token, nonce_from(&headers)).await
}

/// The page for a link in `link_state`: its confirmation (or, for a record link, the form),
/// or why it is dead. Sets the form cookie when the browser has none.
pub(super) async fn show_state(
    state: &AppState,
    pages: &LinkPages,
    link_state: LinkState,
    claim: &LinkClaim,
    token: &str,
    existing: Option<String>,
) -> Result<Response, WebError> {
    if claim.action == LinkAction::Record
        && let LinkState::Live { request, recipient } = &link_state
    {
        let nonce = existing.clone().unwrap_or_else(crate::security::random_token);
        let response = record_form::show(state, pages, request, recipient, token, &nonce).await?;
        return Ok(if existing.is_none() {
            with_csrf_cookie(pages, response, &nonce)
        } else {
            response
        });
    }
    Ok(state_response(state, pages, link_state, claim, token, existing).await)
}

/// A form of buttons is small: a body larger than this is not one of ours.
const MAX_BUTTON_BODY: usize = 16 * 1024;

/// `POST /l/{token}`: the button (or, for a record link, the form).
pub async fn act(
    State(state): State<AppState>,
    SignedLink { token, link, expired }: SignedLink,
    request: axum::extract::Request,
) -> Result<Response, WebError> {
    let pages = &state.link_pages;
    tracing::debug!(action = link.claim.action.as_str(), expired, "link pressed");
    let headers = request.headers().clone();
    if link.claim.action == LinkAction::Record && !expired {
        let multipart = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        if multipart {
            return record_form::submit(&state, pages, &link, &token, nonce_from(&headers), request).await;
        }
        // A plain post to a live record link (not the form's): show the form again.
        let link_state = state.workflow.inspect_link(&link, false).await?;
        return show_state(&state, pages, link_state, &link.claim, &token, nonce_from(&headers)).await;
    }
    let body = match axum::body::to_bytes(request.into_body(), MAX_BUTTON_BODY).await {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(_) => return Err(WebError::TooLarge),
    };
    let form = form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect::<Vec<(String, String)>>();
    let field = |k: &str| {
        form.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    let nonce = nonce_from(&headers);
    let csrf_ok = nonce
        .as_deref()
        .is_some_and(|n| pages.keys.csrf_matches(n, &token, field("csrf")));
    if expired || !csrf_ok {
        return not_pressed(&state, &link, &token, expired, nonce).await;
    }
    let nonce = nonce.unwrap_or_default();
    let reason = field("reason").parse::<CancellationReason>().ok();
    if matches!(link.claim.action, LinkAction::Cancel | LinkAction::CancelSeries) && reason.is_none() {
        let notice = |locale: Locale| locale.text("link-choose-the-reason-for-cancelling");
        return not_done(&state, &link, &token, &nonce, notice).await;
    }
    let note = match crate::domain::text::lines(field("note"), crate::domain::text::TEXT_MAX) {
        Ok(note) => Some(note.to_string()).filter(|n| !n.is_empty()),
        Err(problem) => {
            let notice = |locale: Locale| {
                let label = locale.text("link-what-is-wrong");
                format!(
                    "{} {}.",
                    locale.text("link-nothing-was-done"),
                    problem.about(&label, locale)
                )
            };
            return not_done(&state, &link, &token, &nonce, notice).await;
        }
    };
    tracing::debug!("following link");
    let input = LinkInput {
        reason,
        note,
        ..LinkInput::default()
    };
    Ok(match state.workflow.follow_link(&link, input).await? {
        Ok(Followed::Session { secret, request, .. }) => {
            let mut response = super::page::see_other(format!("../requests/{}", request.0));
            let lifetime = crate::workflow::links::OPEN_SESSION.num_seconds();
            let lax = cookie::SameSite::Lax;
            if let Some(value) = super::cookies::set(SESSION_COOKIE, &secret, lifetime, lax, pages.secure_cookies) {
                response.headers_mut().append(header::SET_COOKIE, value);
            }
            response
        }
        Ok(Followed::Applied(applied)) => done_page(&state, &link, &applied).await?,
        Err(LinkRefusal::Dead(link_state)) => {
            let (status, page) = state_page(&state, pages, *link_state, &link.claim, &token, &nonce).await;
            page_response(status, &page)
        }
        Err(LinkRefusal::Refused(error)) => refused_page(&state, pages, &link, &error).await?,
    })
}

/// A button not from our page in this browser, or pressed too late: the page again (403
/// while the link lives), acting on nothing.
async fn not_pressed(
    state: &AppState,
    link: &VerifiedLink,
    token: &str,
    expired: bool,
    nonce: Option<String>,
) -> Result<Response, WebError> {
    let pages = &state.link_pages;
    let nonce = nonce.unwrap_or_else(crate::security::random_token);
    let link_state = state.workflow.inspect_link(link, expired).await?;
    let (status, mut page) = state_page(state, pages, link_state, &link.claim, token, &nonce).await;
    if !expired {
        page.notice = page.locale.text("link-nothing-was-done-confirm-with-the");
        page.tone = Tone::Neutral;
    }
    let status = if status == StatusCode::OK {
        StatusCode::FORBIDDEN
    } else {
        status
    };
    Ok(with_nonce(pages, status, page, &nonce, true))
}

/// The page again (422) with why nothing was done (`notice`, in the page's language).
async fn not_done(
    state: &AppState,
    link: &VerifiedLink,
    token: &str,
    nonce: &str,
    notice: impl FnOnce(Locale) -> String,
) -> Result<Response, WebError> {
    let pages = &state.link_pages;
    let link_state = state.workflow.inspect_link(link, false).await?;
    let (_, mut page) = state_page(state, pages, link_state, &link.claim, token, nonce).await;
    page.notice = notice(page.locale);
    Ok(with_nonce(pages, StatusCode::UNPROCESSABLE_ENTITY, page, nonce, false))
}

/// What a pressed button did: the request's new status.
async fn done_page(
    state: &AppState,
    link: &VerifiedLink,
    applied: &crate::workflow::Applied,
) -> Result<Response, WebError> {
    let Some((request, locale)) = load(&state.workflow, link).await else {
        return Err(WebError::internal(anyhow::anyhow!("request vanished")));
    };
    let status = applied.to.as_state_of_request(locale);
    let notice = match locale {
        Locale::Fr => format!("C'est fait. La demande est maintenant {status}."),
        Locale::En => format!("Done. The request is now {status}."),
    };
    let mut paragraphs = Vec::new();
    if link.claim.action == LinkAction::Accept && applied.to == RequestStatus::Booked {
        paragraphs.push(locale.text("link-the-confirmation-and-the-invitation-for"));
    }
    let page = Page {
        locale,
        bank: state.link_pages.bank.clone(),
        title: action_heading(link.claim.action, locale),
        heading: format!("{} — {}", action_heading(link.claim.action, locale), request.label()),
        notice,
        tone: Tone::Good,
        facts: briefed_facts(&state.workflow, &request, link.claim.recipient, locale).await?,
        paragraphs,
        forms: Vec::new(),
    };
    Ok(page_response(StatusCode::OK, &page))
}

/// `POST /l/{token}/new`: "mail me a new link", from a dead link's page. The mail goes to
/// the recipient's address on file (nothing typed here chooses it); the page says so.
pub async fn renew(
    State(state): State<AppState>,
    SignedLink { token, link, expired }: SignedLink,
    request: axum::extract::Request,
) -> Result<Response, WebError> {
    let pages = &state.link_pages;
    let headers = request.headers().clone();
    let client = super::client_address(
        &headers,
        super::account::peer(request.extensions()),
        &pages.client_ip_header,
    );
    let body = match axum::body::to_bytes(request.into_body(), MAX_BUTTON_BODY).await {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(_) => return Err(WebError::TooLarge),
    };
    let form = form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect::<Vec<(String, String)>>();
    let csrf = form
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    let nonce = nonce_from(&headers);
    let csrf_ok = nonce
        .as_deref()
        .is_some_and(|n| pages.keys.csrf_matches(n, &format!("{token}{RENEW_SUFFIX}"), csrf));
    if !csrf_ok {
        // Not from our page in this browser: show the page again, send nothing.
        let nonce = nonce.unwrap_or_else(crate::security::random_token);
        let link_state = state.workflow.inspect_link(&link, expired).await?;
        let (_, mut page) = state_page(&state, pages, link_state, &link.claim, &token, &nonce).await;
        page.notice = page.locale.text("link-nothing-was-sent-press-the-button");
        page.tone = Tone::Neutral;
        return Ok(with_nonce(pages, StatusCode::FORBIDDEN, page, &nonce, true));
    }
    let renewal = state.workflow.renew_link(&link, expired, &client).await?;
    let (status, recipient, request) = match renewal {
        Renewal::NotPossible(link_state) => {
            let nonce = nonce.unwrap_or_default();
            let (status, page) = state_page(&state, pages, *link_state, &link.claim, &token, &nonce).await;
            return Ok(page_response(status, &page));
        }
        Renewal::Sent { recipient, request } => (StatusCode::OK, recipient, request),
        Renewal::Limited { recipient, request } => (StatusCode::TOO_MANY_REQUESTS, recipient, request),
    };
    Ok(renewed_page(&state, &link, status, recipient.locale, &request).await)
}

/// The page after "mail me a new link": sent (200), or too many sent lately (429).
async fn renewed_page(
    state: &AppState,
    link: &VerifiedLink,
    status: StatusCode,
    locale: Locale,
    request: &Request,
) -> Response {
    let (notice, paragraph) = if status == StatusCode::OK {
        (
            locale.text("link-a-new-link-was-just-sent"),
            locale.text("link-it-is-never-sent-to-any"),
        )
    } else {
        (
            locale.text("link-new-links-were-already-sent-lately"),
            locale.text("link-check-the-email-received-and-the"),
        )
    };
    let page = Page {
        locale,
        bank: state.link_pages.bank.clone(),
        title: locale.text("link-new-link"),
        heading: format!("{} — {}", action_heading(link.claim.action, locale), request.label()),
        notice,
        tone: if status == StatusCode::OK {
            Tone::Good
        } else {
            Tone::Bad
        },
        facts: facts_list(&state.workflow, request, locale).await,
        paragraphs: vec![paragraph],
        forms: Vec::new(),
    };
    page_response(status, &page)
}
