//! SMS out. The embedded default appends each message to a local log instead of sending it.

use anyhow::Context as _;
use std::io::Write as _;
use std::path::PathBuf;

/// How SMS leave.
#[derive(Debug, Clone)]
pub enum SmsTransport {
    /// One line per message: time, number, text.
    Log(PathBuf),
}

impl SmsTransport {
    pub async fn send(&self, to: &str, text: &str, at: chrono::DateTime<chrono::Utc>) -> anyhow::Result<()> {
        match self {
            SmsTransport::Log(path) => {
                if let Some(dir) = path.parent()
                    && !dir.as_os_str().is_empty()
                {
                    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
                }
                let mut file = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .with_context(|| format!("cannot open {}", path.display()))?;
                writeln!(file, "{}\t{to}\t{}", at.to_rfc3339(), text.replace(['\n', '\t'], " "))
                    .with_context(|| format!("cannot write {}", path.display()))?;
                Ok(())
            }
        }
    }
}
