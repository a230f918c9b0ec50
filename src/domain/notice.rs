//! What a queued notification says: one variant per notice, with the facts it carries.
//!
//! The outbox keeps a notice in two columns: `kind`, the variant's name in snake case
//! (`request_booked`), which indexes, metrics and the digest count by; and `payload`, the
//! variant's fields as a JSON object. [`Notice::to_stored`] writes both and
//! [`Notice::from_stored`] reads them back. Reading is tolerant, for rows queued by an
//! earlier version: a missing key takes its default (absent, empty, zero) and keys no
//! longer used are ignored. A kind this version does not know (queued by a later one)
//! reads as [`Notice::Unknown`], shown as a plain notice.
//!
//! Never patient details: the payload of a notice about a request is safe for SMS.

use super::ids::{InstallationId, PersonId};
use super::language::LanguageTag;
use super::request::{RequestStatus, RequestType};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// A notification to queue, or one read back from the outbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "payload", rename_all = "snake_case")]
pub enum Notice {
    /// To the requester: the request is received.
    RequestReceived(RequestFacts),
    /// To an interpreter: an offer to accept or refuse (also by SMS).
    RequestOffered(RequestFacts),
    /// To an interpreter: the offer went to someone else (also by SMS).
    OfferFilled(RequestFacts),
    /// To the requester: an interpreter accepted.
    RequestBooked(RequestFacts),
    /// To the interpreter: the request changed, accept again (also by SMS).
    RequestModified(RequestFacts),
    /// To coordinators: an interpreter refused.
    OfferDeclined(RequestFacts),
    /// To coordinators: every offer lapsed unanswered.
    OffersLapsed(RequestFacts),
    /// To coordinators and the requester: the interpreter withdrew.
    InterpreterWithdrew(RequestFacts),
    /// To the interpreter: a coordinator took the assignment back (also by SMS).
    AssignmentRemoved(RequestFacts),
    /// To whoever is concerned: the request is cancelled (also by SMS to the interpreter).
    RequestCancelled(RequestFacts),
    /// To the requester: validate or contest the service record.
    ServiceRecorded(RequestFacts),
    /// To coordinators: the requester contests the service record.
    ServiceContested(RequestFacts),
    /// To the interpreter who accepted: the booking, with its calendar invite.
    AssignmentConfirmed(RequestFacts),
    /// To the interpreter: the service record was validated, with the remuneration.
    ServiceValidated(RequestFacts),
    /// To the interpreter: a coordinator closed the request.
    RequestClosed(RequestFacts),
    /// To an interpreter who has not answered their offer yet (also by SMS).
    OfferReminder(RequestFacts),
    /// To the interpreter, before the appointment (also by SMS).
    AppointmentReminder(RequestFacts),
    /// To the requester: nobody can take the request; their choices.
    NoInterpreter(RequestFacts),
    /// To the requester: the interpreter it was offered to refused; the bank looks on.
    DeclinedStillLooking(RequestFacts),
    /// To the requester: nobody answered the offers in time; the bank looks on.
    LapsedStillLooking(RequestFacts),
    /// To the requester: a coordinator changed the request (what changed, old → new).
    RequestChanged(RequestFacts),
    /// To the requester: without their answer in time, the service record was validated.
    AutoValidated(RequestFacts),
    /// To the requester who asked for it (a preference of their profile): their request is
    /// offered to an interpreter.
    OfferSent(RequestFacts),
    /// To an interpreter who did not answer in time: the offer expired, and the pencilled
    /// event leaves their calendar.
    OfferExpired(RequestFacts),
    /// To the interpreter: the service record form, asked after the appointment or sent
    /// back with what to fix.
    RecordForm(RecordForm),
    /// Answer to a mail too large to be read, in both languages.
    MessageTooLarge {
        /// The mail's size and the limit, in bytes.
        #[serde(default)]
        size: u64,
        #[serde(default)]
        limit: u64,
        #[serde(flatten)]
        answering: Answering,
    },
    /// Answer to a reply that was applied.
    CommandDone {
        /// What the reply asked (`accept`, `cancel`, `record`…).
        #[serde(default)]
        verb: String,
        #[serde(default)]
        number: Option<String>,
        /// Where the request is now.
        #[serde(default)]
        status: Option<RequestStatus>,
        #[serde(flatten)]
        answering: Answering,
    },
    /// Answer to a reply that was not applied, and why (`offer_closed`, `not_now`…).
    CommandRefused {
        #[serde(default)]
        verb: String,
        #[serde(default)]
        reason: String,
        #[serde(flatten)]
        answering: Answering,
    },
    /// Answer with what people can write: asked for, or what they wrote was not understood.
    Help {
        /// Why it was sent (`asked`, `not_a_requester`…), for whoever reads the outbox.
        #[serde(default)]
        reason: String,
        #[serde(flatten)]
        answering: Answering,
    },
    /// The request form to fill in, with what was understood and the problems if any.
    RequestForm {
        /// Each field's key and what it holds.
        #[serde(default)]
        values: BTreeMap<String, String>,
        #[serde(default)]
        errors: Vec<String>,
        #[serde(flatten)]
        answering: Answering,
    },
    /// To the requester (issue 19): their form by mail was saved as a draft (« Brouillon »),
    /// not sent. The mail carries the form as the draft fills it when it leaves, to complete
    /// and send by replying.
    DraftSaved(DraftSaved),
    /// "Did you send this?", for a mail received in someone's name that could not be
    /// verified. Its link is signed when the mail leaves.
    MailConfirmation {
        /// The inbound mail in question.
        #[serde(default)]
        inbound: Option<i64>,
        /// What the mail asks (`cancel`, `form`, `record`…).
        #[serde(default)]
        verb: String,
        #[serde(default)]
        received_at: Option<DateTime<Utc>>,
        #[serde(flatten)]
        answering: Answering,
    },
    /// Answer to a mail that could not be processed and was set aside for coordinators.
    MessageSetAside {
        #[serde(flatten)]
        answering: Answering,
    },
    /// To coordinators: a message was dead-lettered.
    DeliveryFailed {
        /// The kind of the message that did not leave, as stored (maybe one this version
        /// does not know).
        #[serde(default)]
        failed_kind: String,
        /// `email` or `sms`.
        #[serde(default)]
        failed_channel: String,
        /// The person and their address or number.
        #[serde(default)]
        failed_to: String,
        #[serde(default)]
        failed_error: String,
    },
    /// To a coordinator: the bank's digest, gathered when it is sent.
    Digest {
        /// The slot that queued it (`07:30`, `on_demand`).
        #[serde(default)]
        slot: String,
    },
    /// A new link, asked from the page of a link that no longer worked.
    LinkRenewed {
        /// The link's action (`accept`, `assign`…).
        #[serde(default)]
        action: String,
        /// The interpreters an assign or broadcast link named.
        #[serde(default)]
        subjects: Vec<PersonId>,
    },
    /// The person's second factor was changed.
    MfaChanged {
        /// What changed (`recovery_codes`, `email`, `totp`, `totp_new`, `off`).
        #[serde(default)]
        change: String,
    },
    /// Failed sign-ins to the person's account.
    SignInFailures {
        #[serde(default)]
        failures: i64,
        /// From how many network addresses.
        #[serde(default)]
        addresses: i64,
        #[serde(default)]
        first_at: Option<DateTime<Utc>>,
        #[serde(default)]
        last_at: Option<DateTime<Utc>>,
    },
    /// The activation link of a new account.
    AccountActivation(AccountToken),
    /// A link to choose a new password.
    PasswordReset(AccountToken),
    /// A sign-in (or confirmation) code.
    LoginCode(AccountToken),
    /// To the NEW address a person asked for: the link that confirms it (issue 19).
    EmailChangeConfirm(EmailChangeRef),
    /// To the OLD address, once the new one is confirmed: the address changed.
    EmailChanged(EmailChangeRef),
    /// A kind this version does not know, queued by another: shown as a plain notice.
    /// Never queued by this version.
    #[serde(other)]
    Unknown,
}

/// The facts of a request a notice about it carries, as they were when it was queued.
/// Messages show the request as it is when they leave: of these, only the version is read
/// (a message queued for an earlier version carries no links).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RequestFacts {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<RequestStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_type: Option<RequestType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_time: Option<NaiveTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration_minutes: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_language: Option<LanguageTag>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_language: Option<LanguageTag>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub installation_id: Option<InstallationId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
    /// What a modification changed, field by field, as the history records it (sensitive
    /// values already left out): the notice says old → new.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<super::history::Change>,
}

/// The service record form: asked by the workflow after the appointment (the request's
/// facts, no values: the form is filled with the booked times), or sent back to the
/// interpreter with what they wrote and what to fix.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RecordForm {
    #[serde(flatten)]
    pub facts: RequestFacts,
    /// What the interpreter wrote, by field key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub values: Option<BTreeMap<String, String>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
    #[serde(flatten)]
    pub answering: Answering,
}

/// A draft saved from a form by mail: the request's facts, and what to know first.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct DraftSaved {
    #[serde(flatten)]
    pub facts: RequestFacts,
    /// Why it is still a draft when the requester asked to send it (« Une demande
    /// semblable existe déjà : HC-… »), in their language; empty when they kept it so.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    #[serde(flatten)]
    pub answering: Answering,
}

/// For an answer to a mail: what of that mail the answer repeats.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Answering {
    /// Its Message-ID: the answer is threaded under it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_reply_to: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
}

impl Answering {
    pub fn to(message_id: Option<&str>, subject: &str) -> Answering {
        Answering {
            in_reply_to: message_id.map(str::to_string),
            subject: Some(subject.to_string()),
        }
    }
}

/// The account token an account mail's link or code is derived from when it is sent.
/// Neither the link nor the code is ever stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AccountToken {
    pub token: Option<i64>,
}

/// The change of address an address-change mail is about; its link (and which address
/// it goes to) is read from that row when it is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct EmailChangeRef {
    pub change: Option<i64>,
}

/// A notice that could not be written or read.
#[derive(Debug, thiserror::Error)]
#[error("notice {kind:?}: {source}")]
pub struct NoticeError {
    kind: String,
    source: serde_json::Error,
}

impl Notice {
    /// The `kind` and `payload` columns of the outbox row that queues this notice.
    pub fn to_stored(&self) -> Result<(String, Value), NoticeError> {
        let failed = |source| NoticeError {
            kind: String::new(),
            source,
        };
        let Value::Object(mut tagged) = serde_json::to_value(self).map_err(failed)? else {
            return Err(failed(serde::ser::Error::custom("not an object")));
        };
        let kind = match tagged.remove("kind") {
            Some(Value::String(kind)) => kind,
            _ => return Err(failed(serde::ser::Error::custom("no kind"))),
        };
        let payload = match tagged.remove("payload") {
            Some(payload @ Value::Object(_)) => payload,
            _ => Value::Object(serde_json::Map::new()),
        };
        Ok((kind, payload))
    }

    /// The notice an outbox row holds. Tolerant of rows queued by earlier versions (see
    /// the module's documentation); an error only for a payload whose values have the
    /// wrong type.
    pub fn from_stored(kind: &str, payload: &Value) -> Result<Notice, NoticeError> {
        let failed = |source| NoticeError {
            kind: kind.to_string(),
            source,
        };
        // The tag alone reads as `Unknown` exactly when no variant has that name.
        if let Ok(Notice::Unknown) = serde_json::from_value(serde_json::json!({ "kind": kind })) {
            return Ok(Notice::Unknown);
        }
        let payload = match payload {
            Value::Object(_) => payload.clone(),
            _ => Value::Object(serde_json::Map::new()),
        };
        serde_json::from_value(serde_json::json!({ "kind": kind, "payload": payload })).map_err(failed)
    }

    /// The notice of `kind` with none of its facts: what it is, to name it.
    pub fn of_kind(kind: &str) -> Notice {
        Notice::from_stored(kind, &Value::Object(serde_json::Map::new())).unwrap_or(Notice::Unknown)
    }

    /// The mail this notice answers, if it answers one.
    pub fn answering(&self) -> Option<&Answering> {
        match self {
            Notice::RecordForm(form) => Some(&form.answering),
            Notice::DraftSaved(draft) => Some(&draft.answering),
            Notice::MessageTooLarge { answering, .. }
            | Notice::CommandDone { answering, .. }
            | Notice::CommandRefused { answering, .. }
            | Notice::Help { answering, .. }
            | Notice::RequestForm { answering, .. }
            | Notice::MailConfirmation { answering, .. }
            | Notice::MessageSetAside { answering } => Some(answering),
            _ => None,
        }
    }

    /// The request's version the notice was queued for, when it says.
    pub fn version(&self) -> Option<i64> {
        self.facts().and_then(|f| f.version)
    }

    /// The facts of the request, for a notice the workflow queued about one.
    pub fn facts(&self) -> Option<&RequestFacts> {
        match self {
            Notice::RequestReceived(f)
            | Notice::RequestOffered(f)
            | Notice::OfferFilled(f)
            | Notice::RequestBooked(f)
            | Notice::RequestModified(f)
            | Notice::OfferDeclined(f)
            | Notice::OffersLapsed(f)
            | Notice::InterpreterWithdrew(f)
            | Notice::AssignmentRemoved(f)
            | Notice::RequestCancelled(f)
            | Notice::ServiceRecorded(f)
            | Notice::ServiceContested(f)
            | Notice::AssignmentConfirmed(f)
            | Notice::ServiceValidated(f)
            | Notice::RequestClosed(f)
            | Notice::OfferReminder(f)
            | Notice::AppointmentReminder(f)
            | Notice::NoInterpreter(f)
            | Notice::DeclinedStillLooking(f)
            | Notice::LapsedStillLooking(f)
            | Notice::RequestChanged(f)
            | Notice::AutoValidated(f)
            | Notice::OfferSent(f)
            | Notice::OfferExpired(f) => Some(f),
            Notice::RecordForm(form) => Some(&form.facts),
            Notice::DraftSaved(draft) => Some(&draft.facts),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// One of each variant, with facts. Adding a variant fails to compile in `index`
    /// until it is added here too.
    fn every_notice() -> Vec<Notice> {
        let facts = RequestFacts {
            number: Some("HC-26061001".into()),
            status: Some(RequestStatus::Booked),
            request_type: Some(RequestType::InPerson),
            date: NaiveDate::from_ymd_opt(2026, 3, 9),
            start_time: NaiveTime::from_hms_opt(10, 0, 0),
            duration_minutes: Some(60),
            source_language: LanguageTag::parse("fr").ok(),
            target_language: LanguageTag::parse("es").ok(),
            installation_id: Some(InstallationId(1)),
            version: Some(3),
            changes: vec![crate::domain::history::Change::new("duration_minutes", 60, 90)],
        };
        let answering = Answering::to(Some("<a@b.example>"), "Re: demande");
        let at = DateTime::parse_from_rfc3339("2026-03-09T14:02:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let f = || facts.clone();
        vec![
            Notice::RequestReceived(f()),
            Notice::RequestOffered(f()),
            Notice::OfferFilled(f()),
            Notice::RequestBooked(f()),
            Notice::RequestModified(f()),
            Notice::OfferDeclined(f()),
            Notice::OffersLapsed(f()),
            Notice::InterpreterWithdrew(f()),
            Notice::AssignmentRemoved(f()),
            Notice::RequestCancelled(f()),
            Notice::ServiceRecorded(f()),
            Notice::ServiceContested(f()),
            Notice::AssignmentConfirmed(f()),
            Notice::ServiceValidated(f()),
            Notice::RequestClosed(f()),
            Notice::OfferReminder(f()),
            Notice::AppointmentReminder(f()),
            Notice::NoInterpreter(f()),
            Notice::RecordForm(RecordForm {
                facts: f(),
                values: Some(BTreeMap::from([("took_place".into(), "oui".into())])),
                errors: vec!["Heure : impossible".into()],
                answering: answering.clone(),
            }),
            Notice::MessageTooLarge {
                size: 32_000_000,
                limit: 26_214_400,
                answering: answering.clone(),
            },
            Notice::CommandDone {
                verb: "cancel".into(),
                number: Some("HC-26061001".into()),
                status: Some(RequestStatus::Cancelled),
                answering: answering.clone(),
            },
            Notice::CommandRefused {
                verb: "accept".into(),
                reason: "offer_closed".into(),
                answering: answering.clone(),
            },
            Notice::Help {
                reason: "asked".into(),
                answering: answering.clone(),
            },
            Notice::RequestForm {
                values: BTreeMap::from([("date".into(), "le 32 mars".into())]),
                errors: vec!["Date : impossible".into()],
                answering: answering.clone(),
            },
            Notice::MailConfirmation {
                inbound: Some(41),
                verb: "form".into(),
                received_at: Some(at),
                answering: answering.clone(),
            },
            Notice::MessageSetAside { answering },
            Notice::DeliveryFailed {
                failed_kind: "request_offered".into(),
                failed_channel: "sms".into(),
                failed_to: "Ana (+15145550101)".into(),
                failed_error: "refused".into(),
            },
            Notice::Digest {
                slot: "on_demand".into(),
            },
            Notice::LinkRenewed {
                action: "assign".into(),
                subjects: vec![PersonId(4)],
            },
            Notice::MfaChanged { change: "totp".into() },
            Notice::SignInFailures {
                failures: 10,
                addresses: 2,
                first_at: Some(at),
                last_at: Some(at),
            },
            Notice::AccountActivation(AccountToken { token: Some(1) }),
            Notice::PasswordReset(AccountToken { token: Some(2) }),
            Notice::LoginCode(AccountToken { token: Some(3) }),
            Notice::Unknown,
            // Added with issue 19.
            Notice::DeclinedStillLooking(f()),
            Notice::LapsedStillLooking(f()),
            Notice::RequestChanged(f()),
            Notice::AutoValidated(f()),
            Notice::OfferSent(f()),
            Notice::EmailChangeConfirm(EmailChangeRef { change: Some(4) }),
            Notice::EmailChanged(EmailChangeRef { change: Some(4) }),
            Notice::DraftSaved(DraftSaved {
                facts: RequestFacts {
                    number: None,
                    status: Some(RequestStatus::Draft),
                    ..f()
                },
                notes: vec!["Une demande semblable existe déjà : HC-26061001".into()],
                answering: Answering::to(Some("<a@b.example>"), "Re: demande"),
            }),
            Notice::OfferExpired(f()),
        ]
    }

    fn index(notice: &Notice) -> usize {
        match notice {
            Notice::RequestReceived(_) => 0,
            Notice::RequestOffered(_) => 1,
            Notice::OfferFilled(_) => 2,
            Notice::RequestBooked(_) => 3,
            Notice::RequestModified(_) => 4,
            Notice::OfferDeclined(_) => 5,
            Notice::OffersLapsed(_) => 6,
            Notice::InterpreterWithdrew(_) => 7,
            Notice::AssignmentRemoved(_) => 8,
            Notice::RequestCancelled(_) => 9,
            Notice::ServiceRecorded(_) => 10,
            Notice::ServiceContested(_) => 11,
            Notice::AssignmentConfirmed(_) => 12,
            Notice::ServiceValidated(_) => 13,
            Notice::RequestClosed(_) => 14,
            Notice::OfferReminder(_) => 15,
            Notice::AppointmentReminder(_) => 16,
            Notice::NoInterpreter(_) => 17,
            Notice::RecordForm(_) => 18,
            Notice::MessageTooLarge { .. } => 19,
            Notice::CommandDone { .. } => 20,
            Notice::CommandRefused { .. } => 21,
            Notice::Help { .. } => 22,
            Notice::RequestForm { .. } => 23,
            Notice::MailConfirmation { .. } => 24,
            Notice::MessageSetAside { .. } => 25,
            Notice::DeliveryFailed { .. } => 26,
            Notice::Digest { .. } => 27,
            Notice::LinkRenewed { .. } => 28,
            Notice::MfaChanged { .. } => 29,
            Notice::SignInFailures { .. } => 30,
            Notice::AccountActivation(_) => 31,
            Notice::PasswordReset(_) => 32,
            Notice::LoginCode(_) => 33,
            Notice::Unknown => 34,
            Notice::DeclinedStillLooking(_) => 35,
            Notice::LapsedStillLooking(_) => 36,
            Notice::RequestChanged(_) => 37,
            Notice::AutoValidated(_) => 38,
            Notice::OfferSent(_) => 39,
            Notice::EmailChangeConfirm(_) => 40,
            Notice::EmailChanged(_) => 41,
            Notice::DraftSaved(_) => 42,
            Notice::OfferExpired(_) => 43,
        }
    }

    #[test]
    fn every_notice_is_listed_once() {
        let all = every_notice();
        for (i, notice) in all.iter().enumerate() {
            assert_eq!(index(notice), i, "{notice:?}");
        }
        assert_eq!(all.len(), 44);
    }

    #[test]
    fn every_notice_reads_back_as_written() {
        for notice in every_notice() {
            let (kind, payload) = notice.to_stored().unwrap();
            assert!(payload.is_object(), "{kind}: {payload}");
            assert_eq!(
                Notice::from_stored(&kind, &payload).unwrap(),
                notice,
                "{kind}: {payload}"
            );
            // A row whose payload was erased (or never had one) still reads, as its kind.
            assert_eq!(index(&Notice::of_kind(&kind)), index(&notice), "{kind}");
        }
    }

    #[test]
    fn kinds_are_the_names_the_outbox_always_used() {
        let kinds: Vec<String> = every_notice().iter().map(|n| n.to_stored().unwrap().0).collect();
        assert_eq!(
            kinds,
            [
                "request_received",
                "request_offered",
                "offer_filled",
                "request_booked",
                "request_modified",
                "offer_declined",
                "offers_lapsed",
                "interpreter_withdrew",
                "assignment_removed",
                "request_cancelled",
                "service_recorded",
                "service_contested",
                "assignment_confirmed",
                "service_validated",
                "request_closed",
                "offer_reminder",
                "appointment_reminder",
                "no_interpreter",
                "record_form",
                "message_too_large",
                "command_done",
                "command_refused",
                "help",
                "request_form",
                "mail_confirmation",
                "message_set_aside",
                "delivery_failed",
                "digest",
                "link_renewed",
                "mfa_changed",
                "sign_in_failures",
                "account_activation",
                "password_reset",
                "login_code",
                "unknown",
                "declined_still_looking",
                "lapsed_still_looking",
                "request_changed",
                "auto_validated",
                "offer_sent",
                "email_change_confirm",
                "email_changed",
                "draft_saved",
                "offer_expired",
            ]
        );
    }

    #[test]
    fn payloads_keep_the_keys_the_outbox_always_had() {
        let stored = |n: &Notice| n.to_stored().unwrap().1;
        assert_eq!(
            stored(&Notice::MfaChanged {
                change: "recovery_codes".into()
            }),
            json!({ "change": "recovery_codes" })
        );
        assert_eq!(
            stored(&Notice::CommandRefused {
                verb: "contest".into(),
                reason: "text_too_long".into(),
                answering: Answering::to(Some("<m@x>"), "Re: a"),
            }),
            json!({ "verb": "contest", "reason": "text_too_long", "in_reply_to": "<m@x>", "subject": "Re: a" })
        );
        assert_eq!(
            stored(&Notice::AccountActivation(AccountToken { token: Some(7) })),
            json!({ "token": 7 })
        );
        assert_eq!(
            stored(&Notice::Digest { slot: "07:30".into() }),
            json!({ "slot": "07:30" })
        );
    }

    /// Payloads as the code before typed notices queued them, keys missing and all.
    #[test]
    fn rows_of_the_old_shape_read() {
        let facts = json!({
            "number": "HC-26061001", "status": "booked", "request_type": "in_person",
            "date": "2026-03-09", "start_time": "10:00:00", "duration_minutes": 60,
            "source_language": "fr", "target_language": "es", "installation_id": 1, "version": 4,
        });
        let read = |kind: &str, payload: Value| Notice::from_stored(kind, &payload).unwrap();
        let Notice::RequestOffered(f) = read("request_offered", facts.clone()) else {
            panic!("not an offer")
        };
        assert_eq!((f.version, f.status), (Some(4), Some(RequestStatus::Booked)));
        // The workflow's record form carried the request's facts and no values.
        let Notice::RecordForm(form) = read("record_form", facts) else {
            panic!("not a record form")
        };
        assert_eq!((form.values, form.facts.version), (None, Some(4)));
        // Queued before the version was carried.
        assert_eq!(read("request_booked", json!({ "number": "HC-1" })).version(), None);
        assert_eq!(
            read(
                "command_done",
                json!({ "verb": "accept", "number": "HC-1", "in_reply_to": null, "subject": "Re: x" })
            ),
            Notice::CommandDone {
                verb: "accept".into(),
                number: Some("HC-1".into()),
                status: None,
                answering: Answering {
                    in_reply_to: None,
                    subject: Some("Re: x".into())
                },
            }
        );
        assert_eq!(
            read("request_form", json!({})),
            Notice::RequestForm {
                values: BTreeMap::new(),
                errors: Vec::new(),
                answering: Answering::default()
            }
        );
        assert_eq!(
            read(
                "sign_in_failures",
                json!({ "failures": 10, "addresses": 3, "first_at": "2026-03-09T10:02:00+00:00" })
            ),
            Notice::SignInFailures {
                failures: 10,
                addresses: 3,
                first_at: DateTime::parse_from_rfc3339("2026-03-09T10:02:00Z")
                    .ok()
                    .map(|t| t.with_timezone(&Utc)),
                last_at: None,
            }
        );
        // The dead letter's copy of the status is no longer kept, and not needed.
        assert!(matches!(
            read("delivery_failed", json!({ "failed_kind": "help", "status": "offered" })),
            Notice::DeliveryFailed { .. }
        ));
        assert_eq!(read("a_kind_from_a_later_version", json!({ "x": 1 })), Notice::Unknown);
        assert_eq!(read("help", Value::Null), Notice::of_kind("help"));
    }

    #[test]
    fn a_payload_of_the_wrong_type_is_an_error_that_names_its_kind() {
        let wrong = Notice::from_stored("request_booked", &json!({ "version": "four" })).unwrap_err();
        assert!(wrong.to_string().contains("request_booked"), "{wrong}");
    }
}
