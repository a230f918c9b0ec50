//! A series of appointments by mail (« Répétition : chaque semaine, 8 fois »): eight
//! requests, each with its number and acknowledgement, booked to one interpreter; one
//! occurrence cancelled by replying ANNULER to its mail, then « ANNULER LA SUITE » from
//! the fifth: each change reaches the interpreter's and the requester's calendars as the
//! invite that takes the occurrence off them, and the others stay booked.

use crate::support;

use mail_parser::{MessageParser, MimeHeaders};
use relais::domain::ids::RequestId;
use relais::domain::request::RequestStatus;
use relais::inbound::pipeline::MailOutcome;
use relais::outbound::worker::Outbound;
use relais::workflow::Command;
use support::mail::{FILLED_FORM, pipeline, raw_mail, reply_address};
use support::{Engine, TestBank, offer};

on_both_engines!(
    a_weekly_series_is_booked_then_one_and_then_the_rest_are_cancelled,
    a_repetition_that_cannot_make_a_series_sends_the_form_back,
    on_the_web_a_series_is_asked_and_its_rest_cancelled,
    the_acknowledgement_s_link_cancels_the_series,
);

/// The calendar parts (method and UID) of every mail written to `out` for `address` since
/// `seen` files.
fn invites(out: &std::path::Path, address: &str, seen: &mut usize) -> Vec<(String, String)> {
    let mut files: Vec<_> = std::fs::read_dir(out)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_else(|_| Vec::new());
    files.retain(|p: &std::path::PathBuf| p.extension().is_some_and(|x| x == "eml"));
    files.sort();
    let fresh = files.split_off((*seen).min(files.len()));
    *seen += fresh.len();
    fresh
        .iter()
        .filter_map(|path| {
            let raw = std::fs::read(path).unwrap();
            let mail = MessageParser::default().parse(&raw).unwrap().into_owned();
            mail.header_raw("To").unwrap_or("").contains(address).then_some(mail)
        })
        .filter_map(|mail| {
            let ics = mail
                .parts
                .iter()
                .find(|p| p.content_type().is_some_and(|c| c.subtype() == Some("calendar")))
                .map(|p| String::from_utf8_lossy(p.contents()).replace("\r\n ", ""))?;
            let field = |name: &str| {
                ics.lines()
                    .find_map(|l| l.strip_prefix(&format!("{name}:")).map(str::to_string))
                    .unwrap_or_default()
            };
            Some((field("METHOD"), field("UID")))
        })
        .collect()
}

/// The text of every mail of `kind` written to `out`.
fn texts(out: &std::path::Path, kind: &str) -> Vec<String> {
    std::fs::read_dir(out)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(&format!("{kind}.eml")))
        .map(|p| {
            let raw = std::fs::read(p).unwrap();
            MessageParser::default()
                .parse(&raw)
                .unwrap()
                .body_text(0)
                .unwrap()
                .into_owned()
        })
        .collect()
}

fn uid(id: RequestId) -> String {
    format!("relais-request-{id}@bi.example")
}

async fn a_weekly_series_is_booked_then_one_and_then_the_rest_are_cancelled(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let out = bank.scratch_path("out");
    let settings = support::settings(
        &bank,
        &[
            ("RELAIS__MAIL__OUTBOX_FOLDER", out.display().to_string()),
            ("RELAIS__MAIL__FROM_ADDRESS", "relais@bi.example".to_string()),
        ],
    );
    let outbound = Outbound::new(&settings, bank.store.clone(), bank.clock.clone()).unwrap();
    let pipeline = pipeline(&bank, None);
    let form = FILLED_FORM.replace(
        "Durée : 1 h 30\n",
        "Durée : 1 h 30\nRépétition : chaque semaine, 8 fois\n",
    );
    let raw = raw_mail(
        "series.1@ciusss.example",
        "Marie Tremblay <marie@ciusss.example>",
        &reply_address(None, bank.requester),
        "Suivi de grossesse",
        "",
        &form,
    );
    let outcome = pipeline.process(&raw, "test").await.unwrap();
    let MailOutcome::SeriesCreated(numbers) = &outcome else {
        panic!("{outcome:?}");
    };
    assert_eq!(numbers.split(", ").count(), 8, "{numbers}");
    let ids: Vec<RequestId> = (1..=8).map(RequestId).collect();
    let mut dates = Vec::new();
    for id in &ids {
        let request = bank.load(*id).await;
        assert_eq!(request.status, RequestStatus::New);
        assert_eq!(request.details.duration_minutes, 90);
        dates.push(request.details.date);
    }
    assert_eq!(dates[0].to_string(), "2026-03-09");
    assert!(dates.windows(2).all(|w| (w[1] - w[0]).num_days() == 7), "{dates:?}");
    // One acknowledgement lists the eight, each with its number and when.
    while outbound.deliver_due().await.unwrap() > 0 {}
    let acknowledgements = texts(&out, "request_received");
    assert_eq!(acknowledgements.len(), 1, "one acknowledgement for the series");
    let text = &acknowledgements[0];
    assert!(text.contains("votre série de 8\u{a0}rendez-vous"), "{text}");
    assert!(
        text.contains("HC-26061001 — lundi 9 mars 2026, 10\u{a0}h\u{a0}00"),
        "{text}"
    );
    assert!(
        text.contains("HC-26061008 — lundi 27 avril 2026, 10\u{a0}h\u{a0}00"),
        "{text}"
    );
    assert!(text.contains("ANNULER LA SUITE"), "{text}");

    // The first is offered to Lucía; once she takes it, the seven others are offered to
    // her first, for continuity. She takes them all: both calendars get eight confirmed
    // events.
    bank.workflow
        .execute(bank.as_coordinator(), offer(ids[0], vec![bank.interpreters[0]]))
        .await
        .unwrap();
    bank.workflow
        .execute(bank.as_interpreter(0), Command::AcceptOffer { request: ids[0] })
        .await
        .unwrap();
    for id in &ids[1..] {
        assert_eq!(bank.load(*id).await.status, RequestStatus::Offered, "{id:?}");
        let mut tx = bank.store.begin().await.unwrap();
        let offers = tx.offers_of_request(*id).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(offers.len(), 1);
        assert_eq!(offers[0].interpreter_id, bank.interpreters[0]);
        bank.workflow
            .execute(bank.as_interpreter(0), Command::AcceptOffer { request: *id })
            .await
            .unwrap();
    }
    let (mut seen_lucia, mut seen_marie) = (0, 0);
    while outbound.deliver_due().await.unwrap() > 0 {}
    let lucia = "interp0@interpretes.example";
    let marie = "marie@ciusss.example";
    let booked: Vec<_> = invites(&out, lucia, &mut seen_lucia)
        .into_iter()
        .filter(|(m, _)| m == "REQUEST")
        .map(|(_, u)| u)
        .collect();
    for id in &ids {
        assert!(booked.contains(&uid(*id)), "{booked:?}");
    }
    let theirs = invites(&out, marie, &mut seen_marie);
    assert_eq!(theirs.iter().filter(|(m, _)| m == "REQUEST").count(), 8, "{theirs:?}");

    // The third is cancelled alone, by replying ANNULER to its mail.
    let raw = raw_mail(
        "series.2@ciusss.example",
        "Marie Tremblay <marie@ciusss.example>",
        &reply_address(Some(ids[2]), bank.requester),
        "Re: [HC-26061003] Demande réservée",
        "",
        "ANNULER rendez-vous reporté\n",
    );
    assert_eq!(
        pipeline.process(&raw, "test").await.unwrap(),
        MailOutcome::CommandApplied("cancel")
    );
    while outbound.deliver_due().await.unwrap() > 0 {}
    assert_eq!(
        invites(&out, lucia, &mut seen_lucia),
        [("CANCEL".to_string(), uid(ids[2]))]
    );
    assert_eq!(
        invites(&out, marie, &mut seen_marie),
        [("CANCEL".to_string(), uid(ids[2]))]
    );

    // « ANNULER LA SUITE » from the fifth: the fifth to the eighth.
    let raw = raw_mail(
        "series.3@ciusss.example",
        "Marie Tremblay <marie@ciusss.example>",
        &reply_address(Some(ids[4]), bank.requester),
        "Re: [HC-26061005] Demande réservée",
        "",
        "ANNULER LA SUITE fin du suivi\n",
    );
    assert_eq!(
        pipeline.process(&raw, "test").await.unwrap(),
        MailOutcome::CommandApplied("cancel_series")
    );
    while outbound.deliver_due().await.unwrap() > 0 {}
    let expected: Vec<(String, String)> = ids[4..].iter().map(|id| ("CANCEL".to_string(), uid(*id))).collect();
    let mut lucia_now = invites(&out, lucia, &mut seen_lucia);
    lucia_now.sort();
    assert_eq!(lucia_now, expected);
    let mut marie_now = invites(&out, marie, &mut seen_marie);
    marie_now.sort();
    assert_eq!(marie_now, expected);
    for (i, id) in ids.iter().enumerate() {
        let request = bank.load(*id).await;
        let cancelled = i == 2 || i >= 4;
        assert_eq!(
            request.status,
            if cancelled {
                RequestStatus::Cancelled
            } else {
                RequestStatus::Booked
            },
            "occurrence {}",
            i + 1
        );
    }
    // The answer lists what was cancelled.
    let answer = texts(&out, "command_done")
        .into_iter()
        .find(|text| text.contains("séances de la série"))
        .expect("the answer to « ANNULER LA SUITE »");
    assert!(
        answer.contains("HC-26061005, HC-26061006, HC-26061007, HC-26061008"),
        "{answer}"
    );
}

async fn a_repetition_that_cannot_make_a_series_sends_the_form_back(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let pipeline = pipeline(&bank, None);
    for (i, line) in [
        "Répétition : chaque semaine, 60 fois",
        "Répétition : chaque semaine jusqu'au 2026-03-10",
        "Répétition : de temps en temps",
    ]
    .iter()
    .enumerate()
    {
        let form = FILLED_FORM.replace("Durée : 1 h 30\n", &format!("Durée : 1 h 30\n{line}\n"));
        let raw = raw_mail(
            &format!("bad-series.{i}@ciusss.example"),
            "Marie Tremblay <marie@ciusss.example>",
            &reply_address(None, bank.requester),
            "Demande",
            "",
            &form,
        );
        assert_eq!(
            pipeline.process(&raw, "test").await.unwrap(),
            MailOutcome::FormIncomplete,
            "{line}"
        );
    }
    let mut tx = bank.store.begin().await.unwrap();
    assert!(tx.request(RequestId(1)).await.is_err(), "nothing created");
    tx.commit().await.unwrap();
}

/// The web form's « Répétition » field makes the series; the page of an occurrence offers
/// to cancel it alone or with the ones after, and the second button does the latter.
async fn on_the_web_a_series_is_asked_and_its_rest_cancelled(engine: Engine) {
    use support::web::World;
    let w = World::new(engine).await;
    let mut r = w.signed_in(w.bank.requester).await;
    let form = r.get("/requests/new").await;
    assert!(form.body.contains("name=\"repetition\""), "{}", form.body);
    let date = w.bank.appointment_date().format("%Y-%m-%d").to_string();
    let fields = |csrf: String, repetition: &'static str| {
        vec![
            ("csrf".to_string(), csrf),
            ("request_type".into(), "en présentiel".into()),
            ("date".into(), date.clone()),
            ("start_time".into(), "10:00".into()),
            ("duration_minutes".into(), "60".into()),
            ("target_language".into(), "espagnol".into()),
            ("installation".into(), "Hôpital Notre-Dame".into()),
            ("location".into(), "Clinique externe, 3e étage".into()),
            ("repetition".into(), repetition.into()),
        ]
    };
    let csrf = form.forms().into_iter().next().map(|(_, c)| c).unwrap_or_default();
    // A repetition that cannot be read comes back beside its field, nothing saved.
    let bad = fields(csrf.clone(), "de temps en temps");
    let refused = r.post_multipart("/requests/new", &as_refs(&bad), &[]).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("répétition non reconnue"), "{}", refused.body);
    let good = fields(csrf, "toutes les 2 semaines, 4 fois");
    let made = r.post_multipart("/requests/new", &as_refs(&good), &[]).await;
    assert_eq!(made.status, 303, "{}", made.body);
    let ids: Vec<RequestId> = (1..=4).map(RequestId).collect();
    for (i, id) in ids.iter().enumerate() {
        let request = w.bank.load(*id).await;
        assert_eq!(request.status, RequestStatus::New);
        assert_eq!(
            (request.details.date - w.bank.appointment_date()).num_days(),
            14 * i as i64
        );
    }

    // The second occurrence's page: cancel it alone, or with the ones after.
    let page = r.get(&format!("/requests/{}", ids[1])).await;
    assert!(
        page.body.contains("Annuler cette séance et les suivantes"),
        "{}",
        page.body
    );
    let csrf = page.forms().into_iter().next().map(|(_, c)| c).unwrap();
    let done = r
        .post(
            &format!("/requests/{}/act", ids[1]),
            &[
                ("csrf", csrf.as_str()),
                ("action", "cancel_series"),
                ("reason", "appointment_rescheduled"),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let statuses: Vec<RequestStatus> = {
        let mut out = Vec::new();
        for id in &ids {
            out.push(w.bank.load(*id).await.status);
        }
        out
    };
    assert_eq!(
        statuses,
        [
            RequestStatus::New,
            RequestStatus::Cancelled,
            RequestStatus::Cancelled,
            RequestStatus::Cancelled
        ]
    );
    // The first occurrence is still in the series: its page offers both.
    let first = r.get(&format!("/requests/{}", ids[0])).await;
    assert!(
        first.body.contains("Annuler cette séance et les suivantes"),
        "{}",
        first.body
    );
}

fn as_refs(v: &[(String, String)]) -> Vec<(&str, &str)> {
    v.iter().map(|(k, x)| (k.as_str(), x.as_str())).collect()
}

/// The series' acknowledgement carries a signed link « Annuler cette séance et les
/// suivantes » beside « Annuler la demande »; pressed, with a reason, it cancels every
/// occurrence. A request in no series gets no such link.
async fn the_acknowledgement_s_link_cancels_the_series(engine: Engine) {
    use relais::domain::request::repetition::{Repetition, RepetitionEnd};
    use support::web::World;
    let w = World::new(engine).await;
    let bank = &w.bank;
    let single = bank.create().await;
    let mut tx = bank.store.begin().await.unwrap();
    let mut details = bank.details();
    details.date += chrono::TimeDelta::days(1);
    let created = bank
        .workflow
        .create_series_in(
            &mut tx,
            bank.as_requester(),
            bank.requester,
            details,
            Repetition {
                step_days: 7,
                end: RepetitionEnd::Times(3),
            },
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let ids: Vec<RequestId> = created.iter().map(|a| a.request).collect();
    assert_eq!(ids.len(), 3);
    let marie = w.email_of(bank.requester).await;
    // The single request's acknowledgement: no series link.
    let alone = w.next_mail(&marie, "request_received").await;
    assert!(alone.contains("Annuler la demande"), "{alone}");
    assert!(!alone.contains("Annuler cette séance et les suivantes"), "{alone}");
    let text = w.next_mail(&marie, "request_received").await;
    assert!(text.contains("série de 3"), "{text}");
    let line = text
        .lines()
        .find(|l| l.contains("Annuler cette séance et les suivantes"))
        .unwrap_or_else(|| panic!("{text}"));
    let token = line.split("/l/").nth(1).expect("a link").trim().to_string();
    // Without a reason, nothing is done.
    let refused = w.site.press(&token, &[]).await;
    assert_ne!(refused.status, 303, "{}", refused.body);
    assert_eq!(bank.load(ids[0]).await.status, RequestStatus::New);
    let done = w.site.press(&token, &[("reason", "appointment_rescheduled")]).await;
    assert!(
        done.status == 200 || done.status == 303,
        "{} {}",
        done.status,
        done.body
    );
    for id in &ids {
        assert_eq!(bank.load(*id).await.status, RequestStatus::Cancelled, "{id:?}");
    }
    assert_eq!(bank.load(single).await.status, RequestStatus::New);
    // Used once: opened again, it is gone.
    assert_eq!(w.site.get(&format!("/l/{token}"), "").await.status, 410);
}
