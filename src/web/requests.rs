//! `/requests/{id}`: one request's page, opened by an `Open` link for a short session
//! limited to that request. It shows the request as its requester wrote it and offers
//! what they can do now (cancel, validate or contest), each through a signed link.

use super::cookies;
use super::links::LinkPages;
use super::links::{SESSION_COOKIE, briefed_facts};
use super::page::{Page, PageForm, Tone, page_response};
use super::{AppState, WebError};
use crate::domain::locale::Locale;
use crate::security::link::{LinkAction, LinkClaim};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;

fn closed_page(bank: &str) -> Response {
    let page = Page {
        locale: Locale::Fr,
        bank: bank.to_string(),
        title: "Session terminée / Session ended".into(),
        heading: "Cette page n'est plus ouverte / This page is no longer open".into(),
        notice: String::new(),
        tone: Tone::Bad,
        facts: Vec::new(),
        paragraphs: vec![
            "Pour la rouvrir, suivez de nouveau le lien « Ouvrir la demande » d'un courriel de la banque.".into(),
            "To open it again, follow the “Open the request” link in an email from the bank.".into(),
        ],
        forms: Vec::new(),
    };
    page_response(StatusCode::UNAUTHORIZED, &page)
}

/// `GET /requests/{id}`.
pub async fn show(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let pages = &state.link_pages;
    let Some(secret) = cookies::read(&headers, SESSION_COOKIE) else {
        return Ok(closed_page(&pages.bank));
    };
    let session = match state.workflow.web_session(&secret).await? {
        Some(s) if s.request.is_none_or(|r| r.0 == id) => s,
        _ => return Ok(closed_page(&pages.bank)),
    };
    let workflow = &state.workflow;
    let loaded = async {
        let mut tx = workflow.store().begin_read().await?;
        let request = tx.request(crate::domain::ids::RequestId(id)).await?;
        let person = tx.person(session.person).await?;
        let interpreter = match request.assigned_interpreter {
            Some(i) => Some(tx.person(i).await?.display_name()),
            None => None,
        };
        let expires = session
            .expires_at
            .min(workflow.clock().now() + crate::workflow::links::OPEN_SESSION);
        let mut claims = Vec::new();
        for action in [LinkAction::Cancel, LinkAction::Validate, LinkAction::Contest] {
            if let Some(claim) = workflow
                .link_claim(&mut tx, action, &request, &person, Vec::new(), expires)
                .await?
            {
                claims.push(claim);
            }
        }
        tx.commit().await?;
        Ok::<_, crate::store::StoreError>((request, person, interpreter, claims))
    }
    .await;
    let (request, person, interpreter, claims) = match loaded {
        Ok(v) => v,
        Err(crate::store::StoreError::NotFound) => return Ok(closed_page(&pages.bank)),
        Err(e) => return Err(e.into()),
    };
    let locale = person.locale;
    let mut facts = briefed_facts(workflow, &request, person.id, locale).await?;
    if let Some(name) = interpreter {
        facts.insert(facts.len().min(8), (locale.text("request-interpreter"), name));
    }
    facts.extend(super::links::record_facts(workflow, &request, locale).await?);
    let nonce = cookies::read(&headers, cookies::FORM_COOKIE).unwrap_or_else(crate::security::random_token);
    let forms = claims
        .iter()
        .map(|claim| action_form(pages, claim, &nonce, locale))
        .collect();
    let page = Page {
        locale,
        bank: pages.bank.clone(),
        title: request.shown(locale),
        heading: format!("{} {}", locale.text("request-request"), request.shown(locale)),
        notice: String::new(),
        tone: Tone::Neutral,
        facts,
        paragraphs: vec![
            locale.text("request-to-change-the-request-reply-to"),
            locale.text("request-with-your-account-login-you-can"),
        ],
        forms,
    };
    let mut response = page_response(StatusCode::OK, &page);
    if let Some(value) = pages.form_cookie(&nonce) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    Ok(response)
}

/// The button of what the requester may do now, through a signed link bound to the form
/// cookie's `nonce`.
fn action_form(pages: &LinkPages, claim: &LinkClaim, nonce: &str, locale: Locale) -> PageForm {
    let token = pages.keys.sign(claim);
    PageForm {
        action: format!("../l/{token}"),
        csrf: pages.keys.csrf(nonce, &token),
        label: match claim.action {
            LinkAction::Cancel => locale.text("request-cancel-the-request"),
            LinkAction::Validate => locale.text("request-validate-the-service-record"),
            _ => locale.text("request-contest-the-service-record"),
        }
        .to_string(),
        danger: claim.action != LinkAction::Validate,
        ..super::links::reason_choice(claim.action, locale)
    }
}
