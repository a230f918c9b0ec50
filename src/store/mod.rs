//! Database access for both engines: SQLite (the embedded default) and PostgreSQL.
//!
//! Each query is written once, in SQL both engines read (`$1` placeholders, `RETURNING`,
//! `ON CONFLICT`), and run through [`on_conn!`], which type-checks it against each
//! engine. Where the engines differ (row locks), the difference is spelled out at the
//! query. Every write happens inside a [`Tx`]; on SQLite a transaction begins with
//! `BEGIN IMMEDIATE` so writers queue instead of failing half-way, and on PostgreSQL
//! rows are locked with `FOR UPDATE`, so several processes can share one database.

pub mod accounts;
pub mod attachments;
pub mod billing;
pub mod calendar;
pub mod change_names;
pub mod coordination;
pub mod email_changes;
pub mod failure;
pub mod history;
pub mod inbound;
pub mod interpreter_files;
pub(crate) mod later;
pub mod links;
pub mod lists;
pub mod matching;
pub mod organisations;
pub mod outbox;
pub mod people;
pub mod people_list;
pub mod reports;
pub mod requests;
pub mod sequences;
pub mod series;
pub mod set_aside;

use crate::domain::ids::{EstablishmentId, InstallationId, PersonId};
use crate::domain::organisation::{Establishment, Installation};
use crate::domain::person::{Person, RequesterProfile};
use anyhow::Context as _;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};
use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// Runs `$body` with `$conn` bound to the transaction's connection, whichever the engine,
/// after the statements due ([`Tx::savepoint_at`], [`Tx::write_later`]).
macro_rules! on_conn {
    ($tx:expr, |$conn:ident| $body:expr) => {{
        $tx.send_due().await?;
        match &mut $tx.inner {
            $crate::store::TxInner::Sqlite(t) => {
                let $conn = &mut **t;
                $body
            }
            $crate::store::TxInner::Postgres(t) => {
                let $conn = &mut **t;
                $body
            }
        }
    }};
}
pub(crate) use on_conn;

/// Which database engine a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// A pool of connections to one database.
#[derive(Clone, Debug)]
pub enum Store {
    /// The pool, the gate its writers pass one at a time, and the connection whose
    /// commits do not wait for the disk ([`Store::begin_relaxed`]).
    Sqlite(SqlitePool, WriteGate, RelaxedPool),
    /// The pool, and the connections that take numbers apart from any transaction
    /// ([`Tx::take_number`]).
    Postgres(PgPool, Counters),
}

/// A PostgreSQL pool of its own, at most two connections opened when first needed, for the
/// counters whose values are taken and committed at once ([`Tx::take_number`]). Its
/// statements wait for no lock a transaction keeps, so a transaction waiting for one of
/// these connections waits only for other statements of a few microseconds, never for
/// itself or another transaction.
#[derive(Clone, Debug)]
pub struct Counters(PgPool);

/// One SQLite connection with `synchronous = NORMAL`, opened when first needed, for
/// [`Store::begin_relaxed`]. In WAL mode a commit there is written to the log but not
/// flushed: a power cut may lose it (never corrupt the file), and the next commit of any
/// other connection, flushed, or a checkpoint, makes it durable.
#[derive(Clone, Debug)]
pub struct RelaxedPool(SqlitePool);

/// SQLite lets one transaction write at a time. Without this gate, each of the pool's
/// connections that wants to write waits in SQLite's busy handler, which sleeps 1 to 100 ms
/// between tries: under load most of the time goes to sleeping and waking threads, and the
/// tail grows to hundreds of milliseconds. Writers of this process queue here instead, in
/// order, and each finds the lock free; the busy handler is left for another process on the
/// same file (`relais ingest`, a backup). Readers never pass it.
#[derive(Clone, Debug)]
pub struct WriteGate(Arc<tokio::sync::Semaphore>);

impl Default for WriteGate {
    fn default() -> Self {
        WriteGate(Arc::new(tokio::sync::Semaphore::new(1)))
    }
}

/// How long a SQLite writer waits for the lock: at the gate, then in SQLite's busy handler
/// (for another process). Past it, the write fails as busy, a passing failure.
const BUSY_WAIT: Duration = Duration::from_secs(30);

impl WriteGate {
    async fn enter(&self) -> tokio::sync::OwnedSemaphorePermit {
        // The semaphore lives as long as the store and is never closed.
        self.0
            .clone()
            .acquire_owned()
            .await
            .unwrap_or_else(|_| unreachable!("the write gate is never closed"))
    }

    /// [`WriteGate::enter`] within `wait`: a writer that would wait longer (behind a stuck
    /// transaction, or a second write begun by the task that holds the first) fails as busy
    /// rather than hanging.
    async fn enter_within(&self, wait: Duration) -> Result<tokio::sync::OwnedSemaphorePermit, sqlx::Error> {
        tokio::time::timeout(wait, self.enter())
            .await
            .map_err(|_| sqlx::Error::PoolTimedOut)
    }
}

/// A database transaction. Dropped without [`Tx::commit`], it rolls back.
pub struct Tx {
    pub(crate) inner: TxInner,
    /// Whether this transaction queued an outbox message: its commit rings
    /// [`outbox::bell`] so the outbound worker sends at once instead of at its next poll.
    queued: bool,
    /// Rows this transaction read and may read again (see [`ReadCache`]).
    read: ReadCache,
    /// Statements not yet sent, each ending in `; `: savepoints ([`Tx::savepoint_at`]) and
    /// writes ([`Tx::write_later`]), whose values are `due_params`.
    due: String,
    due_params: Vec<later::Param>,
    /// A trip that carried writes due failed, with this error: see [`StoreError::Broken`].
    broken: Option<String>,
    /// Savepoints released, not yet told to the database (see [`Tx::release`]).
    releases_due: Vec<Savepoint>,
    /// Where [`Tx::take_number`] takes numbers outside this transaction (PostgreSQL).
    counters: Option<Counters>,
    /// A SQLite writer's pass through the [`WriteGate`], given back when the transaction
    /// ends (after `inner`, which is dropped first).
    _gate: Option<tokio::sync::OwnedSemaphorePermit>,
}

/// Rows a transaction reads several times and seldom changes: a form mail reads its
/// sender three times (by address, then as the actor and as the acknowledgement's
/// recipient), its installation three times and its requester's profile twice, and a group
/// of mails (`inbound/pipeline/group.rs`) reads the same ones for each mail. Each is read
/// once per transaction; the store's writes to them, and a rollback to a savepoint, forget
/// what was kept. Within one transaction a row reads as it did the first time, as under
/// repeatable read.
#[derive(Default)]
struct ReadCache {
    /// People with their roles, by id (a lookup by address or number keeps its answer
    /// here too).
    people: HashMap<PersonId, Person>,
    /// Whom a lookup by address, number or user code found (`None`: nobody), by column
    /// and value: a group of mails from one sender looks them up once.
    people_found: HashMap<(&'static str, String), Option<PersonId>>,
    establishments: HashMap<EstablishmentId, Establishment>,
    installations: HashMap<InstallationId, Installation>,
    requester_profiles: HashMap<PersonId, Option<RequesterProfile>>,
}

pub(crate) enum TxInner {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// What callers of the store handle; anything else is a bug or an outage.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// Another writer changed the row first, or a unique constraint was hit.
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    /// A write sent with a later statement ([`Tx::write_later`]) may have failed, with this
    /// error: the transaction can only be rolled back.
    #[error("a write of this transaction failed, so it can only be rolled back: {0}")]
    Broken(String),
}

impl StoreError {
    /// Maps a unique-constraint violation to [`StoreError::Conflict`] naming `what`.
    pub(crate) fn from_unique(err: sqlx::Error, what: &str) -> StoreError {
        match &err {
            sqlx::Error::Database(db) if db.kind() == sqlx::error::ErrorKind::UniqueViolation => {
                StoreError::Conflict(what.to_string())
            }
            _ => StoreError::Database(err),
        }
    }
}

/// Turns a stored text into a domain value, or says which column is wrong.
pub(crate) fn decode<T, E: std::fmt::Display>(column: &str, r: Result<T, E>) -> Result<T, StoreError> {
    r.map_err(|e| StoreError::Corrupt(format!("{column}: {e}")))
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// The file a `sqlite:` URL names (`None` for any other database).
pub fn sqlite_path(url: &str) -> Option<std::path::PathBuf> {
    if !url.starts_with("sqlite:") {
        return None;
    }
    SqliteConnectOptions::from_str(url)
        .ok()
        .map(|options| options.get_filename().to_path_buf())
}

impl Store {
    /// Opens a pool for `url`: `sqlite://PATH` (the file and its folder are created) or
    /// `postgres://…`.
    pub async fn connect(url: &str, max_connections: u32) -> anyhow::Result<Store> {
        if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)
                .context("database.url is not a valid SQLite URL")?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                // Every commit reaches the disk before it returns: sources (a Maildir move,
                // an IMAP flag, a gateway's 200) are acknowledged only after a commit, and
                // with NORMAL a power loss could drop the last commits after that.
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                // Savepoints and sorts in memory: each mail is read under a savepoint, and
                // on disk each one cost a temporary file.
                .pragma("temp_store", "memory")
                // 16 MiB of pages per connection (SQLite's default is 2 MiB): the indexes
                // of `requests` and `outbox` stay in memory on a bank's working set.
                .pragma("cache_size", "-16384")
                .busy_timeout(BUSY_WAIT);
            if let Some(parent) = options.get_filename().parent()
                && !parent.as_os_str().is_empty()
            {
                std::fs::create_dir_all(parent)
                    .with_context(|| format!("cannot create the database folder {}", parent.display()))?;
            }
            let pool = SqlitePoolOptions::new()
                .max_connections(max_connections)
                .connect_with(options.clone())
                .await
                .context("cannot open the SQLite database")?;
            let relaxed = SqlitePoolOptions::new()
                .max_connections(1)
                .connect_lazy_with(options.synchronous(SqliteSynchronous::Normal));
            Ok(Store::Sqlite(pool, WriteGate::default(), RelaxedPool(relaxed)))
        } else {
            let options = PgConnectOptions::from_str(url).context("database.url is not a valid PostgreSQL URL")?;
            let pool = PgPoolOptions::new()
                .max_connections(max_connections)
                .acquire_timeout(Duration::from_secs(30))
                .connect_with(options.clone())
                .await
                .context("cannot connect to PostgreSQL")?;
            let counters = PgPoolOptions::new()
                .max_connections(2)
                .acquire_timeout(Duration::from_secs(30))
                .connect_lazy_with(options);
            Ok(Store::Postgres(pool, Counters(counters)))
        }
    }

    /// A consistent copy of a SQLite database in a new file (`VACUUM INTO`), taken in one
    /// read transaction: writers go on meanwhile, and the copy is compact and complete.
    pub async fn backup_sqlite(&self, file: &std::path::Path) -> anyhow::Result<()> {
        let Store::Sqlite(pool, ..) = self else {
            anyhow::bail!("only a SQLite database is copied this way");
        };
        let target = file.to_str().context("the backup file's name is not UTF-8")?;
        sqlx::query("VACUUM INTO ?").bind(target).execute(pool).await?;
        Ok(())
    }

    /// A transaction on `inner`, holding the writer's `gate` pass if it has one.
    fn tx(&self, inner: TxInner, gate: Option<tokio::sync::OwnedSemaphorePermit>) -> Tx {
        Tx {
            inner,
            queued: false,
            read: ReadCache::default(),
            due: String::new(),
            due_params: Vec::new(),
            broken: None,
            releases_due: Vec::new(),
            counters: self.counters(),
            _gate: gate,
        }
    }

    fn counters(&self) -> Option<Counters> {
        match self {
            Store::Sqlite(..) => None,
            Store::Postgres(_, counters) => Some(counters.clone()),
        }
    }

    pub fn engine(&self) -> Engine {
        match self {
            Store::Sqlite(..) => Engine::Sqlite,
            Store::Postgres(..) => Engine::Postgres,
        }
    }

    /// Applies pending migrations. Safe to run from several processes at once
    /// (PostgreSQL takes an advisory lock; SQLite locks the file).
    pub async fn migrate(&self) -> anyhow::Result<()> {
        match self {
            Store::Sqlite(pool, ..) => SQLITE_MIGRATIONS.run(pool).await.context("SQLite migrations failed")?,
            Store::Postgres(pool, _) => POSTGRES_MIGRATIONS
                .run(pool)
                .await
                .context("PostgreSQL migrations failed")?,
        }
        // Data a migration cannot compute in SQL: the People page's search keys (0026).
        let mut tx = self.begin().await.context("filling the search keys")?;
        tx.fill_search_keys().await.context("filling the search keys")?;
        tx.commit().await.context("filling the search keys")?;
        Ok(())
    }

    /// Begins a transaction; on SQLite it takes the write lock at once.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        let (inner, gate) = match self {
            Store::Sqlite(pool, gate, _) => {
                let pass = gate.enter_within(BUSY_WAIT).await?;
                (TxInner::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?), Some(pass))
            }
            Store::Postgres(pool, _) => (TxInner::Postgres(pool.begin().await?), None),
        };
        Ok(self.tx(inner, gate))
    }

    /// Begins a write transaction like [`Store::begin`] whose commit returns before it
    /// reaches the disk (SQLite: a connection with `synchronous = NORMAL`; PostgreSQL:
    /// `synchronous_commit = off` for this transaction). A power cut may lose it; a crash
    /// of the process does not, and neither engine is ever left inconsistent.
    ///
    /// Only for what costs nothing but a repeat when lost: the outbox's record that a
    /// message left (lost, the message goes again with the same Message-ID, as after a
    /// crash between sending and recording). Never for what acknowledges a source.
    pub async fn begin_relaxed(&self) -> Result<Tx, StoreError> {
        let (inner, gate) = match self {
            Store::Sqlite(_, gate, relaxed) => {
                let pass = gate.enter_within(BUSY_WAIT).await?;
                (
                    TxInner::Sqlite(relaxed.0.begin_with("BEGIN IMMEDIATE").await?),
                    Some(pass),
                )
            }
            Store::Postgres(pool, _) => {
                let mut t = pool.begin().await?;
                sqlx::query("SET LOCAL synchronous_commit = off")
                    .execute(&mut *t)
                    .await?;
                (TxInner::Postgres(t), None)
            }
        };
        Ok(self.tx(inner, gate))
    }

    /// Begins a write transaction like [`Store::begin`] that waits at most about `wait` for
    /// the database: for a connection from the pool, for SQLite's write lock, and on
    /// PostgreSQL for each lock and each statement until it ends. Waiting longer fails with
    /// an error that [`failure::Failure`] reads as transient. For callers that must answer
    /// in time (a gateway's webhook, `/healthz`), under a `tokio::time::timeout` of their
    /// own for the whole work: these bounds make sure the connection is free soon after.
    ///
    /// On SQLite the pool's connections wait up to 30 s for the write lock; this one waits
    /// `wait`, and is closed when the transaction ends instead of going back to the pool
    /// with that shorter wait (the next one opens afresh: a file opened, a few pragmas).
    pub async fn begin_within(&self, wait: Duration) -> Result<Tx, StoreError> {
        let millis = wait.as_millis().clamp(1, u128::from(u32::MAX));
        let started = tokio::time::Instant::now();
        let mut gate = None;
        let inner = match self {
            Store::Sqlite(pool, writers, _) => {
                gate = Some(writers.enter_within(wait).await?);
                let left = wait.saturating_sub(started.elapsed());
                let mut conn = tokio::time::timeout(left, pool.acquire())
                    .await
                    .map_err(|_| sqlx::Error::PoolTimedOut)??;
                conn.close_on_drop();
                sqlx::query(sqlx::AssertSqlSafe(format!("PRAGMA busy_timeout = {millis}")))
                    .execute(&mut *conn)
                    .await?;
                // What `SqlitePool::begin_with` does, on the connection at hand:
                // `Transaction::begin` is the constructor sqlx uses there, public but left
                // out of its docs; an upgrade of sqlx must keep it (the compiler will say).
                TxInner::Sqlite(
                    Transaction::begin(conn, Some(sqlx::SqlSafeStr::into_sql_str("BEGIN IMMEDIATE"))).await?,
                )
            }
            Store::Postgres(pool, _) => {
                let mut t = tokio::time::timeout(wait, pool.begin())
                    .await
                    .map_err(|_| sqlx::Error::PoolTimedOut)??;
                sqlx::query("SELECT set_config('lock_timeout', $1, true), set_config('statement_timeout', $1, true)")
                    .bind(format!("{millis}ms"))
                    .execute(&mut *t)
                    .await?;
                TxInner::Postgres(t)
            }
        };
        Ok(self.tx(inner, gate))
    }

    /// Whether the database takes a write within about `wait`: a transaction that takes the
    /// write lock ([`Store::begin_within`]), inserts a row and rolls back, so nothing is
    /// kept and nothing reaches the disk. Busy (another writer holds the lock too long),
    /// read-only (a failover, a full disk's safety switch) or down: an error.
    pub async fn probe_write(&self, wait: Duration) -> Result<(), StoreError> {
        const PROBE: &str = "INSERT INTO sequences (name, value) VALUES ('relais:write-probe', 0) \
             ON CONFLICT (name) DO NOTHING";
        let mut tx = self.begin_within(wait).await?;
        on_conn!(tx, |c| sqlx::query(PROBE).execute(c).await?.rows_affected());
        tx.rollback().await
    }

    /// Begins a transaction that only reads: on SQLite it does not wait for the write lock,
    /// so pages and link previews never queue behind writers.
    pub async fn begin_read(&self) -> Result<Tx, StoreError> {
        let inner = match self {
            Store::Sqlite(pool, ..) => TxInner::Sqlite(pool.begin_with("BEGIN DEFERRED").await?),
            Store::Postgres(pool, _) => TxInner::Postgres(pool.begin().await?),
        };
        Ok(self.tx(inner, None))
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(pool, ..) => sqlx::query("SELECT 1").execute(pool).await?.rows_affected(),
            Store::Postgres(pool, _) => sqlx::query("SELECT 1").execute(pool).await?.rows_affected(),
        };
        Ok(())
    }

    pub async fn close(&self) {
        match self {
            Store::Sqlite(pool, _, relaxed) => {
                relaxed.0.close().await;
                pool.close().await;
            }
            Store::Postgres(pool, counters) => {
                counters.0.close().await;
                pool.close().await;
            }
        }
    }
}

/// A named point a transaction can return to. Names nest: the workflow's commands set
/// [`Savepoint::COMMAND`], inside the [`Savepoint::MESSAGE`] that each of a group of
/// inbound messages read in one transaction is under.
#[derive(Debug, Clone, Copy)]
pub struct Savepoint(&'static str);

impl Savepoint {
    pub const COMMAND: Savepoint = Savepoint("relais_command");
    pub const MESSAGE: Savepoint = Savepoint("relais_message");
    /// A series of requests created or cancelled together (`workflow/series.rs`), around
    /// each one's [`Savepoint::COMMAND`].
    pub const SERIES: Savepoint = Savepoint("relais_series");
}

impl Tx {
    pub async fn commit(mut self) -> Result<(), StoreError> {
        // Writes still due go first; the commit itself cannot be sent with them.
        self.send_due().await?;
        match self.inner {
            TxInner::Sqlite(t) => t.commit().await?,
            TxInner::Postgres(t) => t.commit().await?,
        }
        if self.queued {
            outbox::ring();
        }
        Ok(())
    }

    pub async fn rollback(self) -> Result<(), StoreError> {
        match self.inner {
            TxInner::Sqlite(t) => t.rollback().await?,
            TxInner::Postgres(t) => t.rollback().await?,
        }
        Ok(())
    }

    pub fn engine(&self) -> Engine {
        match self.inner {
            TxInner::Sqlite(_) => Engine::Sqlite,
            TxInner::Postgres(_) => Engine::Postgres,
        }
    }

    /// Marks a point the transaction can return to (one level; the workflow's commands).
    pub async fn savepoint(&mut self) -> Result<(), StoreError> {
        self.savepoint_at(Savepoint::COMMAND).await
    }

    pub async fn release_savepoint(&mut self) -> Result<(), StoreError> {
        self.release(Savepoint::COMMAND).await
    }

    /// Undoes everything since [`Tx::savepoint`], keeping the transaction open.
    pub async fn rollback_to_savepoint(&mut self) -> Result<(), StoreError> {
        self.rollback_to(Savepoint::COMMAND).await
    }

    /// Marks a point named `point` the transaction can return to.
    ///
    /// The point is set with the statement that comes next, in the same round trip, or not
    /// at all when the transaction ends first: a point with no statement after it marks
    /// nothing, and a commit or a rollback ends every point. Nothing can tell the
    /// difference, since every statement sends what is due before itself, in order. On
    /// SQLite each statement is a trip to sqlx's worker thread and back, and a form mail
    /// took 15; with [`Tx::release`] and [`Tx::after_due`], 8, and 5 with
    /// [`Tx::write_later`]. An error of a savepoint statement comes with the statement it
    /// went with.
    pub async fn savepoint_at(&mut self, point: Savepoint) -> Result<(), StoreError> {
        self.savepoint_statement(point);
        self.due.push_str("; ");
        Ok(())
    }

    /// Keeps what was done since `point`, and forgets the point.
    ///
    /// A release waits longer still: it goes with the next savepoint statement set or
    /// undone. The statements run in between stay inside the point a little longer, and
    /// what would undo them (a rollback to an outer point, or of the transaction) undoes
    /// them either way. A mail in a group ends two points (its command's, its own) and the
    /// next mail sets one: these three go with the next mail's first write.
    pub async fn release(&mut self, point: Savepoint) -> Result<(), StoreError> {
        self.releases_due.push(point);
        Ok(())
    }

    /// Undoes everything since `point` (savepoints set after it included), and forgets
    /// the point; the transaction stays open. The undoing is sent at once (a commit must
    /// never find it still due).
    pub async fn rollback_to(&mut self, point: Savepoint) -> Result<(), StoreError> {
        // What was read since may have been undone.
        self.read = ReadCache::default();
        // The points released since were set inside `point`, and the rollback ends them.
        // Sent, their RELEASE would fail on PostgreSQL after the error that usually comes
        // before a rollback (the transaction is aborted until it returns to a point).
        self.releases_due.clear();
        self.due.push_str("ROLLBACK TO SAVEPOINT ");
        self.due.push_str(point.0);
        self.send_due().await?;
        self.release(point).await
    }

    /// Adds `SAVEPOINT point` to the statements due, after the releases due.
    fn savepoint_statement(&mut self, point: Savepoint) {
        for released in self.releases_due.drain(..) {
            self.due.push_str("RELEASE SAVEPOINT ");
            self.due.push_str(released.0);
            self.due.push_str("; ");
        }
        self.due.push_str("SAVEPOINT ");
        self.due.push_str(point.0);
    }

    /// Whether this transaction's commit waits until it is on disk: yes but for
    /// [`Store::begin_relaxed`].
    pub async fn commit_waits_for_disk(&mut self) -> Result<bool, StoreError> {
        Ok(match self.engine() {
            // 2 is FULL, 3 EXTRA; 1 NORMAL does not flush the log at commit.
            Engine::Sqlite => {
                on_conn!(self, |c| sqlx::query_scalar::<_, i64>("PRAGMA synchronous")
                    .fetch_one(c)
                    .await?)
                    >= 2
            }
            Engine::Postgres => {
                on_conn!(self, |c| sqlx::query_scalar::<_, String>("SHOW synchronous_commit")
                    .fetch_one(c)
                    .await?)
                    != "off"
            }
        })
    }

    /// Sends the statements due, if any, in one round trip. Savepoints alone go as one
    /// simple query, which PostgreSQL takes only unprepared; with writes (SQLite only),
    /// as one query with their values.
    pub(crate) async fn send_due(&mut self) -> Result<(), StoreError> {
        self.intact()?;
        if self.due.is_empty() {
            return Ok(());
        }
        let sql = std::mem::take(&mut self.due);
        let params = std::mem::take(&mut self.due_params);
        let writes = !params.is_empty();
        let result = match &mut self.inner {
            TxInner::Sqlite(t) if writes => later::bind_params!(sqlx::query(sqlx::AssertSqlSafe(sql)), params)
                .execute(&mut **t)
                .await
                .map(|done| done.rows_affected()),
            TxInner::Sqlite(t) => sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(&mut **t)
                .await
                .map(|done| done.rows_affected()),
            TxInner::Postgres(t) => sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(&mut **t)
                .await
                .map(|done| done.rows_affected()),
        };
        self.carried(writes, result).map(|_| ())
    }

    /// `sql` with the statements due in front, and the values of the writes among them to
    /// bind after `sql`'s own (SQLite, which takes several statements with their
    /// parameters in one query), so that all go in one round trip; on PostgreSQL, `sql`
    /// alone, the statements due being sent before it. For statements that return rows
    /// and cannot fail but for a fault of the database: the ones due add to the count of
    /// rows changed, and an error breaks the transaction when writes went with it (pass
    /// the result through [`Tx::carried`]).
    pub(crate) fn after_due(&mut self, sql: &str) -> (String, Vec<later::Param>) {
        match self.inner {
            TxInner::Sqlite(_) => {
                let mut joined = String::with_capacity(self.due.len() + sql.len() + 8);
                later::renumber_into(&mut joined, &std::mem::take(&mut self.due), later::params_in(sql));
                joined.push_str(sql);
                (joined, std::mem::take(&mut self.due_params))
            }
            TxInner::Postgres(_) => (sql.to_string(), Vec::new()),
        }
    }

    /// `FOR UPDATE` where the engine locks rows; SQLite's `BEGIN IMMEDIATE` already
    /// holds the database's write lock.
    pub(crate) fn lock_clause(&self) -> &'static str {
        match self.engine() {
            Engine::Sqlite => "",
            Engine::Postgres => " FOR UPDATE",
        }
    }
}
