//! A calendar client's answer to an invite (*Accept*, *Decline*, *Maybe*), read as a
//! reply under the same rules as a mail: the sender is who the pipeline says it is (their
//! reply key, their authenticated domain or their confirmation), and the workflow decides.
//!
//! Beyond those rules, an answer acts only on the invite it answers:
//! - its `UID` names the request, and must be the request of the reply key, if any;
//! - the person must have been sent an invite for that request;
//! - its `SEQUENCE` must be that of the last invite they were sent (or later). A client
//!   that leaves `SEQUENCE` out (or sends 0, which Relais never does) is checked on the
//!   event's start instead. An answer to a replaced invite is answered, never applied
//!   (when the last invite took the event off their calendar, the workflow's answer says
//!   why the offer is closed).
//!
//! Then *Accept* accepts the offer and *Decline* refuses it, as ACCEPTER and REFUSER would.
//! *Maybe* does nothing, and says so. A requester's *Decline* of their booking is not a
//! cancellation: they are told how to cancel. Accepting an event one already holds (the
//! booking's invite) is noted, and not answered.

use super::{Decision, MailOutcome, MailPipeline};
use crate::domain::ids::RequestId;
use crate::domain::person::Person;
use crate::domain::request::RequestStatus;
use crate::inbound::mail::calendar_reply::{Answer, CalendarReply};
use crate::inbound::mail::command::MailCommand;
use crate::inbound::mail::reading::MailReading;
use crate::store::Tx;
use crate::store::calendar::InviteState;

/// The verb a calendar answer is told under, in refusals.
const VERB: &str = "calendar";

impl MailPipeline {
    pub(super) async fn handle_calendar_reply(
        &self,
        tx: &mut Tx,
        reading: &MailReading,
        person: &Person,
        thread: Option<RequestId>,
        reply: &CalendarReply,
    ) -> anyhow::Result<Decision> {
        let domain = self.config.own_address.rsplit('@').next().unwrap_or("");
        let request = match (reply.request(domain), thread) {
            (Some(named), Some(keyed)) if named != keyed => None,
            (named, _) => named,
        };
        let invited = match request {
            Some(id) if tx.request_exists(id).await? => tx.calendar_invite(id, person.id).await?,
            _ => None,
        };
        let (Some(request), Some(invited)) = (request, invited) else {
            return self
                .calendar_refused(tx, reading, person, thread, "calendar_not_invited")
                .await;
        };
        let current = tx.request(request).await?;
        let answers_the_last = match reply.sequence {
            Some(sequence) if sequence > 0 => sequence >= invited.sequence,
            _ => reply.start == Some(current.starts_at),
        };
        // Once the event was taken off their calendar (the offer filled, the request
        // cancelled), the workflow says why the offer is closed, which says more.
        if !answers_the_last && invited.state != InviteState::Cancelled {
            return self
                .calendar_refused(tx, reading, person, Some(request), "calendar_outdated")
                .await;
        }
        let holds_booking = current.assigned_interpreter == Some(person.id)
            && matches!(current.status, RequestStatus::Booked | RequestStatus::ServiceRendered);
        let interpreter = current.assigned_interpreter == Some(person.id) || current.requested_by != person.id;
        match reply.answer {
            Answer::Accepted if holds_booking || !interpreter => Ok(noted(request)),
            Answer::Declined if !interpreter => {
                self.calendar_refused(tx, reading, person, Some(request), "calendar_decline_not_cancel")
                    .await
            }
            Answer::Declined if holds_booking => {
                self.calendar_refused(tx, reading, person, Some(request), "calendar_decline_booked")
                    .await
            }
            Answer::Accepted => {
                self.handle_command(tx, reading, person, Some(request), &MailCommand::Accept)
                    .await
            }
            Answer::Declined => {
                self.handle_command(tx, reading, person, Some(request), &MailCommand::Reject)
                    .await
            }
            Answer::Tentative | Answer::Other => {
                self.calendar_refused(tx, reading, person, Some(request), "calendar_tentative")
                    .await
            }
        }
    }

    /// Nothing done: the person is told why (`code`), about `request` when known.
    async fn calendar_refused(
        &self,
        tx: &mut Tx,
        reading: &MailReading,
        person: &Person,
        request: Option<RequestId>,
        code: &'static str,
    ) -> anyhow::Result<Decision> {
        self.refused(tx, reading, person, request, VERB, code).await?;
        let mut decision = Decision::new(MailOutcome::CommandRefused(code));
        decision.request = request;
        Ok(decision)
    }
}

/// An answer that asks nothing: recorded, not answered.
fn noted(request: RequestId) -> Decision {
    let mut decision = Decision::new(MailOutcome::CalendarNoted);
    decision.request = Some(request);
    decision
}
