//! The whole mail flow through a real Dovecot (started by scripts/test.sh): a requester
//! writes, gets the form, replies with it filled in, and gets the acknowledgement; and a
//! crash between commit and flagging applies nothing twice.

use crate::support;

use futures_util::StreamExt as _;
use relais::config::{Imap, Settings, TlsMode};
use relais::domain::request::RequestStatus;
use relais::inbound::imap::ImapSource;
use relais::inbound::pipeline::MailOutcome;
use relais::outbound::worker::Outbound;
use support::mail::{FILLED_FORM, SIGNING_KEY, pipeline};
use support::{Engine, TestBank};

fn imap_port() -> u16 {
    std::env::var("RELAIS_TEST_IMAP_PORT")
        .expect("RELAIS_TEST_IMAP_PORT is not set: run the suite with scripts/test.sh, which starts Dovecot")
        .parse()
        .unwrap()
}

fn imap_config(user: &str) -> Imap {
    Imap {
        host: "127.0.0.1".into(),
        port: imap_port(),
        tls: TlsMode::None,
        username: user.into(),
        password: relais::config::Secret::new("secret"),
        mailbox: "INBOX".into(),
        processed_mailbox: String::new(),
        idle: false,
        poll_seconds: 1,
    }
}

async fn session(user: &str) -> async_imap::Session<tokio::net::TcpStream> {
    let stream = tokio::net::TcpStream::connect(("127.0.0.1", imap_port()))
        .await
        .unwrap();
    let mut client = async_imap::Client::new(stream);
    client.read_response().await.unwrap();
    client.login(user, "secret").await.map_err(|(e, _)| e).unwrap()
}

async fn deliver(user: &str, raw: &[u8]) {
    let mut s = session(user).await;
    s.append("INBOX", None, None, raw).await.unwrap();
    s.logout().await.unwrap();
}

/// UIDs in INBOX without the \Seen flag.
async fn unseen(user: &str) -> Vec<u32> {
    let mut s = session(user).await;
    s.select("INBOX").await.unwrap();
    let mut uids: Vec<u32> = s.uid_search("UNSEEN").await.unwrap().into_iter().collect();
    uids.sort_unstable();
    s.logout().await.unwrap();
    uids
}

fn settings(bank: &TestBank, outbox: &std::path::Path) -> Settings {
    let env = [
        ("RELAIS__DATABASE__URL", bank.db.url.clone()),
        ("RELAIS__SECURITY__SIGNING_KEY", SIGNING_KEY.to_string()),
        ("RELAIS__MAIL__FROM_ADDRESS", "relais@bi.example".to_string()),
        ("RELAIS__MAIL__OUTBOX_FOLDER", outbox.display().to_string()),
        ("RELAIS__SMS__LOG_FILE", outbox.join("sms.log").display().to_string()),
    ];
    Settings::from_toml_and_env(
        include_str!("../../config/default.toml"),
        env.into_iter().map(|(k, v)| (k.to_string(), v)),
    )
    .unwrap()
}

/// The sent mails, in order, parsed.
fn sent(outbox: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(outbox)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(p).unwrap(),
            )
        })
        .collect()
}

fn header(raw: &[u8], name: &str) -> String {
    let m = mail_parser::MessageParser::default().parse(raw).unwrap();
    m.header_raw(name).unwrap_or("").trim().to_string()
}

fn text(raw: &[u8]) -> String {
    let m = mail_parser::MessageParser::default().parse(raw).unwrap();
    m.body_text(0).unwrap().into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_requester_books_by_mail_through_dovecot() {
    let bank = TestBank::new(Engine::Sqlite).await;
    let user = format!("relais-{}", uuid::Uuid::new_v4().simple());
    let outbox = tempfile::tempdir().unwrap();
    let outbound = Outbound::new(&settings(&bank, outbox.path()), bank.store.clone(), bank.clock.clone()).unwrap();
    let source = ImapSource::new(imap_config(&user), pipeline(&bank, None));

    // 1. A first mail: the requester gets the form, threaded under their mail.
    let first = b"Message-ID: <first.1@ciusss.example>\r\nDate: Mon, 2 Mar 2026 09:01:00 -0500\r\nFrom: Marie Tremblay <marie@ciusss.example>\r\nTo: relais@bi.example\r\nSubject: Interprete espagnol\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nBonjour, j'ai besoin d'un interprete espagnol lundi prochain.\r\n";
    deliver(&user, first).await;
    assert_eq!(source.poll_once().await.unwrap(), 1);
    assert!(unseen(&user).await.is_empty(), "flagged once handled");
    assert_eq!(outbound.deliver_due().await.unwrap(), 1);
    let mails = sent(outbox.path());
    assert_eq!(mails.len(), 1);
    let (name, form_mail) = &mails[0];
    assert!(name.ends_with("request_form.eml"), "{name}");
    assert!(header(form_mail, "To").contains("marie@ciusss.example"));
    assert_eq!(header(form_mail, "In-Reply-To"), "<first.1@ciusss.example>");
    assert_eq!(header(form_mail, "Auto-Submitted"), "auto-replied");
    let reply_to = header(form_mail, "Reply-To");
    assert!(reply_to.contains("relais+f0."), "{reply_to}");
    let form_text = text(form_mail);
    assert!(form_text.contains("Type de demande\u{a0}: ["), "{form_text}");

    // 2. The requester replies above the quoted form, filling it in.
    let address = reply_to.split('<').nth(1).unwrap().trim_end_matches('>').to_string();
    let quoted: String = form_text.lines().map(|l| format!("> {l}\r\n")).collect();
    let reply = format!(
        "Message-ID: <reply.2@ciusss.example>\r\nDate: Mon, 2 Mar 2026 09:10:00 -0500\r\nFrom: Marie Tremblay <marie@ciusss.example>\r\nTo: {address}\r\nSubject: Re: {}\r\nIn-Reply-To: <{}>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{}\r\n\r\nLe lun. 2 mars 2026 à 09:02, Relais <relais@bi.example> a écrit :\r\n{quoted}",
        header(form_mail, "Subject"),
        header(form_mail, "Message-ID").trim_matches(|c| c == '<' || c == '>'),
        FILLED_FORM.replace('\n', "\r\n"),
    );
    deliver(&user, reply.as_bytes()).await;
    assert_eq!(source.poll_once().await.unwrap(), 1);
    let request = bank.load(relais::domain::ids::RequestId(1)).await;
    assert_eq!(request.status, RequestStatus::New);
    assert_eq!(request.number.as_ref().unwrap().as_str(), "HC-26061001");
    assert_eq!(request.details.duration_minutes, 90);

    // 3. The acknowledgement goes out with the request number.
    assert_eq!(outbound.deliver_due().await.unwrap(), 1);
    let mails = sent(outbox.path());
    let (name, ack) = &mails[1];
    assert!(name.ends_with("request_received.eml"), "{name}");
    assert!(
        header(ack, "Subject").contains("[HC-26061001]"),
        "{}",
        header(ack, "Subject")
    );
    assert!(
        header(ack, "Reply-To").contains("relais+r1."),
        "replies to the ack are about the request"
    );
    let body = text(ack);
    assert!(
        body.contains("HC-26061001") && body.contains("espagnol") || body.contains("Espagnol"),
        "{body}"
    );
    assert!(
        !body.contains("Patiente Confidentielle"),
        "no patient details in the acknowledgement"
    );
    assert!(unseen(&user).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_between_commit_and_flag_applies_nothing_twice() {
    let bank = TestBank::new(Engine::Sqlite).await;
    let user = format!("relais-{}", uuid::Uuid::new_v4().simple());
    let p = pipeline(&bank, None);
    let raw = support::mail::raw_mail(
        "crash.1@ciusss.example",
        "marie@ciusss.example",
        &support::mail::reply_address(None, bank.requester),
        "Re: Formulaire",
        "",
        FILLED_FORM,
    );
    deliver(&user, &raw).await;
    // The first process read the message and committed its action, then died before
    // flagging it or recording its UID.
    {
        let mut s = session(&user).await;
        s.select("INBOX").await.unwrap();
        let mut fetches = s.uid_fetch("1:*", "BODY.PEEK[]").await.unwrap();
        let fetched = fetches.next().await.unwrap().unwrap();
        let body = fetched.body().unwrap().to_vec();
        drop(fetches);
        s.logout().await.unwrap();
        assert!(matches!(
            p.process(&body, "imap").await.unwrap(),
            MailOutcome::RequestCreated(_)
        ));
    }
    assert_eq!(unseen(&user).await.len(), 1, "the crash left the message unflagged");
    // The restarted process reads it again: recognised, flagged, not applied again.
    let source = ImapSource::new(imap_config(&user), p.clone());
    assert_eq!(source.poll_once().await.unwrap(), 1);
    assert!(unseen(&user).await.is_empty());
    let mut tx = bank.store.begin().await.unwrap();
    assert_eq!(
        tx.count_requests_by_status().await.unwrap(),
        vec![(RequestStatus::New, 1)]
    );
    let log = tx.recent_inbound(5).await.unwrap();
    assert_eq!(log.len(), 1, "recorded once");
    tx.commit().await.unwrap();
    // And a third pass finds nothing new.
    assert_eq!(source.poll_once().await.unwrap(), 0);
}

/// A mail whose processing fails for good, first in the inbox, is set aside and flagged:
/// the mails behind it are all handled, in the same pass.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_poison_mail_first_in_the_inbox_is_set_aside_and_the_rest_handled() {
    let bank = TestBank::new(Engine::Sqlite).await;
    support::faults::poison(&bank.store).await;
    let user = format!("relais-{}", uuid::Uuid::new_v4().simple());
    let from = "Marie Tremblay <marie@ciusss.example>";
    deliver(
        &user,
        &support::mail::raw_mail("p.1@ciusss.example", from, "relais@bi.example", "POISON", "", "AIDE"),
    )
    .await;
    deliver(
        &user,
        &support::mail::raw_mail(
            "n.1@ciusss.example",
            from,
            "relais@bi.example",
            "=?utf-8?q?a=00b?=",
            "",
            "AIDE",
        ),
    )
    .await;
    for n in 0..3 {
        let raw = support::mail::raw_mail(
            &format!("g.{n}@ciusss.example"),
            from,
            "relais@bi.example",
            "Bonjour",
            "",
            "AIDE",
        );
        deliver(&user, &raw).await;
    }
    let source = ImapSource::new(imap_config(&user), pipeline(&bank, None));
    assert_eq!(source.poll_once().await.unwrap(), 5, "one pass handles them all");
    assert!(unseen(&user).await.is_empty(), "all flagged, the poison too");
    let mut tx = bank.store.begin().await.unwrap();
    let log = tx.recent_inbound(10).await.unwrap();
    let set_aside = tx.set_aside_mail(10).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(log.len(), 5);
    assert_eq!(set_aside.len(), 1);
    assert_eq!(set_aside[0].subject, "POISON");
    assert_eq!(log.iter().filter(|m| m.outcome == "help_sent").count(), 4, "{log:?}");
    // Nothing comes back on the next pass.
    assert_eq!(source.poll_once().await.unwrap(), 0);
}

/// With IDLE, a new message is handled as it arrives, long before the polling interval.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_wakes_the_source_when_mail_arrives() {
    let bank = TestBank::new(Engine::Sqlite).await;
    let user = format!("relais-{}", uuid::Uuid::new_v4().simple());
    let mut config = imap_config(&user);
    config.idle = true;
    config.poll_seconds = 600;
    let source = ImapSource::new(config, pipeline(&bank, None));
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    // An empty mailbox must exist before the source selects it.
    deliver(&user, b"Message-ID: <seed@x.example>\r\nFrom: someone@elsewhere.example\r\nTo: relais@bi.example\r\nSubject: hello\r\n\r\nhello\r\n").await;
    let task = tokio::spawn(source.run(stop_rx));
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    let raw = support::mail::raw_mail(
        "idle.1@ciusss.example",
        "marie@ciusss.example",
        "relais@bi.example",
        "Aide",
        "",
        "AIDE",
    );
    deliver(&user, &raw).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let mut tx = bank.store.begin().await.unwrap();
        let seen = tx.recent_inbound(10).await.unwrap();
        tx.commit().await.unwrap();
        if seen
            .iter()
            .any(|m| m.message_id.as_deref() == Some("idle.1@ciusss.example"))
        {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "IDLE did not wake the source");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    stop_tx.send(true).unwrap();
    tokio::time::timeout(std::time::Duration::from_secs(10), task)
        .await
        .expect("the source stops when told")
        .unwrap();
    assert!(unseen(&user).await.is_empty());
}
