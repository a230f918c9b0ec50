//! Signing in as people do, over real HTTP, on both engines: activation links, the password
//! policy, TOTP and codes by mail, recovery codes, coordinators' mandatory enrolment, the
//! limits, the forgotten password, sessions, CSRF and cookie flags; the request visibility
//! rule; the accounts import command.

use crate::support;

use chrono::TimeDelta;
use relais::clock::Clock;
use relais::domain::access::Visibility;
use relais::workflow::accounts::InviteOutcome;
use std::path::Path;
use support::web::{Browser, STRONG, Site, World, location, recovery_codes, set_cookie, shown_secret};
use support::{Engine, TestBank, offer};

const OTHER_STRONG: &str = "Sept-Girafes?Orange42";

/// The payloads of the queued messages of `kind`, as stored.
async fn outbox_payloads(bank: &TestBank, kind: &str) -> Vec<String> {
    const SQL: &str = "SELECT CAST(payload AS TEXT) FROM outbox WHERE kind = $1 ORDER BY id";
    match &bank.store {
        relais::store::Store::Sqlite(pool, ..) => sqlx::query_scalar(SQL).bind(kind).fetch_all(pool).await.unwrap(),
        relais::store::Store::Postgres(pool, _) => sqlx::query_scalar(SQL).bind(kind).fetch_all(pool).await.unwrap(),
    }
}

on_both_engines!(
    activation_sets_a_password_and_refuses_weak_ones,
    totp_enrolment_sign_in_replay_and_recovery_codes,
    codes_by_mail_work_once,
    coordinators_must_enrol_before_anything_else,
    an_address_that_keeps_failing_waits_longer_each_time,
    an_attacker_elsewhere_does_not_keep_the_owner_out,
    codes_by_mail_still_sign_in_from_a_new_network,
    the_owner_is_told_once_per_window,
    strangers_do_not_close_the_owners_forms,
    a_forgotten_password_link_works_once_and_for_an_hour,
    sessions_end_and_forms_need_their_value,
    each_role_sees_its_share_of_requests,
    accounts_are_imported_from_a_file_once,
    a_file_updates_known_interpreters_profiles_once,
    app_secrets_survive_a_signing_key_rotation,
);

async fn activation_sets_a_password_and_refuses_weak_ones(engine: Engine) {
    let w = World::new(engine).await;
    let email = w.email_of(w.bank.requester).await;
    let address = relais::domain::contact::EmailAddress::parse(&email).unwrap();
    assert_eq!(w.accounts().invite(&address).await.unwrap(), InviteOutcome::Invited);
    let mail = w.next_mail(&email, "account_activation").await;
    assert!(mail.contains("Bonjour Marie") && mail.contains("72 heures"), "{mail}");
    let link = regex::Regex::new(r"(/account/activate/[A-Za-z0-9_-]{43})")
        .unwrap()
        .captures(&mail)
        .unwrap()[1]
        .to_string();

    // The outbox keeps the token's row, never the link.
    let secret = link.rsplit('/').next().unwrap();
    let payloads = outbox_payloads(&w.bank, "account_activation").await;
    assert_eq!(payloads.len(), 1);
    assert!(
        payloads[0].contains("\"token\"") && !payloads[0].contains(secret),
        "{payloads:?}"
    );

    let mut b = Browser::new(&w.site);
    let page = b.get(&link).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Activer votre compte"), "{}", page.body);
    assert!(!page.body.contains("<script"));

    // Each weak password is refused with exactly what it lacks.
    let weak = b
        .submit(&page, &link, &[("password", "lapin"), ("confirmation", "lapin")])
        .await;
    assert_eq!(weak.status, 422, "{}", weak.body);
    for missing in [
        "Au moins 12 caractères (il y en a 5)",
        "Il manque une lettre majuscule",
        "Il manque un chiffre",
        "Il manque un caractère spécial",
        "très fort",
    ] {
        assert!(weak.body.contains(missing), "{missing}: {}", weak.body);
    }
    let common = b
        .submit(
            &weak,
            &link,
            &[("password", "Password123!"), ("confirmation", "Password123!")],
        )
        .await;
    assert_eq!(common.status, 422);
    assert!(
        common.body.contains("très fort") && !common.body.contains("Il manque"),
        "{}",
        common.body
    );
    let mismatch = b
        .submit(&common, &link, &[("password", STRONG), ("confirmation", OTHER_STRONG)])
        .await;
    assert!(
        mismatch.body.contains("La confirmation ne correspond pas"),
        "{}",
        mismatch.body
    );
    assert_eq!(b.sign_in(&email, STRONG).await.status, 401, "nothing was set yet");

    let done = b
        .submit(&mismatch, &link, &[("password", STRONG), ("confirmation", STRONG)])
        .await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body.contains("Votre compte est activé"), "{}", done.body);
    let again = b.get(&link).await;
    assert_eq!(again.status, 410);
    assert!(again.body.contains("déjà servi"), "{}", again.body);

    // Signing in with the email, or with the user code as the seeds allow.
    let signed = b.sign_in(&email, STRONG).await;
    assert_eq!((signed.status, location(&signed)), (303, "/"), "{}", signed.body);
    let home = b.get("/account").await;
    assert_eq!(home.status, 200, "{}", home.body);
    assert!(
        home.body.contains("Marie Tremblay") && home.body.contains("Demandeur"),
        "{}",
        home.body
    );
    assert!(home.body.contains("Non activée"), "{}", home.body);
    assert!(
        home.body.contains("recommandons fortement"),
        "MFA is encouraged: {}",
        home.body
    );
    let mut other = Browser::new(&w.site);
    let code = regex::Regex::new(r"UBI[A-Z]{2}\d{4}")
        .unwrap()
        .find(&home.body)
        .unwrap()
        .as_str()
        .to_string();
    assert_eq!(location(&other.sign_in(&code.to_lowercase(), STRONG).await), "/");
}

async fn totp_enrolment_sign_in_replay_and_recovery_codes(engine: Engine) {
    let w = World::new(engine).await;
    let email = w.activate(w.bank.requester, STRONG).await;
    let mut b = Browser::new(&w.site);
    assert_eq!(location(&b.sign_in(&email, STRONG).await), "/");
    let mfa = b.get("/account/mfa").await;
    assert_eq!(mfa.status, 200, "{}", mfa.body);
    assert!(
        mfa.body.contains(r#"<img class="qr" src="data:image/svg+xml;base64,"#),
        "{}",
        mfa.body
    );
    let csp = mfa.headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("img-src data:") && csp.contains("default-src 'none'"),
        "{csp}"
    );
    assert!(!mfa.body.contains("<script"));
    let home = b.get("/account").await;
    assert!(
        !home.headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("img-src")
    );
    let secret = shown_secret(&mfa);
    let mfa = b.get("/account/mfa").await;
    assert_eq!(shown_secret(&mfa), secret, "the pending secret is kept until confirmed");

    let wrong = b.submit(&mfa, "/account/mfa/totp", &[("code", "000000")]).await;
    assert_eq!(wrong.status, 422, "{}", wrong.body);
    let now = w.bank.clock.now().timestamp();
    let code = secret.code_at(now).unwrap();
    let enabled = b.submit(&wrong, "/account/mfa/totp", &[("code", &code)]).await;
    assert_eq!(enabled.status, 200, "{}", enabled.body);
    let codes = recovery_codes(&enabled);
    assert_eq!(codes.len(), 10, "{}", enabled.body);
    set_cookie(&enabled, "relais_account");
    assert!(
        b.get("/account")
            .await
            .body
            .contains("Activée (application d'authentification)")
    );
    b.sign_out().await;

    // The password alone no longer signs in.
    let signed = b.sign_in(&email, STRONG).await;
    assert_eq!(location(&signed), "/login/code");
    assert_eq!(location(&b.get("/account").await), "/login/code");
    // The code used for enrolment belongs to a step already used.
    let replay = b.code(&code).await;
    assert_eq!(replay.status, 401, "{}", replay.body);
    assert!(replay.body.contains("déjà servi"), "{}", replay.body);
    w.advance(TimeDelta::seconds(30));
    let fresh = secret.code_at(w.bank.clock.now().timestamp()).unwrap();
    let passed = b.code(&fresh).await;
    assert_eq!(location(&passed), "/", "{}", passed.body);
    assert!(b.get("/account").await.status == 200);
    b.sign_out().await;

    // A second sign-in in the same 30 seconds cannot reuse that code.
    assert_eq!(location(&b.sign_in(&email, STRONG).await), "/login/code");
    assert_eq!(b.code(&fresh).await.status, 401);
    let wrong = b.code("123 456").await;
    assert!(
        wrong.body.contains("incorrect") || wrong.body.contains("déjà servi"),
        "{}",
        wrong.body
    );

    // A recovery code works once, typed any case, and says how many are left.
    let used = b.code(&codes[0].to_uppercase()).await;
    assert_eq!(location(&used), "/account?recovery=used", "{}", used.body);
    let home = b.get("/account?recovery=used").await;
    assert!(home.body.contains("Il vous en reste 9"), "{}", home.body);
    b.sign_out().await;
    assert_eq!(location(&b.sign_in(&email, STRONG).await), "/login/code");
    assert_eq!(b.code(&codes[0]).await.status, 401, "a recovery code works once");
    assert_eq!(location(&b.code(&codes[1]).await), "/account?recovery=used");
}

async fn codes_by_mail_work_once(engine: Engine) {
    let w = World::new(engine).await;
    let email = w.activate(w.bank.interpreters[0], STRONG).await;
    let mut b = Browser::new(&w.site);
    assert_eq!(location(&b.sign_in(&email, STRONG).await), "/");
    let mfa = b.get("/account/mfa").await;
    let asked = b.submit(&mfa, "/account/mfa/email", &[]).await;
    assert_eq!(asked.status, 200, "{}", asked.body);
    let code = w.next_code(&email).await;
    let wrong = b
        .submit(&asked, "/account/mfa/email/confirm", &[("code", "999999")])
        .await;
    assert_eq!(wrong.status, 422);
    let enabled = b.submit(&wrong, "/account/mfa/email/confirm", &[("code", &code)]).await;
    assert_eq!(enabled.status, 200, "{}", enabled.body);
    assert_eq!(recovery_codes(&enabled).len(), 10);
    b.sign_out().await;

    // Each sign-in mails a code; it works once.
    assert_eq!(location(&b.sign_in(&email, STRONG).await), "/login/code");
    let first = w.next_code(&email).await;
    let page = b.get("/login/code").await;
    assert!(page.body.contains("envoyé à votre adresse courriel"), "{}", page.body);
    assert_eq!(location(&b.code(&first).await), "/");
    b.sign_out().await;
    assert_eq!(location(&b.sign_in(&email, STRONG).await), "/login/code");
    let second = w.next_code(&email).await;
    if second != first {
        assert_eq!(b.code(&first).await.status, 401, "a used code is refused");
    }
    // Ten minutes later the code has expired.
    w.advance(TimeDelta::minutes(16));
    let expired = b.code(&second).await;
    assert_eq!(expired.status, 401, "{}", expired.body);
    // Another code on demand.
    let page = b.get("/login/code").await;
    let resent = b.submit(&page, "/login/code/email", &[]).await;
    assert!(resent.body.contains("Un nouveau code"), "{}", resent.body);
    let third = w.next_code(&email).await;
    assert_eq!(location(&b.code(&third).await), "/");
    assert_eq!(b.get("/account").await.status, 200);
    b.sign_out().await;
    assert_eq!(location(&b.sign_in(&email, STRONG).await), "/login/code");
    let fourth = w.next_code(&email).await;
    if fourth != third {
        assert_eq!(b.code(&third).await.status, 401, "used once");
    }
    assert_eq!(location(&b.code(&fourth).await), "/");
}

async fn coordinators_must_enrol_before_anything_else(engine: Engine) {
    let w = World::new(engine).await;
    let email = w.activate(w.bank.coordinator, STRONG).await;
    let mut b = Browser::new(&w.site);
    let signed = b.sign_in(&email, STRONG).await;
    assert_eq!(location(&signed), "/account/mfa");
    for path in ["/account", "/account/password"] {
        assert_eq!(location(&b.get(path).await), "/account/mfa", "{path}");
    }
    let mfa = b.get("/account/mfa").await;
    assert_eq!(mfa.status, 200);
    assert!(mfa.body.contains("Les coordonnateurs doivent utiliser"), "{}", mfa.body);
    let secret = shown_secret(&mfa);
    let code = secret.code_at(w.bank.clock.now().timestamp()).unwrap();
    let enabled = b.submit(&mfa, "/account/mfa/totp", &[("code", &code)]).await;
    assert_eq!(enabled.status, 200, "{}", enabled.body);
    let home = b.get("/account").await;
    assert_eq!(home.status, 200, "{}", home.body);
    assert!(home.body.contains("Coordonnateur"), "{}", home.body);
}

/// Networks people and strangers sign in from (documentation ranges).
const HOSPITAL: &str = "198.51.100.7";
const HOTEL: &str = "198.51.100.99";
const ATTACKER: &str = "203.0.113.66";

/// Whether a 429 is this address's own wait (as opposed to the account's limit).
fn address_waits(answer: &support::web::Answer) -> bool {
    answer.status == 429 && answer.body.contains("depuis votre adresse réseau")
}

fn retry_after(answer: &support::web::Answer) -> i64 {
    answer.headers["retry-after"].to_str().unwrap().parse().unwrap()
}

/// The page with what names the account, and the form's value, taken out.
fn normalise(body: &str, identifier: &str) -> String {
    let re = regex::Regex::new(r#"name="csrf" value="[^"]*""#).unwrap();
    re.replace_all(&body.replace(identifier, "X"), "").to_string()
}

/// A stranger who keeps failing from one address waits longer after each failure (1 s,
/// 2 s, 4 s…), and only that address does; the answers are the same for an account that
/// exists and one that does not.
async fn an_address_that_keeps_failing_waits_longer_each_time(engine: Engine) {
    let w = World::new(engine).await;
    let email = w.activate(w.bank.requester, STRONG).await;
    let mut stranger = Browser::at(&w.site, ATTACKER);
    let mut refusals = Vec::new();
    for i in 0..5 {
        let who = if i % 2 == 0 {
            email.as_str()
        } else {
            "nobody@nowhere.example"
        };
        let refused = stranger.sign_in(who, "Wrong-Password-99!").await;
        assert_eq!(refused.status, 401, "{}", refused.body);
        refusals.push(normalise(&refused.body, who));
    }
    assert_eq!(
        refusals[0], refusals[1],
        "the same words for a known and an unknown address"
    );
    let mut waited = Vec::new();
    for _ in 0..6 {
        // Right away: refused without trying, even the right password, and the page says
        // how long the address waits.
        let refused = stranger.sign_in(&email, STRONG).await;
        assert!(address_waits(&refused), "{}: {}", refused.status, refused.body);
        assert!(
            refused.body.contains("deuxième facteur"),
            "the page says what still works"
        );
        waited.push(retry_after(&refused));
        w.advance(TimeDelta::seconds(retry_after(&refused)));
        let after = stranger.sign_in("nobody@nowhere.example", "Wrong-Password-99!").await;
        assert_ne!(after.status, 200, "{}", after.body);
        assert!(!address_waits(&after), "the wait is over: this try was made");
    }
    assert_eq!(waited, vec![1, 2, 4, 8, 16, 32], "each failure doubles the wait");
    // The same wait whether the identifier names an account or not.
    let known = stranger.sign_in(&email, "x").await;
    let unknown = stranger.sign_in("nobody@nowhere.example", "x").await;
    assert_eq!(
        normalise(&known.body, &email),
        normalise(&unknown.body, "nobody@nowhere.example")
    );
    // Another address is not slowed: the owner signs in from it.
    let mut owner = Browser::at(&w.site, HOSPITAL);
    assert_eq!(location(&owner.sign_in(&email, STRONG).await), "/");
    // The wait never grows past 15 minutes.
    for _ in 0..12 {
        let refused = stranger.sign_in(&email, "x").await;
        if address_waits(&refused) {
            w.advance(TimeDelta::seconds(retry_after(&refused)));
        }
        stranger.sign_in(&email, "Wrong-Password-99!").await;
    }
    let refused = stranger.sign_in(&email, "x").await;
    assert!(address_waits(&refused));
    assert!(retry_after(&refused) <= 900, "{}", retry_after(&refused));
    // An hour after its last failure, the address starts afresh.
    w.advance(TimeDelta::minutes(61));
    assert_eq!(stranger.sign_in("nobody@nowhere.example", "x").await.status, 401);
}

/// A stranger at one address makes 50 wrong attempts on an account, by its address and by
/// its (predictable) user code. The owner still signs in from the network they usually
/// use; from a new network the password alone waits, but with the second factor it passes.
async fn an_attacker_elsewhere_does_not_keep_the_owner_out(engine: Engine) {
    let w = World::new(engine).await;
    let email = w.activate(w.bank.requester, STRONG).await;
    let user_code = w.user_code(w.bank.requester).await;
    let mut owner = Browser::at(&w.site, HOSPITAL);
    assert_eq!(location(&owner.sign_in(&email, STRONG).await), "/");
    // The owner turns on an authenticator app.
    let mfa = owner.get("/account/mfa").await;
    let secret = shown_secret(&mfa);
    let enabled = owner
        .submit(
            &mfa,
            "/account/mfa/totp",
            &[("code", &secret.code_at(w.bank.clock.now().timestamp()).unwrap())],
        )
        .await;
    assert_eq!(enabled.status, 200, "{}", enabled.body);
    let recovery = recovery_codes(&enabled);
    owner.sign_out().await;
    w.advance(TimeDelta::seconds(1));

    let mut attacker = Browser::at(&w.site, ATTACKER);
    let mut tries = 0;
    let mut limited_seen = false;
    while tries < 50 {
        let who = if tries % 2 == 0 {
            email.as_str()
        } else {
            user_code.as_str()
        };
        let answer = attacker.sign_in(who, &format!("Devine-{tries}-Mot!Passe")).await;
        if address_waits(&answer) {
            w.advance(TimeDelta::seconds(retry_after(&answer)));
            continue;
        }
        assert!(
            [401, 429].contains(&answer.status),
            "{}: {}",
            answer.status,
            answer.body
        );
        limited_seen |= answer.status == 429;
        tries += 1;
        if tries == 8 {
            // The attack is on: the account's limit holds away from the owner's networks…
            let mut traveller = Browser::at(&w.site, HOTEL);
            let alone = traveller.sign_in(&email, STRONG).await;
            assert_eq!(alone.status, 429, "{}", alone.body);
            assert!(alone.body.contains("pour ce compte"), "{}", alone.body);
            assert_eq!(alone.headers["retry-after"], "900");
            // …answering a wrong password the same way as the right one…
            let wrong = traveller.sign_in(&email, "Pas-Le-Bon-Mot!2").await;
            assert_eq!(normalise(&wrong.body, &email), normalise(&alone.body, &email));
            // …and the same for an identifier that names nobody.
            let nobody = traveller.sign_in("nobody@nowhere.example", "x").await;
            assert_eq!(nobody.status, 401, "a new identifier starts its own count");
            // From the hospital, the owner signs in as usual: password, then code.
            let mut at_work = Browser::at(&w.site, HOSPITAL);
            assert_eq!(location(&at_work.sign_in(&email, STRONG).await), "/login/code");
            w.advance(TimeDelta::seconds(31));
            let code = secret.code_at(w.bank.clock.now().timestamp()).unwrap();
            assert_eq!(location(&at_work.code(&code).await), "/");
            // Travelling, the owner types the password and the app's code together.
            let mut travelling = Browser::at(&w.site, "2001:db8:5::17");
            let limited = travelling.sign_in(&email, STRONG).await;
            assert_eq!(limited.status, 429);
            let (action, _) = &limited.forms()[0];
            assert_eq!(action, "/login");
            assert!(limited.body.contains("name=\"code\""), "{}", limited.body);
            w.advance(TimeDelta::seconds(31));
            let code = secret.code_at(w.bank.clock.now().timestamp()).unwrap();
            let wrong_password = travelling.sign_in_with_code(&email, "Pas-Le-Bon-Mot!2", &code).await;
            assert_eq!(
                wrong_password.status, 429,
                "a right code does not help a wrong password"
            );
            let passed = travelling.sign_in_with_code(&email, STRONG, &code).await;
            assert_eq!(location(&passed), "/", "{}", passed.body);
            assert_eq!(travelling.get("/account").await.status, 200);
            // A recovery code does too, from yet another network.
            let mut other = Browser::at(&w.site, "2001:db8:6::1");
            let passed = other.sign_in_with_code(&email, STRONG, &recovery[0]).await;
            assert_eq!(location(&passed), "/account?recovery=used", "{}", passed.body);
        }
    }
    assert!(limited_seen);
    // After the fifty, the owner at the hospital is still in at once.
    let mut at_work = Browser::at(&w.site, HOSPITAL);
    assert_eq!(location(&at_work.sign_in(&email, STRONG).await), "/login/code");
    w.advance(TimeDelta::seconds(31));
    let code = secret.code_at(w.bank.clock.now().timestamp()).unwrap();
    assert_eq!(location(&at_work.code(&code).await), "/");
}

/// Someone whose codes come by mail, away from their usual network while the account is
/// under attack: typing the right password mails them a code (the page says so, and says
/// the same for a wrong password); the password with that code signs in.
async fn codes_by_mail_still_sign_in_from_a_new_network(engine: Engine) {
    let w = World::new(engine).await;
    let email = w.activate(w.bank.requester, STRONG).await;
    let mut owner = Browser::at(&w.site, HOSPITAL);
    assert_eq!(location(&owner.sign_in(&email, STRONG).await), "/");
    let mfa = owner.get("/account/mfa").await;
    let started = owner.submit(&mfa, "/account/mfa/email", &[]).await;
    assert_eq!(started.status, 200, "{}", started.body);
    let code = w.next_code(&email).await;
    let confirmed = owner
        .submit(&started, "/account/mfa/email/confirm", &[("code", &code)])
        .await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    owner.sign_out().await;
    w.advance(TimeDelta::seconds(1));
    let mut attacker = Browser::at(&w.site, ATTACKER);
    for _ in 0..5 {
        assert_eq!(attacker.sign_in(&email, "Wrong-Password-99!").await.status, 401);
    }
    let mut travelling = Browser::at(&w.site, HOTEL);
    let wrong = travelling.sign_in(&email, "Pas-Le-Bon-Mot!2").await;
    assert_eq!(wrong.status, 429);
    assert!(
        w.unseen_mail(&email, "login_code").is_none(),
        "no code for a wrong password"
    );
    let right = travelling.sign_in(&email, STRONG).await;
    assert_eq!(right.status, 429);
    assert_eq!(normalise(&wrong.body, &email), normalise(&right.body, &email));
    assert!(
        right.body.contains("un code vient de vous être envoyé"),
        "{}",
        right.body
    );
    let code = w.next_code(&email).await;
    let passed = travelling.sign_in_with_code(&email, STRONG, &code).await;
    assert_eq!(location(&passed), "/", "{}", passed.body);
}

/// Failed sign-ins past a threshold mail the owner once per window (how many, when, what to
/// do), in their language, through the outbox; never for an identifier that names nobody.
async fn the_owner_is_told_once_per_window(engine: Engine) {
    let w = World::new(engine).await;
    let email = w.activate(w.bank.requester, STRONG).await;
    let mut attacker = Browser::at(&w.site, ATTACKER);
    let mut tries = 0;
    while tries < 50 {
        let answer = attacker.sign_in(&email, "Wrong-Password-99!").await;
        if address_waits(&answer) {
            w.advance(TimeDelta::seconds(retry_after(&answer)));
            continue;
        }
        tries += 1;
    }
    for i in 0..12 {
        let mut elsewhere = Browser::at(&w.site, &format!("203.0.113.{}", 100 + i));
        elsewhere.sign_in("nobody@nowhere.example", "x").await;
    }
    let notices = outbox_payloads(&w.bank, "sign_in_failures").await;
    assert_eq!(notices.len(), 1, "one notice, not one per failure: {notices:?}");
    assert!(
        !notices[0].contains(ATTACKER),
        "no address in the outbox: {}",
        notices[0]
    );
    let text = w.next_mail(&email, "sign_in_failures").await;
    for words in [
        "10 connexions à votre compte",
        "ont échoué",
        "Si c'était vous, il n'y a rien à faire.",
        "Mot de passe oublié",
        "prévenez un coordonnateur",
        "avant 24\u{a0}heures",
    ] {
        assert!(text.contains(words), "{words}: {text}");
    }
    assert!(!text.contains(ATTACKER), "{text}");
    // The next window, the next notice; in English for someone who reads English.
    let mut tx = w.bank.store.begin().await.unwrap();
    let mut person = tx.person(w.bank.requester).await.unwrap();
    person.locale = relais::domain::locale::Locale::En;
    tx.update_person(&person, w.bank.clock.now()).await.unwrap();
    tx.commit().await.unwrap();
    w.advance(TimeDelta::hours(25));
    let mut tries = 0;
    while tries < 10 {
        let answer = attacker.sign_in(&email, "Wrong-Password-99!").await;
        if address_waits(&answer) {
            w.advance(TimeDelta::seconds(retry_after(&answer)));
            continue;
        }
        tries += 1;
    }
    assert_eq!(outbox_payloads(&w.bank, "sign_in_failures").await.len(), 2);
    let text = w.next_mail(&email, "sign_in_failures").await;
    assert!(
        text.contains("10 sign-ins to your") && text.contains("If it was you"),
        "{text}"
    );
}

/// Wrong passwords typed at the sign-in page by strangers do not close the owner's own
/// forms: a signed-in owner still changes their password.
async fn strangers_do_not_close_the_owners_forms(engine: Engine) {
    let w = World::new(engine).await;
    let mut owner = w.signed_in(w.bank.requester).await;
    let email = w.email_of(w.bank.requester).await;
    w.advance(TimeDelta::seconds(1));
    let mut attacker = Browser::at(&w.site, ATTACKER);
    for _ in 0..5 {
        attacker.sign_in(&email, "Wrong-Password-99!").await;
    }
    let mut travelling = Browser::at(&w.site, HOTEL);
    assert_eq!(travelling.sign_in(&email, STRONG).await.status, 429, "the attack is on");
    w.advance(TimeDelta::seconds(1));
    let page = owner.get("/account/password").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let done = owner
        .submit(
            &page,
            "/account/password",
            &[
                ("current", STRONG),
                ("password", OTHER_STRONG),
                ("confirmation", OTHER_STRONG),
            ],
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.body);
    // A new password wipes the strangers' tries from the account's count: the owner
    // signs in from a new network at once.
    assert_eq!(location(&travelling.sign_in(&email, OTHER_STRONG).await), "/");
}

async fn a_forgotten_password_link_works_once_and_for_an_hour(engine: Engine) {
    let w = World::new(engine).await;
    let email = w.activate(w.bank.requester, STRONG).await;
    let mut before = Browser::new(&w.site);
    assert_eq!(location(&before.sign_in(&email, STRONG).await), "/");

    let mut b = Browser::new(&w.site);
    let forgot = b.get("/password/forgot").await;
    let unknown = b
        .submit(&forgot, "/password/forgot", &[("identifier", "nobody@nowhere.example")])
        .await;
    let known = b.submit(&forgot, "/password/forgot", &[("identifier", &email)]).await;
    assert_eq!((unknown.status, known.status), (200, 200));
    assert_eq!(unknown.body, known.body, "the same answer either way");
    let link = w.next_link(&email, "password_reset", "/password/reset/").await;

    // An hour later the link has expired.
    w.advance(TimeDelta::minutes(61));
    let expired = b.get(&link).await;
    assert_eq!(expired.status, 410);
    assert!(expired.body.contains("expiré"), "{}", expired.body);

    let forgot = b.get("/password/forgot").await;
    b.submit(&forgot, "/password/forgot", &[("identifier", &email)]).await;
    let link = w.next_link(&email, "password_reset", "/password/reset/").await;
    let page = b.get(&link).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let weak = b
        .submit(&page, &link, &[("password", "password"), ("confirmation", "password")])
        .await;
    assert_eq!(weak.status, 422);
    let done = b
        .submit(
            &weak,
            &link,
            &[("password", OTHER_STRONG), ("confirmation", OTHER_STRONG)],
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body.contains("Votre mot de passe est changé"));
    let again = b
        .submit(&page, &link, &[("password", STRONG), ("confirmation", STRONG)])
        .await;
    assert_eq!(again.status, 410, "the link works once");

    assert_eq!(
        location(&before.get("/account").await),
        "/login",
        "earlier sessions ended"
    );
    assert_eq!(b.sign_in(&email, STRONG).await.status, 401);
    assert_eq!(location(&b.sign_in(&email, OTHER_STRONG).await), "/");

    // And from the account page, giving the current password.
    let page = b.get("/account/password").await;
    let wrong = b
        .submit(
            &page,
            "/account/password",
            &[("current", STRONG), ("password", STRONG), ("confirmation", STRONG)],
        )
        .await;
    assert_eq!(wrong.status, 401);
    let changed = b
        .submit(
            &page,
            "/account/password",
            &[
                ("current", OTHER_STRONG),
                ("password", STRONG),
                ("confirmation", STRONG),
            ],
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert_eq!(b.get("/account").await.status, 200, "this session stays");
}

async fn sessions_end_and_forms_need_their_value(engine: Engine) {
    let w = World::new(engine).await;
    let email = w.activate(w.bank.requester, STRONG).await;
    let mut b = Browser::new(&w.site);
    let login = b.get("/login").await;
    let csrf_cookie = set_cookie(&login, "relais_csrf");
    assert!(
        csrf_cookie.contains("HttpOnly") && csrf_cookie.contains("SameSite=Strict"),
        "{csrf_cookie}"
    );

    // A form without its value does nothing.
    let forged = b
        .post(
            "/login",
            &[("identifier", &email), ("password", STRONG), ("csrf", "forged")],
        )
        .await;
    assert_eq!(forged.status, 403, "{}", forged.body);
    let bare = w
        .site
        .post("/login", "", &[("identifier", &email), ("password", STRONG)])
        .await;
    assert_eq!(bare.status, 403);

    let signed = b.sign_in(&email, STRONG).await;
    let cookie = set_cookie(&signed, "relais_account");
    for flag in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(flag), "{flag}: {cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain HTTP here: {cookie}");
    let session = b.cookies["relais_account"].clone();
    assert_eq!(session.len(), 43);
    assert!(
        b.post(
            "/account/password",
            &[
                ("current", STRONG),
                ("password", OTHER_STRONG),
                ("confirmation", OTHER_STRONG)
            ]
        )
        .await
        .status
            == 403
    );
    assert_eq!(b.post("/logout", &[]).await.status, 403, "no value: still signed in");
    assert_eq!(b.get("/account").await.status, 200);

    // Idle for more than 30 minutes: signed out.
    w.advance(TimeDelta::minutes(29));
    assert_eq!(b.get("/account").await.status, 200);
    w.advance(TimeDelta::minutes(31));
    let idle = b.get("/account").await;
    assert_eq!(location(&idle), "/login");

    // Active all day: signed out after 12 hours all the same.
    assert_eq!(location(&b.sign_in(&email, STRONG).await), "/");
    for _ in 0..35 {
        w.advance(TimeDelta::minutes(20));
        assert_eq!(b.get("/account").await.status, 200);
    }
    w.advance(TimeDelta::minutes(20));
    assert_eq!(location(&b.get("/account").await), "/login", "12 hours passed");

    // Signing out ends the session on the server, not only in the browser.
    assert_eq!(location(&b.sign_in(&email, STRONG).await), "/");
    let kept = b.cookies["relais_account"].clone();
    b.sign_out().await;
    assert!(!b.cookies.contains_key("relais_account"), "the cookie is cleared");
    let replayed = w.site.get("/account", &format!("relais_account={kept}")).await;
    assert_eq!(location(&replayed), "/login");
}

async fn each_role_sees_its_share_of_requests(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let id = bank.create().await;
    bank.workflow
        .execute(bank.as_coordinator(), offer(id, vec![bank.interpreters[0]]))
        .await
        .unwrap();
    let request = bank.load(id).await;
    let mut tx = bank.store.begin().await.unwrap();
    let visibility =
        |person: relais::domain::person::Person, installations: Vec<_>| Visibility::of(&person, &installations);
    let mut of = Vec::new();
    for p in [
        bank.coordinator,
        bank.requester,
        bank.colleague,
        bank.outsider,
        bank.interpreters[0],
        bank.interpreters[1],
    ] {
        let person = tx.person(p).await.unwrap();
        let installations = tx
            .requester_profile(p)
            .await
            .unwrap()
            .map(|r| r.installations)
            .unwrap_or_default();
        let offered = tx
            .offers_of_request(id)
            .await
            .unwrap()
            .iter()
            .any(|o| o.interpreter_id == p);
        of.push(visibility(person, installations).may_see(&request, offered));
    }
    tx.commit().await.unwrap();
    assert_eq!(of, vec![true, true, true, false, true, false]);
}

fn relais(dir: &Path, env: &[(&str, String)], args: &[&str]) -> std::process::Output {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_relais"));
    cmd.current_dir(dir)
        .arg("--config")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/config/default.toml"))
        .args(args)
        .env_remove("RUST_LOG");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run relais")
}

async fn accounts_are_imported_from_a_file_once(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("people.csv");
    std::fs::write(
        &file,
        "courriel;prénom;nom;rôle;établissement;installation;langue\n\
         nadia@ciusss.example;Nadia;Belkacem;demandeur;CCSMTL;hôpital notre-dame;fr\n\
         marie@ciusss.example;Marie;Tremblay;demandeur;CCSMTL;Hôpital Notre-Dame;fr\n\
         omar@interpretes.example;Omar;Haddad;interprète;;;en\n\
         paul@ciusss.example;Paul;Roy;demandeur;CCSMTL;Pavillon inconnu;fr\n",
    )
    .unwrap();
    let env = [
        ("RELAIS__DATABASE__URL", bank.db.url.clone()),
        ("RELAIS__SECURITY__SIGNING_KEY", support::mail::SIGNING_KEY.to_string()),
    ];
    let run = relais(dir.path(), &env, &["accounts", "import", file.to_str().unwrap()]);
    let out = String::from_utf8_lossy(&run.stdout).to_string();
    assert!(!run.status.success(), "a refused line fails the run:\n{out}");
    assert!(out.contains("line 2\tnadia@ciusss.example\tcreated"), "{out}");
    assert!(
        out.contains("line 3\tmarie@ciusss.example\tknown, account created"),
        "{out}"
    );
    assert!(out.contains("line 4\tomar@interpretes.example\tcreated"), "{out}");
    assert!(out.contains("line 5") && out.contains("Pavillon inconnu"), "{out}");
    assert!(
        out.contains("2 created, 1 invited, 0 updated, 0 unchanged, 1 refused"),
        "{out}"
    );

    let again = relais(dir.path(), &env, &["accounts", "import", file.to_str().unwrap()]);
    let out = String::from_utf8_lossy(&again.stdout).to_string();
    assert!(
        out.contains("0 created, 0 invited, 0 updated, 3 unchanged, 1 refused"),
        "idempotent:\n{out}"
    );

    let mut tx = bank.store.begin().await.unwrap();
    let nadia = tx
        .person_by_email(&relais::domain::contact::EmailAddress::parse("nadia@ciusss.example").unwrap())
        .await
        .unwrap()
        .unwrap();
    let profile = tx.requester_profile(nadia.id).await.unwrap().unwrap();
    assert_eq!(profile.installations, vec![bank.installation]);
    tx.commit().await.unwrap();
    assert_eq!(
        outbox_payloads(&bank, "account_activation").await.len(),
        3,
        "one invitation each, none on the second run"
    );

    let invite = relais(dir.path(), &env, &["accounts", "invite", "coord@bi.example"]);
    assert!(invite.status.success(), "{}", String::from_utf8_lossy(&invite.stderr));
    let nobody = relais(dir.path(), &env, &["accounts", "invite", "nobody@nowhere.example"]);
    assert!(!nobody.status.success());
    assert!(String::from_utf8_lossy(&nobody.stdout).contains("nobody has this address"));
}

/// Runs `relais accounts import` on `text`; its output, and whether it succeeded.
fn import_file(bank: &TestBank, dir: &Path, text: &str) -> (String, bool) {
    let file = dir.join("people.csv");
    std::fs::write(&file, text).unwrap();
    let env = [
        ("RELAIS__DATABASE__URL", bank.db.url.clone()),
        ("RELAIS__SECURITY__SIGNING_KEY", support::mail::SIGNING_KEY.to_string()),
    ];
    let run = relais(dir, &env, &["accounts", "import", file.to_str().unwrap()]);
    (String::from_utf8_lossy(&run.stdout).to_string(), run.status.success())
}

async fn a_file_updates_known_interpreters_profiles_once(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let dir = tempfile::tempdir().unwrap();
    let lucia = bank.interpreters[0];
    let profile = |bank: &TestBank| {
        let store = bank.store.clone();
        async move {
            let mut tx = store.begin().await.unwrap();
            let profile = tx.interpreter_profile(lucia).await.unwrap().unwrap();
            let person = tx.person(lucia).await.unwrap();
            let history = tx
                .history_of(relais::domain::history::Entity::Person, lucia.0)
                .await
                .unwrap();
            tx.commit().await.unwrap();
            (profile, person, history)
        }
    };
    let (before, _, _) = profile(&bank).await;

    // Known, without an account yet: the cells filled change her profile, and she is invited.
    let file = "courriel;prénom;nom;rôle;genre;contextes;région principale;types de demande\n\
                interp0@interpretes.example;Lucía;Ramírez;interprète;femme;DPJ|Santé mentale;;\n";
    let (out, ok) = import_file(&bank, dir.path(), file);
    assert!(ok, "{out}");
    assert!(
        out.contains(
            "line 2\tinterp0@interpretes.example\tknown: updated (gender, contexts); account created, activation link queued"
        ),
        "{out}"
    );
    let (after, _, history) = profile(&bank).await;
    assert_eq!(after.gender, Some(relais::domain::request::Gender::Female));
    assert_eq!(after.contexts, vec!["DPJ", "Santé mentale"]);
    assert_eq!(
        after.request_types, before.request_types,
        "an empty cell changes nothing"
    );
    assert_eq!(
        after.language_pairs, before.language_pairs,
        "nor a column the file lacks"
    );
    let entry = history.last().unwrap();
    assert_eq!(entry.action, "import_interpreter_profile");
    assert_eq!(entry.actor_id, None, "the command line acts as Relais");
    let fields: Vec<&str> = entry.changes.iter().map(|c| c.field.as_str()).collect();
    assert_eq!(fields, vec!["gender", "contexts"]);

    // The same file again changes nothing and sends nothing.
    let (out, ok) = import_file(&bank, dir.path(), file);
    assert!(ok, "{out}");
    assert!(
        out.contains("line 2\tinterp0@interpretes.example\tknown: unchanged"),
        "{out}"
    );
    assert!(
        out.contains("0 created, 0 invited, 0 updated, 1 unchanged, 0 refused"),
        "{out}"
    );
    let (_, _, again) = profile(&bank).await;
    assert_eq!(again.len(), history.len(), "no history entry");
    assert_eq!(outbox_payloads(&bank, "account_activation").await.len(), 1);

    // Another order of the same contexts is no change; other names do not rename her.
    let (out, _) = import_file(
        &bank,
        dir.path(),
        "email,first_name,last_name,role,contexts\n\
         interp0@interpretes.example,Lucie,Autre,interpreter,Santé mentale|DPJ\n",
    );
    assert!(out.contains("known: unchanged"), "{out}");
    let (_, person, _) = profile(&bank).await;
    assert_eq!(
        (person.first_name.as_str(), person.last_name.as_str()),
        ("Lucía", "Ramírez")
    );

    // With an account: « non renseigné » clears the gender; a region is set.
    let (out, _) = import_file(
        &bank,
        dir.path(),
        "courriel;prénom;nom;rôle;genre;région principale\n\
         interp0@interpretes.example;Lucía;Ramírez;interprète;non renseigné;06-Montréal\n\
         interp1@interpretes.example;Diego;Fernández;interprète;peut-être;06-Montréal\n",
    );
    assert!(
        out.contains("line 2\tinterp0@interpretes.example\tknown: updated (gender, main region)"),
        "{out}"
    );
    let (after, _, _) = profile(&bank).await;
    assert_eq!(after.gender, None);
    assert_eq!(after.main_region.as_deref(), Some("06-Montréal"));
    // A wrong cell refuses the whole line.
    assert!(out.contains("line 3\t\terror: column gender"), "{out}");
    let mut tx = bank.store.begin().await.unwrap();
    let diego = tx.interpreter_profile(bank.interpreters[1]).await.unwrap().unwrap();
    tx.commit().await.unwrap();
    assert_eq!(diego.gender, None, "nothing of a refused line is set");
}

async fn app_secrets_survive_a_signing_key_rotation(engine: Engine) {
    let w = World::new(engine).await;
    let email = w.activate(w.bank.requester, STRONG).await;
    let mut b = Browser::new(&w.site);
    b.sign_in(&email, STRONG).await;
    let mfa = b.get("/account/mfa").await;
    let secret = shown_secret(&mfa);
    let code = secret.code_at(w.bank.clock.now().timestamp()).unwrap();
    assert_eq!(
        b.submit(&mfa, "/account/mfa/totp", &[("code", &code)]).await.status,
        200
    );

    // A new key signs; the old one is kept as retired: the app still works, and its
    // secret is sealed again with the new key at this sign-in.
    let new_key = "rotated-signing-key-0123456789abcdef01".to_string();
    let rotated = Site::start_with(
        &w.bank,
        &[
            ("RELAIS__SECURITY__SIGNING_KEY", new_key.clone()),
            (
                "RELAIS__SECURITY__PREVIOUS_KEYS",
                format!("[\"{}\"]", support::mail::SIGNING_KEY),
            ),
        ],
    )
    .await;
    let mut b = Browser::new(&rotated);
    assert_eq!(location(&b.sign_in(&email, STRONG).await), "/login/code");
    w.advance(TimeDelta::seconds(30));
    let code = secret.code_at(w.bank.clock.now().timestamp()).unwrap();
    assert_eq!(location(&b.code(&code).await), "/");

    // The old key removed: the secret opens with the new one alone.
    let only_new = Site::start_with(&w.bank, &[("RELAIS__SECURITY__SIGNING_KEY", new_key)]).await;
    let mut b = Browser::new(&only_new);
    assert_eq!(location(&b.sign_in(&email, STRONG).await), "/login/code");
    w.advance(TimeDelta::seconds(30));
    let code = secret.code_at(w.bank.clock.now().timestamp()).unwrap();
    assert_eq!(location(&b.code(&code).await), "/");
}
