//! Every fixture in mailbox-fixtures/ read as `relais inspect-mail` reads it, compared with
//! the JSON written beside it by hand.

use chrono::{TimeZone, Utc};
use relais::inbound::mail::reading::{ReadContext, read};
use serde_json::Value;
use std::path::Path;

/// `"message": "*"` in an expected field error matches any message.
fn matches(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::String(e), Value::String(_)) if e == "*" => true,
        (Value::Object(e), Value::Object(a)) => {
            e.len() == a.len() && e.iter().all(|(k, v)| a.get(k).is_some_and(|av| matches(v, av)))
        }
        (Value::Array(e), Value::Array(a)) => e.len() == a.len() && e.iter().zip(a).all(|(x, y)| matches(x, y)),
        _ => expected == actual,
    }
}

#[test]
fn every_fixture_reads_as_expected() {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/mailbox-fixtures"));
    let ctx = ReadContext {
        relais_local_part: "relais".into(),
        time_zone: chrono_tz::America::Montreal,
    };
    // Fixtures without a Date header resolve relative dates against this.
    let received = Utc.with_ymd_and_hms(2026, 12, 1, 14, 0, 0).unwrap();
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    names.sort();
    let mut failures = Vec::new();
    for path in &names {
        let expected_path = path.with_extension("expected.json");
        let expected: Value = serde_json::from_str(
            &std::fs::read_to_string(&expected_path)
                .unwrap_or_else(|_| panic!("{} has no {}", path.display(), expected_path.display())),
        )
        .unwrap_or_else(|e| panic!("{}: {e}", expected_path.display()));
        let actual = read(&std::fs::read(path).unwrap(), &ctx, received).to_json();
        if !matches(&expected, &actual) {
            let mut diff = Vec::new();
            if let (Value::Object(e), Value::Object(a)) = (&expected, &actual) {
                for (k, v) in e {
                    if !a.get(k).is_some_and(|av| matches(v, av)) {
                        diff.push(format!(
                            "  {k}: expected {v}\n  {k}:   actual {}",
                            a.get(k).unwrap_or(&Value::Null)
                        ));
                    }
                }
            }
            failures.push(format!(
                "{}\n{}",
                path.file_name().unwrap().to_string_lossy(),
                diff.join("\n")
            ));
        }
    }
    assert!(names.len() >= 60, "only {} fixtures", names.len());
    assert!(
        failures.is_empty(),
        "{} of {} fixtures differ:\n{}",
        failures.len(),
        names.len(),
        failures.join("\n")
    );
    println!("{} fixtures read as expected", names.len());
}
