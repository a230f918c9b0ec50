//! Inbound messages (stored raw, with what they did), bounces, and IMAP positions.

//!
//! What came from outside is stored as text with NUL as U+FFFD ([`without_nul`]): no text
//! column of PostgreSQL holds NUL, and a message that cannot be stored would be read again
//! forever. The raw bytes of a mail keep theirs.

use super::later::{Param, bind_params};
use super::{StoreError, Tx, on_conn};
use crate::domain::ids::{BillingCodeId, CostCentreId, EstablishmentId, PersonId, RequestId};
use crate::domain::text::without_nul;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// A message about to be recorded.
#[derive(Debug, Clone)]
pub struct NewInboundMessage<'a> {
    pub dedup_key: &'a str,
    pub message_id: Option<&'a str>,
    pub source: &'a str,
    pub received_at: DateTime<Utc>,
    pub from_address: Option<&'a str>,
    pub subject: &'a str,
    pub raw: &'a [u8],
    pub classification: &'a str,
}

/// What a stored message did, for coordinators.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct InboundSummary {
    pub id: i64,
    pub message_id: Option<String>,
    pub source: String,
    pub received_at: DateTime<Utc>,
    pub from_address: Option<String>,
    pub subject: String,
    pub classification: String,
    pub outcome: String,
    pub detail: Option<String>,
    pub request_id: Option<i64>,
    pub person_id: Option<i64>,
}

impl Tx {
    /// Records a message unless one with the same key was recorded before: `None` then.
    pub async fn insert_inbound(&mut self, m: &NewInboundMessage<'_>) -> Result<Option<i64>, StoreError> {
        const SQL: &str = "INSERT INTO inbound_messages (dedup_key, message_id, source, received_at, from_address, \
             subject, raw, classification, outcome) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'processing') \
             ON CONFLICT (dedup_key) DO NOTHING RETURNING id";
        let dedup_key = without_nul(m.dedup_key);
        let message_id = m.message_id.map(without_nul);
        let from_address = m.from_address.map(without_nul);
        let subject = without_nul(m.subject);
        // A mail's first statement: the savepoint set for it goes in the same trip.
        let (sql, later) = self.after_due(SQL);
        let writes = !later.is_empty();
        let id = on_conn!(self, |c| bind_params!(
            sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql))
                .bind(&*dedup_key)
                .bind(message_id.as_deref())
                .bind(m.source)
                .bind(m.received_at)
                .bind(from_address.as_deref())
                .bind(&*subject)
                .bind(m.raw)
                .bind(m.classification),
            later
        )
        .fetch_optional(c)
        .await);
        self.carried(writes, id)
    }

    pub async fn set_inbound_outcome(
        &mut self,
        id: i64,
        outcome: &str,
        detail: Option<&str>,
        request: Option<RequestId>,
        person: Option<PersonId>,
    ) -> Result<(), StoreError> {
        const SQL: &str =
            "UPDATE inbound_messages SET outcome = $2, detail = $3, request_id = $4, person_id = $5 WHERE id = $1";
        // The mail's last write: it goes with the next mail's first statement, or the commit.
        self.write_later(
            SQL,
            vec![
                Param::Int(Some(id)),
                Param::text(outcome),
                Param::Text(detail.map(|d| without_nul(d).into_owned())),
                Param::Int(request.map(|r| r.0)),
                Param::Int(person.map(|p| p.0)),
            ],
        )
        .await
    }

    /// The most recent messages, newest first.
    pub async fn recent_inbound(&mut self, limit: i64) -> Result<Vec<InboundSummary>, StoreError> {
        const SQL: &str = "SELECT id, message_id, source, received_at, from_address, subject, classification, outcome, \
             detail, request_id, person_id FROM inbound_messages ORDER BY id DESC LIMIT $1";
        let rows: Vec<InboundSummary> = on_conn!(self, |c| sqlx::query_as(SQL).bind(limit).fetch_all(c).await?);
        Ok(rows)
    }

    pub async fn record_bounce(
        &mut self,
        address: &str,
        status: Option<&str>,
        hard: bool,
        at: DateTime<Utc>,
        inbound: i64,
    ) -> Result<(), StoreError> {
        const SQL: &str =
            "INSERT INTO mail_bounces (address, status, hard, at, inbound_message_id) VALUES ($1, $2, $3, $4, $5)";
        let address = without_nul(address);
        let status = status.map(without_nul);
        on_conn!(self, |c| sqlx::query(SQL)
            .bind(&*address)
            .bind(status.as_deref())
            .bind(hard)
            .bind(at)
            .bind(inbound)
            .execute(c)
            .await?
            .rows_affected());
        Ok(())
    }

    /// Addresses whose last bounce was hard, with its status: coordinators must fix them.
    pub async fn bounced_addresses(&mut self) -> Result<Vec<(String, Option<String>, bool)>, StoreError> {
        const SQL: &str = "SELECT b.address, b.status, b.hard FROM mail_bounces b \
             WHERE b.id = (SELECT MAX(id) FROM mail_bounces x WHERE x.address = b.address) ORDER BY b.address";
        let rows: Vec<(String, Option<String>, bool)> = on_conn!(self, |c| sqlx::query_as(SQL).fetch_all(c).await?);
        Ok(rows)
    }

    /// Raw messages received before `cutoff` lose their bytes (they may hold patient details).
    pub async fn erase_old_inbound(&mut self, cutoff: DateTime<Utc>, now: DateTime<Utc>) -> Result<u64, StoreError> {
        const SQL: &str = "UPDATE inbound_messages SET raw = $3, raw_erased_at = $2 \
             WHERE received_at < $1 AND raw_erased_at IS NULL";
        let empty: &[u8] = &[];
        let n = on_conn!(self, |c| sqlx::query(SQL)
            .bind(cutoff)
            .bind(now)
            .bind(empty)
            .execute(c)
            .await?
            .rows_affected());
        Ok(n)
    }

    /// Texts of SMS received before `cutoff` are blanked (a reply may say more than OUI).
    pub async fn erase_old_sms(&mut self, cutoff: DateTime<Utc>) -> Result<u64, StoreError> {
        const SQL: &str = "UPDATE inbound_sms SET body = '' WHERE received_at < $1 AND body <> ''";
        let n = on_conn!(self, |c| sqlx::query(SQL)
            .bind(cutoff)
            .execute(c)
            .await?
            .rows_affected());
        Ok(n)
    }

    pub async fn imap_state(&mut self, mailbox: &str) -> Result<Option<(i64, i64)>, StoreError> {
        const SQL: &str = "SELECT uid_validity, last_uid FROM imap_state WHERE mailbox = $1";
        let row: Option<(i64, i64)> = on_conn!(self, |c| sqlx::query_as(SQL).bind(mailbox).fetch_optional(c).await?);
        Ok(row)
    }

    pub async fn set_imap_state(&mut self, mailbox: &str, uid_validity: i64, last_uid: i64) -> Result<(), StoreError> {
        const SQL: &str = "INSERT INTO imap_state (mailbox, uid_validity, last_uid) VALUES ($1, $2, $3) \
             ON CONFLICT (mailbox) DO UPDATE SET uid_validity = excluded.uid_validity, last_uid = excluded.last_uid";
        on_conn!(self, |c| sqlx::query(SQL)
            .bind(mailbox)
            .bind(uid_validity)
            .bind(last_uid)
            .execute(c)
            .await?
            .rows_affected());
        Ok(())
    }

    /// A cost centre of `establishment` by code, and whether it is still in use.
    pub async fn cost_centre_by_code(
        &mut self,
        establishment: EstablishmentId,
        code: &str,
    ) -> Result<Option<(CostCentreId, bool)>, StoreError> {
        const SQL: &str = "SELECT id, active FROM cost_centres WHERE establishment_id = $1 AND code = $2";
        let row: Option<(i64, bool)> = on_conn!(self, |c| sqlx::query_as(SQL)
            .bind(establishment.0)
            .bind(code.trim())
            .fetch_optional(c)
            .await?);
        Ok(row.map(|(id, active)| (CostCentreId(id), active)))
    }

    /// A billing code of `establishment` by its code, case as the coordinators typed it or
    /// not, and whether it is still in use.
    pub async fn billing_code_by_code(
        &mut self,
        establishment: EstablishmentId,
        code: &str,
    ) -> Result<Option<(BillingCodeId, bool)>, StoreError> {
        const SQL: &str =
            "SELECT id, active FROM billing_codes WHERE establishment_id = $1 AND UPPER(code) = UPPER($2)";
        let row: Option<(i64, bool)> = on_conn!(self, |c| sqlx::query_as(SQL)
            .bind(establishment.0)
            .bind(code.trim())
            .fetch_optional(c)
            .await?);
        Ok(row.map(|(id, active)| (BillingCodeId(id), active)))
    }
}

/// An inbound SMS about to be recorded.
#[derive(Debug, Clone)]
pub struct NewInboundSms<'a> {
    pub gateway: &'a str,
    pub gateway_id: &'a str,
    pub received_at: DateTime<Utc>,
    pub from_number: &'a str,
    pub to_number: &'a str,
    /// The text as kept (the first characters of a text too long to read).
    pub body: &'a str,
    pub person: Option<PersonId>,
    /// `processing` while the SMS is handled in the transaction that claimed it; the final
    /// outcome when it is recorded at once (`set_aside`).
    pub outcome: &'a str,
    /// Why it was set aside, for coordinators.
    pub detail: Option<&'a str>,
    pub reply: &'a str,
}

/// A set-aside SMS as coordinators see it in lists: never the whole text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct SetAsideSms {
    pub id: i64,
    pub received_at: DateTime<Utc>,
    pub gateway: String,
    pub from_number: String,
    pub person_id: Option<i64>,
    /// "First Last" of the person whose number sent it, if the number is known.
    pub person_name: Option<String>,
    /// The first [`SET_ASIDE_EXCERPT_CHARS`] characters of the text (empty once erased).
    pub excerpt: String,
    /// Why it was set aside.
    pub detail: Option<String>,
}

/// How much of a set-aside SMS's text lists show.
pub const SET_ASIDE_EXCERPT_CHARS: i32 = 60;

/// A set-aside SMS taken back to be handled again (see [`Tx::reclaim_set_aside_sms`]).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ReclaimedSms {
    pub id: i64,
    pub gateway: String,
    pub gateway_id: String,
    pub from_number: String,
    pub to_number: String,
    pub body: String,
}

impl Tx {
    /// The outcome and answer of an SMS seen before, by its gateway's id.
    pub async fn inbound_sms_seen(
        &mut self,
        gateway: &str,
        gateway_id: &str,
    ) -> Result<Option<(String, String)>, StoreError> {
        const SQL: &str = "SELECT outcome, reply FROM inbound_sms WHERE gateway = $1 AND gateway_id = $2";
        let gateway_id = without_nul(gateway_id);
        let row: Option<(String, String)> = on_conn!(self, |c| sqlx::query_as(SQL)
            .bind(gateway)
            .bind(&*gateway_id)
            .fetch_optional(c)
            .await?);
        Ok(row)
    }

    /// Records an SMS unless its gateway id was recorded before: `None` then, and the
    /// caller reads the stored answer with [`Tx::inbound_sms_seen`].
    ///
    /// This is the claim on the gateway id, made first thing in the transaction that
    /// handles the SMS. On PostgreSQL a concurrent claim of the same id waits on the unique
    /// index until this transaction ends: after a commit it gets `None` and reads this
    /// answer; after a rollback it claims the id itself. On SQLite transactions already
    /// take turns. Either way one transaction acts, and every caller gets its answer.
    pub async fn insert_inbound_sms(&mut self, sms: &NewInboundSms<'_>) -> Result<Option<i64>, StoreError> {
        const SQL: &str = "INSERT INTO inbound_sms (gateway, gateway_id, received_at, from_number, to_number, body, \
             person_id, outcome, detail, reply) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
             ON CONFLICT (gateway, gateway_id) DO NOTHING RETURNING id";
        let (gateway_id, from, to, body) = (
            without_nul(sms.gateway_id),
            without_nul(sms.from_number),
            without_nul(sms.to_number),
            without_nul(sms.body),
        );
        let detail = sms.detail.map(without_nul);
        // An SMS's first statement: the savepoint set for it goes in the same trip.
        let (sql, later) = self.after_due(SQL);
        let writes = !later.is_empty();
        let id = on_conn!(self, |c| bind_params!(
            sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql))
                .bind(sms.gateway)
                .bind(&*gateway_id)
                .bind(sms.received_at)
                .bind(&*from)
                .bind(&*to)
                .bind(&*body)
                .bind(sms.person.map(|p| p.0))
                .bind(sms.outcome)
                .bind(detail.as_deref())
                .bind(sms.reply),
            later
        )
        .fetch_optional(c)
        .await);
        self.carried(writes, id)
    }

    /// Writes what a claimed SMS did and the answer given.
    pub async fn settle_inbound_sms(
        &mut self,
        id: i64,
        person: Option<PersonId>,
        request: Option<RequestId>,
        outcome: &str,
        reply: &str,
    ) -> Result<(), StoreError> {
        const SQL: &str = "UPDATE inbound_sms SET person_id = $2, request_id = $3, outcome = $4, reply = $5, \
             detail = NULL WHERE id = $1";
        let n = on_conn!(self, |c| sqlx::query(SQL)
            .bind(id)
            .bind(person.map(|p| p.0))
            .bind(request.map(|r| r.0))
            .bind(outcome)
            .bind(reply)
            .execute(c)
            .await?
            .rows_affected());
        if n == 1 { Ok(()) } else { Err(StoreError::NotFound) }
    }

    /// Takes a set-aside SMS back to handle it again in this transaction: its outcome
    /// becomes `processing` until [`Tx::settle_inbound_sms`]; a rollback leaves it set
    /// aside. `None` when no SMS with this id is set aside. On PostgreSQL the row stays
    /// locked, so two coordinators retrying it at once take turns.
    pub async fn reclaim_set_aside_sms(&mut self, id: i64) -> Result<Option<ReclaimedSms>, StoreError> {
        const SQL: &str = "UPDATE inbound_sms SET outcome = 'processing' WHERE id = $1 AND outcome = 'set_aside' \
             RETURNING id, gateway, gateway_id, from_number, to_number, body";
        let row: Option<ReclaimedSms> = on_conn!(self, |c| sqlx::query_as(SQL).bind(id).fetch_optional(c).await?);
        Ok(row)
    }

    /// Replaces the reason a set-aside SMS gives (a retry failed again, differently).
    pub async fn set_aside_sms_detail(&mut self, id: i64, detail: &str) -> Result<(), StoreError> {
        const SQL: &str = "UPDATE inbound_sms SET detail = $2 WHERE id = $1 AND outcome = 'set_aside'";
        let detail = without_nul(detail);
        on_conn!(self, |c| sqlx::query(SQL)
            .bind(id)
            .bind(&*detail)
            .execute(c)
            .await?
            .rows_affected());
        Ok(())
    }

    /// The SMS set aside because their processing failed for good, oldest first, at most
    /// `limit`: what the board and the digest list for coordinators to retry after a fix.
    pub async fn set_aside_sms(&mut self, limit: i64) -> Result<Vec<SetAsideSms>, StoreError> {
        const SQL: &str = "SELECT s.id, s.received_at, s.gateway, s.from_number, s.person_id, \
             CASE WHEN p.id IS NULL THEN NULL ELSE p.first_name || ' ' || p.last_name END AS person_name, \
             substr(s.body, 1, $2) AS excerpt, s.detail \
             FROM inbound_sms s LEFT JOIN people p ON p.id = s.person_id \
             WHERE s.outcome = 'set_aside' ORDER BY s.received_at, s.id LIMIT $1";
        let rows: Vec<SetAsideSms> = on_conn!(self, |c| sqlx::query_as(SQL)
            .bind(limit)
            .bind(SET_ASIDE_EXCERPT_CHARS)
            .fetch_all(c)
            .await?);
        Ok(rows)
    }

    /// How many SMS are set aside (the digest's count; the list is capped).
    /// Marks a set-aside SMS dismissed. False when it was no longer set aside.
    pub async fn dismiss_set_aside_sms(&mut self, id: i64) -> Result<bool, StoreError> {
        const SQL: &str = "UPDATE inbound_sms SET outcome = 'dismissed' WHERE id = $1 AND outcome = 'set_aside'";
        let n = on_conn!(self, |c| sqlx::query(SQL).bind(id).execute(c).await?.rows_affected());
        Ok(n == 1)
    }

    pub async fn count_set_aside_sms(&mut self) -> Result<i64, StoreError> {
        const SQL: &str = "SELECT COUNT(*) FROM inbound_sms WHERE outcome = 'set_aside'";
        let n: i64 = on_conn!(self, |c| sqlx::query_scalar(SQL).fetch_one(c).await?);
        Ok(n)
    }
}

/// A mail waiting for its sender's confirmation, as the confirmation page shows it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PendingConfirmation {
    pub inbound_id: i64,
    pub person_id: i64,
    pub asked_at: DateTime<Utc>,
    pub answer: Option<String>,
    pub subject: String,
    pub received_at: DateTime<Utc>,
}

impl Tx {
    /// Records that `person` was asked to confirm the mail `inbound`.
    pub async fn insert_mail_confirmation(
        &mut self,
        inbound: i64,
        person: PersonId,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        const SQL: &str = "INSERT INTO mail_confirmations (inbound_id, person_id, asked_at) VALUES ($1, $2, $3)";
        on_conn!(self, |c| sqlx::query(SQL)
            .bind(inbound)
            .bind(person.0)
            .bind(at)
            .execute(c)
            .await?
            .rows_affected());
        Ok(())
    }

    /// How many confirmations `person` was asked since `since` (the rate limit).
    pub async fn mail_confirmations_since(
        &mut self,
        person: PersonId,
        since: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        const SQL: &str = "SELECT COUNT(*) FROM mail_confirmations WHERE person_id = $1 AND asked_at >= $2";
        let n: i64 = on_conn!(self, |c| sqlx::query_scalar(SQL)
            .bind(person.0)
            .bind(since)
            .fetch_one(c)
            .await?);
        Ok(n)
    }

    /// The confirmation asked for the mail `inbound`, with what the page shows of the mail.
    pub async fn mail_confirmation(&mut self, inbound: i64) -> Result<Option<PendingConfirmation>, StoreError> {
        const SQL: &str = "SELECT c.inbound_id, c.person_id, c.asked_at, c.answer, m.subject, m.received_at \
             FROM mail_confirmations c JOIN inbound_messages m ON m.id = c.inbound_id WHERE c.inbound_id = $1";
        let row: Option<PendingConfirmation> =
            on_conn!(self, |c| sqlx::query_as(SQL).bind(inbound).fetch_optional(c).await?);
        Ok(row)
    }

    /// Writes the answer once: `false` when the confirmation was already answered.
    pub async fn answer_mail_confirmation(
        &mut self,
        inbound: i64,
        answer: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        const SQL: &str = "UPDATE mail_confirmations SET answer = $2, answered_at = $3 \
             WHERE inbound_id = $1 AND answer IS NULL";
        let n = on_conn!(self, |c| sqlx::query(SQL)
            .bind(inbound)
            .bind(answer)
            .bind(at)
            .execute(c)
            .await?
            .rows_affected());
        Ok(n == 1)
    }

    /// The stored bytes of a mail (empty once erased after the retention period).
    pub async fn inbound_raw(&mut self, inbound: i64) -> Result<Option<Vec<u8>>, StoreError> {
        const SQL: &str = "SELECT raw FROM inbound_messages WHERE id = $1 AND raw_erased_at IS NULL";
        let raw: Option<Vec<u8>> = on_conn!(self, |c| sqlx::query_scalar(SQL)
            .bind(inbound)
            .fetch_optional(c)
            .await?);
        Ok(raw)
    }

    /// Whether a request with this id exists (a thread may name one that does not).
    pub async fn request_exists(&mut self, id: RequestId) -> Result<bool, StoreError> {
        const SQL: &str = "SELECT COUNT(*) FROM requests WHERE id = $1";
        let n: i64 = on_conn!(self, |c| sqlx::query_scalar(SQL).bind(id.0).fetch_one(c).await?);
        Ok(n > 0)
    }

    /// The address an outbox message was sent to, if Relais sent it: a bounce counts only
    /// for a message Relais sent to the address that bounced.
    pub async fn sent_mail_address(&mut self, outbox_id: i64) -> Result<Option<String>, StoreError> {
        const SQL: &str = "SELECT p.email FROM outbox o JOIN people p ON p.id = o.recipient_id \
             WHERE o.id = $1 AND o.channel = 'email'";
        let email: Option<String> = on_conn!(self, |c| sqlx::query_scalar(SQL)
            .bind(outbox_id)
            .fetch_optional(c)
            .await?);
        Ok(email)
    }
}
