//! Real faults in the real database, for the tests of what Relais does when processing a
//! message fails, as a bug or a corrupt row would make it fail: triggers refuse to record
//! the outcome of any mail whose subject holds POISON, or any change made by SMS.
#![allow(dead_code)]

use relais::store::Store;

pub async fn execute(store: &Store, sql: &str) {
    match store {
        Store::Sqlite(pool, ..) => sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(pool)
            .await
            .map(|_| ())
            .unwrap(),
        Store::Postgres(pool, _) => sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(pool)
            .await
            .map(|_| ())
            .unwrap(),
    }
}

/// From now on the database refuses to record the outcome of a mail whose subject holds
/// POISON (setting it aside stays possible).
pub async fn poison(store: &Store) {
    let sql = match store {
        Store::Sqlite(..) => {
            "CREATE TRIGGER poison BEFORE UPDATE OF outcome ON inbound_messages \
             WHEN NEW.subject LIKE '%POISON%' AND NEW.outcome <> 'set_aside' \
             BEGIN SELECT RAISE(ABORT, 'poisoned message'); END;"
        }
        Store::Postgres(..) => {
            "CREATE FUNCTION poison() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'poisoned message'; END $$ \
             LANGUAGE plpgsql; \
             CREATE TRIGGER poison BEFORE UPDATE OF outcome ON inbound_messages FOR EACH ROW \
             WHEN (NEW.subject LIKE '%POISON%' AND NEW.outcome <> 'set_aside') EXECUTE FUNCTION poison();"
        }
    };
    execute(store, sql).await;
}

pub async fn cure(store: &Store) {
    let sql = match store {
        Store::Sqlite(..) => "DROP TRIGGER poison",
        // PostgreSQL names a trigger by its table.
        Store::Postgres(..) => "DROP TRIGGER poison ON inbound_messages",
    };
    execute(store, sql).await;
}

/// From now on the database refuses every change made by SMS (its history entry).
pub async fn poison_sms_changes(store: &Store) {
    let sql = match store {
        Store::Sqlite(..) => {
            "CREATE TRIGGER poison_sms BEFORE INSERT ON history WHEN NEW.channel = 'sms' \
             BEGIN SELECT RAISE(ABORT, 'poison: history refuses SMS changes'); END"
        }
        Store::Postgres(..) => {
            "CREATE FUNCTION poison_sms() RETURNS trigger LANGUAGE plpgsql AS $$ \
             BEGIN RAISE EXCEPTION 'poison: history refuses SMS changes'; END $$; \
             CREATE TRIGGER poison_sms BEFORE INSERT ON history FOR EACH ROW \
             WHEN (NEW.channel = 'sms') EXECUTE FUNCTION poison_sms();"
        }
    };
    execute(store, sql).await;
}

pub async fn cure_sms_changes(store: &Store) {
    let sql = match store {
        Store::Sqlite(..) => "DROP TRIGGER poison_sms",
        Store::Postgres(..) => "DROP TRIGGER poison_sms ON history; DROP FUNCTION poison_sms();",
    };
    execute(store, sql).await;
}
