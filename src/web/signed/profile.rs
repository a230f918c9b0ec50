//! `GET/POST /profile`.

use crate::web::AppState;
use crate::web::account::SignedIn;
use axum::extract::State;
use axum::response::Response;

/// `GET /profile`.
pub async fn show(_signed_in: SignedIn, State(_state): State<AppState>) -> Response {
    super::not_found()
}

/// `POST /profile`.
pub async fn submit(_signed_in: SignedIn, State(_state): State<AppState>) -> Response {
    super::not_found()
}
