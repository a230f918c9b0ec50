//! `/healthz`: 200 when the database takes a write, 503 with a short reason otherwise.
//!
//! Orchestrators poll it, and a process whose database answers reads but cannot be written
//! (held busy, read-only after a failover) is no better than one that is down: every
//! webhook and every form would fail. The probe takes the write lock, inserts a row and
//! rolls back ([`crate::store::Store::probe_write`]), bounded by [`HEALTH_WITHIN`].

use super::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::time::Duration;

/// How long the write probe may take: a few seconds, well under orchestrators' timeouts.
pub const HEALTH_WITHIN: Duration = Duration::from_secs(3);

pub async fn healthz(State(state): State<AppState>) -> Response {
    let store = state.workflow.store();
    let reason = match tokio::time::timeout(HEALTH_WITHIN, store.probe_write(HEALTH_WITHIN)).await {
        Ok(Ok(())) => return (StatusCode::OK, "ok\n").into_response(),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "healthz: the database refused a write");
            "unavailable: the database cannot be written\n".to_string()
        }
        Err(_) => {
            tracing::warn!(
                within_ms = HEALTH_WITHIN.as_millis(),
                "healthz: the database took no write in time"
            );
            format!(
                "unavailable: the database cannot be written (busy: no write within {} s)\n",
                HEALTH_WITHIN.as_secs()
            )
        }
    };
    (StatusCode::SERVICE_UNAVAILABLE, reason).into_response()
}
