//! Logging. Logs carry identifiers (request numbers, user codes, ids), never message
//! bodies or patient details: callers log fields, not documents.

use crate::config::LogFormat;
use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;

/// Starts logging to standard error with `filter` (overridden by `RUST_LOG` when set):
/// readable lines, coloured only when standard error is a terminal (and `NO_COLOR` is
/// unset), or one JSON object per line for log collectors.
pub fn init(filter: &str, format: LogFormat) {
    let filter = EnvFilter::try_from_env("RUST_LOG").unwrap_or_else(|_| EnvFilter::new(filter));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // A second initialisation (tests, the demo after serve) keeps the first subscriber.
    let _ = match format {
        LogFormat::Text => builder.with_target(false).with_ansi(colour_wanted()).try_init(),
        LogFormat::Json => builder.json().with_current_span(false).try_init(),
    };
}

/// Colour codes only where a person reads them: a terminal, without `NO_COLOR`.
fn colour_wanted() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}
