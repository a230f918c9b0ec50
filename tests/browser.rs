//! A real browser on a phone-sized screen with JavaScript turned off (headless Chromium over
//! WebDriver, started by scripts/test.sh): an interpreter opens the link from their offer,
//! sees the request, presses the button and is booked; opening the link again says it served.

mod support;

use chrono::TimeDelta;
use relais::clock::Clock;
use relais::domain::request::RequestStatus;
use relais::security::link::{LinkAction, LinkKeys};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use support::mail::SIGNING_KEY;
use support::{Engine, TestBank, offer};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A WebDriver session.
struct Browser {
    http: reqwest::Client,
    session: String,
}

impl Browser {
    async fn start(profile: &std::path::Path) -> Browser {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder().build().unwrap();
        let base = driver();
        let capabilities = json!({
            "capabilities": { "alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": {
                    "binary": "/usr/bin/chromium",
                    "args": [
                        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        // A phone-sized window. (Chromium's mobile emulation is not used: with
                        // JavaScript off, its touch emulation never completes a click.)
                        "--window-size=390,844".to_string(),
                        format!("--user-data-dir={}", profile.display()),
                    ],
                    // No JavaScript: the pages must work without it.
                    "prefs": { "profile.managed_default_content_settings.javascript": 2 },
                },
            }},
        });
        let answer: Value = http
            .post(format!("{base}/session"))
            .json(&capabilities)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let session = answer["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no browser session: {answer}"))
            .to_string();
        Browser { http, session }
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/session/{}{path}", driver(), self.session);
        let mut request = self.http.request(method, url);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let answer: Value = request.send().await.unwrap().json().await.unwrap();
        assert!(answer["value"].get("error").is_none(), "{path}: {answer}");
        answer["value"].clone()
    }

    async fn open(&self, url: &str) {
        self.call(reqwest::Method::POST, "/url", Some(json!({ "url": url })))
            .await;
    }

    async fn source(&self) -> String {
        let html = self.call(reqwest::Method::GET, "/source", None).await;
        html.as_str().unwrap().to_string()
    }

    async fn find(&self, css: &str) -> String {
        let found = self
            .call(
                reqwest::Method::POST,
                "/element",
                Some(json!({ "using": "css selector", "value": css })),
            )
            .await;
        found[ELEMENT].as_str().unwrap().to_string()
    }

    async fn rect(&self, element: &str) -> Value {
        self.call(reqwest::Method::GET, &format!("/element/{element}/rect"), None)
            .await
    }

    async fn click(&self, element: &str) {
        self.call(
            reqwest::Method::POST,
            &format!("/element/{element}/click"),
            Some(json!({})),
        )
        .await;
    }

    async fn wait_for(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let source = self.source().await;
            if source.contains(text) {
                return source;
            }
            assert!(Instant::now() < deadline, "never showed {text:?}:\n{source}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn quit(self) {
        let _ = self
            .http
            .delete(format!("{}/session/{}", driver(), self.session))
            .send()
            .await;
    }
}

fn driver() -> String {
    std::env::var("RELAIS_TEST_WEBDRIVER_URL")
        .expect("RELAIS_TEST_WEBDRIVER_URL: run the suite with scripts/test.sh, which starts Chromium")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interpreter_accepts_from_the_phone_without_javascript() {
    let bank = TestBank::new(Engine::Sqlite).await;
    let id = bank.create().await;
    bank.workflow
        .execute(bank.as_coordinator(), offer(id, vec![bank.interpreters[0]]))
        .await
        .unwrap();
    let token = {
        let mut tx = bank.store.begin().await.unwrap();
        let request = tx.request(id).await.unwrap();
        let person = tx.person(bank.interpreters[0]).await.unwrap();
        let claim = bank
            .workflow
            .link_claim(
                &mut tx,
                LinkAction::Accept,
                &request,
                &person,
                vec![],
                bank.clock.now() + TimeDelta::days(1),
            )
            .await
            .unwrap()
            .unwrap();
        tx.commit().await.unwrap();
        LinkKeys::new(relais::config::Secret::new(SIGNING_KEY), &[]).sign(&claim)
    };
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
