//! The store on both engines: round trips, constraints, counters, append-only history.

use crate::support;

use chrono::{NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use relais::domain::contact::EmailAddress;
use relais::domain::history::{Change, Entity, NewHistoryEntry};
use relais::domain::ids::PersonId;
use relais::domain::interpreter::{
    Availability, EligibilityDocument, FinancialFile, Inactivity, InterpreterProfile, LanguagePair, TaxNumber,
    TaxRegistration, WeeklyHours,
};
use relais::domain::locale::Locale;
use relais::domain::person::NewPerson;
use relais::domain::request::{Gender, RequestType};
use relais::domain::role::{ActorKind, Channel, Role};
use relais::store::StoreError;
use support::{Engine, TestBank, TestDb, lang};

on_both_engines!(
    migrations_run_twice,
    interpreter_profile_round_trips,
    email_addresses_are_unique,
    request_round_trips_whole,
    stale_versions_are_refused,
    sequences_count_from_one,
    history_is_append_only,
    rolled_back_changes_leave_nothing,
    quebec_sign_language_stored_under_its_old_tag_moves_to_its_own,
    rows_read_twice_in_a_transaction_follow_its_writes_and_rollbacks,
    savepoints_released_late_keep_and_undo_what_they_would_have_at_once,
    request_numbers_are_taken_without_holding_up_other_writers,
    only_the_relaxed_transaction_commits_without_waiting_for_the_disk,
    writes_sent_later_keep_their_order_and_a_failed_one_breaks_the_transaction,
);

async fn migrations_run_twice(engine: Engine) {
    let db = TestDb::new(engine).await;
    let store = db.store().await;
    store.migrate().await.expect("second run is a no-op");
    store.ping().await.unwrap();
}

async fn interpreter_profile_round_trips(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let profile = InterpreterProfile {
        language_pairs: vec![
            LanguagePair {
                source: lang("en"),
                target: lang("hu"),
                origin_country: Some("Hongrie".into()),
            },
            LanguagePair {
                source: lang("fr"),
                target: lang("ar-MA"),
                origin_country: None,
            },
        ],
        request_types: vec![RequestType::InPerson, RequestType::Video, RequestType::Translation],
        main_region: Some("08-Abitibi-Témiscamingue".into()),
        work_postal_code: Some("J9P 0J7".into()),
        address: Some("1001 3e Avenue E".into()),
        postal_code: Some("J9P 0J7".into()),
        gender: Some(Gender::Male),
        availability: Availability::Weekly(vec![
            WeeklyHours {
                weekday: Weekday::Mon,
                starts: NaiveTime::from_hms_opt(8, 30, 0).unwrap(),
                ends: NaiveTime::from_hms_opt(12, 0, 0).unwrap(),
            },
            WeeklyHours {
                weekday: Weekday::Sun,
                starts: NaiveTime::from_hms_opt(13, 0, 0).unwrap(),
                ends: NaiveTime::from_hms_opt(17, 0, 0).unwrap(),
            },
        ]),
        inactivity: vec![Inactivity {
            starts_at: Utc.with_ymd_and_hms(2026, 10, 28, 15, 7, 0).unwrap(),
            ends_at: Utc.with_ymd_and_hms(2026, 10, 31, 20, 7, 0).unwrap(),
            reason: Some("Vacances".into()),
        }],
        documents: vec![EligibilityDocument {
            name: "Permis de travail / d'étude".into(),
            description: None,
            valid_until: NaiveDate::from_ymd_opt(2025, 3, 30),
            inactive_if_invalid: false,
            comments: Some("renouvellement demandé".into()),
            file_id: None,
        }],
        blocked_establishments: vec![bank.other_establishment],
        contexts: vec!["DPJ".into(), "Santé mentale".into()],
        financial: FinancialFile {
            legal_name: Some("Nomme Pepe".into()),
            supplier_number: Some("UBIPN001".into()),
            tax_registration: TaxRegistration::Inclusive,
            gst: Some(TaxNumber {
                number: "123456789RT0001".into(),
                from: NaiveDate::from_ymd_opt(2024, 1, 1),
                until: None,
            }),
            qst: None,
        },
    };
    let mut tx = bank.store.begin().await.unwrap();
    tx.set_interpreter_profile(bank.interpreters[1], &profile)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut tx = bank.store.begin().await.unwrap();
    let loaded = tx.interpreter_profile(bank.interpreters[1]).await.unwrap().unwrap();
    tx.commit().await.unwrap();
    let mut expected = profile.clone();
    expected
        .language_pairs
        .sort_by(|a, b| (a.source.as_str(), a.target.as_str()).cmp(&(b.source.as_str(), b.target.as_str())));
    expected.request_types.sort_by_key(|t| t.as_str());
    assert_eq!(loaded, expected);
    assert!(
        tx_none_profile(&bank, bank.requester).await,
        "a requester has no interpreter profile"
    );
}

async fn tx_none_profile(bank: &TestBank, person: PersonId) -> bool {
    let mut tx = bank.store.begin().await.unwrap();
    let p = tx.interpreter_profile(person).await.unwrap();
    tx.commit().await.unwrap();
    p.is_none()
}

async fn email_addresses_are_unique(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let person = NewPerson {
        first_name: "Autre".into(),
        last_name: "Marie".into(),
        email: EmailAddress::parse("MARIE@ciusss.example").unwrap(),
        mobile: None,
        phone: None,
        locale: Locale::En,
        notify_email: true,
        notify_sms: false,
        roles: vec![Role::Requester],
    };
    let mut tx = bank.store.begin().await.unwrap();
    let err = tx
        .insert_person(&person, "BI", support::start_time())
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict(ref what) if what.contains("email")),
        "{err:?}"
    );
}

async fn request_round_trips_whole(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let id = bank.create().await;
    let loaded = bank.load(id).await;
    assert_eq!(loaded.details, bank.details());
    assert_eq!(loaded.requested_by, bank.requester);
    assert_eq!(loaded.establishment_id, bank.establishment);
    // 10:00 in Montréal on 9 March 2026 (EDT began 8 March) is 14:00 UTC.
    assert_eq!(loaded.starts_at, Utc.with_ymd_and_hms(2026, 3, 9, 14, 0, 0).unwrap());
    assert_eq!(loaded.created_at, support::start_time());
    assert_eq!(loaded.number.as_ref().unwrap().as_str(), "HC-26061001");
    let mut tx = bank.store.begin().await.unwrap();
    let by_number = tx.request_id_by_number(loaded.number.as_ref().unwrap()).await.unwrap();
    assert_eq!(by_number, Some(id));
}

async fn stale_versions_are_refused(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let id = bank.create().await;
    let mut request = bank.load(id).await;
    request.details.location = "Ailleurs".into();
    request.version += 1;
    let mut tx = bank.store.begin().await.unwrap();
    tx.update_request(&request, 1).await.unwrap();
    tx.commit().await.unwrap();
    request.version += 1;
    let mut tx = bank.store.begin().await.unwrap();
    let err = tx.update_request(&request, 1).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    drop(tx);
    assert_eq!(bank.load(id).await.version, 2);
}

async fn sequences_count_from_one(engine: Engine) {
    let db = TestDb::new(engine).await;
    let store = db.store().await;
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.next_in_sequence("a").await.unwrap(), 1);
    assert_eq!(tx.next_in_sequence("a").await.unwrap(), 2);
    assert_eq!(tx.next_in_sequence("b").await.unwrap(), 1);
    tx.commit().await.unwrap();
}

async fn history_is_append_only(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let id = bank.create().await;
    let mut tx = bank.store.begin().await.unwrap();
    tx.record_history(&NewHistoryEntry {
        entity: Entity::Request,
        entity_id: id.0,
        at: support::start_time(),
        actor_id: None,
        actor_kind: ActorKind::System,
        channel: Channel::System,
        action: "note".into(),
        changes: vec![Change::new("x", 1, 2)],
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let store = &bank.store;
    for sql in ["UPDATE history SET action = 'tampered'", "DELETE FROM history"] {
        let result = match store {
            relais::store::Store::Sqlite(pool, ..) => sqlx::query(sql).execute(pool).await.map(|_| ()),
            relais::store::Store::Postgres(pool, _) => sqlx::query(sql).execute(pool).await.map(|_| ()),
        };
        let err = result.expect_err("history must refuse changes");
        assert!(err.to_string().contains("append-only"), "{err}");
    }
    let mut tx = bank.store.begin().await.unwrap();
    let entries = tx.history_of(Entity::Request, id.0).await.unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[1].action, "note");
    assert_eq!(entries[1].changes, vec![Change::new("x", 1, 2)]);
}

async fn rolled_back_changes_leave_nothing(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let mut tx = bank.store.begin().await.unwrap();
    tx.insert_establishment("GONE", "Rolled back", None, support::start_time())
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    let mut tx = bank.store.begin().await.unwrap();
    assert!(tx.establishment_by_code("GONE").await.unwrap().is_none());
}

/// SQLite commits are durable before they return (a source is acknowledged after its
/// commit): every connection of the pool runs with `synchronous = FULL` in WAL mode.
#[tokio::test]
async fn sqlite_commits_are_durable_before_they_return() {
    let db = TestDb::new(Engine::Sqlite).await;
    let store = db.store().await;
    let relais::store::Store::Sqlite(pool, ..) = &store else {
        panic!("a SQLite store")
    };
    for _ in 0..3 {
        let mut conn = pool.acquire().await.unwrap();
        let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        assert_eq!(synchronous, 2, "2 is FULL");
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        assert_eq!(mode, "wal");
    }
}

/// LSQ was stored as `fqs` (Fas, a spoken language) before migration 0027: the migration
/// moves interpreters' languages and requests to `fcs`, and leaves every other tag alone.
async fn quebec_sign_language_stored_under_its_old_tag_moves_to_its_own(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let id = bank.create().await;
    let interpreter = bank.interpreters[0].0;
    let before = [
        format!("UPDATE interpreter_languages SET target_language = 'fqs' WHERE person_id = {interpreter}"),
        format!(
            "UPDATE requests SET target_language = 'fqs', alternative_language = 'fqs' WHERE id = {}",
            id.0
        ),
    ];
    let migration = match engine {
        Engine::Postgres => include_str!("../../migrations/postgres/0027_quebec_sign_language_tag.sql"),
        Engine::Sqlite => include_str!("../../migrations/sqlite/0027_quebec_sign_language_tag.sql"),
    };
    let statements: Vec<String> = before
        .into_iter()
        .chain(
            migration
                .lines()
                .filter(|l| !l.trim_start().starts_with("--"))
                .collect::<Vec<_>>()
                .join("\n")
                .split(';')
                .map(str::to_string)
                .filter(|s| !s.trim().is_empty())
                .collect::<Vec<_>>(),
        )
        .collect();
    let tags = "SELECT target_language FROM interpreter_languages ORDER BY person_id, target_language";
    let request = format!(
        "SELECT target_language || ' ' || alternative_language FROM requests WHERE id = {}",
        id.0
    );
    let (languages, requested) = match &bank.store {
        relais::store::Store::Sqlite(pool, ..) => {
            for sql in &statements {
                sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                    .execute(pool)
                    .await
                    .unwrap();
            }
            let languages: Vec<String> = sqlx::query_scalar(tags).fetch_all(pool).await.unwrap();
            let requested: String = sqlx::query_scalar(sqlx::AssertSqlSafe(request.clone()))
                .fetch_one(pool)
                .await
                .unwrap();
            (languages, requested)
        }
        relais::store::Store::Postgres(pool, _) => {
            for sql in &statements {
                sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                    .execute(pool)
                    .await
                    .unwrap();
            }
            let languages: Vec<String> = sqlx::query_scalar(tags).fetch_all(pool).await.unwrap();
            let requested: String = sqlx::query_scalar(sqlx::AssertSqlSafe(request.clone()))
                .fetch_one(pool)
                .await
                .unwrap();
            (languages, requested)
        }
    };
    assert_eq!(requested, "fcs fcs");
    assert!(languages.iter().any(|t| t == "fcs"), "{languages:?}");
    assert!(!languages.iter().any(|t| t == "fqs"), "{languages:?}");
    assert!(languages.iter().any(|t| t == "es"), "others untouched: {languages:?}");
    assert_eq!(bank.load(id).await.details.target_language.as_str(), "fcs");
}

/// A person (by id, and whom an address finds), an establishment, an installation and a
/// requester's profile are read once per transaction: a write in the same transaction, or
/// a rollback to a savepoint, must show in what is read after.
async fn rows_read_twice_in_a_transaction_follow_its_writes_and_rollbacks(engine: Engine) {
    use relais::store::Savepoint;
    let bank = TestBank::new(engine).await;
    let mut tx = bank.store.begin().await.unwrap();
    let before = tx.installation(bank.installation).await.unwrap();
    tx.update_installation(bank.installation, "Pavillon Sud", None, None)
        .await
        .unwrap();
    assert_eq!(tx.installation(bank.installation).await.unwrap().name, "Pavillon Sud");

    tx.savepoint_at(Savepoint::MESSAGE).await.unwrap();
    tx.update_installation(bank.installation, "Pavillon Nord", None, None)
        .await
        .unwrap();
    assert_eq!(tx.installation(bank.installation).await.unwrap().name, "Pavillon Nord");
    let mut profile = tx.requester_profile(bank.requester).await.unwrap().unwrap();
    let kept = profile.clone();
    profile.installations = vec![bank.installation, bank.other_installation];
    profile.notify_when_offered = !profile.notify_when_offered;
    tx.set_requester_profile(bank.requester, &profile).await.unwrap();
    assert_eq!(tx.requester_profile(bank.requester).await.unwrap(), Some(profile));
    tx.rollback_to(Savepoint::MESSAGE).await.unwrap();

    assert_eq!(
        tx.installation(bank.installation).await.unwrap().name,
        "Pavillon Sud",
        "the rolled-back name is not read"
    );
    assert_eq!(tx.requester_profile(bank.requester).await.unwrap(), Some(kept));

    // A person: found by address, then by id (as a form mail reads its sender), their
    // update and their roles read back, and a rollback forgotten.
    let address = tx.person(bank.requester).await.unwrap().email;
    let found = tx.person_by_email(&address).await.unwrap().unwrap();
    let mut person = tx.person(found.id).await.unwrap();
    assert_eq!(person, found);
    person.first_name = "Maryse".into();
    tx.update_person(&person, Utc::now()).await.unwrap();
    assert_eq!(tx.person(person.id).await.unwrap().first_name, "Maryse");
    tx.savepoint_at(Savepoint::MESSAGE).await.unwrap();
    tx.add_role(person.id, Role::Interpreter).await.unwrap();
    assert!(tx.person(person.id).await.unwrap().roles.contains(&Role::Interpreter));
    person.first_name = "Marie-Ève".into();
    tx.update_person(&person, Utc::now()).await.unwrap();
    assert_eq!(tx.person(person.id).await.unwrap().first_name, "Marie-Ève");
    tx.rollback_to(Savepoint::MESSAGE).await.unwrap();
    let back = tx.person(person.id).await.unwrap();
    assert_eq!(back.first_name, "Maryse", "the rolled-back name is not read");
    assert!(!back.roles.contains(&Role::Interpreter), "nor the rolled-back role");
    tx.set_roles(person.id, &[Role::Requester, Role::Coordinator])
        .await
        .unwrap();
    assert_eq!(
        tx.person(person.id).await.unwrap().roles.len(),
        2,
        "roles replaced are read back"
    );
    // Lookups by address follow the same writes: a new address, and someone new at an
    // address that found nobody.
    assert_eq!(tx.person_by_email(&address).await.unwrap().unwrap().roles.len(), 2);
    let moved = relais::domain::contact::EmailAddress::parse("maryse.nouvelle@ciusss.example").unwrap();
    assert_eq!(tx.person_by_email(&moved).await.unwrap(), None);
    person.email = moved.clone();
    person.roles = tx.person(person.id).await.unwrap().roles;
    tx.update_person(&person, Utc::now()).await.unwrap();
    assert_eq!(
        tx.person_by_email(&address).await.unwrap(),
        None,
        "the old address finds nobody"
    );
    assert_eq!(tx.person_by_email(&moved).await.unwrap().map(|p| p.id), Some(person.id));
    let newcomer = support::new_person("Léa", "Nadeau", address.as_str(), Role::Requester, None);
    let created = tx.insert_person(&newcomer, "BI", Utc::now()).await.unwrap();
    assert_eq!(
        tx.person_by_email(&address).await.unwrap().map(|p| p.id),
        Some(created.id)
    );

    // An establishment's new name is read back.
    let establishment = bank.establishment;
    let first = tx.establishment(establishment).await.unwrap();
    tx.update_establishment(establishment, "CIUSSS renommé", first.request_prefix.as_deref())
        .await
        .unwrap();
    assert_eq!(tx.establishment(establishment).await.unwrap().name, "CIUSSS renommé");
    tx.rollback().await.unwrap();
    let mut tx = bank.store.begin().await.unwrap();
    assert_eq!(tx.installation(bank.installation).await.unwrap(), before);
    assert_eq!(tx.person(bank.requester).await.unwrap().first_name, found.first_name);
    assert_eq!(tx.establishment(establishment).await.unwrap(), first);
    tx.commit().await.unwrap();
}

/// Savepoints are set and released with the next statement (`Tx::savepoint_at`): what is
/// kept and what is undone must be what sending them at once would give.
async fn savepoints_released_late_keep_and_undo_what_they_would_have_at_once(engine: Engine) {
    use relais::store::Savepoint;
    let db = TestDb::new(engine).await;
    let store = db.store().await;
    let now = Utc::now();
    let mut tx = store.begin().await.unwrap();
    // A command released inside a message, then the message undone: all of it goes.
    tx.savepoint_at(Savepoint::MESSAGE).await.unwrap();
    tx.insert_establishment("A", "Avant la commande", None, now)
        .await
        .unwrap();
    tx.savepoint().await.unwrap();
    tx.insert_establishment("B", "Dans la commande", None, now)
        .await
        .unwrap();
    tx.release_savepoint().await.unwrap();
    tx.insert_establishment("C", "Après la commande", None, now)
        .await
        .unwrap();
    tx.rollback_to(Savepoint::MESSAGE).await.unwrap();
    // A message kept, then the next one undone: the first stays.
    tx.savepoint_at(Savepoint::MESSAGE).await.unwrap();
    tx.insert_establishment("D", "Premier message", None, now)
        .await
        .unwrap();
    tx.savepoint().await.unwrap();
    tx.insert_establishment("E", "Sa commande", None, now).await.unwrap();
    tx.release_savepoint().await.unwrap();
    tx.release(Savepoint::MESSAGE).await.unwrap();
    tx.savepoint_at(Savepoint::MESSAGE).await.unwrap();
    tx.insert_establishment("F", "Second message", None, now).await.unwrap();
    tx.rollback_to(Savepoint::MESSAGE).await.unwrap();
    // A command undone after an earlier one of the same message was released.
    tx.savepoint_at(Savepoint::MESSAGE).await.unwrap();
    tx.savepoint().await.unwrap();
    tx.insert_establishment("G", "Première commande", None, now)
        .await
        .unwrap();
    tx.release_savepoint().await.unwrap();
    tx.savepoint().await.unwrap();
    tx.insert_establishment("H", "Seconde commande", None, now)
        .await
        .unwrap();
    tx.rollback_to_savepoint().await.unwrap();
    tx.release(Savepoint::MESSAGE).await.unwrap();
    // Releases still due when the transaction commits end with it.
    tx.commit().await.unwrap();

    let mut tx = store.begin_read().await.unwrap();
    let mut kept = Vec::new();
    for code in ["A", "B", "C", "D", "E", "F", "G", "H"] {
        if tx.establishment_by_code(code).await.unwrap().is_some() {
            kept.push(code);
        }
    }
    assert_eq!(kept, ["D", "E", "G"]);

    // A point released that was never set fails, with the statement it goes with.
    tx.release(Savepoint::SERIES).await.unwrap();
    tx.savepoint().await.unwrap();
    assert!(tx.establishment_by_code("D").await.is_err());
}

/// A request's number is unique under concurrent writers. On PostgreSQL it is taken apart
/// from the transaction (`Tx::take_number`): a second writer is not held up until the
/// first ends, and a number whose transaction is undone is skipped. On SQLite, one writer
/// at a time, it is given again.
async fn request_numbers_are_taken_without_holding_up_other_writers(engine: Engine) {
    let db = TestDb::new(engine).await;
    let store = db.store().await;
    let mut first = store.begin().await.unwrap();
    assert_eq!(first.take_number("request:HC-27004").await.unwrap(), 1);
    match engine {
        Engine::Postgres => {
            let mut second = store.begin().await.unwrap();
            let taken = tokio::time::timeout(
                std::time::Duration::from_secs(10),
                second.take_number("request:HC-27004"),
            )
            .await
            .expect("the second writer waited for the first transaction")
            .unwrap();
            assert_eq!(taken, 2);
            second.commit().await.unwrap();
            first.rollback().await.unwrap();
            let mut third = store.begin().await.unwrap();
            assert_eq!(
                third.take_number("request:HC-27004").await.unwrap(),
                3,
                "1 is not given again"
            );
            third.commit().await.unwrap();
        }
        Engine::Sqlite => {
            first.rollback().await.unwrap();
            let mut again = store.begin().await.unwrap();
            assert_eq!(
                again.take_number("request:HC-27004").await.unwrap(),
                1,
                "undone, given again"
            );
            again.commit().await.unwrap();
        }
    }
}

/// `Store::begin_relaxed` (the outbox's record of a sent message) is the one write whose
/// commit does not wait for the disk; every other transaction's does, before and after it
/// on the same store.
async fn only_the_relaxed_transaction_commits_without_waiting_for_the_disk(engine: Engine) {
    let db = TestDb::new(engine).await;
    let store = db.store().await;
    let mut tx = store.begin().await.unwrap();
    assert!(tx.commit_waits_for_disk().await.unwrap());
    tx.commit().await.unwrap();
    let mut relaxed = store.begin_relaxed().await.unwrap();
    assert!(!relaxed.commit_waits_for_disk().await.unwrap());
    relaxed
        .insert_establishment("R", "Relâché", None, Utc::now())
        .await
        .unwrap();
    relaxed.commit().await.unwrap();
    for _ in 0..3 {
        let mut tx = store.begin().await.unwrap();
        assert!(
            tx.commit_waits_for_disk().await.unwrap(),
            "the setting stayed on its own connection"
        );
        assert!(
            tx.establishment_by_code("R").await.unwrap().is_some(),
            "its commit is seen"
        );
        tx.commit().await.unwrap();
    }
    let mut read = store.begin_read().await.unwrap();
    assert!(read.commit_waits_for_disk().await.unwrap());
    read.commit().await.unwrap();
}

/// History entries and queued messages go with the next statement on SQLite
/// (`store/later.rs`): they are read back in order within their transaction, undone by a
/// rollback to a point set before them and kept by one set after them. One that fails
/// fails at the latest with the next statement, and then the transaction can only be
/// rolled back: nothing it wrote, before or after, is kept.
async fn writes_sent_later_keep_their_order_and_a_failed_one_breaks_the_transaction(engine: Engine) {
    use relais::store::Savepoint;
    use relais::store::outbox::{NewOutboxMessage, OutboxChannel};
    let bank = TestBank::new(engine).await;
    let id = bank.create().await;
    use support::{actions_since_created as actions, history_note as note};

    let mut tx = bank.store.begin().await.unwrap();
    tx.savepoint_at(Savepoint::MESSAGE).await.unwrap();
    tx.record_history(&note(id, "a")).await.unwrap();
    assert_eq!(actions(tx.history_of(Entity::Request, id.0).await.unwrap()), ["a"]);
    tx.savepoint().await.unwrap();
    tx.record_history(&note(id, "b")).await.unwrap();
    tx.rollback_to_savepoint().await.unwrap();
    tx.record_history(&note(id, "c")).await.unwrap();
    tx.savepoint().await.unwrap();
    tx.record_history(&note(id, "d")).await.unwrap();
    tx.release_savepoint().await.unwrap();
    tx.release(Savepoint::MESSAGE).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = bank.store.begin_read().await.unwrap();
    assert_eq!(
        actions(tx.history_of(Entity::Request, id.0).await.unwrap()),
        ["a", "c", "d"]
    );
    drop(tx);

    // A message to nobody: the database refuses it (no such person).
    let to_nobody = NewOutboxMessage {
        channel: OutboxChannel::Email,
        recipient: relais::domain::ids::PersonId(987_654),
        request: Some(id),
        notice: relais::domain::notice::Notice::Help {
            reason: String::new(),
            answering: Default::default(),
        },
    };
    let queued_before = support::last_outbox_ids(&bank.store, 1).await;
    let mut tx = bank.store.begin().await.unwrap();
    tx.record_history(&note(id, "before")).await.unwrap();
    let queued = tx.enqueue(&to_nobody, support::start_time()).await;
    tx.savepoint_at(Savepoint::MESSAGE).await.unwrap();
    let next = tx.next_in_sequence("later-test").await;
    assert!(
        queued.is_err() || next.is_err(),
        "the refusal shows with the next statement at the latest"
    );
    let after = tx.history_of(Entity::Request, id.0).await;
    assert!(after.is_err(), "nothing goes on after it: {after:?}");
    if engine == Engine::Sqlite {
        assert!(matches!(after, Err(relais::store::StoreError::Broken(_))), "{after:?}");
        assert!(matches!(
            tx.rollback_to(Savepoint::MESSAGE).await,
            Err(relais::store::StoreError::Broken(_))
        ));
    }
    let committed = tx.commit().await;
    // PostgreSQL ends an aborted transaction's COMMIT as a rollback, without an error.
    if engine == Engine::Sqlite {
        assert!(committed.is_err(), "a broken transaction does not commit");
    }

    // A write that fails at the commit, with nothing after it, fails the commit.
    let mut tx = bank.store.begin().await.unwrap();
    tx.record_history(&note(id, "alone")).await.unwrap();
    let queued = tx.enqueue(&to_nobody, support::start_time()).await;
    let committed = if queued.is_ok() { tx.commit().await } else { queued };
    assert!(committed.is_err());

    let mut tx = bank.store.begin_read().await.unwrap();
    assert_eq!(
        actions(tx.history_of(Entity::Request, id.0).await.unwrap()),
        ["a", "c", "d"]
    );
    drop(tx);
    assert_eq!(support::last_outbox_ids(&bank.store, 1).await, queued_before);
    let mut tx = bank.store.begin().await.unwrap();
    assert_eq!(
        tx.next_in_sequence("later-test").await.unwrap(),
        1,
        "the counter's step was undone"
    );
    tx.rollback().await.unwrap();
}
