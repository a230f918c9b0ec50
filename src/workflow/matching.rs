//! Candidates for a request: the store loads who speaks the languages, the domain judges
//! and ranks them (`domain::matching`).

use super::{Workflow, WorkflowError};
use crate::domain::ids::RequestId;
use crate::domain::matching::{Matches, Need, Shortlist, rank, shortlist};
use crate::domain::request::Request;
use crate::store::requests::OfferStatus;
use crate::store::{StoreError, Tx};
use chrono::TimeDelta;

/// What matching needs to know of `request`.
pub async fn need_of(tx: &mut Tx, request: &Request) -> Result<Need, StoreError> {
    let d = &request.details;
    let local_start = d.starts_at_local();
    let length = TimeDelta::minutes(i64::from(d.duration_minutes.max(1)));
    let installation = tx.installation(d.installation_id).await?;
    let offers = tx.offers_of_request(request.id).await?;
    Ok(Need {
        request_type: d.request_type,
        source: d.source_language.clone(),
        target: d.target_language.clone(),
        alternative: d.alternative_language.clone(),
        starts_at: request.starts_at,
        ends_at: request.starts_at + length,
        local_start,
        local_end: local_start + length,
        establishment: request.establishment_id,
        gender: d.interpreter_gender,
        preferred: d.preferred_interpreter,
        postal_code: installation.postal_code,
        context: d
            .notes
            .context
            .as_deref()
            .map(crate::domain::text::fold)
            .filter(|c| !c.is_empty()),
        // Who refused, and who accepted and then withdrew.
        declined: offers
            .iter()
            .filter(|o| {
                o.status == OfferStatus::Declined
                    || (o.status == OfferStatus::Accepted && request.assigned_interpreter != Some(o.interpreter_id))
            })
            .map(|o| o.interpreter_id)
            .collect(),
        offered: offers
            .iter()
            .filter(|o| o.status == OfferStatus::Pending)
            .map(|o| o.interpreter_id)
            .collect(),
    })
}

/// Ranks the interpreters for `request` inside `tx`, as of `now`: every one of them, and
/// every other with the reason.
pub async fn matches_in(
    tx: &mut Tx,
    request: &Request,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Matches, StoreError> {
    let need = need_of(tx, request).await?;
    let candidates = tx.match_candidates(&need, now).await?;
    Ok(rank(&need, candidates.iter()))
}

/// The best `n` interpreters for `request` inside `tx`, as of `now`, and how many others
/// cannot take it for each reason: the same first `n` as [`matches_in`], for less.
pub async fn shortlist_in(
    tx: &mut Tx,
    request: &Request,
    now: chrono::DateTime<chrono::Utc>,
    n: usize,
) -> Result<Shortlist, StoreError> {
    let need = need_of(tx, request).await?;
    let candidates = tx.match_candidates(&need, now).await?;
    Ok(shortlist(&need, candidates.iter(), n))
}

impl Workflow {
    /// Ranks the interpreters for a request.
    pub async fn matches(&self, id: RequestId) -> Result<(Request, Matches), WorkflowError> {
        let mut tx = self.store.begin_read().await?;
        let request = tx.request(id).await?;
        let matches = matches_in(&mut tx, &request, self.clock.now()).await?;
        tx.commit().await?;
        Ok((request, matches))
    }
}
