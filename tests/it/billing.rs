//! Invoices and pay statements: a month of a small bank on both engines (the seeds' 82,00
//! example, an evening request, a late and an early cancellation, a record awaiting
//! validation, two cost centres, another establishment, an interpreter who adds the taxes),
//! read back from CSV and HTML, golden files, the CLI; and properties of the pure assembly
//! for any set of requests.

use crate::support;

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use proptest::prelude::*;
use relais::billing::{
    self, BillableItem, CodeRef, Coverage, EstablishmentRef, Format, InterpreterRef, Invoice, InvoiceHeader,
    PayStatement, Period, StatementHeader,
};
use relais::config::Settings;
use relais::domain::ids::{CostCentreId, EstablishmentId, PersonId, RequestId};
use relais::domain::interpreter::{FinancialFile, TaxNumber, TaxRegistration};
use relais::domain::locale::Locale;
use relais::domain::money::{Breakdown, Currency, LineKind, Outcome, RateClass, Tax, compute};
use relais::domain::person::UserCode;
use relais::domain::request::{
    CancellationReason, GeneralReason, RecordedCancellation, RequestDetails, RequestStatus, RequestType, ServiceRecord,
};
use relais::domain::role::Channel;
use relais::domain::spreadsheet::{self, UTF8_BOM};
use relais::workflow::{Actor, Command};
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::path::PathBuf;
use support::{Engine, TestBank};

// ---- A month of a small bank ----

/// Distinctive words put in every private field of the fixture: none may reach a document.
const PRIVATE: [&str; 10] = [
    "Zénobie Patientissime",
    "514 555 0199",
    "Diabète",
    "grossesse",
    "Commentaire-Confidentiel",
    "Dépassement-Confidentiel",
    "Annulation-Confidentielle",
    "Contestation-Confidentielle",
    "Dre Tremblay",
    "Clinique externe",
];

fn local(m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    chrono_tz::America::Montreal
        .with_ymd_and_hms(2026, m, d, h, min, 0)
        .unwrap()
        .with_timezone(&Utc)
}

fn date(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).unwrap()
}

fn time(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap()
}

fn march() -> Period {
    Period::new(date(3, 1), date(3, 31)).unwrap()
}

/// The requests of the month, by letter, and who is who.
struct Month {
    bank: TestBank,
    settings: Settings,
    /// `A`: Wednesday 11 March 10:00, 2 h, cost centre 7301110, billing code FAC-01: 82,00.
    /// `B`: Tuesday 10 March 17:00, 1 h (evening), 7301120, interpreter 1 who adds the taxes.
    /// `C`: Thursday 12 March 10:00, 2 h, 7301110, cancelled 22 h before: late.
    /// `D`: Friday 13 March 10:00, 1 h, 7301120, cancelled 11 days before, 2 calls recorded.
    /// `E`: Monday 9 March 13:00, 1 h, 7301110, recorded, not validated.
    /// `F`: the other establishment, Wednesday 11 March 14:00, 1 h, interpreter 0.
    /// `G`: 1 April, validated: another month.
    /// `H`: Monday 16 March, cancelled in time, no record: nothing owed.
    /// `I`: Thursday 5 March 10:00, 1 h, no cost centre, interpreter 2, closed.
    /// `J`: Friday 6 March 10:00, 1 h, 7301120, interpreter 2, record contested.
    numbers: HashMap<char, String>,
}

impl Month {
    fn number(&self, letter: char) -> &str {
        &self.numbers[&letter]
    }
}

fn details(
    bank: &TestBank,
    day: NaiveDate,
    start: NaiveTime,
    minutes: u32,
    cost_centre: Option<CostCentreId>,
) -> RequestDetails {
    let mut d = bank.details();
    d.date = day;
    d.start_time = start;
    d.duration_minutes = minutes;
    d.cost_centre_id = cost_centre;
    d.patient.name = Some(format!("Zénobie Patientissime {day}"));
    d
}

async fn run(bank: &TestBank, actor: Actor, command: Command) {
    bank.workflow.execute(actor, command).await.unwrap();
}

fn completed(start: NaiveTime, end: NaiveTime) -> ServiceRecord {
    ServiceRecord {
        comments: Some("Commentaire-Confidentiel".into()),
        ..ServiceRecord::completed(start, end)
    }
}

async fn month(engine: Engine) -> Month {
    let bank = TestBank::new(engine).await;
    let settings = support::settings(&bank, &[]);
    let mut tx = bank.store.begin().await.unwrap();
    let cc1 = tx
        .insert_cost_centre(
            bank.establishment,
            "7301110",
            "DA services multidisciplinaires - volet opérations",
        )
        .await
        .unwrap();
    let cc2 = tx
        .insert_cost_centre(bank.establishment, "7301120", "Pédiatrie")
        .await
        .unwrap();
    let code = tx
        .insert_billing_code(bank.establishment, "FAC-01", "Régie régionale")
        .await
        .unwrap();
    // Interpreter 1 is registered for both taxes, added on top of their rates.
    let taxed = bank.interpreters[1];
    let mut profile = tx.interpreter_profile(taxed).await.unwrap().unwrap();
    profile.financial = FinancialFile {
        legal_name: Some("Diego Fernández Ruiz".into()),
        supplier_number: Some("F-0042".into()),
        tax_registration: TaxRegistration::Added,
        gst: Some(TaxNumber {
            number: "123456789RT0001".into(),
            from: Some(date(1, 1)),
            until: None,
        }),
        qst: Some(TaxNumber {
            number: "1234567890TQ0001".into(),
            from: Some(date(1, 1)),
            until: None,
        }),
    };
    tx.set_interpreter_profile(taxed, &profile).await.unwrap();
    tx.commit().await.unwrap();

    // Every request is made on Monday 2 March, then life moves on.
    let plan: Vec<(char, NaiveDate, NaiveTime, u32, Option<CostCentreId>, usize)> = vec![
        ('A', date(3, 11), time(10, 0), 120, Some(cc1.id), 0),
        ('B', date(3, 10), time(17, 0), 60, Some(cc2.id), 1),
        ('C', date(3, 12), time(10, 0), 120, Some(cc1.id), 0),
        ('D', date(3, 13), time(10, 0), 60, Some(cc2.id), 0),
        ('E', date(3, 9), time(13, 0), 60, Some(cc1.id), 0),
        ('F', date(3, 11), time(14, 0), 60, None, 0),
        ('G', date(4, 1), time(10, 0), 60, Some(cc1.id), 0),
        ('H', date(3, 16), time(10, 0), 60, Some(cc1.id), 0),
        ('I', date(3, 5), time(10, 0), 60, None, 2),
        ('J', date(3, 6), time(10, 0), 60, Some(cc2.id), 2),
    ];
    let mut ids = HashMap::new();
    for (letter, day, start, minutes, cc, interpreter) in plan {
        let mut d = details(&bank, day, start, minutes, cc);
        let (who, requester) = if letter == 'F' {
            d.installation_id = bank.other_installation;
            (bank.outsider, Actor::requester(bank.outsider, Channel::Email))
        } else {
            (bank.requester, bank.as_requester())
        };
        if letter == 'A' {
            d.billing_code_id = Some(code.id);
        }
        let id = bank
            .workflow
            .execute(
                requester,
                Command::CreateRequest {
                    requested_by: who,
                    details: d,
                    submit: true,
                },
            )
            .await
            .unwrap()
            .request;
        run(
            &bank,
            bank.as_coordinator(),
            support::offer(id, vec![bank.interpreters[interpreter]]),
        )
        .await;
        run(
            &bank,
            bank.as_interpreter(interpreter),
            Command::AcceptOffer { request: id },
        )
        .await;
        ids.insert(letter, id);
    }
    let cancel = |id| Command::CancelRequest {
        request: id,
        reason: CancellationReason::AppointmentCancelled,
        detail: Some("Annulation-Confidentielle".into()),
    };
    run(&bank, bank.as_requester(), cancel(ids[&'D'])).await;
    run(&bank, bank.as_requester(), cancel(ids[&'H'])).await;

    let record = |id, record| Command::RecordService { request: id, record };
    let validate = |id| Command::ValidateService { request: id };
    bank.clock.set(local(3, 5, 11, 0));
    run(
        &bank,
        bank.as_interpreter(2),
        record(ids[&'I'], completed(time(10, 0), time(11, 0))),
    )
    .await;
    run(&bank, bank.as_requester(), validate(ids[&'I'])).await;
    run(
        &bank,
        bank.as_coordinator(),
        Command::CloseRequest { request: ids[&'I'] },
    )
    .await;

    bank.clock.set(local(3, 6, 11, 0));
    run(
        &bank,
        bank.as_interpreter(2),
        record(ids[&'J'], completed(time(10, 0), time(11, 0))),
    )
    .await;
    let contest = Command::ContestService {
        request: ids[&'J'],
        reason: Some("Contestation-Confidentielle".into()),
    };
    run(&bank, bank.as_requester(), contest).await;

    bank.clock.set(local(3, 9, 14, 0));
    run(
        &bank,
        bank.as_interpreter(0),
        record(ids[&'E'], completed(time(13, 0), time(14, 0))),
    )
    .await;

    bank.clock.set(local(3, 10, 18, 0));
    run(
        &bank,
        bank.as_interpreter(1),
        record(ids[&'B'], completed(time(17, 0), time(18, 0))),
    )
    .await;
    run(&bank, bank.as_requester(), validate(ids[&'B'])).await;

    bank.clock.set(local(3, 11, 12, 0));
    run(
        &bank,
        bank.as_interpreter(0),
        record(ids[&'A'], completed(time(10, 0), time(12, 0))),
    )
    .await;
    run(&bank, bank.as_requester(), validate(ids[&'A'])).await;
    run(&bank, bank.as_requester(), cancel(ids[&'C'])).await;

    bank.clock.set(local(3, 11, 15, 30));
    let mut f = completed(time(14, 0), time(15, 30));
    f.overtime_reason = Some("Dépassement-Confidentiel".into());
    run(&bank, bank.as_interpreter(0), record(ids[&'F'], f)).await;
    run(
        &bank,
        Actor::requester(bank.outsider, Channel::Email),
        validate(ids[&'F']),
    )
    .await;

    bank.clock.set(local(3, 13, 11, 0));
    let calls = ServiceRecord {
        completed: false,
        interpreter_present: false,
        actual_start: None,
        actual_end: None,
        actual_minutes: None,
        cancellation: Some(RecordedCancellation {
            general: GeneralReason::Cancelled,
            reason: CancellationReason::AppointmentCancelled,
            date: date(3, 2),
            time: time(9, 0),
        }),
        phone_calls: 2,
        ..completed(time(10, 0), time(11, 0))
    };
    run(&bank, bank.as_interpreter(0), record(ids[&'D'], calls)).await;

    bank.clock.set(local(4, 1, 11, 0));
    run(
        &bank,
        bank.as_interpreter(0),
        record(ids[&'G'], completed(time(10, 0), time(11, 0))),
    )
    .await;
    run(&bank, bank.as_requester(), validate(ids[&'G'])).await;

    let mut numbers = HashMap::new();
    for (letter, id) in &ids {
        let r = bank.load(*id).await;
        numbers.insert(*letter, r.label());
    }
    assert!(
        bank.load(ids[&'C']).await.cancellation.unwrap().late,
        "C was cancelled late"
    );
    assert!(
        !bank.load(ids[&'D']).await.cancellation.unwrap().late,
        "D was cancelled in time"
    );
    assert_eq!(bank.load(ids[&'E']).await.status, RequestStatus::ServiceRendered);
    Month {
        bank,
        settings,
        numbers,
    }
}

async fn load_invoice(m: &Month, settings: &Settings) -> Invoice {
    billing::load_invoice(&m.bank.store, settings, "CCSMTL", march())
        .await
        .unwrap()
}

async fn load_statement(m: &Month, user_code: &str) -> PayStatement {
    billing::load_pay_statement(&m.bank.store, &m.settings, user_code, march())
        .await
        .unwrap()
}

fn find<'a>(invoice: &'a Invoice, number: &str) -> &'a billing::Line {
    invoice
        .groups
        .iter()
        .flat_map(|g| &g.lines)
        .find(|l| l.number == number)
        .unwrap_or_else(|| panic!("{number} is not on the invoice"))
}

fn s(amount: relais::domain::money::Amount) -> String {
    amount.to_string()
}

/// Compares `actual` with the golden file `tests/golden/billing/NAME`; `RELAIS_BLESS=1`
/// writes it instead.
fn golden(name: &str, actual: &[u8]) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/billing")
        .join(name);
    if std::env::var_os("RELAIS_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
    }
    let expected = std::fs::read(&path).unwrap_or_else(|_| panic!("{} is missing: RELAIS_BLESS=1", path.display()));
    assert!(
        expected == actual,
        "{name} differs from its golden file:\n{}",
        String::from_utf8_lossy(actual)
    );
}

/// CSV rows as header → value maps, read as Excel would in `locale`: the byte-order mark
/// off, the locale's separator.
fn read_csv(bytes: &[u8], locale: Locale) -> Vec<HashMap<String, String>> {
    let body = bytes
        .strip_prefix(UTF8_BOM)
        .expect("a CSV starts with the UTF-8 byte-order mark");
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(spreadsheet::delimiter(locale))
        .from_reader(body);
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            headers
                .iter()
                .map(String::from)
                .zip(r.iter().map(String::from))
                .collect()
        })
        .collect()
}

fn assert_private(text: &str) {
    for word in PRIVATE {
        assert!(!text.contains(word), "{word:?} is on a document:\n{text}");
    }
}

on_both_engines!(
    the_invoice_bills_a_month_by_cost_centre,
    pay_statements_pay_each_interpreter_with_their_taxes,
    establishments_are_charged_their_own_tariff,
    the_cli_writes_both_documents,
);

async fn the_invoice_bills_a_month_by_cost_centre(engine: Engine) {
    let m = month(engine).await;
    let invoice = load_invoice(&m, &m.settings).await;
    assert_eq!(invoice.number, "F-CCSMTL-202603");
    assert_eq!(invoice.establishment.name, "CIUSSS du Centre-Sud");

    // By cost centre code, requests without one last; in appointment order within each.
    let groups: Vec<(Option<&str>, Vec<&str>)> = invoice
        .groups
        .iter()
        .map(|g| {
            (
                g.cost_centre.as_ref().map(|c| c.code.as_str()),
                g.lines.iter().map(|l| l.number.as_str()).collect(),
            )
        })
        .collect();
    assert_eq!(
        groups,
        vec![
            (Some("7301110"), vec![m.number('A'), m.number('C')]),
            (Some("7301120"), vec![m.number('B'), m.number('D')]),
            (None, vec![m.number('I')]),
        ],
        "E awaits validation, F is another establishment's, G another month's, H owes nothing"
    );

    // The seeds' example: two hours on a Wednesday morning.
    let a = find(&invoice, m.number('A'));
    assert_eq!(a.breakdown.rate_class(), RateClass::Standard);
    assert_eq!(a.breakdown.billable_minutes(), 120);
    assert_eq!(s(a.breakdown.line(LineKind::Request)), "82.00");
    assert_eq!(s(a.breakdown.total()), "82.00");
    assert_eq!(a.billing_code.as_ref().map(|c| c.code.as_str()), Some("FAC-01"));
    // The evening, for an interpreter who adds the taxes: they pass through to the charge.
    let b = find(&invoice, m.number('B'));
    assert_eq!(b.breakdown.rate_class(), RateClass::Evening);
    assert_eq!(s(b.breakdown.subtotal()), "45.10");
    assert_eq!(b.breakdown.taxes().len(), 2);
    assert_eq!(s(b.breakdown.total()), "51.86", "45.10 + 2.26 + 4.50");
    // Cancelled late: the scheduled two hours.
    let c = find(&invoice, m.number('C'));
    assert_eq!(c.breakdown.outcome(), Outcome::CancelledLate);
    assert_eq!(s(c.breakdown.total()), "82.00");
    // Cancelled in time: only the two calls.
    let d = find(&invoice, m.number('D'));
    assert_eq!(d.breakdown.outcome(), Outcome::CancelledInTime);
    assert_eq!(s(d.breakdown.line(LineKind::Request)), "0.00");
    assert_eq!(s(d.breakdown.line(LineKind::PhoneCalls)), "10.00");
    assert_eq!(s(d.breakdown.total()), "10.00");

    let [cc1, cc2, none] = &invoice.groups[..] else {
        panic!("three groups")
    };
    assert_eq!(s(cc1.totals.total()), "164.00");
    assert_eq!(s(cc2.totals.subtotal()), "55.10");
    assert_eq!(s(cc2.totals.tax_added(Tax::Gst)), "2.26");
    assert_eq!(s(cc2.totals.tax_added(Tax::Qst)), "4.50");
    assert_eq!(s(cc2.totals.total()), "61.86");
    assert_eq!(s(none.totals.total()), "41.00");
    let t = &invoice.totals;
    assert_eq!(t.count(), 5);
    assert_eq!(s(t.line(LineKind::Request)), "250.10");
    assert_eq!(s(t.line(LineKind::PhoneCalls)), "10.00");
    assert_eq!(s(t.subtotal()), "260.10");
    assert_eq!(
        (s(t.tax_added(Tax::Gst)), s(t.tax_added(Tax::Qst))),
        ("2.26".into(), "4.50".into())
    );
    assert_eq!(s(t.total()), "266.86");

    // Recorded but not validated (or contested): not billed, not lost.
    let awaiting: Vec<(&str, bool)> = invoice
        .awaiting
        .iter()
        .map(|a| (a.number.as_str(), a.contested))
        .collect();
    assert_eq!(awaiting, vec![(m.number('J'), true), (m.number('E'), false)]);

    // CSV, read back.
    let csv = billing::render_invoice(&invoice, Format::Csv, Locale::Fr).unwrap();
    assert_eq!(csv.file_name, "F-CCSMTL-202603.csv");
    // What French Excel opens by double-click: the mark, `;`, decimal commas.
    let text = String::from_utf8(csv.bytes.clone()).unwrap();
    assert!(text.starts_with("\u{feff}Ligne;Facture;Établissement;"), "{text}");
    assert!(text.contains(";Standard;120;82,00;0,00;"), "{text}");
    let rows = read_csv(&csv.bytes, Locale::Fr);
    let of = |kind: &str| rows.iter().filter(|r| r["Ligne"] == kind).collect::<Vec<_>>();
    let lines = of("demande");
    assert_eq!(lines.len(), 5);
    let line_a = lines.iter().find(|r| r["N° de demande"] == m.number('A')).unwrap();
    assert_eq!(line_a["Centre de coûts"], "7301110");
    assert_eq!(line_a["Code de facturation"], "FAC-01");
    assert_eq!(line_a["Demande"], "82,00");
    assert_eq!(line_a["Total"], "82,00");
    assert_eq!(line_a["Date"], "2026-03-11");
    assert_eq!(line_a["Heure"], "10:00");
    assert_eq!(line_a["Taux"], "Standard");
    assert_eq!(line_a["Interprète"], "Lucía Ramírez");
    assert_eq!(line_a["Langue d'arrivée"], "Espagnol");
    let line_b = lines.iter().find(|r| r["N° de demande"] == m.number('B')).unwrap();
    assert_eq!((line_b["TPS"].as_str(), line_b["TVQ"].as_str()), ("2,26", "4,50"));
    let subtotals: Vec<(&str, &str)> = of("sous-total")
        .iter()
        .map(|r| (r["Centre de coûts"].as_str(), r["Total"].as_str()))
        .collect();
    assert_eq!(
        subtotals,
        vec![("7301110", "164,00"), ("7301120", "61,86"), ("", "41,00")]
    );
    let total = of("total");
    assert_eq!(total.len(), 1);
    assert_eq!(total[0]["Total"], "266,86");
    assert_eq!(total[0]["Sous-total"], "260,10");
    assert_eq!(total[0]["Devise"], "CAD");
    let sum: Decimal = lines.iter().map(|r| french_amount(&r["Total"])).sum();
    assert_eq!(sum.to_string(), "266.86");
    let awaiting = of("en attente de validation");
    assert_eq!(awaiting.len(), 2);
    assert_eq!(awaiting[0]["N° de demande"], m.number('J'));
    assert_eq!(awaiting[0]["Résultat"], "Réalisation contestée");
    assert_eq!(awaiting[1]["N° de demande"], m.number('E'));
    assert_eq!(awaiting[1]["Résultat"], "En attente de validation");
    assert_eq!(awaiting[1]["Total"], "");

    // HTML: the lines, the totals, the awaiting request; French by default.
    let html = billing::render_invoice(&invoice, Format::Html, Locale::Fr).unwrap();
    let page = String::from_utf8(html.bytes).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>\n<html lang=\"fr\">"));
    assert!(page.contains("@media print"));
    assert!(!page.contains("<script"), "no JavaScript");
    for letter in ['A', 'B', 'C', 'D', 'I', 'E', 'J'] {
        assert!(page.contains(m.number(letter)), "{letter} missing");
    }
    for letter in ['F', 'G', 'H'] {
        assert!(!page.contains(m.number(letter)), "{letter} must not be invoiced here");
    }
    assert!(page.contains("Facture F-CCSMTL-202603"));
    assert!(page.contains("Centre de coûts 7301110 — DA services multidisciplinaires - volet opérations"));
    assert!(page.contains("Sans centre de coûts"));
    assert!(page.contains("Rémunération du temps de déplacement"));
    assert!(page.contains("Rappels téléphoniques"));
    assert!(page.contains("Annulation tardive") && page.contains("Annulée avec préavis"));
    assert!(
        page.contains("<span>82,00</span>"),
        "figures in the tables, without the symbol"
    );
    assert!(page.contains("id=\"grand-total\">266,86\u{a0}$<"));
    assert!(page.contains("En attente de validation (2)") && page.contains("Réalisation contestée"));
    assert_private(&page);
    assert_private(&String::from_utf8(csv.bytes.clone()).unwrap());

    let en = billing::render_invoice(&invoice, Format::Html, Locale::En).unwrap();
    let en = String::from_utf8(en.bytes).unwrap();
    assert!(en.contains("<html lang=\"en\">") && en.contains("Invoice F-CCSMTL-202603"));
    assert!(en.contains("id=\"grand-total\">$266.86<") && en.contains("Awaiting validation (2)"));

    // Both engines give the very same files.
    golden("invoice-CCSMTL-202603.csv", &csv.bytes);
    golden("invoice-CCSMTL-202603.html", page.as_bytes());
}

async fn pay_statements_pay_each_interpreter_with_their_taxes(engine: Engine) {
    let m = month(engine).await;
    // Lucía (UBILR0002: Luc Roy came first) works for both establishments.
    let lucia = load_statement(&m, "UBILR0002").await;
    assert_eq!(lucia.number, "R-UBILR0002-202603");
    let numbers: Vec<&str> = lucia.lines.iter().map(|l| l.number.as_str()).collect();
    assert_eq!(
        numbers,
        vec![m.number('A'), m.number('F'), m.number('C'), m.number('D')]
    );
    let totals: Vec<String> = lucia.lines.iter().map(|l| s(l.breakdown.total())).collect();
    assert_eq!(
        totals,
        vec!["82.00", "61.50", "82.00", "10.00"],
        "F ran 30 minutes over"
    );
    assert_eq!(s(lucia.totals.total()), "235.50");
    assert_eq!(
        lucia.awaiting.iter().map(|a| a.number.as_str()).collect::<Vec<_>>(),
        vec![m.number('E')]
    );

    // Diego adds the taxes: his statement shows them.
    let diego = load_statement(&m, "ubidf0001").await;
    assert_eq!(diego.lines.len(), 1);
    let t = &diego.totals;
    assert_eq!(
        (
            s(t.subtotal()),
            s(t.tax_added(Tax::Gst)),
            s(t.tax_added(Tax::Qst)),
            s(t.total())
        ),
        ("45.10".into(), "2.26".into(), "4.50".into(), "51.86".into())
    );
    assert!(diego.awaiting.is_empty());

    let csv = billing::render_pay_statement(&diego, Format::Csv, Locale::Fr).unwrap();
    let rows = read_csv(&csv.bytes, Locale::Fr);
    assert_eq!(rows.len(), 2, "one request, the total");
    assert_eq!(rows[0]["Numéro de fournisseur"], "F-0042");
    assert_eq!(rows[0]["Taux"], "Soirée");
    assert_eq!((rows[1]["TPS"].as_str(), rows[1]["TVQ"].as_str()), ("2,26", "4,50"));
    assert_eq!(rows[1]["Total"], "51,86");
    let html = billing::render_pay_statement(&diego, Format::Html, Locale::Fr).unwrap();
    let page = String::from_utf8(html.bytes).unwrap();
    for fact in [
        "Relevé de rémunération R-UBIDF0001-202603",
        "Diego Fernández Ruiz",
        "F-0042",
        "Inscrit, taxes en sus",
        "123456789RT0001",
        "1234567890TQ0001",
        "45,10\u{a0}$",
        "2,26\u{a0}$",
        "4,50\u{a0}$",
        "id=\"grand-total\">51,86\u{a0}$<",
    ] {
        assert!(page.contains(fact), "{fact:?} missing");
    }
    assert_private(&page);

    let csv = billing::render_pay_statement(&lucia, Format::Csv, Locale::En).unwrap();
    // English Excel's: the mark, `,`, decimal points.
    let text = String::from_utf8(csv.bytes.clone()).unwrap();
    assert!(text.starts_with("\u{feff}Row,Statement,Interpreter,"), "{text}");
    assert!(text.contains(",Standard,120,82.00,0.00,"), "{text}");
    let rows = read_csv(&csv.bytes, Locale::En);
    assert_eq!(rows.iter().find(|r| r["Row"] == "total").unwrap()["Total"], "235.50");
    assert_private(&text);
    golden("statement-UBILR0002-202603.en.csv", &csv.bytes);

    // Nobody else's statement, and no statement for who is not an interpreter.
    let err = billing::load_pay_statement(&m.bank.store, &m.settings, "UBIMT0001", march()).await;
    assert!(
        matches!(err, Err(billing::BillingError::UnknownInterpreter(_))),
        "{err:?}"
    );
}

async fn establishments_are_charged_their_own_tariff(engine: Engine) {
    let m = month(engine).await;
    let billing = [
        ("STANDARD_HOURLY", "50.00"),
        ("EVENING_HOURLY", "55.00"),
        ("WEEKEND_HOURLY", "60.00"),
        ("HOLIDAY_HOURLY", "75.00"),
        ("MINIMUM_MINUTES", "60"),
        ("INCREMENT_MINUTES", "15"),
        ("DISTANCE_FREE_KM", "10"),
        ("DISTANCE_PER_KM", "0.52"),
        ("TRAVEL_HOURLY", "20.50"),
        ("PHONE_CALL", "6.00"),
        ("WORD", "0.22"),
    ];
    let env: Vec<(String, String)> = billing
        .iter()
        .map(|(k, v)| (format!("RELAIS__MONEY__BILLING__{k}"), v.to_string()))
        .collect();
    let env: Vec<(&str, String)> = env.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    let settings = support::settings(&m.bank, &env);
    let invoice = load_invoice(&m, &settings).await;
    assert_eq!(s(find(&invoice, m.number('A')).breakdown.total()), "100.00");
    assert_eq!(s(find(&invoice, m.number('D')).breakdown.total()), "12.00");
    // The interpreter is still paid the pay tariff.
    let lucia = load_statement(&m, "UBILR0002").await;
    assert_eq!(s(lucia.lines[0].breakdown.total()), "82.00");
}

async fn the_cli_writes_both_documents(engine: Engine) {
    let m = month(engine).await;
    let dir = tempfile::tempdir().unwrap();
    let relais = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_relais"))
            .current_dir(dir.path())
            .arg("--config")
            .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/config/default.toml"))
            .args(args)
            .env_remove("RUST_LOG")
            .env("RELAIS__DATABASE__URL", &m.bank.db.url)
            // PostgreSQL wants one signing key for every process; it signs nothing here.
            .env("RELAIS__SECURITY__SIGNING_KEY", support::mail::SIGNING_KEY)
            .output()
            .expect("run relais")
    };
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    let period = ["--from", "2026-03-01", "--to", "2026-03-31"];

    let out = relais(
        &[
            &["invoice", "--establishment", "CCSMTL"][..],
            &period,
            &["--format", "html", "--output", "facture.html"],
        ]
        .concat(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout).trim(),
        "Facture F-CCSMTL-202603 : 5 demandes, total 266,86\u{a0}$, 2 en attente de validation → facture.html"
    );
    let page = std::fs::read_to_string(dir.path().join("facture.html")).unwrap();
    assert!(page.contains(m.number('A')) && page.contains("266,86\u{a0}$"));
    assert_private(&page);

    let out = relais(
        &[
            &["pay-statement", "--interpreter", "UBIDF0001"][..],
            &period,
            &["--format", "csv", "--output", "releve.csv", "--lang", "en"],
        ]
        .concat(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout).trim(),
        "Pay statement R-UBIDF0001-202603: 1 request, total $51.86, 0 awaiting validation → releve.csv"
    );
    let rows = read_csv(&std::fs::read(dir.path().join("releve.csv")).unwrap(), Locale::En);
    assert_eq!(rows.last().unwrap()["Row"], "total");
    assert_eq!(rows.last().unwrap()["Total"], "51.86");

    // What cannot be done is said, and nothing is written.
    for (args, says) in [
        (
            vec!["invoice", "--establishment", "NOPE"],
            "no establishment has the code",
        ),
        (
            vec!["pay-statement", "--interpreter", "UBIXX0009"],
            "no interpreter has the user code",
        ),
    ] {
        let out = relais(&[&args[..], &period, &["--format", "csv", "--output", "x.csv"]].concat());
        assert!(!out.status.success());
        assert!(text(&out.stderr).contains(says), "{}", text(&out.stderr));
        assert!(!dir.path().join("x.csv").exists());
    }
    let backwards = [
        "invoice",
        "--establishment",
        "CCSMTL",
        "--from",
        "2026-03-31",
        "--to",
        "2026-03-01",
        "--format",
        "csv",
        "--output",
        "x.csv",
    ];
    let out = relais(&backwards);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("before it starts"), "{}", text(&out.stderr));
    let out = relais(&[&backwards[..7], &["--format", "pdf", "--output", "x.pdf"]].concat());
    assert!(!out.status.success(), "only html and csv");
}

// ---- Properties of the pure assembly, for any set of requests ----

const HOME: EstablishmentId = EstablishmentId(1);

fn rules_settings() -> Settings {
    Settings::from_toml_and_env(include_str!("../../config/default.toml"), Vec::new()).unwrap()
}

fn establishment(id: EstablishmentId) -> EstablishmentRef {
    EstablishmentRef {
        id,
        code: if id == HOME { "CCSMTL".into() } else { "CIUSSSCN".into() },
        name: "Établissement".into(),
    }
}

fn interpreters() -> Vec<InterpreterRef> {
    let number = |n: &str| {
        Some(TaxNumber {
            number: n.into(),
            from: None,
            until: None,
        })
    };
    [
        ("UBILR0001", "Lucía Ramírez", TaxRegistration::NotRegistered),
        ("UBIDF0001", "Diego Fernández", TaxRegistration::Added),
        ("UBIAS0001", "=Ana Soto", TaxRegistration::Inclusive),
    ]
    .into_iter()
    .enumerate()
    .map(|(i, (code, name, registration))| InterpreterRef {
        id: PersonId(10 + i as i64),
        user_code: UserCode::parse(code).unwrap(),
        name: name.into(),
        financial: FinancialFile {
            legal_name: None,
            supplier_number: Some(format!("F-{i}")),
            tax_registration: registration,
            gst: number("G"),
            qst: number("Q"),
        },
    })
    .collect()
}

fn record_strategy() -> impl Strategy<Value = ServiceRecord> {
    (
        (any::<bool>(), any::<bool>(), proptest::option::of(1..900u32)),
        (0..120u32, 0..2000i64, 0..240u32, 0..6u32, 0..3000u32, 0..50_000i64),
        proptest::option::of((1..28u32, 0..24u32)),
    )
        .prop_map(
            |((completed, present, minutes), (waiting, km, travel, calls, words, fees), cancelled)| ServiceRecord {
                completed,
                interpreter_present: present,
                arrival_time: None,
                actual_start: None,
                actual_end: None,
                actual_minutes: minutes,
                overtime_reason: None,
                cancellation: cancelled.map(|(day, hour)| RecordedCancellation {
                    general: GeneralReason::Cancelled,
                    reason: CancellationReason::Other,
                    date: date(3, day),
                    time: time(hour, 0),
                }),
                waiting_minutes: waiting,
                distance_km: Decimal::new(km, 1),
                travel_minutes: travel,
                phone_calls: calls,
                words,
                other_fees: Decimal::new(fees, 2),
                services_given: None,
                comments: None,
            },
        )
}

fn item_strategy() -> impl Strategy<Value = BillableItem> {
    let cost_centres = vec![
        None,
        Some(("7301110", "DA services")),
        Some(("7301120", "+Pédiatrie")),
        Some(("0001", "")),
    ];
    (
        (
            prop_oneof![4 => Just(HOME), 1 => Just(EstablishmentId(2))],
            proptest::sample::select(cost_centres),
            proptest::option::of(proptest::sample::select(vec!["FAC-01", "@FAC-02"])),
            proptest::sample::select(RequestStatus::ALL.to_vec()),
        ),
        (
            proptest::sample::select(RequestType::ALL.to_vec()),
            -5..36i64,
            0..24u32,
            15..720u32,
        ),
        (
            any::<bool>(),
            proptest::option::of(any::<bool>()),
            any::<bool>(),
            proptest::option::of(0..3usize),
            proptest::option::of(record_strategy()),
        ),
    )
        .prop_map(
            |(
                (establishment_id, cost_centre, billing_code, status),
                (request_type, day, hour, minutes),
                (booked, cancelled, contested, interpreter, record),
            )| BillableItem {
                request_id: RequestId(0),
                number: String::new(),
                status,
                establishment: establishment(establishment_id),
                cost_centre: cost_centre.map(|(code, description)| CodeRef {
                    code: code.into(),
                    description: description.into(),
                }),
                billing_code: billing_code.map(|code| CodeRef {
                    code: code.into(),
                    description: String::new(),
                }),
                request_type,
                date: date(3, 1) + chrono::TimeDelta::days(day),
                start_time: time(hour, 0),
                scheduled_minutes: minutes,
                source_language: support::lang("fr"),
                target_language: support::lang("es"),
                booked,
                cancellation: cancelled.map(|late| relais::domain::request::Cancellation {
                    reason: CancellationReason::Other,
                    detail: None,
                    at: Utc::now(),
                    late,
                }),
                contested,
                interpreter: interpreter.map(|i| interpreters()[i].clone()),
                record,
            },
        )
}

fn items_strategy() -> impl Strategy<Value = Vec<BillableItem>> {
    proptest::collection::vec(item_strategy(), 0..14).prop_map(|mut items| {
        for (i, item) in items.iter_mut().enumerate() {
            item.request_id = RequestId(i as i64 + 1);
            item.number = format!("HC-26061{:03}", i + 1);
        }
        items
    })
}

fn charge(item: &BillableItem, settings: &Settings) -> Breakdown {
    compute(&item.service(), &item.financial(), &settings.billing_rules()).unwrap()
}

/// The plain amount of the HTML page's grand total.
fn html_total(page: &str) -> String {
    let re = regex::Regex::new(r#"id="grand-total">([^<]*)<"#).unwrap();
    re.captures(page).unwrap()[1].to_string()
}

/// An amount of a French CSV: digits and a decimal comma, nothing else, so that French Excel
/// reads a number.
fn french_amount(cell: &str) -> Decimal {
    assert!(
        cell.chars().all(|c| c.is_ascii_digit() || c == ','),
        "{cell:?} is not a French decimal"
    );
    Decimal::from_str_exact(&cell.replace(',', ".")).unwrap()
}

fn amounts_of(rows: &[HashMap<String, String>], kind: &str, column: &str) -> Vec<Decimal> {
    rows.iter()
        .filter(|r| r["Ligne"] == kind)
        .map(|r| french_amount(&r[column]))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Every request the invoice bills lands in exactly one cost-centre group, the right
    /// one; the groups add up to the invoice, the invoice to its requests; the CSV and the
    /// page say the same totals.
    #[test]
    fn an_invoice_holds_each_billed_request_once_and_adds_up(items in items_strategy(), en in any::<bool>()) {
        let settings = rules_settings();
        let header = InvoiceHeader {
            bank_name: "Banque".into(),
            establishment: establishment(HOME),
            period: march(),
            currency: Currency::Cad,
        };
        let invoice = billing::invoice(header, &items, &settings.billing_rules()).unwrap();
        let mine: Vec<&BillableItem> =
            items.iter().filter(|i| i.establishment.id == HOME && march().contains(i.date)).collect();
        let billed: Vec<&BillableItem> = mine
            .iter()
            .copied()
            .filter(|i| billing::coverage(i.status, &charge(i, &settings)) == Coverage::Billed)
            .collect();
        for item in &items {
            let places: Vec<&billing::CostCentreGroup> = invoice
                .groups
                .iter()
                .filter(|g| g.lines.iter().any(|l| l.request_id == item.request_id))
                .collect();
            let lines = invoice.groups.iter().flat_map(|g| &g.lines).filter(|l| l.request_id == item.request_id).count();
            if billed.iter().any(|b| b.request_id == item.request_id) {
                prop_assert_eq!(lines, 1, "{} once", &item.number);
                prop_assert_eq!(&places[0].cost_centre, &item.cost_centre);
            } else {
                prop_assert_eq!(lines, 0, "{} not billed", &item.number);
            }
        }
        // Billed: validated or closed, or cancelled with an amount; never anything else.
        for item in &billed {
            let owed = !charge(item, &settings).total().is_zero();
            prop_assert!(
                matches!(item.status, RequestStatus::Validated | RequestStatus::Closed)
                    || (item.status == RequestStatus::Cancelled && owed)
            );
        }
        let awaiting: Vec<RequestId> = mine
            .iter()
            .filter(|i| i.status == RequestStatus::ServiceRendered)
            .map(|i| i.request_id)
            .collect();
        let mut listed: Vec<RequestId> = invoice.awaiting.iter().map(|a| a.request_id).collect();
        listed.sort();
        prop_assert_eq!(listed, awaiting);
        let codes: Vec<&Option<CodeRef>> = invoice.groups.iter().map(|g| &g.cost_centre).collect();
        let mut distinct = codes.clone();
        distinct.dedup();
        prop_assert_eq!(codes.len(), distinct.len(), "one group per cost centre");
        prop_assert!(invoice.groups.iter().all(|g| !g.lines.is_empty()));

        // Groups add up to the invoice, line by line; the invoice is the sum of its requests.
        let t = &invoice.totals;
        let sum = |f: &dyn Fn(&relais::domain::money::Totals) -> Decimal| {
            invoice.groups.iter().map(|g| f(&g.totals)).sum::<Decimal>()
        };
        for kind in LineKind::ALL {
            prop_assert_eq!(sum(&|g| g.line(kind).value()), t.line(kind).value());
        }
        prop_assert_eq!(sum(&|g| g.subtotal().value()), t.subtotal().value());
        for tax in Tax::ALL {
            prop_assert_eq!(sum(&|g| g.tax_added(tax).value()), t.tax_added(tax).value());
            prop_assert_eq!(sum(&|g| g.tax_included(tax).value()), t.tax_included(tax).value());
        }
        prop_assert_eq!(sum(&|g| g.total().value()), t.total().value());
        let each: Decimal = billed.iter().map(|i| charge(i, &settings).total().value()).sum();
        prop_assert_eq!(t.total().value(), each);
        prop_assert_eq!(t.count(), billed.len());

        // The CSV and the page show the same totals.
        let locale = if en { Locale::En } else { Locale::Fr };
        let csv = billing::render_invoice(&invoice, Format::Csv, Locale::Fr).unwrap();
        let rows = read_csv(&csv.bytes, Locale::Fr);
        prop_assert_eq!(amounts_of(&rows, "total", "Total"), vec![t.total().value()]);
        prop_assert_eq!(amounts_of(&rows, "demande", "Total").iter().sum::<Decimal>(), t.total().value());
        let subtotals: Vec<Decimal> = invoice.groups.iter().map(|g| g.totals.total().value()).collect();
        prop_assert_eq!(amounts_of(&rows, "sous-total", "Total"), subtotals);
        prop_assert_eq!(rows.iter().filter(|r| r["Ligne"] == "en attente de validation").count(), invoice.awaiting.len());
        for row in &rows {
            for value in row.values() {
                prop_assert!(!value.starts_with(['=', '+', '-', '@']), "{:?}", value);
            }
        }
        let html = billing::render_invoice(&invoice, Format::Html, locale).unwrap();
        let page = String::from_utf8(html.bytes).unwrap();
        prop_assert_eq!(html_total(&page), t.total().format(Currency::Cad, locale));
        for group in &invoice.groups {
            // The subtotal rows' figures, whose currency the header states.
            let shown = group.totals.total().format(Currency::Cad, locale);
            let figure = shown.trim_start_matches('$').trim_end_matches("\u{a0}$");
            let cell = format!("class=\"num\">{figure}</td>\n</tr></tfoot>");
            prop_assert!(page.contains(&cell), "{}", cell);
        }
    }

    /// A pay statement holds exactly the interpreter's billed requests of the period, and
    /// its total is theirs; the CSV and the page agree.
    #[test]
    fn a_pay_statement_holds_the_interpreters_requests_and_adds_up(items in items_strategy(), who in 0..3usize) {
        let settings = rules_settings();
        let interpreter = interpreters()[who].clone();
        let header = StatementHeader {
            bank_name: "Banque".into(),
            interpreter: interpreter.clone(),
            period: march(),
            currency: Currency::Cad,
        };
        let statement = billing::pay_statement(header, &items, &settings.pay_rules()).unwrap();
        let pay = |i: &BillableItem| compute(&i.service(), &i.financial(), &settings.pay_rules()).unwrap();
        let theirs: Vec<&BillableItem> = items
            .iter()
            .filter(|i| i.interpreter.as_ref().is_some_and(|p| p.id == interpreter.id) && march().contains(i.date))
            .filter(|i| billing::coverage(i.status, &pay(i)) == Coverage::Billed)
            .collect();
        let mut expected: Vec<RequestId> = theirs.iter().map(|i| i.request_id).collect();
        let mut got: Vec<RequestId> = statement.lines.iter().map(|l| l.request_id).collect();
        expected.sort();
        got.sort();
        prop_assert_eq!(got, expected);
        let each: Decimal = theirs.iter().map(|i| pay(i).total().value()).sum();
        prop_assert_eq!(statement.totals.total().value(), each);
        let rows = read_csv(&billing::render_pay_statement(&statement, Format::Csv, Locale::Fr).unwrap().bytes, Locale::Fr);
        prop_assert_eq!(amounts_of(&rows, "total", "Total"), vec![each]);
        prop_assert_eq!(amounts_of(&rows, "demande", "Total").iter().sum::<Decimal>(), each);
        let page = String::from_utf8(billing::render_pay_statement(&statement, Format::Html, Locale::Fr).unwrap().bytes).unwrap();
        prop_assert_eq!(html_total(&page), statement.totals.total().format(Currency::Cad, Locale::Fr));
    }
}

#[test]
fn a_document_with_nothing_to_bill_says_so() {
    let settings = rules_settings();
    let header = InvoiceHeader {
        bank_name: "Banque".into(),
        establishment: establishment(HOME),
        period: Period::new(date(3, 1), date(3, 15)).unwrap(),
        currency: Currency::Cad,
    };
    let invoice = billing::invoice(header, &[], &settings.billing_rules()).unwrap();
    assert_eq!(invoice.number, "F-CCSMTL-20260301-20260315");
    assert!(invoice.groups.is_empty() && invoice.totals.total().is_zero());
    let page = String::from_utf8(
        billing::render_invoice(&invoice, Format::Html, Locale::Fr)
            .unwrap()
            .bytes,
    )
    .unwrap();
    assert!(page.contains("Aucune demande à facturer pour cette période."));
    assert_eq!(html_total(&page), "0,00\u{a0}$");
    let rows = read_csv(
        &billing::render_invoice(&invoice, Format::Csv, Locale::Fr)
            .unwrap()
            .bytes,
        Locale::Fr,
    );
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["Total"], "0,00");
}
