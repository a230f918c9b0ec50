//! The signed-in account pages: who am I (`/account`, where sign-in lands), the password
//! change, and the second factor's enrolment.

use super::session::{AnySession, SignedIn};
use super::signed::{method_label, read_form, signed_page};
use super::view::{AccountPage, Form};
use super::{AccountPages, code_field, new_password_form, password_field, too_many};
use crate::domain::locale::Locale;
use crate::domain::role::Role;
use crate::outbound::render::long_date_time;
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

fn role_label(role: Role, locale: Locale) -> &'static str {
    match role {
        Role::Requester => locale.pick("Demandeur", "Requester"),
        Role::Interpreter => locale.pick("Interprète", "Interpreter"),
        Role::Coordinator => locale.pick("Coordonnateur", "Coordinator"),
    }
}

/// `GET /`: a signed-in person goes to their home: the board for a coordinator, their
/// requests for a requester or an interpreter, their account otherwise. Anyone else is
/// sent to the sign-in page (by the `SignedIn` extractor).
pub async fn root(signed_in: SignedIn) -> Response {
    let person = signed_in.session().person();
    let home = if person.has_role(Role::Coordinator) {
        "/board"
    } else if person.has_role(Role::Requester) || person.has_role(Role::Interpreter) {
        "/requests"
    } else {
        "/account"
    };
    see_other(home)
}

/// `GET /account`: who am I, my roles, my second factor; where sign-in lands.
pub async fn home(signed_in: SignedIn, Query(query): Query<HomeQuery>) -> Result<Response, WebError> {
    let session = signed_in.session();
    let pages = &session.pages;
    let person = session.person();
    let locale = person.locale;
    let tz = pages.accounts.workflow().config().time_zone;
    let mut page = signed_page(session, ("Mon compte", "My account"));
    page.heading = format!(
        "{} — {}",
        locale.pick("Mon compte", "My account"),
        person.display_name()
    );
    let roles: Vec<&str> = person.roles.iter().map(|r| role_label(*r, locale)).collect();
    let expires = session.view.expires_at.with_timezone(&tz);
    page.facts = vec![
        (locale.pick("Nom", "Name").into(), person.display_name()),
        (
            locale.pick("Identifiant", "Identifier").into(),
            person.user_code.to_string(),
        ),
        (locale.pick("Courriel", "Email").into(), person.email.to_string()),
        (locale.pick("Rôles", "Roles").into(), roles.join(", ")),
        (
            locale
                .pick("Authentification multifacteur", "Multi-factor authentication")
                .into(),
            method_label(session.view.mfa_method, locale).into(),
        ),
        (
            locale.pick("Session ouverte jusqu'au", "Signed in until").into(),
            long_date_time(expires, locale),
        ),
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
            locale.pick(
                "Nous vous recommandons fortement d'activer l'authentification multifacteur : elle protège votre compte même si votre mot de passe est découvert.",
                "We strongly recommend turning on multi-factor authentication: it protects your account even if your password is found out.",
            ),
        );
        page = page.link(
            "/account/mfa",
            locale.pick(
                "Activer l'authentification multifacteur",
                "Turn on multi-factor authentication",
            ),
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
        locale.pick("Modifier le mot de passe", "Change the password"),
    );
    form.fields.insert(
        0,
        password_field(
            "current",
            locale.pick("Mot de passe actuel", "Current password"),
            "current-password",
            "",
        ),
    );
    signed_page(session, ("Modifier le mot de passe", "Change the password"))
        .form(form)
        .link("/account", locale.pick("Annuler", "Cancel"))
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
                .notice(
                    Tone::Good,
                    locale.pick(
                        "Votre mot de passe est changé. Vos autres sessions ont été fermées.",
                        "Your password is changed. Your other sessions were closed.",
                    ),
                )
                .link("/account", locale.pick("Mon compte", "My account"));
            pages.page(StatusCode::OK, &page)
        }
        PasswordChange::WrongCurrent => {
            let page = password_page(session).notice(
                Tone::Bad,
                locale.pick(
                    "Le mot de passe actuel est incorrect ; rien n'a été changé.",
                    "The current password is wrong; nothing was changed.",
                ),
            );
            pages.page(StatusCode::UNAUTHORIZED, &page)
        }
        PasswordChange::Weak(problems) => {
            let mut page = password_page(session).notice(
                Tone::Bad,
                locale.pick(
                    "Ce mot de passe ne convient pas ; rien n'a été changé :",
                    "This password will not do; nothing was changed:",
                ),
            );
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
            locale.pick(
                "Les coordonnateurs doivent utiliser l'authentification multifacteur : activez-la pour continuer.",
                "Coordinators must use multi-factor authentication: turn it on to continue.",
            ),
        )
    } else {
        page.notice(
            Tone::Neutral,
            locale.pick(
                "L'authentification multifacteur protège votre compte même si votre mot de passe est découvert : à chaque connexion, un code à 6 chiffres s'ajoute au mot de passe.",
                "Multi-factor authentication protects your account even if your password is found out: each sign-in asks for a 6-digit code besides the password.",
            ),
        )
    };
    if let Some((tone, text)) = notice {
        page = page.notice(tone, text);
    }
    let enrolment = pages.accounts.totp_enrolment(&session.view).await?;
    if let Some(enrolment) = enrolment {
        page = page.paragraph(locale.pick(
            "Avec une application d'authentification (recommandé) : ouvrez l'application (Microsoft Authenticator, Google Authenticator, FreeOTP…), lisez ce code QR ou tapez la clé ci-dessous, puis inscrivez le code à 6 chiffres qu'elle affiche.",
            "With an authenticator app (recommended): open the app (Microsoft Authenticator, Google Authenticator, FreeOTP…), scan this QR code or type the key below, then enter the 6-digit code it shows.",
        ));
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
            fields: vec![code_field(
                locale,
                locale.pick(
                    "Le code affiché par l'application, pour confirmer qu'elle est prête.",
                    "The code the app shows, to confirm it is set up.",
                ),
            )],
            button: locale.pick("Activer avec l'application", "Turn on with the app").into(),
            ..Form::default()
        })
        .form(Form {
            heading: locale.pick("Ou par courriel", "Or by email").into(),
            action: "/account/mfa/email".into(),
            csrf,
            button: locale
                .pick(
                    "Recevoir plutôt les codes par courriel",
                    "Receive the codes by email instead",
                )
                .into(),
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
    let mut page = AccountPage::new(
        locale,
        locale.pick(
            "Authentification multifacteur activée",
            "Multi-factor authentication is on",
        ),
    )
    .notice(
        Tone::Good,
        locale.pick(
            "C'est fait : chaque connexion demandera désormais un code en plus du mot de passe.",
            "Done: every sign-in will now ask for a code besides the password.",
        ),
    )
    .paragraph(locale.pick(
        "Voici vos 10 codes de récupération. Chacun permet de vous connecter une seule fois si vous n'avez plus accès à votre application ou à votre courriel. Notez-les et gardez-les en lieu sûr : ils ne seront plus jamais affichés.",
        "Here are your 10 recovery codes. Each lets you sign in once if you no longer have your app or your email. Write them down and keep them safe: they will never be shown again.",
    ))
    .link("/account", locale.pick("Continuer", "Continue"));
    page.codes = enabled.recovery_codes.clone();
    page.logout_csrf = pages.session_csrf(&enabled.session);
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
            let text = locale.pick(
                "Ce code ne correspond pas : vérifiez que l'heure du téléphone est juste et inscrivez le code affiché maintenant.",
                "This code does not match: check that the phone's time is right and enter the code shown now.",
            );
            let page = mfa_page(&session, Some((Tone::Bad, text))).await?;
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
        fields: vec![code_field(
            locale,
            locale.pick(
                "Le code à 6 chiffres reçu par courriel (valide 10 minutes).",
                "The 6-digit code received by email (valid for 10 minutes).",
            ),
        )],
        button: locale
            .pick("Activer les codes par courriel", "Turn on codes by email")
            .into(),
        ..Form::default()
    })
    .link("/account/mfa", locale.pick("Retour", "Back"))
}

/// `POST /account/mfa/email`: a first code by mail.
pub async fn begin_email(session: AnySession, request: axum::extract::Request) -> Result<Response, WebError> {
    enrolment_guard(&session)?;
    let pages = session.pages.clone();
    let locale = session.person().locale;
    let (_, client) = read_form(&session, request, "/account/mfa").await?;
    Ok(match pages.accounts.begin_email_mfa(&session.view, &client).await? {
        EmailEnrolment::Sent => {
            let text = locale.pick(
                "Un code à 6 chiffres vient de vous être envoyé par courriel.",
                "A 6-digit code was just sent to you by email.",
            );
            pages.page(StatusCode::OK, &email_code_page(&session, (Tone::Good, text)))
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
                let text = locale.pick("Code incorrect ou expiré.", "Wrong or expired code.");
                pages.page(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &email_code_page(&session, (Tone::Bad, text)),
                )
            }
        },
    )
}
