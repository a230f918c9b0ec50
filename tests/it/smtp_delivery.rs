//! Notifications leave by SMTP through a real MTA (OpenSMTPD) into Dovecot, and are read
//! back over IMAP: headers, both alternatives and the calendar invite.

use crate::support;

use mail_parser::{MessageParser, MimeHeaders};
use relais::outbound::worker::Outbound;
use support::smtp::{inbox, smtp_settings};
use support::{Engine, TestBank};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_booking_reaches_both_parties_with_an_invite() {
    let bank = TestBank::new(Engine::Sqlite).await;
    let outbound = Outbound::new(&smtp_settings(&bank), bank.store.clone(), bank.clock.clone()).unwrap();
    let marie_address = support::smtp::fresh_address(&bank, bank.requester, "ciusss.example").await;
    let lucia_address = support::smtp::fresh_address(&bank, bank.interpreters[0], "interpretes.example").await;
    let id = bank.request_in(relais::domain::request::RequestStatus::Booked).await;
    let sent = outbound.deliver_due().await.unwrap();
    assert!(sent >= 3, "sent {sent}");
    assert_eq!(outbound.deliver_due().await.unwrap(), 0, "nothing is sent twice");

    let marie = inbox(&marie_address, 2).await;
    let booked = marie
        .iter()
        .map(|raw| MessageParser::default().parse(raw).unwrap())
        .find(|m| m.subject().unwrap_or("").contains("Demande réservée"))
        .expect("the requester got the booking");
    assert_eq!(booked.subject().unwrap(), "[HC-26061001] Demande réservée");
    assert!(
        booked
            .message_id()
            .unwrap()
            .starts_with(&format!("relais.r{}.p{}.", id, bank.requester))
    );
    assert_eq!(
        booked.header_raw("In-Reply-To").unwrap().trim(),
        format!("<relais.r{id}@bi.example>")
    );
    assert!(
        booked
            .header_raw("Reply-To")
            .unwrap()
            .contains(&format!("relais+r{id}.{}.", bank.requester))
    );
    assert_eq!(booked.header_raw("Auto-Submitted").unwrap().trim(), "auto-generated");
    assert_eq!(booked.header_raw("X-Auto-Response-Suppress").unwrap().trim(), "All");
    let text = booked.body_text(0).unwrap();
    assert!(text.contains("Votre demande HC-26061001 est réservée"), "{text}");
    assert!(
        text.contains("lundi 9 mars 2026") && text.contains("10\u{a0}h\u{a0}00"),
        "{text}"
    );
    assert!(
        !text.contains("Patiente Confidentielle") && !text.contains("Diabète"),
        "no patient details"
    );
    let html = booked.body_html(0).unwrap();
    assert!(html.contains("<p") && html.contains("HC-26061001"), "{html}");
    let calendar = booked
        .parts
        .iter()
        .find(|p| {
            p.content_type()
                .is_some_and(|c| c.ctype() == "text" && c.subtype() == Some("calendar"))
        })
        .expect("a text/calendar alternative");
    assert_eq!(calendar.content_type().unwrap().attribute("method"), Some("REQUEST"));
    let ics = String::from_utf8_lossy(calendar.contents()).into_owned();
    assert!(ics.contains("METHOD:REQUEST"), "{ics}");
    assert!(ics.contains(&format!("UID:relais-request-{id}@bi.example")), "{ics}");
    assert!(ics.contains("DTSTART;TZID=America/Montreal:20260309T100000"), "{ics}");
    assert!(
        ics.contains("BEGIN:VTIMEZONE") && ics.contains("TZOFFSETTO:-0400"),
        "{ics}"
    );
    assert!(booked.attachments().any(|a| a.attachment_name() == Some("invite.ics")));

    // The interpreter gets the same event (same UID) in their own confirmation.
    let lucia = inbox(&lucia_address, 2).await;
    let confirmed = lucia
        .iter()
        .map(|raw| MessageParser::default().parse(raw).unwrap())
        .find(|m| m.subject().unwrap_or("").contains("Demande confirmée"))
        .expect("the interpreter got the confirmation");
    let ics: String = confirmed
        .parts
        .iter()
        .filter(|p| p.content_type().is_some_and(|c| c.subtype() == Some("calendar")))
        .map(|p| String::from_utf8_lossy(p.contents()).into_owned())
        .collect();
    assert!(ics.contains(&format!("UID:relais-request-{id}@bi.example")));

    // A cancellation removes the event from both calendars: same UID, higher SEQUENCE.
    let before: i64 = bank.load(id).await.version;
    bank.workflow
        .execute(bank.as_requester(), support::cancel(id))
        .await
        .unwrap();
    outbound.deliver_due().await.unwrap();
    let lucia = inbox(&lucia_address, 3).await;
    let cancelled = lucia
        .iter()
        .map(|raw| MessageParser::default().parse(raw).unwrap())
        .find(|m| m.subject().unwrap_or("").contains("Demande annulée"))
        .expect("the interpreter was told of the cancellation");
    let ics: String = cancelled
        .parts
        .iter()
        .filter(|p| p.content_type().is_some_and(|c| c.subtype() == Some("calendar")))
        .map(|p| String::from_utf8_lossy(p.contents()).into_owned())
        .collect();
    assert!(
        ics.contains("METHOD:CANCEL") && ics.contains("STATUS:CANCELLED"),
        "{ics}"
    );
    assert!(ics.contains(&format!("SEQUENCE:{}", before + 1)), "{ics}");
}

/// Sends every due message, again after a moment if the relay turned one away (its retry
/// comes after a backoff: the test's clock moves past it), so a slow or busy MTA on a
/// shared machine does not make the test read an inbox before its mail was handed over.
async fn deliver_everything(bank: &TestBank, outbound: &Outbound) {
    for _ in 0..3 {
        outbound.deliver_due().await.unwrap();
        let relais::store::Store::Sqlite(pool, ..) = &bank.store else {
            unreachable!("these tests run on SQLite");
        };
        let pending: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox WHERE status = 'pending'")
            .fetch_one(pool)
            .await
            .unwrap();
        if pending == 0 {
            return;
        }
        bank.clock.advance(chrono::TimeDelta::hours(1));
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

/// Parses each raw mail and finds the one whose subject holds `subject`.
fn find(mails: &[Vec<u8>], subject: &str) -> mail_parser::Message<'static> {
    mails
        .iter()
        .map(|raw| MessageParser::default().parse(raw).unwrap().into_owned())
        .find(|m| m.subject().unwrap_or("").contains(subject))
        .unwrap_or_else(|| panic!("no mail about {subject:?}"))
}

/// The mail about `subject` in `user`'s inbox, once it has arrived: on a loaded machine
/// another mail may come first, or this one a moment after the others counted.
async fn arrived(user: &str, at_least: usize, subject: &str) -> mail_parser::Message<'static> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let mails = inbox(user, at_least).await;
        let about = mails
            .iter()
            .map(|raw| MessageParser::default().parse(raw).unwrap().into_owned())
            .find(|m| m.subject().unwrap_or("").contains(subject));
        match about {
            Some(mail) => return mail,
            None if std::time::Instant::now() > deadline => {
                let subjects: Vec<String> = mails
                    .iter()
                    .map(|raw| {
                        MessageParser::default()
                            .parse(raw)
                            .and_then(|m| m.subject().map(str::to_string))
                            .unwrap_or_default()
                    })
                    .collect();
                panic!("no mail about {subject:?} for {user}; it has {subjects:?}");
            }
            None => tokio::time::sleep(std::time::Duration::from_millis(200)).await,
        }
    }
}

/// The calendar part of a mail, unfolded.
fn calendar_of(mail: &mail_parser::Message<'_>) -> String {
    mail.parts
        .iter()
        .filter(|p| p.content_type().is_some_and(|c| c.subtype() == Some("calendar")))
        .map(|p| String::from_utf8_lossy(p.contents()).replace("\r\n ", ""))
        .collect()
}

/// Issue 19: an offered interpreter decides from the offer (context, no patient); the booked
/// one does the job from the confirmation and its invite (address, video link and passcode,
/// the professional and how to reach them, the patient's phone since they must call); and a
/// booking the requester cancels on the web leaves their calendar (`METHOD:CANCEL`, same UID).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_booked_interpreter_can_do_the_job_from_the_mail_and_the_invite() {
    let bank = TestBank::new(Engine::Sqlite).await;
    let outbound = Outbound::new(&smtp_settings(&bank), bank.store.clone(), bank.clock.clone()).unwrap();
    let marie_address = support::smtp::fresh_address(&bank, bank.requester, "ciusss.example").await;
    let lucia_address = support::smtp::fresh_address(&bank, bank.interpreters[0], "interpretes.example").await;
    let mut details = bank.details();
    details.request_type = relais::domain::request::RequestType::Video;
    details.video = relais::domain::request::VideoDetails {
        platform: Some("Teams".into()),
        link: Some("https://teams.example/j/4711".into()),
        passcode: Some("CODE-8842".into()),
    };
    let id = bank
        .workflow
        .execute(
            bank.as_requester(),
            relais::workflow::Command::CreateRequest {
                requested_by: bank.requester,
                details,
                submit: true,
            },
        )
        .await
        .unwrap()
        .request;
    bank.workflow
        .execute(bank.as_coordinator(), support::offer(id, vec![bank.interpreters[0]]))
        .await
        .unwrap();
    deliver_everything(&bank, &outbound).await;
    let offer = arrived(&lucia_address, 1, "Offre d'interprétation").await;
    let text = offer.body_text(0).unwrap().into_owned();
    for shown in [
        "Interruption de grossesse",
        "Accueil pédiatrie",
        "Teams",
        "1560, rue Sherbrooke Est",
    ] {
        assert!(text.contains(shown), "the offer shows {shown}:\n{text}");
    }
    for hidden in [
        "Patiente Confidentielle",
        "514 555 0199",
        "teams.example/j/4711",
        "CODE-8842",
        "Dre Tremblay",
    ] {
        assert!(!text.contains(hidden), "the offer hides {hidden}:\n{text}");
    }

    bank.workflow
        .execute(
            bank.as_interpreter(0),
            relais::workflow::Command::AcceptOffer { request: id },
        )
        .await
        .unwrap();
    deliver_everything(&bank, &outbound).await;
    let confirmed = arrived(&lucia_address, 2, "Demande confirmée").await;
    let text = confirmed.body_text(0).unwrap().into_owned();
    for shown in [
        "1560, rue Sherbrooke Est",
        "https://teams.example/j/4711",
        "CODE-8842",
        "Dre Tremblay",
        "Pédiatre",
        "597-3284",
        "dre.tremblay@ciusss.example",
        "Interruption de grossesse",
        "Accueil pédiatrie",
        "Patiente Confidentielle",
        "514 555 0199",
        "/l/",
    ] {
        assert!(text.contains(shown), "the confirmation shows {shown}:\n{text}");
    }
    assert!(
        !text.contains("Interprète habituelle si possible"),
        "never the note to the coordinator"
    );
    assert!(
        !text.contains("Diabète de grossesse"),
        "free-text patient details stay on the page"
    );
    // The confirmation's link opens the request's page, with the same briefing.
    let token = text
        .lines()
        .find(|l| l.starts_with("Ouvrir la demande"))
        .and_then(|l| l.split("/l/").nth(1))
        .expect("the confirmation links to the request's page")
        .trim()
        .to_string();
    // Its outbox worker wakes at each commit, as the test's own: both send through the
    // same relay, so whichever sends a mail, it reaches the inbox.
    let site = support::web::Site::start_with(&bank, &support::smtp::smtp_env(&bank)).await;
    let opened = site.press(&token, &[]).await;
    assert_eq!(opened.status, 303, "{}", opened.body);
    let cookie = format!("relais_session={}", opened.cookie("relais_session").unwrap());
    let page = site.get(&format!("/requests/{}", id.0), &cookie).await;
    assert_eq!(page.status, 200, "{}", page.body);
    for shown in [
        "https://teams.example/j/4711",
        "CODE-8842",
        "Dre Tremblay",
        "Diabète de grossesse",
    ] {
        assert!(page.body.contains(shown), "the page shows {shown}:\n{}", page.body);
    }
    assert!(
        !page.body.contains("Interprète habituelle si possible"),
        "never the note to the coordinator"
    );
    let ics = calendar_of(&confirmed);
    assert!(ics.contains("LOCATION:Hôpital Notre-Dame"), "{ics}");
    assert!(ics.contains("1560\\, rue Sherbrooke Est"), "{ics}");
    for shown in [
        "https://teams.example/j/4711",
        "CODE-8842",
        "Dre Tremblay",
        "514 555 0199",
    ] {
        assert!(ics.contains(shown), "the invite carries {shown}:\n{ics}");
    }

    // The requester's invite carries the booking, not the patient; their cancellation on
    // the web (not by mail) takes it off their calendar.
    let marie = inbox(&marie_address, 2).await;
    let booked = find(&marie, "Demande réservée");
    let ics = calendar_of(&booked);
    assert!(
        ics.contains("METHOD:REQUEST") && ics.contains("https://teams.example/j/4711"),
        "{ics}"
    );
    assert!(
        !ics.contains("Patiente Confidentielle") && !ics.contains("Diabète"),
        "{ics}"
    );
    bank.workflow
        .execute(
            relais::workflow::Actor::requester(bank.requester, relais::domain::role::Channel::Web),
            support::cancel(id),
        )
        .await
        .unwrap();
    deliver_everything(&bank, &outbound).await;
    let cancelled = arrived(&marie_address, 3, "Demande annulée").await;
    let ics = calendar_of(&cancelled);
    assert!(
        ics.contains("METHOD:CANCEL") && ics.contains("STATUS:CANCELLED"),
        "{ics}"
    );
    assert!(ics.contains(&format!("UID:relais-request-{id}@bi.example")), "{ics}");
    let text = cancelled.body_text(0).unwrap().into_owned();
    assert!(text.contains("Rendez-vous reporté"), "the reason: {text}");
    let told = arrived(&lucia_address, 3, "Demande annulée").await;
    let text = told.body_text(0).unwrap().into_owned();
    assert!(
        text.contains("Rendez-vous reporté"),
        "the interpreter reads why: {text}"
    );
}
