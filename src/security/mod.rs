//! Signing: the key that signs links and reply addresses, and the reply keys themselves;
//! TLS for the connections Relais opens.

pub mod account_secret;
pub mod link;
pub mod mail_confirmation;
pub mod password;
pub mod reply_key;
pub mod sealed;
pub mod tls;
pub mod totp;
pub mod twilio;

use crate::config::{Secret, Settings};
use anyhow::Context as _;
use rand::Rng as _;
use std::io::Write as _;

/// The configured signing key, or on the embedded default the one kept in
/// `security.key_file`, generated on first use.
pub fn signing_key(settings: &Settings) -> anyhow::Result<Secret> {
    if !settings.security.signing_key.is_empty() {
        return Ok(settings.security.signing_key.clone());
    }
    let path = &settings.security.key_file;
    match std::fs::read_to_string(path) {
        Ok(text) if text.trim().len() >= 32 => return Ok(Secret::new(text.trim())),
        Ok(_) => anyhow::bail!(
            "configuration key `security.key_file`: {} holds no usable key",
            path.display()
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let key: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    if let Some(dir) = path.parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(mut file) => {
            file.write_all(key.as_bytes())
                .with_context(|| format!("cannot write {}", path.display()))?;
            Ok(Secret::new(key))
        }
        // Another process created it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
            Ok(Secret::new(text.trim()))
        }
        Err(e) => Err(e).with_context(|| format!("cannot create {}", path.display())),
    }
}

/// The keys that sign and verify one-click links: the signing key, then the retired ones.
pub fn link_keys(settings: &Settings) -> anyhow::Result<link::LinkKeys> {
    Ok(link::LinkKeys::new(
        signing_key(settings)?,
        &settings.security.previous_keys,
    ))
}

/// 128 random bits, base64url: session cookies and form nonces.
pub fn random_token() -> String {
    use base64::Engine as _;
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}
