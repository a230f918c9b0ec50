//! Notifications rendered from the askama templates in `templates/`: the text body, its
//! HTML twin, and the short SMS. French unless the recipient chose English.

use crate::domain::locale::{Locale, clock_time, duration, long_date, long_date_time, short_date, size};
/// Formatting lives in `domain::locale`; the web pages still import these three from here
/// until `src/web` (restructured apart) imports them from there.
use crate::domain::notice::Notice;
use crate::domain::person::Person;
use crate::domain::request::Request;
use crate::domain::role::Role;
use askama::Template;

/// The facts of a request every message shows. Never patient details.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub number: String,
    pub status: String,
    pub date: String,
    pub time: String,
    pub duration: String,
    pub request_type: String,
    pub languages: String,
    pub place: String,
}

impl Facts {
    pub fn of(request: &Request, installation: &str, locale: Locale) -> Facts {
        let d = &request.details;
        Facts {
            number: request.shown(locale),
            status: request.status.label(locale).to_string(),
            date: long_date(d.date, locale),
            time: clock_time(d.start_time, locale),
            duration: duration(d.duration_minutes, locale),
            request_type: d.request_type.label(locale).to_string(),
            languages: format!(
                "{} → {}",
                d.source_language.name(locale),
                d.target_language.name(locale)
            ),
            place: if d.location.trim().is_empty() {
                installation.to_string()
            } else {
                format!("{installation} — {}", d.location.trim())
            },
        }
    }
}

#[derive(Template)]
#[template(path = "mail/body.txt", escape = "none")]
struct MailBody<'a> {
    notice: &'a Notice,
    en: bool,
    bank: &'a str,
    first_name: &'a str,
    facts: &'a Facts,
    /// What the recipient may read of the request beyond its facts, as (label, value).
    briefing: &'a [(String, String)],
    /// What a modification changed, old → new, as lines.
    changes: &'a [String],
    /// For an offer: "le jeudi 10 décembre 2026 à 14 h 30", when the answer is due.
    answer_by: &'a str,
    interpreter: &'a str,
    form: &'a str,
    errors: &'a [String],
    /// « ANNULER LA SUITE » done: the numbers of the requests cancelled.
    cancelled_series: &'a str,
    verb: &'a str,
    status: &'a str,
    reason: &'a str,
    is_requester: bool,
    is_interpreter: bool,
    is_coordinator: bool,
    /// `(label, url)`: the message's one-click links.
    links: &'a [(String, String)],
    /// For coordinators handed a request back: the best candidates, one line each.
    suggestions: &'a [String],
    /// The acknowledgement of a series: its requests, one line each.
    series: &'a [String],
    /// The requester asked the interpreter to tell the user about the appointment.
    must_call_user: bool,
    /// For `delivery_failed`: what did not reach whom, how, and why.
    failed_kind: &'a str,
    failed_channel: &'a str,
    failed_to: &'a str,
    failed_error: &'a str,
    /// For `service_contested`: the requester's words.
    note: &'a str,
    /// For account mails: the activation or reset URL, or the six-digit code.
    secret: &'a str,
    secret_label: &'a str,
    /// For `mfa_changed`: what changed, as a phrase.
    mfa_change: &'a str,
    /// For `mail_confirmation`: the subject of the mail received in the person's name.
    quoted_subject: &'a str,
    /// For `message_too_large`, in both languages: the message's size and the limit.
    size_fr: &'a str,
    size_en: &'a str,
    limit_fr: &'a str,
    limit_en: &'a str,
    /// For `sign_in_failures`: how many, from how many addresses, the first and the last.
    failures: i64,
    addresses: i64,
    first_at: &'a str,
    last_at: &'a str,
    /// For `draft_saved`: what the draft mail says around the form.
    draft: &'a DraftWords,
    /// The help list's line for requesters on sending a draft (« ENVOYER »).
    help_send: &'a str,
    /// For `no_interpreter`: the request's alternative language by name (empty when it
    /// has none), and another date and time to propose, built from the request.
    alternative: &'a str,
    example_date: &'a str,
    example_time: &'a str,
    /// A non-breaking space, for French typography (« : », « ; »).
    nb: &'a str,
    /// The request's facts close the message (not the forms: they are the message).
    shows_facts: bool,
    /// About the person's account: answers are not read.
    about_account: bool,
}

/// What a `draft_saved` mail says around the form, from the catalogue (`locales/*/mail.ftl`);
/// empty for the other notices.
#[derive(Default)]
struct DraftWords {
    /// Saved as a draft, as asked.
    saved: String,
    /// Asked to be sent, but kept as a draft: the notes say why, and how to send it anyway.
    not_sent: String,
    /// Shown only with `saved`.
    how_to_send: String,
    how_to_keep: String,
}

impl DraftWords {
    fn of(notice: &Notice, locale: Locale) -> DraftWords {
        if !matches!(notice, Notice::DraftSaved(_)) {
            return DraftWords::default();
        }
        DraftWords {
            saved: locale.text("mail-draft-saved"),
            not_sent: locale.text("mail-draft-not-sent"),
            how_to_send: locale.text("mail-draft-how-to-send"),
            how_to_keep: locale.text("mail-draft-how-to-keep"),
        }
    }
}

/// A line of the HTML twin: text, or a link shown as a button.
struct HtmlLine<'a> {
    text: &'a str,
    href: Option<&'a str>,
    /// A button that undoes or refuses (Annuler, Refuser, Contester): shown as secondary.
    secondary: bool,
}

/// A paragraph of the HTML twin: lines (buttons among them), or a block of facts
/// (« Label : valeur » lines) laid out as a two-column table.
enum HtmlBlock<'a> {
    Lines(Vec<HtmlLine<'a>>),
    Facts(Vec<(&'a str, &'a str)>),
}

#[derive(Template)]
#[template(path = "mail/layout.html")]
struct MailHtml<'a> {
    lang: &'a str,
    subject: &'a str,
    bank: &'a str,
    blocks: Vec<HtmlBlock<'a>>,
}

/// How the HTML twin of a mail is laid out beyond its text.
pub struct HtmlLayout<'a> {
    /// The bank's name, at the top.
    pub bank: &'a str,
    /// The labels of the links that undo or refuse, shown as secondary buttons.
    pub secondary: Vec<String>,
    /// Facts blocks become tables; never in a form mail, whose lines are answered as
    /// text (a table would reach the reply as tab-separated cells).
    pub facts_as_tables: bool,
}

#[derive(Template)]
#[template(path = "sms/body.txt", escape = "none")]
struct SmsBody<'a> {
    notice: &'a Notice,
    en: bool,
    bank: &'a str,
    number: &'a str,
    /// "demain 14 h 30".
    when: &'a str,
    /// "1 h 30"; empty for a translation or a message.
    length: &'a str,
    /// The installation's name.
    place: &'a str,
    languages: &'a str,
    request_type: &'a str,
    /// The offer's code, for "OUI 4821".
    code: &'a str,
    /// The signed link: accept the offer, or open the request.
    link: &'a str,
    /// The interpreter must tell the user about the appointment.
    call: bool,
    /// Why the request was cancelled, as people read it.
    reason: &'a str,
    /// A late cancellation of a booking: the interpreter is paid.
    paid: bool,
}

/// A rendered email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedMail {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// What rendering needs besides the message itself.
pub struct RenderInput<'a> {
    pub notice: &'a Notice,
    pub recipient: &'a Person,
    pub request: Option<&'a Request>,
    pub installation: &'a str,
    /// What the recipient may read of the request beyond its facts, as (label, value).
    pub briefing: &'a [(String, String)],
    /// What a modification changed, old → new, as lines.
    pub changes: &'a [String],
    /// For an offer: when the answer is due.
    pub answer_by: Option<chrono::DateTime<chrono::Utc>>,
    pub interpreter: Option<&'a Person>,
    pub bank: &'a str,
    /// The form's lines (`request_form`, `record_form`), or the service record's summary
    /// (`service_recorded`, `service_contested`).
    pub form: &'a str,
    /// For `service_contested`: the requester's words.
    pub note: &'a str,
    /// The signed links the message carries.
    pub links: &'a [(crate::security::link::LinkAction, String)],
    /// Candidates with their assign links, for coordinators: lines, then `(label, url)`.
    pub suggestions: (&'a [String], &'a [(String, String)]),
    /// For account mails (`account_activation`, `password_reset`, `login_code`): the link
    /// or code, derived when the mail is rendered and never stored in the outbox.
    pub secret: &'a str,
    /// Where the dates people read are.
    pub time_zone: chrono_tz::Tz,
    /// For the acknowledgement of a series: each of its requests, one line each.
    pub series: &'a [String],
}

/// "le jeudi 10 décembre 2026 à 14 h 02" / "Thursday, December 10, 2026 at 2:02 PM", for
/// a time a notice holds.
fn moment(at: Option<chrono::DateTime<chrono::Utc>>, time_zone: chrono_tz::Tz, locale: Locale) -> String {
    let Some(at) = at else {
        return String::new();
    };
    format!(
        "{}{}",
        locale.pick("le ", ""),
        long_date_time(at.with_timezone(&time_zone), locale)
    )
}

/// How the one link of an account mail reads.
fn secret_label(notice: &Notice, locale: Locale) -> &'static str {
    match notice {
        Notice::AccountActivation(_) => locale.pick("Activer mon compte", "Activate my account"),
        Notice::PasswordReset(_) => locale.pick("Choisir un nouveau mot de passe", "Choose a new password"),
        Notice::EmailChangeConfirm(_) => locale.pick("Confirmer ma nouvelle adresse", "Confirm my new address"),
        Notice::MailConfirmation { .. } => {
            locale.pick("Confirmer ou écarter ce message", "Confirm or set aside this message")
        }
        _ => "",
    }
}

/// What a security notice (`mfa_changed`) says changed.
fn mfa_change(change: &str, locale: Locale) -> &'static str {
    match change {
        "recovery_codes" => locale.pick(
            "de nouveaux codes de récupération ont été créés, et les anciens ne fonctionnent plus",
            "new recovery codes were made, and the earlier ones no longer work",
        ),
        "email" => locale.pick(
            "vos codes de vérification vous sont désormais envoyés par courriel, au lieu de l'application d'authentification",
            "your verification codes are now sent to you by email, instead of the authenticator app",
        ),
        "totp" => locale.pick(
            "vos codes de vérification viennent désormais d'une application d'authentification, au lieu du courriel",
            "your verification codes now come from an authenticator app, instead of email",
        ),
        "totp_new" => locale.pick(
            "une nouvelle application d'authentification (un nouveau téléphone, par exemple) remplace la précédente",
            "a new authenticator app (a new phone, for instance) replaces the earlier one",
        ),
        "off" => locale.pick(
            "l'authentification multifacteur a été désactivée : le mot de passe suffit désormais pour vous connecter",
            "multi-factor authentication was turned off: the password alone now signs you in",
        ),
        "reset" => locale.pick(
            "un coordonnateur de la banque a réinitialisé votre authentification multifacteur\u{a0}; à votre prochaine connexion, votre mot de passe suffit, puis configurez un nouveau deuxième facteur depuis votre compte",
            "a coordinator of the bank reset your multi-factor authentication; at your next sign-in your password is enough, then set a new second factor up from your account",
        ),
        _ => locale.pick("votre deuxième facteur a changé", "your second factor changed"),
    }
}

/// How a link reads in a message.
pub fn link_label(action: crate::security::link::LinkAction, locale: Locale) -> &'static str {
    use crate::security::link::LinkAction as A;
    match action {
        A::Accept => locale.pick("Accepter", "Accept"),
        A::Refuse => locale.pick("Refuser", "Decline"),
        A::Withdraw => locale.pick("Me désister", "Withdraw"),
        A::Assign => locale.pick("Offrir à l'interprète suggéré", "Offer to the suggested interpreter"),
        A::Broadcast => locale.pick("Offrir aux interprètes suggérés", "Offer to the suggested interpreters"),
        A::Cancel => locale.pick("Annuler la demande", "Cancel the request"),
        A::Validate => locale.pick("Valider la réalisation", "Validate the service record"),
        A::Contest => locale.pick("Contester la réalisation", "Contest the service record"),
        A::Open => locale.pick("Ouvrir la demande", "Open the request"),
        A::UseAlternative => locale.pick("Accepter la langue alternative", "Accept the alternative language"),
        A::GiveUp => locale.pick("Continuer sans interprète", "Continue without an interpreter"),
        A::Record => locale.pick("Formulaire web de réalisation", "Service record web form"),
        A::CancelSeries => locale.pick(
            "Annuler cette séance et les suivantes",
            "Cancel this session and the ones after",
        ),
    }
}

fn subject(input: &RenderInput<'_>, facts: &Facts, locale: Locale) -> String {
    let what = notice_label(input.notice, locale);
    if facts.number.is_empty() {
        what.to_string()
    } else {
        format!("[{}] {what}", facts.number)
    }
}

/// What a notification is, as people read it: its subject without the request number.
pub fn notice_label(notice: &Notice, locale: Locale) -> &'static str {
    match notice {
        Notice::RequestReceived(_) => locale.pick("Demande reçue", "Request received"),
        Notice::RequestOffered(_) => locale.pick("Offre d'interprétation", "Interpreting offer"),
        Notice::OfferFilled(_) => locale.pick("Offre pourvue", "Offer filled"),
        Notice::OfferExpired(_) => locale.pick("Offre expirée", "Offer expired"),
        Notice::RequestBooked(_) => locale.pick("Demande réservée", "Request booked"),
        Notice::RequestModified(_) => locale.pick(
            "Demande modifiée : à accepter de nouveau",
            "Request modified: please accept again",
        ),
        Notice::OfferDeclined(_) => locale.pick("Offre refusée", "Offer declined"),
        Notice::OffersLapsed(_) => locale.pick("Offres sans réponse", "Offers unanswered"),
        Notice::InterpreterWithdrew(_) => locale.pick("Désistement de l'interprète", "Interpreter withdrew"),
        Notice::AssignmentRemoved(_) => locale.pick("Assignation retirée", "Assignment withdrawn"),
        Notice::RequestCancelled(_) => locale.pick("Demande annulée", "Request cancelled"),
        Notice::ServiceRecorded(_) => locale.pick("Réalisation à valider", "Service record to validate"),
        Notice::ServiceContested(_) => locale.pick("Réalisation contestée", "Service record contested"),
        Notice::AssignmentConfirmed(_) => locale.pick("Demande confirmée", "You are booked"),
        Notice::ServiceValidated(_) => locale.pick("Réalisation validée", "Service record validated"),
        Notice::RequestClosed(_) => locale.pick("Demande fermée", "Request closed"),
        Notice::RequestForm { .. } => locale.pick("Formulaire de demande d'interprète", "Interpreter request form"),
        Notice::DraftSaved(_) => locale.pick("Demande enregistrée comme brouillon", "Request saved as a draft"),
        Notice::RecordForm(_) => locale.pick("Réalisation à enregistrer", "Please record the service"),
        Notice::CommandDone { .. } => locale.pick("C'est noté", "Done"),
        Notice::CommandRefused { .. } => locale.pick("Réponse non appliquée", "Reply not applied"),
        Notice::Help { .. } => locale.pick("Aide", "Help"),
        Notice::DeliveryFailed { .. } => locale.pick("Message non livré", "Message not delivered"),
        Notice::OfferReminder(_) => locale.pick(
            "Rappel : offre en attente de réponse",
            "Reminder: offer waiting for your answer",
        ),
        Notice::AppointmentReminder(_) => locale.pick("Rappel de rendez-vous", "Appointment reminder"),
        Notice::NoInterpreter(_) => locale.pick(
            "Aucun interprète disponible pour l'instant",
            "No interpreter available yet",
        ),
        Notice::DeclinedStillLooking(_) => locale.pick(
            "Offre refusée : recherche d'un autre interprète",
            "Offer declined: looking for another interpreter",
        ),
        Notice::LapsedStillLooking(_) => locale.pick(
            "Offres sans réponse : recherche d'un autre interprète",
            "Offers unanswered: looking for another interpreter",
        ),
        Notice::RequestChanged(_) => locale.pick("Votre demande a été modifiée", "Your request was changed"),
        Notice::AutoValidated(_) => locale.pick(
            "Réalisation validée automatiquement",
            "Service record validated automatically",
        ),
        Notice::OfferSent(_) => locale.pick(
            "Votre demande est offerte à un interprète",
            "Your request is offered to an interpreter",
        ),
        Notice::AccountActivation(_) => locale.pick("Activation de votre compte", "Activate your account"),
        Notice::PasswordReset(_) => locale.pick("Réinitialisation du mot de passe", "Password reset"),
        Notice::LoginCode(_) => locale.pick("Votre code de vérification", "Your verification code"),
        Notice::EmailChangeConfirm(_) => locale.pick(
            "Confirmez votre nouvelle adresse courriel",
            "Confirm your new email address",
        ),
        Notice::EmailChanged(_) => {
            locale.pick("Votre adresse courriel a été changée", "Your email address was changed")
        }
        Notice::MfaChanged { .. } => {
            locale.pick("Votre deuxième facteur a été modifié", "Your second factor was changed")
        }
        Notice::MailConfirmation { .. } => {
            locale.pick("Avez-vous envoyé ce message\u{a0}?", "Did you send this message?")
        }
        // Not read, so said in both languages whoever sent it.
        Notice::MessageTooLarge { .. } => "Message trop volumineux / Message too large",
        Notice::MessageSetAside { .. } => locale.pick(
            "Votre message n’a pas pu être traité",
            "Your message could not be processed",
        ),
        Notice::SignInFailures { .. } => {
            locale.pick("Connexions échouées à votre compte", "Failed sign-ins to your account")
        }
        Notice::LinkRenewed { .. } => locale.pick("Votre nouveau lien", "Your new link"),
        // The digest's subject is its own; a kind of another version is a plain notice.
        Notice::Digest { .. } | Notice::Unknown => locale.pick("Avis", "Notice"),
    }
}

/// What a notification of `kind` (as stored) is, as people read it.
pub fn kind_label(kind: &str, locale: Locale) -> &'static str {
    notice_label(&Notice::of_kind(kind), locale)
}

/// Why a reply was not applied. The newer texts are in the catalogue (`locales/*/mail.ftl`).
fn refusal(reason: &str, locale: Locale) -> String {
    let text = match reason {
        "already_sent" => return locale.text("mail-refused-already-sent"),
        "not_a_series" => return locale.text("mail-refused-not-a-series"),
        "calendar_outdated" => return locale.text("mail-refused-calendar-outdated"),
        "calendar_not_invited" => return locale.text("mail-refused-calendar-not-invited"),
        "calendar_tentative" => return locale.text("mail-refused-calendar-tentative"),
        "calendar_decline_not_cancel" => return locale.text("mail-refused-calendar-decline-not-cancel"),
        "calendar_decline_booked" => return locale.text("mail-refused-calendar-decline-booked"),
        "offer_closed" => locale.pick(
            "cette offre n'est plus ouverte (pourvue par un autre interprète, expirée ou annulée).",
            "this offer is no longer open (filled by another interpreter, expired or cancelled).",
        ),
        "not_permitted" => locale.pick(
            "vous ne pouvez pas faire cela pour cette demande.",
            "you cannot do that for this request.",
        ),
        "not_now" => locale.pick(
            "la demande n'en est pas à cette étape.",
            "the request is not at that stage.",
        ),
        "no_request" => locale.pick(
            "nous n'avons pas trouvé de quelle demande il s'agit ; répondez au courriel de la demande.",
            "we could not tell which request this is about; reply to the request's email.",
        ),
        "no_alternative" => locale.pick(
            "la demande n'indique pas de langue alternative ; répondez avec la ligne « Langue d'arrivée : … » pour en changer.",
            "the request gives no alternative language; reply with the line “Target language: …” to change it.",
        ),
        "too_early" => locale.pick(
            "le rendez-vous n'a pas encore commencé ; enregistrez la réalisation après le service.",
            "the appointment has not started yet; record the service after it.",
        ),
        "unknown_interpreter" => locale.pick(
            "interprète inconnu (indiquez son identifiant, ex. UBIPN0002).",
            "unknown interpreter (give their identifier, e.g. UBIPN0002).",
        ),
        "text_too_long" => locale.pick(
            "votre texte dépasse 2\u{a0}000 caractères\u{a0}; raccourcissez-le et répondez de nouveau.",
            "your text is longer than 2,000 characters; shorten it and reply again.",
        ),
        "text_control" => locale.pick(
            "votre texte contient un caractère invisible non permis (caractère de contrôle)\u{a0}; retapez-le et répondez de nouveau.",
            "your text holds an invisible character that is not allowed (a control character); type it again and reply.",
        ),
        _ => locale.pick("la commande n'a pas été comprise.", "the command was not understood."),
    };
    text.to_string()
}

fn verb_label(verb: &str, locale: Locale) -> &'static str {
    match verb {
        "accept" => locale.pick("acceptation", "accept"),
        "reject" => locale.pick("refus", "decline"),
        "cancel" => locale.pick("annulation", "cancel"),
        "assign" => locale.pick("assignation", "assign"),
        "withdraw" => locale.pick("désistement", "withdraw"),
        "validate" => locale.pick("validation", "validate"),
        "contest" => locale.pick("contestation", "contest"),
        "modify" => locale.pick("modification", "change"),
        "wait" => locale.pick("attendre", "keep waiting"),
        "use_alternative" => locale.pick("langue alternative", "alternative language"),
        "give_up" => locale.pick("sans interprète", "without an interpreter"),
        "record" => locale.pick("réalisation enregistrée", "service recorded"),
        "close" => locale.pick("fermeture", "close"),
        "send" => locale.pick("envoi du brouillon", "send the draft"),
        "form" => locale.pick("formulaire de demande", "request form"),
        "calendar" => locale.pick("réponse depuis votre agenda", "answer from your calendar"),
        "cancel_series" => locale.pick(
            "annulation de cette séance et des suivantes",
            "cancel this session and the ones after",
        ),
        _ => locale.pick("commande", "command"),
    }
}

/// What a requester told that nobody is free may propose instead: the request's
/// alternative language by name (empty when it has none), and a date a week later (or the
/// alternative date it gave) with its time, written as the form reads them.
fn other_choices(request: Option<&Request>, locale: Locale) -> (String, String, String) {
    let Some(r) = request else {
        return Default::default();
    };
    let details = &r.details;
    let alternative = details
        .alternative_language
        .as_ref()
        .map(|l| l.name(locale).to_string())
        .unwrap_or_default();
    let date = details.alternative_date.unwrap_or(details.date + chrono::Days::new(7));
    (
        alternative,
        date.format("%Y-%m-%d").to_string(),
        clock_time(details.start_time, locale),
    )
}

/// Renders an email notification.
pub fn render_mail(input: &RenderInput<'_>) -> anyhow::Result<RenderedMail> {
    let locale = input.recipient.locale;
    let facts = input
        .request
        .map(|r| Facts::of(r, input.installation, locale))
        .unwrap_or_default();
    let notice = input.notice;
    let fields = NoticeFields::of(notice, locale);
    let interpreter = input.interpreter.map(Person::display_name).unwrap_or_default();
    let mut links: Vec<(String, String)> = input
        .links
        .iter()
        .map(|(action, url)| (link_label(*action, locale).to_string(), url.clone()))
        .collect();
    links.extend(input.suggestions.1.iter().cloned());
    let quoted_subject = notice.answering().and_then(|a| a.subject.clone()).unwrap_or_default();
    let (alternative, example_date, example_time) = other_choices(input.request, locale);
    let [size_fr, size_en, limit_fr, limit_en] = &fields.sizes;
    let body = MailBody {
        notice,
        en: locale == Locale::En,
        bank: input.bank,
        first_name: &input.recipient.first_name,
        facts: &facts,
        briefing: input.briefing,
        changes: input.changes,
        answer_by: &moment(input.answer_by, input.time_zone, locale),
        interpreter: &interpreter,
        form: input.form,
        errors: fields.errors,
        verb: verb_label(fields.verb, locale),
        cancelled_series: match notice {
            Notice::CommandDone {
                verb,
                number: Some(numbers),
                ..
            } if verb == "cancel_series" => numbers.as_str(),
            _ => "",
        },
        status: &fields.status,
        reason: &refusal(fields.reason, locale),
        is_requester: input.recipient.has_role(Role::Requester),
        is_interpreter: input.recipient.has_role(Role::Interpreter),
        is_coordinator: input.recipient.has_role(Role::Coordinator),
        links: &links,
        suggestions: input.suggestions.0,
        series: input.series,
        must_call_user: input.request.is_some_and(|r| r.details.interpreter_must_notify_user),
        failed_kind: fields.failed_kind,
        failed_channel: match fields.failed_channel {
            "sms" => locale.pick("texto (SMS)", "SMS"),
            _ => locale.pick("courriel", "email"),
        },
        failed_to: fields.failed_to,
        failed_error: fields.failed_error,
        note: input.note,
        secret: input.secret,
        secret_label: secret_label(notice, locale),
        mfa_change: mfa_change(fields.change, locale),
        quoted_subject: &quoted_subject,
        size_fr,
        size_en,
        limit_fr,
        limit_en,
        failures: fields.failures,
        addresses: fields.addresses,
        first_at: &moment(fields.first_at, input.time_zone, locale),
        last_at: &moment(fields.last_at, input.time_zone, locale),
        draft: &DraftWords::of(notice, locale),
        help_send: &locale.text("mail-help-send"),
        alternative: &alternative,
        example_date: &example_date,
        example_time: &example_time,
        nb: "\u{a0}",
        shows_facts: !matches!(
            notice,
            Notice::RequestForm { .. } | Notice::RecordForm(_) | Notice::DraftSaved(_)
        ),
        about_account: matches!(notice, Notice::MfaChanged { .. } | Notice::SignInFailures { .. }),
    };
    let text = typeset(body.render()?, locale);
    let subject = typeset(subject(input, &facts, locale), locale);
    let label = secret_label(notice, locale);
    if !label.is_empty() {
        links.push((label.to_string(), input.secret.to_string()));
    }
    let layout = HtmlLayout {
        bank: input.bank,
        secondary: input
            .links
            .iter()
            .filter(|(action, _)| action.undoes())
            .map(|(action, _)| link_label(*action, locale).to_string())
            .collect(),
        facts_as_tables: !matches!(
            notice,
            Notice::RequestForm { .. } | Notice::RecordForm(_) | Notice::DraftSaved(_)
        ),
    };
    let html = html_twin(&text, &subject, locale, &links, &layout)?;
    Ok(RenderedMail { subject, text, html })
}

/// What a notice's own fields put in a mail body; empty for the notices without them.
struct NoticeFields<'a> {
    errors: &'a [String],
    status: String,
    verb: &'a str,
    reason: &'a str,
    failed_kind: &'static str,
    failed_channel: &'a str,
    failed_to: &'a str,
    failed_error: &'a str,
    change: &'a str,
    failures: i64,
    addresses: i64,
    first_at: Option<chrono::DateTime<chrono::Utc>>,
    last_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The message's size and the limit, in French and in English.
    sizes: [String; 4],
}

impl<'a> NoticeFields<'a> {
    /// A flat table of cases: each field read from the notices that have it.
    fn of(notice: &'a Notice, locale: Locale) -> NoticeFields<'a> {
        let errors: &[String] = match notice {
            Notice::RecordForm(form) => &form.errors,
            Notice::RequestForm { errors, .. } => errors,
            Notice::DraftSaved(draft) => &draft.notes,
            _ => &[],
        };
        let status = match notice {
            Notice::CommandDone {
                status: Some(status), ..
            } => status.as_state_of_request(locale).to_string(),
            _ => String::new(),
        };
        let (bytes, limit) = match notice {
            Notice::MessageTooLarge { size, limit, .. } => (*size, *limit),
            _ => (0, 0),
        };
        let verb = match notice {
            Notice::CommandDone { verb, .. }
            | Notice::CommandRefused { verb, .. }
            | Notice::MailConfirmation { verb, .. } => verb.as_str(),
            _ => "",
        };
        let reason = match notice {
            Notice::CommandRefused { reason, .. } => reason.as_str(),
            _ => "",
        };
        let (failed_kind, failed_channel, failed_to, failed_error) = match notice {
            Notice::DeliveryFailed {
                failed_kind,
                failed_channel,
                failed_to,
                failed_error,
            } => (
                kind_label(failed_kind, locale),
                failed_channel.as_str(),
                failed_to.as_str(),
                failed_error.as_str(),
            ),
            _ => (kind_label("", locale), "", "", ""),
        };
        let change = match notice {
            Notice::MfaChanged { change } => change.as_str(),
            _ => "",
        };
        let (failures, addresses, first_at, last_at) = match notice {
            Notice::SignInFailures {
                failures,
                addresses,
                first_at,
                last_at,
            } => (*failures, *addresses, *first_at, *last_at),
            _ => (0, 0, None, None),
        };
        NoticeFields {
            errors,
            status,
            verb,
            reason,
            failed_kind,
            failed_channel,
            failed_to,
            failed_error,
            change,
            failures,
            addresses,
            first_at,
            last_at,
            sizes: [
                size(bytes, Locale::Fr),
                size(bytes, Locale::En),
                size(limit, Locale::Fr),
                size(limit, Locale::En),
            ],
        }
    }
}

/// French typography on a mail's text (`domain::text::french_spacing`); English as is.
pub fn typeset(text: String, locale: Locale) -> String {
    match locale {
        Locale::Fr => crate::domain::text::french_spacing(&text).into_owned(),
        Locale::En => text,
    }
}

/// The HTML alternative of a text body, built for mail clients that know little CSS
/// (Outlook for Windows, Gmail): a table layout with inline styles, the bank's name at the
/// top, every `LABEL : URL` line of `links` as a button made of a table cell, and blocks
/// of facts as two-column tables.
pub fn html_twin(
    text: &str,
    subject: &str,
    locale: Locale,
    links: &[(String, String)],
    layout: &HtmlLayout<'_>,
) -> anyhow::Result<String> {
    let link_line = |line: &str| {
        links.iter().find(|(label, url)| {
            matches!(
                line.strip_prefix(label.as_str())
                    .and_then(|rest| rest.strip_suffix(url.as_str())),
                Some(" : " | "\u{a0}: " | ": ")
            )
        })
    };
    let blocks: Vec<HtmlBlock> = text
        .split("\n\n")
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            let lines: Vec<&str> = p.lines().collect();
            let facts: Option<Vec<(&str, &str)>> = lines
                .iter()
                .map(|line| fact(line).filter(|_| link_line(line).is_none()))
                .collect();
            match facts {
                Some(facts) if layout.facts_as_tables && facts.len() >= 2 => HtmlBlock::Facts(facts),
                _ => HtmlBlock::Lines(
                    lines
                        .into_iter()
                        .map(|line| match link_line(line) {
                            Some((label, url)) => HtmlLine {
                                text: label,
                                href: Some(url),
                                secondary: layout.secondary.contains(label),
                            },
                            None => HtmlLine {
                                text: line,
                                href: None,
                                secondary: false,
                            },
                        })
                        .collect(),
                ),
            }
        })
        .collect();
    Ok(MailHtml {
        lang: locale.as_str(),
        subject,
        bank: layout.bank,
        blocks,
    }
    .render()?)
}

/// A « Label : valeur » line: a short label without sentence punctuation, then its value.
fn fact(line: &str) -> Option<(&str, &str)> {
    let (label, value) = line.split_once(": ")?;
    let label = label.trim_end_matches([' ', '\u{a0}']);
    let short = !label.is_empty() && label.chars().count() <= 40 && !label.contains(['.', '(', '«', '"']);
    (short && !label.starts_with("- ") && !value.trim().is_empty()).then_some((label, value.trim()))
}

/// French writes language names in lower case inside a sentence: "espagnol", "arabe (Maroc)".
fn in_sentence(name: &str, locale: Locale) -> String {
    match locale {
        Locale::En => name.to_string(),
        Locale::Fr => {
            let mut chars = name.chars();
            chars
                .next()
                .map(|c| c.to_lowercase().chain(chars).collect())
                .unwrap_or_default()
        }
    }
}

/// What an SMS needs besides its notice.
pub struct SmsInput<'a> {
    pub notice: &'a Notice,
    pub recipient: &'a Person,
    pub request: Option<&'a Request>,
    pub bank: &'a str,
    /// The offer's code, for "OUI 4821".
    pub code: Option<&'a str>,
    /// The signed link the text carries: accept an offer, or open the request.
    pub link: Option<&'a str>,
    /// Where: the installation's name.
    pub place: &'a str,
    /// Today in the bank's time zone, to say « aujourd'hui » and « demain ».
    pub today: chrono::NaiveDate,
}

/// "aujourd'hui 14 h 30", "demain 9 h 00", "10 déc. 14 h 30".
pub fn sms_when(date: chrono::NaiveDate, time: chrono::NaiveTime, today: chrono::NaiveDate, locale: Locale) -> String {
    let day = match (date - today).num_days() {
        0 => locale.pick("aujourd'hui", "today").to_string(),
        1 => locale.pick("demain", "tomorrow").to_string(),
        _ => short_date(date, locale),
    };
    format!("{day} {}", clock_time(time, locale))
}

/// Renders an SMS notification: where, when, how long, and the link; never patient details.
pub fn render_sms(input: &SmsInput<'_>) -> anyhow::Result<String> {
    let locale = input.recipient.locale;
    let request = input.request;
    let (number, when, length, languages, request_type) = match request {
        Some(r) => (
            r.label(),
            sms_when(r.details.date, r.details.start_time, input.today, locale),
            if r.details.request_type.is_timed() {
                duration(r.details.duration_minutes, locale)
            } else {
                String::new()
            },
            in_sentence(&r.details.target_language.name(locale), locale),
            r.details.request_type.label(locale).to_lowercase(),
        ),
        None => Default::default(),
    };
    let cancellation = request.and_then(|r| r.cancellation.as_ref());
    let text = SmsBody {
        notice: input.notice,
        en: locale == Locale::En,
        bank: input.bank,
        number: &number,
        when: &when,
        length: &length,
        place: input.place,
        languages: &languages,
        request_type: &request_type,
        code: input.code.unwrap_or(""),
        link: input.link.unwrap_or(""),
        call: request.is_some_and(|r| r.details.interpreter_must_notify_user),
        reason: cancellation.map(|c| c.reason.label(locale)).unwrap_or(""),
        paid: cancellation.is_some_and(|c| c.late) && request.is_some_and(|r| r.booked_at.is_some()),
    }
    .render()?;
    Ok(super::sms::fold_to_gsm7(text.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_text_says_its_limit() {
        use crate::domain::text::{TEXT_MAX, count};
        assert!(refusal("text_too_long", Locale::Fr).contains(&count(TEXT_MAX, Locale::Fr)));
        assert!(refusal("text_too_long", Locale::En).contains(&count(TEXT_MAX, Locale::En)));
    }
}
