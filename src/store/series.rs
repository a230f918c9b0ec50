//! Series of appointments: the series' row, and which requests belong to it.

use super::{StoreError, Tx, on_conn};
use crate::domain::ids::{PersonId, RequestId};
use chrono::{DateTime, Utc};

impl Tx {
    /// A new series asked by `requested_by`, repeating as `repetition` says (its key).
    pub async fn insert_series(
        &mut self,
        requested_by: PersonId,
        repetition: &str,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        const SQL: &str =
            "INSERT INTO request_series (requested_by, repetition, created_at) VALUES ($1, $2, $3) RETURNING id";
        let id: i64 = on_conn!(self, |c| sqlx::query_scalar(SQL)
            .bind(requested_by.0)
            .bind(repetition)
            .bind(now)
            .fetch_one(c)
            .await?);
        Ok(id)
    }

    /// Puts `request` in `series`.
    pub async fn set_request_series(&mut self, request: RequestId, series: i64) -> Result<(), StoreError> {
        const SQL: &str = "UPDATE requests SET series_id = $2 WHERE id = $1";
        on_conn!(self, |c| sqlx::query(SQL)
            .bind(request.0)
            .bind(series)
            .execute(c)
            .await?
            .rows_affected());
        Ok(())
    }

    /// The series `request` belongs to, if any.
    pub async fn series_of(&mut self, request: RequestId) -> Result<Option<i64>, StoreError> {
        const SQL: &str = "SELECT series_id FROM requests WHERE id = $1";
        let series: Option<Option<i64>> = on_conn!(self, |c| sqlx::query_scalar(SQL)
            .bind(request.0)
            .fetch_optional(c)
            .await?);
        Ok(series.flatten())
    }

    /// The requests of `series` starting at or after `from`, soonest first (through
    /// `requests_series_idx`).
    pub async fn series_requests_from(
        &mut self,
        series: i64,
        from: DateTime<Utc>,
    ) -> Result<Vec<RequestId>, StoreError> {
        const SQL: &str = "SELECT id FROM requests WHERE series_id = $1 AND starts_at >= $2 ORDER BY starts_at, id";
        let ids: Vec<i64> = on_conn!(self, |c| sqlx::query_scalar(SQL)
            .bind(series)
            .bind(from)
            .fetch_all(c)
            .await?);
        Ok(ids.into_iter().map(RequestId).collect())
    }
}
