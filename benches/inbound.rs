//! How long reading one mail takes: a typical reply, a quoted form, and pathological input
//! (two reply cases of mailbox-fixtures/replies/ with very long lines, a generated 2 MiB
//! message, a generated line of 50,000 quote levels, a 2 MiB HTML table of two-cell rows).
//! The contract is well under 100 ms for the worst of them.

// The reply-case reader shared with tests/it/reply_cases.rs; the bench reads only the reply.
#[allow(dead_code)]
#[path = "../tests/it/support/reply_case.rs"]
mod reply_case;

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

/// `body` as an HTML-only mail, as Outlook sends a reply written in HTML.
fn wrap_html(body: &str) -> Vec<u8> {
    String::from_utf8(wrap(body))
        .expect("UTF-8")
        .replacen("Content-Type: text/plain", "Content-Type: text/html", 1)
        .into_bytes()
}

fn bench(c: &mut Criterion) {
    let ctx = ReadContext {
        relais_local_part: "relais".into(),
        time_zone: chrono_tz::America::Montreal,
    };
    let now = Utc.with_ymd_and_hms(2026, 12, 3, 15, 0, 0).unwrap();
    // A missing or broken case stops the bench: timing a stand-in would measure something else.
    let case = |name: &str| -> String {
        let path = reply_case::cases_dir().join(name);
        let case = reply_case::read_case(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        String::from_utf8(case.reply).unwrap_or_else(|_| panic!("{}: the reply is not UTF-8", path.display()))
    };
    let long_lines = case("pathological-long-lines-fr.txt");
    let long_quote_line = case("long-quote-line-capped-fr.txt");
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
        ("case_pathological_long_lines", wrap(&long_lines)),
        ("case_long_quote_line_capped", wrap(&long_quote_line)),
        (
            "generated_two_mib_of_text",
            wrap(&"Bonjour : voici une ligne assez longue pour remplir.\r\n".repeat(40_000)),
        ),
        ("generated_deep_quotes", wrap(&format!("{}fin\r\n", ">".repeat(50_000)))),
        (
            // Rows of two cells each read as « label : value » (`quote/table_rows.rs`).
            "generated_two_mib_html_table",
            wrap_html(&format!(
                "<table>{}</table>",
                "<tr><td>Lieu du rendez-vous :</td><td>Clinique externe, 3e étage</td></tr>\r\n".repeat(28_000)
            )),
        ),
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
