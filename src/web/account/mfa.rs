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
        locale.pick("Mot de passe actuel", "Current password"),
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
        (
            locale.pick("État", "Status").into(),
            method_label(Some(method), locale).into(),
        ),
        (
            locale
                .pick("Codes de récupération restants", "Recovery codes left")
                .into(),
            left.to_string(),
        ),
    ];
    if let Some((tone, text)) = notice {
        page = page.notice(tone, text);
    }
    page = page.paragraph(locale.pick(
        "Chaque changement demande de confirmer que c'est bien vous. Il ferme ensuite vos autres sessions et vous envoie un avis par courriel.",
        "Each change asks you to confirm it is you. It then closes your other sessions and sends you a notice by email.",
    ));
    let csrf = session.csrf();
    if method == MfaMethod::Email {
        page = page.form(email_code_form(&csrf, locale));
    }
    page = page.form(recovery_form(method, &csrf, locale));
    if session.person().has_role(Role::Coordinator) {
        page = page.paragraph(locale.pick(
            "Les coordonnateurs ne peuvent pas désactiver l'authentification multifacteur : leur compte ouvre toutes les demandes et les renseignements de toutes les personnes. Vous pouvez changer de méthode ci-dessous.",
            "Coordinators cannot turn multi-factor authentication off: their account opens every request and everyone's details. You can change the method below.",
        ));
    } else {
        page = page.form(turn_off_form(method, csrf, locale));
    }
    page = match method {
        MfaMethod::Totp => page
            .link(
                "/account/mfa/app",
                locale.pick(
                    "Utiliser l'application sur un nouveau téléphone",
                    "Use the app on a new phone",
                ),
            )
            .link(
                "/account/mfa/by-email",
                locale.pick(
                    "Recevoir plutôt les codes par courriel",
                    "Receive the codes by email instead",
                ),
            ),
        MfaMethod::Email => page.link(
            "/account/mfa/app",
            locale.pick(
                "Utiliser plutôt une application d'authentification",
                "Use an authenticator app instead",
            ),
        ),
    };
    Ok(page.link("/account", locale.pick("Mon compte", "My account")))
}

/// For codes by mail: the button that mails one to confirm a change with.
fn email_code_form(csrf: &str, locale: Locale) -> Form {
    Form {
        heading: locale.pick("Un code pour confirmer", "A code to confirm").into(),
        note: locale
            .pick(
                "Vos codes arrivent par courriel : demandez-en un avant un changement qui en demande un (valide 10 minutes).",
                "Your codes come by email: ask for one before a change that needs one (valid for 10 minutes).",
            )
            .into(),
        action: "/account/mfa/code".into(),
        csrf: csrf.to_string(),
        button: locale
            .pick("Recevoir un code par courriel", "Receive a code by email")
            .into(),
        secondary: true,
        ..Form::default()
    }
}

/// Ten new recovery codes, for the password or a current code.
fn recovery_form(method: MfaMethod, csrf: &str, locale: Locale) -> Form {
    Form {
        heading: locale
            .pick("Nouveaux codes de récupération", "New recovery codes")
            .into(),
        note: locale
            .pick(
                "Dix nouveaux codes remplacent les anciens, qui cessent aussitôt de fonctionner. Ils ne seront affichés qu'une fois.",
                "Ten new codes replace the earlier ones, which stop working at once. They will be shown only once.",
            )
            .into(),
        action: "/account/mfa/recovery".into(),
        csrf: csrf.to_string(),
        fields: vec![password_field(
            "proof",
            locale.pick(
                "Mot de passe ou code de vérification",
                "Password or verification code",
            ),
            "current-password",
            match method {
                MfaMethod::Totp => locale.pick(
                    "Votre mot de passe, ou le code à 6 chiffres de votre application.",
                    "Your password, or the 6-digit code of your app.",
                ),
                MfaMethod::Email => locale.pick(
                    "Votre mot de passe, ou un code à 6 chiffres reçu par courriel.",
                    "Your password, or a 6-digit code received by email.",
                ),
            },
        )],
        button: locale
            .pick("Remplacer mes codes de récupération", "Replace my recovery codes")
            .into(),
        ..Form::default()
    }
}

/// Turning the second factor off: the password and a current code (never for coordinators).
fn turn_off_form(method: MfaMethod, csrf: String, locale: Locale) -> Form {
    let code_hint = match method {
        MfaMethod::Totp => locale.pick(
            "Le code à 6 chiffres affiché par votre application.",
            "The 6-digit code your app shows.",
        ),
        MfaMethod::Email => locale.pick(
            "Le code à 6 chiffres reçu par courriel (bouton « Recevoir un code par courriel » ci-dessus).",
            "The 6-digit code received by email (button “Receive a code by email” above).",
        ),
    };
    Form {
        heading: locale
            .pick(
                "Désactiver l'authentification multifacteur",
                "Turn multi-factor authentication off",
            )
            .into(),
        note: locale
            .pick(
                "Nous vous invitons fortement à la garder : sans elle, quiconque découvre votre mot de passe peut ouvrir votre compte. Pour la désactiver, il faut votre mot de passe et un code.",
                "We strongly invite you to keep it: without it, anyone who finds out your password can open your account. Turning it off takes your password and a code.",
            )
            .into(),
        action: "/account/mfa/off".into(),
        csrf,
        fields: vec![current_password(locale), code_field(locale, code_hint)],
        button: locale
            .pick(
                "Désactiver l'authentification multifacteur",
                "Turn multi-factor authentication off",
            )
            .into(),
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
        ("Utiliser une application d'authentification", "Use an authenticator app"),
    )
    .notice(
        Tone::Neutral,
        match method {
            MfaMethod::Totp => locale.pick(
                "Votre application actuelle continue de fonctionner tant que la nouvelle n'est pas confirmée par un de ses codes.",
                "Your current app keeps working until the new one is confirmed by one of its codes.",
            ),
            MfaMethod::Email => locale.pick(
                "Vos codes continuent d'arriver par courriel tant que l'application n'est pas confirmée par un de ses codes.",
                "Your codes keep coming by email until the app is confirmed by one of its codes.",
            ),
        },
    );
    if let Some((tone, text)) = notice {
        page = page.notice(tone, text);
    }
    page = page.paragraph(locale.pick(
        "Ouvrez l'application (Microsoft Authenticator, Google Authenticator, FreeOTP…) sur le téléphone à utiliser, lisez ce code QR ou tapez la clé ci-dessous, puis inscrivez le code à 6 chiffres qu'elle affiche, avec votre mot de passe.",
        "Open the app (Microsoft Authenticator, Google Authenticator, FreeOTP…) on the phone to use, scan this QR code or type the key below, then enter the 6-digit code it shows, with your password.",
    ));
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
                code_field(
                    locale,
                    locale.pick(
                        "Le code affiché par la nouvelle application.",
                        "The code the new app shows.",
                    ),
                ),
                current_password(locale),
            ],
            button: locale.pick("Utiliser cette application", "Use this app").into(),
            ..Form::default()
        })
        .link("/account/mfa", locale.pick("Annuler", "Cancel")),
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
            .pick("Recevoir un code par courriel", "Receive a code by email")
            .into(),
        secondary: true,
        ..Form::default()
    })
    .form(Form {
        action: "/account/mfa/by-email".into(),
        csrf,
        fields: vec![
            code_field(
                locale,
                locale.pick(
                    "Le code à 6 chiffres reçu par courriel (valide 10 minutes).",
                    "The 6-digit code received by email (valid for 10 minutes).",
                ),
            ),
            current_password(locale),
        ],
        button: locale
            .pick(
                "Recevoir désormais les codes par courriel",
                "Receive the codes by email from now on",
            )
            .into(),
        ..Form::default()
    })
    .link("/account/mfa", locale.pick("Annuler", "Cancel"))
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
            locale.pick(
                "Le mot de passe est incorrect ; rien n'a été changé.",
                "The password is wrong; nothing was changed.",
            ),
        ),
        MfaChange::WrongCode => (
            StatusCode::UNAUTHORIZED,
            locale.pick(
                "Ce code est incorrect ou expiré ; rien n'a été changé.",
                "This code is wrong or expired; nothing was changed.",
            ),
        ),
        MfaChange::Replayed => (
            StatusCode::UNAUTHORIZED,
            locale.pick(
                "Ce code a déjà servi : attendez que votre application en affiche un nouveau. Rien n'a été changé.",
                "This code was already used: wait for your app to show a new one. Nothing was changed.",
            ),
        ),
        MfaChange::CoordinatorsKeepIt => (
            StatusCode::FORBIDDEN,
            locale.pick(
                "Les coordonnateurs doivent garder l'authentification multifacteur ; rien n'a été changé.",
                "Coordinators must keep multi-factor authentication; nothing was changed.",
            ),
        ),
        MfaChange::Limited => return Ok(too_many(&session.pages, locale, back)),
        MfaChange::Unavailable | MfaChange::Done(_) => return Ok(see_other("/account/mfa")),
    };
    again(session, which, status, (Tone::Bad, text)).await
}

/// `POST /account/mfa/code`: a code by mail to confirm a change with.
pub async fn send_code(signed_in: SignedIn, request: axum::extract::Request) -> Result<Response, WebError> {
    let session = signed_in.session();
    let locale = session.person().locale;
    let (_, client) = read_form(session, request, "/account/mfa").await?;
    Ok(
        match session.pages.accounts.send_change_code(&session.view, &client).await? {
            CodeSent::Sent => {
                let text = locale.pick(
                    "Un code à 6 chiffres vient de vous être envoyé par courriel (valide 10 minutes).",
                    "A 6-digit code was just sent to you by email (valid for 10 minutes).",
                );
                again(session, Again::Status, StatusCode::OK, (Tone::Good, text)).await?
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
                .notice(
                    Tone::Good,
                    locale.pick(
                        "C'est fait : vos anciens codes de récupération ne fonctionnent plus. Vos autres sessions ont été fermées.",
                        "Done: your earlier recovery codes no longer work. Your other sessions were closed.",
                    ),
                )
                .paragraph(locale.pick(
                    "Voici vos 10 nouveaux codes de récupération. Chacun permet de vous connecter une seule fois. Notez-les et gardez-les en lieu sûr : ils ne seront plus jamais affichés.",
                    "Here are your 10 new recovery codes. Each lets you sign in once. Write them down and keep them safe: they will never be shown again.",
                ))
                .link("/account/mfa", locale.pick("Continuer", "Continue"));
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
                MfaChangeKind::NewApp => locale.pick(
                    "C'est fait : la nouvelle application remplace l'ancienne, dont les codes ne fonctionnent plus. Vos autres sessions ont été fermées.",
                    "Done: the new app replaces the earlier one, whose codes no longer work. Your other sessions were closed.",
                ),
                _ => locale.pick(
                    "C'est fait : vos codes viennent désormais de l'application. Vos autres sessions ont été fermées.",
                    "Done: your codes now come from the app. Your other sessions were closed.",
                ),
            };
                again(session, Again::Status, StatusCode::OK, (Tone::Good, text)).await?
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
                let text = locale.pick(
                    "Un code à 6 chiffres vient de vous être envoyé par courriel.",
                    "A 6-digit code was just sent to you by email.",
                );
                session
                    .pages
                    .page(StatusCode::OK, &by_email_page(session, Some((Tone::Good, text))))
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
                let text = locale.pick(
                "C'est fait : vos codes arriveront désormais par courriel, et l'application ne sert plus. Vos autres sessions ont été fermées.",
                "Done: your codes will now come by email, and the app is no longer used. Your other sessions were closed.",
            );
                again(session, Again::Status, StatusCode::OK, (Tone::Good, text)).await?
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
            .notice(
                Tone::Good,
                locale.pick(
                    "C'est fait : le mot de passe suffit désormais pour vous connecter. Vos codes de récupération ne fonctionnent plus et vos autres sessions ont été fermées.",
                    "Done: the password alone now signs you in. Your recovery codes no longer work and your other sessions were closed.",
                ),
            )
            .paragraph(locale.pick(
                "Nous vous recommandons fortement de la réactiver : elle protège votre compte même si votre mot de passe est découvert.",
                "We strongly recommend turning it back on: it protects your account even if your password is found out.",
            ))
            .link(
                "/account/mfa",
                locale.pick(
                    "Réactiver l'authentification multifacteur",
                    "Turn multi-factor authentication back on",
                ),
            )
            .link("/account", locale.pick("Mon compte", "My account"));
                pages.page(StatusCode::OK, &page)
            }
            outcome => refused(session, outcome, Again::Status, "/account/mfa").await?,
        },
    )
}
