//! Calendar answers: an offer leaves with an invite the interpreter's calendar can answer
//! (`STATUS:TENTATIVE`, `RSVP=TRUE`, the organizer their reply-key address), and what
//! Outlook, Outlook on the web, Google Calendar, Apple Calendar, Thunderbird and a client
//! without `SEQUENCE` mail back (`mailbox-fixtures/itip/`) is read as the mail reply it
//! stands for: *Accept* books, *Decline* refuses, *Maybe* does nothing and says so. An
//! answer to a replaced invite, a forged one and one sent through someone else's key
//! change nothing.

use crate::support;

use chrono::{DateTime, TimeDelta, Utc};
use mail_parser::{MessageParser, MimeHeaders};
use relais::domain::ids::{PersonId, RequestId};
use relais::domain::request::RequestStatus;
use relais::inbound::pipeline::{MailOutcome, MailPipeline};
use relais::outbound::worker::Outbound;
use relais::store::Store;
use support::{Engine, TestBank, offer};

on_both_engines!(
    each_client_s_accept_books_and_its_decline_refuses,
    a_maybe_does_nothing_and_says_so,
    answers_to_replaced_invites_forged_or_through_another_key_change_nothing,
    a_booking_s_invite_answered_from_the_calendar_is_no_cancellation,
    an_offer_that_lapses_leaves_the_interpreter_s_calendar,
);

/// The clients whose answers are fixtures.
const CLIENTS: &[&str] = &[
    "outlook-desktop",
    "outlook-web",
    "gmail",
    "apple",
    "thunderbird",
    "no-sequence",
];

/// The invite a person was last sent, as their calendar reads it.
#[derive(Debug, Clone)]
struct Invite {
    ics: String,
    uid: String,
    sequence: i64,
    /// The organizer's address: the reply-key address of the person's thread.
    organizer: String,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

/// The value of the event's property `name` (not its time zone's).
fn line_value(ics: &str, name: &str) -> String {
    let event = &ics[ics.find("BEGIN:VEVENT").unwrap_or_else(|| panic!("no event in\n{ics}"))..];
    event
        .lines()
        .find_map(|l| {
            let (key, value) = l.split_once(':')?;
            (key == name || key.starts_with(&format!("{name};"))).then(|| value.trim().to_string())
        })
        .unwrap_or_else(|| panic!("no {name} in\n{ics}"))
}

/// A bank whose mail is written to `out`, the sender and the reader of its mail.
struct Bank {
    bank: TestBank,
    out: std::path::PathBuf,
    outbound: Outbound,
    pipeline: MailPipeline,
}

/// Sends what is due, then reads the last mail with an invite sent to `address`.
async fn last_invite(b: &Bank, address: &str) -> Invite {
    b.outbound.deliver_due().await.unwrap();
    let mut files: Vec<_> = std::fs::read_dir(&b.out)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    files.sort();
    let ics = files
        .iter()
        .rev()
        .find_map(|path| {
            let raw = std::fs::read(path).unwrap();
            let mail = MessageParser::default().parse(&raw).unwrap();
            if !mail.header_raw("To").unwrap_or("").contains(address) {
                return None;
            }
            mail.parts
                .iter()
                .find(|p| p.content_type().is_some_and(|c| c.subtype() == Some("calendar")))
                .map(|p| String::from_utf8_lossy(p.contents()).replace("\r\n ", ""))
        })
        .unwrap_or_else(|| panic!("no invite sent to {address}"));
    invite_of(ics)
}

/// An invite's calendar text, read.
fn invite_of(ics: String) -> Invite {
    let organizer = line_value(&ics, "ORGANIZER").trim_start_matches("mailto:").to_string();
    let start = line_value(&ics, "DTSTART");
    let end = line_value(&ics, "DTEND");
    let zone = chrono_tz::America::Montreal;
    let at = |local: &str| {
        chrono::NaiveDateTime::parse_from_str(local, "%Y%m%dT%H%M%S")
            .unwrap()
            .and_local_timezone(zone)
            .unwrap()
            .with_timezone(&Utc)
    };
    Invite {
        uid: line_value(&ics, "UID"),
        sequence: line_value(&ics, "SEQUENCE").parse().unwrap(),
        organizer,
        start: at(&start),
        end: at(&end),
        ics,
    }
}

/// A client's answer, from its fixture: the placeholders filled, the `<<BASE64` blocks
/// encoded, and line ends made CRLF.
fn answer(client: &str, invite: &Invite, from: &str, name: &str, partstat: &str) -> Vec<u8> {
    use base64::Engine as _;
    let path = format!("{}/mailbox-fixtures/itip/{client}.eml", env!("CARGO_MANIFEST_DIR"));
    let template = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let zone = chrono_tz::America::Montreal;
    let local = |t: DateTime<Utc>| t.with_timezone(&zone).format("%Y%m%dT%H%M%S").to_string();
    let utc = |t: DateTime<Utc>| t.format("%Y%m%dT%H%M%SZ").to_string();
    let word = match partstat {
        "ACCEPTED" => "Accepted",
        "DECLINED" => "Declined",
        _ => "Tentative",
    };
    let filled = template
        .replace("{UID}", &invite.uid)
        .replace("{SEQUENCE}", &invite.sequence.to_string())
        .replace("{TO}", &invite.organizer)
        .replace("{FROM}", from)
        .replace("{CN}", name)
        .replace("{PARTSTAT}", partstat)
        .replace("{ANSWER}", word)
        .replace("{ANSWER_LOWER}", &word.to_lowercase())
        .replace("{START_UTC}", &utc(invite.start))
        .replace("{END_UTC}", &utc(invite.end))
        .replace("{START_LOCAL}", &local(invite.start))
        .replace("{END_LOCAL}", &local(invite.end))
        .replace("{STAMP}", "20260302T151500Z");
    let mut out = String::new();
    let mut rest = filled.as_str();
    while let Some(begin) = rest.find("<<BASE64\n") {
        out.push_str(&rest[..begin]);
        let block = &rest[begin + "<<BASE64\n".len()..];
        let end = block.find("BASE64>>").expect("an unclosed <<BASE64 block");
        let ics = block[..end].replace('\n', "\r\n");
        let encoded = base64::engine::general_purpose::STANDARD.encode(ics.as_bytes());
        for chunk in encoded.as_bytes().chunks(76) {
            out.push_str(std::str::from_utf8(chunk).unwrap());
            out.push('\n');
        }
        rest = &block[end + "BASE64>>".len()..];
        rest = rest.strip_prefix('\n').unwrap_or(rest);
    }
    out.push_str(rest);
    // Each answer is a mail of its own, whatever the fixture's Message-ID.
    let out: Vec<String> = out
        .lines()
        .map(|line| match line.split_once(':') {
            Some((name, id)) if name.eq_ignore_ascii_case("message-id") => {
                format!(
                    "{name}:{}",
                    id.replacen('<', &format!("<{}.", uuid::Uuid::new_v4().simple()), 1)
                )
            }
            _ => line.to_string(),
        })
        .collect();
    (out.join("\r\n") + "\r\n").into_bytes()
}

/// A bank whose request is offered to the first `n` interpreters.
async fn offered(engine: Engine, n: usize) -> (Bank, RequestId) {
    let bank = TestBank::new(engine).await;
    let id = bank.create().await;
    bank.workflow
        .execute(bank.as_coordinator(), offer(id, bank.interpreters[..n].to_vec()))
        .await
        .unwrap();
    let out = bank.scratch_path("out");
    let settings = support::settings(
        &bank,
        &[
            ("RELAIS__MAIL__OUTBOX_FOLDER", out.display().to_string()),
            ("RELAIS__MAIL__FROM_ADDRESS", "relais@bi.example".to_string()),
        ],
    );
    let outbound = Outbound::new(&settings, bank.store.clone(), bank.clock.clone()).unwrap();
    let pipeline = support::mail::pipeline(&bank, None);
    (
        Bank {
            bank,
            out,
            outbound,
            pipeline,
        },
        id,
    )
}

fn interpreter(i: usize) -> (String, &'static str) {
    (
        format!("interp{i}@interpretes.example"),
        ["Lucía Ramírez", "Diego Fernández", "Ana Soto"][i],
    )
}

/// The kinds of the mails queued for `person` and not yet sent.
async fn queued_for(bank: &TestBank, person: PersonId) -> Vec<String> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT kind FROM outbox WHERE recipient_id = {} AND status = 'pending' ORDER BY id",
        person.0
    ));
    match &bank.store {
        Store::Sqlite(pool, ..) => sqlx::query_scalar(sql).fetch_all(pool).await.unwrap(),
        Store::Postgres(pool, _) => sqlx::query_scalar(sql).fetch_all(pool).await.unwrap(),
    }
}

async fn each_client_s_accept_books_and_its_decline_refuses(engine: Engine) {
    for client in CLIENTS {
        for (partstat, booked) in [("ACCEPTED", true), ("DECLINED", false)] {
            let (b, id) = offered(engine, 1).await;
            let (bank, pipeline) = (&b.bank, &b.pipeline);
            let (address, name) = interpreter(0);
            let invite = last_invite(&b, &address).await;
            assert!(invite.ics.contains("METHOD:REQUEST"), "{}", invite.ics);
            assert!(invite.ics.contains("STATUS:TENTATIVE"), "{}", invite.ics);
            assert!(
                invite
                    .ics
                    .contains("PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:interp0@interpretes.example"),
                "{}",
                invite.ics
            );
            assert!(
                invite.organizer.starts_with(&format!("relais+r{id}.")),
                "{}",
                invite.organizer
            );
            let raw = answer(client, &invite, &address, name, partstat);
            let outcome = pipeline.process(&raw, "test").await.unwrap();
            let request = bank.load(id).await;
            if booked {
                assert_eq!(outcome, MailOutcome::CommandApplied("accept"), "{client}");
                assert_eq!(request.status, RequestStatus::Booked, "{client}");
                assert_eq!(request.assigned_interpreter, Some(bank.interpreters[0]), "{client}");
                // The booking replaces the pencilled event: same UID, later SEQUENCE, confirmed.
                let booking = last_invite(&b, &address).await;
                assert_eq!(booking.uid, invite.uid, "{client}");
                assert!(booking.sequence > invite.sequence, "{client}");
                assert!(booking.ics.contains("STATUS:CONFIRMED"), "{client}: {}", booking.ics);
            } else {
                assert_eq!(outcome, MailOutcome::CommandApplied("reject"), "{client}");
                assert_eq!(request.status, RequestStatus::New, "{client}: back to the coordinators");
                assert_eq!(request.assigned_interpreter, None, "{client}");
            }
        }
    }
}

async fn a_maybe_does_nothing_and_says_so(engine: Engine) {
    let (b, id) = offered(engine, 1).await;
    let (bank, outbound, pipeline) = (&b.bank, &b.outbound, &b.pipeline);
    let (address, name) = interpreter(0);
    let invite = last_invite(&b, &address).await;
    let raw = answer("apple", &invite, &address, name, "TENTATIVE");
    assert_eq!(
        pipeline.process(&raw, "test").await.unwrap(),
        MailOutcome::CommandRefused("calendar_tentative")
    );
    assert_eq!(bank.load(id).await.status, RequestStatus::Offered);
    assert_eq!(queued_for(bank, bank.interpreters[0]).await, ["command_refused"]);
    outbound.deliver_due().await.unwrap();
    let told = sent_text_to(&b, &address, "command_refused");
    assert!(
        told.contains("une réponse «\u{a0}Peut-être\u{a0}» ne prend ni ne refuse l’offre. Rien n’a été fait"),
        "{told}"
    );
}

/// The text of the last mail of `kind` sent to `address`.
fn sent_text_to(b: &Bank, address: &str, kind: &str) -> String {
    let mut files: Vec<_> = std::fs::read_dir(&b.out)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(&format!("-{kind}.eml")))
        .collect();
    files.sort();
    files
        .iter()
        .rev()
        .find_map(|path| {
            let raw = std::fs::read(path).unwrap();
            let mail = MessageParser::default().parse(&raw).unwrap();
            mail.header_raw("To")
                .unwrap_or("")
                .contains(address)
                .then(|| mail.body_text(0).unwrap_or_default().into_owned())
        })
        .unwrap_or_else(|| panic!("no {kind} mail to {address}"))
}

async fn answers_to_replaced_invites_forged_or_through_another_key_change_nothing(engine: Engine) {
    let (b, id) = offered(engine, 2).await;
    let (bank, outbound, pipeline) = (&b.bank, &b.outbound, &b.pipeline);
    let (lucia, lucia_name) = interpreter(0);
    let (diego, diego_name) = interpreter(1);
    let invite = last_invite(&b, &lucia).await;
    let unchanged = |what: &'static str| async move {
        let request = bank.load(id).await;
        assert_eq!(request.status, RequestStatus::Offered, "{what}");
        assert_eq!(request.version, 2, "{what}: created, offered");
    };

    // An answer to an older version of the invite (Outlook keeps the SEQUENCE it answers).
    let older = Invite {
        sequence: invite.sequence - 1,
        ..invite.clone()
    };
    let raw = answer("outlook-desktop", &older, &lucia, lucia_name, "ACCEPTED");
    assert_eq!(
        pipeline.process(&raw, "test").await.unwrap(),
        MailOutcome::CommandRefused("calendar_outdated")
    );
    unchanged("an outdated SEQUENCE").await;
    outbound.deliver_due().await.unwrap();
    let told = sent_text_to(&b, &lucia, "command_refused");
    assert!(
        told.contains("cette invitation a été remplacée par une plus récente"),
        "{told}"
    );

    // Without SEQUENCE, the start must be the event's: an hour off is another version.
    let moved = Invite {
        start: invite.start + TimeDelta::hours(1),
        end: invite.end + TimeDelta::hours(1),
        ..invite.clone()
    };
    let raw = answer("no-sequence", &moved, &lucia, lucia_name, "ACCEPTED");
    assert_eq!(
        pipeline.process(&raw, "test").await.unwrap(),
        MailOutcome::CommandRefused("calendar_outdated")
    );
    unchanged("another start").await;

    // Forged: a stranger writes to Lucía's organizer address.
    let raw = answer("gmail", &invite, "mallory@evil.example", "Mallory", "ACCEPTED");
    assert_eq!(
        pipeline.process(&raw, "test").await.unwrap(),
        MailOutcome::UnknownSender
    );
    unchanged("a stranger").await;

    // Diego, invited too, answers through Lucía's key (a forwarded invite).
    let raw = answer("gmail", &invite, &diego, diego_name, "ACCEPTED");
    assert_eq!(
        pipeline.process(&raw, "test").await.unwrap(),
        MailOutcome::SenderMismatch
    );
    unchanged("another's key").await;

    // Ana was never invited: without a key of hers, nothing is done before she confirms.
    let (ana, ana_name) = interpreter(2);
    let to_relais = Invite {
        organizer: "relais@bi.example".into(),
        ..invite.clone()
    };
    let raw = answer("thunderbird", &to_relais, &ana, ana_name, "ACCEPTED");
    assert_eq!(
        pipeline.process(&raw, "test").await.unwrap(),
        MailOutcome::AwaitingConfirmation
    );
    unchanged("someone never invited").await;

    // Lucía's own, current answer books; Diego's offer is filled, and his calendar's
    // event is cancelled. His late *Accept* is told the offer is closed.
    let raw = answer("outlook-desktop", &invite, &lucia, lucia_name, "ACCEPTED");
    assert_eq!(
        pipeline.process(&raw, "test").await.unwrap(),
        MailOutcome::CommandApplied("accept")
    );
    let diego_invite = last_invite(&b, &diego).await;
    assert!(diego_invite.ics.contains("METHOD:CANCEL"), "{}", diego_invite.ics);
    let first = Invite {
        sequence: invite.sequence,
        organizer: diego_invite.organizer.clone(),
        ..invite.clone()
    };
    let raw = answer("gmail", &first, &diego, diego_name, "ACCEPTED");
    assert_eq!(
        pipeline.process(&raw, "test").await.unwrap(),
        MailOutcome::CommandRefused("offer_closed")
    );
    let request = bank.load(id).await;
    assert_eq!(request.status, RequestStatus::Booked);
    assert_eq!(request.assigned_interpreter, Some(bank.interpreters[0]));
}

async fn a_booking_s_invite_answered_from_the_calendar_is_no_cancellation(engine: Engine) {
    let (b, id) = offered(engine, 1).await;
    let (bank, outbound, pipeline) = (&b.bank, &b.outbound, &b.pipeline);
    let (lucia, lucia_name) = interpreter(0);
    let invite = last_invite(&b, &lucia).await;
    let raw = answer("gmail", &invite, &lucia, lucia_name, "ACCEPTED");
    pipeline.process(&raw, "test").await.unwrap();
    let booking = last_invite(&b, &lucia).await;
    let version = bank.load(id).await.version;

    // Accepting the booking she holds: noted, nothing sent.
    let raw = answer("apple", &booking, &lucia, lucia_name, "ACCEPTED");
    assert_eq!(
        pipeline.process(&raw, "test").await.unwrap(),
        MailOutcome::CalendarNoted
    );
    assert!(queued_for(bank, bank.interpreters[0]).await.is_empty());
    // Declining it is no withdrawal: she is told how.
    let raw = answer("outlook-web", &booking, &lucia, lucia_name, "DECLINED");
    assert_eq!(
        pipeline.process(&raw, "test").await.unwrap(),
        MailOutcome::CommandRefused("calendar_decline_booked")
    );

    // The requester's booking invite: declining it is no cancellation.
    let marie = "marie@ciusss.example";
    let theirs = last_invite(&b, marie).await;
    assert!(theirs.ics.contains("STATUS:CONFIRMED"), "{}", theirs.ics);
    assert!(
        theirs.organizer.contains(&format!("r{id}.{}.", bank.requester)),
        "{}",
        theirs.organizer
    );
    let raw = answer("outlook-desktop", &theirs, marie, "Marie Tremblay", "DECLINED");
    assert_eq!(
        pipeline.process(&raw, "test").await.unwrap(),
        MailOutcome::CommandRefused("calendar_decline_not_cancel")
    );
    let raw = answer("outlook-desktop", &theirs, marie, "Marie Tremblay", "ACCEPTED");
    assert_eq!(
        pipeline.process(&raw, "test").await.unwrap(),
        MailOutcome::CalendarNoted
    );
    outbound.deliver_due().await.unwrap();
    let told = sent_text_to(&b, marie, "command_refused");
    assert!(told.contains("n’annule pas la demande, qui reste réservée"), "{told}");

    let request = bank.load(id).await;
    assert_eq!(request.status, RequestStatus::Booked);
    assert_eq!(request.version, version, "nothing changed the request");
}

/// The calendar part of the mail whose subject holds `subject`, among `user`'s first
/// `expected` mails in Dovecot.
async fn invite_in_inbox(user: &str, expected: usize, subject: &str) -> Invite {
    let mails = support::smtp::inbox(user, expected).await;
    let ics = mails
        .iter()
        .rev()
        .find_map(|raw| {
            let mail = MessageParser::default().parse(raw).unwrap();
            if !mail.subject().unwrap_or("").contains(subject) {
                return None;
            }
            mail.parts
                .iter()
                .find(|p| p.content_type().is_some_and(|c| c.subtype() == Some("calendar")))
                .map(|p| String::from_utf8_lossy(p.contents()).replace("\r\n ", ""))
        })
        .unwrap_or_else(|| panic!("no invite about {subject:?} for {user}"));
    invite_of(ics)
}

/// Reads Relais's mailbox until `n` more mails were handled (the MTA delivers a moment
/// after it accepted them).
async fn read_mailbox(source: &relais::inbound::imap::ImapSource, n: usize) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let mut handled = 0;
    while handled < n {
        handled += source.poll_once().await.unwrap();
        assert!(std::time::Instant::now() < deadline, "{handled} of {n} mails arrived");
        if handled < n {
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
    }
}

/// The whole loop through the real MTA and Dovecot: the offers leave by SMTP with their
/// invites; the calendars' answers come back by SMTP to the organizer's reply-key address,
/// are read over IMAP and acted on. Diego's Google *Decline* refuses his offer; Lucía's
/// answer to an older version of the invite is answered and changes nothing; a stranger's
/// forged *Accept* changes nothing; Lucía's Outlook *Accept* books her, and her calendar
/// gets the confirmed event under the same UID.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calendar_answers_travel_through_the_mta_and_dovecot() {
    use relais::inbound::imap::ImapSource;
    let bank = TestBank::new(Engine::Sqlite).await;
    // A mailbox of this test's own: Relais's address, and so the organizer's.
    let local = format!("relais{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
    let own = format!("{local}@bi.example");
    let lucia = support::smtp::fresh_address(&bank, bank.interpreters[0], "interpretes.example").await;
    let diego = support::smtp::fresh_address(&bank, bank.interpreters[1], "interpretes.example").await;
    let id = bank.create().await;
    bank.workflow
        .execute(bank.as_coordinator(), offer(id, bank.interpreters[..2].to_vec()))
        .await
        .unwrap();
    let env: Vec<(String, String)> = support::smtp::smtp_env(&bank)
        .into_iter()
        .filter(|(k, _)| *k != "RELAIS__MAIL__FROM_ADDRESS")
        .map(|(k, v)| (k.to_string(), v))
        .chain([("RELAIS__MAIL__FROM_ADDRESS".to_string(), own.clone())])
        .collect();
    let settings = relais::config::Settings::from_toml_and_env(include_str!("../../config/default.toml"), env).unwrap();
    let outbound = Outbound::new(&settings, bank.store.clone(), bank.clock.clone()).unwrap();
    outbound.deliver_due().await.unwrap();
    let lucia_invite = invite_in_inbox(&lucia, 1, "Offre").await;
    let diego_invite = invite_in_inbox(&diego, 1, "Offre").await;
    assert!(lucia_invite.ics.contains("STATUS:TENTATIVE"), "{}", lucia_invite.ics);
    assert!(
        lucia_invite.organizer.starts_with(&format!("{local}+r{id}.")),
        "{}",
        lucia_invite.organizer
    );

    let pipeline = MailPipeline::new(
        bank.workflow.clone(),
        relais::inbound::pipeline::PipelineConfig {
            own_address: own.clone(),
            read: relais::inbound::mail::reading::ReadContext {
                relais_local_part: local.clone(),
                time_zone: chrono_tz::America::Montreal,
            },
            ..support::mail::config()
        },
    );
    let imap = relais::config::Imap {
        host: "127.0.0.1".into(),
        port: support::smtp::port("RELAIS_TEST_IMAP_PORT"),
        tls: relais::config::TlsMode::None,
        username: own.clone(),
        password: relais::config::Secret::new("secret"),
        mailbox: "INBOX".into(),
        processed_mailbox: String::new(),
        idle: false,
        poll_seconds: 1,
    };
    let source = ImapSource::new(imap, pipeline);

    // Diego declines in Google Calendar.
    let raw = answer("gmail", &diego_invite, &diego, "Diego Fernández", "DECLINED");
    support::smtp::send_through_mta(&diego, &diego_invite.organizer, &raw).await;
    read_mailbox(&source, 1).await;
    let request = bank.load(id).await;
    assert_eq!(request.status, RequestStatus::Offered, "Lucía's offer still waits");
    let mut tx = bank.store.begin().await.unwrap();
    let offers = tx.offers_of_request(id).await.unwrap();
    tx.commit().await.unwrap();
    let his = offers
        .iter()
        .find(|o| o.interpreter_id == bank.interpreters[1])
        .unwrap();
    assert_eq!(his.status, relais::store::requests::OfferStatus::Declined);

    // Lucía answers an older version of the invite: answered, nothing applied.
    let older = Invite {
        sequence: lucia_invite.sequence - 1,
        ..lucia_invite.clone()
    };
    let raw = answer("outlook-desktop", &older, &lucia, "Lucía Ramírez", "ACCEPTED");
    support::smtp::send_through_mta(&lucia, &lucia_invite.organizer, &raw).await;
    // A stranger forges Lucía's acceptance from an address of their own.
    let raw = answer(
        "outlook-desktop",
        &lucia_invite,
        "mallory@chu.example",
        "Mallory",
        "ACCEPTED",
    );
    support::smtp::send_through_mta("mallory@chu.example", &lucia_invite.organizer, &raw).await;
    read_mailbox(&source, 2).await;
    assert_eq!(bank.load(id).await.status, RequestStatus::Offered, "nothing applied");
    outbound.deliver_due().await.unwrap();
    let mails = support::smtp::inbox(&lucia, 2).await;
    let told = mails
        .iter()
        .map(|raw| MessageParser::default().parse(raw).unwrap())
        .find(|m| m.subject().unwrap_or("").contains("Réponse non appliquée"))
        .expect("Lucía is told her answer was not applied");
    let text = told.body_text(0).unwrap();
    assert!(
        text.contains("cette invitation a été remplacée par une plus récente"),
        "{text}"
    );

    // Her answer to the current invite books her.
    let raw = answer("outlook-desktop", &lucia_invite, &lucia, "Lucía Ramírez", "ACCEPTED");
    support::smtp::send_through_mta(&lucia, &lucia_invite.organizer, &raw).await;
    read_mailbox(&source, 1).await;
    let request = bank.load(id).await;
    assert_eq!(request.status, RequestStatus::Booked);
    assert_eq!(request.assigned_interpreter, Some(bank.interpreters[0]));
    outbound.deliver_due().await.unwrap();
    let booking = invite_in_inbox(&lucia, 4, "Demande confirmée").await;
    assert_eq!(booking.uid, lucia_invite.uid);
    assert!(booking.sequence > lucia_invite.sequence);
    assert!(booking.ics.contains("STATUS:CONFIRMED"), "{}", booking.ics);
}

/// An offer left unanswered lapses: the interpreter is told, and the invite that comes
/// with it takes the pencilled event off their calendar (same UID, `CANCEL`).
async fn an_offer_that_lapses_leaves_the_interpreter_s_calendar(engine: Engine) {
    let (b, id) = offered(engine, 1).await;
    let (lucia, _) = interpreter(0);
    let invite = last_invite(&b, &lucia).await;
    b.bank
        .workflow
        .execute(
            relais::workflow::Actor::system(),
            relais::workflow::Command::LapseOffers { request: id },
        )
        .await
        .unwrap();
    let gone = last_invite(&b, &lucia).await;
    assert_eq!(gone.uid, invite.uid);
    assert!(gone.ics.contains("METHOD:CANCEL"), "{}", gone.ics);
    assert!(gone.sequence > invite.sequence);
    let told = sent_text_to(&b, &lucia, "offer_expired");
    assert!(told.contains("a expiré sans votre réponse"), "{told}");
}
