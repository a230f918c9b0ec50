//! The signed-in web set over real HTTP, on both engines: downloads (exports, invoices, pay
//! statements) and who may fetch which, the coordinator's board and offering from it, and
//! the profile pages.

use crate::support;

use calamine::{Reader, Xlsx, open_workbook_from_rs};
use relais::clock::Clock;
use relais::domain::locale::Locale;
use relais::domain::request::RequestStatus;
use relais::domain::spreadsheet::{self, UTF8_BOM};
use std::io::Cursor;
use support::Engine;
use support::web::{Answer, World, accessible, location};

fn header<'h>(headers: &'h reqwest::header::HeaderMap, name: &str) -> &'h str {
    headers.get(name).map(|v| v.to_str().unwrap()).unwrap_or("")
}

/// A downloaded CSV's rows, read as French Excel reads them (the people of the fixture read
/// French): the byte-order mark off, `;` between fields.
fn csv_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    let body = bytes
        .strip_prefix(UTF8_BOM)
        .expect("a CSV starts with the UTF-8 byte-order mark");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .delimiter(spreadsheet::delimiter(Locale::Fr))
        .from_reader(body);
    reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect()
}

on_both_engines!(
    coordinators_download_exports_invoices_and_statements,
    interpreters_download_only_their_own_statement,
    the_board_lists_waiting_requests_and_offers_them,
    the_board_is_a_table_with_when_language_place_and_how_soon,
    the_board_names_who_cannot_take_a_request_and_why,
    offer_to_by_name_or_code_offers_the_request,
    offer_to_someone_unknown_or_not_available_offers_nothing_until_confirmed,
    offer_to_a_name_several_share_lists_them_to_choose,
    interpreters_edit_their_profile_and_read_the_rest,
    requesters_edit_their_name_phone_and_cost_centre,
    coordinators_list_people_and_send_activation_links,
);

async fn coordinators_download_exports_invoices_and_statements(engine: Engine) {
    let w = World::new(engine).await;
    let id = w.bank.request_in(RequestStatus::Validated).await;
    let number = w.bank.load(id).await.label();
    let mut b = w.signed_in(w.bank.coordinator).await;

    let page = b.get("/downloads").await;
    assert_eq!(page.status, 200, "{}", page.body);
    for form in [
        r#"<form method="get" action="/downloads/requests.csv">"#,
        r#"formaction="/downloads/requests.xlsx""#,
        r#"<form method="get" action="/downloads/invoice">"#,
        r#"<form method="get" action="/downloads/pay-statement">"#,
    ] {
        assert!(page.body.contains(form), "{form} missing:\n{}", page.body);
    }
    // Establishment and language are chosen by name, not typed as codes.
    for choice in [
        r#"<select id="export-establishment" name="establishment">"#,
        r#"<select id="invoice-establishment" name="establishment">"#,
        r#"<select id="export-language" name="language">"#,
        r#"<option value="es">Espagnol</option>"#,
        r#"<option value="CCSMTL">"#,
    ] {
        assert!(page.body.contains(choice), "{choice} missing:\n{}", page.body);
    }

    let (status, headers, bytes) = b
        .download("/downloads/requests.csv?preset=&from=2026-03-01&to=2026-03-31&status=&language=es&establishment=CCSMTL&interpreter=")
        .await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
    assert_eq!(header(&headers, "content-type"), "text/csv; charset=utf-8");
    assert!(header(&headers, "content-disposition").starts_with("attachment; filename=\"demandes-"));
    assert!(header(&headers, "content-disposition").ends_with(".csv\""));
    assert_eq!(header(&headers, "cache-control"), "no-store");
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "the mark is downloaded too");
    let rows = csv_rows(&bytes);
    assert_eq!(rows.len(), 2, "a header and one request: {rows:?}");
    assert_eq!(rows[0][0], "Numéro de demande", "{rows:?}");
    assert!(rows[1].contains(&number), "{rows:?}");

    let (status, headers, bytes) = b.download("/downloads/requests.xlsx?preset=this-month").await;
    assert_eq!(status, 200);
    assert_eq!(
        header(&headers, "content-type"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(header(&headers, "content-disposition").ends_with(".xlsx\""));
    let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    let names = workbook.sheet_names();
    assert_eq!(names.len(), 2, "{names:?}");
    let sheet = workbook.worksheet_range(&names[0]).unwrap();
    assert!(
        sheet.rows().any(|r| r.iter().any(|c| c.to_string() == number)),
        "the request is on the sheet"
    );

    // A typo is named beside its field; nothing is downloaded.
    let wrong = b
        .get("/downloads/requests.csv?from=2026-13-01&establishment=NOPE")
        .await;
    assert_eq!(wrong.status, 422, "{}", wrong.body);
    assert!(
        wrong.body.contains("Date attendue au format AAAA-MM-JJ."),
        "{}",
        wrong.body
    );
    let unknown = b.get("/downloads/requests.csv?establishment=NOPE").await;
    assert_eq!(unknown.status, 422);
    assert!(
        unknown.body.contains("Aucun établissement n'a ce code."),
        "{}",
        unknown.body
    );

    let (status, headers, bytes) = b
        .download("/downloads/invoice?establishment=CCSMTL&from=2026-03-01&to=2026-03-31&format=csv")
        .await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
    assert_eq!(header(&headers, "content-type"), "text/csv; charset=utf-8");
    assert!(
        header(&headers, "content-disposition").starts_with("attachment; filename=\"F-CCSMTL-"),
        "{headers:?}"
    );
    assert!(csv_rows(&bytes).iter().any(|r| r.contains(&number)));
    let (status, headers, bytes) = b
        .download("/downloads/invoice?establishment=CCSMTL&from=2026-03-01&to=2026-03-31&format=html")
        .await;
    assert_eq!(status, 200);
    assert_eq!(header(&headers, "content-type"), "text/html; charset=utf-8");
    assert!(String::from_utf8(bytes).unwrap().contains(&number));

    let code = w.user_code(w.bank.interpreters[0]).await;
    let (status, headers, bytes) = b
        .download(&format!(
            "/downloads/pay-statement?interpreter={code}&from=2026-03-01&to=2026-03-31&format=csv"
        ))
        .await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
    assert_eq!(header(&headers, "cache-control"), "no-store");
    assert!(header(&headers, "content-disposition").starts_with("attachment; filename="));
    assert!(csv_rows(&bytes).iter().any(|r| r.contains(&number)));
}

async fn interpreters_download_only_their_own_statement(engine: Engine) {
    let w = World::new(engine).await;
    let id = w.bank.request_in(RequestStatus::Validated).await;
    let number = w.bank.load(id).await.label();
    let own = w.user_code(w.bank.interpreters[0]).await;
    let other = w.user_code(w.bank.interpreters[1]).await;
    let mut b = w.signed_in(w.bank.interpreters[0]).await;

    let page = b.get("/downloads").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Mon relevé de rémunération"), "{}", page.body);
    assert!(!page.body.contains("/downloads/requests.csv"), "{}", page.body);
    assert!(!page.body.contains("/downloads/invoice"), "{}", page.body);

    let period = "from=2026-03-01&to=2026-03-31&format=html";
    let (status, headers, bytes) = b
        .download(&format!("/downloads/pay-statement?interpreter={own}&{period}"))
        .await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
    assert_eq!(header(&headers, "content-type"), "text/html; charset=utf-8");
    assert!(String::from_utf8(bytes).unwrap().contains(&number));
    let (status, _, _) = b
        .download(&format!("/downloads/pay-statement?interpreter={other}&{period}"))
        .await;
    assert_eq!(status, 404, "someone else's statement does not exist");
    for path in [
        "/downloads/requests.csv",
        "/downloads/requests.xlsx",
        "/downloads/invoice?establishment=CCSMTL&from=2026-03-01&to=2026-03-31",
        "/board",
    ] {
        assert_eq!(b.get(path).await.status, 404, "{path}");
    }

    let mut requester = w.signed_in(w.bank.requester).await;
    for path in [
        "/board",
        "/downloads",
        "/downloads/requests.csv",
        "/downloads/invoice?establishment=CCSMTL&from=2026-03-01&to=2026-03-31",
        &format!("/downloads/pay-statement?interpreter={own}&{period}"),
    ] {
        assert_eq!(requester.get(path).await.status, 404, "{path}");
    }
    // Signed out, the pages send to the sign-in page.
    assert_eq!(location(&w.site.get("/board", "").await), "/login");
}

/// The board's offer buttons: `(csrf, request, interpreters, what the button does)`.
fn offer_buttons(page: &Answer) -> Vec<(String, String, String, String)> {
    let re = regex::Regex::new(
        r#"<form method="post" action="/board/offer"[^>]*>\s*<input type="hidden" name="csrf" value="([^"]+)">\s*<input type="hidden" name="request" value="(\d+)">\s*<input type="hidden" name="interpreters" value="([\d,]+)">\s*<button type="submit"[^>]* aria-label="([^"]+)"[^>]*>[^<]+</button>"#,
    )
    .unwrap();
    re.captures_iter(&page.body)
        .map(|c| (c[1].to_string(), c[2].to_string(), c[3].to_string(), c[4].to_string()))
        .collect()
}

async fn the_board_lists_waiting_requests_and_offers_them(engine: Engine) {
    let w = World::new(engine).await;
    let id = w.bank.create().await;
    let number = w.bank.load(id).await.label();
    let mut b = w.signed_in(w.bank.coordinator).await;

    let board = b.get("/board").await;
    assert_eq!(board.status, 200, "{}", board.body);
    assert!(board.body.contains("Demandes à assigner"), "{}", board.body);
    assert!(board.body.contains(&number), "{}", board.body);
    for heading in [
        "Offres sans réponse",
        "Réalisations contestées",
        "Adresses en échec",
        "Messages non remis",
    ] {
        assert!(board.body.contains(heading), "{heading}");
    }
    let buttons = offer_buttons(&board);
    assert_eq!(buttons.len(), 4, "three candidates and one for all: {}", board.body);
    assert!(buttons[3].3.contains("(3)"), "{:?}", buttons[3]);
    assert!(buttons.iter().all(|b| b.1 == id.0.to_string()));

    // Without the page's form value nothing happens.
    let forged = b
        .post(
            "/board/offer",
            &[
                ("csrf", "forged"),
                ("request", &buttons[0].1),
                ("interpreters", &buttons[0].2),
            ],
        )
        .await;
    assert_eq!(forged.status, 403, "{}", forged.body);
    assert_eq!(w.bank.load(id).await.status, RequestStatus::New);

    let (csrf, request, interpreters, label) = &buttons[0];
    assert!(label.starts_with("Offrir à "), "{label}");
    let done = b
        .post(
            "/board/offer",
            &[("csrf", csrf), ("request", request), ("interpreters", interpreters)],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(location(&done), format!("/board?offered={number}"));
    assert_eq!(w.bank.load(id).await.status, RequestStatus::Offered);
    let mut tx = w.bank.store.begin().await.unwrap();
    let offers = tx.offers_of_request(id).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(offers.len(), 1);
    assert_eq!(offers[0].interpreter_id.0.to_string(), *interpreters);

    let after = b.get(location(&done)).await;
    assert!(after.body.contains("a été offerte"), "{}", after.body);
    assert!(offer_buttons(&after).is_empty(), "{}", after.body);
    // Pressing a stale button again changes nothing and says so.
    let stale = b
        .post(
            "/board/offer",
            &[("csrf", csrf), ("request", request), ("interpreters", &buttons[3].2)],
        )
        .await;
    assert_eq!(stale.status, 409, "{}", stale.body);
    assert!(stale.body.contains("Rien n'a été fait"));
}

/// The « Offrir à… » form of `request` on the board, filled with `who`: its fields as posted.
fn offer_to<'a>(csrf: &'a str, request: &'a str, who: &'a str) -> [(&'a str, &'a str); 3] {
    [("csrf", csrf), ("request", request), ("who", who)]
}

/// The offers made for `id`, and the kinds of the messages queued for them.
async fn offers_and_messages(w: &World, id: relais::domain::ids::RequestId) -> (Vec<i64>, Vec<(i64, String)>) {
    let mut tx = w.bank.store.begin().await.unwrap();
    let offers = tx.offers_of_request(id).await.unwrap();
    let messages = tx.outbox_of_request(id).await.unwrap();
    tx.commit().await.unwrap();
    (
        offers.iter().map(|o| o.interpreter_id.0).collect(),
        messages.into_iter().map(|m| (m.recipient.0, m.kind)).collect(),
    )
}

/// Monday 9 March 2026 at `hour`:`minute` in Montréal, the day of the bank's requests.
fn monday(hour: u32, minute: u32) -> chrono::DateTime<chrono::Utc> {
    use chrono::TimeZone;
    chrono_tz::America::Toronto
        .with_ymd_and_hms(2026, 3, 9, hour, minute, 0)
        .unwrap()
        .with_timezone(&chrono::Utc)
}

/// The board's row of request `id`.
fn row_of(page: &Answer, id: relais::domain::ids::RequestId) -> String {
    let re = regex::Regex::new(&format!(r#"(?s)<tr>\s*<td[^>]*><a href="/requests/{}">.*?</tr>"#, id.0)).unwrap();
    re.find(&page.body)
        .unwrap_or_else(|| panic!("no row for {id:?}: {}", page.body))
        .as_str()
        .to_string()
}

async fn the_board_is_a_table_with_when_language_place_and_how_soon(engine: Engine) {
    let w = World::new(engine).await;
    let id = w.bank.create().await;
    let number = w.bank.load(id).await.label();
    let mut details = w.bank.details();
    details.date = chrono::NaiveDate::from_ymd_opt(2026, 3, 11).unwrap();
    details.duration_minutes = 90;
    let later = w
        .bank
        .workflow
        .execute(
            w.bank.as_requester(),
            relais::workflow::Command::CreateRequest {
                requested_by: w.bank.requester,
                details,
                submit: true,
            },
        )
        .await
        .unwrap()
        .request;
    // The coordinator opens the board early on the morning of the appointment (10:00).
    w.bank.clock.set(monday(6, 0));
    let mut b = w.signed_in(w.bank.coordinator).await;

    let board = b.get("/board").await;
    assert_eq!(board.status, 200, "{}", board.body);
    accessible(&board);
    for column in ["Demande", "Quand", "Durée", "Langues", "Lieu", "Urgence", "Interprètes"] {
        let th = format!(r#"<th scope="col">{column}</th>"#);
        assert!(board.body.contains(&th), "{th}: {}", board.body);
    }
    let row = row_of(&board, id);
    for cell in [
        format!(
            r#"<td data-label="Demande" class="nowrap"><a href="/requests/{}">{number}</a></td>"#,
            id.0
        ),
        "<td data-label=\"Quand\" class=\"nowrap\">lun. 9 mars 10\u{a0}h\u{a0}00</td>".to_string(),
        r#"<td data-label="Durée" class="nowrap">1 h</td>"#.to_string(),
        r#"<td data-label="Langues">Français → Espagnol</td>"#.to_string(),
        r#"<td data-label="Lieu">Hôpital Notre-Dame</td>"#.to_string(),
        r#"<span class="badge today">aujourd'hui</span>"#.to_string(),
    ] {
        assert!(row.contains(&cell), "{cell}: {row}");
    }
    let field = format!(
        r#"<input type="text" id="offer-to-{}" name="who" list="interpreter-names""#,
        id.0
    );
    assert!(row.contains(&field), "{row}");
    assert!(
        board.body.contains(r#"<option value="Lucía Ramírez">"#),
        "{}",
        board.body
    );
    let row = row_of(&board, later);
    assert!(row.contains("mer. 11 mars 10\u{a0}h\u{a0}00</td>"), "{row}");
    assert!(row.contains(r#"class="nowrap">1 h 30</td>"#), "{row}");
    assert!(!row.contains("badge"), "two days ahead, the date says enough: {row}");

    // The board stays open (a session ends after half an hour idle) while the clock runs.
    let badge = |page: &Answer| {
        let re = regex::Regex::new(r#"<span class="badge ([a-z]+)">([^<]+)</span>"#).unwrap();
        let c = re
            .captures(&page.body)
            .unwrap_or_else(|| panic!("no badge: {}", page.body));
        (c[1].to_string(), c[2].to_string())
    };
    for (at, class, words) in [(monday(8, 0), "soon", "dans 2 h"), (monday(10, 30), "past", "passée")] {
        while w.bank.clock.now() < at {
            w.advance(chrono::TimeDelta::minutes(20).min(at - w.bank.clock.now()));
            assert_eq!(b.get("/board").await.status, 200);
        }
        let page = b.get("/board").await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert_eq!(badge(&page), (class.to_string(), words.to_string()), "at {at}");
    }
}

async fn the_board_names_who_cannot_take_a_request_and_why(engine: Engine) {
    let w = World::new(engine).await;
    // Lucía Ramírez is booked at 10:00 on the 9th: she cannot take another request then.
    w.bank.request_in(RequestStatus::Booked).await;
    let id = w.bank.create().await;
    let mut b = w.signed_in(w.bank.coordinator).await;
    let board = b.get("/board").await;
    assert_eq!(board.status, 200, "{}", board.body);
    accessible(&board);
    assert!(
        board.body.contains("<details><summary>Non disponibles (1)</summary>"),
        "{}",
        board.body
    );
    assert!(
        board
            .body
            .contains("<li>Lucía Ramírez — déjà réservé à cette heure</li>"),
        "{}",
        board.body
    );
    let buttons = offer_buttons(&board);
    assert_eq!(buttons.len(), 3, "two candidates and one for both: {}", board.body);
    assert!(buttons.iter().all(|b| b.1 == id.0.to_string()));
    assert!(!buttons.iter().any(|b| b.2 == w.bank.interpreters[0].0.to_string()));
}

async fn offer_to_by_name_or_code_offers_the_request(engine: Engine) {
    let w = World::new(engine).await;
    let first = w.bank.create().await;
    let second = w.bank.create().await;
    let number = w.bank.load(first).await.label();
    let mut b = w.signed_in(w.bank.coordinator).await;
    let board = b.get("/board").await;
    let csrf = support::web::csrf_of(&board);

    // By name, as the list suggests it, accents and case aside.
    let request = first.0.to_string();
    let done = b
        .post("/board/offer-to", &offer_to(&csrf, &request, "diego FERNANDEZ"))
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(location(&done), format!("/board?offered={number}"));
    assert_eq!(w.bank.load(first).await.status, RequestStatus::Offered);
    let diego = w.bank.interpreters[1].0;
    let (offers, messages) = offers_and_messages(&w, first).await;
    assert_eq!(offers, [diego]);
    assert!(
        messages.contains(&(diego, "request_offered".to_string())),
        "{messages:?}"
    );

    // By user code.
    let code = w.user_code(w.bank.interpreters[2]).await;
    let request = second.0.to_string();
    let done = b
        .post("/board/offer-to", &offer_to(&csrf, &request, &code.to_lowercase()))
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let ana = w.bank.interpreters[2].0;
    let (offers, messages) = offers_and_messages(&w, second).await;
    assert_eq!(offers, [ana]);
    assert!(messages.contains(&(ana, "request_offered".to_string())), "{messages:?}");
}

async fn offer_to_someone_unknown_or_not_available_offers_nothing_until_confirmed(engine: Engine) {
    let w = World::new(engine).await;
    w.bank.request_in(RequestStatus::Booked).await;
    let id = w.bank.create().await;
    let number = w.bank.load(id).await.label();
    let request = id.0.to_string();
    let mut b = w.signed_in(w.bank.coordinator).await;
    let board = b.get("/board").await;
    let csrf = support::web::csrf_of(&board);

    // Without the page's form value nothing happens.
    let forged = b
        .post("/board/offer-to", &offer_to("forged", &request, "Diego Fernández"))
        .await;
    assert_eq!(forged.status, 403, "{}", forged.body);
    assert_eq!(offers_and_messages(&w, id).await.0, Vec::<i64>::new());

    // Nobody of that name: said, with what was typed.
    let unknown = b
        .post("/board/offer-to", &offer_to(&csrf, &request, "Jean Personne"))
        .await;
    assert_eq!(unknown.status, 422, "{}", unknown.body);
    accessible(&unknown);
    assert!(
        unknown
            .body
            .contains("aucun interprète actif ne correspond à «\u{a0}Jean Personne\u{a0}»"),
        "{}",
        unknown.body
    );
    assert_eq!(w.bank.load(id).await.status, RequestStatus::New);

    // Lucía Ramírez is booked elsewhere at that time: a warning says why, nothing offered.
    let warned = b
        .post("/board/offer-to", &offer_to(&csrf, &request, "Lucía Ramírez"))
        .await;
    assert_eq!(warned.status, 200, "{}", warned.body);
    accessible(&warned);
    let warning = format!("Lucía Ramírez n'est pas disponible pour la demande {number} (déjà réservé à cette heure)");
    assert!(warned.body.contains(&warning), "{}", warned.body);
    assert!(warned.body.contains(">Offrir quand même</button>"), "{}", warned.body);
    assert_eq!(w.bank.load(id).await.status, RequestStatus::New);
    assert_eq!(offers_and_messages(&w, id).await.0, Vec::<i64>::new());

    // « Offrir quand même » posts again, confirmed: now it is offered.
    let re = regex::Regex::new(r#"name="who" value="([A-Z0-9]+)">\s*<input type="hidden" name="confirm" value="1">"#)
        .unwrap();
    let code = re.captures(&warned.body).unwrap_or_else(|| panic!("{}", warned.body))[1].to_string();
    assert_eq!(code, w.user_code(w.bank.interpreters[0]).await);
    let done = b
        .post(
            "/board/offer-to",
            &[("csrf", &csrf), ("request", &request), ("who", &code), ("confirm", "1")],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let lucia = w.bank.interpreters[0].0;
    let (offers, messages) = offers_and_messages(&w, id).await;
    assert_eq!(offers, [lucia]);
    assert!(
        messages.contains(&(lucia, "request_offered".to_string())),
        "{messages:?}"
    );
}

async fn offer_to_a_name_several_share_lists_them_to_choose(engine: Engine) {
    let w = World::new(engine).await;
    let mut tx = w.bank.store.begin().await.unwrap();
    let mut ana = tx.person(w.bank.interpreters[2]).await.unwrap();
    ana.last_name = "Ramírez".into();
    tx.update_person(&ana, w.bank.clock.now()).await.unwrap();
    tx.commit().await.unwrap();
    let id = w.bank.create().await;
    let request = id.0.to_string();
    let mut b = w.signed_in(w.bank.coordinator).await;
    let board = b.get("/board").await;
    let csrf = support::web::csrf_of(&board);

    let asked = b.post("/board/offer-to", &offer_to(&csrf, &request, "ramirez")).await;
    assert_eq!(asked.status, 200, "{}", asked.body);
    accessible(&asked);
    assert!(
        asked
            .body
            .contains("plusieurs interprètes correspondent à «\u{a0}ramirez\u{a0}»"),
        "{}",
        asked.body
    );
    let lucia = w.user_code(w.bank.interpreters[0]).await;
    let ana = w.user_code(w.bank.interpreters[2]).await;
    for (name, code) in [("Lucía Ramírez", &lucia), ("Ana Ramírez", &ana)] {
        let button = format!(
            "<input type=\"hidden\" name=\"who\" value=\"{code}\">\n<button type=\"submit\" class=\"secondary\">Offrir à {name} ({code})</button>"
        );
        assert!(asked.body.contains(&button), "{button}: {}", asked.body);
    }
    assert_eq!(offers_and_messages(&w, id).await.0, Vec::<i64>::new());

    // Choosing one offers it to them.
    let done = b.post("/board/offer-to", &offer_to(&csrf, &request, &ana)).await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(offers_and_messages(&w, id).await.0, [w.bank.interpreters[2].0]);
}

async fn interpreters_edit_their_profile_and_read_the_rest(engine: Engine) {
    let w = World::new(engine).await;
    let me = w.bank.interpreters[0];
    let mut b = w.signed_in(me).await;
    let page = b.get("/profile").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Français → Espagnol"), "{}", page.body);
    assert!(page.body.contains("tenus par les coordonnateurs"), "{}", page.body);
    assert!(!page.body.contains(r#"name="language"#), "languages are read-only");

    // Wrong values are named beside their fields; nothing is saved.
    let wrong = b
        .submit(
            &page,
            "/profile",
            &[
                ("mobile", "12"),
                ("notify", "sms"),
                ("availability", "lundi 17:00-08:00"),
                ("inactivity_from", "2026-07-15"),
                ("inactivity_to", "2026-07-01"),
                ("document_until", "2027-01-31"),
            ],
        )
        .await;
    assert_eq!(wrong.status, 422, "{}", wrong.body);
    for (field, message) in [
        ("mobile", "Numéro de cellulaire invalide"),
        ("request_types", "Choisissez au moins un type de demande."),
        ("availability", "Plage illisible"),
        ("inactivity_to", "La période se termine avant de commencer."),
        ("document_name", "Nommez le document"),
    ] {
        let re = regex::Regex::new(&format!(
            r#"(?s)id="field-profile-{field}".{{0,400}}class="error"[^>]*>{}"#,
            regex::escape(message)
        ))
        .unwrap();
        assert!(re.is_match(&wrong.body), "{field}: {message}\n{}", wrong.body);
    }
    let mut tx = w.bank.store.begin().await.unwrap();
    let before = tx.interpreter_profile(me).await.unwrap().unwrap();
    tx.commit().await.unwrap();
    assert_eq!(before.availability, relais::domain::interpreter::Availability::Always);

    let saved = b
        .submit(
            &wrong,
            "/profile",
            &[
                ("mobile", "514 555 0199"),
                ("phone", "514 555-0100 poste 12"),
                ("notify", "email"),
                ("notify", "sms"),
                ("request_types", "in_person"),
                ("request_types", "video"),
                ("availability", "lundi 08:00-12:00\nmercredi 13:00-17:30"),
                ("inactivity_from", "2026-07-01"),
                ("inactivity_to", "2026-07-15"),
                ("inactivity_reason", "Vacances"),
                ("document_name", "Permis de travail"),
                ("document_until", "2027-01-31"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(location(&saved), "/profile?saved=1");
    let shown = b.get("/profile?saved=1").await;
    assert!(shown.body.contains("Votre profil est enregistré."), "{}", shown.body);
    assert!(shown.body.contains("mercredi 13:00-17:30"), "{}", shown.body);
    assert!(shown.body.contains("Permis de travail"), "{}", shown.body);

    let mut tx = w.bank.store.begin().await.unwrap();
    let after = tx.interpreter_profile(me).await.unwrap().unwrap();
    let person = tx.person(me).await.unwrap();
    tx.commit().await.unwrap();
    use relais::domain::request::RequestType;
    assert_eq!(after.request_types, vec![RequestType::InPerson, RequestType::Video]);
    assert!(matches!(&after.availability, relais::domain::interpreter::Availability::Weekly(h) if h.len() == 2));
    assert_eq!(after.inactivity.len(), 1);
    assert_eq!(after.inactivity[0].reason.as_deref(), Some("Vacances"));
    assert_eq!(after.documents.len(), 1);
    assert_eq!(
        after.documents[0].valid_until,
        chrono::NaiveDate::from_ymd_opt(2027, 1, 31)
    );
    assert_eq!(after.language_pairs, before.language_pairs);
    assert_eq!(after.financial, before.financial);
    assert_eq!(person.mobile.unwrap().as_str(), "+15145550199");
    assert_eq!(person.phone.as_deref(), Some("514 555-0100 poste 12"));
    assert!(person.notify_sms && person.notify_email);
}

async fn requesters_edit_their_name_phone_and_cost_centre(engine: Engine) {
    let w = World::new(engine).await;
    let mut tx = w.bank.store.begin().await.unwrap();
    let centre = tx
        .insert_cost_centre(w.bank.establishment, "7301110", "DA services multidisciplinaires")
        .await
        .unwrap();
    let elsewhere = tx
        .insert_cost_centre(w.bank.other_establishment, "9999", "Ailleurs")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut b = w.signed_in(w.bank.requester).await;
    let page = b.get("/profile").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("CIUSSS du Centre-Sud (CCSMTL)"), "{}", page.body);
    assert!(page.body.contains("Hôpital Notre-Dame"), "{}", page.body);
    assert!(page.body.contains("7301110"), "{}", page.body);
    assert!(!page.body.contains("9999"), "only the establishment's cost centres");

    let other = elsewhere.id.0.to_string();
    let wrong = b
        .submit(
            &page,
            "/profile",
            &[
                ("first_name", ""),
                ("last_name", "Tremblay"),
                ("notify", "email"),
                ("cost_centre", &other),
            ],
        )
        .await;
    assert_eq!(wrong.status, 422, "{}", wrong.body);
    assert!(wrong.body.contains("Ce champ est obligatoire."), "{}", wrong.body);
    assert!(
        wrong.body.contains("Choisissez un centre de coût de la liste."),
        "{}",
        wrong.body
    );

    let ours = centre.id.0.to_string();
    let saved = b
        .submit(
            &wrong,
            "/profile",
            &[
                ("first_name", "Marie-Ève"),
                ("last_name", "Tremblay"),
                ("phone", "514 555-0100 poste 4321"),
                ("notify", "email"),
                ("cost_centre", &ours),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let mut tx = w.bank.store.begin().await.unwrap();
    let person = tx.person(w.bank.requester).await.unwrap();
    let profile = tx.requester_profile(w.bank.requester).await.unwrap().unwrap();
    tx.commit().await.unwrap();
    assert_eq!(person.first_name, "Marie-Ève");
    assert_eq!(person.phone.as_deref(), Some("514 555-0100 poste 4321"));
    assert_eq!(profile.cost_centre_id, Some(centre.id));
    assert_eq!(profile.establishment_id, w.bank.establishment, "read-only");

    // A form from elsewhere saves nothing.
    let forged = b.post("/profile", &[("csrf", "forged"), ("first_name", "Eve")]).await;
    assert_eq!(forged.status, 403);
    let mut tx = w.bank.store.begin().await.unwrap();
    assert_eq!(tx.person(w.bank.requester).await.unwrap().first_name, "Marie-Ève");
    tx.commit().await.unwrap();
}

async fn coordinators_list_people_and_send_activation_links(engine: Engine) {
    let w = World::new(engine).await;
    let mut b = w.signed_in(w.bank.coordinator).await;
    let page = b.get("/admin/people").await;
    assert_eq!(page.status, 200, "{}", page.body);
    for heading in [
        "Coordonnateurs",
        "Interprètes",
        "Demandeurs",
        "Lucía Ramírez",
        "Emily Clarke",
    ] {
        assert!(page.body.contains(heading), "{heading}: {}", page.body);
    }
    let email = w.email_of(w.bank.interpreters[1]).await;
    let sent = b.submit(&page, "/admin/people/invite", &[("email", &email)]).await;
    assert_eq!(sent.status, 200, "{}", sent.body);
    assert!(
        sent.body.contains("Un lien d'activation a été envoyé à"),
        "{}",
        sent.body
    );
    assert!(
        w.next_link(&email, "account_activation", "/account/activate/")
            .await
            .starts_with("/account/activate/")
    );
    let forged = b
        .post("/admin/people/invite", &[("csrf", "forged"), ("email", &email)])
        .await;
    assert_eq!(forged.status, 403);

    let mut requester = w.signed_in(w.bank.requester).await;
    assert_eq!(requester.get("/admin/people").await.status, 404);
}
