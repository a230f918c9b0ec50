//! Uses of signed links (each acts once) and the short web sessions some links grant.

use super::{StoreError, Tx, on_conn};
use crate::domain::ids::{PersonId, RequestId};
use chrono::{DateTime, Utc};

/// A recorded use of a link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkUse {
    pub action: String,
    pub used_at: DateTime<Utc>,
}

/// A live web session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WebSession {
    pub person: PersonId,
    /// Set when the session opens this one request only.
    pub request: Option<RequestId>,
    pub expires_at: DateTime<Utc>,
}

impl Tx {
    /// How the link was used, if it was.
    pub async fn link_use(&mut self, link_id: &str) -> Result<Option<LinkUse>, StoreError> {
        const SQL: &str = "SELECT action, used_at FROM link_uses WHERE link_id = $1";
        let row: Option<(String, DateTime<Utc>)> =
            on_conn!(self, |c| sqlx::query_as(SQL).bind(link_id).fetch_optional(c).await?);
        Ok(row.map(|(action, used_at)| LinkUse { action, used_at }))
    }

    /// Records a use; `false` if the link was already used (by a concurrent request too:
    /// the second insert waits for the first transaction and then does nothing).
    pub async fn record_link_use(
        &mut self,
        link_id: &str,
        action: &str,
        request: RequestId,
        person: PersonId,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        const SQL: &str = "INSERT INTO link_uses (link_id, action, request_id, person_id, used_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (link_id) DO NOTHING";
        let inserted = on_conn!(self, |c| sqlx::query(SQL)
            .bind(link_id)
            .bind(action)
            .bind(request.0)
            .bind(person.0)
            .bind(now)
            .execute(c)
            .await?
            .rows_affected());
        Ok(inserted == 1)
    }

    pub async fn insert_web_session(
        &mut self,
        id_hash: &str,
        person: PersonId,
        request: Option<RequestId>,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        const SQL: &str = "INSERT INTO web_sessions (id_hash, person_id, request_id, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)";
        on_conn!(self, |c| sqlx::query(SQL)
            .bind(id_hash)
            .bind(person.0)
            .bind(request.map(|r| r.0))
            .bind(now)
            .bind(expires_at)
            .execute(c)
            .await?
            .rows_affected());
        Ok(())
    }

    /// The session, if it exists and has not expired.
    pub async fn web_session(&mut self, id_hash: &str, now: DateTime<Utc>) -> Result<Option<WebSession>, StoreError> {
        const SQL: &str =
            "SELECT person_id, request_id, expires_at FROM web_sessions WHERE id_hash = $1 AND expires_at > $2";
        let row: Option<(i64, Option<i64>, DateTime<Utc>)> = on_conn!(self, |c| sqlx::query_as(SQL)
            .bind(id_hash)
            .bind(now)
            .fetch_optional(c)
            .await?);
        Ok(row.map(|(person, request, expires_at)| WebSession {
            person: PersonId(person),
            request: request.map(RequestId),
            expires_at,
        }))
    }

    /// Forgets expired sessions; returns how many.
    pub async fn delete_expired_sessions(&mut self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        const SQL: &str = "DELETE FROM web_sessions WHERE expires_at <= $1";
        Ok(on_conn!(self, |c| sqlx::query(SQL)
            .bind(now)
            .execute(c)
            .await?
            .rows_affected()))
    }

    /// Records a "mail me a new link" for `person` about `request`, asked from `client`.
    pub async fn record_link_renewal(
        &mut self,
        person: PersonId,
        request: RequestId,
        client: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        const SQL: &str = "INSERT INTO link_renewals (person_id, request_id, client, at) VALUES ($1, $2, $3, $4)";
        on_conn!(self, |c| sqlx::query(SQL)
            .bind(person.0)
            .bind(request.0)
            .bind(client)
            .bind(at)
            .execute(c)
            .await?
            .rows_affected());
        Ok(())
    }

    /// New links mailed since `since`: to `person`, and asked from `client`.
    pub async fn count_link_renewals(
        &mut self,
        person: PersonId,
        client: &str,
        since: DateTime<Utc>,
    ) -> Result<(i64, i64), StoreError> {
        const BY_PERSON: &str = "SELECT COUNT(*) FROM link_renewals WHERE person_id = $1 AND at > $2";
        const BY_CLIENT: &str = "SELECT COUNT(*) FROM link_renewals WHERE client = $1 AND at > $2";
        let person: i64 = on_conn!(self, |c| sqlx::query_scalar(BY_PERSON)
            .bind(person.0)
            .bind(since)
            .fetch_one(c)
            .await?);
        let client: i64 = on_conn!(self, |c| sqlx::query_scalar(BY_CLIENT)
            .bind(client)
            .bind(since)
            .fetch_one(c)
            .await?);
        Ok((person, client))
    }
}
