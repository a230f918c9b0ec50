//! One claimed message, from its row to the wire: what it needs is read in one
//! transaction, then it is rendered and sent by SMS or by mail (or as the digest).

use super::super::calendar::{self, Invite, InviteKind};
use super::super::render::{Facts, RenderInput, SmsInput, render_mail, render_sms};
use super::{Outbound, form_block, invite_kind};
use crate::domain::contact::EmailAddress;
use crate::domain::ids::RequestId;
use crate::domain::notice::{EmailChangeRef, Notice};
use crate::domain::person::Person;
use crate::domain::request::briefing;
use crate::domain::request::{Request, RequestStatus, ServiceRecord};
use crate::forms::request::FormField;
use crate::security::link::LinkAction;
use crate::store::Tx;
use crate::store::calendar::{InviteState, SentInvite};
use crate::store::change_names::ChangeNames;
use crate::store::outbox::{OutboxChannel, OutboxMessage};
use anyhow::Context as _;
use std::collections::BTreeMap;

/// What a message shows besides its notice, read before it leaves.
struct Gathered {
    recipient: Person,
    request: Option<Request>,
    installation: String,
    /// The installation's street address, for the invite's `LOCATION`.
    street: Option<String>,
    /// What the recipient may read of the request beyond its facts (see `briefing`).
    briefing: Vec<(String, String)>,
    /// What a modification changed, old → new, as far as the recipient may read it.
    changes: Vec<String>,
    /// For an offer: when the recipient's answer is due.
    answer_by: Option<chrono::DateTime<chrono::Utc>>,
    interpreter: Option<Person>,
    links: Vec<(LinkAction, String)>,
    /// A request handed back to the coordinators comes with its next candidates.
    suggestions: Vec<String>,
    suggestion_links: Vec<(String, String)>,
    record: Option<ServiceRecord>,
    /// For a draft's mail: the form as the draft fills it.
    draft: Option<BTreeMap<FormField, String>>,
    /// The requester's words with a contest.
    note: String,
    /// The interpreter's remuneration, as lines (label, value).
    pay: Option<Vec<(String, String)>>,
    secret: String,
    digest: Option<super::super::digest::Digest>,
    /// The last calendar invite the recipient was sent about the request.
    invited: Option<SentInvite>,
    /// The acknowledgement of a series: its requests, one line each.
    series: Vec<String>,
}

/// A calendar invite that left with a mail, to record once the mail is marked sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct InviteSent {
    pub request: RequestId,
    pub sequence: i64,
    pub state: InviteState,
}

impl Outbound {
    /// Sends `message`; the calendar invite it carried, if any.
    pub(super) async fn deliver(&self, message: &OutboxMessage) -> anyhow::Result<Option<InviteSent>> {
        let notice = message.notice()?;
        // Only reads: senders render side by side, and never wait for the write lock.
        let mut tx = self.store.begin_read().await?;
        let facts = self.read_facts(&mut tx, message, &notice).await?;
        tx.commit().await?;
        if let Some(digest) = &facts.digest {
            self.send_digest(message, &facts.recipient, digest).await?;
            return Ok(None);
        }
        match message.channel {
            OutboxChannel::Sms => self.deliver_sms(message, &notice, &facts).await.map(|()| None),
            OutboxChannel::Email => self.deliver_mail(message, &notice, &facts).await,
        }
    }

    /// Everything the message shows, read in `tx`.
    async fn read_facts(&self, tx: &mut Tx, message: &OutboxMessage, notice: &Notice) -> anyhow::Result<Gathered> {
        let mut recipient = tx.person(message.recipient).await?;
        // A change of address is confirmed at the new address and told to the old one.
        if let Some(address) = change_address(tx, notice).await? {
            recipient.email = address;
        }
        let request = match message.request {
            Some(id) => Some(tx.request(id).await?),
            None => None,
        };
        let (installation, street, briefing, changes, offer) = match &request {
            Some(r) => {
                let installation = tx.installation(r.details.installation_id).await?;
                let (standing, offer) = crate::workflow::standing::standing_and_offer(tx, r, &recipient).await?;
                let changes = changes(tx, notice, r, standing, recipient.locale).await?;
                (
                    installation.name.clone(),
                    briefing::installation_address(&installation),
                    briefing::message_briefing(r, standing, &installation, recipient.locale),
                    changes,
                    offer,
                )
            }
            None => (String::new(), None, Vec::new(), Vec::new(), None),
        };
        let interpreter: Option<Person> = match request.as_ref().and_then(|r| r.assigned_interpreter) {
            Some(id) => Some(tx.person(id).await?),
            None => None,
        };
        let links = match &request {
            Some(r) => self.links(tx, notice, r, &recipient).await?,
            None => Vec::new(),
        };
        let answer_by = match notice {
            Notice::RequestOffered(_) | Notice::OfferReminder(_) => offer.and_then(|o| o.expires_at),
            _ => None,
        };
        let (suggestions, suggestion_links) = match &request {
            Some(r) => self.suggestions(tx, message, notice, r, &recipient).await?,
            None => (Vec::new(), Vec::new()),
        };
        let (record, note) = record_and_note(tx, notice, request.as_ref()).await?;
        let draft = match (notice, &request) {
            (Notice::DraftSaved(_), Some(r)) => Some(draft_form(tx, r, &recipient).await?),
            _ => None,
        };
        let pay = self
            .pay(tx, notice, request.as_ref(), record.as_ref(), &recipient)
            .await?;
        let secret = self.secret(tx, notice, &recipient).await?;
        // Only the notices that may take a pencilled event off a calendar ask who holds it.
        let invited = match &request {
            Some(r) if super::may_remove_event(notice) => tx.calendar_invite(r.id, recipient.id).await?,
            _ => None,
        };
        let series = match (&request, notice) {
            (Some(r), Notice::RequestReceived(_)) => series_lines(tx, r, recipient.locale).await?,
            _ => Vec::new(),
        };
        let digest = if matches!(notice, Notice::Digest { .. }) {
            Some(super::super::digest::gather(tx, &recipient, &self.link_context()).await?)
        } else {
            None
        };
        Ok(Gathered {
            recipient,
            request,
            installation,
            street,
            briefing,
            changes,
            answer_by,
            interpreter,
            links,
            suggestions,
            suggestion_links,
            record,
            draft,
            note,
            pay,
            secret,
            digest,
            invited,
            series,
        })
    }

    /// A request handed back to the coordinators comes with its next candidates: lines to
    /// read, and their links.
    async fn suggestions(
        &self,
        tx: &mut Tx,
        message: &OutboxMessage,
        notice: &Notice,
        request: &Request,
        recipient: &Person,
    ) -> anyhow::Result<(Vec<String>, Vec<(String, String)>)> {
        let (mut suggestions, mut suggestion_links) = (Vec::new(), Vec::new());
        if message.channel == OutboxChannel::Email
            && recipient.has_role(crate::domain::role::Role::Coordinator)
            && request.status == crate::domain::request::RequestStatus::New
            && matches!(
                notice,
                Notice::OfferDeclined(_) | Notice::OffersLapsed(_) | Notice::InterpreterWithdrew(_)
            )
        {
            let item = super::super::digest::waiting_item(tx, request, recipient, &self.link_context()).await?;
            for (i, c) in item.candidates.iter().enumerate() {
                suggestions.push(format!("{}. {} ({}) — {}", i + 1, c.name, c.code, c.why));
                suggestion_links.push((c.label.clone(), c.url.clone()));
            }
            suggestion_links.extend(item.broadcast);
        }
        Ok((suggestions, suggestion_links))
    }

    /// The interpreter's remuneration, as the seeds' "Détails de la rémunération" shows it.
    async fn pay(
        &self,
        tx: &mut Tx,
        notice: &Notice,
        request: Option<&Request>,
        record: Option<&ServiceRecord>,
        recipient: &Person,
    ) -> anyhow::Result<Option<Vec<(String, String)>>> {
        Ok(match (request, notice) {
            (Some(r), Notice::ServiceValidated(_)) if r.assigned_interpreter == Some(recipient.id) => {
                let financial = tx
                    .interpreter_profile(recipient.id)
                    .await?
                    .map(|p| p.financial)
                    .unwrap_or_default();
                let service = crate::domain::money::Service::of(r, record);
                crate::domain::money::compute(&service, &financial, &self.settings.pay_rules())
                    .map(|b| b.statement(self.settings.money.currency, recipient.locale))
                    .ok()
            }
            _ => None,
        })
    }

    /// The one link of an account mail, or of a mail confirmation; empty for the others.
    async fn secret(&self, tx: &mut Tx, notice: &Notice, recipient: &Person) -> anyhow::Result<String> {
        Ok(match notice {
            Notice::AccountActivation(account) | Notice::PasswordReset(account) | Notice::LoginCode(account) => {
                match account.token {
                    Some(id) => {
                        let token = tx.account_token(id).await?;
                        crate::workflow::accounts::token_mail_secret(&self.account_keys, &token, &self.public_base_url)
                    }
                    None => String::new(),
                }
            }
            Notice::EmailChangeConfirm(EmailChangeRef { change: Some(id) }) => {
                let change = tx.email_change(*id).await?;
                crate::workflow::accounts::email_change_link(&self.account_keys, &change, &self.public_base_url)
            }
            // The confirmation link is signed when the mail leaves, never stored.
            Notice::MailConfirmation {
                inbound: Some(inbound), ..
            } => {
                let token = crate::security::mail_confirmation::ConfirmationToken {
                    inbound: *inbound,
                    person: recipient.id,
                    expires_at: self.clock.now() + crate::security::mail_confirmation::VALIDITY,
                };
                format!(
                    "{}/mail/confirm/{}",
                    self.public_base_url.trim_end_matches('/'),
                    token.encode(&self.signing_key)
                )
            }
            _ => String::new(),
        })
    }

    async fn deliver_sms(&self, message: &OutboxMessage, notice: &Notice, facts: &Gathered) -> anyhow::Result<()> {
        let recipient = &facts.recipient;
        let Some(mobile) = recipient.mobile.as_ref().filter(|_| recipient.notify_sms) else {
            // Opted out after the message was queued: nothing to send.
            return Ok(());
        };
        let code = match message.request {
            Some(id) => {
                let mut tx = self.store.begin_read().await?;
                let code = tx.offer_code(id, recipient.id).await?;
                tx.commit().await?;
                code
            }
            None => None,
        };
        // An offer's text carries its accept link beside the code; a booking's, the link
        // to the request's page, where the interpreter finds what the booking needs.
        let link = [LinkAction::Accept, LinkAction::Open]
            .into_iter()
            .find_map(|wanted| facts.links.iter().find(|(action, _)| *action == wanted))
            .map(|(_, url)| url.as_str());
        let text = render_sms(&SmsInput {
            notice,
            recipient,
            request: facts.request.as_ref(),
            bank: &self.sender_name,
            code: code.as_deref(),
            link,
            place: &facts.installation,
            today: self.clock.now().with_timezone(&self.time_zone).date_naive(),
        })?;
        self.sms.send(mobile.as_str(), &text, self.clock.now()).await
    }

    async fn deliver_mail(
        &self,
        message: &OutboxMessage,
        notice: &Notice,
        facts: &Gathered,
    ) -> anyhow::Result<Option<InviteSent>> {
        let recipient = &facts.recipient;
        let mut form = form_block(
            notice,
            facts.request.as_ref(),
            facts.record.as_ref(),
            facts.draft.as_ref(),
            recipient,
        );
        if let Some(lines) = &facts.pay {
            let sep = recipient.locale.pick("\u{a0}: ", ": ");
            form = lines
                .iter()
                .map(|(label, value)| format!("{label}{sep}{value}"))
                .collect::<Vec<_>>()
                .join("\n");
        }
        let rendered = render_mail(&RenderInput {
            notice,
            recipient,
            request: facts.request.as_ref(),
            installation: &facts.installation,
            briefing: &facts.briefing,
            changes: &facts.changes,
            answer_by: facts.answer_by,
            interpreter: facts.interpreter.as_ref(),
            bank: &self.bank,
            form: &form,
            note: &facts.note,
            links: &facts.links,
            suggestions: (&facts.suggestions, &facts.suggestion_links),
            secret: &facts.secret,
            time_zone: self.time_zone,
            series: &facts.series,
        })?;
        let envelope = self.envelope(message, notice.answering(), recipient)?;
        let kind = invite_kind(notice, recipient, facts.request.as_ref(), facts.invited.as_ref());
        let (invite, sent) = match (&facts.request, kind) {
            (Some(r), Some(kind)) => {
                let organizer = envelope.reply_to.email.to_string();
                let ics = self.invite(kind, r, facts, recipient, &organizer);
                let sent = InviteSent {
                    request: r.id,
                    sequence: r.version,
                    state: kind.state(),
                };
                (Some((kind.method(), ics)), Some(sent))
            }
            _ => (None, None),
        };
        self.send_mail(message, &envelope, &rendered, invite).await?;
        Ok(sent)
    }

    /// The calendar invitation (or cancellation) a booking mail carries: where, with the
    /// street address, and in its description what the recipient needs for the booking.
    fn invite(
        &self,
        kind: InviteKind,
        request: &Request,
        gathered: &Gathered,
        recipient: &Person,
        organizer: &str,
    ) -> String {
        let locale = recipient.locale;
        let facts = Facts::of(request, &gathered.installation, locale);
        // An offer is pencilled in, and says so until it is booked.
        let offer = match kind {
            InviteKind::Offer => locale.pick("Offre\u{a0}: ", "Offer: "),
            _ => "",
        };
        let summary = format!(
            "{offer}{} {} — {}",
            locale.pick("Interprétation", "Interpreting"),
            request.details.target_language.name(locale),
            facts.number
        );
        let sep = locale.pick("\u{a0}: ", ": ");
        let mut description = vec![
            format!("{}{sep}{}", locale.pick("Demande", "Request"), facts.number),
            format!("{}{sep}{}", locale.pick("Langues", "Languages"), facts.languages),
            format!("{}{sep}{}", locale.pick("Type", "Type"), facts.request_type),
            format!("{}{sep}{}", locale.pick("Lieu", "Place"), facts.place),
        ];
        description.extend(
            gathered
                .briefing
                .iter()
                .map(|(label, value)| format!("{label}{sep}{value}")),
        );
        let location = match &gathered.street {
            Some(street) => format!("{}, {street}", facts.place),
            None => facts.place.clone(),
        };
        calendar::render(&Invite {
            kind,
            request,
            time_zone: self.time_zone,
            domain: &self.domain,
            summary: &summary,
            location: &location,
            description: &description.join("\n"),
            organizer,
            organizer_name: &self.sender_name,
            attendee: recipient.email.as_str(),
            attendee_name: &recipient.display_name(),
            now: self.clock.now(),
        })
    }
}

/// The requests of `request`'s series, one line each (« HC-26061001 — lundi 9 mars 2026,
/// 10 h 00 »); empty for a request in no series.
async fn series_lines(
    tx: &mut Tx,
    request: &Request,
    locale: crate::domain::locale::Locale,
) -> anyhow::Result<Vec<String>> {
    use crate::domain::locale::{clock_time, long_date};
    let Some(series) = tx.series_of(request.id).await? else {
        return Ok(Vec::new());
    };
    let mut lines = Vec::new();
    for id in tx.series_requests_from(series, chrono::DateTime::UNIX_EPOCH).await? {
        let r = tx.request(id).await?;
        lines.push(format!(
            "{} — {}, {}",
            r.shown(locale),
            long_date(r.details.date, locale),
            clock_time(r.details.start_time, locale)
        ));
    }
    Ok(lines)
}

/// The form a draft's mail carries: the draft as it is saved when the mail leaves, with
/// « Brouillon : oui » while it still is one (a reply with the form unchanged keeps it so).
async fn draft_form(tx: &mut Tx, request: &Request, recipient: &Person) -> anyhow::Result<BTreeMap<FormField, String>> {
    let locale = recipient.locale;
    let mut values = crate::workflow::details::form_values(tx, &request.details, locale).await?;
    if request.status == RequestStatus::Draft {
        values.insert(FormField::Draft, locale.pick("oui", "yes").to_string());
    }
    Ok(values)
}

/// The changes a notice carries, as lines the recipient may read (« Durée : 1 h → 1 h 30 »),
/// with installations and people named.
async fn changes(
    tx: &mut Tx,
    notice: &Notice,
    request: &Request,
    standing: briefing::Standing,
    locale: crate::domain::locale::Locale,
) -> anyhow::Result<Vec<String>> {
    let Some(facts) = notice.facts() else {
        return Ok(Vec::new());
    };
    let names = ChangeNames::load(tx, &facts.changes.iter().collect::<Vec<_>>()).await?;
    Ok(facts
        .changes
        .iter()
        .filter(|c| briefing::reads_change(standing, &c.field, request))
        .filter_map(|c| crate::domain::request::changes::describe(c, &names, locale))
        .collect())
}

/// A service record shown to whoever must check it; the requester's words with a contest.
async fn record_and_note(
    tx: &mut Tx,
    notice: &Notice,
    request: Option<&Request>,
) -> anyhow::Result<(Option<ServiceRecord>, String)> {
    Ok(match (request, notice) {
        (
            Some(r),
            Notice::ServiceRecorded(_)
            | Notice::ServiceContested(_)
            | Notice::ServiceValidated(_)
            | Notice::AutoValidated(_),
        ) => {
            let record = tx.service_record(r.id).await?;
            let note = if matches!(notice, Notice::ServiceContested(_)) {
                tx.contest_note(r.id).await?.unwrap_or_default()
            } else {
                String::new()
            };
            (record, note)
        }
        _ => (None, String::new()),
    })
}

/// Where an address-change mail goes: the new address for its confirmation, the old one
/// for the notice that it changed; `None` for every other mail (the person's address).
async fn change_address(tx: &mut Tx, notice: &Notice) -> anyhow::Result<Option<EmailAddress>> {
    let (id, new) = match notice {
        Notice::EmailChangeConfirm(EmailChangeRef { change: Some(id) }) => (*id, true),
        Notice::EmailChanged(EmailChangeRef { change: Some(id) }) => (*id, false),
        _ => return Ok(None),
    };
    let change = tx.email_change(id).await?;
    let address = if new { change.new_email } else { change.old_email };
    Ok(Some(
        EmailAddress::parse(&address).context("stored address of an email change")?,
    ))
}
