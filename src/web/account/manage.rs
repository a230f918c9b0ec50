//! The signed-in account pages: who am I (`/account`, where sign-in lands), the password
//! change, and the second factor's enrolment.

use super::session::{AnySession, SignedIn};
use super::signed::{method_label, read_form, signed_page};
use super::view::{AccountPage, Form};
use super::{AccountPages, code_field, new_password_form, password_field, too_many};
use crate::domain::locale::Locale;
use crate::domain::locale::long_date_time;
use crate::domain::role::Role;
use crate::web::WebError;
use crate::web::page::Tone;
use crate::web::page::see_other;
use crate::workflow::accounts::{EmailEnrolment, MfaEnabled, PasswordChange, Stage};
use axum::extract::Query;
use axum::http::{StatusCode, header};
use axum::response::Response;
use base64::Engine as _;
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
pub struct HomeQuery {
    #[serde(default)]
    recovery: String,
}

fn role_label(role: Role, locale: Locale) -> String {
    match role {
        Role::Requester => locale.text("account-requester"),
        Role::Interpreter => locale.text("account-interpreter"),
        Role::Coordinator => locale.text("account-coordinator"),
    }
}

/// `GET /`: a signed-in person goes to their home: the board for a coordinator, their
/// requests for a requester or an interpreter, their account otherwise. Anyone else is
/// sent to the sign-in page (by the `SignedIn` extractor).
pub async fn root(signed_in: SignedIn) -> Result<Response, WebError> {
    let person = signed_in.session().person();
    let store = signed_in.session().pages.accounts.workflow().store();
    let mut tx = store.begin_read().await?;
    let default_role = tx.default_role(person.id).await?.filter(|r| person.has_role(*r));
    tx.commit().await?;
    let home = if let Some(role) = default_role {
        match role {
            Role::Coordinator => "/board",
            Role::Requester | Role::Interpreter => "/requests",
        }
    } else if person.has_role(Role::Coordinator) {
        "/board"
    } else if person.has_role(Role::Requester) || person.has_role(Role::Interpreter) {
        "/requests"
    } else {
        "/account"
    };
    Ok(see_other(home))
}

/// `GET /account`: who am I, my roles, my second factor; where sign-in lands.
pub async fn home(signed_in: SignedIn, Query(query): Query<HomeQuery>) -> Result<Response, WebError> {
    let session = signed_in.session();
    let pages = &session.pages;
    let person = session.person();
    let locale = person.locale;
    let tz = pages.accounts.workflow().config().time_zone;
    let mut page = signed_page(session, ("Mon compte", "My account"));
    page.heading = format!("{} — {}", locale.text("account-my-account"), person.display_name());
    let roles: Vec<String> = person.roles.iter().map(|r| role_label(*r, locale)).collect();
    let expires = session.view.expires_at.with_timezone(&tz);
    page.facts = vec![
        (locale.text("account-name"), person.display_name()),
        (locale.text("account-identifier"), person.user_code.to_string()),
        (locale.text("account-email"), person.email.to_string()),
        (locale.text("account-roles"), roles.join(", ")),
        (
            locale.text("account-multi-factor-authentication"),
            method_label(session.view.mfa_method, locale),
        ),
        (locale.text("account-signed-in-until"), long_date_time(expires, locale)),
    ];
    if query.recovery == "used" {
        let left = pages.accounts.recovery_codes_left(&session.view).await?;
        page = page.notice(
            Tone::Neutral,
            match locale {
                Locale::Fr => format!(
                    "Vous vous êtes connecté avec un code de récupération ; il ne servira plus. Il vous en reste {left}."
                ),
                Locale::En => format!("You signed in with a recovery code; it will not work again. {left} are left."),
            },
        );
    } else if session.view.mfa_method.is_none() {
        page = page.notice(
            Tone::Neutral,
            locale.text("account-we-strongly-recommend-turning-on-multi"),
        );
        page = page.link(
            "/account/mfa",
            locale.text("account-turn-on-multi-factor-authentication"),
        );
    }
    // Where to go from here, by role.
    let has = |role| person.roles.contains(&role);
    let mut places: Vec<(&str, &str, &str)> = vec![("/requests", "Mes demandes", "My requests")];
    if has(Role::Requester) {
        places.push(("/requests/new", "Nouvelle demande", "New request"));
    }
    if has(Role::Coordinator) {
        places.push(("/board", "Tableau de bord", "Board"));
        places.push(("/admin/people", "Personnes", "People"));
        places.push(("/admin/establishments", "Établissements", "Establishments"));
    }
    if has(Role::Coordinator) || has(Role::Interpreter) {
        places.push(("/downloads", "Téléchargements", "Downloads"));
    }
    if has(Role::Requester) || has(Role::Interpreter) {
        places.push(("/profile", "Mon profil", "My profile"));
        places.push(("/account/calendar", "Mon agenda", "My calendar"));
    }
    if has(Role::Requester) {
        places.push(("/organisations", "Mes organisations", "My organisations"));
    }
    for (href, fr, en) in places {
        page = page.link(href, locale.pick(fr, en));
    }
    Ok(pages.page(StatusCode::OK, &page))
}

fn password_page(session: &AnySession) -> AccountPage {
    let locale = session.person().locale;
    let mut form = new_password_form(
        locale,
        "/account/password",
        &session.csrf(),
        locale.text("account-change-the-password"),
    );
    form.fields.insert(
        0,
        password_field(
            "current",
            locale.text("account-current-password"),
            "current-password",
            "",
        ),
    );
    signed_page(session, ("Modifier le mot de passe", "Change the password"))
        .form(form)
        .link("/account", locale.text("account-cancel"))
}

/// `GET /account/password`.
pub async fn show_password(signed_in: SignedIn) -> Response {
    let session = signed_in.session();
    session.pages.page(StatusCode::OK, &password_page(session))
}

/// `POST /account/password`.
pub async fn submit_password(signed_in: SignedIn, request: axum::extract::Request) -> Result<Response, WebError> {
    let session = signed_in.session();
    let pages = &session.pages;
    let locale = session.person().locale;
    let (form, client) = read_form(session, request, "/account/password").await?;
    let outcome = pages
        .accounts
        .change_password(
            &session.view,
            &form.current,
            &form.password,
            &form.confirmation,
            &client,
        )
        .await?;
    Ok(match outcome {
        PasswordChange::Done => {
            let page = signed_page(session, ("Modifier le mot de passe", "Change the password"))
                .notice(Tone::Good, locale.text("account-your-password-is-changed-your-other"))
                .link("/account", locale.text("account-my-account"));
            pages.page(StatusCode::OK, &page)
        }
        PasswordChange::WrongCurrent => {
            let page =
                password_page(session).notice(Tone::Bad, locale.text("account-the-current-password-is-wrong-nothing"));
            pages.page(StatusCode::UNAUTHORIZED, &page)
        }
        PasswordChange::Weak(problems) => {
            let mut page =
                password_page(session).notice(Tone::Bad, locale.text("account-this-password-will-not-do-nothing"));
            page.problems = problems.iter().map(|p| p.describe(locale)).collect();
            pages.page(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        PasswordChange::Limited => too_many(pages, locale, "/account/password"),
    })
}

/// Where an enrolment page may not be shown: before the second factor is passed.
fn enrolment_guard(session: &AnySession) -> Result<(), WebError> {
    match session.view.stage {
        Stage::SecondFactorDue(_) => Err(WebError::redirect("/login/code")),
        _ => Ok(()),
    }
}

async fn mfa_page(session: &AnySession, notice: Option<(Tone, &str)>) -> Result<AccountPage, WebError> {
    let pages = &session.pages;
    let locale = session.person().locale;
    let mut page = signed_page(
        session,
        ("Authentification multifacteur", "Multi-factor authentication"),
    );
    if let Some(method) = session.view.mfa_method {
        return super::mfa::status_page(session, method, notice).await;
    }
    page = if session.view.stage == Stage::EnrolmentDue {
        page.notice(
            Tone::Bad,
            locale.text("account-coordinators-must-use-multi-factor-authentication"),
        )
    } else {
        page.notice(
            Tone::Neutral,
            locale.text("account-multi-factor-authentication-protects-your-account"),
        )
    };
    if let Some((tone, text)) = notice {
        page = page.notice(tone, text);
    }
    let enrolment = pages.accounts.totp_enrolment(&session.view).await?;
    if let Some(enrolment) = enrolment {
        page = page.paragraph(locale.text("account-with-an-authenticator-app-recommended-open"));
        page.qr = format!(
            "data:image/svg+xml;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(enrolment.qr_svg.as_bytes())
        );
        page.secret = enrolment.secret_groups;
    }
    let csrf = session.csrf();
    page = page
        .form(Form {
            action: "/account/mfa/totp".into(),
            csrf: csrf.clone(),
            fields: vec![code_field(locale, locale.text("account-the-code-the-app-shows-to"))],
            button: locale.text("account-turn-on-with-the-app"),
            ..Form::default()
        })
        .form(Form {
            heading: locale.text("account-or-by-email"),
            action: "/account/mfa/email".into(),
            csrf,
            button: locale.text("account-receive-the-codes-by-email-instead"),
            secondary: true,
            ..Form::default()
        });
    Ok(page)
}

/// `GET /account/mfa`.
pub async fn show_mfa(session: AnySession) -> Result<Response, WebError> {
    enrolment_guard(&session)?;
    let page = mfa_page(&session, None).await?;
    Ok(session.pages.page(StatusCode::OK, &page))
}

/// The page that shows the recovery codes, once, with the new session's cookie.
fn enabled_page(pages: &AccountPages, session: &AnySession, enabled: &MfaEnabled) -> Response {
    let locale = session.person().locale;
    let mut page = AccountPage::new(locale, locale.text("account-multi-factor-authentication-is-on"))
        .notice(Tone::Good, locale.text("account-done-every-sign-in-will-now"))
        .paragraph(locale.text("account-here-are-your-10-recovery-codes"))
        .link("/account", locale.text("account-continue"));
    page.codes = enabled.recovery_codes.clone();
    page.menu = crate::web::menu::Menu::of(session.person(), "/account/mfa", pages.session_csrf(&enabled.session));
    let mut response = pages.page(StatusCode::OK, &page);
    if let Some(cookie) = pages.session_cookie(&enabled.session) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// `POST /account/mfa/totp`: the app's first code.
pub async fn confirm_totp(session: AnySession, request: axum::extract::Request) -> Result<Response, WebError> {
    enrolment_guard(&session)?;
    let pages = session.pages.clone();
    let locale = session.person().locale;
    let (form, _) = read_form(&session, request, "/account/mfa").await?;
    Ok(match pages.accounts.confirm_totp(&session.view, &form.code).await? {
        Some(enabled) => enabled_page(&pages, &session, &enabled),
        None => {
            let text = locale.text("account-this-code-does-not-match-check");
            let page = mfa_page(&session, Some((Tone::Bad, &text))).await?;
            pages.page(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
    })
}

fn email_code_page(session: &AnySession, notice: (Tone, &str)) -> AccountPage {
    let locale = session.person().locale;
    signed_page(
        session,
        ("Authentification multifacteur", "Multi-factor authentication"),
    )
    .notice(notice.0, notice.1)
    .form(Form {
        action: "/account/mfa/email/confirm".into(),
        csrf: session.csrf(),
        fields: vec![code_field(locale, locale.text("account-the-6-digit-code-received-by"))],
        button: locale.text("account-turn-on-codes-by-email"),
        ..Form::default()
    })
    .link("/account/mfa", locale.text("account-back"))
}

/// `POST /account/mfa/email`: a first code by mail.
pub async fn begin_email(session: AnySession, request: axum::extract::Request) -> Result<Response, WebError> {
    enrolment_guard(&session)?;
    let pages = session.pages.clone();
    let locale = session.person().locale;
    let (_, client) = read_form(&session, request, "/account/mfa").await?;
    Ok(match pages.accounts.begin_email_mfa(&session.view, &client).await? {
        EmailEnrolment::Sent => {
            let text = locale.text("account-a-6-digit-code-was-just");
            pages.page(StatusCode::OK, &email_code_page(&session, (Tone::Good, &text)))
        }
        EmailEnrolment::Limited => too_many(&pages, locale, "/account/mfa"),
    })
}

/// `POST /account/mfa/email/confirm`.
pub async fn confirm_email(session: AnySession, request: axum::extract::Request) -> Result<Response, WebError> {
    enrolment_guard(&session)?;
    let pages = session.pages.clone();
    let locale = session.person().locale;
    let (form, _) = read_form(&session, request, "/account/mfa").await?;
    Ok(
        match pages.accounts.confirm_email_mfa(&session.view, &form.code).await? {
            Some(enabled) => enabled_page(&pages, &session, &enabled),
            None => {
                let text = locale.text("account-wrong-or-expired-code");
                pages.page(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &email_code_page(&session, (Tone::Bad, &text)),
                )
            }
        },
    )
}
