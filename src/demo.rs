//! `relais demo`: a small, realistic bank, and one request walked through its whole life.
//!
//! The bank is seeded once (it is found again on later runs); each run books a new
//! request. Time is simulated from the real present so the walk can reach "48 hours
//! later" without waiting; every step prints the simulated time.

use crate::clock::{Clock, ManualClock};
use crate::config::Settings;
use crate::domain::contact::{EmailAddress, PhoneE164};
use crate::domain::ids::PersonId;
use crate::domain::interpreter::{
    Availability, EligibilityDocument, FinancialFile, InterpreterProfile, LanguagePair, TaxRegistration, WeeklyHours,
};
use crate::domain::language::LanguageTag;
use crate::domain::locale::Locale;
use crate::domain::person::{NewPerson, RequesterProfile};
use crate::domain::request::{Gender, RequestType, ServiceRecord};
use crate::domain::role::{Channel, Role};
use crate::inbound::pipeline::MailOutcome;
use crate::outbound::worker::Outbound;
use crate::security::reply_key::{ReplyKey, ReplyPurpose};
use crate::store::Store;
use crate::workflow::{Actor, Applied, Command, NewPersonCommand, Workflow, WorkflowConfig};
use anyhow::Context as _;
use chrono::{Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use std::io::Write;
use std::sync::Arc;

/// The seeded bank, as the demo needs it.
struct Bank {
    coordinator: PersonId,
    requester: PersonId,
    spanish_interpreters: Vec<PersonId>,
}

/// (name, address, postal code)
type SeedSite = (&'static str, &'static str, &'static str);
/// (code, description)
type SeedCode = (&'static str, &'static str);
/// (code, name, installations, cost centres)
type SeedEstablishment = (&'static str, &'static str, &'static [SeedSite], &'static [SeedCode]);
/// (first name, last name, region, postal code, gender, language pairs source→target)
type SeedInterpreter = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Gender,
    &'static [(&'static str, &'static str)],
);

const ESTABLISHMENTS: &[SeedEstablishment] = &[
    (
        "CCSMTL",
        "CIUSSS du Centre-Sud-de-l'Île-de-Montréal",
        &[
            ("Hôpital Notre-Dame", "1560, rue Sherbrooke Est, Montréal", "H2L 4M1"),
            ("CLSC des Faubourgs", "1705, rue de la Visitation, Montréal", "H2L 3C3"),
        ],
        &[
            ("7301110", "DA services multidisciplinaires - volet opérations"),
            ("6710", "BPUE / DQEPE"),
        ],
    ),
    (
        "CIUSSSCN",
        "CIUSSS de la Capitale-Nationale",
        &[
            (
                "555, boulevard Hamel",
                "555, boulevard Wilfrid-Hamel, Québec",
                "G1M 3X7",
            ),
            ("Hôpital de l'Enfant-Jésus", "1401, 18e Rue, Québec", "G1J 1Z4"),
        ],
        &[("7301110", "Services sociaux généraux")],
    ),
];

const INTERPRETERS: &[SeedInterpreter] = &[
    (
        "Lucía",
        "Ramírez",
        "06-Montréal",
        "H2X 1Y4",
        Gender::Female,
        &[("fr", "es"), ("en", "es")],
    ),
    (
        "Diego",
        "Fernández",
        "06-Montréal",
        "H3N 2K1",
        Gender::Male,
        &[("fr", "es")],
    ),
    (
        "Youssef",
        "Benali",
        "06-Montréal",
        "H1N 3B2",
        Gender::Male,
        &[("fr", "ar-MA"), ("fr", "ar")],
    ),
    (
        "Rania",
        "Haddad",
        "06-Montréal",
        "H4L 1P9",
        Gender::Female,
        &[("fr", "ar-SY"), ("fr", "ar-LB")],
    ),
    (
        "Shirin",
        "Ahmadi",
        "03-Capitale-Nationale",
        "G1K 3A1",
        Gender::Female,
        &[("fr", "fa"), ("fr", "prs")],
    ),
    (
        "Tesfay",
        "Gebremedhin",
        "06-Montréal",
        "H1Z 2N6",
        Gender::Male,
        &[("fr", "ti"), ("en", "ti")],
    ),
    (
        "Jean-Robert",
        "Pierre",
        "06-Montréal",
        "H1H 4L3",
        Gender::Male,
        &[("fr", "ht")],
    ),
    (
        "Olena",
        "Kovalenko",
        "03-Capitale-Nationale",
        "G1R 2B5",
        Gender::Female,
        &[("fr", "uk"), ("fr", "ru")],
    ),
    (
        "Pepe",
        "Nomme",
        "08-Abitibi-Témiscamingue",
        "J9P 0J7",
        Gender::Male,
        &[("en", "hu"), ("fr", "hu"), ("fr", "hy")],
    ),
    (
        "Amani",
        "Mwangi",
        "06-Montréal",
        "H3S 1T7",
        Gender::Female,
        &[("fr", "sw"), ("fr", "rw")],
    ),
    (
        "Wei",
        "Zhang",
        "06-Montréal",
        "H2Z 1C4",
        Gender::Male,
        &[("fr", "cmn"), ("fr", "yue")],
    ),
    (
        "Thi Lan",
        "Nguyễn",
        "06-Montréal",
        "H3T 1E2",
        Gender::Female,
        &[("fr", "vi")],
    ),
];

fn lang(tag: &str) -> anyhow::Result<LanguageTag> {
    LanguageTag::parse(tag).with_context(|| format!("demo language {tag}"))
}

fn email(s: &str) -> anyhow::Result<EmailAddress> {
    EmailAddress::parse(s).with_context(|| format!("demo address {s}"))
}

fn ascii_slug(s: &str) -> String {
    crate::domain::text::fold(s).replace(' ', "-")
}

// Long for a reason: the demo bank written out person by person, one flat list a reader
// scans like a fixture.
async fn seed(workflow: &Workflow, region: &str) -> anyhow::Result<Bank> {
    let store = workflow.store();
    let now = workflow.clock().now();
    let system = Actor {
        person: None,
        kind: crate::domain::role::ActorKind::System,
        channel: Channel::Cli,
    };

    let mut tx = store.begin().await?;
    let seeded = tx.establishment_by_code(ESTABLISHMENTS[0].0).await?;
    tx.commit().await?;
    if seeded.is_none() {
        let mut tx = store.begin().await?;
        let mut first_establishment = None;
        let mut installations = Vec::new();
        let mut cost_centre = None;
        for (code, name, insts, centres) in ESTABLISHMENTS {
            let e = tx.insert_establishment(code, name, None, now).await?;
            first_establishment.get_or_insert(e.id);
            for (iname, address, postal) in *insts {
                installations.push((
                    e.id,
                    tx.insert_installation(e.id, iname, Some(address), Some(postal))
                        .await?
                        .id,
                ));
            }
            for (ccode, description) in *centres {
                let cc = tx.insert_cost_centre(e.id, ccode, description).await?;
                cost_centre.get_or_insert(cc.id);
            }
        }
        tx.commit().await?;
        let establishment = first_establishment.context("no establishment seeded")?;

        let mobile = |n: u32| PhoneE164::parse(&format!("+1 514 555 01{n:02}"), region).context("demo phone");
        workflow
            .create_person(
                system,
                NewPersonCommand {
                    person: NewPerson {
                        first_name: "Sophie".into(),
                        last_name: "Gagnon".into(),
                        email: email("sophie.gagnon@bi.example")?,
                        mobile: Some(mobile(1)?),
                        phone: Some("514 597-3284".into()),
                        locale: Locale::Fr,
                        notify_email: true,
                        notify_sms: false,
                        roles: vec![Role::Coordinator],
                    },
                    requester: None,
                    interpreter: None,
                },
            )
            .await?;
        for (i, (first, last, inst_index)) in [
            ("Marie", "Tremblay", 0usize),
            ("Karim", "Belkacem", 1),
            ("Emily", "Clarke", 2),
        ]
        .into_iter()
        .enumerate()
        {
            let (est, inst) = installations[inst_index];
            workflow
                .create_person(
                    system,
                    NewPersonCommand {
                        person: NewPerson {
                            first_name: first.into(),
                            last_name: last.into(),
                            email: email(&format!("{}.{}@ciusss.example", ascii_slug(first), ascii_slug(last)))?,
                            mobile: None,
                            phone: Some(format!("514 555-02{i:02}")),
                            locale: if first == "Emily" { Locale::En } else { Locale::Fr },
                            notify_email: true,
                            notify_sms: false,
                            roles: vec![Role::Requester],
                        },
                        requester: Some(RequesterProfile {
                            establishment_id: est,
                            installations: vec![inst],
                            cost_centre_id: if est == establishment { cost_centre } else { None },
                            notify_when_offered: false,
                        }),
                        interpreter: None,
                    },
                )
                .await?;
        }
        for (i, (first, last, main_region, postal, gender, pairs)) in INTERPRETERS.iter().enumerate() {
            let language_pairs = pairs
                .iter()
                .map(|(s, t)| {
                    Ok(LanguagePair {
                        source: lang(s)?,
                        target: lang(t)?,
                        origin_country: None,
                    })
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            let availability = if i % 3 == 0 {
                Availability::Always
            } else {
                let hours = |weekday| WeeklyHours {
                    weekday,
                    starts: NaiveTime::from_hms_opt(8, 0, 0).unwrap_or_default(),
                    ends: NaiveTime::from_hms_opt(17, 0, 0).unwrap_or_default(),
                };
                Availability::Weekly(
                    [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri]
                        .map(hours)
                        .to_vec(),
                )
            };
            workflow
                .create_person(
                    system,
                    NewPersonCommand {
                        person: NewPerson {
                            first_name: (*first).into(),
                            last_name: (*last).into(),
                            email: email(&format!(
                                "{}.{}@interpretes.example",
                                ascii_slug(first),
                                ascii_slug(last)
                            ))?,
                            mobile: Some(mobile(10 + i as u32)?),
                            phone: None,
                            locale: Locale::Fr,
                            notify_email: true,
                            notify_sms: true,
                            roles: vec![Role::Interpreter],
                        },
                        requester: None,
                        interpreter: Some(InterpreterProfile {
                            language_pairs,
                            request_types: vec![RequestType::InPerson, RequestType::Phone, RequestType::Video],
                            main_region: Some((*main_region).into()),
                            work_postal_code: Some((*postal).into()),
                            address: None,
                            postal_code: Some((*postal).into()),
                            gender: Some(*gender),
                            availability,
                            inactivity: Vec::new(),
                            documents: vec![EligibilityDocument {
                                name: "Permis de travail / d'étude".into(),
                                description: None,
                                valid_until: NaiveDate::from_ymd_opt(2028, 3, 30),
                                inactive_if_invalid: true,
                                comments: None,
                            }],
                            blocked_establishments: Vec::new(),
                            financial: FinancialFile {
                                legal_name: None,
                                supplier_number: Some(format!("F{:05}", 1001 + i)),
                                tax_registration: TaxRegistration::NotRegistered,
                                gst: None,
                                qst: None,
                            },
                        }),
                    },
                )
                .await?;
        }
    }

    let mut tx = store.begin().await?;
    let coordinator = tx
        .person_by_email(&email("sophie.gagnon@bi.example")?)
        .await?
        .context("demo coordinator")?;
    let requester = tx
        .person_by_email(&email("marie.tremblay@ciusss.example")?)
        .await?
        .context("demo requester")?;
    let mut spanish = Vec::new();
    for (first, last) in [("lucia", "ramirez"), ("diego", "fernandez")] {
        let p = tx
            .person_by_email(&email(&format!("{first}.{last}@interpretes.example"))?)
            .await?
            .context("demo interpreter")?;
        spanish.push(p.id);
    }
    tx.commit().await?;
    Ok(Bank {
        coordinator: coordinator.id,
        requester: requester.id,
        spanish_interpreters: spanish,
    })
}

/// The next weekday after `date`.
fn next_business_day(date: NaiveDate) -> NaiveDate {
    let mut d = date.succ_opt().unwrap_or(date);
    while matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
        d = d.succ_opt().unwrap_or(d);
    }
    d
}

/// Runs the demo against the configured database, writing the story to `out`.
// Long for a reason: the demo is a script, one step after the other as the story prints
// them; issue #19 rewrites it to go through the real channels.
pub async fn run(settings: &Settings, out: &mut impl Write) -> anyhow::Result<()> {
    let store = Store::connect(settings.database.url.expose(), settings.database.max_connections).await?;
    store.migrate().await?;
    let clock = Arc::new(ManualClock::new(Utc::now()));
    let config = WorkflowConfig::from_settings(settings);
    let tz = config.time_zone;
    let workflow = Workflow::new(store.clone(), config, clock.clone());
    let bank = seed(&workflow, &settings.general.default_phone_region).await?;

    writeln!(out, "Relais — {}", settings.general.bank_name)?;
    writeln!(
        out,
        "Banque : 2 établissements, 4 installations, 3 demandeurs, 12 interprètes, 1 coordonnateur"
    )?;

    let date = next_business_day(clock.now().with_timezone(&tz).date_naive());
    let start = NaiveTime::from_hms_opt(10, 0, 0).context("time")?;
    let pipeline = crate::app::mail_pipeline(settings, workflow.clone())?;
    let outbound = Outbound::new(settings, store.clone(), clock.clone())?;
    let signing_key = crate::security::signing_key(settings)?;
    let domain = settings
        .mail
        .from_address
        .split('@')
        .nth(1)
        .unwrap_or("localhost")
        .to_string();
    let local = settings
        .mail
        .from_address
        .split('@')
        .next()
        .unwrap_or("relais")
        .to_string();
    let run_id = uuid::Uuid::new_v4().simple().to_string();
    let mail = |id: &str, to: &str, body: &str| {
        format!(
            "Message-ID: <demo.{id}.{run_id}@ciusss.example>\r\nDate: {}\r\nFrom: Marie Tremblay <marie.tremblay@ciusss.example>\r\n\
             To: {to}\r\nSubject: Interprète espagnol\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{}",
            clock.now().to_rfc2822(),
            body.replace('\n', "\r\n")
        )
        .into_bytes()
    };

    let outcome = pipeline
        .process(
            &mail(
                "1",
                &settings.mail.from_address,
                "Bonjour, j'ai besoin d'un interprète en espagnol.",
            ),
            "demo",
        )
        .await?;
    let mut delivered = outbound.deliver_due().await?;
    writeln!(
        out,
        "[{}] le demandeur écrit à {} : {} (voir {})",
        clock.now().with_timezone(&tz).format("%Y-%m-%d %H:%M"),
        settings.mail.from_address,
        outcome.as_str(),
        settings.mail.outbox_folder.display()
    )?;
    clock.advance(Duration::minutes(10));
    let key = ReplyKey {
        purpose: ReplyPurpose::Form,
        request: None,
        person: bank.requester,
    }
    .encode(&signing_key);
    let form = format!(
        "Type de demande : en présentiel\nDate du service : {date}\nHeure du service : 10 h\nDurée : 1 h\n\
         Langue d'arrivée : espagnol\nLieu du rendez-vous : Clinique externe de pédiatrie, 3e étage\n\
         Nom du professionnel : Dre Marie Tremblay\nFonction : Pédiatre\nContexte : Suivi de santé physique\n\
         Nom de l'usager : Usager de démonstration\nL'interprète doit aviser l'usager : oui\n\nMerci !\nMarie"
    );
    let outcome = pipeline
        .process(&mail("2", &format!("{local}+{key}@{domain}"), &form), "demo")
        .await?;
    let MailOutcome::RequestCreated(number) = &outcome else {
        anyhow::bail!("the demo form was not accepted: {}", outcome.as_str());
    };
    delivered += outbound.deliver_due().await?;
    let mut tx = store.begin().await?;
    let id = tx
        .request_id_by_number(&crate::domain::request::RequestNumber::parse(number)?)
        .await?
        .context("the demo request")?;
    let details = tx.request(id).await?.details;
    tx.commit().await?;
    writeln!(
        out,
        "Demande {number} : français → espagnol, {date} à 10 h 00, 60 min, en présentiel"
    )?;
    writeln!(
        out,
        "[{}] {:<55} — → new (Nouveau) · accusé de réception en file",
        clock.now().with_timezone(&tz).format("%Y-%m-%d %H:%M"),
        "le demandeur répond au formulaire (courriel)",
    )?;

    let requester = Actor::requester(bank.requester, Channel::Email);
    let coordinator = Actor::coordinator(bank.coordinator, Channel::Link);
    let first = bank.spanish_interpreters[0];
    let interpreter = Actor::interpreter(first, Channel::Sms);

    let step =
        |out: &mut dyn Write, what: &str, applied: &Applied, now: chrono::DateTime<Utc>| -> std::io::Result<()> {
            writeln!(
                out,
                "[{}] {:<55} {} → {} ({}) · {} notification(s)",
                now.with_timezone(&tz).format("%Y-%m-%d %H:%M"),
                what,
                applied.from.map_or("—", |s| s.as_str()),
                applied.to.as_str(),
                applied.to.label(Locale::Fr),
                applied.notifications,
            )
        };

    clock.advance(Duration::minutes(20));
    let a = workflow
        .execute(
            coordinator,
            Command::OfferRequest {
                request: id,
                interpreters: bank.spanish_interpreters.clone(),
                expires_at: Some(clock.now() + Duration::hours(24)),
            },
        )
        .await?;
    delivered += outbound.deliver_due().await?;
    step(out, "le coordonnateur l'offre à 2 interprètes (lien)", &a, clock.now())?;

    clock.advance(Duration::minutes(7));
    let a = workflow
        .execute(interpreter, Command::AcceptOffer { request: id })
        .await?;
    delivered += outbound.deliver_due().await?;
    step(out, "la première interprète répond OUI (SMS)", &a, clock.now())?;

    clock.advance(Duration::hours(2));
    let mut longer = details.clone();
    longer.duration_minutes = 90;
    let a = workflow
        .execute(
            requester,
            Command::ModifyRequest {
                request: id,
                details: longer,
            },
        )
        .await?;
    delivered += outbound.deliver_due().await?;
    step(out, "le demandeur prolonge à 90 min (courriel)", &a, clock.now())?;

    clock.advance(Duration::minutes(15));
    let a = workflow
        .execute(interpreter, Command::AcceptOffer { request: id })
        .await?;
    delivered += outbound.deliver_due().await?;
    step(out, "l'interprète accepte de nouveau (SMS)", &a, clock.now())?;

    let appointment_end = tz
        .from_local_datetime(&date.and_time(start))
        .earliest()
        .context("appointment time")?
        .with_timezone(&Utc)
        + Duration::minutes(100);
    clock.set(appointment_end);
    let a = workflow
        .execute(
            Actor::interpreter(first, Channel::Web),
            Command::RecordService {
                request: id,
                record: ServiceRecord::completed(start, NaiveTime::from_hms_opt(11, 30, 0).unwrap_or(start)),
            },
        )
        .await?;
    delivered += outbound.deliver_due().await?;
    step(
        out,
        "l'interprète enregistre la réalisation (formulaire web)",
        &a,
        clock.now(),
    )?;

    clock.advance(Duration::hours(
        i64::from(settings.workflow.auto_validate_after_hours) + 1,
    ));
    let report = workflow.sweep().await?;
    delivered += outbound.deliver_due().await?;
    let mut tx = store.begin().await?;
    let validated = tx.request(id).await?;
    tx.commit().await?;
    writeln!(
        out,
        "[{}] {:<55} service_rendered → {} ({}) · {} demande(s) validée(s)",
        clock.now().with_timezone(&tz).format("%Y-%m-%d %H:%M"),
        "sans réponse du demandeur en 48 h : validation automatique",
        validated.status.as_str(),
        validated.status.label(Locale::Fr),
        report.validated,
    )?;

    clock.advance(Duration::hours(1));
    let a = workflow
        .execute(coordinator, Command::CloseRequest { request: id })
        .await?;
    delivered += outbound.deliver_due().await?;
    step(out, "le coordonnateur vérifie et ferme la demande", &a, clock.now())?;

    clock.advance(Duration::days(i64::from(settings.privacy.patient_retention_days) + 1));
    let report = workflow.sweep().await?;
    let mut tx = store.begin().await?;
    let erased = tx.request(id).await?;
    let history = tx.history_of(crate::domain::history::Entity::Request, id.0).await?;
    let outbox = tx.outbox_of_request(id).await?;
    tx.commit().await?;
    writeln!(
        out,
        "[{}] {:<55} renseignements du patient effacés : {} ({} demande(s))",
        clock.now().with_timezone(&tz).format("%Y-%m-%d %H:%M"),
        format!(
            "après {} jours de conservation",
            settings.privacy.patient_retention_days
        ),
        if erased.details.patient.is_empty() && erased.patient_erased_at.is_some() {
            "oui"
        } else {
            "non"
        },
        report.erased,
    )?;
    writeln!(
        out,
        "{} notifications envoyées : courriels dans {}, SMS dans {}",
        delivered,
        settings.mail.outbox_folder.display(),
        settings.sms.log_file.display()
    )?;
    writeln!(
        out,
        "Historique de {} : {} entrées ; {} notifications à son sujet",
        number,
        history.len(),
        outbox.len()
    )?;
    for entry in &history {
        writeln!(
            out,
            "  {} {:<22} {:<12} {}",
            entry.at.with_timezone(&tz).format("%Y-%m-%d %H:%M"),
            entry.action,
            entry.actor_kind.as_str(),
            entry.channel.as_str()
        )?;
    }
    store.close().await;
    Ok(())
}
