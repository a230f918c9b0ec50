//! The demo bank: two establishments, their installations and cost centres, three
//! requesters, twelve interpreters and a coordinator, written once and found again on
//! later runs.

use crate::domain::contact::{EmailAddress, PhoneE164};
use crate::domain::ids::PersonId;
use crate::domain::interpreter::{
    Availability, EligibilityDocument, FinancialFile, InterpreterProfile, LanguagePair, TaxRegistration, WeeklyHours,
};
use crate::domain::language::LanguageTag;
use crate::domain::locale::Locale;
use crate::domain::person::{NewPerson, RequesterProfile};
use crate::domain::request::{Gender, RequestType};
use crate::domain::role::{Channel, Role};
use crate::workflow::{Actor, NewPersonCommand, Workflow};
use anyhow::Context as _;
use chrono::{Datelike, NaiveDate, NaiveTime, Weekday};

/// The seeded bank, as the demo needs it.
pub(super) struct Bank {
    pub coordinator: PersonId,
    pub requester: PersonId,
    pub spanish_interpreters: Vec<PersonId>,
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
pub(super) async fn seed(workflow: &Workflow, region: &str) -> anyhow::Result<Bank> {
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
                                file_id: None,
                            }],
                            blocked_establishments: Vec::new(),
                            contexts: Vec::new(),
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
pub(super) fn next_business_day(date: NaiveDate) -> NaiveDate {
    let mut d = date.succ_opt().unwrap_or(date);
    while matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
        d = d.succ_opt().unwrap_or(d);
    }
    d
}
