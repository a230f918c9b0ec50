//! The `relais` command: parse the command line, run the chosen command.

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    relais::cli::main().await
}
