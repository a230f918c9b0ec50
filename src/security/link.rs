//! Signed one-click links: `/l/TOKEN`, where TOKEN names an action on a request for one
//! person, at one state version, until an expiry, and carries an HMAC-SHA256 tag.
//!
//! The token is binary, then base64url (no padding), so it stays short enough for SMS
//! (about 35 characters):
//!
//! ```text
//! key id (1 byte) · action (1) · request · recipient · version · expiry minute ·
//! subjects (count, then ids) · tag (12 bytes of HMAC-SHA256)
//! ```
//!
//! Numbers are LEB128 varints. The key id is derived from the key itself, so keys can
//! rotate: the current key signs, retired keys listed in `security.previous_keys` still
//! verify until they are removed. Tags are compared in constant time.
//!
//! Verifying proves who the link was made for and what it may do; whether it is still
//! alive (used, state moved on) is the workflow's business (`workflow::links`).

use crate::config::Secret;
use crate::domain::ids::{PersonId, RequestId};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, TimeZone, Utc};
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

const TAG_BYTES: usize = 12;
/// Longer tokens are refused before any work: nothing we sign comes near.
const MAX_TOKEN_CHARS: usize = 400;
const MAX_SUBJECTS: usize = 32;

/// What a link does when its button is pressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LinkAction {
    /// The interpreter accepts their offer (or a modified booking).
    Accept,
    /// The interpreter refuses their offer (or a modified booking).
    Refuse,
    /// The booked interpreter withdraws (désistement).
    Withdraw,
    /// A coordinator offers the request to the one suggested interpreter.
    Assign,
    /// A coordinator offers the request to every suggested interpreter at once.
    Broadcast,
    /// The requester cancels the request.
    Cancel,
    /// The requester validates the service record.
    Validate,
    /// The requester contests the service record.
    Contest,
    /// The requester opens the request's web page without a full login.
    Open,
    /// Nobody can take the request: the requester accepts the alternative language.
    UseAlternative,
    /// Nobody can take the request: the requester goes on without an interpreter.
    GiveUp,
    /// The assigned interpreter records the service on the web form.
    Record,
    /// The requester cancels an occurrence of a series and the ones after.
    CancelSeries,
}

impl LinkAction {
    /// Whether the action undoes, refuses or gives something up: its button is shown as
    /// secondary, never as the message's main action.
    pub fn undoes(self) -> bool {
        matches!(
            self,
            LinkAction::Refuse
                | LinkAction::Withdraw
                | LinkAction::Cancel
                | LinkAction::CancelSeries
                | LinkAction::Contest
                | LinkAction::GiveUp
        )
    }
}

/// Where links live: `{public_base_url}/l/{token}`.
pub const LINK_PATH: &str = "/l/";

/// The full URL of a link.
pub fn link_url(public_base_url: &str, token: &str) -> String {
    format!("{}{LINK_PATH}{token}", public_base_url.trim_end_matches('/'))
}

impl LinkAction {
    pub const ALL: [LinkAction; 13] = [
        LinkAction::Accept,
        LinkAction::Refuse,
        LinkAction::Withdraw,
        LinkAction::Assign,
        LinkAction::Broadcast,
        LinkAction::Cancel,
        LinkAction::Validate,
        LinkAction::Contest,
        LinkAction::Open,
        LinkAction::UseAlternative,
        LinkAction::GiveUp,
        LinkAction::Record,
        LinkAction::CancelSeries,
    ];

    fn byte(self) -> u8 {
        match self {
            LinkAction::Accept => 1,
            LinkAction::Refuse => 2,
            LinkAction::Withdraw => 3,
            LinkAction::Assign => 4,
            LinkAction::Broadcast => 5,
            LinkAction::Cancel => 6,
            LinkAction::Validate => 7,
            LinkAction::Contest => 8,
            LinkAction::Open => 9,
            LinkAction::UseAlternative => 10,
            LinkAction::GiveUp => 11,
            LinkAction::Record => 12,
            LinkAction::CancelSeries => 13,
        }
    }

    fn from_byte(b: u8) -> Option<LinkAction> {
        LinkAction::ALL.into_iter().find(|a| a.byte() == b)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            LinkAction::Accept => "accept",
            LinkAction::Refuse => "refuse",
            LinkAction::Withdraw => "withdraw",
            LinkAction::Assign => "assign",
            LinkAction::Broadcast => "broadcast",
            LinkAction::Cancel => "cancel",
            LinkAction::Validate => "validate",
            LinkAction::Contest => "contest",
            LinkAction::Open => "open",
            LinkAction::UseAlternative => "use_alternative",
            LinkAction::GiveUp => "give_up",
            LinkAction::Record => "record",
            LinkAction::CancelSeries => "cancel_series",
        }
    }
}

/// What a link says, signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkClaim {
    pub action: LinkAction,
    pub request: RequestId,
    /// The only person the link acts for.
    pub recipient: PersonId,
    /// The target's state version when the link was made; see `workflow::links`.
    pub version: i64,
    pub expires_at: DateTime<Utc>,
    /// The interpreters an `Assign` or `Broadcast` link offers the request to.
    pub subjects: Vec<PersonId>,
}

/// A verified link: the claim, and the tag that identifies this one link (for single use).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedLink {
    pub claim: LinkClaim,
    /// Base64url of the tag: the key under which a use is recorded.
    pub id: String,
}

/// Why a token was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkError {
    /// Forged, truncated, signed by an unknown or retired key, or not a token at all.
    Invalid,
    /// Genuine but past its expiry.
    Expired(VerifiedLink),
}

/// The keys links are signed and verified with.
#[derive(Clone)]
pub struct LinkKeys {
    /// `(id, key)`; the first signs, all verify.
    keys: Vec<(u8, Secret)>,
}

impl std::fmt::Debug for LinkKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinkKeys").field("keys", &self.keys.len()).finish()
    }
}

/// A key's id: one byte of its SHA-256, so nobody has to number keys by hand.
fn key_id(key: &Secret) -> u8 {
    let digest = Sha256::digest([b"relais-link-key-id:".as_slice(), key.expose().as_bytes()].concat());
    digest[0]
}

fn push_varint(out: &mut Vec<u8>, mut value: u64) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn read_varint(bytes: &[u8], at: &mut usize) -> Option<u64> {
    let mut value: u64 = 0;
    for shift in (0..64).step_by(7) {
        let byte = *bytes.get(*at)?;
        *at += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            // Refuse non-minimal encodings: one claim, one token.
            if byte == 0 && shift > 0 {
                return None;
            }
            return Some(value);
        }
    }
    None
}

fn tag(key: &Secret, body: &[u8]) -> [u8; TAG_BYTES] {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key.expose().as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
    mac.update(b"relais-link:");
    mac.update(body);
    let full = mac.finalize().into_bytes();
    let mut out = [0u8; TAG_BYTES];
    out.copy_from_slice(&full[..TAG_BYTES]);
    out
}

impl LinkKeys {
    /// `current` signs; `previous` still verify.
    pub fn new(current: Secret, previous: &[Secret]) -> LinkKeys {
        let mut keys = vec![(key_id(&current), current)];
        keys.extend(
            previous
                .iter()
                .filter(|k| !k.is_empty())
                .map(|k| (key_id(k), k.clone())),
        );
        LinkKeys { keys }
    }

    /// The token for `claim`, signed with the current key.
    pub fn sign(&self, claim: &LinkClaim) -> String {
        let (id, key) = &self.keys[0];
        let mut body = Vec::with_capacity(32);
        body.push(*id);
        body.push(claim.action.byte());
        push_varint(&mut body, u64::try_from(claim.request.0).unwrap_or(0));
        push_varint(&mut body, u64::try_from(claim.recipient.0).unwrap_or(0));
        push_varint(&mut body, u64::try_from(claim.version).unwrap_or(0));
        push_varint(&mut body, u64::try_from(claim.expires_at.timestamp() / 60).unwrap_or(0));
        push_varint(&mut body, claim.subjects.len() as u64);
        for subject in &claim.subjects {
            push_varint(&mut body, u64::try_from(subject.0).unwrap_or(0));
        }
        let tag = tag(key, &body);
        body.extend_from_slice(&tag);
        URL_SAFE_NO_PAD.encode(body)
    }

    /// Verifies `token` at `now`.
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<VerifiedLink, LinkError> {
        if token.len() > MAX_TOKEN_CHARS {
            return Err(LinkError::Invalid);
        }
        let bytes = URL_SAFE_NO_PAD.decode(token.trim()).map_err(|_| LinkError::Invalid)?;
        if bytes.len() < 2 + TAG_BYTES {
            return Err(LinkError::Invalid);
        }
        let (body, given) = bytes.split_at(bytes.len() - TAG_BYTES);
        // Every key with this id is tried (two keys may share one byte of hash).
        let genuine = self
            .keys
            .iter()
            .filter(|(id, _)| *id == body[0])
            .fold(false, |found, (_, key)| found | bool::from(tag(key, body).ct_eq(given)));
        if !genuine {
            return Err(LinkError::Invalid);
        }
        let claim = decode_body(body).ok_or(LinkError::Invalid)?;
        let link = VerifiedLink {
            claim,
            id: URL_SAFE_NO_PAD.encode(given),
        };
        if link.claim.expires_at <= now {
            return Err(LinkError::Expired(link));
        }
        Ok(link)
    }

    /// The value the confirmation form carries, bound to the browser's `nonce` cookie and
    /// to this token: a page elsewhere cannot make the browser press the button.
    pub fn csrf(&self, nonce: &str, token: &str) -> String {
        let mut body = Vec::with_capacity(nonce.len() + token.len() + 1);
        body.extend_from_slice(b"csrf:");
        body.extend_from_slice(nonce.as_bytes());
        body.push(b'.');
        body.extend_from_slice(token.as_bytes());
        URL_SAFE_NO_PAD.encode(tag(&self.keys[0].1, &body))
    }

    /// Whether `value` is the form value for `nonce` and `token`, in constant time.
    pub fn csrf_matches(&self, nonce: &str, token: &str, value: &str) -> bool {
        !nonce.is_empty() && bool::from(self.csrf(nonce, token).as_bytes().ct_eq(value.as_bytes()))
    }
}

fn decode_body(body: &[u8]) -> Option<LinkClaim> {
    let action = LinkAction::from_byte(body[1])?;
    let mut at = 2;
    let to_i64 = |v: u64| i64::try_from(v).ok();
    let request = to_i64(read_varint(body, &mut at)?)?;
    let recipient = to_i64(read_varint(body, &mut at)?)?;
    let version = to_i64(read_varint(body, &mut at)?)?;
    let minute = to_i64(read_varint(body, &mut at)?)?;
    let count = usize::try_from(read_varint(body, &mut at)?).ok()?;
    if count > MAX_SUBJECTS {
        return None;
    }
    let mut subjects = Vec::with_capacity(count);
    for _ in 0..count {
        subjects.push(PersonId(to_i64(read_varint(body, &mut at)?)?));
    }
    if at != body.len() {
        return None;
    }
    Some(LinkClaim {
        action,
        request: RequestId(request),
        recipient: PersonId(recipient),
        version,
        expires_at: Utc.timestamp_opt(minute.checked_mul(60)?, 0).single()?,
        subjects,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;

    fn keys() -> LinkKeys {
        LinkKeys::new(Secret::new("0123456789abcdef0123456789abcdef"), &[])
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 9, 0, 0).unwrap()
    }

    fn claim(action: LinkAction) -> LinkClaim {
        LinkClaim {
            action,
            request: RequestId(4213),
            recipient: PersonId(57),
            version: 6,
            expires_at: now() + TimeDelta::days(7),
            subjects: Vec::new(),
        }
    }

    #[test]
    fn every_action_round_trips_and_stays_short() {
        for action in LinkAction::ALL {
            let c = claim(action);
            let token = keys().sign(&c);
            assert!(token.len() <= 36, "{action:?}: {token} is {} chars", token.len());
            assert!(
                token
                    .chars()
                    .all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_')
            );
            assert_eq!(keys().verify(&token, now()).map(|l| l.claim), Ok(c));
        }
        let mut broadcast = claim(LinkAction::Broadcast);
        broadcast.subjects = vec![PersonId(3), PersonId(300), PersonId(30_000)];
        let token = keys().sign(&broadcast);
        assert_eq!(keys().verify(&token, now()).map(|l| l.claim), Ok(broadcast));
    }

    #[test]
    fn any_changed_bit_is_refused() {
        let token = keys().sign(&claim(LinkAction::Accept));
        let bytes = URL_SAFE_NO_PAD.decode(&token).unwrap();
        for i in 0..bytes.len() {
            for bit in 0..8 {
                let mut forged = bytes.clone();
                forged[i] ^= 1 << bit;
                assert_eq!(
                    keys().verify(&URL_SAFE_NO_PAD.encode(&forged), now()),
                    Err(LinkError::Invalid),
                    "byte {i} bit {bit}"
                );
            }
        }
        for bad in ["", "a", "!!!!", &token[..token.len() - 1], &format!("{token}A")] {
            assert_eq!(keys().verify(bad, now()), Err(LinkError::Invalid), "{bad}");
        }
        let other = LinkKeys::new(Secret::new("another-key-another-key-another-k"), &[]);
        assert_eq!(other.verify(&token, now()), Err(LinkError::Invalid));
    }

    #[test]
    fn expired_links_are_told_apart_from_forged_ones() {
        let token = keys().sign(&claim(LinkAction::Cancel));
        let later = now() + TimeDelta::days(8);
        match keys().verify(&token, later) {
            Err(LinkError::Expired(link)) => assert_eq!(link.claim.action, LinkAction::Cancel),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn rotated_keys_verify_until_retired() {
        let old = Secret::new("old-key-old-key-old-key-old-key-1");
        let new = Secret::new("new-key-new-key-new-key-new-key-2");
        let token = LinkKeys::new(old.clone(), &[]).sign(&claim(LinkAction::Validate));
        let rotated = LinkKeys::new(new.clone(), std::slice::from_ref(&old));
        assert!(rotated.verify(&token, now()).is_ok(), "the previous key still verifies");
        let fresh = rotated.sign(&claim(LinkAction::Validate));
        assert_ne!(fresh, token, "the new key signs");
        assert!(rotated.verify(&fresh, now()).is_ok());
        let retired = LinkKeys::new(new, &[]);
        assert_eq!(retired.verify(&token, now()), Err(LinkError::Invalid));
    }

    #[test]
    fn the_form_value_is_bound_to_cookie_and_token() {
        let k = keys();
        let token = k.sign(&claim(LinkAction::Accept));
        let value = k.csrf("nonce-1", &token);
        assert!(k.csrf_matches("nonce-1", &token, &value));
        assert!(!k.csrf_matches("nonce-2", &token, &value));
        assert!(!k.csrf_matches("", &token, &k.csrf("", &token)));
        let other = k.sign(&claim(LinkAction::Refuse));
        assert!(!k.csrf_matches("nonce-1", &other, &value));
    }
}
