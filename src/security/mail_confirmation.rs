//! The link in a "did you send this?" mail: it names one stored mail and the person asked,
//! and lasts a week. Signed with the signing key under its own label, so no other token
//! (reply key, action link, account link) can stand for it.

use crate::config::Secret;
use crate::domain::ids::PersonId;
use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// How long the person has to answer.
pub const VALIDITY: chrono::TimeDelta = chrono::TimeDelta::days(7);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConfirmationToken {
    /// The stored mail (`inbound_messages.id`).
    pub inbound: i64,
    /// The person whose address the mail bore, and who alone is asked.
    pub person: PersonId,
    pub expires_at: DateTime<Utc>,
}

fn tag(secret: &Secret, body: &str) -> String {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.expose().as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
    mac.update(b"relais-mail-confirmation:");
    mac.update(body.as_bytes());
    mac.finalize().into_bytes()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl ConfirmationToken {
    fn body(&self) -> String {
        format!("{}.{}.{}", self.inbound, self.person.0, self.expires_at.timestamp())
    }

    pub fn encode(&self, secret: &Secret) -> String {
        let body = self.body();
        format!("{body}.{}", tag(secret, &body))
    }

    /// The token if it is genuine under one of `secrets` (current key first, then retired
    /// ones) and not expired at `now`; anything else is `None`.
    pub fn verify(token: &str, secrets: &[Secret], now: DateTime<Utc>) -> Option<ConfirmationToken> {
        let (body, given) = token.rsplit_once('.')?;
        let mut parts = body.split('.');
        let inbound: i64 = parts.next()?.parse().ok()?;
        let person: i64 = parts.next()?.parse().ok()?;
        let expires: i64 = parts.next()?.parse().ok()?;
        if parts.next().is_some() {
            return None;
        }
        let parsed = ConfirmationToken {
            inbound,
            person: PersonId(person),
            expires_at: DateTime::from_timestamp(expires, 0)?,
        };
        if parsed.body() != body {
            return None;
        }
        let genuine = secrets
            .iter()
            .any(|s| bool::from(tag(s, body).as_bytes().ct_eq(given.as_bytes())));
        (genuine && now < parsed.expires_at).then_some(parsed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_expire_and_resist_forgery() {
        let key = Secret::new("0123456789abcdef0123456789abcdef");
        let other = Secret::new("fedcba9876543210fedcba9876543210");
        let now = Utc::now();
        let token = ConfirmationToken {
            inbound: 42,
            person: PersonId(7),
            expires_at: DateTime::from_timestamp(now.timestamp() + 3600, 0).unwrap(),
        };
        let text = token.encode(&key);
        assert_eq!(
            ConfirmationToken::verify(&text, std::slice::from_ref(&key), now),
            Some(token)
        );
        assert_eq!(
            ConfirmationToken::verify(&text, &[other.clone(), key.clone()], now),
            Some(token),
            "a retired key still verifies"
        );
        assert_eq!(ConfirmationToken::verify(&text, &[other], now), None);
        let later = now + chrono::TimeDelta::hours(2);
        assert_eq!(
            ConfirmationToken::verify(&text, std::slice::from_ref(&key), later),
            None,
            "expired"
        );
        for forged in [
            text.replacen("42.", "43.", 1),
            text.replacen(".7.", ".8.", 1),
            format!("{text}0"),
            text.replace('.', ""),
            String::new(),
        ] {
            assert_eq!(
                ConfirmationToken::verify(&forged, std::slice::from_ref(&key), now),
                None,
                "{forged}"
            );
        }
    }
}
