//! Writes sent with the next statement: on SQLite each statement is a trip to sqlx's
//! worker thread and back, and a form mail's last three writes (its history, its
//! acknowledgement, its outcome) need no answer. [`Tx::write_later`] keeps such a write
//! in the transaction's statements due, with the savepoints ([`Tx::savepoint_at`]), and
//! the next statement takes them along, in order, in its own trip: in a group of mails,
//! the next mail's first statement, and for the last one the commit.
//!
//! Nothing can see the difference but an error: a write sent later fails later, with the
//! statement that took it, when the caller of that statement can no longer tell whose it
//! was. So a trip that carried writes and failed breaks the transaction
//! ([`StoreError::Broken`]): it refuses every statement after and its commit, and can only
//! be rolled back. A group of mails is then recorded again with each mail's writes sent
//! before the next mail begins ([`Tx::send_due_since`], `inbound/pipeline/group.rs`), so
//! the write fails again under the savepoint of the mail it belongs to.
//!
//! On PostgreSQL a write is sent at once: its protocol prepares one statement at a time.

use super::{StoreError, Tx, TxInner, on_conn};
use chrono::{DateTime, Utc};

/// A value for a write sent later, owned since the write outlives its caller's borrows.
#[derive(Debug, Clone)]
pub(crate) enum Param {
    Int(Option<i64>),
    Text(Option<String>),
    Time(DateTime<Utc>),
    Json(serde_json::Value),
}

impl Param {
    pub(crate) fn text(value: &str) -> Param {
        Param::Text(Some(value.to_string()))
    }
}

/// Binds `$params` after whatever `$query` was given, whichever the engine.
macro_rules! bind_params {
    ($query:expr, $params:expr) => {{
        let mut query = $query;
        for param in $params {
            query = match param {
                $crate::store::later::Param::Int(v) => query.bind(v),
                $crate::store::later::Param::Text(v) => query.bind(v),
                $crate::store::later::Param::Time(v) => query.bind(v),
                $crate::store::later::Param::Json(v) => query.bind(sqlx::types::Json(v)),
            };
        }
        query
    }};
}
pub(crate) use bind_params;

/// Past this many values due, the writes go at once rather than with the next statement:
/// well under SQLite's 32,766, and a bound on what one trip carries.
const MOST_PARAMS_DUE: usize = 256;

impl Tx {
    /// Runs `sql` with `params` (`$1`, `$2`… in `sql`): on SQLite with the next statement,
    /// on PostgreSQL at once. For writes whose result nobody reads; see the module's doc.
    pub(crate) async fn write_later(&mut self, sql: &'static str, params: Vec<Param>) -> Result<(), StoreError> {
        match self.inner {
            TxInner::Sqlite(_) => {
                self.intact()?;
                renumber_into(&mut self.due, sql, self.due_params.len());
                self.due.push_str("; ");
                self.due_params.extend(params);
                if self.due_params.len() > MOST_PARAMS_DUE {
                    self.send_due().await?;
                }
            }
            TxInner::Postgres(_) => {
                on_conn!(self, |c| bind_params!(sqlx::query(sql), params)
                    .execute(c)
                    .await?
                    .rows_affected());
            }
        }
        Ok(())
    }

    /// `Ok` unless a trip that carried writes failed ([`StoreError::Broken`]).
    pub(crate) fn intact(&self) -> Result<(), StoreError> {
        match &self.broken {
            Some(cause) => Err(StoreError::Broken(cause.clone())),
            None => Ok(()),
        }
    }

    /// The result of a trip that carried writes due: an error breaks the transaction.
    pub(crate) fn carried<T>(&mut self, writes: bool, result: Result<T, sqlx::Error>) -> Result<T, StoreError> {
        if writes && let Err(e) = &result {
            self.broken = Some(e.to_string());
        }
        Ok(result?)
    }

    /// Sends the statements due now, the caller knowing that every write among them was
    /// made since `point`: a failure is then theirs, and is undone by a rollback to
    /// `point` while the transaction goes on. `Ok(true)` sent, `Ok(false)` failed and
    /// undone; `Err` when the transaction can no longer be trusted.
    ///
    /// For a group of mails whose transaction broke: recorded again, each mail's writes go
    /// before the next mail begins, so a mail whose write fails is undone alone.
    pub async fn send_due_since(&mut self, point: super::Savepoint) -> Result<bool, StoreError> {
        self.intact()?;
        match self.send_due().await {
            Ok(()) => Ok(true),
            Err(_) => {
                self.broken = None;
                self.rollback_to(point).await?;
                Ok(false)
            }
        }
    }
}

/// Appends `sql` to `out` with each parameter `$N` numbered `$N+by`. Relais's statements
/// hold no `$` but in parameters (JSON paths, `$.a`, are left as they are).
pub(crate) fn renumber_into(out: &mut String, sql: &str, by: usize) {
    let mut rest = sql;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        match after[..digits].parse::<usize>() {
            Ok(n) => {
                out.push('$');
                out.push_str(&(n + by).to_string());
            }
            Err(_) => out.push('$'),
        }
        rest = &after[digits..];
    }
    out.push_str(rest);
}

/// The highest `$N` in `sql` (0 if none): how many values its caller binds.
pub(crate) fn params_in(sql: &str) -> usize {
    sql.split('$')
        .skip(1)
        .filter_map(|part| {
            let digits = part.bytes().take_while(u8::is_ascii_digit).count();
            part[..digits].parse::<usize>().ok()
        })
        .max()
        .unwrap_or(0)
}

/// A JSON value for [`Param::Json`]: what sqlx's `Json` would have written.
pub(crate) fn json<T: serde::Serialize>(value: &T) -> Result<Param, StoreError> {
    serde_json::to_value(value)
        .map(Param::Json)
        .map_err(|e| StoreError::Corrupt(format!("a value to write as JSON: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_numbered_on_from_those_before() {
        let mut out = String::from("SAVEPOINT a; ");
        renumber_into(&mut out, "UPDATE t SET a = $2, b = $1, c = $10 WHERE d = $1", 3);
        assert_eq!(out, "SAVEPOINT a; UPDATE t SET a = $5, b = $4, c = $13 WHERE d = $4");
        let mut out = String::new();
        renumber_into(&mut out, "SELECT json_extract(x, '$.a') FROM t WHERE y = $1$", 2);
        assert_eq!(out, "SELECT json_extract(x, '$.a') FROM t WHERE y = $3$");
    }

    #[test]
    fn the_highest_parameter_is_counted() {
        assert_eq!(params_in("INSERT INTO t VALUES ($1, $2, $1)"), 2);
        assert_eq!(params_in("SELECT 1"), 0);
        assert_eq!(params_in("SELECT $12, $3, '$.a'"), 12);
    }
}
