//! Reply keys: every mail Relais sends replies to `relais+KEY@domain`, where KEY names the
//! thread (purpose, request, recipient) and carries an HMAC so it cannot be forged.
//! Keys use lower-case letters, digits and dots only: mail systems may change the case
//! of an address, and some drop other characters.

use crate::config::Secret;
use crate::domain::ids::{PersonId, RequestId};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// What a thread is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyPurpose {
    /// Mail about a request: offers, confirmations, service records.
    Request,
    /// A blank or partly filled request form: a reply creates a request.
    Form,
}

impl ReplyPurpose {
    fn letter(self) -> char {
        match self {
            ReplyPurpose::Request => 'r',
            ReplyPurpose::Form => 'f',
        }
    }
}

/// A verified (or about to be signed) reply key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplyKey {
    pub purpose: ReplyPurpose,
    pub request: Option<RequestId>,
    /// The person the mail was sent to: only they may act through it.
    pub person: PersonId,
}

const MAC_BYTES: usize = 10;
const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";

fn base32(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 8 / 5 + 1);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

fn mac(secret: &Secret, body: &str) -> Vec<u8> {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.expose().as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
    mac.update(b"relais-reply-key:");
    mac.update(body.as_bytes());
    mac.finalize().into_bytes()[..MAC_BYTES].to_vec()
}

impl ReplyKey {
    fn body(&self) -> String {
        format!(
            "{}{}.{}",
            self.purpose.letter(),
            self.request.map_or(0, |r| r.0),
            self.person.0
        )
    }

    /// The key as it goes into an address: `r42.7.k3j5h2g7f6d4s2a1`.
    pub fn encode(&self, secret: &Secret) -> String {
        let body = self.body();
        format!("{body}.{}", base32(&mac(secret, &body)))
    }

    /// Reads and verifies a key; anything forged, truncated or malformed is `None`.
    pub fn verify(token: &str, secret: &Secret) -> Option<ReplyKey> {
        let token = token.trim().to_ascii_lowercase();
        let mut parts = token.split('.');
        let (head, person, tag) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let mut chars = head.chars();
        let purpose = match chars.next()? {
            'r' => ReplyPurpose::Request,
            'f' => ReplyPurpose::Form,
            _ => return None,
        };
        let request: i64 = chars.as_str().parse().ok()?;
        let person: i64 = person.parse().ok()?;
        let key = ReplyKey {
            purpose,
            request: (purpose == ReplyPurpose::Request).then_some(RequestId(request)),
            person: PersonId(person),
        };
        if key.body() != format!("{head}.{person}") {
            return None;
        }
        let expected = base32(&mac(secret, &key.body()));
        bool::from(expected.as_bytes().ct_eq(tag.as_bytes())).then_some(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret() -> Secret {
        Secret::new("0123456789abcdef0123456789abcdef")
    }

    #[test]
    fn keys_round_trip_and_resist_forgery() {
        let key = ReplyKey {
            purpose: ReplyPurpose::Request,
            request: Some(RequestId(42)),
            person: PersonId(7),
        };
        let token = key.encode(&secret());
        assert!(token.starts_with("r42.7."), "{token}");
        assert!(
            token
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.')
        );
        assert_eq!(ReplyKey::verify(&token, &secret()), Some(key));
        assert_eq!(
            ReplyKey::verify(&token.to_uppercase(), &secret()),
            Some(key),
            "case does not matter"
        );
        let forged = token.replacen("r42.7", "r42.8", 1);
        assert_eq!(
            ReplyKey::verify(&forged, &secret()),
            None,
            "another person cannot reuse it"
        );
        assert_eq!(
            ReplyKey::verify(&token, &Secret::new("another-key-another-key-another-k")),
            None
        );
        for bad in [
            "",
            "r42.7",
            "x42.7.aaaa",
            "r42.7.aaaa.bbbb",
            "r0042.7.zzzz",
            "r42.7.k3j5h2g7f6d4s2a1",
        ] {
            assert_eq!(ReplyKey::verify(bad, &secret()), None, "{bad}");
        }
        let form = ReplyKey {
            purpose: ReplyPurpose::Form,
            request: None,
            person: PersonId(3),
        };
        assert_eq!(ReplyKey::verify(&form.encode(&secret()), &secret()), Some(form));
    }
}
