//! `POST /requests/{id}/close`: a coordinator closes a request from its page, once its
//! service record is validated, or contested and checked: what replying FERMER does by
//! mail, through the same workflow command with the web channel. The button is a form
//! bound to the session like the page's others; only coordinators past their second
//! factor see it and may post it.

use super::show::{after, page};
use super::{ActionForm, seen as visible_request};
use crate::domain::locale::Locale;
use crate::domain::request::{Event, Request};
use crate::domain::role::{ActorKind, Channel, Role};
use crate::web::account::{Coordinator, SignedIn};
use crate::web::page::Tone;
use crate::web::{AppState, WebError};
use crate::workflow::{Actor, Command};
use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

/// The button, when this person may close the request now.
pub(super) fn form(request: &Request, signed_in: &SignedIn, csrf: &str, locale: Locale) -> Option<ActionForm> {
    let may = signed_in.is(Role::Coordinator)
        && signed_in.mfa_passed()
        && request.status.apply(Event::Close, ActorKind::Coordinator).is_ok();
    may.then(|| ActionForm {
        action: format!("/requests/{}/close", request.id.0),
        csrf: csrf.to_string(),
        value: "close",
        label: locale.text("request-close-the-request"),
        danger: false,
        reason_label: String::new(),
        reasons: Vec::new(),
        note_label: String::new(),
        warning: String::new(),
        who_label: String::new(),
        request: String::new(),
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct Posted {
    #[serde(default)]
    csrf: String,
}

/// `POST /requests/{id}/close`.
pub async fn close(
    Coordinator(signed_in): Coordinator,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Result<Form<Posted>, FormRejection>,
) -> Result<Response, WebError> {
    let locale = signed_in.person().locale;
    let seen = visible_request(&state, &signed_in, id).await?;
    if !posted.is_ok_and(|Form(p)| signed_in.session().csrf_ok(&p.csrf)) {
        let notice = locale.text("request-nothing-was-done-this-form-expired");
        return page(&state, &signed_in, &seen, Tone::Bad, notice, StatusCode::FORBIDDEN).await;
    }
    let actor = Actor {
        person: Some(seen.person.id),
        kind: ActorKind::Coordinator,
        channel: Channel::Web,
    };
    let command = Command::CloseRequest {
        request: seen.request.id,
    };
    after(&state, &signed_in, id, state.workflow.execute(actor, command).await).await
}
