//! `/healthz`: 200 when the database answers, 503 otherwise.

use super::{AppState, WebError};
use axum::extract::State;

pub async fn healthz(State(state): State<AppState>) -> Result<&'static str, WebError> {
    state
        .workflow
        .store()
        .ping()
        .await
        .map_err(|e| WebError::Unavailable(e.to_string()))?;
    Ok("ok\n")
}
