//! The IMAP source: reads new mail (IDLE when the server offers it, polling otherwise),
//! and flags or moves each message only after the pipeline has committed its action.
//! UIDVALIDITY and the last UID handled are kept in the database, so a restart, or
//! another process, resumes where the last one stopped; a message read twice is
//! recognised by the pipeline and applied once.

use super::pipeline::{MailPipeline, Taken};
use super::retry::{FAILURES_TO_END_PASS, Retries};
use crate::config::{Imap, TlsMode};
use crate::store::Store;
use anyhow::Context as _;
use async_imap::Session;
use async_imap::extensions::idle::IdleResponse;
use futures_util::StreamExt as _;
use std::fmt::Debug;
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::sync::watch;

/// One mailbox to read.
#[derive(Clone)]
pub struct ImapSource {
    config: Imap,
    pipeline: MailPipeline,
    store: Store,
}

impl ImapSource {
    pub fn new(config: Imap, pipeline: MailPipeline) -> ImapSource {
        let store = pipeline.workflow().store().clone();
        ImapSource {
            config,
            pipeline,
            store,
        }
    }

    /// Connects, handles what is waiting, then waits for more; reconnects after failures.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        let mut delay = Duration::from_secs(1);
        let mut retries = Retries::default();
        loop {
            let outcome = tokio::select! {
                r = self.connect_and_serve(stop.clone(), &mut retries) => r,
                _ = stop.changed() => Ok(()),
            };
            if *stop.borrow() {
                return;
            }
            if let Err(e) = outcome {
                tracing::warn!(error = %format!("{e:#}"), host = %self.config.host, "imap: reconnecting");
            }
            tokio::select! {
                _ = tokio::time::sleep(delay) => {}
                _ = stop.changed() => return,
            }
            delay = (delay * 2).min(Duration::from_secs(60));
        }
    }

    /// Handles every new message once, then returns (for tests and `relais ingest`-like runs).
    pub async fn poll_once(&self) -> anyhow::Result<usize> {
        let (_never, stop) = watch::channel(false);
        let mut retries = Retries::default();
        let stream = TcpStream::connect((self.config.host.as_str(), self.config.port))
            .await
            .with_context(|| format!("cannot reach {}:{}", self.config.host, self.config.port))?;
        match self.config.tls {
            TlsMode::Implicit => {
                let tls = crate::security::tls::connect(&self.config.host, stream, "imap.host").await?;
                let mut session = self.login(tls).await?;
                let n = self.drain(&mut session, &stop, &mut retries).await?;
                let _ = session.logout().await;
                Ok(n)
            }
            _ => {
                let mut session = self.login(stream).await?;
                let n = self.drain(&mut session, &stop, &mut retries).await?;
                let _ = session.logout().await;
                Ok(n)
            }
        }
    }

    async fn connect_and_serve(&self, stop: watch::Receiver<bool>, retries: &mut Retries<u32>) -> anyhow::Result<()> {
        let stream = TcpStream::connect((self.config.host.as_str(), self.config.port))
            .await
            .with_context(|| format!("cannot reach {}:{}", self.config.host, self.config.port))?;
        match self.config.tls {
            TlsMode::Implicit => {
                let tls = crate::security::tls::connect(&self.config.host, stream, "imap.host").await?;
                let session = self.login(tls).await?;
                self.serve(session, stop, retries).await
            }
            TlsMode::StartTls => {
                anyhow::bail!("configuration key `imap.tls`: use \"implicit\" (port 993) or \"none\" on loopback")
            }
            TlsMode::None => {
                let session = self.login(stream).await?;
                self.serve(session, stop, retries).await
            }
        }
    }

    async fn login<T>(&self, stream: T) -> anyhow::Result<Session<T>>
    where
        T: AsyncRead + AsyncWrite + Unpin + Debug + Send,
    {
        let mut client = async_imap::Client::new(stream);
        client.read_response().await.context("no IMAP greeting")?;
        client
            .login(&self.config.username, self.config.password.expose())
            .await
            .map_err(|(e, _)| anyhow::anyhow!("IMAP login failed for {}: {e}", self.config.username))
    }

    async fn serve<T>(
        &self,
        mut session: Session<T>,
        stop: watch::Receiver<bool>,
        retries: &mut Retries<u32>,
    ) -> anyhow::Result<()>
    where
        T: AsyncRead + AsyncWrite + Unpin + Debug + Send,
    {
        let idle = self.config.idle && session.capabilities().await?.has_str("IDLE");
        loop {
            self.drain(&mut session, &stop, retries).await?;
            if *stop.borrow() {
                let _ = session.logout().await;
                return Ok(());
            }
            if idle {
                let mut handle = session.idle();
                handle.init().await.context("IDLE")?;
                let (wait, _interrupt) = handle.wait_with_timeout(self.wait(retries));
                match wait.await.context("IDLE wait")? {
                    IdleResponse::NewData(_) | IdleResponse::Timeout | IdleResponse::ManualInterrupt => {}
                }
                session = handle.done().await.context("IDLE done")?;
            } else {
                tokio::time::sleep(self.wait(retries)).await;
                session.noop().await.context("NOOP")?;
            }
        }
    }

    /// How long to wait for news: the poll interval, or less while a message waits for
    /// another attempt.
    fn wait(&self, retries: &Retries<u32>) -> Duration {
        let poll = Duration::from_secs(self.config.poll_seconds.max(1));
        if retries.is_empty() {
            poll
        } else {
            poll.min(Duration::from_secs(2))
        }
    }

    /// Handles every message above the last UID recorded, until `stop` (seen between
    /// messages). A message whose failure should pass stays unflagged and waits its turn
    /// while the others go on; the position saved stops before it, so a restart reads it
    /// again (and recognises those after it). Returns how many were handled.
    async fn drain<T>(
        &self,
        session: &mut Session<T>,
        stop: &watch::Receiver<bool>,
        retries: &mut Retries<u32>,
    ) -> anyhow::Result<usize>
    where
        T: AsyncRead + AsyncWrite + Unpin + Debug + Send,
    {
        let mailbox = session.select(&self.config.mailbox).await.context("SELECT")?;
        let validity = i64::from(mailbox.uid_validity.unwrap_or(0));
        let key = format!("{}@{}/{}", self.config.username, self.config.host, self.config.mailbox);
        let mut tx = self.store.begin().await?;
        let stored = tx.imap_state(&key).await?;
        tx.commit().await?;
        // A new UIDVALIDITY means the old UIDs mean nothing: start over; duplicates are recognised.
        let mut last = match stored {
            Some((v, last)) if v == validity => last,
            _ => {
                *retries = Retries::default();
                0
            }
        };
        let mut uids: Vec<u32> = session
            .uid_search(format!("UID {}:*", last + 1))
            .await
            .context("UID SEARCH")?
            .into_iter()
            .filter(|uid| i64::from(*uid) > last)
            .collect();
        uids.sort_unstable();
        retries.keep_only(|uid| uids.binary_search(uid).is_ok());
        let mut handled = 0;
        // Set once a message is left behind: the saved position no longer moves past it.
        let mut held_back = false;
        let mut failed_in_a_row = 0;
        for uid in uids {
            if *stop.borrow() {
                break;
            }
            let now = Instant::now();
            if !retries.is_due(&uid, now) {
                held_back = true;
                continue;
            }
            if let Some(raw) = self.fetch(session, uid).await? {
                match self.pipeline.take(&raw, "imap", retries.failures(&uid)).await {
                    Taken::Recorded(_) => {
                        retries.succeeded(&uid);
                        failed_in_a_row = 0;
                        self.acknowledge(session, uid).await?;
                        handled += 1;
                    }
                    Taken::Later(e) => {
                        let wait = retries.failed(&uid, now);
                        tracing::warn!(uid, error = %format!("{e:#}"), retry_in_seconds = wait.as_secs(), "imap: will try this message again");
                        held_back = true;
                        failed_in_a_row += 1;
                        if failed_in_a_row >= FAILURES_TO_END_PASS {
                            break;
                        }
                        continue;
                    }
                }
            }
            if !held_back {
                last = i64::from(uid);
                let mut tx = self.store.begin().await?;
                tx.set_imap_state(&key, validity, last).await?;
                tx.commit().await?;
            }
        }
        if stored.is_none() || stored.is_some_and(|(v, _)| v != validity) {
            let mut tx = self.store.begin().await?;
            tx.set_imap_state(&key, validity, last).await?;
            tx.commit().await?;
        }
        Ok(handled)
    }

    /// The whole message `uid`, unread (`None`: it is gone).
    async fn fetch<T>(&self, session: &mut Session<T>, uid: u32) -> anyhow::Result<Option<Vec<u8>>>
    where
        T: AsyncRead + AsyncWrite + Unpin + Debug + Send,
    {
        let mut fetches = session
            .uid_fetch(uid.to_string(), "BODY.PEEK[]")
            .await
            .context("UID FETCH")?;
        let mut raw = None;
        while let Some(fetch) = fetches.next().await {
            let fetch = fetch.context("UID FETCH")?;
            if let Some(body) = fetch.body() {
                raw = Some(body.to_vec());
            }
        }
        Ok(raw)
    }

    /// Flags `uid` seen, or moves it to `imap.processed_mailbox`: it was recorded.
    async fn acknowledge<T>(&self, session: &mut Session<T>, uid: u32) -> anyhow::Result<()>
    where
        T: AsyncRead + AsyncWrite + Unpin + Debug + Send,
    {
        if self.config.processed_mailbox.is_empty() {
            let mut flags = session
                .uid_store(uid.to_string(), "+FLAGS.SILENT (\\Seen)")
                .await
                .context("UID STORE")?;
            while flags.next().await.is_some() {}
        } else {
            session
                .uid_mv(uid.to_string(), &self.config.processed_mailbox)
                .await
                .context("UID MOVE")?;
        }
        Ok(())
    }
}
