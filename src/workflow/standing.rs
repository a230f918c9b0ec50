//! How a person stands toward a request, read from the store: the one question every
//! channel asks before showing more than a request's facts (see
//! `domain::request::briefing` for what each standing reads).

use crate::domain::person::Person;
use crate::domain::request::Request;
use crate::domain::request::briefing::Standing;
use crate::domain::role::Role;
use crate::store::requests::{Offer, OfferStatus};
use crate::store::{StoreError, Tx};

/// The owner is the request's requester, a requester of its installation, or a
/// coordinator; then its interpreter; then an interpreter an offer of it waits on.
pub async fn standing(tx: &mut Tx, request: &Request, person: &Person) -> Result<Standing, StoreError> {
    Ok(standing_and_offer(tx, request, person).await?.0)
}

/// [`standing`], with the offer that waits on the person when they stand as offered (a
/// message about an offer says by when to answer it).
pub async fn standing_and_offer(
    tx: &mut Tx,
    request: &Request,
    person: &Person,
) -> Result<(Standing, Option<Offer>), StoreError> {
    let owner = request.requested_by == person.id
        || person.has_role(Role::Coordinator)
        || (person.has_role(Role::Requester)
            && tx
                .requester_profile(person.id)
                .await?
                .is_some_and(|p| p.installations.contains(&request.details.installation_id)));
    let offer = if !owner && request.assigned_interpreter != Some(person.id) && person.has_role(Role::Interpreter) {
        tx.offers_of_request(request.id)
            .await?
            .into_iter()
            .find(|o| o.interpreter_id == person.id && o.status == OfferStatus::Pending)
    } else {
        None
    };
    Ok((Standing::of(request, person.id, owner, offer.is_some()), offer))
}
