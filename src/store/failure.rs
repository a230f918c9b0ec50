//! Whether a failure will pass by itself. A source (Maildir, IMAP, a gateway) keeps a
//! message whose failure is [`Failure::Transient`] and tries it again later; a message
//! whose failure is [`Failure::Permanent`] is set aside so that it stops blocking others.

use super::StoreError;

/// What kind of failure an error is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The database is unreachable, busy, restarting, or lost a race that a retry wins:
    /// the same message will very likely succeed later.
    Transient,
    /// Anything else: the message itself, or the code reading it, is at fault. Trying
    /// again without a fix gives the same result.
    Permanent,
}

impl Failure {
    /// Reads the cause chain of `error`; a database error that says "try again" is
    /// transient, everything else is permanent.
    pub fn of(error: &anyhow::Error) -> Failure {
        for cause in error.chain() {
            if let Some(e) = cause.downcast_ref::<sqlx::Error>()
                && is_transient(e)
            {
                return Failure::Transient;
            }
            if let Some(StoreError::Database(e)) = cause.downcast_ref::<StoreError>()
                && is_transient(e)
            {
                return Failure::Transient;
            }
            if cause.downcast_ref::<std::io::Error>().is_some() {
                return Failure::Transient;
            }
        }
        Failure::Permanent
    }

    pub fn is_transient(self) -> bool {
        self == Failure::Transient
    }
}

/// A caught panic as an error: a bug met by one message, which must not end the worker
/// that was handling it. Always [`Failure::Permanent`].
pub fn panicked(payload: &(dyn std::any::Any + Send)) -> anyhow::Error {
    let text = if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "no message".to_string()
    };
    anyhow::anyhow!("panicked: {text}")
}

fn is_transient(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::Tls(_) => true,
        sqlx::Error::Protocol(_) | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => {
            let code = db.code().unwrap_or_default();
            match code.as_ref() {
                // SQLite: SQLITE_BUSY, SQLITE_LOCKED and their extended codes, SQLITE_IOERR
                // (a full or failing disk), SQLITE_FULL.
                c if c.parse::<i32>().is_ok_and(|n| matches!(n & 0xff, 5 | 6 | 10 | 13)) => true,
                // PostgreSQL: connection exceptions (08…), serialization failure, deadlock,
                // insufficient resources (53…), operator intervention (57…: shutdown,
                // cancelled for a timeout), read-only during a failover (25006), and a lock
                // not granted within `lock_timeout` (55P03: another writer holds it).
                c if c.starts_with("08") || c.starts_with("53") || c.starts_with("57") => true,
                "40001" | "40P01" | "25006" | "55P03" => true,
                _ => false,
            }
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pool_timeout_is_transient_and_a_logic_error_is_not() {
        let timeout = anyhow::Error::new(sqlx::Error::PoolTimedOut).context("reading mail");
        assert_eq!(Failure::of(&timeout), Failure::Transient);
        let wrapped = anyhow::Error::new(StoreError::Database(sqlx::Error::PoolClosed));
        assert_eq!(Failure::of(&wrapped), Failure::Transient);
        let not_found = anyhow::Error::new(StoreError::NotFound).context("request 9");
        assert_eq!(Failure::of(&not_found), Failure::Permanent);
        let decode = anyhow::Error::new(sqlx::Error::RowNotFound);
        assert_eq!(Failure::of(&decode), Failure::Permanent);
        assert_eq!(Failure::of(&anyhow::anyhow!("a template failed")), Failure::Permanent);
    }
}
