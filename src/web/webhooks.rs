//! SMS gateways call these: Twilio (signed POST, answered with TwiML) and Kannel's
//! `get-url` (shared secret, answered with the reply text, which Kannel sends back).
//!
//! Both answer within `sms.answer_within_seconds`: the SMS's answer (the stored one when the
//! gateway sends it again), or 503 with `Retry-After` when it could not be handled in time
//! and nothing of it was kept.

use super::AppState;
use crate::inbound::sms_pipeline::{InboundSms, Received};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use subtle::ConstantTimeEq;

/// The path Twilio is configured to call, appended to `web.public_base_url`.
pub const TWILIO_PATH: &str = "/webhooks/sms/twilio";

/// How long a gateway asked to retry should wait, in seconds.
const RETRY_AFTER_SECONDS: &str = "10";

fn forbidden() -> Response {
    (StatusCode::FORBIDDEN, "forbidden\n").into_response()
}

/// The SMS was not handled and nothing of it was kept: the gateway should send it again.
fn retry_later(body: &'static str) -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::RETRY_AFTER, RETRY_AFTER_SECONDS)],
        body,
    )
        .into_response()
}

fn escape_xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub async fn twilio(State(state): State<AppState>, headers: HeaderMap, body: String) -> Response {
    let hooks = &state.sms_hooks;
    let params: Vec<(String, String)> = form_urlencoded(&body);
    let signature = headers
        .get("x-twilio-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let url = format!("{}{TWILIO_PATH}", hooks.public_base_url.trim_end_matches('/'));
    if hooks.twilio_token.is_empty()
        || !crate::security::twilio::verify(hooks.twilio_token.expose(), &url, &params, signature)
    {
        tracing::warn!("twilio webhook: bad signature");
        return forbidden();
    }
    let get = |k: &str| {
        params
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    let sms = InboundSms {
        gateway: "twilio",
        gateway_id: get("MessageSid"),
        from: get("From"),
        to: get("To"),
        text: get("Body"),
    };
    if sms.gateway_id.is_empty() {
        return (StatusCode::BAD_REQUEST, "MessageSid missing\n").into_response();
    }
    match hooks.pipeline.receive(sms).await {
        Received::Answered(answer) => {
            let twiml = if answer.reply.is_empty() {
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>".to_string()
            } else {
                format!(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Message>{}</Message></Response>",
                    escape_xml(&answer.reply)
                )
            };
            ([(header::CONTENT_TYPE, "text/xml; charset=utf-8")], twiml).into_response()
        }
        // Nothing was recorded, so Twilio's retry (or its fallback URL) is safe.
        Received::RetryLater => retry_later("retry later\n"),
    }
}

pub async fn kannel(State(state): State<AppState>, Query(query): Query<HashMap<String, String>>) -> Response {
    let hooks = &state.sms_hooks;
    let given = query.get("secret").map(String::as_str).unwrap_or("");
    let expected = hooks.kannel_secret.expose();
    if expected.is_empty() || !bool::from(given.as_bytes().ct_eq(expected.as_bytes())) {
        tracing::warn!("kannel webhook: bad secret");
        return forbidden();
    }
    let get = |k: &str| query.get(k).map(String::as_str).unwrap_or("");
    let sms = InboundSms {
        gateway: "kannel",
        gateway_id: get("id"),
        from: get("from"),
        to: get("to"),
        text: get("text"),
    };
    if sms.gateway_id.is_empty() {
        return (StatusCode::BAD_REQUEST, "id missing\n").into_response();
    }
    match hooks.pipeline.receive(sms).await {
        Received::Answered(answer) => {
            ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], answer.reply).into_response()
        }
        // Empty: Kannel, with `omit-empty`, sends the phone no text made of an error page.
        Received::RetryLater => retry_later(""),
    }
}

/// `application/x-www-form-urlencoded` pairs, in order.
pub(super) fn form_urlencoded(body: &str) -> Vec<(String, String)> {
    body.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let hex = |b: u8| (b as char).to_digit(16);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_decode() {
        assert_eq!(
            form_urlencoded("From=%2B15145550110&Body=R%C3%A9ponse+OUI+4821&X"),
            vec![
                ("From".to_string(), "+15145550110".to_string()),
                ("Body".to_string(), "Réponse OUI 4821".to_string()),
                ("X".to_string(), String::new()),
            ]
        );
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz"), "%zz");
        assert_eq!(escape_xml("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
    }
}
