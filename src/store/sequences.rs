//! Named counters that stay unique under concurrent writers on both engines.

use super::{StoreError, Tx, on_conn};

impl Tx {
    /// The next value of the counter `name`, starting at 1. The upsert locks the
    /// counter's row until the transaction ends, so two writers never get the same value.
    pub async fn next_in_sequence(&mut self, name: &str) -> Result<i64, StoreError> {
        const SQL: &str = "INSERT INTO sequences (name, value) VALUES ($1, 1) \
             ON CONFLICT (name) DO UPDATE SET value = sequences.value + 1 RETURNING value";
        let value: i64 = on_conn!(self, |c| sqlx::query_scalar(SQL).bind(name).fetch_one(c).await?);
        Ok(value)
    }
}
