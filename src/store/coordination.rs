//! What coordinators need to see and what timed work needs to find: requests waiting,
//! offers unanswered, appointments to remind, bounces and dead letters, and the record of
//! each scheduled slot that ran.

use super::requests::REQUEST_COLUMNS;
use super::{StoreError, Tx, on_conn};
use crate::domain::ids::{PersonId, RequestId};
use crate::domain::request::{Request, RequestStatus};
use chrono::{DateTime, Utc};

/// A message that gave up.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DeadLetter {
    pub id: i64,
    pub kind: String,
    pub channel: String,
    pub recipient_id: i64,
    pub request_id: Option<i64>,
    pub last_error: Option<String>,
}

/// An address that bounced.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Bounce {
    pub address: String,
    pub status: Option<String>,
    pub hard: bool,
    pub at: DateTime<Utc>,
}

/// An offer still waiting for its interpreter's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PendingOffer {
    pub offer: i64,
    pub request: RequestId,
    pub interpreter: PersonId,
    pub created_at: DateTime<Utc>,
    pub reminded: bool,
}

impl Tx {
    /// Records that `job` ran for `slot`; `false` if it already had (here or in another
    /// process), in which case the caller does nothing.
    pub async fn claim_slot(&mut self, job: &str, slot: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
        const SQL: &str =
            "INSERT INTO scheduled_runs (job, slot, ran_at) VALUES ($1, $2, $3) ON CONFLICT (job, slot) DO NOTHING";
        let n = on_conn!(self, |c| sqlx::query(SQL)
            .bind(job)
            .bind(slot)
            .bind(now)
            .execute(c)
            .await?
            .rows_affected());
        Ok(n == 1)
    }

    /// Requests in `status`, soonest first.
    pub async fn requests_in_status(&mut self, status: RequestStatus, limit: i64) -> Result<Vec<Request>, StoreError> {
        let sql = format!("SELECT {REQUEST_COLUMNS} FROM requests WHERE status = $1 ORDER BY starts_at, id LIMIT $2");
        let rows: Vec<super::requests::RequestRow> =
            on_conn!(self, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
                .bind(status.as_str())
                .bind(limit)
                .fetch_all(c)
                .await?);
        rows.into_iter().map(TryInto::try_into).collect()
    }

    /// Service records the requester contested, oldest contest first.
    pub async fn contested_requests(&mut self, limit: i64) -> Result<Vec<Request>, StoreError> {
        let sql = format!(
            "SELECT {REQUEST_COLUMNS} FROM requests WHERE status = 'service_rendered' \
             AND service_contested_at IS NOT NULL ORDER BY service_contested_at, id LIMIT $1"
        );
        let rows: Vec<super::requests::RequestRow> =
            on_conn!(self, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
                .bind(limit)
                .fetch_all(c)
                .await?);
        rows.into_iter().map(TryInto::try_into).collect()
    }

    /// Pending offers made before `before`, oldest first.
    pub async fn pending_offers_before(&mut self, before: DateTime<Utc>) -> Result<Vec<PendingOffer>, StoreError> {
        const SQL: &str = "SELECT id, request_id, interpreter_id, created_at, reminded_at IS NOT NULL FROM offers \
             WHERE status = 'pending' AND created_at < $1 ORDER BY created_at, id";
        let rows: Vec<(i64, i64, i64, DateTime<Utc>, bool)> =
            on_conn!(self, |c| sqlx::query_as(SQL).bind(before).fetch_all(c).await?);
        Ok(rows
            .into_iter()
            .map(|(offer, request, interpreter, created_at, reminded)| PendingOffer {
                offer,
                request: RequestId(request),
                interpreter: PersonId(interpreter),
                created_at,
                reminded,
            })
            .collect())
    }

    /// Pending offers past their deadline at `now`; an offer without one (made before
    /// deadlines were kept) counts as due once made before `legacy_before`.
    pub async fn pending_offers_due(
        &mut self,
        now: DateTime<Utc>,
        legacy_before: DateTime<Utc>,
    ) -> Result<Vec<PendingOffer>, StoreError> {
        const SQL: &str = "SELECT id, request_id, interpreter_id, created_at, reminded_at IS NOT NULL FROM offers \
             WHERE status = 'pending' AND (expires_at <= $1 OR (expires_at IS NULL AND created_at < $2)) \
             ORDER BY created_at, id";
        let rows: Vec<(i64, i64, i64, DateTime<Utc>, bool)> = on_conn!(self, |c| sqlx::query_as(SQL)
            .bind(now)
            .bind(legacy_before)
            .fetch_all(c)
            .await?);
        Ok(rows
            .into_iter()
            .map(|(offer, request, interpreter, created_at, reminded)| PendingOffer {
                offer,
                request: RequestId(request),
                interpreter: PersonId(interpreter),
                created_at,
                reminded,
            })
            .collect())
    }

    /// Marks an offer reminded; `false` if another process did it first.
    pub async fn mark_offer_reminded(&mut self, offer: i64, now: DateTime<Utc>) -> Result<bool, StoreError> {
        const SQL: &str =
            "UPDATE offers SET reminded_at = $2 WHERE id = $1 AND reminded_at IS NULL AND status = 'pending'";
        let n = on_conn!(self, |c| sqlx::query(SQL)
            .bind(offer)
            .bind(now)
            .execute(c)
            .await?
            .rows_affected());
        Ok(n == 1)
    }

    /// Booked requests starting in `[from, to)` whose interpreter was not reminded yet.
    pub async fn appointments_to_remind(
        &mut self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<RequestId>, StoreError> {
        const SQL: &str = "SELECT id FROM requests WHERE status = 'booked' AND starts_at >= $1 AND starts_at < $2 \
             AND interpreter_reminded_at IS NULL ORDER BY starts_at, id";
        let ids: Vec<i64> = on_conn!(self, |c| sqlx::query_scalar(SQL)
            .bind(from)
            .bind(to)
            .fetch_all(c)
            .await?);
        Ok(ids.into_iter().map(RequestId).collect())
    }

    /// Marks the interpreter reminded; `false` if another process did it first.
    pub async fn mark_interpreter_reminded(&mut self, id: RequestId, now: DateTime<Utc>) -> Result<bool, StoreError> {
        const SQL: &str =
            "UPDATE requests SET interpreter_reminded_at = $2 WHERE id = $1 AND interpreter_reminded_at IS NULL";
        let n = on_conn!(self, |c| sqlx::query(SQL)
            .bind(id.0)
            .bind(now)
            .execute(c)
            .await?
            .rows_affected());
        Ok(n == 1)
    }

    /// Booked requests that started in `[from, to)` and whose interpreter was not yet asked
    /// for the service record, with their duration in minutes.
    pub async fn records_to_ask(
        &mut self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<(RequestId, DateTime<Utc>, i64)>, StoreError> {
        const SQL: &str = "SELECT id, starts_at, duration_minutes FROM requests WHERE status = 'booked' \
             AND starts_at >= $1 AND starts_at < $2 AND record_asked_at IS NULL ORDER BY starts_at, id";
        let rows: Vec<(i64, DateTime<Utc>, i64)> =
            on_conn!(self, |c| sqlx::query_as(SQL).bind(from).bind(to).fetch_all(c).await?);
        Ok(rows.into_iter().map(|(id, s, d)| (RequestId(id), s, d)).collect())
    }

    pub async fn mark_record_asked(&mut self, id: RequestId, now: DateTime<Utc>) -> Result<bool, StoreError> {
        const SQL: &str = "UPDATE requests SET record_asked_at = $2 WHERE id = $1 AND record_asked_at IS NULL";
        let n = on_conn!(self, |c| sqlx::query(SQL)
            .bind(id.0)
            .bind(now)
            .execute(c)
            .await?
            .rows_affected());
        Ok(n == 1)
    }

    /// Requests waiting for an interpreter, starting after `now`, whose requester was not
    /// told at this version that nobody can take them.
    pub async fn waiting_requests_untold(
        &mut self,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<Request>, StoreError> {
        let sql = format!(
            "SELECT {REQUEST_COLUMNS} FROM requests WHERE status = 'new' AND starts_at > $1 \
             AND (no_interpreter_version IS NULL OR no_interpreter_version <> version) ORDER BY starts_at, id LIMIT $2"
        );
        let rows: Vec<super::requests::RequestRow> =
            on_conn!(self, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
                .bind(now)
                .bind(limit)
                .fetch_all(c)
                .await?);
        rows.into_iter().map(TryInto::try_into).collect()
    }

    /// Records that the requester was told at `version`; `false` if someone did already
    /// (or the request changed meanwhile).
    pub async fn mark_no_interpreter_told(&mut self, id: RequestId, version: i64) -> Result<bool, StoreError> {
        const SQL: &str = "UPDATE requests SET no_interpreter_version = $2 WHERE id = $1 AND version = $2 \
             AND (no_interpreter_version IS NULL OR no_interpreter_version <> $2)";
        let n = on_conn!(self, |c| sqlx::query(SQL)
            .bind(id.0)
            .bind(version)
            .execute(c)
            .await?
            .rows_affected());
        Ok(n == 1)
    }

    /// Messages dead-lettered since `since`, newest first.
    pub async fn dead_letters_since(
        &mut self,
        since: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<DeadLetter>, StoreError> {
        const SQL: &str = "SELECT id, kind, channel, recipient_id, request_id, last_error FROM outbox \
             WHERE status = 'dead' AND created_at >= $1 ORDER BY created_at DESC, id DESC LIMIT $2";
        Ok(on_conn!(self, |c| sqlx::query_as(SQL)
            .bind(since)
            .bind(limit)
            .fetch_all(c)
            .await?))
    }

    /// Bounces received since `since`, newest first.
    pub async fn bounces_since(&mut self, since: DateTime<Utc>, limit: i64) -> Result<Vec<Bounce>, StoreError> {
        const SQL: &str =
            "SELECT address, status, hard, at FROM mail_bounces WHERE at >= $1 ORDER BY at DESC, id DESC LIMIT $2";
        Ok(on_conn!(self, |c| sqlx::query_as(SQL)
            .bind(since)
            .bind(limit)
            .fetch_all(c)
            .await?))
    }
}
