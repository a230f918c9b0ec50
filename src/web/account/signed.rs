//! What the signed-in account pages share: the page shell with the account links and the
//! sign-out button, the form they post and its reading (CSRF checked), and how the second
//! factor is named.

use super::forbidden_form;
use super::peer;
use super::session::AnySession;
use super::view::AccountPage;
use crate::domain::locale::Locale;
use crate::store::accounts::MfaMethod;
use axum::Form as PostedForm;
use axum::extract::FromRequest as _;
use axum::response::Response;
use serde::Deserialize;

#[derive(Default, Deserialize)]
pub struct Posted {
    #[serde(default)]
    pub(super) csrf: String,
    #[serde(default)]
    pub(super) current: String,
    #[serde(default)]
    pub(super) password: String,
    #[serde(default)]
    pub(super) confirmation: String,
    #[serde(default)]
    pub(super) code: String,
    /// The password or a current code, whichever the person typed.
    #[serde(default)]
    pub(super) proof: String,
}

pub(super) fn method_label(method: Option<MfaMethod>, locale: Locale) -> &'static str {
    match method {
        Some(MfaMethod::Totp) => locale.pick("Activée (application d'authentification)", "On (authenticator app)"),
        Some(MfaMethod::Email) => locale.pick("Activée (code par courriel)", "On (code by email)"),
        None => locale.pick("Non activée", "Off"),
    }
}

/// A page of the signed-in person, with the account links and the sign-out button.
pub(super) fn signed_page(session: &AnySession, title: (&str, &str)) -> AccountPage {
    let locale = session.person().locale;
    let mut page = AccountPage::new(locale, locale.pick(title.0, title.1));
    page.logout_csrf = session.csrf();
    page
}

pub(super) async fn read_form(
    session: &AnySession,
    request: axum::extract::Request,
    again: &str,
) -> Result<(Posted, String), Response> {
    let pages = &session.pages;
    let locale = session.person().locale;
    let client = pages.client(request.headers(), peer(request.extensions()));
    let Ok(PostedForm(form)) = PostedForm::<Posted>::from_request(request, &()).await else {
        return Err(forbidden_form(pages, locale, again));
    };
    if !session.csrf_ok(&form.csrf) {
        return Err(forbidden_form(pages, locale, again));
    }
    Ok((form, client))
}
