//! Matching on both engines: who can take a request, in which order, and why the others
//! cannot, from the interpreters' profiles and bookings as stored; and the profiles kept in
//! memory between requests giving exactly what a fresh, straightforward reading gives, for
//! random banks and after changes made through another pool.

use crate::support;

use chrono::{DateTime, NaiveDate, NaiveTime, TimeDelta, TimeZone, Utc, Weekday};
use proptest::prelude::*;
use relais::domain::contact::EmailAddress;
use relais::domain::ids::{EstablishmentId, PersonId};
use relais::domain::interpreter::{
    Availability, EligibilityDocument, Inactivity, InterpreterProfile, LanguagePair, WeeklyHours,
};
use relais::domain::locale::Locale;
use relais::domain::matching::{Candidate, Exclusion, Merit, Need, TRAVEL_BUFFER, rank, shortlist};
use relais::domain::person::NewPerson;
use relais::domain::request::{Gender, RequestStatus, RequestType};
use relais::domain::role::Role;
use relais::store::Store;
use relais::store::matching::RECENT_WORK;
use support::{Engine, TestBank, TestDb, lang};

async fn candidates_are_ranked_and_the_others_explained(engine: Engine) {
    let bank = TestBank::new(engine).await;
    // Interpreter 0 is booked at the very time of the new request (same details).
    bank.request_in(RequestStatus::Booked).await;
    let id = bank.create().await;
    let mut tx = bank.store.begin().await.unwrap();
    // Interpreter 1 is blocked for the requester's establishment.
    let mut p1 = tx.interpreter_profile(bank.interpreters[1]).await.unwrap().unwrap();
    p1.blocked_establishments = vec![bank.establishment];
    tx.set_interpreter_profile(bank.interpreters[1], &p1).await.unwrap();
    // Interpreter 2 works Monday mornings only: the request is Monday 10 h.
    let mut p2 = tx.interpreter_profile(bank.interpreters[2]).await.unwrap().unwrap();
    p2.availability = Availability::Weekly(vec![WeeklyHours {
        weekday: chrono::Weekday::Mon,
        starts: chrono::NaiveTime::from_hms_opt(8, 0, 0).unwrap(),
        ends: chrono::NaiveTime::from_hms_opt(12, 0, 0).unwrap(),
    }]);
    tx.set_interpreter_profile(bank.interpreters[2], &p2).await.unwrap();
    tx.commit().await.unwrap();

    let (request, matches) = bank.workflow.matches(id).await.unwrap();
    assert_eq!(request.details.date.format("%A").to_string(), "Monday");
    let ranked: Vec<_> = matches.ranked.iter().map(|r| r.person).collect();
    assert_eq!(ranked, vec![bank.interpreters[2]], "{matches:?}");
    assert!(matches.ranked[0].merits.contains(&Merit::RecentWork(0)));
    let mut excluded: Vec<_> = matches.excluded.iter().map(|(p, _, why)| (*p, why.clone())).collect();
    excluded.sort_by_key(|(p, _)| p.0);
    assert_eq!(
        excluded,
        vec![
            (bank.interpreters[0], Exclusion::Busy),
            (bank.interpreters[1], Exclusion::Blocked)
        ]
    );

    // An afternoon request: interpreter 2 is out of hours, interpreter 0 is free again and
    // has worked once recently.
    let mut details = request.details.clone();
    details.start_time = chrono::NaiveTime::from_hms_opt(15, 0, 0).unwrap();
    bank.workflow
        .execute(
            bank.as_requester(),
            relais::workflow::Command::ModifyRequest { request: id, details },
        )
        .await
        .unwrap();
    let (_, matches) = bank.workflow.matches(id).await.unwrap();
    assert_eq!(matches.ranked.len(), 1, "{matches:?}");
    assert_eq!(matches.ranked[0].person, bank.interpreters[0]);
    assert!(
        matches.ranked[0].merits.contains(&Merit::RecentWork(1)),
        "its booking counts as recent work"
    );
    assert!(
        matches
            .excluded
            .iter()
            .any(|(p, _, why)| *p == bank.interpreters[2] && *why == Exclusion::Availability)
    );
}

/// Runs `$body` with `$pool` bound to the store's pool, whichever the engine.
macro_rules! on_pool {
    ($store:expr, |$pool:ident| $body:expr) => {
        match $store {
            Store::Sqlite($pool, ..) => $body,
            Store::Postgres($pool, _) => $body,
        }
    };
}

/// The reading matching did before it kept profiles, as the oracle: every active
/// interpreter who speaks the pair (either way) or the source with the alternative, read
/// one by one through the store's plain reads, with bookings and recent work counted from
/// every request.
async fn straightforward(store: &Store, need: &Need, now: DateTime<Utc>) -> Vec<Candidate> {
    const REQUESTS: &str = "SELECT assigned_interpreter_id, status, starts_at, duration_minutes, request_type \
         FROM requests WHERE assigned_interpreter_id IS NOT NULL";
    let requests: Vec<(i64, String, DateTime<Utc>, i64, String)> =
        on_pool!(store, |pool| sqlx::query_as(REQUESTS).fetch_all(pool).await.unwrap());
    let mut tx = store.begin_read().await.unwrap();
    let mut people = tx.people_with_role(Role::Interpreter).await.unwrap();
    people.sort_by_key(|p| p.id.0);
    let (source, target) = (need.source.as_str(), need.target.as_str());
    let alternative = need.alternative.as_ref().map(|a| a.as_str());
    let mut candidates = Vec::new();
    for person in people {
        let Some(p) = tx.interpreter_profile(person.id).await.unwrap() else {
            continue;
        };
        let has = |s: &str, t: &str| {
            p.language_pairs
                .iter()
                .any(|l| l.source.as_str() == s && l.target.as_str() == t)
        };
        if !(has(source, target)
            || has(target, source)
            || alternative.is_some_and(|a| has(source, a) || has(a, source)))
        {
            continue;
        }
        let mine = || requests.iter().filter(|r| r.0 == person.id.0);
        let bookings = mine()
            .filter(|r| {
                (r.1 == "booked" || r.1 == "modified")
                    && r.2 >= need.starts_at - TimeDelta::days(1)
                    && r.2 < need.ends_at + TRAVEL_BUFFER
            })
            .map(|r| (r.2, r.2 + TimeDelta::minutes(r.3), r.4 == "in_person"))
            .collect();
        let recent_work = mine()
            .filter(|r| r.1 != "cancelled" && r.1 != "draft" && r.2 >= now - RECENT_WORK && r.2 < now + RECENT_WORK)
            .count();
        candidates.push(Candidate {
            languages: p
                .language_pairs
                .iter()
                .map(|l| (l.source.clone(), l.target.clone()))
                .collect(),
            request_types: p.request_types.clone(),
            availability: Some(p.availability.clone()),
            inactivity: p.inactivity.clone(),
            documents: p.documents.clone(),
            blocked: p.blocked_establishments.clone(),
            gender: p.gender,
            postal_code: p.work_postal_code.clone().or(p.postal_code.clone()),
            contexts: p.contexts.iter().map(|c| relais::domain::text::fold(c)).collect(),
            bookings,
            recent_work: recent_work as u32,
            ..Candidate::new(person.id, person.display_name())
        });
    }
    tx.commit().await.unwrap();
    candidates
}

/// Matching as it runs (kept profiles) gives what the oracle gives: every candidate ranked
/// the same, the same exclusions, and the same shortlists. Returns the ranking.
async fn same_as_straightforward(store: &Store, need: &Need, now: DateTime<Utc>) -> relais::domain::matching::Matches {
    let oracle = straightforward(store, need, now).await;
    let fresh = rank(need, &oracle);
    let mut tx = store.begin_read().await.unwrap();
    let kept = tx.match_candidates(need, now).await.unwrap();
    tx.commit().await.unwrap();
    let matches = rank(need, kept.iter());
    assert_eq!(matches.ranked, fresh.ranked, "{need:?}");
    assert_eq!(matches.excluded, fresh.excluded, "{need:?}");
    for n in [0, 1, 3, oracle.len() + 1] {
        let short = shortlist(need, kept.iter(), n);
        assert_eq!(short, shortlist(need, &oracle, n), "{need:?}");
        assert_eq!(short.ranked, fresh.ranked[..n.min(fresh.ranked.len())], "{need:?}");
        let excluded: usize = short.excluded.iter().map(|(_, count)| count).sum();
        assert_eq!(excluded, fresh.excluded.len());
    }
    matches
}

/// A request's needs, its slot given in the bank's time zone.
fn need_at(local: chrono::NaiveDateTime, minutes: i64, establishment: EstablishmentId) -> Need {
    let starts_at = chrono_tz::America::Toronto
        .from_local_datetime(&local)
        .earliest()
        .unwrap()
        .with_timezone(&Utc);
    Need {
        request_type: RequestType::InPerson,
        source: lang("fr"),
        target: lang("es"),
        alternative: None,
        starts_at,
        ends_at: starts_at + TimeDelta::minutes(minutes),
        local_start: local,
        local_end: local + TimeDelta::minutes(minutes),
        establishment,
        gender: None,
        preferred: None,
        postal_code: Some("H2X 1Y4".into()),
        context: None,
        declined: vec![],
        offered: vec![],
    }
}

/// Monday 9 March 2026, the week after the tests' now.
fn monday() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 9).unwrap()
}

async fn kept_profiles_follow_every_change(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let now = support::start_time();
    let need = need_at(monday().and_hms_opt(10, 0, 0).unwrap(), 60, bank.establishment);
    let m = same_as_straightforward(&bank.store, &need, now).await;
    assert_eq!(m.ranked.len(), 3, "{m:?}");

    // Another process, with its own pool, blocks interpreter 1 and retires interpreter 2.
    let elsewhere = bank.db.store().await;
    let mut tx = elsewhere.begin().await.unwrap();
    let mut p1 = tx.interpreter_profile(bank.interpreters[1]).await.unwrap().unwrap();
    p1.blocked_establishments = vec![bank.establishment];
    tx.set_interpreter_profile(bank.interpreters[1], &p1).await.unwrap();
    let mut retired = tx.person(bank.interpreters[2]).await.unwrap();
    retired.active = false;
    tx.update_person(&retired, now).await.unwrap();
    tx.commit().await.unwrap();
    let m = same_as_straightforward(&bank.store, &need, now).await;
    let ranked: Vec<_> = m.ranked.iter().map(|r| r.person).collect();
    assert_eq!(ranked, vec![bank.interpreters[0]]);
    assert_eq!(
        m.excluded,
        vec![(bank.interpreters[1], "Diego Fernández".into(), Exclusion::Blocked)]
    );

    // Renamed through plain SQL, as an import would: the name follows.
    on_pool!(&elsewhere, |pool| sqlx::query(
        "UPDATE people SET last_name = 'Ramírez Soto' WHERE id = $1"
    )
    .bind(bank.interpreters[0].0)
    .execute(pool)
    .await
    .unwrap()
    .rows_affected());
    let m = same_as_straightforward(&bank.store, &need, now).await;
    assert_eq!(m.ranked[0].name, "Lucía Ramírez Soto");

    // A change not committed yet is seen inside its transaction only, and forgotten with it.
    let mut tx = bank.store.begin().await.unwrap();
    let mut p0 = tx.interpreter_profile(bank.interpreters[0]).await.unwrap().unwrap();
    p0.request_types = vec![RequestType::Phone];
    tx.set_interpreter_profile(bank.interpreters[0], &p0).await.unwrap();
    let inside = tx.match_candidates(&need, now).await.unwrap();
    assert_eq!(rank(&need, inside.iter()).ranked, vec![]);
    let m = same_as_straightforward(&bank.store, &need, now).await;
    assert_eq!(m.ranked.len(), 1, "the change is not committed: {m:?}");
    tx.rollback().await.unwrap();
    let m = same_as_straightforward(&bank.store, &need, now).await;
    assert_eq!(m.ranked.len(), 1, "the change was rolled back: {m:?}");
}

/// A value bound to a step's SQL.
#[derive(Debug, Clone, Copy)]
enum Bind {
    Id(i64),
    Time(u32),
    At(DateTime<Utc>),
    Date(NaiveDate),
}

async fn execute(store: &Store, sql: &'static str, binds: &[Bind]) {
    on_pool!(store, |pool| {
        let mut query = sqlx::query(sql);
        for b in binds {
            query = match *b {
                Bind::Id(id) => query.bind(id),
                Bind::Time(hour) => query.bind(NaiveTime::from_hms_opt(hour, 0, 0).unwrap()),
                Bind::At(at) => query.bind(at),
                Bind::Date(date) => query.bind(date),
            };
        }
        query.execute(pool).await.unwrap().rows_affected()
    });
}

/// Each table matching reads, changed alone through plain SQL by another pool (another
/// process, an import), in each way (insert, update, delete): the next matching follows,
/// so each trigger of migrations 0009 and 0025 renews the stamp.
async fn a_change_to_any_table_matching_reads_is_seen(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let now = support::start_time();
    let mut need = need_at(monday().and_hms_opt(10, 0, 0).unwrap(), 60, bank.establishment);
    need.gender = None;
    // Seen when the request has a context: the interpreter who knows it ranks first.
    need.context = Some(relais::domain::text::fold("Suivi DPJ"));
    let elsewhere = bank.db.store().await;
    let id = Bind::Id(bank.interpreters[0].0);
    let here = Bind::Id(bank.establishment.0);
    let there = Bind::Id(bank.other_establishment.0);
    let slot = need.starts_at;
    let steps: Vec<(&'static str, Vec<Bind>)> = vec![
        (
            "UPDATE interpreter_languages SET target_language = 'ar' WHERE person_id = $1",
            vec![id],
        ),
        (
            "UPDATE interpreter_languages SET target_language = 'es' WHERE person_id = $1",
            vec![id],
        ),
        ("DELETE FROM interpreter_languages WHERE person_id = $1", vec![id]),
        (
            "INSERT INTO interpreter_languages (person_id, source_language, target_language) VALUES ($1, 'es', 'fr')",
            vec![id],
        ),
        (
            "DELETE FROM interpreter_request_types WHERE person_id = $1 AND request_type = 'in_person'",
            vec![id],
        ),
        (
            "INSERT INTO interpreter_request_types (person_id, request_type) VALUES ($1, 'in_person')",
            vec![id],
        ),
        (
            "UPDATE interpreter_request_types SET request_type = 'video' WHERE person_id = $1 AND request_type = 'in_person'",
            vec![id],
        ),
        (
            "UPDATE interpreter_request_types SET request_type = 'in_person' WHERE person_id = $1 AND request_type = 'video'",
            vec![id],
        ),
        (
            "INSERT INTO interpreter_blocks (person_id, establishment_id) VALUES ($1, $2)",
            vec![id, here],
        ),
        (
            "UPDATE interpreter_blocks SET establishment_id = $2 WHERE person_id = $1",
            vec![id, there],
        ),
        (
            "UPDATE interpreter_blocks SET establishment_id = $2 WHERE person_id = $1",
            vec![id, here],
        ),
        ("DELETE FROM interpreter_blocks WHERE person_id = $1", vec![id]),
        (
            "UPDATE interpreter_profiles SET always_available = FALSE WHERE person_id = $1",
            vec![id],
        ),
        (
            "INSERT INTO interpreter_weekly_hours (person_id, weekday, starts, ends) VALUES ($1, 1, $2, $3)",
            vec![id, Bind::Time(8), Bind::Time(12)],
        ),
        (
            "UPDATE interpreter_weekly_hours SET starts = $2, ends = $3 WHERE person_id = $1",
            vec![id, Bind::Time(13), Bind::Time(17)],
        ),
        (
            "UPDATE interpreter_weekly_hours SET starts = $2, ends = $3 WHERE person_id = $1",
            vec![id, Bind::Time(8), Bind::Time(12)],
        ),
        ("DELETE FROM interpreter_weekly_hours WHERE person_id = $1", vec![id]),
        (
            "UPDATE interpreter_profiles SET always_available = TRUE WHERE person_id = $1",
            vec![id],
        ),
        (
            "INSERT INTO interpreter_inactivity (person_id, starts_at, ends_at) VALUES ($1, $2, $3)",
            vec![
                id,
                Bind::At(slot - TimeDelta::days(1)),
                Bind::At(slot + TimeDelta::days(1)),
            ],
        ),
        (
            "UPDATE interpreter_inactivity SET ends_at = $2 WHERE person_id = $1",
            vec![id, Bind::At(slot - TimeDelta::hours(1))],
        ),
        (
            "UPDATE interpreter_inactivity SET ends_at = $2 WHERE person_id = $1",
            vec![id, Bind::At(slot + TimeDelta::hours(1))],
        ),
        ("DELETE FROM interpreter_inactivity WHERE person_id = $1", vec![id]),
        (
            "INSERT INTO interpreter_documents (person_id, name, valid_until, inactive_if_invalid) \
             VALUES ($1, 'Permis de travail', $2, TRUE)",
            vec![id, Bind::Date(monday() - TimeDelta::days(1))],
        ),
        (
            "UPDATE interpreter_documents SET valid_until = $2 WHERE person_id = $1",
            vec![id, Bind::Date(monday())],
        ),
        (
            "UPDATE interpreter_documents SET valid_until = $2 WHERE person_id = $1",
            vec![id, Bind::Date(monday() - TimeDelta::days(1))],
        ),
        ("DELETE FROM interpreter_documents WHERE person_id = $1", vec![id]),
        (
            "INSERT INTO interpreter_contexts (person_id, context) VALUES ($1, 'DPJ')",
            vec![id],
        ),
        (
            "UPDATE interpreter_contexts SET context = 'Santé mentale' WHERE person_id = $1",
            vec![id],
        ),
        (
            "UPDATE interpreter_contexts SET context = 'dpj' WHERE person_id = $1",
            vec![id],
        ),
        ("DELETE FROM interpreter_contexts WHERE person_id = $1", vec![id]),
        (
            "UPDATE interpreter_profiles SET work_postal_code = 'h2x 3a1' WHERE person_id = $1",
            vec![id],
        ),
        (
            "UPDATE interpreter_profiles SET gender = 'female' WHERE person_id = $1",
            vec![id],
        ),
        ("UPDATE people SET active = FALSE WHERE id = $1", vec![id]),
        ("UPDATE people SET active = TRUE WHERE id = $1", vec![id]),
        ("UPDATE people SET first_name = 'Luz' WHERE id = $1", vec![id]),
        (
            "DELETE FROM person_roles WHERE person_id = $1 AND role = 'interpreter'",
            vec![id],
        ),
        (
            "INSERT INTO person_roles (person_id, role) VALUES ($1, 'interpreter')",
            vec![id],
        ),
    ];
    let mut before = same_as_straightforward(&bank.store, &need, now).await;
    for (sql, binds) in steps {
        if sql.contains("gender") {
            // Seen only when the request asks for a gender.
            need.gender = Some(Gender::Female);
            before = same_as_straightforward(&bank.store, &need, now).await;
        }
        execute(&elsewhere, sql, &binds).await;
        let after = same_as_straightforward(&bank.store, &need, now).await;
        assert!(
            after.ranked != before.ranked || after.excluded != before.excluded,
            "the step changes what matching decides, or it proves nothing: {sql}"
        );
        before = after;
    }
}

on_both_engines!(
    candidates_are_ranked_and_the_others_explained,
    kept_profiles_follow_every_change,
    a_change_to_any_table_matching_reads_is_seen
);

// Random banks, on SQLite: the kept profiles rank as a fresh reading does, before and after
// a change made through another pool.

/// Contexts as coordinators type them, matched folded against the requests' contexts.
const CONTEXTS: [&str; 3] = ["DPJ", "Santé mentale", "Périnatalité"];

const PAIRS: [(&str, &str); 7] = [
    ("fr", "es"),
    ("es", "fr"),
    ("fr", "ar"),
    ("ar", "fr"),
    ("fr", "pt"),
    ("pt", "fr"),
    ("en", "es"),
];
const LANGUAGES: [&str; 5] = ["fr", "es", "ar", "pt", "en"];
const POSTAL_CODES: [&str; 6] = ["H2X 1A1", "h2x-9z9", "J4K 1A1", "1000", "1050", ""];
const STATUSES: [&str; 8] = [
    "booked",
    "modified",
    "cancelled",
    "closed",
    "new",
    "offered",
    "service_rendered",
    "draft",
];
const REQUEST_TYPES: [RequestType; 6] = [
    RequestType::InPerson,
    RequestType::Phone,
    RequestType::Video,
    RequestType::MessageTransmission,
    RequestType::Translation,
    RequestType::Permanence,
];

/// Midnight UTC on the Monday of the slots: times below are hours from it.
fn base() -> DateTime<Utc> {
    Utc.from_utc_datetime(&monday().and_hms_opt(0, 0, 0).unwrap())
}

fn postal_code() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(proptest::sample::select(POSTAL_CODES.to_vec()).prop_map(String::from))
}

fn gender() -> impl Strategy<Value = Option<Gender>> {
    proptest::option::of(proptest::sample::select(vec![
        Gender::Female,
        Gender::Male,
        Gender::NonBinary,
    ]))
}

fn hours() -> impl Strategy<Value = WeeklyHours> {
    (0u32..3, 6u32..15, 1u32..9).prop_map(|(day, from, length)| WeeklyHours {
        weekday: [Weekday::Mon, Weekday::Tue, Weekday::Wed][day as usize],
        starts: NaiveTime::from_hms_opt(from, 0, 0).unwrap(),
        ends: NaiveTime::from_hms_opt(from + length, 0, 0).unwrap(),
    })
}

fn profile() -> impl Strategy<Value = InterpreterProfile> {
    let languages = proptest::sample::subsequence(PAIRS.to_vec(), 0..4);
    let types = proptest::sample::subsequence(REQUEST_TYPES.to_vec(), 0..5);
    let availability = prop_oneof![
        Just(Availability::Always),
        proptest::collection::vec(hours(), 0..3).prop_map(Availability::Weekly),
    ];
    let inactivity = proptest::collection::vec((-24i64..96, 1i64..48), 0..2);
    let documents = proptest::collection::vec(
        (
            proptest::sample::select(vec!["Permis de travail", "Carte de membre"]),
            proptest::option::of(-2i64..4),
            any::<bool>(),
        ),
        0..3,
    );
    let blocked = proptest::sample::subsequence(vec![1i64, 2], 0..=2);
    let contexts = proptest::sample::subsequence(CONTEXTS.to_vec(), 0..=2);
    (
        languages,
        types,
        availability,
        inactivity,
        documents,
        (blocked, contexts),
        gender(),
        postal_code(),
        postal_code(),
    )
        .prop_map(
            |(languages, types, availability, inactivity, documents, (blocked, contexts), gender, postal, work)| {
                InterpreterProfile {
                    language_pairs: languages
                        .into_iter()
                        .map(|(s, t)| LanguagePair {
                            source: lang(s),
                            target: lang(t),
                            origin_country: None,
                        })
                        .collect(),
                    request_types: types,
                    availability,
                    inactivity: inactivity
                        .into_iter()
                        .map(|(from, length)| Inactivity {
                            starts_at: base() + TimeDelta::hours(from),
                            ends_at: base() + TimeDelta::hours(from + length),
                            reason: None,
                        })
                        .collect(),
                    documents: documents
                        .into_iter()
                        .map(|(name, days, inactive_if_invalid)| EligibilityDocument {
                            name: name.into(),
                            description: None,
                            valid_until: days.map(|d| monday() + TimeDelta::days(d)),
                            inactive_if_invalid,
                            comments: None,
                            file_id: None,
                        })
                        .collect(),
                    blocked_establishments: blocked.into_iter().map(EstablishmentId).collect(),
                    contexts: contexts.into_iter().map(String::from).collect(),
                    gender,
                    postal_code: postal,
                    work_postal_code: work,
                    ..InterpreterProfile::default()
                }
            },
        )
}

/// A booking: whose (an index into the interpreters), its status, start (minutes from
/// `base()`), length in minutes, and whether in person. Near the slots, or anywhere within
/// the weeks that count as recent work.
type Booking = (usize, &'static str, i64, i64, bool);

fn booking() -> impl Strategy<Value = Booking> {
    let start = prop_oneof![(-36 * 4i64..100 * 4), (-45 * 96i64..35 * 96)].prop_map(|q| q * 15);
    (
        0usize..8,
        proptest::sample::select(STATUSES.to_vec()),
        start,
        proptest::sample::select(vec![0i64, 30, 60, 120, 600]),
        any::<bool>(),
    )
}

/// A need, with indexes into the interpreters for the preferred one, refusals and offers.
#[derive(Debug, Clone)]
struct NeedSpec {
    request_type: RequestType,
    languages: (usize, usize, Option<usize>),
    day: i64,
    start: (u32, u32),
    minutes: i64,
    establishment: i64,
    gender: Option<Gender>,
    preferred: Option<usize>,
    declined: Vec<usize>,
    offered: Vec<usize>,
    postal_code: Option<String>,
    context: Option<&'static str>,
}

fn need_spec() -> impl Strategy<Value = NeedSpec> {
    (
        proptest::sample::select(REQUEST_TYPES.to_vec()),
        (0usize..5, 0usize..4, proptest::option::of(0usize..5)),
        (0i64..3, 7u32..19, proptest::sample::select(vec![0u32, 30])),
        proptest::sample::select(vec![30i64, 60, 90, 180]),
        (1i64..=2, gender(), proptest::option::of(0usize..8)),
        (
            proptest::sample::subsequence((0usize..8).collect::<Vec<_>>(), 0..3),
            proptest::sample::subsequence((0usize..8).collect::<Vec<_>>(), 0..3),
        ),
        (
            postal_code(),
            proptest::option::of(proptest::sample::select(vec![
                "Suivi DPJ",
                "santé mentale adulte",
                "autre",
            ])),
        ),
    )
        .prop_map(
            |(
                request_type,
                languages,
                (day, hour, minute),
                minutes,
                (establishment, gender, preferred),
                (declined, offered),
                (postal_code, context),
            )| NeedSpec {
                request_type,
                languages,
                day,
                start: (hour, minute),
                minutes,
                establishment,
                gender,
                preferred,
                declined,
                offered,
                postal_code,
                context,
            },
        )
}

impl NeedSpec {
    fn need(&self, people: &[PersonId]) -> Need {
        let (source, target, alternative) = self.languages;
        // The target is any language but the source.
        let target = (source + 1 + target) % LANGUAGES.len();
        let person = |i: &usize| people.get(*i).copied();
        let local = (monday() + TimeDelta::days(self.day))
            .and_hms_opt(self.start.0, self.start.1, 0)
            .unwrap();
        Need {
            request_type: self.request_type,
            source: lang(LANGUAGES[source]),
            target: lang(LANGUAGES[target]),
            alternative: alternative.map(|a| lang(LANGUAGES[a])),
            gender: self.gender,
            preferred: self.preferred.as_ref().and_then(person),
            declined: self.declined.iter().filter_map(person).collect(),
            offered: self.offered.iter().filter_map(person).collect(),
            postal_code: self.postal_code.clone(),
            context: self.context.map(relais::domain::text::fold),
            ..need_at(local, self.minutes, EstablishmentId(self.establishment))
        }
    }
}

/// What changes between the two readings, made through another pool.
#[derive(Debug, Clone)]
enum Change {
    Profile(usize, Box<InterpreterProfile>),
    Active(usize, bool),
    Rename(usize),
    NoLongerInterpreter(usize),
    Booking(Booking),
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        (0usize..8, profile()).prop_map(|(i, p)| Change::Profile(i, Box::new(p))),
        (0usize..8, any::<bool>()).prop_map(|(i, on)| Change::Active(i, on)),
        (0usize..8).prop_map(Change::Rename),
        (0usize..8).prop_map(Change::NoLongerInterpreter),
        booking().prop_map(Change::Booking),
    ]
}

async fn insert_booking(store: &Store, people: &[PersonId], requester: PersonId, number: usize, b: &Booking) {
    const SQL: &str = "INSERT INTO requests (number, status, establishment_id, installation_id, location, \
         request_type, service_date, start_time, duration_minutes, starts_at, source_language, target_language, \
         requested_by, assigned_interpreter_id, created_at, updated_at) \
         VALUES ($1, $2, 1, 1, 'Test', $3, $4, $5, $6, $7, 'fr', 'es', $8, $9, $10, $10)";
    let &(who, status, start, minutes, in_person) = b;
    let Some(interpreter) = people.get(who) else { return };
    let starts_at = base() + TimeDelta::minutes(start);
    on_pool!(store, |pool| sqlx::query(SQL)
        .bind(format!("T-{number}"))
        .bind(status)
        .bind(if in_person { "in_person" } else { "phone" })
        .bind(starts_at.date_naive())
        .bind(starts_at.time())
        .bind(minutes)
        .bind(starts_at)
        .bind(requester.0)
        .bind(interpreter.0)
        .bind(support::start_time())
        .execute(pool)
        .await
        .unwrap()
        .rows_affected());
}

fn new_person(name: &str, role: Role) -> NewPerson {
    NewPerson {
        first_name: "Interprète".into(),
        last_name: name.into(),
        email: EmailAddress::parse(&format!("{}@bank.example", name.to_lowercase())).unwrap(),
        mobile: None,
        phone: None,
        locale: Locale::Fr,
        notify_email: true,
        notify_sms: false,
        roles: vec![role],
    }
}

async fn random_bank_ranks_as_read_afresh(
    interpreters: Vec<(bool, InterpreterProfile)>,
    bookings: Vec<Booking>,
    needs: Vec<NeedSpec>,
    change: Change,
) {
    let db = TestDb::new(Engine::Sqlite).await;
    let store = db.store().await;
    let now = support::start_time();
    let mut tx = store.begin().await.unwrap();
    for (code, name) in [("A", "Un"), ("B", "Deux")] {
        let e = tx.insert_establishment(code, name, None, now).await.unwrap();
        tx.insert_installation(e.id, name, None, None).await.unwrap();
    }
    let requester = tx
        .insert_person(&new_person("Demandeur", Role::Requester), "BI", now)
        .await
        .unwrap()
        .id;
    let mut people = Vec::new();
    for (i, (active, profile)) in interpreters.iter().enumerate() {
        let mut person = tx
            .insert_person(&new_person(&format!("N{i}"), Role::Interpreter), "BI", now)
            .await
            .unwrap();
        tx.set_interpreter_profile(person.id, profile).await.unwrap();
        if !active {
            person.active = false;
            tx.update_person(&person, now).await.unwrap();
        }
        people.push(person.id);
    }
    tx.commit().await.unwrap();
    for (number, b) in bookings.iter().enumerate() {
        insert_booking(&store, &people, requester, number, b).await;
    }
    let needs: Vec<Need> = needs.iter().map(|n| n.need(&people)).collect();
    for need in &needs {
        same_as_straightforward(&store, need, now).await;
    }

    let elsewhere = db.store().await;
    let person = |i: usize| people.get(i).copied();
    match &change {
        Change::Profile(i, profile) => {
            if let Some(id) = person(*i) {
                let mut tx = elsewhere.begin().await.unwrap();
                tx.set_interpreter_profile(id, profile).await.unwrap();
                tx.commit().await.unwrap();
            }
        }
        Change::Active(i, active) => {
            if let Some(id) = person(*i) {
                let mut tx = elsewhere.begin().await.unwrap();
                let mut p = tx.person(id).await.unwrap();
                p.active = *active;
                tx.update_person(&p, now).await.unwrap();
                tx.commit().await.unwrap();
            }
        }
        Change::Rename(i) => {
            if let Some(id) = person(*i) {
                on_pool!(&elsewhere, |pool| sqlx::query(
                    "UPDATE people SET first_name = 'Renommé' WHERE id = $1"
                )
                .bind(id.0)
                .execute(pool)
                .await
                .unwrap()
                .rows_affected());
            }
        }
        Change::NoLongerInterpreter(i) => {
            if let Some(id) = person(*i) {
                on_pool!(&elsewhere, |pool| sqlx::query(
                    "DELETE FROM person_roles WHERE person_id = $1 AND role = 'interpreter'"
                )
                .bind(id.0)
                .execute(pool)
                .await
                .unwrap()
                .rows_affected());
            }
        }
        Change::Booking(b) => insert_booking(&elsewhere, &people, requester, bookings.len(), b).await,
    }
    for need in &needs {
        same_as_straightforward(&store, need, now).await;
    }
    store.close().await;
    elsewhere.close().await;
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn kept_profiles_rank_as_a_fresh_reading(
        interpreters in proptest::collection::vec((prop_oneof![4 => Just(true), 1 => Just(false)], profile()), 1..8),
        bookings in proptest::collection::vec(booking(), 0..12),
        needs in proptest::collection::vec(need_spec(), 1..4),
        change in change(),
    ) {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(random_bank_ranks_as_read_afresh(interpreters, bookings, needs, change));
    }
}
