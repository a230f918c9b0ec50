//! Who really sent a mail, as far as the mail system can tell: DMARC for the `From:`
//! domain, either as a receiving server we trust reports it (`mail.trusted_authserv_id`)
//! or as Relais checks it itself (`mail.verify_sender_domains`: DKIM signatures, SPF for
//! the client address of our last hop, the domain's DMARC record, through
//! `mail.dns_servers`). A reply key is the other way a sender is known; the pipeline
//! checks that one (`inbound::pipeline`).
//!
//! Every lookup is bounded: a slow or silent DNS server makes the mail unverified (it then
//! needs its sender's confirmation), never a stuck pipeline.

use crate::config::Settings;
use crate::inbound::mail::auth_results::{ServerVerdict, client_hop, server_verdict};
use crate::inbound::mail::parse::ParsedMail;
use mail_auth::dmarc::verify::DmarcParameters;
use mail_auth::hickory_resolver::config::{ConnectionConfig, NameServerConfig, ResolverConfig, ResolverOpts};
use mail_auth::spf::verify::SpfParameters;
use mail_auth::{AuthenticatedMessage, DmarcResult, MessageAuthenticator, SpfOutput};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// The most a whole check may take, all lookups included.
const CHECK_TIMEOUT: Duration = Duration::from_secs(5);

/// What the mail system says of the `From:` address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DomainTrust {
    /// DMARC passed for the `From:` domain, aligned: the domain sent it.
    Authenticated(&'static str),
    /// The domain's own policy says it did not send this.
    Failed,
    /// Nothing proves it either way (no record, no signature, a lookup that failed).
    Unverified,
}

/// The checks a bank has configured.
#[derive(Clone)]
pub struct SenderAuth {
    authserv_id: Option<String>,
    verifier: Option<Arc<MessageAuthenticator>>,
    hop: usize,
}

impl std::fmt::Debug for SenderAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SenderAuth")
            .field("authserv_id", &self.authserv_id)
            .field("verifies_itself", &self.verifier.is_some())
            .field("hop", &self.hop)
            .finish()
    }
}

impl SenderAuth {
    /// No check at all: only reply keys and confirmations tie a mail to its sender.
    pub fn none() -> SenderAuth {
        SenderAuth {
            authserv_id: None,
            verifier: None,
            hop: 1,
        }
    }

    /// Only the `Authentication-Results` of the server named `authserv_id`.
    pub fn trusting_server(authserv_id: &str) -> SenderAuth {
        SenderAuth {
            authserv_id: Some(authserv_id.to_string()),
            verifier: None,
            hop: 1,
        }
    }

    /// Relais's own DKIM, SPF and DMARC checks through `dns_servers`, trusting `hops`
    /// `Received:` lines at the top.
    pub fn verifying(dns_servers: &[String], hops: usize) -> anyhow::Result<SenderAuth> {
        Ok(SenderAuth {
            authserv_id: None,
            verifier: Some(Arc::new(authenticator(dns_servers)?)),
            hop: hops.max(1),
        })
    }

    pub fn from_settings(settings: &Settings) -> anyhow::Result<SenderAuth> {
        let mail = &settings.mail;
        let authserv_id = Some(mail.trusted_authserv_id.trim().to_string()).filter(|s| !s.is_empty());
        let verifier = if mail.verify_sender_domains {
            Some(Arc::new(authenticator(&mail.dns_servers)?))
        } else {
            None
        };
        Ok(SenderAuth {
            authserv_id,
            verifier,
            hop: mail.trusted_received_hops.max(1) as usize,
        })
    }

    /// Whether any domain check is configured.
    pub fn checks_domains(&self) -> bool {
        self.authserv_id.is_some() || self.verifier.is_some()
    }

    /// What the mail system says of this mail's `From:` domain. The trusted server's
    /// results are always read (they cost nothing); Relais's own DNS checks run only when
    /// `verify_itself` (a keyed reply needs them only to catch a failure its server saw).
    pub async fn check(&self, raw: &[u8], mail: &ParsedMail, verify_itself: bool) -> DomainTrust {
        let Some(from_domain) = mail.from.as_deref().and_then(|f| f.rsplit_once('@')).map(|(_, d)| d) else {
            return DomainTrust::Unverified;
        };
        if let Some(server) = &self.authserv_id {
            match server_verdict(&mail.headers, server, from_domain) {
                ServerVerdict::Pass => return DomainTrust::Authenticated("authentication_results"),
                ServerVerdict::Fail => return DomainTrust::Failed,
                ServerVerdict::Unknown => {}
            }
        }
        let Some(verifier) = self.verifier.as_ref().filter(|_| verify_itself) else {
            return DomainTrust::Unverified;
        };
        match tokio::time::timeout(CHECK_TIMEOUT, self.verify(verifier, raw, mail)).await {
            Ok(trust) => trust,
            Err(_) => {
                tracing::warn!("sender check timed out: the mail needs its sender's confirmation");
                DomainTrust::Unverified
            }
        }
    }

    async fn verify(&self, verifier: &MessageAuthenticator, raw: &[u8], mail: &ParsedMail) -> DomainTrust {
        let Some(message) = AuthenticatedMessage::parse(raw) else {
            return DomainTrust::Unverified;
        };
        let dkim = verifier.verify_dkim(&message).await;
        let sender = mail
            .return_path
            .clone()
            .filter(|p| !p.is_empty())
            .or_else(|| mail.from.clone())
            .unwrap_or_default();
        let mail_from_domain = sender.rsplit_once('@').map(|(_, d)| d.to_string()).unwrap_or_default();
        let spf = match client_hop(&mail.headers, self.hop) {
            Some(hop) => {
                verifier
                    .verify_spf(SpfParameters::verify_mail_from(hop.ip, &hop.helo, &hop.helo, &sender))
                    .await
            }
            None => SpfOutput::new(mail_from_domain.clone()),
        };
        let dmarc = verifier
            .verify_dmarc(DmarcParameters::new(&message, &dkim, &mail_from_domain, &spf))
            .await;
        tracing::debug!(
            dkim = ?dkim.iter().map(|d| d.result()).collect::<Vec<_>>(),
            spf = ?spf.result(),
            dmarc_dkim = ?dmarc.dkim_result(),
            dmarc_spf = ?dmarc.spf_result(),
            "sender's domain checked"
        );
        let passed =
            matches!(dmarc.dkim_result(), DmarcResult::Pass) || matches!(dmarc.spf_result(), DmarcResult::Pass);
        if passed {
            DomainTrust::Authenticated("dmarc")
        } else if matches!(dmarc.dkim_result(), DmarcResult::Fail(_))
            && matches!(dmarc.spf_result(), DmarcResult::Fail(_))
            && !matches!(dmarc.policy(), mail_auth::dmarc::Policy::None)
        {
            DomainTrust::Failed
        } else {
            DomainTrust::Unverified
        }
    }
}

/// A resolver over `servers` (`IP` or `IP:PORT`), or the system's when empty; short
/// timeouts, so one slow server does not hold the pipeline.
fn authenticator(servers: &[String]) -> anyhow::Result<MessageAuthenticator> {
    let mut options = ResolverOpts::default();
    options.timeout = Duration::from_secs(2);
    options.attempts = 1;
    if servers.is_empty() {
        let (config, _) = mail_auth::hickory_resolver::system_conf::read_system_conf().map_err(|e| {
            anyhow::anyhow!(
                "configuration key `mail.dns_servers` is empty and the system's resolver cannot be read: {e}"
            )
        })?;
        return MessageAuthenticator::new(config, options)
            .map_err(|e| anyhow::anyhow!("cannot start the DNS resolver: {e}"));
    }
    let mut name_servers = Vec::new();
    for server in servers {
        let address: SocketAddr = server
            .parse()
            .or_else(|_| server.parse::<std::net::IpAddr>().map(|ip| SocketAddr::new(ip, 53)))
            .map_err(|_| anyhow::anyhow!("configuration key `mail.dns_servers`: {server} is not IP or IP:PORT"))?;
        let mut udp = ConnectionConfig::udp();
        udp.port = address.port();
        let mut tcp = ConnectionConfig::tcp();
        tcp.port = address.port();
        name_servers.push(NameServerConfig::new(address.ip(), true, vec![udp, tcp]));
    }
    MessageAuthenticator::new(ResolverConfig::from_parts(None, vec![], name_servers), options)
        .map_err(|e| anyhow::anyhow!("cannot start the DNS resolver: {e}"))
}
