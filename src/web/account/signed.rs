//! What the signed-in account pages share: the page shell with the account links and the
//! sign-out button, the form they post and its reading (CSRF checked), and how the second
//! factor is named.

use super::session::AnySession;
use super::view::AccountPage;
use super::{csrf_guard, peer, read_posted};
use crate::domain::locale::Locale;
use crate::store::accounts::MfaMethod;
use crate::web::WebError;
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

pub(super) fn method_label(method: Option<MfaMethod>, locale: Locale) -> String {
    match method {
        Some(MfaMethod::Totp) => locale.text("account-on-authenticator-app"),
        Some(MfaMethod::Email) => locale.text("account-on-code-by-email"),
        None => locale.text("account-off"),
    }
}

/// A page of the signed-in person, with the account links and the sign-out button.
pub(super) fn signed_page(session: &AnySession, title: (&str, &str)) -> AccountPage {
    let locale = session.person().locale;
    let mut page = AccountPage::new(locale, locale.pick(title.0, title.1));
    page.menu = session.menu();
    page
}

/// A form posted by the session's person, read and through the CSRF guard (`again`: the
/// page to open again when it is refused), with the client's address.
pub(super) async fn read_form(
    session: &AnySession,
    request: axum::extract::Request,
    again: &str,
) -> Result<(Posted, String), WebError> {
    let locale = session.person().locale;
    let client = session.pages.client(request.headers(), peer(request.extensions()));
    let form: Posted = read_posted(request, locale, again).await?;
    csrf_guard(session.csrf_ok(&form.csrf), locale, again)?;
    Ok((form, client))
}
