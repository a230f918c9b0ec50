//! How long reading one mail takes: a typical reply, a quoted form, and pathological input
//! (the corpus's pathological body, a 2 MiB message, thousands of quote levels).
//! The contract is well under 100 ms for the worst of them.

use chrono::{TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use relais::inbound::mail::reading::{ReadContext, read};
use std::hint::black_box;

fn wrap(body: &str) -> Vec<u8> {
    format!(
        "Message-ID: <b@x.example>\r\nFrom: marie@ciusss.example\r\nTo: relais+r1.2.abcdefghijklmnop@bi.example\r\nSubject: Re: [HC-26339002] test\r\nDate: Thu, 3 Dec 2026 09:14:00 -0500\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}"
    )
    .into_bytes()
}

fn bench(c: &mut Criterion) {
    let ctx = ReadContext {
        relais_local_part: "relais".into(),
        time_zone: chrono_tz::America::Montreal,
    };
    let now = Utc.with_ymd_and_hms(2026, 12, 3, 15, 0, 0).unwrap();
    let pathological = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/corpus/email_reply_parser/pathological.txt"
    ))
    .unwrap_or_else(|_| "a\n".repeat(100_000));
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "accept_reply",
            wrap(
                "ACCEPTER\r\n\r\nLe jeu. 3 déc. 2026 à 09:00, Relais <relais@bi.example> a écrit :\r\n> Une demande vous est offerte.\r\n",
            ),
        ),
        (
            "filled_form",
            wrap(
                "Type de demande : en présentiel\r\nDate du service : 10/12/2026\r\nHeure du service : 14 h 30\r\nDurée : 1 h 30\r\nLangue d'arrivée : arabe (Maroc)\r\nLieu du rendez-vous : Clinique externe\r\n",
            ),
        ),
        ("pathological_corpus", wrap(&pathological)),
        (
            "two_mib_of_text",
            wrap(&"Bonjour : voici une ligne assez longue pour remplir.\r\n".repeat(40_000)),
        ),
        ("deep_quotes", wrap(&format!("{}fin\r\n", ">".repeat(50_000)))),
    ];
    let mut group = c.benchmark_group("read_mail");
    group.sample_size(20);
    for (name, raw) in &cases {
        group.bench_function(*name, |b| b.iter(|| read(black_box(raw), &ctx, now)));
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
