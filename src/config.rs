//! Typed settings, in three layers, each overriding the one before key by key: the
//! built-in default (`config/default.toml`, compiled in), a file (`--config`,
//! `RELAIS_CONFIG`, or `config/default.toml` in the current folder), and
//! `RELAIS__SECTION__KEY` environment variables. `relais config` prints the result with
//! the layer of each value ([`effective`]).
//!
//! Every section denies unknown keys, so a typo stops start-up with the key named,
//! instead of silently running on a default. Secrets are wrapped in [`Secret`],
//! whose `Debug` and `Display` never show the value.

use crate::domain::money::{Calendar, Currency, Rules, Tariff, TaxRates};
use chrono::{NaiveDate, NaiveTime, Weekday};
use chrono_tz::Tz;
use figment::Figment;
use figment::providers::{Format, Toml};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

pub mod effective;

/// The environment prefix: `RELAIS__WEB__BIND` sets `web.bind`.
pub const ENV_PREFIX: &str = "RELAIS__";

/// Why the settings could not be loaded. The message always names the key.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration file {path}: {source}")]
    File { path: PathBuf, source: std::io::Error },
    #[error("configuration: {0}")]
    Parse(String),
    #[error("configuration key `{key}`: {problem}")]
    Invalid { key: &'static str, problem: String },
}

/// A value that must never reach a log: passwords, tokens, signing keys. Its memory is
/// wiped when it is dropped, and it has no `==`: a secret is compared with
/// [`Secret::matches`], in constant time, never by accident with a timing leak.
#[derive(Clone, Default, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }
    /// The secret itself, for the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// Whether `given` is this secret, in time that does not depend on where they differ.
    /// An empty secret (not configured) matches nothing.
    pub fn matches(&self, given: &str) -> bool {
        use subtle::ConstantTimeEq as _;
        !self.0.is_empty() && bool::from(self.0.as_bytes().ct_eq(given.as_bytes()))
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_empty() {
            "Secret(<empty>)"
        } else {
            "Secret(<redacted>)"
        })
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Serialized (for `relais config`) as `<redacted>`, or `""` when unset, never the value.
impl Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(if self.0.is_empty() { "" } else { "<redacted>" })
    }
}

/// A database URL as `relais config` shows it: a SQLite path in full (it holds no
/// secret and says where the data is), a server URL without its user and password.
fn serialize_database_url<S: serde::Serializer>(url: &Secret, serializer: S) -> Result<S::Ok, S::Error> {
    let url = url.expose();
    if url.starts_with("sqlite:") {
        return serializer.serialize_str(url);
    }
    let shown = match url.split_once("://") {
        Some((scheme, rest)) => match rest.rsplit_once('@') {
            Some((_, host)) => format!("{scheme}://<redacted>@{host}"),
            None => format!("{scheme}://{rest}"),
        },
        None => "<redacted>".to_string(),
    };
    // Query parameters may carry a password too (`?password=`).
    let shown = match shown.split_once('?') {
        Some((base, _)) => format!("{base}?<redacted>"),
        None => shown,
    };
    serializer.serialize_str(&shown)
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub general: General,
    pub database: Database,
    pub web: Web,
    #[serde(default)]
    pub metrics: Metrics,
    pub security: Security,
    pub mail: Mail,
    #[serde(default)]
    pub imap: Imap,
    #[serde(default)]
    pub smtp: Smtp,
    pub sms: Sms,
    pub business_hours: BusinessHours,
    pub workflow: Workflow,
    pub privacy: Privacy,
    pub workers: Workers,
    #[serde(default)]
    pub coordination: Coordination,
    /// Required: a bank states its tariff rather than inherit one.
    pub money: Money,
    pub log: Log,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct General {
    /// The bank's name as people read it in mail and pages.
    pub bank_name: String,
    /// Where appointments happen; every date and hour people read is in this zone.
    pub time_zone: Tz,
    /// Two capital letters opening request numbers (`HC` in `HC-24240002`).
    pub request_prefix: String,
    /// Two capital letters inside user identifiers (`BI` in `UBIPN0002`).
    pub user_code_prefix: String,
    /// Region assumed for phone numbers written without a country code (ISO 3166, e.g. `CA`, `BE`).
    pub default_phone_region: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Database {
    /// `sqlite://data/relais.db` (embedded default) or `postgres://user:password@host/db`.
    #[serde(serialize_with = "serialize_database_url")]
    pub url: Secret,
    pub max_connections: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Web {
    pub bind: SocketAddr,
    /// The address people reach Relais at; links in mail and SMS start with it.
    pub public_base_url: String,
    /// Behind a reverse proxy: the header whose last entry is the client's address
    /// (e.g. `X-Forwarded-For`), for sign-in limits per address. Empty: the connection's
    /// own address. Set it only when a proxy you run always writes that header.
    #[serde(default)]
    pub client_ip_header: String,
}

/// Who may read `/metrics`, and on which address.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Metrics {
    /// When set, `/metrics` answers 401 unless the request carries
    /// `Authorization: Bearer TOKEN`. Empty: open to whoever reaches the address.
    #[serde(default)]
    pub bearer_token: Secret,
    /// When set (`127.0.0.1:9100`), `/metrics` is served on this address alone and no
    /// longer on `web.bind`. Empty: on `web.bind` with the pages.
    #[serde(default, with = "optional_address")]
    pub bind: Option<SocketAddr>,
}

/// An address that may be left empty (`""`): `None`.
mod optional_address {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::net::SocketAddr;

    pub fn serialize<S: Serializer>(value: &Option<SocketAddr>, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&value.map(|a| a.to_string()).unwrap_or_default())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<SocketAddr>, D::Error> {
        let text = String::deserialize(deserializer)?;
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        text.parse()
            .map(Some)
            .map_err(|_| serde::de::Error::custom(format!("{text:?} is not an address like 127.0.0.1:9100")))
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Security {
    /// Key that signs links and reply addresses (at least 32 characters). Empty on the
    /// embedded default: Relais then keeps a generated key in `key_file`.
    pub signing_key: Secret,
    pub key_file: PathBuf,
    /// Retired signing keys: links they signed still verify until a key is removed here.
    #[serde(default)]
    pub previous_keys: Vec<Secret>,
    /// How long a one-click link in a mail or SMS stays usable.
    #[serde(default = "default_link_ttl_hours")]
    pub link_ttl_hours: u32,
}

fn default_link_ttl_hours() -> u32 {
    168
}

fn default_received_hops() -> u32 {
    1
}

fn default_confirmations_per_day() -> u32 {
    3
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InboundSource {
    /// A local Maildir folder (embedded default).
    Maildir,
    Imap,
    /// No mailbox is read; `relais ingest` still works.
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutboundTransport {
    /// Messages are written as `.eml` files to a folder (embedded default).
    Folder,
    Smtp,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mail {
    /// The address Relais sends from and receives replies at.
    pub from_address: String,
    pub from_name: String,
    /// The `authserv-id` of the receiving server whose `Authentication-Results` Relais
    /// trusts (only those it wrote on top of the header, above the first `Received:`): a
    /// mail it marks `dmarc=pass` for the `From:` domain is known to come from that domain;
    /// one it marks `dmarc=fail` is held, never acted on. Empty: no such server.
    #[serde(default)]
    pub trusted_authserv_id: String,
    /// Relais checks DKIM, SPF and DMARC of incoming mail itself, through `dns_servers`.
    #[serde(default)]
    pub verify_sender_domains: bool,
    /// DNS servers for those checks (`"IP"` or `"IP:PORT"`); empty: the system's resolver.
    #[serde(default)]
    pub dns_servers: Vec<String>,
    /// How many `Received:` lines at the top of a mail your own servers wrote: SPF checks
    /// the client address the lowest of them saw.
    #[serde(default = "default_received_hops")]
    pub trusted_received_hops: u32,
    /// A mail whose sender Relais cannot tell acts only once the person whose address it
    /// bears confirms it; each person gets at most this many such requests a day.
    #[serde(default = "default_confirmations_per_day")]
    pub confirmations_per_day: u32,
    pub inbound: InboundSource,
    pub maildir: PathBuf,
    pub outbound: OutboundTransport,
    pub outbox_folder: PathBuf,
    /// DKIM signing of outgoing mail: a PEM private key (RSA, PKCS#1 or PKCS#8, or Ed25519
    /// PKCS#8) and the selector its public key is published under
    /// (`SELECTOR._domainkey.DOMAIN`). Both empty: mail is not signed (your relay may sign).
    #[serde(default)]
    pub dkim_key_file: String,
    #[serde(default)]
    pub dkim_selector: String,
    /// A raw message larger than this is not read: its headers are kept, and a known sender
    /// is told the limit.
    #[serde(default = "default_max_message_bytes")]
    pub max_message_bytes: usize,
}

fn default_answer_within_seconds() -> u64 {
    crate::inbound::sms_pipeline::DEFAULT_ANSWER_WITHIN.as_secs()
}

fn default_max_message_bytes() -> usize {
    crate::inbound::pipeline::DEFAULT_MAX_MESSAGE_BYTES
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TlsMode {
    /// Plain text: only for loopback.
    None,
    StartTls,
    #[default]
    Implicit,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Imap {
    pub host: String,
    pub port: u16,
    pub tls: TlsMode,
    pub username: String,
    pub password: Secret,
    pub mailbox: String,
    /// Where handled messages are moved; empty keeps them in place, flagged as seen.
    pub processed_mailbox: String,
    pub idle: bool,
    pub poll_seconds: u64,
}

impl Default for Imap {
    fn default() -> Self {
        Imap {
            host: String::new(),
            port: 993,
            tls: TlsMode::Implicit,
            username: String::new(),
            password: Secret::default(),
            mailbox: "INBOX".into(),
            processed_mailbox: String::new(),
            idle: true,
            poll_seconds: 60,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Smtp {
    pub host: String,
    pub port: u16,
    pub tls: TlsMode,
    pub username: String,
    pub password: Secret,
    pub timeout_seconds: u64,
}

impl Default for Smtp {
    fn default() -> Self {
        Smtp {
            host: String::new(),
            port: 587,
            tls: TlsMode::StartTls,
            username: String::new(),
            password: Secret::default(),
            timeout_seconds: 30,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmsGateway {
    /// Messages are appended to a local log file (embedded default).
    Log,
    Twilio,
    Kannel,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sms {
    pub gateway: SmsGateway,
    pub log_file: PathBuf,
    /// The number or sender id messages come from (E.164).
    pub from_number: String,
    /// How long a webhook may take to handle an inbound SMS before it answers 503 with
    /// `Retry-After` and keeps nothing: well under the 15 s after which Twilio gives up.
    #[serde(default = "default_answer_within_seconds")]
    pub answer_within_seconds: u64,
    #[serde(default)]
    pub twilio: Twilio,
    #[serde(default)]
    pub kannel: Kannel,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Twilio {
    pub account_sid: String,
    pub auth_token: Secret,
    /// Override for tests; empty means Twilio's own API.
    pub api_base_url: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Kannel {
    /// The smsbox `sendsms` URL, e.g. `http://127.0.0.1:13013/cgi-bin/sendsms`.
    pub sendsms_url: String,
    pub username: String,
    pub password: Secret,
    /// Shared secret Kannel's `get-url` must carry to reach `/webhooks/sms/kannel`.
    pub inbound_secret: Secret,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BusinessHours {
    pub days: Vec<Weekday>,
    pub opens: NaiveTime,
    pub closes: NaiveTime,
    #[serde(default)]
    pub holidays: Vec<NaiveDate>,
}

impl BusinessHours {
    /// The hours as rate classes read them: standard, evening, weekend, holiday.
    pub fn calendar(&self) -> Calendar<'_> {
        Calendar {
            days: &self.days,
            opens: self.opens,
            closes: self.closes,
            holidays: &self.holidays,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Workflow {
    /// A service record the requester neither validates nor contests is validated after this.
    pub auto_validate_after_hours: u32,
    /// A booked request cancelled closer than this to its start is billed and paid.
    pub late_cancellation_hours: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Privacy {
    /// Patient details of closed or cancelled requests are erased after this many days.
    pub patient_retention_days: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Workers {
    /// How often the sweeper looks for due automatic transitions and erasures.
    pub sweep_interval_seconds: u64,
    /// How long a claim on an outbox message lasts unless renewed. The worker sending it
    /// renews it every third of this while it works, so only a process that died (or lost
    /// the database that long) lets it lapse; another process then sends the message.
    #[serde(default = "default_outbox_lease_seconds")]
    pub outbox_lease_seconds: u64,
    /// How many outbox messages this process sends at once. Each sender takes the
    /// recipients of its own share (by id), so one person's messages keep their order.
    #[serde(default = "default_outbox_senders")]
    pub outbox_senders: usize,
    /// At most this many outbox messages a second from this process, whatever the
    /// senders, for a relay or SMS gateway that limits its clients. 0: no limit.
    #[serde(default)]
    pub outbox_rate_per_second: u32,
    /// On SIGTERM, how long work in flight (a mail being sent, a page being served) may
    /// take to finish; what is still running then is abandoned and left for the next start.
    #[serde(default = "default_shutdown_grace_seconds")]
    pub shutdown_grace_seconds: u64,
    /// This process's name on the outbox messages it claims; it must differ between
    /// processes that run at the same time. Empty: `HOSTNAME:PORT` of `web.bind` (two live
    /// processes cannot hold one port), so a process restarted on the same host and port
    /// releases its predecessor's claims at once.
    #[serde(default)]
    pub instance: String,
}

fn default_outbox_lease_seconds() -> u64 {
    300
}

fn default_outbox_senders() -> usize {
    4
}

fn default_shutdown_grace_seconds() -> u64 {
    10
}

/// Offers, reminders and the coordinators' digest.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Coordination {
    /// When coordinators get their digest, on business days (`business_hours.days`, minus
    /// `business_hours.holidays`), in `general.time_zone`.
    pub digest_times: Vec<NaiveTime>,
    /// How many candidates the digest proposes per request.
    pub digest_candidates: usize,
    /// An offer unanswered this long gets one reminder…
    pub offer_reminder_hours: u32,
    /// …and this long after it was made, it lapses: the request goes back to the coordinators.
    pub offer_expiry_hours: u32,
    /// The interpreter is reminded of an appointment this long before it.
    pub appointment_reminder_hours: u32,
    /// When every offer of a request has waited this long unanswered, the request is
    /// offered to the next `digest_candidates` candidates too (0: never).
    pub escalate_after_hours: u32,
}

impl Default for Coordination {
    fn default() -> Self {
        Coordination {
            digest_times: vec![
                NaiveTime::from_hms_opt(8, 30, 0).unwrap_or_default(),
                NaiveTime::from_hms_opt(13, 0, 0).unwrap_or_default(),
            ],
            digest_candidates: 3,
            offer_reminder_hours: 12,
            offer_expiry_hours: 24,
            appointment_reminder_hours: 24,
            escalate_after_hours: 4,
        }
    }
}

/// What interpreters are paid and establishments charged (`docs/money.md`). Amounts are
/// written as strings (`"41.00"`) so they stay exact.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Money {
    /// `"CAD"` or `"EUR"`.
    pub currency: Currency,
    pub taxes: TaxRates,
    /// The interpreter's pay.
    pub pay: Tariff,
    /// The establishment's charge; absent, the same as `pay` (cost recovery).
    #[serde(default)]
    pub billing: Option<Tariff>,
}

impl Money {
    /// The tariff establishments are charged by.
    pub fn billing(&self) -> &Tariff {
        self.billing.as_ref().unwrap_or(&self.pay)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Log {
    /// A `tracing` filter such as `info` or `relais=debug,sqlx=warn`.
    pub filter: String,
    /// `text` (one line per event, coloured only on a terminal) or `json` (one JSON object
    /// per line, for log collectors).
    #[serde(default)]
    pub format: LogFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

impl Settings {
    /// The embedded default layered with `file` (when given) and the process environment.
    pub fn load(file: Option<&Path>) -> Result<Settings, ConfigError> {
        Self::load_with_env(file, std::env::vars())
    }

    /// [`Settings::load`] with the given environment (tests pass their own).
    pub fn load_with_env(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Settings, ConfigError> {
        Layers::read(file, env)?.settings()
    }

    /// Parses settings from one whole TOML text and environment pairs, without the
    /// embedded default beneath: every required key must be in `toml`.
    pub fn from_toml_and_env(
        toml: &str,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Settings, ConfigError> {
        Layers {
            built_in: None,
            file: Some((toml.to_string(), "configuration text".to_string())),
            env: env_vars(env),
        }
        .settings()
    }

    /// Rules serde cannot express. Each error names its key; the first broken rule, in
    /// the order of the sections below, is the one reported.
    fn check(&self) -> Result<(), ConfigError> {
        self.check_general()?;
        self.check_database_and_web()?;
        self.check_keys_and_coordination()?;
        self.check_mail_and_sms()?;
        self.check_workers_and_money()?;
        Ok(())
    }

    /// The bank's prefixes and phone region.
    fn check_general(&self) -> Result<(), ConfigError> {
        let two_capitals = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_uppercase());
        if !two_capitals(&self.general.request_prefix) {
            return Err(invalid(
                "general.request_prefix",
                "must be two capital letters, like \"HC\"",
            ));
        }
        if !two_capitals(&self.general.user_code_prefix) {
            return Err(invalid(
                "general.user_code_prefix",
                "must be two capital letters, like \"BI\"",
            ));
        }
        if self
            .general
            .default_phone_region
            .parse::<phonenumber::country::Id>()
            .is_err()
        {
            return Err(invalid(
                "general.default_phone_region",
                "must be an ISO 3166 country code, like \"CA\" or \"BE\"",
            ));
        }
        Ok(())
    }

    /// The database and the addresses served.
    fn check_database_and_web(&self) -> Result<(), ConfigError> {
        let url = self.database.url.expose();
        if !(url.starts_with("sqlite:") || url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return Err(invalid(
                "database.url",
                "must start with sqlite: or postgres:// (the value is not shown: it may hold a password)",
            ));
        }
        if self.database.max_connections == 0 {
            return Err(invalid("database.max_connections", "must be at least 1"));
        }
        if self.metrics.bind.is_some_and(|b| b == self.web.bind) {
            return Err(invalid(
                "metrics.bind",
                "must differ from web.bind (leave it empty to serve /metrics with the pages)",
            ));
        }
        if !(self.web.public_base_url.starts_with("http://") || self.web.public_base_url.starts_with("https://")) {
            return Err(invalid("web.public_base_url", "must be an http:// or https:// address"));
        }
        Ok(())
    }

    /// The signing keys, and the timings of offers and links.
    fn check_keys_and_coordination(&self) -> Result<(), ConfigError> {
        let key = self.security.signing_key.expose();
        if !key.is_empty() && key.len() < 32 {
            return Err(invalid(
                "security.signing_key",
                "must be at least 32 characters (or empty on the embedded default)",
            ));
        }
        if self.security.previous_keys.iter().any(|k| k.expose().len() < 32) {
            return Err(invalid(
                "security.previous_keys",
                "every retired key must be at least 32 characters",
            ));
        }
        let c = &self.coordination;
        if c.offer_reminder_hours == 0 || c.offer_reminder_hours >= c.offer_expiry_hours {
            return Err(invalid(
                "coordination.offer_reminder_hours",
                "must be at least 1 and less than coordination.offer_expiry_hours",
            ));
        }
        if c.escalate_after_hours >= c.offer_expiry_hours {
            return Err(invalid(
                "coordination.escalate_after_hours",
                "must be less than coordination.offer_expiry_hours (0 turns escalation off)",
            ));
        }
        if c.digest_candidates == 0 || c.digest_candidates > 10 {
            return Err(invalid("coordination.digest_candidates", "must be between 1 and 10"));
        }
        if self.security.link_ttl_hours == 0 {
            return Err(invalid("security.link_ttl_hours", "must be at least 1"));
        }
        if key.is_empty() && self.is_postgres() {
            return Err(invalid(
                "security.signing_key",
                "must be set with PostgreSQL: every relais process must sign links with the same key",
            ));
        }
        Ok(())
    }

    /// Mail (DKIM, sizes, sources and transports) and the SMS gateway.
    fn check_mail_and_sms(&self) -> Result<(), ConfigError> {
        if self.mail.dkim_key_file.is_empty() != self.mail.dkim_selector.is_empty() {
            return Err(invalid(
                if self.mail.dkim_selector.is_empty() {
                    "mail.dkim_selector"
                } else {
                    "mail.dkim_key_file"
                },
                "DKIM needs both mail.dkim_key_file and mail.dkim_selector (or neither)",
            ));
        }
        if self.mail.max_message_bytes < 64 * 1024 {
            return Err(invalid(
                "mail.max_message_bytes",
                "must be at least 65536 (64 KiB): a plain reply with its quotes is larger than that",
            ));
        }
        if !self.mail.from_address.contains('@') {
            return Err(invalid("mail.from_address", "must be an email address"));
        }
        if self.mail.inbound == InboundSource::Imap && self.imap.host.is_empty() {
            return Err(invalid("imap.host", "must be set when mail.inbound = \"imap\""));
        }
        if self.mail.outbound == OutboundTransport::Smtp && self.smtp.host.is_empty() {
            return Err(invalid("smtp.host", "must be set when mail.outbound = \"smtp\""));
        }
        match self.sms.gateway {
            SmsGateway::Twilio if self.sms.twilio.account_sid.is_empty() || self.sms.twilio.auth_token.is_empty() => {
                return Err(invalid(
                    "sms.twilio",
                    "account_sid and auth_token must be set when sms.gateway = \"twilio\"",
                ));
            }
            SmsGateway::Kannel if self.sms.kannel.sendsms_url.is_empty() => {
                return Err(invalid(
                    "sms.kannel.sendsms_url",
                    "must be set when sms.gateway = \"kannel\"",
                ));
            }
            _ => {}
        }
        if !(1..15).contains(&self.sms.answer_within_seconds) {
            return Err(invalid(
                "sms.answer_within_seconds",
                "must be from 1 to 14: Twilio gives up on a webhook after 15 s",
            ));
        }
        Ok(())
    }

    /// Business hours, retention, the workers, tariffs, taxes and the log filter.
    fn check_workers_and_money(&self) -> Result<(), ConfigError> {
        if self.business_hours.opens >= self.business_hours.closes {
            return Err(invalid(
                "business_hours.closes",
                "must be later than business_hours.opens",
            ));
        }
        if self.workflow.auto_validate_after_hours == 0 {
            return Err(invalid("workflow.auto_validate_after_hours", "must be at least 1"));
        }
        if self.privacy.patient_retention_days == 0 {
            return Err(invalid("privacy.patient_retention_days", "must be at least 1"));
        }
        if self.workers.sweep_interval_seconds == 0 {
            return Err(invalid("workers.sweep_interval_seconds", "must be at least 1"));
        }
        if self.workers.outbox_lease_seconds == 0 {
            return Err(invalid("workers.outbox_lease_seconds", "must be at least 1"));
        }
        if !(1..=64).contains(&self.workers.outbox_senders) {
            return Err(invalid("workers.outbox_senders", "must be between 1 and 64"));
        }
        if self.workers.shutdown_grace_seconds > 3600 {
            return Err(invalid("workers.shutdown_grace_seconds", "must be at most 3600"));
        }
        let instance = &self.workers.instance;
        if instance.len() > 200 || instance.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(invalid(
                "workers.instance",
                "must be at most 200 characters, without spaces or control characters",
            ));
        }
        let tariffs = [
            ("money.pay.increment_minutes", Some(&self.money.pay)),
            ("money.billing.increment_minutes", self.money.billing.as_ref()),
        ];
        for (key, tariff) in tariffs {
            if tariff.is_some_and(|t| t.increment_minutes == 0) {
                return Err(invalid(key, "must be at least 1 (minutes)"));
            }
        }
        let taxes = [
            ("money.taxes.gst", self.money.taxes.gst),
            ("money.taxes.qst", self.money.taxes.qst),
        ];
        for (key, rate) in taxes {
            if rate.value() >= rust_decimal::Decimal::ONE {
                return Err(invalid(key, "must be a fraction below 1: 5 % is \"0.05\""));
            }
        }
        if tracing_subscriber::EnvFilter::try_new(&self.log.filter).is_err() {
            return Err(invalid("log.filter", "is not a valid tracing filter (try \"info\")"));
        }
        Ok(())
    }

    /// The rules interpreters' pay is computed by.
    pub fn pay_rules(&self) -> Rules<'_> {
        self.money_rules(&self.money.pay)
    }

    /// The rules establishments' charges are computed by.
    pub fn billing_rules(&self) -> Rules<'_> {
        self.money_rules(self.money.billing())
    }

    fn money_rules<'a>(&'a self, tariff: &'a Tariff) -> Rules<'a> {
        Rules {
            tariff,
            taxes: &self.money.taxes,
            calendar: self.business_hours.calendar(),
            late_cancellation_hours: self.workflow.late_cancellation_hours,
        }
    }

    pub fn is_postgres(&self) -> bool {
        self.database.url.expose().starts_with("postgres")
    }
}

fn invalid(key: &'static str, problem: &str) -> ConfigError {
    ConfigError::Invalid {
        key,
        problem: problem.to_string(),
    }
}

/// The embedded default: `config/default.toml`, compiled into the binary so that `relais`
/// runs from any folder with no file beside it.
pub const BUILT_IN: &str = include_str!("../config/default.toml");

/// Where a file layer comes from when `--config` and `RELAIS_CONFIG` are both absent.
pub const IMPLICIT_FILE: &str = "config/default.toml";

/// The sources of the settings, lowest first: the embedded default, a file, the
/// environment. A later source overrides a key of an earlier one.
pub struct Layers {
    /// `None` only for [`Settings::from_toml_and_env`], which reads one whole text.
    built_in: Option<&'static str>,
    /// The file's text and how to name it.
    file: Option<(String, String)>,
    env: Vec<EnvVar>,
}

impl Layers {
    /// The embedded default, then `file` (which must exist when named), then `env`.
    pub fn read(file: Option<&Path>, env: impl IntoIterator<Item = (String, String)>) -> Result<Layers, ConfigError> {
        let file = match file {
            None => None,
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| ConfigError::File {
                    path: path.to_path_buf(),
                    source,
                })?;
                Some((text, format!("file {}", path.display())))
            }
        };
        Ok(Layers {
            built_in: Some(BUILT_IN),
            file,
            env: env_vars(env),
        })
    }

    fn figment(&self) -> Figment {
        let mut figment = Figment::new();
        if let Some(text) = self.built_in {
            figment = figment.merge(Named {
                name: "built-in".to_string(),
                inner: Toml::string(text),
            });
        }
        if let Some((text, name)) = &self.file {
            figment = figment.merge(Named {
                name: name.clone(),
                inner: Toml::string(text),
            });
        }
        for var in &self.env {
            figment = figment.merge(var.clone());
        }
        figment
    }

    /// The settings these layers give, checked.
    pub fn settings(&self) -> Result<Settings, ConfigError> {
        let settings: Settings = self.figment().extract_lossy().map_err(|e| {
            ConfigError::Parse(
                e.into_iter()
                    .map(|e| e.to_string().replace("key \"default.", "key \""))
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        })?;
        settings.check()?;
        Ok(settings)
    }

    /// Which layer gave the value at a dotted key (`web.bind`): `built-in`, `file …` or
    /// `environment variable …`; `None` for a value no layer wrote (a compiled default).
    pub fn origin(&self, key: &str) -> Option<String> {
        self.figment().find_metadata(key).map(|m| m.name.to_string())
    }
}

/// The `RELAIS__…` pairs of an environment, in a stable order.
fn env_vars(env: impl IntoIterator<Item = (String, String)>) -> Vec<EnvVar> {
    let mut vars: Vec<EnvVar> = env
        .into_iter()
        .filter(|(name, _)| name.starts_with(ENV_PREFIX) && name.len() > ENV_PREFIX.len())
        .map(|(name, value)| EnvVar { name, value })
        .collect();
    vars.sort_by(|a, b| a.name.cmp(&b.name));
    vars
}

/// A provider under a name of our choosing, so errors and `relais config` say
/// "built-in" or "file config/production.toml".
struct Named<P> {
    name: String,
    inner: P,
}

impl<P: figment::Provider> figment::Provider for Named<P> {
    fn metadata(&self) -> figment::Metadata {
        figment::Metadata::named(self.name.clone())
    }

    fn data(&self) -> Result<figment::value::Map<figment::Profile, figment::value::Dict>, figment::Error> {
        self.inner.data()
    }
}

/// One `RELAIS__SECTION__KEY` variable as a figment provider, so an error names the variable.
///
/// Values stay strings (figment reads "8080" as a number or "true" as a boolean where the
/// setting wants one, and a numeric password stays a string); only a value written as a
/// TOML-style list (`["mon", "tue"]`) becomes a list.
#[derive(Clone)]
struct EnvVar {
    name: String,
    value: String,
}

impl figment::Provider for EnvVar {
    fn metadata(&self) -> figment::Metadata {
        figment::Metadata::named(format!("environment variable {}", self.name))
    }

    fn data(&self) -> Result<figment::value::Map<figment::Profile, figment::value::Dict>, figment::Error> {
        let path = self.name[ENV_PREFIX.len()..].to_ascii_lowercase().replace("__", ".");
        let value: figment::value::Value = if self.value.trim_start().starts_with('[') {
            self.value
                .parse()
                .unwrap_or_else(|never: std::convert::Infallible| match never {})
        } else {
            self.value.clone().into()
        };
        let mut dict = figment::value::Dict::new();
        if let figment::value::Value::Dict(_, nested) = figment::util::nest(&path, value) {
            dict = nested;
        }
        Ok(figment::Profile::Default.collect(dict))
    }
}
