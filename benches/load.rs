//! The load generator behind `scripts/bench.sh`: drives a release `relais` binary from the
//! outside, on loopback, the way a bank's mail and SMS reach it, and prints one Markdown
//! table of what it measured (docs/performance.md keeps the last one).
//!
//! ```sh
//! cargo bench --bench load -- --relais target/release/relais [--mails 10000] [--seconds 5] \
//!     [--postgres postgres://postgres@127.0.0.1:5432/postgres] [--only webhook]
//! ```
//!
//! Each row, on an embedded SQLite database of its own in a temporary folder:
//! 1. **parse ceiling**: the form replies read and parsed by mail-parser in this process,
//!    the most a reader of these files could do (and parsed alone, from memory);
//! 2. **ingest**: `relais ingest` of the same files, each creating a request and queueing
//!    its acknowledgement;
//! 3. **outbox drain**: `relais serve` sending those acknowledgements to an SMTP sink
//!    written here, on loopback;
//! 4. **mail → acknowledgement**: one form at a time moved into the Maildir of `relais
//!    serve` (embedded default: `.eml` out), until its acknowledgement is written;
//! 5. **burst**: many forms moved in at once, until the last acknowledgement;
//! 6. **SMS webhook**: Kannel's GET from many connections: an unknown number, `AIDE` from an
//!    interpreter, and the same message id again and again.
//! 7. **PostgreSQL** (with `--postgres URL`, a server's `postgres` database; databases are
//!    created there): ingest with one process, then two side by side on halves of the
//!    forms; the same forms given to two processes at once, with the mails, requests and
//!    acknowledgements counted after; the webhook with one process, then two.
//!
//! Nothing here is a test: figures depend on the machine, so they are reported, never
//! asserted.

use anyhow::Context as _;
use chrono::{Datelike, NaiveDate, TimeDelta, Utc};
use notify::Watcher as _;
use relais::config::Secret;
use relais::domain::contact::{EmailAddress, PhoneE164};
use relais::domain::ids::PersonId;
use relais::domain::locale::Locale;
use relais::domain::person::{NewPerson, RequesterProfile};
use relais::domain::role::{ActorKind, Channel, Role};
use relais::security::reply_key::{ReplyKey, ReplyPurpose};
use relais::store::Store;
use relais::workflow::{Actor, NewPersonCommand, Workflow, WorkflowConfig};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::sync::Notify;

const SIGNING_KEY: &str = "bench-signing-key-0123456789abcdef0123";
const KANNEL_SECRET: &str = "bench-kannel-secret";
const DOMAIN: &str = "bench.example";
const INTERPRETER_MOBILE: &str = "+15145550110";

struct Options {
    relais: PathBuf,
    mails: usize,
    latency_mails: usize,
    burst: usize,
    seconds: u64,
    connections: usize,
    /// A PostgreSQL server's URL (its `postgres` database): the rows on PostgreSQL, with one
    /// and two processes, are measured on databases created there.
    postgres: Option<String>,
    /// With `--only NAME` (repeatable): only these parts run (`ingest`, `drain`, `latency`,
    /// `webhook`, `postgres`), for a quick comparison of two builds.
    only: Vec<String>,
}

impl Options {
    fn runs(&self, part: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|p| p == part)
    }
}

fn options() -> anyhow::Result<Options> {
    let mut o = Options {
        relais: PathBuf::from("target/release/relais"),
        mails: 10_000,
        latency_mails: 100,
        burst: 200,
        seconds: 5,
        connections: 64,
        postgres: None,
        only: Vec::new(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| anyhow::anyhow!("{arg} needs a value"));
        match arg.as_str() {
            "--relais" => o.relais = PathBuf::from(value()?),
            "--mails" => o.mails = value()?.parse()?,
            "--latency-mails" => o.latency_mails = value()?.parse()?,
            "--burst" => o.burst = value()?.parse()?,
            "--seconds" => o.seconds = value()?.parse()?,
            "--connections" => o.connections = value()?.parse()?,
            "--postgres" => o.postgres = Some(value()?),
            "--only" => o.only.push(value()?),
            // What `cargo bench` adds.
            "--bench" => {}
            other => anyhow::bail!("unknown argument {other}"),
        }
    }
    anyhow::ensure!(o.relais.is_file(), "no relais binary at {}", o.relais.display());
    // The children run in the bank's folder.
    o.relais = std::fs::canonicalize(&o.relais)?;
    Ok(o)
}

/// One bank in a folder of its own: its database, Maildir, sent mail and SMS log.
struct Bank {
    dir: tempfile::TempDir,
    /// Its database: SQLite in `dir`, or a PostgreSQL database of its own.
    url: String,
    requester: PersonId,
}

impl Bank {
    /// A bank on SQLite, or on the PostgreSQL database `url`.
    async fn new(url: Option<String>) -> anyhow::Result<Bank> {
        let dir = tempfile::tempdir()?;
        let url = url.unwrap_or_else(|| database_url(dir.path()));
        let store = Store::connect(&url, 4).await?;
        store.migrate().await?;
        // The workflow as the binary builds it, from the shipped defaults.
        let settings = relais::config::Settings::from_toml_and_env(
            include_str!("../config/default.toml"),
            std::iter::empty::<(String, String)>(),
        )?;
        let workflow = Workflow::new(
            store.clone(),
            WorkflowConfig::from_settings(&settings),
            Arc::new(relais::clock::SystemClock),
        );
        let mut tx = store.begin().await?;
        let establishment = tx.insert_establishment("B", "Banc d'essai", None, Utc::now()).await?;
        let installation = tx
            .insert_installation(establishment.id, "Hôpital du banc", None, None)
            .await?;
        tx.commit().await?;
        let system = Actor {
            person: None,
            kind: ActorKind::System,
            channel: Channel::Cli,
        };
        let person = |first: &str, email: &str, mobile: Option<&str>, role: Role| NewPerson {
            first_name: first.into(),
            last_name: "Banc".into(),
            email: EmailAddress::parse(email).expect("an address"),
            mobile: mobile.map(|m| PhoneE164::parse(m, "CA").expect("a number")),
            phone: None,
            locale: Locale::Fr,
            notify_email: true,
            notify_sms: mobile.is_some(),
            roles: vec![role],
        };
        let requester = workflow
            .create_person(
                system,
                NewPersonCommand {
                    person: person("Marie", "marie@ciusss.example", None, Role::Requester),
                    requester: Some(RequesterProfile {
                        establishment_id: establishment.id,
                        installations: vec![installation.id],
                        cost_centre_id: None,
                        notify_when_offered: false,
                    }),
                    interpreter: None,
                },
            )
            .await?
            .person
            .id;
        workflow
            .create_person(
                system,
                NewPersonCommand {
                    person: person(
                        "Lucía",
                        "lucia@interpretes.example",
                        Some(INTERPRETER_MOBILE),
                        Role::Interpreter,
                    ),
                    requester: None,
                    interpreter: Some(Default::default()),
                },
            )
            .await?;
        store.close().await;
        for sub in ["maildir/new", "maildir/cur", "maildir/tmp", "sent", "forms"] {
            std::fs::create_dir_all(dir.path().join(sub))?;
        }
        Ok(Bank { dir, url, requester })
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `relais SUBCOMMAND` on this bank, with `extra` settings on top.
    fn relais(&self, o: &Options, args: &[&str], extra: &[(&str, String)]) -> Command {
        let mut command = Command::new(&o.relais);
        command
            .args(args)
            .current_dir(self.dir.path())
            .env("RELAIS__DATABASE__URL", &self.url)
            .env("RELAIS__SECURITY__SIGNING_KEY", SIGNING_KEY)
            .env("RELAIS__MAIL__FROM_ADDRESS", format!("relais@{DOMAIN}"))
            .env("RELAIS__MAIL__MAILDIR", self.path("maildir"))
            .env("RELAIS__MAIL__OUTBOX_FOLDER", self.path("sent"))
            .env("RELAIS__SMS__LOG_FILE", self.path("sms.log"))
            .env("RELAIS__SMS__KANNEL__INBOUND_SECRET", KANNEL_SECRET)
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null());
        for (key, value) in extra {
            command.env(key, value);
        }
        command
    }

    /// The first `n` form replies, as files in `forms/`.
    fn write_forms(&self, n: usize) -> anyhow::Result<Vec<PathBuf>> {
        self.write_forms_in(0..n)
    }

    /// The form replies numbered `range`, as files in `forms/`.
    fn write_forms_in(&self, range: std::ops::Range<usize>) -> anyhow::Result<Vec<PathBuf>> {
        let mut files = Vec::with_capacity(range.len());
        for k in range {
            let path = self.path("forms").join(format!("{k:06}.eml"));
            std::fs::write(&path, self.form(k))?;
            files.push(path);
        }
        Ok(files)
    }

    /// The `n`th form reply: a request of its own (a date and time no other has, so none
    /// is held as a duplicate of another).
    fn form(&self, n: usize) -> Vec<u8> {
        let key = ReplyKey {
            purpose: ReplyPurpose::Form,
            request: None,
            person: self.requester,
        }
        .encode(&Secret::new(SIGNING_KEY));
        let first = NaiveDate::from_ymd_opt(Utc::now().year() + 1, 1, 4).expect("a date");
        let date = first + TimeDelta::days((n / 32) as i64);
        let minutes = 8 * 60 + (n % 32) * 15;
        let body = format!(
            "Bonjour,\r\n\r\nType de demande : par téléphone\r\nDate du service : {date}\r\n\
             Heure du service : {} h {:02}\r\nDurée : 1 h\r\nLangue d'arrivée : espagnol\r\n\
             Nom de l'usager : Usager {n}\r\n\r\nMerci\r\nMarie\r\n",
            minutes / 60,
            minutes % 60
        );
        format!(
            "Message-ID: <bench-{n}-{}@ciusss.example>\r\nDate: {}\r\nFrom: Marie Banc <marie@ciusss.example>\r\n\
             To: relais+{key}@{DOMAIN}\r\nSubject: Re: Formulaire de demande\r\nMIME-Version: 1.0\r\n\
             Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}",
            std::process::id(),
            Utc::now().to_rfc2822(),
        )
        .into_bytes()
    }
}

fn database_url(dir: &Path) -> String {
    format!("sqlite://{}/relais.db", dir.display())
}

/// Medians and tails of a set of durations, in milliseconds.
fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index].as_secs_f64() * 1000.0
}

/// A `relais serve` child, killed when dropped.
struct Served {
    child: Child,
    port: u16,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

async fn serve(bank: &Bank, o: &Options, extra: &[(&str, String)]) -> anyhow::Result<Served> {
    let port = free_port()?;
    let mut settings = vec![
        ("RELAIS__WEB__BIND", format!("127.0.0.1:{port}")),
        ("RELAIS__WEB__PUBLIC_BASE_URL", format!("http://127.0.0.1:{port}")),
    ];
    settings.extend(extra.iter().cloned());
    let child = bank
        .relais(o, &["serve"], &settings)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()?;
    let served = Served { child, port };
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let up = client
            .get(format!("http://127.0.0.1:{port}/healthz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success());
        if up {
            return Ok(served);
        }
        anyhow::ensure!(Instant::now() < deadline, "relais serve did not answer /healthz");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Parse ceiling and ingest: files written, parsed here, then `relais ingest`.
async fn ingest(bank: &Bank, o: &Options, rows: &mut Vec<Row>) -> anyhow::Result<()> {
    let files = bank.write_forms(o.mails)?;
    // The floor of what `relais ingest` does with each file: read it, then parse it.
    let started = Instant::now();
    let mut raws = Vec::with_capacity(files.len());
    let mut read_and_parsed = 0;
    for file in &files {
        let raw = std::fs::read(file)?;
        if mail_parser::MessageParser::default().parse(raw.as_slice()).is_some() {
            read_and_parsed += 1;
        }
        raws.push(raw);
    }
    let read_rate = read_and_parsed as f64 / started.elapsed().as_secs_f64();
    // And the parse alone, from memory.
    let started = Instant::now();
    let parsed = raws
        .iter()
        .filter(|raw| mail_parser::MessageParser::default().parse(raw.as_slice()).is_some())
        .count();
    let parse_rate = parsed as f64 / started.elapsed().as_secs_f64();

    let started = Instant::now();
    let output = bank.relais(o, &["ingest"], &[]).args(&files).output()?;
    let elapsed = started.elapsed();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let created = stdout.lines().filter(|l| l.ends_with("\trequest_created")).count();
    anyhow::ensure!(
        created == o.mails,
        "ingest created {created} of {} requests: {}",
        o.mails,
        String::from_utf8_lossy(&output.stderr)
            .lines()
            .take(5)
            .collect::<Vec<_>>()
            .join(" / ")
    );
    let rate = created as f64 / elapsed.as_secs_f64();
    let trips = trips_a_mail(o).await?;
    rows.push(Row::new(
        "parse ceiling: mail-parser over the same files, in one thread",
        format!("{read_rate:.0} mails/s, each file read then parsed; {parse_rate:.0} mails/s parsed from memory"),
    ));
    rows.push(Row::new(
        &format!(
            "`relais ingest`, {} form replies (request + acknowledgement each), SQLite",
            o.mails
        ),
        format!(
            "{rate:.0} mails/s ({:.3} × the files read and parsed, {:.4} × parsed from memory; {:.1} s in all)",
            rate / read_rate,
            rate / parse_rate,
            elapsed.as_secs_f64()
        ),
    ));
    rows.push(Row::new(
        "`relais ingest`: queries sent to the database a form reply, SQLite",
        format!("{trips:.2} (each a trip to SQLite's worker thread and back; several statements may share one)"),
    ));
    Ok(())
}

/// How many queries `relais ingest` sends the database a form reply, from sqlx's log of
/// each one (a query of several statements is one trip, logged once), on a bank of its own: 64
/// forms, then 640 more, so that what each run does once (opening the database, checking
/// its migrations) cancels out.
async fn trips_a_mail(o: &Options) -> anyhow::Result<f64> {
    let bank = Bank::new(None).await?;
    let mut logged = Vec::new();
    let mut next = 0;
    for n in [64, 640] {
        let files = bank.write_forms_in(next..next + n)?;
        next += n;
        let output = bank
            .relais(o, &["ingest"], &[])
            .env("RUST_LOG", "warn,sqlx::query=debug")
            .args(&files)
            .output()?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        let created = stdout.lines().filter(|l| l.ends_with("\trequest_created")).count();
        anyhow::ensure!(
            created == n,
            "counting statements, ingest created {created} of {n} requests"
        );
        let stderr = String::from_utf8_lossy(&output.stderr);
        logged.push(stderr.lines().filter(|l| l.contains(" summary=")).count());
    }
    anyhow::ensure!(logged[0] > 0, "sqlx logged no query: its log's format changed");
    Ok((logged[1] as f64 - logged[0] as f64) / 576.0)
}

/// A minimal SMTP server that accepts everything and counts the messages.
async fn smtp_sink(count: Arc<AtomicU64>, done: Arc<Notify>, target: u64) -> anyhow::Result<u16> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let (count, done) = (count.clone(), done.clone());
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                let _ = write.write_all(b"220 sink ESMTP\r\n").await;
                let mut in_data = false;
                while let Ok(Some(line)) = lines.next_line().await {
                    let answer: &[u8] = if in_data {
                        if line != "." {
                            continue;
                        }
                        in_data = false;
                        if count.fetch_add(1, Ordering::SeqCst) + 1 >= target {
                            done.notify_one();
                        }
                        b"250 queued\r\n"
                    } else {
                        let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
                        match verb.as_str() {
                            "EHLO" => b"250-sink\r\n250 8BITMIME\r\n",
                            "DATA" => {
                                in_data = true;
                                b"354 go on\r\n"
                            }
                            "QUIT" => {
                                let _ = write.write_all(b"221 bye\r\n").await;
                                return;
                            }
                            _ => b"250 ok\r\n",
                        }
                    };
                    if write.write_all(answer).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    Ok(port)
}

/// The acknowledgements `ingest` queued, sent by `relais serve` to the SMTP sink.
async fn drain(bank: &Bank, o: &Options, rows: &mut Vec<Row>) -> anyhow::Result<()> {
    let count = Arc::new(AtomicU64::new(0));
    let done = Arc::new(Notify::new());
    let target = o.mails as u64;
    let port = smtp_sink(count.clone(), done.clone(), target).await?;
    let started = Instant::now();
    let served = serve(
        bank,
        o,
        &[
            ("RELAIS__MAIL__INBOUND", "none".into()),
            ("RELAIS__MAIL__OUTBOUND", "smtp".into()),
            ("RELAIS__SMTP__HOST", "127.0.0.1".into()),
            ("RELAIS__SMTP__PORT", port.to_string()),
            ("RELAIS__SMTP__TLS", "none".into()),
        ],
    )
    .await?;
    let up = started.elapsed();
    let finished = tokio::time::timeout(Duration::from_secs(600), done.notified()).await;
    let elapsed = started.elapsed() - up;
    drop(served);
    let sent = count.load(Ordering::SeqCst);
    let rate = sent as f64 / elapsed.as_secs_f64();
    rows.push(Row::new(
        &format!(
            "outbox drain: {} acknowledgements to an SMTP server on loopback",
            o.mails
        ),
        match finished {
            Ok(()) => format!("{rate:.0} messages/s"),
            Err(_) => format!("{sent} of {target} sent in 600 s ({rate:.0} messages/s)"),
        },
    ));
    Ok(())
}

/// Acknowledgements written to `sent/`, seen through inotify: how many so far.
struct SentWatch {
    _watcher: notify::RecommendedWatcher,
    wrote: Arc<Notify>,
    dir: PathBuf,
    seen: HashSet<PathBuf>,
}

impl SentWatch {
    fn new(dir: PathBuf) -> anyhow::Result<SentWatch> {
        let wrote = Arc::new(Notify::new());
        let wake = wrote.clone();
        let mut watcher = notify::recommended_watcher(move |_: notify::Result<notify::Event>| wake.notify_one())?;
        watcher.watch(&dir, notify::RecursiveMode::NonRecursive)?;
        let seen = std::fs::read_dir(&dir)?.flatten().map(|e| e.path()).collect();
        Ok(SentWatch {
            _watcher: watcher,
            wrote,
            dir,
            seen,
        })
    }

    /// Waits until `n` new acknowledgements (mails to the requester) have been written.
    async fn wait_for(&mut self, n: usize) -> anyhow::Result<()> {
        let mut found = 0;
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            for entry in std::fs::read_dir(&self.dir)?.flatten() {
                let path = entry.path();
                if path.extension().is_some_and(|e| e == "eml") && !self.seen.contains(&path) {
                    // Written whole by a rename, or still being written: read again later.
                    let Ok(text) = std::fs::read_to_string(&path) else {
                        continue;
                    };
                    if text.contains("\r\n\r\n") || text.contains("\n\n") {
                        self.seen.insert(path);
                        if text.contains("To: marie@ciusss.example") || text.contains("<marie@ciusss.example>") {
                            found += 1;
                        }
                    }
                }
            }
            if found >= n {
                return Ok(());
            }
            let left = deadline.saturating_duration_since(Instant::now());
            anyhow::ensure!(!left.is_zero(), "{found} of {n} acknowledgements after 120 s");
            let _ = tokio::time::timeout(left.min(Duration::from_millis(200)), self.wrote.notified()).await;
        }
    }
}

fn deliver(bank: &Bank, n: usize) -> anyhow::Result<()> {
    let name = format!("{}.M{n}P{}.bench", Utc::now().timestamp(), std::process::id());
    let tmp = bank.path("maildir/tmp").join(&name);
    std::fs::write(&tmp, bank.form(n))?;
    std::fs::rename(&tmp, bank.path("maildir/new").join(&name))?;
    Ok(())
}

/// One form at a time into the Maildir, then a burst; `relais serve` as shipped.
async fn latency(bank: &Bank, o: &Options, rows: &mut Vec<Row>) -> anyhow::Result<()> {
    let served = serve(bank, o, &[("RELAIS__MAIL__INBOUND", "maildir".into())]).await?;
    let mut watch = SentWatch::new(bank.path("sent"))?;
    let mut times = Vec::with_capacity(o.latency_mails);
    for i in 0..o.latency_mails {
        let started = Instant::now();
        deliver(bank, o.mails + i)?;
        watch.wait_for(1).await?;
        times.push(started.elapsed());
    }
    times.sort();
    rows.push(Row::new(
        &format!(
            "mail → acknowledgement, one at a time ({} mails; Maildir in, `.eml` out)",
            o.latency_mails
        ),
        format!(
            "p50 {:.0} ms, p99 {:.0} ms",
            percentile(&times, 0.5),
            percentile(&times, 0.99)
        ),
    ));

    let started = Instant::now();
    for i in 0..o.burst {
        deliver(bank, o.mails + o.latency_mails + i)?;
    }
    watch.wait_for(o.burst).await?;
    rows.push(Row::new(
        &format!("{} mails dropped at once → last acknowledgement", o.burst),
        format!("{:.2} s", started.elapsed().as_secs_f64()),
    ));
    drop(served);
    Ok(())
}

/// Kannel's webhook from `o.connections` connections for `o.seconds` per kind of message.
async fn webhook(bank: &Bank, o: &Options, rows: &mut Vec<Row>) -> anyhow::Result<()> {
    let served = serve(bank, o, &[("RELAIS__MAIL__INBOUND", "none".into())]).await?;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(o.connections)
        .build()?;
    let base = format!("http://127.0.0.1:{}/webhooks/sms/kannel", served.port);
    let serial = Arc::new(AtomicU64::new(0));
    for (label, from, text, same_id) in [
        ("unknown number", "+15145559999", "OUI", false),
        ("`AIDE` from an interpreter", INTERPRETER_MOBILE, "AIDE", false),
        ("the same message id again", INTERPRETER_MOBILE, "AIDE", true),
    ] {
        let load = hammer(&client, std::slice::from_ref(&base), o, from, text, same_id, &serial).await?;
        rows.push(Row::new(
            &format!("SMS webhook (Kannel GET), {label}, {} connections", o.connections),
            load.figure(o),
        ));
    }
    drop(served);
    Ok(())
}

/// A new database on the PostgreSQL server `admin` names, and its URL.
async fn pg_database(admin: &str, name: &str) -> anyhow::Result<String> {
    use sqlx::Connection as _;
    let mut connection = sqlx::PgConnection::connect(admin).await?;
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name}")))
        .execute(&mut connection)
        .await?;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut connection)
        .await?;
    connection.close().await?;
    let (server, _) = admin
        .rsplit_once('/')
        .context("--postgres: a URL ending in /DATABASE")?;
    Ok(format!("{server}/{name}"))
}

/// `SELECT COUNT(*) …` on a bank's PostgreSQL database.
async fn pg_count(url: &str, sql: &'static str) -> anyhow::Result<i64> {
    use sqlx::Connection as _;
    let mut connection = sqlx::PgConnection::connect(url).await?;
    let n: i64 = sqlx::query_scalar(sql).fetch_one(&mut connection).await?;
    connection.close().await?;
    Ok(n)
}

/// `relais ingest` of `files` in `processes` processes started together, each given its
/// share (`split`) or all of them; how long until the last one ended.
fn ingest_in(bank: &Bank, o: &Options, files: &[PathBuf], processes: usize, split: bool) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let mut children = Vec::new();
    for k in 0..processes {
        let mine: Vec<&PathBuf> = if split {
            files.iter().skip(k).step_by(processes).collect()
        } else {
            files.iter().collect()
        };
        children.push(
            bank.relais(o, &["ingest"], &[])
                .args(mine)
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()?,
        );
    }
    for child in children {
        let output = child.wait_with_output()?;
        anyhow::ensure!(
            output.status.success(),
            "relais ingest failed: {}",
            String::from_utf8_lossy(&output.stderr)
                .lines()
                .take(3)
                .collect::<Vec<_>>()
                .join(" / ")
        );
    }
    Ok(started.elapsed())
}

/// The rows on PostgreSQL: ingest and the webhook with one process, then with two on the
/// same database, and the same forms given to two processes at once, counted at the end.
async fn postgres(admin: &str, o: &Options, rows: &mut Vec<Row>) -> anyhow::Result<()> {
    let mut rates = Vec::new();
    for processes in [1, 2] {
        let url = pg_database(admin, &format!("relais_bench_ingest_{processes}")).await?;
        let bank = Bank::new(Some(url.clone())).await?;
        let files = bank.write_forms(o.mails)?;
        let elapsed = ingest_in(&bank, o, &files, processes, true)?;
        let created = pg_count(&url, "SELECT COUNT(*) FROM requests").await?;
        anyhow::ensure!(
            created as usize == o.mails,
            "{processes} process(es) created {created} of {} requests",
            o.mails
        );
        let rate = o.mails as f64 / elapsed.as_secs_f64();
        rates.push(rate);
        rows.push(Row::new(
            &format!(
                "PostgreSQL: `relais ingest`, {} form replies, {processes} process(es) side by side",
                o.mails
            ),
            match processes {
                1 => format!("{rate:.0} mails/s"),
                _ => format!("{rate:.0} mails/s ({:.2} × one process)", rate / rates[0]),
            },
        ));
    }

    // Every form given to both processes at once: each must be done once.
    let url = pg_database(admin, "relais_bench_twice").await?;
    let bank = Bank::new(Some(url.clone())).await?;
    let files = bank.write_forms(o.mails)?;
    ingest_in(&bank, o, &files, 2, false)?;
    let requests = pg_count(&url, "SELECT COUNT(*) FROM requests").await?;
    let answers = pg_count(&url, "SELECT COUNT(*) FROM outbox WHERE request_id IS NOT NULL").await?;
    let mails = pg_count(&url, "SELECT COUNT(*) FROM inbound_messages").await?;
    rows.push(Row::new(
        &format!(
            "PostgreSQL: the same {} form replies given to two processes at once",
            o.mails
        ),
        format!(
            "{mails} mails recorded, {requests} requests, {answers} acknowledgements queued: {}",
            if [mails, requests, answers].iter().all(|n| *n as usize == o.mails) {
                "no duplicate".to_string()
            } else {
                format!("DUPLICATES (expected {} of each)", o.mails)
            }
        ),
    ));

    // The webhook: one process, then two, on one database.
    let url = pg_database(admin, "relais_bench_webhook").await?;
    let bank = Bank::new(Some(url.clone())).await?;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(o.connections)
        .build()?;
    let serial = Arc::new(AtomicU64::new(0));
    let settings = [("RELAIS__MAIL__INBOUND", "none".to_string())];
    let mut webhook_rates = Vec::new();
    let mut answered = 0usize;
    for processes in [1, 2] {
        let mut served = Vec::new();
        for _ in 0..processes {
            served.push(serve(&bank, o, &settings).await?);
        }
        let bases: Vec<String> = served
            .iter()
            .map(|s| format!("http://127.0.0.1:{}/webhooks/sms/kannel", s.port))
            .collect();
        let load = hammer(&client, &bases, o, "+15145559999", "OUI", false, &serial).await?;
        answered += load.times.len();
        let rate = load.times.len() as f64 / o.seconds as f64;
        webhook_rates.push(rate);
        let ratio = match processes {
            1 => String::new(),
            _ => format!(" ({:.2} × one process)", rate / webhook_rates[0]),
        };
        rows.push(Row::new(
            &format!(
                "PostgreSQL: SMS webhook, unknown number, {} connections, {processes} process(es)",
                o.connections
            ),
            format!("{}{ratio}", load.figure(o)),
        ));
        drop(served);
    }
    let recorded = pg_count(&url, "SELECT COUNT(*) FROM inbound_sms").await?;
    rows.push(Row::new(
        "PostgreSQL: SMS webhook, messages answered 200 and messages recorded",
        format!(
            "{answered} answered, {recorded} recorded: {}",
            if recorded as usize == answered {
                "none lost, none twice"
            } else {
                "MISMATCH"
            }
        ),
    ));
    Ok(())
}

/// What a webhook load got back: each answer's time, and how many failed.
struct Load {
    times: Vec<Duration>,
    failed: u64,
}

impl Load {
    fn figure(&self, o: &Options) -> String {
        let rate = self.times.len() as f64 / o.seconds as f64;
        format!(
            "{rate:.0} req/s; p50 {:.1} ms, p99 {:.1} ms{}",
            percentile(&self.times, 0.5),
            percentile(&self.times, 0.99),
            if self.failed > 0 {
                format!("; {} failed", self.failed)
            } else {
                String::new()
            }
        )
    }
}

/// Kannel's GET from `o.connections` connections for `o.seconds`, spread over `bases`
/// (one per process): each a new message id from `serial`, or the same one again.
async fn hammer(
    client: &reqwest::Client,
    bases: &[String],
    o: &Options,
    from: &'static str,
    text: &'static str,
    same_id: bool,
    serial: &Arc<AtomicU64>,
) -> anyhow::Result<Load> {
    let until = Instant::now() + Duration::from_secs(o.seconds);
    let mut tasks = Vec::new();
    for k in 0..o.connections {
        let (client, base, serial) = (client.clone(), bases[k % bases.len()].clone(), serial.clone());
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::new();
            let mut failed = 0u64;
            while Instant::now() < until {
                let id = if same_id {
                    "bench-duplicate".to_string()
                } else {
                    format!("bench-{}", serial.fetch_add(1, Ordering::Relaxed))
                };
                let started = Instant::now();
                let answer = client
                    .get(&base)
                    .query(&[
                        ("secret", KANNEL_SECRET),
                        ("id", id.as_str()),
                        ("from", from),
                        ("to", "+15145550100"),
                        ("text", text),
                    ])
                    .send()
                    .await;
                match answer {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                        times.push(started.elapsed());
                    }
                    _ => failed += 1,
                }
            }
            (times, failed)
        }));
    }
    let mut load = Load {
        times: Vec::new(),
        failed: 0,
    };
    for task in tasks {
        let (t, f) = task.await?;
        load.times.extend(t);
        load.failed += f;
    }
    load.times.sort();
    Ok(load)
}

struct Row {
    what: String,
    figure: String,
}

impl Row {
    fn new(what: &str, figure: String) -> Row {
        eprintln!("{what}: {figure}");
        Row {
            what: what.to_string(),
            figure,
        }
    }
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, model)| model.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|info| {
            let kb: u64 = info.lines().next()?.split_whitespace().nth(1)?.parse().ok()?;
            Some(format!("{:.0} GiB", kb as f64 / 1024.0 / 1024.0))
        })
        .unwrap_or_default();
    format!("{cpu}, {cores} cores, {memory}")
}

/// Under `cargo test` (no `--bench`): no binary is driven, but the mails it would send are
/// checked to read as Relais reads them: a form reply signed for its requester, complete,
/// each with its own date and time. A bench of mails that Relais refuses would measure
/// nothing.
fn check_mails() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let url = database_url(dir.path());
    let bank = Bank {
        dir,
        url,
        requester: PersonId(7),
    };
    let ctx = relais::inbound::mail::reading::ReadContext {
        relais_local_part: "relais".into(),
        time_zone: chrono_tz::America::Toronto,
    };
    let mut slots = HashSet::new();
    for n in [0, 1, 31, 32, 9_999] {
        let reading = relais::inbound::mail::reading::read(&bank.form(n), &ctx, Utc::now());
        let key = reading.reply_key.as_deref().context("no reply key")?;
        let signed = ReplyKey::verify(key, &Secret::new(SIGNING_KEY)).context("the reply key does not verify")?;
        anyhow::ensure!(signed.person == bank.requester, "the key names {:?}", signed.person);
        let form = &reading.form;
        anyhow::ensure!(
            form.present && form.issues.is_empty(),
            "mail {n} is not a complete form: {:?}",
            form.issues
        );
        use relais::forms::request::FormField;
        let slot = [FormField::Date, FormField::StartTime].map(|f| form.raw.get(&f).cloned());
        anyhow::ensure!(slot.iter().all(Option::is_some), "mail {n} has no date or time");
        anyhow::ensure!(slots.insert(slot), "mail {n} repeats another's date and time");
    }
    println!("load: the bench's mails read as complete forms (run it with scripts/bench.sh)");
    Ok(())
}

fn main() -> anyhow::Result<()> {
    if !std::env::args().any(|a| a == "--bench") {
        return check_mails();
    }
    let o = options()?;
    // reqwest is built without a TLS provider of its own; the load is plain HTTP anyway.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let mut rows = Vec::new();
        let bank = Bank::new(None).await?;
        if o.runs("ingest") {
            ingest(&bank, &o, &mut rows).await?;
        }
        if o.runs("drain") {
            drain(&bank, &o, &mut rows).await?;
        }
        if o.runs("latency") {
            latency(&bank, &o, &mut rows).await?;
        }
        if o.runs("webhook") {
            webhook(&bank, &o, &mut rows).await?;
        }
        if let Some(admin) = o.postgres.as_ref().filter(|_| o.runs("postgres")) {
            postgres(admin, &o, &mut rows).await?;
        }
        println!("Machine: {}. {}.", machine(), Utc::now().format("%Y-%m-%d"));
        println!();
        println!("| what | figure |");
        println!("|---|---|");
        for row in rows {
            println!("| {} | {} |", row.what, row.figure);
        }
        Ok(())
    })
}
