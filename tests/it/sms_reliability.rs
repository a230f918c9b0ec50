//! The SMS webhooks when things go wrong, over real HTTP on both engines: a gateway that
//! retries one SMS many times at once, a database held busy, a database that cannot be
//! written, and a message whose processing fails every time.

use crate::support;

use relais::domain::request::RequestStatus;
use relais::inbound::sms_pipeline::SmsPipeline;
use relais::store::Store;
use relais::store::failure::Failure;
use sqlx::Connection as _;
use std::time::{Duration, Instant};
use support::{Engine, TestBank, offer};

on_both_engines!(
    fifty_replays_of_one_sms_apply_once_and_get_one_answer,
    a_busy_database_gets_503_and_the_retry_applies_once,
    healthz_says_when_the_database_cannot_be_written,
    a_bounded_write_gives_up_in_time_with_a_passing_failure,
    a_poison_sms_is_set_aside_and_applies_once_tried_again_after_the_fix,
    sms_arriving_together_are_written_together_and_a_poison_one_alone,
    more_sms_than_a_group_holds_are_all_answered,
);

const TWILIO_TOKEN: &str = "twilio-token";
const KANNEL_SECRET: &str = "kannel-secret";

/// Relais over the bank's database with both gateways configured; `extra` on top.
async fn serve(bank: &TestBank, extra: &[(&str, String)]) -> (support::Served, reqwest::Client) {
    let mut env = vec![
        ("RELAIS__SMS__TWILIO__AUTH_TOKEN", TWILIO_TOKEN.to_string()),
        ("RELAIS__SMS__KANNEL__INBOUND_SECRET", KANNEL_SECRET.to_string()),
    ];
    env.extend(extra.iter().map(|(k, v)| (*k, v.clone())));
    let served = support::serve(bank, &env).await;
    // reqwest is built without a TLS provider of its own; plain HTTP still asks for one.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(60))
        .build()
        .unwrap();
    (served, client)
}

/// What a webhook answered: status, `Retry-After`, body.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Answer {
    status: u16,
    retry_after: Option<String>,
    body: String,
}

async fn answer(response: reqwest::Response) -> Answer {
    Answer {
        status: response.status().as_u16(),
        retry_after: response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        body: response.text().await.unwrap(),
    }
}

/// Kannel's `get-url` call for one SMS.
async fn kannel(client: &reqwest::Client, base: &str, id: &str, from: &str, text: &str) -> Answer {
    let response = client
        .get(format!("{base}/webhooks/sms/kannel"))
        .query(&[
            ("secret", KANNEL_SECRET),
            ("id", id),
            ("from", from),
            ("to", "+15145550100"),
            ("text", text),
        ])
        .send()
        .await
        .unwrap();
    answer(response).await
}

/// Twilio's signature of a form POST to `url` (the algorithm is tested against Twilio's
/// own example in src/security/twilio.rs).
fn twilio_signature(url: &str, params: &[(&str, &str)]) -> String {
    use base64::Engine as _;
    use hmac::{KeyInit, Mac};
    let mut sorted = params.to_vec();
    sorted.sort();
    let mut mac = <hmac::Hmac<sha1::Sha1> as KeyInit>::new_from_slice(TWILIO_TOKEN.as_bytes()).unwrap();
    mac.update(url.as_bytes());
    for (k, v) in sorted {
        mac.update(k.as_bytes());
        mac.update(v.as_bytes());
    }
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// Twilio's signed POST for one SMS.
async fn twilio(client: &reqwest::Client, base: &str, sid: &str, from: &str, text: &str) -> Answer {
    let url = format!("{base}/webhooks/sms/twilio");
    let params = [
        ("MessageSid", sid),
        ("From", from),
        ("To", "+15145550100"),
        ("Body", text),
    ];
    let response = client
        .post(&url)
        .header("x-twilio-signature", twilio_signature(&url, &params))
        .form(&params)
        .send()
        .await
        .unwrap();
    answer(response).await
}

/// Runs `sql` on the bank's database from a connection of the test's own.
async fn count(bank: &TestBank, sql: &str) -> i64 {
    let sql = sqlx::AssertSqlSafe(sql.to_string());
    match &bank.store {
        Store::Sqlite(pool, ..) => sqlx::query_scalar(sql).fetch_one(pool).await,
        Store::Postgres(pool, _) => sqlx::query_scalar(sql).fetch_one(pool).await,
    }
    .unwrap()
}

/// Kannel and Twilio each send one interpreter's OUI fifty times at once (a gateway that
/// timed out and retried, several of its workers racing): each offer is accepted once,
/// and all fifty calls get the answer the first one got, none a server error.
async fn fifty_replays_of_one_sms_apply_once_and_get_one_answer(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let by_kannel = bank.create().await;
    let by_twilio = bank.create().await;
    bank.workflow
        .execute(bank.as_coordinator(), offer(by_kannel, vec![bank.interpreters[0]]))
        .await
        .unwrap();
    bank.workflow
        .execute(bank.as_coordinator(), offer(by_twilio, vec![bank.interpreters[1]]))
        .await
        .unwrap();
    let (served, client) = serve(&bank, &[]).await;
    let base = served.base_url();
    let mut calls = tokio::task::JoinSet::new();
    for i in 0..100 {
        let (client, base) = (client.clone(), base.clone());
        calls.spawn(async move {
            if i % 2 == 0 {
                ("kannel", kannel(&client, &base, "k-race", "+15145550110", "OUI").await)
            } else {
                ("twilio", twilio(&client, &base, "SM-race", "+15145550111", "OUI").await)
            }
        });
    }
    let mut answers: Vec<(&str, Answer)> = Vec::new();
    while let Some(done) = calls.join_next().await {
        answers.push(done.unwrap());
    }
    let failed: Vec<String> = ["kannel", "twilio"]
        .iter()
        .map(|gateway| {
            let n = answers.iter().filter(|(g, a)| g == gateway && a.status >= 500).count();
            format!("{gateway}: {n} of 50")
        })
        .collect();
    assert!(
        answers.iter().all(|(_, a)| a.status < 500),
        "replays failed ({}): {answers:?}",
        failed.join(", ")
    );
    for gateway in ["kannel", "twilio"] {
        let of: Vec<&Answer> = answers.iter().filter(|(g, _)| *g == gateway).map(|(_, a)| a).collect();
        assert_eq!(of.len(), 50);
        assert!(
            of.iter().all(|a| *a == of[0]),
            "{gateway}: the replays got different answers: {of:?}"
        );
        assert_eq!(of[0].status, 200);
        assert!(of[0].body.contains("réservée"), "{gateway}: {}", of[0].body);
    }
    let twiml = &answers.iter().find(|(g, _)| *g == "twilio").unwrap().1.body;
    assert!(twiml.starts_with("<?xml") && twiml.contains("<Message>"), "{twiml}");
    for (id, interpreter) in [(by_kannel, 0), (by_twilio, 1)] {
        let request = bank.load(id).await;
        assert_eq!(request.status, RequestStatus::Booked);
        assert_eq!(request.assigned_interpreter, Some(bank.interpreters[interpreter]));
        assert_eq!(request.version, 3, "create, offer, accept: applied once");
    }
    assert_eq!(count(&bank, "SELECT COUNT(*) FROM inbound_sms").await, 2);
    assert_eq!(
        count(&bank, "SELECT COUNT(*) FROM history WHERE channel = 'sms'").await,
        2,
        "one change recorded per SMS"
    );
}

/// A connection of the test's own that holds what Relais needs, until released.
enum Holder {
    Sqlite(sqlx::SqliteConnection),
    Postgres(sqlx::PgConnection),
}

impl Holder {
    /// On SQLite, the write lock (`BEGIN IMMEDIATE`); on PostgreSQL, whatever `hold` locks.
    async fn take(bank: &TestBank, hold: &str) -> Holder {
        match bank.db.engine {
            Engine::Sqlite => {
                let mut conn = sqlx::SqliteConnection::connect(&bank.db.url).await.unwrap();
                sqlx::raw_sql("BEGIN IMMEDIATE").execute(&mut conn).await.unwrap();
                Holder::Sqlite(conn)
            }
            Engine::Postgres => {
                let mut conn = sqlx::PgConnection::connect(&bank.db.url).await.unwrap();
                sqlx::raw_sql("BEGIN").execute(&mut conn).await.unwrap();
                sqlx::raw_sql(sqlx::AssertSqlSafe(hold.to_string()))
                    .execute(&mut conn)
                    .await
                    .unwrap();
                Holder::Postgres(conn)
            }
        }
    }

    async fn release(self) {
        match self {
            Holder::Sqlite(mut conn) => {
                sqlx::raw_sql("ROLLBACK").execute(&mut conn).await.unwrap();
            }
            Holder::Postgres(mut conn) => {
                sqlx::raw_sql("ROLLBACK").execute(&mut conn).await.unwrap();
            }
        }
    }
}

/// Another writer holds the database longer than the webhooks may wait (1 s): each gateway
/// hears 503 with Retry-After in about that time, and nothing is kept. Once the writer is
/// done, the gateways' retries are applied, once each.
async fn a_busy_database_gets_503_and_the_retry_applies_once(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let by_kannel = bank.create().await;
    let by_twilio = bank.create().await;
    for (id, i) in [(by_kannel, 0), (by_twilio, 1)] {
        bank.workflow
            .execute(bank.as_coordinator(), offer(id, vec![bank.interpreters[i]]))
            .await
            .unwrap();
    }
    let (served, client) = serve(&bank, &[("RELAIS__SMS__ANSWER_WITHIN_SECONDS", "1".to_string())]).await;
    let base = served.base_url();
    // On PostgreSQL, the rows the acceptances must change: each webhook claims its SMS,
    // reads the sender and the offer, then waits for the request.
    let holder = Holder::take(
        &bank,
        &format!(
            "SELECT id FROM requests WHERE id IN ({}, {}) FOR UPDATE",
            by_kannel.0, by_twilio.0
        ),
    )
    .await;
    for (gateway, call) in [("kannel", 0), ("twilio", 1)] {
        let started = Instant::now();
        let busy = match call {
            0 => kannel(&client, &base, "k-busy", "+15145550110", "OUI").await,
            _ => twilio(&client, &base, "SM-busy", "+15145550111", "OUI").await,
        };
        let took = started.elapsed();
        assert_eq!(busy.status, 503, "{gateway}: {busy:?}");
        assert_eq!(busy.retry_after.as_deref(), Some("10"), "{gateway}");
        assert!(
            took < Duration::from_secs(4),
            "{gateway}: answered after {took:?}, the bound is 1 s"
        );
    }
    holder.release().await;
    assert_eq!(
        count(&bank, "SELECT COUNT(*) FROM inbound_sms").await,
        0,
        "nothing kept of the unanswered calls"
    );
    for id in [by_kannel, by_twilio] {
        assert_eq!(bank.load(id).await.status, RequestStatus::Offered, "nothing applied");
    }
    // The gateways send them again.
    let first = kannel(&client, &base, "k-busy", "+15145550110", "OUI").await;
    assert_eq!(first.status, 200, "{first:?}");
    assert!(first.body.contains("réservée"), "{}", first.body);
    assert_eq!(kannel(&client, &base, "k-busy", "+15145550110", "OUI").await, first);
    let twiml = twilio(&client, &base, "SM-busy", "+15145550111", "OUI").await;
    assert_eq!(twiml.status, 200, "{twiml:?}");
    assert!(twiml.body.contains("réservée"), "{}", twiml.body);
    for (id, i) in [(by_kannel, 0), (by_twilio, 1)] {
        let request = bank.load(id).await;
        assert_eq!(request.assigned_interpreter, Some(bank.interpreters[i]));
        assert_eq!(request.version, 3, "create, offer, accept: applied once");
    }
    assert_eq!(count(&bank, "SELECT COUNT(*) FROM inbound_sms").await, 2);
}

async fn healthz(client: &reqwest::Client, base: &str) -> (u16, String, Duration) {
    let started = Instant::now();
    let response = client.get(format!("{base}/healthz")).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap(), started.elapsed())
}

/// `/healthz` writes: 503 with a reason, within a few seconds, while another writer holds
/// the database (and on PostgreSQL while it is read-only), 200 again after.
async fn healthz_says_when_the_database_cannot_be_written(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let (served, client) = serve(&bank, &[]).await;
    let base = served.base_url();
    assert_eq!(healthz(&client, &base).await.0, 200);
    let holder = Holder::take(&bank, "LOCK TABLE sequences IN EXCLUSIVE MODE").await;
    let (status, body, took) = healthz(&client, &base).await;
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("cannot be written"), "{body}");
    assert!(took < Duration::from_secs(5), "answered after {took:?}");
    holder.release().await;
    let (status, body, _) = healthz(&client, &base).await;
    assert_eq!((status, body.as_str()), (200, "ok\n"));
    assert_eq!(
        count(&bank, "SELECT COUNT(*) FROM sequences WHERE name LIKE 'relais:%'").await,
        0,
        "the probe keeps nothing"
    );

    if engine == Engine::Postgres {
        // A failover leaves the database read-only: connections opened from then on
        // cannot write (the others are cut, as a failover cuts them).
        let (_, name) = bank.db.url.rsplit_once('/').unwrap();
        let mut admin = sqlx::PgConnection::connect(&bank.db.url).await.unwrap();
        let cut = format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = '{name}' AND pid <> pg_backend_pid()"
        );
        for sql in [
            format!("ALTER DATABASE {name} SET default_transaction_read_only = on"),
            cut.clone(),
        ] {
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(&mut admin)
                .await
                .unwrap();
        }
        let (status, body, _) = healthz(&client, &base).await;
        assert_eq!(status, 503, "{body}");
        for sql in [
            format!("ALTER DATABASE {name} RESET default_transaction_read_only"),
            cut,
        ] {
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(&mut admin)
                .await
                .unwrap();
        }
        assert_eq!(healthz(&client, &base).await.0, 200);
    }
}

/// What the webhooks and `/healthz` build on: a write that may wait 300 ms for a database
/// held by another writer gives up in about that time, and its failure reads as one that
/// will pass (the gateway is asked to retry; the SMS is not set aside).
async fn a_bounded_write_gives_up_in_time_with_a_passing_failure(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let holder = Holder::take(&bank, "LOCK TABLE sequences IN EXCLUSIVE MODE").await;
    let started = Instant::now();
    let error = bank
        .store
        .probe_write(Duration::from_millis(300))
        .await
        .expect_err("the database is held");
    let took = started.elapsed();
    assert!(took < Duration::from_secs(2), "gave up after {took:?}");
    let error = anyhow::Error::new(error);
    assert_eq!(Failure::of(&error), Failure::Transient, "{error:#}");
    holder.release().await;
    bank.store.probe_write(Duration::from_millis(300)).await.unwrap();
}

/// Makes every change recorded from an SMS fail, as a bug or a broken row would.
/// An SMS whose processing fails every time (here the database refuses its change) is set
/// aside: the gateway gets 200 with a safe answer, now and at every retry, and nothing is
/// applied. Tried again while the fault is there, it stays set aside; after the fix, it
/// applies, once.
async fn a_poison_sms_is_set_aside_and_applies_once_tried_again_after_the_fix(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let id = bank.create().await;
    bank.workflow
        .execute(bank.as_coordinator(), offer(id, vec![bank.interpreters[0]]))
        .await
        .unwrap();
    let (served, client) = serve(&bank, &[]).await;
    let base = served.base_url();
    support::faults::poison_sms_changes(&bank.store).await;

    let first = kannel(&client, &base, "k-poison", "+15145550110", "OUI").await;
    assert_eq!(first.status, 200, "{first:?}");
    assert_eq!(
        first.body,
        "Relais\u{a0}: votre message n\u{2019}a pas pu être traité. Rien n\u{2019}a été fait\u{a0}; \
         la coordination en est avisée."
    );
    assert_eq!(
        kannel(&client, &base, "k-poison", "+15145550110", "OUI").await,
        first,
        "the gateway's retry gets the same answer"
    );
    let twiml = twilio(&client, &base, "SM-poison", "+15145550110", "OUI").await;
    assert_eq!(twiml.status, 200);
    assert!(
        twiml.body.contains("<Message>Relais\u{a0}: votre message"),
        "{}",
        twiml.body
    );
    assert_eq!(bank.load(id).await.status, RequestStatus::Offered, "nothing applied");
    assert_eq!(bank.load(id).await.version, 2);

    let mut tx = bank.store.begin().await.unwrap();
    let aside = tx.set_aside_sms(10).await.unwrap();
    assert_eq!(tx.count_set_aside_sms().await.unwrap(), 2);
    tx.commit().await.unwrap();
    assert_eq!(aside.len(), 2, "{aside:?}");
    let kannel_row = aside.iter().find(|s| s.gateway == "kannel").unwrap();
    assert_eq!(kannel_row.person_id, Some(bank.interpreters[0].0));
    assert_eq!(kannel_row.person_name.as_deref(), Some("Lucía Ramírez"));
    assert_eq!(kannel_row.from_number, "+15145550110");
    assert_eq!(kannel_row.excerpt, "OUI");
    let detail = kannel_row.detail.clone().unwrap_or_default();
    assert!(detail.contains("poison"), "the reason is kept: {detail}");

    // Tried again before the fix: it fails again and stays set aside.
    let pipeline = SmsPipeline::new(bank.workflow.clone(), "CA", "Relais");
    let again = pipeline.retry_set_aside(kannel_row.id).await;
    assert!(again.is_err(), "{again:?}");
    let mut tx = bank.store.begin().await.unwrap();
    assert_eq!(tx.count_set_aside_sms().await.unwrap(), 2);
    tx.commit().await.unwrap();
    assert_eq!(bank.load(id).await.version, 2, "nothing applied");

    support::faults::cure_sms_changes(&bank.store).await;
    let applied = pipeline.retry_set_aside(kannel_row.id).await.unwrap().unwrap();
    assert_eq!(applied.outcome, "accepted");
    assert!(applied.reply.contains("réservée"), "{}", applied.reply);
    let request = bank.load(id).await;
    assert_eq!(request.status, RequestStatus::Booked);
    assert_eq!(request.assigned_interpreter, Some(bank.interpreters[0]));
    assert_eq!(request.version, 3, "create, offer, accept: applied once");
    assert!(
        pipeline.retry_set_aside(kannel_row.id).await.unwrap().is_none(),
        "handled: no longer set aside"
    );
    // The same answer sent through Twilio, tried again: the offer is hers already, nothing
    // waits for an answer, nothing more is applied.
    let twilio_row = aside.iter().find(|s| s.gateway == "twilio").unwrap();
    let late = pipeline.retry_set_aside(twilio_row.id).await.unwrap().unwrap();
    assert_eq!(late.outcome, "nothing_open");
    assert_eq!(bank.load(id).await.version, 3);
    let mut tx = bank.store.begin().await.unwrap();
    assert!(tx.set_aside_sms(10).await.unwrap().is_empty());
    tx.commit().await.unwrap();
    // The gateway's replay now gets what the SMS did.
    let replay = kannel(&client, &base, "k-poison", "+15145550110", "OUI").await;
    assert_eq!((replay.status, replay.body), (200, applied.reply));
}

/// Twenty-four webhooks at once while another writer holds SQLite's write lock: an
/// interpreter's OUI that the database refuses, fifteen `AIDE`, four unknown numbers and
/// one SMS sent four times by its gateway. On SQLite they wait together and are written in
/// a few transactions, not one each; the refused one is undone alone and set aside, and its
/// neighbours are recorded once each with their answers. On PostgreSQL, where each is a
/// transaction of its own, the answers are the same.
async fn sms_arriving_together_are_written_together_and_a_poison_one_alone(engine: Engine) {
    use relais::inbound::sms_pipeline::{InboundSms, Received};
    let bank = TestBank::new(engine).await;
    let id = bank.create().await;
    bank.workflow
        .execute(bank.as_coordinator(), offer(id, vec![bank.interpreters[0]]))
        .await
        .unwrap();
    support::faults::poison_sms_changes(&bank.store).await;
    let pipeline = SmsPipeline::new(bank.workflow.clone(), "CA", "Relais");
    let mut calls: Vec<(String, String, &str)> = vec![("k-oui".into(), "+15145550110".into(), "OUI")];
    calls.extend((0..15).map(|i| (format!("k-aide-{i}"), "+15145550111".into(), "AIDE")));
    calls.extend((0..4).map(|i| (format!("k-unknown-{i}"), format!("+1514555099{i}"), "OUI")));
    calls.extend((0..4).map(|_| ("k-again".to_string(), "+15145550112".into(), "AIDE")));
    let holder = match engine {
        Engine::Sqlite => Some(Holder::take(&bank, "").await),
        Engine::Postgres => None,
    };
    let tasks: Vec<_> = calls
        .iter()
        .map(|(gateway_id, from, text)| {
            let (pipeline, gateway_id, from, text) = (pipeline.clone(), gateway_id.clone(), from.clone(), *text);
            tokio::spawn(async move {
                pipeline
                    .receive(InboundSms {
                        gateway: "kannel",
                        gateway_id: &gateway_id,
                        from: &from,
                        to: "+15145550100",
                        text,
                    })
                    .await
            })
        })
        .collect();
    if let Some(holder) = holder {
        // All wait: in the first group, stuck on the lock, or queued behind it.
        let started = Instant::now();
        while pipeline.sms_waiting() < calls.len() {
            assert!(started.elapsed() < Duration::from_secs(30), "the webhooks never queued");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        holder.release().await;
    }
    let mut answers = Vec::new();
    for task in tasks {
        match task.await.unwrap() {
            Received::Answered(answer) => answers.push(answer),
            Received::RetryLater => panic!("a webhook was asked to retry"),
        }
    }
    assert_eq!(answers[0].outcome, "set_aside", "{:?}", answers[0]);
    assert!(
        answers[0].reply.contains("n\u{2019}a pas pu être traité"),
        "{}",
        answers[0].reply
    );
    for answer in &answers[1..16] {
        assert_eq!(answer.outcome, "help", "{answer:?}");
        assert!(answer.reply.contains("OUI"), "{}", answer.reply);
    }
    for answer in &answers[16..20] {
        assert_eq!(answer.outcome, "unknown_number", "{answer:?}");
    }
    let again = &answers[20..];
    assert_eq!(again.iter().filter(|a| a.outcome == "help").count(), 1, "{again:?}");
    assert!(again.iter().all(|a| a.reply == again[0].reply), "{again:?}");
    assert_eq!(
        count(&bank, "SELECT COUNT(*) FROM inbound_sms").await,
        21,
        "one row each, none twice"
    );
    assert_eq!(
        count(&bank, "SELECT COUNT(*) FROM inbound_sms WHERE outcome = 'set_aside'").await,
        1
    );
    assert_eq!(bank.load(id).await.status, RequestStatus::Offered, "nothing applied");
    match engine {
        Engine::Sqlite => {
            let groups = pipeline.sms_groups_committed();
            assert!((1..=3).contains(&groups), "{groups} transactions for 24 webhooks");
        }
        Engine::Postgres => assert_eq!(pipeline.sms_groups_committed(), 0),
    }
}

/// 150 webhooks at once behind a held write lock, more than a group holds (64): every
/// call is answered, none asked to retry, each SMS recorded once, in a few transactions of
/// at most 64.
async fn more_sms_than_a_group_holds_are_all_answered(engine: Engine) {
    use relais::inbound::sms_pipeline::{InboundSms, Received};
    let bank = TestBank::new(engine).await;
    let pipeline = SmsPipeline::new(bank.workflow.clone(), "CA", "Relais");
    const CALLS: usize = 150;
    let holder = match engine {
        Engine::Sqlite => Some(Holder::take(&bank, "").await),
        Engine::Postgres => None,
    };
    let tasks: Vec<_> = (0..CALLS)
        .map(|i| {
            let pipeline = pipeline.clone();
            tokio::spawn(async move {
                pipeline
                    .receive(InboundSms {
                        gateway: "kannel",
                        gateway_id: &format!("k-many-{i}"),
                        from: "+15145550111",
                        to: "+15145550100",
                        text: "AIDE",
                    })
                    .await
            })
        })
        .collect();
    if let Some(holder) = holder {
        let started = Instant::now();
        while pipeline.sms_waiting() < CALLS {
            assert!(started.elapsed() < Duration::from_secs(30), "the webhooks never queued");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        holder.release().await;
    }
    for task in tasks {
        match task.await.unwrap() {
            Received::Answered(answer) => assert_eq!(answer.outcome, "help", "{answer:?}"),
            Received::RetryLater => panic!("a webhook was asked to retry"),
        }
    }
    assert_eq!(count(&bank, "SELECT COUNT(*) FROM inbound_sms").await, CALLS as i64);
    if engine == Engine::Sqlite {
        let groups = pipeline.sms_groups_committed();
        assert!((3..=6).contains(&groups), "{groups} transactions for {CALLS} webhooks");
    }
}
