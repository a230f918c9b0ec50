//! The SMS webhooks over HTTP: Twilio's signature decides (403 changes nothing), and a
//! reply through the real Kannel books the offer and answers the phone.

use crate::support;

use relais::app::App;
use relais::config::Settings;
use relais::domain::request::RequestStatus;
use std::time::{Duration, Instant};
use support::{Engine, TestBank, offer};

fn settings(bank: &TestBank, port: u16) -> Settings {
    support::settings(
        bank,
        &[
            ("RELAIS__WEB__BIND", format!("127.0.0.1:{port}")),
            ("RELAIS__WEB__PUBLIC_BASE_URL", format!("http://127.0.0.1:{port}")),
            ("RELAIS__SMS__TWILIO__AUTH_TOKEN", "twilio-token".to_string()),
            ("RELAIS__SMS__KANNEL__INBOUND_SECRET", "kannel-secret".to_string()),
        ],
    )
}

/// Relais on a port the system picks; the port and the handle that stops it.
async fn start(bank: &TestBank) -> (u16, tokio::sync::oneshot::Sender<()>) {
    let (listener, port) = support::listener();
    (port, serve(bank, port, listener).await)
}

/// Relais on `port`, the one Kannel is configured to call.
async fn start_on(bank: &TestBank, port: u16) -> tokio::sync::oneshot::Sender<()> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.unwrap();
    serve(bank, port, listener).await
}

async fn serve(bank: &TestBank, port: u16, listener: tokio::net::TcpListener) -> tokio::sync::oneshot::Sender<()> {
    let app = App::build_on(&settings(bank, port), bank.clock.clone(), listener)
        .await
        .unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(app.run_until_stopped(async move {
        let _ = stopped.await;
    }));
    stop
}

/// Twilio's signature of a form POST to `url` (the algorithm is tested against Twilio's
/// own example in src/security/twilio.rs).
fn twilio_signature(url: &str, params: &[(&str, &str)]) -> String {
    use base64::Engine as _;
    use hmac::{KeyInit, Mac};
    let mut sorted = params.to_vec();
    sorted.sort();
    let mut mac = <hmac::Hmac<sha1::Sha1> as KeyInit>::new_from_slice(b"twilio-token").unwrap();
    mac.update(url.as_bytes());
    for (k, v) in sorted {
        mac.update(k.as_bytes());
        mac.update(v.as_bytes());
    }
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

fn post(port: u16, path: &str, signature: &str, body: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        s,
        "POST {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nX-Twilio-Signature: {signature}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    s.read_to_string(&mut response).unwrap();
    let status = response.split_whitespace().nth(1).unwrap().parse().unwrap();
    (
        status,
        response
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_string())
            .unwrap_or_default(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twilio_replies_are_signed_or_refused() {
    let bank = TestBank::new(Engine::Sqlite).await;
    let id = bank.create().await;
    bank.workflow
        .execute(bank.as_coordinator(), offer(id, vec![bank.interpreters[0]]))
        .await
        .unwrap();
    let (port, stop) = start(&bank).await;
    let params = [
        ("MessageSid", "SM1"),
        ("From", "+15145550110"),
        ("To", "+15145550100"),
        ("Body", "OUI"),
        ("NumMedia", "0"),
    ];
    let body = "MessageSid=SM1&From=%2B15145550110&To=%2B15145550100&Body=OUI&NumMedia=0";
    let url = format!("http://127.0.0.1:{port}/webhooks/sms/twilio");
    let signature = twilio_signature(&url, &params);
    let (status, _) = post(port, "/webhooks/sms/twilio", "forged+signature=", body);
    assert_eq!(status, 403);
    assert_eq!(
        bank.load(id).await.status,
        RequestStatus::Offered,
        "a bad signature changes nothing"
    );
    let (status, twiml) = post(port, "/webhooks/sms/twilio", &signature, body);
    assert_eq!(status, 200, "{twiml}");
    assert!(
        twiml.contains("<Response><Message>") && twiml.contains("HC-26061001"),
        "{twiml}"
    );
    assert_eq!(bank.load(id).await.status, RequestStatus::Booked);
    // Twilio retries: same answer, nothing applied twice.
    let (status, again) = post(port, "/webhooks/sms/twilio", &signature, body);
    assert_eq!((status, again), (200, twiml));
    let _ = stop.send(());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_through_kannel_books_the_offer_and_answers_the_phone() {
    let webhook: u16 = std::env::var("RELAIS_TEST_KANNEL_WEBHOOK_PORT")
        .expect("RELAIS_TEST_KANNEL_WEBHOOK_PORT: run the suite with scripts/test.sh, which starts Kannel")
        .parse()
        .unwrap();
    let fifo = std::path::Path::new(&std::env::var("RELAIS_KANNEL_DIR").expect("RELAIS_KANNEL_DIR")).join("phone.fifo");
    let log = std::env::var("RELAIS_TEST_FAKESMSC_LOG").expect("RELAIS_TEST_FAKESMSC_LOG");
    let bank = TestBank::new(Engine::Sqlite).await;
    let id = bank.create().await;
    bank.workflow
        .execute(bank.as_coordinator(), offer(id, vec![bank.interpreters[0]]))
        .await
        .unwrap();
    let mut tx = bank.store.begin().await.unwrap();
    let code = tx.offer_code(id, bank.interpreters[0]).await.unwrap().unwrap();
    tx.commit().await.unwrap();
    let stop = start_on(&bank, webhook).await;
    // The fake network's log is shared by every test that uses Kannel: read only what
    // arrives from here on.
    let before = std::fs::read_to_string(&log).unwrap_or_default().len();

    // The interpreter's phone replies through the fake network.
    {
        use std::io::Write;
        let mut phone = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
        writeln!(phone, "+15145550110 +15145550100 text OUI {code}").unwrap();
    }
    let deadline = Instant::now() + Duration::from_secs(15);
    while bank.load(id).await.status != RequestStatus::Booked {
        assert!(Instant::now() < deadline, "the reply did not book the offer");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(bank.load(id).await.assigned_interpreter, Some(bank.interpreters[0]));
    // Kannel sends the webhook's answer back to the phone.
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        // The answer to the phone, not an offer another test sends through Kannel.
        if text.get(before..).unwrap_or_default().lines().any(|l| {
            l.contains("Got message")
                && l.contains("+15145550110")
                && l.contains("HC-26061001")
                && !l.contains("Répondez")
        }) {
            break;
        }
        assert!(Instant::now() < deadline, "no answer reached the phone:\n{text}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let _ = stop.send(());
}
