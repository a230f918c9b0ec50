//! Who is told what when a request changes. Notifications are queued in the outbox in
//! the same transaction as the change; the outbound workers render and send them.

use crate::domain::history::Change;
use crate::domain::ids::PersonId;
use crate::domain::notice::{self, RequestFacts};
use crate::domain::person::Person;
use crate::domain::request::Request;
use crate::domain::role::Role;
use crate::store::outbox::{NewOutboxMessage, OutboxChannel};
use crate::store::{StoreError, Tx};
use chrono::{DateTime, Utc};

/// Which notice about a request a change sends (see [`notice::Notice`] for what each says).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    /// Accusé de réception, to the requester.
    RequestReceived,
    /// An offer, to an interpreter: accept or refuse.
    RequestOffered,
    /// The offer went to someone else.
    OfferFilled,
    /// The offer expired unanswered.
    OfferExpired,
    /// To the requester: an interpreter accepted.
    RequestBooked,
    /// To the interpreter: the request changed, accept again.
    RequestModified,
    /// To coordinators: an interpreter refused.
    OfferDeclined,
    /// To coordinators: every offer lapsed unanswered.
    OffersLapsed,
    /// To coordinators and the requester: the interpreter withdrew or refused a modification.
    InterpreterWithdrew,
    /// To the interpreter: a coordinator took the assignment back.
    AssignmentRemoved,
    RequestCancelled,
    /// To the requester: validate or contest the service record.
    ServiceRecorded,
    /// To coordinators: the requester contests the service record.
    ServiceContested,
    /// To the interpreter who accepted: the booking, with its calendar invite.
    AssignmentConfirmed,
    /// To the interpreter: the service record was validated.
    ServiceValidated,
    /// To the interpreter: the coordinator closed the request.
    RequestClosed,
    /// To an interpreter who has not answered their offer yet: once.
    OfferReminder,
    /// To the interpreter, the day before: the appointment (and, if asked, call the user).
    AppointmentReminder,
    /// To the requester: nobody can take the request; their choices.
    NoInterpreter,
    /// To the interpreter, after the appointment: the service record form.
    RecordAsk,
    /// To the requester: the interpreter offered the request refused; the bank looks on.
    DeclinedStillLooking,
    /// To the requester: nobody answered the offers in time; the bank looks on.
    LapsedStillLooking,
    /// To the requester: a coordinator changed the request.
    RequestChanged,
    /// To the requester: the record was validated without their answer.
    AutoValidated,
    /// To the requester who asked for it: their request is offered to an interpreter.
    OfferSent,
}

impl NoticeKind {
    /// The notice of this kind, carrying `facts`.
    fn notice(self, facts: RequestFacts) -> notice::Notice {
        use notice::Notice as N;
        match self {
            NoticeKind::RequestReceived => N::RequestReceived(facts),
            NoticeKind::RequestOffered => N::RequestOffered(facts),
            NoticeKind::OfferFilled => N::OfferFilled(facts),
            NoticeKind::OfferExpired => N::OfferExpired(facts),
            NoticeKind::RequestBooked => N::RequestBooked(facts),
            NoticeKind::RequestModified => N::RequestModified(facts),
            NoticeKind::OfferDeclined => N::OfferDeclined(facts),
            NoticeKind::OffersLapsed => N::OffersLapsed(facts),
            NoticeKind::InterpreterWithdrew => N::InterpreterWithdrew(facts),
            NoticeKind::AssignmentRemoved => N::AssignmentRemoved(facts),
            NoticeKind::RequestCancelled => N::RequestCancelled(facts),
            NoticeKind::ServiceRecorded => N::ServiceRecorded(facts),
            NoticeKind::ServiceContested => N::ServiceContested(facts),
            NoticeKind::AssignmentConfirmed => N::AssignmentConfirmed(facts),
            NoticeKind::ServiceValidated => N::ServiceValidated(facts),
            NoticeKind::RequestClosed => N::RequestClosed(facts),
            NoticeKind::OfferReminder => N::OfferReminder(facts),
            NoticeKind::AppointmentReminder => N::AppointmentReminder(facts),
            NoticeKind::NoInterpreter => N::NoInterpreter(facts),
            NoticeKind::DeclinedStillLooking => N::DeclinedStillLooking(facts),
            NoticeKind::LapsedStillLooking => N::LapsedStillLooking(facts),
            NoticeKind::RequestChanged => N::RequestChanged(facts),
            NoticeKind::AutoValidated => N::AutoValidated(facts),
            NoticeKind::OfferSent => N::OfferSent(facts),
            NoticeKind::RecordAsk => N::RecordForm(notice::RecordForm {
                facts,
                ..Default::default()
            }),
        }
    }

    /// Interpreters act from their phone: what they must answer or know at once goes by SMS too.
    fn also_by_sms(self, recipient: &Person) -> bool {
        recipient.has_role(Role::Interpreter)
            && matches!(
                self,
                NoticeKind::RequestOffered
                    | NoticeKind::AssignmentConfirmed
                    | NoticeKind::OfferFilled
                    | NoticeKind::RequestModified
                    | NoticeKind::AssignmentRemoved
                    | NoticeKind::RequestCancelled
                    | NoticeKind::OfferReminder
                    | NoticeKind::AppointmentReminder
            )
    }
}

/// One person to tell one thing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Notice {
    pub recipient: PersonId,
    pub kind: NoticeKind,
}

impl Notice {
    pub fn new(recipient: PersonId, kind: NoticeKind) -> Notice {
        Notice { recipient, kind }
    }
}

/// Notices for every active coordinator.
pub async fn to_coordinators(tx: &mut Tx, kind: NoticeKind) -> Result<Vec<Notice>, StoreError> {
    Ok(tx
        .people_with_role(Role::Coordinator)
        .await?
        .into_iter()
        .map(|p| Notice::new(p.id, kind))
        .collect())
}

/// The facts a message about `request` may carry: no patient details, no notes, nothing
/// that could reveal health information, so the same payload is safe for SMS.
pub(crate) fn facts(request: &Request) -> RequestFacts {
    let d = &request.details;
    RequestFacts {
        number: request.number.as_ref().map(|n| n.as_str().to_string()),
        status: Some(request.status),
        request_type: Some(d.request_type),
        date: Some(d.date),
        start_time: Some(d.start_time),
        duration_minutes: Some(d.duration_minutes),
        source_language: Some(d.source_language.clone()),
        target_language: Some(d.target_language.clone()),
        installation_id: Some(d.installation_id),
        version: Some(request.version),
        changes: Vec::new(),
    }
}

/// Queues `notices` about `request`, each on the channels its recipient accepts.
/// Returns how many messages were queued.
pub async fn queue(
    tx: &mut Tx,
    request: &Request,
    notices: &[Notice],
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    queue_with_changes(tx, request, notices, &[], now).await
}

/// [`queue`], the notices of a modification carrying what it changed (`changes`, as the
/// history records them: sensitive values already left out) so they can say old → new.
pub async fn queue_with_changes(
    tx: &mut Tx,
    request: &Request,
    notices: &[Notice],
    changes: &[Change],
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let mut queued = 0;
    let mut seen: Vec<Notice> = Vec::with_capacity(notices.len());
    for notice in notices {
        if seen.contains(notice) {
            continue;
        }
        seen.push(*notice);
        let person = tx.person(notice.recipient).await?;
        if !person.active {
            continue;
        }
        let mut channels = Vec::with_capacity(2);
        if person.notify_email {
            channels.push(OutboxChannel::Email);
        }
        if person.notify_sms && person.mobile.is_some() && notice.kind.also_by_sms(&person) {
            channels.push(OutboxChannel::Sms);
        }
        for channel in channels {
            let mut facts = facts(request);
            if matches!(notice.kind, NoticeKind::RequestModified | NoticeKind::RequestChanged) {
                facts.changes = changes.to_vec();
            }
            let message = NewOutboxMessage {
                channel,
                recipient: person.id,
                request: Some(request.id),
                notice: notice.kind.notice(facts),
            };
            tx.enqueue(&message, now).await?;
            queued += 1;
        }
    }
    Ok(queued)
}
