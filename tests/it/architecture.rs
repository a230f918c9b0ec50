//! The layers point one way (docs/architecture.md): this test reads every source file and
//! fails on an import that breaks the rules below. Comments and doc comments do not count.

use std::path::{Path, PathBuf};

/// (layer, what it must not use, why).
const RULES: &[(&str, &[&str], &str)] = &[
    (
        "domain",
        &[
            "crate::store",
            "crate::workflow",
            "crate::inbound",
            "crate::outbound",
            "crate::web",
            "crate::reports",
            "crate::billing",
            "crate::scheduler",
            "crate::security",
            "crate::app",
            "crate::cli",
            "sqlx",
            "tokio",
            "axum",
            "reqwest",
            "lettre",
            "async_imap",
            "std::fs",
            "std::net",
        ],
        "the domain is values and rules: no I/O, and nothing above it",
    ),
    (
        "store",
        &[
            "crate::web",
            "crate::reports",
            "crate::billing",
            "crate::inbound",
            "crate::outbound",
            "crate::workflow",
            "crate::scheduler",
        ],
        "the store keeps rows; what they mean for a page, a file or a message is decided above it",
    ),
    (
        "security",
        &[
            "crate::store",
            "crate::workflow",
            "crate::inbound",
            "crate::outbound",
            "crate::web",
        ],
        "keys and tokens are pure functions of their inputs",
    ),
    (
        "workflow",
        &[
            "crate::inbound",
            "crate::outbound",
            "crate::web",
            "crate::scheduler",
            "crate::app",
            "crate::cli",
        ],
        "the workflow is called by the channels, never the other way",
    ),
    (
        "inbound",
        &["crate::web", "crate::app", "crate::cli"],
        "a message's reading does not depend on how it arrived",
    ),
    (
        "outbound",
        &["crate::inbound", "crate::web", "crate::app", "crate::cli"],
        "sending renders what the workflow queued; it reads no incoming message",
    ),
    (
        "forms",
        &[
            "crate::inbound",
            "crate::outbound",
            "crate::web",
            "crate::workflow",
            "crate::store",
            "crate::app",
            "crate::cli",
            "sqlx",
            "tokio",
            "axum",
        ],
        "a form is read and rendered the same by mail and on the web: it knows neither",
    ),
    (
        "reports",
        &["crate::web", "crate::inbound", "crate::outbound", "crate::billing"],
        "exports are pure writers over the store's rows",
    ),
    (
        "billing",
        &["crate::web", "crate::inbound", "crate::outbound", "crate::reports"],
        "billing is pure arithmetic over the store's items",
    ),
];

/// Imports allowed for now, each with the file that makes it, until the work named moves
/// the code. A listed import that is no longer made fails too: remove it from here.
const KNOWN: &[(&str, &str, &str)] = &[];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of a file without its comments (line and doc comments dropped) and without
/// its tests (a file's `#[cfg(test)]` module comes last; tests may touch files).
fn code_of(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or("");
    text.lines()
        .map(|line| match line.find("//") {
            // A `//` inside a string (a URL) is rare in these paths; good enough here.
            Some(at) if !line[..at].contains('"') => &line[..at],
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Whether `code` uses the path `forbidden` (`crate::web`, `sqlx`…) as a path.
fn uses(code: &str, forbidden: &str) -> bool {
    let mut rest = code;
    while let Some(at) = rest.find(forbidden) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + forbidden.len()..].chars().next();
        let starts = before.is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == ':'));
        let ends = after.is_some_and(|c| c == ':' || c == ';' || c == ',' || c == '}');
        if starts && ends {
            return true;
        }
        rest = &rest[at + forbidden.len()..];
    }
    false
}

#[test]
fn layers_point_one_way() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut broken = Vec::new();
    let mut known_seen = vec![false; KNOWN.len()];
    for (layer, forbidden, why) in RULES {
        let mut files = Vec::new();
        let folder = src.join(layer);
        if folder.is_dir() {
            rust_files(&folder, &mut files);
        }
        let single = src.join(format!("{layer}.rs"));
        if single.is_file() {
            files.push(single);
        }
        assert!(!files.is_empty(), "no source for the layer {layer}");
        for file in files {
            let code = code_of(&std::fs::read_to_string(&file).unwrap());
            let name = file.strip_prefix(&src).unwrap().display().to_string();
            for path in *forbidden {
                if !uses(&code, path) {
                    continue;
                }
                match KNOWN.iter().position(|(f, p, _)| *f == name && p == path) {
                    Some(i) => known_seen[i] = true,
                    None => broken.push(format!("src/{name} uses {path}: {why}")),
                }
            }
        }
    }
    assert!(broken.is_empty(), "imports against the layers:\n{}", broken.join("\n"));
    let stale: Vec<_> = KNOWN
        .iter()
        .zip(&known_seen)
        .filter(|(_, seen)| !**seen)
        .map(|((f, p, _), _)| format!("{f} → {p}"))
        .collect();
    assert!(
        stale.is_empty(),
        "allowed imports no longer made; remove them from KNOWN: {stale:?}"
    );
}

#[test]
fn the_checker_sees_a_use_and_ignores_comments() {
    assert!(uses("use crate::web::links;", "crate::web"));
    assert!(uses("let x = crate::web::f();", "crate::web"));
    assert!(!uses("use crate::webhooks;", "crate::web"));
    assert!(!uses("use crate::domain::web_form;", "crate::web"));
    assert!(uses("use sqlx::Row;", "sqlx"));
    assert!(!uses("let sqlxish = 1;", "sqlx"));
    assert!(!uses(
        &code_of("/// see [`crate::web::links`]\nfn f() {}"),
        "crate::web"
    ));
}
