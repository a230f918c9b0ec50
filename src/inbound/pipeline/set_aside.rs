//! A message that fails every time must not hold back the ones behind it. Sources hand
//! each message to [`MailPipeline::take`]: a failure that should pass (the database is
//! busy or unreachable) leaves the message with its source for a later attempt; any
//! other failure, a panic included, sets it aside: stored raw with the reason, answered
//! where that is safe, listed for coordinators, and acknowledged at its source like any
//! processed message. Coordinators retry it after a fix ([`MailPipeline::retry_set_aside`])
//! or dismiss it.

use super::{MailOutcome, MailPipeline, dedup_key, header_block, read};
use crate::domain::contact::EmailAddress;
use crate::domain::notice::Notice;
use crate::store::failure::{Failure, panicked};
use crate::store::inbound::NewInboundMessage;
use crate::store::set_aside::SET_ASIDE;
use futures_util::FutureExt as _;
use sha2::{Digest as _, Sha256};
use std::panic::AssertUnwindSafe;

/// A message that failed this many times in a row is set aside even when each failure
/// looked transient: a failure that never passes is not transient.
pub const GIVE_UP_AFTER: u32 = 10;

/// Answers about set-aside mail one person may get in a day: anyone can write in their
/// name, and the answer goes to their address.
const ANSWERS_PER_DAY: i64 = 3;

/// The longest reason kept with a set-aside message.
const REASON_MAX_CHARS: usize = 2000;

/// What a source does with a message it handed to [`MailPipeline::take`].
#[derive(Debug)]
pub enum Taken {
    /// Recorded, processed or set aside: acknowledge it at the source.
    Recorded(MailOutcome),
    /// Nothing recorded, and the failure should pass: keep the message, go on with the
    /// others, and try it again later.
    Later(anyhow::Error),
}

impl MailPipeline {
    /// Processes a message for a source that acknowledges what is recorded.
    /// `failures` is how many times this message failed before, as far as the source knows.
    pub async fn take(&self, raw: &[u8], source: &str, failures: u32) -> Taken {
        let error = match AssertUnwindSafe(self.process(raw, source)).catch_unwind().await {
            Ok(Ok(outcome)) => return Taken::Recorded(outcome),
            Ok(Err(e)) => e,
            Err(panic) => panicked(panic.as_ref()).context("processing"),
        };
        if Failure::of(&error).is_transient() && failures + 1 < GIVE_UP_AFTER {
            return Taken::Later(error);
        }
        match self.set_aside(raw, source, &error).await {
            Ok(outcome) => Taken::Recorded(outcome),
            Err(e) => Taken::Later(e.context(format!("setting aside after: {error:#}"))),
        }
    }

    /// Stores `raw` as set aside because of `error`, in a transaction of its own.
    async fn set_aside(&self, raw: &[u8], source: &str, error: &anyhow::Error) -> anyhow::Result<MailOutcome> {
        let reason = reason_text(error);
        let now = self.workflow.clock().now();
        let kept = if raw.len() > self.config.max_message_bytes {
            header_block(raw)
        } else {
            raw
        };
        // The reading may be what failed: without one, the message is still kept whole.
        let context = &self.config.read;
        let reading = std::panic::catch_unwind(AssertUnwindSafe(|| read(kept, context, now))).ok();
        let key = match &reading {
            Some(r) => dedup_key(r, raw),
            None => {
                let hex: String = Sha256::digest(raw).iter().map(|b| format!("{b:02x}")).collect();
                format!("sha256:{hex}")
            }
        };
        let from = reading.as_ref().and_then(|r| r.mail.from.clone());
        let subject = reading.as_ref().map(|r| r.mail.subject.clone()).unwrap_or_default();
        let mut tx = self.workflow.store().begin().await?;
        let Some(inbound_id) = tx
            .insert_inbound(&NewInboundMessage {
                dedup_key: &key,
                message_id: reading.as_ref().and_then(|r| r.mail.message_id.as_deref()),
                source,
                received_at: now,
                from_address: from.as_deref(),
                subject: &subject,
                raw: kept,
                classification: reading.as_ref().and_then(|r| r.auto).map_or("human", |a| a.as_str()),
            })
            .await?
        else {
            tx.commit().await?;
            return Ok(MailOutcome::Duplicate);
        };
        // Answered only when the sender is a person Relais knows, and only to the address
        // on file, a few times a day at most.
        let person = match (&reading, from.as_deref()) {
            (Some(r), Some(from)) if r.auto.is_none() && from != self.config.own_address => {
                match EmailAddress::parse(from) {
                    Ok(address) => tx.person_by_email(&address).await?.filter(|p| p.active),
                    Err(_) => None,
                }
            }
            _ => None,
        };
        if let (Some(person), Some(reading)) = (&person, &reading) {
            let today = tx
                .set_aside_mail_from(person.id, now - chrono::TimeDelta::days(1))
                .await?;
            if today < ANSWERS_PER_DAY {
                self.reply(&mut tx, reading, person, None, |answering| Notice::MessageSetAside {
                    answering,
                })
                .await?;
            }
        }
        tx.set_inbound_outcome(
            inbound_id,
            SET_ASIDE,
            Some(&reason),
            None,
            person.as_ref().map(|p| p.id),
        )
        .await?;
        tx.commit().await?;
        tracing::error!(source, inbound = inbound_id, reason = %reason, "mail set aside: it failed and will not be tried again until a coordinator retries it");
        Ok(MailOutcome::SetAside)
    }

    /// Processes a set-aside mail again (after a fix). `Ok(None)`: it is no longer set
    /// aside, or its bytes were erased after the retention period. An `Err` means it
    /// failed again: it stays set aside with the new reason.
    pub async fn retry_set_aside(&self, id: i64) -> anyhow::Result<Option<MailOutcome>> {
        let mut tx = self.workflow.store().begin_read().await?;
        let stored = tx.set_aside_raw(id).await?;
        tx.commit().await?;
        let Some(stored) = stored else {
            return Ok(None);
        };
        let attempt = AssertUnwindSafe(self.process_replacing(&stored.raw, &stored.source, Some(id)))
            .catch_unwind()
            .await;
        let error = match attempt {
            Ok(Ok(MailOutcome::Duplicate)) => return Ok(None),
            Ok(Ok(outcome)) => {
                tracing::info!(inbound = id, outcome = outcome.as_str(), "set-aside mail retried");
                return Ok(Some(outcome));
            }
            Ok(Err(e)) => e,
            Err(panic) => panicked(panic.as_ref()).context("processing"),
        };
        let mut tx = self.workflow.store().begin().await?;
        tx.set_aside_reason(id, &reason_text(&error)).await?;
        tx.commit().await?;
        Err(error)
    }

    /// A coordinator decided a set-aside mail needs nothing more. False when it was no
    /// longer set aside.
    pub async fn dismiss_set_aside(&self, id: i64) -> anyhow::Result<bool> {
        let mut tx = self.workflow.store().begin().await?;
        let dismissed = tx.dismiss_set_aside_mail(id).await?;
        tx.commit().await?;
        Ok(dismissed)
    }
}

fn reason_text(error: &anyhow::Error) -> String {
    let full = format!("{error:#}");
    match full.char_indices().nth(REASON_MAX_CHARS) {
        Some((end, _)) => format!("{}…", &full[..end]),
        None => full,
    }
}
