//! Every page each kind of person uses, and every HTML mail Relais sent on the way, opened in
//! the real browser with JavaScript on so that axe-core (`tests/assets/axe-core`, injected
//! through WebDriver) can audit it: no serious or critical violation, on a desktop screen
//! (1280 px) and on a phone (390 px); every other kind of mail too, from the golden record
//! of notices. A screenshot of the whole of each page at each width
//! is saved under `target/tmp/audit/` (mails at phone width), with the audit's report.

use crate::support;

use relais::domain::request::RequestStatus;
use relais::security::link::LinkAction;
use serde_json::json;
use std::path::{Path, PathBuf};
use support::web::World;
use support::webdriver::WebDriver;
use support::{Engine, offer};

/// axe-core, as published on npm.
const AXE: &str = include_str!("../assets/axe-core/axe.min.js");

/// The widths every page is seen at: a desktop screen and a phone.
const WIDTHS: [(&str, u32, u32); 2] = [("desktop", 1280, 900), ("phone", 390, 844)];

/// Runs axe on the open page and returns its serious and critical violations, each as
/// « rule (impact): help — the first elements concerned ».
const RUN_AXE: &str = r#"
const done = arguments[arguments.length - 1];
axe.run(document, { resultTypes: ['violations'] }).then(function (results) {
  done(results.violations
    .filter(function (v) { return v.impact === 'serious' || v.impact === 'critical'; })
    .map(function (v) {
      return v.id + ' (' + v.impact + '): ' + v.help + ' — ' +
        v.nodes.slice(0, 3).map(function (n) { return n.target.join(' ') + ' ' + n.html.slice(0, 160); }).join(' | ');
    }));
}).catch(function (e) { done(['axe failed: ' + e]); });
"#;

/// What the audit found and where the screenshots went.
struct Audit {
    browser: WebDriver,
    dir: PathBuf,
    pages: usize,
    findings: Vec<String>,
    /// Sizes worth reporting (not checked): how dense the pages are.
    measures: Vec<String>,
}

impl Audit {
    async fn start(profile: &Path) -> Audit {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("audit");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Audit {
            browser: WebDriver::start_with(profile, true).await,
            dir,
            pages: 0,
            findings: Vec::new(),
            measures: Vec::new(),
        }
    }

    async fn width(&self, width: u32, height: u32) {
        self.browser
            .cdp(
                "Emulation.setDeviceMetricsOverride",
                json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600 }),
            )
            .await;
    }

    /// Opens `url` at each width, audits it and saves its screenshot as `name`.
    async fn page(&mut self, name: &str, url: &str) {
        for (screen, width, height) in WIDTHS {
            self.width(width, height).await;
            self.browser.open(url).await;
            self.check(&format!("{name}-{screen}"), url).await;
        }
    }

    /// Audits what the browser shows now and saves it as `name`.
    async fn check(&mut self, name: &str, url: &str) {
        self.pages += 1;
        let shown = self.browser.source().await;
        assert!(
            shown.contains("<html lang=\"fr\">") || shown.contains("<html lang=\"en\">"),
            "{name}: not one of Relais's pages ({url}): {shown}"
        );
        self.screenshot(name).await;
        self.browser.script(&format!("{AXE}\nreturn true;")).await;
        let found = self.browser.script_async(RUN_AXE).await;
        for violation in found.as_array().expect("axe's list") {
            self.findings
                .push(format!("{name} ({url}): {}", violation.as_str().unwrap_or_default()));
        }
    }

    /// The whole page, not only what the window shows.
    async fn screenshot(&self, name: &str) {
        use base64::Engine as _;
        let metrics = self.browser.cdp("Page.getLayoutMetrics", json!({})).await;
        let size = &metrics["cssContentSize"];
        let clip = json!({
            "x": 0, "y": 0, "scale": 1,
            "width": size["width"].as_f64().unwrap_or(390.0),
            "height": size["height"].as_f64().unwrap_or(844.0).min(12_000.0),
        });
        let shot = self
            .browser
            .cdp(
                "Page.captureScreenshot",
                json!({ "format": "png", "captureBeyondViewport": true, "clip": clip }),
            )
            .await;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().unwrap())
            .unwrap();
        std::fs::write(self.dir.join(format!("{name}.png")), bytes).unwrap();
    }

    /// Each HTML mail in `mail_dir`, once per kind, at phone width (where mail is read most).
    async fn mails(&mut self, mail_dir: &Path) -> Vec<String> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(mail_dir)
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        files.sort();
        let mut kinds = Vec::new();
        self.width(390, 844).await;
        for path in files {
            let name = path.file_stem().unwrap().to_string_lossy().to_string();
            let kind = name.rsplit_once('-').map(|(_, k)| k.to_string()).unwrap_or(name);
            if kinds.contains(&kind) {
                continue;
            }
            let raw = std::fs::read(&path).unwrap();
            let parsed = mail_parser::MessageParser::default().parse(&raw).unwrap();
            let Some(html) = parsed.body_html(0) else {
                continue;
            };
            let file = self.dir.join(format!("mail-{kind}.html"));
            std::fs::write(&file, html.as_bytes()).unwrap();
            let url = format!("file://{}", file.display());
            self.browser.open(&url).await;
            self.check(&format!("mail-{kind}"), &url).await;
            kinds.push(kind);
        }
        kinds
    }

    /// Each kind of mail of the golden record (`tests/golden/notices.txt`, every notice
    /// Relais sends, as rendered), not already seen in `seen`, at phone width.
    async fn golden_mails(&mut self, golden: &str, seen: &mut Vec<String>) {
        self.width(390, 844).await;
        for block in golden.split("===== ").skip(1) {
            let (name, rest) = block.split_once('\n').unwrap_or((block, ""));
            let kind = name
                .trim()
                .trim_end_matches(".eml")
                .rsplit_once('-')
                .map(|(_, k)| k.to_string())
                .unwrap_or_default();
            let Some((_, html)) = rest.split_once("--- html\n") else {
                continue;
            };
            let html = html.split("\n--- attachment").next().unwrap_or(html);
            if kind.is_empty() || html.trim().is_empty() || seen.contains(&kind) {
                continue;
            }
            let file = self.dir.join(format!("mail-{kind}.html"));
            std::fs::write(&file, html.as_bytes()).unwrap();
            let url = format!("file://{}", file.display());
            self.browser.open(&url).await;
            self.check(&format!("mail-{kind}"), &url).await;
            seen.push(kind);
        }
    }

    /// Writes the report and fails with it when anything serious was found.
    async fn finish(self) {
        self.browser.quit().await;
        let report = format!(
            "{} pages and mails audited; {} serious or critical violations\n{}\n{}\n",
            self.pages,
            self.findings.len(),
            self.findings.join("\n"),
            self.measures.join("\n")
        );
        std::fs::write(self.dir.join("report.txt"), &report).unwrap();
        assert!(self.findings.is_empty(), "{report}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_and_mail_passes_the_accessibility_audit_on_a_desktop_and_a_phone() {
    let w = World::new(Engine::Sqlite).await;
    let bank = &w.bank;
    let base = w.site.base.clone();
    let waiting = bank.create().await;
    let offered = bank.create().await;
    bank.workflow
        .execute(bank.as_coordinator(), offer(offered, vec![bank.interpreters[0]]))
        .await
        .unwrap();
    let booked = bank.request_in(RequestStatus::Booked).await;
    let accept = support::web::token(bank, LinkAction::Accept, offered, bank.interpreters[0], vec![]).await;
    let requester = w.signed_in(bank.requester).await.cookies;
    let interpreter = w.signed_in(bank.interpreters[0]).await.cookies;
    let coordinator = w.signed_in(bank.coordinator).await.cookies;
    let interpreter_code = w.user_code(bank.interpreters[0]).await;
    let requester_code = w.user_code(bank.requester).await;
    let establishment = bank.establishment.0;

    let profile = tempfile::tempdir().unwrap();
    let mut audit = Audit::start(profile.path()).await;

    // The audit can fail: a page with a nameless field and an image without text fails it.
    let broken = audit.dir.join("broken.html");
    std::fs::write(
        &broken,
        r#"<!DOCTYPE html><html lang="fr"><head><title>x</title></head><body><main><img src="x.png"><input type="text"></main></body></html>"#,
    )
    .unwrap();
    let url = format!("file://{}", broken.display());
    audit.browser.open(&url).await;
    audit.check("broken", &url).await;
    let caught = std::mem::take(&mut audit.findings);
    for rule in ["image-alt (critical)", "label (critical)"] {
        assert!(caught.iter().any(|f| f.contains(rule)), "{rule} in {caught:?}");
    }
    audit.pages = 0;

    // Nobody signed in: signing in, a link from a message, a wrong address.
    audit.page("login", &format!("{base}/login")).await;
    audit
        .page("password-forgotten", &format!("{base}/password/forgot"))
        .await;
    audit.page("link-offer", &format!("{base}/l/{accept}")).await;
    audit.page("link-invalid", &format!("{base}/l/not-a-link")).await;
    audit.page("not-found", &format!("{base}/nowhere")).await;

    let pages = [
        (
            "requester",
            &requester,
            vec![
                ("requests", "/requests".into()),
                ("requests-by-place", "/requests?scope=location".into()),
                ("request-form", "/requests/new".into()),
                ("request", format!("/requests/{}", booked.0)),
                ("request-edit", format!("/requests/{}/edit", waiting.0)),
                ("profile", "/profile".into()),
                ("organisations", "/organisations".into()),
                ("account", "/account".into()),
                ("account-mfa", "/account/mfa".into()),
                ("not-found", "/nowhere".into()),
            ],
        ),
        (
            "interpreter",
            &interpreter,
            vec![
                ("requests", "/requests".into()),
                ("request-offered", format!("/requests/{}", offered.0)),
                ("profile", "/profile".into()),
                ("downloads", "/downloads".into()),
                ("account", "/account".into()),
            ],
        ),
        (
            "coordinator",
            &coordinator,
            vec![
                ("board", "/board".into()),
                ("requests", "/requests".into()),
                ("request", format!("/requests/{}", booked.0)),
                ("request-for-whom", "/requests/new".into()),
                ("people", "/admin/people".into()),
                (
                    "people-found",
                    "/admin/people?q=soto&role=interpreter&status=none".into(),
                ),
                ("people-none-found", "/admin/people?q=personne".into()),
                ("person-new", "/admin/people/new".into()),
                ("person-interpreter", format!("/admin/people/{interpreter_code}")),
                ("person-requester", format!("/admin/people/{requester_code}")),
                ("establishments", "/admin/establishments".into()),
                ("establishment", format!("/admin/establishments/{establishment}")),
                ("downloads", "/downloads".into()),
                ("account", "/account".into()),
            ],
        ),
    ];
    for (role, cookies, paths) in pages {
        audit.browser.open(&format!("{base}/login")).await;
        audit.browser.set_cookies(cookies.iter()).await;
        for (name, path) in paths {
            audit.page(&format!("{role}-{name}"), &format!("{base}{path}")).await;
        }
    }

    // The request form sent empty: every problem named at the top and beside its field.
    audit.browser.open(&format!("{base}/login")).await;
    audit.browser.set_cookies(requester.iter()).await;
    for (screen, width, height) in WIDTHS {
        audit.width(width, height).await;
        audit.browser.open(&format!("{base}/requests/new")).await;
        audit
            .browser
            .script("document.getElementById('date').value = ''; document.querySelector('form[action=\"/requests/new\"]').submit(); return true;")
            .await;
        audit.browser.wait_for("aria-invalid").await;
        audit
            .check(
                &format!("requester-request-form-errors-{screen}"),
                "/requests/new (sent empty)",
            )
            .await;
    }

    // How much of a desktop screen thirty requests to assign take on the board.
    for _ in 0..29 {
        bank.create().await;
    }
    audit.browser.open(&format!("{base}/login")).await;
    audit.browser.set_cookies(coordinator.iter()).await;
    audit.width(1280, 900).await;
    audit.browser.open(&format!("{base}/board")).await;
    let height = audit
        .browser
        .script("const t = document.querySelector('table'); return t ? [t.rows.length - 1, t.getBoundingClientRect().height] : [0, 0];")
        .await;
    audit.measures.push(format!(
        "board at 1280×900: {} requests to assign take {} px",
        height[0], height[1]
    ));
    audit
        .check("coordinator-board-thirty-desktop", "/board (30 requests)")
        .await;

    let mut kinds = audit.mails(&w.mail_dir).await;
    assert!(
        kinds.iter().any(|k| k == "account_activation"),
        "the mails sent on the way are audited too: {kinds:?}"
    );
    audit
        .golden_mails(include_str!("../golden/notices.txt"), &mut kinds)
        .await;
    assert!(kinds.len() > 20, "every kind of mail: {kinds:?}");
    audit
        .measures
        .push(format!("{} kinds of mail audited: {}", kinds.len(), kinds.join(", ")));
    audit.finish().await;
}
