//! TLS for the connections Relais opens (IMAP, SMTP, the SMS gateways' HTTP): rustls with
//! the web's root certificates.

use anyhow::Context as _;
use std::sync::Arc;
use tokio::net::TcpStream;

/// A client's TLS settings: rustls's safe defaults, the web's root certificates.
pub fn client_config() -> anyhow::Result<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    Ok(
        rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .context("TLS")?
            .with_root_certificates(roots)
            .with_no_client_auth(),
    )
}

/// A TLS session with `host` over `stream`; `key` names the configuration key of the host,
/// for the error.
pub async fn connect(
    host: &str,
    stream: TcpStream,
    key: &str,
) -> anyhow::Result<tokio_rustls::client::TlsStream<TcpStream>> {
    let config = client_config()?;
    let name = rustls::pki_types::ServerName::try_from(host.to_string())
        .with_context(|| format!("configuration key `{key}`: not a host name"))?;
    tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(name, stream)
        .await
        .with_context(|| format!("TLS handshake with {host}"))
}
