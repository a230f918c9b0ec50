//! One bad message never stops the others (issue 17): a mail whose processing fails for
//! good is set aside (stored raw with the reason, acknowledged at its source, its sender
//! answered), listed for coordinators on the board and in the digest, and retried or
//! dismissed from the board; a failure that should pass leaves the message at its source.
//!
//! The failure is a real one, raised by the real database: a trigger refuses to record
//! what any mail whose subject says POISON did.

use crate::support;

use relais::inbound::maildir;
use relais::inbound::pipeline::{MailOutcome, Taken};
use relais::store::Store;
use support::faults::{cure, poison};
use support::mail::{pipeline, raw_mail};
use support::web::World;
use support::{Engine, TestBank};

on_both_engines!(
    a_poison_mail_first_in_the_maildir_is_set_aside_and_the_rest_processed,
    coordinators_retry_or_dismiss_set_aside_mail_from_the_board,
    coordinators_retry_or_dismiss_set_aside_sms_from_the_board,
);

/// (subject, outcome, detail) of every recorded mail, oldest first.
async fn recorded(bank: &TestBank) -> Vec<(String, String, Option<String>)> {
    let mut tx = bank.store.begin().await.unwrap();
    let mut rows: Vec<_> = tx
        .recent_inbound(100)
        .await
        .unwrap()
        .into_iter()
        .map(|m| (m.subject, m.outcome, m.detail))
        .collect();
    tx.commit().await.unwrap();
    rows.reverse();
    rows
}

async fn queued_kinds(bank: &TestBank) -> Vec<String> {
    const SQL: &str = "SELECT kind FROM outbox ORDER BY id";
    match &bank.store {
        Store::Sqlite(pool, ..) => sqlx::query_scalar(SQL).fetch_all(pool).await.unwrap(),
        Store::Postgres(pool, _) => sqlx::query_scalar(SQL).fetch_all(pool).await.unwrap(),
    }
}

async fn email(bank: &TestBank, person: relais::domain::ids::PersonId) -> String {
    let mut tx = bank.store.begin().await.unwrap();
    let p = tx.person(person).await.unwrap();
    tx.commit().await.unwrap();
    p.email.to_string()
}

fn files(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir).unwrap().count()
}

async fn a_poison_mail_first_in_the_maildir_is_set_aside_and_the_rest_processed(engine: Engine) {
    let bank = TestBank::new(engine).await;
    poison(&bank.store).await;
    let requester = email(&bank, bank.requester).await;
    let dir = bank.scratch_path("maildir");
    maildir::ensure(&dir).unwrap();
    let from = format!("Marie Tremblay <{requester}>");
    let mails = [
        // First in the folder: the poison, then the two mails that once blocked the bank.
        (
            "0001.poison",
            raw_mail("p@ciusss.example", &from, "relais@bi.example", "POISON", "", "Bonjour"),
        ),
        (
            "0002.nul",
            raw_mail(
                "n@ciusss.example",
                &from,
                "relais@bi.example",
                "=?utf-8?q?a=00b?=",
                "",
                "Bonjour",
            ),
        ),
        (
            "0003.missing-request",
            raw_mail(
                "m@ciusss.example",
                &from,
                "relais@bi.example",
                "Re: demande",
                "References: <relais.r999999.p1.o1@bi.example>\r\n",
                "ANNULER",
            ),
        ),
        (
            "0004.good",
            raw_mail(
                "g1@ciusss.example",
                &from,
                "relais@bi.example",
                "Besoin d'un interprète",
                "",
                "Bonjour",
            ),
        ),
        (
            "0005.good",
            raw_mail(
                "g2@elsewhere.example",
                "Inconnu <x@elsewhere.example>",
                "relais@bi.example",
                "Bonjour",
                "",
                "Bonjour",
            ),
        ),
        (
            "0006.good",
            raw_mail("g3@ciusss.example", &from, "relais@bi.example", "Aide", "", "AIDE"),
        ),
    ];
    for (name, raw) in &mails {
        std::fs::write(dir.join("new").join(name), raw).unwrap();
    }

    let p = pipeline(&bank, None);
    assert_eq!(maildir::drain(&p, &dir).await.unwrap(), 6, "every mail is handled");
    assert_eq!(files(&dir.join("new")), 0, "nothing is left to block the folder");
    assert_eq!(files(&dir.join("cur")), 6);

    // The five others were recorded together, the poison alone after them (group commit).
    let rows = recorded(&bank).await;
    assert_eq!(rows.len(), 6, "{rows:?}");
    let (subject, outcome, detail) = &rows[5];
    assert_eq!(
        (subject.as_str(), outcome.as_str()),
        ("POISON", "set_aside"),
        "{rows:?}"
    );
    assert!(
        detail.as_deref().unwrap_or("").contains("poisoned message"),
        "the reason is kept: {detail:?}"
    );
    for (subject, outcome, _) in &rows[..5] {
        assert!(
            !["set_aside", "processing"].contains(&outcome.as_str()),
            "{subject}: {outcome}"
        );
    }
    assert_eq!(rows[0].0, "a\u{FFFD}b", "the NUL subject is stored, readable");
    assert!(
        queued_kinds(&bank).await.contains(&"message_set_aside".to_string()),
        "the requester is told nothing was done"
    );

    // The same mail delivered again is recognised: not set aside twice, not answered twice.
    std::fs::write(dir.join("new").join("0007.again"), &mails[0].1).unwrap();
    assert_eq!(maildir::drain(&p, &dir).await.unwrap(), 1);
    assert_eq!(recorded(&bank).await.len(), 6);
    let answers = queued_kinds(&bank).await;
    assert_eq!(
        answers.iter().filter(|k| *k == "message_set_aside").count(),
        1,
        "{answers:?}"
    );
}

async fn coordinators_retry_or_dismiss_set_aside_mail_from_the_board(engine: Engine) {
    let w = World::new(engine).await;
    poison(&w.bank.store).await;
    let requester = email(&w.bank, w.bank.requester).await;
    let from = format!("Marie Tremblay <{requester}>");
    let p = pipeline(&w.bank, None);
    for (id, subject) in [("a@ciusss.example", "POISON un"), ("b@ciusss.example", "POISON deux")] {
        let raw = raw_mail(id, &from, "relais@bi.example", subject, "", "AIDE");
        match p.take(&raw, "file", 0).await {
            Taken::Recorded(MailOutcome::SetAside) => {}
            other => panic!("{subject}: {other:?}"),
        }
    }

    // The digest and the board list both.
    let mut b = w.signed_in(w.bank.coordinator).await;
    let board = b.get("/board").await;
    assert_eq!(board.status, 200);
    let text = support::web::unescape(&board.body);
    assert!(text.contains("Messages mis de côté"), "{text}");
    assert!(
        text.contains("«\u{a0}POISON un\u{a0}»") && text.contains("«\u{a0}POISON deux\u{a0}»"),
        "{text}"
    );
    assert!(!text.contains("poisoned message"), "no internal error reaches the page");
    let digest = support::digest_text(&w.bank).await;
    assert!(digest.contains("MESSAGES MIS DE CÔTÉ"), "{digest}");
    assert!(digest.contains("«\u{a0}POISON un\u{a0}»"), "{digest}");
    assert!(digest.contains("/board"), "{digest}");

    let ids = set_aside_ids(&w.bank).await;
    assert_eq!(ids.len(), 2);
    let token = support::web::csrf_of(&board);
    let (id, action) = (ids[0].to_string(), "retry");

    // Still broken: the retry fails and the mail stays set aside.
    let answer = press(&mut b, &token, "mail", &id, action).await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    let page = b.get(support::web::location(&answer)).await;
    assert!(
        support::web::unescape(&page.body).contains("a échoué de nouveau"),
        "{}",
        page.body
    );
    assert_eq!(set_aside_ids(&w.bank).await.len(), 2);

    // Fixed: the retry processes it, once.
    cure(&w.bank.store).await;
    let answer = press(&mut b, &token, "mail", &id, action).await;
    let page = b.get(support::web::location(&answer)).await;
    assert!(
        support::web::unescape(&page.body).contains("Le message a été traité."),
        "{}",
        page.body
    );
    assert_eq!(set_aside_ids(&w.bank).await, vec![ids[1]]);
    let help = queued_kinds(&w.bank).await;
    assert_eq!(
        help.iter().filter(|k| *k == "help").count(),
        1,
        "AIDE answered once: {help:?}"
    );
    // Pressing the button again does nothing more.
    let again = press(&mut b, &token, "mail", &id, action).await;
    let page = b.get(support::web::location(&again)).await;
    assert!(
        support::web::unescape(&page.body).contains("n’est plus mis de côté"),
        "{}",
        page.body
    );

    // The other one is dismissed: nothing done, no longer listed.
    let second = ids[1].to_string();
    let answer = press(&mut b, &token, "mail", &second, "dismiss").await;
    assert_eq!(answer.status, 303);
    assert!(set_aside_ids(&w.bank).await.is_empty());
    let board = b.get("/board").await;
    assert!(!support::web::unescape(&board.body).contains("POISON deux"));

    // Without the session's form value, nothing is done.
    let forged = press(&mut b, "forged", "mail", &second, "retry").await;
    assert_eq!(forged.status, 403);
}

/// Presses a set-aside message's button on the board.
async fn press(
    b: &mut support::web::Browser<'_>,
    csrf: &str,
    channel: &str,
    id: &str,
    action: &str,
) -> support::web::Answer {
    b.post(
        "/board/set-aside",
        &[("csrf", csrf), ("channel", channel), ("id", id), ("action", action)],
    )
    .await
}

async fn set_aside_ids(bank: &TestBank) -> Vec<i64> {
    let mut tx = bank.store.begin().await.unwrap();
    let ids = tx
        .set_aside_mail(100)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.id)
        .collect();
    tx.commit().await.unwrap();
    ids
}

/// A failure that should pass (here: the database is gone) records nothing and leaves
/// every message in the folder for the next pass.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_database_leaves_the_mail_where_it_is() {
    let bank = TestBank::new(Engine::Sqlite).await;
    let dir = bank.scratch_path("maildir");
    maildir::ensure(&dir).unwrap();
    for n in 0..5 {
        let raw = raw_mail(
            &format!("{n}@x.example"),
            "a@x.example",
            "relais@bi.example",
            "Bonjour",
            "",
            "Bonjour",
        );
        std::fs::write(dir.join("new").join(format!("000{n}")), raw).unwrap();
    }
    let p = pipeline(&bank, None);
    bank.store.close().await;
    assert_eq!(maildir::drain(&p, &dir).await.unwrap(), 0);
    assert_eq!(files(&dir.join("new")), 5, "kept for later");
    assert_eq!(files(&dir.join("cur")), 0);
}

async fn coordinators_retry_or_dismiss_set_aside_sms_from_the_board(engine: Engine) {
    let w = World::new(engine).await;
    let request = w.bank.create().await;
    w.bank
        .workflow
        .execute(
            w.bank.as_coordinator(),
            support::offer(request, vec![w.bank.interpreters[0]]),
        )
        .await
        .unwrap();
    support::faults::poison_sms_changes(&w.bank.store).await;
    let pipeline = relais::inbound::sms_pipeline::SmsPipeline::new(w.bank.workflow.clone(), "CA", "Relais");
    for (id, text) in [("k-1", "OUI"), ("k-2", "NON")] {
        let sms = relais::inbound::sms_pipeline::InboundSms {
            gateway: "kannel",
            gateway_id: id,
            from: "+15145550110",
            to: "",
            text,
        };
        match pipeline.receive(sms).await {
            relais::inbound::sms_pipeline::Received::Answered(answer) => assert_eq!(answer.outcome, "set_aside"),
            other => panic!("{other:?}"),
        }
    }

    let mut b = w.signed_in(w.bank.coordinator).await;
    let board = b.get("/board").await;
    let text = support::web::unescape(&board.body);
    assert!(text.contains("texto de Lucía Ramírez"), "{text}");
    assert!(text.contains("«\u{a0}OUI\u{a0}»"), "the board shows the words: {text}");
    let digest = support::digest_text(&w.bank).await;
    assert!(digest.contains("texto de Lucía Ramírez"), "{digest}");
    assert!(!digest.contains("OUI"), "the digest leaves the words out: {digest}");

    let mut tx = w.bank.store.begin().await.unwrap();
    let ids: Vec<i64> = tx.set_aside_sms(10).await.unwrap().into_iter().map(|s| s.id).collect();
    tx.commit().await.unwrap();
    let token = support::web::csrf_of(&board);
    let (id, action) = (ids[0].to_string(), "retry");
    support::faults::cure_sms_changes(&w.bank.store).await;
    let answer = press(&mut b, &token, "sms", &id, action).await;
    let page = b.get(support::web::location(&answer)).await;
    assert!(
        support::web::unescape(&page.body).contains("Le message a été traité."),
        "{}",
        page.body
    );
    assert_eq!(
        w.bank.load(request).await.status,
        relais::domain::request::RequestStatus::Booked,
        "the OUI applied"
    );
    let second = ids[1].to_string();
    let answer = press(&mut b, &token, "sms", &second, "dismiss").await;
    assert_eq!(answer.status, 303);
    let mut tx = w.bank.store.begin().await.unwrap();
    assert!(tx.set_aside_sms(10).await.unwrap().is_empty());
    tx.commit().await.unwrap();
}
