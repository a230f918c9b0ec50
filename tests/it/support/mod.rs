//! Shared test harness: fresh databases on both engines, a small bank, a hand-set clock.
#![allow(dead_code)]

pub mod faults;
pub mod mail;
pub mod process;
pub mod reply_case;
pub mod slow_relay;
pub mod smtp;
pub mod web;
pub mod webdriver;

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use relais::clock::{Clock, ManualClock};
use relais::domain::contact::{EmailAddress, PhoneE164, PhoneNumber};
use relais::domain::ids::{EstablishmentId, InstallationId, PersonId, RequestId};
use relais::domain::interpreter::{InterpreterProfile, LanguagePair};
use relais::domain::language::LanguageTag;
use relais::domain::locale::Locale;
use relais::domain::person::{NewPerson, RequesterProfile};
use relais::domain::request::{
    Notes, PatientDetails, Professional, RequestDetails, RequestStatus, RequestType, ServiceRecord, VideoDetails,
};
use relais::domain::role::{ActorKind, Channel, Role};
use relais::store::Store;
use relais::workflow::{Actor, Command, NewPersonCommand, Workflow, WorkflowConfig};
use std::sync::Arc;
use tempfile::TempDir;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// Generates one `#[tokio::test]` per engine for each named `async fn NAME(engine: Engine)`.
#[macro_export]
macro_rules! on_both_engines {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::support::Engine::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::support::Engine::Postgres).await
                }
            )*
        }
    };
}

/// The PostgreSQL server scripts/test.sh started. Missing, the test fails: CI must not skip it.
pub fn postgres_admin_url() -> String {
    std::env::var("RELAIS_TEST_POSTGRES_URL")
        .expect("RELAIS_TEST_POSTGRES_URL is not set: run the suite with scripts/test.sh, which starts PostgreSQL")
}

/// A fresh, empty database.
pub struct TestDb {
    pub url: String,
    pub engine: Engine,
    _dir: Option<TempDir>,
}

impl TestDb {
    pub async fn new(engine: Engine) -> TestDb {
        match engine {
            Engine::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}/relais.db", dir.path().display());
                TestDb {
                    url,
                    engine,
                    _dir: Some(dir),
                }
            }
            Engine::Postgres => {
                use sqlx::Connection;
                let admin = postgres_admin_url();
                let name = format!("relais_test_{}", uuid::Uuid::new_v4().simple());
                let mut conn = sqlx::PgConnection::connect(&admin)
                    .await
                    .expect("connect to test PostgreSQL");
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&mut conn)
                    .await
                    .expect("create test database");
                let (base, _) = admin.rsplit_once('/').expect("database URL has a path");
                TestDb {
                    url: format!("{base}/{name}"),
                    engine,
                    _dir: None,
                }
            }
        }
    }

    pub async fn store(&self) -> Store {
        let store = Store::connect(&self.url, 8).await.expect("connect");
        store.migrate().await.expect("migrate");
        store
    }
}

pub fn config() -> WorkflowConfig {
    WorkflowConfig {
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
        // Off unless a test turns it on: most tests follow one offer at a time.
        escalate_after_hours: 0,
        tier_size: 3,
    }
}

/// Monday 2 March 2026, 09:00 in Montréal.
pub fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 14, 0, 0).unwrap()
}

pub fn lang(s: &str) -> LanguageTag {
    LanguageTag::parse(s).unwrap()
}

/// A small bank on a fresh database.
pub struct TestBank {
    pub db: TestDb,
    pub store: Store,
    pub clock: Arc<ManualClock>,
    pub workflow: Workflow,
    pub establishment: EstablishmentId,
    pub other_establishment: EstablishmentId,
    pub installation: InstallationId,
    pub other_installation: InstallationId,
    pub coordinator: PersonId,
    /// Works at `installation`.
    pub requester: PersonId,
    /// Also works at `installation`.
    pub colleague: PersonId,
    /// Works at `other_installation`, in the other establishment.
    pub outsider: PersonId,
    /// Three interpreters of French → Spanish.
    pub interpreters: Vec<PersonId>,
    /// Files the test writes (sent mail, SMS logs), removed with the bank.
    pub scratch: tempfile::TempDir,
}

pub fn new_person(first: &str, last: &str, email: &str, role: Role, mobile: Option<&str>) -> NewPerson {
    NewPerson {
        first_name: first.into(),
        last_name: last.into(),
        email: EmailAddress::parse(email).unwrap(),
        mobile: mobile.map(|m| PhoneE164::parse(m, "CA").unwrap()),
        phone: None,
        locale: Locale::Fr,
        notify_email: true,
        notify_sms: mobile.is_some(),
        roles: vec![role],
    }
}

impl TestBank {
    /// A path in the bank's scratch folder that nothing uses yet (`sent-1f0c…`).
    pub fn scratch_path(&self, name: &str) -> std::path::PathBuf {
        self.scratch.path().join(format!("{name}-{}", uuid::Uuid::new_v4()))
    }

    pub async fn new(engine: Engine) -> TestBank {
        let db = TestDb::new(engine).await;
        let store = db.store().await;
        let clock = Arc::new(ManualClock::new(start_time()));
        let workflow = Workflow::new(store.clone(), config(), clock.clone());
        let now = start_time();
        let mut tx = store.begin().await.unwrap();
        let est = tx
            .insert_establishment("CCSMTL", "CIUSSS du Centre-Sud", None, now)
            .await
            .unwrap();
        let other = tx
            .insert_establishment("CIUSSSCN", "CIUSSS de la Capitale-Nationale", None, now)
            .await
            .unwrap();
        let inst = tx
            .insert_installation(est.id, "Hôpital Notre-Dame", Some("1560, rue Sherbrooke Est"), None)
            .await
            .unwrap();
        let other_inst = tx
            .insert_installation(other.id, "555, boulevard Hamel", None, None)
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let system = Actor {
            person: None,
            kind: ActorKind::System,
            channel: Channel::Cli,
        };
        let mk = |person: NewPerson, requester: Option<RequesterProfile>, interpreter: Option<InterpreterProfile>| {
            NewPersonCommand {
                person,
                requester,
                interpreter,
            }
        };
        let coordinator = workflow
            .create_person(
                system,
                mk(
                    new_person("Sophie", "Gagnon", "coord@bi.example", Role::Coordinator, None),
                    None,
                    None,
                ),
            )
            .await
            .unwrap()
            .person
            .id;
        let profile = |i: InstallationId, e: EstablishmentId| RequesterProfile {
            establishment_id: e,
            installations: vec![i],
            cost_centre_id: None,
            notify_when_offered: false,
        };
        let requester = workflow
            .create_person(
                system,
                mk(
                    new_person("Marie", "Tremblay", "marie@ciusss.example", Role::Requester, None),
                    Some(profile(inst.id, est.id)),
                    None,
                ),
            )
            .await
            .unwrap()
            .person
            .id;
        let colleague = workflow
            .create_person(
                system,
                mk(
                    new_person("Luc", "Roy", "luc@ciusss.example", Role::Requester, None),
                    Some(profile(inst.id, est.id)),
                    None,
                ),
            )
            .await
            .unwrap()
            .person
            .id;
        let outsider = workflow
            .create_person(
                system,
                mk(
                    new_person("Emily", "Clarke", "emily@cn.example", Role::Requester, None),
                    Some(profile(other_inst.id, other.id)),
                    None,
                ),
            )
            .await
            .unwrap()
            .person
            .id;
        let mut interpreters = Vec::new();
        for (i, (first, last)) in [("Lucía", "Ramírez"), ("Diego", "Fernández"), ("Ana", "Soto")]
            .into_iter()
            .enumerate()
        {
            let profile = InterpreterProfile {
                language_pairs: vec![LanguagePair {
                    source: lang("fr"),
                    target: lang("es"),
                    origin_country: None,
                }],
                request_types: vec![RequestType::InPerson, RequestType::Phone],
                ..InterpreterProfile::default()
            };
            let id = workflow
                .create_person(
                    system,
                    mk(
                        new_person(
                            first,
                            last,
                            &format!("interp{i}@interpretes.example"),
                            Role::Interpreter,
                            Some(&format!("514 555 01{:02}", 10 + i)),
                        ),
                        None,
                        Some(profile),
                    ),
                )
                .await
                .unwrap()
                .person
                .id;
            interpreters.push(id);
        }
        TestBank {
            scratch: tempfile::tempdir().unwrap(),
            db,
            store,
            clock,
            workflow,
            establishment: est.id,
            other_establishment: other.id,
            installation: inst.id,
            other_installation: other_inst.id,
            coordinator,
            requester,
            colleague,
            outsider,
            interpreters,
        }
    }

    /// A request for Monday 9 March 2026 at 10:00, one hour, French → Spanish, in person.
    /// Monday 9 March 2026; a week after the clock once a test has moved past that day (by
    /// recording a service, which happens after the appointment).
    pub fn appointment_date(&self) -> NaiveDate {
        let default = NaiveDate::from_ymd_opt(2026, 3, 9).unwrap();
        let today = self.clock.now().with_timezone(&config().time_zone).date_naive();
        if today >= default {
            today + chrono::Days::new(7)
        } else {
            default
        }
    }

    pub fn details(&self) -> RequestDetails {
        RequestDetails {
            installation_id: self.installation,
            location: "Clinique externe, 3e étage".into(),
            address: Some("1560, rue Sherbrooke Est".into()),
            request_type: RequestType::InPerson,
            date: self.appointment_date(),
            start_time: NaiveTime::from_hms_opt(10, 0, 0).unwrap(),
            flexible_until: None,
            duration_minutes: 60,
            source_language: lang("français"),
            target_language: lang("Espagnol"),
            alternative_language: None,
            alternative_date: None,
            professional: Professional {
                name: Some("Dre Tremblay".into()),
                function: Some("Pédiatre".into()),
                phone: Some(PhoneNumber::parse("514-597-3284", "CA").unwrap()),
                email: Some(EmailAddress::parse("dre.tremblay@ciusss.example").unwrap()),
            },
            preferred_interpreter: None,
            interpreter_gender: None,
            interpreter_must_notify_user: true,
            notes: Notes {
                context: Some("Interruption de grossesse".into()),
                reason: Some("Consultation".into()),
                message_to_interpreter: Some("Accueil pédiatrie".into()),
                coordinator_note: Some("Interprète habituelle si possible".into()),
            },
            patient: PatientDetails {
                name: Some("Patiente Confidentielle".into()),
                phone: Some("514 555 0199".into()),
                details: Some("Diabète de grossesse".into()),
            },
            video: VideoDetails::default(),
            cost_centre_id: None,
            billing_code_id: None,
            interpreter_type: None,
            on_site: Default::default(),
            supplementary: false,
        }
    }

    pub fn as_requester(&self) -> Actor {
        Actor::requester(self.requester, Channel::Email)
    }

    pub fn as_coordinator(&self) -> Actor {
        Actor::coordinator(self.coordinator, Channel::Web)
    }

    pub fn as_interpreter(&self, i: usize) -> Actor {
        Actor::interpreter(self.interpreters[i], Channel::Sms)
    }

    pub async fn create(&self) -> RequestId {
        self.workflow
            .execute(
                self.as_requester(),
                Command::CreateRequest {
                    requested_by: self.requester,
                    details: self.details(),
                    submit: true,
                },
            )
            .await
            .unwrap()
            .request
    }

    /// A request brought to `status` along the usual path; interpreter 0 is the one booked.
    pub async fn request_in(&self, status: RequestStatus) -> RequestId {
        use RequestStatus as S;
        if status == S::Draft {
            return self
                .workflow
                .execute(
                    self.as_requester(),
                    Command::CreateRequest {
                        requested_by: self.requester,
                        details: self.details(),
                        submit: false,
                    },
                )
                .await
                .unwrap()
                .request;
        }
        let id = self.create().await;
        let steps: Vec<(Actor, Command)> = match status {
            S::Draft | S::New => vec![],
            S::Cancelled => vec![(self.as_requester(), cancel(id))],
            _ => {
                let mut steps = vec![(self.as_coordinator(), offer(id, vec![self.interpreters[0]]))];
                match status {
                    S::Offered => {}
                    S::Booked => steps.push((self.as_interpreter(0), Command::AcceptOffer { request: id })),
                    S::Modified => {
                        steps.push((self.as_interpreter(0), Command::AcceptOffer { request: id }));
                        let mut d = self.details();
                        d.duration_minutes = 90;
                        steps.push((
                            self.as_requester(),
                            Command::ModifyRequest {
                                request: id,
                                details: d,
                            },
                        ));
                    }
                    S::ServiceRendered | S::Validated | S::Closed => {
                        steps.push((self.as_interpreter(0), Command::AcceptOffer { request: id }));
                        steps.push((
                            self.as_interpreter(0),
                            Command::RecordService {
                                request: id,
                                record: record(),
                            },
                        ));
                        if status != S::ServiceRendered {
                            steps.push((self.as_requester(), Command::ValidateService { request: id }));
                        }
                        if status == S::Closed {
                            steps.push((self.as_coordinator(), Command::CloseRequest { request: id }));
                        }
                    }
                    _ => unreachable!(),
                }
                steps
            }
        };
        for (actor, command) in steps {
            if matches!(command, Command::RecordService { .. }) {
                // A service is recorded once it has happened.
                let r = self.load(id).await;
                let end = r.starts_at + chrono::TimeDelta::minutes(i64::from(r.details.duration_minutes));
                if self.clock.now() < end {
                    self.clock.set(end);
                }
            }
            self.workflow.execute(actor, command).await.unwrap();
        }
        let mut tx = self.store.begin().await.unwrap();
        assert_eq!(tx.request(id).await.unwrap().status, status);
        tx.commit().await.unwrap();
        id
    }

    /// The name people read for this person.
    pub async fn name_of(&self, id: PersonId) -> String {
        let mut tx = self.store.begin().await.unwrap();
        let p = tx.person(id).await.unwrap();
        tx.commit().await.unwrap();
        p.display_name()
    }

    pub async fn load(&self, id: RequestId) -> relais::domain::request::Request {
        let mut tx = self.store.begin().await.unwrap();
        let r = tx.request(id).await.unwrap();
        tx.commit().await.unwrap();
        r
    }
}

pub fn offer(request: RequestId, interpreters: Vec<PersonId>) -> Command {
    Command::OfferRequest {
        request,
        interpreters,
        expires_at: None,
    }
}

pub fn cancel(request: RequestId) -> Command {
    Command::CancelRequest {
        request,
        reason: relais::domain::request::CancellationReason::AppointmentRescheduled,
        detail: None,
    }
}

pub fn record() -> ServiceRecord {
    let at = |h| NaiveTime::from_hms_opt(h, 0, 0).unwrap_or_default();
    ServiceRecord {
        comments: Some("RAS".into()),
        ..ServiceRecord::completed(at(10), at(11))
    }
}

/// Settings over the bank's database with the test signing key, mail and SMS written to a
/// fresh temporary folder, no mailbox read; `extra` variables go on top.
pub fn settings(bank: &TestBank, extra: &[(&str, String)]) -> relais::config::Settings {
    let out = bank.scratch_path("out");
    let mut env = vec![
        ("RELAIS__DATABASE__URL".to_string(), bank.db.url.clone()),
        (
            "RELAIS__SECURITY__SIGNING_KEY".to_string(),
            mail::SIGNING_KEY.to_string(),
        ),
        ("RELAIS__MAIL__INBOUND".to_string(), "none".to_string()),
        ("RELAIS__MAIL__OUTBOX_FOLDER".to_string(), out.display().to_string()),
        (
            "RELAIS__SMS__LOG_FILE".to_string(),
            out.join("sms.log").display().to_string(),
        ),
    ];
    env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.clone())));
    relais::config::Settings::from_toml_and_env(include_str!("../../../config/default.toml"), env).unwrap()
}

/// A `relais serve` over the bank's database on a free loopback port, stopped when dropped.
pub struct Served {
    pub port: u16,
    /// The port of `/metrics` when `metrics.bind` gives it an address of its own.
    pub metrics_port: Option<u16>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Served {
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// A loopback listener on a port the system picked, and that port: held from here on, so no
/// other test can take it between the choice and the use.
pub fn listener() -> (tokio::net::TcpListener, u16) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    (tokio::net::TcpListener::from_std(listener).unwrap(), port)
}

/// Starts Relais for `bank` (its settings, its clock) with `extra` variables on top.
pub async fn serve(bank: &TestBank, extra: &[(&str, String)]) -> Served {
    let (listener, port) = listener();
    let mut env = vec![("RELAIS__WEB__PUBLIC_BASE_URL", format!("http://127.0.0.1:{port}"))];
    env.extend(extra.iter().map(|(k, v)| (*k, v.clone())));
    let app = relais::app::App::build_on(&settings(bank, &env), bank.clock.clone(), listener)
        .await
        .unwrap();
    let metrics_port = app.metrics_port();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(app.run_until_stopped(async move {
        let _ = stopped.await;
    }));
    Served {
        port,
        metrics_port,
        stop: Some(stop),
    }
}

/// The coordinator's digest as it would be mailed now, in French.
pub async fn digest_text(bank: &TestBank) -> String {
    use relais::clock::Clock as _;
    let keys = web::keys();
    let ctx = relais::outbound::digest::LinkContext {
        keys: &keys,
        public_base_url: "https://relais.example",
        ttl: chrono::TimeDelta::hours(72),
        now: bank.clock.now(),
        time_zone: chrono_tz::America::Montreal,
        candidates: 3,
    };
    let mut tx = bank.store.begin().await.unwrap();
    let coordinator = tx.person(bank.coordinator).await.unwrap();
    let digest = relais::outbound::digest::gather(&mut tx, &coordinator, &ctx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    relais::outbound::digest::render_text(&digest, &coordinator, "Banque test").unwrap()
}

/// The ids of the last `n` messages queued in the outbox, oldest first: a queued
/// message's id is known once its transaction sent the write ([`relais::store::Tx::enqueue`]
/// sends it with the next statement), so tests read it back.
pub async fn last_outbox_ids(store: &Store, n: usize) -> Vec<i64> {
    const SQL: &str = "SELECT id FROM outbox ORDER BY id DESC LIMIT $1";
    let limit = i64::try_from(n).unwrap();
    let mut ids: Vec<i64> = match store {
        Store::Postgres(pool, _) => sqlx::query_scalar(SQL).bind(limit).fetch_all(pool).await.unwrap(),
        Store::Sqlite(pool, ..) => sqlx::query_scalar(SQL).bind(limit).fetch_all(pool).await.unwrap(),
    };
    ids.reverse();
    ids
}

/// A system's history entry about `request`, with `action`: writes for the store's tests.
pub fn history_note(request: RequestId, action: &str) -> relais::domain::history::NewHistoryEntry {
    use relais::domain::history::{Change, Entity, NewHistoryEntry};
    NewHistoryEntry {
        entity: Entity::Request,
        entity_id: request.0,
        at: start_time(),
        actor_id: None,
        actor_kind: ActorKind::System,
        channel: Channel::System,
        action: action.to_string(),
        changes: vec![Change::new("x", 1, 2)],
    }
}

/// The actions of `entries` after the first (a request's creation).
pub fn actions_since_created(entries: Vec<relais::domain::history::HistoryEntry>) -> Vec<String> {
    entries.into_iter().skip(1).map(|e| e.action).collect()
}
