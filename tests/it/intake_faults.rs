//! The Maildir intake of `relais serve`, as a process, against the faults of real life: a
//! kill -9 at any moment, then a restart, applies every mail exactly once; SIGTERM with a
//! backlog stops between two mails, well within the grace period, and the restart takes
//! the rest.

use crate::support;

use relais::store::Store;
use std::path::Path;
use std::time::{Duration, Instant};
use support::process::RelaisProcess;
use support::{Engine, TestBank};

on_both_engines!(
    a_kill_during_intake_then_a_restart_applies_every_mail_once,
    sigterm_with_a_backlog_stops_between_mails,
);

/// `relais serve` reading `dir/inbox` into the bank's database.
fn serve(bank: &TestBank, dir: &Path) -> RelaisProcess {
    RelaisProcess::spawn(
        dir,
        &[
            ("RELAIS__DATABASE__URL", bank.db.url.clone()),
            ("RELAIS__SECURITY__SIGNING_KEY", support::mail::SIGNING_KEY.to_string()),
            ("RELAIS__MAIL__FROM_ADDRESS", "relais@bi.example".to_string()),
            ("RELAIS__MAIL__MAILDIR", dir.join("inbox").display().to_string()),
            ("RELAIS__MAIL__OUTBOX_FOLDER", dir.join("sent").display().to_string()),
        ],
    )
}

/// `n` help requests from `from`, each its own mail, waiting in `dir/inbox/new`.
fn backlog(dir: &Path, from: &str, n: usize) {
    relais::inbound::maildir::ensure(&dir.join("inbox")).unwrap();
    for i in 0..n {
        let raw = support::mail::raw_mail(
            &format!("intake.{i}@ciusss.example"),
            from,
            "relais@bi.example",
            "Aide",
            "",
            "AIDE",
        );
        std::fs::write(dir.join("inbox/new").join(format!("{i:05}.mail")), raw).unwrap();
    }
}

fn count(dir: &Path) -> usize {
    std::fs::read_dir(dir).map(|d| d.count()).unwrap_or(0)
}

/// Waits until `done` holds, or fails after `limit` naming `what`.
fn wait_until(what: &str, limit: Duration, process: &mut RelaisProcess, done: impl Fn() -> bool) {
    let deadline = Instant::now() + limit;
    while !done() {
        if let Ok(Some(status)) = process.child.try_wait() {
            panic!("relais serve exited with {status} before {what}:\n{}", process.log());
        }
        assert!(Instant::now() < deadline, "{what}: not within {limit:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A second process takes what the first left in the folder, then stops.
fn finish_backlog(bank: &TestBank, dir: &Path) {
    let new = dir.join("inbox/new");
    let mut second = serve(bank, dir);
    wait_until("the rest of the backlog", Duration::from_secs(180), &mut second, || {
        count(&new) == 0
    });
    second.signal("-KILL");
    second.child.wait().unwrap();
}

/// (mails recorded, help answers queued): each mail must give exactly one of each.
async fn applied(store: &Store) -> (i64, i64) {
    const MAILS: &str = "SELECT COUNT(*) FROM inbound_messages";
    const ANSWERS: &str = "SELECT COUNT(*) FROM outbox WHERE kind = 'help'";
    match store {
        Store::Sqlite(pool, ..) => (
            sqlx::query_scalar(MAILS).fetch_one(pool).await.unwrap(),
            sqlx::query_scalar(ANSWERS).fetch_one(pool).await.unwrap(),
        ),
        Store::Postgres(pool, _) => (
            sqlx::query_scalar(MAILS).fetch_one(pool).await.unwrap(),
            sqlx::query_scalar(ANSWERS).fetch_one(pool).await.unwrap(),
        ),
    }
}

async fn requester_address(bank: &TestBank) -> String {
    let mut tx = bank.store.begin().await.unwrap();
    let p = tx.person(bank.requester).await.unwrap();
    tx.commit().await.unwrap();
    format!("Marie Tremblay <{}>", p.email)
}

async fn a_kill_during_intake_then_a_restart_applies_every_mail_once(engine: Engine) {
    const MAILS: usize = 300;
    let bank = TestBank::new(engine).await;
    let dir = tempfile::tempdir().unwrap();
    backlog(dir.path(), &requester_address(&bank).await, MAILS);
    let cur = dir.path().join("inbox/cur");
    let new = dir.path().join("inbox/new");

    let mut first = serve(&bank, dir.path());
    wait_until(
        "a first part of the backlog",
        Duration::from_secs(60),
        &mut first,
        || count(&cur) >= 40,
    );
    first.signal("-KILL");
    first.child.wait().unwrap();
    let left = count(&new);
    assert!(left > 0, "killed after the whole backlog: make it larger");

    finish_backlog(&bank, dir.path());
    assert_eq!(count(&cur), MAILS);
    assert_eq!(
        applied(&bank.store).await,
        (MAILS as i64, MAILS as i64),
        "every mail recorded and answered exactly once ({left} were left at the kill)"
    );
}

async fn sigterm_with_a_backlog_stops_between_mails(engine: Engine) {
    const MAILS: usize = 600;
    let bank = TestBank::new(engine).await;
    let dir = tempfile::tempdir().unwrap();
    backlog(dir.path(), &requester_address(&bank).await, MAILS);
    let cur = dir.path().join("inbox/cur");
    let new = dir.path().join("inbox/new");

    let mut first = serve(&bank, dir.path());
    wait_until(
        "a first part of the backlog",
        Duration::from_secs(60),
        &mut first,
        || count(&cur) >= 20,
    );
    let asked = Instant::now();
    first.signal("-TERM");
    let status = first.child.wait().unwrap();
    let took = asked.elapsed();
    let log = first.log();
    assert!(status.success(), "{status}\n{log}");
    // The default grace period is 10 s; a stop seen between mails takes one mail's time.
    assert!(took < Duration::from_secs(11), "stopped after {took:?}\n{log}");
    let left = count(&new);
    assert!(
        left > 0,
        "the whole backlog went through before the stop: make it larger"
    );
    eprintln!("stopped {took:?} after SIGTERM with {left} of {MAILS} mails waiting");

    finish_backlog(&bank, dir.path());
    assert_eq!(applied(&bank.store).await, (MAILS as i64, MAILS as i64));
}
