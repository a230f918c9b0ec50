//! Ranking interpreters for a request: the pure ranking of 10,000 candidates, and the whole
//! thing on the embedded SQLite default with 10,000 interpreters of the pair asked (and
//! 2,000 of other languages the indexes must skip), then again once the bank has two years
//! of requests behind it (200,000, some 16,000 of them within the 30 days either side of
//! now that count as recent work).
//!
//! Run: `cargo bench --bench matching` (and on PostgreSQL: see [`on_postgres`]). Figures
//! are in `docs/coordination.md`.

use chrono::{NaiveDate, NaiveTime, TimeDelta, TimeZone, Utc, Weekday};
use criterion::{Criterion, criterion_group, criterion_main};
use rand::{RngExt as _, SeedableRng};
use relais::domain::contact::EmailAddress;
use relais::domain::ids::{EstablishmentId, PersonId};
use relais::domain::interpreter::{Availability, InterpreterProfile, LanguagePair, WeeklyHours};
use relais::domain::language::LanguageTag;
use relais::domain::locale::Locale;
use relais::domain::matching::{Candidate, Need, rank, shortlist};
use relais::domain::person::NewPerson;
use relais::domain::request::{Gender, RequestType};
use relais::domain::role::Role;
use relais::store::Store;
use std::hint::black_box;
use std::time::{Duration, Instant};

const N: usize = 10_000;
/// Requests of the bank's history, over two years around now.
const HISTORY: usize = 200_000;

/// Monday 2 March 2026, 09:00 in Montreal: the bank's "now".
fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 14, 0, 0).unwrap()
}

fn lang(s: &str) -> LanguageTag {
    LanguageTag::parse(s).unwrap()
}

fn need() -> Need {
    let local = NaiveDate::from_ymd_opt(2026, 3, 9)
        .unwrap()
        .and_hms_opt(10, 0, 0)
        .unwrap();
    let start = Utc.with_ymd_and_hms(2026, 3, 9, 14, 0, 0).unwrap();
    Need {
        request_type: RequestType::InPerson,
        source: lang("fr"),
        target: lang("es"),
        alternative: None,
        starts_at: start,
        ends_at: start + TimeDelta::hours(1),
        local_start: local,
        local_end: local + TimeDelta::hours(1),
        establishment: EstablishmentId(1),
        gender: None,
        preferred: Some(PersonId(77)),
        postal_code: Some("H2X 1Y4".into()),
        context: None,
        declined: vec![],
        offered: vec![],
    }
}

/// A varied bank: some blocked, some busy, some with weekly hours, some elsewhere.
fn profile(i: usize) -> InterpreterProfile {
    InterpreterProfile {
        language_pairs: vec![LanguagePair {
            source: lang("fr"),
            target: lang(if i < N { "es" } else { "ar" }),
            origin_country: None,
        }],
        request_types: if i.is_multiple_of(5) {
            vec![RequestType::Phone]
        } else {
            vec![RequestType::InPerson, RequestType::Phone]
        },
        postal_code: Some(if i.is_multiple_of(3) { "H2X 2B2" } else { "J4K 1A1" }.into()),
        gender: Some(if i.is_multiple_of(2) {
            Gender::Female
        } else {
            Gender::Male
        }),
        availability: if i.is_multiple_of(4) {
            Availability::Weekly(vec![WeeklyHours {
                weekday: Weekday::Mon,
                starts: NaiveTime::from_hms_opt(8, 0, 0).unwrap(),
                ends: NaiveTime::from_hms_opt(12, 0, 0).unwrap(),
            }])
        } else {
            Availability::Always
        },
        blocked_establishments: if i.is_multiple_of(17) {
            vec![EstablishmentId(1)]
        } else {
            vec![]
        },
        ..InterpreterProfile::default()
    }
}

fn pure(c: &mut Criterion) {
    let candidates: Vec<Candidate> = (0..N)
        .map(|i| {
            let p = profile(i);
            Candidate {
                languages: p
                    .language_pairs
                    .iter()
                    .map(|l| (l.source.clone(), l.target.clone()))
                    .collect(),
                request_types: p.request_types,
                availability: Some(p.availability),
                blocked: p.blocked_establishments,
                gender: p.gender,
                postal_code: p.postal_code,
                recent_work: (i % 7) as u32,
                ..Candidate::new(PersonId(i as i64 + 1), format!("Interprète {i}"))
            }
        })
        .collect();
    let need = need();
    c.bench_function("matching/rank_10000", |b| {
        b.iter(|| rank(black_box(&need), black_box(&candidates)))
    });
}

/// A fresh bank: 10,000 interpreters of the pair asked, 2,000 of another.
async fn populate(store: &Store) {
    store.migrate().await.unwrap();
    let now = now();
    let mut tx = store.begin().await.unwrap();
    let est = tx.insert_establishment("B", "Bench", None, now).await.unwrap();
    assert_eq!(est.id, EstablishmentId(1));
    tx.insert_installation(est.id, "Bench", None, Some("H2X 1Y4"))
        .await
        .unwrap();
    for i in 0..N + 2_000 {
        let person = tx
            .insert_person(
                &NewPerson {
                    first_name: format!("Prénom{i}"),
                    last_name: format!("Nom{i}"),
                    email: EmailAddress::parse(&format!("i{i}@bench.example")).unwrap(),
                    mobile: None,
                    phone: None,
                    locale: Locale::Fr,
                    notify_email: true,
                    notify_sms: false,
                    roles: vec![Role::Interpreter],
                },
                "BI",
                now,
            )
            .await
            .unwrap();
        tx.set_interpreter_profile(person.id, &profile(i)).await.unwrap();
    }
    tx.commit().await.unwrap();
    if let Store::Postgres(pool, _) = store {
        sqlx::query("ANALYZE").execute(pool).await.unwrap();
    }
}

fn on_sqlite(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = rt.block_on(async {
        let url = format!("sqlite://{}/bench.db", dir.path().display());
        Store::connect(&url, 4).await.unwrap()
    });
    load_and_rank(c, &rt, "matching_sqlite", &store);
}

/// On PostgreSQL when `RELAIS_BENCH_POSTGRES_URL` names a server (a fresh database is
/// created there): `source scripts/services.sh && start_postgres` and
/// `RELAIS_BENCH_POSTGRES_URL=$RELAIS_TEST_POSTGRES_URL cargo bench --bench matching`.
fn on_postgres(c: &mut Criterion) {
    let Ok(admin) = std::env::var("RELAIS_BENCH_POSTGRES_URL") else {
        return;
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let store = rt.block_on(async {
        use sqlx::Connection;
        let name = format!("relais_bench_{}", std::process::id());
        let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await
            .unwrap();
        let (base, _) = admin.rsplit_once('/').unwrap();
        Store::connect(&format!("{base}/{name}"), 4).await.unwrap()
    });
    load_and_rank(c, &rt, "matching_postgres", &store);
}

fn load_and_rank(c: &mut Criterion, rt: &tokio::runtime::Runtime, group: &str, store: &Store) {
    rt.block_on(populate(store));
    let need = need();
    let mut group = c.benchmark_group(group);
    group.sample_size(20);
    let load_and_rank = || async {
        let mut tx = store.begin_read().await.unwrap();
        let candidates = tx.match_candidates(&need, now()).await.unwrap();
        tx.commit().await.unwrap();
        assert!(candidates.len() >= N);
        rank(&need, candidates.iter())
    };
    let load_and_shortlist = || async {
        let mut tx = store.begin_read().await.unwrap();
        let candidates = tx.match_candidates(&need, now()).await.unwrap();
        tx.commit().await.unwrap();
        shortlist(&need, candidates.iter(), 3)
    };
    group.bench_function("load_and_rank_10000", |b| b.to_async(rt).iter(load_and_rank));
    group.bench_function("load_and_shortlist_10000", |b| b.to_async(rt).iter(load_and_shortlist));
    // The first matching after someone's profile changed reads every profile again.
    group.bench_function("load_and_rank_10000_after_a_change", |b| {
        let load_and_rank = &load_and_rank;
        b.to_async(rt).iter_custom(|iters| async move {
            let mut spent = Duration::ZERO;
            for i in 0..iters {
                let mut tx = store.begin().await.unwrap();
                let person = PersonId(1 + (i % N as u64) as i64);
                let profile = tx.interpreter_profile(person).await.unwrap().unwrap();
                tx.set_interpreter_profile(person, &profile).await.unwrap();
                tx.commit().await.unwrap();
                let started = Instant::now();
                black_box(load_and_rank().await);
                spent += started.elapsed();
            }
            spent
        })
    });
    rt.block_on(add_history(store));
    group.bench_function("load_and_rank_10000_history", |b| b.to_async(rt).iter(load_and_rank));
    group.bench_function("load_and_shortlist_10000_history", |b| {
        b.to_async(rt).iter(load_and_shortlist)
    });
    group.finish();
}

/// Two years of requests, a few a day for each interpreter over the years: mostly closed,
/// some cancelled, some booked ahead (a few on the day of the slot).
async fn add_history(store: &Store) {
    const SQL: &str = "INSERT INTO requests (number, status, establishment_id, installation_id, location, \
         request_type, service_date, start_time, duration_minutes, starts_at, source_language, target_language, \
         requested_by, assigned_interpreter_id, created_at, updated_at) \
         VALUES ($1, $2, 1, 1, 'Bench', $3, $4, $5, 60, $6, 'fr', 'es', 1, $7, $8, $8)";
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let first = now() - TimeDelta::days(640);
    macro_rules! insert_all {
        ($pool:expr) => {{
            let mut tx = $pool.begin().await.unwrap();
            for i in 0..HISTORY {
                let starts_at = first + TimeDelta::minutes(15 * rng.random_range(0..730 * 24 * 4));
                let status = if starts_at > now() {
                    "booked"
                } else if rng.random_ratio(1, 10) {
                    "cancelled"
                } else {
                    "closed"
                };
                let kind = if rng.random_ratio(1, 2) { "in_person" } else { "phone" };
                let interpreter = rng.random_range(1..=(N + 2_000) as i64);
                sqlx::query(SQL)
                    .bind(format!("B{i}"))
                    .bind(status)
                    .bind(kind)
                    .bind(starts_at.date_naive())
                    .bind(starts_at.time())
                    .bind(starts_at)
                    .bind(interpreter)
                    .bind(now())
                    .execute(&mut *tx)
                    .await
                    .unwrap();
            }
            tx.commit().await.unwrap();
        }};
    }
    match store {
        Store::Sqlite(pool, ..) => insert_all!(pool),
        Store::Postgres(pool, _) => {
            insert_all!(pool);
            sqlx::query("ANALYZE").execute(pool).await.unwrap();
        }
    }
}

criterion_group!(benches, pure, on_sqlite, on_postgres);
criterion_main!(benches);
