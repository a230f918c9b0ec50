//! Coordination on both engines: unanswered offers are reminded once and then lapse back
//! to the coordinators; interpreters are reminded the day before; the digest runs once per
//! slot whatever the number of processes, lists what waits with candidates and links that
//! work, and comes on demand by reply.

use crate::support;

use chrono::{TimeDelta, TimeZone, Utc};
use relais::clock::Clock;
use relais::domain::daily_slots::DailySlots;
use relais::domain::request::RequestStatus;
use relais::outbound::worker::Outbound;
use relais::security::link::LinkKeys;
use relais::store::outbox::OutboxMessage;
use relais::workflow::Workflow;
use support::mail::{SIGNING_KEY, pipeline, raw_mail, reply_address};
use support::{Engine, TestBank, offer};

async fn queued(bank: &TestBank, request: relais::domain::ids::RequestId) -> Vec<OutboxMessage> {
    let mut tx = bank.store.begin().await.unwrap();
    let m = tx.outbox_of_request(request).await.unwrap();
    tx.commit().await.unwrap();
    m
}

async fn offers_are_reminded_once_then_lapse(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let id = bank.create().await;
    bank.workflow
        .execute(bank.as_coordinator(), offer(id, vec![bank.interpreters[0]]))
        .await
        .unwrap();
    let reminders = |m: &[OutboxMessage]| m.iter().filter(|m| m.kind == "offer_reminder").count();

    bank.clock.advance(TimeDelta::hours(11));
    assert_eq!(bank.workflow.chase().await.unwrap().offers_reminded, 0, "too early");
    bank.clock.advance(TimeDelta::hours(1) + TimeDelta::minutes(1));
    assert_eq!(bank.workflow.chase().await.unwrap().offers_reminded, 1);
    assert_eq!(reminders(&queued(&bank, id).await), 2, "by email and SMS");
    assert_eq!(bank.workflow.chase().await.unwrap().offers_reminded, 0, "once");
    assert_eq!(reminders(&queued(&bank, id).await), 2);
    assert_eq!(bank.load(id).await.status, RequestStatus::Offered);

    bank.clock.advance(TimeDelta::hours(12));
    let report = bank.workflow.chase().await.unwrap();
    assert_eq!(report.requests_lapsed, 1);
    assert_eq!(
        bank.load(id).await.status,
        RequestStatus::New,
        "back to the coordinators"
    );
    let lapsed: Vec<_> = queued(&bank, id)
        .await
        .into_iter()
        .filter(|m| m.kind == "offers_lapsed")
        .collect();
    assert_eq!(lapsed.len(), 1);
    assert_eq!(lapsed[0].recipient, bank.coordinator);
    assert_eq!(bank.workflow.chase().await.unwrap(), Default::default(), "nothing more");
}

async fn a_later_offer_keeps_its_own_time(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let id = bank.create().await;
    bank.workflow
        .execute(bank.as_coordinator(), offer(id, vec![bank.interpreters[0]]))
        .await
        .unwrap();
    bank.clock.advance(TimeDelta::hours(20));
    bank.workflow
        .execute(bank.as_coordinator(), offer(id, vec![bank.interpreters[1]]))
        .await
        .unwrap();
    bank.clock.advance(TimeDelta::hours(5));
    assert_eq!(bank.workflow.chase().await.unwrap().requests_lapsed, 0);
    assert_eq!(bank.load(id).await.status, RequestStatus::Offered);
    bank.clock.advance(TimeDelta::hours(20));
    assert_eq!(bank.workflow.chase().await.unwrap().requests_lapsed, 1);
}

async fn interpreters_are_reminded_the_day_before(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let id = bank.request_in(RequestStatus::Booked).await;
    let starts_at = bank.load(id).await.starts_at;
    let now = bank.clock.now();
    bank.clock.advance(starts_at - now - TimeDelta::hours(25));
    assert_eq!(bank.workflow.chase().await.unwrap().appointments_reminded, 0);
    bank.clock.advance(TimeDelta::hours(2));
    assert_eq!(bank.workflow.chase().await.unwrap().appointments_reminded, 1);
    assert_eq!(bank.workflow.chase().await.unwrap().appointments_reminded, 0, "once");
    let reminders: Vec<_> = queued(&bank, id)
        .await
        .into_iter()
        .filter(|m| m.kind == "appointment_reminder")
        .collect();
    assert_eq!(reminders.len(), 2, "email and SMS");
    assert!(reminders.iter().all(|m| m.recipient == bank.interpreters[0]));
}

fn slots() -> DailySlots {
    DailySlots {
        times: vec![
            chrono::NaiveTime::from_hms_opt(8, 30, 0).unwrap(),
            chrono::NaiveTime::from_hms_opt(13, 0, 0).unwrap(),
        ],
        days: vec![
            chrono::Weekday::Mon,
            chrono::Weekday::Tue,
            chrono::Weekday::Wed,
            chrono::Weekday::Thu,
            chrono::Weekday::Fri,
        ],
        holidays: vec![],
        time_zone: chrono_tz::America::Toronto,
    }
}

async fn digests_queued(bank: &TestBank) -> i64 {
    let mut tx = bank.store.begin().await.unwrap();
    let n = tx.count_outbox_kind("digest").await.unwrap();
    tx.commit().await.unwrap();
    n
}

async fn the_digest_runs_once_per_slot_in_every_process(engine: Engine) {
    let bank = TestBank::new(engine).await;
    // Monday 2 March 2026, 08:31 in Toronto (EST): the 08:30 slot is due.
    bank.clock.set(Utc.with_ymd_and_hms(2026, 3, 2, 13, 31, 0).unwrap());
    let other_process = Workflow::new(bank.store.clone(), support::config(), bank.clock.clone());
    let schedule = slots();
    let (a, b) = tokio::join!(
        bank.workflow.run_due_digest(&schedule),
        other_process.run_due_digest(&schedule)
    );
    let ran: Vec<_> = [a.unwrap(), b.unwrap()].into_iter().flatten().collect();
    assert_eq!(ran, vec!["2026-03-02T08:30".to_string()], "one of the two ran it");
    assert_eq!(digests_queued(&bank).await, 1, "one coordinator, one digest");
    assert_eq!(bank.workflow.run_due_digest(&slots()).await.unwrap(), None);
    // Down from 08:40 until 17:00: one catch-up digest (13:00), not two.
    bank.clock.set(Utc.with_ymd_and_hms(2026, 3, 2, 22, 0, 0).unwrap());
    assert_eq!(
        bank.workflow.run_due_digest(&slots()).await.unwrap().as_deref(),
        Some("2026-03-02T13:00")
    );
    assert_eq!(bank.workflow.run_due_digest(&slots()).await.unwrap(), None);
    assert_eq!(digests_queued(&bank).await, 2);
}

async fn the_digest_shows_what_waits_and_its_links_assign(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let id = bank.create().await;
    // Another request, booked, then its interpreter withdrew: it waits again, marked so.
    let withdrawn = bank.request_in(RequestStatus::Booked).await;
    bank.workflow
        .execute(
            bank.as_interpreter(0),
            relais::workflow::Command::WithdrawInterpreter { request: withdrawn },
        )
        .await
        .unwrap();
    let out = bank.scratch_path("digest");
    let settings = support::settings(&bank, &[("RELAIS__MAIL__OUTBOX_FOLDER", out.display().to_string())]);
    let outbound = Outbound::new(&settings, bank.store.clone(), bank.clock.clone()).unwrap();
    // The coordinator asks for it by replying SOMMAIRE.
    let raw = raw_mail(
        "digest-please@bi.example",
        "coord@bi.example",
        &reply_address(None, bank.coordinator),
        "Re: Sommaire",
        "",
        "Sommaire",
    );
    let outcome = pipeline(&bank, None).process(&raw, "imap").await.unwrap();
    assert_eq!(
        outcome,
        relais::inbound::pipeline::MailOutcome::CommandApplied("digest")
    );
    while outbound.deliver_due().await.unwrap() > 0 {}
    let file = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with("-digest.eml"))
        .expect("the digest was sent");
    let message = std::fs::read(&file).unwrap();
    let parsed = mail_parser::MessageParser::default().parse(&message).unwrap();
    let text = parsed.body_text(0).unwrap().to_string();
    assert!(
        text.contains("DEMANDES À ASSIGNER (2)") && text.contains("HC-26061001"),
        "{text}"
    );
    assert!(text.contains("Désistement\u{a0}: Lucía Ramírez"), "{text}");
    assert_eq!(
        text.matches("Offrir à Lucía Ramírez").count(),
        1,
        "not proposed again for the request she withdrew from: {text}"
    );
    for name in ["Lucía Ramírez", "Diego Fernández", "Ana Soto"] {
        assert!(
            text.contains(&format!("Offrir à {name}\u{a0}: http://127.0.0.1:8080/l/")),
            "{text}"
        );
    }
    assert!(text.contains("Offrir aux interprètes suggérés (3)\u{a0}: "), "{text}");
    let html = parsed.body_html(0).unwrap().to_string();
    assert!(
        html.contains("<a href=\"http://127.0.0.1:8080/l/"),
        "the links are buttons: {html}"
    );

    // Following the first candidate's link (as its page's button would) offers the request.
    let url = text
        .lines()
        .find_map(|l| l.strip_prefix("Offrir à Lucía Ramírez\u{a0}: "))
        .unwrap();
    let token = url.rsplit('/').next().unwrap();
    let keys = LinkKeys::new(relais::config::Secret::new(SIGNING_KEY), &[]);
    let link = keys.verify(token, bank.clock.now()).unwrap();
    let followed = bank.workflow.follow_link(&link, Default::default()).await.unwrap();
    assert!(followed.is_ok(), "{followed:?}");
    let r = bank.load(id).await;
    assert_eq!(r.status, RequestStatus::Offered);
    let mut tx = bank.store.begin().await.unwrap();
    let offers = tx.offers_of_request(id).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(offers.len(), 1);
    assert_eq!(offers[0].interpreter_id, bank.interpreters[0]);

    // Or by reply to the digest: ASSIGNER with the number and the interpreter's identifier.
    let mut tx = bank.store.begin().await.unwrap();
    let number = tx.request(withdrawn).await.unwrap().label();
    let diego = tx.person(bank.interpreters[1]).await.unwrap().user_code;
    tx.commit().await.unwrap();
    let raw = raw_mail(
        "assign-by-reply@bi.example",
        "coord@bi.example",
        &reply_address(None, bank.coordinator),
        "Re: Sommaire de la banque",
        "",
        &format!("ASSIGNER {number} {}", diego.as_str()),
    );
    let outcome = pipeline(&bank, None).process(&raw, "imap").await.unwrap();
    assert_eq!(
        outcome,
        relais::inbound::pipeline::MailOutcome::CommandApplied("assign")
    );
    assert_eq!(bank.load(withdrawn).await.status, RequestStatus::Offered);
}

/// A verified link for the requester, made for the request as it is now.
async fn claim(
    bank: &TestBank,
    id: relais::domain::ids::RequestId,
    action: relais::security::link::LinkAction,
) -> relais::security::link::VerifiedLink {
    let keys = LinkKeys::new(relais::config::Secret::new(SIGNING_KEY), &[]);
    let mut tx = bank.store.begin().await.unwrap();
    let r = tx.request(id).await.unwrap();
    let person = tx.person(bank.requester).await.unwrap();
    let c = bank
        .workflow
        .link_claim(
            &mut tx,
            action,
            &r,
            &person,
            vec![],
            bank.clock.now() + TimeDelta::days(1),
        )
        .await
        .unwrap()
        .expect("possible now");
    tx.commit().await.unwrap();
    keys.verify(&keys.sign(&c), bank.clock.now()).unwrap()
}

/// The text of the last « nobody available » mail, as it leaves.
async fn no_interpreter_mail(bank: &TestBank) -> String {
    let out = bank.scratch_path("outbox");
    let settings = support::settings(bank, &[("RELAIS__MAIL__OUTBOX_FOLDER", out.display().to_string())]);
    let outbound = Outbound::new(&settings, bank.store.clone(), bank.clock.clone()).unwrap();
    while outbound.deliver_due().await.unwrap() > 0 {}
    let mut texts: Vec<(String, String)> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with("-no_interpreter.eml"))
        .map(|p| {
            let raw = std::fs::read(&p).unwrap();
            let parsed = mail_parser::MessageParser::default().parse(&raw).unwrap();
            (
                p.display().to_string(),
                parsed.body_text(0).unwrap().replace("\r\n", "\n"),
            )
        })
        .collect();
    texts.sort();
    texts.pop().expect("a no_interpreter mail").1
}

/// Every interpreter of the pair is blocked for the establishment: the requester is told,
/// once per version of the request, and can switch language or go on without.
async fn when_nobody_can_take_it_the_requester_chooses(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let mut tx = bank.store.begin().await.unwrap();
    for &i in &bank.interpreters {
        let mut p = tx.interpreter_profile(i).await.unwrap().unwrap();
        p.blocked_establishments = vec![bank.establishment];
        tx.set_interpreter_profile(i, &p).await.unwrap();
    }
    tx.commit().await.unwrap();
    let id = bank.create().await;
    assert_eq!(bank.workflow.chase().await.unwrap().requesters_told, 1);
    assert_eq!(bank.workflow.chase().await.unwrap().requesters_told, 0, "once");
    let told: Vec<_> = queued(&bank, id)
        .await
        .into_iter()
        .filter(|m| m.kind == "no_interpreter")
        .collect();
    assert_eq!(told.len(), 1);
    assert_eq!(told[0].recipient, bank.requester);
    // The mail offers only what this request allows, with a date built from it.
    let text = no_interpreter_mail(&bank).await;
    assert!(!text.contains("ALTERNATIVE"), "no alternative language here: {text}");
    let week_later = (bank.appointment_date() + chrono::Days::new(7)).format("%Y-%m-%d");
    assert!(
        text.contains(&format!("«\u{a0}Date du service\u{a0}: {week_later}\u{a0}»")),
        "{text}"
    );

    // No alternative language in this request: ALTERNATIVE is refused with the reason.
    let p = pipeline(&bank, None);
    let reply = |n: &str, body: &str| {
        raw_mail(
            &format!("{n}@ciusss.example"),
            "marie@ciusss.example",
            &reply_address(Some(id), bank.requester),
            "Re: Aucun interprète",
            "",
            body,
        )
    };
    use relais::inbound::pipeline::MailOutcome;
    assert_eq!(
        p.process(&reply("alt", "Alternative"), "imap").await.unwrap(),
        MailOutcome::CommandRefused("no_alternative")
    );
    assert_eq!(
        p.process(&reply("wait", "Attendre"), "imap").await.unwrap(),
        MailOutcome::CommandApplied("wait")
    );
    assert_eq!(bank.load(id).await.status, RequestStatus::New);

    // Give an alternative language (Portuguese: nobody speaks it either), then take it by link.
    let mut details = bank.load(id).await.details;
    details.alternative_language = Some(support::lang("pt"));
    bank.workflow
        .execute(
            bank.as_requester(),
            relais::workflow::Command::ModifyRequest { request: id, details },
        )
        .await
        .unwrap();
    assert_eq!(
        bank.workflow.chase().await.unwrap().requesters_told,
        1,
        "told again: the request changed"
    );
    let text = no_interpreter_mail(&bank).await;
    assert!(
        text.contains("accepter un interprète en portugais, la langue alternative indiquée dans la demande"),
        "{text}"
    );
    let alt = claim(&bank, id, relais::security::link::LinkAction::UseAlternative).await;
    assert!(
        bank.workflow
            .follow_link(&alt, Default::default())
            .await
            .unwrap()
            .is_ok()
    );
    let r = bank.load(id).await;
    assert_eq!(
        (r.details.target_language.as_str(), r.details.alternative_language),
        ("pt", None)
    );
    let give_up = claim(&bank, id, relais::security::link::LinkAction::GiveUp).await;
    assert!(
        bank.workflow
            .follow_link(&give_up, Default::default())
            .await
            .unwrap()
            .is_ok()
    );
    let r = bank.load(id).await;
    assert_eq!(r.status, RequestStatus::Cancelled);
    assert_eq!(
        r.cancellation.unwrap().reason,
        relais::domain::request::CancellationReason::NoInterpreterAvailable
    );
}

/// A broadcast waiting too long reaches the next tier; refusers and those already offered
/// are never offered again.
async fn unanswered_offers_escalate_to_the_next_tier(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let mut config = support::config();
    config.escalate_after_hours = 4;
    config.tier_size = 1;
    let workflow = Workflow::new(bank.store.clone(), config, bank.clock.clone());
    let id = bank.create().await;
    workflow
        .execute(bank.as_coordinator(), offer(id, vec![bank.interpreters[0]]))
        .await
        .unwrap();
    bank.clock.advance(TimeDelta::hours(3));
    assert_eq!(workflow.chase().await.unwrap().escalated, 0, "not yet");
    bank.clock.advance(TimeDelta::hours(2));
    assert_eq!(workflow.chase().await.unwrap().escalated, 1);
    assert_eq!(workflow.chase().await.unwrap().escalated, 0, "the new offer is fresh");
    let mut tx = bank.store.begin().await.unwrap();
    let offered: Vec<_> = tx
        .offers_of_request(id)
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.interpreter_id)
        .collect();
    tx.commit().await.unwrap();
    assert_eq!(
        offered,
        vec![bank.interpreters[0], bank.interpreters[1]],
        "the next one, once"
    );
    // Interpreter 1 refuses; four hours later the last one gets it, never the refuser.
    workflow
        .execute(
            bank.as_interpreter(1),
            relais::workflow::Command::DeclineOffer { request: id },
        )
        .await
        .unwrap();
    bank.clock.advance(TimeDelta::hours(5));
    assert_eq!(workflow.chase().await.unwrap().escalated, 1);
    let mut tx = bank.store.begin().await.unwrap();
    let offers = tx.offers_of_request(id).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(offers.len(), 3);
    assert_eq!(offers[2].interpreter_id, bank.interpreters[2]);
}

on_both_engines!(
    unanswered_offers_escalate_to_the_next_tier,
    when_nobody_can_take_it_the_requester_chooses,
    offers_are_reminded_once_then_lapse,
    a_later_offer_keeps_its_own_time,
    interpreters_are_reminded_the_day_before,
    the_digest_runs_once_per_slot_in_every_process,
    the_digest_shows_what_waits_and_its_links_assign,
);
