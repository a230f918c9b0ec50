//! What a signed link may still do. A link is alive while it is unused, unexpired, and the
//! state it was made for still holds:
//!
//! - accept/refuse an offer: the very offer it was sent with is still pending (its id is
//!   the version), or, for a booking the requester modified, the request has not moved
//!   since;
//! - every other action: the request's version has not moved since the link was made;
//! - opening the request's page: not bound to a state.
//!
//! Following a link runs its command, records the use and (for `Open`) creates the short
//! session in one transaction, so a link acts exactly once even when pressed twice at once.

use super::{Actor, Applied, Command, Workflow, WorkflowError};
use crate::domain::ids::{PersonId, RequestId};
use crate::domain::person::Person;
use crate::domain::request::{CancellationReason, Event, Request, RequestStatus, ServiceRecord};
use crate::domain::role::{ActorKind, Channel, Role};
use crate::security::link::{LinkAction, LinkClaim, VerifiedLink};
use crate::store::StoreError;
use crate::store::Tx;
use crate::store::attachments::{AttachmentPurpose, NewAttachment};
use crate::store::links::LinkUse;
use crate::store::outbox::{NewOutboxMessage, OutboxChannel};
use crate::store::requests::OfferStatus;
use chrono::{DateTime, TimeDelta, Utc};
use sha2::{Digest, Sha256};

/// How long the page opened by an `Open` link stays open.
pub const OPEN_SESSION: TimeDelta = TimeDelta::minutes(30);

/// Why a link no longer acts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeadReason {
    Used(LinkUse),
    Expired,
    /// The request moved on since the link was made.
    Changed,
    /// The request is gone, or the link names someone who can no longer act.
    Gone,
}

impl DeadReason {
    pub fn as_str(&self) -> &'static str {
        match self {
            DeadReason::Used(_) => "used",
            DeadReason::Expired => "expired",
            DeadReason::Changed => "changed",
            DeadReason::Gone => "gone",
        }
    }
}

/// What opening a link finds.
#[derive(Debug, Clone)]
pub enum LinkState {
    /// The button will act; the page shows the request and for whom.
    Live { request: Request, recipient: Person },
    Dead {
        reason: DeadReason,
        request: Option<Request>,
        recipient: Option<Person>,
        /// The same action is still possible for the recipient (the link expired, or the
        /// request moved on in a way that still allows it): the page offers to mail them a
        /// new link at their own address, never hands one out.
        renewable: bool,
    },
}

/// New links mailed to one recipient, and asked from one client address, per hour.
pub const RENEWALS_PER_RECIPIENT_HOUR: i64 = 3;
pub const RENEWALS_PER_CLIENT_HOUR: i64 = 10;

/// What "mail me a new link" did.
#[derive(Debug, Clone)]
pub enum Renewal {
    /// A mail is queued to the recipient's address on file.
    Sent { recipient: Person, request: Request },
    /// Enough new links were mailed lately; nothing was sent.
    Limited { recipient: Person, request: Request },
    /// Nothing to renew (the link is alive, used, or its action no longer possible).
    NotPossible(Box<LinkState>),
}

/// What following a link did.
#[derive(Debug, Clone)]
pub enum Followed {
    Applied(Applied),
    /// An `Open` link: a session for this request only. `secret` goes in the cookie.
    Session {
        secret: String,
        request: RequestId,
        expires_at: DateTime<Utc>,
    },
}

/// Why following a link did nothing.
#[derive(Debug)]
pub enum LinkRefusal {
    Dead(Box<LinkState>),
    /// The command was refused (for instance the offer was filled a moment before).
    Refused(WorkflowError),
}

/// What the person gave on the page besides pressing the button.
#[derive(Debug, Clone, Default)]
pub struct LinkInput {
    /// The cancellation reason chosen (cancel).
    pub reason: Option<CancellationReason>,
    /// Free words (what is wrong with a record, for a contest).
    pub note: Option<String>,
    /// The service record filled in (record).
    pub record: Option<ServiceRecord>,
    /// Files joined to the record.
    pub attachments: Vec<NewAttachment>,
}

/// The state event an action would apply, to know whether it is possible now.
fn event_of(action: LinkAction) -> Option<Event> {
    match action {
        LinkAction::Accept => Some(Event::Accept),
        LinkAction::Refuse => Some(Event::Decline),
        LinkAction::Withdraw => Some(Event::Withdraw),
        LinkAction::Assign | LinkAction::Broadcast => Some(Event::Offer),
        LinkAction::Cancel | LinkAction::CancelSeries | LinkAction::GiveUp => Some(Event::Cancel),
        LinkAction::UseAlternative => Some(Event::Modify),
        LinkAction::Validate => Some(Event::Validate),
        LinkAction::Contest => Some(Event::Contest),
        LinkAction::Record => Some(Event::RecordService),
        LinkAction::Open => None,
    }
}

/// In which capacity the recipient acts (links and the signed-in pages alike).
pub fn actor_kind(action: LinkAction, request: &Request, recipient: &Person) -> Option<ActorKind> {
    match action {
        LinkAction::Accept | LinkAction::Refuse | LinkAction::Withdraw => {
            recipient.has_role(Role::Interpreter).then_some(ActorKind::Interpreter)
        }
        // The booked interpreter records the service; a coordinator records or corrects it
        // for them, from the request's page.
        LinkAction::Record => {
            if request.assigned_interpreter == Some(recipient.id) && recipient.has_role(Role::Interpreter) {
                Some(ActorKind::Interpreter)
            } else {
                recipient.has_role(Role::Coordinator).then_some(ActorKind::Coordinator)
            }
        }
        LinkAction::Assign | LinkAction::Broadcast => {
            recipient.has_role(Role::Coordinator).then_some(ActorKind::Coordinator)
        }
        // The booked interpreter opens the request's page, with what the booking needs.
        LinkAction::Open
            if request.assigned_interpreter == Some(recipient.id) && request.requested_by != recipient.id =>
        {
            recipient.has_role(Role::Interpreter).then_some(ActorKind::Interpreter)
        }
        LinkAction::Cancel
        | LinkAction::CancelSeries
        | LinkAction::Validate
        | LinkAction::Contest
        | LinkAction::Open
        | LinkAction::UseAlternative
        | LinkAction::GiveUp => {
            if request.requested_by == recipient.id {
                Some(ActorKind::Requester)
            } else if recipient.has_role(Role::Coordinator) {
                Some(ActorKind::Coordinator)
            } else if recipient.has_role(Role::Requester) {
                // A colleague at the same installation; the workflow checks that.
                Some(ActorKind::Requester)
            } else {
                None
            }
        }
    }
}

/// Whether a link for `action` is bound to an offer rather than to the request's version:
/// accept and refuse while the request is offered. Another interpreter's answer moves the
/// request's version but leaves such a link alive.
pub fn bound_to_offer(action: LinkAction, request: &Request) -> bool {
    matches!(action, LinkAction::Accept | LinkAction::Refuse) && request.status == RequestStatus::Offered
}

/// The version a link for `action` on `request` for `recipient` carries now, or `None`
/// when that person cannot take that action at this stage.
pub async fn current_version(
    tx: &mut Tx,
    action: LinkAction,
    request: &Request,
    recipient: &Person,
) -> Result<Option<i64>, StoreError> {
    if !recipient.active {
        return Ok(None);
    }
    let Some(kind) = actor_kind(action, request, recipient) else {
        return Ok(None);
    };
    if let Some(event) = event_of(action)
        && request.status.apply(event, kind).is_err()
    {
        return Ok(None);
    }
    Ok(match action {
        LinkAction::Open => Some(0),
        LinkAction::Accept | LinkAction::Refuse => match request.status {
            _ if bound_to_offer(action, request) => tx
                .offers_of_request(request.id)
                .await?
                .into_iter()
                .find(|o| o.interpreter_id == recipient.id && o.status == OfferStatus::Pending)
                .map(|o| o.id.0),
            RequestStatus::Modified if request.assigned_interpreter == Some(recipient.id) => Some(request.version),
            _ => None,
        },
        LinkAction::Withdraw => (request.assigned_interpreter == Some(recipient.id)).then_some(request.version),
        // The interpreter's: booked or recorded (a correction), never for a cancelled
        // request. A coordinator's: the same, and a late cancellation's record.
        LinkAction::Record => {
            let booked_or_recorded = matches!(request.status, RequestStatus::Booked | RequestStatus::ServiceRendered);
            let coordinator = kind == ActorKind::Coordinator;
            let late_cancellation = request.status == RequestStatus::Cancelled && request.booked_at.is_some();
            ((request.assigned_interpreter == Some(recipient.id) || coordinator)
                && (booked_or_recorded || (coordinator && late_cancellation)))
                .then_some(request.version)
        }
        // Only while nobody is assigned, and only with an alternative language to switch to.
        LinkAction::UseAlternative => (request.status == RequestStatus::New
            && request.details.alternative_language.is_some())
        .then_some(request.version),
        LinkAction::GiveUp => (request.status == RequestStatus::New).then_some(request.version),
        // Only for an occurrence of a series.
        LinkAction::CancelSeries => tx.series_of(request.id).await?.map(|_| request.version),
        // Once contested, the record waits for a coordinator: contesting again says nothing new.
        LinkAction::Contest => request.service_contested_at.is_none().then_some(request.version),
        _ => Some(request.version),
    })
}

/// The command a link runs, and as whom.
fn command_of(claim: &LinkClaim, kind: ActorKind, input: LinkInput, request_now: &Request) -> Option<(Actor, Command)> {
    let actor = Actor {
        person: Some(claim.recipient),
        kind,
        channel: Channel::Link,
    };
    let request = claim.request;
    let command = match claim.action {
        LinkAction::Accept => Command::AcceptOffer { request },
        LinkAction::Refuse => Command::DeclineOffer { request },
        LinkAction::Withdraw => Command::WithdrawInterpreter { request },
        LinkAction::Assign | LinkAction::Broadcast => Command::OfferRequest {
            request,
            interpreters: claim.subjects.clone(),
            expires_at: None,
        },
        // The occurrences after it are cancelled by `follow_link`, around this command.
        LinkAction::Cancel | LinkAction::CancelSeries => Command::CancelRequest {
            request,
            reason: input.reason.unwrap_or(CancellationReason::Other),
            detail: None,
        },
        LinkAction::Record => Command::RecordService {
            request,
            record: input.record?,
        },
        LinkAction::Validate => Command::ValidateService { request },
        LinkAction::Contest => Command::ContestService {
            request,
            reason: input.note,
        },
        LinkAction::UseAlternative => {
            let mut details = request_now.details.clone();
            if let Some(alternative) = details.alternative_language.take() {
                details.target_language = alternative;
            }
            Command::ModifyRequest { request, details }
        }
        LinkAction::GiveUp => Command::CancelRequest {
            request,
            reason: CancellationReason::NoInterpreterAvailable,
            detail: None,
        },
        // Open runs no command; follow_link handles it.
        LinkAction::Open => Command::SubmitRequest { request },
    };
    Some((actor, command))
}

fn hash_secret(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Workflow {
    /// A claim for `action` on `request` for `recipient` as things stand, or `None` when
    /// they cannot take it now. The outbound side signs what this returns.
    pub async fn link_claim(
        &self,
        tx: &mut Tx,
        action: LinkAction,
        request: &Request,
        recipient: &Person,
        subjects: Vec<PersonId>,
        expires_at: DateTime<Utc>,
    ) -> Result<Option<LinkClaim>, StoreError> {
        Ok(current_version(tx, action, request, recipient)
            .await?
            .map(|version| LinkClaim {
                action,
                request: request.id,
                recipient: recipient.id,
                version,
                expires_at,
                subjects,
            }))
    }

    async fn judge(&self, tx: &mut Tx, link: &VerifiedLink, expired: bool) -> Result<LinkState, StoreError> {
        let claim = &link.claim;
        let request = match tx.request(claim.request).await {
            Ok(r) => r,
            Err(StoreError::NotFound) => {
                return Ok(LinkState::Dead {
                    reason: DeadReason::Gone,
                    request: None,
                    recipient: None,
                    renewable: false,
                });
            }
            Err(e) => return Err(e),
        };
        let recipient = match tx.person(claim.recipient).await {
            Ok(p) => p,
            Err(StoreError::NotFound) => {
                return Ok(LinkState::Dead {
                    reason: DeadReason::Gone,
                    request: Some(request),
                    recipient: None,
                    renewable: false,
                });
            }
            Err(e) => return Err(e),
        };
        let now_version = current_version(tx, claim.action, &request, &recipient).await?;
        let used = tx.link_use(&link.id).await?;
        let reason = match (used, expired) {
            (Some(used), _) => Some(DeadReason::Used(used)),
            (None, true) => Some(DeadReason::Expired),
            (None, false) if now_version != Some(claim.version) => {
                Some(if now_version.is_none() && !recipient.active {
                    DeadReason::Gone
                } else {
                    DeadReason::Changed
                })
            }
            (None, false) => None,
        };
        Ok(match reason {
            None => LinkState::Live { request, recipient },
            Some(reason) => {
                // A used link is not renewed: what it did is done. An expired or outdated
                // one is, when the action is still possible, by a new link mailed to the
                // recipient: whoever holds the old one is not necessarily them.
                let renewable = matches!(reason, DeadReason::Expired | DeadReason::Changed) && now_version.is_some();
                LinkState::Dead {
                    reason,
                    request: Some(request),
                    recipient: Some(recipient),
                    renewable,
                }
            }
        })
    }

    /// What the link would do, without doing anything: for `GET` and `HEAD`.
    pub async fn inspect_link(&self, link: &VerifiedLink, expired: bool) -> Result<LinkState, WorkflowError> {
        let mut tx = self.store.begin_read().await?;
        let state = self.judge(&mut tx, link, expired).await?;
        tx.commit().await?;
        Ok(state)
    }

    /// Does what the link says, once, with what the page gave (`input`).
    pub async fn follow_link(
        &self,
        link: &VerifiedLink,
        mut input: LinkInput,
    ) -> Result<Result<Followed, LinkRefusal>, WorkflowError> {
        let now = self.clock.now();
        let claim = &link.claim;
        let mut tx = self.store.begin().await?;
        // Lock the request first: two presses of one link, or an SMS and a link together,
        // queue here and the second sees what the first did.
        if let Err(e) = tx.request_for_update(claim.request).await
            && !matches!(e, StoreError::NotFound)
        {
            return Err(e.into());
        }
        let state = self.judge(&mut tx, link, false).await?;
        let LinkState::Live { request, recipient } = state else {
            return Ok(Err(LinkRefusal::Dead(Box::new(state))));
        };
        let Some(kind) = actor_kind(claim.action, &request, &recipient) else {
            return Ok(Err(LinkRefusal::Dead(Box::new(LinkState::Dead {
                reason: DeadReason::Gone,
                request: Some(request),
                recipient: Some(recipient),
                renewable: false,
            }))));
        };
        let followed = if claim.action == LinkAction::Open {
            let secret = crate::security::random_token();
            let expires_at = now + OPEN_SESSION;
            tx.insert_web_session(&hash_secret(&secret), recipient.id, Some(request.id), now, expires_at)
                .await?;
            Followed::Session {
                secret,
                request: request.id,
                expires_at,
            }
        } else {
            let attachments = std::mem::take(&mut input.attachments);
            let Some((actor, command)) = command_of(claim, kind, input, &request) else {
                let _ = tx.rollback().await;
                return Ok(Err(LinkRefusal::Refused(WorkflowError::BadCommand(
                    "the form was not filled in",
                ))));
            };
            let executed = match (claim.action, command) {
                (
                    LinkAction::CancelSeries,
                    Command::CancelRequest {
                        request,
                        reason,
                        detail,
                    },
                ) => self
                    .cancel_series_from_in(&mut tx, actor, request, reason, detail)
                    .await
                    .and_then(|cancelled| cancelled.into_iter().next().ok_or(WorkflowError::NotFound)),
                (_, command) => self.execute_in(&mut tx, actor, command).await,
            };
            match executed {
                Ok(applied) => {
                    for file in &attachments {
                        tx.insert_attachment(
                            request.id,
                            AttachmentPurpose::ServiceRecord,
                            file,
                            Some(recipient.id),
                            now,
                        )
                        .await?;
                    }
                    Followed::Applied(applied)
                }
                Err(WorkflowError::Store(e)) => return Err(WorkflowError::Store(e)),
                Err(e) => {
                    let _ = tx.rollback().await;
                    return Ok(Err(LinkRefusal::Refused(e)));
                }
            }
        };
        if !tx
            .record_link_use(&link.id, claim.action.as_str(), claim.request, claim.recipient, now)
            .await?
        {
            let _ = tx.rollback().await;
            let state = self.inspect_link(link, false).await?;
            return Ok(Err(LinkRefusal::Dead(Box::new(state))));
        }
        tx.commit().await?;
        tracing::info!(
            action = claim.action.as_str(),
            request = claim.request.0,
            "link followed"
        );
        Ok(Ok(followed))
    }

    /// "Mail me a new link", pressed on a dead link's page from `client`: when the link's
    /// action is still possible, queues a mail to the recipient's own address on file
    /// (the outbound side signs the new link when it sends it), at most
    /// [`RENEWALS_PER_RECIPIENT_HOUR`] per recipient and [`RENEWALS_PER_CLIENT_HOUR`] per
    /// client address. Nothing typed on the page decides where the mail goes.
    pub async fn renew_link(&self, link: &VerifiedLink, expired: bool, client: &str) -> Result<Renewal, WorkflowError> {
        let now = self.clock.now();
        let claim = &link.claim;
        let mut tx = self.store.begin().await?;
        let state = self.judge(&mut tx, link, expired).await?;
        let LinkState::Dead {
            renewable: true,
            recipient: Some(recipient),
            request: Some(request),
            ..
        } = &state
        else {
            tx.commit().await?;
            return Ok(Renewal::NotPossible(Box::new(state)));
        };
        let (recipient, request) = (recipient.clone(), request.clone());
        let (to_recipient, from_client) = tx
            .count_link_renewals(recipient.id, client, now - TimeDelta::hours(1))
            .await?;
        if to_recipient >= RENEWALS_PER_RECIPIENT_HOUR || from_client >= RENEWALS_PER_CLIENT_HOUR {
            tx.commit().await?;
            tracing::info!(request = request.id.0, client, "new link refused: too many lately");
            return Ok(Renewal::Limited { recipient, request });
        }
        tx.record_link_renewal(recipient.id, request.id, client, now).await?;
        tx.enqueue(
            &NewOutboxMessage {
                channel: OutboxChannel::Email,
                recipient: recipient.id,
                request: Some(request.id),
                notice: crate::domain::notice::Notice::LinkRenewed {
                    action: claim.action.as_str().to_string(),
                    subjects: claim.subjects.clone(),
                },
            },
            now,
        )
        .await?;
        tx.commit().await?;
        tracing::info!(
            action = claim.action.as_str(),
            request = request.id.0,
            "new link queued for the recipient's address"
        );
        Ok(Renewal::Sent { recipient, request })
    }

    /// The person and request a session cookie opens, if it is still valid.
    pub async fn web_session(&self, secret: &str) -> Result<Option<crate::store::links::WebSession>, WorkflowError> {
        let mut tx = self.store.begin_read().await?;
        let session = tx.web_session(&hash_secret(secret), self.clock.now()).await?;
        tx.commit().await?;
        Ok(session)
    }
}
