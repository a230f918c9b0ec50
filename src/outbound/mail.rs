//! Email out: a notification becomes a MIME message (text and HTML), then leaves through
//! SMTP or, on the embedded default, as an `.eml` file in a folder.

use super::calendar::Method;
use super::render::RenderedMail;
use super::smtp::SmtpRelay;
use crate::config::{OutboundTransport, Settings};
use anyhow::Context as _;
use lettre::Message;
use lettre::message::header::ContentType;
use lettre::message::header::{Header, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use std::path::PathBuf;
use std::sync::Arc;

macro_rules! text_header {
    ($name:ident, $header:literal) => {
        #[derive(Debug, Clone)]
        struct $name(String);
        impl Header for $name {
            fn name() -> HeaderName {
                HeaderName::new_from_ascii_str($header)
            }
            fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
                Ok($name(s.to_string()))
            }
            fn display(&self) -> HeaderValue {
                HeaderValue::new(Self::name(), self.0.clone())
            }
        }
    };
}

text_header!(AutoSubmitted, "Auto-Submitted");
text_header!(AutoResponseSuppress, "X-Auto-Response-Suppress");

/// Where and how a message is addressed and threaded.
#[derive(Debug, Clone)]
pub struct Envelope {
    pub from: Mailbox,
    pub to: Mailbox,
    pub reply_to: Mailbox,
    /// Without angle brackets.
    pub message_id: String,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
    /// `auto-replied` for answers to inbound mail, `auto-generated` otherwise (RFC 3834).
    pub auto_submitted: &'static str,
}

/// Builds the MIME message.
/// Builds the MIME message: text and HTML alternatives, and with an invite its
/// `text/calendar` alternative (what calendar clients act on) and an `invite.ics` file.
pub fn build(
    envelope: &Envelope,
    rendered: &RenderedMail,
    invite: Option<(Method, String)>,
) -> anyhow::Result<Message> {
    let mut builder = Message::builder()
        .from(envelope.from.clone())
        .to(envelope.to.clone())
        .reply_to(envelope.reply_to.clone())
        .subject(rendered.subject.clone())
        .message_id(Some(format!("<{}>", envelope.message_id)))
        .header(AutoSubmitted(envelope.auto_submitted.to_string()))
        .header(AutoResponseSuppress("All".to_string()));
    if let Some(parent) = &envelope.in_reply_to {
        builder = builder.in_reply_to(format!("<{parent}>"));
    }
    if !envelope.references.is_empty() {
        let refs: Vec<String> = envelope.references.iter().map(|r| format!("<{r}>")).collect();
        builder = builder.references(refs.join(" "));
    }
    let alternatives = MultiPart::alternative_plain_html(rendered.text.clone(), rendered.html.clone());
    let body = match invite {
        None => alternatives,
        Some((method, ics)) => {
            let method = match method {
                Method::Request => "REQUEST",
                Method::Cancel => "CANCEL",
            };
            let calendar = ContentType::parse(&format!("text/calendar; charset=utf-8; method={method}"))
                .context("calendar content type")?;
            let ics_type = ContentType::parse("application/ics").context("ics content type")?;
            MultiPart::mixed()
                .multipart(alternatives.singlepart(SinglePart::builder().header(calendar).body(ics.clone())))
                .singlepart(Attachment::new("invite.ics".to_string()).body(ics, ics_type))
        }
    };
    builder.multipart(body).context("cannot build the message")
}

/// How mail leaves.
#[derive(Clone)]
pub enum MailTransport {
    /// Each message written as `NAME.eml` (the embedded default).
    Folder(PathBuf),
    /// An SMTP relay; no send may take longer than twice `smtp.timeout_seconds` (a server
    /// that accepts the connection and then says nothing must not hold the outbox).
    Smtp(Arc<SmtpRelay>),
}

impl MailTransport {
    pub fn from_settings(settings: &Settings) -> anyhow::Result<MailTransport> {
        match settings.mail.outbound {
            OutboundTransport::Folder => Ok(MailTransport::Folder(settings.mail.outbox_folder.clone())),
            OutboundTransport::Smtp => Ok(MailTransport::Smtp(Arc::new(SmtpRelay::new(&settings.smtp)))),
        }
    }

    /// Sends one message as built; `name` names the file on the folder transport.
    pub async fn send(&self, message: &Message, name: &str) -> anyhow::Result<()> {
        self.send_raw(message.envelope(), &message.formatted(), name).await
    }

    /// Sends these exact bytes (a DKIM-signed message) to the envelope's recipients.
    pub async fn send_raw(&self, envelope: &lettre::address::Envelope, bytes: &[u8], name: &str) -> anyhow::Result<()> {
        match self {
            MailTransport::Folder(dir) => {
                std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
                let tmp = dir.join(format!(".{name}.tmp"));
                let path = dir.join(format!("{name}.eml"));
                std::fs::write(&tmp, bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
                std::fs::rename(&tmp, &path).with_context(|| format!("cannot write {}", path.display()))?;
                Ok(())
            }
            MailTransport::Smtp(relay) => relay.send(envelope, bytes).await,
        }
    }
}
