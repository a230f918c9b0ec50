//! The `relais` binary as a newcomer runs it: from an empty folder, with no file beside
//! it (the built-in default), migrate, demo, inspect, config, backup, bad configuration;
//! on the embedded default and on PostgreSQL.

use crate::support;

use std::path::Path;
use std::process::{Command, Output};
use support::{Engine, TestDb};

/// `relais ARGS` run in `dir`, which holds no configuration file unless the test puts one.
fn relais(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_relais"));
    cmd.current_dir(dir)
        .args(args)
        .env_remove("RUST_LOG")
        .env_remove("RELAIS_CONFIG");
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
    // It starts by saying where its data goes.
    let here = dir.path().canonicalize().unwrap();
    assert!(out.starts_with("settings     built-in default\n"), "{out}");
    match engine {
        Engine::Sqlite => {
            let line = format!("database     SQLite, {}/data/relais.db\n", here.display());
            assert!(out.contains(&line), "{out}");
            let line = format!("mail out     {}/data/mail/sent/*.eml\n", here.display());
            assert!(out.contains(&line), "{out}");
        }
        Engine::Postgres => assert!(out.contains("database     PostgreSQL\n"), "{out}"),
    }

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
    // The history names the channels each step really went through: the mail and SMS
    // pipelines, the web, and Relais's own timers; no step is said to come by link or CLI.
    let history = &out[out.find("Historique de").expect("the history")..];
    let channels: std::collections::BTreeSet<&str> = history
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().last())
        .collect();
    assert_eq!(
        channels,
        ["email", "sms", "system", "web"].into_iter().collect(),
        "{history}"
    );
    assert!(
        out.contains("OUI (SMS)") && out.contains("accepted"),
        "the SMS pipeline's answer: {out}"
    );
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

#[test]
fn config_shows_each_value_with_its_source_and_hides_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let secret = [
        ("RELAIS__SMTP__PASSWORD", "hunter2-smtp"),
        ("RELAIS__WEB__BIND", "127.0.0.1:9123"),
    ];
    let out = relais(dir.path(), &secret, &["config"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    assert!(
        shown.contains("bank_name = \"Banque d'interprètes (démo)\"  # built-in"),
        "{shown}"
    );
    assert!(
        shown.contains("bind = \"127.0.0.1:9123\"  # environment variable RELAIS__WEB__BIND"),
        "{shown}"
    );
    assert!(shown.contains("password = \"<redacted>\""), "{shown}");
    assert!(!shown.contains("hunter2"), "{shown}");

    // config/default.toml in the folder is layered over the built-in default…
    std::fs::create_dir(dir.path().join("config")).unwrap();
    std::fs::write(
        dir.path().join("config/default.toml"),
        "[general]\nbank_name = \"SeTIS Bruxelles\"\n",
    )
    .unwrap();
    let shown = text(&relais(dir.path(), &[], &["config"]).stdout);
    assert!(
        shown.contains("bank_name = \"SeTIS Bruxelles\"  # file config/default.toml"),
        "{shown}"
    );
    assert!(shown.contains("request_prefix = \"HC\"  # built-in"), "{shown}");
    // …and a file named on the command line or in RELAIS_CONFIG replaces it.
    std::fs::write(dir.path().join("bank.toml"), "[general]\nbank_name = \"Autre\"\n").unwrap();
    let shown = text(&relais(dir.path(), &[], &["--config", "bank.toml", "config"]).stdout);
    assert!(shown.contains("bank_name = \"Autre\"  # file bank.toml"), "{shown}");
    let shown = text(&relais(dir.path(), &[("RELAIS_CONFIG", "bank.toml")], &["config"]).stdout);
    assert!(shown.contains("bank_name = \"Autre\"  # file bank.toml"), "{shown}");
    // A file that is named must exist.
    let out = relais(dir.path(), &[], &["--config", "missing.toml", "config"]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("missing.toml"), "{}", text(&out.stderr));
}

#[tokio::test]
async fn backup_copies_the_database_while_it_is_in_use() {
    let dir = tempfile::tempdir().unwrap();
    let out = relais(dir.path(), &[], &["demo"]);
    assert!(out.status.success(), "{}", text(&out.stderr));

    // A writer holds an open transaction with changes it has not committed.
    let url = format!("sqlite://{}/data/relais.db", dir.path().display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    let committed: i64 = sqlx::query_scalar("SELECT sum(version) FROM requests")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(committed >= 1, "the demo wrote a request");
    let mut writer = pool.begin().await.unwrap();
    sqlx::query("UPDATE requests SET version = version + 1")
        .execute(&mut *writer)
        .await
        .unwrap();

    let out = relais(dir.path(), &[], &["backup", "copy.db"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).starts_with("copy.db written"),
        "{}",
        text(&out.stdout)
    );
    writer.rollback().await.unwrap();

    // The copy is a whole database with what was committed, and Relais runs on it.
    let copy = sqlx::SqlitePool::connect(&format!("sqlite://{}/copy.db", dir.path().display()))
        .await
        .unwrap();
    let copied: i64 = sqlx::query_scalar("SELECT sum(version) FROM requests")
        .fetch_one(&copy)
        .await
        .unwrap();
    assert_eq!(copied, committed);
    let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&copy)
        .await
        .unwrap();
    assert_eq!(integrity, "ok");
    let migrate = relais(
        dir.path(),
        &[("RELAIS__DATABASE__URL", "sqlite://copy.db")],
        &["migrate"],
    );
    assert!(migrate.status.success(), "{}", text(&migrate.stderr));

    // Never over an existing file; never an empty database made up.
    let again = relais(dir.path(), &[], &["backup", "copy.db"]);
    assert!(!again.status.success());
    assert!(
        text(&again.stderr).contains("already exists"),
        "{}",
        text(&again.stderr)
    );
    let empty = tempfile::tempdir().unwrap();
    let none = relais(empty.path(), &[], &["backup", "copy.db"]);
    assert!(!none.status.success());
    assert!(text(&none.stderr).contains("no database"), "{}", text(&none.stderr));
    assert!(!empty.path().join("data").exists());
}

#[test]
fn backup_points_postgres_users_to_pg_dump() {
    let dir = tempfile::tempdir().unwrap();
    let env = [
        ("RELAIS__DATABASE__URL", "postgres://relais@127.0.0.1:1/relais"),
        ("RELAIS__SECURITY__SIGNING_KEY", "test-signing-key-0123456789abcdef0123"),
    ];
    let out = relais(dir.path(), &env, &["backup", "copy.db"]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("pg_dump"), "{}", text(&out.stderr));
}

#[test]
fn help_reads_as_product_text() {
    let out = relais(Path::new("."), &[], &["--help"]);
    let help = text(&out.stdout);
    assert!(help.contains("inspect-mail") && help.contains("backup") && help.contains("config"));
    assert!(!help.contains("issue"), "{help}");
}
