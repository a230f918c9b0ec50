//! `GET/POST /profile/email/confirm/{token}`: the link mailed to a new address. Opening
//! it changes nothing (mail scanners open links); the button does, once.

use super::view::{AccountPage, Form};
use super::{AccountPages, csrf_guard, read_posted};
use crate::domain::locale::Locale;
use crate::web::page::Tone;
use crate::web::{AppState, WebError};
use crate::workflow::accounts::{EMAIL_CHANGE_PATH, EmailChangeConfirmed, EmailChangeState};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
pub struct Posted {
    #[serde(default)]
    csrf: String,
}

fn pages(state: &AppState) -> &AccountPages {
    &state.account_pages
}

/// The link no longer works: why, in both languages (nobody is known yet).
fn dead_link(pages: &AccountPages, state: &EmailChangeState) -> Response {
    let (fr, en) = (Locale::Fr, Locale::En);
    let (status, key) = match state {
        EmailChangeState::Used => (StatusCode::GONE, "profile-email-link-used"),
        EmailChangeState::Expired => (StatusCode::GONE, "profile-email-link-expired"),
        _ => (StatusCode::NOT_FOUND, "profile-email-link-unknown"),
    };
    let title = format!(
        "{} / {}",
        fr.text("profile-email-confirm-title"),
        en.text("profile-email-confirm-title")
    );
    let page = AccountPage::new(fr, title)
        .notice(Tone::Bad, format!("{} / {}", fr.text(key), en.text(key)))
        .paragraph(format!(
            "{} / {}",
            fr.text("profile-email-ask-again"),
            en.text("profile-email-ask-again")
        ))
        .link(
            "/profile",
            format!("{} / {}", fr.text("profile-my-profile"), en.text("profile-my-profile")),
        );
    pages.page(status, &page)
}

fn confirm_page(locale: Locale, new_email: &str, token: &str, csrf: &str) -> AccountPage {
    AccountPage::new(locale, locale.text("profile-email-confirm-title"))
        .paragraph(locale.text_with("profile-email-confirm-intro", &[("address", new_email)]))
        .form(Form {
            action: format!("{EMAIL_CHANGE_PATH}{token}"),
            csrf: csrf.to_string(),
            button: locale.text("profile-email-confirm-button"),
            ..Form::default()
        })
}

/// `GET /profile/email/confirm/{token}`: the address the link would make theirs, and the
/// button; opening it uses nothing.
pub async fn show(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let pages = pages(&state);
    Ok(match pages.accounts.email_change_state(&token).await? {
        EmailChangeState::Live { change, person } => pages.with_form_cookie(StatusCode::OK, &headers, |csrf| {
            confirm_page(person.locale, &change.new_email, &token, csrf)
        }),
        dead => dead_link(pages, &dead),
    })
}

/// `POST /profile/email/confirm/{token}`: the address changes.
pub async fn submit(
    State(state): State<AppState>,
    Path(token): Path<String>,
    request: axum::extract::Request,
) -> Result<Response, WebError> {
    let pages = pages(&state);
    let again = format!("{EMAIL_CHANGE_PATH}{token}");
    let headers = request.headers().clone();
    let form: Posted = read_posted(request, Locale::Fr, &again).await?;
    csrf_guard(pages.form_csrf_ok(&headers, &form.csrf), Locale::Fr, &again)?;
    Ok(match pages.accounts.confirm_email_change(&token).await? {
        EmailChangeConfirmed::Done(person) => {
            let locale = person.locale;
            let page = AccountPage::new(locale, locale.text("profile-email-confirm-title"))
                .notice(
                    Tone::Good,
                    locale.text_with("profile-email-changed", &[("address", person.email.as_str())]),
                )
                .link("/profile", locale.text("profile-my-profile"));
            pages.page(StatusCode::OK, &page)
        }
        EmailChangeConfirmed::Taken(person) => {
            let locale = person.locale;
            let page = AccountPage::new(locale, locale.text("profile-email-confirm-title"))
                .notice(Tone::Bad, locale.text("profile-email-taken"))
                .link("/profile", locale.text("profile-my-profile"));
            pages.page(StatusCode::CONFLICT, &page)
        }
        EmailChangeConfirmed::Dead(dead) => dead_link(pages, &dead),
    })
}
