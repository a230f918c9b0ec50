//! SMS gateways call these: Twilio (signed POST, answered with TwiML) and Kannel's
//! `get-url` (shared secret, answered with the reply text, which Kannel sends back).

use super::AppState;
use crate::inbound::sms_pipeline::InboundSms;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use subtle::ConstantTimeEq;

/// The path Twilio is configured to call, appended to `web.public_base_url`.
pub const TWILIO_PATH: &str = "/webhooks/sms/twilio";

fn forbidden() -> Response {
    (StatusCode::FORBIDDEN, "forbidden\n").into_response()
}

fn escape_xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub async fn twilio(State(state): State<AppState>, headers: HeaderMap, body: String) -> Response {
    let Some(hooks) = &state.sms_hooks else {
        return forbidden();
    };
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
    match hooks.pipeline.process(sms).await {
        Ok(answer) => {
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
        Err(e) => {
            // Twilio retries on a server error; nothing was recorded, so the retry is safe.
            tracing::error!(error = %format!("{e:#}"), "twilio webhook failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "retry later\n").into_response()
        }
    }
}

pub async fn kannel(State(state): State<AppState>, Query(query): Query<HashMap<String, String>>) -> Response {
    let Some(hooks) = &state.sms_hooks else {
        return forbidden();
    };
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
    match hooks.pipeline.process(sms).await {
        Ok(answer) => ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], answer.reply).into_response(),
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "kannel webhook failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "").into_response()
        }
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
