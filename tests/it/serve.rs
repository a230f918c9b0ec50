//! `relais serve` as a process: health, metrics, graceful stop on SIGTERM, and several
//! processes sharing one PostgreSQL database.

use crate::support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};
use support::process::RelaisProcess;
use support::{Engine, TestDb};

/// `relais serve` in `dir` with `env` on top, sweeping every second.
fn spawn(dir: &Path, env: &[(&str, String)]) -> RelaisProcess {
    let mut all = vec![("RELAIS__WORKERS__SWEEP_INTERVAL_SECONDS", "1".to_string())];
    all.extend(env.iter().map(|(k, v)| (*k, v.clone())));
    RelaisProcess::spawn(dir, &all)
}

/// A plain HTTP/1.0 GET: (status, body), or None if nothing answers.
fn get(port: u16, path: &str) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let status = response.split_whitespace().nth(1)?.parse().ok()?;
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Some((status, body))
}

/// Waits until `process` answers `/healthz`; returns its port.
fn wait_healthy(process: &mut RelaisProcess) -> u16 {
    let port = process.port();
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Some((200, body)) = get(port, "/healthz") {
            assert_eq!(body, "ok\n");
            return port;
        }
        if let Ok(Some(status)) = process.child.try_wait() {
            panic!("relais serve exited with {status}:\n{}", process.log());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("relais serve did not become healthy on port {port}:\n{}", process.log());
}

/// Stops `process` with SIGTERM and returns what it logged.
fn terminate(process: RelaisProcess) -> String {
    process.terminate(Duration::from_secs(15))
}

#[test]
fn serves_health_and_metrics_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = spawn(dir.path(), &[]);
    let port = wait_healthy(&mut child);
    let (status, metrics) = get(port, "/metrics").unwrap();
    assert_eq!(status, 200);
    assert!(metrics.contains("relais_requests{status=\"new\"} 0"), "{metrics}");
    assert!(metrics.contains("# TYPE relais_requests gauge"));
    assert!(
        metrics.contains("relais_outbox_messages{channel=\"sms\",status=\"dead\"} 0"),
        "{metrics}"
    );
    assert!(
        metrics.contains("relais_outbox_retries{channel=\"email\"} 0"),
        "{metrics}"
    );
    assert_eq!(get(port, "/nowhere").unwrap().0, 404);
    // The front door sends whoever is not signed in to the sign-in page.
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(stream, "GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.0 303"), "{response}");
    assert!(
        response.to_ascii_lowercase().contains("\r\nlocation: /login\r\n"),
        "{response}"
    );
    assert!(
        dir.path().join("data/signing.key").exists(),
        "the embedded default made its signing key"
    );
    let log = terminate(child);
    // Written to a pipe, not a terminal: plain text, no colour codes.
    assert!(log.contains("relais is listening"), "{log}");
    assert!(!log.contains('\u{1b}'), "colour codes in a piped log:\n{log:?}");
}

#[test]
fn json_logs_for_log_collectors() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = spawn(dir.path(), &[("RELAIS__LOG__FORMAT", "json".to_string())]);
    let port = wait_healthy(&mut child);
    let log = terminate(child);
    let events: Vec<serde_json::Value> = log
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let listening = events
        .iter()
        .find(|e| e["fields"]["message"] == "relais is listening")
        .unwrap_or_else(|| panic!("no start event in:\n{log}"));
    assert_eq!(listening["level"], "INFO");
    assert!(
        listening["fields"]["address"]
            .as_str()
            .is_some_and(|a| a.ends_with(&port.to_string()))
    );
    assert!(listening["timestamp"].is_string());
}

/// Two processes on one PostgreSQL database: both migrate at once, both serve, and both
/// report what either of them (or the demo) wrote.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_processes_share_one_postgres() {
    let db = TestDb::new(Engine::Postgres).await;
    let env = vec![
        ("RELAIS__DATABASE__URL", db.url.clone()),
        (
            "RELAIS__SECURITY__SIGNING_KEY",
            "test-signing-key-0123456789abcdef0123".to_string(),
        ),
    ];
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let mut children: Vec<RelaisProcess> = dirs.iter().map(|dir| spawn(dir.path(), &env)).collect();
    let ports: Vec<u16> = children.iter_mut().map(wait_healthy).collect();
    let demo = Command::new(env!("CARGO_BIN_EXE_relais"))
        .current_dir(dirs[0].path())
        .arg("--config")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/config/default.toml"))
        .arg("demo")
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .output()
        .unwrap();
    assert!(demo.status.success(), "{}", String::from_utf8_lossy(&demo.stderr));
    for port in ports {
        let (_, metrics) = get(port, "/metrics").unwrap();
        assert!(
            metrics.contains("relais_requests{status=\"closed\"} 1"),
            "port {port}:\n{metrics}"
        );
    }
    for child in children {
        terminate(child);
    }
}

/// The headers every answer carries, whoever answered.
const SECURITY_HEADERS: [(&str, &str); 5] = [
    ("cache-control", "no-store"),
    ("referrer-policy", "no-referrer"),
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("x-robots-tag", "noindex, nofollow"),
];

fn has_security_headers(what: &str, answer: &support::web::Answer) {
    for (name, value) in SECURITY_HEADERS {
        assert_eq!(
            answer.headers.get(name).and_then(|v| v.to_str().ok()),
            Some(value),
            "{what} ({}) lacks {name}",
            answer.status
        );
    }
    let csp = answer
        .headers
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("{what} lacks a Content-Security-Policy"));
    assert!(
        csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"),
        "{what}: {csp}"
    );
}

/// Pages, errors, health, metrics and webhooks' plain text: every answer leaves with the
/// security headers, not only the pages that remembered to set them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answer_carries_the_security_headers() {
    let bank = support::TestBank::new(Engine::Sqlite).await;
    let site = support::web::Site::start(&bank).await;
    let not_found = site.get("/nowhere", "").await;
    assert_eq!(not_found.status, 404);
    has_security_headers("the bank's 404 page", &not_found);
    let health = site.get("/healthz", "").await;
    assert_eq!((health.status, health.body.as_str()), (200, "ok\n"));
    has_security_headers("/healthz", &health);
    let metrics = site.get("/metrics", "").await;
    assert_eq!(metrics.status, 200);
    has_security_headers("/metrics", &metrics);
    let twilio = site.post("/webhooks/sms/twilio", "", &[("Body", "OUI")]).await;
    assert_eq!(twilio.status, 403, "{}", twilio.body);
    has_security_headers("a webhook's plain-text answer", &twilio);
    let kannel = site.get("/webhooks/sms/kannel?text=OUI", "").await;
    has_security_headers("Kannel's webhook", &kannel);
    let login = site.get("/login", "").await;
    assert_eq!(login.status, 200);
    has_security_headers("the sign-in page", &login);
    let wrong_method = site.post("/healthz", "", &[]).await;
    assert_eq!(wrong_method.status, 405);
    has_security_headers("a wrong method", &wrong_method);
}

/// With `metrics.bearer_token`, `/metrics` answers 401 without the token (or with a wrong
/// one) and 200 with `Authorization: Bearer TOKEN`; health stays open.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_can_ask_for_a_bearer_token() {
    const TOKEN: &str = "scrape-me-0123456789";
    let bank = support::TestBank::new(Engine::Sqlite).await;
    let site = support::web::Site::start_with(&bank, &[("RELAIS__METRICS__BEARER_TOKEN", TOKEN.to_string())]).await;
    let url = format!("{}/metrics", site.base);
    let bare = site.send(site.client.get(&url)).await;
    assert_eq!(bare.status, 401, "{}", bare.body);
    assert!(bare.headers["www-authenticate"].to_str().unwrap().starts_with("Bearer"));
    assert!(!bare.body.contains("relais_requests"), "{}", bare.body);
    has_security_headers("/metrics refused", &bare);
    for wrong in [
        "Bearer scrape-me",
        "Bearer scrape-me-0123456789x",
        "Basic c2NyYXBlLW1l",
        TOKEN,
    ] {
        let refused = site.send(site.client.get(&url).header("authorization", wrong)).await;
        assert_eq!(refused.status, 401, "{wrong}");
    }
    let allowed = site
        .send(site.client.get(&url).header("authorization", format!("Bearer {TOKEN}")))
        .await;
    assert_eq!(allowed.status, 200, "{}", allowed.body);
    assert!(
        allowed.body.contains("relais_requests{status=\"new\"}"),
        "{}",
        allowed.body
    );
    assert_eq!(site.get("/healthz", "").await.status, 200);
}

/// With `metrics.bind`, `/metrics` lives on that address alone: the pages' address no
/// longer serves it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_can_listen_on_an_address_of_their_own() {
    let bank = support::TestBank::new(Engine::Sqlite).await;
    let site = support::web::Site::start_with(&bank, &[("RELAIS__METRICS__BIND", "127.0.0.1:0".to_string())]).await;
    let port = site.metrics_port().expect("metrics on an address of their own");
    assert_eq!(site.get("/metrics", "").await.status, 404, "not on the pages' address");
    let own = site
        .send(site.client.get(format!("http://127.0.0.1:{port}/metrics")))
        .await;
    assert_eq!(own.status, 200, "{}", own.body);
    assert!(own.body.contains("relais_build_info"), "{}", own.body);
    has_security_headers("/metrics on its own address", &own);
    let elsewhere = site
        .send(site.client.get(format!("http://127.0.0.1:{port}/login")))
        .await;
    assert_eq!(elsewhere.status, 404, "only /metrics there");
}
