//! The HTTP side: health, metrics, and (as the other issues land) pages, links and webhooks.

pub mod account;
mod error;
mod health;
pub mod held_files;
pub mod links;
mod metrics;
mod page;
pub mod record_form;
mod request_pages;
mod requests;
pub mod signed;
pub mod webhooks;

pub use error::WebError;

use crate::workflow::Workflow;
use axum::Router;
use axum::routing::get;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub workflow: Workflow,
    /// SMS gateway webhooks; `None` answers 403 to every call.
    pub sms_hooks: Option<SmsHooks>,
    /// Signed link pages; `None` answers 404.
    pub link_pages: Option<links::LinkPages>,
    /// Sign-in and account pages; `None` answers 404.
    pub account_pages: Option<account::AccountPages>,
    /// The settings the signed-in pages read (bank name, time zone, money rules, links);
    /// `None` answers 404 on those pages.
    pub settings: Option<std::sync::Arc<crate::config::Settings>>,
    /// Who may read `/metrics` and whether it is served with the pages.
    pub metrics: MetricsAccess,
}

/// `metrics.bearer_token` and `metrics.bind`, as the router needs them.
#[derive(Clone, Default)]
pub struct MetricsAccess {
    /// Empty: no token asked.
    pub bearer_token: crate::config::Secret,
    /// `/metrics` has an address of its own ([`metrics_router`]), not the pages'.
    pub separate: bool,
}

/// What the SMS webhooks need.
#[derive(Clone)]
pub struct SmsHooks {
    pub pipeline: crate::inbound::sms_pipeline::SmsPipeline,
    pub public_base_url: String,
    pub twilio_token: crate::config::Secret,
    pub kannel_secret: crate::config::Secret,
}

pub fn router(state: AppState) -> Router {
    let mut router = Router::new().route("/healthz", get(health::healthz));
    if !state.metrics.separate {
        router = router.route("/metrics", get(metrics::metrics));
    }
    router
        .route(webhooks::TWILIO_PATH, axum::routing::post(webhooks::twilio))
        .route("/webhooks/sms/kannel", get(webhooks::kannel))
        .route(
            "/l/{token}",
            get(links::show)
                .post(links::act)
                .layer(axum::extract::DefaultBodyLimit::max(record_form::MAX_BODY_BYTES)),
        )
        // Requester and interpreter pages; `/requests/{id}` also serves `Open` link sessions.
        .merge(request_pages::routes())
        .merge(account::routes())
        // Downloads, the coordinator's board and profiles.
        .merge(signed::routes())
        // Bare 404 and 5xx answers become the bank's page.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            page::errors_as_pages,
        ))
        // Outermost: every answer above, errors and the router's own 404 included.
        .layer(axum::middleware::from_fn(page::security_headers))
        .with_state(state)
}

/// The router of `metrics.bind`: `/metrics` alone.
pub fn metrics_router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(metrics::metrics))
        .layer(axum::middleware::from_fn(page::security_headers))
        .with_state(state)
}
