//! Raw bytes to the few things Relais reads in a mail. Never panics; caps sizes.

use super::quote::html_to_text;
use crate::domain::text::without_nul;
use chrono::{DateTime, TimeZone, Utc};
use mail_parser::{HeaderValue, Message, MessageParser, MimeHeaders, PartType};

/// The most of a raw message that is parsed.
pub const MAX_MESSAGE_BYTES: usize = 2 * 1024 * 1024;
/// The most of a body's text that is read.
pub const MAX_TEXT_BYTES: usize = 256 * 1024;

/// What Relais needs from a mail.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedMail {
    /// Like every header value kept here, with NUL as U+FFFD: these are stored as text,
    /// and PostgreSQL's text holds no NUL (the raw bytes keep it).
    pub message_id: Option<String>,
    /// Bare From address, lower-cased.
    pub from: Option<String>,
    /// To, Cc, Delivered-To and X-Original-To addresses, lower-cased.
    pub recipients: Vec<String>,
    pub subject: String,
    pub date: Option<DateTime<Utc>>,
    /// References, then In-Reply-To extras, without angle brackets.
    pub references: Vec<String>,
    /// The body as text (HTML turned into text), capped.
    pub text: String,
    /// Lower-cased header names and raw values, for classification.
    pub headers: Vec<(String, String)>,
    /// `type/subtype` of the whole message, lower-cased, and its `report-type`.
    pub content_type: String,
    pub report_type: Option<String>,
    /// Text of `message/delivery-status` parts.
    pub delivery_status: Vec<String>,
    /// Headers of a returned message (bounces): `text/rfc822-headers` or `message/rfc822`.
    pub returned_headers: Vec<(String, String)>,
    /// Bare Return-Path value: `Some("")` for a null return path.
    pub return_path: Option<String>,
    /// The text of its calendar parts (`text/calendar`, `application/ics`), wherever they
    /// sit: alone, in an alternative, or attached.
    pub calendars: Vec<String>,
}

impl ParsedMail {
    /// The first value of a header (name lower-case), trimmed.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.trim())
    }

    pub fn headers_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v.trim())
    }
}

fn cut(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// `<a@b> <c@d>` → ["a@b", "c@d"].
fn message_ids(raw: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut rest = raw;
    while let Some(start) = rest.find('<') {
        let Some(len) = rest[start + 1..].find('>') else {
            break;
        };
        let id = rest[start + 1..start + 1 + len].trim();
        if !id.is_empty() {
            ids.push(without_nul(id).into_owned());
        }
        rest = &rest[start + 1 + len + 1..];
    }
    if ids.is_empty() {
        ids.extend(
            raw.split_whitespace()
                .filter(|t| t.contains('@'))
                .map(|t| without_nul(t.trim_matches(|c| c == '<' || c == '>')).into_owned()),
        );
    }
    ids
}

fn addresses(value: Option<&HeaderValue<'_>>) -> Vec<String> {
    match value.and_then(|v| v.as_address()) {
        Some(list) => list
            .iter()
            .filter_map(|a| a.address())
            .map(|a| a.trim().to_lowercase())
            .collect(),
        None => Vec::new(),
    }
}

/// A bare address from a raw header value: the part in angle brackets, or the first token with @.
pub fn bare_address(raw: &str) -> Option<String> {
    if let (Some(s), Some(e)) = (raw.find('<'), raw.rfind('>'))
        && s < e
    {
        let inner = raw[s + 1..e].trim();
        return Some(inner.to_lowercase());
    }
    raw.split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .find(|t| t.contains('@'))
        .map(|t| {
            t.trim_matches(|c: char| c == '"' || c == '\'' || c == '(' || c == ')')
                .to_lowercase()
        })
}

/// Parses a raw message. Unparseable input gives an empty mail, never an error.
pub fn parse(raw: &[u8]) -> ParsedMail {
    let raw = &raw[..raw.len().min(MAX_MESSAGE_BYTES)];
    // mail-parser has debug assertions that some malformed nesting trips (found by
    // fuzzing); a mail that breaks the parser is an unreadable mail, not a crash.
    let parsed = std::panic::catch_unwind(|| MessageParser::default().parse(raw))
        .ok()
        .flatten();
    let Some(message) = parsed else {
        return ParsedMail::default();
    };
    let headers: Vec<(String, String)> = message
        .headers_raw()
        .map(|(n, v)| (n.to_ascii_lowercase(), v.replace(['\r', '\n'], " ").trim().to_string()))
        .collect();
    let (content_type, report_type) = match message.root_part().content_type() {
        Some(ct) => (
            format!("{}/{}", ct.ctype(), ct.subtype().unwrap_or("")).to_ascii_lowercase(),
            ct.attribute("report-type").map(|r| r.to_ascii_lowercase()),
        ),
        None => ("text/plain".to_string(), None),
    };
    let (delivery_status, returned_headers) = report_parts(&message);
    ParsedMail {
        message_id: message
            .message_id()
            .map(|m| without_nul(m.trim()).into_owned())
            .filter(|m| !m.is_empty()),
        from: message
            .from()
            .and_then(|a| a.first())
            .and_then(|a| a.address())
            .map(|a| without_nul(a.trim()).to_lowercase()),
        recipients: recipients(&message, &headers),
        subject: without_nul(message.subject().unwrap_or("")).into_owned(),
        date: message
            .date()
            .and_then(|d| Utc.timestamp_opt(d.to_timestamp(), 0).single()),
        references: references(&headers),
        text: body_text(&message),
        calendars: calendar_parts(&message),
        return_path: return_path(&headers),
        headers,
        content_type,
        report_type,
        delivery_status,
        returned_headers,
    }
}

/// The values of every header `name`, joined by spaces.
fn joined(headers: &[(String, String)], name: &str) -> String {
    headers
        .iter()
        .filter(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The Message-IDs a mail answers: its References, then any In-Reply-To not among them.
fn references(headers: &[(String, String)]) -> Vec<String> {
    let mut references = message_ids(&joined(headers, "references"));
    for id in message_ids(&joined(headers, "in-reply-to")) {
        if !references.contains(&id) {
            references.push(id);
        }
    }
    references
}

/// Every address the mail was sent to: To, Cc and the delivery headers.
fn recipients(message: &Message<'_>, headers: &[(String, String)]) -> Vec<String> {
    let mut recipients = addresses(message.header("To"));
    recipients.extend(addresses(message.header("Cc")));
    for name in ["delivered-to", "x-original-to", "envelope-to"] {
        for (_, v) in headers.iter().filter(|(n, _)| n == name) {
            if let Some(a) = bare_address(v) {
                recipients.push(a);
            }
        }
    }
    recipients
}

/// The text body, or the HTML body as text; cut to its limit, with plain line ends.
fn body_text(message: &Message<'_>) -> String {
    let text = message
        .text_body
        .first()
        .and_then(|id| message.parts.get(*id as usize))
        .map(|part| match &part.body {
            PartType::Html(html) => html_to_text(cut(html, MAX_TEXT_BYTES * 4)),
            PartType::Text(text) => cut(text, MAX_TEXT_BYTES).to_string(),
            _ => String::new(),
        })
        .or_else(|| {
            message
                .html_body
                .first()
                .and_then(|id| message.parts.get(*id as usize))
                .map(|part| match &part.body {
                    PartType::Html(html) => html_to_text(cut(html, MAX_TEXT_BYTES * 4)),
                    _ => String::new(),
                })
        })
        .unwrap_or_default();
    cut(&text, MAX_TEXT_BYTES).replace("\r\n", "\n")
}

/// The most calendar parts read from one mail.
const MAX_CALENDAR_PARTS: usize = 4;

/// The text of the mail's calendar parts, each cut to what a calendar reply is read from.
fn calendar_parts(message: &Message<'_>) -> Vec<String> {
    let limit = crate::inbound::mail::calendar_reply::MAX_CALENDAR_BYTES + 1;
    message
        .parts
        .iter()
        .filter(|part| {
            part.content_type().is_some_and(|ct| {
                let kind = format!("{}/{}", ct.ctype(), ct.subtype().unwrap_or("")).to_ascii_lowercase();
                matches!(kind.as_str(), "text/calendar" | "application/ics" | "text/x-vcalendar")
            })
        })
        .filter_map(|part| match &part.body {
            PartType::Text(t) | PartType::Html(t) => Some(cut(t, limit).to_string()),
            PartType::Binary(b) | PartType::InlineBinary(b) => {
                Some(String::from_utf8_lossy(&b[..b.len().min(limit)]).into_owned())
            }
            _ => None,
        })
        .take(MAX_CALENDAR_PARTS)
        .collect()
}

/// A delivery report's parts: its delivery-status texts, and the headers of the mail it
/// returns.
fn report_parts(message: &Message<'_>) -> (Vec<String>, Vec<(String, String)>) {
    let mut delivery_status = Vec::new();
    let mut returned_headers = Vec::new();
    for part in message.parts.iter().skip(1) {
        let Some(ct) = part.content_type() else {
            continue;
        };
        let kind = format!("{}/{}", ct.ctype(), ct.subtype().unwrap_or("")).to_ascii_lowercase();
        match (kind.as_str(), &part.body) {
            ("message/delivery-status" | "message/global-delivery-status", body) => {
                let bytes: &[u8] = match body {
                    PartType::Text(t) | PartType::Html(t) => t.as_bytes(),
                    PartType::Binary(b) | PartType::InlineBinary(b) => b,
                    _ => &[],
                };
                delivery_status.push(String::from_utf8_lossy(&bytes[..bytes.len().min(MAX_TEXT_BYTES)]).into_owned());
            }
            ("text/rfc822-headers", PartType::Text(t)) => {
                returned_headers.extend(unfold_headers(cut(t, MAX_TEXT_BYTES)));
            }
            (_, PartType::Message(inner)) => {
                returned_headers.extend(
                    inner
                        .headers_raw()
                        .map(|(n, v)| (n.to_ascii_lowercase(), v.trim().to_string())),
                );
            }
            ("text/rfc822-headers", PartType::Binary(b) | PartType::InlineBinary(b)) => {
                returned_headers.extend(unfold_headers(&String::from_utf8_lossy(b)));
            }
            _ => {}
        }
    }
    (delivery_status, returned_headers)
}

/// The Return-Path address; empty for the null sender `<>`.
fn return_path(headers: &[(String, String)]) -> Option<String> {
    headers.iter().find(|(n, _)| n == "return-path").map(|(_, v)| {
        let v = v.trim();
        if v == "<>" || v.is_empty() {
            String::new()
        } else {
            bare_address(v).unwrap_or_default()
        }
    })
}

/// Header lines (with continuation lines) to name/value pairs.
pub fn unfold_headers(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some(last) = out.last_mut() {
                last.1.push(' ');
                last.1.push_str(line.trim());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            out.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_basics() {
        let raw = b"Message-ID: <abc@x.example>\r\nFrom: \"Marie\" <Marie.Tremblay@CIUSSS.example>\r\nTo: relais+r1.2.abc@bi.example\r\nSubject: Re: [HC-26339002] test\r\nReferences: <a@b> <c@d>\r\nIn-Reply-To: <c@d> <e@f>\r\nDate: Thu, 3 Dec 2026 09:14:00 -0500\r\n\r\nACCEPTER\r\n";
        let m = parse(raw);
        assert_eq!(m.message_id.as_deref(), Some("abc@x.example"));
        assert_eq!(m.from.as_deref(), Some("marie.tremblay@ciusss.example"));
        assert_eq!(m.recipients, vec!["relais+r1.2.abc@bi.example"]);
        assert_eq!(m.references, vec!["a@b", "c@d", "e@f"]);
        assert_eq!(m.text.trim(), "ACCEPTER");
        assert_eq!(m.date.unwrap().to_rfc3339(), "2026-12-03T14:14:00+00:00");
    }

    #[test]
    fn inputs_found_by_fuzzing_do_not_panic() {
        // A message/rfc822 inside a message/rfc822 with an empty body.
        let nested = b"Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: message/rfc822\r\n\r\nContent-Type: message/rfc822\r\n\r\n\r\n--b--\r\n";
        let _ = parse(nested);
        let assign = "Content-Type: text/plain; charset=utf-8\r\n\r\nASSIGNER Uabcééé\r\n";
        let _ = parse(assign.as_bytes());
        let _ = crate::inbound::mail::command::read_command("assign U\u{fff6}B");
    }

    #[test]
    fn nul_in_stored_headers_becomes_a_replacement_character() {
        let raw =
            b"Message-ID: <a=00b@x.example>\r\nFrom: m@x.example\r\nSubject: =?utf-8?q?a=00b?=\r\n\r\nBonjour\r\n";
        let m = parse(raw);
        assert_eq!(m.subject, "a\u{FFFD}b");
        let raw = b"Message-ID: <a\x00b@x.example>\r\nReferences: <c\x00d@x>\r\nFrom: m@x.example\r\n\r\nx";
        let m = parse(raw);
        assert!(!m.message_id.unwrap_or_default().contains('\0'));
        assert!(m.references.iter().all(|r| !r.contains('\0')), "{:?}", m.references);
    }

    #[test]
    fn garbage_never_panics() {
        for raw in [
            &b""[..],
            b"\x00\xff\xfe",
            b"From:\r\n\r\n",
            b"Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n--x--",
        ] {
            let _ = parse(raw);
        }
        let big = vec![b'a'; 5 * 1024 * 1024];
        let m = parse(&big);
        assert!(m.text.len() <= MAX_TEXT_BYTES);
    }
}
