//! Group commit of webhooks on SQLite. SQLite lets one transaction write at a time, and
//! each commit waits for the disk: SMS that arrive together, one webhook call each, would
//! otherwise queue for the write lock one by one, a disk wait each.
//!
//! Each call puts its SMS in a queue and waits for its answer or for the writer's turn.
//! The call that gets the turn takes up to [`GROUP_SIZE`] waiting SMS (its own among them)
//! and hands them to a task that writes them in one transaction, each under a savepoint of
//! its own, and answers each call after the commit. The task is not the caller's future: a
//! call that gives up (its gateway's bound) does not take its neighbours' work with it.
//!
//! An SMS whose work fails is undone back to its savepoint, and its call takes it alone,
//! after the commit, through the ordinary path, so it is retried or set aside exactly as
//! it would have been. Should the transaction itself fail (begin, a savepoint, the
//! commit, a panic of the task), nothing of the group was kept, and each call takes its
//! SMS alone. So it is when an SMS's last write, sent with the next SMS's first statement
//! (`store/later.rs`), fails: the next SMS cannot undo it, and the transaction breaks. A
//! call whose gateway's bound passed while it waited is left out: its gateway sends it
//! again.

use super::{InboundSms, SmsAnswer, SmsPipeline};
use crate::store::{Savepoint, Tx};
use futures_util::FutureExt as _;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::oneshot;
use tokio::time::Instant;

/// The most SMS written in one transaction: the group holds SQLite's write lock while its
/// SMS are read and acted on (well under a millisecond each).
pub const GROUP_SIZE: usize = 64;

/// The SMS waiting for the writer, and the writer's turn.
#[derive(Debug, Default)]
pub(super) struct Groups {
    waiting: Mutex<Vec<Waiting>>,
    turn: Arc<tokio::sync::Mutex<()>>,
    /// How many SMS are queued or in a group being written.
    unanswered: AtomicUsize,
    /// How many groups were committed.
    committed: AtomicU64,
}

/// An SMS in the queue: its call waits on `answer`, `None` meaning "take it alone".
#[derive(Debug)]
struct Waiting {
    sms: OwnedSms,
    deadline: Instant,
    answer: oneshot::Sender<Option<SmsAnswer>>,
}

/// [`InboundSms`] owned, for the writer task.
#[derive(Debug)]
struct OwnedSms {
    gateway: String,
    gateway_id: String,
    from: String,
    to: String,
    text: String,
}

impl OwnedSms {
    fn of(sms: &InboundSms<'_>) -> OwnedSms {
        OwnedSms {
            gateway: sms.gateway.to_string(),
            gateway_id: sms.gateway_id.to_string(),
            from: sms.from.to_string(),
            to: sms.to.to_string(),
            text: sms.text.to_string(),
        }
    }

    fn borrowed(&self) -> InboundSms<'_> {
        InboundSms {
            gateway: &self.gateway,
            gateway_id: &self.gateway_id,
            from: &self.from,
            to: &self.to,
            text: &self.text,
        }
    }
}

impl Groups {
    fn queue(&self) -> std::sync::MutexGuard<'_, Vec<Waiting>> {
        // Nothing panics while the queue is held: a poisoned lock still holds a sound list.
        self.waiting.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) fn waiting(&self) -> usize {
        self.unanswered.load(Ordering::Relaxed)
    }

    /// How many groups were committed since the pipeline was made.
    pub(super) fn committed(&self) -> u64 {
        self.committed.load(Ordering::Relaxed)
    }
}

impl SmsPipeline {
    /// `sms` handled and committed with the others that wait at the same time: its answer,
    /// or `None` when it must be taken alone (its work failed, or the group's transaction).
    pub(super) async fn in_group(&self, sms: &InboundSms<'_>, deadline: Instant) -> Option<SmsAnswer> {
        let (sender, mut answer) = oneshot::channel();
        self.groups.unanswered.fetch_add(1, Ordering::Relaxed);
        self.groups.queue().push(Waiting {
            sms: OwnedSms::of(sms),
            deadline,
            answer: sender,
        });
        // Until this SMS is answered, the call takes the writer's turn whenever it comes.
        // Calls usually wait for the turn in the order they queued, so the one that gets
        // it finds its own SMS in the group it hands over; but two calls may queue in one
        // order and wait in the other, and then its SMS is in a later group, which no
        // other call may be left to take.
        loop {
            let turn = tokio::select! {
                biased;
                given = &mut answer => return given.ok().flatten(),
                turn = self.groups.turn.clone().lock_owned() => turn,
            };
            let group: Vec<Waiting> = {
                let mut queue = self.groups.queue();
                let n = queue.len().min(GROUP_SIZE);
                queue.drain(..n).collect()
            };
            // An empty queue: this SMS went in a group before, whose task answered it
            // before giving the turn back; the answer is there at the next look.
            if !group.is_empty() {
                let pipeline = self.clone();
                tokio::spawn(async move {
                    let n = group.len();
                    pipeline.write_group(group).await;
                    pipeline.groups.unanswered.fetch_sub(n, Ordering::Relaxed);
                    drop(turn);
                });
            }
        }
    }

    /// The group's transaction; each call is answered after the commit. A call left
    /// without an answer (its sender dropped) takes its SMS alone.
    async fn write_group(&self, group: Vec<Waiting>) {
        let group: Vec<Waiting> = group.into_iter().filter(|w| !w.answer.is_closed()).collect();
        let Some(latest) = group.iter().map(|w| w.deadline).max() else {
            return;
        };
        let store = self.workflow.store();
        let mut tx = match store
            .begin_within(latest.saturating_duration_since(Instant::now()))
            .await
        {
            Ok(tx) => tx,
            Err(e) => {
                tracing::warn!(error = %e, "a group of sms could not begin: each is taken alone");
                return;
            }
        };
        let now = self.workflow.clock().now();
        let mut written = Vec::with_capacity(group.len());
        for waiting in group {
            match self.write_one(&mut tx, &waiting.sms.borrowed(), now).await {
                Ok(answer) => written.push((waiting, answer)),
                Err(()) => {
                    tracing::warn!("a group of sms lost its transaction: each is taken alone");
                    return;
                }
            }
        }
        if let Err(e) = tx.commit().await {
            tracing::warn!(error = %e, "a group of sms could not commit: each is taken alone");
            return;
        }
        self.groups.committed.fetch_add(1, Ordering::Relaxed);
        for (waiting, answer) in written {
            if let Some(answer) = &answer {
                tracing::info!(gateway = waiting.sms.gateway, outcome = %answer.outcome, "sms processed");
            }
            // A call that gave up in the meantime: its gateway's retry finds the answer.
            let _ = waiting.answer.send(answer);
        }
    }

    /// One SMS under its savepoint: `Ok(Some)` written, `Ok(None)` failed and undone,
    /// `Err` when the transaction can no longer be trusted.
    async fn write_one(
        &self,
        tx: &mut Tx,
        sms: &InboundSms<'_>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Option<SmsAnswer>, ()> {
        tx.savepoint_at(Savepoint::MESSAGE).await.map_err(|_| ())?;
        match AssertUnwindSafe(self.claim_and_handle(tx, sms, now))
            .catch_unwind()
            .await
        {
            Ok(Ok(answer)) => {
                tx.release(Savepoint::MESSAGE).await.map_err(|_| ())?;
                Ok(Some(answer))
            }
            // Its error is met again, and reported, when it is taken alone.
            Ok(Err(_)) | Err(_) => {
                tx.rollback_to(Savepoint::MESSAGE).await.map_err(|_| ())?;
                Ok(None)
            }
        }
    }
}
