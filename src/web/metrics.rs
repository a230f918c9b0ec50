//! `/metrics` in Prometheus text format. Figures come from the database, so every
//! process behind a load balancer reports the same totals.

use super::{AppState, WebError};
use crate::store::outbox::OutboxChannel;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::fmt::Write as _;

/// Whether `headers` carry `Authorization: Bearer TOKEN` for the configured token
/// (compared in constant time); always true when no token is configured.
fn authorized(state: &AppState, headers: &HeaderMap) -> bool {
    let token = &state.metrics.bearer_token;
    if token.is_empty() {
        return true;
    }
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .unwrap_or("");
    token.matches(given)
}

pub async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, WebError> {
    if !authorized(&state, &headers) {
        return Ok((
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer realm=\"relais metrics\"")],
            "unauthorized\n",
        )
            .into_response());
    }
    let mut tx = state.workflow.store().begin().await?;
    let requests = tx.count_requests_by_status().await?;
    let outbox = tx.count_outbox().await?;
    let retries = tx.count_outbox_retries().await?;
    tx.commit().await?;

    let mut out = String::new();
    let _ = writeln!(
        out,
        "# HELP relais_requests Requests by status.\n# TYPE relais_requests gauge"
    );
    for status in crate::domain::request::RequestStatus::ALL {
        let n = requests.iter().find(|(s, _)| *s == status).map_or(0, |(_, n)| *n);
        let _ = writeln!(out, "relais_requests{{status=\"{}\"}} {n}", status.as_str());
    }
    let _ = writeln!(
        out,
        "# HELP relais_outbox_messages Notifications by channel and delivery status (queued, sent, dead).\n\
         # TYPE relais_outbox_messages gauge"
    );
    for channel in [OutboxChannel::Email, OutboxChannel::Sms] {
        for (status, label) in [("pending", "queued"), ("sent", "sent"), ("dead", "dead")] {
            let n = outbox
                .iter()
                .find(|(c, s, _)| *c == channel && s == status)
                .map_or(0, |(_, _, n)| *n);
            let _ = writeln!(
                out,
                "relais_outbox_messages{{channel=\"{}\",status=\"{label}\"}} {n}",
                channel.as_str()
            );
        }
    }
    let _ = writeln!(
        out,
        "# HELP relais_outbox_retries Delivery attempts beyond the first.\n# TYPE relais_outbox_retries gauge"
    );
    for channel in [OutboxChannel::Email, OutboxChannel::Sms] {
        let n = retries.iter().find(|(c, _)| *c == channel).map_or(0, |(_, n)| *n);
        let _ = writeln!(out, "relais_outbox_retries{{channel=\"{}\"}} {n}", channel.as_str());
    }
    let _ = writeln!(
        out,
        "# HELP relais_build_info Version of the running process.\n# TYPE relais_build_info gauge\nrelais_build_info{{version=\"{}\"}} 1",
        env!("CARGO_PKG_VERSION")
    );
    Ok((
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        out,
    )
        .into_response())
}
