//! From a raw mail to the right action, or to a clear answer, or to nothing at all.
//!
//! Each message is processed in one transaction that records it (raw, with its outcome)
//! and applies its action, so a crash at any point either leaves no trace (the message is
//! read again) or leaves both (the message is recognised as a duplicate). Messages waiting
//! together share one transaction, each under a savepoint of its own (`pipeline/group.rs`).
//! Sources flag or move a message only after [`MailPipeline::process`] (or
//! [`MailPipeline::take_group`]) returned.

use crate::config::Secret;
use crate::domain::contact::EmailAddress;
use crate::domain::ids::{PersonId, RequestId};
use crate::domain::locale::Locale;
use crate::domain::notice::{Answering, DraftSaved, Notice, RecordForm, RequestFacts};
use crate::domain::person::Person;
use crate::domain::request::{CancellationReason, RequestNumber, RequestStatus};
use crate::domain::role::{Channel, Role};
use crate::domain::text::{self, TextProblem};
use crate::forms::record;
use crate::forms::request::{FieldValue, FormField, FormReading};
use crate::inbound::mail::calendar_reply::Answer;
use crate::inbound::mail::classify::AutoKind;
use crate::inbound::mail::command::MailCommand;
use crate::inbound::mail::reading::{MailReading, ReadContext, read};
use crate::inbound::sender_auth::{DomainTrust, SenderAuth};
use crate::security::mail_confirmation::ConfirmationToken;
use crate::security::reply_key::{ReplyKey, ReplyPurpose};
use crate::store::Tx;
use crate::store::inbound::NewInboundMessage;
use crate::store::outbox::{NewOutboxMessage, OutboxChannel};
use crate::workflow::details::build_details;
use crate::workflow::duplicates::{self, similar_request};
use crate::workflow::{Actor, Command, Workflow, WorkflowError, request_facts};
use serde_json::Value;
use sha2::{Digest, Sha256};

mod calendar;
mod group;
mod set_aside;
pub use group::{GROUP_SIZE, Incoming};
/// Moved to `workflow::details`; `src/web/request_pages/form.rs` still imports it from
/// here until the web restructuring points it there.
pub use set_aside::Taken;

/// What became of a message. Stored with it, in `inbound_messages.outcome`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailOutcome {
    /// Seen before (same Message-ID, or same bytes): nothing done again.
    Duplicate,
    /// Relais's own mail came back.
    Loop,
    /// A robot: recorded, not answered.
    Automatic(AutoKind),
    /// A delivery failure, recorded against the address.
    Bounced,
    /// From nobody Relais knows: not answered (it may be forged).
    UnknownSender,
    /// The reply key was not issued to this sender, or was forged: nothing done, no answer.
    SenderMismatch,
    /// Failed the receiving server's authentication checks: held for a coordinator. No
    /// longer given (such mail now awaits its sender's confirmation); kept so that
    /// messages recorded with it still read.
    Held,
    /// From a known address, but nothing ties it to that person (no reply key of theirs,
    /// no authenticated domain): nothing done until they confirm it from the mail sent to
    /// their address.
    AwaitingConfirmation,
    /// Like [`MailOutcome::AwaitingConfirmation`], but the person was asked too often
    /// today: nothing done, nothing sent.
    Unconfirmed,
    /// The person said they did not send it: nothing done.
    Denied,
    /// The request form was sent to the requester.
    FormSent,
    /// The filled form had problems; they were sent back with the form.
    FormIncomplete,
    /// The filled form is like an open request of the same requester: sent back with the
    /// notice, saved only if they answer « Envoyer quand même : oui ».
    SimilarRequest(String),
    RequestCreated(String),
    /// A form with « Répétition : … » made a series: its requests' numbers.
    SeriesCreated(String),
    /// A form marked « Brouillon : oui » saved (or changed) a draft: not sent, the requester
    /// got it back to complete.
    DraftSaved(String),
    /// A reply sent a draft: it is now a new request, with this number.
    DraftSent(String),
    RequestModified(String),
    CommandApplied(&'static str),
    CommandRefused(&'static str),
    HelpSent,
    /// A calendar client's answer that asks nothing (a requester accepting their booking,
    /// an interpreter accepting the booking they hold): recorded, not answered.
    CalendarNoted,
    /// Larger than `mail.max_message_bytes`: only its headers were kept, and a known sender
    /// was told the limit.
    TooLarge,
    /// Its processing failed for good: stored raw with the reason, for coordinators to
    /// retry after a fix; the source acknowledges it and goes on with the others.
    SetAside,
}

impl MailOutcome {
    pub fn as_str(&self) -> &'static str {
        match self {
            MailOutcome::Duplicate => "duplicate",
            MailOutcome::Loop => "loop",
            MailOutcome::Automatic(AutoKind::AutoReply) => "auto_reply",
            MailOutcome::Automatic(AutoKind::Bulk) => "bulk",
            MailOutcome::Automatic(AutoKind::Bounce) | MailOutcome::Bounced => "bounce",
            MailOutcome::UnknownSender => "unknown_sender",
            MailOutcome::SenderMismatch => "sender_mismatch",
            MailOutcome::Held => "held",
            MailOutcome::AwaitingConfirmation => "awaiting_confirmation",
            MailOutcome::Unconfirmed => "unconfirmed",
            MailOutcome::Denied => "denied",
            MailOutcome::FormSent => "form_sent",
            MailOutcome::FormIncomplete => "form_incomplete",
            MailOutcome::SimilarRequest(_) => "similar_request",
            MailOutcome::RequestCreated(_) => "request_created",
            MailOutcome::SeriesCreated(_) => "series_created",
            MailOutcome::DraftSaved(_) => "draft_saved",
            MailOutcome::DraftSent(_) => "draft_sent",
            MailOutcome::RequestModified(_) => "request_modified",
            MailOutcome::CommandApplied(_) => "command_applied",
            MailOutcome::CommandRefused(_) => "command_refused",
            MailOutcome::HelpSent => "help_sent",
            MailOutcome::CalendarNoted => "calendar_noted",
            MailOutcome::TooLarge => "too_large",
            MailOutcome::SetAside => crate::store::set_aside::SET_ASIDE,
        }
    }
}

/// What the pipeline needs besides the workflow.
#[derive(Debug, Clone)]
pub struct PipelineConfig {
    pub read: ReadContext,
    /// Relais's own address, lower-cased.
    pub own_address: String,
    pub signing_key: Secret,
    /// Retired signing keys: confirmation links they signed still verify.
    pub previous_keys: Vec<Secret>,
    /// What the mail system can say of the sender's domain.
    pub sender_auth: SenderAuth,
    /// "Did you send this?" mails a person may get in a day.
    pub confirmations_per_day: u32,
    /// Where confirmation links point (`web.public_base_url`).
    pub public_base_url: String,
    /// A larger raw message is not read nor kept whole (`mail.max_message_bytes`).
    pub max_message_bytes: usize,
}

/// `mail.max_message_bytes` unless configured: 25 MiB, what most mail services accept.
pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 25 * 1024 * 1024;

/// The most of a too large message's header block that is kept.
const MAX_KEPT_HEADER_BYTES: usize = 256 * 1024;

/// The header block of a raw message (up to its first empty line), capped: what is kept of
/// a message too large to keep whole.
fn header_block(raw: &[u8]) -> &[u8] {
    let head = &raw[..raw.len().min(MAX_KEPT_HEADER_BYTES)];
    let end = head
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|at| at + 4)
        .or_else(|| head.windows(2).position(|w| w == b"\n\n").map(|at| at + 2));
    &head[..end.unwrap_or(head.len())]
}

/// How far a mail is known to come from the person whose address it bears.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Trust {
    /// What the mail system says of its domain (a reply key is checked in `decide`).
    Domain(DomainTrust),
    /// This person confirmed it from the link Relais mailed them.
    Confirmed(PersonId),
}

/// What became of an answer to a "did you send this?" mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfirmationAnswer {
    /// Confirmed: the mail was processed, with this outcome.
    Applied(MailOutcome),
    /// "It wasn't me": nothing was done.
    Denied,
    /// Answered before (the first answer stands).
    AlreadyAnswered(String),
    /// No such request for confirmation for this person, or the mail was since erased.
    Unknown,
}

/// The one pipeline every mail source feeds.
#[derive(Clone)]
pub struct MailPipeline {
    workflow: Workflow,
    config: PipelineConfig,
}

/// What the decision part settled, before it is recorded.
struct Decision {
    outcome: MailOutcome,
    detail: Option<String>,
    request: Option<RequestId>,
    person: Option<PersonId>,
}

impl Decision {
    fn new(outcome: MailOutcome) -> Decision {
        Decision {
            outcome,
            detail: None,
            request: None,
            person: None,
        }
    }
}

/// A message read, before its transaction.
struct Prepared {
    now: chrono::DateTime<chrono::Utc>,
    /// Past `mail.max_message_bytes`: only its headers were read, and only they are kept.
    too_large: bool,
    reading: MailReading,
    /// What makes it a duplicate: its Message-ID, or a digest of its bytes.
    key: String,
    domain: DomainTrust,
}

/// What a message's transaction did with it.
struct Recorded {
    outcome: MailOutcome,
    /// Its row in `inbound_messages`; none for a duplicate.
    inbound: Option<i64>,
}

impl Recorded {
    /// Logged once its transaction has committed.
    fn log(&self, source: &str) {
        match self.inbound {
            Some(inbound) => tracing::info!(source, inbound, outcome = self.outcome.as_str(), "mail processed"),
            None => tracing::info!(source, "duplicate mail ignored"),
        }
    }
}

fn dedup_key(reading: &MailReading, raw: &[u8]) -> String {
    match &reading.mail.message_id {
        Some(id) => id.clone(),
        None => {
            let digest = Sha256::digest(raw);
            let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
            format!("sha256:{hex}")
        }
    }
}

/// The request a Relais Message-ID names: `relais.r42.p7.…@domain`.
fn request_in_message_id(id: &str) -> Option<RequestId> {
    let rest = id.strip_prefix("relais.r")?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok().map(RequestId)
}

/// The outbox message a Relais Message-ID names: `relais.r42.p7.o9@domain` → 9.
fn outbox_in_message_id(id: &str, domain: &str) -> Option<i64> {
    let (local, at) = id.trim_matches(|c| c == '<' || c == '>').rsplit_once('@')?;
    if !local.starts_with("relais.") || !at.eq_ignore_ascii_case(domain) {
        return None;
    }
    let last = local.rsplit('.').next()?;
    last.strip_prefix('o')?.parse().ok()
}

impl MailPipeline {
    pub fn new(workflow: Workflow, config: PipelineConfig) -> MailPipeline {
        MailPipeline { workflow, config }
    }

    pub fn workflow(&self) -> &Workflow {
        &self.workflow
    }

    /// Processes one raw message from `source` ("imap", "maildir", "file").
    /// An `Err` means nothing was recorded: the caller keeps the message to try again.
    /// Sources that must go on after a message that always fails use
    /// [`MailPipeline::take`] instead.
    pub async fn process(&self, raw: &[u8], source: &str) -> anyhow::Result<MailOutcome> {
        self.process_replacing(raw, source, None).await
    }

    /// [`MailPipeline::process`], in a transaction that first removes the set-aside
    /// message `replacing` (a retry): if processing fails again, it stays set aside.
    async fn process_replacing(&self, raw: &[u8], source: &str, replacing: Option<i64>) -> anyhow::Result<MailOutcome> {
        let prepared = self.prepare(raw).await;
        let mut tx = self.workflow.store().begin().await?;
        if let Some(id) = replacing
            && !tx.unset_aside_mail(id).await?
        {
            // Retried or dismissed by someone else meanwhile.
            tx.commit().await?;
            return Ok(MailOutcome::Duplicate);
        }
        let recorded = self.record(&mut tx, &prepared, raw, source).await?;
        tx.commit().await?;
        recorded.log(source);
        Ok(recorded.outcome)
    }

    /// What is done before the transaction: the reading, and the DNS lookups of the
    /// sender's domain when a reply key cannot settle who wrote (a keyed reply needs none;
    /// its server's verdict is still read).
    async fn prepare(&self, raw: &[u8]) -> Prepared {
        let now = self.workflow.clock().now();
        // A message past the limit is neither read nor kept whole: its headers say who sent
        // it and what it answers, which is all its answer needs.
        let too_large = raw.len() > self.config.max_message_bytes;
        let kept = if too_large { header_block(raw) } else { raw };
        let reading = read(kept, &self.config.read, now);
        let key = dedup_key(&reading, raw);
        let keyed = reading
            .reply_key
            .as_deref()
            .is_some_and(|k| ReplyKey::verify(k, &self.config.signing_key).is_some());
        let domain = if !too_large && reading.auto.is_none() && self.config.sender_auth.checks_domains() {
            self.config.sender_auth.check(raw, &reading.mail, !keyed).await
        } else {
            DomainTrust::Unverified
        };
        Prepared {
            now,
            too_large,
            reading,
            key,
            domain,
        }
    }

    /// Records a prepared message and does what it asks, in `tx`. An `Err` means the
    /// transaction holds part of the work: the caller rolls it back (or back to a
    /// savepoint taken before).
    async fn record(&self, tx: &mut Tx, prepared: &Prepared, raw: &[u8], source: &str) -> anyhow::Result<Recorded> {
        let Prepared {
            now,
            too_large,
            reading,
            key,
            domain,
        } = prepared;
        let kept = if *too_large { header_block(raw) } else { raw };
        let classification = reading.auto.map_or("human", AutoKind::as_str);
        let Some(inbound_id) = tx
            .insert_inbound(&NewInboundMessage {
                dedup_key: key,
                message_id: reading.mail.message_id.as_deref(),
                source,
                received_at: *now,
                from_address: reading.mail.from.as_deref(),
                subject: &reading.mail.subject,
                raw: kept,
                classification,
            })
            .await?
        else {
            return Ok(Recorded {
                outcome: MailOutcome::Duplicate,
                inbound: None,
            });
        };
        let decision = if *too_large {
            self.too_large(tx, reading, raw.len()).await?
        } else {
            self.decide(tx, reading, inbound_id, Trust::Domain(*domain)).await?
        };
        tx.set_inbound_outcome(
            inbound_id,
            decision.outcome.as_str(),
            decision.detail.as_deref(),
            decision.request,
            decision.person,
        )
        .await?;
        Ok(Recorded {
            outcome: decision.outcome,
            inbound: Some(inbound_id),
        })
    }

    /// A message past `mail.max_message_bytes`: a known sender is told the limit, in both
    /// languages (the message was not read, so neither was what it asked); robots and
    /// strangers are not answered.
    async fn too_large(&self, tx: &mut Tx, reading: &MailReading, size: usize) -> anyhow::Result<Decision> {
        let limit = self.config.max_message_bytes;
        let mut decision = Decision::new(MailOutcome::TooLarge);
        decision.detail = Some(format!(
            "{size} bytes, over the limit of {limit} (mail.max_message_bytes): only the headers were kept"
        ));
        if let Some(kind) = reading.auto {
            decision.outcome = MailOutcome::Automatic(kind);
            return Ok(decision);
        }
        let from = reading.mail.from.as_deref().unwrap_or("");
        if from == self.config.own_address {
            decision.outcome = MailOutcome::Loop;
            return Ok(decision);
        }
        let person = match EmailAddress::parse(from) {
            Ok(address) => tx.person_by_email(&address).await?.filter(|p| p.active),
            Err(_) => None,
        };
        let Some(person) = person else {
            decision.outcome = MailOutcome::UnknownSender;
            return Ok(decision);
        };
        self.reply(tx, reading, &person, None, |answering| Notice::MessageTooLarge {
            size: size as u64,
            limit: limit as u64,
            answering,
        })
        .await?;
        decision.person = Some(person.id);
        Ok(decision)
    }

    /// What to do with a mail: a robot's is recorded, a stranger's ignored, an unconfirmed
    /// sender's change waits for confirmation; the rest is acted on.
    async fn decide(
        &self,
        tx: &mut Tx,
        reading: &MailReading,
        inbound_id: i64,
        trust: Trust,
    ) -> anyhow::Result<Decision> {
        if let Some(kind) = reading.auto {
            return self.decide_automatic(tx, reading, kind, inbound_id).await;
        }
        let (person, key) = match self.sender(tx, reading).await? {
            Ok(found) => found,
            Err(decision) => return Ok(decision),
        };
        // Who wrote it: their reply key, their authenticated domain, or their confirmation.
        // A domain that says it did not send the mail outweighs a key (keys travel in
        // forwarded mail); its owner can still confirm (forwarding breaks DMARC too).
        let known = (key.is_some() && trust != Trust::Domain(DomainTrust::Failed))
            || matches!(trust, Trust::Domain(DomainTrust::Authenticated(_)))
            || trust == Trust::Confirmed(person.id);
        let thread = self.thread_request(tx, reading, key).await?;
        // A change to a request is read from what the person wrote now, never from a quote.
        let form = if thread.is_some() {
            &reading.form_in_new_text
        } else {
            &reading.form
        };
        let record_thread = thread.filter(|_| reading.record.is_record());
        if would_change_something(reading, form, record_thread) && !known {
            let mut decision = self.ask_confirmation(tx, reading, &person, inbound_id).await?;
            if trust == Trust::Domain(DomainTrust::Failed) {
                decision.detail = Some(format!(
                    "{} (the sender's domain says it did not send this: DMARC failed)",
                    decision.detail.unwrap_or_default()
                ));
            }
            decision.person = Some(person.id);
            return Ok(decision);
        }
        let mut decision = if let Some(reply) = &reading.calendar_reply {
            self.handle_calendar_reply(tx, reading, &person, thread, reply).await?
        } else if let Some(id) = record_thread {
            self.handle_record(tx, reading, &person, id).await?
        } else if form.present {
            self.handle_form(tx, reading, form, &person, thread).await?
        } else if let Some(command) = &reading.command {
            self.handle_command(tx, reading, &person, thread, command).await?
        } else if thread.is_none() && person.has_role(Role::Requester) {
            self.send_form(tx, reading, &person, &FormReading::default(), None, None)
                .await?;
            Decision::new(MailOutcome::FormSent)
        } else {
            self.help(tx, reading, &person, thread, "no_command").await?
        };
        decision.person = Some(person.id);
        if decision.request.is_none() {
            decision.request = thread;
        }
        Ok(decision)
    }

    /// A robot's mail: a bounce of a mail Relais sent is recorded against the address;
    /// anything else automatic is only noted.
    async fn decide_automatic(
        &self,
        tx: &mut Tx,
        reading: &MailReading,
        kind: AutoKind,
        inbound_id: i64,
    ) -> anyhow::Result<Decision> {
        let now = self.workflow.clock().now();
        let Some(bounce) = &reading.bounce else {
            return Ok(Decision::new(MailOutcome::Automatic(kind)));
        };
        // Only a bounce of a mail Relais sent to that address counts; anyone can
        // write a delivery report.
        let Some(recipient) = self.bounced_sent_mail(tx, reading, bounce).await? else {
            let mut d = Decision::new(MailOutcome::Automatic(AutoKind::Bounce));
            d.detail = Some("not a bounce of a mail Relais sent: ignored".into());
            return Ok(d);
        };
        tx.record_bounce(&recipient, bounce.status.as_deref(), bounce.hard, now, inbound_id)
            .await?;
        let mut d = Decision::new(MailOutcome::Bounced);
        d.detail = Some(format!(
            "{} {}",
            bounce.recipient.as_deref().unwrap_or("?"),
            bounce.status.as_deref().unwrap_or("?")
        ));
        Ok(d)
    }

    /// The active person who sent the mail and the reply key they used, if any; or the
    /// decision when the sender is unknown, Relais itself, or not the key's holder.
    async fn sender(
        &self,
        tx: &mut Tx,
        reading: &MailReading,
    ) -> anyhow::Result<Result<(Person, Option<ReplyKey>), Decision>> {
        let Some(from) = reading.mail.from.clone() else {
            return Ok(Err(Decision::new(MailOutcome::UnknownSender)));
        };
        if from == self.config.own_address {
            return Ok(Err(Decision::new(MailOutcome::Loop)));
        }
        let person = match EmailAddress::parse(&from) {
            Ok(address) => tx.person_by_email(&address).await?,
            Err(_) => None,
        };
        // A key names who the mail was sent to; only that person may act through it.
        let key = match &reading.reply_key {
            Some(token) => match ReplyKey::verify(token, &self.config.signing_key) {
                Some(key) => Some(key),
                None => {
                    let mut d = Decision::new(MailOutcome::SenderMismatch);
                    d.detail = Some("reply key not valid".into());
                    d.person = person.map(|p| p.id);
                    return Ok(Err(d));
                }
            },
            None => None,
        };
        let Some(person) = person.filter(|p| p.active) else {
            return Ok(Err(Decision::new(MailOutcome::UnknownSender)));
        };
        if let Some(key) = key
            && key.person != person.id
        {
            let mut d = Decision::new(MailOutcome::SenderMismatch);
            d.detail = Some("reply key issued to someone else".into());
            d.person = Some(person.id);
            return Ok(Err(d));
        }
        Ok(Ok((person, key)))
    }

    /// The request a reply is about: its key, else its references, else a number in its subject.
    async fn thread_request(
        &self,
        tx: &mut Tx,
        reading: &MailReading,
        key: Option<ReplyKey>,
    ) -> anyhow::Result<Option<RequestId>> {
        if let Some(key) = key {
            return Ok(match key.purpose {
                ReplyPurpose::Request => match key.request {
                    Some(id) if tx.request_exists(id).await? => Some(id),
                    _ => None,
                },
                ReplyPurpose::Form => None,
            });
        }
        // A thread may name a request that does not exist (a forged or mistyped reference,
        // a restored backup): that is no request, never an error.
        if let Some(id) = reading
            .mail
            .references
            .iter()
            .rev()
            .find_map(|r| request_in_message_id(r))
            && tx.request_exists(id).await?
        {
            return Ok(Some(id));
        }
        for token in reading
            .mail
            .subject
            .split(|c: char| c.is_whitespace() || matches!(c, '[' | ']' | '(' | ')' | ':'))
        {
            if let Ok(number) = RequestNumber::parse(token)
                && let Some(id) = tx.request_id_by_number(&number).await?
            {
                return Ok(Some(id));
            }
        }
        Ok(None)
    }

    /// A filled form: a new request (sent, or kept as a draft with « Brouillon : oui »), or a
    /// change to the thread's request. A draft changed without « Brouillon : oui » is sent.
    async fn handle_form(
        &self,
        tx: &mut Tx,
        reading: &MailReading,
        form: &FormReading,
        person: &Person,
        thread: Option<RequestId>,
    ) -> anyhow::Result<Decision> {
        let (actor, base) = match thread {
            Some(id) => {
                let actor = if person.has_role(Role::Coordinator) {
                    Actor::coordinator(person.id, Channel::Email)
                } else {
                    Actor::requester(person.id, Channel::Email)
                };
                (actor, Some(tx.request(id).await?))
            }
            None => (Actor::requester(person.id, Channel::Email), None),
        };
        if base.is_none() && !person.has_role(Role::Requester) {
            return self.help(tx, reading, person, None, "not_a_requester").await;
        }
        let keep_draft = form.values.get(&FormField::Draft) == Some(&FieldValue::Bool(true));
        let was_draft = base.as_ref().is_some_and(|r| r.status == RequestStatus::Draft);
        if keep_draft && let Some(request) = base.as_ref().filter(|_| !was_draft) {
            // A request sent never goes back to being a draft; nothing of the reply is applied.
            let code = not_a_draft(request);
            self.refused(tx, reading, person, thread, "modify", code).await?;
            let mut d = Decision::new(MailOutcome::CommandRefused(code));
            d.request = thread;
            return Ok(d);
        }
        // A change to an existing request need not repeat every field.
        let blocking: Vec<_> = form
            .issues
            .iter()
            .filter(|i| base.is_none() || i.value.is_some())
            .cloned()
            .collect();
        let built = if blocking.is_empty() {
            build_details(&self.workflow, tx, person, form, base.as_ref().map(|r| &r.details)).await?
        } else {
            Err(Vec::new())
        };
        let details = match built {
            Ok(details) => details,
            Err(field_errors) => {
                let mut errors: Vec<String> = blocking.iter().map(|i| describe_issue(i, person.locale)).collect();
                errors.extend(field_errors.iter().map(|e| e.describe(person.locale)));
                return self.form_back(tx, reading, person, form, thread, errors).await;
            }
        };
        // Sent now: a new request, or a draft sent; never a draft kept, nor a change.
        let sends_now = !keep_draft && (base.is_none() || was_draft);
        let insists = form.values.get(&FormField::SendAnyway) == Some(&FieldValue::Bool(true));
        let requested_by = base.as_ref().map_or(person.id, |r| r.requested_by);
        let similar = if sends_now && !insists {
            similar_request(&self.workflow, tx, requested_by, &details).await?
        } else {
            None
        };
        if base.is_none()
            && let Some(number) = similar
        {
            return self.ask_if_similar(tx, reading, person, form, number).await;
        }
        // A draft like an open request keeps its changes and stays a draft, saying why.
        let submit = sends_now && similar.is_none();
        if let Some(FieldValue::Repetition(repetition)) = form.values.get(&FormField::Repetition) {
            return self
                .create_series(
                    tx,
                    reading,
                    person,
                    form,
                    thread,
                    details,
                    *repetition,
                    submit && base.is_none(),
                )
                .await;
        }
        let command = match &base {
            Some(request) => Command::ModifyRequest {
                request: request.id,
                details,
            },
            None => Command::CreateRequest {
                requested_by: person.id,
                details,
                submit,
            },
        };
        let executed = match self.workflow.execute_in(tx, actor, command).await {
            // A draft sent: « Brouillon » → « Nouveau », with its number and acknowledgement.
            Ok(applied) if was_draft && submit => {
                let request = applied.request;
                self.workflow
                    .execute_in(tx, actor, Command::SubmitRequest { request })
                    .await
            }
            other => other,
        };
        match executed {
            Ok(applied) => {
                let outcome = if let Some(number) = similar {
                    let notes = vec![
                        duplicates::notice(&number, person.locale),
                        person.locale.text("mail-draft-send-anyway"),
                    ];
                    self.draft_saved(tx, reading, person, applied.request, notes).await?;
                    MailOutcome::SimilarRequest(number.to_string())
                } else if applied.to == RequestStatus::Draft {
                    self.draft_saved(tx, reading, person, applied.request, Vec::new())
                        .await?;
                    MailOutcome::DraftSaved(applied.label.clone())
                } else if was_draft {
                    MailOutcome::DraftSent(applied.label.clone())
                } else if base.is_some() {
                    self.done(tx, reading, person, &applied, "modify").await?;
                    MailOutcome::RequestModified(applied.label.clone())
                } else {
                    MailOutcome::RequestCreated(applied.label.clone())
                };
                let mut d = Decision::new(outcome);
                d.request = Some(applied.request);
                Ok(d)
            }
            Err(e) => self.form_failed(tx, reading, person, form, thread, "modify", e).await,
        }
    }

    /// A form the workflow did not take: sent back with what is wrong in it, or refused
    /// (`verb` names what was asked); nothing saved.
    #[allow(clippy::too_many_arguments)]
    async fn form_failed(
        &self,
        tx: &mut Tx,
        reading: &MailReading,
        person: &Person,
        form: &FormReading,
        thread: Option<RequestId>,
        verb: &str,
        error: WorkflowError,
    ) -> anyhow::Result<Decision> {
        if let WorkflowError::Invalid(errors) = error {
            let errors = errors.iter().map(|e| e.describe(person.locale)).collect();
            return self.form_back(tx, reading, person, form, thread, errors).await;
        }
        let code = refusal_code(&error)?;
        self.refused(tx, reading, person, thread, verb, code).await?;
        Ok(Decision::new(MailOutcome::CommandRefused(code)))
    }

    /// The form sent back with what is wrong in it; nothing saved.
    async fn form_back(
        &self,
        tx: &mut Tx,
        reading: &MailReading,
        person: &Person,
        form: &FormReading,
        thread: Option<RequestId>,
        errors: Vec<String>,
    ) -> anyhow::Result<Decision> {
        self.send_form(tx, reading, person, form, thread, Some(errors)).await?;
        let mut d = Decision::new(MailOutcome::FormIncomplete);
        d.request = thread;
        Ok(d)
    }

    /// A new request with « Répétition : … »: the series, one request per occurrence, each
    /// acknowledged. Only a new request sent at once repeats: a draft or a change with the
    /// line gets the form back, saying so.
    #[allow(clippy::too_many_arguments)]
    async fn create_series(
        &self,
        tx: &mut Tx,
        reading: &MailReading,
        person: &Person,
        form: &FormReading,
        thread: Option<RequestId>,
        details: crate::domain::request::RequestDetails,
        repetition: crate::domain::request::repetition::Repetition,
        new_and_sent: bool,
    ) -> anyhow::Result<Decision> {
        let created = if new_and_sent {
            self.workflow
                .create_series_in(tx, requester_or_coordinator(person), person.id, details, repetition)
                .await
        } else {
            Err(WorkflowError::Invalid(vec![crate::domain::request::FieldError::new(
                crate::domain::request::Field::Repetition,
                crate::domain::request::Problem::SeriesOnlyNew,
            )]))
        };
        match created {
            Ok(created) => {
                let first = created.first().map(|a| (a.request, a.label.clone()));
                let numbers: Vec<String> = created.iter().map(|a| a.label.clone()).collect();
                let mut d = Decision::new(MailOutcome::SeriesCreated(numbers.join(", ")));
                d.request = first.map(|(id, _)| id);
                Ok(d)
            }
            Err(e) => self.form_failed(tx, reading, person, form, thread, "form", e).await,
        }
    }

    /// A new request like an open one of the same requester, and they did not insist
    /// (« Envoyer quand même : oui »): the form goes back with the notice, nothing saved.
    async fn ask_if_similar(
        &self,
        tx: &mut Tx,
        reading: &MailReading,
        person: &Person,
        form: &FormReading,
        number: crate::domain::request::RequestNumber,
    ) -> anyhow::Result<Decision> {
        let locale = person.locale;
        let errors = vec![
            duplicates::notice(&number, locale),
            locale.text("request-similar-confirm-mail"),
        ];
        let mut asking = form.clone();
        asking
            .raw
            .insert(FormField::SendAnyway, locale.pick("non", "no").to_string());
        asking.values.remove(&FormField::SendAnyway);
        self.send_form(tx, reading, person, &asking, None, Some(errors)).await?;
        Ok(Decision::new(MailOutcome::SimilarRequest(number.to_string())))
    }

    /// Tells the requester their draft is saved, not sent, with the form to complete and
    /// send it by replying: the mail is about the draft, so a reply acts on it. `notes` say
    /// why it was not sent when they asked to send it.
    async fn draft_saved(
        &self,
        tx: &mut Tx,
        reading: &MailReading,
        person: &Person,
        draft: RequestId,
        notes: Vec<String>,
    ) -> anyhow::Result<()> {
        let request = tx.request(draft).await?;
        self.reply(tx, reading, person, Some(draft), |answering| {
            Notice::DraftSaved(DraftSaved {
                facts: request_facts(&request),
                notes,
                answering,
            })
        })
        .await
    }

    /// A service record (réalisation) written in a reply about a request.
    async fn handle_record(
        &self,
        tx: &mut Tx,
        reading: &MailReading,
        person: &Person,
        id: RequestId,
    ) -> anyhow::Result<Decision> {
        let request = tx.request(id).await?;
        let actor = if request.assigned_interpreter == Some(person.id) {
            Actor::interpreter(person.id, Channel::Email)
        } else if person.has_role(Role::Coordinator) {
            Actor::coordinator(person.id, Channel::Email)
        } else {
            self.refused(tx, reading, person, Some(id), "record", "not_permitted")
                .await?;
            return Ok(Decision::new(MailOutcome::CommandRefused("not_permitted")));
        };
        let now = self
            .workflow
            .clock()
            .now()
            .with_timezone(&self.config.read.time_zone)
            .naive_local();
        let d = &request.details;
        let ctx = record::context(d.request_type, d.date, d.start_time, d.duration_minutes, now);
        let written = &reading.record.raw;
        let errors = match record::build_record(written, &ctx) {
            Ok(record) => {
                let command = Command::RecordService { request: id, record };
                match self.workflow.execute_in(tx, actor, command).await {
                    Ok(applied) => {
                        self.done(tx, reading, person, &applied, "record").await?;
                        let mut d = Decision::new(MailOutcome::CommandApplied("record"));
                        d.request = Some(id);
                        return Ok(d);
                    }
                    Err(WorkflowError::InvalidRecord(problems)) => {
                        problems.iter().map(|p| p.describe(person.locale)).collect()
                    }
                    Err(e) => {
                        let code = refusal_code(&e)?;
                        self.refused(tx, reading, person, Some(id), "record", code).await?;
                        let mut d = Decision::new(MailOutcome::CommandRefused(code));
                        d.request = Some(id);
                        return Ok(d);
                    }
                }
            }
            Err(issues) => issues.iter().map(|i| i.describe(person.locale)).collect::<Vec<_>>(),
        };
        // Everything written comes back, with what to fix.
        let values = written
            .iter()
            .map(|(field, raw)| (field.key().to_string(), raw.clone()))
            .collect();
        self.reply(tx, reading, person, Some(id), |answering| {
            Notice::RecordForm(RecordForm {
                facts: RequestFacts {
                    number: Some(request.label()),
                    ..Default::default()
                },
                values: Some(values),
                errors,
                answering,
            })
        })
        .await?;
        let mut d = Decision::new(MailOutcome::FormIncomplete);
        d.request = Some(id);
        Ok(d)
    }

    /// A command read in the mail: answered at once (a blank form, help, the digest), or
    /// turned into a workflow command on the thread's (or named) request and applied.
    async fn handle_command(
        &self,
        tx: &mut Tx,
        reading: &MailReading,
        person: &Person,
        thread: Option<RequestId>,
        command: &MailCommand,
    ) -> anyhow::Result<Decision> {
        let verb = command.verb().as_str();
        if let Some(decision) = self.answer_at_once(tx, reading, person, thread, command).await? {
            return Ok(decision);
        }
        let request = match command {
            MailCommand::Assign {
                request: Some(number), ..
            } => tx.request_id_by_number(number).await?.or(thread),
            _ => thread,
        };
        let Some(request) = request else {
            self.refused(tx, reading, person, None, verb, "no_request").await?;
            return Ok(Decision::new(MailOutcome::CommandRefused("no_request")));
        };
        // A reason is kept as written or not at all: past its limit, or with a control
        // character, the person is told, and nothing is done.
        if let MailCommand::Cancel { reason } | MailCommand::CancelSeries { reason } | MailCommand::Contest { reason } =
            command
            && let Err(problem) = text::lines(reason, text::TEXT_MAX)
        {
            let code = match problem {
                TextProblem::TooLong(_) => "text_too_long",
                TextProblem::LineBreak | TextProblem::ControlCharacter => "text_control",
            };
            self.refused(tx, reading, person, Some(request), verb, code).await?;
            let mut d = Decision::new(MailOutcome::CommandRefused(code));
            d.request = Some(request);
            return Ok(d);
        }
        if matches!(command, MailCommand::KeepWaiting) {
            return self.keep_waiting(tx, reading, person, request, verb).await;
        }
        if let MailCommand::Send { anyway } = command {
            return self.send_draft(tx, reading, person, request, *anyway).await;
        }
        if let MailCommand::CancelSeries { reason } = command {
            return self.cancel_series(tx, reading, person, request, reason).await;
        }
        let (actor, workflow_command) = match self.workflow_command(tx, reading, person, request, command).await? {
            Ok(found) => found,
            Err(decision) => return Ok(decision),
        };
        match self.workflow.execute_in(tx, actor, workflow_command).await {
            Ok(applied) => {
                self.done(tx, reading, person, &applied, verb).await?;
                let mut d = Decision::new(MailOutcome::CommandApplied(command.verb().as_str()));
                d.request = Some(applied.request);
                Ok(d)
            }
            Err(e) => {
                let code = refusal_code(&e)?;
                self.refused(tx, reading, person, Some(request), verb, code).await?;
                let mut d = Decision::new(MailOutcome::CommandRefused(code));
                d.request = Some(request);
                Ok(d)
            }
        }
    }

    /// The commands that need no request: a blank form, help, the digest.
    async fn answer_at_once(
        &self,
        tx: &mut Tx,
        reading: &MailReading,
        person: &Person,
        thread: Option<RequestId>,
        command: &MailCommand,
    ) -> anyhow::Result<Option<Decision>> {
        Ok(Some(match command {
            MailCommand::NewRequest if person.has_role(Role::Requester) => {
                self.send_form(tx, reading, person, &FormReading::default(), None, None)
                    .await?;
                Decision::new(MailOutcome::FormSent)
            }
            MailCommand::NewRequest => self.help(tx, reading, person, None, "not_a_requester").await?,
            MailCommand::Help => self.help(tx, reading, person, thread, "asked").await?,
            MailCommand::Digest if !person.has_role(Role::Coordinator) => {
                self.help(tx, reading, person, thread, "asked").await?
            }
            MailCommand::Digest => {
                // The digest itself is the answer.
                self.workflow.queue_digests_in(tx, Some(person.id), "on_demand").await?;
                Decision::new(MailOutcome::CommandApplied("digest"))
            }
            _ => return Ok(None),
        }))
    }

    /// « ENVOYER »: the thread's draft is sent (the acknowledgement of a request received is
    /// the answer), unless it is like an open request of its requester and they did not say
    /// « ENVOYER QUAND MÊME »: then it stays a draft, and they are told why.
    async fn send_draft(
        &self,
        tx: &mut Tx,
        reading: &MailReading,
        person: &Person,
        request: RequestId,
        anyway: bool,
    ) -> anyhow::Result<Decision> {
        let draft = tx.request(request).await?;
        let mut d = Decision::new(MailOutcome::CommandApplied("send"));
        d.request = Some(request);
        if draft.status != RequestStatus::Draft {
            let code = not_a_draft(&draft);
            self.refused(tx, reading, person, Some(request), "send", code).await?;
            d.outcome = MailOutcome::CommandRefused(code);
            return Ok(d);
        }
        if !anyway && let Some(number) = similar_request(&self.workflow, tx, draft.requested_by, &draft.details).await?
        {
            let notes = vec![
                duplicates::notice(&number, person.locale),
                person.locale.text("mail-draft-send-anyway"),
            ];
            self.draft_saved(tx, reading, person, request, notes).await?;
            d.outcome = MailOutcome::SimilarRequest(number.to_string());
            return Ok(d);
        }
        let actor = requester_or_coordinator(person);
        if let Err(e) = self
            .workflow
            .execute_in(tx, actor, Command::SubmitRequest { request })
            .await
        {
            let code = refusal_code(&e)?;
            self.refused(tx, reading, person, Some(request), "send", code).await?;
            d.outcome = MailOutcome::CommandRefused(code);
        }
        Ok(d)
    }

    /// « ANNULER LA SUITE »: the thread's occurrence and the later ones of its series are
    /// cancelled, each with the reason; the answer lists them.
    async fn cancel_series(
        &self,
        tx: &mut Tx,
        reading: &MailReading,
        person: &Person,
        request: RequestId,
        words: &str,
    ) -> anyhow::Result<Decision> {
        const VERB: &str = "cancel_series";
        let (reason, detail) = CancellationReason::read(words);
        let actor = requester_or_coordinator(person);
        let mut d = Decision::new(MailOutcome::CommandApplied(VERB));
        d.request = Some(request);
        match self
            .workflow
            .cancel_series_from_in(tx, actor, request, reason, detail)
            .await
        {
            Ok(cancelled) => {
                let numbers: Vec<String> = cancelled.iter().map(|a| a.label.clone()).collect();
                self.reply(tx, reading, person, Some(request), |answering| Notice::CommandDone {
                    verb: VERB.to_string(),
                    number: Some(numbers.join(", ")),
                    status: Some(RequestStatus::Cancelled),
                    answering,
                })
                .await?;
            }
            Err(WorkflowError::BadCommand(_)) => {
                self.refused(tx, reading, person, Some(request), VERB, "not_a_series")
                    .await?;
                d.outcome = MailOutcome::CommandRefused("not_a_series");
            }
            Err(e) => {
                let code = refusal_code(&e)?;
                self.refused(tx, reading, person, Some(request), VERB, code).await?;
                d.outcome = MailOutcome::CommandRefused(code);
            }
        }
        Ok(d)
    }

    /// Nothing to change: the bank keeps looking. Say it was heard.
    async fn keep_waiting(
        &self,
        tx: &mut Tx,
        reading: &MailReading,
        person: &Person,
        request: RequestId,
        verb: &str,
    ) -> anyhow::Result<Decision> {
        let r = tx.request(request).await?;
        self.reply(tx, reading, person, Some(request), |answering| Notice::CommandDone {
            verb: verb.to_string(),
            number: Some(r.label()),
            status: Some(r.status),
            answering,
        })
        .await?;
        let mut d = Decision::new(MailOutcome::CommandApplied("wait"));
        d.request = Some(request);
        Ok(d)
    }

    /// The workflow command a mail command asks for, and who makes it; or the refusal
    /// already sent when something it names does not exist. A flat table of cases: one arm
    /// per mail command.
    async fn workflow_command(
        &self,
        tx: &mut Tx,
        reading: &MailReading,
        person: &Person,
        request: RequestId,
        command: &MailCommand,
    ) -> anyhow::Result<Result<(Actor, Command), Decision>> {
        let verb = command.verb().as_str();
        let (as_asker, as_interpreter) = (requester_or_coordinator(person), interpreter_or_coordinator(person));
        let coordinator = Actor::coordinator(person.id, Channel::Email);
        Ok(Ok(match command {
            MailCommand::Accept => (as_interpreter, Command::AcceptOffer { request }),
            MailCommand::Reject => (as_interpreter, Command::DeclineOffer { request }),
            MailCommand::Withdraw => (as_interpreter, Command::WithdrawInterpreter { request }),
            MailCommand::Cancel { reason: words } => {
                // « ANNULER rendez-vous reporté »: one of the seeds' reasons, else Autre.
                let (reason, detail) = CancellationReason::read(words);
                (
                    as_asker,
                    Command::CancelRequest {
                        request,
                        reason,
                        detail,
                    },
                )
            }
            MailCommand::Validate => (as_asker, Command::ValidateService { request }),
            MailCommand::GiveUp => (
                as_asker,
                Command::CancelRequest {
                    request,
                    reason: CancellationReason::NoInterpreterAvailable,
                    detail: None,
                },
            ),
            MailCommand::UseAlternative => {
                let mut details = tx.request(request).await?.details;
                let Some(alternative) = details.alternative_language.take() else {
                    self.refused(tx, reading, person, Some(request), verb, "no_alternative")
                        .await?;
                    return Ok(Err(Decision::new(MailOutcome::CommandRefused("no_alternative"))));
                };
                details.target_language = alternative;
                (as_asker, Command::ModifyRequest { request, details })
            }
            MailCommand::Close => (coordinator, Command::CloseRequest { request }),
            MailCommand::Contest { reason } => (
                as_asker,
                Command::ContestService {
                    request,
                    reason: Some(reason.clone()).filter(|r| !r.is_empty()),
                },
            ),
            MailCommand::Assign { interpreter, .. } => {
                let interpreter = match interpreter {
                    Some(code) => tx.person_by_user_code(code).await?,
                    None => None,
                };
                let Some(interpreter) = interpreter else {
                    self.refused(tx, reading, person, Some(request), verb, "unknown_interpreter")
                        .await?;
                    return Ok(Err(Decision::new(MailOutcome::CommandRefused("unknown_interpreter"))));
                };
                let interpreters = vec![interpreter.id];
                (
                    coordinator,
                    Command::OfferRequest {
                        request,
                        interpreters,
                        expires_at: None,
                    },
                )
            }
            MailCommand::NewRequest
            | MailCommand::Help
            | MailCommand::Digest
            | MailCommand::KeepWaiting
            | MailCommand::CancelSeries { .. }
            | MailCommand::Send { .. } => {
                unreachable!("answered above")
            }
        }))
    }

    /// Answers with what the person can write, and says so.
    async fn help(
        &self,
        tx: &mut Tx,
        reading: &MailReading,
        person: &Person,
        thread: Option<RequestId>,
        reason: &str,
    ) -> anyhow::Result<Decision> {
        self.reply(tx, reading, person, thread, |answering| Notice::Help {
            reason: reason.to_string(),
            answering,
        })
        .await?;
        Ok(Decision::new(MailOutcome::HelpSent))
    }

    /// Confirms to the person what their reply did.
    async fn done(
        &self,
        tx: &mut Tx,
        reading: &MailReading,
        person: &Person,
        applied: &crate::workflow::Applied,
        verb: &str,
    ) -> anyhow::Result<()> {
        self.reply(tx, reading, person, Some(applied.request), |answering| {
            Notice::CommandDone {
                verb: verb.to_string(),
                number: Some(applied.label.clone()),
                status: Some(applied.to),
                answering,
            }
        })
        .await
    }

    /// Tells the person their reply was not applied, and why.
    async fn refused(
        &self,
        tx: &mut Tx,
        reading: &MailReading,
        person: &Person,
        request: Option<RequestId>,
        verb: &str,
        code: &str,
    ) -> anyhow::Result<()> {
        self.reply(tx, reading, person, request, |answering| Notice::CommandRefused {
            verb: verb.to_string(),
            reason: code.to_string(),
            answering,
        })
        .await
    }

    /// Queues the request form, filled with what was understood, and the problems if any;
    /// about `thread` when the form answered a change to that request.
    async fn send_form(
        &self,
        tx: &mut Tx,
        reading: &MailReading,
        person: &Person,
        form: &FormReading,
        thread: Option<RequestId>,
        errors: Option<Vec<String>>,
    ) -> anyhow::Result<()> {
        let mut values = std::collections::BTreeMap::new();
        for field in FormField::ALL {
            let shown = match (form.values.get(&field), form.raw.get(&field)) {
                // A choice comes back as the person wrote it, never as its internal key.
                (
                    Some(
                        FieldValue::RequestType(_)
                        | FieldValue::Gender(_)
                        | FieldValue::InterpreterType(_)
                        | FieldValue::Bool(_),
                    ),
                    Some(raw),
                ) => raw.clone(),
                (Some(value), _) => match value.to_json() {
                    Value::String(s) => s,
                    other => other.to_string(),
                },
                (None, Some(raw)) => raw.clone(),
                (None, None) => continue,
            };
            values.insert(field.key().to_string(), shown);
        }
        // About the thread's request when it answers a change: a reply then acts on it.
        self.reply(tx, reading, person, thread, |answering| Notice::RequestForm {
            values,
            errors: errors.unwrap_or_default(),
            answering,
        })
        .await
    }

    /// Queues a reply to `person` about `request`, threaded under the message it answers.
    /// The bounced address, when the report is about a mail Relais sent to it: the returned
    /// message's Message-ID (or the report's references) names an outbox message whose
    /// recipient is that address.
    async fn bounced_sent_mail(
        &self,
        tx: &mut Tx,
        reading: &MailReading,
        bounce: &crate::inbound::mail::classify::Bounce,
    ) -> anyhow::Result<Option<String>> {
        let domain = self.config.own_address.rsplit('@').next().unwrap_or("");
        let returned = reading
            .mail
            .returned_headers
            .iter()
            .filter(|(name, _)| name == "message-id")
            .map(|(_, value)| value.trim().to_string());
        let candidates: Vec<String> = returned.chain(reading.mail.references.iter().cloned()).collect();
        for candidate in candidates {
            let Some(outbox) = outbox_in_message_id(&candidate, domain) else {
                continue;
            };
            let Some(sent_to) = tx.sent_mail_address(outbox).await? else {
                continue;
            };
            match &bounce.recipient {
                Some(r) if !r.eq_ignore_ascii_case(&sent_to) => continue,
                _ => return Ok(Some(sent_to.to_lowercase())),
            }
        }
        Ok(None)
    }

    /// Asks the person whose address a mail bears whether they sent it: one mail with a
    /// link to confirm or deny, at most `confirmations_per_day` a day.
    async fn ask_confirmation(
        &self,
        tx: &mut Tx,
        reading: &MailReading,
        person: &Person,
        inbound_id: i64,
    ) -> anyhow::Result<Decision> {
        let now = self.workflow.clock().now();
        let asked = tx
            .mail_confirmations_since(person.id, now - chrono::TimeDelta::days(1))
            .await?;
        if asked >= i64::from(self.config.confirmations_per_day) {
            let mut d = Decision::new(MailOutcome::Unconfirmed);
            d.detail = Some("sender not verified; confirmation limit reached for today".into());
            return Ok(d);
        }
        tx.insert_mail_confirmation(inbound_id, person.id, now).await?;
        let what = if reading.record.is_record() {
            "record"
        } else if reading.form.present || reading.form_in_new_text.present {
            "form"
        } else {
            reading.command.as_ref().map_or("command", |c| c.verb().as_str())
        };
        self.reply(tx, reading, person, None, |answering| Notice::MailConfirmation {
            inbound: Some(inbound_id),
            verb: what.to_string(),
            received_at: Some(now),
            answering,
        })
        .await?;
        let mut d = Decision::new(MailOutcome::AwaitingConfirmation);
        d.detail = Some("sender not verified: confirmation asked".into());
        Ok(d)
    }

    /// The person's answer to a "did you send this?" mail, from its link: the mail is then
    /// processed as theirs, or set aside.
    pub async fn answer_confirmation(
        &self,
        token: &ConfirmationToken,
        confirmed: bool,
    ) -> anyhow::Result<ConfirmationAnswer> {
        let now = self.workflow.clock().now();
        let mut tx = self.workflow.store().begin().await?;
        let Some(pending) = tx.mail_confirmation(token.inbound).await? else {
            tx.commit().await?;
            return Ok(ConfirmationAnswer::Unknown);
        };
        if pending.person_id != token.person.0 {
            tx.commit().await?;
            return Ok(ConfirmationAnswer::Unknown);
        }
        let answer = if confirmed { "confirmed" } else { "denied" };
        if !tx.answer_mail_confirmation(token.inbound, answer, now).await? {
            tx.commit().await?;
            return Ok(ConfirmationAnswer::AlreadyAnswered(pending.answer.unwrap_or_default()));
        }
        if !confirmed {
            tx.set_inbound_outcome(
                token.inbound,
                MailOutcome::Denied.as_str(),
                None,
                None,
                Some(token.person),
            )
            .await?;
            tx.commit().await?;
            tracing::info!(inbound = token.inbound, "mail denied by the person it named");
            return Ok(ConfirmationAnswer::Denied);
        }
        let Some(raw) = tx.inbound_raw(token.inbound).await? else {
            tx.commit().await?;
            return Ok(ConfirmationAnswer::Unknown);
        };
        let reading = read(&raw, &self.config.read, pending.received_at);
        let decision = self
            .decide(&mut tx, &reading, token.inbound, Trust::Confirmed(token.person))
            .await?;
        tx.set_inbound_outcome(
            token.inbound,
            decision.outcome.as_str(),
            decision.detail.as_deref(),
            decision.request,
            decision.person,
        )
        .await?;
        tx.commit().await?;
        tracing::info!(
            inbound = token.inbound,
            outcome = decision.outcome.as_str(),
            "mail confirmed by the person it named"
        );
        Ok(ConfirmationAnswer::Applied(decision.outcome))
    }

    /// The keys a confirmation link may be signed with: the signing key, then retired ones.
    pub fn confirmation_keys(&self) -> Vec<Secret> {
        std::iter::once(self.config.signing_key.clone())
            .chain(self.config.previous_keys.iter().cloned())
            .collect()
    }

    async fn reply(
        &self,
        tx: &mut Tx,
        reading: &MailReading,
        person: &Person,
        request: Option<RequestId>,
        notice: impl FnOnce(Answering) -> Notice,
    ) -> anyhow::Result<()> {
        let answering = Answering::to(reading.mail.message_id.as_deref(), &reading.mail.subject);
        let message = NewOutboxMessage {
            channel: OutboxChannel::Email,
            recipient: person.id,
            request,
            notice: notice(answering),
        };
        tx.enqueue(&message, self.workflow.clock().now()).await?;
        Ok(())
    }
}

fn describe_issue(issue: &crate::forms::request::FieldIssue, locale: Locale) -> String {
    let sep = locale.pick("\u{a0}: ", ": ");
    format!("{}{}{}", issue.field.label(locale), sep, issue.message(locale))
}

/// Why a reply meant for a draft does not apply to `request`, which is not one (any more):
/// sent, or cancelled before it was.
fn not_a_draft(request: &crate::domain::request::Request) -> &'static str {
    if request.number.is_some() {
        "already_sent"
    } else {
        "not_now"
    }
}

/// A requester's command, made as a coordinator by one.
fn requester_or_coordinator(person: &Person) -> Actor {
    if person.has_role(Role::Coordinator) {
        Actor::coordinator(person.id, Channel::Email)
    } else {
        Actor::requester(person.id, Channel::Email)
    }
}

/// An interpreter's command, made as a coordinator by someone who is not one.
fn interpreter_or_coordinator(person: &Person) -> Actor {
    if person.has_role(Role::Interpreter) {
        Actor::interpreter(person.id, Channel::Email)
    } else {
        Actor::coordinator(person.id, Channel::Email)
    }
}

/// Whether acting on the mail would change something: then it waits for the person's
/// confirmation unless Relais knows they wrote it. A blank form or help may go out: they
/// go to the address on file, whoever wrote.
fn would_change_something(reading: &MailReading, form: &FormReading, record_thread: Option<RequestId>) -> bool {
    record_thread.is_some()
        || form.present
        || reading
            .calendar_reply
            .as_ref()
            .is_some_and(|c| matches!(c.answer, Answer::Accepted | Answer::Declined))
        || reading.command.as_ref().is_some_and(|c| {
            !matches!(
                c.verb(),
                crate::inbound::mail::command::Verb::Help
                    | crate::inbound::mail::command::Verb::Digest
                    | crate::inbound::mail::command::Verb::NewRequest
            )
        })
}

/// A short code for why a command was refused; an outage is not a refusal.
fn refusal_code(e: &WorkflowError) -> anyhow::Result<&'static str> {
    Ok(match e {
        WorkflowError::Transition(_) => "not_now",
        WorkflowError::Forbidden(_) => "not_permitted",
        WorkflowError::OfferClosed => "offer_closed",
        WorkflowError::TooEarly => "too_early",
        WorkflowError::NotFound => "no_request",
        WorkflowError::BadCommand(_) => "bad_command",
        WorkflowError::Invalid(_) | WorkflowError::InvalidRecord(_) => "invalid",
        // Another change won a race, or the database failed: the message is read again later.
        WorkflowError::Conflict(what) => return Err(anyhow::anyhow!("conflict: {what}")),
        WorkflowError::Store(e) => return Err(anyhow::anyhow!("store failed: {e}")),
    })
}
