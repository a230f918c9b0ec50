//! The one place errors become HTTP responses: 5xx are logged with their cause and shown
//! as a plain bilingual message; the cause never reaches the person.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("service unavailable: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<crate::store::StoreError> for WebError {
    fn from(e: crate::store::StoreError) -> Self {
        WebError::Internal(e.into())
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let status = match &self {
            WebError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        tracing::error!(error = ?self, status = status.as_u16(), "request failed");
        let body =
            "Une erreur est survenue; veuillez réessayer plus tard.\nSomething went wrong; please try again later.\n";
        (status, body).into_response()
    }
}
