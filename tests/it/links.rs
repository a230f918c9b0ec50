//! Signed links over real HTTP, on both engines: opening a link changes nothing, the button
//! acts once, dead links say why and what now, and an offer accepted at once by link, SMS
//! and mail is filled exactly once.

use crate::support;

use chrono::TimeDelta;
use relais::domain::ids::{PersonId, RequestId};
use relais::domain::request::RequestStatus;
use relais::inbound::sms_pipeline::{InboundSms, SmsPipeline};
use relais::security::link::LinkAction;
use relais::store::requests::OfferStatus;
use support::mail::{pipeline, raw_mail, reply_address};
use support::web::{Site, World, token};
use support::{Engine, TestBank, offer};

async fn offers(bank: &TestBank, id: RequestId) -> Vec<(PersonId, OfferStatus)> {
    let mut tx = bank.store.begin().await.unwrap();
    let o = tx.offers_of_request(id).await.unwrap();
    tx.commit().await.unwrap();
    o.into_iter().map(|o| (o.interpreter_id, o.status)).collect()
}

async fn opening_changes_nothing_and_the_button_acts_once(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let id = bank.create().await;
    bank.workflow
        .execute(bank.as_coordinator(), offer(id, bank.interpreters[..2].to_vec()))
        .await
        .unwrap();
    let accept = token(&bank, LinkAction::Accept, id, bank.interpreters[0], vec![]).await;
    let refuse_other = token(&bank, LinkAction::Refuse, id, bank.interpreters[1], vec![]).await;
    let site = Site::start(&bank).await;
    let before = bank.load(id).await;

    // A mail scanner: HEAD, then GET, then even a bare POST. Nothing changes.
    let head = site.send(site.client.head(format!("{}/l/{accept}", site.base))).await;
    assert_eq!(head.status, 200);
    let page = site.get(&format!("/l/{accept}"), "").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("Accepter l'offre") && page.body.contains("Lucía Ramírez"),
        "{}",
        page.body
    );
    assert!(page.body.contains("HC-26061001"));
    assert!(!page.body.contains("<script"), "the page needs no JavaScript");
    assert_eq!(page.forms().len(), 1, "one button");
    assert_eq!(page.headers["cache-control"], "no-store");
    assert_eq!(page.headers["referrer-policy"], "no-referrer");
    let scanner_post = site.post(&format!("/l/{accept}"), "", &[]).await;
    assert_eq!(scanner_post.status, 403, "{}", scanner_post.body);
    let nonce = page.cookie("relais_csrf").unwrap();
    let wrong = site
        .post(
            &format!("/l/{accept}"),
            &format!("relais_csrf={nonce}"),
            &[("csrf", "forged")],
        )
        .await;
    assert_eq!(wrong.status, 403);
    assert_eq!(bank.load(id).await, before, "opening and forged posts changed nothing");
    assert!(offers(&bank, id).await.iter().all(|(_, s)| *s == OfferStatus::Pending));

    // The person presses the button.
    let (action, csrf) = page.forms().remove(0);
    let done = site
        .post(
            &format!("/l/{action}"),
            &format!("relais_csrf={nonce}"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(
        done.body.contains("C'est fait") && done.body.contains("Réservé"),
        "{}",
        done.body
    );
    let booked = bank.load(id).await;
    assert_eq!(
        (booked.status, booked.assigned_interpreter),
        (RequestStatus::Booked, Some(bank.interpreters[0]))
    );

    // Pressed again (a double tap, the back button): nothing more, and the page says why.
    let again = site
        .post(
            &format!("/l/{action}"),
            &format!("relais_csrf={nonce}"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(again.status, 410, "{}", again.body);
    assert!(again.body.contains("déjà servi"), "{}", again.body);
    assert_eq!(bank.load(id).await.version, booked.version);

    // The other interpreter's link died with their offer: it says so, shows the request as
    // it is, and offers nothing to press.
    let dead = site.get(&format!("/l/{refuse_other}"), "").await;
    assert_eq!(dead.status, 410);
    assert!(
        dead.body.contains("la demande a changé") && dead.body.contains("Réservé"),
        "{}",
        dead.body
    );
    assert!(dead.forms().is_empty());

    // A forged or truncated token is not a link at all.
    let mut forged = accept.clone().into_bytes();
    forged[10] = if forged[10] == b'A' { b'B' } else { b'A' };
    let forged = String::from_utf8(forged).unwrap();
    for bad in [forged.as_str(), &accept[..20], "nothing"] {
        let page = site.get(&format!("/l/{bad}"), "").await;
        assert_eq!(page.status, 404, "{bad}");
        assert!(page.body.contains("pas valide"));
    }
}

/// The kinds of the messages queued for `person`, with their request and payload.
async fn queued_for(bank: &TestBank, person: PersonId) -> Vec<(String, Option<i64>, String)> {
    const SQL: &str = "SELECT kind, request_id, CAST(payload AS TEXT) FROM outbox WHERE recipient_id = $1 ORDER BY id";
    match &bank.store {
        relais::store::Store::Sqlite(pool, ..) => sqlx::query_as(SQL).bind(person.0).fetch_all(pool).await.unwrap(),
        relais::store::Store::Postgres(pool, _) => sqlx::query_as(SQL).bind(person.0).fetch_all(pool).await.unwrap(),
    }
}

async fn renewals(bank: &TestBank) -> Vec<(String, Option<i64>, String)> {
    const SQL: &str =
        "SELECT kind, request_id, CAST(payload AS TEXT) FROM outbox WHERE kind = 'link_renewed' ORDER BY id";
    match &bank.store {
        relais::store::Store::Sqlite(pool, ..) => sqlx::query_as(SQL).fetch_all(pool).await.unwrap(),
        relais::store::Store::Postgres(pool, _) => sqlx::query_as(SQL).fetch_all(pool).await.unwrap(),
    }
}

/// A dead link (outdated, or expired) shows the request as it is now and never hands a
/// fresh token to whoever holds it: its one button mails a new link to the recipient's
/// own address on file (whatever else the form says), a few times an hour at most; that
/// mailed link acts.
async fn dead_links_show_the_state_and_mail_a_new_link_to_the_recipient(engine: Engine) {
    let w = World::new(engine).await;
    let bank = &w.bank;
    let id = bank.request_in(RequestStatus::Booked).await;
    let cancel = token(bank, LinkAction::Cancel, id, bank.requester, vec![]).await;
    let requester_email = w.email_of(bank.requester).await;

    // The requester changes the time by mail; the old cancel link is now outdated.
    let mut details = bank.load(id).await.details;
    details.start_time = chrono::NaiveTime::from_hms_opt(14, 30, 0).unwrap();
    bank.workflow
        .execute(
            bank.as_requester(),
            relais::workflow::Command::ModifyRequest { request: id, details },
        )
        .await
        .unwrap();
    let before = queued_for(bank, bank.requester).await.len();

    // Whoever holds the old link (a forwarded mail, a shared screen) sees the state…
    let page = w.site.get(&format!("/l/{cancel}"), "").await;
    assert_eq!(page.status, 410);
    assert!(
        page.body.contains("la demande a changé") && page.body.contains("14\u{a0}h\u{a0}30"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("adresse inscrite au dossier"),
        "the page says where a new link goes: {}",
        page.body
    );
    // …and no new token: one button, which mails one.
    let forms = page.forms();
    assert_eq!(forms.len(), 1, "{}", page.body);
    let (action, csrf) = forms[0].clone();
    assert_eq!(action, format!("{cancel}/new"), "the button mails, it does not act");
    assert!(!page.body.contains("Motif d'annulation"), "nothing to cancel from here");
    let tokens = regex::Regex::new(r"[A-Za-z0-9_-]{30,}").unwrap();
    for found in tokens.find_iter(&page.body) {
        assert!(
            found.as_str() == cancel || found.as_str() == csrf,
            "a token other than the dead one is on the page: {}",
            found.as_str()
        );
    }
    let nonce = page.cookie("relais_csrf").unwrap();
    let cookie = format!("relais_csrf={nonce}");

    // Without the page's value, nothing is sent.
    let forged = w
        .site
        .post(&format!("/l/{action}"), &cookie, &[("csrf", "forged")])
        .await;
    assert_eq!(forged.status, 403, "{}", forged.body);
    assert!(renewals(bank).await.is_empty());

    // Pressed, with an address slipped into the form: the mail goes to the recipient's
    // address on file, about this request, and the page says so.
    let sent = w
        .site
        .post(
            &format!("/l/{action}"),
            &cookie,
            &[
                ("csrf", &csrf),
                ("email", "intrus@ailleurs.example"),
                ("to", "intrus@ailleurs.example"),
            ],
        )
        .await;
    assert_eq!(sent.status, 200, "{}", sent.body);
    assert!(
        sent.body
            .contains("envoyé par courriel à l'adresse inscrite au dossier"),
        "{}",
        sent.body
    );
    assert!(!sent.body.contains(&requester_email), "the address is not shown");
    let queued = renewals(bank).await;
    assert_eq!(queued.len(), 1, "{queued:?}");
    assert_eq!(queued[0].1, Some(id.0));
    assert!(!queued[0].2.contains("intrus"), "{}", queued[0].2);
    let mine = queued_for(bank, bank.requester).await;
    assert_eq!(mine.len(), before + 1, "the mail is the requester's");
    assert_eq!(
        bank.load(id).await.status,
        RequestStatus::Modified,
        "nothing else was done"
    );

    // The mailed link shows the request as it is now and cancels it.
    let text = w.next_mail(&requester_email, "link_renewed").await;
    assert!(!text.contains("intrus"));
    let fresh = regex::Regex::new(r"/l/([A-Za-z0-9_-]+)")
        .unwrap()
        .captures(&text)
        .unwrap_or_else(|| panic!("no link in:\n{text}"))[1]
        .to_string();
    assert_ne!(fresh, cancel);
    let no_reason = w.site.press(&fresh, &[]).await;
    assert_eq!(no_reason.status, 422);
    let done = w.site.press(&fresh, &[("reason", "appointment_rescheduled")]).await;
    assert_eq!(done.status, 200, "{}", done.body);
    let cancelled = bank.load(id).await;
    assert_eq!(cancelled.status, RequestStatus::Cancelled);

    // An expired link to a request where its action is still possible: the same button.
    let other = bank.request_in(RequestStatus::ServiceRendered).await;
    let validate = token(bank, LinkAction::Validate, other, bank.requester, vec![]).await;
    bank.clock.advance(TimeDelta::days(8));
    let page = w.site.get(&format!("/l/{validate}"), "").await;
    assert_eq!(page.status, 410);
    assert!(page.body.contains("expiré"), "{}", page.body);
    let (action, csrf) = page.forms().remove(0);
    assert_eq!(action, format!("{validate}/new"));
    let cookie = format!("relais_csrf={}", page.cookie("relais_csrf").unwrap());
    let late_press = w
        .site
        .post(&format!("/l/{validate}"), &cookie, &[("csrf", &csrf)])
        .await;
    assert_eq!(late_press.status, 410, "the expired token itself never acts");
    for _ in 0..3 {
        let sent = w.site.post(&format!("/l/{action}"), &cookie, &[("csrf", &csrf)]).await;
        assert_eq!(sent.status, 200, "{}", sent.body);
    }
    // Three new links an hour for one recipient, no more.
    let limited = w.site.post(&format!("/l/{action}"), &cookie, &[("csrf", &csrf)]).await;
    assert_eq!(limited.status, 429, "{}", limited.body);
    assert!(limited.body.contains("rien de plus n'a été envoyé"), "{}", limited.body);
    assert_eq!(renewals(bank).await.len(), 4);
    let text = w.next_mail(&requester_email, "link_renewed").await;
    let fresh = regex::Regex::new(r"/l/([A-Za-z0-9_-]+)")
        .unwrap()
        .captures(&text)
        .unwrap()[1]
        .to_string();
    assert_eq!(w.site.press(&fresh, &[]).await.status, 200);
    assert_eq!(bank.load(other).await.status, RequestStatus::Validated);

    // A used link offers nothing: what it did is done.
    let used = w.site.get(&format!("/l/{fresh}"), "").await;
    assert_eq!(used.status, 410);
    assert!(used.forms().is_empty(), "{}", used.body);
}

async fn requester_and_coordinator_links_do_their_one_thing(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let site = Site::start(&bank).await;
    // Coordinator: offer to one suggested interpreter, then to the others at once.
    let id = bank.create().await;
    let assign = token(
        &bank,
        LinkAction::Assign,
        id,
        bank.coordinator,
        vec![bank.interpreters[2]],
    )
    .await;
    let page = site.get(&format!("/l/{assign}"), "").await;
    assert!(
        page.body.contains("Ana Soto"),
        "the page names who gets the offer: {}",
        page.body
    );
    assert_eq!(site.press(&assign, &[]).await.status, 200);
    assert_eq!(
        offers(&bank, id).await,
        vec![(bank.interpreters[2], OfferStatus::Pending)]
    );
    let broadcast = token(
        &bank,
        LinkAction::Broadcast,
        id,
        bank.coordinator,
        bank.interpreters[..2].to_vec(),
    )
    .await;
    assert_eq!(site.press(&broadcast, &[]).await.status, 200);
    assert_eq!(offers(&bank, id).await.len(), 3);
    assert_eq!(bank.load(id).await.status, RequestStatus::Offered);

    // A link made for someone else cannot be turned into one for me: the recipient is signed.
    let booked = bank.request_in(RequestStatus::Booked).await;
    let withdraw = token(
        &bank,
        LinkAction::Withdraw,
        booked,
        bank.load(booked).await.assigned_interpreter.unwrap(),
        vec![],
    )
    .await;
    let answer = site.press(&withdraw, &[]).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(bank.load(booked).await.status, RequestStatus::New);

    // Requester: contest a service record, saying what is wrong (the page asks).
    let rendered = bank.request_in(RequestStatus::ServiceRendered).await;
    let contest = token(&bank, LinkAction::Contest, rendered, bank.requester, vec![]).await;
    assert!(
        site.get(&format!("/l/{contest}"), "")
            .await
            .body
            .contains("name=\"note\"")
    );
    assert_eq!(site.press(&contest, &[("note", "Arrivée à 10 h 30")]).await.status, 200);
    assert!(bank.load(rendered).await.service_contested_at.is_some());
    let mut tx = bank.store.begin().await.unwrap();
    assert_eq!(
        tx.contest_note(rendered).await.unwrap().as_deref(),
        Some("Arrivée à 10 h 30")
    );
    tx.commit().await.unwrap();
}

async fn an_open_link_opens_that_request_only_for_a_short_while(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let id = bank.request_in(RequestStatus::Booked).await;
    let other = bank.create().await;
    let open = token(&bank, LinkAction::Open, id, bank.requester, vec![]).await;
    let site = Site::start(&bank).await;
    let opened = site.press(&open, &[]).await;
    assert_eq!(opened.status, 303);
    assert_eq!(opened.headers["location"], format!("../requests/{}", id.0));
    let session = opened.cookie("relais_session").expect("a session cookie");
    let cookie = format!("relais_session={session}");
    let page = site.get(&format!("/requests/{}", id.0), &cookie).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("HC-26061001") && page.body.contains("Annuler la demande"),
        "{}",
        page.body
    );
    assert_eq!(
        site.get(&format!("/requests/{}", other.0), &cookie).await.status,
        401,
        "that request only"
    );
    assert_eq!(site.get(&format!("/requests/{}", id.0), "").await.status, 401);
    let reopened = site.get(&format!("/l/{open}"), "").await;
    assert_eq!(reopened.status, 410, "the link opened the page once");
    assert!(reopened.body.contains("déjà servi") && reopened.forms().is_empty());
    bank.clock.advance(TimeDelta::minutes(31));
    assert_eq!(
        site.get(&format!("/requests/{}", id.0), &cookie).await.status,
        401,
        "and for 30 minutes"
    );
}

/// Three interpreters accept one broadcast offer at the same moment: one by link (pressed
/// twice), one by SMS, one by email. Exactly one is booked; the others are told it is filled.
async fn an_offer_accepted_everywhere_at_once_is_filled_once(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let id = bank.create().await;
    bank.workflow
        .execute(bank.as_coordinator(), offer(id, bank.interpreters.clone()))
        .await
        .unwrap();
    let link = token(&bank, LinkAction::Accept, id, bank.interpreters[0], vec![]).await;
    let site = Site::start(&bank).await;
    let page = site.get(&format!("/l/{link}"), "").await;
    let (action, csrf) = page.forms().remove(0);
    let cookie = format!("relais_csrf={}", page.cookie("relais_csrf").unwrap());
    let sms = SmsPipeline::new(bank.workflow.clone(), "CA", "Relais");
    let mail = pipeline(&bank, None);
    let raw = raw_mail(
        "race@interpretes.example",
        "interp2@interpretes.example",
        &reply_address(Some(id), bank.interpreters[2]),
        "Re: Offre",
        "",
        "ACCEPTER",
    );
    let press = |tag: &'static str| {
        let (site, action, csrf, cookie) = (&site, action.clone(), csrf.clone(), cookie.clone());
        async move {
            let a = site.post(&format!("/l/{action}"), &cookie, &[("csrf", &csrf)]).await;
            (tag, a.status, a.body)
        }
    };
    let by_sms = async {
        let a = sms
            .process(InboundSms {
                gateway: "twilio",
                gateway_id: "SM-race",
                from: "+15145550111",
                to: "+15145550100",
                text: "OUI",
            })
            .await
            .unwrap();
        ("sms", a.outcome, a.reply)
    };
    let by_mail = async { mail.process(&raw, "imap").await.unwrap() };
    let (link_a, link_b, sms_answer, mail_outcome) = tokio::join!(press("a"), press("b"), by_sms, by_mail);

    let r = bank.load(id).await;
    assert_eq!(r.status, RequestStatus::Booked);
    let winner = r.assigned_interpreter.unwrap();
    let all = offers(&bank, id).await;
    assert_eq!(
        all.iter().filter(|(_, s)| *s == OfferStatus::Accepted).count(),
        1,
        "{all:?}"
    );
    assert!(all.contains(&(winner, OfferStatus::Accepted)));
    assert_eq!(
        all.iter().filter(|(_, s)| *s == OfferStatus::Withdrawn).count(),
        2,
        "everyone else's offer closed as filled: {all:?}"
    );
    let link_wins = [&link_a, &link_b]
        .iter()
        .filter(|(_, status, _)| *status == 200)
        .count();
    assert!(link_wins <= 1, "a link acts once: {link_a:?} {link_b:?}");
    assert_eq!(link_wins == 1, winner == bank.interpreters[0]);
    for (tag, status, body) in [&link_a, &link_b] {
        if *status != 200 {
            assert!(
                (*status == 409 && body.contains("déjà pourvue"))
                    || (*status == 410 && (body.contains("déjà servi") || body.contains("a changé"))),
                "{tag}: {status} {body}"
            );
        }
    }
    if winner == bank.interpreters[1] {
        assert!(sms_answer.2.contains("HC-26061001"), "{sms_answer:?}");
    } else {
        assert!(
            sms_answer.2.contains("pourvue") || sms_answer.2.contains("plus ouverte"),
            "{sms_answer:?}"
        );
    }
    use relais::inbound::pipeline::MailOutcome;
    if winner == bank.interpreters[2] {
        assert_eq!(mail_outcome, MailOutcome::CommandApplied("accept"));
    } else {
        assert!(
            matches!(mail_outcome, MailOutcome::CommandRefused(_)),
            "{mail_outcome:?}"
        );
    }
}

/// An offer's links stay in its mail when another interpreter refused first; the refuser's
/// own mail carries none (their offer is closed).
async fn offer_links_survive_a_colleagues_refusal(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let out = bank.scratch_path("links");
    let settings = support::settings(&bank, &[("RELAIS__MAIL__OUTBOX_FOLDER", out.display().to_string())]);
    let outbound = relais::outbound::worker::Outbound::new(&settings, bank.store.clone(), bank.clock.clone()).unwrap();
    let id = bank.create().await;
    bank.workflow
        .execute(bank.as_coordinator(), offer(id, bank.interpreters[..2].to_vec()))
        .await
        .unwrap();
    bank.workflow
        .execute(
            bank.as_interpreter(1),
            relais::workflow::Command::DeclineOffer { request: id },
        )
        .await
        .unwrap();
    while outbound.deliver_due().await.unwrap() > 0 {}
    let mut offers: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with("-request_offered.eml"))
        .map(|p| {
            let raw = std::fs::read(p).unwrap();
            let m = mail_parser::MessageParser::default().parse(&raw).unwrap();
            let to = m
                .to()
                .and_then(|a| a.first())
                .and_then(|a| a.address())
                .unwrap()
                .to_string();
            format!("{to}\n{}", m.body_text(0).unwrap())
        })
        .collect();
    offers.sort_by_key(|m| m.contains("interp1@"));
    assert_eq!(offers.len(), 2);
    assert!(
        offers[0].contains("interp0@") && offers[0].contains("/l/"),
        "{}",
        offers[0]
    );
    assert!(
        offers[1].contains("interp1@") && !offers[1].contains("/l/"),
        "{}",
        offers[1]
    );
}

on_both_engines!(
    offer_links_survive_a_colleagues_refusal,
    opening_changes_nothing_and_the_button_acts_once,
    dead_links_show_the_state_and_mail_a_new_link_to_the_recipient,
    requester_and_coordinator_links_do_their_one_thing,
    an_open_link_opens_that_request_only_for_a_short_while,
    an_offer_accepted_everywhere_at_once_is_filled_once,
);
