//! From an inbound SMS to the right action, or to a short answer. Each message is stored
//! with what it did and the answer given, in one transaction, and recognised when the
//! gateway sends it again (the same answer goes back, nothing is applied twice).
//!
//! The gateway's id is claimed first thing in that transaction ([`Tx::insert_inbound_sms`]):
//! when a gateway sends one SMS several times at once, one call acts and the others wait
//! for it, then give the answer it stored.
//!
//! A text longer than [`SMS_MAX_CHARS`] is not read: the person is told the limit in their
//! language, and only its first [`SMS_MAX_CHARS`] characters are kept with the answer.

use super::sms::{SmsVerb, read_sms};
use crate::domain::contact::PhoneE164;
use crate::domain::ids::RequestId;
use crate::domain::locale::Locale;
use crate::domain::person::Person;
use crate::domain::role::{Channel, Role};
use crate::domain::text;
use crate::outbound::render::{clock_time, short_date};
use crate::store::inbound::NewInboundSms;
use crate::store::{StoreError, Tx};
use crate::workflow::{Actor, Command, Workflow, WorkflowError};
use anyhow::Context as _;
use askama::Template;

/// The longest text read: ten concatenated segments of 160 characters. Answers fit in one
/// or two; anything longer is not an answer to an offer.
pub const SMS_MAX_CHARS: usize = 1600;

/// The outcome a claimed SMS has until its transaction records what it did; no other
/// transaction ever sees it.
const PROCESSING: &str = "processing";

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

#[derive(Template)]
#[template(path = "sms/reply.txt", escape = "none")]
struct Reply<'a> {
    kind: &'a str,
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
}

/// The part of `text` that is kept, and whether it was too long to read.
fn kept(text: &str) -> (&str, bool) {
    match text.char_indices().nth(SMS_MAX_CHARS) {
        Some((end, _)) => (&text[..end], true),
        None => (text, false),
    }
}

impl SmsPipeline {
    pub fn new(workflow: Workflow, default_region: &str, bank: &str) -> SmsPipeline {
        SmsPipeline {
            workflow,
            default_region: default_region.to_string(),
            bank: bank.to_string(),
        }
    }

    pub async fn process(&self, sms: InboundSms<'_>) -> anyhow::Result<SmsAnswer> {
        let now = self.workflow.clock().now();
        let mut tx = self.workflow.store().begin().await?;
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
        let Some(id) = tx.insert_inbound_sms(&claim).await? else {
            let answer = stored_answer(&mut tx, &sms).await?;
            tx.commit().await?;
            return Ok(answer);
        };
        let answer = self.handle(&mut tx, id, sms.from, kept, too_long).await?;
        tx.commit().await?;
        tracing::info!(gateway = sms.gateway, outcome = %answer.outcome, "sms processed");
        Ok(answer)
    }

    /// Reads the claimed SMS `id`, acts on it and records what it did.
    async fn handle(&self, tx: &mut Tx, id: i64, from: &str, text: &str, too_long: bool) -> anyhow::Result<SmsAnswer> {
        let person = self.person_of(tx, from).await?;
        let (outcome, reply, request) = match &person {
            None => (
                "unknown_number".to_string(),
                self.reply("unknown_number", Locale::Fr, None, "")?,
                None,
            ),
            Some(person) if too_long => (
                "too_long".to_string(),
                self.reply("too_long", person.locale, None, "")?,
                None,
            ),
            Some(person) => self.act(tx, person, text).await?,
        };
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

    fn reply(
        &self,
        kind: &str,
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

    async fn act(
        &self,
        tx: &mut Tx,
        person: &Person,
        text: &str,
    ) -> anyhow::Result<(String, String, Option<RequestId>)> {
        let locale = person.locale;
        let reading = read_sms(text);
        let simple = |kind: &str| -> anyhow::Result<(String, String, Option<RequestId>)> {
            Ok((kind.to_string(), self.reply(kind, locale, None, "")?, None))
        };
        match reading.verb {
            SmsVerb::Unknown => return simple("help"),
            SmsVerb::Help => return simple("help"),
            SmsVerb::OptOut | SmsVerb::OptIn => {
                let on = reading.verb == SmsVerb::OptIn;
                let mut updated = person.clone();
                updated.notify_sms = on;
                tx.update_person(&updated, self.workflow.clock().now()).await?;
                tx.record_history(&crate::domain::history::NewHistoryEntry {
                    entity: crate::domain::history::Entity::Person,
                    entity_id: person.id.0,
                    at: self.workflow.clock().now(),
                    actor_id: Some(person.id),
                    actor_kind: crate::domain::role::ActorKind::from(
                        [Role::Interpreter, Role::Coordinator, Role::Requester]
                            .into_iter()
                            .find(|r| person.has_role(*r))
                            .unwrap_or(Role::Requester),
                    ),
                    channel: Channel::Sms,
                    action: "update".into(),
                    changes: vec![crate::domain::history::Change::new("notify_sms", person.notify_sms, on)],
                })
                .await?;
                return simple(if on { "opted_in" } else { "opted_out" });
            }
            SmsVerb::Accept | SmsVerb::Reject | SmsVerb::Withdraw => {}
        }
        if !person.has_role(Role::Interpreter) {
            return simple("help");
        }
        let open = if reading.verb == SmsVerb::Withdraw {
            tx.bookings_of(person.id).await?
        } else {
            tx.open_answers(person.id).await?
        };
        let codes = open
            .iter()
            .filter_map(|(_, c)| c.clone())
            .collect::<Vec<_>>()
            .join(", ");
        if reading.verb != SmsVerb::Withdraw
            && !open
                .iter()
                .any(|(_, c)| reading.code.is_none() || c.as_deref() == reading.code.as_deref())
        {
            // Too late: tell them the offer they answer was filled or cancelled, rather
            // than that nothing waits for them (they just got that offer).
            // A code names its offer. Without one, the answer names an offer only when one
            // alone closed lately: among several, Relais cannot tell which was answered,
            // and naming the wrong one would mislead.
            let since = self.workflow.clock().now() - chrono::TimeDelta::days(7);
            let closed = tx
                .recently_closed_offers(person.id, reading.code.as_deref(), since)
                .await?;
            match closed.as_slice() {
                [] => {}
                [id] | [id, ..] if reading.code.is_some() || closed.len() == 1 => {
                    let request = tx.request(*id).await?;
                    return Ok((
                        "offer_closed".into(),
                        self.reply("offer_closed", locale, Some(&request), "")?,
                        Some(*id),
                    ));
                }
                _ => {
                    return Ok((
                        "offer_closed".into(),
                        self.reply("offer_closed", locale, None, "")?,
                        None,
                    ));
                }
            }
        }
        let target = match &reading.code {
            Some(code) => match open.iter().find(|(_, c)| c.as_deref() == Some(code.as_str())) {
                Some((id, _)) => *id,
                None if open.is_empty() => return simple("nothing_open"),
                None => {
                    return Ok((
                        "unknown_code".into(),
                        self.reply("unknown_code", locale, None, &codes)?,
                        None,
                    ));
                }
            },
            None => match open.as_slice() {
                [] => return simple("nothing_open"),
                [(id, _)] => *id,
                _ => return Ok(("which".into(), self.reply("which", locale, None, &codes)?, None)),
            },
        };
        let actor = Actor::interpreter(person.id, Channel::Sms);
        let (command, done) = match reading.verb {
            SmsVerb::Accept => (Command::AcceptOffer { request: target }, "accepted"),
            SmsVerb::Reject => (Command::DeclineOffer { request: target }, "declined"),
            _ => (Command::WithdrawInterpreter { request: target }, "withdrawn"),
        };
        let result = self.workflow.execute_in(tx, actor, command).await;
        let request = tx.request(target).await?;
        let kind = match result {
            Ok(_) => done,
            Err(WorkflowError::OfferClosed) | Err(WorkflowError::Transition(_)) => "offer_closed",
            Err(WorkflowError::Forbidden(_)) | Err(WorkflowError::BadCommand(_)) | Err(WorkflowError::NotFound) => {
                "refused"
            }
            Err(WorkflowError::Invalid(_)) => "refused",
            Err(e) => return Err(anyhow::anyhow!("{e}")),
        };
        Ok((
            kind.to_string(),
            self.reply(kind, locale, Some(&request), "")?,
            Some(target),
        ))
    }
}

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
