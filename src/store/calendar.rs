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

/// A person's calendar feed: its token, sealed, and when it was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarFeed {
    pub token_sealed: String,
    pub created_at: DateTime<Utc>,
}

impl Tx {
    /// The person's calendar feed, if they turned it on.
    pub async fn calendar_feed(&mut self, person: PersonId) -> Result<Option<CalendarFeed>, StoreError> {
        const SQL: &str = "SELECT token_sealed, created_at FROM calendar_feeds WHERE person_id = $1";
        let row: Option<(String, DateTime<Utc>)> =
            on_conn!(self, |c| sqlx::query_as(SQL).bind(person.0).fetch_optional(c).await?);
        Ok(row.map(|(token_sealed, created_at)| CalendarFeed {
            token_sealed,
            created_at,
        }))
    }

    /// Gives the person a feed with this token (replacing their previous one, whose address
    /// stops working).
    pub async fn set_calendar_feed(
        &mut self,
        person: PersonId,
        token_hash: &str,
        token_sealed: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        const SQL: &str = "INSERT INTO calendar_feeds (person_id, token_hash, token_sealed, created_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (person_id) DO UPDATE SET token_hash = excluded.token_hash, \
             token_sealed = excluded.token_sealed, created_at = excluded.created_at";
        on_conn!(self, |c| sqlx::query(SQL)
            .bind(person.0)
            .bind(token_hash)
            .bind(token_sealed)
            .bind(now)
            .execute(c)
            .await?
            .rows_affected());
        Ok(())
    }

    /// Turns the person's feed off; false when it was off.
    pub async fn delete_calendar_feed(&mut self, person: PersonId) -> Result<bool, StoreError> {
        const SQL: &str = "DELETE FROM calendar_feeds WHERE person_id = $1";
        let n = on_conn!(self, |c| sqlx::query(SQL)
            .bind(person.0)
            .execute(c)
            .await?
            .rows_affected());
        Ok(n > 0)
    }

    /// Whose feed a token's hash opens.
    pub async fn calendar_feed_owner(&mut self, token_hash: &str) -> Result<Option<PersonId>, StoreError> {
        const SQL: &str = "SELECT person_id FROM calendar_feeds WHERE token_hash = $1";
        let id: Option<i64> = on_conn!(self, |c| sqlx::query_scalar(SQL)
            .bind(token_hash)
            .fetch_optional(c)
            .await?);
        Ok(id.map(PersonId))
    }

    /// What a person's calendar feed lists: the requests they asked for, those they are
    /// booked on and those offered to them now, sent (no drafts) and starting from `since`,
    /// soonest first; at most `limit`. Read through the requester's and the interpreter's
    /// `(…, starts_at)` indexes and the offers' `(interpreter_id, status)`.
    pub async fn calendar_feed_requests(
        &mut self,
        person: PersonId,
        since: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<crate::domain::request::Request>, StoreError> {
        let sql = format!(
            "SELECT {cols} FROM requests WHERE id IN ( \
               SELECT id FROM requests WHERE requested_by = $1 AND starts_at >= $2 \
               UNION SELECT id FROM requests WHERE assigned_interpreter_id = $1 AND starts_at >= $2 \
               UNION SELECT request_id FROM offers WHERE interpreter_id = $1 AND status = 'pending') \
             AND status <> 'draft' AND starts_at >= $2 ORDER BY starts_at, id LIMIT $3",
            cols = super::requests::REQUEST_COLUMNS
        );
        let rows: Vec<super::requests::RequestRow> =
            on_conn!(self, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
                .bind(person.0)
                .bind(since)
                .bind(limit)
                .fetch_all(c)
                .await?);
        rows.into_iter().map(TryInto::try_into).collect()
    }
}
