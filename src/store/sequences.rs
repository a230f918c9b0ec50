//! Named counters that stay unique under concurrent writers on both engines.

use super::later::bind_params;
use super::{StoreError, Tx, on_conn};

const NEXT: &str = "INSERT INTO sequences (name, value) VALUES ($1, 1) \
     ON CONFLICT (name) DO UPDATE SET value = sequences.value + 1 RETURNING value";

impl Tx {
    /// The next value of the counter `name`, starting at 1. The upsert locks the
    /// counter's row until the transaction ends, so two writers never get the same value,
    /// and a value whose transaction is undone is given again: no gap.
    pub async fn next_in_sequence(&mut self, name: &str) -> Result<i64, StoreError> {
        // Often a command's first write: the savepoint set for it goes in the same trip.
        let (sql, later) = self.after_due(NEXT);
        let writes = !later.is_empty();
        let value = on_conn!(self, |c| bind_params!(
            sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql)).bind(name),
            later
        )
        .fetch_one(c)
        .await);
        self.carried(writes, value)
    }

    /// The next value of the counter `name`, for a number that must be unique but may skip
    /// one (a request's number, never an invoice's).
    ///
    /// On PostgreSQL it is taken and committed at once, apart from this transaction
    /// ([`super::Counters`]): [`Tx::next_in_sequence`] would keep the counter's row locked
    /// until this transaction ends, and every other writer taking a number (another
    /// process, a group of 64 mails) would wait for all of it. A value whose transaction is
    /// then undone is not given again. On SQLite, where one transaction writes at a time,
    /// it is [`Tx::next_in_sequence`].
    ///
    /// Never mix the two on one name: this transaction would wait for its own lock.
    pub async fn take_number(&mut self, name: &str) -> Result<i64, StoreError> {
        match &self.counters {
            Some(counters) => Ok(sqlx::query_scalar(NEXT).bind(name).fetch_one(&counters.0).await?),
            None => self.next_in_sequence(name).await,
        }
    }
}
