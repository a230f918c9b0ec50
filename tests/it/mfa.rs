//! Managing the second factor once it is on, as people do it over real HTTP, on both
//! engines: new recovery codes (the old ones refused at once), an app on a new phone (the
//! old one kept until the new one's code confirms it), app ↔ codes by mail, turning it off
//! (password and code; never for a coordinator, even by a forged form). Every change ends
//! the person's other sessions but not this one, mails them a notice that carries no
//! secret, and counts wrong passwords and codes under the sign-in limits (without letting
//! a stranger's failures at the sign-in page close these forms); a form without its value
//! does nothing.

use crate::support;

use chrono::TimeDelta;
use relais::clock::Clock;
use relais::domain::ids::PersonId;
use relais::security::totp::TotpSecret;
use support::web::{Answer, Browser, STRONG, World, location, recovery_codes, shown_secret};
use support::{Engine, TestBank};

/// A person signed in with an authenticator app they just enrolled.
struct WithApp<'a> {
    b: Browser<'a>,
    email: String,
    secret: TotpSecret,
    codes: Vec<String>,
}

/// Activates `person`, signs in and enrols an app (as coordinators must, and others may).
async fn with_app(w: &World, person: PersonId) -> WithApp<'_> {
    let email = w.activate(person, STRONG).await;
    let mut b = Browser::new(&w.site);
    let signed = b.sign_in(&email, STRONG).await;
    assert!(["/", "/account/mfa"].contains(&location(&signed)), "{}", signed.body);
    let mfa = b.get("/account/mfa").await;
    let secret = shown_secret(&mfa);
    let code = app_code(w, &secret);
    let enabled = b.submit(&mfa, "/account/mfa/totp", &[("code", &code)]).await;
    assert_eq!(enabled.status, 200, "{}", enabled.body);
    let codes = recovery_codes(&enabled);
    assert_eq!(codes.len(), 10);
    WithApp {
        b,
        email,
        secret,
        codes,
    }
}

/// The app's code for a time step no sign-in has used yet.
fn app_code(w: &World, secret: &TotpSecret) -> String {
    w.advance(TimeDelta::seconds(31));
    secret.code_at(w.bank.clock.now().timestamp()).unwrap()
}

/// Another browser signed in with the password and `code`.
async fn another_session<'a>(w: &'a World, email: &str, code: &str) -> Browser<'a> {
    let mut b = Browser::new(&w.site);
    assert_eq!(location(&b.sign_in(email, STRONG).await), "/login/code");
    let passed = b.code(code).await;
    assert_eq!(location(&passed), "/", "{}", passed.body);
    assert_eq!(b.get("/account").await.status, 200);
    b
}

/// Whether a browser's session still opens the account page.
async fn still_signed_in(b: &mut Browser<'_>) -> bool {
    let home = b.get("/account").await;
    match home.status {
        200 => true,
        303 => {
            assert_eq!(location(&home), "/login");
            false
        }
        other => panic!("/account answered {other}: {}", home.body),
    }
}

/// The payloads of the queued messages of `kind`, as JSON.
async fn outbox_payloads(bank: &TestBank, kind: &str) -> Vec<serde_json::Value> {
    const SQL: &str = "SELECT CAST(payload AS TEXT) FROM outbox WHERE kind = $1 ORDER BY id";
    let texts: Vec<String> = match &bank.store {
        relais::store::Store::Sqlite(pool, ..) => sqlx::query_scalar(SQL).bind(kind).fetch_all(pool).await.unwrap(),
        relais::store::Store::Postgres(pool, _) => sqlx::query_scalar(SQL).bind(kind).fetch_all(pool).await.unwrap(),
    };
    texts.iter().map(|t| serde_json::from_str(t).unwrap()).collect()
}

/// Failed attempts of `kind` counted for `person`.
async fn failures(bank: &TestBank, person: PersonId, kind: &str) -> i64 {
    const SQL: &str = "SELECT COUNT(*) FROM login_attempts WHERE account_key = $1 AND kind = $2 AND NOT succeeded";
    let key = format!("person:{}", person.0);
    match &bank.store {
        relais::store::Store::Sqlite(pool, ..) => sqlx::query_scalar(SQL)
            .bind(key)
            .bind(kind)
            .fetch_one(pool)
            .await
            .unwrap(),
        relais::store::Store::Postgres(pool, _) => sqlx::query_scalar(SQL)
            .bind(key)
            .bind(kind)
            .fetch_one(pool)
            .await
            .unwrap(),
    }
}

/// The one security notice expected: it names the change and says what to do if it was
/// not them.
async fn notice(w: &World, email: &str, says: &str) -> String {
    let text = w.next_mail(email, "mfa_changed").await;
    for words in ["Votre deuxième facteur a été modifié", "Si ce n'était pas vous", says] {
        assert!(text.contains(words), "{words}: {text}");
    }
    text
}

fn facts(page: &Answer) -> String {
    regex::Regex::new(r"(?s)<dl>.*</dl>")
        .unwrap()
        .find(&page.body)
        .map(|m| m.as_str().to_string())
        .unwrap_or_default()
}

on_both_engines!(
    new_recovery_codes_replace_the_old_ones_at_once,
    an_app_on_a_new_phone_replaces_the_old_one_only_once_confirmed,
    app_and_codes_by_mail_switch_both_ways,
    turning_it_off_takes_password_and_code_and_never_for_a_coordinator,
    wrong_passwords_and_codes_are_counted_under_the_sign_in_limits,
    forms_without_their_value_change_nothing,
);

async fn new_recovery_codes_replace_the_old_ones_at_once(engine: Engine) {
    let w = World::new(engine).await;
    let WithApp {
        mut b,
        email,
        secret,
        codes: old,
    } = with_app(&w, w.bank.requester).await;
    let mut other = another_session(&w, &email, &app_code(&w, &secret)).await;

    let page = b.get("/account/mfa").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let shown = facts(&page);
    assert!(
        shown.contains("Activée (application d'authentification)") && shown.contains("<dd>10</dd>"),
        "{shown}"
    );
    assert!(!page.body.contains("<script"));

    // A wrong password changes nothing and is counted.
    let wrong = b
        .submit(&page, "/account/mfa/recovery", &[("proof", "Pas-Le-Bon-Mot!2")])
        .await;
    assert_eq!(wrong.status, 401, "{}", wrong.body);
    assert!(wrong.body.contains("rien n'a été changé"), "{}", wrong.body);
    assert_eq!(failures(&w.bank, w.bank.requester, "password").await, 1);
    assert!(still_signed_in(&mut other).await, "a refusal ends nothing");

    let done = b.submit(&wrong, "/account/mfa/recovery", &[("proof", STRONG)]).await;
    assert_eq!(done.status, 200, "{}", done.body);
    let new = recovery_codes(&done);
    assert_eq!(new.len(), 10, "{}", done.body);
    assert!(new.iter().all(|c| !old.contains(c)));
    assert!(
        done.body
            .contains("vos anciens codes de récupération ne fonctionnent plus"),
        "{}",
        done.body
    );

    // This session stays; the other one is over.
    assert!(still_signed_in(&mut b).await);
    assert!(!still_signed_in(&mut other).await);

    // The notice is mailed; neither it nor its queued payload carries a code.
    let mail = notice(&w, &email, "de nouveaux codes de récupération ont été créés").await;
    assert!(new.iter().chain(&old).all(|c| !mail.contains(c.as_str())), "{mail}");
    assert_eq!(
        outbox_payloads(&w.bank, "mfa_changed").await,
        vec![serde_json::json!({ "change": "recovery_codes" })]
    );

    // A current app code does it too, and the codes shown before are replaced again.
    let page = b.get("/account/mfa").await;
    let by_code = b
        .submit(&page, "/account/mfa/recovery", &[("proof", &app_code(&w, &secret))])
        .await;
    assert_eq!(by_code.status, 200, "{}", by_code.body);
    let newest = recovery_codes(&by_code);
    notice(&w, &email, "de nouveaux codes de récupération").await;

    // At sign-in, the first and second sets are refused; the newest works.
    b.sign_out().await;
    assert_eq!(location(&b.sign_in(&email, STRONG).await), "/login/code");
    assert_eq!(b.code(&old[0]).await.status, 401, "an old code is refused");
    assert_eq!(b.code(&new[0]).await.status, 401, "a replaced code is refused");
    assert_eq!(location(&b.code(&newest[0]).await), "/account?recovery=used");
    let page = b.get("/account/mfa").await;
    assert!(facts(&page).contains("<dd>9</dd>"), "{}", page.body);
}

async fn an_app_on_a_new_phone_replaces_the_old_one_only_once_confirmed(engine: Engine) {
    let w = World::new(engine).await;
    let WithApp {
        mut b,
        email,
        secret: old,
        ..
    } = with_app(&w, w.bank.interpreters[0]).await;
    let mut other = another_session(&w, &email, &app_code(&w, &old)).await;

    let page = b.get("/account/mfa").await;
    assert!(page.body.contains(r#"href="/account/mfa/app""#), "{}", page.body);
    let app = b.get("/account/mfa/app").await;
    assert_eq!(app.status, 200, "{}", app.body);
    assert!(app.body.contains(r#"<img class="qr" src="data:image/svg+xml;base64,"#));
    assert!(
        app.headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("img-src data:")
    );
    let new = shown_secret(&app);
    assert_ne!(new.as_bytes(), old.as_bytes());
    assert_eq!(
        shown_secret(&b.get("/account/mfa/app").await).as_bytes(),
        new.as_bytes(),
        "the new secret is kept pending until confirmed"
    );

    // A wrong confirmation code: refused, counted, and the old app still works.
    let wrong = b
        .submit(&app, "/account/mfa/app", &[("code", "000000"), ("password", STRONG)])
        .await;
    assert_eq!(wrong.status, 401, "{}", wrong.body);
    assert!(wrong.body.contains("incorrect"), "{}", wrong.body);
    assert_eq!(failures(&w.bank, w.bank.interpreters[0], "second_factor").await, 1);
    // The old app's code is no confirmation of the new one either.
    let old_code = b
        .submit(
            &wrong,
            "/account/mfa/app",
            &[("code", &app_code(&w, &old)), ("password", STRONG)],
        )
        .await;
    assert_eq!(old_code.status, 401, "{}", old_code.body);
    // The new app's code with a wrong password.
    let no_password = b
        .submit(
            &old_code,
            "/account/mfa/app",
            &[("code", &app_code(&w, &new)), ("password", "Pas-Le-Bon-Mot!2")],
        )
        .await;
    assert_eq!(no_password.status, 401);
    assert!(no_password.body.contains("mot de passe est incorrect"));
    assert!(still_signed_in(&mut other).await, "nothing changed yet");
    let mut check = another_session(&w, &email, &app_code(&w, &old)).await;
    assert!(still_signed_in(&mut check).await, "the old app still signs in");
    assert!(outbox_payloads(&w.bank, "mfa_changed").await.is_empty());

    let done = b
        .submit(
            &no_password,
            "/account/mfa/app",
            &[("code", &app_code(&w, &new)), ("password", STRONG)],
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(
        done.body.contains("la nouvelle application remplace l'ancienne"),
        "{}",
        done.body
    );
    assert!(still_signed_in(&mut b).await);
    assert!(!still_signed_in(&mut other).await);
    assert!(!still_signed_in(&mut check).await);
    notice(&w, &email, "une nouvelle application d'authentification").await;

    // At sign-in, the old app's code is refused and the new one's accepted.
    let mut c = Browser::new(&w.site);
    assert_eq!(location(&c.sign_in(&email, STRONG).await), "/login/code");
    assert_eq!(c.code(&app_code(&w, &old)).await.status, 401);
    assert_eq!(location(&c.code(&app_code(&w, &new)).await), "/");
}

async fn app_and_codes_by_mail_switch_both_ways(engine: Engine) {
    let w = World::new(engine).await;
    let WithApp {
        mut b, email, secret, ..
    } = with_app(&w, w.bank.requester).await;
    let mut other = another_session(&w, &email, &app_code(&w, &secret)).await;

    // From the app to codes by mail: a code proves the address.
    let page = b.get("/account/mfa/by-email").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains(&email), "{}", page.body);
    let sent = b.submit(&page, "/account/mfa/by-email/send", &[]).await;
    assert_eq!(sent.status, 200, "{}", sent.body);
    let code = w.next_code(&email).await;
    for payload in outbox_payloads(&w.bank, "login_code").await {
        assert!(!payload.to_string().contains(&code), "no code in the outbox: {payload}");
    }
    let wrong = b
        .submit(
            &sent,
            "/account/mfa/by-email",
            &[("code", "999999"), ("password", STRONG)],
        )
        .await;
    assert_eq!(wrong.status, 401, "{}", wrong.body);
    assert!(still_signed_in(&mut other).await);
    let done = b
        .submit(
            &wrong,
            "/account/mfa/by-email",
            &[("code", &code), ("password", STRONG)],
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(facts(&done).contains("Activée (code par courriel)"), "{}", done.body);
    assert!(still_signed_in(&mut b).await);
    assert!(!still_signed_in(&mut other).await);
    notice(
        &w,
        &email,
        "vos codes de vérification vous sont désormais envoyés par courriel",
    )
    .await;

    // Sign-in now mails a code; the app's codes no longer work.
    let mut c = Browser::new(&w.site);
    assert_eq!(location(&c.sign_in(&email, STRONG).await), "/login/code");
    let mailed = w.next_code(&email).await;
    assert_eq!(c.code(&app_code(&w, &secret)).await.status, 401);
    assert_eq!(location(&c.code(&mailed).await), "/");

    // And back to an app, confirmed by its code.
    let page = b.get("/account/mfa").await;
    assert!(
        page.body.contains("Utiliser plutôt une application d'authentification"),
        "{}",
        page.body
    );
    let app = b.get("/account/mfa/app").await;
    let next = shown_secret(&app);
    let done = b
        .submit(
            &app,
            "/account/mfa/app",
            &[("code", &app_code(&w, &next)), ("password", STRONG)],
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(
        facts(&done).contains("Activée (application d'authentification)"),
        "{}",
        done.body
    );
    assert!(!still_signed_in(&mut c).await);
    notice(&w, &email, "viennent désormais d'une application d'authentification").await;
    let queued = outbox_payloads(&w.bank, "login_code").await.len();
    let mut d = Browser::new(&w.site);
    assert_eq!(location(&d.sign_in(&email, STRONG).await), "/login/code");
    assert_eq!(
        outbox_payloads(&w.bank, "login_code").await.len(),
        queued,
        "no code by mail any more"
    );
    assert_eq!(location(&d.code(&app_code(&w, &next)).await), "/");
}

async fn turning_it_off_takes_password_and_code_and_never_for_a_coordinator(engine: Engine) {
    let w = World::new(engine).await;
    // An interpreter with codes by mail.
    let email = w.activate(w.bank.interpreters[0], STRONG).await;
    let mut b = Browser::new(&w.site);
    assert_eq!(location(&b.sign_in(&email, STRONG).await), "/");
    let mfa = b.get("/account/mfa").await;
    let asked = b.submit(&mfa, "/account/mfa/email", &[]).await;
    let code = w.next_code(&email).await;
    let enabled = b.submit(&asked, "/account/mfa/email/confirm", &[("code", &code)]).await;
    assert_eq!(enabled.status, 200, "{}", enabled.body);
    let mut other = Browser::new(&w.site);
    assert_eq!(location(&other.sign_in(&email, STRONG).await), "/login/code");
    let code = w.next_code(&email).await;
    assert_eq!(location(&other.code(&code).await), "/");

    let page = b.get("/account/mfa").await;
    assert!(
        page.body.contains("Nous vous invitons fortement à la garder"),
        "{}",
        page.body
    );
    // A current code is asked by mail.
    let sent = b.submit(&page, "/account/mfa/code", &[]).await;
    assert_eq!(sent.status, 200, "{}", sent.body);
    assert!(sent.body.contains("vient de vous être envoyé"), "{}", sent.body);
    let current = w.next_code(&email).await;

    // The password without the code, the code without the password: refused.
    let no_code = b
        .submit(&sent, "/account/mfa/off", &[("password", STRONG), ("code", "123456")])
        .await;
    assert_eq!(no_code.status, 401, "{}", no_code.body);
    let no_password = b
        .submit(
            &no_code,
            "/account/mfa/off",
            &[("password", "Pas-Le-Bon-Mot!2"), ("code", &current)],
        )
        .await;
    assert_eq!(no_password.status, 401, "{}", no_password.body);
    assert!(facts(&no_password).contains("Activée (code par courriel)"));
    assert!(still_signed_in(&mut other).await);
    assert_eq!(failures(&w.bank, w.bank.interpreters[0], "password").await, 1);
    assert_eq!(failures(&w.bank, w.bank.interpreters[0], "second_factor").await, 1);

    let off = b
        .submit(
            &no_password,
            "/account/mfa/off",
            &[("password", STRONG), ("code", &current)],
        )
        .await;
    assert_eq!(off.status, 200, "{}", off.body);
    assert!(
        off.body.contains("recommandons fortement de la réactiver"),
        "{}",
        off.body
    );
    assert!(still_signed_in(&mut b).await);
    assert!(!still_signed_in(&mut other).await);
    notice(&w, &email, "l'authentification multifacteur a été désactivée").await;
    let home = b.get("/account").await;
    assert!(home.body.contains("Non activée") && home.body.contains("recommandons fortement"));
    b.sign_out().await;
    assert_eq!(
        location(&b.sign_in(&email, STRONG).await),
        "/",
        "the password alone signs in"
    );

    // A coordinator: the page says why, and a forged form is refused.
    let WithApp {
        b: mut coordinator,
        email: coordinator_email,
        secret,
        codes,
    } = with_app(&w, w.bank.coordinator).await;
    let page = coordinator.get("/account/mfa").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("Les coordonnateurs ne peuvent pas désactiver"),
        "{}",
        page.body
    );
    assert!(!page.body.contains(r#"action="/account/mfa/off""#), "{}", page.body);
    let csrf = page.forms()[0].1.clone();
    let forged = coordinator
        .post(
            "/account/mfa/off",
            &[("csrf", &csrf), ("password", STRONG), ("code", &app_code(&w, &secret))],
        )
        .await;
    assert_eq!(forged.status, 403, "{}", forged.body);
    assert!(forged.body.contains("doivent garder"), "{}", forged.body);
    assert!(
        outbox_payloads(&w.bank, "mfa_changed").await.len() == 1,
        "only the interpreter's"
    );
    coordinator.sign_out().await;
    assert_eq!(
        location(&coordinator.sign_in(&coordinator_email, STRONG).await),
        "/login/code",
        "still asked for the second factor"
    );
    assert_eq!(location(&coordinator.code(&codes[0]).await), "/account?recovery=used");
}

async fn wrong_passwords_and_codes_are_counted_under_the_sign_in_limits(engine: Engine) {
    let w = World::new(engine).await;
    let WithApp {
        mut b, email, secret, ..
    } = with_app(&w, w.bank.requester).await;

    // Five wrong codes on these forms: the sixth attempt is refused, even a right one.
    let mut page = b.get("/account/mfa").await;
    for _ in 0..5 {
        page = b.submit(&page, "/account/mfa/recovery", &[("proof", "000000")]).await;
        assert_eq!(page.status, 401, "{}", page.body);
    }
    let limited = b
        .submit(&page, "/account/mfa/recovery", &[("proof", &app_code(&w, &secret))])
        .await;
    assert_eq!(limited.status, 429, "{}", limited.body);
    assert_eq!(limited.headers["retry-after"], "900");
    // The limit is the sign-in's: a new sign-in cannot pass its code either.
    let mut c = Browser::new(&w.site);
    assert_eq!(location(&c.sign_in(&email, STRONG).await), "/login/code");
    assert_eq!(c.code(&app_code(&w, &secret)).await.status, 429);

    // The window passes; five wrong passwords on these forms close the sign-in too.
    w.advance(TimeDelta::minutes(16));
    let mut page = b.get("/account/mfa").await;
    assert_eq!(page.status, 200, "{}", page.body);
    for _ in 0..5 {
        page = b
            .submit(
                &page,
                "/account/mfa/off",
                &[("password", "Pas-Le-Bon-Mot!2"), ("code", "000000")],
            )
            .await;
        assert_eq!(page.status, 401, "{}", page.body);
    }
    assert_eq!(
        failures(&w.bank, w.bank.requester, "second_factor").await,
        5,
        "a wrong password stops before the code is tried"
    );
    let limited = b
        .submit(
            &page,
            "/account/mfa/off",
            &[("password", STRONG), ("code", &app_code(&w, &secret))],
        )
        .await;
    assert_eq!(limited.status, 429, "{}", limited.body);
    // They count toward the sign-in's limit: from a network the person does not usually
    // use, the password alone no longer signs in; from their usual one it still does.
    let mut d = Browser::at(&w.site, "203.0.113.9");
    assert_eq!(d.sign_in(&email, STRONG).await.status, 429);
    let mut e = Browser::new(&w.site);
    assert_eq!(location(&e.sign_in(&email, STRONG).await), "/login/code");
    assert!(outbox_payloads(&w.bank, "mfa_changed").await.is_empty());
}

async fn forms_without_their_value_change_nothing(engine: Engine) {
    let w = World::new(engine).await;
    let WithApp {
        mut b,
        email,
        secret,
        codes,
    } = with_app(&w, w.bank.requester).await;
    let mut other = another_session(&w, &email, &app_code(&w, &secret)).await;
    // A pending new app, to try confirming it without the form's value.
    let app = b.get("/account/mfa/app").await;
    let new = shown_secret(&app);

    let code = app_code(&w, &secret);
    let new_code = new.code_at(w.bank.clock.now().timestamp()).unwrap();
    for (path, fields) in [
        ("/account/mfa/recovery", vec![("proof", STRONG)]),
        ("/account/mfa/off", vec![("password", STRONG), ("code", code.as_str())]),
        (
            "/account/mfa/app",
            vec![("password", STRONG), ("code", new_code.as_str())],
        ),
        ("/account/mfa/by-email/send", vec![]),
        ("/account/mfa/by-email", vec![("password", STRONG), ("code", "123456")]),
        ("/account/mfa/code", vec![]),
    ] {
        let bare = b.post(path, &fields).await;
        assert_eq!(bare.status, 403, "{path}: {}", bare.body);
        let mut forged = fields.clone();
        forged.push(("csrf", "forged"));
        let answer = b.post(path, &forged).await;
        assert_eq!(answer.status, 403, "{path}: {}", answer.body);
        assert!(answer.body.contains("Rien n'a été fait"), "{}", answer.body);
    }

    // Nothing changed: no notice, no code mailed, both sessions alive, the old app and
    // recovery codes still sign in.
    assert!(outbox_payloads(&w.bank, "mfa_changed").await.is_empty());
    assert!(outbox_payloads(&w.bank, "login_code").await.is_empty());
    assert!(still_signed_in(&mut other).await);
    let page = b.get("/account/mfa").await;
    assert!(
        facts(&page).contains("Activée (application d'authentification)") && facts(&page).contains("<dd>10</dd>"),
        "{}",
        page.body
    );
    let mut c = Browser::new(&w.site);
    assert_eq!(location(&c.sign_in(&email, STRONG).await), "/login/code");
    assert_eq!(location(&c.code(&code).await), "/", "the old app still works");
    c.sign_out().await;
    assert_eq!(location(&c.sign_in(&email, STRONG).await), "/login/code");
    assert_eq!(location(&c.code(&codes[0]).await), "/account?recovery=used");
}
