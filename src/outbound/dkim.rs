//! DKIM signing (RFC 6376, relaxed/relaxed) of outgoing mail, with mail-auth, when
//! `mail.dkim_key_file` and `mail.dkim_selector` are set. The signature covers the headers
//! people and robots rely on: who, what, threading and the auto-reply markers.

use anyhow::Context as _;
use base64::Engine as _;
use mail_auth::common::crypto::{Ed25519Key, RsaKey, Sha256};
use mail_auth::common::headers::HeaderWriter as _;
use mail_auth::dkim::{DkimSigner, Done};
use std::sync::Arc;

/// The headers signed, when present.
const SIGNED_HEADERS: [&str; 13] = [
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "Reply-To",
    "In-Reply-To",
    "References",
    "MIME-Version",
    "Content-Type",
    "Auto-Submitted",
    "X-Auto-Response-Suppress",
    "Sender",
];

enum Key {
    Rsa(DkimSigner<RsaKey<Sha256>, Done>),
    Ed25519(DkimSigner<Ed25519Key, Done>),
}

/// A configured signer, cheap to clone.
#[derive(Clone)]
pub struct Dkim(Arc<Key>);

impl std::fmt::Debug for Dkim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Dkim(<key>)")
    }
}

/// The DER inside a PEM block.
fn pem_der(pem: &str) -> anyhow::Result<Vec<u8>> {
    let body: String = pem
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with("-----") && !l.is_empty())
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .context("not a PEM file")
}

impl Dkim {
    /// Reads the key for `domain` and `selector` from a PEM file.
    pub fn from_pem(pem: &str, domain: &str, selector: &str) -> anyhow::Result<Dkim> {
        let headers = SIGNED_HEADERS;
        use rustls::pki_types::{PrivateKeyDer, PrivatePkcs1KeyDer, PrivatePkcs8KeyDer};
        let der = pem_der(pem)?;
        let rsa = if pem.contains("BEGIN RSA PRIVATE KEY") {
            RsaKey::<Sha256>::from_key_der(PrivateKeyDer::Pkcs1(PrivatePkcs1KeyDer::from(der.as_slice())))
        } else {
            RsaKey::<Sha256>::from_key_der(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(der.as_slice())))
        };
        let key = match rsa {
            Ok(key) => Key::Rsa(
                DkimSigner::from_key(key)
                    .domain(domain)
                    .selector(selector)
                    .headers(headers),
            ),
            Err(_) => {
                let key = Ed25519Key::from_pkcs8_maybe_unchecked_der(&der)
                    .map_err(|e| anyhow::anyhow!("neither an RSA nor an Ed25519 private key: {e}"))?;
                Key::Ed25519(
                    DkimSigner::from_key(key)
                        .domain(domain)
                        .selector(selector)
                        .headers(headers),
                )
            }
        };
        Ok(Dkim(Arc::new(key)))
    }

    /// Reads the key file named in the settings; `None` when DKIM is not configured.
    pub fn from_settings(settings: &crate::config::Settings) -> anyhow::Result<Option<Dkim>> {
        let mail = &settings.mail;
        if mail.dkim_key_file.is_empty() {
            return Ok(None);
        }
        let pem = std::fs::read_to_string(&mail.dkim_key_file).with_context(|| {
            format!(
                "configuration key `mail.dkim_key_file`: cannot read {}",
                mail.dkim_key_file
            )
        })?;
        let domain = mail.from_address.rsplit('@').next().unwrap_or_default().to_lowercase();
        Dkim::from_pem(&pem, &domain, &mail.dkim_selector)
            .with_context(|| format!("configuration key `mail.dkim_key_file`: {}", mail.dkim_key_file))
            .map(Some)
    }

    /// The message with its `DKIM-Signature` header in front.
    pub fn sign(&self, message: &[u8]) -> anyhow::Result<Vec<u8>> {
        let signature = match self.0.as_ref() {
            Key::Rsa(signer) => signer.sign(message),
            Key::Ed25519(signer) => signer.sign(message),
        }
        .map_err(|e| anyhow::anyhow!("DKIM signing failed: {e}"))?;
        let mut out = signature.to_header().into_bytes();
        out.extend_from_slice(message);
        Ok(out)
    }
}
