//! The embedded default's inbox: a local Maildir folder. A message moves from `new/` to
//! `cur/` (flagged seen) only after the pipeline has committed what it did.

use super::pipeline::MailPipeline;
use anyhow::Context as _;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::sync::watch;

/// Creates `new/`, `cur/` and `tmp/` under `dir` if missing.
pub fn ensure(dir: &Path) -> anyhow::Result<()> {
    for sub in ["new", "cur", "tmp"] {
        let path = dir.join(sub);
        std::fs::create_dir_all(&path).with_context(|| format!("cannot create {}", path.display()))?;
    }
    Ok(())
}

fn seen_name(name: &str) -> String {
    match name.split_once(":2,") {
        Some((base, flags)) if flags.contains('S') => format!("{base}:2,{flags}"),
        Some((base, flags)) => {
            let mut flags: Vec<char> = flags.chars().chain(['S']).collect();
            flags.sort_unstable();
            format!("{base}:2,{}", flags.into_iter().collect::<String>())
        }
        None => format!("{name}:2,S"),
    }
}

/// Processes every message waiting in `new/`, oldest name first. Returns how many were handled.
pub async fn drain(pipeline: &MailPipeline, dir: &Path) -> anyhow::Result<usize> {
    ensure(dir)?;
    let mut waiting: Vec<PathBuf> = std::fs::read_dir(dir.join("new"))?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    waiting.sort();
    let mut handled = 0;
    for path in waiting {
        let raw = match std::fs::read(&path) {
            Ok(raw) => raw,
            // Another process took it first.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        pipeline.process(&raw, "maildir").await?;
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("message")
            .to_string();
        let target = dir.join("cur").join(seen_name(&name));
        match std::fs::rename(&path, &target) {
            Ok(()) => handled += 1,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("cannot move {}", path.display())),
        }
    }
    Ok(handled)
}

/// Watches the folder until `stop`, draining it every `interval`.
pub async fn run(pipeline: MailPipeline, dir: PathBuf, interval: Duration, mut stop: watch::Receiver<bool>) {
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticker.tick() => {
                if let Err(e) = drain(&pipeline, &dir).await {
                    tracing::error!(error = %format!("{e:#}"), "maildir: will retry");
                }
            }
            _ = stop.changed() => break,
        }
        if *stop.borrow() {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::seen_name;

    #[test]
    fn seen_flag_is_added_once() {
        assert_eq!(seen_name("1700.M1.host"), "1700.M1.host:2,S");
        assert_eq!(seen_name("1700.M1.host:2,F"), "1700.M1.host:2,FS");
        assert_eq!(seen_name("1700.M1.host:2,S"), "1700.M1.host:2,S");
    }
}
