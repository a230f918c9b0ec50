//! Managing the second factor once it is on (`/account/mfa` and below): new recovery codes,
//! codes by mail instead of an app, an app instead of codes by mail or on a new phone, and
//! turning it off (never for a coordinator: the page says why and the form is refused).
//! Every change asks for the password, a current code, or both (`workflow::accounts::change`).

use super::session::{AnySession, SignedIn};
use super::signed::{Posted, method_label, read_form, signed_page};
use super::view::{AccountPage, Form};
use super::{code_field, password_field, too_many};
use crate::domain::locale::Locale;
use crate::domain::role::Role;
use crate::store::accounts::MfaMethod;
use crate::web::WebError;
use crate::web::page::Tone;
use crate::web::page::see_other;
use crate::workflow::accounts::{CodeSent, MfaChange, MfaChangeKind, Proof};
use axum::http::StatusCode;
use axum::response::Response;
use base64::Engine as _;

/// The page a refused form shows again, with why.
#[derive(Clone, Copy)]
enum Again {
    Status,
    App,
    ByEmail,
}

fn current_password(locale: Locale) -> super::view::Field {
    password_field(
        "password",
        locale.text("account-current-password"),
        "current-password",
        "",
    )
}

/// The method as stored now (a change may have just made the session's view stale).
async fn method_now(session: &AnySession) -> Result<Option<MfaMethod>, WebError> {
    let account = session.pages.accounts.account_of(&session.view).await?;
    Ok(account.and_then(|a| a.mfa_method))
}

/// `/account/mfa` for someone whose second factor is on: its state and every change.
pub(super) async fn status_page(
    session: &AnySession,
    method: MfaMethod,
    notice: Option<(Tone, &str)>,
) -> Result<AccountPage, WebError> {
    let pages = &session.pages;
    let locale = session.person().locale;
    let left = pages.accounts.recovery_codes_left(&session.view).await?;
    let mut page = signed_page(
        session,
        ("Authentification multifacteur", "Multi-factor authentication"),
    );
    page.facts = vec![
        (locale.text("account-status"), method_label(Some(method), locale)),
        (locale.text("account-recovery-codes-left"), left.to_string()),
    ];
    if let Some((tone, text)) = notice {
        page = page.notice(tone, text);
    }
    page = page.paragraph(locale.text("account-each-change-asks-you-to-confirm"));
    let csrf = session.csrf();
    if method == MfaMethod::Email {
        page = page.form(email_code_form(&csrf, locale));
    }
    page = page.form(recovery_form(method, &csrf, locale));
    if session.person().has_role(Role::Coordinator) {
        page = page.paragraph(locale.text("account-coordinators-cannot-turn-multi-factor-authentication"));
    } else {
        page = page.form(turn_off_form(method, csrf, locale));
    }
    page = match method {
        MfaMethod::Totp => page
            .link("/account/mfa/app", locale.text("account-use-the-app-on-a-new"))
            .link(
                "/account/mfa/by-email",
                locale.text("account-receive-the-codes-by-email-instead"),
            ),
        MfaMethod::Email => page.link(
            "/account/mfa/app",
            locale.text("account-use-an-authenticator-app-instead"),
        ),
    };
    Ok(page.link("/account", locale.text("account-my-account")))
}

/// For codes by mail: the button that mails one to confirm a change with.
fn email_code_form(csrf: &str, locale: Locale) -> Form {
    Form {
        heading: locale.text("account-a-code-to-confirm"),
        note: locale.text("account-your-codes-come-by-email-ask"),
        action: "/account/mfa/code".into(),
        csrf: csrf.to_string(),
        button: locale.text("account-receive-a-code-by-email"),
        secondary: true,
        ..Form::default()
    }
}

/// Ten new recovery codes, for the password or a current code.
fn recovery_form(method: MfaMethod, csrf: &str, locale: Locale) -> Form {
    Form {
        heading: locale.text("account-new-recovery-codes"),
        note: locale.text("account-ten-new-codes-replace-the-earlier"),
        action: "/account/mfa/recovery".into(),
        csrf: csrf.to_string(),
        fields: vec![password_field(
            "proof",
            locale.text("account-password-or-verification-code"),
            "current-password",
            match method {
                MfaMethod::Totp => locale.text("account-your-password-or-the-6-digit"),
                MfaMethod::Email => locale.text("account-your-password-or-a-6-digit"),
            },
        )],
        button: locale.text("account-replace-my-recovery-codes"),
        ..Form::default()
    }
}

/// Turning the second factor off: the password and a current code (never for coordinators).
fn turn_off_form(method: MfaMethod, csrf: String, locale: Locale) -> Form {
    let code_hint = match method {
        MfaMethod::Totp => locale.text("account-the-6-digit-code-your-app"),
        MfaMethod::Email => locale.text("account-the-6-digit-code-received-by-2"),
    };
    Form {
        heading: locale.text("account-turn-multi-factor-authentication-off"),
        note: locale.text("account-we-strongly-invite-you-to-keep"),
        action: "/account/mfa/off".into(),
        csrf,
        fields: vec![current_password(locale), code_field(locale, code_hint)],
        button: locale.text("account-turn-multi-factor-authentication-off"),
        secondary: true,
    }
}

/// `GET /account/mfa/app`'s page: a new secret, kept pending until its first code.
async fn app_page(session: &AnySession, notice: Option<(Tone, &str)>) -> Result<Option<AccountPage>, WebError> {
    let pages = &session.pages;
    let locale = session.person().locale;
    let Some(method) = session.view.mfa_method else {
        return Ok(None);
    };
    let Some(enrolment) = pages.accounts.app_replacement(&session.view).await? else {
        return Ok(None);
    };
    let mut page = signed_page(
        session,
        (
            "Utiliser une application d'authentification",
            "Use an authenticator app",
        ),
    )
    .notice(
        Tone::Neutral,
        match method {
            MfaMethod::Totp => locale.text("account-your-current-app-keeps-working-until"),
            MfaMethod::Email => locale.text("account-your-codes-keep-coming-by-email"),
        },
    );
    if let Some((tone, text)) = notice {
        page = page.notice(tone, text);
    }
    page = page.paragraph(locale.text("account-open-the-app-microsoft-authenticator-google"));
    page.qr = format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(enrolment.qr_svg.as_bytes())
    );
    page.secret = enrolment.secret_groups;
    Ok(Some(
        page.form(Form {
            action: "/account/mfa/app".into(),
            csrf: session.csrf(),
            fields: vec![
                code_field(locale, locale.text("account-the-code-the-new-app-shows")),
                current_password(locale),
            ],
            button: locale.text("account-use-this-app"),
            ..Form::default()
        })
        .link("/account/mfa", locale.text("account-cancel")),
    ))
}

/// `GET /account/mfa/by-email`'s page: a code proves the address, then the change.
fn by_email_page(session: &AnySession, notice: Option<(Tone, &str)>) -> AccountPage {
    let locale = session.person().locale;
    let csrf = session.csrf();
    let mut page = signed_page(
        session,
        ("Recevoir les codes par courriel", "Receive the codes by email"),
    );
    if let Some((tone, text)) = notice {
        page = page.notice(tone, text);
    }
    page.paragraph(match locale {
        Locale::Fr => format!(
            "À chaque connexion, un code vous sera envoyé à {}. Recevez d'abord un code pour confirmer l'adresse, puis inscrivez-le avec votre mot de passe. Votre application continue de fonctionner d'ici là.",
            session.person().email
        ),
        Locale::En => format!(
            "At each sign-in, a code will be sent to {}. First receive a code to confirm the address, then enter it with your password. Your app keeps working until then.",
            session.person().email
        ),
    })
    .form(Form {
        action: "/account/mfa/by-email/send".into(),
        csrf: csrf.clone(),
        button: locale
            .text("account-receive-a-code-by-email"),
        secondary: true,
        ..Form::default()
    })
    .form(Form {
        action: "/account/mfa/by-email".into(),
        csrf,
        fields: vec![
            code_field(
                locale,
                locale.text("account-the-6-digit-code-received-by"),
            ),
            current_password(locale),
        ],
        button: locale
            .text("account-receive-the-codes-by-email-from"),
        ..Form::default()
    })
    .link("/account/mfa", locale.text("account-cancel"))
}

/// The page a refused form shows again; `/account/mfa` when there is nothing to show.
async fn again(
    session: &AnySession,
    which: Again,
    status: StatusCode,
    notice: (Tone, &str),
) -> Result<Response, WebError> {
    let pages = &session.pages;
    let page = match which {
        Again::Status => match method_now(session).await? {
            Some(method) => Some(status_page(session, method, Some(notice)).await?),
            None => None,
        },
        Again::App => app_page(session, Some(notice)).await?,
        Again::ByEmail => Some(by_email_page(session, Some(notice))),
    };
    Ok(match page {
        Some(page) => pages.page(status, &page),
        None => see_other("/account/mfa"),
    })
}

/// What a change that was not made answers.
async fn refused<T>(
    session: &AnySession,
    outcome: MfaChange<T>,
    which: Again,
    back: &str,
) -> Result<Response, WebError> {
    let locale = session.person().locale;
    let (status, text) = match outcome {
        MfaChange::WrongPassword => (
            StatusCode::UNAUTHORIZED,
            locale.text("account-the-password-is-wrong-nothing-was"),
        ),
        MfaChange::WrongCode => (
            StatusCode::UNAUTHORIZED,
            locale.text("account-this-code-is-wrong-or-expired"),
        ),
        MfaChange::Replayed => (
            StatusCode::UNAUTHORIZED,
            locale.text("account-this-code-was-already-used-wait-2"),
        ),
        MfaChange::CoordinatorsKeepIt => (
            StatusCode::FORBIDDEN,
            locale.text("account-coordinators-must-keep-multi-factor-authentication"),
        ),
        MfaChange::Limited => return Ok(too_many(&session.pages, locale, back)),
        MfaChange::Unavailable | MfaChange::Done(_) => return Ok(see_other("/account/mfa")),
    };
    again(session, which, status, (Tone::Bad, &text)).await
}

/// `POST /account/mfa/code`: a code by mail to confirm a change with.
pub async fn send_code(signed_in: SignedIn, request: axum::extract::Request) -> Result<Response, WebError> {
    let session = signed_in.session();
    let locale = session.person().locale;
    let (_, client) = read_form(session, request, "/account/mfa").await?;
    Ok(
        match session.pages.accounts.send_change_code(&session.view, &client).await? {
            CodeSent::Sent => {
                let text = locale.text("account-a-6-digit-code-was-just-2");
                again(session, Again::Status, StatusCode::OK, (Tone::Good, &text)).await?
            }
            CodeSent::Limited => too_many(&session.pages, locale, "/account/mfa"),
        },
    )
}

/// `POST /account/mfa/recovery`: ten new recovery codes, shown once.
pub async fn regenerate(signed_in: SignedIn, request: axum::extract::Request) -> Result<Response, WebError> {
    let session = signed_in.session();
    let pages = &session.pages;
    let locale = session.person().locale;
    let (form, client): (Posted, String) = read_form(session, request, "/account/mfa").await?;
    let proof = Proof::read(&form.proof);
    Ok(
        match pages
            .accounts
            .regenerate_recovery_codes(&session.view, &proof, &client)
            .await?
        {
            MfaChange::Done(codes) => {
                let mut page = signed_page(session, ("Nouveaux codes de récupération", "New recovery codes"))
                    .notice(Tone::Good, locale.text("account-done-your-earlier-recovery-codes-no"))
                    .paragraph(locale.text("account-here-are-your-10-new-recovery"))
                    .link("/account/mfa", locale.text("account-continue"));
                page.codes = codes.0;
                pages.page(StatusCode::OK, &page)
            }
            outcome => refused(session, outcome, Again::Status, "/account/mfa").await?,
        },
    )
}

/// `GET /account/mfa/app`: an app in place of codes by mail, or on a new phone.
pub async fn show_app(signed_in: SignedIn) -> Result<Response, WebError> {
    let session = signed_in.session();
    Ok(match app_page(session, None).await? {
        Some(page) => session.pages.page(StatusCode::OK, &page),
        None => see_other("/account/mfa"),
    })
}

/// `POST /account/mfa/app`: the new app's first code and the password.
pub async fn submit_app(signed_in: SignedIn, request: axum::extract::Request) -> Result<Response, WebError> {
    let session = signed_in.session();
    let locale = session.person().locale;
    let (form, client): (Posted, String) = read_form(session, request, "/account/mfa/app").await?;
    Ok(
        match session
            .pages
            .accounts
            .switch_to_app(&session.view, &form.password, &form.code, &client)
            .await?
        {
            MfaChange::Done(kind) => {
                let text = match kind {
                    MfaChangeKind::NewApp => locale.text("account-done-the-new-app-replaces-the"),
                    _ => locale.text("account-done-your-codes-now-come-from"),
                };
                again(session, Again::Status, StatusCode::OK, (Tone::Good, &text)).await?
            }
            outcome => refused(session, outcome, Again::App, "/account/mfa/app").await?,
        },
    )
}

/// `GET /account/mfa/by-email`: codes by mail in place of the app.
pub async fn show_by_email(signed_in: SignedIn) -> Response {
    let session = signed_in.session();
    if session.view.mfa_method != Some(MfaMethod::Totp) {
        return see_other("/account/mfa");
    }
    session.pages.page(StatusCode::OK, &by_email_page(session, None))
}

/// `POST /account/mfa/by-email/send`: the code that proves the address.
pub async fn send_by_email_code(signed_in: SignedIn, request: axum::extract::Request) -> Result<Response, WebError> {
    let session = signed_in.session();
    let locale = session.person().locale;
    if session.view.mfa_method != Some(MfaMethod::Totp) {
        return Ok(see_other("/account/mfa"));
    }
    let (_, client) = read_form(session, request, "/account/mfa/by-email").await?;
    Ok(
        match session.pages.accounts.send_change_code(&session.view, &client).await? {
            CodeSent::Sent => {
                let text = locale.text("account-a-6-digit-code-was-just");
                session
                    .pages
                    .page(StatusCode::OK, &by_email_page(session, Some((Tone::Good, &text))))
            }
            CodeSent::Limited => too_many(&session.pages, locale, "/account/mfa/by-email"),
        },
    )
}

/// `POST /account/mfa/by-email`: the mailed code and the password.
pub async fn submit_by_email(signed_in: SignedIn, request: axum::extract::Request) -> Result<Response, WebError> {
    let session = signed_in.session();
    let locale = session.person().locale;
    let (form, client): (Posted, String) = read_form(session, request, "/account/mfa/by-email").await?;
    Ok(
        match session
            .pages
            .accounts
            .switch_to_email(&session.view, &form.password, &form.code, &client)
            .await?
        {
            MfaChange::Done(()) => {
                let text = locale.text("account-done-your-codes-will-now-come");
                again(session, Again::Status, StatusCode::OK, (Tone::Good, &text)).await?
            }
            outcome => refused(session, outcome, Again::ByEmail, "/account/mfa/by-email").await?,
        },
    )
}

/// `POST /account/mfa/off`: the password and a current code; refused to coordinators.
pub async fn turn_off(signed_in: SignedIn, request: axum::extract::Request) -> Result<Response, WebError> {
    let session = signed_in.session();
    let pages = &session.pages;
    let locale = session.person().locale;
    let (form, client): (Posted, String) = read_form(session, request, "/account/mfa").await?;
    Ok(
        match pages
            .accounts
            .turn_off_mfa(&session.view, &form.password, &form.code, &client)
            .await?
        {
            MfaChange::Done(()) => {
                let page = signed_page(
                    session,
                    (
                        "Authentification multifacteur désactivée",
                        "Multi-factor authentication is off",
                    ),
                )
                .notice(Tone::Good, locale.text("account-done-the-password-alone-now-signs"))
                .paragraph(locale.text("account-we-strongly-recommend-turning-it-back"))
                .link(
                    "/account/mfa",
                    locale.text("account-turn-multi-factor-authentication-back-on"),
                )
                .link("/account", locale.text("account-my-account"));
                pages.page(StatusCode::OK, &page)
            }
            outcome => refused(session, outcome, Again::Status, "/account/mfa").await?,
        },
    )
}
