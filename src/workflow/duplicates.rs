//! Duplicates: a new request the same as an open one of the same requester (same start,
//! installation, place and languages) is flagged before it is saved; the channel shows the
//! notice and saves it only when the requester insists.

use super::Workflow;
use super::requests::local_to_utc;
use crate::domain::ids::PersonId;
use crate::domain::locale::Locale;
use crate::domain::request::{RequestDetails, RequestNumber};
use crate::store::{StoreError, Tx};

/// The number of an open request of `requested_by` like `details`, if there is one.
pub async fn similar_request(
    workflow: &Workflow,
    tx: &mut Tx,
    requested_by: PersonId,
    details: &RequestDetails,
) -> Result<Option<RequestNumber>, StoreError> {
    let starts_at = local_to_utc(workflow.config().time_zone, details.starts_at_local());
    tx.similar_open_request(requested_by, starts_at, details).await
}

/// « Une demande semblable existe déjà : HC-… », in `locale`.
pub fn notice(number: &RequestNumber, locale: Locale) -> String {
    locale.text_with("request-similar-exists", &[("number", number.as_str())])
}
