//! The calendar invites each person was sent: for a calendar client's reply, which
//! invite is the latest (its `SEQUENCE`), and for a cancellation, who holds the event.

use super::{StoreError, Tx, on_conn};
use crate::domain::ids::{PersonId, RequestId};
use chrono::{DateTime, Utc};

/// What the event looks like in the person's calendar after an invite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InviteState {
    /// An offer: pencilled in until booked.
    Tentative,
    /// A booking.
    Confirmed,
    /// Taken off the calendar.
    Cancelled,
}

impl InviteState {
    pub fn as_str(self) -> &'static str {
        match self {
            InviteState::Tentative => "tentative",
            InviteState::Confirmed => "confirmed",
            InviteState::Cancelled => "cancelled",
        }
    }

    fn parse(s: &str) -> Result<InviteState, StoreError> {
        Ok(match s {
            "tentative" => InviteState::Tentative,
            "confirmed" => InviteState::Confirmed,
            "cancelled" => InviteState::Cancelled,
            other => return Err(StoreError::Corrupt(format!("calendar_invites.status: {other}"))),
        })
    }
}

/// The last invite a person was sent for a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SentInvite {
    pub sequence: i64,
    pub state: InviteState,
    pub sent_at: DateTime<Utc>,
}

impl Tx {
    /// Records the invite just sent to `person` about `request`. An invite older than the
    /// one recorded (a retry that went out late) does not replace it.
    pub async fn record_calendar_invite(
        &mut self,
        request: RequestId,
        person: PersonId,
        sequence: i64,
        state: InviteState,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        const SQL: &str = "INSERT INTO calendar_invites (request_id, person_id, sequence, status, sent_at) \
             VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (request_id, person_id) DO UPDATE SET sequence = excluded.sequence, \
             status = excluded.status, sent_at = excluded.sent_at \
             WHERE excluded.sequence >= calendar_invites.sequence";
        on_conn!(self, |c| sqlx::query(SQL)
            .bind(request.0)
            .bind(person.0)
            .bind(sequence)
            .bind(state.as_str())
            .bind(now)
            .execute(c)
            .await?
            .rows_affected());
        Ok(())
    }

    /// The last invite `person` was sent about `request`, if any.
    pub async fn calendar_invite(
        &mut self,
        request: RequestId,
        person: PersonId,
    ) -> Result<Option<SentInvite>, StoreError> {
        const SQL: &str =
            "SELECT sequence, status, sent_at FROM calendar_invites WHERE request_id = $1 AND person_id = $2";
        let row: Option<(i64, String, DateTime<Utc>)> = on_conn!(self, |c| sqlx::query_as(SQL)
            .bind(request.0)
            .bind(person.0)
            .fetch_optional(c)
            .await?);
        row.map(|(sequence, status, sent_at)| {
            Ok(SentInvite {
                sequence,
                state: InviteState::parse(&status)?,
                sent_at,
            })
        })
        .transpose()
    }
}
