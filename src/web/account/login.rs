//! Getting in: the sign-in page, the second factor, signing out, and the two links that
//! set a password (activation, forgotten password).

use super::session::AnySession;
use super::view::{AccountPage, Field, Form};
use super::{
    AccountPages, code_field, csrf_guard, new_password_form, password_field, peer, read_posted, sign_in_limited,
    too_many,
};
use crate::domain::locale::Locale;
use crate::store::accounts::{MfaMethod, TokenPurpose};
use crate::web::AppState;
use crate::web::WebError;
use crate::web::page::Tone;
use crate::web::page::see_other;
use crate::workflow::accounts::{CodeSent, SecondFactor, SetPassword, SignIn, Stage, TokenState};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use serde::Deserialize;

/// `?lang=en` before anyone is known; French otherwise.
#[derive(Debug, Default, Deserialize)]
pub struct Lang {
    #[serde(default)]
    lang: String,
}

impl Lang {
    fn locale(&self) -> Locale {
        self.lang.parse().unwrap_or(Locale::Fr)
    }

    fn query(&self) -> &'static str {
        match self.locale() {
            Locale::Fr => "",
            Locale::En => "?lang=en",
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct Posted {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    identifier: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirmation: String,
    #[serde(default)]
    code: String,
}

fn pages(state: &AppState) -> &AccountPages {
    &state.account_pages
}

fn other_language(locale: Locale, path: &str) -> (String, String) {
    match locale {
        Locale::Fr => (format!("{path}?lang=en"), "English".into()),
        Locale::En => (path.to_string(), "Français".into()),
    }
}

fn login_page(locale: Locale, csrf: &str, identifier: &str, lang_query: &str) -> AccountPage {
    let mut page = AccountPage::new(locale, locale.text("account-sign-in"))
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
                    hint: locale.text("account-your-email-address-or-your-identifier"),
                    ..Field::default()
                },
                password_field("password", locale.text("account-password"), "current-password", ""),
            ],
            button: locale.text("account-sign-in-2"),
            ..Form::default()
        })
        .link(
            &format!("/password/forgot{lang_query}"),
            locale.text("account-i-forgot-my-password"),
        );
    let (href, label) = other_language(locale, "/login");
    page.links.push((href, label));
    page
}

/// `GET /login`.
pub async fn show(State(state): State<AppState>, Query(lang): Query<Lang>, headers: HeaderMap) -> Response {
    let pages = pages(&state);
    let locale = lang.locale();
    pages.with_form_cookie(StatusCode::OK, &headers, |csrf| {
        login_page(locale, csrf, "", lang.query())
    })
}

/// `POST /login`: the password step.
pub async fn submit(
    State(state): State<AppState>,
    Query(lang): Query<Lang>,
    request: axum::extract::Request,
) -> Result<Response, WebError> {
    let pages = pages(&state);
    let locale = lang.locale();
    let headers = request.headers().clone();
    let client = pages.client(&headers, peer(request.extensions()));
    let form: Posted = read_posted(request, locale, "/login").await?;
    csrf_guard(
        pages.form_csrf_ok(&headers, &form.csrf),
        locale,
        &format!("/login{}", lang.query()),
    )?;
    let outcome = pages
        .accounts
        .sign_in(&form.identifier, &form.password, &form.code, &client)
        .await?;
    let limited = |retry_after| {
        let nonce = crate::web::cookies::form_nonce(&headers).unwrap_or_default();
        let csrf = pages.keys.csrf(&nonce, super::COOKIE_FORMS);
        sign_in_limited(pages, locale, &csrf, form.identifier.trim(), lang.query(), retry_after)
    };
    Ok(match outcome {
        SignIn::Limited => limited(None),
        SignIn::Slowed { retry_after } => limited(Some(retry_after)),
        SignIn::Refused => pages.with_form_cookie(StatusCode::UNAUTHORIZED, &headers, |csrf| {
            let mut page = login_page(locale, csrf, form.identifier.trim(), lang.query());
            page.tone = Tone::Bad;
            page.notice = locale.text("account-wrong-email-identifier-or-password-if");
            page
        }),
        SignIn::Started {
            session,
            stage,
            recovery_used,
        } => {
            let next = match stage {
                Stage::SecondFactorDue(_) => "/login/code",
                Stage::EnrolmentDue => "/account/mfa",
                Stage::SignedIn { .. } if recovery_used => "/account?recovery=used",
                // Where the person works: the board, or their requests (`manage::root`).
                Stage::SignedIn { .. } => "/",
            };
            let mut response = see_other(next);
            if let Some(cookie) = pages.session_cookie(&session) {
                response.headers_mut().append(header::SET_COOKIE, cookie);
            }
            response
        }
    })
}

fn code_page(session: &AnySession, method: MfaMethod, notice: Option<(Tone, &str)>) -> AccountPage {
    let locale = session.person().locale;
    let csrf = session.csrf();
    let hint = match method {
        MfaMethod::Totp => locale.text("account-the-6-digit-code-your-authenticator"),
        MfaMethod::Email => locale.text("account-the-6-digit-code-sent-to"),
    };
    let mut page = AccountPage::new(locale, locale.text("account-multi-factor-authentication")).form(Form {
        action: "/login/code".into(),
        csrf: csrf.clone(),
        fields: vec![code_field(locale, hint)],
        button: locale.text("account-confirm"),
        ..Form::default()
    });
    if let Some((tone, text)) = notice {
        page = page.notice(tone, text);
    }
    if method == MfaMethod::Email {
        page = page.form(Form {
            action: "/login/code/email".into(),
            csrf: csrf.clone(),
            button: locale.text("account-send-a-new-code"),
            secondary: true,
            ..Form::default()
        });
    }
    page.form(Form {
        action: "/logout".into(),
        csrf,
        button: locale.text("account-cancel-signing-in"),
        secondary: true,
        ..Form::default()
    })
}

fn due_method(session: &AnySession) -> Option<MfaMethod> {
    match session.view.stage {
        Stage::SecondFactorDue(m) => Some(m),
        _ => None,
    }
}

/// `GET /login/code`.
pub async fn show_code(session: AnySession) -> Result<Response, WebError> {
    let Some(method) = due_method(&session) else {
        return Ok(see_other("/account"));
    };
    Ok(session.pages.page(StatusCode::OK, &code_page(&session, method, None)))
}

/// `POST /login/code`: the second factor.
pub async fn submit_code(session: AnySession, request: axum::extract::Request) -> Result<Response, WebError> {
    let Some(method) = due_method(&session) else {
        return Ok(see_other("/account"));
    };
    let pages = session.pages.clone();
    let locale = session.person().locale;
    let client = pages.client(request.headers(), peer(request.extensions()));
    let form: Posted = read_posted(request, locale, "/login/code").await?;
    csrf_guard(session.csrf_ok(&form.csrf), locale, "/login/code")?;
    let outcome = pages.accounts.second_factor(&session.view, &form.code, &client).await?;
    Ok(match outcome {
        SecondFactor::Passed {
            session: fresh,
            recovery_used,
        } => {
            let mut response = see_other(if recovery_used { "/account?recovery=used" } else { "/" });
            if let Some(cookie) = pages.session_cookie(&fresh) {
                response.headers_mut().append(header::SET_COOKIE, cookie);
            }
            response
        }
        SecondFactor::Limited => too_many(&pages, locale, "/login/code"),
        SecondFactor::Wrong => {
            let text = locale.text("account-wrong-or-expired-code");
            pages.page(
                StatusCode::UNAUTHORIZED,
                &code_page(&session, method, Some((Tone::Bad, &text))),
            )
        }
        SecondFactor::Replayed => {
            let text = locale.text("account-this-code-was-already-used-wait");
            pages.page(
                StatusCode::UNAUTHORIZED,
                &code_page(&session, method, Some((Tone::Bad, &text))),
            )
        }
    })
}

/// `POST /login/code/email`: another code by mail.
pub async fn resend_code(session: AnySession, request: axum::extract::Request) -> Result<Response, WebError> {
    let Some(method) = due_method(&session) else {
        return Ok(see_other("/account"));
    };
    let pages = session.pages.clone();
    let locale = session.person().locale;
    let client = pages.client(request.headers(), peer(request.extensions()));
    let form: Posted = read_posted(request, locale, "/login/code").await?;
    csrf_guard(session.csrf_ok(&form.csrf), locale, "/login/code")?;
    Ok(match pages.accounts.send_login_code(&session.view, &client).await? {
        CodeSent::Sent => {
            let text = locale.text("account-a-new-code-was-sent-to");
            pages.page(StatusCode::OK, &code_page(&session, method, Some((Tone::Good, &text))))
        }
        CodeSent::Limited => too_many(&pages, locale, "/login/code"),
    })
}

/// `POST /logout`: ends the session.
pub async fn logout(State(state): State<AppState>, request: axum::extract::Request) -> Result<Response, WebError> {
    let pages = pages(&state).clone();
    let Some(cookie) = super::session_cookie_value(request.headers()) else {
        return Ok(see_other("/login"));
    };
    let form: Posted = read_posted(request, Locale::Fr, "/account").await?;
    csrf_guard(pages.session_csrf_ok(&cookie, &form.csrf), Locale::Fr, "/account")?;
    pages.accounts.sign_out(&cookie).await?;
    let mut response = see_other("/login");
    if let Some(clear) = pages.clear_session_cookie() {
        response.headers_mut().append(header::SET_COOKIE, clear);
    }
    Ok(response)
}

fn forgot_page(locale: Locale, csrf: &str, lang_query: &str) -> AccountPage {
    AccountPage::new(locale, locale.text("account-forgot-password"))
        .paragraph(locale.text("account-enter-your-email-we-will-send"))
        .form(Form {
            action: format!("/password/forgot{lang_query}"),
            csrf: csrf.to_string(),
            fields: vec![Field {
                name: "identifier",
                label: locale.text("account-email-or-identifier"),
                kind: "text",
                autocomplete: "username",
                ..Field::default()
            }],
            button: locale.text("account-submit"),
            ..Form::default()
        })
        .link(&format!("/login{lang_query}"), locale.text("account-back-to-sign-in"))
}

/// `GET /password/forgot`.
pub async fn show_forgot(State(state): State<AppState>, Query(lang): Query<Lang>, headers: HeaderMap) -> Response {
    let pages = pages(&state);
    pages.with_form_cookie(StatusCode::OK, &headers, |csrf| {
        forgot_page(lang.locale(), csrf, lang.query())
    })
}

/// `POST /password/forgot`: the same answer whether or not the account exists.
pub async fn submit_forgot(
    State(state): State<AppState>,
    Query(lang): Query<Lang>,
    request: axum::extract::Request,
) -> Result<Response, WebError> {
    let pages = pages(&state);
    let locale = lang.locale();
    let headers = request.headers().clone();
    let client = pages.client(&headers, peer(request.extensions()));
    let form: Posted = read_posted(request, locale, "/password/forgot").await?;
    csrf_guard(
        pages.form_csrf_ok(&headers, &form.csrf),
        locale,
        &format!("/password/forgot{}", lang.query()),
    )?;
    Ok(match pages.accounts.request_reset(&form.identifier, &client).await? {
        true => {
            let page = AccountPage::new(locale, locale.text("account-check-your-email"))
                .notice(Tone::Good, locale.text("account-if-an-account-matches-what-you"))
                .paragraph(locale.text("account-nothing-arrived-check-your-junk-mail"))
                .link(
                    &format!("/login{}", lang.query()),
                    locale.text("account-back-to-sign-in"),
                );
            pages.page(StatusCode::OK, &page)
        }
        false => too_many(pages, locale, "/password/forgot"),
    })
}

/// The words of the two password links.
struct LinkWords {
    purpose: TokenPurpose,
    path: &'static str,
    title: (&'static str, &'static str),
    intro: (&'static str, &'static str),
    button: (&'static str, &'static str),
    done: (&'static str, &'static str),
}

const RESET: LinkWords = LinkWords {
    purpose: TokenPurpose::PasswordReset,
    path: "/password/reset/",
    title: ("Nouveau mot de passe", "New password"),
    intro: (
        "Choisissez un nouveau mot de passe pour votre compte.",
        "Choose a new password for your account.",
    ),
    button: ("Changer le mot de passe", "Change the password"),
    done: (
        "Votre mot de passe est changé. Vous pouvez maintenant vous connecter ; vos autres sessions ont été fermées.",
        "Your password is changed. You can sign in now; your other sessions were closed.",
    ),
};

const ACTIVATE: LinkWords = LinkWords {
    purpose: TokenPurpose::Activation,
    path: "/account/activate/",
    title: ("Activer votre compte", "Activate your account"),
    intro: (
        "Bienvenue ! Choisissez le mot de passe de votre compte pour l'activer.",
        "Welcome! Choose your account's password to activate it.",
    ),
    button: ("Activer mon compte", "Activate my account"),
    done: (
        "Votre compte est activé. Vous pouvez maintenant vous connecter.",
        "Your account is activated. You can sign in now.",
    ),
};

fn dead_link(pages: &AccountPages, words: &LinkWords, state: &TokenState) -> Response {
    let locale = Locale::Fr;
    let (status, why) = match state {
        TokenState::Used => (StatusCode::GONE, "Ce lien a déjà servi. / This link was already used."),
        TokenState::Expired => (StatusCode::GONE, "Ce lien a expiré. / This link has expired."),
        _ => (
            StatusCode::NOT_FOUND,
            "Ce lien n'est pas valide : copiez-le en entier depuis le courriel reçu. / This link is not valid: copy it whole from the email you received.",
        ),
    };
    let mut page = AccountPage::new(locale, format!("{} / {}", words.title.0, words.title.1)).notice(Tone::Bad, why);
    page = match words.purpose {
        TokenPurpose::Activation => page.paragraph(
            "Pour recevoir un nouveau lien, utilisez « Mot de passe oublié » ou écrivez à un coordonnateur. / For a new link, use “Forgot password” or write to a coordinator.",
        ),
        _ => page.paragraph("Vous pouvez demander un nouveau lien. / You can ask for a new link."),
    };
    page = page
        .link("/password/forgot", "Mot de passe oublié / Forgot password")
        .link("/login", "Connexion / Sign in");
    pages.page(status, &page)
}

fn set_password_page(words: &LinkWords, locale: Locale, token: &str, csrf: &str) -> AccountPage {
    let title = locale.pick(words.title.0, words.title.1);
    AccountPage::new(locale, title)
        .paragraph(locale.pick(words.intro.0, words.intro.1))
        .form(new_password_form(
            locale,
            &format!("{}{token}", words.path),
            csrf,
            locale.pick(words.button.0, words.button.1),
        ))
}

async fn show_link(
    state: &AppState,
    words: &LinkWords,
    token: &str,
    headers: &HeaderMap,
) -> Result<Response, WebError> {
    let pages = pages(state);
    Ok(match pages.accounts.token_state(words.purpose, token).await? {
        TokenState::Live { person, .. } => pages.with_form_cookie(StatusCode::OK, headers, |csrf| {
            set_password_page(words, person.locale, token, csrf)
        }),
        dead => dead_link(pages, words, &dead),
    })
}

async fn submit_link(
    state: &AppState,
    words: &LinkWords,
    token: &str,
    request: axum::extract::Request,
) -> Result<Response, WebError> {
    let pages = pages(state);
    let headers = request.headers().clone();
    let form: Posted = read_posted(request, Locale::Fr, &format!("{}{token}", words.path)).await?;
    csrf_guard(
        pages.form_csrf_ok(&headers, &form.csrf),
        Locale::Fr,
        &format!("{}{token}", words.path),
    )?;
    let outcome = pages
        .accounts
        .set_password_with_link(words.purpose, token, &form.password, &form.confirmation)
        .await?;
    Ok(match outcome {
        SetPassword::Done(person) => {
            let locale = person.locale;
            let page = AccountPage::new(locale, locale.pick(words.title.0, words.title.1))
                .notice(Tone::Good, locale.pick(words.done.0, words.done.1))
                .link("/login", locale.text("account-sign-in-2"));
            pages.page(StatusCode::OK, &page)
        }
        SetPassword::Weak { person, problems } => {
            let locale = person.locale;
            pages.with_form_cookie(StatusCode::UNPROCESSABLE_ENTITY, &headers, |csrf| {
                let mut page = set_password_page(words, locale, token, csrf)
                    .notice(Tone::Bad, locale.text("account-this-password-will-not-do-nothing"));
                page.problems = problems.iter().map(|p| p.describe(locale)).collect();
                page
            })
        }
        SetPassword::Dead(state) => dead_link(pages, words, &state),
    })
}

/// `GET /password/reset/{token}`: shows the form; opening it uses nothing.
pub async fn show_reset(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    show_link(&state, &RESET, &token, &headers).await
}

/// `POST /password/reset/{token}`.
pub async fn submit_reset(
    State(state): State<AppState>,
    Path(token): Path<String>,
    request: axum::extract::Request,
) -> Result<Response, WebError> {
    submit_link(&state, &RESET, &token, request).await
}

/// `GET /account/activate/{token}`.
pub async fn show_activate(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    show_link(&state, &ACTIVATE, &token, &headers).await
}

/// `POST /account/activate/{token}`.
pub async fn submit_activate(
    State(state): State<AppState>,
    Path(token): Path<String>,
    request: axum::extract::Request,
) -> Result<Response, WebError> {
    submit_link(&state, &ACTIVATE, &token, request).await
}
