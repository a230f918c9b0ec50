//! Group commit: a source with many messages waiting (`relais ingest`, a Maildir after a
//! burst) hands them over together, and they are recorded in one transaction, each under
//! a savepoint of its own. One commit, and one wait for the disk, serves the group.
//!
//! A message whose work fails is undone back to its savepoint; its neighbours keep
//! theirs. After the commit, each failed message goes through [`MailPipeline::take`]
//! alone, so it is retried or set aside exactly as it would have been on its own. Should
//! the transaction itself fail (begin, a savepoint, the commit), nothing of the group was
//! recorded, and every message goes through [`MailPipeline::take`] alone.
//!
//! A mail's last writes go with the next mail's first statement (`store/later.rs`). If one
//! fails there, the next mail cannot undo it and the transaction breaks: the group is
//! recorded again in a new one, each mail's writes sent before the next mail begins, so the
//! mail they belong to is undone alone and its neighbours still share one commit. A source still
//! acknowledges a message only once [`MailPipeline::take_group`] has returned it as
//! recorded, so after the commit.

use super::{MailPipeline, Prepared, Recorded, Taken};
use crate::inbound::retry::FAILURES_TO_END_PASS;
use crate::store::{Savepoint, StoreError, Tx};
use futures_util::FutureExt as _;
use futures_util::future::join_all;
use std::panic::AssertUnwindSafe;

/// How many messages a source hands over at most: the group holds SQLite's write lock
/// for as long as its messages take (a few milliseconds each), and the web's writers wait
/// behind it.
pub const GROUP_SIZE: usize = 64;

/// A message from a source.
#[derive(Debug, Clone, Copy)]
pub struct Incoming<'a> {
    pub raw: &'a [u8],
    /// "imap", "maildir", "file".
    pub source: &'a str,
    /// How many times it failed before, as far as the source knows.
    pub failures: u32,
}

impl MailPipeline {
    /// [`MailPipeline::take`] for each message, in order, with the messages that go through
    /// recorded in one transaction. Hand over at most [`GROUP_SIZE`] at a time.
    ///
    /// After [`FAILURES_TO_END_PASS`] failures in a row that should pass (the database is
    /// likely down), the messages after are not tried: the answer is shorter than
    /// `messages`, and those left keep their place at the source.
    pub async fn take_group(&self, messages: &[Incoming<'_>]) -> Vec<Taken> {
        let mut taken: Vec<Option<Taken>> = Vec::with_capacity(messages.len());
        if messages.len() > 1 {
            taken = self.record_group(messages).await;
        }
        taken.resize_with(messages.len(), || None);
        let mut out = Vec::with_capacity(messages.len());
        let mut failed_in_a_row = 0;
        for (message, done) in messages.iter().zip(taken) {
            let done = match done {
                Some(done) => done,
                None if failed_in_a_row >= FAILURES_TO_END_PASS => break,
                None => self.take(message.raw, message.source, message.failures).await,
            };
            failed_in_a_row = match done {
                Taken::Later(_) => failed_in_a_row + 1,
                Taken::Recorded(_) => 0,
            };
            out.push(done);
        }
        out
    }

    /// The group's transaction: `Some` for each message recorded and committed, `None` for
    /// each to take alone.
    async fn record_group(&self, messages: &[Incoming<'_>]) -> Vec<Option<Taken>> {
        // The DNS lookups of the group's senders wait together: a slow resolver delays the
        // group by one check's timeout, not one per message. A reading that panics is left
        // to `take`, which sets the message aside.
        let prepared: Vec<Option<Prepared>> = join_all(
            messages
                .iter()
                .map(|message| AssertUnwindSafe(self.prepare(message.raw)).catch_unwind()),
        )
        .await
        .into_iter()
        .map(Result::ok)
        .collect();
        let recorded = match self.record_in_one(messages, &prepared, Writes::WithNextMessage).await {
            Err(Lost::Broken) => {
                tracing::warn!(
                    "a write of a group of mails failed: the group is recorded again, each mail's writes apart"
                );
                self.record_in_one(messages, &prepared, Writes::BeforeNextMessage).await
            }
            other => other,
        };
        let Ok(recorded) = recorded else {
            return Vec::new();
        };
        messages
            .iter()
            .zip(recorded)
            .map(|(message, recorded)| {
                recorded.map(|recorded| {
                    recorded.log(message.source);
                    Taken::Recorded(recorded.outcome)
                })
            })
            .collect()
    }

    /// The group in one transaction, committed: `Some` for each message recorded, `None`
    /// for each undone. `Err` when nothing was recorded.
    async fn record_in_one(
        &self,
        messages: &[Incoming<'_>],
        prepared: &[Option<Prepared>],
        writes: Writes,
    ) -> Result<Vec<Option<Recorded>>, Lost> {
        let mut tx = match self.workflow.store().begin().await {
            Ok(tx) => tx,
            Err(e) => {
                tracing::warn!(error = %e, "a group of mails could not begin: each is taken alone");
                return Err(Lost::Other);
            }
        };
        let mut recorded: Vec<Option<Recorded>> = Vec::with_capacity(messages.len());
        for (message, prepared) in messages.iter().zip(prepared) {
            let Some(prepared) = prepared else {
                recorded.push(None);
                continue;
            };
            match self.record_one(&mut tx, prepared, message, writes).await {
                Ok(done) => recorded.push(done),
                Err(lost) => {
                    if lost == Lost::Other {
                        tracing::warn!("a group of mails lost its transaction: each is taken alone");
                    }
                    return Err(lost);
                }
            }
        }
        match tx.commit().await {
            Ok(()) => Ok(recorded),
            Err(e) => {
                tracing::warn!(error = %e, "a group of mails could not commit: each is taken alone");
                Err(Lost::from(e))
            }
        }
    }

    /// One message under its savepoint: `Ok(Some)` recorded, `Ok(None)` failed and undone,
    /// `Err` when the transaction can no longer be trusted.
    async fn record_one(
        &self,
        tx: &mut Tx,
        prepared: &Prepared,
        message: &Incoming<'_>,
        writes: Writes,
    ) -> Result<Option<Recorded>, Lost> {
        tx.savepoint_at(Savepoint::MESSAGE).await.map_err(Lost::from)?;
        let attempt = AssertUnwindSafe(self.record(tx, prepared, message.raw, message.source))
            .catch_unwind()
            .await;
        match attempt {
            Ok(Ok(recorded)) => {
                if writes == Writes::BeforeNextMessage && !tx.send_due_since(Savepoint::MESSAGE).await? {
                    return Ok(None);
                }
                tx.release(Savepoint::MESSAGE).await?;
                Ok(Some(recorded))
            }
            Ok(Err(_)) | Err(_) => {
                // Its error is met again, and reported, when it is taken alone.
                tx.rollback_to(Savepoint::MESSAGE).await?;
                Ok(None)
            }
        }
    }
}

/// When a mail's writes that wait for a later statement ([`Tx::write_later`]) are sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Writes {
    /// With the next mail's first statement: one trip fewer per mail. A write that fails
    /// then breaks the transaction, since the next mail cannot undo it.
    WithNextMessage,
    /// Before the next mail begins, in a trip of their own: a write that fails is undone
    /// with its own mail.
    BeforeNextMessage,
}

/// Why a group's transaction recorded nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lost {
    /// A write sent with a later statement failed ([`StoreError::Broken`]): recorded
    /// again with [`Writes::BeforeNextMessage`], the mail it belongs to is undone alone.
    Broken,
    /// Anything else (the database, begin, a savepoint, the commit): each is taken alone.
    Other,
}

impl From<StoreError> for Lost {
    fn from(e: StoreError) -> Lost {
        if matches!(e, StoreError::Broken(_)) {
            Lost::Broken
        } else {
            Lost::Other
        }
    }
}
