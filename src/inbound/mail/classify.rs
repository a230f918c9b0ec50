//! Is this mail from a person, or from a robot? Robots get no answer and change nothing.
//! The order of the rules is docs/inbound-mail.md's.

use super::parse::{ParsedMail, bare_address};
use crate::domain::text::fold;
use regex::Regex;
use serde::Serialize;
use std::sync::LazyLock;

/// Why a mail is automatic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AutoKind {
    AutoReply,
    Bounce,
    Bulk,
}

impl AutoKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AutoKind::AutoReply => "auto_reply",
            AutoKind::Bounce => "bounce",
            AutoKind::Bulk => "bulk",
        }
    }
}

/// A failed delivery: to whom, and how badly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Bounce {
    pub recipient: Option<String>,
    pub status: Option<String>,
    /// 5.x.x (or no status): the address does not work. 4.x.x: try again later.
    pub hard: bool,
}

const ROBOT_LOCAL_PARTS: &[&str] = &[
    "mailer-daemon",
    "postmaster",
    "noreply",
    "no-reply",
    "donotreply",
    "do-not-reply",
];

const NDR_SUBJECTS: &[&str] = &[
    "undeliverable",
    "non remis",
    "delivery status notification failure",
    "mail delivery failed",
    "returned mail",
    "undelivered mail returned to sender",
    "echec de la remise",
    "delivery failure",
    "failure notice",
    "mail delivery failure",
];

const OOO_SUBJECTS: &[&str] = &[
    "reponse automatique",
    "absent du bureau",
    "absence du bureau",
    "automatic reply",
    "auto reply",
    "autoreply",
    "out of office",
    "out of the office",
];

static STATUS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b([45])\.(\d{1,3})\.(\d{1,3})\b").expect("status regex"));
static ADDRESS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+").expect("address regex"));

fn local_part(address: &str) -> &str {
    address.split('@').next().unwrap_or("")
}

fn from_robot(mail: &ParsedMail, names: &[&str]) -> bool {
    mail.from.as_deref().is_some_and(|f| names.contains(&local_part(f)))
}

fn subject_has(mail: &ParsedMail, patterns: &[&str]) -> bool {
    let subject = fold(&mail.subject);
    patterns.iter().any(|p| subject.contains(p))
}

/// Classifies a mail; a bounce also says what failed.
pub fn classify(mail: &ParsedMail) -> (Option<AutoKind>, Option<Bounce>) {
    let is_dsn = mail.content_type == "multipart/report" && mail.report_type.as_deref() == Some("delivery-status");
    if is_dsn || from_robot(mail, &["mailer-daemon", "postmaster"]) || subject_has(mail, NDR_SUBJECTS) {
        return (Some(AutoKind::Bounce), Some(read_bounce(mail)));
    }
    let auto_submitted = mail.header("auto-submitted").map(|v| v.to_ascii_lowercase());
    let explicit_reply = auto_submitted.as_deref().is_some_and(|v| v.starts_with("auto-replied"))
        || mail.header("x-autoreply").is_some()
        || mail.header("x-autorespond").is_some()
        || subject_has(mail, OOO_SUBJECTS);
    if explicit_reply {
        return (Some(AutoKind::AutoReply), None);
    }
    let precedence = mail.header("precedence").map(|v| v.to_ascii_lowercase());
    if matches!(precedence.as_deref(), Some("bulk" | "list" | "junk"))
        || mail.header("list-id").is_some()
        || mail.header("list-unsubscribe").is_some()
    {
        return (Some(AutoKind::Bulk), None);
    }
    let other_auto = auto_submitted
        .as_deref()
        .is_some_and(|v| !v.is_empty() && !v.starts_with("no"));
    if other_auto || mail.return_path.as_deref() == Some("") || from_robot(mail, ROBOT_LOCAL_PARTS) {
        return (Some(AutoKind::AutoReply), None);
    }
    (None, None)
}

fn hard(status: Option<&str>) -> bool {
    !status.is_some_and(|s| s.starts_with('4'))
}

fn read_bounce(mail: &ParsedMail) -> Bounce {
    for report in &mail.delivery_status {
        let fields = super::parse::unfold_headers(report);
        let value = |name: &str| {
            fields
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.trim().to_string())
        };
        let recipient = value("final-recipient")
            .or_else(|| value("original-recipient"))
            .map(|r| r.rsplit(';').next().unwrap_or("").trim().to_lowercase())
            .filter(|r| !r.is_empty());
        let status = value("status").and_then(|s| STATUS.find(&s).map(|m| m.as_str().to_string()));
        if recipient.is_some() || status.is_some() {
            return Bounce {
                hard: hard(status.as_deref()),
                recipient,
                status,
            };
        }
    }
    // A non-delivery report in prose: the first address and the first status code.
    let ours = mail.from.clone().unwrap_or_default();
    let recipient = ADDRESS
        .find_iter(&mail.text)
        .map(|m| m.as_str().to_lowercase())
        .find(|a| *a != ours && !ROBOT_LOCAL_PARTS.contains(&local_part(a)))
        .or_else(|| {
            mail.returned_headers
                .iter()
                .find(|(n, _)| n == "to")
                .and_then(|(_, v)| bare_address(v))
        });
    let status = STATUS.find(&mail.text).map(|m| m.as_str().to_string());
    Bounce {
        hard: hard(status.as_deref()),
        recipient,
        status,
    }
}

/// The reply key of a recipient `LOCAL+KEY@…` where LOCAL is Relais's own local part;
/// for bounces, the returned message's headers are searched too.
pub fn reply_key(mail: &ParsedMail, relais_local_part: &str) -> Option<String> {
    let prefix = format!("{}+", relais_local_part.to_lowercase());
    let from_recipients = mail.recipients.iter().find_map(|a| key_of(a, &prefix));
    from_recipients.or_else(|| {
        mail.returned_headers
            .iter()
            .filter(|(n, _)| matches!(n.as_str(), "reply-to" | "from" | "to" | "return-path" | "sender"))
            .filter_map(|(_, v)| bare_address(v))
            .find_map(|a| key_of(&a, &prefix))
    })
}

fn key_of(address: &str, prefix: &str) -> Option<String> {
    let local = local_part(address).to_lowercase();
    local.strip_prefix(prefix).filter(|k| !k.is_empty()).map(str::to_string)
}
