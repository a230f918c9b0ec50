//! Ranking interpreters for a request: the pure ranking of 10,000 candidates, and the whole
//! thing on the embedded SQLite default with 10,000 interpreters of the pair asked (and
//! 2,000 of other languages the indexes must skip).
//!
//! Run: `cargo bench --bench matching`. Figures are reported in the issue notes.

use chrono::{NaiveDate, NaiveTime, TimeDelta, TimeZone, Utc, Weekday};
use criterion::{Criterion, criterion_group, criterion_main};
use relais::clock::ManualClock;
use relais::domain::contact::EmailAddress;
use relais::domain::ids::{EstablishmentId, PersonId};
use relais::domain::interpreter::{Availability, InterpreterProfile, LanguagePair, WeeklyHours};
use relais::domain::language::LanguageTag;
use relais::domain::locale::Locale;
use relais::domain::matching::{Candidate, Need, rank};
use relais::domain::person::NewPerson;
use relais::domain::request::{Gender, RequestType};
use relais::domain::role::Role;
use relais::store::Store;
use relais::workflow::{Workflow, WorkflowConfig};
use std::hint::black_box;
use std::sync::Arc;

const N: usize = 10_000;

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

fn on_sqlite(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let wf = rt.block_on(async {
        let store = Store::connect(&format!("sqlite://{}/bench.db", dir.path().display()), 4)
            .await
            .unwrap();
        store.migrate().await.unwrap();
        let now = Utc.with_ymd_and_hms(2026, 3, 2, 14, 0, 0).unwrap();
        let mut tx = store.begin().await.unwrap();
        let est = tx.insert_establishment("B", "Bench", None, now).await.unwrap();
        assert_eq!(est.id, EstablishmentId(1));
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
            tx.add_role(person.id, Role::Interpreter).await.unwrap();
            tx.set_interpreter_profile(person.id, &profile(i)).await.unwrap();
        }
        tx.commit().await.unwrap();
        let config = WorkflowConfig {
            time_zone: chrono_tz::America::Toronto,
            request_prefix: "HC".into(),
            user_code_prefix: "BI".into(),
            default_phone_region: "CA".into(),
            late_cancellation_hours: 48,
            auto_validate_after_hours: 48,
            patient_retention_days: 90,
            offer_reminder_hours: 12,
            offer_expiry_hours: 24,
            appointment_reminder_hours: 24,
            escalate_after_hours: 4,
            tier_size: 3,
        };
        Workflow::new(store, config, Arc::new(ManualClock::new(now)))
    });
    let need = need();
    let mut group = c.benchmark_group("matching_sqlite");
    group.sample_size(20);
    group.bench_function("load_and_rank_10000", |b| {
        b.to_async(&rt).iter(|| async {
            let mut tx = wf.store().begin_read().await.unwrap();
            let candidates = tx.match_candidates(&need, Utc::now()).await.unwrap();
            tx.commit().await.unwrap();
            assert!(candidates.len() >= N);
            rank(&need, candidates.iter())
        })
    });
    group.finish();
}

criterion_group!(benches, pure, on_sqlite);
criterion_main!(benches);
