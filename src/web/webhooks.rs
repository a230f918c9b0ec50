//! SMS gateways call these: Twilio (signed POST, answered with TwiML) and Kannel's
//! `get-url` (shared secret, answered with the reply text, which Kannel sends back).
//!
//! Both answer within `sms.answer_within_seconds`: the SMS's answer (the stored one when the
//! gateway sends it again), or 503 with `Retry-After` when it could not be handled in time
//! and nothing of it was kept.

use super::AppState;
use crate::inbound::sms_pipeline::{InboundSms, Received};
use askama::Template as _;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;

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

/// Twilio's answer: the reply as one SMS, or none. XML-escaped by the template.
#[derive(askama::Template)]
#[template(path = "sms/twiml.xml")]
struct Twiml<'a> {
    reply: &'a str,
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
        Received::Answered(answer) => match (Twiml { reply: &answer.reply }).render() {
            Ok(twiml) => ([(header::CONTENT_TYPE, "text/xml; charset=utf-8")], twiml).into_response(),
            Err(e) => super::WebError::Internal(e.into()).into_response(),
        },
        // Nothing was recorded, so Twilio's retry (or its fallback URL) is safe.
        Received::RetryLater => retry_later("retry later\n"),
    }
}

pub async fn kannel(State(state): State<AppState>, Query(query): Query<HashMap<String, String>>) -> Response {
    let hooks = &state.sms_hooks;
    let given = query.get("secret").map(String::as_str).unwrap_or("");
    if !hooks.kannel_secret.matches(given) {
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

/// `application/x-www-form-urlencoded` pairs, in order (`+` is a space; a malformed `%`
/// escape and bytes that are not UTF-8 are kept as they are, never an error).
fn form_urlencoded(body: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(body.as_bytes()).into_owned().collect()
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
        assert_eq!(form_urlencoded("a=100%"), vec![("a".to_string(), "100%".to_string())]);
        assert_eq!(form_urlencoded("a=%zz"), vec![("a".to_string(), "%zz".to_string())]);
    }

    #[test]
    fn twiml_escapes_the_reply_and_sends_nothing_for_an_empty_one() {
        let twiml = Twiml { reply: "a<b & \"c\"" }.render().unwrap();
        assert!(
            twiml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"),
            "{twiml}"
        );
        assert!(
            twiml.contains("<Message>a&#60;b &#38; &#34;c&#34;</Message>"),
            "{twiml}"
        );
        let empty = Twiml { reply: "" }.render().unwrap();
        assert!(empty.ends_with("<Response></Response>"), "{empty}");
    }
}
