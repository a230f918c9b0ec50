//! The MTA stops; notifications wait in the outbox; it comes back; every message arrives
//! exactly once.

use crate::support;

use relais::outbound::worker::Outbound;
use std::collections::HashMap;
use std::process::Command;
use support::smtp::{inbox, smtp_settings};
use support::{Engine, TestBank};

fn stop_mta() {
    let conf = std::env::var("RELAIS_TEST_MTA_CONF").expect("RELAIS_TEST_MTA_CONF: run scripts/test.sh");
    let status = Command::new("pkill")
        .args(["-TERM", "-f", &format!("smtpd -f {conf}")])
        .status()
        .expect("pkill");
    assert!(status.success(), "the MTA was not running");
    let port = support::smtp::port("RELAIS_TEST_SMTP_PORT");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
        assert!(std::time::Instant::now() < deadline, "the MTA did not stop");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

fn start_mta() {
    let conf = std::env::var("RELAIS_TEST_MTA_CONF").expect("RELAIS_TEST_MTA_CONF: run scripts/test.sh");
    let status = Command::new("smtpd").args(["-f", &conf]).status().expect("smtpd");
    assert!(status.success(), "smtpd did not start");
    let port = support::smtp::port("RELAIS_TEST_SMTP_PORT");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(std::time::Instant::now() < deadline, "the MTA did not start");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_wait_for_the_mta_and_arrive_once() {
    let bank = TestBank::new(Engine::Sqlite).await;
    let outbound = Outbound::new(&smtp_settings(&bank), bank.store.clone(), bank.clock.clone()).unwrap();
    let address = support::smtp::fresh_address(&bank, bank.requester, "ciusss.example").await;
    // Three notifications to the requester: acknowledgements of three requests.
    for _ in 0..3 {
        bank.create().await;
    }
    stop_mta();
    let sent = outbound.deliver_due().await;
    start_mta();
    assert_eq!(sent.unwrap(), 0, "nothing could be sent while the MTA was down");
    assert_eq!(
        outbound.deliver_due().await.unwrap(),
        0,
        "a failed message waits for its retry"
    );
    bank.clock.advance(chrono::Duration::minutes(2));
    assert_eq!(outbound.deliver_due().await.unwrap(), 3);
    bank.clock.advance(chrono::Duration::hours(2));
    assert_eq!(outbound.deliver_due().await.unwrap(), 0, "nothing is sent twice");

    let received = inbox(&address, 3).await;
    let mut by_id: HashMap<String, usize> = HashMap::new();
    for raw in &received {
        let m = mail_parser::MessageParser::default().parse(raw).unwrap();
        *by_id.entry(m.message_id().unwrap().to_string()).or_default() += 1;
    }
    assert_eq!(by_id.len(), 3, "{by_id:?}");
    assert!(by_id.values().all(|n| *n == 1), "{by_id:?}");
    let mut tx = bank.store.begin().await.unwrap();
    assert_eq!(
        tx.count_outbox_retries().await.unwrap(),
        vec![(relais::store::outbox::OutboxChannel::Email, 3)]
    );
    let counts = tx.count_outbox().await.unwrap();
    assert_eq!(
        counts,
        vec![(relais::store::outbox::OutboxChannel::Email, "sent".to_string(), 3)]
    );
}
