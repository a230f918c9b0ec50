//! Changes of a person's own email address, pending until the link mailed to the new
//! address is followed (`migrations/*/0022_requester_self_service.sql`). Only the keyed
//! hash of each link's secret is kept.

use super::{StoreError, Tx, on_conn};
use crate::domain::ids::PersonId;
use chrono::{DateTime, Utc};

/// A change of address asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailChange {
    pub id: i64,
    pub person: PersonId,
    pub old_email: String,
    pub new_email: String,
    pub nonce: String,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
}

/// The new change to store.
pub struct NewEmailChange<'a> {
    pub person: PersonId,
    pub old_email: &'a str,
    pub new_email: &'a str,
    pub nonce: &'a str,
    pub secret_hash: &'a str,
    pub now: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    person_id: i64,
    old_email: String,
    new_email: String,
    nonce: String,
    expires_at: DateTime<Utc>,
    used_at: Option<DateTime<Utc>>,
}

impl From<Row> for EmailChange {
    fn from(r: Row) -> EmailChange {
        EmailChange {
            id: r.id,
            person: PersonId(r.person_id),
            old_email: r.old_email,
            new_email: r.new_email,
            nonce: r.nonce,
            expires_at: r.expires_at,
            used_at: r.used_at,
        }
    }
}

const COLUMNS: &str = "id, person_id, old_email, new_email, nonce, expires_at, used_at";

impl Tx {
    pub async fn insert_email_change(&mut self, c: &NewEmailChange<'_>) -> Result<i64, StoreError> {
        const SQL: &str = "INSERT INTO email_changes \
             (person_id, old_email, new_email, nonce, secret_hash, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
        Ok(on_conn!(self, |conn| sqlx::query_scalar(SQL)
            .bind(c.person.0)
            .bind(c.old_email)
            .bind(c.new_email)
            .bind(c.nonce)
            .bind(c.secret_hash)
            .bind(c.now)
            .bind(c.expires_at)
            .fetch_one(conn)
            .await?))
    }

    pub async fn email_change(&mut self, id: i64) -> Result<EmailChange, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM email_changes WHERE id = $1");
        let row: Option<Row> = on_conn!(self, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(id)
            .fetch_optional(c)
            .await?);
        row.map(Into::into).ok_or(StoreError::NotFound)
    }

    /// The change whose link's secret has this keyed hash, used or not, expired or not.
    pub async fn email_change_by_hash(&mut self, secret_hash: &str) -> Result<Option<EmailChange>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM email_changes WHERE secret_hash = $1 ORDER BY id DESC LIMIT 1");
        let row: Option<Row> = on_conn!(self, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(secret_hash)
            .fetch_optional(c)
            .await?);
        Ok(row.map(Into::into))
    }

    /// The person's change still waiting for its link at `now`, if any.
    pub async fn pending_email_change(
        &mut self,
        person: PersonId,
        now: DateTime<Utc>,
    ) -> Result<Option<EmailChange>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM email_changes WHERE person_id = $1 AND used_at IS NULL AND expires_at > $2 \
             ORDER BY id DESC LIMIT 1"
        );
        let row: Option<Row> = on_conn!(self, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(person.0)
            .bind(now)
            .fetch_optional(c)
            .await?);
        Ok(row.map(Into::into))
    }

    /// How many changes the person asked for since `since`: each mails a stranger's address,
    /// so they are limited.
    pub async fn email_changes_since(&mut self, person: PersonId, since: DateTime<Utc>) -> Result<i64, StoreError> {
        const SQL: &str = "SELECT COUNT(*) FROM email_changes WHERE person_id = $1 AND created_at > $2";
        Ok(on_conn!(self, |c| sqlx::query_scalar(SQL)
            .bind(person.0)
            .bind(since)
            .fetch_one(c)
            .await?))
    }

    /// Uses the change's link; `false` if it was already used (by a concurrent request too).
    pub async fn use_email_change(&mut self, id: i64, now: DateTime<Utc>) -> Result<bool, StoreError> {
        const SQL: &str = "UPDATE email_changes SET used_at = $2 WHERE id = $1 AND used_at IS NULL";
        let n = on_conn!(self, |c| sqlx::query(SQL)
            .bind(id)
            .bind(now)
            .execute(c)
            .await?
            .rows_affected());
        Ok(n == 1)
    }

    /// Ends the person's changes still waiting: a new one replaces them.
    pub async fn revoke_email_changes(&mut self, person: PersonId, now: DateTime<Utc>) -> Result<u64, StoreError> {
        const SQL: &str = "UPDATE email_changes SET used_at = $2 WHERE person_id = $1 AND used_at IS NULL";
        Ok(on_conn!(self, |c| sqlx::query(SQL)
            .bind(person.0)
            .bind(now)
            .execute(c)
            .await?
            .rows_affected()))
    }
}
