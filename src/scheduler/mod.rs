//! Background work that runs on a timer. Every job is safe to run in several processes
//! at once: its state is in the database, never in memory.

use crate::workflow::Workflow;
use std::time::Duration;
use tokio::sync::watch;

/// The digest schedule from the settings: `coordination.digest_times` on the business
/// days of `business_hours`, minus its holidays, in `general.time_zone`.
pub fn digest_slots(settings: &crate::config::Settings) -> crate::domain::daily_slots::DailySlots {
    crate::domain::daily_slots::DailySlots {
        times: settings.coordination.digest_times.clone(),
        days: settings.business_hours.days.clone(),
        holidays: settings.business_hours.holidays.clone(),
        time_zone: settings.general.time_zone,
    }
}

/// Every `interval` until `stop` turns true: the sweeper (automatic validation, erasure),
/// the chasing of answers and reminders, and the digest slot when one is due. Each is
/// guarded in the database, so any number of processes may run this.
pub async fn run_timers(
    workflow: Workflow,
    interval: Duration,
    digest: crate::domain::daily_slots::DailySlots,
    mut stop: watch::Receiver<bool>,
) {
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticker.tick() => {
                if let Err(e) = workflow.sweep().await {
                    tracing::error!(error = %e, "sweep failed; will retry");
                }
                match workflow.chase().await {
                    Ok(report) if report != Default::default() => tracing::info!(?report, "chased"),
                    Ok(_) => {}
                    Err(e) => tracing::error!(error = %e, "chasing failed; will retry"),
                }
                if let Err(e) = workflow.run_due_digest(&digest).await {
                    tracing::error!(error = %e, "digest failed; will retry");
                }
            }
            _ = stop.changed() => break,
        }
        if *stop.borrow() {
            break;
        }
    }
}
