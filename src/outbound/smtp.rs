//! The SMTP relay: messages handed to the configured server over connections kept open
//! between messages, with Nagle's algorithm off.
//!
//! lettre's own transport leaves Nagle on, and sends a message's body and its final
//! `.` in two writes: the second waits for the server's delayed acknowledgement of the
//! first, 40 ms on Linux, so one connection carried about 22 messages a second. Here the
//! socket is opened by Relais (`TCP_NODELAY` set) and handed to lettre's SMTP session,
//! which still speaks the protocol, STARTTLS and authentication.

use crate::config::{Smtp, TlsMode};
use anyhow::Context as _;
use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, DEFAULT_MECHANISMS};
use lettre::transport::smtp::client::{AsyncSmtpConnection, AsyncTokioStream, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// A connection idle longer than this is closed rather than reused: servers close idle
/// sessions after a few minutes (RFC 5321 § 4.5.3.2 asks for at least five).
const IDLE_REUSE: Duration = Duration::from_secs(30);
/// A connection idle longer than this is checked (NOOP) before it carries a message: the
/// server may have closed it meanwhile. Back-to-back sends skip the round trip.
const IDLE_CHECK: Duration = Duration::from_secs(2);
/// At most this many idle connections are kept (one per outbox sender is the need).
const MAX_IDLE: usize = 64;

/// A relay and the connections open to it.
pub struct SmtpRelay {
    host: String,
    port: u16,
    tls: TlsMode,
    credentials: Option<Credentials>,
    hello: ClientId,
    /// No send (connecting included) may take longer.
    timeout: Duration,
    /// Connections between messages, each with when it was last used.
    idle: Mutex<Vec<(AsyncSmtpConnection, Instant)>>,
}

impl SmtpRelay {
    pub fn new(settings: &Smtp) -> SmtpRelay {
        SmtpRelay {
            host: settings.host.clone(),
            port: settings.port,
            tls: settings.tls,
            credentials: (!settings.username.is_empty())
                .then(|| Credentials::new(settings.username.clone(), settings.password.expose().to_string())),
            hello: ClientId::default(),
            timeout: Duration::from_secs(settings.timeout_seconds.max(1)),
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Hands these exact bytes to the relay for the envelope's recipients. `Ok` once the
    /// server has accepted the message; a connection that failed is never reused.
    pub async fn send(&self, envelope: &Envelope, bytes: &[u8]) -> anyhow::Result<()> {
        let limit = self.timeout * 2;
        tokio::time::timeout(limit, self.send_within(envelope, bytes))
            .await
            .map_err(|_| anyhow::anyhow!("SMTP server did not answer within {} s", limit.as_secs()))?
    }

    async fn send_within(&self, envelope: &Envelope, bytes: &[u8]) -> anyhow::Result<()> {
        let mut connection = loop {
            match self.take_idle() {
                Some((mut connection, used)) => {
                    if used.elapsed() < IDLE_CHECK || connection.test_connected().await {
                        break connection;
                    }
                }
                None => break self.connect().await?,
            }
        };
        connection.send(envelope, bytes).await.context("SMTP delivery failed")?;
        if !connection.has_broken() {
            self.put_idle(connection);
        }
        Ok(())
    }

    /// The most recently used idle connection still fresh enough to reuse, and when it
    /// was last used.
    fn take_idle(&self) -> Option<(AsyncSmtpConnection, Instant)> {
        let mut idle = self.idle.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        // Stale connections are dropped (the socket closes) rather than reused.
        idle.retain(|(_, used)| used.elapsed() < IDLE_REUSE);
        idle.pop()
    }

    fn put_idle(&self, connection: AsyncSmtpConnection) {
        let mut idle = self.idle.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if idle.len() < MAX_IDLE {
            idle.push((connection, Instant::now()));
        }
    }

    /// A new session: TCP with Nagle off, TLS as configured, EHLO, authentication.
    async fn connect(&self) -> anyhow::Result<AsyncSmtpConnection> {
        let where_ = format!("{}:{}", self.host, self.port);
        let stream = TcpStream::connect((self.host.as_str(), self.port))
            .await
            .with_context(|| format!("cannot reach the SMTP server {where_}"))?;
        // Each SMTP step is a write then a wait for the answer: nothing to coalesce.
        stream.set_nodelay(true).context("TCP_NODELAY")?;
        let mut connection = match self.tls {
            TlsMode::Implicit => {
                let tls = crate::security::tls::connect(&self.host, stream, "smtp.host").await?;
                AsyncSmtpConnection::connect_with_transport(Box::new(TlsStream(tls)), &self.hello).await
            }
            TlsMode::StartTls | TlsMode::None => {
                AsyncSmtpConnection::connect_with_transport(Box::new(stream), &self.hello).await
            }
        }
        .with_context(|| format!("the SMTP server {where_} did not greet"))?;
        if self.tls == TlsMode::StartTls {
            let parameters = TlsParameters::new(self.host.clone()).context("configuration key `smtp.host`")?;
            connection
                .starttls(parameters, &self.hello)
                .await
                .with_context(|| format!("STARTTLS with the SMTP server {where_}"))?;
        }
        if let Some(credentials) = &self.credentials {
            connection
                .auth(DEFAULT_MECHANISMS, credentials)
                .await
                .with_context(|| format!("the SMTP server {where_} refused the credentials"))?;
        }
        Ok(connection)
    }
}

/// A TLS session on a TCP socket, as lettre's session needs it.
#[derive(Debug)]
struct TlsStream(tokio_rustls::client::TlsStream<TcpStream>);

impl AsyncTokioStream for TlsStream {
    fn peer_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        self.0.get_ref().0.peer_addr()
    }
}

impl AsyncRead for TlsStream {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_read(cx, buf)
    }
}

impl AsyncWrite for TlsStream {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().0).poll_write(cx, buf)
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_flush(cx)
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_shutdown(cx)
    }
}
