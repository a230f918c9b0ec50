//! The board's "messages set aside" section and `POST /board/set-aside`: a coordinator
//! retries a message whose processing failed (after the fix) or dismisses it. Either way
//! the answer is the board again, with what became of it.

use super::{FormView, Item, Section};
use crate::domain::locale::Locale;
use crate::inbound::pipeline::MailOutcome;
use crate::outbound::digest::{SetAsideChannel, SetAsideLine};
use crate::web::AppState;
use crate::web::WebError;
use crate::web::account::Coordinator;
use crate::web::page::Tone;
use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::response::Response;
use serde::Deserialize;

/// The section listing set-aside messages, each with its buttons.
pub fn section(lines: &[SetAsideLine], locale: Locale, csrf: &str) -> Section {
    let items = lines
        .iter()
        .map(|m| {
            let form = |action: &str, label: &str, secondary: bool| FormView {
                id: format!("set-aside-{}-{}-{action}", m.channel.as_str(), m.id),
                method: "post",
                action: "/board/set-aside".into(),
                csrf: csrf.to_string(),
                hidden: vec![
                    ("channel".into(), m.channel.as_str().into()),
                    ("id".into(), m.id.to_string()),
                    ("action".into(), action.into()),
                ],
                buttons: vec![(label.to_string(), String::new())],
                secondary,
                ..FormView::default()
            };
            let mut forms = Vec::new();
            if m.retriable {
                forms.push(form("retry", &locale.text("coord-retry"), false));
            }
            forms.push(form("dismiss", &locale.text("coord-dismiss"), true));
            Item {
                headline: m.line.clone(),
                lines: if m.words.is_empty() {
                    Vec::new()
                } else {
                    vec![format!("«\u{a0}{}\u{a0}»", m.words)]
                },
                forms,
            }
        })
        .collect();
    Section {
        table: None,
        heading: locale.text("coord-messages-set-aside"),
        empty: locale.text("coord-none"),
        lines: if lines.is_empty() {
            Vec::new()
        } else {
            vec![locale.text("coord-relais-could-not-process-these-messages")]
        },
        items,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SetAsideForm {
    csrf: String,
    channel: String,
    id: i64,
    action: String,
}

/// `POST /board/set-aside`.
pub async fn act(
    Coordinator(signed_in): Coordinator,
    State(state): State<AppState>,
    form: Result<Form<SetAsideForm>, FormRejection>,
) -> Result<Response, WebError> {
    let form = super::checked_form(&signed_in, form, |f| &f.csrf, "/board")?;
    let channel = match form.channel.as_str() {
        "mail" => SetAsideChannel::Mail,
        "sms" => SetAsideChannel::Sms,
        _ => return Err(WebError::Invalid),
    };
    let result = match (channel, form.action.as_str()) {
        (SetAsideChannel::Mail, "retry") => match state.mail_pipeline.retry_set_aside(form.id).await {
            Ok(Some(MailOutcome::SetAside)) | Err(_) => "failed",
            Ok(Some(_)) => "retried",
            Ok(None) => "gone",
        },
        (SetAsideChannel::Mail, "dismiss") => match state.mail_pipeline.dismiss_set_aside(form.id).await {
            Ok(true) => "dismissed",
            Ok(false) => "gone",
            Err(e) => return Err(e.into()),
        },
        (SetAsideChannel::Sms, "retry") => match state.sms_hooks.pipeline.retry_set_aside(form.id).await {
            Ok(Some(_)) => "retried",
            Ok(None) => "gone",
            Err(_) => "failed",
        },
        (SetAsideChannel::Sms, "dismiss") => match state.sms_hooks.pipeline.dismiss_set_aside(form.id).await {
            Ok(true) => "dismissed",
            Ok(false) => "gone",
            Err(e) => return Err(e.into()),
        },
        _ => return Err(WebError::Invalid),
    };
    tracing::info!(
        coordinator = signed_in.person().id.0,
        channel = channel.as_str(),
        id = form.id,
        action = %form.action,
        result,
        "set-aside message handled"
    );
    Ok(super::see_other(format!("/board?set_aside={result}")))
}

/// What the board says after a retry or a dismissal.
pub fn notice(result: &str, locale: Locale) -> Option<(Tone, String)> {
    let (tone, fr, en) = match result {
        "retried" => (Tone::Good, "Le message a été traité.", "The message was processed."),
        "dismissed" => (
            Tone::Good,
            "Le message a été écarté ; rien n’a été fait.",
            "The message was dismissed; nothing was done.",
        ),
        "failed" => (
            Tone::Bad,
            "Le message a échoué de nouveau ; il reste mis de côté. Le journal du serveur dit pourquoi.",
            "The message failed again; it stays set aside. The server log says why.",
        ),
        "gone" => (
            Tone::Bad,
            "Ce message n’est plus mis de côté : quelqu’un l’a déjà réessayé ou écarté.",
            "This message is no longer set aside: someone already retried or dismissed it.",
        ),
        _ => return None,
    };
    Some((
        tone,
        locale.pick(fr, en).replace(" ;", "\u{a0};").replace(" :", "\u{a0}:"),
    ))
}
