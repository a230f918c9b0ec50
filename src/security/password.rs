//! Password hashing: Argon2id with the `argon2` crate's defaults (19 MiB, 2 passes, one
//! lane: OWASP's recommendation), stored as PHC strings (`$argon2id$v=19$m=19456,t=2,p=1$…`),
//! so the parameters travel with each hash and can be raised later without a migration.
//!
//! Hashing takes tens of milliseconds of CPU on purpose: callers run it on a blocking
//! thread (`tokio::task::spawn_blocking`).

use crate::domain::password_policy::normalise;
use anyhow::Context as _;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::Rng as _;

fn hasher() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::default())
}

/// The PHC string of `password` (NFC-normalised) with a fresh 16-byte salt.
pub fn hash(password: &str) -> anyhow::Result<String> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    let hash = hasher()
        .hash_password(normalise(password).as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("argon2: {e}"))
        .context("cannot hash the password")?;
    Ok(hash.to_string())
}

/// Whether `password` matches the stored PHC string. A malformed hash matches nothing.
pub fn verify(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => hasher()
            .verify_password(normalise(password).as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_phc_strings_that_verify() {
        let phc = hash("Quatre-Lapins!Violets7").unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify("Quatre-Lapins!Violets7", &phc));
        assert!(!verify("Quatre-Lapins!Violets8", &phc));
        assert!(!verify("Quatre-Lapins!Violets7", "not a hash"));
        assert_ne!(hash("Quatre-Lapins!Violets7").unwrap(), phc, "salted");
        // Typed with a combining accent, it is the same password.
        let phc = hash("Éléphant-Rose!Quai42").unwrap();
        assert!(verify("E\u{301}le\u{301}phant-Rose!Quai42", &phc));
    }
}
