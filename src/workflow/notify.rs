//! Who is told what when a request changes. Notifications are queued in the outbox in
//! the same transaction as the change; the outbound workers render and send them.

use crate::domain::ids::PersonId;
use crate::domain::person::Person;
use crate::domain::request::Request;
use crate::domain::role::Role;
use crate::store::outbox::{NewOutboxMessage, OutboxChannel};
use crate::store::{StoreError, Tx};
use chrono::{DateTime, Utc};
use serde_json::json;

/// What a notification is about. The outbound side has one template per kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    /// Accusé de réception, to the requester.
    RequestReceived,
    /// An offer, to an interpreter: accept or refuse.
    RequestOffered,
    /// The offer went to someone else.
    OfferFilled,
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
}

impl NoticeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NoticeKind::RequestReceived => "request_received",
            NoticeKind::RequestOffered => "request_offered",
            NoticeKind::OfferFilled => "offer_filled",
            NoticeKind::RequestBooked => "request_booked",
            NoticeKind::RequestModified => "request_modified",
            NoticeKind::OfferDeclined => "offer_declined",
            NoticeKind::OffersLapsed => "offers_lapsed",
            NoticeKind::InterpreterWithdrew => "interpreter_withdrew",
            NoticeKind::AssignmentRemoved => "assignment_removed",
            NoticeKind::RequestCancelled => "request_cancelled",
            NoticeKind::ServiceRecorded => "service_recorded",
            NoticeKind::ServiceContested => "service_contested",
            NoticeKind::AssignmentConfirmed => "assignment_confirmed",
            NoticeKind::ServiceValidated => "service_validated",
            NoticeKind::RequestClosed => "request_closed",
            NoticeKind::OfferReminder => "offer_reminder",
            NoticeKind::AppointmentReminder => "appointment_reminder",
            NoticeKind::NoInterpreter => "no_interpreter",
            NoticeKind::RecordAsk => "record_form",
        }
    }

    /// Interpreters act from their phone: what they must answer or know at once goes by SMS too.
    fn also_by_sms(self, recipient: &Person) -> bool {
        recipient.has_role(Role::Interpreter)
            && matches!(
                self,
                NoticeKind::RequestOffered
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
fn payload(request: &Request) -> serde_json::Value {
    let d = &request.details;
    json!({
        "number": request.number.as_ref().map(|n| n.as_str()),
        "status": request.status.as_str(),
        "request_type": d.request_type.as_str(),
        "date": d.date,
        "start_time": d.start_time,
        "duration_minutes": d.duration_minutes,
        "source_language": d.source_language.as_str(),
        "target_language": d.target_language.as_str(),
        "installation_id": d.installation_id,
        "version": request.version,
    })
}

/// Queues `notices` about `request`, each on the channels its recipient accepts.
/// Returns how many messages were queued.
pub async fn queue(
    tx: &mut Tx,
    request: &Request,
    notices: &[Notice],
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
            let message = NewOutboxMessage {
                channel,
                recipient: person.id,
                kind: notice.kind.as_str().to_string(),
                request: Some(request.id),
                payload: payload(request),
            };
            tx.enqueue(&message, now).await?;
            queued += 1;
        }
    }
    Ok(queued)
}
