//! The IMAP source: reads new mail (IDLE when the server offers it, polling otherwise),
//! and flags or moves each message only after the pipeline has committed its action.
//! UIDVALIDITY and the last UID handled are kept in the database, so a restart, or
//! another process, resumes where the last one stopped; a message read twice is
//! recognised by the pipeline and applied once.

use super::pipeline::MailPipeline;
use crate::config::{Imap, TlsMode};
use crate::store::Store;
use anyhow::Context as _;
use async_imap::Session;
use async_imap::extensions::idle::IdleResponse;
use futures_util::StreamExt as _;
use std::fmt::Debug;
use std::sync::Arc;
use std::time::Duration;
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
        loop {
            let outcome = tokio::select! {
                r = self.connect_and_serve(stop.clone()) => r,
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
        let stream = TcpStream::connect((self.config.host.as_str(), self.config.port))
            .await
            .with_context(|| format!("cannot reach {}:{}", self.config.host, self.config.port))?;
        match self.config.tls {
            TlsMode::Implicit => {
                let tls = tls_connect(&self.config.host, stream).await?;
                let mut session = self.login(tls).await?;
                let n = self.drain(&mut session).await?;
                let _ = session.logout().await;
                Ok(n)
            }
            _ => {
                let mut session = self.login(stream).await?;
                let n = self.drain(&mut session).await?;
                let _ = session.logout().await;
                Ok(n)
            }
        }
    }

    async fn connect_and_serve(&self, stop: watch::Receiver<bool>) -> anyhow::Result<()> {
        let stream = TcpStream::connect((self.config.host.as_str(), self.config.port))
            .await
            .with_context(|| format!("cannot reach {}:{}", self.config.host, self.config.port))?;
        match self.config.tls {
            TlsMode::Implicit => {
                let tls = tls_connect(&self.config.host, stream).await?;
                let session = self.login(tls).await?;
                self.serve(session, stop).await
            }
            TlsMode::StartTls => {
                anyhow::bail!("configuration key `imap.tls`: use \"implicit\" (port 993) or \"none\" on loopback")
            }
            TlsMode::None => {
                let session = self.login(stream).await?;
                self.serve(session, stop).await
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

    async fn serve<T>(&self, mut session: Session<T>, stop: watch::Receiver<bool>) -> anyhow::Result<()>
    where
        T: AsyncRead + AsyncWrite + Unpin + Debug + Send,
    {
        let idle = self.config.idle && session.capabilities().await?.has_str("IDLE");
        loop {
            self.drain(&mut session).await?;
            if *stop.borrow() {
                let _ = session.logout().await;
                return Ok(());
            }
            if idle {
                let mut handle = session.idle();
                handle.init().await.context("IDLE")?;
                let (wait, _interrupt) = handle.wait_with_timeout(Duration::from_secs(self.config.poll_seconds.max(1)));
                match wait.await.context("IDLE wait")? {
                    IdleResponse::NewData(_) | IdleResponse::Timeout | IdleResponse::ManualInterrupt => {}
                }
                session = handle.done().await.context("IDLE done")?;
            } else {
                tokio::time::sleep(Duration::from_secs(self.config.poll_seconds.max(1))).await;
                session.noop().await.context("NOOP")?;
            }
        }
    }

    /// Handles every message above the last UID handled. Returns how many.
    async fn drain<T>(&self, session: &mut Session<T>) -> anyhow::Result<usize>
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
            _ => 0,
        };
        let mut uids: Vec<u32> = session
            .uid_search(format!("UID {}:*", last + 1))
            .await
            .context("UID SEARCH")?
            .into_iter()
            .filter(|uid| i64::from(*uid) > last)
            .collect();
        uids.sort_unstable();
        let mut handled = 0;
        for uid in uids {
            let raw = {
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
                raw
            };
            if let Some(raw) = raw {
                self.pipeline.process(&raw, "imap").await?;
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
                handled += 1;
            }
            last = i64::from(uid);
            let mut tx = self.store.begin().await?;
            tx.set_imap_state(&key, validity, last).await?;
            tx.commit().await?;
        }
        if stored.is_none() || stored.is_some_and(|(v, _)| v != validity) {
            let mut tx = self.store.begin().await?;
            tx.set_imap_state(&key, validity, last).await?;
            tx.commit().await?;
        }
        Ok(handled)
    }
}

async fn tls_connect(host: &str, stream: TcpStream) -> anyhow::Result<tokio_rustls::client::TlsStream<TcpStream>> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .context("TLS")?
        .with_root_certificates(roots)
        .with_no_client_auth();
    let name = rustls::pki_types::ServerName::try_from(host.to_string()).context("configuration key `imap.host`")?;
    tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(name, stream)
        .await
        .context("TLS handshake with the IMAP server")
}
