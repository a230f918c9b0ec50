//! What each request command decides: the new status and fields, the changes to record
//! and the notices to queue. `Workflow::apply` (in `requests.rs`) loads, checks and writes.

use super::{Outcome, local_to_utc, new_code};
use crate::domain::history::{Change, diff_details};
use crate::domain::ids::PersonId;
use crate::domain::request::{
    Cancellation, CancellationReason, Event, Field, FieldError, Problem, RecordContext, Request, RequestDetails,
    RequestStatus, ServiceRecord, is_late_cancellation,
};
use crate::domain::role::{ActorKind, Channel};
use crate::store::Tx;
use crate::store::requests::OfferStatus;
use crate::workflow::notify::{self, Notice, NoticeKind};
use crate::workflow::{Actor, Workflow, WorkflowError};
use chrono::{DateTime, Utc};

impl Workflow {
    pub(super) async fn submit(
        &self,
        tx: &mut Tx,
        actor: Actor,
        request: &mut Request,
        now: DateTime<Utc>,
    ) -> Result<Outcome, WorkflowError> {
        request.status = request.status.apply(Event::Submit, actor.kind)?;
        self.assign_number(tx, request, now).await?;
        request.submitted_at = Some(now);
        let mut o = Outcome::new("submit");
        o.notices
            .push(Notice::new(request.requested_by, NoticeKind::RequestReceived));
        Ok(o)
    }

    /// `None` when the new details are the old ones.
    pub(super) async fn modify(
        &self,
        tx: &mut Tx,
        actor: Actor,
        request: &mut Request,
        details: RequestDetails,
        now: DateTime<Utc>,
    ) -> Result<Option<Outcome>, WorkflowError> {
        self.check_details(tx, &details, Some(&request.details), now).await?;
        if actor.kind == ActorKind::Requester
            && details.installation_id != request.details.installation_id
            && !self.works_at(tx, actor, details.installation_id).await?
        {
            return Err(WorkflowError::Invalid(vec![FieldError::new(
                Field::Installation,
                Problem::Unknown,
            )]));
        }
        let changes = diff_details(&request.details, &details);
        if changes.is_empty() {
            return Ok(None);
        }
        request.status = request.status.apply(Event::Modify, actor.kind)?;
        request.establishment_id = tx.installation(details.installation_id).await?.establishment_id;
        request.starts_at = local_to_utc(self.config.time_zone, details.starts_at_local());
        request.details = details;
        let mut o = Outcome::new("modify");
        o.changes = changes;
        if let Some(interpreter) = request.assigned_interpreter {
            o.notices.push(Notice::new(interpreter, NoticeKind::RequestModified));
        }
        if actor.person != Some(request.requested_by) && request.status != RequestStatus::Draft {
            o.notices
                .push(Notice::new(request.requested_by, NoticeKind::RequestChanged));
        }
        Ok(Some(o))
    }

    pub(super) async fn offer(
        &self,
        tx: &mut Tx,
        actor: Actor,
        request: &mut Request,
        interpreters: Vec<PersonId>,
        expires_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<Outcome, WorkflowError> {
        let id = request.id;
        request.status = request.status.apply(Event::Offer, actor.kind)?;
        let pending: Vec<PersonId> = tx
            .offers_of_request(id)
            .await?
            .into_iter()
            .filter(|o| o.status == OfferStatus::Pending)
            .map(|o| o.interpreter_id)
            .collect();
        let mut o = Outcome::new("offer");
        // Without a deadline of its own, the offer gets one that fits how soon it is.
        let expires_at = expires_at.or_else(|| {
            Some(crate::domain::request::deadline::answer_by(
                now,
                request.starts_at,
                self.config.offer_expiry_hours,
            ))
        });
        for interpreter in interpreters {
            self.check_can_be_offered(tx, interpreter, request.establishment_id)
                .await?;
            if pending.contains(&interpreter) {
                continue;
            }
            let taken = tx.codes_in_use(interpreter).await?;
            tx.insert_offer(id, interpreter, now, expires_at, &new_code(&taken))
                .await?;
            o.changes.push(Change::new("offered_to", None::<i64>, interpreter));
            o.notices.push(Notice::new(interpreter, NoticeKind::RequestOffered));
        }
        if o.changes.is_empty() {
            return Err(WorkflowError::BadCommand(
                "every interpreter named already has a pending offer",
            ));
        }
        // The requester who asked for it hears that their request is offered.
        if tx
            .requester_profile(request.requested_by)
            .await?
            .is_some_and(|p| p.notify_when_offered)
        {
            o.notices.push(Notice::new(request.requested_by, NoticeKind::OfferSent));
        }
        Ok(o)
    }

    pub(super) async fn accept(
        &self,
        tx: &mut Tx,
        actor: Actor,
        request: &mut Request,
        now: DateTime<Utc>,
    ) -> Result<Outcome, WorkflowError> {
        let id = request.id;
        let me = actor
            .person
            .ok_or(WorkflowError::Forbidden("an interpreter must be named"))?;
        let to = request.status.apply(Event::Accept, actor.kind)?;
        let mut o = Outcome::new("accept");
        if request.status == RequestStatus::Offered {
            tx.close_pending_offers(id, Some(me), OfferStatus::Accepted, now)
                .await?;
            for other in tx.close_pending_offers(id, None, OfferStatus::Withdrawn, now).await? {
                o.notices.push(Notice::new(other, NoticeKind::OfferFilled));
            }
            o.changes
                .push(Change::new("assigned_interpreter", request.assigned_interpreter, me));
            request.assigned_interpreter = Some(me);
        }
        request.status = to;
        request.booked_at = Some(now);
        o.notices
            .push(Notice::new(request.requested_by, NoticeKind::RequestBooked));
        o.notices.push(Notice::new(me, NoticeKind::AssignmentConfirmed));
        Ok(o)
    }

    /// A refused offer, or a refused modification (which unassigns the interpreter).
    pub(super) async fn decline(
        &self,
        tx: &mut Tx,
        actor: Actor,
        request: &mut Request,
        now: DateTime<Utc>,
    ) -> Result<Outcome, WorkflowError> {
        let id = request.id;
        let me = actor
            .person
            .ok_or(WorkflowError::Forbidden("an interpreter must be named"))?;
        let mut o = Outcome::new("decline");
        if request.status == RequestStatus::Offered {
            // Check the transition first so a refusal never half-applies.
            let to = request.status.apply(Event::Decline, actor.kind)?;
            tx.close_pending_offers(id, Some(me), OfferStatus::Declined, now)
                .await?;
            let still_pending = tx
                .offers_of_request(id)
                .await?
                .iter()
                .any(|offer| offer.status == OfferStatus::Pending);
            if !still_pending {
                request.status = to;
                o.notices
                    .push(Notice::new(request.requested_by, NoticeKind::DeclinedStillLooking));
            }
            o.changes.push(Change::new("declined_by", None::<i64>, me));
            o.notices
                .extend(notify::to_coordinators(tx, NoticeKind::OfferDeclined).await?);
        } else {
            request.status = request.status.apply(Event::Decline, actor.kind)?;
            interpreter_leaves(tx, request, &mut o).await?;
        }
        Ok(o)
    }

    pub(super) async fn lapse(
        &self,
        tx: &mut Tx,
        actor: Actor,
        request: &mut Request,
        now: DateTime<Utc>,
    ) -> Result<Outcome, WorkflowError> {
        request.status = request.status.apply(Event::OffersLapsed, actor.kind)?;
        let lapsed = tx
            .close_pending_offers(request.id, None, OfferStatus::Lapsed, now)
            .await?;
        let mut o = Outcome::new("offers_lapsed");
        o.changes
            .push(Change::new("lapsed_offers", None::<i64>, lapsed.clone()));
        // Each interpreter who let it lapse is told, with the invite that takes the
        // pencilled event off their calendar.
        for interpreter in lapsed {
            o.notices.push(Notice::new(interpreter, NoticeKind::OfferExpired));
        }
        o.notices
            .extend(notify::to_coordinators(tx, NoticeKind::OffersLapsed).await?);
        o.notices
            .push(Notice::new(request.requested_by, NoticeKind::LapsedStillLooking));
        Ok(o)
    }

    pub(super) async fn withdraw(
        &self,
        tx: &mut Tx,
        actor: Actor,
        request: &mut Request,
    ) -> Result<Outcome, WorkflowError> {
        request.status = request.status.apply(Event::Withdraw, actor.kind)?;
        let mut o = Outcome::new("withdraw");
        if actor.kind == ActorKind::Coordinator
            && let Some(interpreter) = request.assigned_interpreter
        {
            o.notices.push(Notice::new(interpreter, NoticeKind::AssignmentRemoved));
        }
        interpreter_leaves(tx, request, &mut o).await?;
        Ok(o)
    }

    pub(super) async fn cancel(
        &self,
        tx: &mut Tx,
        actor: Actor,
        request: &mut Request,
        reason: CancellationReason,
        detail: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<Outcome, WorkflowError> {
        let was = request.status;
        request.status = request.status.apply(Event::Cancel, actor.kind)?;
        let late = is_late_cancellation(
            request.booked_at,
            request.starts_at,
            now,
            self.config.late_cancellation_hours,
        );
        request.cancellation = Some(Cancellation {
            reason,
            detail,
            at: now,
            late,
        });
        let mut o = Outcome::new("cancel");
        o.changes
            .push(Change::new("cancellation_reason", None::<&str>, reason.as_str()));
        o.changes.push(Change::new("late_cancellation", None::<bool>, late));
        for interpreter in tx
            .close_pending_offers(request.id, None, OfferStatus::Withdrawn, now)
            .await?
        {
            o.notices.push(Notice::new(interpreter, NoticeKind::RequestCancelled));
        }
        if let Some(interpreter) = request.assigned_interpreter {
            o.notices.push(Notice::new(interpreter, NoticeKind::RequestCancelled));
        }
        if was != RequestStatus::Draft {
            o.notices
                .extend(notify::to_coordinators(tx, NoticeKind::RequestCancelled).await?);
        }
        // The requester is told unless they cancelled themselves; a booking they cancelled
        // on the web or by a link is told too, for the invite that takes it off their
        // calendar (by mail, the answer to their reply carries it).
        let booked = request.booked_at.is_some();
        let by_them = actor.person == Some(request.requested_by);
        if was != RequestStatus::Draft && (!by_them || (booked && actor.channel != Channel::Email)) {
            o.notices
                .push(Notice::new(request.requested_by, NoticeKind::RequestCancelled));
        }
        Ok(o)
    }

    /// A new or corrected service record, once it is time and the record holds together.
    pub(super) async fn record_service(
        &self,
        tx: &mut Tx,
        actor: Actor,
        request: &mut Request,
        record: ServiceRecord,
        now: DateTime<Utc>,
    ) -> Result<Outcome, WorkflowError> {
        let was = request.status;
        request.status = request.status.apply(Event::RecordService, actor.kind)?;
        if now < request.starts_at {
            return Err(WorkflowError::TooEarly);
        }
        if was == RequestStatus::Cancelled && request.booked_at.is_none() {
            return Err(WorkflowError::BadCommand("nobody was booked for this request"));
        }
        let local_now = now.with_timezone(&self.config.time_zone).naive_local();
        let problems = record.problems(&RecordContext {
            request_type: request.details.request_type,
            appointment: request.details.starts_at_local(),
            scheduled_minutes: request.details.duration_minutes,
            now: local_now,
        });
        if !problems.is_empty() {
            return Err(WorkflowError::InvalidRecord(problems));
        }
        let previous = tx.service_record(request.id).await?;
        tx.upsert_service_record(request.id, &record, actor.person, now).await?;
        let mut o = Outcome::new(if previous.is_some() {
            "correct_service_record"
        } else {
            "record_service"
        });
        o.changes = record_changes(previous.as_ref(), &record);
        if request.status == RequestStatus::ServiceRendered {
            // A new or corrected record: the requester validates what is there now,
            // with 48 hours from now.
            request.service_recorded_at = Some(now);
            request.service_contested_at = None;
            o.notices
                .push(Notice::new(request.requested_by, NoticeKind::ServiceRecorded));
        }
        Ok(o)
    }

    pub(super) async fn contest(
        &self,
        tx: &mut Tx,
        actor: Actor,
        request: &mut Request,
        reason: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<Outcome, WorkflowError> {
        request.status = request.status.apply(Event::Contest, actor.kind)?;
        request.service_contested_at = Some(now);
        tx.set_contest_note(request.id, reason.as_deref()).await?;
        let mut o = Outcome::new("contest");
        o.changes
            .push(Change::new("contested", None::<&str>, reason.as_deref()));
        o.notices
            .extend(notify::to_coordinators(tx, NoticeKind::ServiceContested).await?);
        Ok(o)
    }
}

/// What a service record changes, against the one it replaces (if any).
fn record_changes(previous: Option<&ServiceRecord>, record: &ServiceRecord) -> Vec<Change> {
    vec![
        Change::new("completed", previous.map(|p| p.completed), record.completed),
        Change::new(
            "interpreter_present",
            previous.map(|p| p.interpreter_present),
            record.interpreter_present,
        ),
        Change::new(
            "worked_minutes",
            previous.and_then(ServiceRecord::worked_minutes),
            record.worked_minutes(),
        ),
    ]
}

pub(super) fn validate(actor: Actor, request: &mut Request) -> Result<Outcome, WorkflowError> {
    request.status = request.status.apply(Event::Validate, actor.kind)?;
    let mut o = Outcome::new("validate");
    if let Some(interpreter) = request.assigned_interpreter {
        o.notices.push(Notice::new(interpreter, NoticeKind::ServiceValidated));
    }
    if actor.kind == ActorKind::System {
        o.notices
            .push(Notice::new(request.requested_by, NoticeKind::AutoValidated));
    }
    Ok(o)
}

pub(super) fn close(actor: Actor, request: &mut Request, now: DateTime<Utc>) -> Result<Outcome, WorkflowError> {
    request.status = request.status.apply(Event::Close, actor.kind)?;
    request.closed_at = Some(now);
    let mut o = Outcome::new("close");
    if let Some(interpreter) = request.assigned_interpreter {
        o.notices.push(Notice::new(interpreter, NoticeKind::RequestClosed));
    }
    o.notices
        .push(Notice::new(request.requested_by, NoticeKind::RequestClosed));
    Ok(o)
}

/// The booked interpreter leaves the request (they declined or withdrew, or a coordinator
/// took them off): the request loses its interpreter and its booking time, and the
/// coordinators and the requester are told.
async fn interpreter_leaves(tx: &mut Tx, request: &mut Request, o: &mut Outcome) -> Result<(), WorkflowError> {
    o.changes.push(Change::new(
        "assigned_interpreter",
        request.assigned_interpreter,
        None::<i64>,
    ));
    request.assigned_interpreter = None;
    request.booked_at = None;
    o.notices
        .extend(notify::to_coordinators(tx, NoticeKind::InterpreterWithdrew).await?);
    o.notices
        .push(Notice::new(request.requested_by, NoticeKind::InterpreterWithdrew));
    Ok(())
}
