//! The HTTP side: health, metrics, and (as the other issues land) pages, links and webhooks.

pub mod account;
mod calendar_feed;
mod cookies;
mod error;
mod error_page;
mod form_view;
mod health;
pub mod held_files;
pub mod links;
mod mail_confirmation;
pub mod menu;
mod metrics;
mod page;
mod request_pages;
mod requests;
pub mod signed;
pub mod uploads;
pub mod webhooks;

pub use error::WebError;

use crate::workflow::Workflow;
use axum::Router;
use axum::routing::get;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub workflow: Workflow,
    /// SMS gateway webhooks.
    pub sms_hooks: SmsHooks,
    /// Signed link pages.
    pub link_pages: links::LinkPages,
    /// Sign-in and account pages.
    pub account_pages: account::AccountPages,
    /// The settings the signed-in pages read (bank name, time zone, money rules, links).
    pub settings: std::sync::Arc<crate::config::Settings>,
    /// The mail pipeline, for the answers to "did you send this?" mails.
    pub mail_pipeline: crate::inbound::pipeline::MailPipeline,
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

/// The client's address as the limits count it: the connection's, or the last entry of
/// `client_ip_header` (written by a reverse proxy) when one is configured. An IPv6 address
/// counts by its /64, the block one household or device usually holds, so walking through
/// the addresses of one block does not escape a limit.
pub fn client_address(
    headers: &axum::http::HeaderMap,
    peer: Option<std::net::SocketAddr>,
    client_ip_header: &str,
) -> String {
    let from_header = (!client_ip_header.is_empty())
        .then(|| {
            headers
                .get(client_ip_header)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.rsplit(',').next())
                .map(str::trim)
                .filter(|v| !v.is_empty())
        })
        .flatten();
    let raw = match from_header {
        Some(last) => last.chars().take(64).collect(),
        None => match peer {
            Some(p) => p.ip().to_string(),
            None => return "unknown".into(),
        },
    };
    match raw.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
        Ok(ip) => ip.to_string(),
        Err(_) => raw,
    }
}

pub fn router(state: AppState) -> Router {
    let mut router = Router::new().route("/healthz", get(health::healthz));
    if !state.metrics.separate {
        router = router.route("/metrics", get(metrics::metrics));
    }
    router
        .route(webhooks::TWILIO_PATH, axum::routing::post(webhooks::twilio))
        .route("/webhooks/sms/kannel", get(webhooks::kannel))
        .route("/calendar/{file}", get(calendar_feed::feed))
        .route("/l/{token}/new", axum::routing::post(links::renew))
        .route(
            "/mail/confirm/{token}",
            get(mail_confirmation::show).post(mail_confirmation::answer),
        )
        .route(
            "/l/{token}",
            get(links::show)
                .post(links::act)
                .layer(axum::extract::DefaultBodyLimit::max(uploads::MAX_BODY_BYTES)),
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

#[cfg(test)]
mod tests {
    use super::client_address;
    use axum::http::HeaderMap;

    #[test]
    fn limits_count_an_ipv6_client_by_its_block_and_a_proxy_by_its_last_entry() {
        let none = HeaderMap::new();
        let peer = |ip: &str| Some(std::net::SocketAddr::new(ip.parse().unwrap(), 4000));
        assert_eq!(client_address(&none, peer("192.0.2.1"), ""), "192.0.2.1");
        assert_eq!(
            client_address(&none, peer("2001:db8:1:2:aaaa::1"), ""),
            client_address(&none, peer("2001:db8:1:2:bbbb::9"), ""),
            "one /64, one client"
        );
        assert_eq!(client_address(&none, peer("2001:db8:1:2::1"), ""), "2001:db8:1:2::/64");
        assert_eq!(client_address(&none, peer("::ffff:192.0.2.7"), ""), "192.0.2.7");
        let mut proxied = HeaderMap::new();
        proxied.insert("x-forwarded-for", "10.9.9.9, 198.51.100.4".parse().unwrap());
        assert_eq!(
            client_address(&proxied, peer("127.0.0.1"), "X-Forwarded-For"),
            "198.51.100.4"
        );
        assert_eq!(client_address(&proxied, peer("127.0.0.1"), ""), "127.0.0.1");
        assert_eq!(client_address(&none, None, ""), "unknown");
    }
}
