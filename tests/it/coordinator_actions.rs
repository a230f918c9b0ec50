//! What coordinators do on the web that they did only by mail or the command line, over
//! real HTTP on both engines: reset a person's second factor from the person's page (the
//! person's sessions end, the history says it, the person is mailed a notice), change a
//! person's roles and default role, and close a request from its page through the
//! workflow's command with the web channel. Nobody else may, and a form without its CSRF
//! value changes nothing.

use crate::support;

use relais::domain::request::RequestStatus;
use relais::store::accounts::MfaMethod;
use support::Engine;
use support::web::{World, location};

on_both_engines!(
    coordinators_reset_a_second_factor_with_history_and_notice,
    coordinators_close_a_request_on_its_page,
    coordinators_change_roles_and_the_default_role,
    coordinators_correct_a_service_record_on_the_web,
    coordinators_offer_a_waiting_request_from_its_page,
);

async fn coordinators_reset_a_second_factor_with_history_and_notice(engine: Engine) {
    let w = World::new(engine).await;
    let lucia = w.bank.interpreters[0];
    let mut lb = w.signed_in(lucia).await;
    let email = w.email_of(lucia).await;
    let mut tx = w.bank.store.begin().await.unwrap();
    tx.enable_mfa(lucia, MfaMethod::Email, None).await.unwrap();
    tx.commit().await.unwrap();
    let mut b = w.signed_in(w.bank.coordinator).await;
    let path = format!("/admin/people/{}", w.user_code(lucia).await);
    let page = b.get(&path).await;
    assert!(page.body.contains("Réinitialiser le deuxième facteur"), "{}", page.body);

    // Without the page's form value nothing happens.
    let forged = b.post(&format!("{path}/mfa"), &[("csrf", "forged")]).await;
    assert_eq!(forged.status, 403, "{}", forged.body);
    let account = |w: &World| {
        let store = w.bank.store.clone();
        async move {
            let mut tx = store.begin().await.unwrap();
            let a = tx.account(lucia).await.unwrap().unwrap();
            tx.commit().await.unwrap();
            a
        }
    };
    assert_eq!(account(&w).await.mfa_method, Some(MfaMethod::Email));

    let reset = b.submit(&page, &format!("{path}/mfa"), &[]).await;
    assert_eq!(reset.status, 303, "{}", reset.body);
    let after = b.get(location(&reset)).await;
    assert!(
        after.body.contains("Le deuxième facteur a été réinitialisé"),
        "{}",
        after.body
    );
    assert!(
        after.body.contains("deuxième facteur réinitialisé"),
        "history: {}",
        after.body
    );
    assert!(
        !after.body.contains("Réinitialiser le deuxième facteur<"),
        "{}",
        after.body
    );
    assert_eq!(account(&w).await.mfa_method, None);
    let notice = w.next_mail(&email, "mfa_changed").await;
    assert!(
        notice.contains("un coordonnateur de la banque a réinitialisé votre authentification multifacteur"),
        "{notice}"
    );
    let gone = lb.get("/profile").await;
    assert_ne!(gone.status, 200, "Lucía's session ended: {}", gone.body);

    // A coordinator's own page has no button: they change theirs on their account page.
    let own = b
        .get(&format!("/admin/people/{}", w.user_code(w.bank.coordinator).await))
        .await;
    assert!(!own.body.contains("Réinitialiser le deuxième facteur<"), "{}", own.body);
}

async fn coordinators_close_a_request_on_its_page(engine: Engine) {
    let w = World::new(engine).await;
    let id = w.bank.request_in(RequestStatus::Validated).await;
    let path = format!("/requests/{}", id.0);
    let mut requester = w.signed_in(w.bank.requester).await;
    let seen = requester.get(&path).await;
    assert_eq!(seen.status, 200, "{}", seen.body);
    assert!(!seen.body.contains("Fermer la demande"), "not for requesters");
    let refused = requester.post(&format!("{path}/close"), &[("csrf", "any")]).await;
    assert_eq!(refused.status, 404, "{}", refused.body);

    let mut b = w.signed_in(w.bank.coordinator).await;
    let page = b.get(&path).await;
    assert!(page.body.contains("Fermer la demande"), "{}", page.body);
    let forged = b.post(&format!("{path}/close"), &[("csrf", "forged")]).await;
    assert_eq!(forged.status, 403, "{}", forged.body);
    assert_eq!(w.bank.load(id).await.status, RequestStatus::Validated);
    let closed = b.submit(&page, &format!("{path}/close"), &[]).await;
    assert_eq!(closed.status, 303, "{}", closed.body);
    let closed = b.get(location(&closed)).await;
    assert!(
        closed.body.contains("La demande est maintenant fermée"),
        "{}",
        closed.body
    );
    assert!(closed.body.contains("Fermé"), "{}", closed.body);
    assert!(!closed.body.contains("Fermer la demande"), "{}", closed.body);
    assert_eq!(w.bank.load(id).await.status, RequestStatus::Closed);
    let mut tx = w.bank.store.begin().await.unwrap();
    let history = tx
        .history_of(relais::domain::history::Entity::Request, id.0)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let last = history.last().unwrap();
    assert_eq!(last.channel, relais::domain::role::Channel::Web, "{last:?}");
}

async fn coordinators_change_roles_and_the_default_role(engine: Engine) {
    let w = World::new(engine).await;
    let nadia = w.bank.colleague;
    let mut b = w.signed_in(w.bank.coordinator).await;
    let path = format!("/admin/people/{}", w.user_code(nadia).await);
    let page = b.get(&path).await;
    support::web::accessible(&page);
    assert!(page.body.contains("Rôle par défaut"), "{}", page.body);
    let roles = format!("{path}/roles");
    // A requester who also interprets, landing on her requests.
    let saved = b
        .submit(
            &page,
            &roles,
            &[
                ("roles", "requester"),
                ("roles", "interpreter"),
                ("default_role", "interpreter"),
                ("installation", ""),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let page = b.get(location(&saved)).await;
    assert!(page.body.contains("rôles modifiés"), "history: {}", page.body);
    let mut tx = w.bank.store.begin().await.unwrap();
    let person = tx.person(nadia).await.unwrap();
    let profile = tx
        .interpreter_profile(nadia)
        .await
        .unwrap()
        .expect("an interpreter profile");
    let default_role = tx.default_role(nadia).await.unwrap();
    tx.commit().await.unwrap();
    use relais::domain::role::Role;
    assert_eq!(person.roles, vec![Role::Requester, Role::Interpreter]);
    assert_eq!(
        profile.request_types.len(),
        relais::domain::request::RequestType::ALL.len(),
        "every request type to start with"
    );
    assert_eq!(default_role, Some(Role::Interpreter));

    // The default role must be one of the roles; nothing is saved otherwise.
    let wrong = b
        .submit(
            &page,
            &roles,
            &[("roles", "requester"), ("default_role", "coordinator")],
        )
        .await;
    assert_eq!(wrong.status, 422, "{}", wrong.body);
    assert!(wrong.body.contains("le rôle par défaut parmi eux"), "{}", wrong.body);

    // A coordinator does not take their own coordinator role away.
    let own = format!("/admin/people/{}", w.user_code(w.bank.coordinator).await);
    let own_page = b.get(&own).await;
    let refused = b
        .submit(&own_page, &format!("{own}/roles"), &[("roles", "interpreter")])
        .await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    let mut tx = w.bank.store.begin().await.unwrap();
    assert!(tx.person(w.bank.coordinator).await.unwrap().has_role(Role::Coordinator));
    tx.commit().await.unwrap();
}

/// Issue 19: a coordinator corrects a service record on the web, through the same form and
/// rules as the interpreter's; the requester is asked to validate the corrected record.
async fn coordinators_correct_a_service_record_on_the_web(engine: Engine) {
    let w = World::new(engine).await;
    let id = w.bank.request_in(RequestStatus::ServiceRendered).await;
    let path = format!("/requests/{}", id.0);
    let mut requester = w.signed_in(w.bank.requester).await;
    let seen = requester.get(&path).await;
    assert!(!seen.body.contains("Corriger la réalisation"), "not for requesters");

    let mut b = w.signed_in(w.bank.coordinator).await;
    let page = b.get(&path).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let link = regex::Regex::new(r#"href="(/l/[^"]+)"[^>]*>Corriger la réalisation<"#)
        .unwrap()
        .captures(&page.body)
        .unwrap_or_else(|| panic!("no correction link on: {}", page.body))[1]
        .to_string();
    let form = b.get(&link).await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(form.body.contains(r#"name="actual_end""#), "{}", form.body);
    let csrf = regex::Regex::new(r#"name="csrf" value="([^"]+)""#)
        .unwrap()
        .captures(&form.body)
        .expect("the form carries its CSRF value")[1]
        .to_string();
    let fields = [
        ("csrf", csrf.as_str()),
        ("completed", "oui"),
        ("interpreter_present", "oui"),
        ("actual_start", "10:00"),
        ("actual_end", "10:45"),
        ("comments", "Corrigé par la coordination"),
    ];
    let saved = b.post_multipart(&link, &fields, &[]).await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    let mut tx = w.bank.store.begin().await.unwrap();
    let record = tx.service_record(id).await.unwrap().expect("the record");
    let history = tx
        .history_of(relais::domain::history::Entity::Request, id.0)
        .await
        .unwrap();
    let kinds: Vec<String> = tx
        .outbox_of_request(id)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.recipient == w.bank.requester)
        .map(|m| m.kind)
        .collect();
    tx.commit().await.unwrap();
    assert_eq!(record.worked_minutes(), Some(45));
    assert_eq!(record.comments.as_deref(), Some("Corrigé par la coordination"));
    let last = history.last().unwrap();
    assert_eq!(last.action, "correct_service_record");
    assert_eq!(last.actor_kind, relais::domain::role::ActorKind::Coordinator);
    assert_eq!(
        kinds.iter().filter(|k| *k == "service_recorded").count(),
        2,
        "the requester validates the corrected record: {kinds:?}"
    );
    // The link served once.
    assert_eq!(b.get(&link).await.status, 410);
}

/// A request waiting for an interpreter: its page offers « Offrir à… » to a coordinator,
/// which offers it to the interpreter named (by name or code) as the board's field does;
/// once offered, and for anyone else, the field is gone.
async fn coordinators_offer_a_waiting_request_from_its_page(engine: Engine) {
    let w = World::new(engine).await;
    let id = w.bank.create().await;
    let path = format!("/requests/{}", id.0);
    let mut requester = w.signed_in(w.bank.requester).await;
    let page = requester.get(&path).await;
    assert!(!page.body.contains("/board/offer-to"), "{}", page.body);

    let mut b = w.signed_in(w.bank.coordinator).await;
    let page = b.get(&path).await;
    assert!(
        page.body.contains(r#"<form method="post" action="/board/offer-to">"#),
        "{}",
        page.body
    );
    assert!(page.body.contains("Offrir à…"), "{}", page.body);
    let code = w.user_code(w.bank.interpreters[1]).await;
    let offered = b
        .submit(
            &page,
            "/board/offer-to",
            &[("request", &id.0.to_string()), ("who", &code)],
        )
        .await;
    assert!(offered.status == 303 || offered.status == 200, "{}", offered.body);
    let request = w.bank.load(id).await;
    assert_eq!(request.status, RequestStatus::Offered);
    let mut tx = w.bank.store.begin().await.unwrap();
    let offers = tx.offers_of_request(id).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        offers.iter().map(|o| o.interpreter_id).collect::<Vec<_>>(),
        [w.bank.interpreters[1]]
    );
    let page = b.get(&path).await;
    assert!(!page.body.contains("/board/offer-to"), "offered: no field any more");
}
