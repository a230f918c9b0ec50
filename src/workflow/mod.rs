//! Commands become changes: each command runs in one transaction that loads the
//! request, checks who may do what, applies the state machine, writes the change and
//! its history, and queues the notifications. Either all of it commits or none of it.

pub mod accounts;
mod command;
pub mod coordination;
pub mod details;
pub mod duplicates;
pub mod links;
pub mod matching;
mod notify;
pub mod organisations;
mod people;
mod requests;
pub mod roles;
pub mod roster;
pub mod series;
pub mod standing;
mod sweep;

pub use command::{Applied, Command};
/// The facts a notice about a request carries, for the notices the mail pipeline queues.
pub(crate) use notify::facts as request_facts;
pub use people::{InterpreterSelfChange, NewPersonCommand, PersonCreated};
pub use sweep::SweepReport;

use crate::clock::Clock;
use crate::config::Settings;
use crate::domain::ids::PersonId;
use crate::domain::request::{FieldError, TransitionError};
use crate::domain::role::{ActorKind, Channel};
use crate::store::{Store, StoreError, Tx};
use chrono_tz::Tz;
use std::sync::Arc;

/// Who makes a command, in which capacity, through which channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    pub person: Option<PersonId>,
    pub kind: ActorKind,
    pub channel: Channel,
}

impl Actor {
    /// Relais itself: timers and sweeps.
    pub fn system() -> Actor {
        Actor {
            person: None,
            kind: ActorKind::System,
            channel: Channel::System,
        }
    }

    pub fn requester(person: PersonId, channel: Channel) -> Actor {
        Actor {
            person: Some(person),
            kind: ActorKind::Requester,
            channel,
        }
    }

    pub fn interpreter(person: PersonId, channel: Channel) -> Actor {
        Actor {
            person: Some(person),
            kind: ActorKind::Interpreter,
            channel,
        }
    }

    pub fn coordinator(person: PersonId, channel: Channel) -> Actor {
        Actor {
            person: Some(person),
            kind: ActorKind::Coordinator,
            channel,
        }
    }
}

/// Why a command was not applied. Nothing was changed.
#[derive(Debug, thiserror::Error)]
pub enum WorkflowError {
    /// The details have wrong fields; each is named.
    #[error("invalid request: {}", .0.iter().map(|e| e.describe(crate::domain::locale::Locale::En)).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<FieldError>),
    /// The service record has wrong or missing fields; each is named.
    #[error("invalid service record: {}", .0.iter().map(|e| e.describe(crate::domain::locale::Locale::En)).collect::<Vec<_>>().join("; "))]
    InvalidRecord(Vec<crate::domain::request::RecordProblem>),
    #[error(transparent)]
    Transition(#[from] TransitionError),
    /// The actor may not act on this request or person.
    #[error("not permitted: {0}")]
    Forbidden(&'static str),
    #[error("not found")]
    NotFound,
    /// The command itself makes no sense (an unknown interpreter, nothing to offer…).
    #[error("bad command: {0}")]
    BadCommand(&'static str),
    /// The service cannot be recorded before the appointment has started.
    #[error("the appointment has not started yet")]
    TooEarly,
    /// The interpreter's offer is no longer open: filled by someone else, lapsed or cancelled.
    #[error("this offer is no longer open")]
    OfferClosed,
    /// Another change got there first; the command may be retried.
    #[error("conflict: {0}")]
    Conflict(String),
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for WorkflowError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => WorkflowError::NotFound,
            StoreError::Conflict(what) => WorkflowError::Conflict(what),
            other => WorkflowError::Store(other),
        }
    }
}

/// The settings the workflow reads.
#[derive(Debug, Clone)]
pub struct WorkflowConfig {
    pub time_zone: Tz,
    pub request_prefix: String,
    pub user_code_prefix: String,
    pub default_phone_region: String,
    pub late_cancellation_hours: u32,
    pub auto_validate_after_hours: u32,
    pub patient_retention_days: u32,
    pub offer_reminder_hours: u32,
    pub offer_expiry_hours: u32,
    pub appointment_reminder_hours: u32,
    pub escalate_after_hours: u32,
    /// How many candidates a digest proposes, and an escalation adds.
    pub tier_size: usize,
}

impl WorkflowConfig {
    pub fn from_settings(s: &Settings) -> WorkflowConfig {
        WorkflowConfig {
            time_zone: s.general.time_zone,
            request_prefix: s.general.request_prefix.clone(),
            user_code_prefix: s.general.user_code_prefix.clone(),
            default_phone_region: s.general.default_phone_region.clone(),
            late_cancellation_hours: s.workflow.late_cancellation_hours,
            auto_validate_after_hours: s.workflow.auto_validate_after_hours,
            patient_retention_days: s.privacy.patient_retention_days,
            offer_reminder_hours: s.coordination.offer_reminder_hours,
            offer_expiry_hours: s.coordination.offer_expiry_hours,
            appointment_reminder_hours: s.coordination.appointment_reminder_hours,
            escalate_after_hours: s.coordination.escalate_after_hours,
            tier_size: s.coordination.digest_candidates,
        }
    }
}

/// The workflow engine: cheap to clone, shared by every channel.
#[derive(Clone)]
pub struct Workflow {
    store: Store,
    config: Arc<WorkflowConfig>,
    clock: Arc<dyn Clock>,
}

impl Workflow {
    pub fn new(store: Store, config: WorkflowConfig, clock: Arc<dyn Clock>) -> Workflow {
        Workflow {
            store,
            config: Arc::new(config),
            clock,
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn config(&self) -> &WorkflowConfig {
        &self.config
    }

    pub fn clock(&self) -> &dyn Clock {
        self.clock.as_ref()
    }

    /// Applies one command inside the caller's transaction (the inbound pipeline records
    /// the message and its action together). A refused command leaves the transaction as
    /// it found it.
    pub async fn execute_in(&self, tx: &mut Tx, actor: Actor, command: Command) -> Result<Applied, WorkflowError> {
        tx.savepoint().await?;
        match self.apply(tx, actor, command).await {
            Ok(applied) => {
                tx.release_savepoint().await?;
                Ok(applied)
            }
            Err(e) => {
                tx.rollback_to_savepoint().await?;
                Err(e)
            }
        }
    }

    /// Applies one command in one transaction.
    pub async fn execute(&self, actor: Actor, command: Command) -> Result<Applied, WorkflowError> {
        let mut tx = self.store.begin().await?;
        match self.apply(&mut tx, actor, command).await {
            Ok(applied) => {
                tx.commit().await?;
                tracing::info!(
                    request = %applied.label,
                    from = ?applied.from.map(|s| s.as_str()),
                    to = applied.to.as_str(),
                    actor = actor.kind.as_str(),
                    channel = actor.channel.as_str(),
                    notifications = applied.notifications,
                    "request changed"
                );
                Ok(applied)
            }
            Err(e) => {
                // Dropping the transaction rolls it back; say so explicitly for clarity.
                let _ = tx.rollback().await;
                Err(e)
            }
        }
    }
}
