//! Money, as the seeds' "Détails de la rémunération" shows it: golden breakdowns under the
//! shipped tariff (`config/default.toml`), and properties that hold for any tariff.

use chrono::{NaiveDate, NaiveTime, Utc};
use proptest::prelude::*;
use relais::config::Settings;
use relais::domain::interpreter::{FinancialFile, TaxNumber, TaxRegistration};
use relais::domain::locale::Locale;
use relais::domain::money::{
    Breakdown, Currency, LineKind, MoneyError, Outcome, Rate, RateClass, Rules, Service, Tariff, Tax, TaxRates, Totals,
    compute,
};
use relais::domain::request::{
    Cancellation, CancellationReason, GeneralReason, RecordedCancellation, RequestType, ServiceRecord,
};
use rust_decimal::Decimal;
use std::str::FromStr;

const DEFAULT: &str = include_str!("../../config/default.toml");

fn settings() -> Settings {
    Settings::from_toml_and_env(DEFAULT, Vec::new()).unwrap()
}

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn t(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap()
}

/// 2027-06-30 is a Wednesday; 07-01 a holiday (Thursday) of the default calendar; 07-03 a Saturday.
fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, m, d).unwrap()
}

/// A booked in-person request on Wednesday 2027-06-30 at 10:00, not yet recorded.
fn service(minutes: u32) -> Service<'static> {
    Service {
        request_type: RequestType::InPerson,
        date: day(6, 30),
        start_time: t(10, 0),
        scheduled_minutes: minutes,
        booked: true,
        cancellation: None,
        record: None,
    }
}

fn record(start: NaiveTime, end: NaiveTime) -> ServiceRecord {
    ServiceRecord::completed(start, end)
}

fn cancellation(late: bool) -> Cancellation {
    Cancellation {
        reason: CancellationReason::AppointmentCancelled,
        detail: None,
        at: Utc::now(),
        late,
    }
}

fn pay(service: &Service<'_>) -> Breakdown {
    pay_as(service, &FinancialFile::default())
}

fn pay_as(service: &Service<'_>, file: &FinancialFile) -> Breakdown {
    let s = settings();
    compute(service, file, &s.pay_rules()).unwrap()
}

/// Every line in the seeds' order, as the plain numbers stored and exported.
fn lines(b: &Breakdown) -> Vec<String> {
    b.lines().map(|(_, a)| a.to_string()).collect()
}

fn amount(b: &Breakdown, kind: LineKind) -> String {
    b.line(kind).to_string()
}

fn registered(registration: TaxRegistration, gst: Option<TaxNumber>, qst: Option<TaxNumber>) -> FinancialFile {
    FinancialFile {
        tax_registration: registration,
        gst,
        qst,
        ..FinancialFile::default()
    }
}

fn number(from: Option<NaiveDate>, until: Option<NaiveDate>) -> Option<TaxNumber> {
    Some(TaxNumber {
        number: "123456789".into(),
        from,
        until,
    })
}

#[test]
fn the_seeds_example_two_hours_standard_is_82() {
    let r = record(t(10, 0), t(12, 0));
    let recorded = Service {
        record: Some(&r),
        ..service(120)
    };
    for b in [pay(&service(120)), pay(&recorded)] {
        assert_eq!(b.rate_class(), RateClass::Standard);
        assert_eq!(b.rate_class().label(Locale::Fr), "Standard");
        assert_eq!(b.rate_class().description(Locale::Fr), "Heures de bureau");
        assert_eq!(b.outcome(), Outcome::Rendered);
        assert_eq!(b.billable_minutes(), 120);
        assert_eq!(lines(&b), ["82.00", "0.00", "0.00", "0.00", "0.00", "0.00", "0.00"]);
        assert_eq!(b.subtotal().to_string(), "82.00");
        assert!(b.taxes().is_empty());
        assert_eq!(b.total().to_string(), "82.00");
        assert_eq!(b.total().format(Currency::Cad, Locale::Fr), "82,00\u{a0}$");
        assert_eq!(b.total().format(Currency::Cad, Locale::En), "$82.00");
    }
    let labels: Vec<_> = LineKind::ALL.iter().map(|k| k.label(Locale::Fr)).collect();
    assert_eq!(
        labels,
        [
            "Demande",
            "Distance",
            "Rémunération du temps de déplacement",
            "Rappels téléphoniques",
            "Mots",
            "Autres frais",
            "Frais supplémentaires"
        ]
    );
}

#[test]
fn each_rate_class_pays_its_hourly_rate() {
    let cases = [
        (day(6, 30), t(10, 0), RateClass::Standard, "82.00"),
        (day(6, 30), t(8, 0), RateClass::Evening, "90.20"),
        (day(6, 30), t(16, 30), RateClass::Evening, "90.20"),
        (day(7, 3), t(10, 0), RateClass::Weekend, "98.40"),
        (day(7, 1), t(10, 0), RateClass::Holiday, "123.00"),
    ];
    for (date, start_time, class, demande) in cases {
        let b = pay(&Service {
            date,
            start_time,
            ..service(120)
        });
        assert_eq!(b.rate_class(), class, "{date} {start_time}");
        assert_eq!(amount(&b, LineKind::Request), demande, "{date} {start_time}");
        assert_eq!(b.total().to_string(), demande);
    }
}

#[test]
fn time_is_at_least_the_minimum_rounded_up_to_the_increment() {
    let b = pay(&service(50));
    assert_eq!(
        (b.billable_minutes(), amount(&b, LineKind::Request)),
        (60, "41.00".into())
    );
    let b = pay(&service(70));
    assert_eq!(
        (b.billable_minutes(), amount(&b, LineKind::Request)),
        (75, "51.25".into())
    );
    let b = pay(&service(15));
    assert_eq!(
        (b.billable_minutes(), amount(&b, LineKind::Request)),
        (60, "41.00".into())
    );
}

#[test]
fn overtime_pays_the_time_worked() {
    let mut r = record(t(10, 0), t(12, 10));
    r.overtime_reason = Some("Rendez-vous prolongé".into());
    let b = pay(&Service {
        record: Some(&r),
        ..service(120)
    });
    assert_eq!(
        (b.billable_minutes(), amount(&b, LineKind::Request)),
        (135, "92.25".into())
    );
    // Finishing early still pays the scheduled time.
    let r = record(t(10, 0), t(10, 40));
    let b = pay(&Service {
        record: Some(&r),
        ..service(120)
    });
    assert_eq!(
        (b.billable_minutes(), amount(&b, LineKind::Request)),
        (120, "82.00".into())
    );
}

#[test]
fn only_kilometres_beyond_the_threshold_are_paid() {
    for (km, paid) in [
        ("0", "0.00"),
        ("8", "0.00"),
        ("10", "0.00"),
        ("10.1", "0.05"),
        ("35.5", "13.26"),
    ] {
        let mut r = record(t(10, 0), t(12, 0));
        r.distance_km = d(km);
        let b = pay(&Service {
            record: Some(&r),
            ..service(120)
        });
        assert_eq!(amount(&b, LineKind::Distance), paid, "{km} km");
    }
}

#[test]
fn travel_time_is_paid_at_its_hourly_rate() {
    let mut r = record(t(10, 0), t(12, 0));
    r.travel_minutes = 45; // 20.50 × 45 / 60 = 15.375
    let b = pay(&Service {
        record: Some(&r),
        ..service(120)
    });
    assert_eq!(amount(&b, LineKind::TravelTime), "15.38");
    assert_eq!(b.total().to_string(), "97.38");
}

#[test]
fn a_request_cancelled_in_time_pays_its_calls_and_fees_only() {
    let c = cancellation(false);
    let mut r = record(t(10, 0), t(12, 0));
    r.phone_calls = 3;
    r.other_fees = d("4.50");
    r.distance_km = d("40");
    r.travel_minutes = 60;
    r.waiting_minutes = 30;
    r.words = 100;
    let b = pay(&Service {
        cancellation: Some(&c),
        record: Some(&r),
        ..service(120)
    });
    assert_eq!(b.outcome(), Outcome::CancelledInTime);
    assert_eq!(lines(&b), ["0.00", "0.00", "0.00", "15.00", "0.00", "4.50", "0.00"]);
    assert_eq!(b.total().to_string(), "19.50");
    // Without a record, nothing at all.
    let b = pay(&Service {
        cancellation: Some(&c),
        ..service(120)
    });
    assert_eq!(b.total(), relais::domain::money::Amount::ZERO);
}

#[test]
fn a_late_cancellation_pays_the_scheduled_time_and_travel_only_if_present() {
    let c = cancellation(true);
    let mut r = record(t(10, 0), t(10, 5));
    r.completed = false;
    r.interpreter_present = false;
    r.distance_km = d("30");
    r.travel_minutes = 60;
    r.phone_calls = 1;
    let absent = pay(&Service {
        cancellation: Some(&c),
        record: Some(&r),
        ..service(90)
    });
    assert_eq!(absent.outcome(), Outcome::CancelledLate);
    assert_eq!(absent.billable_minutes(), 90);
    assert_eq!(
        lines(&absent),
        ["61.50", "0.00", "0.00", "5.00", "0.00", "0.00", "0.00"]
    );
    r.interpreter_present = true;
    let present = pay(&Service {
        cancellation: Some(&c),
        record: Some(&r),
        ..service(90)
    });
    assert_eq!(
        lines(&present),
        ["61.50", "10.40", "20.50", "5.00", "0.00", "0.00", "0.00"]
    );
    assert_eq!(present.total().to_string(), "97.40");
    // Before any record: the scheduled time.
    let b = pay(&Service {
        cancellation: Some(&c),
        ..service(50)
    });
    assert_eq!(b.total().to_string(), "41.00");
}

#[test]
fn a_record_of_a_service_not_completed_is_late_within_48_hours_of_a_confirmed_start() {
    let recorded = |date, time| {
        let mut r = record(t(10, 0), t(12, 0));
        r.completed = false;
        r.interpreter_present = false;
        r.actual_minutes = None;
        r.cancellation = Some(RecordedCancellation {
            general: GeneralReason::Cancelled,
            reason: CancellationReason::UserAbsent,
            date,
            time,
        });
        r
    };
    let s = settings();
    let hours = s.workflow.late_cancellation_hours;
    let cases = [
        (day(6, 29), t(9, 18), true, Outcome::CancelledLate),
        (day(6, 28), t(10, 1), true, Outcome::CancelledLate),
        (day(6, 28), t(10, 0), true, Outcome::CancelledInTime),
        (day(6, 27), t(9, 0), true, Outcome::CancelledInTime),
        (day(6, 30), t(9, 0), false, Outcome::CancelledInTime),
    ];
    for (date, time, booked, expected) in cases {
        let r = recorded(date, time);
        let service = Service {
            booked,
            record: Some(&r),
            ..service(120)
        };
        assert_eq!(service.outcome(hours), expected, "{date} {time}");
        let b = pay(&service);
        let demande = if expected == Outcome::CancelledLate {
            "82.00"
        } else {
            "0.00"
        };
        assert_eq!(amount(&b, LineKind::Request), demande, "{date} {time}");
    }
    // No time recorded: no notice was given.
    let mut r = recorded(day(6, 1), t(9, 0));
    r.cancellation = None;
    assert_eq!(
        Service {
            record: Some(&r),
            ..service(120)
        }
        .outcome(hours),
        Outcome::CancelledLate
    );
}

#[test]
fn waiting_is_paid_at_the_class_rate_as_additional_fees() {
    // The seeds' record: the professional did not show, the interpreter waited an hour.
    let mut r = record(t(10, 0), t(10, 0));
    r.completed = false;
    r.interpreter_present = true;
    r.waiting_minutes = 60;
    r.cancellation = Some(RecordedCancellation {
        general: GeneralReason::Cancelled,
        reason: CancellationReason::ProfessionalLateOrAbsent,
        date: day(6, 30),
        time: t(9, 18),
    });
    let b = pay(&Service {
        record: Some(&r),
        ..service(120)
    });
    assert_eq!(b.outcome(), Outcome::CancelledLate);
    assert_eq!(lines(&b), ["82.00", "0.00", "0.00", "0.00", "0.00", "0.00", "41.00"]);
    // The same wait on a Saturday, told the same morning.
    if let Some(c) = r.cancellation.as_mut() {
        c.date = day(7, 3);
    }
    let weekend = pay(&Service {
        date: day(7, 3),
        record: Some(&r),
        ..service(120)
    });
    assert_eq!(amount(&weekend, LineKind::Extra), "49.20");
}

#[test]
fn a_translation_is_paid_by_the_word() {
    let mut r = record(t(10, 0), t(15, 0));
    r.words = 1234;
    let b = pay(&Service {
        request_type: RequestType::Translation,
        record: Some(&r),
        ..service(300)
    });
    assert_eq!(b.billable_minutes(), 0);
    assert_eq!(lines(&b), ["0.00", "0.00", "0.00", "0.00", "271.48", "0.00", "0.00"]);
    // A permanence is paid by the hour, like any interpretation.
    let b = pay(&Service {
        request_type: RequestType::Permanence,
        ..service(240)
    });
    assert_eq!(amount(&b, LineKind::Request), "164.00");
}

#[test]
fn other_fees_are_paid_at_cost_rounded_once() {
    let mut r = record(t(10, 0), t(12, 0));
    r.other_fees = d("12.345");
    let b = pay(&Service {
        record: Some(&r),
        ..service(120)
    });
    assert_eq!(amount(&b, LineKind::OtherFees), "12.35");
    assert_eq!(b.total().to_string(), "94.35");
}

#[test]
fn added_taxes_are_rounded_once_each_and_added() {
    let file = registered(
        TaxRegistration::Added,
        number(None, None),
        number(Some(day(1, 1)), None),
    );
    let b = pay_as(&service(120), &file);
    let taxes: Vec<_> = b
        .taxes()
        .iter()
        .map(|t| (t.tax, t.amount.to_string(), t.included))
        .collect();
    // 82 × 0.09975 = 8.1795
    assert_eq!(
        taxes,
        [(Tax::Gst, "4.10".into(), false), (Tax::Qst, "8.18".into(), false)]
    );
    assert_eq!(b.subtotal().to_string(), "82.00");
    assert_eq!(b.total().to_string(), "94.28");
    assert_eq!(b.taxes()[0].label(Locale::Fr), "TPS (5\u{a0}%)");
    assert_eq!(b.taxes()[1].label(Locale::En), "QST (9.975%)");
}

#[test]
fn inclusive_taxes_are_shown_inside_the_total() {
    let file = registered(TaxRegistration::Inclusive, number(None, None), number(None, None));
    let b = pay_as(&service(120), &file);
    // 82 × 0.05 / 1.14975 = 3.5660; 82 × 0.09975 / 1.14975 = 7.1142
    let taxes: Vec<_> = b.taxes().iter().map(|t| (t.amount.to_string(), t.included)).collect();
    assert_eq!(taxes, [("3.57".into(), true), ("7.11".into(), true)]);
    assert_eq!(b.total().to_string(), "82.00");
    assert_eq!(b.taxes()[1].label(Locale::Fr), "TVQ incluse (9,975\u{a0}%)");
    // Only the GST in force: 82 × 0.05 / 1.05 = 3.9047
    let file = registered(TaxRegistration::Inclusive, number(None, None), None);
    let b = pay_as(&service(120), &file);
    assert_eq!(b.taxes()[0].amount.to_string(), "3.90");
}

#[test]
fn no_tax_without_a_registration_in_force_on_the_service_date() {
    let not_registered = registered(TaxRegistration::NotRegistered, number(None, None), number(None, None));
    assert!(pay_as(&service(120), &not_registered).taxes().is_empty());
    // GST ended the day before; QST starts the next day: neither applies.
    let lapsed = registered(
        TaxRegistration::Added,
        number(None, Some(day(6, 29))),
        number(Some(day(7, 1)), None),
    );
    let b = pay_as(&service(120), &lapsed);
    assert!(b.taxes().is_empty());
    assert_eq!(b.total().to_string(), "82.00");
    // Both ends of a period count.
    let edges = registered(TaxRegistration::Added, number(Some(day(6, 30)), Some(day(6, 30))), None);
    let b = pay_as(&service(120), &edges);
    assert_eq!(b.taxes().len(), 1);
    assert_eq!(b.total().to_string(), "86.10");
}

#[test]
fn each_line_is_exact_then_rounded_once() {
    let s = settings();
    let mut tariff = s.money.pay.clone();
    tariff.minimum_minutes = 0;
    tariff.increment_minutes = 1;
    tariff.word = "0.005".parse().unwrap();
    let rules = Rules {
        tariff: &tariff,
        ..s.pay_rules()
    };
    let at = |minutes| compute(&service(minutes), &FinancialFile::default(), &rules).unwrap();
    // 41 × 50 / 60 = 34.1666…, 41 × 10 / 60 = 6.8333…, 41 × 5 / 60 = 3.41666…
    assert_eq!(amount(&at(50), LineKind::Request), "34.17");
    assert_eq!(amount(&at(10), LineKind::Request), "6.83");
    assert_eq!(amount(&at(5), LineKind::Request), "3.42");
    assert_eq!(amount(&at(1), LineKind::Request), "0.68");
    let mut r = record(t(10, 0), t(10, 1));
    r.words = 1;
    let b = compute(
        &Service {
            request_type: RequestType::Translation,
            record: Some(&r),
            ..service(1)
        },
        &FinancialFile::default(),
        &rules,
    )
    .unwrap();
    assert_eq!(amount(&b, LineKind::Words), "0.01", "0.005 rounds half away from zero");
    // Three lines of x.xx5 each round up; the subtotal adds the rounded lines.
    let mut r = record(t(10, 0), t(10, 50));
    r.travel_minutes = 45; // 15.375
    r.other_fees = d("0.125");
    let b = compute(
        &Service {
            record: Some(&r),
            ..service(50)
        },
        &FinancialFile::default(),
        &rules,
    )
    .unwrap();
    assert_eq!(lines(&b), ["34.17", "0.00", "15.38", "0.00", "0.00", "0.13", "0.00"]);
    assert_eq!(b.total().to_string(), "49.68");
}

#[test]
fn billing_follows_pay_unless_the_bank_sets_its_own() {
    let s = settings();
    assert_eq!(s.money.billing(), &s.money.pay);
    let billed = compute(&service(120), &FinancialFile::default(), &s.billing_rules()).unwrap();
    assert_eq!(billed, pay(&service(120)));

    let own = format!("{DEFAULT}\n[money.billing]\n{}", PAY_SECTION.replace("41.00", "45.00"));
    let s = Settings::from_toml_and_env(&own, Vec::new()).unwrap();
    let billed = compute(&service(120), &FinancialFile::default(), &s.billing_rules()).unwrap();
    assert_eq!(billed.total().to_string(), "90.00");
    let paid = compute(&service(120), &FinancialFile::default(), &s.pay_rules()).unwrap();
    assert_eq!(paid.total().to_string(), "82.00");
}

const PAY_SECTION: &str = r#"
standard_hourly = "41.00"
evening_hourly = "45.10"
weekend_hourly = "49.20"
holiday_hourly = "61.50"
minimum_minutes = 60
increment_minutes = 15
distance_free_km = "10"
distance_per_km = "0.52"
travel_hourly = "20.50"
phone_call = "5.00"
word = "0.22"
"#;

#[test]
fn impossible_records_are_refused_not_paid() {
    let mut r = record(t(10, 0), t(12, 0));
    r.other_fees = d("-1");
    let s = settings();
    let refused = compute(
        &Service {
            record: Some(&r),
            ..service(120)
        },
        &FinancialFile::default(),
        &s.pay_rules(),
    );
    assert_eq!(refused, Err(MoneyError::Negative));
    r.other_fees = Decimal::ZERO;
    r.distance_km = d("-12");
    let refused = compute(
        &Service {
            record: Some(&r),
            ..service(120)
        },
        &FinancialFile::default(),
        &s.pay_rules(),
    );
    assert_eq!(refused, Err(MoneyError::Negative));
    r.distance_km = Decimal::MAX;
    let refused = compute(
        &Service {
            record: Some(&r),
            ..service(120)
        },
        &FinancialFile::default(),
        &s.pay_rules(),
    );
    assert_eq!(refused, Err(MoneyError::TooLarge));
}

#[test]
fn an_invoice_totals_its_requests_line_by_line() {
    let file = registered(TaxRegistration::Added, number(None, None), number(None, None));
    let mut r = record(t(10, 0), t(12, 0));
    r.travel_minutes = 45;
    r.phone_calls = 2;
    let breakdowns = [
        pay_as(&service(120), &file),
        pay_as(
            &Service {
                record: Some(&r),
                ..service(70)
            },
            &file,
        ),
        pay(&service(50)),
    ];
    let totals = Totals::of(&breakdowns).unwrap();
    assert_eq!(totals.count(), 3);
    assert_eq!(totals.line(LineKind::Request).to_string(), "205.00");
    assert_eq!(totals.line(LineKind::TravelTime).to_string(), "15.38");
    assert_eq!(totals.line(LineKind::PhoneCalls).to_string(), "10.00");
    assert_eq!(totals.subtotal().to_string(), "230.38");
    // 4.10 + 5.37 (107.38 × 0.05 = 5.369); 8.18 + 10.71 (107.38 × 0.09975 = 10.711155)
    assert_eq!(totals.tax_added(Tax::Gst).to_string(), "9.47");
    assert_eq!(totals.tax_added(Tax::Qst).to_string(), "18.89");
    assert_eq!(totals.tax_included(Tax::Gst).to_string(), "0.00");
    assert_eq!(totals.total().to_string(), "258.74");
    let sum = breakdowns.iter().map(|b| b.total().value()).sum::<Decimal>();
    assert_eq!(totals.total().value(), sum);
}

// ---- Properties, for any tariff and any record ----

/// A non-negative decimal with up to `scale` places, below `max`.
fn decimal(max: i64, scale: u32) -> impl Strategy<Value = Decimal> {
    (0..max, 0..=scale).prop_map(|(m, s)| Decimal::new(m, s))
}

fn rate(max: i64) -> impl Strategy<Value = Rate> {
    decimal(max, 4).prop_map(|v| Rate::new(v).unwrap())
}

/// A tax rate as a bank may set one: a fraction below 0.2 (the configuration refuses 1 or more).
fn tax_rate() -> impl Strategy<Value = Rate> {
    (0..2_000i64).prop_map(|m| Rate::new(Decimal::new(m, 4)).unwrap())
}

fn tariff() -> impl Strategy<Value = Tariff> {
    (
        (rate(2_000_000), rate(2_000_000), rate(2_000_000), rate(2_000_000)),
        (0..240u32, 1..60u32),
        (
            rate(500_000),
            rate(50_000),
            rate(1_000_000),
            rate(500_000),
            rate(10_000),
        ),
    )
        .prop_map(
            |((standard, evening, weekend, holiday), (minimum, increment), (free_km, per_km, travel, call, word))| {
                Tariff {
                    standard_hourly: standard,
                    evening_hourly: evening,
                    weekend_hourly: weekend,
                    holiday_hourly: holiday,
                    minimum_minutes: minimum,
                    increment_minutes: increment,
                    distance_free_km: free_km,
                    distance_per_km: per_km,
                    travel_hourly: travel,
                    phone_call: call,
                    word,
                }
            },
        )
}

fn record_strategy() -> impl Strategy<Value = ServiceRecord> {
    (
        (any::<bool>(), any::<bool>(), proptest::option::of(0..1000u32)),
        (0..600u32, decimal(100_000, 3), 0..600u32, 0..20u32, 0..100_000u32),
        (decimal(10_000_000, 4), proptest::option::of((0..30u32, 0..24u32))),
    )
        .prop_map(
            |((completed, present, minutes), (waiting, km, travel, calls, words), (fees, cancelled))| ServiceRecord {
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
                    date: NaiveDate::from_ymd_opt(2027, 6, 1 + day).unwrap(),
                    time: t(hour, 0),
                }),
                waiting_minutes: waiting,
                distance_km: km,
                travel_minutes: travel,
                phone_calls: calls,
                words,
                other_fees: fees,
                services_given: None,
                comments: None,
            },
        )
}

fn file_strategy() -> impl Strategy<Value = FinancialFile> {
    let registration = proptest::sample::select(vec![
        TaxRegistration::NotRegistered,
        TaxRegistration::Inclusive,
        TaxRegistration::Added,
    ]);
    let period = proptest::option::of((proptest::option::of(1..28u32), proptest::option::of(1..28u32)));
    (registration, period.clone(), period).prop_map(|(registration, gst, qst)| {
        let period = |n: Option<(Option<u32>, Option<u32>)>| {
            n.and_then(|(from, until)| number(from.map(|d| day(6, d)), until.map(|d| day(6, d))))
        };
        registered(registration, period(gst), period(qst))
    })
}

#[derive(Debug, Clone)]
struct Case {
    tariff: Tariff,
    taxes: TaxRates,
    request_type: RequestType,
    date: NaiveDate,
    start: NaiveTime,
    minutes: u32,
    booked: bool,
    cancelled: Option<bool>,
    record: Option<ServiceRecord>,
    file: FinancialFile,
}

fn case() -> impl Strategy<Value = Case> {
    (
        (tariff(), tax_rate(), tax_rate()),
        (
            proptest::sample::select(RequestType::ALL.to_vec()),
            1..28u32,
            0..24u32,
            0..720u32,
        ),
        (
            any::<bool>(),
            proptest::option::of(any::<bool>()),
            proptest::option::of(record_strategy()),
        ),
        file_strategy(),
    )
        .prop_map(
            |((tariff, gst, qst), (request_type, date, hour, minutes), (booked, cancelled, record), file)| Case {
                tariff,
                taxes: TaxRates { gst, qst },
                request_type,
                date: day(6, date),
                start: t(hour, 0),
                minutes,
                booked,
                cancelled,
                record,
                file,
            },
        )
}

fn breakdown(case: &Case) -> Breakdown {
    let s = settings();
    let cancellation = case.cancelled.map(cancellation);
    let service = Service {
        request_type: case.request_type,
        date: case.date,
        start_time: case.start,
        scheduled_minutes: case.minutes,
        booked: case.booked,
        cancellation: cancellation.as_ref(),
        record: case.record.as_ref(),
    };
    let rules = Rules {
        tariff: &case.tariff,
        taxes: &case.taxes,
        ..s.pay_rules()
    };
    compute(&service, &case.file, &rules).unwrap()
}

fn cents(value: Decimal) -> bool {
    value.scale() <= 2 && value >= Decimal::ZERO
}

proptest! {
    /// Lines add up to the subtotal, the subtotal and added taxes to the total; every
    /// amount is to the cent and none is negative.
    #[test]
    fn every_breakdown_adds_up_exactly(case in case()) {
        let b = breakdown(&case);
        let lines: Decimal = b.lines().map(|(_, a)| a.value()).sum();
        prop_assert_eq!(lines, b.subtotal().value());
        let added: Decimal = b.taxes().iter().filter(|t| !t.included).map(|t| t.amount.value()).sum();
        prop_assert_eq!(b.subtotal().value() + added, b.total().value());
        let included: Decimal = b.taxes().iter().filter(|t| t.included).map(|t| t.amount.value()).sum();
        prop_assert!(included <= b.subtotal().value());
        for value in b.lines().map(|(_, a)| a.value()).chain(b.taxes().iter().map(|t| t.amount.value())) {
            prop_assert!(cents(value), "{}", value);
        }
        prop_assert!(cents(b.subtotal().value()) && cents(b.total().value()));
        if case.file.tax_registration == TaxRegistration::NotRegistered {
            prop_assert!(b.taxes().is_empty());
        }
        if b.outcome() == Outcome::CancelledInTime {
            prop_assert!(b.line(LineKind::Request).is_zero());
            prop_assert!(b.line(LineKind::TravelTime).is_zero() && b.line(LineKind::Distance).is_zero());
        }
        if case.request_type == RequestType::Translation {
            prop_assert!(b.line(LineKind::Request).is_zero());
        }
    }

    /// Summing breakdowns gives the sum of their totals, and of each line.
    #[test]
    fn totals_are_the_sums_of_their_breakdowns(cases in proptest::collection::vec(case(), 0..8)) {
        let breakdowns: Vec<Breakdown> = cases.iter().map(breakdown).collect();
        let totals = Totals::of(&breakdowns).unwrap();
        prop_assert_eq!(totals.count(), breakdowns.len());
        let sum = |f: &dyn Fn(&Breakdown) -> Decimal| breakdowns.iter().map(f).sum::<Decimal>();
        prop_assert_eq!(totals.total().value(), sum(&|b| b.total().value()));
        prop_assert_eq!(totals.subtotal().value(), sum(&|b| b.subtotal().value()));
        for kind in LineKind::ALL {
            prop_assert_eq!(totals.line(kind).value(), sum(&|b| b.line(kind).value()));
        }
        let added: Decimal = Tax::ALL.iter().map(|t| totals.tax_added(*t).value()).sum();
        prop_assert_eq!(totals.subtotal().value() + added, totals.total().value());
    }
}
