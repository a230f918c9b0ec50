//! Issue 19, requesters: the notice when their request is offered (a preference of their
//! profile), the change of their own email address confirmed at the new address, and
//! their profile's history on their page.

use crate::support;

use relais::domain::request::RequestStatus;
use relais::inbound::pipeline::MailOutcome;
use relais::store::Store;
use support::mail::{pipeline, raw_mail, reply_address};
use support::web::{Browser, World, location};
use support::{Engine, offer};

on_both_engines!(
    the_requester_hears_of_offers_only_when_they_asked,
    a_new_address_counts_once_confirmed_from_it,
    an_address_taken_or_a_dead_link_changes_nothing
);

const PREFERENCE: &str = "Me prévenir quand ma demande est offerte à un interprète";

/// How many `kind` notices to `person` were queued.
async fn queued(w: &World, person: relais::domain::ids::PersonId, kind: &str) -> i64 {
    const SQL: &str = "SELECT COUNT(*) FROM outbox WHERE recipient_id = $1 AND kind = $2";
    match &w.bank.store {
        Store::Sqlite(pool, ..) => sqlx::query_scalar(SQL)
            .bind(person.0)
            .bind(kind)
            .fetch_one(pool)
            .await
            .unwrap(),
        Store::Postgres(pool, _) => sqlx::query_scalar(SQL)
            .bind(person.0)
            .bind(kind)
            .fetch_one(pool)
            .await
            .unwrap(),
    }
}

/// Her own profile form, saved with `extra` besides her name and channels.
async fn save_profile(rb: &mut Browser<'_>, extra: &[(&str, &str)]) -> support::web::Answer {
    let page = rb.get("/profile").await;
    let mut fields = vec![("first_name", "Marie"), ("last_name", "Tremblay"), ("notify", "email")];
    fields.extend_from_slice(extra);
    rb.submit(&page, "/profile", &fields).await
}

async fn the_requester_hears_of_offers_only_when_they_asked(engine: Engine) {
    let w = World::new(engine).await;
    let email = w.email_of(w.bank.requester).await;
    let mut rb = w.signed_in(w.bank.requester).await;
    let page = rb.get("/profile").await;
    assert!(page.body.contains(PREFERENCE), "{}", page.body);
    assert!(
        !page.body.contains("name=\"notify_when_offered\" value=\"on\" checked"),
        "off unless turned on: {}",
        page.body
    );

    // Off: an offer tells the interpreter only.
    let first = w.bank.create().await;
    let coordinator = w.bank.as_coordinator();
    w.bank
        .workflow
        .execute(coordinator, offer(first, vec![w.bank.interpreters[0]]))
        .await
        .unwrap();
    assert_eq!(queued(&w, w.bank.requester, "offer_sent").await, 0);

    let saved = save_profile(&mut rb, &[("notify_when_offered", "on")]).await;
    assert_eq!(location(&saved), "/profile?saved=1", "{}", saved.body);
    let page = rb.get("/profile").await;
    assert!(
        page.body.contains("name=\"notify_when_offered\" value=\"on\" checked"),
        "{}",
        page.body
    );
    // Her history says what changed, in words, and the last change is among the facts.
    assert!(page.body.contains("Dernière modification"), "{}", page.body);
    assert!(page.body.contains("avis quand la demande est offerte"), "{}", page.body);
    assert!(
        !page.body.contains("notify_when_offered)"),
        "no internal name: {}",
        page.body
    );

    // On: the next offer tells her too, by mail, in her words.
    let second = w.bank.create().await;
    w.bank
        .workflow
        .execute(coordinator, offer(second, vec![w.bank.interpreters[0]]))
        .await
        .unwrap();
    assert_eq!(queued(&w, w.bank.requester, "offer_sent").await, 1);
    let number = w.bank.load(second).await.label();
    let mail = w.next_mail(&email, "offer_sent").await;
    assert!(
        mail.contains(&format!("Votre demande {number} est offerte à un interprète")),
        "{mail}"
    );

    // Turned off again: nothing more.
    save_profile(&mut rb, &[]).await;
    let third = w.bank.create().await;
    w.bank
        .workflow
        .execute(coordinator, offer(third, vec![w.bank.interpreters[0]]))
        .await
        .unwrap();
    assert_eq!(queued(&w, w.bank.requester, "offer_sent").await, 1);
}

async fn a_new_address_counts_once_confirmed_from_it(engine: Engine) {
    let w = World::new(engine).await;
    let old = w.email_of(w.bank.requester).await;
    let new = "marie.tremblay@nouveau.example";
    let mut rb = w.signed_in(w.bank.requester).await;
    let page = rb.get("/profile").await;
    assert!(page.body.contains("Changer mon adresse courriel"), "{}", page.body);
    let asked = rb.submit(&page, "/profile/email", &[("new_email", new)]).await;
    assert_eq!(location(&asked), "/profile?email=sent", "{}", asked.body);
    let page = rb.get(location(&asked)).await;
    assert!(
        page.body.contains("Un lien de confirmation a été envoyé"),
        "{}",
        page.body
    );
    assert!(page.body.contains(new), "the address waiting is shown: {}", page.body);
    // Pending: her address is still the old one.
    assert_eq!(w.email_of(w.bank.requester).await, old);

    // The link goes to the new address; opening it changes nothing, its button does.
    let link = w
        .next_link(new, "email_change_confirm", "/profile/email/confirm/")
        .await;
    let mut anyone = Browser::new(&w.site);
    let shown = anyone.get(&link).await;
    assert_eq!(shown.status, 200, "{}", shown.body);
    assert_eq!(w.email_of(w.bank.requester).await, old, "opening changes nothing");
    let done = anyone.submit(&shown, &link, &[]).await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert_eq!(w.email_of(w.bank.requester).await, new);
    // Once only.
    let again = anyone.get(&link).await;
    assert_eq!(again.status, 410, "{}", again.body);

    // The old address is told.
    let told = w.next_mail(&old, "email_changed").await;
    assert!(told.contains("a été changée"), "{told}");

    // Her history has it, in words; her page shows the new address.
    let page = rb.get("/profile").await;
    assert!(
        page.body.contains("adresse courriel changée (adresse courriel)"),
        "{}",
        page.body
    );
    assert!(page.body.contains(new), "{}", page.body);

    // She signs in with the new address; her reply keys act from it.
    let mut fresh = Browser::new(&w.site);
    let signed = fresh.sign_in(new, support::web::STRONG).await;
    assert_eq!(location(&signed), "/", "{}", signed.body);
    let id = w.bank.create().await;
    let keyed = raw_mail(
        "keyed-cancel-new@nouveau.example",
        new,
        &reply_address(Some(id), w.bank.requester),
        "Re: Demande reçue",
        "",
        "ANNULER",
    );
    assert_eq!(
        pipeline(&w.bank, None).process(&keyed, "imap").await.unwrap(),
        MailOutcome::CommandApplied("cancel")
    );
    assert_eq!(w.bank.load(id).await.status, RequestStatus::Cancelled);
}

async fn an_address_taken_or_a_dead_link_changes_nothing(engine: Engine) {
    let w = World::new(engine).await;
    let old = w.email_of(w.bank.requester).await;
    let colleague = w.email_of(w.bank.colleague).await;
    let mut rb = w.signed_in(w.bank.requester).await;

    // Another account's address: said plainly, nothing sent.
    let page = rb.get("/profile").await;
    let taken = rb.submit(&page, "/profile/email", &[("new_email", &colleague)]).await;
    assert_eq!(location(&taken), "/profile?email=taken", "{}", taken.body);
    let page = rb.get(location(&taken)).await;
    assert!(
        page.body
            .contains("Cette adresse courriel est déjà celle d'un autre compte"),
        "{}",
        page.body
    );
    assert_eq!(queued(&w, w.bank.requester, "email_change_confirm").await, 0);
    let invalid = rb
        .submit(&page, "/profile/email", &[("new_email", "pas une adresse")])
        .await;
    assert_eq!(location(&invalid), "/profile?email=invalid", "{}", invalid.body);
    let forged = rb
        .post("/profile/email", &[("csrf", "forged"), ("new_email", "x@y.example")])
        .await;
    assert_eq!(forged.status, 403, "{}", forged.body);

    // A link taken meanwhile by another account: said plainly, nothing changes.
    let page = rb.get("/profile").await;
    rb.submit(&page, "/profile/email", &[("new_email", "race@nouveau.example")])
        .await;
    let link = w
        .next_link(
            "race@nouveau.example",
            "email_change_confirm",
            "/profile/email/confirm/",
        )
        .await;
    let mut anyone = Browser::new(&w.site);
    let shown = anyone.get(&link).await;
    let mut cb = w.signed_in(w.bank.colleague).await;
    let own = cb.get("/profile").await;
    cb.submit(&own, "/profile/email", &[("new_email", "race@nouveau.example")])
        .await;
    let theirs = w
        .next_link(
            "race@nouveau.example",
            "email_change_confirm",
            "/profile/email/confirm/",
        )
        .await;
    let theirs_page = anyone.get(&theirs).await;
    assert_eq!(anyone.submit(&theirs_page, &theirs, &[]).await.status, 200);
    let lost = anyone.submit(&shown, &link, &[]).await;
    assert_eq!(lost.status, 409, "{}", lost.body);
    assert!(lost.body.contains("déjà celle d'un autre compte"), "{}", lost.body);
    assert_eq!(w.email_of(w.bank.requester).await, old);
    assert_eq!(w.email_of(w.bank.colleague).await, "race@nouveau.example");

    // A link that expired changes nothing.
    let page = rb.get("/profile").await;
    rb.submit(&page, "/profile/email", &[("new_email", "late@nouveau.example")])
        .await;
    let link = w
        .next_link(
            "late@nouveau.example",
            "email_change_confirm",
            "/profile/email/confirm/",
        )
        .await;
    let shown = anyone.get(&link).await;
    w.advance(relais::workflow::accounts::EMAIL_CHANGE_TTL + chrono::TimeDelta::minutes(1));
    let late = anyone.submit(&shown, &link, &[]).await;
    assert_eq!(late.status, 410, "{}", late.body);
    assert!(late.body.contains("Ce lien a expiré"), "{}", late.body);
    assert_eq!(w.email_of(w.bank.requester).await, old);

    // Each change mails an address not yet hers: a few a day, then said plainly. (A day
    // went by: her session ended.)
    let mut rb = Browser::new(&w.site);
    let signed = rb.sign_in(&old, support::web::STRONG).await;
    assert_eq!(location(&signed), "/", "{}", signed.body);
    for i in 0..relais::workflow::accounts::EMAIL_CHANGES_PER_DAY {
        let page = rb.get("/profile").await;
        let address = format!("essai{i}@nouveau.example");
        let asked = rb.submit(&page, "/profile/email", &[("new_email", &address)]).await;
        assert_eq!(location(&asked), "/profile?email=sent", "{}", asked.body);
    }
    let page = rb.get("/profile").await;
    let limited = rb
        .submit(&page, "/profile/email", &[("new_email", "encore@nouveau.example")])
        .await;
    assert_eq!(location(&limited), "/profile?email=limited", "{}", limited.body);
    let page = rb.get(location(&limited)).await;
    assert!(page.body.contains("rien n'a été envoyé"), "{}", page.body);
    assert!(
        w.unseen_mail("encore@nouveau.example", "email_change_confirm")
            .is_none()
    );
}
