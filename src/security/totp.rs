//! Time-based one-time passwords (RFC 6238: SHA-1, 6 digits, 30-second steps), as every
//! authenticator app reads them from an `otpauth://` QR code.
//!
//! A code is accepted for the current step and one step either side (a phone's clock a
//! little off), and each step once: the caller stores the last step accepted and passes it
//! back, so a code seen over someone's shoulder cannot be replayed.

use totp_rs::{Builder, Secret, Totp};

/// Steps of 30 seconds.
pub const STEP_SECONDS: u64 = 30;
const SECRET_BYTES: usize = 20;

/// A TOTP secret. Its `Debug` shows nothing of it.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret(Vec<u8>);

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecret(<redacted>)")
    }
}

/// Whether a code was accepted, and why not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TotpCheck {
    /// Valid for this step, which the caller must now store as the last used.
    Accepted {
        step: i64,
    },
    /// Valid, but for a step already used (or older): a replay.
    Replayed,
    Wrong,
}

impl TotpSecret {
    /// 160 random bits, the RFC's recommended length.
    pub fn generate() -> TotpSecret {
        use rand::Rng as _;
        let mut bytes = vec![0u8; SECRET_BYTES];
        rand::rng().fill_bytes(&mut bytes);
        TotpSecret(bytes)
    }

    pub fn from_bytes(bytes: Vec<u8>) -> TotpSecret {
        TotpSecret(bytes)
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Base32 without padding, as people type it into an app: groups of four.
    pub fn to_base32_groups(&self) -> String {
        let plain = Secret::from(self.0.clone()).to_base32();
        let plain = plain.trim_end_matches('=');
        plain
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn totp(&self, issuer: Option<&str>, account: &str) -> Result<Totp, totp_rs::TotpError> {
        // ':' separates issuer and account in the URL: neither may hold one.
        Builder::new()
            .with_secret(self.0.clone())
            .with_skew(1)
            .with_step_duration(STEP_SECONDS)
            .with_issuer(issuer.map(|i| i.replace(':', " ")))
            .with_account_name(account.replace(':', " "))
            .build()
    }

    /// The `otpauth://totp/…` URL the QR code carries.
    pub fn otpauth_url(&self, issuer: &str, account: &str) -> anyhow::Result<String> {
        self.totp(Some(issuer), account)
            .and_then(|t| t.to_url())
            .map_err(|e| anyhow::anyhow!("totp: {e}"))
    }

    /// The code for the step holding `unix_seconds` (for tests and the enrolment page's
    /// own checks).
    pub fn code_at(&self, unix_seconds: i64) -> Option<String> {
        let t = self.totp(None, "").ok()?;
        Some(t.generate(u64::try_from(unix_seconds).ok()?).to_string())
    }

    /// Checks `code` at `unix_seconds`, given the last step accepted before.
    pub fn check(&self, code: &str, unix_seconds: i64, last_step: Option<i64>) -> TotpCheck {
        let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return TotpCheck::Wrong;
        }
        let (Ok(t), Ok(now)) = (self.totp(None, ""), u64::try_from(unix_seconds)) else {
            return TotpCheck::Wrong;
        };
        let origin = now / STEP_SECONDS;
        // Newest step first: a code valid for two steps (never in practice) counts once, late.
        for step in [origin + 1, origin, origin.saturating_sub(1)] {
            if t.generate(step * STEP_SECONDS).to_string() == code {
                let step = i64::try_from(step).unwrap_or(i64::MAX);
                return accept_step(step, last_step);
            }
        }
        TotpCheck::Wrong
    }
}

/// The replay guard: a step is accepted once, and never one older than the last accepted.
pub fn accept_step(step: i64, last_step: Option<i64>) -> TotpCheck {
    match last_step {
        Some(last) if step <= last => TotpCheck::Replayed,
        _ => TotpCheck::Accepted { step },
    }
}

/// The QR code of `text` as an SVG image: black modules on white, a quiet zone of four.
/// Drawn from the QR matrix only, so nothing in `text` reaches the markup.
pub fn qr_svg(text: &str) -> Option<String> {
    use qrcodegen::{QrCode, QrCodeEcc};
    let qr = QrCode::encode_text(text, QrCodeEcc::Medium).ok()?;
    let border = 4;
    let size = qr.size() + 2 * border;
    let mut path = String::new();
    for y in 0..qr.size() {
        for x in 0..qr.size() {
            if qr.get_module(x, y) {
                path.push_str(&format!("M{},{}h1v1h-1z", x + border, y + border));
            }
        }
    }
    Some(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {size}\" shape-rendering=\"crispEdges\">\
         <rect width=\"100%\" height=\"100%\" fill=\"#fff\"/><path d=\"{path}\" fill=\"#000\"/></svg>"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1: the secret "12345678901234567890" at 59 s gives 94287082
    /// in 8 digits, so 287082 in 6.
    #[test]
    fn codes_follow_the_rfc() {
        let s = TotpSecret::from_bytes(b"12345678901234567890".to_vec());
        assert_eq!(s.code_at(59).as_deref(), Some("287082"));
        assert_eq!(s.code_at(1_111_111_109).as_deref(), Some("081804"));
    }

    #[test]
    fn one_step_either_side_and_each_step_once() {
        let s = TotpSecret::generate();
        let now = 1_800_000_015; // step 60_000_000, 15 s in
        let step = now / 30;
        let current = s.code_at(now).unwrap();
        let before = s.code_at(now - 30).unwrap();
        let after = s.code_at(now + 30).unwrap();
        let too_old = s.code_at(now - 60).unwrap();
        assert_eq!(s.check(&current, now, None), TotpCheck::Accepted { step });
        assert_eq!(s.check(&before, now, None), TotpCheck::Accepted { step: step - 1 });
        assert_eq!(s.check(&after, now, None), TotpCheck::Accepted { step: step + 1 });
        if ![&current, &before, &after].contains(&&too_old) {
            assert_eq!(s.check(&too_old, now, None), TotpCheck::Wrong);
        }
        // Used once: refused again, and so is an older step.
        assert_eq!(s.check(&current, now, Some(step)), TotpCheck::Replayed);
        assert_eq!(s.check(&before, now, Some(step)), TotpCheck::Replayed);
        // The next step is still welcome.
        assert_eq!(s.check(&after, now, Some(step)), TotpCheck::Accepted { step: step + 1 });
        // Spaces are ignored; anything else is wrong.
        let spaced = format!("{} {}", &current[..3], &current[3..]);
        assert_eq!(s.check(&spaced, now, None), TotpCheck::Accepted { step });
        assert_eq!(s.check("12345", now, None), TotpCheck::Wrong);
        assert_eq!(s.check("abcdef", now, None), TotpCheck::Wrong);
    }

    #[test]
    fn replay_guard() {
        assert_eq!(accept_step(10, None), TotpCheck::Accepted { step: 10 });
        assert_eq!(accept_step(10, Some(9)), TotpCheck::Accepted { step: 10 });
        assert_eq!(accept_step(10, Some(10)), TotpCheck::Replayed);
        assert_eq!(accept_step(9, Some(10)), TotpCheck::Replayed);
    }

    #[test]
    fn urls_and_qr_codes() {
        let s = TotpSecret::from_bytes(b"12345678901234567890".to_vec());
        let url = s.otpauth_url("Banque: BI", "marie@ciusss.example").unwrap();
        assert!(url.starts_with("otpauth://totp/"), "{url}");
        assert!(url.contains("secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"), "{url}");
        assert_eq!(s.to_base32_groups(), "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ");
        let svg = qr_svg(&url).unwrap();
        assert!(
            svg.starts_with("<svg") && svg.contains("<path d=\"M4,4h1v1h-1z"),
            "{svg}"
        );
        assert_eq!(format!("{s:?}"), "TotpSecret(<redacted>)");
    }
}
