//! Background work that runs on a timer. Every job is safe to run in several processes
//! at once: its state is in the database, never in memory.

pub mod slots;

use crate::workflow::Workflow;
use std::time::Duration;
use tokio::sync::watch;

/// Runs the sweeper every `interval` until `stop` turns true.
pub async fn run_sweeper(workflow: Workflow, interval: Duration, mut stop: watch::Receiver<bool>) {
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticker.tick() => {
                if let Err(e) = workflow.sweep().await {
                    tracing::error!(error = %e, "sweep failed; will retry");
                }
            }
            _ = stop.changed() => break,
        }
        if *stop.borrow() {
            break;
        }
    }
}
