//! DKIM: with a key configured, every mail leaves signed. The signature is checked by
//! mail-auth's verifier on the message as Dovecot stored it after the real MTA carried it,
//! for an RSA key and an Ed25519 key made by OpenSSL; changing one byte breaks it.

use crate::support;

use mail_auth::common::parse::TxtRecordParser;
use mail_auth::common::verify::DomainKey;
use mail_auth::{AuthenticatedMessage, DkimResult, MessageAuthenticator, Parameters, ResolverCache, Txt};
use relais::outbound::worker::Outbound;
use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::process::Command;
use std::sync::Mutex;
use support::smtp::{fresh_address, inbox, smtp_settings};
use support::{Engine, TestBank};

/// The DNS of the test: the selector's TXT record, and nothing else.
struct Records(Mutex<HashMap<Box<str>, Txt>>);

impl ResolverCache<Box<str>, Txt> for Records {
    fn get<Q>(&self, name: &Q) -> Option<Txt>
    where
        Box<str>: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.0.lock().unwrap().get(name).cloned()
    }
    fn remove<Q>(&self, name: &Q) -> Option<Txt>
    where
        Box<str>: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.0.lock().unwrap().remove(name)
    }
    fn insert(&self, key: Box<str>, value: Txt, _: std::time::Instant) {
        self.0.lock().unwrap().insert(key, value);
    }
}

fn openssl(args: &[&str]) -> Vec<u8> {
    let out = Command::new("openssl").args(args).output().expect("openssl");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// A private key file and the `p=` of its DNS record.
fn key(dir: &std::path::Path, algorithm: &str) -> (String, String) {
    use base64::Engine as _;
    let path = dir.join(format!("{algorithm}.pem"));
    let path_s = path.to_str().unwrap();
    match algorithm {
        "rsa" => openssl(&[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
            path_s,
        ]),
        _ => openssl(&["genpkey", "-algorithm", "ed25519", "-out", path_s]),
    };
    let spki = openssl(&["pkey", "-in", path_s, "-pubout", "-outform", "DER"]);
    // RSA keys are published as SubjectPublicKeyInfo; Ed25519 ones as the bare 32 bytes (RFC 8463).
    let public = if algorithm == "rsa" {
        &spki[..]
    } else {
        &spki[spki.len() - 32..]
    };
    (
        path_s.to_string(),
        base64::engine::general_purpose::STANDARD.encode(public),
    )
}

async fn verify(raw: &[u8], record: &str) -> DkimResult {
    let records = Records(Mutex::new(HashMap::new()));
    records.insert(
        "mail._domainkey.bi.example.".into(),
        Txt::from(DomainKey::parse(record.as_bytes()).unwrap()),
        std::time::Instant::now() + std::time::Duration::from_secs(60),
    );
    let message = AuthenticatedMessage::parse(raw).expect("a message");
    let authenticator = MessageAuthenticator::new_cloudflare().unwrap();
    let results = authenticator
        .verify_dkim(Parameters::new(&message).with_txt_cache(&records))
        .await;
    assert_eq!(results.len(), 1, "one signature");
    results[0].result().clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_leaves_signed_and_the_signature_survives_the_mta() {
    let dir = tempfile::tempdir().unwrap();
    for algorithm in ["rsa", "ed25519"] {
        let (key_file, public) = key(dir.path(), algorithm);
        let record = format!("v=DKIM1; k={algorithm}; p={public}");
        let bank = TestBank::new(Engine::Sqlite).await;
        let mut settings = smtp_settings(&bank);
        settings.mail.dkim_key_file = key_file;
        settings.mail.dkim_selector = "mail".into();
        let outbound = Outbound::new(&settings, bank.store.clone(), bank.clock.clone()).unwrap();
        let address = fresh_address(&bank, bank.requester, "ciusss.example").await;
        bank.request_in(relais::domain::request::RequestStatus::Booked).await;
        assert!(outbound.deliver_due().await.unwrap() >= 1);
        let received = inbox(&address, 2).await;
        for raw in &received {
            let text = String::from_utf8_lossy(raw);
            assert!(
                text.contains("DKIM-Signature:") && text.contains("d=bi.example") && text.contains("s=mail"),
                "{text}"
            );
            assert_eq!(verify(raw, &record).await, DkimResult::Pass, "{algorithm}: {text}");
        }
        // One changed byte in the body, and the signature no longer holds.
        let text = String::from_utf8_lossy(&received[0]).replacen("HC-26061001", "HC-26061002", 1);
        assert!(
            matches!(
                verify(text.as_bytes(), &record).await,
                DkimResult::Fail(_) | DkimResult::Neutral(_)
            ),
            "{algorithm}"
        );
    }
}
