//! Mail in, on both engines: each kind of message leads to the right action or to a clear
//! answer, never to a wrong action, a lost message, a loop or a reply to a robot.

use crate::support;

use relais::clock::Clock as _;
use relais::domain::ids::PersonId;
use relais::domain::request::RequestStatus;
use relais::inbound::mail::classify::AutoKind;
use relais::inbound::pipeline::MailOutcome;
use relais::store::Store;
use support::mail::{FILLED_FORM, pipeline, raw_mail, reply_address};
use support::{Engine, TestBank, offer};

on_both_engines!(
    a_first_mail_gets_the_form,
    a_filled_form_books_a_request,
    an_incomplete_form_comes_back_with_every_problem,
    the_same_mail_twice_acts_once,
    robots_are_recorded_never_answered,
    bounces_mark_the_address,
    an_interpreter_accepts_by_reply,
    a_key_works_only_for_its_person,
    strangers_and_loops_get_nothing,
    failed_authentication_waits_for_the_sender,
    a_reply_in_the_thread_modifies_the_request,
    cancel_keeps_the_reason_and_refusals_are_explained,
    a_mail_delivered_to_the_maildir_is_answered_without_waiting_for_the_poll,
);

/// Every queued notification, as (recipient, kind), in order.
async fn queued(bank: &TestBank) -> Vec<(PersonId, String)> {
    const SQL: &str = "SELECT recipient_id, kind FROM outbox ORDER BY id";
    let rows: Vec<(i64, String)> = match &bank.store {
        Store::Sqlite(pool, ..) => sqlx::query_as(SQL).fetch_all(pool).await.unwrap(),
        Store::Postgres(pool, _) => sqlx::query_as(SQL).fetch_all(pool).await.unwrap(),
    };
    rows.into_iter().map(|(p, k)| (PersonId(p), k)).collect()
}

fn kinds_for(messages: &[(PersonId, String)], person: PersonId) -> Vec<String> {
    messages
        .iter()
        .filter(|(p, _)| *p == person)
        .map(|(_, k)| k.clone())
        .collect()
}

async fn a_first_mail_gets_the_form(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let p = pipeline(&bank, None);
    let raw = raw_mail(
        "first@ciusss.example",
        "Marie Tremblay <marie@ciusss.example>",
        "relais@bi.example",
        "Besoin d'un interprète",
        "",
        "Bonjour, j'ai besoin d'un interprète espagnol.",
    );
    assert_eq!(p.process(&raw, "file").await.unwrap(), MailOutcome::FormSent);
    assert_eq!(kinds_for(&queued(&bank).await, bank.requester), ["request_form"]);
    let raw = raw_mail(
        "second@ciusss.example",
        "marie@ciusss.example",
        "relais@bi.example",
        "x",
        "",
        "NOUVELLE DEMANDE",
    );
    assert_eq!(p.process(&raw, "file").await.unwrap(), MailOutcome::FormSent);
}

async fn a_filled_form_books_a_request(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let p = pipeline(&bank, None);
    let to = reply_address(None, bank.requester);
    let raw = raw_mail(
        "form@ciusss.example",
        "marie@ciusss.example",
        &to,
        "Re: Formulaire",
        "",
        FILLED_FORM,
    );
    let outcome = p.process(&raw, "file").await.unwrap();
    assert_eq!(outcome, MailOutcome::RequestCreated("HC-26061001".into()));
    let id = relais::domain::ids::RequestId(1);
    let request = bank.load(id).await;
    assert_eq!(request.status, RequestStatus::New);
    assert_eq!(request.details.duration_minutes, 90);
    assert_eq!(request.details.target_language.as_str(), "es");
    assert_eq!(request.details.location, "Clinique externe, 3e étage");
    assert_eq!(
        request.details.installation_id, bank.installation,
        "the requester's only installation"
    );
    assert_eq!(request.details.patient.name.as_deref(), Some("Patiente Confidentielle"));
    assert_eq!(kinds_for(&queued(&bank).await, bank.requester), ["request_received"]);
    let mut tx = bank.store.begin().await.unwrap();
    let log = tx.recent_inbound(10).await.unwrap();
    assert_eq!(
        (log[0].outcome.as_str(), log[0].request_id),
        ("request_created", Some(1))
    );
}

async fn an_incomplete_form_comes_back_with_every_problem(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let p = pipeline(&bank, None);
    let body = "Type de demande : en présentiel\nDate du service : le 32 mars\nHeure du service : 10 h\nDurée : 1 h\n";
    let raw = raw_mail(
        "partial@ciusss.example",
        "marie@ciusss.example",
        &reply_address(None, bank.requester),
        "Re: Formulaire",
        "",
        body,
    );
    assert_eq!(p.process(&raw, "file").await.unwrap(), MailOutcome::FormIncomplete);
    let mut tx = bank.store.begin().await.unwrap();
    assert!(
        tx.count_requests_by_status().await.unwrap().is_empty(),
        "nothing was created"
    );
    tx.commit().await.unwrap();
    let form = match &bank.store {
        Store::Sqlite(pool, ..) => {
            sqlx::query_scalar::<_, String>("SELECT payload FROM outbox WHERE kind = 'request_form'")
                .fetch_one(pool)
                .await
                .unwrap()
        }
        Store::Postgres(pool, _) => {
            sqlx::query_scalar::<_, String>("SELECT payload::text FROM outbox WHERE kind = 'request_form'")
                .fetch_one(pool)
                .await
                .unwrap()
        }
    };
    let payload: serde_json::Value = serde_json::from_str(&form).unwrap();
    let errors = payload["errors"].as_array().unwrap();
    let text = serde_json::to_string(errors).unwrap();
    assert!(text.contains("Date"), "{text}");
    assert!(text.contains("Langue d'arrivée"), "{text}");
    assert!(text.contains("Lieu"), "{text}");
    assert_eq!(payload["values"]["date"], "le 32 mars", "what was typed is kept");
    assert_eq!(payload["values"]["duration_minutes"], "60");
}

async fn the_same_mail_twice_acts_once(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let p = pipeline(&bank, None);
    let raw = raw_mail(
        "twice@ciusss.example",
        "marie@ciusss.example",
        &reply_address(None, bank.requester),
        "Re: Formulaire",
        "",
        FILLED_FORM,
    );
    assert!(matches!(
        p.process(&raw, "imap").await.unwrap(),
        MailOutcome::RequestCreated(_)
    ));
    assert_eq!(p.process(&raw, "imap").await.unwrap(), MailOutcome::Duplicate);
    // Without a Message-ID, the content itself is the key.
    let bare: Vec<u8> = String::from_utf8(raw_mail(
        "x",
        "marie@ciusss.example",
        "relais@bi.example",
        "Hi",
        "",
        "AIDE",
    ))
    .unwrap()
    .replace("Message-ID: <x>\r\n", "")
    .into_bytes();
    assert_eq!(p.process(&bare, "file").await.unwrap(), MailOutcome::HelpSent);
    assert_eq!(p.process(&bare, "file").await.unwrap(), MailOutcome::Duplicate);
    let mut tx = bank.store.begin().await.unwrap();
    assert_eq!(
        tx.count_requests_by_status().await.unwrap(),
        vec![(RequestStatus::New, 1)]
    );
}

async fn robots_are_recorded_never_answered(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let p = pipeline(&bank, None);
    let cases: Vec<(&str, &str, &str, AutoKind)> = vec![
        (
            "ooo",
            "Réponse automatique\u{a0}: Absent du bureau",
            "Auto-Submitted: auto-generated\r\nX-Auto-Response-Suppress: All\r\n",
            AutoKind::AutoReply,
        ),
        (
            "vac",
            "Re: [HC-26061001] Offre",
            "Auto-Submitted: auto-replied\r\n",
            AutoKind::AutoReply,
        ),
        (
            "list",
            "Infolettre",
            "List-Id: <infolettre.ciusss.example>\r\n",
            AutoKind::Bulk,
        ),
    ];
    for (id, subject, headers, kind) in cases {
        let raw = raw_mail(
            id,
            "marie@ciusss.example",
            &reply_address(None, bank.requester),
            subject,
            headers,
            "ACCEPTER\nJe suis absente jusqu'au 10 mars.",
        );
        assert_eq!(
            p.process(&raw, "imap").await.unwrap(),
            MailOutcome::Automatic(kind),
            "{id}"
        );
    }
    // Outlook marks human mail X-Auto-Response-Suppress too: still a person.
    let human = raw_mail(
        "human",
        "marie@ciusss.example",
        "relais@bi.example",
        "Question",
        "X-Auto-Response-Suppress: All\r\n",
        "AIDE",
    );
    assert_eq!(p.process(&human, "imap").await.unwrap(), MailOutcome::HelpSent);
    assert_eq!(
        kinds_for(&queued(&bank).await, bank.requester),
        ["help"],
        "only the person got an answer"
    );
}

/// A delivery report about `message_id` for `recipient`, as Postfix writes one.
fn dsn(id: &str, recipient: &str, message_id: &str) -> Vec<u8> {
    format!(
        "Message-ID: <{id}@mx.ciusss.example>\r\nFrom: MAILER-DAEMON@mx.ciusss.example\r\nTo: relais@bi.example\r\n\
         Subject: Undelivered Mail Returned to Sender\r\nAuto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n--b\r\n\
         Content-Type: text/plain\r\n\r\nDelivery failed.\r\n--b\r\nContent-Type: message/delivery-status\r\n\r\n\
         Reporting-MTA: dns; mx.ciusss.example\r\n\r\nFinal-Recipient: rfc822; {recipient}\r\nAction: failed\r\n\
         Status: 5.1.1\r\n--b\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <{message_id}>\r\n\
         From: Relais <relais@bi.example>\r\nSubject: Demande\r\n--b--\r\n"
    )
    .into_bytes()
}

async fn bounces_mark_the_address(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let p = pipeline(&bank, None);
    // Relais mailed the requester: outbox message N goes out as relais.pP.oN@bi.example.
    let mut tx = bank.store.begin().await.unwrap();
    let email = tx.person(bank.requester).await.unwrap().email.to_string();
    tx.enqueue(
        &relais::store::outbox::NewOutboxMessage {
            channel: relais::store::outbox::OutboxChannel::Email,
            recipient: bank.requester,
            request: None,
            notice: relais::domain::notice::Notice::Help {
                reason: String::new(),
                answering: Default::default(),
            },
        },
        bank.clock.now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let sent = support::last_outbox_ids(&bank.store, 1).await[0];
    let ours = format!("relais.p{}.o{sent}@bi.example", bank.requester.0);

    // Reports that are not about a mail Relais sent to that address are ignored: anyone
    // can write one.
    for (id, recipient, message_id) in [
        ("forged1", email.as_str(), "someone@elsewhere.example".to_string()),
        (
            "forged2",
            email.as_str(),
            format!("relais.p1.o{}@bi.example", sent + 1000),
        ),
        ("forged3", "other@ciusss.example", ours.clone()),
        ("forged4", email.as_str(), format!("relais.p1.o{sent}@other.example")),
    ] {
        assert_eq!(
            p.process(&dsn(id, recipient, &message_id), "imap").await.unwrap(),
            MailOutcome::Automatic(AutoKind::Bounce),
            "{id}"
        );
    }
    let mut tx = bank.store.begin().await.unwrap();
    assert!(
        tx.bounced_addresses().await.unwrap().is_empty(),
        "no forged bounce counts"
    );
    tx.commit().await.unwrap();

    let upper = email.to_uppercase();
    assert_eq!(
        p.process(&dsn("real", &upper, &ours), "imap").await.unwrap(),
        MailOutcome::Bounced
    );
    let mut tx = bank.store.begin().await.unwrap();
    assert_eq!(
        tx.bounced_addresses().await.unwrap(),
        vec![(email.to_lowercase(), Some("5.1.1".to_string()), true)]
    );
}

async fn an_interpreter_accepts_by_reply(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let id = bank.create().await;
    bank.workflow
        .execute(bank.as_coordinator(), offer(id, vec![bank.interpreters[0]]))
        .await
        .unwrap();
    let p = pipeline(&bank, None);
    let body = "ACCEPTER\n\nEnvoyé de mon iPhone\n\n> Le 2 mars 2026 à 09:00, Relais <relais@bi.example> a écrit :\n> Une demande vous est offerte.";
    let raw = raw_mail(
        "accept@interpretes.example",
        "interp0@interpretes.example",
        &reply_address(Some(id), bank.interpreters[0]),
        "Re: [HC-26061001] Offre",
        "",
        body,
    );
    assert_eq!(
        p.process(&raw, "imap").await.unwrap(),
        MailOutcome::CommandApplied("accept")
    );
    let request = bank.load(id).await;
    assert_eq!(request.status, RequestStatus::Booked);
    assert_eq!(request.assigned_interpreter, Some(bank.interpreters[0]));
    assert!(kinds_for(&queued(&bank).await, bank.interpreters[0]).contains(&"command_done".to_string()));
}

async fn a_key_works_only_for_its_person(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let id = bank.create().await;
    bank.workflow
        .execute(
            bank.as_coordinator(),
            offer(id, vec![bank.interpreters[0], bank.interpreters[1]]),
        )
        .await
        .unwrap();
    let p = pipeline(&bank, None);
    let before = bank.load(id).await;
    let messages_before = queued(&bank).await.len();
    // Interpreter 1 replies through the key issued to interpreter 0 (a forwarded mail).
    let raw = raw_mail(
        "fwd@interpretes.example",
        "interp1@interpretes.example",
        &reply_address(Some(id), bank.interpreters[0]),
        "Re: Offre",
        "",
        "ACCEPTER",
    );
    assert_eq!(p.process(&raw, "imap").await.unwrap(), MailOutcome::SenderMismatch);
    // A forged key.
    let valid = reply_address(Some(id), bank.interpreters[1]);
    let at = valid.find('@').unwrap();
    let flipped = if &valid[at - 1..at] == "a" { "b" } else { "a" };
    let forged = format!("{}{flipped}{}", &valid[..at - 1], &valid[at..]);
    let raw = raw_mail(
        "forged@interpretes.example",
        "interp1@interpretes.example",
        &forged,
        "Re: Offre",
        "",
        "ACCEPTER",
    );
    assert_eq!(p.process(&raw, "imap").await.unwrap(), MailOutcome::SenderMismatch);
    assert_eq!(bank.load(id).await, before, "nothing changed");
    assert_eq!(queued(&bank).await.len(), messages_before, "nobody was answered");
}

async fn strangers_and_loops_get_nothing(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let p = pipeline(&bank, None);
    let raw = raw_mail(
        "stranger@elsewhere.example",
        "someone@elsewhere.example",
        "relais@bi.example",
        "Hello",
        "",
        "NOUVELLE DEMANDE",
    );
    assert_eq!(p.process(&raw, "imap").await.unwrap(), MailOutcome::UnknownSender);
    let raw = raw_mail(
        "ours@bi.example",
        "Relais <relais@bi.example>",
        "relais@bi.example",
        "[HC-26061001] Demande reçue",
        "",
        "Bonjour",
    );
    assert_eq!(p.process(&raw, "imap").await.unwrap(), MailOutcome::Loop);
    assert!(queued(&bank).await.is_empty());
}

async fn failed_authentication_waits_for_the_sender(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let p = pipeline(&bank, Some("mx.bi.example"));
    let headers = "Authentication-Results: mx.bi.example; spf=fail smtp.mailfrom=ciusss.example; dkim=none; dmarc=fail header.from=ciusss.example\r\n";
    let raw = raw_mail(
        "spoof@evil.example",
        "marie@ciusss.example",
        "relais@bi.example",
        "Demande",
        headers,
        FILLED_FORM,
    );
    // Nothing done; Marie is asked whether she sent it (forwarding breaks DMARC too).
    assert_eq!(
        p.process(&raw, "imap").await.unwrap(),
        MailOutcome::AwaitingConfirmation
    );
    // Even with her reply key: keys travel in forwarded mail, the failed domain outweighs it.
    let raw = raw_mail(
        "spoof-keyed@evil.example",
        "marie@ciusss.example",
        &reply_address(None, bank.requester),
        "Demande",
        headers,
        FILLED_FORM,
    );
    assert_eq!(
        p.process(&raw, "imap").await.unwrap(),
        MailOutcome::AwaitingConfirmation
    );
    // The same verdict from an untrusted server is not believed (nor is a pass needed).
    let headers = "Authentication-Results: other.example; dmarc=fail\r\n";
    let raw = raw_mail(
        "other@ciusss.example",
        "marie@ciusss.example",
        &reply_address(None, bank.requester),
        "Demande",
        headers,
        FILLED_FORM,
    );
    assert!(matches!(
        p.process(&raw, "imap").await.unwrap(),
        MailOutcome::RequestCreated(_)
    ));
}

async fn a_reply_in_the_thread_modifies_the_request(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let id = bank.request_in(RequestStatus::Booked).await;
    let p = pipeline(&bank, None);
    let raw = raw_mail(
        "change@ciusss.example",
        "marie@ciusss.example",
        &reply_address(Some(id), bank.requester),
        "Re: [HC-26061001] Demande réservée",
        "",
        "Durée : 2 h\nHeure du service : 9 h 30\n",
    );
    assert_eq!(
        p.process(&raw, "imap").await.unwrap(),
        MailOutcome::RequestModified("HC-26061001".into())
    );
    let request = bank.load(id).await;
    assert_eq!(
        request.status,
        RequestStatus::Modified,
        "the interpreter must accept again"
    );
    assert_eq!(request.details.duration_minutes, 120);
    assert_eq!(request.details.start_time.to_string(), "09:30:00");
    assert_eq!(
        request.details.target_language.as_str(),
        "es",
        "what was not repeated stays"
    );
    assert!(kinds_for(&queued(&bank).await, bank.interpreters[0]).contains(&"request_modified".to_string()));
}

async fn cancel_keeps_the_reason_and_refusals_are_explained(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let id = bank.request_in(RequestStatus::Offered).await;
    let p = pipeline(&bank, None);
    // Interpreter 2 was never offered this request: refused, and told why.
    let raw = raw_mail(
        "intrude@interpretes.example",
        "interp2@interpretes.example",
        &reply_address(Some(id), bank.interpreters[2]),
        "Re: Offre",
        "",
        "ACCEPTER",
    );
    assert_eq!(
        p.process(&raw, "imap").await.unwrap(),
        MailOutcome::CommandRefused("not_permitted")
    );
    assert_eq!(bank.load(id).await.status, RequestStatus::Offered);
    assert!(kinds_for(&queued(&bank).await, bank.interpreters[2]).contains(&"command_refused".to_string()));
    let raw = raw_mail(
        "cancel@ciusss.example",
        "marie@ciusss.example",
        &reply_address(Some(id), bank.requester),
        "Re: [HC-26061001]",
        "",
        "ANNULER - l'usager a déménagé\n\nMarie",
    );
    assert_eq!(
        p.process(&raw, "imap").await.unwrap(),
        MailOutcome::CommandApplied("cancel")
    );
    let request = bank.load(id).await;
    assert_eq!(request.status, RequestStatus::Cancelled);
    assert_eq!(
        request.cancellation.unwrap().detail.as_deref(),
        Some("l'usager a déménagé")
    );
}

/// A running Relais watches its Maildir: a form delivered there (written in `tmp/`, then
/// moved into `new/`, as a delivery agent does) is booked and acknowledged at once, where
/// the only poll is 30 s away. The bound below is that: a deadline, not a measurement
/// (`scripts/bench.sh` measures the latency).
async fn a_mail_delivered_to_the_maildir_is_answered_without_waiting_for_the_poll(engine: Engine) {
    use std::time::Duration;
    let bank = TestBank::new(engine).await;
    let dir = bank.scratch_path("maildir");
    let sent = bank.scratch_path("out");
    let _served = support::serve(
        &bank,
        &[
            ("RELAIS__MAIL__INBOUND", "maildir".to_string()),
            ("RELAIS__MAIL__MAILDIR", dir.display().to_string()),
            ("RELAIS__MAIL__OUTBOX_FOLDER", sent.display().to_string()),
        ],
    )
    .await;
    // The pass at start has run once the folder exists and the first look found it empty.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !dir.join("new").is_dir() {
        assert!(tokio::time::Instant::now() < deadline, "no Maildir");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;

    let raw = raw_mail(
        "watched@ciusss.example",
        "marie@ciusss.example",
        &reply_address(None, bank.requester),
        "Re: Formulaire",
        "",
        FILLED_FORM,
    );
    let name = "1765000000.M1P1.relais-test";
    std::fs::write(dir.join("tmp").join(name), &raw).unwrap();
    std::fs::rename(dir.join("tmp").join(name), dir.join("new").join(name)).unwrap();

    let acknowledged = |folder: &std::path::Path| {
        std::fs::read_dir(folder).into_iter().flatten().flatten().any(|e| {
            std::fs::read_to_string(e.path())
                .is_ok_and(|m| m.contains("HC-26061001") && m.contains("marie@ciusss.example"))
        })
    };
    loop {
        let moved = std::fs::read_dir(dir.join("cur")).unwrap().count() == 1;
        if moved && acknowledged(&sent) {
            break;
        }
        if tokio::time::Instant::now() >= deadline {
            let mut tx = bank.store.begin().await.unwrap();
            let log = tx.recent_inbound(10).await.unwrap();
            let files: Vec<_> = std::fs::read_dir(&sent)
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.path())
                .collect();
            panic!(
                "not read before the poll: moved to cur/ {moved}, {:?} {files:?}",
                log.iter().map(|l| (&l.outcome, &l.detail)).collect::<Vec<_>>()
            );
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(std::fs::read_dir(dir.join("new")).unwrap().count(), 0);
}
