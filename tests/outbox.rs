//! The outbox shared by several workers: every message is sent once, by one of them.

mod support;

use relais::clock::Clock;
use relais::outbound::worker::Outbound;
use relais::store::outbox::{NewOutboxMessage, OutboxChannel};
use support::{Engine, TestBank};

on_both_engines!(
    two_workers_send_each_message_once,
    a_message_that_never_leaves_is_reported_to_coordinators
);

async fn two_workers_send_each_message_once(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let log = bank.scratch_path("sms.log");
    let settings = support::settings(&bank, &[("RELAIS__SMS__LOG_FILE", log.display().to_string())]);
    let id = bank.create().await;
    let mut tx = bank.store.begin().await.unwrap();
    for i in 0..60 {
        let message = NewOutboxMessage {
            channel: OutboxChannel::Sms,
            recipient: bank.interpreters[i % 3],
            kind: "request_offered".into(),
            request: Some(id),
            payload: serde_json::json!({ "status": "offered", "n": i }),
        };
        tx.enqueue(&message, bank.clock.now()).await.unwrap();
    }
    tx.commit().await.unwrap();
    let workers: Vec<Outbound> = (0..2)
        .map(|_| Outbound::new(&settings, bank.store.clone(), bank.clock.clone()).unwrap())
        .collect();
    let mut tasks = Vec::new();
    for worker in workers {
        tasks.push(tokio::spawn(async move {
            let mut sent = 0;
            loop {
                let n = worker.deliver_due().await.unwrap();
                if n == 0 {
                    return sent;
                }
                sent += n;
            }
        }));
    }
    let mut per_worker = Vec::new();
    for t in tasks {
        per_worker.push(t.await.unwrap());
    }
    // The 60 SMS and the requester's acknowledgement of the request.
    assert_eq!(per_worker.iter().sum::<usize>(), 61, "{per_worker:?}");
    let lines = std::fs::read_to_string(&log).unwrap().lines().count();
    assert_eq!(lines, 60, "each message was sent exactly once");
    let mut tx = bank.store.begin().await.unwrap();
    let counts = tx.count_outbox().await.unwrap();
    assert!(
        counts.contains(&(OutboxChannel::Sms, "sent".to_string(), 60)),
        "{counts:?}"
    );
}

/// An SMS gateway that never answers: after the last attempt the message is dead-lettered
/// and every coordinator gets an email saying who missed what, once.
async fn a_message_that_never_leaves_is_reported_to_coordinators(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let closed_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = bank.scratch_path("dead");
    let settings = support::settings(
        &bank,
        &[
            ("RELAIS__SMS__GATEWAY", "kannel".to_string()),
            (
                "RELAIS__SMS__KANNEL__SENDSMS_URL",
                format!("http://127.0.0.1:{closed_port}/cgi-bin/sendsms"),
            ),
            ("RELAIS__SMS__KANNEL__USERNAME", "relais".to_string()),
            ("RELAIS__SMS__KANNEL__PASSWORD", "secret".to_string()),
            ("RELAIS__MAIL__OUTBOX_FOLDER", out.display().to_string()),
        ],
    );
    let worker = Outbound::new(&settings, bank.store.clone(), bank.clock.clone()).unwrap();
    let id = bank.create().await;
    let mut tx = bank.store.begin().await.unwrap();
    tx.enqueue(
        &NewOutboxMessage {
            channel: OutboxChannel::Sms,
            recipient: bank.interpreters[0],
            kind: "request_offered".into(),
            request: Some(id),
            payload: serde_json::json!({ "status": "offered" }),
        },
        bank.clock.now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    for _ in 0..relais::outbound::worker::MAX_ATTEMPTS + 2 {
        worker.deliver_due().await.unwrap();
        bank.clock.advance(chrono::TimeDelta::hours(2));
    }
    let mut tx = bank.store.begin().await.unwrap();
    let messages = tx.outbox_of_request(id).await.unwrap();
    let counts = tx.count_outbox().await.unwrap();
    tx.commit().await.unwrap();
    assert!(
        counts.contains(&(OutboxChannel::Sms, "dead".to_string(), 1)),
        "{counts:?}"
    );
    let reports: Vec<_> = messages.iter().filter(|m| m.kind == "delivery_failed").collect();
    assert_eq!(reports.len(), 1, "one report per coordinator, once: {messages:?}");
    assert_eq!(reports[0].recipient, bank.coordinator);
    let mail = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().contains("delivery_failed"))
        .expect("the report was sent");
    let parsed = mail_parser::MessageParser::default()
        .parse(&std::fs::read(mail).unwrap())
        .unwrap()
        .body_text(0)
        .unwrap()
        .to_string();
    assert!(
        parsed.contains("Lucía Ramírez (+15145550110)")
            && parsed.contains("texto (SMS)")
            && parsed.contains("Offre d'interprétation"),
        "{parsed}"
    );
    // The digest names what was not delivered as people read it, never by its code.
    let digest = support::digest_text(&bank).await;
    assert!(digest.contains("(texto) — Offre d'interprétation"), "{digest}");
    assert!(!digest.contains("request_offered"), "{digest}");
}
