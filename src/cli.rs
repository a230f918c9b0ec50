//! The command line.

use crate::app::{App, shutdown_signal};
use crate::clock::SystemClock;
use crate::config::Settings;
use crate::store::Store;
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
    /// Configuration file; every key can be overridden by RELAIS__SECTION__KEY.
    #[arg(
        long,
        short,
        global = true,
        env = "RELAIS_CONFIG",
        default_value = "config/default.toml"
    )]
    pub config: PathBuf,
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
    /// Process raw email files as if they had arrived in the mailbox (inbound mail issue).
    Ingest {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Show how one raw email would be classified and handled (inbound mail issue).
    InspectMail { file: PathBuf },
    /// Show how one SMS text would be read, as JSON (SMS replies issue).
    InspectSms { text: String },
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
    // Reserved commands answer before any configuration is read.
    let reserved = match &cli.command {
        CliCommand::Ingest { .. } => Some("ingest (arrives with inbound mail handling)"),
        CliCommand::InspectMail { .. } => Some("inspect-mail (arrives with inbound mail handling)"),
        CliCommand::InspectSms { .. } => Some("inspect-sms (arrives with SMS replies)"),
        _ => None,
    };
    if let Some(what) = reserved {
        eprintln!("relais: `{what}` is not available in this version; nothing was done.");
        return Ok(ExitCode::from(2));
    }

    let settings = Settings::load(&cli.config)?;
    // The demo tells its own story on standard output; only problems go to the log.
    let filter = if matches!(cli.command, CliCommand::Demo) {
        "warn"
    } else {
        settings.log.filter.as_str()
    };
    crate::telemetry::init(filter);
    match cli.command {
        CliCommand::Serve => {
            let app = App::build(&settings, Arc::new(SystemClock)).await?;
            app.run_until_stopped(shutdown_signal()).await?;
        }
        CliCommand::Migrate => {
            let store = Store::connect(
                settings.database.url.expose(),
                settings.database.max_connections,
            )
            .await?;
            store.migrate().await?;
            store.close().await;
            println!("migrations applied");
        }
        CliCommand::Demo => {
            crate::demo::run(&settings, &mut std::io::stdout()).await?;
        }
        CliCommand::Ingest { .. }
        | CliCommand::InspectMail { .. }
        | CliCommand::InspectSms { .. } => {}
    }
    Ok(ExitCode::SUCCESS)
}
