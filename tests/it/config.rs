//! Settings: the shipped files load, the environment overrides, mistakes name their key,
//! secrets stay out of sight.

use relais::config::{ConfigError, Settings, SmsGateway};
use std::path::Path;

const DEFAULT: &str = include_str!("../../config/default.toml");
const PRODUCTION: &str = include_str!("../../config/production.example.toml");

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn error(toml: &str, pairs: &[(&str, &str)]) -> String {
    Settings::from_toml_and_env(toml, env(pairs))
        .expect_err("should be refused")
        .to_string()
}

#[test]
fn the_default_runs_as_shipped() {
    let s = Settings::load_with_env(
        Some(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/config/default.toml"))),
        env(&[]),
    )
    .unwrap();
    assert_eq!(s.web.bind.to_string(), "127.0.0.1:8080");
    assert_eq!(s.database.url.expose(), "sqlite://data/relais.db");
    assert_eq!(s.sms.gateway, SmsGateway::Log);
    assert_eq!(s.general.time_zone, chrono_tz::America::Montreal);
    assert!(!s.is_postgres());
}

#[test]
fn the_built_in_default_needs_no_file() {
    assert_eq!(
        relais::config::BUILT_IN,
        DEFAULT,
        "the binary carries config/default.toml"
    );
    let s = Settings::load_with_env(None, env(&[])).unwrap();
    assert_eq!(s.web.bind.to_string(), "127.0.0.1:8080");
    assert_eq!(s.database.url.expose(), "sqlite://data/relais.db");
}

#[test]
fn a_file_changes_only_the_keys_it_sets() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bank.toml");
    std::fs::write(
        &file,
        "[general]\nbank_name = \"SeTIS Bruxelles\"\ntime_zone = \"Europe/Brussels\"\n\n[web]\nbind = \"127.0.0.1:9000\"\n",
    )
    .unwrap();
    let s = Settings::load_with_env(Some(&file), env(&[("RELAIS__WEB__BIND", "127.0.0.1:9001")])).unwrap();
    assert_eq!(s.general.bank_name, "SeTIS Bruxelles");
    assert_eq!(s.general.time_zone, chrono_tz::Europe::Brussels);
    // The rest of [general] and every other section come from the built-in default.
    assert_eq!(s.general.request_prefix, "HC");
    assert_eq!(s.money.pay.standard_hourly.value().to_string(), "41");
    // The environment wins over the file.
    assert_eq!(s.web.bind.port(), 9001);
    assert_eq!(s.web.public_base_url, "http://127.0.0.1:8080");

    // A mistake in the file is named with the file.
    std::fs::write(&file, "[web]\nbind = \"nowhere\"\n").unwrap();
    let e = Settings::load_with_env(Some(&file), env(&[])).unwrap_err().to_string();
    assert!(e.contains("web.bind") && e.contains("bank.toml"), "{e}");
}

#[test]
fn environment_variables_override_any_key() {
    let s = Settings::from_toml_and_env(
        DEFAULT,
        env(&[
            ("RELAIS__WEB__BIND", "127.0.0.1:9090"),
            ("RELAIS__WORKFLOW__LATE_CANCELLATION_HOURS", "24"),
            ("RELAIS__GENERAL__BANK_NAME", "SeTIS Bruxelles"),
            ("RELAIS__GENERAL__TIME_ZONE", "Europe/Brussels"),
            ("RELAIS__BUSINESS_HOURS__DAYS", "[\"Mon\", \"Sat\"]"),
            ("RELAIS__SMTP__PASSWORD", "12345"),
            ("UNRELATED", "ignored"),
        ]),
    )
    .unwrap();
    assert_eq!(s.web.bind.port(), 9090);
    assert_eq!(s.workflow.late_cancellation_hours, 24);
    assert_eq!(s.general.bank_name, "SeTIS Bruxelles");
    assert_eq!(s.general.time_zone, chrono_tz::Europe::Brussels);
    assert_eq!(s.business_hours.days.len(), 2);
    assert_eq!(s.smtp.password.expose(), "12345", "a numeric password stays text");
}

#[test]
fn the_production_example_documents_a_working_setup() {
    let s = Settings::from_toml_and_env(
        PRODUCTION,
        env(&[
            ("RELAIS__SECURITY__SIGNING_KEY", "0123456789abcdef0123456789abcdef"),
            ("RELAIS__SMS__TWILIO__AUTH_TOKEN", "token"),
        ]),
    )
    .unwrap();
    assert!(s.is_postgres());
    // Without the key, several processes could not share links: refused, and said why.
    let e = error(PRODUCTION, &[("RELAIS__SMS__TWILIO__AUTH_TOKEN", "token")]);
    assert!(e.contains("security.signing_key"), "{e}");
}

#[test]
fn a_bad_value_names_its_key() {
    let e = error(DEFAULT, &[("RELAIS__WEB__BIND", "not-an-address")]);
    assert!(e.contains("web.bind") && e.contains("RELAIS__WEB__BIND"), "{e}");
    let e = error(DEFAULT, &[("RELAIS__WORKFLOW__LATE_CANCELLATION_HOURS", "soon")]);
    assert!(e.contains("workflow.late_cancellation_hours"), "{e}");
    let e = error(DEFAULT, &[("RELAIS__GENERAL__TIME_ZONE", "Mars/Olympus")]);
    assert!(e.contains("general.time_zone"), "{e}");
    let e = error(DEFAULT, &[("RELAIS__GENERAL__REQUEST_PREFIX", "hc1")]);
    assert!(e.contains("general.request_prefix"), "{e}");
    let e = error(DEFAULT, &[("RELAIS__DATABASE__URL", "mysql://root:hunter2@db/relais")]);
    assert!(e.contains("database.url") && !e.contains("hunter2"), "{e}");
    let e = error(DEFAULT, &[("RELAIS__MAIL__INBOUND", "imap")]);
    assert!(e.contains("imap.host"), "{e}");
}

#[test]
fn unknown_keys_are_refused_not_ignored() {
    let e = error(DEFAULT, &[("RELAIS__WEB__BND", "127.0.0.1:1")]);
    assert!(e.contains("bnd"), "{e}");
    let e = error(&DEFAULT.replace("[privacy]", "[privacy]\npatient_retention = 3"), &[]);
    assert!(e.contains("patient_retention"), "{e}");
    let without_log = DEFAULT.replace("[log]\nfilter = \"info,sqlx=warn\"\n", "");
    assert_ne!(without_log, DEFAULT);
    let e = error(&without_log, &[]);
    assert!(e.contains("missing field") && e.contains("log"), "{e}");
}

#[test]
fn a_missing_file_is_named() {
    let e = Settings::load_with_env(Some(Path::new("/nonexistent/relais.toml")), env(&[])).unwrap_err();
    assert!(matches!(e, ConfigError::File { .. }));
    assert!(e.to_string().contains("/nonexistent/relais.toml"));
}

#[test]
fn secrets_never_show_in_debug_output() {
    let s = Settings::from_toml_and_env(
        DEFAULT,
        env(&[
            ("RELAIS__SMTP__PASSWORD", "smtp-hunter2"),
            ("RELAIS__IMAP__PASSWORD", "imap-hunter2"),
            ("RELAIS__SECURITY__SIGNING_KEY", "signing-hunter2-signing-hunter2-xx"),
            ("RELAIS__SMS__TWILIO__AUTH_TOKEN", "twilio-hunter2"),
            ("RELAIS__SMS__KANNEL__PASSWORD", "kannel-hunter2"),
            ("RELAIS__DATABASE__URL", "sqlite://data/hunter2.db"),
        ]),
    )
    .unwrap();
    let shown = format!("{s:?} {s:#?}");
    assert!(!shown.contains("hunter2"), "a secret leaked into Debug output");
    assert!(shown.contains("<redacted>"));
}

#[test]
fn the_tariff_is_exact_and_checked_at_load() {
    let s = Settings::from_toml_and_env(DEFAULT, env(&[])).unwrap();
    assert_eq!(s.money.pay.standard_hourly.value().to_string(), "41");
    assert_eq!(s.money.pay.evening_hourly.value().to_string(), "45.1");
    assert_eq!(s.money.taxes.qst.value().to_string(), "0.09975");
    assert_eq!(s.money.billing(), &s.money.pay, "billing falls back to pay");
    let p = Settings::from_toml_and_env(
        PRODUCTION,
        env(&[
            ("RELAIS__SECURITY__SIGNING_KEY", "0123456789abcdef0123456789abcdef"),
            ("RELAIS__SMS__TWILIO__AUTH_TOKEN", "token"),
        ]),
    )
    .unwrap();
    assert_eq!(p.money.pay, s.money.pay, "the example documents the defaults");
    let s = Settings::from_toml_and_env(DEFAULT, env(&[("RELAIS__MONEY__PAY__WORD", "0.25")])).unwrap();
    assert_eq!(s.money.pay.word.value().to_string(), "0.25");

    // A bare decimal would pass through binary floating point: refused, with its key.
    let e = error(&DEFAULT.replace("word = \"0.22\"", "word = 0.22"), &[]);
    assert!(e.contains("money.pay.word") && e.contains("\"41.00\""), "{e}");
    let e = error(DEFAULT, &[("RELAIS__MONEY__PAY__STANDARD_HOURLY", "-41")]);
    assert!(e.contains("money.pay.standard_hourly"), "{e}");
    let e = error(
        &DEFAULT.replace("distance_free_km = \"10\"", "distance_free_km = -10"),
        &[],
    );
    assert!(e.contains("money.pay.distance_free_km"), "{e}");
    let e = error(DEFAULT, &[("RELAIS__MONEY__PAY__INCREMENT_MINUTES", "0")]);
    assert!(e.contains("money.pay.increment_minutes"), "{e}");
    let e = error(DEFAULT, &[("RELAIS__MONEY__TAXES__GST", "5")]);
    assert!(e.contains("money.taxes.gst") && e.contains("0.05"), "{e}");
    let e = error(DEFAULT, &[("RELAIS__MONEY__CURRENCY", "XYZ")]);
    assert!(e.contains("money.currency"), "{e}");
    let e = error(DEFAULT, &[("RELAIS__MONEY__PAY__TIP", "1")]);
    assert!(e.contains("tip"), "{e}");
    let without_money = DEFAULT.replace("[money]", "[ignored]");
    let e = error(&without_money, &[]);
    assert!(e.contains("money"), "a bank states its tariff: {e}");
}

#[test]
fn the_billing_tariff_and_its_increment_are_checked_too() {
    let pay = DEFAULT
        .split("[money.pay]")
        .nth(1)
        .and_then(|rest| rest.split("\n[").next())
        .unwrap()
        .to_string();
    let with_billing = format!("{DEFAULT}\n[money.billing]{}", pay.replace("\"41.00\"", "\"45.00\""));
    let s = Settings::from_toml_and_env(&with_billing, env(&[])).unwrap();
    assert_eq!(s.money.billing().standard_hourly.value().to_string(), "45");
    assert_eq!(s.money.pay.standard_hourly.value().to_string(), "41");
    let e = error(&with_billing, &[("RELAIS__MONEY__BILLING__INCREMENT_MINUTES", "0")]);
    assert!(e.contains("money.billing.increment_minutes"), "{e}");
}

#[test]
fn the_outbox_lease_grace_and_instance_have_defaults_and_limits() {
    let s = Settings::from_toml_and_env(DEFAULT, env(&[])).unwrap();
    assert_eq!(s.workers.outbox_lease_seconds, 300);
    assert_eq!(s.workers.shutdown_grace_seconds, 10);
    assert_eq!(s.workers.instance, "");
    // A file written before these keys existed still loads, with the same defaults.
    let older = DEFAULT
        .lines()
        .filter(|l| {
            !l.starts_with("outbox_lease_seconds")
                && !l.starts_with("shutdown_grace_seconds")
                && !l.starts_with("instance")
        })
        .collect::<Vec<_>>()
        .join("\n");
    let s = Settings::from_toml_and_env(&older, env(&[])).unwrap();
    assert_eq!(
        (s.workers.outbox_lease_seconds, s.workers.shutdown_grace_seconds),
        (300, 10)
    );
    assert!(error(DEFAULT, &[("RELAIS__WORKERS__OUTBOX_LEASE_SECONDS", "0")]).contains("workers.outbox_lease_seconds"));
    assert!(error(DEFAULT, &[("RELAIS__WORKERS__INSTANCE", "relais 1")]).contains("workers.instance"));
    let s = Settings::from_toml_and_env(DEFAULT, env(&[("RELAIS__WORKERS__INSTANCE", "relais-1")])).unwrap();
    assert_eq!(s.workers.instance, "relais-1");
}
