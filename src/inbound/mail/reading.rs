//! Everything Relais reads in one mail, without a database: what `relais inspect-mail`
//! prints and what the pipeline acts on.

use super::calendar_reply::{CalendarReply, read_reply};
use super::classify::{AutoKind, Bounce, classify, reply_key};
use super::command::{MailCommand, read_command};
use super::parse::{ParsedMail, parse};
use super::quote::{ReplyParts, split_reply};
use crate::domain::locale::Locale;
use crate::forms::record::{RecordReading, read_record_form};
use crate::forms::request::{FormReading, read_form};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde_json::{Value, json};

/// What reading a mail needs to know of the bank.
#[derive(Debug, Clone)]
pub struct ReadContext {
    /// The local part of Relais's own address (`relais` in `relais@bi.example`).
    pub relais_local_part: String,
    pub time_zone: Tz,
}

/// One mail, read.
#[derive(Debug, Clone)]
pub struct MailReading {
    pub mail: ParsedMail,
    pub auto: Option<AutoKind>,
    pub bounce: Option<Bounce>,
    pub reply_key: Option<String>,
    pub reply: ReplyParts,
    pub command: Option<MailCommand>,
    /// Form lines from the new text and the quoted text (a form filled in inline counts).
    pub form: FormReading,
    /// Form lines from the new text only: what may change an existing request, so that a
    /// quoted notification ("Date : …", "Lieu : …") never does.
    pub form_in_new_text: FormReading,
    /// Service record lines (réalisation) in the new text: a quoted record never counts.
    pub record: RecordReading,
    /// A calendar client's answer to an invite (*Accept*, *Decline*): when there is one, it
    /// is what the mail says, and its text (« Accepted: … ») is not read for commands.
    pub calendar_reply: Option<CalendarReply>,
}

/// Reads a raw mail. `received` stands in for a missing or absurd Date header.
pub fn read(raw: &[u8], ctx: &ReadContext, received: DateTime<Utc>) -> MailReading {
    let mail = parse(raw);
    let (auto, bounce) = classify(&mail);
    let reply_key = reply_key(&mail, &ctx.relais_local_part);
    let reply = split_reply(&mail.text);
    let sent = mail.date.unwrap_or(received);
    let reference = sent.with_timezone(&ctx.time_zone).naive_local();
    let everything = || {
        let mut sources: Vec<&str> = vec![reply.new_text.as_str()];
        sources.extend(reply.older.iter().map(String::as_str));
        read_form(&sources, reference)
    };
    let calendar_reply = if auto.is_some() {
        None
    } else {
        mail.calendars.iter().find_map(|part| read_reply(part, ctx.time_zone))
    };
    let (command, form, form_in_new_text) = if auto.is_some() || calendar_reply.is_some() {
        (None, FormReading::default(), FormReading::default())
    } else {
        let in_new_text = read_form(&[reply.new_text.as_str()], reference);
        let command = read_command(&reply.new_text);
        if in_new_text.present {
            // Form lines the person wrote are the action, whatever the first words say.
            (None, everything(), in_new_text)
        } else if command.is_some() {
            // A command wins over form-like lines only quoted below it ("ACCEPTER" above a
            // quoted offer that lists "Date : …").
            (command, FormReading::default(), FormReading::default())
        } else {
            (None, everything(), in_new_text)
        }
    };
    let record = if auto.is_some() || calendar_reply.is_some() {
        RecordReading::default()
    } else {
        read_record_form(&reply.new_text)
    };
    MailReading {
        mail,
        auto,
        bounce,
        reply_key,
        reply,
        command,
        form,
        form_in_new_text,
        record,
        calendar_reply,
    }
}

impl MailReading {
    /// The `inspect-mail` JSON object (docs/inbound-mail.md).
    pub fn to_json(&self) -> Value {
        let mut json = json!({
            "message_id": self.mail.message_id,
            "from": self.mail.from,
            "auto": self.auto.map(AutoKind::as_str),
            "bounce": self.bounce.as_ref().map(|b| json!({"recipient": b.recipient, "status": b.status, "hard": b.hard})),
            "reply_key": self.reply_key,
            "references": self.mail.references,
            "new_text": self.reply.new_text,
            "command": self.command.as_ref().map(MailCommand::to_json),
            "fields": Value::Object(self.form.fields_json()),
            "field_errors": self.form.errors_json(Locale::Fr),
        });
        // Only a calendar answer shows it, so mails without one read as they always did.
        if let (Some(c), Some(object)) = (&self.calendar_reply, json.as_object_mut()) {
            object.insert(
                "calendar_reply".into(),
                json!({
                    "uid": c.uid,
                    "sequence": c.sequence,
                    "answer": c.answer.as_str(),
                    "attendee": c.attendee,
                    "start": c.start,
                }),
            );
        }
        json
    }
}
