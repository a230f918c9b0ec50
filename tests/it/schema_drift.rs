//! The SQLite and PostgreSQL migrations describe one schema twice. This test reads both
//! databases' catalogues after migrating and fails on any drift: a table, column, index,
//! foreign key, unique key or check present on one engine only, or a column nullable on
//! one and not the other.

use crate::support;

use relais::store::Store;
use std::collections::BTreeSet;
use support::{Engine, TestDb};

/// Everything compared, as sorted lines such as `column people.email not null`.
async fn catalogue(store: &Store) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    match store {
        Store::Sqlite(pool, ..) => {
            let tables: Vec<(String, String)> = sqlx::query_as(
                "SELECT name, sql FROM sqlite_master WHERE type = 'table' \
                 AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations'",
            )
            .fetch_all(pool)
            .await
            .unwrap();
            // `CHECK (`, not a constraint's name that ends in `_check`.
            let check = regex::Regex::new(r"(?i)\bCHECK\s*\(").unwrap();
            for (table, sql) in tables {
                out.insert(format!("table {table}"));
                let columns: Vec<(String, bool, i64)> =
                    sqlx::query_as("SELECT name, \"notnull\", pk FROM pragma_table_info(?)")
                        .bind(&table)
                        .fetch_all(pool)
                        .await
                        .unwrap();
                for (column, not_null, pk) in columns {
                    let null = if not_null || pk > 0 { "not null" } else { "null" };
                    out.insert(format!("column {table}.{column} {null}"));
                }
                let keys: Vec<(String, String, String)> =
                    sqlx::query_as("SELECT \"from\", \"table\", \"to\" FROM pragma_foreign_key_list(?)")
                        .bind(&table)
                        .fetch_all(pool)
                        .await
                        .unwrap();
                for (from, to_table, to) in keys {
                    out.insert(format!("foreign key {table}.{from} -> {to_table}.{to}"));
                }
                let uniques: Vec<(String,)> =
                    sqlx::query_as("SELECT name FROM pragma_index_list(?) WHERE origin = 'u'")
                        .bind(&table)
                        .fetch_all(pool)
                        .await
                        .unwrap();
                for (index,) in uniques {
                    let columns: Vec<(String,)> =
                        sqlx::query_as("SELECT name FROM pragma_index_info(?) ORDER BY seqno")
                            .bind(&index)
                            .fetch_all(pool)
                            .await
                            .unwrap();
                    let columns: Vec<String> = columns.into_iter().map(|(c,)| c).collect();
                    out.insert(format!("unique {table}({})", columns.join(", ")));
                }
                let checks = check.find_iter(&sql).count();
                if checks > 0 {
                    out.insert(format!("checks {table} {checks}"));
                }
            }
            let indexes: Vec<(String, String)> =
                sqlx::query_as("SELECT name, tbl_name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
                    .fetch_all(pool)
                    .await
                    .unwrap();
            for (index, table) in indexes {
                out.insert(format!("index {table}.{index}"));
            }
        }
        Store::Postgres(pool, _) => {
            let columns: Vec<(String, String, String)> = sqlx::query_as(
                "SELECT c.table_name::text, c.column_name::text, c.is_nullable::text FROM information_schema.columns c \
                 JOIN information_schema.tables t ON t.table_name = c.table_name AND t.table_schema = c.table_schema \
                 WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' AND c.table_name <> '_sqlx_migrations'",
            )
            .fetch_all(pool)
            .await
            .unwrap();
            for (table, column, nullable) in columns {
                out.insert(format!("table {table}"));
                let null = if nullable == "YES" { "null" } else { "not null" };
                out.insert(format!("column {table}.{column} {null}"));
            }
            let keys: Vec<(String, String, String, String)> = sqlx::query_as(
                "SELECT cl.relname::text, a.attname::text, rcl.relname::text, ra.attname::text FROM pg_constraint c \
                 JOIN pg_class cl ON cl.oid = c.conrelid JOIN pg_class rcl ON rcl.oid = c.confrelid \
                 JOIN LATERAL unnest(c.conkey, c.confkey) AS k(col, rcol) ON true \
                 JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.col \
                 JOIN pg_attribute ra ON ra.attrelid = c.confrelid AND ra.attnum = k.rcol \
                 WHERE c.contype = 'f' AND cl.relnamespace = 'public'::regnamespace",
            )
            .fetch_all(pool)
            .await
            .unwrap();
            for (table, from, to_table, to) in keys {
                out.insert(format!("foreign key {table}.{from} -> {to_table}.{to}"));
            }
            let uniques: Vec<(String, String)> = sqlx::query_as(
                "SELECT cl.relname::text, string_agg(a.attname::text, ', ' ORDER BY k.ord) FROM pg_constraint c \
                 JOIN pg_class cl ON cl.oid = c.conrelid \
                 JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(col, ord) ON true \
                 JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.col \
                 WHERE c.contype = 'u' AND cl.relnamespace = 'public'::regnamespace GROUP BY c.oid, cl.relname",
            )
            .fetch_all(pool)
            .await
            .unwrap();
            for (table, columns) in uniques {
                out.insert(format!("unique {table}({columns})"));
            }
            let checks: Vec<(String, i64)> = sqlx::query_as(
                "SELECT cl.relname::text, COUNT(*) FROM pg_constraint c JOIN pg_class cl ON cl.oid = c.conrelid \
                 WHERE c.contype = 'c' AND cl.relnamespace = 'public'::regnamespace GROUP BY cl.relname",
            )
            .fetch_all(pool)
            .await
            .unwrap();
            for (table, n) in checks {
                out.insert(format!("checks {table} {n}"));
            }
            let indexes: Vec<(String, String)> = sqlx::query_as(
                "SELECT i.tablename::text, i.indexname::text FROM pg_indexes i WHERE i.schemaname = 'public' \
                 AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname) \
                 AND i.tablename <> '_sqlx_migrations'",
            )
            .fetch_all(pool)
            .await
            .unwrap();
            for (table, index) in indexes {
                out.insert(format!("index {table}.{index}"));
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_engines_migrate_to_the_same_schema() {
    let sqlite = catalogue(&TestDb::new(Engine::Sqlite).await.store().await).await;
    let postgres = catalogue(&TestDb::new(Engine::Postgres).await.store().await).await;
    let only_sqlite: Vec<_> = sqlite.difference(&postgres).collect();
    let only_postgres: Vec<_> = postgres.difference(&sqlite).collect();
    assert!(
        only_sqlite.is_empty() && only_postgres.is_empty(),
        "the migrations drifted apart\nonly on SQLite:\n  {}\nonly on PostgreSQL:\n  {}",
        only_sqlite.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n  "),
        only_postgres
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n  "),
    );
    assert!(sqlite.len() > 300, "the catalogue was read: {} lines", sqlite.len());
}
