//! A coordinator resets someone's second factor, from the person's page: for a lost phone
//! or a mailbox they no longer reach. The method, the app secret, the recovery codes and
//! every outstanding code go; every session of the person ends; the person is mailed a
//! security notice (naming the change, never a secret) and the person's history says who
//! did it. At their next sign-in the password alone lets them in, and they set a new
//! second factor up (a coordinator must, before anything else). A coordinator does not
//! reset their own: their own page is where they change it, with a proof.

use super::{AccountError, Accounts, MfaChangeKind};
use crate::domain::history::{Change, Entity, NewHistoryEntry};
use crate::domain::ids::PersonId;
use crate::domain::notice::Notice;
use crate::domain::role::ActorKind;
use crate::store::accounts::TokenPurpose;
use crate::store::outbox::{NewOutboxMessage, OutboxChannel};
use crate::workflow::{Actor, WorkflowError};

/// What `reset_mfa` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MfaReset {
    /// Reset; this many sessions ended.
    Reset { sessions_ended: u64 },
    /// The person has no second factor: nothing to reset.
    NoSecondFactor,
    /// Not a coordinator, or their own: nothing was done.
    Forbidden,
}

impl Accounts {
    /// Resets `person`'s second factor, as the coordinator `actor`.
    pub async fn reset_mfa(&self, actor: Actor, person: PersonId) -> Result<MfaReset, AccountError> {
        if actor.kind != ActorKind::Coordinator || actor.person == Some(person) {
            return Ok(MfaReset::Forbidden);
        }
        let now = self.now();
        let mut tx = self.workflow.store.begin().await?;
        match self.workflow.check_actor(&mut tx, actor).await {
            Ok(_) => {}
            Err(WorkflowError::Store(e)) => return Err(e.into()),
            Err(_) => return Ok(MfaReset::Forbidden),
        }
        let target = tx.person(person).await?;
        if tx.account(person).await?.is_none_or(|a| a.mfa_method.is_none()) {
            return Ok(MfaReset::NoSecondFactor);
        }
        tx.disable_mfa(person).await?;
        tx.replace_recovery_codes(person, &[], now).await?;
        for purpose in [TokenPurpose::LoginCode, TokenPurpose::MfaEmail] {
            tx.revoke_account_tokens(person, purpose, now).await?;
        }
        let sessions_ended = tx.delete_sessions_of(person, None).await?;
        let notice = Notice::MfaChanged {
            change: MfaChangeKind::Reset.as_str().to_string(),
        };
        let message = NewOutboxMessage {
            channel: OutboxChannel::Email,
            recipient: person,
            request: None,
            notice,
        };
        tx.enqueue(&message, now).await?;
        tx.record_history(&NewHistoryEntry {
            entity: Entity::Person,
            entity_id: person.0,
            at: now,
            actor_id: actor.person,
            actor_kind: actor.kind,
            channel: actor.channel,
            action: "reset_mfa".into(),
            changes: vec![Change::redacted("second_factor")],
        })
        .await?;
        tx.commit().await?;
        tracing::info!(person = %target.user_code, sessions_ended, "second factor reset by a coordinator");
        Ok(MfaReset::Reset { sessions_ended })
    }
}
