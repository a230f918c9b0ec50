//! Series of appointments (« Répétition : chaque semaine, 8 fois »): each occurrence is a
//! request of its own, with its own number, status, interpreter, invites and service
//! record, linked to the series; one acknowledgement lists them all. A series is created whole or not at all, and
//! "this one and the ones after" are cancelled together, each as its own cancellation
//! (history, notices, the invite that takes it off the calendars).

use super::notify::{self, Notice, NoticeKind};
use super::{Actor, Applied, Command, Workflow, WorkflowError};
use crate::domain::ids::{PersonId, RequestId};
use crate::domain::request::repetition::{MAX_OCCURRENCES, Repetition, RepetitionProblem};
use crate::domain::request::{CancellationReason, Event, Field, FieldError, Problem, RequestDetails, RequestStatus};
use crate::domain::role::Channel;
use crate::store::{Savepoint, Tx};

impl Workflow {
    /// Creates the series of `details` repeated as `repetition`: one request per date from
    /// `details.date` on, each sent, all linked. All or none: a refused occurrence undoes
    /// the others. The first occurrence's alternative date is kept; the others have none
    /// (it named a day for one appointment).
    pub async fn create_series_in(
        &self,
        tx: &mut Tx,
        actor: Actor,
        requested_by: PersonId,
        details: RequestDetails,
        repetition: Repetition,
    ) -> Result<Vec<Applied>, WorkflowError> {
        let dates = repetition.dates(details.date).map_err(|problem| {
            let problem = match problem {
                RepetitionProblem::TooFew => Problem::SeriesTooShort,
                RepetitionProblem::TooMany => Problem::SeriesTooLong(MAX_OCCURRENCES as u32),
            };
            WorkflowError::Invalid(vec![FieldError::new(Field::Repetition, problem)])
        })?;
        tx.savepoint_at(Savepoint::SERIES).await?;
        let mut created = Vec::with_capacity(dates.len());
        let result = async {
            let series = tx
                .insert_series(requested_by, &repetition.key(), self.clock.now())
                .await?;
            for (i, date) in dates.iter().enumerate() {
                let mut occurrence = details.clone();
                occurrence.date = *date;
                if i > 0 {
                    occurrence.alternative_date = None;
                }
                let command = Command::CreateRequest {
                    requested_by,
                    details: occurrence,
                    submit: true,
                };
                let applied = self.execute_in(tx, actor, command).await?;
                tx.set_request_series(applied.request, series).await?;
                // One acknowledgement for the series: the first request's, which lists
                // them all.
                if i > 0 {
                    tx.drop_pending_outbox(applied.request, "request_received").await?;
                }
                created.push(applied);
            }
            Ok::<(), WorkflowError>(())
        }
        .await;
        match result {
            Ok(()) => {
                tx.release(Savepoint::SERIES).await?;
                Ok(created)
            }
            Err(e) => {
                tx.rollback_to(Savepoint::SERIES).await?;
                Err(e)
            }
        }
    }

    /// Cancels `request` and every later occurrence of its series that can still be
    /// cancelled (one already rendered or cancelled is left as it is), each as its own
    /// cancellation. All or none. `BadCommand` when the request is in no series.
    pub async fn cancel_series_from_in(
        &self,
        tx: &mut Tx,
        actor: Actor,
        request: RequestId,
        reason: CancellationReason,
        detail: Option<String>,
    ) -> Result<Vec<Applied>, WorkflowError> {
        let Some(series) = tx.series_of(request).await? else {
            return Err(WorkflowError::BadCommand("the request is in no series"));
        };
        let from = tx.request(request).await?.starts_at;
        let ids = tx.series_requests_from(series, from).await?;
        tx.savepoint_at(Savepoint::SERIES).await?;
        let mut cancelled = Vec::new();
        let result = async {
            for id in ids {
                let occurrence = tx.request(id).await?;
                // The one named is cancelled (or refused) like any other; the later ones
                // only while they still can be.
                if id != request && occurrence.status.apply(Event::Cancel, actor.kind).is_err() {
                    continue;
                }
                let command = Command::CancelRequest {
                    request: id,
                    reason,
                    detail: detail.clone(),
                };
                cancelled.push(self.execute_in(tx, actor, command).await?);
                // Cancelled by the requester's mail, a request is told in the answer to
                // that mail, which is about the one named: the later ones are told apart,
                // each with the invite that takes it off their calendar.
                if id != request && actor.channel == Channel::Email && actor.person == Some(occurrence.requested_by) {
                    let now_cancelled = tx.request(id).await?;
                    let told = [Notice::new(occurrence.requested_by, NoticeKind::RequestCancelled)];
                    notify::queue(tx, &now_cancelled, &told, self.clock.now()).await?;
                }
            }
            Ok::<(), WorkflowError>(())
        }
        .await;
        match result {
            Ok(()) => {
                tx.release(Savepoint::SERIES).await?;
                Ok(cancelled)
            }
            Err(e) => {
                tx.rollback_to(Savepoint::SERIES).await?;
                Err(e)
            }
        }
    }

    /// Offers `interpreter`, who just took `request`, the later occurrences of its series
    /// that wait for someone (new, no offer pending), so the same interpreter is asked
    /// first. An occurrence they cannot be offered (not available, not eligible) is left
    /// to the coordinators, as it was.
    pub(super) async fn offer_series_to(
        &self,
        tx: &mut Tx,
        request: RequestId,
        interpreter: PersonId,
    ) -> Result<(), WorkflowError> {
        let Some(series) = tx.series_of(request).await? else {
            return Ok(());
        };
        let from = tx.request(request).await?.starts_at;
        for id in tx.series_requests_from(series, from).await? {
            if id == request || tx.request(id).await?.status != RequestStatus::New {
                continue;
            }
            if tx
                .offers_of_request(id)
                .await?
                .iter()
                .any(|o| o.status == crate::store::requests::OfferStatus::Pending)
            {
                continue;
            }
            let command = Command::OfferRequest {
                request: id,
                interpreters: vec![interpreter],
                expires_at: None,
            };
            // Boxed: offering goes back through `execute_in`, which brought us here.
            match Box::pin(self.execute_in(tx, Actor::system(), command)).await {
                Ok(_) => {}
                Err(WorkflowError::Store(e)) => return Err(WorkflowError::Store(e)),
                Err(e) => {
                    tracing::info!(request = id.0, error = %e, "series: a later occurrence was not offered to the same interpreter")
                }
            }
        }
        Ok(())
    }
}
