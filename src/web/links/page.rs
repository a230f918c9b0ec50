//! What the link pages show: the confirmation of each action, why a link is dead, what
//! was refused, the facts of the request, and the form cookie that binds a button to the
//! page that showed it. Shared by the link handlers ([`super`]) and the service record
//! form ([`super::record_form`]).

use crate::domain::locale::Locale;
use crate::domain::person::Person;
use crate::domain::request::{CancellationReason, Request};
use crate::outbound::render::Facts;
use crate::security::link::{LinkAction, LinkClaim, LinkKeys, VerifiedLink};
use crate::web::AppState;
use crate::web::cookies;
use crate::web::page::{Page, PageForm, Tone, page_response};
use crate::workflow::links::{DeadReason, LinkState};
use crate::workflow::{Workflow, WorkflowError};
use axum::http::{StatusCode, header};
use axum::response::Response;

pub(crate) const SESSION_COOKIE: &str = "relais_session";

/// What the link pages need.
#[derive(Clone)]
pub struct LinkPages {
    pub keys: LinkKeys,
    pub bank: String,
    /// Cookies get `Secure` when Relais is served over HTTPS.
    pub secure_cookies: bool,
    /// `web.client_ip_header`, for the limit on new links per client address.
    pub client_ip_header: String,
}

impl LinkPages {
    /// The form cookie holding `nonce`, for an hour.
    pub(crate) fn form_cookie(&self, nonce: &str) -> Option<axum::http::HeaderValue> {
        cookies::set(
            cookies::FORM_COOKIE,
            nonce,
            3600,
            cookie::SameSite::Strict,
            self.secure_cookies,
        )
    }
}

pub(crate) async fn installation_name(workflow: &Workflow, request: &Request) -> String {
    let Ok(mut tx) = workflow.store().begin_read().await else {
        return String::new();
    };
    let name = tx
        .installation(request.details.installation_id)
        .await
        .map(|i| i.name)
        .unwrap_or_default();
    let _ = tx.commit().await;
    name
}

/// The request's facts as the page lists them. Never patient details.
pub(crate) async fn facts_list(workflow: &Workflow, request: &Request, locale: Locale) -> Vec<(String, String)> {
    let f = Facts::of(request, &installation_name(workflow, request).await, locale);
    vec![
        (locale.pick("Demande", "Request").into(), f.number),
        (locale.pick("Statut", "Status").into(), f.status),
        ("Date".into(), f.date),
        (locale.pick("Heure", "Time").into(), f.time),
        (locale.pick("Durée", "Duration").into(), f.duration),
        ("Type".into(), f.request_type),
        (locale.pick("Langues", "Languages").into(), f.languages),
        (locale.pick("Lieu", "Place").into(), f.place),
    ]
}

pub(crate) fn action_heading(action: LinkAction, locale: Locale) -> &'static str {
    match action {
        LinkAction::Accept => locale.pick("Accepter l'offre", "Accept the offer"),
        LinkAction::Refuse => locale.pick("Refuser l'offre", "Decline the offer"),
        LinkAction::Withdraw => locale.pick("Vous désister", "Withdraw from this request"),
        LinkAction::Assign => locale.pick(
            "Offrir la demande à l'interprète suggéré",
            "Offer to the suggested interpreter",
        ),
        LinkAction::Broadcast => locale.pick(
            "Offrir la demande aux interprètes suggérés",
            "Offer to the suggested interpreters",
        ),
        LinkAction::Cancel => locale.pick("Annuler la demande", "Cancel the request"),
        LinkAction::Validate => locale.pick("Valider la réalisation", "Validate the service record"),
        LinkAction::Contest => locale.pick("Contester la réalisation", "Contest the service record"),
        LinkAction::Open => locale.pick("Ouvrir la demande", "Open the request"),
        LinkAction::UseAlternative => locale.pick("Accepter la langue alternative", "Accept the alternative language"),
        LinkAction::GiveUp => locale.pick("Continuer sans interprète", "Continue without an interpreter"),
        LinkAction::Record => locale.pick("Enregistrer la réalisation", "Record the service"),
    }
}

pub(crate) fn action_explanation(action: LinkAction, subjects: &str, locale: Locale) -> String {
    match action {
        LinkAction::Accept => locale
            .pick(
                "En acceptant, vous serez réservé pour ce rendez-vous et recevrez l'invitation pour votre agenda.",
                "By accepting, you are booked for this appointment and receive the invitation for your calendar.",
            )
            .into(),
        LinkAction::Refuse => locale
            .pick(
                "En refusant, la demande retourne à la banque, qui cherchera un autre interprète.",
                "By declining, the request goes back to the bank, which will look for another interpreter.",
            )
            .into(),
        LinkAction::Withdraw => locale
            .pick(
                "En vous désistant, vous ne serez plus réservé ; le demandeur et la banque en sont avisés tout de suite.",
                "By withdrawing, you are no longer booked; the requester and the bank are told at once.",
            )
            .into(),
        LinkAction::Assign | LinkAction::Broadcast => format!(
            "{} {subjects}",
            locale.pick(
                "L'offre sera envoyée par texto et courriel à :",
                "The offer will be sent by SMS and email to:"
            )
        ),
        LinkAction::Cancel => locale
            .pick(
                "L'interprète et la banque seront avisés. Une annulation à moins de 48 heures du rendez-vous peut être facturée.",
                "The interpreter and the bank will be told. Cancelling less than 48 hours before the appointment may be charged.",
            )
            .into(),
        LinkAction::Validate => locale
            .pick(
                "Vous confirmez que la réalisation enregistrée par l'interprète est exacte.",
                "You confirm that the service recorded by the interpreter is correct.",
            )
            .into(),
        LinkAction::Contest => locale
            .pick(
                "Un coordonnateur examinera la réalisation et communiquera avec vous.",
                "A coordinator will review the service record and contact you.",
            )
            .into(),
        LinkAction::Open => locale
            .pick(
                "La demande s'ouvrira pour 30 minutes, dans ce navigateur seulement.",
                "The request will open for 30 minutes, in this browser only.",
            )
            .into(),
        LinkAction::UseAlternative => locale
            .pick(
                "La langue d'arrivée devient la langue alternative indiquée dans la demande, et la banque cherche de nouveau un interprète.",
                "The target language becomes the alternative language given in the request, and the bank looks for an interpreter again.",
            )
            .into(),
        LinkAction::GiveUp => locale
            .pick(
                "La demande est annulée (motif : aucun interprète disponible), sans frais.",
                "The request is cancelled (reason: no interpreter available), at no charge.",
            )
            .into(),
        LinkAction::Record => locale
            .pick(
                "Le demandeur recevra la réalisation pour la valider.",
                "The requester will receive the record to validate it.",
            )
            .into(),
    }
}

pub(crate) fn button_label(action: LinkAction, locale: Locale) -> &'static str {
    match action {
        LinkAction::Accept => locale.pick("Accepter", "Accept"),
        LinkAction::Refuse => locale.pick("Refuser", "Decline"),
        LinkAction::Withdraw => locale.pick("Me désister", "Withdraw"),
        LinkAction::Assign | LinkAction::Broadcast => locale.pick("Envoyer l'offre", "Send the offer"),
        LinkAction::Cancel => locale.pick("Annuler la demande", "Cancel the request"),
        LinkAction::Validate => locale.pick("Valider", "Validate"),
        LinkAction::Contest => locale.pick("Contester", "Contest"),
        LinkAction::Open => locale.pick("Ouvrir", "Open"),
        LinkAction::UseAlternative => locale.pick("Changer de langue", "Change the language"),
        LinkAction::GiveUp => locale.pick("Continuer sans interprète", "Continue without an interpreter"),
        LinkAction::Record => locale.pick("Enregistrer la réalisation", "Record the service"),
    }
}

pub(crate) async fn subject_names(workflow: &Workflow, claim: &LinkClaim) -> String {
    let Ok(mut tx) = workflow.store().begin_read().await else {
        return String::new();
    };
    let mut names = Vec::with_capacity(claim.subjects.len());
    for id in &claim.subjects {
        if let Ok(p) = tx.person(*id).await {
            names.push(p.display_name());
        }
    }
    let _ = tx.commit().await;
    names.join(", ")
}

/// The confirmation form for `token`.
pub(crate) fn form_for(pages: &LinkPages, claim: &LinkClaim, token: &str, nonce: &str, locale: Locale) -> PageForm {
    PageForm {
        action: token.to_string(),
        csrf: pages.keys.csrf(nonce, token),
        label: button_label(claim.action, locale).to_string(),
        danger: matches!(
            claim.action,
            LinkAction::Refuse | LinkAction::Withdraw | LinkAction::Cancel | LinkAction::Contest | LinkAction::GiveUp
        ),
        ..reason_choice(claim.action, locale)
    }
}

/// The value the "mail me a new link" form carries: bound to the form cookie and to this
/// token, and unlike the action button's.
pub(crate) fn renew_csrf(pages: &LinkPages, nonce: &str, token: &str) -> String {
    pages.keys.csrf(nonce, &format!("{token}{RENEW_SUFFIX}"))
}

/// Where the "mail me a new link" button posts, after the token.
pub(crate) const RENEW_SUFFIX: &str = "/new";

/// The "mail me a new link" button of a dead link's page.
pub(crate) fn renew_form(pages: &LinkPages, token: &str, nonce: &str, locale: Locale) -> PageForm {
    PageForm {
        action: format!("{token}{RENEW_SUFFIX}"),
        csrf: renew_csrf(pages, nonce, token),
        label: locale
            .pick("M'envoyer un nouveau lien par courriel", "Email me a new link")
            .to_string(),
        ..reason_choice(LinkAction::Open, locale)
    }
}

/// For a cancel button, the required choice of reason (the seeds' list; "no interpreter
/// available" is the bank's, not the requester's); nothing for other buttons. The form's
/// action, value and label are left empty for the caller.
pub(crate) fn reason_choice(action: LinkAction, locale: Locale) -> PageForm {
    let cancel = action == LinkAction::Cancel;
    PageForm {
        action: String::new(),
        csrf: String::new(),
        label: String::new(),
        danger: false,
        reason_label: if cancel {
            locale.pick("Motif d'annulation", "Reason for cancelling").to_string()
        } else {
            String::new()
        },
        reasons: if cancel {
            CancellationReason::ALL
                .into_iter()
                .filter(|r| *r != CancellationReason::NoInterpreterAvailable)
                .map(|r| (r.as_str().to_string(), r.label(locale).to_string()))
                .collect()
        } else {
            Vec::new()
        },
        note_label: if action == LinkAction::Contest {
            locale
                .pick("Ce qui ne va pas (facultatif)", "What is wrong (optional)")
                .to_string()
        } else {
            String::new()
        },
    }
}

pub(crate) fn invalid_page(bank: &str) -> Page {
    Page {
        locale: Locale::Fr,
        bank: bank.to_string(),
        title: "Lien non valide / Invalid link".into(),
        heading: "Ce lien n'est pas valide / This link is not valid".into(),
        notice: String::new(),
        tone: Tone::Bad,
        facts: Vec::new(),
        paragraphs: vec![
            "Il est peut-être incomplet : copiez-le en entier depuis le message reçu, ou répondez à ce message.".into(),
            "It may be incomplete: copy it whole from the message you received, or reply to that message.".into(),
        ],
        forms: Vec::new(),
    }
}

pub(crate) fn dead_notice(reason: &DeadReason, locale: Locale, tz: chrono_tz::Tz) -> String {
    match reason {
        DeadReason::Used(used) => {
            let at = used.used_at.with_timezone(&tz);
            format!(
                "{} {}",
                locale.pick("Ce lien a déjà servi, le", "This link was already used, on"),
                crate::domain::locale::long_date_time(at, locale),
            ) + locale.pick(" : ce qu'il demandait est fait.", ": what it asked for is done.")
        }
        DeadReason::Expired => locale.pick("Ce lien a expiré.", "This link has expired.").into(),
        DeadReason::Changed => locale
            .pick(
                "Ce lien ne sert plus : la demande a changé depuis son envoi.",
                "This link no longer works: the request has changed since it was sent.",
            )
            .into(),
        DeadReason::Gone => locale
            .pick("Ce lien ne peut plus servir.", "This link can no longer be used.")
            .into(),
    }
}

pub(crate) fn next_step(recipient: Option<&Person>, locale: Locale) -> String {
    use crate::domain::role::Role;
    match recipient {
        Some(p) if p.has_role(Role::Interpreter) => locale
            .pick(
                "Pour toute autre démarche, répondez au texto ou au courriel de la banque, ou communiquez avec un coordonnateur.",
                "For anything else, reply to the bank's SMS or email, or contact a coordinator.",
            )
            .into(),
        Some(p) if p.has_role(Role::Coordinator) => locale
            .pick(
                "Le tableau de bord de la banque montre la demande et ce qu'il reste à faire.",
                "The bank's board shows the request and what is left to do.",
            )
            .into(),
        _ => locale
            .pick(
                "Pour toute autre démarche, répondez au courriel de la demande ; un coordonnateur vous lira.",
                "For anything else, reply to the request's email; a coordinator will read it.",
            )
            .into(),
    }
}

pub(crate) fn refusal_text(error: &WorkflowError, locale: Locale) -> String {
    match error {
        WorkflowError::OfferClosed => locale
            .pick(
                "Cette offre est déjà pourvue ou n'est plus ouverte : un autre interprète l'a acceptée, elle a expiré ou elle a été annulée. Merci de votre disponibilité.",
                "This offer is already filled or no longer open: another interpreter accepted it, it expired or it was cancelled. Thank you for your availability.",
            )
            .into(),
        WorkflowError::Transition(_) => locale
            .pick(
                "La demande n'en est plus à cette étape ; rien n'a été changé.",
                "The request is no longer at that stage; nothing was changed.",
            )
            .into(),
        WorkflowError::Forbidden(_) => locale
            .pick(
                "Vous ne pouvez pas faire cela pour cette demande ; rien n'a été changé.",
                "You cannot do that for this request; nothing was changed.",
            )
            .into(),
        WorkflowError::Conflict(_) => locale
            .pick(
                "Une autre modification est arrivée au même moment ; rien n'a été changé. Rouvrez le lien pour voir la demande à jour.",
                "Another change arrived at the same moment; nothing was changed. Open the link again to see the request as it is now.",
            )
            .into(),
        WorkflowError::Invalid(errors) => errors
            .iter()
            .map(|e| e.describe(locale))
            .collect::<Vec<_>>()
            .join(" ; "),
        WorkflowError::InvalidRecord(problems) => problems
            .iter()
            .map(|p| p.describe(locale))
            .collect::<Vec<_>>()
            .join(" ; "),
        WorkflowError::TooEarly => locale
            .pick(
                "Le rendez-vous n'a pas encore commencé : enregistrez la réalisation après le service.",
                "The appointment has not started yet: record the service after it.",
            )
            .into(),
        other => format!(
            "{} ({other})",
            locale.pick("Rien n'a été changé", "Nothing was changed")
        ),
    }
}

/// What a `GET` shows for a state: the confirmation, or why the link is dead.
pub(crate) async fn state_page(
    state: &AppState,
    pages: &LinkPages,
    link_state: LinkState,
    claim: &LinkClaim,
    token: &str,
    nonce: &str,
) -> (StatusCode, Page) {
    let workflow = &state.workflow;
    let tz = workflow.config().time_zone;
    match link_state {
        LinkState::Live { request, recipient } => {
            let locale = recipient.locale;
            let mut facts = facts_list(workflow, &request, locale).await;
            facts.insert(0, (locale.pick("Pour", "For").into(), recipient.display_name()));
            let names = subject_names(workflow, claim).await;
            (
                StatusCode::OK,
                Page {
                    locale,
                    bank: pages.bank.clone(),
                    title: action_heading(claim.action, locale).into(),
                    heading: format!("{} — {}", action_heading(claim.action, locale), request.label()),
                    notice: String::new(),
                    tone: Tone::Neutral,
                    facts,
                    paragraphs: vec![action_explanation(claim.action, &names, locale)],
                    forms: vec![form_for(pages, claim, token, nonce, locale)],
                },
            )
        }
        LinkState::Dead {
            reason,
            request,
            recipient,
            renewable,
        } => {
            let locale = recipient.as_ref().map_or(Locale::Fr, |p| p.locale);
            let facts = match &request {
                Some(r) => facts_list(workflow, r, locale).await,
                None => Vec::new(),
            };
            let mut paragraphs = Vec::new();
            let mut forms = Vec::new();
            if renewable {
                // Never a fresh token to whoever holds this one: a new link goes by mail to
                // the recipient's own address on file.
                paragraphs.push(match locale {
                    Locale::Fr => format!(
                        "Voici la demande telle qu'elle est maintenant. Il est encore possible de faire ceci\u{a0}: «\u{a0}{}\u{a0}». Un nouveau lien peut être envoyé par courriel à l'adresse inscrite au dossier de la personne à qui ce lien était destiné, et à aucune autre.",
                        action_heading(claim.action, locale)
                    ),
                    Locale::En => format!(
                        "Here is the request as it is now. This can still be done: “{}”. A new link can be sent by email to the address on file of the person this link was meant for, and to no other.",
                        action_heading(claim.action, locale)
                    ),
                });
                forms.push(renew_form(pages, token, nonce, locale));
            } else {
                paragraphs.push(next_step(recipient.as_ref(), locale));
            }
            (
                StatusCode::GONE,
                Page {
                    locale,
                    bank: pages.bank.clone(),
                    title: locale.pick("Lien inactif", "Link no longer active").into(),
                    heading: match &request {
                        Some(r) => format!("{} — {}", action_heading(claim.action, locale), r.label()),
                        None => action_heading(claim.action, locale).into(),
                    },
                    notice: dead_notice(&reason, locale, tz),
                    tone: Tone::Bad,
                    facts,
                    paragraphs,
                    forms,
                },
            )
        }
    }
}

/// Sends the page with a CSRF cookie for the form (kept if the browser has one).
pub(crate) fn with_nonce(pages: &LinkPages, status: StatusCode, page: Page, nonce: &str, fresh: bool) -> Response {
    let mut response = page_response(status, &page);
    if fresh && let Some(value) = pages.form_cookie(nonce) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// Adds the form cookie holding `nonce` to a response.
pub(crate) fn with_csrf_cookie(pages: &LinkPages, mut response: Response, nonce: &str) -> Response {
    if let Some(value) = pages.form_cookie(nonce) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// The page for a command the workflow refused.
pub(crate) async fn refused_page(
    state: &AppState,
    pages: &LinkPages,
    link: &VerifiedLink,
    error: &WorkflowError,
) -> Result<Response, crate::web::WebError> {
    let Some((request, locale)) = load(&state.workflow, link).await else {
        return Err(crate::web::WebError::internal(anyhow::anyhow!("request vanished")));
    };
    let page = Page {
        locale,
        bank: pages.bank.clone(),
        title: action_heading(link.claim.action, locale).into(),
        heading: format!("{} — {}", action_heading(link.claim.action, locale), request.label()),
        notice: refusal_text(error, locale),
        tone: Tone::Bad,
        facts: facts_list(&state.workflow, &request, locale).await,
        paragraphs: vec![next_step(None, locale)],
        forms: Vec::new(),
    };
    Ok(page_response(StatusCode::CONFLICT, &page))
}

/// The request as it is now, and the recipient's language.
pub(crate) async fn load(workflow: &Workflow, link: &VerifiedLink) -> Option<(Request, Locale)> {
    let mut tx = workflow.store().begin_read().await.ok()?;
    let request = tx.request(link.claim.request).await.ok()?;
    let locale = tx
        .person(link.claim.recipient)
        .await
        .map(|p| p.locale)
        .unwrap_or(Locale::Fr);
    let _ = tx.commit().await;
    Some((request, locale))
}

/// The page for a link in `link_state` other than a live record link (whose page is the
/// record form): its confirmation, or why it is dead. Sets the form cookie when the
/// browser has none.
pub(crate) async fn state_response(
    state: &AppState,
    pages: &LinkPages,
    link_state: LinkState,
    claim: &LinkClaim,
    token: &str,
    existing: Option<String>,
) -> Response {
    let nonce = existing.clone().unwrap_or_else(crate::security::random_token);
    let (status, page) = state_page(state, pages, link_state, claim, token, &nonce).await;
    with_nonce(pages, status, page, &nonce, existing.is_none())
}
