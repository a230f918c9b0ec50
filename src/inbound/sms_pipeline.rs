//! From an inbound SMS to the right action, or to a short answer. Each message is stored
//! with what it did and the answer given, in one transaction, and recognised when the
//! gateway sends it again (the same answer goes back, nothing is applied twice).
//!
//! The gateway's id is claimed first thing in that transaction ([`Tx::insert_inbound_sms`]):
//! when a gateway sends one SMS several times at once, one call acts and the others wait
//! for it, then give the answer it stored.
//!
//! A gateway gives up on a webhook after a while (Twilio after 15 s): [`SmsPipeline::receive`]
//! answers within `sms.answer_within_seconds` or asks the gateway to retry, with nothing
//! kept. A message whose processing fails for good is set aside with a safe answer instead
//! of failing on every retry; coordinators try it again after a fix
//! ([`SmsPipeline::retry_set_aside`]).
//!
//! On SQLite, webhooks that arrive together are written in one transaction, each under a
//! savepoint of its own, and answered after its commit (`sms_pipeline/group.rs`).
//!
//! A text longer than [`SMS_MAX_CHARS`] is not read: the person is told the limit in their
//! language, and only its first [`SMS_MAX_CHARS`] characters are kept with the answer.

mod group;

use super::sms::{SmsReading, SmsVerb, read_sms};
use crate::domain::contact::PhoneE164;
use crate::domain::ids::RequestId;
use crate::domain::locale::Locale;
use crate::domain::locale::{clock_time, short_date};
use crate::domain::person::Person;
use crate::domain::role::{Channel, Role};
use crate::domain::text;
use crate::store::failure::Failure;
use crate::store::inbound::NewInboundSms;
use crate::store::{Engine, StoreError, Tx};
use crate::workflow::{Actor, Command, Workflow, WorkflowError};
use anyhow::Context as _;
use askama::Template;
use futures_util::FutureExt as _;
use std::panic::AssertUnwindSafe;
use std::time::Duration;
use tokio::time::Instant;

/// The longest text read: ten concatenated segments of 160 characters. Answers fit in one
/// or two; anything longer is not an answer to an offer.
pub const SMS_MAX_CHARS: usize = 1600;

/// How long a webhook may take unless `sms.answer_within_seconds` says otherwise: well
/// under the 15 s after which Twilio gives up.
pub const DEFAULT_ANSWER_WITHIN: Duration = Duration::from_secs(10);

/// The outcome of an SMS whose processing failed for good.
pub const SET_ASIDE: &str = SmsReply::SetAside.as_str();

/// What an SMS is answered with. Its name is also what the SMS did, as stored (`outcome`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmsReply {
    /// The number is nobody's (or not an active person's).
    UnknownNumber,
    /// Too long to be read: the limit.
    TooLong,
    /// What one can text.
    Help,
    /// STOP: no more SMS.
    OptedOut,
    /// START: SMS again.
    OptedIn,
    Accepted,
    Declined,
    Withdrawn,
    /// Several offers wait: which one (their codes).
    Which,
    /// No offer waits for an answer.
    NothingOpen,
    /// A code that is none of the person's (their codes).
    UnknownCode,
    /// The offer answered was filled or cancelled meanwhile.
    OfferClosed,
    /// The processing failed for good: the coordinators are told.
    SetAside,
    /// The answer could not be applied to the request.
    Refused,
}

impl SmsReply {
    pub const fn as_str(self) -> &'static str {
        match self {
            SmsReply::UnknownNumber => "unknown_number",
            SmsReply::TooLong => "too_long",
            SmsReply::Help => "help",
            SmsReply::OptedOut => "opted_out",
            SmsReply::OptedIn => "opted_in",
            SmsReply::Accepted => "accepted",
            SmsReply::Declined => "declined",
            SmsReply::Withdrawn => "withdrawn",
            SmsReply::Which => "which",
            SmsReply::NothingOpen => "nothing_open",
            SmsReply::UnknownCode => "unknown_code",
            SmsReply::OfferClosed => "offer_closed",
            SmsReply::SetAside => "set_aside",
            SmsReply::Refused => "refused",
        }
    }
}

/// The outcome a claimed SMS has until its transaction records what it did; no other
/// transaction ever sees it.
const PROCESSING: &str = "processing";

/// How much of a failure's description is kept with a set-aside SMS.
const DETAIL_MAX_CHARS: usize = 500;

/// An SMS as the gateway delivered it.
#[derive(Debug, Clone)]
pub struct InboundSms<'a> {
    /// "twilio" or "kannel".
    pub gateway: &'a str,
    /// The gateway's own id for the message (it retries with the same id).
    pub gateway_id: &'a str,
    pub from: &'a str,
    pub to: &'a str,
    pub text: &'a str,
}

/// What was done, and the text to answer with (empty: no answer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsAnswer {
    pub outcome: String,
    pub reply: String,
}

/// What a gateway is told about an SMS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received {
    /// Handled, now or at an earlier call with the same id: answer with this.
    Answered(SmsAnswer),
    /// Not handled and nothing kept (the database was busy or unavailable, or the bound
    /// passed): the gateway should send it again.
    RetryLater,
}

#[derive(Template)]
#[template(path = "sms/reply.txt", escape = "none")]
struct Reply<'a> {
    kind: SmsReply,
    en: bool,
    bank: &'a str,
    number: &'a str,
    when: &'a str,
    codes: &'a str,
    /// For `too_long`: the limit, as the person reads numbers.
    limit: &'a str,
}

#[derive(Clone)]
pub struct SmsPipeline {
    workflow: Workflow,
    default_region: String,
    bank: String,
    answer_within: Duration,
    /// On SQLite, the SMS whose webhooks wait together, written in one transaction.
    groups: std::sync::Arc<group::Groups>,
}

/// The part of `text` that is kept, and whether it was too long to read.
fn kept(text: &str) -> (&str, bool) {
    match text.char_indices().nth(SMS_MAX_CHARS) {
        Some((end, _)) => (&text[..end], true),
        None => (text, false),
    }
}

/// Whether a failure will likely pass by itself, so the gateway should retry rather than
/// the SMS be set aside: what [`Failure::of`] reads as transient, and a command that lost a
/// race to another change (the workflow's conflict), which a retry wins.
fn transient(error: &anyhow::Error) -> bool {
    Failure::of(error).is_transient()
        || error.chain().any(|cause| {
            matches!(cause.downcast_ref::<WorkflowError>(), Some(WorkflowError::Conflict(_)))
                || matches!(cause.downcast_ref::<StoreError>(), Some(StoreError::Conflict(_)))
        })
}

/// The description of a failure kept for coordinators, cut to [`DETAIL_MAX_CHARS`].
fn detail(error: &anyhow::Error) -> String {
    format!("{error:#}").chars().take(DETAIL_MAX_CHARS).collect()
}

impl SmsPipeline {
    pub fn new(workflow: Workflow, default_region: &str, bank: &str) -> SmsPipeline {
        SmsPipeline {
            workflow,
            default_region: default_region.to_string(),
            bank: bank.to_string(),
            answer_within: DEFAULT_ANSWER_WITHIN,
            groups: Default::default(),
        }
    }

    /// The same pipeline, whose [`SmsPipeline::receive`] answers within `bound`.
    pub fn answering_within(self, bound: Duration) -> SmsPipeline {
        SmsPipeline {
            answer_within: bound,
            ..self
        }
    }

    /// What a gateway's webhook does with an SMS. Within the bound, the SMS is handled (or
    /// recognised) and its answer given; a failure that will pass (a busy or unreachable
    /// database) or a bound reached asks the gateway to retry, and nothing is kept: the
    /// transaction is dropped, so it rolls back (had it committed just before, the retry
    /// finds the stored answer). A failure that will not pass sets the SMS aside, and its
    /// sender gets a safe answer, now and at every retry.
    pub async fn receive(&self, sms: InboundSms<'_>) -> Received {
        let deadline = Instant::now() + self.answer_within;
        // A panic is a failure of this SMS like any other: it is set aside, and the
        // gateway's retries get the same answer instead of a dropped connection each time.
        let handled = AssertUnwindSafe(self.process_by(&sms, Some(deadline))).catch_unwind();
        let error = match tokio::time::timeout_at(deadline, handled).await {
            Ok(Ok(Ok(answer))) => return Received::Answered(answer),
            Ok(Ok(Err(error))) => error,
            Ok(Err(panic)) => crate::store::failure::panicked(panic.as_ref()),
            Err(_) => {
                tracing::warn!(
                    gateway = sms.gateway,
                    within_ms = self.answer_within.as_millis(),
                    "sms not handled in time: the gateway is asked to send it again"
                );
                return Received::RetryLater;
            }
        };
        if transient(&error) {
            tracing::warn!(
                gateway = sms.gateway,
                error = %format!("{error:#}"),
                "sms not handled, the database is busy or unavailable: the gateway is asked to send it again"
            );
            return Received::RetryLater;
        }
        tracing::error!(gateway = sms.gateway, error = %format!("{error:#}"), "sms failed for good: set aside");
        match tokio::time::timeout_at(deadline, self.set_aside(&sms, &error, deadline)).await {
            Ok(Ok(answer)) => Received::Answered(answer),
            Ok(Err(e)) => {
                tracing::error!(gateway = sms.gateway, error = %format!("{e:#}"), "the sms could not be set aside");
                Received::RetryLater
            }
            Err(_) => {
                tracing::warn!(gateway = sms.gateway, "the sms could not be set aside in time");
                Received::RetryLater
            }
        }
    }

    /// How many webhooks wait for a group's transaction (SQLite): queued, or in a group
    /// being written.
    pub fn sms_waiting(&self) -> usize {
        self.groups.waiting()
    }

    /// How many transactions wrote a group of webhooks (SQLite) since the pipeline was made.
    pub fn sms_groups_committed(&self) -> u64 {
        self.groups.committed()
    }

    /// Handles an SMS, or gives the stored answer of one seen before, with no bound of
    /// time and no setting aside: errors are returned.
    pub async fn process(&self, sms: InboundSms<'_>) -> anyhow::Result<SmsAnswer> {
        self.process_by(&sms, None).await
    }

    /// Handles a set-aside SMS again (after a fix), in one transaction: it is taken back,
    /// its stored text is read as if it had just come, and what it did replaces the
    /// set-aside outcome. The answer is returned, not sent: the gateway's call was answered
    /// long ago. If it fails again, nothing is kept and it stays set aside (with the new
    /// reason when the failure is not a passing one).
    /// `Ok(None)`: it is no longer set aside (tried again or dismissed already).
    pub async fn retry_set_aside(&self, id: i64) -> anyhow::Result<Option<SmsAnswer>> {
        let mut tx = self.workflow.store().begin().await?;
        let Some(sms) = tx.reclaim_set_aside_sms(id).await? else {
            tx.commit().await?;
            return Ok(None);
        };
        if sms.body.is_empty() {
            anyhow::bail!("the text of SMS {id} was erased after the retention period: it cannot be read again");
        }
        // Only the first characters of a text too long to read were kept: a text of that
        // length may have been longer, and is not read.
        let too_long = sms.body.chars().count() >= SMS_MAX_CHARS;
        match self
            .handle(&mut tx, sms.id, &sms.from_number, &sms.body, too_long)
            .await
        {
            Ok(answer) => {
                tx.commit().await?;
                tracing::info!(sms = id, outcome = %answer.outcome, "set-aside sms handled again");
                Ok(Some(answer))
            }
            Err(error) => {
                tx.rollback().await?;
                if !transient(&error) {
                    let mut tx = self.workflow.store().begin().await?;
                    tx.set_aside_sms_detail(id, &detail(&error)).await?;
                    tx.commit().await?;
                }
                Err(error.context(format!("SMS {id} failed again and stays set aside")))
            }
        }
    }

    /// A coordinator decided a set-aside SMS needs nothing more. False when it was no
    /// longer set aside.
    pub async fn dismiss_set_aside(&self, id: i64) -> anyhow::Result<bool> {
        let mut tx = self.workflow.store().begin().await?;
        let dismissed = tx.dismiss_set_aside_sms(id).await?;
        tx.commit().await?;
        Ok(dismissed)
    }

    async fn begin(&self, deadline: Option<Instant>) -> Result<Tx, StoreError> {
        match deadline {
            Some(deadline) => {
                let left = deadline.saturating_duration_since(Instant::now());
                self.workflow.store().begin_within(left).await
            }
            None => self.workflow.store().begin().await,
        }
    }

    async fn process_by(&self, sms: &InboundSms<'_>, deadline: Option<Instant>) -> anyhow::Result<SmsAnswer> {
        // A gateway's retry of an SMS handled already gets its stored answer from a read,
        // without waiting for the write lock. One still in flight is not seen here: the
        // claim below finds it.
        let mut read = self.workflow.store().begin_read().await?;
        let seen = read.inbound_sms_seen(sms.gateway, sms.gateway_id).await?;
        read.commit().await?;
        if let Some((outcome, reply)) = seen {
            return Ok(SmsAnswer {
                outcome: format!("duplicate ({outcome})"),
                reply,
            });
        }
        // On SQLite, webhooks that arrive together share a transaction and a commit: one
        // write lock and one wait for the disk for the group. What fails there is taken
        // alone below.
        if let Some(deadline) = deadline
            && self.workflow.store().engine() == Engine::Sqlite
            && let Some(answer) = self.in_group(sms, deadline).await
        {
            return Ok(answer);
        }
        let now = self.workflow.clock().now();
        let mut tx = self.begin(deadline).await?;
        let answer = self.claim_and_handle(&mut tx, sms, now).await?;
        tx.commit().await?;
        tracing::info!(gateway = sms.gateway, outcome = %answer.outcome, "sms processed");
        Ok(answer)
    }

    /// Claims the SMS's gateway id and handles it, or gives the answer stored by the call
    /// that claimed it first.
    async fn claim_and_handle(
        &self,
        tx: &mut Tx,
        sms: &InboundSms<'_>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> anyhow::Result<SmsAnswer> {
        let (kept, too_long) = kept(sms.text);
        let claim = NewInboundSms {
            gateway: sms.gateway,
            gateway_id: sms.gateway_id,
            received_at: now,
            from_number: sms.from,
            to_number: sms.to,
            body: kept,
            person: None,
            outcome: PROCESSING,
            detail: None,
            reply: "",
        };
        match tx.insert_inbound_sms(&claim).await? {
            Some(id) => self.handle(tx, id, sms.from, kept, too_long).await,
            None => stored_answer(tx, sms).await,
        }
    }

    /// Reads the claimed SMS `id`, acts on it and records what it did.
    async fn handle(&self, tx: &mut Tx, id: i64, from: &str, text: &str, too_long: bool) -> anyhow::Result<SmsAnswer> {
        let person = self.person_of(tx, from).await?;
        let (kind, reply, request) = match &person {
            None => (
                SmsReply::UnknownNumber,
                self.reply(SmsReply::UnknownNumber, Locale::Fr, None, "")?,
                None,
            ),
            Some(person) if too_long => (
                SmsReply::TooLong,
                self.reply(SmsReply::TooLong, person.locale, None, "")?,
                None,
            ),
            Some(person) => self.act(tx, person, text).await?,
        };
        let outcome = kind.as_str().to_string();
        tx.settle_inbound_sms(id, person.as_ref().map(|p| p.id), request, &outcome, &reply)
            .await?;
        Ok(SmsAnswer { outcome, reply })
    }

    /// The active person whose mobile sent the SMS.
    async fn person_of(&self, tx: &mut Tx, from: &str) -> Result<Option<Person>, StoreError> {
        match PhoneE164::parse(from, &self.default_region) {
            Ok(number) => Ok(tx.person_by_mobile(&number).await?.filter(|p| p.active)),
            Err(_) => Ok(None),
        }
    }

    /// Records `sms` as set aside, in a transaction of its own (the one that failed rolled
    /// back), with the reason and a safe answer in its sender's language. If another call
    /// with the same id got there first, its answer is given.
    async fn set_aside(
        &self,
        sms: &InboundSms<'_>,
        error: &anyhow::Error,
        deadline: Instant,
    ) -> anyhow::Result<SmsAnswer> {
        let now = self.workflow.clock().now();
        let mut tx = self.begin(Some(deadline)).await?;
        // The sender, for the answer's language and the coordinators' list; the failure
        // may lie right there, and must not keep the SMS from being set aside.
        tx.savepoint().await?;
        let person = match self.person_of(&mut tx, sms.from).await {
            Ok(person) => {
                tx.release_savepoint().await?;
                person
            }
            Err(e) => {
                tx.rollback_to_savepoint().await?;
                tracing::warn!(error = %e, "the sender of a set-aside sms could not be read");
                None
            }
        };
        let reply = self.reply(
            SmsReply::SetAside,
            person.as_ref().map_or(Locale::Fr, |p| p.locale),
            None,
            "",
        )?;
        let detail = detail(error);
        let record = NewInboundSms {
            gateway: sms.gateway,
            gateway_id: sms.gateway_id,
            received_at: now,
            from_number: sms.from,
            to_number: sms.to,
            body: kept(sms.text).0,
            person: person.as_ref().map(|p| p.id),
            outcome: SET_ASIDE,
            detail: Some(&detail),
            reply: &reply,
        };
        let answer = match tx.insert_inbound_sms(&record).await? {
            Some(_) => SmsAnswer {
                outcome: SET_ASIDE.to_string(),
                reply,
            },
            None => stored_answer(&mut tx, sms).await?,
        };
        tx.commit().await?;
        Ok(answer)
    }

    fn reply(
        &self,
        kind: SmsReply,
        locale: Locale,
        about: Option<&crate::domain::request::Request>,
        codes: &str,
    ) -> anyhow::Result<String> {
        let (number, when) = match about {
            Some(r) => (
                r.label(),
                format!(
                    "{} {}",
                    short_date(r.details.date, locale),
                    clock_time(r.details.start_time, locale)
                ),
            ),
            None => Default::default(),
        };
        Ok(Reply {
            kind,
            en: locale == Locale::En,
            bank: &self.bank,
            number: &number,
            when: &when,
            codes,
            limit: &text::count(SMS_MAX_CHARS, locale),
        }
        .render()?)
    }

    /// What an SMS asks, done: help, the SMS notices turned off or on, or an answer to an
    /// offer or booking (by its code when several are open).
    async fn act(&self, tx: &mut Tx, person: &Person, text: &str) -> anyhow::Result<Answer> {
        let locale = person.locale;
        let reading = read_sms(text);
        let simple =
            |kind: SmsReply| -> anyhow::Result<Answer> { Ok((kind, self.reply(kind, locale, None, "")?, None)) };
        match reading.verb {
            SmsVerb::Unknown => return simple(SmsReply::Help),
            SmsVerb::Help => return simple(SmsReply::Help),
            SmsVerb::OptOut | SmsVerb::OptIn => {
                let on = reading.verb == SmsVerb::OptIn;
                self.set_sms_notices(tx, person, on).await?;
                return simple(if on { SmsReply::OptedIn } else { SmsReply::OptedOut });
            }
            SmsVerb::Accept | SmsVerb::Reject | SmsVerb::Withdraw => {}
        }
        if !person.has_role(Role::Interpreter) {
            return simple(SmsReply::Help);
        }
        let open = if reading.verb == SmsVerb::Withdraw {
            tx.bookings_of(person.id).await?
        } else {
            tx.open_answers(person.id).await?
        };
        if reading.verb != SmsVerb::Withdraw
            && !open
                .iter()
                .any(|(_, c)| reading.code.is_none() || c.as_deref() == reading.code.as_deref())
            && let Some(answer) = self.closed_offer(tx, person, &reading).await?
        {
            return Ok(answer);
        }
        let target = match self.target(&reading, &open, locale)? {
            Ok(id) => id,
            Err(answer) => return Ok(answer),
        };
        self.answer(tx, person, reading.verb, target).await
    }

    /// The person's SMS notices turned on or off, through the workflow.
    async fn set_sms_notices(&self, tx: &mut Tx, person: &Person, on: bool) -> anyhow::Result<()> {
        let actor = Actor {
            person: Some(person.id),
            kind: crate::domain::role::ActorKind::from(
                [Role::Interpreter, Role::Coordinator, Role::Requester]
                    .into_iter()
                    .find(|r| person.has_role(*r))
                    .unwrap_or(Role::Requester),
            ),
            channel: Channel::Sms,
        };
        let change = crate::domain::person::ProfileChange {
            notify_sms: Some(on),
            ..Default::default()
        };
        self.workflow.update_profile_in(tx, actor, person.id, change).await?;
        Ok(())
    }

    /// Too late: tell them the offer they answer was filled or cancelled, rather than that
    /// nothing waits for them (they just got that offer). A code names its offer. Without
    /// one, the answer names an offer only when one alone closed lately: among several,
    /// Relais cannot tell which was answered, and naming the wrong one would mislead.
    /// `None` when no offer of theirs closed lately.
    async fn closed_offer(&self, tx: &mut Tx, person: &Person, reading: &SmsReading) -> anyhow::Result<Option<Answer>> {
        let locale = person.locale;
        let since = self.workflow.clock().now() - chrono::TimeDelta::days(7);
        let closed = tx
            .recently_closed_offers(person.id, reading.code.as_deref(), since)
            .await?;
        Ok(match closed.as_slice() {
            [] => None,
            [id] | [id, ..] if reading.code.is_some() || closed.len() == 1 => {
                let request = tx.request(*id).await?;
                Some((
                    SmsReply::OfferClosed,
                    self.reply(SmsReply::OfferClosed, locale, Some(&request), "")?,
                    Some(*id),
                ))
            }
            _ => Some((
                SmsReply::OfferClosed,
                self.reply(SmsReply::OfferClosed, locale, None, "")?,
                None,
            )),
        })
    }

    /// The request the SMS answers: the one its code names, or the only one open; else
    /// the answer that says what to write.
    fn target(
        &self,
        reading: &SmsReading,
        open: &[(RequestId, Option<String>)],
        locale: Locale,
    ) -> anyhow::Result<Result<RequestId, Answer>> {
        let codes = open
            .iter()
            .filter_map(|(_, c)| c.clone())
            .collect::<Vec<_>>()
            .join(", ");
        let asking = |kind: SmsReply, codes: &str| -> anyhow::Result<Result<RequestId, Answer>> {
            Ok(Err((kind, self.reply(kind, locale, None, codes)?, None)))
        };
        Ok(Ok(match &reading.code {
            Some(code) => match open.iter().find(|(_, c)| c.as_deref() == Some(code.as_str())) {
                Some((id, _)) => *id,
                None if open.is_empty() => return asking(SmsReply::NothingOpen, ""),
                None => return asking(SmsReply::UnknownCode, &codes),
            },
            None => match open {
                [] => return asking(SmsReply::NothingOpen, ""),
                [(id, _)] => *id,
                _ => return asking(SmsReply::Which, &codes),
            },
        }))
    }

    /// The interpreter's answer applied to `target`, and what to tell them.
    async fn answer(&self, tx: &mut Tx, person: &Person, verb: SmsVerb, target: RequestId) -> anyhow::Result<Answer> {
        let actor = Actor::interpreter(person.id, Channel::Sms);
        let (command, done) = match verb {
            SmsVerb::Accept => (Command::AcceptOffer { request: target }, SmsReply::Accepted),
            SmsVerb::Reject => (Command::DeclineOffer { request: target }, SmsReply::Declined),
            _ => (Command::WithdrawInterpreter { request: target }, SmsReply::Withdrawn),
        };
        let result = self.workflow.execute_in(tx, actor, command).await;
        let request = tx.request(target).await?;
        let kind = match result {
            Ok(_) => done,
            Err(WorkflowError::OfferClosed) | Err(WorkflowError::Transition(_)) => SmsReply::OfferClosed,
            Err(WorkflowError::Forbidden(_)) | Err(WorkflowError::BadCommand(_)) | Err(WorkflowError::NotFound) => {
                SmsReply::Refused
            }
            Err(WorkflowError::Invalid(_)) => SmsReply::Refused,
            // Typed, so that a busy database or a lost race reads as passing.
            Err(WorkflowError::Store(e)) => return Err(e.into()),
            Err(e) => return Err(e.into()),
        };
        Ok((kind, self.reply(kind, person.locale, Some(&request), "")?, Some(target)))
    }
}

/// What an SMS gets back: the kind of reply, its text, and the request it is about.
type Answer = (SmsReply, String, Option<RequestId>);

/// The answer stored for an SMS whose gateway id another call claimed (and committed).
async fn stored_answer(tx: &mut Tx, sms: &InboundSms<'_>) -> anyhow::Result<SmsAnswer> {
    let (outcome, reply) = tx
        .inbound_sms_seen(sms.gateway, sms.gateway_id)
        .await?
        .context("an SMS claimed by another call has no stored answer")?;
    Ok(SmsAnswer {
        outcome: format!("duplicate ({outcome})"),
        reply,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(kind: SmsReply, en: bool) -> String {
        Reply {
            kind,
            en,
            bank: "Relais",
            number: "",
            when: "",
            codes: "",
            limit: "",
        }
        .render()
        .unwrap()
    }

    #[test]
    fn a_set_aside_sms_gets_a_safe_answer_in_its_language() {
        assert_eq!(
            render(SmsReply::SetAside, false),
            "Relais\u{a0}: votre message n\u{2019}a pas pu être traité. Rien n\u{2019}a été fait\u{a0}; \
             la coordination en est avisée."
        );
        assert_eq!(
            render(SmsReply::SetAside, true),
            "Relais: your message could not be processed. Nothing was done; the coordinators have been told."
        );
    }

    #[test]
    fn a_text_too_long_keeps_its_first_characters() {
        let long = "é".repeat(SMS_MAX_CHARS + 1);
        assert_eq!(kept(&long), (&long[..SMS_MAX_CHARS * 2], true));
        let exact = "a".repeat(SMS_MAX_CHARS);
        assert_eq!(kept(&exact), (exact.as_str(), false));
    }

    #[test]
    fn a_lost_race_is_worth_a_retry_and_a_bug_is_not() {
        let race = anyhow::Error::new(WorkflowError::Conflict("request HC-1 changed meanwhile".into()));
        assert!(transient(&race));
        let busy = anyhow::Error::new(StoreError::Database(sqlx::Error::PoolTimedOut));
        assert!(transient(&busy));
        assert!(!transient(&anyhow::Error::new(WorkflowError::NotFound)));
        assert!(!transient(&anyhow::anyhow!("a template failed")));
    }
}
