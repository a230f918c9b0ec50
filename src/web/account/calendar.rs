//! `/account/calendar`: the person's calendar feed. Turned on, the page shows the secret
//! address to subscribe to (`https://…/calendar/TOKEN.ics`, and the same as `webcal://`,
//! which calendar apps open); a new address replaces it at once (for one shared by
//! mistake), and the feed can be turned off.

use super::session::SignedIn;
use super::signed::{read_form, signed_page};
use super::view::{AccountPage, Form};
use crate::web::page::Tone;
use crate::web::{AppState, WebError};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

const PATH: &str = "/account/calendar";
const TITLE: (&str, &str) = ("Mon agenda", "My calendar");

/// The page, with `notice` on top.
async fn page(signed_in: &SignedIn, state: &AppState, notice: Option<(Tone, String)>) -> Result<AccountPage, WebError> {
    let session = signed_in.session();
    let locale = session.person().locale;
    let person = session.person().id;
    let token = session.pages.accounts.calendar_feed_token(person).await?;
    let mut page = signed_page(session, TITLE);
    if let Some((tone, text)) = notice {
        page = page.notice(tone, text);
    }
    page = page.paragraph(locale.pick(
        "Abonnez votre agenda (Outlook, Google Agenda, Apple Calendrier…) à vos réservations, \
         à vos offres en attente et à vos demandes\u{a0}: il se met à jour de lui-même. \
         L’agenda ne montre aucun renseignement sur l’usager.",
        "Subscribe your calendar (Outlook, Google Calendar, Apple Calendar…) to your bookings, \
         your pending offers and your requests: it updates itself. \
         The calendar shows nothing about the patient.",
    ));
    let csrf = session.csrf();
    Ok(match token {
        Some(token) => {
            let https = format!(
                "{}/calendar/{token}.ics",
                state.settings.web.public_base_url.trim_end_matches('/')
            );
            let webcal = https
                .replacen("https://", "webcal://", 1)
                .replacen("http://", "webcal://", 1);
            let mut page = page
                .paragraph(locale.pick(
                    "Votre adresse secrète — gardez-la pour vous, elle suffit pour lire votre agenda\u{a0}:",
                    "Your secret address — keep it to yourself, it is enough to read your calendar:",
                ))
                .link(&webcal, locale.pick("S’abonner dans mon agenda", "Subscribe in my calendar"))
                .form(Form {
                    heading: locale.pick("Nouvelle adresse", "New address").to_string(),
                    note: locale
                        .pick(
                            "L’adresse actuelle cessera aussitôt de fonctionner\u{a0}: à faire si elle a été partagée par erreur. \
                             Abonnez ensuite votre agenda à la nouvelle.",
                            "The current address stops working at once: do it if it was shared by mistake. \
                             Then subscribe your calendar to the new one.",
                        )
                        .to_string(),
                    action: format!("{PATH}/new"),
                    csrf: csrf.clone(),
                    button: locale.pick("Créer une nouvelle adresse", "Make a new address").to_string(),
                    secondary: true,
                    ..Form::default()
                })
                .form(Form {
                    heading: locale.pick("Désactiver", "Turn off").to_string(),
                    note: locale
                        .pick(
                            "L’adresse cessera de fonctionner et votre agenda ne sera plus mis à jour.",
                            "The address stops working and your calendar is no longer updated.",
                        )
                        .to_string(),
                    action: format!("{PATH}/off"),
                    csrf,
                    button: locale.pick("Désactiver mon agenda", "Turn my calendar off").to_string(),
                    secondary: true,
                    ..Form::default()
                });
            page.secret = https;
            page
        }
        None => page.form(Form {
            action: format!("{PATH}/new"),
            csrf,
            button: locale.pick("Créer mon adresse d’agenda", "Make my calendar address").to_string(),
            ..Form::default()
        }),
    }
    .link("/account", locale.pick("Mon compte", "My account")))
}

/// `GET /account/calendar`.
pub async fn show(signed_in: SignedIn, State(state): State<AppState>) -> Result<Response, WebError> {
    let page = page(&signed_in, &state, None).await?;
    Ok(signed_in.session().pages.page(StatusCode::OK, &page))
}

/// `POST /account/calendar/new`: a new address; the previous one stops working.
pub async fn renew(
    signed_in: SignedIn,
    State(state): State<AppState>,
    request: axum::extract::Request,
) -> Result<Response, WebError> {
    let session = signed_in.session();
    read_form(session, request, PATH).await?;
    session.pages.accounts.new_calendar_feed(session.person().id).await?;
    done(
        &signed_in,
        &state,
        (
            "Votre nouvelle adresse est prête. Toute adresse précédente ne fonctionne plus.",
            "Your new address is ready. Any previous address no longer works.",
        ),
    )
    .await
}

/// `POST /account/calendar/off`.
pub async fn turn_off(
    signed_in: SignedIn,
    State(state): State<AppState>,
    request: axum::extract::Request,
) -> Result<Response, WebError> {
    let session = signed_in.session();
    read_form(session, request, PATH).await?;
    session.pages.accounts.stop_calendar_feed(session.person().id).await?;
    done(
        &signed_in,
        &state,
        (
            "Votre agenda est désactivé\u{a0}: son adresse ne fonctionne plus.",
            "Your calendar is off: its address no longer works.",
        ),
    )
    .await
}

/// The page again, saying what was done (French, English).
async fn done(signed_in: &SignedIn, state: &AppState, notice: (&str, &str)) -> Result<Response, WebError> {
    let locale = signed_in.session().person().locale;
    let notice = locale.pick(notice.0, notice.1).to_string();
    let page = page(signed_in, state, Some((Tone::Good, notice))).await?;
    Ok(signed_in.session().pages.page(StatusCode::OK, &page))
}
