//! SMS out: the Twilio path against a local server that checks the request the real API
//! expects; every SMS template fits one message; opted-out people get none.

use crate::support;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use relais::config::Settings;
use relais::domain::request::RequestStatus;
use relais::outbound::sms::segments;
use relais::outbound::worker::Outbound;
use std::sync::{Arc, Mutex};
use support::{Engine, TestBank, cancel};

/// One call to the fake API: account in the path, Authorization header, form fields.
type Call = (String, String, Vec<(String, String)>);

#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Vec<Call>>>);

async fn twilio(
    State(seen): State<Seen>,
    axum::extract::Path(sid): axum::extract::Path<String>,
    headers: HeaderMap,
    body: String,
) -> (StatusCode, String) {
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let form: Vec<(String, String)> = url_pairs(&body);
    let refuse = form.iter().any(|(k, v)| k == "To" && v == "+15145550112");
    seen.0.lock().unwrap().push((sid, auth, form));
    if refuse {
        return (
            StatusCode::BAD_REQUEST,
            r#"{"code": 21211, "message": "The 'To' number is not a valid phone number."}"#.into(),
        );
    }
    (StatusCode::CREATED, r#"{"sid": "SM123", "status": "queued"}"#.into())
}

fn url_pairs(body: &str) -> Vec<(String, String)> {
    body.split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (decode(k), decode(v)))
        .collect()
}

fn decode(s: &str) -> String {
    let bytes = s.replace('+', " ").into_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            out.push(u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap(), 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

fn settings(bank: &TestBank, gateway: &[(&str, String)]) -> Settings {
    support::settings(bank, gateway)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twilio_gets_the_request_its_api_expects() {
    let seen = Seen::default();
    let app = axum::Router::new()
        .route("/2010-04-01/Accounts/{sid}/Messages.json", post(twilio))
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let bank = TestBank::new(Engine::Sqlite).await;
    let settings = settings(
        &bank,
        &[
            ("RELAIS__SMS__GATEWAY", "twilio".into()),
            ("RELAIS__SMS__FROM_NUMBER", "+15145550100".into()),
            (
                "RELAIS__SMS__TWILIO__ACCOUNT_SID",
                "AC0123456789abcdef0123456789abcdef".into(),
            ),
            ("RELAIS__SMS__TWILIO__AUTH_TOKEN", "token-secret".into()),
            ("RELAIS__SMS__TWILIO__API_BASE_URL", format!("http://127.0.0.1:{port}")),
        ],
    );
    let outbound = Outbound::new(&settings, bank.store.clone(), bank.clock.clone()).unwrap();
    // Offers to interpreters 0 and 2 (whose number the fake API refuses).
    let id = bank.create().await;
    bank.workflow
        .execute(
            bank.as_coordinator(),
            support::offer(id, vec![bank.interpreters[0], bank.interpreters[2]]),
        )
        .await
        .unwrap();
    outbound.deliver_due().await.unwrap();

    let calls = seen.0.lock().unwrap().clone();
    assert_eq!(calls.len(), 2, "{calls:?}");
    let (sid, auth, form) = calls
        .iter()
        .find(|(_, _, f)| f.iter().any(|(k, v)| k == "To" && v == "+15145550110"))
        .unwrap();
    assert_eq!(sid, "AC0123456789abcdef0123456789abcdef");
    use base64::Engine as _;
    let expected = base64::engine::general_purpose::STANDARD.encode("AC0123456789abcdef0123456789abcdef:token-secret");
    assert_eq!(auth, &format!("Basic {expected}"));
    let get = |k: &str| form.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone()).unwrap();
    assert_eq!(get("From"), "+15145550100");
    let body = get("Body");
    assert!(body.contains("HC-26061001") && body.contains("OUI"), "{body}");
    assert!(body.contains("/l/"), "the offer carries its link: {body}");
    let s = segments(&body);
    assert!(s.gsm7 && s.count <= 2, "two GSM-7 messages at most: {body}");
    assert!(
        !body.contains("Patiente") && !body.contains("grossesse"),
        "no health information by SMS"
    );

    // The refused one waits for a retry with Twilio's reason recorded.
    let pending: Vec<(String, Option<String>, i64)> = match &bank.store {
        relais::store::Store::Sqlite(pool, ..) => {
            sqlx::query_as("SELECT status, last_error, attempts FROM outbox WHERE channel = 'sms' AND status <> 'sent'")
                .fetch_all(pool)
                .await
                .unwrap()
        }
        relais::store::Store::Postgres(..) => unreachable!(),
    };
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].0, "pending");
    assert!(pending[0].1.as_deref().unwrap_or("").contains("21211"), "{pending:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_sms_fits_one_message_and_opt_outs_get_none() {
    let bank = TestBank::new(Engine::Sqlite).await;
    let log = bank.scratch_path("sms.log");
    let outbound = Outbound::new(
        &settings(&bank, &[("RELAIS__SMS__LOG_FILE", log.display().to_string())]),
        bank.store.clone(),
        bank.clock.clone(),
    )
    .unwrap();
    // Offer to all three; one accepts (the others hear it is filled), a change, a cancellation.
    let id = bank.request_in(RequestStatus::Modified).await;
    bank.workflow.execute(bank.as_requester(), cancel(id)).await.unwrap();
    // Interpreter 1 opts out of SMS before the next offer.
    bank.workflow
        .update_profile(
            bank.as_interpreter(1),
            bank.interpreters[1],
            relais::domain::person::ProfileChange {
                notify_sms: Some(false),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let second = bank.create().await;
    bank.workflow
        .execute(
            bank.as_coordinator(),
            support::offer(second, vec![bank.interpreters[1], bank.interpreters[0]]),
        )
        .await
        .unwrap();
    outbound.deliver_due().await.unwrap();
    let lines = std::fs::read_to_string(&log).unwrap();
    let texts: Vec<(&str, &str)> = lines
        .lines()
        .map(|l| {
            let mut parts = l.splitn(3, '\t');
            let _at = parts.next();
            (parts.next().unwrap(), parts.next().unwrap())
        })
        .collect();
    assert!(texts.len() >= 4, "{lines}");
    // One GSM-7 message, or two when it carries its link (an offer's, a booking's).
    for (_, text) in &texts {
        let s = segments(text);
        assert!(s.gsm7, "in the GSM alphabet: {text}");
        let most = if text.contains("/l/") { 2 } else { 1 };
        assert!(s.count <= most, "{} messages for: {text}", s.count);
        assert!(
            !text.contains("Patiente") && !text.contains("grossesse") && !text.contains("Diabète"),
            "{text}"
        );
    }
    let to_opted_out = texts
        .iter()
        .filter(|(to, text)| *to == "+15145550111" && text.contains("HC-26061002"))
        .count();
    assert_eq!(to_opted_out, 0, "opted out: no SMS");
    assert!(
        texts
            .iter()
            .any(|(to, text)| *to == "+15145550110" && text.contains("HC-26061002"))
    );
}
