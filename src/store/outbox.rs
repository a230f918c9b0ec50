//! The outbox: notifications written in the transaction of the change that caused them,
//! delivered afterwards by the outbound workers.

use super::later::Param;
use super::{StoreError, Tx, decode, on_conn};
use crate::domain::ids::{PersonId, RequestId};
use crate::domain::notice::{Notice, NoticeError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::types::Json;
use std::str::FromStr;
use std::sync::LazyLock;
use tokio::sync::watch;

/// Rung by every commit that queued a message (see [`Tx::enqueue`]): the count of such
/// commits in this process.
static BELL: LazyLock<watch::Sender<u64>> = LazyLock::new(|| watch::Sender::new(0));

/// What an outbound worker waits on between polls: it changes after each commit that queued
/// a message in this process. A ring while the worker is busy is kept until it looks, so a
/// message queued during a round is never left for the poll. Another process's messages
/// (several processes on one PostgreSQL) are found by the poll.
pub fn bell() -> watch::Receiver<u64> {
    BELL.subscribe()
}

pub(super) fn ring() {
    BELL.send_modify(|rings| *rings = rings.wrapping_add(1));
}

/// Which messages a sender claims when several send at once: lane `index` of `of` takes the
/// recipients whose id is `index` modulo `of`, so one person's messages still go out in the
/// order they were queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lane {
    pub index: usize,
    pub of: usize,
}

impl Lane {
    /// Every message: the one sender.
    pub const ALL: Lane = Lane { index: 0, of: 1 };
}

/// How a notification reaches its recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxChannel {
    Email,
    Sms,
}

impl OutboxChannel {
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxChannel::Email => "email",
            OutboxChannel::Sms => "sms",
        }
    }
}

impl FromStr for OutboxChannel {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "email" => Ok(OutboxChannel::Email),
            "sms" => Ok(OutboxChannel::Sms),
            other => Err(format!("unknown outbox channel {other:?}")),
        }
    }
}

/// A notification to queue.
#[derive(Debug, Clone, PartialEq)]
pub struct NewOutboxMessage {
    pub channel: OutboxChannel,
    pub recipient: PersonId,
    pub request: Option<RequestId>,
    /// What the message says, with the facts it needs as they were when the change
    /// committed (never patient details); the outbound side renders it. Stored as its
    /// kind and its payload.
    pub notice: Notice,
}

/// A queued notification as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutboxMessage {
    pub id: i64,
    pub created_at: DateTime<Utc>,
    pub channel: OutboxChannel,
    pub recipient: PersonId,
    /// The notice's kind, e.g. "request_booked", as stored.
    pub kind: String,
    pub request: Option<RequestId>,
    /// The notice's fields, as stored.
    pub payload: serde_json::Value,
    pub status: String,
    pub attempts: i64,
}

impl OutboxMessage {
    /// The notice the row holds (see [`Notice::from_stored`] for rows of earlier versions).
    pub fn notice(&self) -> Result<Notice, NoticeError> {
        Notice::from_stored(&self.kind, &self.payload)
    }
}

#[derive(sqlx::FromRow)]
struct OutboxRow {
    id: i64,
    created_at: DateTime<Utc>,
    channel: String,
    recipient_id: i64,
    kind: String,
    request_id: Option<i64>,
    payload: Json<serde_json::Value>,
    status: String,
    attempts: i64,
}

impl TryFrom<OutboxRow> for OutboxMessage {
    type Error = StoreError;
    fn try_from(r: OutboxRow) -> Result<OutboxMessage, StoreError> {
        Ok(OutboxMessage {
            id: r.id,
            created_at: r.created_at,
            channel: decode("outbox.channel", r.channel.parse())?,
            recipient: PersonId(r.recipient_id),
            kind: r.kind,
            request: r.request_id.map(RequestId),
            payload: r.payload.0,
            status: r.status,
            attempts: r.attempts,
        })
    }
}

impl Tx {
    /// Queues `message`, with the transaction's next statement ([`Tx::write_later`]). A
    /// payload echoes what people wrote (a subject, form values): NUL in it becomes U+FFFD,
    /// which PostgreSQL's JSON can hold, on both engines alike.
    pub async fn enqueue(&mut self, message: &NewOutboxMessage, now: DateTime<Utc>) -> Result<(), StoreError> {
        const SQL: &str = "INSERT INTO outbox (created_at, channel, recipient_id, kind, request_id, payload, status, \
             attempts, next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $1)";
        let (kind, mut payload) = decode("outbox.payload", message.notice.to_stored())?;
        crate::domain::text::json_without_nul(&mut payload);
        self.queued = true;
        self.write_later(
            SQL,
            vec![
                Param::Time(now),
                Param::text(message.channel.as_str()),
                Param::Int(Some(message.recipient.0)),
                Param::Text(Some(kind)),
                Param::Int(message.request.map(|r| r.0)),
                Param::Json(payload),
            ],
        )
        .await
    }

    /// Every message queued about a request, in order.
    pub async fn outbox_of_request(&mut self, request: RequestId) -> Result<Vec<OutboxMessage>, StoreError> {
        const SQL: &str = "SELECT id, created_at, channel, recipient_id, kind, request_id, payload, status, attempts \
             FROM outbox WHERE request_id = $1 ORDER BY id";
        let rows: Vec<OutboxRow> = on_conn!(self, |c| sqlx::query_as(SQL).bind(request.0).fetch_all(c).await?);
        rows.into_iter().map(OutboxMessage::try_from).collect()
    }

    /// Claims the oldest due message for `instance` until `lease_until`: it is this
    /// caller's to send until then, or longer if [`Tx::renew_outbox_claim`] extends it.
    /// Claiming counts an attempt. Several processes claim different messages (PostgreSQL
    /// skips rows another transaction holds; SQLite has one writer at a time).
    pub async fn claim_next_outbox(
        &mut self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        instance: &str,
        lane: Lane,
    ) -> Result<Option<OutboxMessage>, StoreError> {
        Ok(self.claim_outbox(now, lease_until, instance, lane, 1).await?.pop())
    }

    /// [`Tx::claim_next_outbox`] for the `limit` oldest due messages at once, oldest first:
    /// one statement and one commit for several.
    pub async fn claim_outbox(
        &mut self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        instance: &str,
        lane: Lane,
        limit: usize,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        // Integers, formatted: nothing typed by anyone reaches the statement.
        let in_lane = match lane.of {
            0 | 1 => String::new(),
            of => format!(" AND recipient_id % {of} = {}", lane.index % of),
        };
        let sql = format!(
            "UPDATE outbox SET locked_until = $2, claimed_by = $3, attempts = attempts + 1 WHERE id IN (\
             SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= $1 \
             AND (locked_until IS NULL OR locked_until <= $1){in_lane} ORDER BY id LIMIT {}{}) \
             RETURNING id, created_at, channel, recipient_id, kind, request_id, payload, status, attempts",
            limit.max(1),
            match self.engine() {
                super::Engine::Postgres => " FOR UPDATE SKIP LOCKED",
                super::Engine::Sqlite => "",
            }
        );
        let rows: Vec<OutboxRow> = on_conn!(self, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(now)
            .bind(lease_until)
            .bind(instance)
            .fetch_all(c)
            .await?);
        let mut claimed = rows
            .into_iter()
            .map(OutboxMessage::try_from)
            .collect::<Result<Vec<_>, _>>()?;
        // RETURNING follows no order.
        claimed.sort_by_key(|m| m.id);
        Ok(claimed)
    }

    /// Extends `instance`'s claim on `message` (as [`Tx::claim_next_outbox`] returned it)
    /// to `lease_until`. False when the claim is no longer that one: the message was
    /// claimed again since (by anyone: each claim counts an attempt), or is no longer
    /// pending.
    pub async fn renew_outbox_claim(
        &mut self,
        message: &OutboxMessage,
        instance: &str,
        lease_until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        const SQL: &str = "UPDATE outbox SET locked_until = $4 WHERE id = $1 AND claimed_by = $2 \
             AND attempts = $3 AND status = 'pending'";
        let n = on_conn!(self, |c| sqlx::query(SQL)
            .bind(message.id)
            .bind(instance)
            .bind(message.attempts)
            .bind(lease_until)
            .execute(c)
            .await?
            .rows_affected());
        Ok(n == 1)
    }

    /// Gives back `instance`'s claim on `message` without a result: the attempt is not
    /// counted and the message is due again at once. For a delivery abandoned at shutdown.
    /// False when the claim was not (or no longer) that one.
    pub async fn release_outbox_claim(&mut self, message: &OutboxMessage, instance: &str) -> Result<bool, StoreError> {
        const SQL: &str = "UPDATE outbox SET locked_until = NULL, claimed_by = NULL, attempts = attempts - 1 \
             WHERE id = $1 AND claimed_by = $2 AND attempts = $3 AND status = 'pending'";
        let n = on_conn!(self, |c| sqlx::query(SQL)
            .bind(message.id)
            .bind(instance)
            .bind(message.attempts)
            .execute(c)
            .await?
            .rows_affected());
        Ok(n == 1)
    }

    /// Releases every live claim `instance` holds on a pending message, so the messages are
    /// due again at once. At start (`uncount` false), for what a previous process of the
    /// same name left when it died: whether those attempts reached the server is unknown,
    /// so they stay counted. At shutdown (`uncount` true), for deliveries this process
    /// abandoned itself: those attempts are not counted. Returns how many were released.
    pub async fn release_outbox_claims_of(
        &mut self,
        instance: &str,
        now: DateTime<Utc>,
        uncount: bool,
    ) -> Result<u64, StoreError> {
        const KEEP: &str = "UPDATE outbox SET locked_until = NULL, claimed_by = NULL \
             WHERE status = 'pending' AND claimed_by = $1 AND locked_until > $2";
        const UNCOUNT: &str = "UPDATE outbox SET locked_until = NULL, claimed_by = NULL, attempts = attempts - 1 \
             WHERE status = 'pending' AND claimed_by = $1 AND locked_until > $2";
        let sql = if uncount { UNCOUNT } else { KEEP };
        let n = on_conn!(self, |c| sqlx::query(sql)
            .bind(instance)
            .bind(now)
            .execute(c)
            .await?
            .rows_affected());
        Ok(n)
    }

    /// Who holds a live claim on message `id` at `now`, if anyone.
    pub async fn outbox_claim(&mut self, id: i64, now: DateTime<Utc>) -> Result<Option<String>, StoreError> {
        const SQL: &str = "SELECT claimed_by FROM outbox WHERE id = $1 AND locked_until > $2";
        let holder: Option<Option<String>> = on_conn!(self, |c| sqlx::query_scalar(SQL)
            .bind(id)
            .bind(now)
            .fetch_optional(c)
            .await?);
        Ok(holder.flatten())
    }

    /// Forgets the messages of `kind` about `request` not sent yet: a series is
    /// acknowledged once, by its first request's mail.
    pub async fn drop_pending_outbox(&mut self, request: RequestId, kind: &str) -> Result<u64, StoreError> {
        const SQL: &str = "DELETE FROM outbox WHERE request_id = $1 AND kind = $2 AND status = 'pending'";
        let n = on_conn!(self, |c| sqlx::query(SQL)
            .bind(request.0)
            .bind(kind)
            .execute(c)
            .await?
            .rows_affected());
        Ok(n)
    }

    pub async fn mark_outbox_sent(&mut self, id: i64, now: DateTime<Utc>) -> Result<(), StoreError> {
        const SQL: &str =
            "UPDATE outbox SET status = 'sent', sent_at = $2, locked_until = NULL, last_error = NULL WHERE id = $1";
        on_conn!(self, |c| sqlx::query(SQL)
            .bind(id)
            .bind(now)
            .execute(c)
            .await?
            .rows_affected());
        Ok(())
    }

    /// Records a failed attempt: tried again at `retry_at`, or dead-lettered when `None`.
    pub async fn mark_outbox_failed(
        &mut self,
        id: i64,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        const RETRY: &str =
            "UPDATE outbox SET last_error = $2, next_attempt_at = $3, locked_until = NULL WHERE id = $1";
        const DEAD: &str = "UPDATE outbox SET last_error = $2, status = 'dead', locked_until = NULL WHERE id = $1";
        match retry_at {
            Some(at) => on_conn!(self, |c| sqlx::query(RETRY)
                .bind(id)
                .bind(error)
                .bind(at)
                .execute(c)
                .await?
                .rows_affected()),
            None => on_conn!(self, |c| sqlx::query(DEAD)
                .bind(id)
                .bind(error)
                .execute(c)
                .await?
                .rows_affected()),
        };
        Ok(())
    }

    /// Delivered or dead messages created before `cutoff` lose their payload: a returned
    /// form may hold what a requester typed about a patient.
    pub async fn erase_old_outbox_payloads(&mut self, cutoff: DateTime<Utc>) -> Result<u64, StoreError> {
        const SQL: &str =
            "UPDATE outbox SET payload = $2 WHERE status <> 'pending' AND created_at < $1 AND kind = 'request_form'";
        let empty = Json(serde_json::json!({}));
        let n = on_conn!(self, |c| sqlx::query(SQL)
            .bind(cutoff)
            .bind(&empty)
            .execute(c)
            .await?
            .rows_affected());
        Ok(n)
    }

    /// Attempts beyond the first, per channel (for `/metrics`).
    pub async fn count_outbox_retries(&mut self) -> Result<Vec<(OutboxChannel, i64)>, StoreError> {
        const SQL: &str = "SELECT channel, CAST(SUM(attempts - 1) AS BIGINT) FROM outbox WHERE attempts > 1 \
             GROUP BY channel ORDER BY channel";
        let rows: Vec<(String, i64)> = on_conn!(self, |c| sqlx::query_as(SQL).fetch_all(c).await?);
        rows.into_iter()
            .map(|(ch, n)| Ok((decode("outbox.channel", ch.parse())?, n)))
            .collect()
    }

    /// Messages per channel and status (for `/metrics`).
    /// How many messages of one kind were ever queued.
    pub async fn count_outbox_kind(&mut self, kind: &str) -> Result<i64, StoreError> {
        const SQL: &str = "SELECT COUNT(*) FROM outbox WHERE kind = $1";
        Ok(on_conn!(self, |c| sqlx::query_scalar(SQL)
            .bind(kind)
            .fetch_one(c)
            .await?))
    }

    pub async fn count_outbox(&mut self) -> Result<Vec<(OutboxChannel, String, i64)>, StoreError> {
        const SQL: &str =
            "SELECT channel, status, COUNT(*) FROM outbox GROUP BY channel, status ORDER BY channel, status";
        let rows: Vec<(String, String, i64)> = on_conn!(self, |c| sqlx::query_as(SQL).fetch_all(c).await?);
        rows.into_iter()
            .map(|(ch, st, n)| Ok((decode("outbox.channel", ch.parse())?, st, n)))
            .collect()
    }
}
