//! The command line.

use crate::app::{App, shutdown_signal};
use crate::billing::{Format, Period as BillingPeriod};
use crate::clock::SystemClock;
use crate::config::Settings;
use crate::domain::export::filter::{self, DatePreset, ExportFilter, InterpreterRef};
use crate::domain::language::LanguageTag;
use crate::domain::locale::Locale;
use crate::domain::request::RequestStatus;
use crate::inbound::pipeline::{GROUP_SIZE, Incoming, MailOutcome, Taken};
use crate::reports::{ExportFormat, ExportOptions};
use crate::store::Store;
use anyhow::Context as _;
use chrono::NaiveDate;
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Debug, Parser)]
#[command(
    name = "relais",
    version,
    about = "Relais: an interpreter bank run by email and SMS."
)]
pub struct Cli {
    /// A configuration file layered over the built-in default (only the keys it sets
    /// change). Without it, config/default.toml in the current folder is read when present.
    /// Every key can also be set by a RELAIS__SECTION__KEY variable, which wins over both.
    #[arg(long, short, global = true, env = "RELAIS_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: CliCommand,
}

#[derive(Debug, Subcommand)]
pub enum CliCommand {
    /// Run the web server and the background workers until Ctrl-C or SIGTERM.
    Serve,
    /// Apply database migrations, then exit.
    Migrate,
    /// Seed a small bank and walk one request through its whole life, printing each step.
    Demo,
    /// Process raw email files (.eml) as if they had arrived in the mailbox, printing what
    /// each one did.
    Ingest {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Show, as JSON, how one raw email (.eml) is read: who sent it, which request it
    /// answers, the command or form it carries. Touches no database and sends nothing.
    InspectMail { file: PathBuf },
    /// Show, as JSON, how one SMS text is read, without touching the database.
    InspectSms { text: String },
    /// Print the configuration in force, each value with where it came from (built-in,
    /// file, environment), secrets redacted.
    Config,
    /// Write a consistent copy of the SQLite database to FILE while Relais runs
    /// (for PostgreSQL, use pg_dump: docs/operations.md).
    Backup {
        /// The copy to write; it must not exist yet.
        file: PathBuf,
    },
    /// Send the coordinators' digest now (to every coordinator, or to one by email).
    Digest {
        /// Only this coordinator's email address.
        #[arg(long)]
        to: Option<String>,
    },
    /// Export requests as CSV or as an Excel workbook with a statistics sheet (no patient data).
    Export(ExportArgs),
    /// Write an establishment's invoice (facture) for a period, by cost centre.
    Invoice {
        /// The establishment's code, as on its profile ("CCSMTL").
        #[arg(long)]
        establishment: String,
        #[command(flatten)]
        document: DocumentArgs,
    },
    /// Write an interpreter's pay statement (relevé de rémunération) for a period.
    PayStatement {
        /// The interpreter's user code ("UBILR0001").
        #[arg(long)]
        interpreter: String,
        #[command(flatten)]
        document: DocumentArgs,
    },
    /// Web accounts: import people from a file, or invite one person (docs/accounts.md).
    #[command(subcommand)]
    Accounts(AccountsCommand),
}

/// `relais accounts …`: accounts are made by coordinators, never by sign-up.
#[derive(Debug, Subcommand)]
pub enum AccountsCommand {
    /// Create the people of a CSV file that are not known yet (matched by email) and mail
    /// an activation link to everyone without an account. Columns: email, first_name,
    /// last_name, role, establishment (code), installation (names, | between), locale;
    /// French headers work too (courriel, prénom, nom, rôle, établissement, langue).
    Import { file: PathBuf },
    /// Mail a fresh activation link (valid 72 hours) to a known person without a password.
    Invite { email: String },
}

/// `relais export`: which requests, and where to write them.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// csv or xlsx; guessed from the output file's extension when left out.
    #[arg(long)]
    pub format: Option<ExportFormat>,
    /// The file to write (replaced if it exists).
    #[arg(long, short)]
    pub output: PathBuf,
    /// First appointment date included (YYYY-MM-DD).
    #[arg(long, value_parser = filter::parse_date)]
    pub from: Option<NaiveDate>,
    /// Last appointment date included (YYYY-MM-DD).
    #[arg(long, value_parser = filter::parse_date)]
    pub to: Option<NaiveDate>,
    /// A calendar preset instead of --from/--to: today, tomorrow, this-month, last-month,
    /// next-month (or aujourd'hui, demain, mois-en-cours, mois-precedent, mois-prochain).
    #[arg(long, conflicts_with_all = ["from", "to"])]
    pub period: Option<DatePreset>,
    /// Only this status (code or label: booked, Réservé…); repeat for several.
    /// Without it, every status but drafts.
    #[arg(long = "status", value_parser = filter::parse_status)]
    pub statuses: Vec<RequestStatus>,
    /// Source, target or alternative language (tag or name: es, espagnol, Spanish).
    #[arg(long)]
    pub language: Option<LanguageTag>,
    /// Only this establishment's requests, by its code.
    #[arg(long, value_parser = filter::parse_establishment)]
    pub establishment: Option<String>,
    /// Only this interpreter's requests, by user code (UBILR0001) or id.
    #[arg(long)]
    pub interpreter: Option<InterpreterRef>,
    /// Language of headers, labels and sheet names.
    #[arg(long, default_value = "fr")]
    pub lang: Locale,
}

/// What `invoice` and `pay-statement` share: the period, the file, the language.
#[derive(Debug, clap::Args)]
pub struct DocumentArgs {
    /// First appointment date covered (YYYY-MM-DD, local).
    #[arg(long)]
    pub from: NaiveDate,
    /// Last appointment date covered, included.
    #[arg(long)]
    pub to: NaiveDate,
    /// `html` (printable page) or `csv`.
    #[arg(long)]
    pub format: Format,
    /// The file to write.
    #[arg(long)]
    pub output: PathBuf,
    /// The document's language: `fr` (default) or `en`.
    #[arg(long, default_value = "fr")]
    pub lang: Locale,
}

pub async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("relais: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    if let CliCommand::InspectSms { text } = &cli.command {
        // The text alone, before any configuration: whether the person has one offer or
        // several is the workflow's business.
        println!("{}", crate::inbound::sms::read_sms(text).to_json());
        return Ok(ExitCode::SUCCESS);
    }

    let file = config_file(cli.config.as_deref());
    let layers = crate::config::Layers::read(file.as_deref(), std::env::vars())?;
    let settings = layers.settings()?;
    if let CliCommand::Config = &cli.command {
        let text = crate::config::effective::render(&layers, &settings)?;
        // `relais config | head` closes the pipe early: that is not an error.
        use std::io::Write as _;
        match std::io::stdout().write_all(text.as_bytes()) {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => return Err(e.into()),
            _ => return Ok(ExitCode::SUCCESS),
        }
    }
    if let CliCommand::InspectMail { file } = &cli.command {
        // No database, no network: only what the mail itself says.
        let raw = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
        let reading =
            crate::inbound::mail::reading::read(&raw, &crate::app::read_context(&settings), chrono::Utc::now());
        println!("{}", serde_json::to_string_pretty(&reading.to_json())?);
        return Ok(ExitCode::SUCCESS);
    }
    // The demo tells its own story on standard output; only problems go to the log.
    let filter = if matches!(cli.command, CliCommand::Demo) {
        "warn"
    } else {
        settings.log.filter.as_str()
    };
    crate::telemetry::init(filter, settings.log.format);
    match cli.command {
        CliCommand::Serve => {
            print_where_data_goes(&settings, file.as_deref());
            let app = App::build(&settings, Arc::new(SystemClock)).await?;
            app.run_until_stopped(shutdown_signal()).await?;
        }
        CliCommand::Migrate => {
            let store = Store::connect(settings.database.url.expose(), settings.database.max_connections).await?;
            store.migrate().await?;
            store.close().await;
            println!("migrations applied");
        }
        CliCommand::Demo => {
            print_where_data_goes(&settings, file.as_deref());
            crate::demo::run(&settings, &mut std::io::stdout()).await?;
        }
        CliCommand::Ingest { files } => return ingest(&settings, &files).await,
        CliCommand::Digest { to } => return digest(&settings, to.as_deref()).await,
        CliCommand::Export(args) => return export(&settings, args).await,
        CliCommand::Invoice {
            establishment,
            document,
        } => return billing_document(&settings, Whose::Establishment(&establishment), &document).await,
        CliCommand::PayStatement { interpreter, document } => {
            return billing_document(&settings, Whose::Interpreter(&interpreter), &document).await;
        }
        CliCommand::Accounts(command) => return accounts(&settings, command).await,
        CliCommand::Backup { file } => return backup(&settings, &file).await,
        CliCommand::InspectMail { .. } | CliCommand::InspectSms { .. } | CliCommand::Config => {}
    }
    Ok(ExitCode::SUCCESS)
}

/// The file layered over the built-in default: the one named, else `config/default.toml`
/// in the current folder when there is one, else none.
fn config_file(named: Option<&std::path::Path>) -> Option<PathBuf> {
    match named {
        Some(path) => Some(path.to_path_buf()),
        None => {
            let implicit = std::path::Path::new(crate::config::IMPLICIT_FILE);
            implicit.is_file().then(|| implicit.to_path_buf())
        }
    }
}

/// The first lines of `serve` and `demo`: which settings, and where data is kept, so a
/// newcomer knows what the run writes and where to look.
fn print_where_data_goes(settings: &Settings, file: Option<&std::path::Path>) {
    let here = std::env::current_dir().unwrap_or_default();
    let shown = |path: &std::path::Path| here.join(path).display().to_string();
    let config = match file {
        Some(path) => format!("built-in default, then {}", shown(path)),
        None => "built-in default".to_string(),
    };
    let mut lines = vec![("settings", config)];
    let url = settings.database.url.expose();
    lines.push(match crate::store::sqlite_path(url) {
        Some(path) => ("database", format!("SQLite, {}", shown(&path))),
        None => ("database", "PostgreSQL".to_string()),
    });
    if settings.security.signing_key.is_empty() {
        lines.push(("signing key", shown(&settings.security.key_file)));
    }
    match settings.mail.inbound {
        crate::config::InboundSource::Maildir => {
            lines.push(("mail in", format!("{}/new/", shown(&settings.mail.maildir))))
        }
        crate::config::InboundSource::Imap => lines.push(("mail in", format!("IMAP, {}", settings.imap.host))),
        crate::config::InboundSource::None => lines.push(("mail in", "none (relais ingest only)".to_string())),
    }
    match settings.mail.outbound {
        crate::config::OutboundTransport::Folder => {
            lines.push(("mail out", format!("{}/*.eml", shown(&settings.mail.outbox_folder))))
        }
        crate::config::OutboundTransport::Smtp => lines.push(("mail out", format!("SMTP, {}", settings.smtp.host))),
    }
    lines.push(match settings.sms.gateway {
        crate::config::SmsGateway::Log => ("SMS out", shown(&settings.sms.log_file)),
        crate::config::SmsGateway::Twilio => ("SMS out", "Twilio".to_string()),
        crate::config::SmsGateway::Kannel => ("SMS out", "Kannel".to_string()),
    });
    for (what, value) in lines {
        println!("{what:<12} {value}");
    }
    println!();
}

/// `relais backup FILE`: a consistent copy of the SQLite database, taken while Relais runs.
async fn backup(settings: &Settings, file: &std::path::Path) -> anyhow::Result<ExitCode> {
    if settings.is_postgres() {
        anyhow::bail!("relais backup copies the SQLite database; for PostgreSQL use pg_dump (docs/operations.md)");
    }
    if file.exists() {
        anyhow::bail!("{} already exists: choose a new file", file.display());
    }
    let url = settings.database.url.expose();
    if let Some(database) = crate::store::sqlite_path(url)
        && !database.is_file()
    {
        anyhow::bail!("there is no database at {} to copy", database.display());
    }
    let store = Store::connect(settings.database.url.expose(), 1).await?;
    let made = store.backup_sqlite(file).await;
    store.close().await;
    made.with_context(|| format!("cannot write {}", file.display()))?;
    let size = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    println!("{} written ({} kB)", file.display(), size.div_ceil(1024));
    Ok(ExitCode::SUCCESS)
}

/// `relais digest`: queues the digest and delivers what is due, so it leaves even when no
/// `relais serve` is running.
async fn digest(settings: &Settings, to: Option<&str>) -> anyhow::Result<ExitCode> {
    let store = Store::connect(settings.database.url.expose(), settings.database.max_connections).await?;
    store.migrate().await?;
    let clock: Arc<dyn crate::clock::Clock> = Arc::new(SystemClock);
    let workflow = crate::workflow::Workflow::new(
        store.clone(),
        crate::workflow::WorkflowConfig::from_settings(settings),
        clock.clone(),
    );
    let only = match to {
        None => None,
        Some(address) => {
            let email = crate::domain::contact::EmailAddress::parse(address)
                .map_err(|e| anyhow::anyhow!("--to {address}: {e}"))?;
            let mut tx = store.begin_read().await?;
            let person = tx.person_by_email(&email).await?;
            tx.commit().await?;
            match person {
                Some(p) if p.has_role(crate::domain::role::Role::Coordinator) => Some(p.id),
                _ => anyhow::bail!("--to {address}: no coordinator has this address"),
            }
        }
    };
    let queued = workflow.queue_digests(only).await?;
    let outbound = crate::outbound::worker::Outbound::new(settings, store.clone(), clock)?;
    let mut sent = 0;
    loop {
        let n = outbound.deliver_due().await?;
        if n == 0 {
            break;
        }
        sent += n;
    }
    store.close().await;
    println!("{queued} digest(s) queued, {sent} message(s) sent");
    Ok(ExitCode::SUCCESS)
}

/// `relais accounts import|invite`: queues the activation mails; `relais serve` sends them.
async fn accounts(settings: &Settings, command: AccountsCommand) -> anyhow::Result<ExitCode> {
    use crate::domain::person_import::ProfileColumn;
    use crate::workflow::accounts::{Accounts, ImportOutcome, InviteOutcome};
    // Read the file before touching the database: a bad header changes nothing.
    let lines = match &command {
        AccountsCommand::Import { file } => {
            let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
            let text = crate::domain::person_import::decode(&bytes);
            let read = crate::domain::person_import::read(&text)
                .map_err(|e| anyhow::anyhow!("{}: {}", file.display(), e.message(Locale::En)))?;
            Some(read)
        }
        AccountsCommand::Invite { .. } => None,
    };
    let store = Store::connect(settings.database.url.expose(), settings.database.max_connections).await?;
    store.migrate().await?;
    let workflow = crate::workflow::Workflow::new(
        store.clone(),
        crate::workflow::WorkflowConfig::from_settings(settings),
        Arc::new(SystemClock),
    );
    let accounts = Accounts::new(
        workflow,
        crate::security::signing_key(settings)?,
        &settings.security.previous_keys,
        &settings.general.bank_name,
    )?;
    let failed = match command {
        AccountsCommand::Invite { email } => {
            let address =
                crate::domain::contact::EmailAddress::parse(&email).map_err(|e| anyhow::anyhow!("{email}: {e}"))?;
            let (ok, text) = match accounts.invite(&address).await? {
                InviteOutcome::Invited => (true, "activation link queued (valid 72 hours)"),
                InviteOutcome::AlreadyActive => (
                    false,
                    "already activated: the person can use \"forgot password\" on the sign-in page",
                ),
                InviteOutcome::NoSuchPerson => (false, "nobody has this address"),
                InviteOutcome::Inactive => (false, "this person is inactive"),
            };
            println!("{email}\t{text}");
            !ok
        }
        AccountsCommand::Import { .. } => {
            let actor = crate::workflow::Actor {
                person: None,
                kind: crate::domain::role::ActorKind::System,
                channel: crate::domain::role::Channel::Cli,
            };
            let report = accounts.import(actor, lines.unwrap_or_default()).await?;
            let names = |columns: &[ProfileColumn]| ProfileColumn::names(columns, Locale::En);
            for (number, email, outcome) in &report.lines {
                let text = match outcome {
                    ImportOutcome::Created => "created, activation link queued".to_string(),
                    ImportOutcome::Invited(none) if none.is_empty() => {
                        "known, account created, activation link queued".to_string()
                    }
                    ImportOutcome::Invited(columns) => format!(
                        "known: updated ({}); account created, activation link queued",
                        names(columns)
                    ),
                    ImportOutcome::Updated(columns) => format!("known: updated ({})", names(columns)),
                    ImportOutcome::Unchanged => "known: unchanged".to_string(),
                    ImportOutcome::Refused(why) => format!("error: {}", why.message(Locale::En)),
                };
                println!("line {number}\t{email}\t{text}");
            }
            let t = report.totals();
            println!(
                "{} created, {} invited, {} updated, {} unchanged, {} refused",
                t.created, t.invited, t.updated, t.unchanged, t.refused
            );
            t.refused > 0
        }
    };
    store.close().await;
    Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

/// `relais export`: the requests the filters select, written to one file.
async fn export(settings: &Settings, args: ExportArgs) -> anyhow::Result<ExitCode> {
    let format = match args.format.or_else(|| ExportFormat::from_path(&args.output)) {
        Some(format) => format,
        None => anyhow::bail!(
            "--format csv|xlsx: {} has no .csv or .xlsx extension to go by",
            args.output.display()
        ),
    };
    let now = chrono::Utc::now();
    let period = match args.period {
        Some(preset) => preset.period(now.with_timezone(&settings.general.time_zone).date_naive()),
        None => filter::Period::new(args.from, args.to)?,
    };
    let filter = ExportFilter {
        period,
        statuses: args.statuses,
        language: args.language,
        establishment: args.establishment,
        interpreter: args.interpreter,
        requested_by: None,
    };
    let options = ExportOptions {
        locale: args.lang,
        time_zone: settings.general.time_zone,
        generated_at: now,
    };
    let store = Store::connect(settings.database.url.expose(), settings.database.max_connections).await?;
    store.migrate().await?;
    let made = crate::reports::export_requests(&store, &filter, format, &options).await;
    store.close().await;
    let export = made?;
    std::fs::write(&args.output, &export.bytes).with_context(|| format!("cannot write {}", args.output.display()))?;
    println!(
        "{} request(s) written to {} ({format})",
        export.rows,
        args.output.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Whose document `billing_document` writes.
enum Whose<'a> {
    Establishment(&'a str),
    Interpreter(&'a str),
}

/// `relais invoice` and `relais pay-statement`: the document written to a file, and one
/// line saying what it came to.
async fn billing_document(settings: &Settings, whose: Whose<'_>, args: &DocumentArgs) -> anyhow::Result<ExitCode> {
    let period = BillingPeriod::new(args.from, args.to)?;
    let store = Store::connect(settings.database.url.expose(), settings.database.max_connections).await?;
    store.migrate().await?;
    let file = match whose {
        Whose::Establishment(code) => {
            crate::billing::invoice_file(&store, settings, code, period, args.format, args.lang).await
        }
        Whose::Interpreter(code) => {
            crate::billing::pay_statement_file(&store, settings, code, period, args.format, args.lang).await
        }
    };
    store.close().await;
    let file = file?;
    std::fs::write(&args.output, &file.bytes).with_context(|| format!("cannot write {}", args.output.display()))?;
    println!("{} → {}", file.summary.line(args.lang), args.output.display());
    Ok(ExitCode::SUCCESS)
}

/// `relais ingest` is one writer doing one statement at a time: each goes to sqlx's SQLite
/// worker thread and back, ten times a mail, with nothing else to do meanwhile.
/// When the two threads sit on different cores, every hand-over wakes the other core (an
/// interrupt between processors; on a virtual machine, an exit to the hypervisor too), and
/// that was most of the time: 1,700–1,900 mails/s spread over two cores, 3,700–4,300 on one
/// (issue #22, `docs/performance.md`). So the thread that reads the files stays on the core
/// it runs on, and the database's worker thread, started from it, inherits the same core.
/// Where the core cannot be read or set, the system places the threads as it likes.
/// PostgreSQL has no such thread (its hand-over is to the server), so there nothing is
/// pinned, and two processes side by side can each have a core.
fn stay_on_one_core() {
    #[cfg(target_os = "linux")]
    {
        use nix::sched::{CpuSet, sched_getcpu, sched_setaffinity};
        let Ok(cpu) = sched_getcpu() else { return };
        let mut only = CpuSet::new();
        if only.set(cpu).is_ok()
            && let Err(e) = sched_setaffinity(nix::unistd::Pid::from_raw(0), &only)
        {
            tracing::debug!(error = %e, "ingest stays where the system puts it");
        }
    }
}

/// `relais ingest`: each file through the mail pipeline, as if it had arrived.
async fn ingest(settings: &Settings, files: &[PathBuf]) -> anyhow::Result<ExitCode> {
    if crate::store::sqlite_path(settings.database.url.expose()).is_some() {
        stay_on_one_core();
    }
    let store = Store::connect(settings.database.url.expose(), settings.database.max_connections).await?;
    store.migrate().await?;
    let workflow = crate::workflow::Workflow::new(
        store.clone(),
        crate::workflow::WorkflowConfig::from_settings(settings),
        Arc::new(SystemClock),
    );
    let pipeline = crate::app::mail_pipeline(settings, workflow)?;
    let mut failed = false;
    // Files go in groups, each group one transaction (`pipeline/group.rs`). After failures
    // in a row that should pass (the database is likely down), the rest is not tried.
    let mut given_up = false;
    for group in files.chunks(GROUP_SIZE) {
        let mut read = Vec::with_capacity(group.len());
        for file in group {
            match std::fs::read(file) {
                Ok(raw) => read.push((file, raw)),
                Err(e) => {
                    failed = true;
                    eprintln!("{}\terror: {e}", file.display());
                }
            }
        }
        let incoming: Vec<Incoming<'_>> = read
            .iter()
            .map(|(_, raw)| Incoming {
                raw,
                source: "file",
                failures: 0,
            })
            .collect();
        let mut taken = if given_up {
            Vec::new().into_iter()
        } else {
            pipeline.take_group(&incoming).await.into_iter()
        };
        // One file that fails never stops the others; one that fails for good is set
        // aside like any inbound mail, for coordinators to retry from the board.
        for (file, _) in &read {
            match taken.next() {
                Some(Taken::Recorded(MailOutcome::SetAside)) => {
                    failed = true;
                    eprintln!(
                        "{}\tset_aside: it failed and is listed on the board, to retry after a fix (the log has why)",
                        file.display()
                    );
                }
                Some(Taken::Recorded(outcome)) => println!("{}\t{}", file.display(), outcome.as_str()),
                Some(Taken::Later(e)) => {
                    failed = true;
                    eprintln!("{}\terror (nothing recorded, try again): {e:#}", file.display());
                }
                None => {
                    failed = true;
                    given_up = true;
                    eprintln!(
                        "{}\terror (nothing recorded, try again): not tried, the files before it failed",
                        file.display()
                    );
                }
            }
        }
    }
    store.close().await;
    Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}
