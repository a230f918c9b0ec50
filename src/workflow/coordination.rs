//! Chasing answers so no request waits unseen: one reminder for an unanswered offer, then
//! the offers lapse and the request goes back to the coordinators; the interpreter is
//! reminded of the appointment the day before; coordinators get their digest at the
//! configured times. (Asking for the service record after the appointment comes with the
//! service-record form: `Tx::records_to_ask` is ready for it.)
//!
//! Every step is guarded in the database (a `reminded_at` column set with a conditional
//! update, a `scheduled_runs` row per digest slot) in the same transaction as the message
//! it queues, so several processes never send a reminder or a digest twice.

use super::notify::{self, Notice, NoticeKind};
use super::{Actor, Command, Workflow, WorkflowError};
use crate::domain::daily_slots::DailySlots;
use crate::domain::ids::{PersonId, RequestId};
use crate::domain::request::RequestStatus;
use crate::domain::role::Role;
use crate::store::outbox::{NewOutboxMessage, OutboxChannel};
use crate::store::requests::OfferStatus;
use crate::store::{StoreError, Tx};
use chrono::{DateTime, TimeDelta, Utc};
use std::collections::BTreeSet;

/// What one round of chasing did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChaseReport {
    pub offers_reminded: usize,
    pub requests_lapsed: usize,
    pub appointments_reminded: usize,
    /// Requesters told that nobody can take their request.
    pub requesters_told: usize,
    /// Requests offered to the next tier of candidates.
    pub escalated: usize,
    /// Interpreters asked to record a service that has ended.
    pub records_asked: usize,
}

/// The digest is caught up for at most this long after its slot.
pub const DIGEST_LOOKBACK: TimeDelta = TimeDelta::hours(12);
/// The scheduled job's name in `scheduled_runs`.
pub const DIGEST_JOB: &str = "digest";

impl Workflow {
    /// One round: lapses, escalations, offer and appointment reminders, service-record
    /// requests, and requesters told nobody can take theirs. Each step commits its own
    /// transactions, request by request.
    pub async fn chase(&self) -> Result<ChaseReport, WorkflowError> {
        let now = self.clock.now();
        let mut report = ChaseReport::default();
        self.lapse_expired_offers(now, &mut report).await?;
        self.escalate_stale_offers(now, &mut report).await?;
        self.remind_offers(now, &mut report).await?;
        self.remind_appointments(now, &mut report).await?;
        self.ask_for_records(now, &mut report).await?;
        self.tell_nobody_can_take(now, &mut report).await?;
        Ok(report)
    }

    /// Offers unanswered past their deadline lapse.
    async fn lapse_expired_offers(&self, now: DateTime<Utc>, report: &mut ChaseReport) -> Result<(), WorkflowError> {
        let hours = |h: u32| TimeDelta::hours(i64::from(h));
        // Offers unanswered past their deadline, request by request, when every pending
        // offer of the request is due (a later broadcast keeps its own time).
        let legacy_cutoff = now - hours(self.config.offer_expiry_hours);
        let expired = {
            let mut tx = self.store.begin_read().await?;
            let due = tx.pending_offers_due(now, legacy_cutoff).await?;
            tx.commit().await?;
            due.into_iter().map(|o| o.request).collect::<BTreeSet<RequestId>>()
        };
        for request in expired {
            let mut tx = self.store.begin().await?;
            let all_due = tx
                .offers_of_request(request)
                .await?
                .iter()
                .filter(|o| o.status == OfferStatus::Pending)
                .all(|o| match o.expires_at {
                    Some(deadline) => deadline <= now,
                    None => o.created_at < legacy_cutoff,
                });
            if !all_due {
                tx.commit().await?;
                continue;
            }
            match self
                .execute_in(&mut tx, Actor::system(), Command::LapseOffers { request })
                .await
            {
                Ok(_) => report.requests_lapsed += 1,
                Err(WorkflowError::Transition(_)) | Err(WorkflowError::Conflict(_)) => {}
                Err(e) => return Err(e),
            }
            tx.commit().await?;
        }
        Ok(())
    }

    /// Offers waiting too long go to the next tier of candidates too.
    async fn escalate_stale_offers(&self, now: DateTime<Utc>, report: &mut ChaseReport) -> Result<(), WorkflowError> {
        let hours = |h: u32| TimeDelta::hours(i64::from(h));
        // Offers waiting too long: the next tier of candidates gets the request too.
        if self.config.escalate_after_hours > 0 {
            let cutoff = now - hours(self.config.escalate_after_hours);
            let stale = {
                let mut tx = self.store.begin_read().await?;
                let old = tx.pending_offers_before(cutoff).await?;
                tx.commit().await?;
                old.into_iter().map(|o| o.request).collect::<BTreeSet<RequestId>>()
            };
            for id in stale {
                let mut tx = self.store.begin().await?;
                // Under the request's lock: another process may have escalated already.
                let request = tx.request_for_update(id).await?;
                let all_stale = tx
                    .offers_of_request(id)
                    .await?
                    .iter()
                    .filter(|o| o.status == OfferStatus::Pending)
                    .all(|o| o.created_at < cutoff);
                let next: Vec<_> = if all_stale && request.status == crate::domain::request::RequestStatus::Offered {
                    super::matching::shortlist_in(&mut tx, &request, now, self.config.tier_size)
                        .await?
                        .ranked
                        .into_iter()
                        .map(|r| r.person)
                        .collect()
                } else {
                    Vec::new()
                };
                if !next.is_empty() {
                    let command = Command::OfferRequest {
                        request: id,
                        interpreters: next,
                        expires_at: None,
                    };
                    match self.execute_in(&mut tx, Actor::system(), command).await {
                        Ok(_) => report.escalated += 1,
                        Err(WorkflowError::Transition(_))
                        | Err(WorkflowError::Conflict(_))
                        | Err(WorkflowError::BadCommand(_)) => {}
                        Err(e) => return Err(e),
                    }
                }
                tx.commit().await?;
            }
        }
        Ok(())
    }

    /// One reminder per unanswered offer.
    async fn remind_offers(&self, now: DateTime<Utc>, report: &mut ChaseReport) -> Result<(), WorkflowError> {
        let hours = |h: u32| TimeDelta::hours(i64::from(h));
        // One reminder per offer, halfway (by default) to its expiry.
        let due = {
            let mut tx = self.store.begin_read().await?;
            let due = tx
                .pending_offers_before(now - hours(self.config.offer_reminder_hours))
                .await?;
            tx.commit().await?;
            due
        };
        for offer in due.into_iter().filter(|o| !o.reminded) {
            let mut tx = self.store.begin().await?;
            if tx.mark_offer_reminded(offer.offer, now).await? {
                let request = tx.request(offer.request).await?;
                notify::queue(
                    &mut tx,
                    &request,
                    &[Notice::new(offer.interpreter, NoticeKind::OfferReminder)],
                    now,
                )
                .await?;
                report.offers_reminded += 1;
            }
            tx.commit().await?;
        }
        Ok(())
    }

    /// The interpreter reminded of the appointment the day before.
    async fn remind_appointments(&self, now: DateTime<Utc>, report: &mut ChaseReport) -> Result<(), WorkflowError> {
        let hours = |h: u32| TimeDelta::hours(i64::from(h));
        // The day before: remind the interpreter.
        let soon = {
            let mut tx = self.store.begin_read().await?;
            let ids = tx
                .appointments_to_remind(now, now + hours(self.config.appointment_reminder_hours))
                .await?;
            tx.commit().await?;
            ids
        };
        for id in soon {
            let mut tx = self.store.begin().await?;
            let request = tx.request(id).await?;
            if let Some(interpreter) = request.assigned_interpreter
                && tx.mark_interpreter_reminded(id, now).await?
            {
                notify::queue(
                    &mut tx,
                    &request,
                    &[Notice::new(interpreter, NoticeKind::AppointmentReminder)],
                    now,
                )
                .await?;
                report.appointments_reminded += 1;
            }
            tx.commit().await?;
        }
        Ok(())
    }

    /// The interpreter asked for the service record once the appointment is over.
    async fn ask_for_records(&self, now: DateTime<Utc>, report: &mut ChaseReport) -> Result<(), WorkflowError> {
        // The appointment is over: ask the interpreter for the service record, once. A week
        // back at most: older ones are the coordinators' to chase (they see them booked).
        let ended = {
            let mut tx = self.store.begin_read().await?;
            let rows = tx.records_to_ask(now - TimeDelta::days(7), now).await?;
            tx.commit().await?;
            rows
        };
        for (id, starts_at, minutes) in ended {
            if starts_at + TimeDelta::minutes(minutes) > now {
                continue;
            }
            let mut tx = self.store.begin().await?;
            let request = tx.request(id).await?;
            if request.status == RequestStatus::Booked
                && let Some(interpreter) = request.assigned_interpreter
                && tx.mark_record_asked(id, now).await?
            {
                notify::queue(
                    &mut tx,
                    &request,
                    &[Notice::new(interpreter, NoticeKind::RecordAsk)],
                    now,
                )
                .await?;
                report.records_asked += 1;
            }
            tx.commit().await?;
        }
        Ok(())
    }

    /// Requesters told that nobody can take their request.
    async fn tell_nobody_can_take(&self, now: DateTime<Utc>, report: &mut ChaseReport) -> Result<(), WorkflowError> {
        // Nobody can take it: the requester hears it, with their choices (SeTIS), once per
        // version of the request. Matching runs in a read transaction (writers are not held
        // up); only telling writes, guarded by the version. At most 25 requests a round,
        // soonest first, so the cost of a round stays bounded.
        let waiting = {
            let mut tx = self.store.begin_read().await?;
            let requests = tx.waiting_requests_untold(now, 25).await?;
            let mut nobody = Vec::new();
            for request in requests {
                if super::matching::shortlist_in(&mut tx, &request, now, 1)
                    .await?
                    .ranked
                    .is_empty()
                {
                    nobody.push(request);
                }
            }
            tx.commit().await?;
            nobody
        };
        for request in waiting {
            let mut tx = self.store.begin().await?;
            if tx.mark_no_interpreter_told(request.id, request.version).await? {
                notify::queue(
                    &mut tx,
                    &request,
                    &[Notice::new(request.requested_by, NoticeKind::NoInterpreter)],
                    now,
                )
                .await?;
                report.requesters_told += 1;
            }
            tx.commit().await?;
        }
        Ok(())
    }

    /// Queues a digest for every active coordinator (or only `only`), inside `tx`.
    /// Returns how many were queued. The content is gathered when it is sent.
    pub async fn queue_digests_in(
        &self,
        tx: &mut Tx,
        only: Option<PersonId>,
        label: &str,
    ) -> Result<usize, StoreError> {
        let now = self.clock.now();
        let mut queued = 0;
        for coordinator in tx.people_with_role(Role::Coordinator).await? {
            if only.is_some_and(|p| p != coordinator.id) || !coordinator.active || !coordinator.notify_email {
                continue;
            }
            tx.enqueue(
                &NewOutboxMessage {
                    channel: OutboxChannel::Email,
                    recipient: coordinator.id,
                    request: None,
                    notice: crate::domain::notice::Notice::Digest {
                        slot: label.to_string(),
                    },
                },
                now,
            )
            .await?;
            queued += 1;
        }
        Ok(queued)
    }

    /// Queues the digests on demand (`relais digest`, a coordinator's reply).
    pub async fn queue_digests(&self, only: Option<PersonId>) -> Result<usize, WorkflowError> {
        let mut tx = self.store.begin().await?;
        let n = self.queue_digests_in(&mut tx, only, "on_demand").await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Runs the digest slot that is due, if any and if no process ran it yet. Returns the
    /// slot's key when this call queued it.
    pub async fn run_due_digest(&self, slots: &DailySlots) -> Result<Option<String>, WorkflowError> {
        let now = self.clock.now();
        let Some(slot) = slots.latest(now, DIGEST_LOOKBACK) else {
            return Ok(None);
        };
        let mut tx = self.store.begin().await?;
        if !tx.claim_slot(DIGEST_JOB, &slot.key, now).await? {
            tx.commit().await?;
            return Ok(None);
        }
        let n = self.queue_digests_in(&mut tx, None, &slot.key).await?;
        tx.commit().await?;
        tracing::info!(slot = %slot.key, digests = n, "digest queued");
        Ok(Some(slot.key))
    }
}
