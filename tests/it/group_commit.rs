//! Group commit: messages waiting together are recorded in one transaction, each under a
//! savepoint of its own. A message that fails is undone back to its savepoint, set aside
//! alone, and never takes its neighbours' work with it, nor is any of theirs done twice.
//!
//! The failure is the real database's: a trigger refuses the outcome of any mail whose
//! subject says POISON, after its request was created and its answer queued.

use crate::support;

use relais::inbound::maildir;
use relais::store::Store;
use support::faults::poison;
use support::mail::{FILLED_FORM, pipeline, raw_mail, reply_address};
use support::{Engine, TestBank};

on_both_engines!(poison_mails_in_a_group_are_set_aside_and_their_neighbours_recorded_once);

async fn count(store: &Store, sql: &str) -> i64 {
    match store {
        Store::Sqlite(pool, ..) => sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .fetch_one(pool)
            .await
            .unwrap(),
        Store::Postgres(pool, _) => sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .fetch_one(pool)
            .await
            .unwrap(),
    }
}

async fn poison_mails_in_a_group_are_set_aside_and_their_neighbours_recorded_once(engine: Engine) {
    let bank = TestBank::new(engine).await;
    poison(&bank.store).await;
    let mut tx = bank.store.begin().await.unwrap();
    let from = tx.person(bank.requester).await.unwrap().email.to_string();
    tx.commit().await.unwrap();
    let to = reply_address(None, bank.requester);
    let dir = bank.scratch_path("maildir");
    maildir::ensure(&dir).unwrap();
    // Ten forms, each for a day of its own; the third and the eighth are poisoned.
    let poisoned = [2, 7];
    for n in 0..10 {
        let subject = if poisoned.contains(&n) {
            format!("POISON {n}")
        } else {
            format!("Demande {n}")
        };
        let body = FILLED_FORM.replace("2026-03-09", &format!("2026-03-{:02}", 10 + n));
        let raw = raw_mail(&format!("group-{n}@ciusss.example"), &from, &to, &subject, "", &body);
        std::fs::write(dir.join("new").join(format!("{n:04}")), raw).unwrap();
    }

    let p = pipeline(&bank, None);
    assert_eq!(maildir::drain(&p, &dir).await.unwrap(), 10, "every mail is handled");
    assert_eq!(std::fs::read_dir(dir.join("new")).unwrap().count(), 0);

    let store = &bank.store;
    assert_eq!(
        count(
            store,
            "SELECT COUNT(*) FROM inbound_messages WHERE outcome = 'request_created'"
        )
        .await,
        8,
        "each neighbour is recorded, the ones before a poisoned mail included"
    );
    assert_eq!(
        count(
            store,
            "SELECT COUNT(*) FROM inbound_messages WHERE outcome = 'set_aside' AND subject LIKE 'POISON%'"
        )
        .await,
        2
    );
    assert_eq!(
        count(store, "SELECT COUNT(*) FROM inbound_messages").await,
        10,
        "no mail twice"
    );
    // A poisoned mail's last write, sent with its neighbour's first statement, broke the
    // group's first transaction; recorded again, each mail's writes apart, the neighbours
    // still shared one commit, and the poisoned mails were taken alone after it.
    assert_eq!(
        count(
            store,
            "SELECT COUNT(*) FROM inbound_messages WHERE subject LIKE 'POISON%' \
             AND id > (SELECT MAX(id) FROM inbound_messages WHERE subject LIKE 'Demande%')"
        )
        .await,
        2,
        "the poisoned mails are recorded after all their neighbours"
    );
    assert_eq!(
        count(store, "SELECT COUNT(*) FROM requests").await,
        8,
        "a poisoned mail's request is undone with it, and no neighbour's is made twice"
    );
    assert_eq!(
        count(
            store,
            "SELECT COUNT(DISTINCT request_id) FROM outbox WHERE request_id IS NOT NULL"
        )
        .await,
        8,
        "each request's acknowledgement is queued"
    );
    assert_eq!(
        count(
            store,
            "SELECT COUNT(*) FROM outbox WHERE request_id IS NOT NULL GROUP BY request_id, kind, recipient_id ORDER BY COUNT(*) DESC LIMIT 1"
        )
        .await,
        1,
        "and none twice"
    );
    assert_eq!(
        count(store, "SELECT COUNT(*) FROM outbox WHERE kind = 'message_set_aside'").await,
        2,
        "the requester is told of each mail set aside"
    );
}
