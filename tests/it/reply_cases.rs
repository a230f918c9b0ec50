//! Every reply case in mailbox-fixtures/replies/ read as Relais reads it, compared with the
//! new text written in the case (format: mailbox-fixtures/replies/README.md).
//!
//! - `.txt`: the body goes to `quote::split_reply`.
//! - `.html`: the body goes to `quote::html_to_text`, then `split_reply`.
//! - `.eml`: the whole message goes to `reading::read`, as the mail pipeline reads it
//!   (MIME parts, transfer encodings, charsets), and its `reply` is compared.

use crate::support::reply_case;

use chrono::{TimeZone, Utc};
use relais::inbound::mail::quote::{ReplyParts, html_to_text, split_reply};
use relais::inbound::mail::reading::{ReadContext, read};
use reply_case::{Case, Kind, Older, cases_dir, parse_case, read_case};

/// The folder holds at least this many cases: raise it when you add some, so that a
/// deleted or misnamed case is noticed.
const MIN_CASES: usize = 160;

/// What Relais reads of the case's reply.
fn read_reply(case: &Case) -> ReplyParts {
    match case.kind {
        Kind::Text => split_reply(&String::from_utf8_lossy(&case.reply)),
        Kind::Html => split_reply(&html_to_text(&String::from_utf8_lossy(&case.reply))),
        Kind::Eml => {
            let ctx = ReadContext {
                relais_local_part: "relais".into(),
                time_zone: chrono_tz::America::Montreal,
            };
            let received = Utc.with_ymd_and_hms(2026, 12, 1, 14, 0, 0).unwrap();
            read(&case.reply, &ctx, received).reply
        }
    }
}

/// A text for a failure message: escaped, and cut if it is very long.
fn shown(text: &str) -> String {
    const MAX: usize = 1_500;
    if text.len() <= MAX {
        return format!("{text:?}");
    }
    let mut end = MAX;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{:?}… ({} bytes in all)", &text[..end], text.len())
}

/// What differs between the case and what Relais read, one line each.
fn differences(case: &Case, actual: &ReplyParts) -> Vec<String> {
    let mut out = Vec::new();
    if actual.new_text != case.new_text {
        out.push(format!(
            "  new text expected: {}\n  new text   actual: {}",
            shown(&case.new_text),
            shown(&actual.new_text)
        ));
    }
    match &case.older {
        Older::Unchecked => {}
        Older::None if actual.older.is_empty() => {}
        Older::None => out.push(format!("  expected no older part, read {}", shown(&actual.older[0]))),
        Older::StartsWith(start) if actual.older.first().is_some_and(|o| o.starts_with(start.as_str())) => {}
        Older::StartsWith(start) => out.push(format!(
            "  first older part expected to start with: {}\n  first older part actual: {}",
            shown(start),
            actual.older.first().map_or("(none)".to_owned(), |o| shown(o))
        )),
    }
    out
}

#[test]
fn every_reply_case_reads_as_written() {
    let dir = cases_dir();
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.file_name().is_some_and(|n| n != "README.md"))
        .collect();
    paths.sort();
    let mut failures = Vec::new();
    let mut count = 0;
    for path in &paths {
        let name = path.file_name().unwrap().to_string_lossy();
        let case = match read_case(path) {
            Ok(case) => case,
            Err(e) => {
                failures.push(format!("{name}: unreadable case: {e}"));
                continue;
            }
        };
        count += 1;
        let diffs = differences(&case, &read_reply(&case));
        if !diffs.is_empty() {
            failures.push(format!(
                "{name} ({}; {})\n{}",
                case.pattern,
                case.client,
                diffs.join("\n")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} reply cases differ:\n\n{}",
        failures.len(),
        paths.len(),
        failures.join("\n\n")
    );
    assert!(
        count >= MIN_CASES,
        "only {count} reply cases in {}, fewer than {MIN_CASES}: was a case deleted?",
        dir.display()
    );
    println!("{count} reply cases read as written");
}

// The format itself: a mistake in a case file is reported, never skipped.

const HEAD: &str = "pattern: p\nclient: c\nlanguage: fr\n";

#[test]
fn a_case_file_is_read_section_by_section() {
    let case = parse_case(
        Kind::Text,
        format!("{HEAD}# a comment\n=== reply\nOui\r\n\r\n> Bonjour\r\n=== new\nOui\n\n=== older starts with\nBon\n")
            .as_bytes(),
    )
    .unwrap();
    assert_eq!(case.reply, b"Oui\r\n\r\n> Bonjour");
    assert_eq!(case.new_text, "Oui");
    assert_eq!(case.older, Older::StartsWith("Bon".into()));
    assert_eq!(
        (case.pattern.as_str(), case.client.as_str(), case.language.as_str()),
        ("p", "c", "fr")
    );

    // A mail's bytes are kept as they are, in any charset (here ISO-8859-1).
    let bytes = [HEAD.as_bytes(), b"=== reply\n\xe9t\xe9\n=== new\n=== no older\n"].concat();
    let case = parse_case(Kind::Eml, &bytes).unwrap();
    assert_eq!(case.reply, b"\xe9t\xe9");
    assert_eq!(case.new_text, "");
    assert_eq!(case.older, Older::None);
}

#[test]
fn a_malformed_case_file_is_an_error() {
    for (text, error) in [
        (format!("{HEAD}=== new\nOui\n"), "no `=== reply`"),
        (format!("{HEAD}=== reply\nOui\n"), "no `=== new`"),
        (format!("{HEAD}=== reply\nOui\n=== nouveau\nOui\n"), "unknown marker"),
        (format!("{HEAD}=== reply\nOui\n=== new\nOui\n=== new\nOui\n"), "twice"),
        (format!("{HEAD}=== new\nOui\n=== reply\nOui\n"), "first section"),
        (
            format!("{HEAD}=== reply\nOui\n=== new\nOui\n=== older starts with\n\n"),
            "empty",
        ),
        (
            format!("{HEAD}=== reply\nOui\n=== new\nOui\n=== no older\nx\n"),
            "must be empty",
        ),
        (
            format!("{HEAD}=== reply\nOui\n=== new\nOui\n=== older starts with\nx\n=== no older\n"),
            "contradict",
        ),
        (
            "pattern: p\nclient: c\n=== reply\nOui\n=== new\nOui\n".to_owned(),
            "language",
        ),
        (
            format!("{HEAD}lang: fr\n=== reply\nOui\n=== new\nOui\n"),
            "unknown field",
        ),
    ] {
        let result = parse_case(Kind::Text, text.as_bytes());
        assert!(
            result.as_ref().is_err_and(|e| e.contains(error)),
            "{text:?}: expected an error with {error:?}, got {result:?}"
        );
    }
    assert!(Kind::from_path(std::path::Path::new("x.text")).is_none());
}
