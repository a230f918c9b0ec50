//! A WebDriver client for the headless Chromium scripts/test.sh starts: a real browser for
//! the tests that use pages as people do (`browser`) and for the audits (`audit`).

use serde_json::{Value, json};
use std::time::{Duration, Instant};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A WebDriver session.
pub struct WebDriver {
    http: reqwest::Client,
    session: String,
}

impl WebDriver {
    /// A phone-sized window with JavaScript off: the pages must work without it.
    pub async fn start(profile: &std::path::Path) -> WebDriver {
        WebDriver::start_with(profile, false).await
    }

    /// A session with JavaScript on (`javascript`), for the audits that run in the page.
    pub async fn start_with(profile: &std::path::Path, javascript: bool) -> WebDriver {
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
                    // No JavaScript unless asked: the pages must work without it.
                    "prefs": { "profile.managed_default_content_settings.javascript": if javascript { 1 } else { 2 } },
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
        WebDriver { http, session }
    }

    pub async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/session/{}{path}", driver(), self.session);
        let mut request = self.http.request(method, url);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let answer: Value = request.send().await.unwrap().json().await.unwrap();
        assert!(answer["value"].get("error").is_none(), "{path}: {answer}");
        answer["value"].clone()
    }

    pub async fn open(&self, url: &str) {
        self.call(reqwest::Method::POST, "/url", Some(json!({ "url": url })))
            .await;
    }

    pub async fn source(&self) -> String {
        let html = self.call(reqwest::Method::GET, "/source", None).await;
        html.as_str().unwrap().to_string()
    }

    /// Types `text` into the element `css` selects.
    pub async fn type_into(&self, css: &str, text: &str) {
        let element = self.find(css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{element}/value"),
            Some(json!({ "text": text })),
        )
        .await;
    }

    /// Presses the submit button of the form posting to `action`.
    pub async fn submit(&self, action: &str) {
        let button = self
            .find(&format!("form[action=\"{action}\"] button[type=submit]"))
            .await;
        self.click(&button).await;
    }

    /// Saves what the screen shows as `name`.png among the test artefacts.
    pub async fn screenshot(&self, name: &str) {
        use base64::Engine as _;
        let png = self.call(reqwest::Method::GET, "/screenshot", None).await;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(png.as_str().unwrap())
            .unwrap();
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), bytes).unwrap();
    }

    pub async fn find(&self, css: &str) -> String {
        let found = self
            .call(
                reqwest::Method::POST,
                "/element",
                Some(json!({ "using": "css selector", "value": css })),
            )
            .await;
        found[ELEMENT].as_str().unwrap().to_string()
    }

    pub async fn rect(&self, element: &str) -> Value {
        self.call(reqwest::Method::GET, &format!("/element/{element}/rect"), None)
            .await
    }

    pub async fn click(&self, element: &str) {
        self.call(
            reqwest::Method::POST,
            &format!("/element/{element}/click"),
            Some(json!({})),
        )
        .await;
    }

    pub async fn wait_for(&self, text: &str) -> String {
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

    /// Runs the Chrome DevTools command `cmd` (JavaScript sessions' screen sizes and
    /// whole-page screenshots).
    pub async fn cdp(&self, cmd: &str, params: Value) -> Value {
        self.call(
            reqwest::Method::POST,
            "/goog/cdp/execute",
            Some(json!({ "cmd": cmd, "params": params })),
        )
        .await
    }

    /// Runs `script` (a function body) in the page and returns its value.
    pub async fn script(&self, script: &str) -> Value {
        self.call(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({ "script": script, "args": [] })),
        )
        .await
    }

    /// Runs `script`, which calls its last argument with the result, and waits for it.
    pub async fn script_async(&self, script: &str) -> Value {
        self.call(
            reqwest::Method::POST,
            "/execute/async",
            Some(json!({ "script": script, "args": [] })),
        )
        .await
    }

    /// Replaces the session's cookies for the open site with `cookies` (name, value).
    pub async fn set_cookies<'a>(&self, cookies: impl IntoIterator<Item = (&'a String, &'a String)>) {
        self.call(reqwest::Method::DELETE, "/cookie", None).await;
        for (name, value) in cookies {
            self.call(
                reqwest::Method::POST,
                "/cookie",
                Some(json!({ "cookie": { "name": name, "value": value, "path": "/" } })),
            )
            .await;
        }
    }

    pub async fn quit(self) {
        let _ = self
            .http
            .delete(format!("{}/session/{}", driver(), self.session))
            .send()
            .await;
    }
}

pub fn driver() -> String {
    std::env::var("RELAIS_TEST_WEBDRIVER_URL")
        .expect("RELAIS_TEST_WEBDRIVER_URL: run the suite with scripts/test.sh, which starts Chromium")
}
