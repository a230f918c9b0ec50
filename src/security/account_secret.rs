//! The secrets of accounts other than passwords: session ids, one-time links and codes,
//! recovery codes, and the hashes that stand for them in the database.
//!
//! One-time links and codes are never stored, nor queued in the outbox: a token row holds
//! a random nonce, and the secret is HMAC-SHA256(signing key, purpose · nonce),
//! derived again by the outbound worker when it renders the mail. The row keeps only a
//! keyed hash of the secret, so neither a copy of the database nor of the outbox can use a
//! link or code. Rotating the signing key ends the links and codes outstanding (at most a
//! few days' worth); recovery codes and sessions do not depend on the key.

use crate::config::Secret;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use rand::{Rng as _, RngExt as _};
use sha2::{Digest, Sha256};

/// Derives and hashes one-time secrets with the current signing key.
#[derive(Clone)]
pub struct AccountKeys {
    key: Secret,
}

impl std::fmt::Debug for AccountKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AccountKeys(<redacted>)")
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl AccountKeys {
    pub fn new(key: Secret) -> AccountKeys {
        AccountKeys { key }
    }

    fn mac(&self, parts: &[&[u8]]) -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(self.key.expose().as_bytes())
            .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
        for part in parts {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part);
        }
        mac.finalize().into_bytes().into()
    }

    /// What the database keeps for a one-time secret, or for a typed identifier.
    pub fn keyed_hash(&self, label: &str, value: &str) -> String {
        hex(&self.mac(&[b"relais-account-hash", label.as_bytes(), value.as_bytes()]))
    }

    /// The secret of a link token row: 256 bits, base64url.
    pub fn link_secret(&self, purpose: &str, nonce: &str) -> String {
        URL_SAFE_NO_PAD.encode(self.mac(&[b"relais-account-link", purpose.as_bytes(), nonce.as_bytes()]))
    }

    /// The six digits of a code token row.
    pub fn code(&self, purpose: &str, nonce: &str) -> String {
        let mac = self.mac(&[b"relais-account-code", purpose.as_bytes(), nonce.as_bytes()]);
        let n = u64::from_be_bytes([mac[0], mac[1], mac[2], mac[3], mac[4], mac[5], mac[6], mac[7]]);
        format!("{:06}", n % 1_000_000)
    }
}

/// 256 random bits, base64url: a session cookie.
pub fn session_id() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// SHA-256, hex: what the database keeps of a session id or a recovery code (both carry
/// enough randomness that no key is needed).
pub fn sha256_hex(value: &str) -> String {
    hex(&Sha256::digest(value.as_bytes()))
}

/// Letters and digits nobody confuses (no 0/o, 1/l/i).
const RECOVERY_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// A recovery code: 16 characters (about 79 bits) in four groups, `abcd-efgh-jkmn-pqrs`.
pub fn recovery_code() -> String {
    let mut rng = rand::rng();
    let chars: Vec<char> = (0..16)
        .map(|_| char::from(RECOVERY_ALPHABET[rng.random_range(0..RECOVERY_ALPHABET.len())]))
        .collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// A typed recovery code as it is hashed: lower case, without spaces or dashes.
pub fn normalise_recovery_code(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// A random nonce for a token row.
pub fn nonce() -> String {
    crate::security::random_token()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_secrets_depend_on_key_row_and_nonce() {
        let a = AccountKeys::new(Secret::new("key-a-0123456789abcdef0123456789ab"));
        let b = AccountKeys::new(Secret::new("key-b-0123456789abcdef0123456789ab"));
        let s = a.link_secret("password_reset", "n");
        assert_eq!(s.len(), 43);
        assert_eq!(s, a.link_secret("password_reset", "n"));
        assert_ne!(s, a.link_secret("activation", "n"));
        assert_ne!(s, a.link_secret("password_reset", "m"));
        assert_ne!(s, b.link_secret("password_reset", "n"));
        let code = a.code("login_code", "n");
        assert!(code.len() == 6 && code.bytes().all(|c| c.is_ascii_digit()), "{code}");
        assert_ne!(a.keyed_hash("x", "y"), b.keyed_hash("x", "y"));
        assert_eq!(format!("{a:?}"), "AccountKeys(<redacted>)");
    }

    #[test]
    fn recovery_codes_read_and_type_easily() {
        let code = recovery_code();
        assert_eq!(code.len(), 19, "{code}");
        assert_eq!(code.matches('-').count(), 3);
        assert_ne!(code, recovery_code());
        assert_eq!(normalise_recovery_code(" ABCD-efgh jkmn-PQRS "), "abcdefghjkmnpqrs");
        assert_eq!(session_id().len(), 43);
    }
}
