//! The `relais` binary as a newcomer runs it: migrate, demo, bad configuration,
//! reserved commands; on the embedded default and on PostgreSQL.

mod support;

use std::path::Path;
use std::process::{Command, Output};
use support::{Engine, TestDb};

fn relais(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_relais"));
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

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Environment for a run on `engine`: nothing for the embedded default.
async fn engine_env(engine: Engine) -> (Option<TestDb>, Vec<(&'static str, String)>) {
    match engine {
        Engine::Sqlite => (None, vec![]),
        Engine::Postgres => {
            let db = TestDb::new(Engine::Postgres).await;
            let env = vec![
                ("RELAIS__DATABASE__URL", db.url.clone()),
                (
                    "RELAIS__SECURITY__SIGNING_KEY",
                    "test-signing-key-0123456789abcdef0123".to_string(),
                ),
            ];
            (Some(db), env)
        }
    }
}

on_both_engines!(
    demo_walks_a_request_through_its_whole_life,
    migrate_prepares_the_database
);

async fn demo_walks_a_request_through_its_whole_life(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let (_db, env) = engine_env(engine).await;
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let first = relais(dir.path(), &env, &["demo"]);
    let out = text(&first.stdout);
    assert!(first.status.success(), "demo failed:\n{out}\n{}", text(&first.stderr));

    let number = regex::Regex::new(r"Demande (HC-\d{2}\d{3}(\d{3})) :").unwrap();
    let caps = number
        .captures(&out)
        .unwrap_or_else(|| panic!("no request number in:\n{out}"));
    assert_eq!(&caps[2], "001", "the first request of the day");
    let order = [
        "→ new (Nouveau)",
        "→ offered",
        "→ booked (Réservé)",
        "→ modified (Modifié)",
        "→ booked",
        "→ service_rendered",
        "→ validated (Validé)",
        "→ closed (Fermé)",
    ];
    let mut at = 0;
    for step in order {
        let found = out[at..]
            .find(step)
            .unwrap_or_else(|| panic!("{step:?} missing or out of order in:\n{out}"));
        at += found + step.len();
    }
    assert!(out.contains("renseignements du patient effacés : oui"), "{out}");
    assert!(
        !out.contains("Accompagné de sa mère"),
        "the demo prints no patient details"
    );
    if engine == Engine::Sqlite {
        assert!(
            dir.path().join("data/relais.db").exists(),
            "the embedded default lives under data/"
        );
    }

    // A second run finds the bank again and books the day's next request.
    let second = relais(dir.path(), &env, &["demo"]);
    let out2 = text(&second.stdout);
    assert!(
        second.status.success(),
        "second demo failed:\n{out2}\n{}",
        text(&second.stderr)
    );
    let caps2 = number.captures(&out2).unwrap();
    assert_ne!(&caps[1], &caps2[1]);
}

async fn migrate_prepares_the_database(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let (_db, env) = engine_env(engine).await;
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    for _ in 0..2 {
        let out = relais(dir.path(), &env, &["migrate"]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert_eq!(text(&out.stdout).trim(), "migrations applied");
    }
}

#[test]
fn a_bad_setting_stops_start_up_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let out = relais(dir.path(), &[("RELAIS__WEB__BIND", "nowhere")], &["serve"]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("web.bind") && err.contains("RELAIS__WEB__BIND"), "{err}");
    assert!(!dir.path().join("data").exists(), "nothing was created");
}

#[test]
fn inspect_sms_reads_the_text_alone() {
    let dir = tempfile::tempdir().unwrap();
    for (text, expected) in [
        ("OUI #4821", serde_json::json!({"verb": "accept", "code": "4821"})),
        ("Non, désolé", serde_json::json!({"verb": "reject", "code": null})),
        (
            "Oui mais pas avant 14 h",
            serde_json::json!({"verb": "unknown", "code": null}),
        ),
        ("ARRÊT", serde_json::json!({"verb": "opt_out", "code": null})),
    ] {
        let out = relais(dir.path(), &[], &["inspect-sms", text]);
        assert!(out.status.success(), "{}", text_of(&out.stderr));
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(json, expected, "{text}");
    }
    assert!(!dir.path().join("data").exists(), "no database was opened");
}

fn text_of(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn inspect_mail_prints_what_a_mail_says_without_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("accept.eml");
    std::fs::write(
        &file,
        "Message-ID: <a1@interpretes.example>\r\nFrom: Lucia <Lucia.Ramirez@interpretes.example>\r\nTo: relais+r42.7.abcdefghijklmnop@bi.example\r\nSubject: Re: [HC-26339002] Offre\r\nIn-Reply-To: <relais.r42.p7.o9@bi.example>\r\n\r\nAccepter\r\n\r\nEnvoy\u{e9} de mon iPhone\r\n",
    )
    .unwrap();
    let out = relais(
        dir.path(),
        &[("RELAIS__MAIL__FROM_ADDRESS", "relais@bi.example")],
        &["inspect-mail", file.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["message_id"], "a1@interpretes.example");
    assert_eq!(json["from"], "lucia.ramirez@interpretes.example");
    assert_eq!(json["auto"], serde_json::Value::Null);
    assert_eq!(json["reply_key"], "r42.7.abcdefghijklmnop");
    assert_eq!(json["references"], serde_json::json!(["relais.r42.p7.o9@bi.example"]));
    assert_eq!(json["new_text"], "Accepter");
    assert_eq!(json["command"], serde_json::json!({"verb": "accept", "args": {}}));
    assert!(!dir.path().join("data").exists(), "no database was opened");
}

#[test]
fn ingest_processes_files_through_the_pipeline() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ooo.eml");
    std::fs::write(&file, "Message-ID: <o1@x.example>\r\nFrom: someone@x.example\r\nTo: relais@localhost\r\nSubject: R\u{e9}ponse automatique : absent\r\nAuto-Submitted: auto-replied\r\n\r\nAbsent.\r\n").unwrap();
    let out = relais(dir.path(), &[], &["ingest", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).trim().ends_with("auto_reply"),
        "{}",
        text(&out.stdout)
    );
    let again = relais(dir.path(), &[], &["ingest", file.to_str().unwrap()]);
    assert!(
        text(&again.stdout).trim().ends_with("duplicate"),
        "{}",
        text(&again.stdout)
    );
}
