//! One reply case of `mailbox-fixtures/replies/`, read from its file. The format is described
//! in `mailbox-fixtures/replies/README.md`; `tests/it/reply_cases.rs` runs every case and
//! `benches/inbound.rs` times some of them.

use std::path::{Path, PathBuf};

/// The folder of reply cases.
pub fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("mailbox-fixtures/replies")
}

/// How the reply arrives, from the file's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `.txt`: a plain-text body.
    Text,
    /// `.html`: an HTML body.
    Html,
    /// `.eml`: a whole message, headers and MIME parts included.
    Eml,
}

impl Kind {
    pub fn from_path(path: &Path) -> Option<Kind> {
        match path.extension()?.to_str()? {
            "txt" => Some(Kind::Text),
            "html" => Some(Kind::Html),
            "eml" => Some(Kind::Eml),
            _ => None,
        }
    }
}

/// What is checked of the older (quoted) parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Older {
    /// No `=== older starts with` nor `=== no older` section: not checked.
    Unchecked,
    /// `=== no older`: there is no older part.
    None,
    /// `=== older starts with`: the first older part starts with this text.
    StartsWith(String),
}

/// One case, read from its file.
#[derive(Debug, Clone)]
pub struct Case {
    pub kind: Kind,
    pub pattern: String,
    pub client: String,
    pub language: String,
    /// The reply exactly as it arrives: bytes, since a mail may be in any charset.
    pub reply: Vec<u8>,
    /// The new text Relais must read, exactly.
    pub new_text: String,
    pub older: Older,
}

const REPLY: &str = "=== reply";
const NEW: &str = "=== new";
const OLDER_STARTS_WITH: &str = "=== older starts with";
const NO_OLDER: &str = "=== no older";
const MARKERS: [&str; 4] = [REPLY, NEW, OLDER_STARTS_WITH, NO_OLDER];

/// Reads the case file at `path`.
pub fn read_case(path: &Path) -> Result<Case, String> {
    let kind = Kind::from_path(path).ok_or("the name must end in .txt, .html or .eml")?;
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    parse_case(kind, &bytes)
}

/// Parses a case file's bytes (see `mailbox-fixtures/replies/README.md`).
pub fn parse_case(kind: Kind, bytes: &[u8]) -> Result<Case, String> {
    // Cut the file at its marker lines: (marker, first byte after the marker line).
    let mut markers: Vec<(&str, usize, usize)> = Vec::new();
    let mut start = 0;
    while start < bytes.len() {
        let end = bytes[start..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |p| start + p + 1);
        let line = &bytes[start..end];
        if line.starts_with(b"=== ") {
            let text = String::from_utf8_lossy(line);
            let text = text.trim_end();
            let marker = MARKERS
                .iter()
                .find(|m| **m == text)
                .ok_or_else(|| format!("unknown marker line {text:?} (known: {})", MARKERS.join(", ")))?;
            if markers.iter().any(|(m, _, _)| m == marker) {
                return Err(format!("{marker} appears twice"));
            }
            markers.push((marker, start, end));
        }
        start = end;
    }
    let section = |marker: &str| -> Option<&[u8]> {
        let at = markers.iter().position(|(m, _, _)| *m == marker)?;
        let from = markers[at].2;
        let to = markers.get(at + 1).map_or(bytes.len(), |next| next.1);
        Some(without_last_line_break(&bytes[from..to]))
    };
    let head_end = markers.first().map_or(bytes.len(), |m| m.1);
    let head = std::str::from_utf8(&bytes[..head_end]).map_err(|_| "the lines before `=== reply` are not UTF-8")?;
    let (mut pattern, mut client, mut language) = (None, None, None);
    for line in head
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let (key, value) = line
            .split_once(':')
            .ok_or_else(|| format!("{line:?} is not `key: value`"))?;
        let slot = match key.trim() {
            "pattern" => &mut pattern,
            "client" => &mut client,
            "language" => &mut language,
            other => return Err(format!("unknown field {other:?} (known: pattern, client, language)")),
        };
        if slot.is_some() {
            return Err(format!("field {key:?} appears twice"));
        }
        let value = value.trim();
        if value.is_empty() {
            return Err(format!("field {key:?} is empty"));
        }
        *slot = Some(value.to_owned());
    }
    let reply = section(REPLY).ok_or("no `=== reply` section")?.to_vec();
    if markers.first().is_some_and(|m| m.0 != REPLY) {
        return Err("`=== reply` must be the first section".into());
    }
    let new_text = expected_text(section(NEW).ok_or("no `=== new` section")?, NEW)?;
    let older = match (section(OLDER_STARTS_WITH), section(NO_OLDER)) {
        (Some(_), Some(_)) => return Err(format!("{OLDER_STARTS_WITH} and {NO_OLDER} contradict each other")),
        (Some(text), None) => {
            let text = expected_text(text, OLDER_STARTS_WITH)?;
            if text.is_empty() {
                return Err(format!("{OLDER_STARTS_WITH} is empty (use {NO_OLDER} for none)"));
            }
            Older::StartsWith(text)
        }
        (None, Some(text)) if !text.iter().all(u8::is_ascii_whitespace) => {
            return Err(format!("{NO_OLDER} must be empty"));
        }
        (None, Some(_)) => Older::None,
        (None, None) => Older::Unchecked,
    };
    Ok(Case {
        kind,
        pattern: pattern.ok_or("no `pattern:` line")?,
        client: client.ok_or("no `client:` line")?,
        language: language.ok_or("no `language:` line")?,
        reply,
        new_text,
        older,
    })
}

/// The section without the line break that ends its last line (it belongs to the marker line after it).
fn without_last_line_break(section: &[u8]) -> &[u8] {
    let section = section.strip_suffix(b"\n").unwrap_or(section);
    section.strip_suffix(b"\r").unwrap_or(section)
}

/// An expected text: UTF-8, `\n` line ends, no blank lines at the end.
fn expected_text(section: &[u8], marker: &str) -> Result<String, String> {
    let text = std::str::from_utf8(section).map_err(|_| format!("{marker} is not UTF-8"))?;
    Ok(text.replace("\r\n", "\n").trim_end_matches(['\n', '\r']).to_owned())
}
