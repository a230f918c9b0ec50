//! Relais when the database cannot be written in time, over real HTTP on both engines.

mod support;

use relais::store::Store;
use relais::store::failure::Failure;
use sqlx::Connection as _;
use std::time::{Duration, Instant};
use support::{Engine, TestBank};

on_both_engines!(
    healthz_says_when_the_database_cannot_be_written,
    a_bounded_write_gives_up_in_time_with_a_passing_failure,
);

const TWILIO_TOKEN: &str = "twilio-token";
const KANNEL_SECRET: &str = "kannel-secret";

/// Relais over the bank's database with both gateways configured; `extra` on top.
async fn serve(bank: &TestBank, extra: &[(&str, String)]) -> (support::Served, reqwest::Client) {
    let mut env = vec![
        ("RELAIS__SMS__TWILIO__AUTH_TOKEN", TWILIO_TOKEN.to_string()),
        ("RELAIS__SMS__KANNEL__INBOUND_SECRET", KANNEL_SECRET.to_string()),
    ];
    env.extend(extra.iter().map(|(k, v)| (*k, v.clone())));
    let served = support::serve(bank, &env).await;
    // reqwest is built without a TLS provider of its own; plain HTTP still asks for one.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(60))
        .build()
        .unwrap();
    (served, client)
}

async fn count(bank: &TestBank, sql: &str) -> i64 {
    let sql = sqlx::AssertSqlSafe(sql.to_string());
    match &bank.store {
        Store::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await,
        Store::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await,
    }
    .unwrap()
}

/// A connection of the test's own that holds what Relais needs, until released.
enum Holder {
    Sqlite(sqlx::SqliteConnection),
    Postgres(sqlx::PgConnection),
}

impl Holder {
    /// On SQLite, the write lock (`BEGIN IMMEDIATE`); on PostgreSQL, whatever `hold` locks.
    async fn take(bank: &TestBank, hold: &str) -> Holder {
        match bank.db.engine {
            Engine::Sqlite => {
                let mut conn = sqlx::SqliteConnection::connect(&bank.db.url).await.unwrap();
                sqlx::raw_sql("BEGIN IMMEDIATE").execute(&mut conn).await.unwrap();
                Holder::Sqlite(conn)
            }
            Engine::Postgres => {
                let mut conn = sqlx::PgConnection::connect(&bank.db.url).await.unwrap();
                sqlx::raw_sql("BEGIN").execute(&mut conn).await.unwrap();
                sqlx::raw_sql(sqlx::AssertSqlSafe(hold.to_string()))
                    .execute(&mut conn)
                    .await
                    .unwrap();
                Holder::Postgres(conn)
            }
        }
    }

    async fn release(self) {
        match self {
            Holder::Sqlite(mut conn) => {
                sqlx::raw_sql("ROLLBACK").execute(&mut conn).await.unwrap();
            }
            Holder::Postgres(mut conn) => {
                sqlx::raw_sql("ROLLBACK").execute(&mut conn).await.unwrap();
            }
        }
    }
}

async fn healthz(client: &reqwest::Client, base: &str) -> (u16, String, Duration) {
    let started = Instant::now();
    let response = client.get(format!("{base}/healthz")).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap(), started.elapsed())
}

/// `/healthz` writes: 503 with a reason, within a few seconds, while another writer holds
/// the database (and on PostgreSQL while it is read-only), 200 again after.
async fn healthz_says_when_the_database_cannot_be_written(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let (served, client) = serve(&bank, &[]).await;
    let base = served.base_url();
    assert_eq!(healthz(&client, &base).await.0, 200);
    let holder = Holder::take(&bank, "LOCK TABLE sequences IN EXCLUSIVE MODE").await;
    let (status, body, took) = healthz(&client, &base).await;
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("cannot be written"), "{body}");
    assert!(took < Duration::from_secs(5), "answered after {took:?}");
    holder.release().await;
    let (status, body, _) = healthz(&client, &base).await;
    assert_eq!((status, body.as_str()), (200, "ok\n"));
    assert_eq!(
        count(&bank, "SELECT COUNT(*) FROM sequences WHERE name LIKE 'relais:%'").await,
        0,
        "the probe keeps nothing"
    );

    if engine == Engine::Postgres {
        // A failover leaves the database read-only: connections opened from then on
        // cannot write (the others are cut, as a failover cuts them).
        let (_, name) = bank.db.url.rsplit_once('/').unwrap();
        let mut admin = sqlx::PgConnection::connect(&bank.db.url).await.unwrap();
        let cut = format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = '{name}' AND pid <> pg_backend_pid()"
        );
        for sql in [
            format!("ALTER DATABASE {name} SET default_transaction_read_only = on"),
            cut.clone(),
        ] {
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(&mut admin)
                .await
                .unwrap();
        }
        let (status, body, _) = healthz(&client, &base).await;
        assert_eq!(status, 503, "{body}");
        for sql in [
            format!("ALTER DATABASE {name} RESET default_transaction_read_only"),
            cut,
        ] {
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(&mut admin)
                .await
                .unwrap();
        }
        assert_eq!(healthz(&client, &base).await.0, 200);
    }
}

/// What the webhooks and `/healthz` build on: a write that may wait 300 ms for a database
/// held by another writer gives up in about that time, and its failure reads as one that
/// will pass (the gateway is asked to retry; the SMS is not set aside).
async fn a_bounded_write_gives_up_in_time_with_a_passing_failure(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let holder = Holder::take(&bank, "LOCK TABLE sequences IN EXCLUSIVE MODE").await;
    let started = Instant::now();
    let error = bank
        .store
        .probe_write(Duration::from_millis(300))
        .await
        .expect_err("the database is held");
    let took = started.elapsed();
    assert!(took < Duration::from_secs(2), "gave up after {took:?}");
    let error = anyhow::Error::new(error);
    assert_eq!(Failure::of(&error), Failure::Transient, "{error:#}");
    holder.release().await;
    bank.store.probe_write(Duration::from_millis(300)).await.unwrap();
}
