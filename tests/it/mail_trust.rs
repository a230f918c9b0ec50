//! Only the real sender can act by mail. A `From:` line anyone can write acts on nothing:
//! the person it names is asked, once, whether they sent it, and only their answer from the
//! link in that mail lets it act. A reply key of theirs, or an authenticated domain, acts
//! at once. Threads (`References:`, a number in the subject) never authorise by themselves.

use crate::support;

use relais::clock::Clock as _;
use relais::domain::ids::{PersonId, RequestId};
use relais::domain::request::RequestStatus;
use relais::inbound::pipeline::{ConfirmationAnswer, MailOutcome};
use relais::outbound::worker::Outbound;
use relais::security::mail_confirmation::ConfirmationToken;
use relais::store::Store;
use support::mail::{FILLED_FORM, pipeline, pipeline_with, raw_mail, reply_address, secret};
use support::{Engine, TestBank};

on_both_engines!(
    four_forgeries_act_on_nothing_and_ask_the_address_owner,
    the_owner_confirms_or_denies_once,
    confirmations_are_rate_limited_per_person,
    a_keyed_reply_and_an_authenticated_domain_act_at_once,
    results_below_our_server_are_not_believed,
    a_thread_naming_no_request_is_no_error,
    the_confirmation_mail_leads_to_a_page_that_acts_only_on_post,
    dkim_signed_mail_through_the_mta_acts_and_unsigned_mail_waits
);

async fn email_of(bank: &TestBank, person: PersonId) -> String {
    let mut tx = bank.store.begin().await.unwrap();
    let email = tx.person(person).await.unwrap().email.to_string();
    tx.commit().await.unwrap();
    email
}

async fn number_of(bank: &TestBank, id: RequestId) -> String {
    bank.load(id).await.label()
}

/// The outbox, in order: (recipient, kind, payload).
async fn outbox(bank: &TestBank) -> Vec<(PersonId, String, serde_json::Value)> {
    const SQL: &str = "SELECT recipient_id, kind, CAST(payload AS TEXT) FROM outbox ORDER BY id";
    let rows: Vec<(i64, String, String)> = match &bank.store {
        Store::Sqlite(pool, ..) => sqlx::query_as(SQL).fetch_all(pool).await.unwrap(),
        Store::Postgres(pool, _) => sqlx::query_as(SQL).fetch_all(pool).await.unwrap(),
    };
    rows.into_iter()
        .map(|(p, k, v)| (PersonId(p), k, serde_json::from_str(&v).unwrap()))
        .collect()
}

async fn confirmations_to(bank: &TestBank, person: PersonId) -> Vec<serde_json::Value> {
    outbox(bank)
        .await
        .into_iter()
        .filter(|(p, k, _)| *p == person && k == "mail_confirmation")
        .map(|(_, _, payload)| payload)
        .collect()
}

async fn request_count(bank: &TestBank) -> i64 {
    const SQL: &str = "SELECT COUNT(*) FROM requests";
    match &bank.store {
        Store::Sqlite(pool, ..) => sqlx::query_scalar(SQL).fetch_one(pool).await.unwrap(),
        Store::Postgres(pool, _) => sqlx::query_scalar(SQL).fetch_one(pool).await.unwrap(),
    }
}

/// The token the confirmation mail for `payload` carries.
fn token_for(bank: &TestBank, payload: &serde_json::Value, person: PersonId) -> ConfirmationToken {
    ConfirmationToken {
        inbound: payload["inbound"].as_i64().unwrap(),
        person,
        expires_at: bank.clock.now() + relais::security::mail_confirmation::VALIDITY,
    }
}

async fn four_forgeries_act_on_nothing_and_ask_the_address_owner(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let p = pipeline(&bank, None);

    // 1. From: the coordinator, ASSIGNER a request to an interpreter.
    let waiting = bank.create().await;
    let number = number_of(&bank, waiting).await;
    let mut tx = bank.store.begin().await.unwrap();
    let code = tx.person(bank.interpreters[0]).await.unwrap().user_code;
    tx.commit().await.unwrap();
    let coordinator = email_of(&bank, bank.coordinator).await;
    let raw = raw_mail(
        "forged-assign@attacker.example",
        &coordinator,
        "relais@bi.example",
        "Sommaire",
        "",
        &format!("ASSIGNER {number} {}", code.as_str()),
    );
    assert_eq!(
        p.process(&raw, "imap").await.unwrap(),
        MailOutcome::AwaitingConfirmation
    );
    assert_eq!(bank.load(waiting).await.status, RequestStatus::New, "nothing offered");

    // 2. From: the requester, her request's number in the subject, ANNULER.
    let requester = email_of(&bank, bank.requester).await;
    let raw = raw_mail(
        "forged-cancel@attacker.example",
        &requester,
        "relais@bi.example",
        &format!("Re: [{number}] Demande reçue"),
        "",
        "ANNULER",
    );
    assert_eq!(
        p.process(&raw, "imap").await.unwrap(),
        MailOutcome::AwaitingConfirmation
    );
    assert_eq!(bank.load(waiting).await.status, RequestStatus::New, "not cancelled");

    // 3. From: the booked interpreter, References naming the request's thread, DESISTEMENT.
    let booked = bank.request_in(RequestStatus::Booked).await;
    let interpreter = email_of(&bank, bank.interpreters[0]).await;
    let raw = raw_mail(
        "forged-withdraw@attacker.example",
        &interpreter,
        "relais@bi.example",
        "Re: Demande confirmée",
        &format!(
            "References: <relais.r{}.p{}.o1@bi.example>\r\n",
            booked.0, bank.interpreters[0].0
        ),
        "DESISTEMENT",
    );
    assert_eq!(
        p.process(&raw, "imap").await.unwrap(),
        MailOutcome::AwaitingConfirmation
    );
    let r = bank.load(booked).await;
    assert_eq!(r.status, RequestStatus::Booked, "still booked");
    assert_eq!(r.assigned_interpreter, Some(bank.interpreters[0]));

    // 4. From: the requester, a filled form with patient details.
    let before = request_count(&bank).await;
    let raw = raw_mail(
        "forged-form@attacker.example",
        &requester,
        "relais@bi.example",
        "Demande",
        "",
        FILLED_FORM,
    );
    assert_eq!(
        p.process(&raw, "imap").await.unwrap(),
        MailOutcome::AwaitingConfirmation
    );
    assert_eq!(request_count(&bank).await, before, "no request created");

    // Each named person got one confirmation mail, and nobody else heard of it.
    assert_eq!(confirmations_to(&bank, bank.coordinator).await.len(), 1);
    assert_eq!(confirmations_to(&bank, bank.requester).await.len(), 2);
    assert_eq!(confirmations_to(&bank, bank.interpreters[0]).await.len(), 1);
    let all = outbox(&bank).await;
    let forged_ids = ["forged-assign", "forged-cancel", "forged-withdraw", "forged-form"];
    for (who, kind, payload) in &all {
        let answers_forgery = payload["in_reply_to"]
            .as_str()
            .is_some_and(|id| forged_ids.iter().any(|f| id.starts_with(f)));
        if answers_forgery {
            assert_eq!(kind, "mail_confirmation", "{who:?} got {kind} about a forged mail");
        }
    }
    let what: Vec<String> = confirmations_to(&bank, bank.requester)
        .await
        .iter()
        .map(|p| p["verb"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(what, ["cancel", "form"]);
}

async fn the_owner_confirms_or_denies_once(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let p = pipeline(&bank, None);
    let id = bank.create().await;
    let number = number_of(&bank, id).await;
    let requester = email_of(&bank, bank.requester).await;
    let cancel = raw_mail(
        "cancel-unkeyed@ciusss.example",
        &requester,
        "relais@bi.example",
        &format!("[{number}]"),
        "",
        "ANNULER",
    );
    assert_eq!(
        p.process(&cancel, "imap").await.unwrap(),
        MailOutcome::AwaitingConfirmation
    );
    let asked = confirmations_to(&bank, bank.requester).await;
    let token = token_for(&bank, &asked[0], bank.requester);

    // Someone else's token for the same mail is nothing.
    let stranger = ConfirmationToken {
        person: bank.colleague,
        ..token
    };
    assert_eq!(
        p.answer_confirmation(&stranger, true).await.unwrap(),
        ConfirmationAnswer::Unknown
    );
    assert_eq!(bank.load(id).await.status, RequestStatus::New);

    // She confirms: the mail is processed as hers.
    let answer = p.answer_confirmation(&token, true).await.unwrap();
    assert_eq!(
        answer,
        ConfirmationAnswer::Applied(MailOutcome::CommandApplied("cancel"))
    );
    assert_eq!(bank.load(id).await.status, RequestStatus::Cancelled);
    // A second answer changes nothing.
    assert_eq!(
        p.answer_confirmation(&token, false).await.unwrap(),
        ConfirmationAnswer::AlreadyAnswered("confirmed".into())
    );

    // A form she denies creates nothing.
    let before = request_count(&bank).await;
    let form = raw_mail(
        "form-unkeyed@ciusss.example",
        &requester,
        "relais@bi.example",
        "Demande",
        "",
        FILLED_FORM,
    );
    assert_eq!(
        p.process(&form, "imap").await.unwrap(),
        MailOutcome::AwaitingConfirmation
    );
    let asked = confirmations_to(&bank, bank.requester).await;
    let token = token_for(&bank, &asked[1], bank.requester);
    assert_eq!(
        p.answer_confirmation(&token, false).await.unwrap(),
        ConfirmationAnswer::Denied
    );
    assert_eq!(
        p.answer_confirmation(&token, true).await.unwrap(),
        ConfirmationAnswer::AlreadyAnswered("denied".into())
    );
    assert_eq!(request_count(&bank).await, before);

    // The same form confirmed creates the request, once.
    let form = raw_mail(
        "form-unkeyed-2@ciusss.example",
        &requester,
        "relais@bi.example",
        "Demande",
        "",
        FILLED_FORM,
    );
    p.process(&form, "imap").await.unwrap();
    let asked = confirmations_to(&bank, bank.requester).await;
    let token = token_for(&bank, &asked[2], bank.requester);
    let answer = p.answer_confirmation(&token, true).await.unwrap();
    assert!(
        matches!(answer, ConfirmationAnswer::Applied(MailOutcome::RequestCreated(_))),
        "{answer:?}"
    );
    assert_eq!(request_count(&bank).await, before + 1);
}

async fn confirmations_are_rate_limited_per_person(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let p = pipeline(&bank, None);
    let requester = email_of(&bank, bank.requester).await;
    let mut outcomes = Vec::new();
    for i in 0..6 {
        let raw = raw_mail(
            &format!("flood-{i}@attacker.example"),
            &requester,
            "relais@bi.example",
            "Demande",
            "",
            FILLED_FORM,
        );
        outcomes.push(p.process(&raw, "imap").await.unwrap());
    }
    assert_eq!(
        outcomes,
        [
            MailOutcome::AwaitingConfirmation,
            MailOutcome::AwaitingConfirmation,
            MailOutcome::AwaitingConfirmation,
            MailOutcome::Unconfirmed,
            MailOutcome::Unconfirmed,
            MailOutcome::Unconfirmed,
        ]
    );
    assert_eq!(
        confirmations_to(&bank, bank.requester).await.len(),
        3,
        "three a day at most"
    );
    // Another person is not held back by her flood.
    let colleague = email_of(&bank, bank.colleague).await;
    let raw = raw_mail(
        "colleague@x",
        &colleague,
        "relais@bi.example",
        "Demande",
        "",
        FILLED_FORM,
    );
    assert_eq!(
        p.process(&raw, "imap").await.unwrap(),
        MailOutcome::AwaitingConfirmation
    );
    // A day later she can be asked again.
    bank.clock.advance(chrono::TimeDelta::hours(25));
    let raw = raw_mail("later@x", &requester, "relais@bi.example", "Demande", "", FILLED_FORM);
    assert_eq!(
        p.process(&raw, "imap").await.unwrap(),
        MailOutcome::AwaitingConfirmation
    );
}

async fn a_keyed_reply_and_an_authenticated_domain_act_at_once(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let id = bank.create().await;
    let requester = email_of(&bank, bank.requester).await;
    // Her reply key, her address: acts.
    let keyed = raw_mail(
        "keyed-cancel@ciusss.example",
        &requester,
        &reply_address(Some(id), bank.requester),
        "Re: Demande reçue",
        "",
        "ANNULER",
    );
    assert_eq!(
        pipeline(&bank, None).process(&keyed, "imap").await.unwrap(),
        MailOutcome::CommandApplied("cancel")
    );
    assert_eq!(bank.load(id).await.status, RequestStatus::Cancelled);

    // No key, but our receiving server says DMARC passed for her domain: acts.
    let before = request_count(&bank).await;
    let domain = requester.rsplit('@').next().unwrap();
    let authenticated = raw_mail(
        "authenticated-form@ciusss.example",
        &requester,
        "relais@bi.example",
        "Demande",
        &format!(
            "Authentication-Results: mx.bi.example; dkim=pass header.d={domain}; dmarc=pass (p=reject) header.from={domain}\r\n\
             Received: from mail.{domain} (mail.{domain} [203.0.113.5]) by mx.bi.example; Mon, 2 Mar 2026 09:30:00 -0500\r\n"
        ),
        FILLED_FORM,
    );
    let outcome = pipeline(&bank, Some("mx.bi.example"))
        .process(&authenticated, "imap")
        .await
        .unwrap();
    assert!(matches!(outcome, MailOutcome::RequestCreated(_)), "{outcome:?}");
    assert_eq!(request_count(&bank).await, before + 1);
}

async fn results_below_our_server_are_not_believed(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let requester = email_of(&bank, bank.requester).await;
    let domain = requester.rsplit('@').next().unwrap();
    let before = request_count(&bank).await;
    // The forger writes the results himself; our server's Received line sits above them.
    let forged = raw_mail(
        "forged-results@attacker.example",
        &requester,
        "relais@bi.example",
        "Demande",
        &format!(
            "Received: from attacker.example (attacker.example [198.51.100.9]) by mx.bi.example; Mon, 2 Mar 2026 09:30:00 -0500\r\n\
             Authentication-Results: mx.bi.example; dmarc=pass header.from={domain}\r\n"
        ),
        FILLED_FORM,
    );
    assert_eq!(
        pipeline(&bank, Some("mx.bi.example"))
            .process(&forged, "imap")
            .await
            .unwrap(),
        MailOutcome::AwaitingConfirmation
    );
    assert_eq!(request_count(&bank).await, before);
    // Our server saying DMARC failed: nothing done, and she is asked (forwarding breaks
    // DMARC for real mail too).
    let failed = raw_mail(
        "dmarc-fail@attacker.example",
        &requester,
        "relais@bi.example",
        "Demande",
        &format!("Authentication-Results: mx.bi.example; dmarc=fail (p=reject) header.from={domain}\r\n"),
        FILLED_FORM,
    );
    assert_eq!(
        pipeline(&bank, Some("mx.bi.example"))
            .process(&failed, "imap")
            .await
            .unwrap(),
        MailOutcome::AwaitingConfirmation
    );
    assert_eq!(request_count(&bank).await, before);
    assert_eq!(confirmations_to(&bank, bank.requester).await.len(), 2);
}

async fn a_thread_naming_no_request_is_no_error(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let p = pipeline(&bank, None);
    let requester = email_of(&bank, bank.requester).await;
    // With her key (so the mail is hers), a thread naming a request that never existed.
    for (i, body) in ["ANNULER", "Durée : 2 h", "AIDE"].iter().enumerate() {
        let raw = raw_mail(
            &format!("ghost-{i}@ciusss.example"),
            &requester,
            &reply_address(None, bank.requester),
            "Re: [HC-99999999] Demande",
            "References: <relais.r999999.p1.o1@bi.example>\r\n",
            body,
        );
        let outcome = p.process(&raw, "imap").await;
        assert!(outcome.is_ok(), "{body}: {outcome:?}");
    }
    // Without a key, the same thread is no error either.
    let raw = raw_mail(
        "ghost-unkeyed@ciusss.example",
        &requester,
        "relais@bi.example",
        "Re: Demande",
        "References: <relais.r999999.p1.o1@bi.example>\r\n",
        "ANNULER",
    );
    assert_eq!(
        p.process(&raw, "imap").await.unwrap(),
        MailOutcome::AwaitingConfirmation
    );
}

async fn the_confirmation_mail_leads_to_a_page_that_acts_only_on_post(engine: Engine) {
    let bank = TestBank::new(engine).await;
    // The served Relais sends its mail (its own outbox worker) into this folder.
    let out = bank.scratch_path("sent");
    let served = support::serve(&bank, &[("RELAIS__MAIL__OUTBOX_FOLDER", out.display().to_string())]).await;
    let id = bank.create().await;
    let number = number_of(&bank, id).await;
    let requester = email_of(&bank, bank.requester).await;
    let raw = raw_mail(
        "page-cancel@ciusss.example",
        &requester,
        "relais@bi.example",
        &format!("Re: [{number}]"),
        "",
        "ANNULER",
    );
    assert_eq!(
        pipeline(&bank, None).process(&raw, "imap").await.unwrap(),
        MailOutcome::AwaitingConfirmation
    );
    // The mail leaves with its link, signed as it leaves: by the served worker, or by this
    // one, whichever claims it first.
    let settings = support::settings(
        &bank,
        &[
            ("RELAIS__MAIL__OUTBOX_FOLDER", out.display().to_string()),
            ("RELAIS__WEB__PUBLIC_BASE_URL", served.base_url()),
        ],
    );
    let outbound = Outbound::new(&settings, bank.store.clone(), bank.clock.clone()).unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let mail = loop {
        while outbound.deliver_due().await.unwrap() > 0 {}
        let found = std::fs::read_dir(&out).ok().and_then(|entries| {
            entries
                .map(|e| e.unwrap().path())
                .find(|p| p.to_string_lossy().ends_with("mail_confirmation.eml"))
        });
        if let Some(found) = found {
            break found;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the confirmation mail was not written"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    let text = String::from_utf8_lossy(&std::fs::read(mail).unwrap()).into_owned();
    let text = text.replace("=\r\n", "").replace("=3D", "=");
    assert!(text.contains("Avez-vous envoy"), "{text}");
    let link = regex::Regex::new(r"http://127\.0\.0\.1:\d+/mail/confirm/[0-9a-f.]+")
        .unwrap()
        .find(&text)
        .unwrap_or_else(|| panic!("no link in:\n{text}"))
        .as_str()
        .to_string();
    assert!(!link.contains(&secret().expose()[..8]));

    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::new();
    // Reading the page (as a mail scanner would) does nothing.
    let page = client.get(&link).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let body = page.text().await.unwrap();
    assert!(body.contains(&number), "the subject is shown: {body}");
    let body = body.replace("&#39;", "'");
    assert!(
        body.contains("Oui, je l'ai envoyé") && body.contains("Non, ce n'était pas moi"),
        "{body}"
    );
    assert_eq!(bank.load(id).await.status, RequestStatus::New);
    // A tampered link is a dead end.
    let tampered = format!("{}0", link);
    assert_eq!(client.get(&tampered).send().await.unwrap().status(), 404);
    assert_eq!(
        client
            .post(format!("{tampered}?answer=confirm"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    // Pressing "yes" cancels the request, as her mail asked.
    let done = client.post(format!("{link}?answer=confirm")).send().await.unwrap();
    assert_eq!(done.status(), 200);
    assert_eq!(bank.load(id).await.status, RequestStatus::Cancelled);
}

/// The real thing: mail signed with the test domain's DKIM key (its public half served by
/// the test DNS server, with SPF and DMARC records) travels through OpenSMTPD into
/// Dovecot; Relais reads it back and checks DKIM, SPF and DMARC itself.
async fn dkim_signed_mail_through_the_mta_acts_and_unsigned_mail_waits(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let dns = std::env::var("RELAIS_TEST_DNS").expect("RELAIS_TEST_DNS: run the suite with scripts/test.sh");
    let key = std::fs::read_to_string(std::env::var("RELAIS_TEST_DKIM_KEY").expect("RELAIS_TEST_DKIM_KEY")).unwrap();
    let dkim = relais::outbound::dkim::Dkim::from_pem(&key, "ciusss.example", "relais-test").unwrap();
    let requester = email_of(&bank, bank.requester).await;
    assert!(requester.ends_with("@ciusss.example"));
    let mailbox = format!("relais-{}@bi.example", uuid::Uuid::new_v4().simple());
    let run = uuid::Uuid::new_v4().simple().to_string();
    let mail = |name: &str| {
        raw_mail(
            &format!("{name}.{run}@ciusss.example"),
            &format!("Marie Tremblay <{requester}>"),
            &mailbox,
            "Demande",
            "",
            FILLED_FORM,
        )
    };
    let signed = dkim.sign(&mail("signed")).unwrap();
    // Signed, then changed on the way: the signature no longer holds.
    let tampered = String::from_utf8(dkim.sign(&mail("tampered")).unwrap())
        .unwrap()
        .replace("présentiel", "vidéo")
        .into_bytes();
    let unsigned = mail("unsigned");
    for raw in [&signed, &tampered, &unsigned] {
        support::smtp::send_through_mta(&requester, &mailbox, raw).await;
    }
    let delivered = support::smtp::inbox(&mailbox, 3).await;
    assert_eq!(delivered.len(), 3);
    // Dovecot's LMTP and OpenSMTPD each wrote a Received line: two hops are ours.
    let p = pipeline_with(
        &bank,
        relais::inbound::sender_auth::SenderAuth::verifying(&[dns], 2).unwrap(),
    );
    let before = request_count(&bank).await;
    let mut outcomes = std::collections::BTreeMap::new();
    for raw in &delivered {
        let text = String::from_utf8_lossy(raw);
        let name = ["signed", "tampered", "unsigned"]
            .into_iter()
            .find(|n| text.contains(&format!("<{n}.{run}@")))
            .unwrap();
        outcomes.insert(name, p.process(raw, "imap").await.unwrap());
    }
    assert!(
        matches!(outcomes["signed"], MailOutcome::RequestCreated(_)),
        "{outcomes:?}"
    );
    assert_eq!(outcomes["tampered"], MailOutcome::AwaitingConfirmation, "{outcomes:?}");
    assert_eq!(outcomes["unsigned"], MailOutcome::AwaitingConfirmation, "{outcomes:?}");
    assert_eq!(request_count(&bank).await, before + 1, "only the signed mail booked");
    assert_eq!(confirmations_to(&bank, bank.requester).await.len(), 2);
}
