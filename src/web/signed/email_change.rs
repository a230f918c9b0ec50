//! `POST /profile/email`: a person asks for a new email address. A link goes to that
//! address; the profile page says what happened (`?email=…`) and, until the link is
//! followed, which address waits.

use super::{FormView, Input};
use crate::domain::contact::EmailAddress;
use crate::domain::locale::{Locale, long_date_time};
use crate::web::account::SignedIn;
use crate::web::{AppState, WebError};
use crate::workflow::accounts::EmailChangeAsked;
use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::response::Response;
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
pub struct Posted {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    new_email: String,
}

/// `POST /profile/email`.
pub async fn submit(
    signed_in: SignedIn,
    State(state): State<AppState>,
    form: Result<Form<Posted>, FormRejection>,
) -> Result<Response, WebError> {
    let person = signed_in.person();
    let posted = match form {
        Ok(Form(p)) if signed_in.session().csrf_ok(&p.csrf) => p,
        _ => {
            return Err(WebError::Csrf {
                locale: person.locale,
                again: "/profile".into(),
            });
        }
    };
    let Ok(new) = EmailAddress::parse(&posted.new_email) else {
        return Ok(super::see_other("/profile?email=invalid"));
    };
    let outcome = state.account_pages.accounts.ask_email_change(person, &new).await?;
    let said = match outcome {
        EmailChangeAsked::Sent { .. } => "sent",
        EmailChangeAsked::Same => "same",
        EmailChangeAsked::Taken => "taken",
        EmailChangeAsked::Limited => "limited",
    };
    Ok(super::see_other(format!("/profile?email={said}")))
}

/// What the profile page says after a change was asked (`?email=…`): `(good, text)`.
pub(super) fn outcome_notice(said: &str, locale: Locale) -> Option<(bool, String)> {
    Some(match said {
        "sent" => (true, locale.text("profile-email-link-sent")),
        "same" => (false, locale.text("profile-email-same")),
        "taken" => (false, locale.text("profile-email-taken")),
        "invalid" => (false, locale.text("profile-email-invalid")),
        "limited" => (false, locale.text("profile-email-limited")),
        _ => return None,
    })
}

/// The form that asks for a new address, saying which one waits for its link, if any.
pub(super) async fn form(state: &AppState, signed_in: &SignedIn, tz: chrono_tz::Tz) -> Result<FormView, WebError> {
    let person = signed_in.person();
    let locale = person.locale;
    let pending = state.account_pages.accounts.pending_email_change(person).await?;
    let hint = match &pending {
        Some(change) => locale.text_with(
            "profile-email-pending",
            &[
                ("address", change.new_email.as_str()),
                (
                    "until",
                    long_date_time(change.expires_at.with_timezone(&tz), locale).as_str(),
                ),
            ],
        ),
        None => locale.text("profile-email-hint"),
    };
    Ok(FormView {
        id: "email".into(),
        heading: locale.text("profile-email-heading"),
        method: "post",
        action: "/profile/email".into(),
        csrf: signed_in.session().csrf(),
        inputs: vec![Input::new("new_email", "email", &locale.text("profile-email-new"), "").hint(hint)],
        buttons: vec![(locale.text("profile-email-send-link"), String::new())],
        ..FormView::default()
    })
}
