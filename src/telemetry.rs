//! Logging. Logs carry identifiers (request numbers, user codes, ids), never message
//! bodies or patient details: callers log fields, not documents.

use tracing_subscriber::EnvFilter;

/// Starts logging to standard error with `filter` (overridden by `RUST_LOG` when set).
pub fn init(filter: &str) {
    let filter = EnvFilter::try_from_env("RUST_LOG").unwrap_or_else(|_| EnvFilter::new(filter));
    // A second initialisation (tests, the demo after serve) keeps the first subscriber.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_writer(std::io::stderr)
        .try_init();
}
