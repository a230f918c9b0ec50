//! A person changes their own email address: the change waits until the link mailed to
//! the new address is followed (signed, single use, expiring); then the address changes,
//! the history has it, and the old address is told. Reply keys name the person, not the
//! address, and mail trust looks people up by their address as stored: both follow.

use super::{AccountError, Accounts};
use crate::domain::contact::EmailAddress;
use crate::domain::history::{Change, Entity, NewHistoryEntry};
use crate::domain::notice::{EmailChangeRef, Notice};
use crate::domain::person::Person;
use crate::domain::role::{ActorKind, Channel, Role};
use crate::security::account_secret::{self, AccountKeys};
use crate::store::email_changes::{EmailChange, NewEmailChange};
use crate::store::outbox::{NewOutboxMessage, OutboxChannel};
use crate::store::{StoreError, Tx};
use chrono::{DateTime, TimeDelta, Utc};

/// How long the confirmation link lives.
pub const EMAIL_CHANGE_TTL: TimeDelta = TimeDelta::hours(24);
/// Changes one person may ask for within a day: each mails an address not yet theirs.
pub const EMAIL_CHANGES_PER_DAY: i64 = 5;
/// Where the confirmation link leads: the path, then the secret.
pub const EMAIL_CHANGE_PATH: &str = "/profile/email/confirm/";
/// What the link's secret is derived and hashed under.
const PURPOSE: &str = "email_change";

/// How asking for a new address went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmailChangeAsked {
    /// The link left for the new address; it works until then.
    Sent { expires_at: DateTime<Utc> },
    /// It is already their address.
    Same,
    /// Another account has this address.
    Taken,
    /// Too many changes asked within a day: nothing sent.
    Limited,
}

/// What a confirmation link is now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmailChangeState {
    Live {
        change: EmailChange,
        person: Box<Person>,
    },
    Used,
    Expired,
    /// Not one of ours (mistyped, cut, or signed with a retired key).
    Unknown,
}

/// How following the link went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmailChangeConfirmed {
    /// The address changed: the person as they are now.
    Done(Person),
    /// Another account took the address meanwhile: nothing changed.
    Taken(Person),
    Dead(EmailChangeState),
}

/// The full link the confirmation mail carries, derived again from its row.
pub fn email_change_link(keys: &AccountKeys, change: &EmailChange, public_base_url: &str) -> String {
    let base = public_base_url.trim_end_matches('/');
    format!("{base}{EMAIL_CHANGE_PATH}{}", keys.link_secret(PURPOSE, &change.nonce))
}

/// Whether `address` is another person's than `person`'s.
async fn taken(tx: &mut Tx, person: &Person, address: &EmailAddress) -> Result<bool, StoreError> {
    Ok(tx.person_by_email(address).await?.is_some_and(|p| p.id != person.id))
}

/// Who the person acts as, for the history.
fn actor_kind(person: &Person) -> ActorKind {
    if person.has_role(Role::Coordinator) {
        ActorKind::Coordinator
    } else if person.has_role(Role::Interpreter) && !person.has_role(Role::Requester) {
        ActorKind::Interpreter
    } else {
        ActorKind::Requester
    }
}

async fn enqueue(tx: &mut Tx, person: &Person, notice: Notice, now: DateTime<Utc>) -> Result<(), StoreError> {
    let message = NewOutboxMessage {
        channel: OutboxChannel::Email,
        recipient: person.id,
        request: None,
        notice,
    };
    tx.enqueue(&message, now).await
}

impl Accounts {
    /// `person` asks for `new` as their address: a link is mailed to it (an earlier one
    /// stops working). Nothing changes until the link is followed.
    pub async fn ask_email_change(
        &self,
        person: &Person,
        new: &EmailAddress,
    ) -> Result<EmailChangeAsked, AccountError> {
        if *new == person.email {
            return Ok(EmailChangeAsked::Same);
        }
        let now = self.now();
        let mut tx = self.workflow.store.begin().await?;
        if taken(&mut tx, person, new).await? {
            tx.commit().await?;
            return Ok(EmailChangeAsked::Taken);
        }
        if tx.email_changes_since(person.id, now - TimeDelta::days(1)).await? >= EMAIL_CHANGES_PER_DAY {
            tx.commit().await?;
            return Ok(EmailChangeAsked::Limited);
        }
        tx.revoke_email_changes(person.id, now).await?;
        let nonce = account_secret::nonce();
        let secret = self.keys.link_secret(PURPOSE, &nonce);
        let expires_at = now + EMAIL_CHANGE_TTL;
        let id = tx
            .insert_email_change(&NewEmailChange {
                person: person.id,
                old_email: person.email.as_str(),
                new_email: new.as_str(),
                nonce: &nonce,
                secret_hash: &self.keys.keyed_hash(PURPOSE, &secret),
                now,
                expires_at,
            })
            .await?;
        let notice = Notice::EmailChangeConfirm(EmailChangeRef { change: Some(id) });
        enqueue(&mut tx, person, notice, now).await?;
        tx.commit().await?;
        tracing::info!(person = %person.user_code, "email change asked; link mailed to the new address");
        Ok(EmailChangeAsked::Sent { expires_at })
    }

    /// The change `person` asked for that still waits for its link, if any.
    pub async fn pending_email_change(&self, person: &Person) -> Result<Option<EmailChange>, AccountError> {
        let mut tx = self.workflow.store.begin_read().await?;
        let change = tx.pending_email_change(person.id, self.now()).await?;
        tx.commit().await?;
        Ok(change)
    }

    /// The change a link carries, and whether it still works.
    pub async fn email_change_state(&self, secret: &str) -> Result<EmailChangeState, AccountError> {
        if secret.len() != 43 {
            return Ok(EmailChangeState::Unknown);
        }
        let hash = self.keys.keyed_hash(PURPOSE, secret);
        let mut tx = self.workflow.store.begin_read().await?;
        let state = match tx.email_change_by_hash(&hash).await? {
            None => EmailChangeState::Unknown,
            Some(c) if c.used_at.is_some() => EmailChangeState::Used,
            Some(c) if self.now() >= c.expires_at => EmailChangeState::Expired,
            Some(change) => {
                let person = tx.person(change.person).await?;
                // An address changed since by other means: this link is stale.
                if person.active && person.email.as_str() == change.old_email {
                    EmailChangeState::Live {
                        change,
                        person: Box::new(person),
                    }
                } else {
                    EmailChangeState::Unknown
                }
            }
        };
        tx.commit().await?;
        Ok(state)
    }

    /// Follows the link: the address changes, once, the history has it and the old address
    /// is told.
    pub async fn confirm_email_change(&self, secret: &str) -> Result<EmailChangeConfirmed, AccountError> {
        let (change, person) = match self.email_change_state(secret).await? {
            EmailChangeState::Live { change, person } => (change, *person),
            dead => return Ok(EmailChangeConfirmed::Dead(dead)),
        };
        let new = EmailAddress::parse(&change.new_email)
            .map_err(|e| AccountError::Internal(anyhow::anyhow!("stored new address: {e}")))?;
        let now = self.now();
        let mut tx = self.workflow.store.begin().await?;
        if taken(&mut tx, &person, &new).await? {
            tx.commit().await?;
            return Ok(EmailChangeConfirmed::Taken(person));
        }
        if !tx.use_email_change(change.id, now).await? {
            return Ok(EmailChangeConfirmed::Dead(EmailChangeState::Used));
        }
        let mut after = person.clone();
        after.email = new;
        match tx.update_person(&after, now).await {
            Err(StoreError::Conflict(_)) => return Ok(EmailChangeConfirmed::Taken(person)),
            other => other?,
        }
        tx.record_history(&NewHistoryEntry {
            entity: Entity::Person,
            entity_id: person.id.0,
            at: now,
            actor_id: Some(person.id),
            actor_kind: actor_kind(&person),
            channel: Channel::Web,
            action: "change_email".into(),
            changes: vec![Change::new("email", &person.email, &after.email)],
        })
        .await?;
        let notice = Notice::EmailChanged(EmailChangeRef {
            change: Some(change.id),
        });
        enqueue(&mut tx, &after, notice, now).await?;
        tx.commit().await?;
        tracing::info!(person = %person.user_code, "email address changed through its link");
        Ok(EmailChangeConfirmed::Done(after))
    }
}
