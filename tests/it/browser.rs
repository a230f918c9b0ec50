//! A real browser on a phone-sized screen with JavaScript turned off (headless Chromium over
//! WebDriver, started by scripts/test.sh): an interpreter opens the link from their offer,
//! sees the request, presses the button and is booked; opening the link again says it served.
//! A requester activates their account, turns on TOTP, signs in with password and code, and
//! books an interpreter with an attachment on the web form. A coordinator, who must use a
//! second factor, sees the board and adds an interpreter.
//! Screenshots of the pages are saved under `target/tmp/screenshots/` as test artefacts.

use crate::support;

use chrono::TimeDelta;
use relais::clock::Clock;
use relais::domain::request::RequestStatus;
use relais::security::link::LinkAction;
use std::time::{Duration, Instant};
use support::mail::SIGNING_KEY;
use support::webdriver::WebDriver as Browser;
use support::{Engine, TestBank, offer};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interpreter_accepts_from_the_phone_without_javascript() {
    let bank = TestBank::new(Engine::Sqlite).await;
    let id = bank.create().await;
    bank.workflow
        .execute(bank.as_coordinator(), offer(id, vec![bank.interpreters[0]]))
        .await
        .unwrap();
    let token = support::web::token(&bank, LinkAction::Accept, id, bank.interpreters[0], vec![]).await;
    let served = support::serve(&bank, &[]).await;
    let port = served.port;

    let profile = tempfile::tempdir().unwrap();
    let browser = Browser::start(profile.path()).await;
    let link = format!("http://127.0.0.1:{port}/l/{token}");
    browser.open(&link).await;
    let page = browser.wait_for("Accepter l").await;
    assert!(page.contains("HC-26061001") && page.contains("Lucía Ramírez"), "{page}");
    assert_eq!(
        bank.load(id).await.status,
        RequestStatus::Offered,
        "opening the link in a browser changed nothing"
    );
    // A big button that fits the narrow window: easy to press with a thumb. (Headless
    // Chromium keeps windows at least about 500 px wide.)
    let button = browser.find("button[type=submit]").await;
    let rect = browser.rect(&button).await;
    let window = browser.call(reqwest::Method::GET, "/window/rect", None).await;
    let (x, width, height) = (
        rect["x"].as_f64().unwrap(),
        rect["width"].as_f64().unwrap(),
        rect["height"].as_f64().unwrap(),
    );
    assert!(width >= 250.0 && height >= 44.0, "button {rect}");
    assert!(
        x + width <= window["width"].as_f64().unwrap(),
        "button {rect} in window {window}"
    );
    browser.click(&button).await;
    let done = browser.wait_for("C'est fait").await;
    assert!(done.contains("Réservé"), "{done}");
    let booked = bank.load(id).await;
    assert_eq!(
        (booked.status, booked.assigned_interpreter),
        (RequestStatus::Booked, Some(bank.interpreters[0]))
    );
    // Back to the link from the SMS later: it says it served, and acts no more.
    browser.open(&link).await;
    browser.wait_for("déjà servi").await;
    assert_eq!(bank.load(id).await.version, booked.version);
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coordinator_with_totp_sees_the_board_and_adds_an_interpreter() {
    const PASSWORD: &str = "Sept-Hiboux!Bleus42";
    let bank = TestBank::new(Engine::Sqlite).await;
    let waiting = bank.create().await;
    let number = bank.load(waiting).await.number.expect("numbered").to_string();
    let (served, mail) = serve_with_mail(&bank).await;
    let base = served.base_url();
    let email = relais::domain::contact::EmailAddress::parse("coord@bi.example").unwrap();
    let activation = invite(&bank, &email, mail.path()).await;

    let profile = tempfile::tempdir().unwrap();
    let browser = Browser::start(profile.path()).await;
    activate(&browser, &base, &activation, PASSWORD, false).await;
    sign_in(&browser, &base, email.as_str(), PASSWORD, false).await;
    // Coordinators must use a second factor: the board waits until it is on.
    browser.wait_for(r#"class="secret""#).await;
    enrol_totp(&browser, &base, &bank, false).await;

    browser.open(&format!("{base}/board")).await;
    let page = browser.wait_for(&number).await;
    check_accessible(&page);
    browser.screenshot("12-board").await;

    browser.open(&format!("{base}/admin/people/new")).await;
    let page = browser.wait_for("new-person-languages").await;
    check_accessible(&page);
    browser.screenshot("13-add-person").await;
    browser
        .click(&browser.find("select[name=role] option[value=interpreter]").await)
        .await;
    browser.type_into("input[name=first_name]", "Karim").await;
    browser.type_into("input[name=last_name]", "Benali").await;
    browser
        .type_into("input[name=email]", "karim@interpretes.example")
        .await;
    browser.type_into("input[name=mobile]", "514 555-0142").await;
    browser.type_into("textarea[name=languages]", "français > arabe").await;
    browser.submit("/admin/people/new").await;
    let page = browser.wait_for("son lien d'activation lui a été envoyé").await;
    check_accessible(&page);
    assert!(page.contains("Karim Benali"), "{page}");
    browser.screenshot("14-person").await;
    let mut tx = bank.store.begin().await.unwrap();
    let karim = tx
        .person_by_email(&relais::domain::contact::EmailAddress::parse("karim@interpretes.example").unwrap())
        .await
        .unwrap()
        .expect("added through the browser");
    let languages = tx.interpreter_profile(karim.id).await.unwrap().unwrap().language_pairs;
    tx.commit().await.unwrap();
    assert_eq!(languages[0].target.as_str(), "ar");
    browser.quit().await;
}

/// Every page: a language, and a label for every field people fill in.
fn check_accessible(page: &str) {
    assert!(page.contains(r#"<html lang="fr">"#), "no lang: {page}");
    let inputs = regex::Regex::new(r#"<(?:input|select|textarea)\b[^>]*>"#).unwrap();
    let id = regex::Regex::new(r#"\bid="([^"]+)""#).unwrap();
    for field in inputs.find_iter(page).map(|m| m.as_str()) {
        if field.contains(r#"type="hidden""#) {
            continue;
        }
        let id = id
            .captures(field)
            .unwrap_or_else(|| panic!("a field without id: {field}"))[1]
            .to_string();
        assert!(page.contains(&format!(r#"for="{id}""#)), "no label for {field}");
    }
}

/// The first mail of `kind` written to `dir`, waited for.
async fn mail_in(dir: &std::path::Path, kind: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let found = std::fs::read_dir(dir).ok().and_then(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .find(|p| p.to_string_lossy().ends_with(&format!("-{kind}.eml")))
        });
        if let Some(path) = found {
            let raw = std::fs::read(path).unwrap();
            let parsed = mail_parser::MessageParser::default().parse(&raw).unwrap();
            return parsed.body_text(0).unwrap().to_string();
        }
        assert!(Instant::now() < deadline, "no {kind} mail in {}", dir.display());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_requester_turns_on_totp_and_signs_in_with_it() {
    const PASSWORD: &str = "Quatre-Lapins!Violets7";
    let bank = TestBank::new(Engine::Sqlite).await;
    let (served, mail) = serve_with_mail(&bank).await;
    let base = served.base_url();
    let email = relais::domain::contact::EmailAddress::parse("marie@ciusss.example").unwrap();
    let activation = invite(&bank, &email, mail.path()).await;

    let profile = tempfile::tempdir().unwrap();
    let browser = Browser::start(profile.path()).await;
    activate(&browser, &base, &activation, PASSWORD, true).await;
    sign_in(&browser, &base, email.as_str(), PASSWORD, true).await;
    // A requester lands on their requests, with the button to ask for a new one.
    browser.wait_for(r#"class="primary" href="/requests/new""#).await;
    let secret = enrol_totp(&browser, &base, &bank, true).await;

    // Out, and in again: password, then a fresh code from the app.
    browser.open(&format!("{base}/account")).await;
    browser.wait_for("/logout").await;
    browser.submit("/logout").await;
    browser.wait_for("Se connecter").await;
    sign_in(&browser, &base, email.as_str(), PASSWORD, false).await;
    let page = browser.wait_for(r#"name="code""#).await;
    check_accessible(&page);
    browser.screenshot("05-second-factor").await;
    bank.clock.advance(TimeDelta::seconds(30));
    let code = secret.code_at(bank.clock.now().timestamp()).unwrap();
    browser.type_into("input[name=code]", &code).await;
    browser.submit("/login/code").await;
    browser.wait_for(r#"class="primary" href="/requests/new""#).await;
    browser.open(&format!("{base}/account")).await;
    let page = browser.wait_for("Mon compte — Marie").await;
    check_accessible(&page);
    assert!(page.contains("/logout"), "signed in: {page}");
    for place in ["/requests", "/requests/new", "/profile"] {
        assert!(
            page.contains(&format!("href=\"{place}\"")),
            "{place} linked from the account: {page}"
        );
    }
    assert!(!page.contains("href=\"/board\""), "no board for a requester: {page}");
    browser.screenshot("06-account").await;

    // A request with its attachment, from the web form.
    browser.open(&format!("{base}/requests/new")).await;
    let page = browser.wait_for("request_type").await;
    check_accessible(&page);
    browser.screenshot("07-request-form").await;
    browser
        .click(
            &browser
                .find("select[name=request_type] option[value=\"en présentiel\"]")
                .await,
        )
        .await;
    // Chromium's date and time fields take the digits of their own format (mm/dd/yyyy, hh:mm AM).
    browser.type_into("input[name=date]", "03092026").await;
    browser.type_into("input[name=start_time]", "1000AM").await;
    browser.type_into("input[name=duration_minutes]", "1 h 30").await;
    browser.type_into("input[name=target_language]", "espagnol").await;
    browser
        .type_into("input[name=location]", "Clinique externe, 3e étage")
        .await;
    let prescription = tempfile::Builder::new().suffix(".pdf").tempfile().unwrap();
    std::fs::write(prescription.path(), b"%PDF-1.4\n%%EOF\n").unwrap();
    browser
        .type_into("input[name=attachments]", &prescription.path().display().to_string())
        .await;
    browser.submit("/requests/new").await;
    let page = browser.wait_for("Historique").await;
    check_accessible(&page);
    browser.screenshot("08-request-page").await;
    assert!(
        page.contains("lundi 9 mars 2026") && page.contains("10&nbsp;h&nbsp;00"),
        "{page}"
    );
    assert!(page.contains(".pdf"), "the attachment is listed: {page}");
    browser.open(&format!("{base}/requests")).await;
    let page = browser.wait_for("HC-").await;
    check_accessible(&page);
    browser.screenshot("09-my-requests").await;
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interpreter_records_the_service_with_a_receipt_in_the_browser() {
    let bank = TestBank::new(Engine::Sqlite).await;
    let id = bank.request_in(RequestStatus::Booked).await;
    let r = bank.load(id).await;
    bank.clock
        .set(r.starts_at + TimeDelta::minutes(i64::from(r.details.duration_minutes) + 10));
    let token = support::web::token(&bank, LinkAction::Record, id, bank.interpreters[0], vec![]).await;
    let served = support::serve(&bank, &[]).await;
    let receipt = tempfile::Builder::new().suffix(".pdf").tempfile().unwrap();
    std::fs::write(receipt.path(), b"%PDF-1.4\n%%EOF\n").unwrap();

    let profile = tempfile::tempdir().unwrap();
    let browser = Browser::start(profile.path()).await;
    browser.open(&format!("{}/l/{token}", served.base_url())).await;
    let page = browser.wait_for("Heure de début effective").await;
    check_accessible(&page);
    browser.screenshot("10-record-form").await;
    browser.type_into("input[name=distance]", "12,5").await;
    browser
        .type_into("input[name=attachments]", &receipt.path().display().to_string())
        .await;
    browser.submit(&token).await;
    let done = browser.wait_for("C'est enregistré").await;
    assert!(done.contains("réalisée, en attente de validation"), "{done}");
    browser.screenshot("11-record-saved").await;
    assert_eq!(bank.load(id).await.status, RequestStatus::ServiceRendered);
    let mut tx = bank.store.begin().await.unwrap();
    let record = tx.service_record(id).await.unwrap().unwrap();
    let files = tx
        .attachments_of(id, relais::store::attachments::AttachmentPurpose::ServiceRecord)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(record.distance_km, rust_decimal::Decimal::new(125, 1));
    assert_eq!(files.len(), 1, "the receipt came through the browser's upload");
    browser.quit().await;
}

/// Relais served for `bank`, its mail written to a folder the test reads.
async fn serve_with_mail(bank: &TestBank) -> (support::Served, tempfile::TempDir) {
    let mail = tempfile::tempdir().unwrap();
    let served = support::serve(
        bank,
        &[("RELAIS__MAIL__OUTBOX_FOLDER", mail.path().display().to_string())],
    )
    .await;
    (served, mail)
}

/// Invites `email` and returns the path of the activation link mailed to `mail`.
async fn invite(bank: &TestBank, email: &relais::domain::contact::EmailAddress, mail: &std::path::Path) -> String {
    let accounts = relais::workflow::accounts::Accounts::new(
        bank.workflow.clone(),
        relais::config::Secret::new(SIGNING_KEY),
        &[],
        "Banque test",
    )
    .unwrap();
    accounts.invite(email).await.unwrap();
    let text = mail_in(mail, "account_activation").await;
    regex::Regex::new(r"(/account/activate/[A-Za-z0-9_-]+)")
        .unwrap()
        .captures(&text)
        .unwrap_or_else(|| panic!("no link in {text}"))[1]
        .to_string()
}

/// Sets the first password through the activation link (`shots`: saves the page).
async fn activate(browser: &Browser, base: &str, activation: &str, password: &str, shots: bool) {
    // The password the seeds' policy calls very strong.
    browser.open(&format!("{base}{activation}")).await;
    let page = browser.wait_for("password").await;
    check_accessible(&page);
    if shots {
        browser.screenshot("01-activation").await;
    }
    browser.type_into("input[name=password]", password).await;
    browser.type_into("input[name=confirmation]", password).await;
    browser.submit(activation).await;
    // The answer first: a navigation started before it lands would be undone by it.
    browser.wait_for("Votre compte est activé").await;
}

/// Opens the sign-in page and sends the password.
async fn sign_in(browser: &Browser, base: &str, email: &str, password: &str, shots: bool) {
    browser.open(&format!("{base}/login")).await;
    let page = browser.wait_for("identifier").await;
    check_accessible(&page);
    if shots {
        browser.screenshot("02-login").await;
    }
    browser.type_into("input[name=identifier]", email).await;
    browser.type_into("input[name=password]", password).await;
    browser.submit("/login").await;
}

/// Turns on the authenticator app from the enrolment page; returns its secret, read from
/// the page as a person would type it into their app.
async fn enrol_totp(browser: &Browser, base: &str, bank: &TestBank, shots: bool) -> relais::security::totp::TotpSecret {
    browser.open(&format!("{base}/account/mfa")).await;
    let page = browser.wait_for(r#"class="secret""#).await;
    check_accessible(&page);
    if shots {
        browser.screenshot("03-mfa-enrolment").await;
    }
    let groups = regex::Regex::new(r#"<p class="secret">([A-Z2-7 ]+)</p>"#)
        .unwrap()
        .captures(&page)
        .unwrap_or_else(|| panic!("no secret shown: {page}"))[1]
        .replace(' ', "");
    let secret = relais::security::totp::TotpSecret::from_bytes(
        totp_rs::Secret::try_from_base32(groups).unwrap().as_bytes().to_vec(),
    );
    let code = secret.code_at(bank.clock.now().timestamp()).unwrap();
    browser
        .type_into("form[action=\"/account/mfa/totp\"] input[name=code]", &code)
        .await;
    browser.submit("/account/mfa/totp").await;
    // The codes' page itself: the enrolment page has lists too, and a page opened before
    // the code is accepted finds the second factor still off.
    browser.wait_for("Voici vos 10 codes de récupération").await;
    if shots {
        browser.screenshot("04-recovery-codes").await;
    }
    secret
}
