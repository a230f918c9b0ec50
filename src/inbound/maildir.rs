//! The embedded default's inbox: a local Maildir folder. A message moves from `new/` to
//! `cur/` (flagged seen) only after the pipeline has committed what it did, or set it
//! aside because it fails every time.

use super::pipeline::{GROUP_SIZE, Incoming, MailPipeline, Taken};
use super::retry::{FAILURES_TO_END_PASS, Retries};
use anyhow::Context as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{Notify, watch};

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

/// A Maildir folder being read: what failed and waits for another attempt is remembered
/// from one pass to the next.
pub struct MaildirSource {
    pipeline: MailPipeline,
    dir: PathBuf,
    retries: Retries<PathBuf>,
}

impl MaildirSource {
    pub fn new(pipeline: MailPipeline, dir: PathBuf) -> MaildirSource {
        MaildirSource {
            pipeline,
            dir,
            retries: Retries::default(),
        }
    }

    /// One pass over `new/`, oldest name first, until `stop` (seen between messages).
    /// Each message is moved to `cur/` once recorded, processed or set aside; one whose
    /// failure should pass stays and waits its turn, and the pass goes on with the others.
    /// Returns how many were moved.
    pub async fn drain(&mut self, stop: &watch::Receiver<bool>) -> anyhow::Result<usize> {
        ensure(&self.dir)?;
        let mut waiting: Vec<PathBuf> = std::fs::read_dir(self.dir.join("new"))?
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.is_file())
            .collect();
        waiting.sort();
        self.retries.keep_only(|p| waiting.binary_search(p).is_ok());
        let mut handled = 0;
        let mut failed_in_a_row = 0;
        let mut waiting = waiting.into_iter().peekable();
        // Messages go in groups, each group one transaction (`pipeline/group.rs`); each is
        // moved once its group has committed.
        while waiting.peek().is_some() {
            if *stop.borrow() {
                break;
            }
            let now = Instant::now();
            let mut group: Vec<(PathBuf, Vec<u8>, u32)> = Vec::with_capacity(GROUP_SIZE);
            for path in waiting.by_ref() {
                if !self.retries.is_due(&path, now) {
                    continue;
                }
                match std::fs::read(&path) {
                    Ok(raw) => {
                        let failures = self.retries.failures(&path);
                        group.push((path, raw, failures));
                    }
                    // Another process took it first.
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => {
                        let wait = self.retries.failed(&path, now);
                        tracing::error!(file = %path.display(), error = %e, retry_in_seconds = wait.as_secs(), "maildir: cannot read a message");
                    }
                }
                if group.len() == GROUP_SIZE {
                    break;
                }
            }
            let incoming: Vec<Incoming<'_>> = group
                .iter()
                .map(|(_, raw, failures)| Incoming {
                    raw,
                    source: "maildir",
                    failures: *failures,
                })
                .collect();
            let taken = self.pipeline.take_group(&incoming).await;
            // Those it did not try (the database is likely down) wait for the next pass.
            let all_tried = taken.len() == group.len();
            for ((path, _, _), taken) in group.iter().zip(taken) {
                match taken {
                    Taken::Recorded(_) => {
                        self.retries.succeeded(path);
                        failed_in_a_row = 0;
                        match acknowledge(&self.dir, path) {
                            Ok(true) => handled += 1,
                            Ok(false) => {}
                            Err(e) => {
                                let wait = self.retries.failed(path, now);
                                tracing::error!(error = %format!("{e:#}"), retry_in_seconds = wait.as_secs(), "maildir: recorded but not moved");
                            }
                        }
                    }
                    Taken::Later(e) => {
                        let wait = self.retries.failed(path, now);
                        tracing::warn!(file = %path.display(), error = %format!("{e:#}"), retry_in_seconds = wait.as_secs(), "maildir: will try this message again");
                        failed_in_a_row += 1;
                    }
                }
            }
            if !all_tried || failed_in_a_row >= FAILURES_TO_END_PASS {
                break;
            }
        }
        Ok(handled)
    }
}

/// Moves a recorded message to `cur/`, flagged seen. False when it was gone already.
fn acknowledge(dir: &Path, path: &Path) -> anyhow::Result<bool> {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("message")
        .to_string();
    let target = dir.join("cur").join(seen_name(&name));
    match std::fs::rename(path, &target) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        // Recorded but not moved: the next pass reads it again and recognises it.
        Err(e) => Err(e).with_context(|| format!("cannot move {}", path.display())),
    }
}

/// One pass over the messages waiting in `new/`, with nothing remembered from earlier
/// passes. Returns how many were handled.
pub async fn drain(pipeline: &MailPipeline, dir: &Path) -> anyhow::Result<usize> {
    let (_never, stop) = watch::channel(false);
    MaildirSource::new(pipeline.clone(), dir.to_path_buf())
        .drain(&stop)
        .await
}

/// How often a watched folder is read anyway: for retries that fall due, and for the rare
/// event the kernel drops (a full inotify queue, a folder on a network mount).
const WATCHED_POLL: Duration = Duration::from_secs(30);
/// How often a folder that cannot be watched is read.
const UNWATCHED_POLL: Duration = Duration::from_secs(2);

/// Reads the folder until `stop`: at once when a message lands in `new/` (inotify, through
/// the `notify` crate), and every [`WATCHED_POLL`] anyway. Where watching cannot start, the
/// same loop polls every [`UNWATCHED_POLL`], which is then all it has.
pub async fn run(pipeline: MailPipeline, dir: PathBuf, mut stop: watch::Receiver<bool>) {
    let mut source = MaildirSource::new(pipeline, dir.clone());
    let landed = Arc::new(Notify::new());
    // Kept alive for as long as the loop runs: dropping it stops the watch.
    let (_watcher, interval) = match watch_new(&dir, landed.clone()) {
        Ok(watcher) => (Some(watcher), WATCHED_POLL),
        Err(e) => {
            tracing::warn!(folder = %dir.display(), error = %format!("{e:#}"), poll_seconds = UNWATCHED_POLL.as_secs(), "maildir: cannot watch the folder; polling it");
            (None, UNWATCHED_POLL)
        }
    };
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticker.tick() => {}
            () = landed.notified() => {}
            _ = stop.changed() => break,
        }
        if *stop.borrow() {
            break;
        }
        if let Err(e) = source.drain(&stop).await {
            tracing::error!(error = %format!("{e:#}"), "maildir: will retry");
        }
    }
}

/// Wakes `landed` whenever something changes in `dir/new`. A wake that comes while a pass
/// runs is kept (one permit), so a message that lands mid-pass gets a pass of its own.
fn watch_new(dir: &Path, landed: Arc<Notify>) -> anyhow::Result<notify::RecommendedWatcher> {
    use notify::Watcher as _;
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        // An error (the kernel's queue overflowed) may hide a message: look anyway.
        if event.is_err() || event.is_ok_and(|e| !e.kind.is_access()) {
            landed.notify_one();
        }
    })
    .context("cannot start watching files")?;
    let new = dir.join("new");
    watcher
        .watch(&new, notify::RecursiveMode::NonRecursive)
        .with_context(|| format!("cannot watch {}", new.display()))?;
    Ok(watcher)
}

#[cfg(test)]
mod tests {
    use super::{ensure, seen_name, watch_new};
    use std::sync::Arc;
    use std::time::Duration;
    use tokio::sync::Notify;

    /// A message moved into `new/` (as a delivery agent does, from `tmp/`) wakes the reader.
    #[tokio::test]
    async fn a_message_landing_in_new_wakes_the_reader() {
        let dir = tempfile::tempdir().unwrap();
        ensure(dir.path()).unwrap();
        let landed = Arc::new(Notify::new());
        let _watcher = watch_new(dir.path(), landed.clone()).unwrap();
        std::fs::write(dir.path().join("tmp/1.m"), b"Subject: x\r\n\r\nx").unwrap();
        std::fs::rename(dir.path().join("tmp/1.m"), dir.path().join("new/1.m")).unwrap();
        // A bound on waiting, not a measure: without the watch, nothing ever wakes it.
        tokio::time::timeout(Duration::from_secs(30), landed.notified())
            .await
            .expect("no wake-up for a message in new/");
    }

    #[test]
    fn seen_flag_is_added_once() {
        assert_eq!(seen_name("1700.M1.host"), "1700.M1.host:2,S");
        assert_eq!(seen_name("1700.M1.host:2,F"), "1700.M1.host:2,FS");
        assert_eq!(seen_name("1700.M1.host:2,S"), "1700.M1.host:2,S");
    }
}
