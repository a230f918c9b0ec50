//! Outbox claims across real `relais serve` processes on one PostgreSQL database, with an
//! SMTP relay slower than the claim lease: every message leaves once, a process killed in
//! the middle of a delivery is taken over at once by its restart, and SIGTERM stops within
//! the grace period even against a relay that never answers.

use crate::support;

use chrono::{DateTime, Utc};
use relais::store::Store;
use relais::store::outbox::{NewOutboxMessage, OutboxChannel};
use std::collections::HashMap;
use std::process::ExitStatus;
use std::time::{Duration, Instant};
use support::process::RelaisProcess;
use support::slow_relay::{Pace, SlowRelay};
use support::{Engine, TestBank};

/// A `relais serve` process in its own folder; waits are async so the relay the test runs
/// on the same runtime keeps answering.
struct Process {
    inner: RelaisProcess,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Process {
    /// On a port the system picks, unless `env` sets `RELAIS__WEB__BIND`.
    fn spawn(bank: &TestBank, env: &[(&str, String)]) -> Process {
        let dir = tempfile::tempdir().unwrap();
        let mut all = vec![
            ("RELAIS__DATABASE__URL", bank.db.url.clone()),
            ("RELAIS__SECURITY__SIGNING_KEY", support::mail::SIGNING_KEY.to_string()),
            ("RELAIS__MAIL__INBOUND", "none".to_string()),
            (
                "RELAIS__SMS__LOG_FILE",
                dir.path().join("sms.log").display().to_string(),
            ),
            ("RELAIS__LOG__FILTER", "info,sqlx=warn".to_string()),
        ];
        all.extend(env.iter().map(|(k, v)| (*k, v.clone())));
        let mut inner = RelaisProcess::spawn(dir.path(), &all);
        let port = inner.port();
        Process { inner, port, _dir: dir }
    }

    fn log(&self) -> String {
        self.inner.log()
    }

    async fn wait_healthy(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if healthy(self.port).await {
                return;
            }
            if let Ok(Some(status)) = self.inner.child.try_wait() {
                panic!("relais serve exited with {status}:\n{}", self.log());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "relais serve did not become healthy on port {}:\n{}",
            self.port,
            self.log()
        );
    }

    fn signal(&self, signal: &str) {
        self.inner.signal(signal);
    }

    /// Waits for the process to exit, at most `within`.
    async fn wait_exit(&mut self, within: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.inner.child.try_wait().unwrap() {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// SIGTERM, then an orderly exit (status 0, "stopped" in the log) within `within`;
    /// waited for off the runtime, which the test's relay keeps using.
    async fn terminate(self, within: Duration) -> String {
        let Process { inner, _dir, .. } = self;
        tokio::task::spawn_blocking(move || inner.terminate(within))
            .await
            .unwrap()
    }
}

async fn healthy(port: u16) -> bool {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let Ok(mut stream) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await else {
        return false;
    };
    if stream
        .write_all(b"GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        .await
        .is_err()
    {
        return false;
    }
    let mut response = String::new();
    let read = tokio::time::timeout(Duration::from_secs(5), stream.read_to_string(&mut response)).await;
    matches!(read, Ok(Ok(_))) && response.starts_with("HTTP/1.0 200") && response.ends_with("ok\n")
}

/// One outbox row as the database has it.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    id: i64,
    status: String,
    attempts: i64,
    claimed_by: Option<String>,
    locked_until: Option<DateTime<Utc>>,
}

async fn rows(store: &Store) -> Vec<Row> {
    const SQL: &str = "SELECT id, status, attempts, claimed_by, locked_until FROM outbox ORDER BY id";
    type Tuple = (i64, String, i64, Option<String>, Option<DateTime<Utc>>);
    let tuples: Vec<Tuple> = match store {
        Store::Postgres(pool, _) => sqlx::query_as(SQL).fetch_all(pool).await.unwrap(),
        Store::Sqlite(pool, ..) => sqlx::query_as(SQL).fetch_all(pool).await.unwrap(),
    };
    tuples
        .into_iter()
        .map(|(id, status, attempts, claimed_by, locked_until)| Row {
            id,
            status,
            attempts,
            claimed_by,
            locked_until,
        })
        .collect()
}

/// Queues `n` emails to the requester; returns their ids.
async fn queue_mails(bank: &TestBank, n: usize) -> Vec<i64> {
    let mut tx = bank.store.begin().await.unwrap();
    for i in 0..n {
        let message = NewOutboxMessage {
            channel: OutboxChannel::Email,
            recipient: bank.requester,
            request: None,
            notice: relais::domain::notice::Notice::Help {
                reason: format!("asked {i}"),
                answering: Default::default(),
            },
        };
        tx.enqueue(&message, Utc::now() - chrono::TimeDelta::minutes(1))
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    support::last_outbox_ids(&bank.store, n).await
}

/// The outbox id a Relais Message-ID names (`<relais.….o42@bi.example>`).
fn outbox_id(message_id: &str) -> i64 {
    let (_, rest) = message_id
        .rsplit_once(".o")
        .unwrap_or_else(|| panic!("not a Relais Message-ID: {message_id}"));
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().unwrap()
}

fn count_by_id(message_ids: &[String]) -> HashMap<i64, usize> {
    let mut counts = HashMap::new();
    for id in message_ids {
        *counts.entry(outbox_id(id)).or_default() += 1;
    }
    counts
}

/// Waits until every row of the outbox is sent, at most `within`; returns the rows.
async fn wait_all_sent(store: &Store, within: Duration) -> Vec<Row> {
    let deadline = Instant::now() + within;
    loop {
        let rows = rows(store).await;
        if rows.iter().all(|r| r.status == "sent") || Instant::now() >= deadline {
            return rows;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Two processes, a relay taking 3 s a mail and a 2 s lease: no claim lapses under the
/// worker sending it, so no message is sent twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_send_each_mail_once_though_the_relay_is_slower_than_the_lease() {
    let bank = TestBank::new(Engine::Postgres).await;
    let relay = SlowRelay::start(Pace::Accept(Duration::from_secs(3))).await;
    queue_mails(&bank, 10).await;
    let mut env = relay.env(30);
    env.push(("RELAIS__WORKERS__OUTBOX_LEASE_SECONDS", "2".to_string()));
    let mut processes: Vec<Process> = (0..2).map(|_| Process::spawn(&bank, &env)).collect();
    for p in &mut processes {
        p.wait_healthy().await;
    }
    let started = Instant::now();
    let rows = wait_all_sent(&bank.store, Duration::from_secs(90)).await;
    let took = started.elapsed();
    // A copy claimed again after its lease lapsed would still be on its way: give it time.
    tokio::time::sleep(Duration::from_secs(4)).await;
    for p in processes {
        p.terminate(Duration::from_secs(15)).await;
    }
    let received = relay.received();
    let counts = count_by_id(&received);
    let twice: Vec<_> = counts.iter().filter(|(_, n)| **n > 1).collect();
    eprintln!(
        "two processes: {} mails reached the relay for {} rows, all sent after {took:?}",
        received.len(),
        rows.len()
    );
    assert!(rows.iter().all(|r| r.status == "sent"), "not all sent: {rows:?}");
    assert!(
        twice.is_empty(),
        "{} mails reached the relay for {} rows; sent more than once: {twice:?}",
        received.len(),
        rows.len()
    );
    assert_eq!(received.len(), rows.len(), "{received:?}\n{rows:?}");
    for row in &rows {
        assert_eq!(counts.get(&row.id), Some(&1), "row {row:?}");
    }
}

/// A process killed while the relay holds a mail; its restart (same name: configured, or
/// host and port) releases the claim at once instead of waiting out the 5-minute lease.
async fn a_restart_takes_back_its_claims_at_once(configured_instance: bool) {
    let bank = TestBank::new(Engine::Postgres).await;
    let hung = SlowRelay::start(Pace::Hang).await;
    let ids = queue_mails(&bank, 3).await;
    let instance = format!("outbox-test-{}", uuid::Uuid::new_v4().simple());
    let named = |relay: &SlowRelay, port: Option<u16>| {
        let mut env = relay.env(600);
        env.push(("RELAIS__WORKERS__OUTBOX_LEASE_SECONDS", "300".to_string()));
        if configured_instance {
            env.push(("RELAIS__WORKERS__INSTANCE", instance.clone()));
        }
        if let Some(port) = port {
            env.push(("RELAIS__WEB__BIND", format!("127.0.0.1:{port}")));
        }
        env
    };
    // A process on port 0 takes a random name (its next port is anyone's guess), so the
    // restart-by-port case needs a port of its own, chosen here and held by no one between
    // the two runs: the one place the tests pick a port themselves.
    let chosen = (!configured_instance).then(|| {
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    });
    let mut first = Process::spawn(&bank, &named(&hung, chosen));
    let port = first.port;
    first.wait_healthy().await;
    let in_flight = hung.wait_received(1, Duration::from_secs(20)).await;
    assert_eq!(in_flight.len(), 1, "no mail reached the hung relay:\n{}", first.log());
    let held = outbox_id(&in_flight[0]);
    let claimed = rows(&bank.store).await.into_iter().find(|r| r.id == held).unwrap();
    assert!(
        claimed
            .locked_until
            .is_some_and(|t| t > Utc::now() + chrono::TimeDelta::minutes(4)),
        "{claimed:?}"
    );
    let expected_name = if configured_instance {
        instance.clone()
    } else {
        format!("{}:{port}", hostname::get().unwrap().to_string_lossy())
    };
    assert_eq!(claimed.claimed_by.as_deref(), Some(expected_name.as_str()));
    first.signal("-KILL");
    assert!(first.wait_exit(Duration::from_secs(10)).await.is_some());

    let fast = SlowRelay::start(Pace::Accept(Duration::ZERO)).await;
    let restarted_at = Instant::now();
    // Same name: the configured one, or the same port on the same host.
    let mut second = Process::spawn(&bank, &named(&fast, (!configured_instance).then_some(port)));
    second.wait_healthy().await;
    let received = fast.wait_received(ids.len(), Duration::from_secs(20)).await;
    let took = restarted_at.elapsed();
    eprintln!("restart (configured instance: {configured_instance}): the held mail left {took:?} after the restart");
    assert!(
        count_by_id(&received).contains_key(&held),
        "the mail held by the killed process did not leave within {took:?}:\n{}",
        second.log()
    );
    assert!(took < Duration::from_secs(20), "{took:?}");
    assert!(
        second.log().contains("claims left by a previous run released"),
        "{}",
        second.log()
    );
    let rows = wait_all_sent(&bank.store, Duration::from_secs(10)).await;
    second.terminate(Duration::from_secs(15)).await;
    let received = fast.received();
    let counts = count_by_id(&received);
    for row in &rows {
        assert_eq!(row.status, "sent", "{rows:?}");
        assert_eq!(counts.get(&row.id), Some(&1), "{row:?}: {received:?}");
    }
    assert_eq!(received.len(), rows.len(), "{received:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_under_the_configured_instance_takes_back_its_claims_at_once() {
    a_restart_takes_back_its_claims_at_once(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_on_the_same_host_and_port_takes_back_its_claims_at_once() {
    a_restart_takes_back_its_claims_at_once(false).await;
}

/// SIGTERM with a backlog while the relay never answers: the process exits 0 within the
/// grace period (2 s) plus a second, and leaves the abandoned mail pending, unclaimed, its
/// attempt not counted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stops_within_the_grace_period_against_a_hung_relay() {
    let bank = TestBank::new(Engine::Postgres).await;
    let hung = SlowRelay::start(Pace::Hang).await;
    let ids = queue_mails(&bank, 5).await;
    let mut env = hung.env(60);
    env.push(("RELAIS__WORKERS__SHUTDOWN_GRACE_SECONDS", "2".to_string()));
    let mut process = Process::spawn(&bank, &env);
    process.wait_healthy().await;
    let in_flight = hung.wait_received(1, Duration::from_secs(20)).await;
    assert_eq!(in_flight.len(), 1, "no mail reached the hung relay:\n{}", process.log());
    let before = rows(&bank.store).await;
    let held = outbox_id(&in_flight[0]);
    assert!(
        before
            .iter()
            .any(|r| r.id == held && r.attempts == 1 && r.claimed_by.is_some()),
        "{before:?}"
    );
    let signalled = Instant::now();
    let log = process.terminate(Duration::from_secs(10)).await;
    let took = signalled.elapsed();
    eprintln!("SIGTERM against a hung relay, grace 2 s: exited after {took:?}");
    assert!(took < Duration::from_secs(3), "stopping took {took:?}:\n{log}");
    assert!(log.contains("delivery abandoned at shutdown"), "{log}");
    let after = rows(&bank.store).await;
    for id in &ids {
        let row = after.iter().find(|r| r.id == *id).unwrap();
        assert_eq!(row.status, "pending", "{row:?}");
        assert_eq!(row.locked_until, None, "{row:?}");
        assert_eq!(row.claimed_by, None, "{row:?}");
        assert_eq!(row.attempts, 0, "the abandoned attempt is not counted: {row:?}");
    }
    assert_eq!(hung.received().len(), 1, "nothing else was taken after the signal");
}
