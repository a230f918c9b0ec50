//! What people (and Relais) can ask of a request, whatever the channel.

use crate::domain::ids::{PersonId, RequestId};
use crate::domain::request::{CancellationReason, RequestDetails, RequestStatus, ServiceRecord};
use chrono::{DateTime, Utc};

/// A channel-agnostic command. Mail, SMS, links and pages all end up here.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Creates a request; `submit` sends it at once (new), otherwise it stays a draft.
    /// A coordinator may create one on behalf of `requested_by`.
    CreateRequest {
        requested_by: PersonId,
        details: RequestDetails,
        submit: bool,
    },
    SubmitRequest {
        request: RequestId,
    },
    ModifyRequest {
        request: RequestId,
        details: RequestDetails,
    },
    /// Offers (or assigns) the request to interpreters; the first to accept gets it.
    OfferRequest {
        request: RequestId,
        interpreters: Vec<PersonId>,
        expires_at: Option<DateTime<Utc>>,
    },
    /// The acting interpreter accepts their offer, or a modification.
    AcceptOffer {
        request: RequestId,
    },
    /// The acting interpreter refuses their offer, or a modification.
    DeclineOffer {
        request: RequestId,
    },
    /// Every pending offer lapses: the request goes back to the coordinators.
    LapseOffers {
        request: RequestId,
    },
    /// The assigned interpreter withdraws (désistement), or a coordinator unassigns them.
    WithdrawInterpreter {
        request: RequestId,
    },
    CancelRequest {
        request: RequestId,
        reason: CancellationReason,
        detail: Option<String>,
    },
    RecordService {
        request: RequestId,
        record: ServiceRecord,
    },
    ValidateService {
        request: RequestId,
    },
    /// The requester disputes the service record; coordinators decide.
    ContestService {
        request: RequestId,
        /// The requester's words, for the coordinators.
        reason: Option<String>,
    },
    CloseRequest {
        request: RequestId,
    },
}

/// What a command did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub request: RequestId,
    /// The request number, or the draft's label.
    pub label: String,
    /// The status before; `None` for a created request.
    pub from: Option<RequestStatus>,
    pub to: RequestStatus,
    /// How many notifications were queued.
    pub notifications: usize,
}
