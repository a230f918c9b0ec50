//! Signing in and the account pages: `/login` (then `/login/code` for the second factor),
//! `/logout`, `/password/forgot` and `/password/reset/{token}`, `/account/activate/{token}`,
//! `/account` (who am I), `/account/password` and `/account/mfa` (enrolment, then managing the
//! second factor: new recovery codes, another method, turning it off).
//!
//! Cookies: `relais_account` holds the session id (HttpOnly, SameSite=Lax, Secure over
//! HTTPS); forms before a session carry a value bound to the `relais_csrf` cookie
//! (SameSite=Strict), forms after it a value bound to the session. Later pages take a
//! [`SignedIn`] argument and call [`SignedIn::require`] or [`SignedIn::visibility`].

mod calendar;
mod email_link;
mod login;
mod manage;
mod mfa;
mod session;
mod signed;
pub(crate) mod view;

pub use session::{AnySession, Coordinator, SignedIn};

use super::AppState;
use crate::domain::locale::Locale;
use crate::security::link::LinkKeys;
use crate::web::WebError;
use crate::web::cookies::{self, FORM_COOKIE, form_nonce};
use crate::web::page::Tone;
use crate::workflow::accounts::Accounts;
use axum::Router;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::routing::{get, post};
use cookie::SameSite;
use view::{AccountPage, Field, Form, render};

/// The session cookie.
pub const SESSION_COOKIE: &str = "relais_account";
/// What forms bound to the session or the form cookie are signed for.
const SESSION_FORMS: &str = "account:session";
const COOKIE_FORMS: &str = "account:form";

/// What the account pages need.
#[derive(Clone)]
pub struct AccountPages {
    pub accounts: Accounts,
    /// Signs the forms' values.
    pub keys: LinkKeys,
    pub bank: String,
    /// Cookies get `Secure` when Relais is served over HTTPS.
    pub secure_cookies: bool,
    /// Behind a reverse proxy, the header whose last entry is the client's address
    /// (`X-Forwarded-For`); empty to use the connection's address.
    pub client_ip_header: String,
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(login::show).post(login::submit))
        .route("/login/code", get(login::show_code).post(login::submit_code))
        .route("/login/code/email", post(login::resend_code))
        .route("/logout", post(login::logout))
        .route("/password/forgot", get(login::show_forgot).post(login::submit_forgot))
        .route(
            "/password/reset/{token}",
            get(login::show_reset).post(login::submit_reset),
        )
        .route(
            "/account/activate/{token}",
            get(login::show_activate).post(login::submit_activate),
        )
        .route(
            "/profile/email/confirm/{token}",
            get(email_link::show).post(email_link::submit),
        )
        .route("/", get(manage::root))
        .route("/account", get(manage::home))
        .route(
            "/account/password",
            get(manage::show_password).post(manage::submit_password),
        )
        .route("/account/mfa", get(manage::show_mfa))
        .route("/account/calendar", get(calendar::show))
        .route("/account/calendar/new", post(calendar::renew))
        .route("/account/calendar/off", post(calendar::turn_off))
        .route("/account/mfa/totp", post(manage::confirm_totp))
        .route("/account/mfa/email", post(manage::begin_email))
        .route("/account/mfa/email/confirm", post(manage::confirm_email))
        .route("/account/mfa/code", post(mfa::send_code))
        .route("/account/mfa/recovery", post(mfa::regenerate))
        .route("/account/mfa/app", get(mfa::show_app).post(mfa::submit_app))
        .route(
            "/account/mfa/by-email",
            get(mfa::show_by_email).post(mfa::submit_by_email),
        )
        .route("/account/mfa/by-email/send", post(mfa::send_by_email_code))
        .route("/account/mfa/off", post(mfa::turn_off))
}

impl AccountPages {
    /// The session cookie for `value`, living as long as the session at most.
    fn session_cookie(&self, value: &str) -> Option<HeaderValue> {
        let max_age = crate::workflow::accounts::ABSOLUTE_TIMEOUT.num_seconds();
        cookies::set(SESSION_COOKIE, value, max_age, SameSite::Lax, self.secure_cookies)
    }

    fn clear_session_cookie(&self) -> Option<HeaderValue> {
        cookies::set(SESSION_COOKIE, "", 0, SameSite::Lax, self.secure_cookies)
    }

    /// The form value bound to a session cookie.
    fn session_csrf(&self, session: &str) -> String {
        self.keys.csrf(session, SESSION_FORMS)
    }

    fn session_csrf_ok(&self, session: &str, value: &str) -> bool {
        self.keys.csrf_matches(session, SESSION_FORMS, value)
    }

    /// The client's address as limits count it ([`crate::web::client_address`]).
    fn client(&self, headers: &HeaderMap, peer: Option<std::net::SocketAddr>) -> String {
        crate::web::client_address(headers, peer, &self.client_ip_header)
    }

    fn page(&self, status: StatusCode, page: &AccountPage) -> Response {
        render(status, &self.bank, page)
    }

    /// A page whose form is bound to the `relais_csrf` cookie (set when the browser has none).
    fn with_form_cookie(
        &self,
        status: StatusCode,
        headers: &HeaderMap,
        build: impl FnOnce(&str) -> AccountPage,
    ) -> Response {
        let existing = form_nonce(headers);
        let nonce = existing.clone().unwrap_or_else(crate::security::random_token);
        let page = build(&self.keys.csrf(&nonce, COOKIE_FORMS));
        let mut response = self.page(status, &page);
        if existing.is_none()
            && let Some(value) = cookies::set(FORM_COOKIE, &nonce, 3600, SameSite::Strict, self.secure_cookies)
        {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
        response
    }

    fn form_csrf_ok(&self, headers: &HeaderMap, value: &str) -> bool {
        form_nonce(headers).is_some_and(|n| self.keys.csrf_matches(&n, COOKIE_FORMS, value))
    }
}

/// The session cookie's value, when the browser sent one.
fn session_cookie_value(headers: &HeaderMap) -> Option<String> {
    cookies::read(headers, SESSION_COOKIE).filter(|v| !v.is_empty() && v.len() <= 64)
}

/// The peer address axum recorded for the connection, if it did.
pub(crate) fn peer(extensions: &axum::http::Extensions) -> Option<std::net::SocketAddr> {
    extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0)
}

/// The page of a form that did not come from our page in this browser
/// ([`crate::web::WebError::Csrf`]): nothing was done.
pub(crate) fn expired_form_page(locale: Locale, bank: &str, again: &str) -> Response {
    let page = AccountPage::new(locale, locale.text("account-form-expired"))
        .notice(Tone::Bad, locale.text("account-nothing-was-done-this-form-expired"))
        .link(again, locale.text("account-open-the-page-again"));
    render(StatusCode::FORBIDDEN, bank, &page)
}

/// A form that did not come from our page in this browser: nothing was done.
fn forbidden_form(locale: Locale, again: &str) -> WebError {
    WebError::Csrf {
        locale,
        again: again.to_string(),
    }
}

/// The CSRF guard of every account form: `Ok` when the form's value `matched` its cookie or
/// session, otherwise the CSRF answer offering `again`, the page to open again.
fn csrf_guard(matched: bool, locale: Locale, again: &str) -> Result<(), WebError> {
    if matched {
        Ok(())
    } else {
        Err(forbidden_form(locale, again))
    }
}

/// A posted form; a body that is not one is refused as a forged form is.
async fn read_posted<T: serde::de::DeserializeOwned>(
    request: axum::extract::Request,
    locale: Locale,
    again: &str,
) -> Result<T, WebError> {
    use axum::extract::FromRequest as _;
    match axum::Form::<T>::from_request(request, &()).await {
        Ok(axum::Form(form)) => Ok(form),
        Err(_) => Err(forbidden_form(locale, again)),
    }
}

/// Too many sign-ins failed, from this address (`retry_after`: its wait) or for this
/// account away from its owner's usual addresses (`None`): the same words whether or not the
/// account exists, whether or not the password was right. The form asks for the password
/// and the second factor together, which still signs in.
fn sign_in_limited(
    pages: &AccountPages,
    locale: Locale,
    csrf: &str,
    identifier: &str,
    lang_query: &str,
    retry_after: Option<chrono::TimeDelta>,
) -> Response {
    let wait = match retry_after {
        Some(wait) => {
            let minutes = (wait.num_seconds() + 59) / 60;
            match locale {
                Locale::Fr if minutes <= 1 => "Trop de connexions ont échoué depuis votre adresse réseau\u{a0}: la prochaine tentative avec le mot de passe seul sera possible dans une minute au plus.".to_string(),
                Locale::Fr => format!("Trop de connexions ont échoué depuis votre adresse réseau\u{a0}: la prochaine tentative avec le mot de passe seul sera possible dans {minutes} minutes au plus."),
                Locale::En if minutes <= 1 => "Too many sign-ins failed from your network address: the next try with the password alone will be possible within a minute.".to_string(),
                Locale::En => format!("Too many sign-ins failed from your network address: the next try with the password alone will be possible within {minutes} minutes."),
            }
        }
        None => locale.text("account-too-many-sign-ins-failed-for"),
    };
    let mut page = AccountPage::new(locale, locale.text("account-too-many-attempts"))
        .notice(Tone::Bad, &wait)
        .paragraph(locale.text("account-you-can-sign-in-right-away"));
    if retry_after.is_none() {
        page = page.paragraph(locale.text("account-if-your-codes-come-by-email"));
    }
    page = page
        .form(Form {
            action: format!("/login{lang_query}"),
            csrf: csrf.to_string(),
            fields: vec![
                Field {
                    name: "identifier",
                    label: locale.text("account-email-or-identifier"),
                    kind: "text",
                    autocomplete: "username",
                    value: identifier.to_string(),
                    ..Field::default()
                },
                password_field("password", locale.text("account-password"), "current-password", ""),
                code_field(locale, locale.text("account-the-6-digit-code-of-your")),
            ],
            button: locale.text("account-sign-in-2"),
            ..Form::default()
        })
        .paragraph(locale.text("account-without-a-second-factor-sign-in"))
        .link(
            &format!("/password/forgot{lang_query}"),
            locale.text("account-forgot-password"),
        );
    let mut response = pages.page(StatusCode::TOO_MANY_REQUESTS, &page);
    let seconds = retry_after.map_or(LIMIT_SECONDS, |w| w.num_seconds().max(1));
    if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

/// How long the per-account limit lasts, as `Retry-After` says it.
const LIMIT_SECONDS: i64 = crate::workflow::accounts::LIMIT_WINDOW.num_seconds();

/// Too many attempts: the same words whether or not the account exists.
fn too_many(pages: &AccountPages, locale: Locale, again: &str) -> Response {
    let page = AccountPage::new(locale, locale.text("account-too-many-attempts"))
        .notice(Tone::Bad, locale.text("account-too-many-attempts-failed-to-protect"))
        .paragraph(locale.text("account-if-you-forgot-your-password-use"))
        .link(again, locale.text("account-back"))
        .link("/password/forgot", locale.text("account-forgot-password"));
    let mut response = pages.page(StatusCode::TOO_MANY_REQUESTS, &page);
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("900"));
    response
}

fn password_field(
    name: &'static str,
    label: impl Into<String>,
    autocomplete: &'static str,
    hint: impl Into<String>,
) -> Field {
    Field {
        name,
        label: label.into(),
        kind: "password",
        autocomplete,
        hint: hint.into(),
        ..Field::default()
    }
}

/// The policy, as the form states it before anything is typed.
fn policy_hint(locale: Locale) -> String {
    locale.text("account-at-least-12-characters-including-a")
}

/// The new-password form: the password twice.
fn new_password_form(locale: Locale, action: &str, csrf: &str, button: impl Into<String>) -> Form {
    Form {
        action: action.to_string(),
        csrf: csrf.to_string(),
        fields: vec![
            password_field(
                "password",
                locale.text("account-new-password"),
                "new-password",
                policy_hint(locale),
            ),
            password_field(
                "confirmation",
                locale.text("account-confirm-the-password"),
                "new-password",
                "",
            ),
        ],
        button: button.into(),
        ..Form::default()
    }
}

/// The six-digit (or recovery) code field.
fn code_field(locale: Locale, hint: impl Into<String>) -> Field {
    Field {
        name: "code",
        label: locale.text("account-verification-code"),
        kind: "text",
        autocomplete: "one-time-code",
        inputmode: "numeric",
        hint: hint.into(),
        ..Field::default()
    }
}
