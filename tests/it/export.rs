//! Exports of requests on both engines: the filters, the CSV and the Excel workbook read
//! back as a person's spreadsheet would, the statistics, the privacy rule, the formula
//! guard, and `relais export` end to end.

use crate::support;

use calamine::{Data, DataType, Reader, Xlsx, open_workbook_from_rs};
use chrono::{NaiveDate, NaiveTime};
use relais::domain::ids::{PersonId, RequestId};
use relais::domain::locale::Locale;
use relais::domain::person::UserCode;
use relais::domain::request::{CancellationReason, RequestDetails, RequestStatus, RequestType, ServiceRecord};
use relais::domain::spreadsheet::{self, UTF8_BOM};
use relais::reports::{
    Export, ExportError, ExportFilter, ExportFormat, ExportOptions, InterpreterRef, Period, export_requests,
};
use relais::workflow::{Actor, Command};
use std::io::Cursor;
use std::path::Path;
use std::process::Output;
use support::{Engine, TestBank, lang, offer, start_time};

on_both_engines!(
    every_filter_selects_its_requests,
    csv_reads_back_with_french_headers_and_no_patient_data,
    workbook_has_real_dates_and_the_statistics_of_its_rows,
    text_that_looks_like_a_formula_stays_text,
    unknown_establishments_and_interpreters_are_errors,
    the_command_writes_the_file_and_says_how_many,
);

/// Health information put into every request and record of the fixture: none of it may
/// reach an export.
const SECRETS: [&str; 9] = [
    "Zénobie Quastrophe",
    "555 0199",
    "Diabète gestationnel Xq7",
    "Contexte confidentiel Kw3",
    "Raison confidentielle Jd5",
    "Message pour l'interprète Pz9",
    "Note de coordination Vb2",
    "Commentaire du service Yh4",
    "1560, rue Sherbrooke Est",
];

const FORMULA_LOCATION: &str = "=HYPERLINK(\"http://evil.example\",\"clic\")";

/// The requests of the fixture, by what the tests check of them.
struct Fixture {
    bank: TestBank,
    /// 9 March, fr → es, validated, 75 minutes worked, interpreter 0, cost centre and billing code.
    validated: RequestId,
    /// 3 March, fr → es, booked by interpreter 0 then cancelled the day before: late.
    late_cancelled: RequestId,
    /// 20 March, fr → es, 90 minutes, booked by interpreter 1.
    booked: RequestId,
    /// 12 March, a draft: only exported when asked for.
    draft: RequestId,
    /// 2 April, fr → ar, new.
    arabic: RequestId,
    /// 15 April, fr → fa with Spanish as the alternative language, cancelled early.
    persian: RequestId,
    /// 20 April, fr → ar-MA, new, its location written like a formula.
    moroccan: RequestId,
    /// 5 May, the other establishment, by phone, fr → es, closed, 120 minutes worked by interpreter 2.
    closed: RequestId,
}

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).unwrap()
}

fn at(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap()
}

fn secret_details(bank: &TestBank) -> RequestDetails {
    let mut d = bank.details();
    d.patient.name = Some(SECRETS[0].into());
    d.patient.phone = Some("514 555 0199".into());
    d.patient.details = Some(SECRETS[2].into());
    d.notes.context = Some(SECRETS[3].into());
    d.notes.reason = Some(SECRETS[4].into());
    d.notes.message_to_interpreter = Some(SECRETS[5].into());
    d.notes.coordinator_note = Some(SECRETS[6].into());
    d.address = Some(SECRETS[8].into());
    d
}

fn secret_record(start: NaiveTime, end: NaiveTime) -> ServiceRecord {
    ServiceRecord {
        comments: Some(SECRETS[7].into()),
        overtime_reason: Some("Consultation prolongée".into()),
        ..ServiceRecord::completed(start, end)
    }
}

impl Fixture {
    async fn new(engine: Engine) -> Fixture {
        let bank = TestBank::new(engine).await;
        let mut tx = bank.store.begin().await.unwrap();
        let cost_centre = tx
            .insert_cost_centre(bank.establishment, "7301110", "DA services multidisciplinaires")
            .await
            .unwrap();
        let billing_code = tx
            .insert_billing_code(bank.establishment, "FAC-042", "Consultations externes")
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let create = async |requested_by: PersonId, details: RequestDetails, submit: bool| {
            let actor = Actor::requester(requested_by, relais::domain::role::Channel::Email);
            bank.workflow
                .execute(
                    actor,
                    Command::CreateRequest {
                        requested_by,
                        details,
                        submit,
                    },
                )
                .await
                .unwrap()
                .request
        };
        let run = async |actor: Actor, command: Command| {
            bank.workflow.execute(actor, command).await.unwrap();
        };
        let details = |date: NaiveDate, start: NaiveTime, minutes: u32, target: &str| {
            let mut d = secret_details(&bank);
            d.date = date;
            d.start_time = start;
            d.duration_minutes = minutes;
            d.target_language = lang(target);
            d
        };

        let mut d = details(day(3, 9), at(10, 0), 60, "es");
        d.cost_centre_id = Some(cost_centre.id);
        d.billing_code_id = Some(billing_code.id);
        let validated = create(bank.requester, d, true).await;
        run(bank.as_coordinator(), offer(validated, vec![bank.interpreters[0]])).await;
        run(bank.as_interpreter(0), Command::AcceptOffer { request: validated }).await;

        let late_cancelled = create(bank.requester, details(day(3, 3), at(10, 0), 60, "es"), true).await;
        run(bank.as_coordinator(), offer(late_cancelled, vec![bank.interpreters[0]])).await;
        run(
            bank.as_interpreter(0),
            Command::AcceptOffer {
                request: late_cancelled,
            },
        )
        .await;
        let cancel = Command::CancelRequest {
            request: late_cancelled,
            reason: CancellationReason::UserAbsent,
            detail: Some(SECRETS[3].into()),
        };
        run(bank.as_requester(), cancel).await;

        let booked = create(bank.requester, details(day(3, 20), at(14, 0), 90, "es"), true).await;
        run(bank.as_coordinator(), offer(booked, vec![bank.interpreters[1]])).await;
        run(bank.as_interpreter(1), Command::AcceptOffer { request: booked }).await;

        let draft = create(bank.requester, details(day(3, 12), at(9, 0), 60, "es"), false).await;
        let arabic = create(bank.colleague, details(day(4, 2), at(9, 0), 30, "ar"), true).await;

        let mut d = details(day(4, 15), at(13, 0), 45, "fa");
        d.alternative_language = Some(lang("es"));
        let persian = create(bank.requester, d, true).await;
        run(bank.as_requester(), support::cancel(persian)).await;

        let mut d = details(day(4, 20), at(8, 30), 60, "ar-MA");
        d.location = FORMULA_LOCATION.into();
        let moroccan = create(bank.requester, d, true).await;

        let mut d = details(day(5, 5), at(9, 0), 120, "es");
        d.installation_id = bank.other_installation;
        d.request_type = RequestType::Phone;
        let closed = create(bank.outsider, d, true).await;
        let outsider = Actor::requester(bank.outsider, relais::domain::role::Channel::Email);
        run(bank.as_coordinator(), offer(closed, vec![bank.interpreters[2]])).await;
        run(bank.as_interpreter(2), Command::AcceptOffer { request: closed }).await;

        // Services are recorded once they have happened: after the last appointment.
        bank.clock
            .set(chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 5, 6, 12, 0, 0).unwrap());
        let record = Command::RecordService {
            request: validated,
            record: secret_record(at(10, 0), at(11, 15)),
        };
        run(bank.as_interpreter(0), record).await;
        run(bank.as_requester(), Command::ValidateService { request: validated }).await;
        let record = Command::RecordService {
            request: closed,
            record: secret_record(at(9, 0), at(11, 0)),
        };
        run(bank.as_interpreter(2), record).await;
        run(outsider, Command::ValidateService { request: closed }).await;
        run(bank.as_coordinator(), Command::CloseRequest { request: closed }).await;

        let fixture = Fixture {
            bank,
            validated,
            late_cancelled,
            booked,
            draft,
            arabic,
            persian,
            moroccan,
            closed,
        };
        for (id, status) in [
            (validated, RequestStatus::Validated),
            (late_cancelled, RequestStatus::Cancelled),
            (booked, RequestStatus::Booked),
            (draft, RequestStatus::Draft),
            (arabic, RequestStatus::New),
            (persian, RequestStatus::Cancelled),
            (moroccan, RequestStatus::New),
            (closed, RequestStatus::Closed),
        ] {
            let request = fixture.bank.load(id).await;
            assert_eq!(request.status, status);
            // The privacy checks below mean something only if the secrets are stored.
            assert_eq!(request.details.patient.name.as_deref(), Some(SECRETS[0]));
            assert_eq!(request.details.notes.coordinator_note.as_deref(), Some(SECRETS[6]));
        }
        fixture
    }

    /// Every request but the draft, in the export's order (appointment date and time).
    fn in_order(&self) -> Vec<RequestId> {
        vec![
            self.late_cancelled,
            self.validated,
            self.booked,
            self.arabic,
            self.persian,
            self.moroccan,
            self.closed,
        ]
    }

    async fn user_code(&self, i: usize) -> UserCode {
        let mut tx = self.bank.store.begin_read().await.unwrap();
        let code = tx.person(self.bank.interpreters[i]).await.unwrap().user_code;
        tx.commit().await.unwrap();
        code
    }

    async fn ids(&self, filter: &ExportFilter) -> Vec<RequestId> {
        let mut tx = self.bank.store.begin_read().await.unwrap();
        let rows = tx.export_rows(filter).await.unwrap();
        tx.commit().await.unwrap();
        rows.into_iter().map(|r| r.id).collect()
    }

    async fn export(&self, filter: &ExportFilter, format: ExportFormat, locale: Locale) -> Export {
        export_requests(&self.bank.store, filter, format, &options(locale))
            .await
            .unwrap()
    }
}

fn options(locale: Locale) -> ExportOptions {
    ExportOptions {
        locale,
        time_zone: support::config().time_zone,
        generated_at: start_time(),
    }
}

fn all() -> ExportFilter {
    ExportFilter::default()
}

async fn every_filter_selects_its_requests(engine: Engine) {
    let f = Fixture::new(engine).await;
    assert_eq!(
        f.ids(&all()).await,
        f.in_order(),
        "every request but the draft, by date"
    );

    let april = ExportFilter {
        period: Period::new(Some(day(4, 1)), Some(day(4, 30))).unwrap(),
        ..all()
    };
    assert_eq!(f.ids(&april).await, [f.arabic, f.persian, f.moroccan]);
    let from_may = ExportFilter {
        period: Period::new(Some(day(5, 5)), None).unwrap(),
        ..all()
    };
    assert_eq!(f.ids(&from_may).await, [f.closed], "both ends are included");
    let until_march_9 = ExportFilter {
        period: Period::new(None, Some(day(3, 9))).unwrap(),
        ..all()
    };
    assert_eq!(f.ids(&until_march_9).await, [f.late_cancelled, f.validated]);

    let cancelled = ExportFilter {
        statuses: vec![RequestStatus::Cancelled],
        ..all()
    };
    assert_eq!(f.ids(&cancelled).await, [f.late_cancelled, f.persian]);
    let several = ExportFilter {
        statuses: vec![RequestStatus::Booked, RequestStatus::Validated, RequestStatus::Draft],
        ..all()
    };
    assert_eq!(f.ids(&several).await, [f.validated, f.draft, f.booked]);

    let spanish = ExportFilter {
        language: Some(lang("espagnol")),
        ..all()
    };
    assert_eq!(
        f.ids(&spanish).await,
        [f.late_cancelled, f.validated, f.booked, f.persian, f.closed],
        "target or alternative language"
    );
    let arabic = ExportFilter {
        language: Some(lang("ar")),
        ..all()
    };
    assert_eq!(
        f.ids(&arabic).await,
        [f.arabic, f.moroccan],
        "with its regional variants"
    );
    let moroccan = ExportFilter {
        language: Some(lang("darija")),
        ..all()
    };
    assert_eq!(f.ids(&moroccan).await, [f.moroccan]);
    let french = ExportFilter {
        language: Some(lang("fr")),
        ..all()
    };
    assert_eq!(f.ids(&french).await, f.in_order(), "the source language counts too");

    let other = ExportFilter {
        establishment: Some("CIUSSSCN".into()),
        ..all()
    };
    assert_eq!(f.ids(&other).await, [f.closed]);
    let ours = ExportFilter {
        establishment: Some("CCSMTL".into()),
        ..all()
    };
    assert_eq!(f.ids(&ours).await.len(), 6);

    let by_code = ExportFilter {
        interpreter: Some(InterpreterRef::Code(f.user_code(0).await)),
        ..all()
    };
    assert_eq!(f.ids(&by_code).await, [f.late_cancelled, f.validated]);
    let by_id = ExportFilter {
        interpreter: Some(InterpreterRef::Id(f.bank.interpreters[1])),
        ..all()
    };
    assert_eq!(f.ids(&by_id).await, [f.booked]);

    let combined = ExportFilter {
        period: Period::new(Some(day(3, 1)), Some(day(3, 31))).unwrap(),
        statuses: vec![RequestStatus::Validated, RequestStatus::Cancelled],
        language: Some(lang("es")),
        establishment: Some("CCSMTL".into()),
        interpreter: Some(InterpreterRef::Code(f.user_code(0).await)),
        requested_by: None,
    };
    assert_eq!(f.ids(&combined).await, [f.late_cancelled, f.validated]);
    let nothing = ExportFilter {
        statuses: vec![RequestStatus::Modified],
        ..all()
    };
    assert!(f.ids(&nothing).await.is_empty());
}

/// Reads a CSV as Excel would in `locale`: the byte-order mark off, the locale's separator.
fn read_csv(bytes: &[u8], locale: Locale) -> (Vec<String>, Vec<Vec<String>>) {
    let body = bytes
        .strip_prefix(UTF8_BOM)
        .expect("a CSV starts with the UTF-8 byte-order mark");
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(spreadsheet::delimiter(locale))
        .from_reader(body);
    let headers = reader.headers().unwrap().iter().map(String::from).collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    (headers, rows)
}

fn column(headers: &[String], name: &str) -> usize {
    headers
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name:?} in {headers:?}"))
}

fn assert_no_secret(text: &str, what: &str) {
    for secret in SECRETS {
        assert!(!text.contains(secret), "{what} holds health information: {secret:?}");
    }
}

async fn csv_reads_back_with_french_headers_and_no_patient_data(engine: Engine) {
    let f = Fixture::new(engine).await;
    let export = f.export(&all(), ExportFormat::Csv, Locale::Fr).await;
    assert_eq!(export.rows, 7);
    let text = String::from_utf8(export.bytes.clone()).unwrap();
    assert_no_secret(&text, "the CSV");
    // The record's comment and the cancellation detail are free text too.
    assert!(!text.contains("Xq7") && !text.contains("Yh4"));

    // What French Excel opens by double-click: the mark, `;` between fields, so a comma in a
    // value needs no quotes.
    assert!(export.bytes.starts_with(b"\xEF\xBB\xBF"));
    assert!(text.starts_with("\u{feff}Numéro de demande;Date du service;Heure du service;"));
    assert!(text.contains(";Clinique externe, 3e étage;"), "{text}");
    let (headers, rows) = read_csv(&export.bytes, Locale::Fr);
    assert_eq!(rows.len(), 7);
    for header in [
        "Numéro de demande",
        "Date du service",
        "Heure du service",
        "Durée prévue (min)",
        "Statut",
        "Type de demande",
        "Langue de départ",
        "Langue d'arrivée",
        "Établissement",
        "Installation",
        "Lieu du rendez-vous",
        "Centre de coût",
        "Code de facturation",
        "Demandeur",
        "Interprète",
        "Code d'utilisateur de l'interprète",
        "Durée réelle (min)",
        "Demande terminée",
        "Raison d'annulation",
        "Annulation tardive",
        "Créée le",
        "Réservée le",
    ] {
        column(&headers, header);
    }
    let cell = |row: usize, name: &str| rows[row][column(&headers, name)].as_str();

    // Row 1 is the validated request of 9 March.
    let validated = f.bank.load(f.validated).await;
    assert_eq!(cell(1, "Numéro de demande"), validated.label());
    assert_eq!(cell(1, "Date du service"), "2026-03-09");
    assert_eq!(cell(1, "Heure du service"), "10:00");
    assert_eq!(cell(1, "Durée prévue (min)"), "60");
    assert_eq!(cell(1, "Statut"), "Validé");
    assert_eq!(cell(1, "Type de demande"), "En présentiel");
    assert_eq!(cell(1, "Langue de départ"), "Français");
    assert_eq!(cell(1, "Langue d'arrivée"), "Espagnol");
    assert_eq!(cell(1, "Établissement"), "CIUSSS du Centre-Sud");
    assert_eq!(cell(1, "Installation"), "Hôpital Notre-Dame");
    assert_eq!(cell(1, "Lieu du rendez-vous"), "Clinique externe, 3e étage");
    assert_eq!(cell(1, "Centre de coût"), "7301110");
    assert_eq!(cell(1, "Code de facturation"), "FAC-042");
    assert_eq!(cell(1, "Demandeur"), "Marie Tremblay");
    assert_eq!(cell(1, "Interprète"), "Lucía Ramírez");
    assert_eq!(
        cell(1, "Code d'utilisateur de l'interprète"),
        f.user_code(0).await.as_str()
    );
    assert_eq!(cell(1, "Durée réelle (min)"), "75");
    assert_eq!(cell(1, "Demande terminée"), "oui");
    assert_eq!(cell(1, "Raison d'annulation"), "");
    assert_eq!(cell(1, "Annulation tardive"), "");
    assert_eq!(cell(1, "Créée le"), "2026-03-02 09:00", "local time");
    assert_eq!(cell(1, "Réservée le"), "2026-03-02 09:00");

    // Row 0 is the late cancellation of 3 March.
    assert_eq!(cell(0, "Statut"), "Annulé");
    assert_eq!(
        cell(0, "Raison d'annulation"),
        CancellationReason::UserAbsent.label(Locale::Fr)
    );
    assert_eq!(cell(0, "Annulation tardive"), "oui");
    assert_eq!(cell(0, "Demande terminée"), "", "no service record");
    // Row 4 was cancelled long before: not late, never booked.
    assert_eq!(cell(4, "Annulation tardive"), "non");
    assert_eq!(cell(4, "Réservée le"), "");
    assert_eq!(cell(4, "Langue d'arrivée"), "Persan (farsi)");
    // Row 6 is the other establishment's closed phone request.
    assert_eq!(cell(6, "Établissement"), "CIUSSS de la Capitale-Nationale");
    assert_eq!(cell(6, "Type de demande"), "Par téléphone");
    assert_eq!(cell(6, "Demandeur"), "Emily Clarke");
    assert_eq!(cell(6, "Interprète"), "Ana Soto");
    assert_eq!(cell(6, "Durée réelle (min)"), "120");
    assert_eq!(cell(6, "Statut"), "Fermé");

    // Dates, times and timestamps in the forms Excel reads as such, in every row.
    let date = regex::Regex::new(r"^\d{4}-\d{2}-\d{2}$").unwrap();
    let time = regex::Regex::new(r"^\d{2}:\d{2}$").unwrap();
    let stamp = regex::Regex::new(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$").unwrap();
    for row in &rows {
        let get = |name: &str| row[column(&headers, name)].as_str();
        assert!(date.is_match(get("Date du service")), "{row:?}");
        assert!(time.is_match(get("Heure du service")), "{row:?}");
        assert!(stamp.is_match(get("Créée le")), "{row:?}");
        let booked = get("Réservée le");
        assert!(booked.is_empty() || stamp.is_match(booked), "{booked:?}");
    }

    // English on request: `,` between fields, so the comma in a value is quoted.
    let english = f.export(&all(), ExportFormat::Csv, Locale::En).await;
    let text = String::from_utf8(english.bytes.clone()).unwrap();
    assert!(text.starts_with("\u{feff}Request number,Date of service,Time of service,"));
    assert!(text.contains(",\"Clinique externe, 3e étage\","), "{text}");
    let (headers, rows) = read_csv(&english.bytes, Locale::En);
    assert_eq!(headers[0], "Request number");
    assert_eq!(rows[1][column(&headers, "Status")], "Validated");
    assert_eq!(rows[1][column(&headers, "Target language")], "Spanish");
    assert_eq!(rows[1][column(&headers, "Completed")], "yes");
}

fn open_workbook(bytes: &[u8]) -> Xlsx<Cursor<Vec<u8>>> {
    open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap()
}

/// The statistics sheet's table line whose first cell is `label`, under the title `section`.
fn stats_line(range: &calamine::Range<Data>, section: &str, label: &str) -> Vec<f64> {
    let rows: Vec<&[Data]> = range.rows().collect();
    let start = rows
        .iter()
        .position(|r| r[0].get_string() == Some(section))
        .unwrap_or_else(|| panic!("no section {section:?}"));
    let line = rows[start + 2..]
        .iter()
        .take_while(|r| !r[0].is_empty())
        .find(|r| r[0].get_string() == Some(label))
        .unwrap_or_else(|| panic!("no line {label:?} under {section:?}"));
    line[1..6].iter().map(|c| c.as_f64().unwrap()).collect()
}

async fn workbook_has_real_dates_and_the_statistics_of_its_rows(engine: Engine) {
    let f = Fixture::new(engine).await;
    let export = f.export(&all(), ExportFormat::Xlsx, Locale::Fr).await;
    assert_eq!(export.rows, 7);
    assert!(export.bytes.starts_with(b"PK"), "a zip container");
    let mut book = open_workbook(&export.bytes);
    assert_eq!(book.sheet_names(), ["Demandes", "Statistiques"]);

    let requests = book.worksheet_range("Demandes").unwrap();
    assert_eq!(requests.height(), 1 + 7, "a header line and one line per request");
    assert_eq!(requests.get((0, 0)).unwrap().get_string(), Some("Numéro de demande"));
    let date = requests.get((2, 1)).unwrap();
    assert!(date.is_datetime(), "a real date, not text: {date:?}");
    assert_eq!(date.as_date(), Some(day(3, 9)));
    let time = requests.get((2, 2)).unwrap();
    assert!(time.is_datetime(), "a real time: {time:?}");
    assert_eq!(time.as_time(), Some(at(10, 0)));
    assert_eq!(
        requests.get((2, 3)).unwrap().as_f64(),
        Some(60.0),
        "minutes are numbers"
    );
    let created = requests.get((2, 20)).unwrap();
    assert!(created.is_datetime());
    assert_eq!(
        created.as_datetime(),
        Some(day(3, 2).and_time(at(9, 0))),
        "timestamps in the bank's time zone"
    );
    let mut all_text = String::new();
    for row in requests.rows() {
        for cell in row {
            all_text.push_str(&cell.to_string());
            all_text.push('\n');
        }
    }

    let stats = book.worksheet_range("Statistiques").unwrap();
    for row in stats.rows() {
        for cell in row {
            all_text.push_str(&cell.to_string());
            all_text.push('\n');
        }
    }
    assert_no_secret(&all_text, "the workbook");

    // Requests, cancelled, scheduled hours (not cancelled), worked hours, services recorded.
    assert_eq!(
        stats_line(&stats, "Ensemble", "Toutes les demandes"),
        [7.0, 2.0, 6.0, 3.25, 2.0]
    );
    assert_eq!(
        stats_line(&stats, "Par paire de langues", "Français → Espagnol"),
        [4.0, 1.0, 4.5, 3.25, 2.0]
    );
    assert_eq!(
        stats_line(&stats, "Par paire de langues", "Français → Arabe (Maroc)"),
        [1.0, 0.0, 1.0, 0.0, 0.0]
    );
    assert_eq!(
        stats_line(&stats, "Par paire de langues", "Français → Persan (farsi)"),
        [1.0, 1.0, 0.0, 0.0, 0.0]
    );
    assert_eq!(
        stats_line(&stats, "Par type de demande", "En présentiel"),
        [6.0, 2.0, 4.0, 1.25, 1.0]
    );
    assert_eq!(
        stats_line(&stats, "Par type de demande", "Par téléphone"),
        [1.0, 0.0, 2.0, 2.0, 1.0]
    );
    assert_eq!(
        stats_line(&stats, "Par établissement", "CIUSSS du Centre-Sud"),
        [6.0, 2.0, 4.0, 1.25, 1.0]
    );
    assert_eq!(
        stats_line(&stats, "Par établissement", "CIUSSS de la Capitale-Nationale"),
        [1.0, 0.0, 2.0, 2.0, 1.0]
    );
    assert_eq!(stats_line(&stats, "Par statut", "Annulé"), [2.0, 2.0, 0.0, 0.0, 0.0]);
    assert_eq!(stats_line(&stats, "Par statut", "Nouveau"), [2.0, 0.0, 1.5, 0.0, 0.0]);
    assert_eq!(stats_line(&stats, "Par statut", "Fermé"), [1.0, 0.0, 2.0, 2.0, 1.0]);
    assert_eq!(stats_line(&stats, "Par mois", "2026-03"), [3.0, 1.0, 2.5, 1.25, 1.0]);
    assert_eq!(stats_line(&stats, "Par mois", "2026-04"), [3.0, 1.0, 1.5, 0.0, 0.0]);
    assert_eq!(stats_line(&stats, "Par mois", "2026-05"), [1.0, 0.0, 2.0, 2.0, 1.0]);

    // A filtered export says what it holds, and its statistics follow its rows.
    let filter = ExportFilter {
        statuses: vec![RequestStatus::Cancelled],
        ..all()
    };
    let cancelled = f.export(&filter, ExportFormat::Xlsx, Locale::En).await;
    let mut book = open_workbook(&cancelled.bytes);
    assert_eq!(book.sheet_names(), ["Requests", "Statistics"]);
    assert_eq!(book.worksheet_range("Requests").unwrap().height(), 1 + 2);
    let stats = book.worksheet_range("Statistics").unwrap();
    assert_eq!(
        stats_line(&stats, "All requests", "All requests"),
        [2.0, 2.0, 0.0, 0.0, 0.0]
    );
    assert!(
        stats
            .rows()
            .any(|r| r[0].get_string() == Some("Statuses") && r[1].get_string() == Some("Cancelled")),
        "the filter is written down"
    );

    // An empty export is still a workbook with its header.
    let none = ExportFilter {
        statuses: vec![RequestStatus::Modified],
        ..all()
    };
    let empty = f.export(&none, ExportFormat::Xlsx, Locale::Fr).await;
    assert_eq!(empty.rows, 0);
    let mut book = open_workbook(&empty.bytes);
    assert_eq!(book.worksheet_range("Demandes").unwrap().height(), 1);
}

async fn text_that_looks_like_a_formula_stays_text(engine: Engine) {
    let f = Fixture::new(engine).await;
    let only = ExportFilter {
        language: Some(lang("ar-MA")),
        ..all()
    };

    let csv = f.export(&only, ExportFormat::Csv, Locale::Fr).await;
    let (headers, rows) = read_csv(&csv.bytes, Locale::Fr);
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0][column(&headers, "Lieu du rendez-vous")],
        format!("'{FORMULA_LOCATION}")
    );

    let xlsx = f.export(&only, ExportFormat::Xlsx, Locale::Fr).await;
    let mut book = open_workbook(&xlsx.bytes);
    let requests = book.worksheet_range("Demandes").unwrap();
    let location = requests.get((1, 10)).unwrap();
    assert_eq!(location.get_string(), Some(FORMULA_LOCATION), "kept whole, as a string");
    let formulas = book.worksheet_formula("Demandes").unwrap();
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "no formula anywhere"
    );
}

async fn unknown_establishments_and_interpreters_are_errors(engine: Engine) {
    let f = Fixture::new(engine).await;
    let opts = options(Locale::Fr);
    let typo = ExportFilter {
        establishment: Some("CCSMLT".into()),
        ..all()
    };
    let err = export_requests(&f.bank.store, &typo, ExportFormat::Csv, &opts)
        .await
        .unwrap_err();
    assert!(
        matches!(err, ExportError::UnknownEstablishment(ref c) if c == "CCSMLT"),
        "{err}"
    );

    let nobody = ExportFilter {
        interpreter: Some(InterpreterRef::Code(UserCode::parse("UBIZZ9999").unwrap())),
        ..all()
    };
    let err = export_requests(&f.bank.store, &nobody, ExportFormat::Csv, &opts)
        .await
        .unwrap_err();
    assert!(matches!(err, ExportError::UnknownInterpreter(_)), "{err}");

    let a_requester = ExportFilter {
        interpreter: Some(InterpreterRef::Id(f.bank.requester)),
        ..all()
    };
    let err = export_requests(&f.bank.store, &a_requester, ExportFormat::Xlsx, &opts)
        .await
        .unwrap_err();
    assert!(matches!(err, ExportError::UnknownInterpreter(_)), "{err}");

    let missing_id = ExportFilter {
        interpreter: Some(InterpreterRef::Id(PersonId(999_999))),
        ..all()
    };
    assert!(
        export_requests(&f.bank.store, &missing_id, ExportFormat::Csv, &opts)
            .await
            .is_err()
    );
}

fn relais(dir: &Path, database_url: &str, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_relais"))
        .current_dir(dir)
        .arg("--config")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/config/default.toml"))
        .args(args)
        .env_remove("RUST_LOG")
        .env("RELAIS__DATABASE__URL", database_url)
        .env("RELAIS__SECURITY__SIGNING_KEY", "test-signing-key-0123456789abcdef0123")
        .output()
        .expect("run relais")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

async fn the_command_writes_the_file_and_says_how_many(engine: Engine) {
    let f = Fixture::new(engine).await;
    let dir = tempfile::tempdir().unwrap();
    let url = f.bank.db.url.as_str();
    let code = f.user_code(0).await;

    let out = relais(
        dir.path(),
        url,
        &[
            "export",
            "--format",
            "xlsx",
            "--output",
            "cancelled.xlsx",
            "--status",
            "annulé",
            "--lang",
            "en",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let file = dir.path().join("cancelled.xlsx");
    assert_eq!(
        text(&out.stdout).trim(),
        "2 request(s) written to cancelled.xlsx (xlsx)"
    );
    let mut book = open_workbook(&std::fs::read(&file).unwrap());
    assert_eq!(book.sheet_names(), ["Requests", "Statistics"]);
    let requests = book.worksheet_range("Requests").unwrap();
    assert_eq!(requests.height(), 3);
    assert_eq!(requests.get((1, 4)).unwrap().get_string(), Some("Cancelled"));

    // The format follows the extension; every filter on the command line.
    let out = relais(
        dir.path(),
        url,
        &[
            "export",
            "-o",
            "march.csv",
            "--from",
            "2026-03-01",
            "--to",
            "2026-03-31",
            "--language",
            "espagnol",
            "--establishment",
            "CCSMTL",
            "--interpreter",
            code.as_str(),
            "--status",
            "validated",
            "--status",
            "cancelled",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).trim(), "2 request(s) written to march.csv (csv)");
    let bytes = std::fs::read(dir.path().join("march.csv")).unwrap();
    assert_no_secret(&text(&bytes), "the CSV");
    let (headers, rows) = read_csv(&bytes, Locale::Fr);
    assert_eq!(headers[0], "Numéro de demande", "French by default");
    let numbers: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    let expected = [
        f.bank.load(f.late_cancelled).await.label(),
        f.bank.load(f.validated).await.label(),
    ];
    assert_eq!(numbers, expected);

    // Mistakes are named, and leave no file behind.
    for (args, says) in [
        (vec!["export", "-o", "x.csv", "--establishment", "NOPE"], "NOPE"),
        (
            vec!["export", "-o", "x.csv", "--from", "2026-04-01", "--to", "2026-03-01"],
            "2026-04-01",
        ),
        (vec!["export", "-o", "x.csv", "--from", "1/3/2026"], "YYYY-MM-DD"),
        (vec!["export", "-o", "x.csv", "--status", "perdu"], "perdu"),
        (vec!["export", "-o", "x.ods"], "--format"),
        (vec!["export", "-o", "x.csv", "--period", "hier"], "hier"),
    ] {
        let out = relais(dir.path(), url, &args);
        assert!(!out.status.success(), "{args:?} succeeded");
        let err = text(&out.stderr);
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(!dir.path().join("x.csv").exists() && !dir.path().join("x.ods").exists());
    }
}
