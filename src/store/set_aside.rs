//! Inbound mail set aside: a message whose processing failed for good keeps its row in
//! `inbound_messages` with the outcome `set_aside` and the reason, so that the source can
//! acknowledge it and go on with the others. Coordinators list them, retry them after a
//! fix, or dismiss them (docs/reliability.md).

use super::{StoreError, Tx, on_conn};
use crate::domain::ids::PersonId;
use crate::domain::text::without_nul;
use chrono::{DateTime, Utc};

/// The outcome of a set-aside message.
pub const SET_ASIDE: &str = "set_aside";
/// The outcome of a set-aside message a coordinator dismissed.
pub const DISMISSED: &str = "dismissed";

/// A set-aside mail, as coordinators see it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SetAsideMail {
    pub id: i64,
    pub received_at: DateTime<Utc>,
    pub from_address: Option<String>,
    pub subject: String,
    pub person_id: Option<i64>,
    /// False once the retention period erased its bytes: it can no longer be retried.
    pub retriable: bool,
}

/// What a retry needs of a set-aside mail.
#[derive(Debug, Clone)]
pub struct SetAsideRaw {
    pub raw: Vec<u8>,
    pub source: String,
}

impl Tx {
    /// Set-aside mail, oldest first.
    pub async fn set_aside_mail(&mut self, limit: i64) -> Result<Vec<SetAsideMail>, StoreError> {
        const SQL: &str = "SELECT id, received_at, from_address, subject, person_id, \
             (raw_erased_at IS NULL) AS retriable FROM inbound_messages \
             WHERE outcome = 'set_aside' ORDER BY received_at, id LIMIT $1";
        let rows: Vec<SetAsideMail> = on_conn!(self, |c| sqlx::query_as(SQL).bind(limit).fetch_all(c).await?);
        Ok(rows)
    }

    /// How many mails from `person` were set aside since `since` (their answers are limited).
    pub async fn set_aside_mail_from(&mut self, person: PersonId, since: DateTime<Utc>) -> Result<i64, StoreError> {
        const SQL: &str = "SELECT COUNT(*) FROM inbound_messages WHERE outcome = 'set_aside' AND received_at >= $2 AND person_id = $1";
        let n: i64 = on_conn!(self, |c| sqlx::query_scalar(SQL)
            .bind(person.0)
            .bind(since)
            .fetch_one(c)
            .await?);
        Ok(n)
    }

    /// The bytes and source of a set-aside mail that can still be retried.
    pub async fn set_aside_raw(&mut self, id: i64) -> Result<Option<SetAsideRaw>, StoreError> {
        const SQL: &str = "SELECT raw, source FROM inbound_messages \
             WHERE id = $1 AND outcome = 'set_aside' AND raw_erased_at IS NULL";
        let row: Option<(Vec<u8>, String)> = on_conn!(self, |c| sqlx::query_as(SQL).bind(id).fetch_optional(c).await?);
        Ok(row.map(|(raw, source)| SetAsideRaw { raw, source }))
    }

    /// Removes a set-aside mail so that it can be processed again in the same transaction
    /// (its dedup key is then free). False when it is no longer set aside: someone else
    /// retried or dismissed it first.
    pub async fn unset_aside_mail(&mut self, id: i64) -> Result<bool, StoreError> {
        const SQL: &str = "DELETE FROM inbound_messages WHERE id = $1 AND outcome = 'set_aside'";
        let n = on_conn!(self, |c| sqlx::query(SQL).bind(id).execute(c).await?.rows_affected());
        Ok(n == 1)
    }

    /// Records why the last attempt at a set-aside mail failed.
    pub async fn set_aside_reason(&mut self, id: i64, reason: &str) -> Result<(), StoreError> {
        const SQL: &str = "UPDATE inbound_messages SET detail = $2 WHERE id = $1 AND outcome = 'set_aside'";
        let reason = without_nul(reason);
        on_conn!(self, |c| sqlx::query(SQL)
            .bind(id)
            .bind(&*reason)
            .execute(c)
            .await?
            .rows_affected());
        Ok(())
    }

    /// A coordinator decided a set-aside mail needs nothing more. False when it was no
    /// longer set aside.
    pub async fn dismiss_set_aside_mail(&mut self, id: i64) -> Result<bool, StoreError> {
        const SQL: &str = "UPDATE inbound_messages SET outcome = 'dismissed' WHERE id = $1 AND outcome = 'set_aside'";
        let n = on_conn!(self, |c| sqlx::query(SQL).bind(id).execute(c).await?.rows_affected());
        Ok(n == 1)
    }
}
