//! The outbox shared by several workers: every message is sent once, by one of them.

use crate::support;

use relais::clock::Clock;
use relais::domain::notice::{Notice, RequestFacts};
use relais::domain::request::RequestStatus;
use relais::outbound::worker::Outbound;
use relais::store::outbox::{Lane, NewOutboxMessage, OutboxChannel};
use std::time::Duration;
use support::{Engine, TestBank};

on_both_engines!(
    a_commit_that_queues_wakes_the_senders_who_keep_each_person_s_order,
    two_workers_send_each_message_once,
    a_message_that_never_leaves_is_reported_to_coordinators,
    claims_are_made_one_at_a_time_renewed_and_released,
    several_messages_are_claimed_at_once_oldest_first_and_never_twice
);

/// A sender claims several messages in one statement: the oldest due first, each once, and
/// none another sender holds.
async fn several_messages_are_claimed_at_once_oldest_first_and_never_twice(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let now = bank.clock.now();
    let lease = chrono::TimeDelta::minutes(5);
    let ids = only_these_queued(&bank, 5).await;

    let mut tx = bank.store.begin().await.unwrap();
    let a: Vec<i64> = tx
        .claim_outbox(now, now + lease, "a", Lane::ALL, 3)
        .await
        .unwrap()
        .iter()
        .map(|m| m.id)
        .collect();
    let b: Vec<i64> = tx
        .claim_outbox(now, now + lease, "b", Lane::ALL, 3)
        .await
        .unwrap()
        .iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(a, ids[..3], "the three oldest, in order");
    assert_eq!(b, ids[3..], "what is left, never one of a's");
    assert!(
        tx.claim_outbox(now, now + lease, "c", Lane::ALL, 3)
            .await
            .unwrap()
            .is_empty()
    );
    // Once a's lease is over, its messages are due again.
    let later = now + lease + chrono::TimeDelta::seconds(1);
    let c: Vec<i64> = tx
        .claim_outbox(later, later + lease, "c", Lane::ALL, 8)
        .await
        .unwrap()
        .iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(c, ids, "every lapsed claim, oldest first");
    tx.commit().await.unwrap();
}

/// Whatever setting up the bank queued is marked sent, and `n` answers to the requester
/// are queued: their ids, oldest first.
async fn only_these_queued(bank: &TestBank, n: usize) -> Vec<i64> {
    let now = bank.clock.now();
    let mut tx = bank.store.begin().await.unwrap();
    for m in tx
        .claim_outbox(now, now + chrono::TimeDelta::minutes(5), "setup", Lane::ALL, 1000)
        .await
        .unwrap()
    {
        tx.mark_outbox_sent(m.id, now).await.unwrap();
    }
    for k in 0..n {
        let message = NewOutboxMessage {
            channel: OutboxChannel::Email,
            recipient: bank.requester,
            request: None,
            notice: Notice::Help {
                reason: format!("asked {k}"),
                answering: Default::default(),
            },
        };
        tx.enqueue(&message, now).await.unwrap();
    }
    tx.commit().await.unwrap();
    support::last_outbox_ids(&bank.store, n).await
}

/// The store's side of claims: one message per claim, under a name; renewal only by the
/// holder of that very claim; release of one claim (uncounted) or of all a name holds.
async fn claims_are_made_one_at_a_time_renewed_and_released(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let now = bank.clock.now();
    let lease = chrono::TimeDelta::minutes(5);
    let ids = only_these_queued(&bank, 2).await;

    let mut tx = bank.store.begin().await.unwrap();
    let a = tx
        .claim_next_outbox(now, now + lease, "a", Lane::ALL)
        .await
        .unwrap()
        .unwrap();
    let b = tx
        .claim_next_outbox(now, now + lease, "b", Lane::ALL)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((a.id, a.attempts, b.id, b.attempts), (ids[0], 1, ids[1], 1));
    assert!(
        tx.claim_next_outbox(now, now + lease, "c", Lane::ALL)
            .await
            .unwrap()
            .is_none(),
        "both are claimed"
    );
    assert_eq!(tx.outbox_claim(a.id, now).await.unwrap().as_deref(), Some("a"));
    // Only the holder renews, and only its own claim.
    assert!(tx.renew_outbox_claim(&a, "a", now + lease * 2).await.unwrap());
    assert!(!tx.renew_outbox_claim(&a, "b", now + lease * 2).await.unwrap());
    // b's claim lapses (a's was renewed): c takes b's message, and b's renewal fails.
    let later = now + lease + chrono::TimeDelta::seconds(1);
    let c = tx
        .claim_next_outbox(later, later + lease, "c", Lane::ALL)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((c.id, c.attempts), (b.id, 2));
    assert!(!tx.renew_outbox_claim(&b, "b", later + lease).await.unwrap());
    assert!(!tx.release_outbox_claim(&b, "b").await.unwrap(), "no longer b's");
    // Even under the same name, a claim made again is not the old one.
    let mut stale = c.clone();
    stale.attempts = 1;
    assert!(!tx.renew_outbox_claim(&stale, "c", later + lease).await.unwrap());
    // c abandons its delivery: due at once, unclaimed, the attempt not counted.
    assert!(tx.release_outbox_claim(&c, "c").await.unwrap());
    assert_eq!(tx.outbox_claim(c.id, later).await.unwrap(), None);
    let again = tx
        .claim_next_outbox(later, later + lease, "d", Lane::ALL)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (again.id, again.attempts),
        (c.id, 2),
        "back to b's count, then claimed again"
    );
    // A process starting under the name "a" releases a's claims (keeping the attempts);
    // d's stays.
    assert_eq!(tx.release_outbox_claims_of("a", later, false).await.unwrap(), 1);
    assert_eq!(tx.release_outbox_claims_of("a", later, false).await.unwrap(), 0);
    assert_eq!(tx.outbox_claim(a.id, later).await.unwrap(), None);
    assert_eq!(tx.outbox_claim(again.id, later).await.unwrap().as_deref(), Some("d"));
    let retaken = tx
        .claim_next_outbox(later, later + lease, "e", Lane::ALL)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((retaken.id, retaken.attempts), (a.id, 2));
    // At shutdown, "d" releases what it holds, uncounted.
    assert_eq!(tx.release_outbox_claims_of("d", later, true).await.unwrap(), 1);
    let last = tx
        .claim_next_outbox(later, later + lease, "f", Lane::ALL)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((last.id, last.attempts), (again.id, 2));
    // A sent message is no longer anyone's to renew.
    tx.mark_outbox_sent(last.id, later).await.unwrap();
    assert!(!tx.renew_outbox_claim(&last, "f", later + lease).await.unwrap());
    tx.commit().await.unwrap();
}

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
            request: Some(id),
            notice: Notice::RequestOffered(RequestFacts {
                status: Some(RequestStatus::Offered),
                ..Default::default()
            }),
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
            request: Some(id),
            notice: Notice::RequestOffered(RequestFacts {
                status: Some(RequestStatus::Offered),
                ..Default::default()
            }),
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

/// Whether every message has left (or none is waiting).
async fn none_pending(bank: &TestBank) -> bool {
    let mut tx = bank.store.begin_read().await.unwrap();
    let counts = tx.count_outbox().await.unwrap();
    tx.commit().await.unwrap();
    !counts.iter().any(|(_, status, _)| status == "pending")
}

/// With its poll an hour away, the worker still sends what a commit queues: the commit
/// rings the outbox bell. Four senders share the work, and each person's messages arrive
/// in the order they were queued.
async fn a_commit_that_queues_wakes_the_senders_who_keep_each_person_s_order(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let log = bank.scratch_path("sms.log");
    let settings = support::settings(
        &bank,
        &[
            ("RELAIS__SMS__LOG_FILE", log.display().to_string()),
            ("RELAIS__WORKERS__OUTBOX_SENDERS", "4".to_string()),
        ],
    );
    let id = bank.create().await;
    let worker = Outbound::new(&settings, bank.store.clone(), bank.clock.clone()).unwrap();
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let running = tokio::spawn(worker.run(Duration::from_secs(3600), stop_rx));
    // The first look, at start, sends the acknowledgement queued before.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while !none_pending(&bank).await {
        assert!(tokio::time::Instant::now() < deadline, "the first look sent nothing");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // Each interpreter gets an offer, then word it was filled, ten times over.
    let facts = || RequestFacts {
        status: Some(RequestStatus::Offered),
        ..Default::default()
    };
    let mut tx = bank.store.begin().await.unwrap();
    for round in 0..20 {
        for &recipient in &bank.interpreters {
            let notice = if round % 2 == 0 {
                Notice::RequestOffered(facts())
            } else {
                Notice::OfferFilled(facts())
            };
            let message = NewOutboxMessage {
                channel: OutboxChannel::Sms,
                recipient,
                request: Some(id),
                notice,
            };
            tx.enqueue(&message, bank.clock.now()).await.unwrap();
        }
    }
    tx.commit().await.unwrap();
    let lines = loop {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        if text.lines().count() >= 60 && none_pending(&bank).await {
            break text;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the commit did not wake the worker: {} of 60 sent",
            text.lines().count()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let _ = stop_tx.send(true);
    running.await.unwrap();

    let lines: Vec<&str> = lines.lines().collect();
    assert_eq!(lines.len(), 60, "each message once");
    let mut per_phone: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
    for line in &lines {
        let mut fields = line.split('\t');
        let (_at, to, text) = (fields.next(), fields.next().unwrap(), fields.next().unwrap());
        per_phone.entry(to).or_default().push(text);
    }
    assert_eq!(per_phone.len(), 3, "{per_phone:?}");
    for (phone, texts) in per_phone {
        assert_eq!(texts.len(), 20, "{phone}");
        for pair in texts.windows(2) {
            assert_ne!(pair[0], pair[1], "{phone} got two of the same in a row: {texts:#?}");
        }
    }
}
