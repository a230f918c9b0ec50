//! `/mail/confirm/TOKEN`: the page behind a "did you send this?" mail. It shows what Relais
//! received in the person's name and offers two buttons; only a POST acts, so a mail
//! scanner that follows links confirms nothing.

use super::page::{Page, PageForm, Tone, page_response};
use super::{AppState, WebError};
use crate::domain::locale::Locale;
use crate::inbound::pipeline::{ConfirmationAnswer, MailOutcome};
use crate::security::mail_confirmation::ConfirmationToken;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct AnswerQuery {
    answer: Option<String>,
}

fn bank(state: &AppState) -> String {
    state.settings.general.bank_name.clone()
}

fn page(state: &AppState, locale: Locale, heading: (&str, &str)) -> Page {
    Page {
        locale,
        bank: bank(state),
        title: locale.pick(heading.0, heading.1).to_string(),
        heading: locale.pick(heading.0, heading.1).to_string(),
        notice: String::new(),
        tone: Tone::Neutral,
        facts: Vec::new(),
        paragraphs: Vec::new(),
        forms: Vec::new(),
    }
}

/// The token, if genuine and current, with the person's language.
async fn verified(state: &AppState, token: &str) -> Option<(ConfirmationToken, Locale)> {
    let pipeline = &state.mail_pipeline;
    let now = pipeline.workflow().clock().now();
    let token = ConfirmationToken::verify(token, &pipeline.confirmation_keys(), now)?;
    let mut tx = pipeline.workflow().store().begin_read().await.ok()?;
    let person = tx.person(token.person).await.ok();
    let _ = tx.commit().await;
    Some((token, person.map_or(Locale::Fr, |p| p.locale)))
}

fn dead(state: &AppState) -> Response {
    let mut p = page(state, Locale::Fr, ("Lien expiré ou inconnu", "Link expired or unknown"));
    p.tone = Tone::Bad;
    p.paragraphs = vec![
        "Ce lien n'est plus valide (il dure 7 jours). Rien n'a été fait. Si vous aviez bien écrit ce message, envoyez-le de nouveau."
            .into(),
        "This link is no longer valid (it lasts 7 days). Nothing was done. If you did write that message, send it again."
            .into(),
    ];
    page_response(StatusCode::NOT_FOUND, &p)
}

/// `GET`: what was received, and the two buttons.
pub async fn show(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response, WebError> {
    let Some((claim, locale)) = verified(&state, &token).await else {
        return Ok(dead(&state));
    };
    let pipeline = &state.mail_pipeline;
    let tz = pipeline.workflow().config().time_zone;
    let mut tx = pipeline.workflow().store().begin_read().await?;
    let found = tx.mail_confirmation(claim.inbound).await;
    let _ = tx.commit().await;
    let pending = match found? {
        Some(p) if p.person_id == claim.person.0 => p,
        _ => return Ok(dead(&state)),
    };
    let mut p = page(
        &state,
        locale,
        ("Avez-vous envoyé ce message ?", "Did you send this message?"),
    );
    p.facts = vec![
        (locale.text("web-subject"), pending.subject.clone()),
        (
            locale.text("web-received"),
            crate::domain::locale::long_date_time(pending.received_at.with_timezone(&tz), locale),
        ),
    ];
    if let Some(answer) = &pending.answer {
        p.notice = if answer == "confirmed" {
            locale.text("web-you-confirmed-this-message-it-was")
        } else {
            locale.text("web-you-said-you-did-not-send")
        }
        .to_string();
        return Ok(page_response(StatusCode::OK, &p));
    }
    p.paragraphs = vec![locale.text("web-relais-received-this-message-from-your")];
    p.forms = vec![
        PageForm {
            action: format!("/mail/confirm/{token}?answer=confirm"),
            csrf: String::new(),
            label: locale.text("web-yes-i-sent-it"),
            danger: false,
            reason_label: String::new(),
            reasons: Vec::new(),
            note_label: String::new(),
        },
        PageForm {
            action: format!("/mail/confirm/{token}?answer=deny"),
            csrf: String::new(),
            label: locale.text("web-no-it-wasn-t-me"),
            danger: true,
            reason_label: String::new(),
            reasons: Vec::new(),
            note_label: String::new(),
        },
    ];
    Ok(page_response(StatusCode::OK, &p))
}

/// `POST ?answer=confirm|deny`: the answer, written once.
pub async fn answer(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(query): Query<AnswerQuery>,
) -> Result<Response, WebError> {
    let Some((claim, locale)) = verified(&state, &token).await else {
        return Ok(dead(&state));
    };
    let confirmed = match query.answer.as_deref() {
        Some("confirm") => true,
        Some("deny") => false,
        _ => return Ok(dead(&state)),
    };
    let answer = state.mail_pipeline.answer_confirmation(&claim, confirmed).await?;
    let mut p = page(&state, locale, ("Merci", "Thank you"));
    match answer {
        ConfirmationAnswer::Applied(outcome) => {
            p.tone = Tone::Good;
            p.notice = match outcome {
                MailOutcome::RequestCreated(_) | MailOutcome::RequestModified(_) | MailOutcome::CommandApplied(_) => {
                    locale.text("web-your-message-was-processed-you-will")
                }
                _ => locale.text("web-your-message-was-processed-the-answer"),
            };
        }
        ConfirmationAnswer::Denied => {
            p.notice = locale.text("web-noted-the-message-was-set-aside");
        }
        ConfirmationAnswer::AlreadyAnswered(_) => {
            p.notice = locale.text("web-you-already-answered-for-this-message");
        }
        ConfirmationAnswer::Unknown => return Ok(dead(&state)),
    }
    Ok(page_response(StatusCode::OK, &p))
}
