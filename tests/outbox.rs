//! The outbox shared by several workers: every message is sent once, by one of them.

mod support;

use relais::clock::Clock;
use relais::outbound::worker::Outbound;
use relais::store::outbox::{NewOutboxMessage, OutboxChannel};
use support::{Engine, TestBank};

on_both_engines!(two_workers_send_each_message_once);

async fn two_workers_send_each_message_once(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let log = std::env::temp_dir().join(format!("relais-sms-{}.log", uuid::Uuid::new_v4()));
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
