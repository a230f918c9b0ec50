//! Mail through the real MTA and Dovecot that scripts/test.sh starts.
#![allow(dead_code)]

use super::TestBank;
use super::mail::SIGNING_KEY;
use futures_util::StreamExt as _;
use relais::config::Settings;
use std::time::{Duration, Instant};

pub fn port(var: &str) -> u16 {
    std::env::var(var)
        .unwrap_or_else(|_| {
            panic!("{var} is not set: run the suite with scripts/test.sh, which starts the mail servers")
        })
        .parse()
        .unwrap()
}

/// Settings that send through the test MTA.
pub fn smtp_settings(bank: &TestBank) -> Settings {
    Settings::from_toml_and_env(
        include_str!("../../../config/default.toml"),
        smtp_env(bank).into_iter().map(|(k, v)| (k.to_string(), v)),
    )
    .unwrap()
}

/// The variables of [`smtp_settings`], for a served Relais that must send the same way.
pub fn smtp_env(bank: &TestBank) -> Vec<(&'static str, String)> {
    vec![
        ("RELAIS__DATABASE__URL", bank.db.url.clone()),
        ("RELAIS__SECURITY__SIGNING_KEY", SIGNING_KEY.to_string()),
        ("RELAIS__MAIL__FROM_ADDRESS", "relais@bi.example".to_string()),
        ("RELAIS__MAIL__OUTBOUND", "smtp".to_string()),
        ("RELAIS__SMTP__HOST", "127.0.0.1".to_string()),
        ("RELAIS__SMTP__PORT", port("RELAIS_TEST_SMTP_PORT").to_string()),
        ("RELAIS__SMTP__TLS", "none".to_string()),
        ("RELAIS__SMTP__TIMEOUT_SECONDS", "5".to_string()),
        (
            "RELAIS__SMS__LOG_FILE",
            bank.scratch_path("sms.log").display().to_string(),
        ),
    ]
}

/// Every message in `user`'s INBOX, raw, once at least `expected` have arrived.
pub async fn inbox(user: &str, expected: usize) -> Vec<Vec<u8>> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let stream = tokio::net::TcpStream::connect(("127.0.0.1", port("RELAIS_TEST_IMAP_PORT")))
            .await
            .unwrap();
        let mut client = async_imap::Client::new(stream);
        client.read_response().await.unwrap();
        let mut session = client.login(user, "secret").await.map_err(|(e, _)| e).unwrap();
        let mailbox = session.select("INBOX").await.unwrap();
        let mut found = Vec::new();
        if mailbox.exists > 0 {
            let mut fetches = session.fetch("1:*", "BODY.PEEK[]").await.unwrap();
            while let Some(f) = fetches.next().await {
                if let Some(body) = f.unwrap().body() {
                    found.push(body.to_vec());
                }
            }
        }
        let _ = session.logout().await;
        if found.len() >= expected || Instant::now() > deadline {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Gives `person` a fresh address of `domain`, so a test reads only its own mail.
pub async fn fresh_address(bank: &TestBank, person: relais::domain::ids::PersonId, domain: &str) -> String {
    let address = format!("t{}@{domain}", uuid::Uuid::new_v4().simple());
    let change = relais::domain::person::ProfileChange {
        email: Some(relais::domain::contact::EmailAddress::parse(&address).unwrap()),
        ..Default::default()
    };
    bank.workflow
        .update_profile(bank.as_coordinator(), person, change)
        .await
        .unwrap();
    address
}

/// Hands `raw` to the test MTA (OpenSMTPD), which delivers it to Dovecot.
pub async fn send_through_mta(envelope_from: &str, to: &str, raw: &[u8]) {
    use lettre::AsyncTransport as _;
    let transport = lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::builder_dangerous("127.0.0.1")
        .port(port("RELAIS_TEST_SMTP_PORT"))
        .build();
    let envelope =
        lettre::address::Envelope::new(Some(envelope_from.parse().unwrap()), vec![to.parse().unwrap()]).unwrap();
    transport.send_raw(&envelope, raw).await.unwrap();
}
