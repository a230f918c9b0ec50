//! `relais demo`: a small, realistic bank, and one request walked through its whole life.
//!
//! The bank is seeded once (it is found again on later runs); each run books a new
//! request. Time is simulated from the real present so the walk can reach "48 hours
//! later" without waiting; every step prints the simulated time. Each step goes through
//! the channel it names: mail through the mail pipeline, SMS through the SMS pipeline (as
//! from the gateway's webhook), and the web steps as the web handlers run them.

mod seed;
mod walk;

use crate::clock::ManualClock;
use crate::config::Settings;
use crate::store::Store;
use crate::workflow::{Workflow, WorkflowConfig};
use chrono::Utc;
use std::io::Write;
use std::sync::Arc;

/// Runs the demo against the configured database, writing the story to `out`.
pub async fn run(settings: &Settings, out: &mut impl Write) -> anyhow::Result<()> {
    let store = Store::connect(settings.database.url.expose(), settings.database.max_connections).await?;
    store.migrate().await?;
    let clock = Arc::new(ManualClock::new(Utc::now()));
    let workflow = Workflow::new(store.clone(), WorkflowConfig::from_settings(settings), clock.clone());
    let bank = seed::seed(&workflow, &settings.general.default_phone_region).await?;
    writeln!(out, "Relais — {}", settings.general.bank_name)?;
    writeln!(
        out,
        "Banque : 2 établissements, 4 installations, 3 demandeurs, 12 interprètes, 1 coordonnateur"
    )?;
    let mut walk = walk::Walk::new(settings, workflow, clock, bank, out)?;
    walk.run().await?;
    store.close().await;
    Ok(())
}
