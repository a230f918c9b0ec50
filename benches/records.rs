//! The service record and money paths: reading a record reply and checking it, computing a
//! request's pay, and adding up a month of breakdowns for a statement. All pure: the figures
//! are the CPU cost on top of the one transaction that saves or reads them.

use chrono::{NaiveDate, NaiveTime};
use criterion::{Criterion, criterion_group, criterion_main};
use relais::config::Settings;
use relais::domain::interpreter::FinancialFile;
use relais::domain::money::{Service, Totals, compute};
use relais::domain::request::{RequestType, ServiceRecord};
use relais::forms::record::{build_record, context, read_record_form};
use std::hint::black_box;

const REPLY: &str = "Merci, voici la réalisation.\n\nDemande terminée : oui\nInterprète présent : oui\n\
Heure de début effective : 10 h 05\nHeure de fin effective : 11:20\nRaison du dépassement de temps : consultation prolongée\n\
Distance parcourue : 14,5 km\nDurée du trajet : 35 min\nAppels téléphoniques : 1\nAutres frais : 6,25 $\nCommentaires : RAS\n";

fn bench(c: &mut Criterion) {
    let day = NaiveDate::from_ymd_opt(2026, 3, 9).unwrap();
    let at = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
    let ctx = context(RequestType::InPerson, day, at(10, 0), 60, day.and_time(at(15, 0)));
    c.bench_function("record/read_and_check_reply", |b| {
        b.iter(|| {
            let reading = read_record_form(black_box(REPLY));
            build_record(&reading.raw, &ctx)
        })
    });

    // The built-in default, as `relais` runs with no file.
    let settings = Settings::load_with_env(None, Vec::new()).expect("the default configuration loads");
    let rules = settings.pay_rules();
    let record = build_record(&read_record_form(REPLY).raw, &ctx).expect("the reply is a record");
    let file = FinancialFile::default();
    let service = Service {
        request_type: RequestType::InPerson,
        date: day,
        start_time: at(10, 0),
        scheduled_minutes: 60,
        booked: true,
        cancellation: None,
        record: Some(&record),
    };
    c.bench_function("money/compute_one_request", |b| {
        b.iter(|| compute(black_box(&service), &file, &rules))
    });

    let month: Vec<_> = (0..1000)
        .map(|i| {
            let r = ServiceRecord {
                phone_calls: i % 3,
                ..record.clone()
            };
            compute(
                &Service {
                    record: Some(&r),
                    ..service
                },
                &file,
                &rules,
            )
            .expect("computes")
        })
        .collect();
    c.bench_function("money/totals_of_1000", |b| b.iter(|| Totals::of(black_box(&month))));
}

criterion_group!(benches, bench);
criterion_main!(benches);
