//! SMS through a real Kannel (bearerbox, smsbox, and fakesmsc as the phone network),
//! started by scripts/test.sh.

use crate::support;

use relais::outbound::worker::Outbound;
use std::time::{Duration, Instant};
use support::{Engine, TestBank};

fn env(name: &str) -> String {
    std::env::var(name)
        .unwrap_or_else(|_| panic!("{name} is not set: run the suite with scripts/test.sh, which starts Kannel"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_offer_reaches_the_phone_network_through_kannel() {
    let bank = TestBank::new(Engine::Sqlite).await;
    let settings = support::settings(
        &bank,
        &[
            ("RELAIS__SMS__GATEWAY", "kannel".to_string()),
            ("RELAIS__SMS__FROM_NUMBER", "+15145550100".to_string()),
            (
                "RELAIS__SMS__KANNEL__SENDSMS_URL",
                format!(
                    "http://127.0.0.1:{}/cgi-bin/sendsms",
                    env("RELAIS_TEST_KANNEL_SENDSMS_PORT")
                ),
            ),
            ("RELAIS__SMS__KANNEL__USERNAME", "relais".to_string()),
            ("RELAIS__SMS__KANNEL__PASSWORD", "secret".to_string()),
        ],
    );
    let outbound = Outbound::new(&settings, bank.store.clone(), bank.clock.clone()).unwrap();
    let id = bank.create().await;
    bank.workflow
        .execute(bank.as_coordinator(), support::offer(id, vec![bank.interpreters[0]]))
        .await
        .unwrap();
    // The fake network's log is shared by every test that uses Kannel: read only what
    // arrives from here on, and only an offer (another test texts answers about a request
    // of the same reference).
    let log = env("RELAIS_TEST_FAKESMSC_LOG");
    let before = std::fs::read_to_string(&log).unwrap_or_default().len();
    assert!(
        outbound.deliver_due().await.unwrap() >= 2,
        "the acknowledgement and the offer"
    );

    // fakesmsc logs each SMS Kannel hands to the phone network: "Got message N: <FROM TO
    // text TEXT>" for one part, "<FROM TO udh UDH data URL-ENCODED>" for each part of a
    // concatenated SMS (an offer with its link takes two). The first part holds the code.
    let deadline = Instant::now() + Duration::from_secs(15);
    let (line, text) = loop {
        let log_text = std::fs::read_to_string(&log).unwrap_or_default();
        let found = log_text
            .get(before..)
            .unwrap_or_default()
            .lines()
            .filter(|l| l.contains("Got message"))
            .map(|l| (l.to_string(), sms_text(l)))
            .find(|(_, text)| text.contains("HC-26061001") && text.contains("Répondez"));
        if let Some(found) = found {
            break found;
        }
        assert!(Instant::now() < deadline, "no SMS reached fakesmsc:\n{log_text}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(line.contains("<+15145550100 +15145550110 "), "{line}");
    // Accents arrive intact, and the offer's code is there to text back.
    let code = regex::Regex::new(r"Répondez OUI (\d{4}) ou NON (\d{4})").unwrap();
    let caps = code.captures(&text).unwrap_or_else(|| panic!("{line}"));
    assert_eq!(&caps[1], &caps[2]);

    // A refused password is an error the outbox keeps for a retry.
    let mut wrong = settings.clone();
    wrong.sms.kannel.password = relais::config::Secret::new("wrong");
    let refused = Outbound::new(&wrong, bank.store.clone(), bank.clock.clone()).unwrap();
    bank.workflow
        .execute(bank.as_coordinator(), support::offer(id, vec![bank.interpreters[1]]))
        .await
        .unwrap();
    refused.deliver_due().await.unwrap();
    let errors: Vec<String> = match &bank.store {
        relais::store::Store::Sqlite(pool, ..) => {
            sqlx::query_scalar("SELECT last_error FROM outbox WHERE channel = 'sms' AND status = 'pending'")
                .fetch_all(pool)
                .await
                .unwrap()
        }
        relais::store::Store::Postgres(..) => unreachable!(),
    };
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains("403"), "{errors:?}");
}

/// The text of a fakesmsc log line: as it is after `text `, or URL-decoded after `data `.
fn sms_text(line: &str) -> String {
    let body = line.trim_end_matches('>');
    if let Some((_, text)) = body.split_once(" text ") {
        return text.to_string();
    }
    match body.split_once(" data ") {
        Some((_, data)) => form_urlencoded::parse(format!("t={data}").as_bytes())
            .map(|(_, v)| v.into_owned())
            .collect(),
        None => String::new(),
    }
}
