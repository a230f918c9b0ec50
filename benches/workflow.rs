//! How long the core takes: pure rules (microseconds or less) and one whole command
//! through the workflow on the embedded SQLite default (one transaction).
//!
//! Run: `cargo bench --bench workflow`. Figures are reported in the issue notes.

use chrono::{NaiveDate, NaiveTime, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use relais::clock::ManualClock;
use relais::domain::contact::EmailAddress;
use relais::domain::ids::{InstallationId, PersonId};
use relais::domain::language::LanguageTag;
use relais::domain::locale::Locale;
use relais::domain::person::{NewPerson, RequesterProfile};
use relais::domain::request::{
    Event, Notes, PatientDetails, Professional, RequestDetails, RequestNumber, RequestStatus, RequestType, VideoDetails,
};
use relais::domain::role::{ActorKind, Channel, Role};
use relais::store::Store;
use relais::workflow::{Actor, Command, NewPersonCommand, Workflow, WorkflowConfig};
use std::hint::black_box;
use std::sync::Arc;

fn pure(c: &mut Criterion) {
    c.bench_function("state_machine/apply", |b| {
        b.iter(|| black_box(RequestStatus::Modified).apply(black_box(Event::Accept), black_box(ActorKind::Interpreter)))
    });
    c.bench_function("language/parse_name", |b| {
        b.iter(|| LanguageTag::parse(black_box(" Arabe (Maroc) ")))
    });
    c.bench_function("request_number/parse", |b| {
        b.iter(|| RequestNumber::parse(black_box("hc-24240002")))
    });
    let keys = relais::security::link::LinkKeys::new(
        relais::config::Secret::new("0123456789abcdef0123456789abcdef"),
        &[relais::config::Secret::new("an-older-key-an-older-key-an-older")],
    );
    let claim = relais::security::link::LinkClaim {
        action: relais::security::link::LinkAction::Accept,
        request: relais::domain::ids::RequestId(4213),
        recipient: PersonId(57),
        version: 6,
        expires_at: Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap(),
        subjects: vec![],
    };
    let token = keys.sign(&claim);
    let now = Utc.with_ymd_and_hms(2026, 11, 22, 0, 0, 0).unwrap();
    c.bench_function("link/sign", |b| b.iter(|| keys.sign(black_box(&claim))));
    c.bench_function("link/verify", |b| b.iter(|| keys.verify(black_box(&token), now)));
}

/// The coordinators' forms and files: a pasted list of language pairs, and a 100-line import.
fn people(c: &mut Criterion) {
    c.bench_function("person_form/read_languages", |b| {
        b.iter(|| {
            let mut problems = relais::domain::person_form::Problems::default();
            relais::domain::person_form::read_languages(
                black_box("français > espagnol\nEnglish -> Arabic\narabe (Maroc) > français"),
                &mut problems,
            )
        })
    });
    let mut file = String::from("courriel;prénom;nom;rôle;établissement;installation;langue\n");
    for i in 0..100 {
        file.push_str(&format!(
            "p{i}@ciusss.example;Prénom{i};Nom{i};demandeur;CCSMTL;Hôpital Notre-Dame;fr\n"
        ));
    }
    c.bench_function("person_import/read_100_lines", |b| {
        b.iter(|| relais::domain::person_import::read(black_box(&file)))
    });
}

fn details(installation: InstallationId) -> RequestDetails {
    RequestDetails {
        installation_id: installation,
        location: "Clinique externe".into(),
        address: None,
        request_type: RequestType::InPerson,
        date: NaiveDate::from_ymd_opt(2026, 3, 9).unwrap(),
        start_time: NaiveTime::from_hms_opt(10, 0, 0).unwrap(),
        flexible_until: None,
        duration_minutes: 60,
        source_language: LanguageTag::parse("fr").unwrap(),
        target_language: LanguageTag::parse("es").unwrap(),
        alternative_language: None,
        alternative_date: None,
        professional: Professional::default(),
        preferred_interpreter: None,
        interpreter_gender: None,
        interpreter_must_notify_user: false,
        notes: Notes::default(),
        patient: PatientDetails::default(),
        video: VideoDetails::default(),
        cost_centre_id: None,
        billing_code_id: None,
        interpreter_type: None,
        on_site: Default::default(),
        supplementary: false,
    }
}

fn workflow(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (wf, requester, installation) = rt.block_on(async {
        let store = Store::connect(&format!("sqlite://{}/bench.db", dir.path().display()), 4)
            .await
            .unwrap();
        store.migrate().await.unwrap();
        let clock = Arc::new(ManualClock::new(Utc.with_ymd_and_hms(2026, 3, 2, 14, 0, 0).unwrap()));
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
        let wf = Workflow::new(store.clone(), config, clock);
        let mut tx = store.begin().await.unwrap();
        let now = Utc::now();
        let est = tx.insert_establishment("B", "Bench", None, now).await.unwrap();
        let inst = tx.insert_installation(est.id, "Site", None, None).await.unwrap();
        tx.commit().await.unwrap();
        let system = Actor {
            person: None,
            kind: ActorKind::System,
            channel: Channel::Cli,
        };
        let requester: PersonId = wf
            .create_person(
                system,
                NewPersonCommand {
                    person: NewPerson {
                        first_name: "Marie".into(),
                        last_name: "Tremblay".into(),
                        email: EmailAddress::parse("marie@bench.example").unwrap(),
                        mobile: None,
                        phone: None,
                        locale: Locale::Fr,
                        notify_email: true,
                        notify_sms: false,
                        roles: vec![Role::Requester],
                    },
                    requester: Some(RequesterProfile {
                        establishment_id: est.id,
                        installations: vec![inst.id],
                        cost_centre_id: None,
                        notify_when_offered: false,
                    }),
                    interpreter: None,
                },
            )
            .await
            .unwrap()
            .person
            .id;
        (wf, requester, inst.id)
    });
    let accounts = relais::workflow::accounts::Accounts::new(
        wf.clone(),
        relais::config::Secret::new("0123456789abcdef0123456789abcdef"),
        &[],
        "Bench",
    )
    .unwrap();
    let actor = Actor::requester(requester, Channel::Email);
    let mut group = c.benchmark_group("workflow_sqlite");
    group.sample_size(50);
    group.bench_function("create_request_with_ack", |b| {
        b.to_async(&rt).iter(|| async {
            wf.execute(
                actor,
                Command::CreateRequest {
                    requested_by: requester,
                    details: details(installation),
                    submit: true,
                },
            )
            .await
            .unwrap()
        })
    });
    // One line of an import: a new person created, then invited (two transactions and the
    // activation mail queued).
    let serial = std::sync::atomic::AtomicU64::new(0);
    group.bench_function("import_line_new_interpreter", |b| {
        b.to_async(&rt).iter(|| async {
            let n = serial.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let line = relais::workflow::accounts::ImportLine {
                email: EmailAddress::parse(&format!("i{n}@bench.example")).unwrap(),
                first_name: "Omar".into(),
                last_name: "Haddad".into(),
                role: Role::Interpreter,
                establishment: None,
                installations: Vec::new(),
                locale: Locale::Fr,
                interpreter: None,
            };
            accounts.import_line(Actor::system(), &line).await.unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, pure, people, workflow);
criterion_main!(benches);
