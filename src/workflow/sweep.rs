//! What happens by itself when time passes: service records validated after 48 h,
//! patient details erased after the retention period. Safe with several processes:
//! each item is its own transaction that re-checks its condition under lock.

use super::{Actor, Command, Workflow, WorkflowError};
use crate::domain::history::{Entity, NewHistoryEntry};
use crate::domain::request::RequestStatus;
use crate::domain::role::{ActorKind, Channel};

/// How many items one sweep takes at most, per kind.
const BATCH: i64 = 200;

/// What a sweep did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SweepReport {
    pub validated: usize,
    pub erased: usize,
    /// Inbound messages and returned forms whose content was erased.
    pub erased_mail: u64,
}

impl Workflow {
    /// Runs every due automatic change once.
    pub async fn sweep(&self) -> Result<SweepReport, WorkflowError> {
        let mut report = SweepReport::default();
        let now = self.clock.now();

        let cutoff = now - chrono::Duration::hours(i64::from(self.config.auto_validate_after_hours));
        let due = {
            let mut tx = self.store.begin().await?;
            let ids = tx
                .requests_recorded_before(RequestStatus::ServiceRendered, cutoff, BATCH)
                .await?;
            tx.commit().await?;
            ids
        };
        for id in due {
            match self
                .execute(Actor::system(), Command::ValidateService { request: id })
                .await
            {
                Ok(_) => report.validated += 1,
                // Another process, or the requester, got there first.
                Err(WorkflowError::Transition(_)) | Err(WorkflowError::Conflict(_)) => {}
                Err(e) => return Err(e),
            }
        }

        let cutoff = now - chrono::Duration::days(i64::from(self.config.patient_retention_days));
        let due = {
            let mut tx = self.store.begin().await?;
            let ids = tx.requests_due_for_erasure(cutoff, BATCH).await?;
            tx.commit().await?;
            ids
        };
        for id in due {
            let mut tx = self.store.begin().await?;
            if tx.erase_patient_details(id, now).await? {
                tx.record_history(&NewHistoryEntry {
                    entity: Entity::Request,
                    entity_id: id.0,
                    at: now,
                    actor_id: None,
                    actor_kind: ActorKind::System,
                    channel: Channel::System,
                    action: "erase_patient_details".into(),
                    changes: Vec::new(),
                })
                .await?;
                report.erased += 1;
            }
            tx.commit().await?;
        }
        // Raw mail and returned forms may hold patient details: they age out too.
        let mut tx = self.store.begin().await?;
        report.erased_mail = tx.erase_old_inbound(cutoff, now).await?
            + tx.erase_old_outbox_payloads(cutoff).await?
            + tx.erase_old_sms(cutoff).await?;
        tx.commit().await?;
        // Sign-in attempts, link renewals and spent one-time tokens are kept a day (the
        // limits look back a day at most); sessions go once past their absolute expiry;
        // usual addresses once not signed in from for the period that makes them usual.
        let mut tx = self.store.begin().await?;
        let pruned = tx
            .prune_account_records(
                now,
                now - chrono::Duration::days(1),
                now - crate::workflow::accounts::USUAL_ADDRESS_FOR,
            )
            .await?;
        tx.commit().await?;
        if pruned > 0 {
            tracing::debug!(pruned, "old sign-in records forgotten");
        }
        if report != SweepReport::default() {
            tracing::info!(validated = report.validated, erased = report.erased, "sweep done");
        }
        Ok(report)
    }
}
