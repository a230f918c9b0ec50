//! Building raw mails and the mail pipeline for tests.
#![allow(dead_code)]

use super::TestBank;
use relais::config::Secret;
use relais::domain::ids::{PersonId, RequestId};
use relais::inbound::mail::reading::ReadContext;
use relais::inbound::pipeline::{MailPipeline, PipelineConfig};
use relais::inbound::sender_auth::SenderAuth;
use relais::security::reply_key::{ReplyKey, ReplyPurpose};

pub const SIGNING_KEY: &str = "test-signing-key-0123456789abcdef0123";

pub fn secret() -> Secret {
    Secret::new(SIGNING_KEY)
}

/// The pipeline's settings as the tests run it.
pub fn config() -> PipelineConfig {
    PipelineConfig {
        read: ReadContext {
            relais_local_part: "relais".into(),
            time_zone: chrono_tz::America::Montreal,
        },
        own_address: "relais@bi.example".into(),
        signing_key: secret(),
        previous_keys: Vec::new(),
        sender_auth: SenderAuth::none(),
        confirmations_per_day: 3,
        public_base_url: "http://127.0.0.1:8080".into(),
        max_message_bytes: relais::inbound::pipeline::DEFAULT_MAX_MESSAGE_BYTES,
    }
}

pub fn pipeline(bank: &TestBank, trusted_authserv_id: Option<&str>) -> MailPipeline {
    pipeline_with(
        bank,
        match trusted_authserv_id {
            Some(server) => SenderAuth::trusting_server(server),
            None => SenderAuth::none(),
        },
    )
}

/// The pipeline with these sender checks.
pub fn pipeline_with(bank: &TestBank, sender_auth: SenderAuth) -> MailPipeline {
    MailPipeline::new(
        bank.workflow.clone(),
        PipelineConfig {
            sender_auth,
            ..config()
        },
    )
}

/// The reply address of a thread about `request` sent to `person`.
pub fn reply_address(request: Option<RequestId>, person: PersonId) -> String {
    let key = ReplyKey {
        purpose: if request.is_some() {
            ReplyPurpose::Request
        } else {
            ReplyPurpose::Form
        },
        request,
        person,
    };
    format!("relais+{}@bi.example", key.encode(&secret()))
}

/// A plain-text mail. `extra` is a block of additional header lines.
pub fn raw_mail(id: &str, from: &str, to: &str, subject: &str, extra: &str, body: &str) -> Vec<u8> {
    let mut m = format!(
        "Message-ID: <{id}>\r\nDate: Mon, 2 Mar 2026 09:30:00 -0500\r\nFrom: {from}\r\nTo: {to}\r\nSubject: {subject}\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n"
    );
    m.push_str(extra);
    m.push_str("\r\n");
    m.push_str(&body.replace('\n', "\r\n"));
    m.into_bytes()
}

/// A complete French request form, as a requester fills it.
pub const FILLED_FORM: &str = "Bonjour,\n\n\
Type de demande : en présentiel\n\
Date du service : 2026-03-09\n\
Heure du service : 10 h 00\n\
Durée : 1 h 30\n\
Langue de départ : français\n\
Langue d'arrivée : espagnol\n\
Lieu du rendez-vous : Clinique externe, 3e étage\n\
Nom de l'usager : Patiente Confidentielle\n\
Raison de la demande : suivi de grossesse\n\n\
Merci\nMarie";
