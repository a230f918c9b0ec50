//! Secrets Relais must read back (the TOTP secret), sealed at rest with AES-256-GCM.
//! The key is derived from the signing key (HMAC-SHA256 with a fixed label), so there is
//! no second key to manage; retired signing keys in `security.previous_keys` still open
//! what they sealed. Each value is bound to its row (`context`, e.g. "totp:42"), so a
//! sealed value copied to another person's row does not open.
//!
//! Format: `v1.` then base64url of the 12-byte nonce followed by the ciphertext and tag.

use crate::config::Secret;
use aes_gcm::aead::{Aead as _, Payload};
use aes_gcm::{Aes256Gcm, KeyInit as _, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use rand::Rng as _;
use sha2::Sha256;
use zeroize::Zeroize as _;

const PREFIX: &str = "v1.";
/// AES-GCM's standard nonce and tag.
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;

/// Seals with the current key, opens with any.
#[derive(Clone)]
pub struct Sealer {
    keys: Vec<[u8; 32]>,
}

impl Drop for Sealer {
    fn drop(&mut self) {
        self.keys.zeroize();
    }
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(<redacted>)")
    }
}

fn derive(key: &Secret) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key.expose().as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
    mac.update(b"relais-sealed-secrets-v1");
    mac.finalize().into_bytes().into()
}

fn cipher(key: &[u8; 32]) -> Aes256Gcm {
    Aes256Gcm::new(key.into())
}

impl Sealer {
    pub fn new(current: &Secret, previous: &[Secret]) -> Sealer {
        let mut keys = vec![derive(current)];
        keys.extend(previous.iter().filter(|k| !k.is_empty()).map(derive));
        Sealer { keys }
    }

    pub fn seal(&self, context: &str, plaintext: &[u8]) -> anyhow::Result<String> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let payload = Payload {
            msg: plaintext,
            aad: context.as_bytes(),
        };
        let sealed = cipher(&self.keys[0])
            .encrypt(&Nonce::from(nonce), payload)
            .map_err(|_| anyhow::anyhow!("cannot seal"))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(out)))
    }

    /// The plaintext, or `None` when no key opens it for this context.
    pub fn open(&self, context: &str, sealed: &str) -> Option<Vec<u8>> {
        self.open_aged(context, sealed).map(|(plain, _)| plain)
    }

    /// The plaintext, and whether a retired key opened it (then seal it again).
    pub fn open_aged(&self, context: &str, sealed: &str) -> Option<(Vec<u8>, bool)> {
        let bytes = URL_SAFE_NO_PAD.decode(sealed.strip_prefix(PREFIX)?).ok()?;
        if bytes.len() < NONCE_LEN + TAG_LEN {
            return None;
        }
        let (nonce, data) = bytes.split_at(NONCE_LEN);
        let nonce = Nonce::from(<[u8; NONCE_LEN]>::try_from(nonce).ok()?);
        self.keys.iter().enumerate().find_map(|(i, k)| {
            let payload = Payload {
                msg: data,
                aad: context.as_bytes(),
            };
            let plain = cipher(k).decrypt(&nonce, payload).ok()?;
            Some((plain, i > 0))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seals_and_opens_only_in_its_context_and_survives_rotation() {
        let old = Secret::new("old-signing-key-0123456789abcdef0123");
        let new = Secret::new("new-signing-key-0123456789abcdef0123");
        let sealer = Sealer::new(&old, &[]);
        let sealed = sealer.seal("totp:1", b"secret bytes").unwrap();
        assert!(sealed.starts_with("v1.") && !sealed.contains("secret"));
        assert_eq!(sealer.open("totp:1", &sealed).as_deref(), Some(&b"secret bytes"[..]));
        assert_eq!(sealer.open("totp:2", &sealed), None, "bound to its row");
        assert_ne!(sealer.seal("totp:1", b"secret bytes").unwrap(), sealed, "fresh nonce");
        let rotated = Sealer::new(&new, &[old]);
        assert_eq!(rotated.open("totp:1", &sealed).as_deref(), Some(&b"secret bytes"[..]));
        assert_eq!(rotated.open_aged("totp:1", &sealed).map(|(_, old)| old), Some(true));
        assert_eq!(sealer.open_aged("totp:1", &sealed).map(|(_, old)| old), Some(false));
        assert_eq!(Sealer::new(&new, &[]).open("totp:1", &sealed), None);
        assert_eq!(sealer.open("totp:1", "v1.AAAA"), None);
        assert_eq!(sealer.open("totp:1", "garbage"), None);
    }

    /// A value sealed outside Relais (Python's `cryptography`, from the format in this
    /// module's doc) opens, and one bit changed does not: values sealed before any change
    /// of crypto library stay readable.
    #[test]
    fn opens_a_value_sealed_by_another_implementation_of_the_format() {
        let sealer = Sealer::new(&Secret::new("vector-signing-key-0123456789abcdef"), &[]);
        let sealed = "v1.AAECAwQFBgcICQoLTka4mZkczip35i36aQGQj-2vE3v8pNFWCL9Nbb_ZHXM";
        assert_eq!(sealer.open("totp:7", sealed).as_deref(), Some(&b"JBSWY3DPEHPK3PXP"[..]));
        assert_eq!(sealer.open("totp:8", sealed), None);
        let tampered = sealed.replace("Nbb", "Nbc");
        assert_eq!(sealer.open("totp:7", &tampered), None);
    }
}
