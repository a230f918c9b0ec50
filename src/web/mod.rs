//! The HTTP side: health, metrics, and (as the other issues land) pages, links and webhooks.

mod error;
mod health;
mod metrics;

pub use error::WebError;

use crate::workflow::Workflow;
use axum::Router;
use axum::routing::get;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub workflow: Workflow,
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/metrics", get(metrics::metrics))
        .with_state(state)
}
