//! The signed-in web set over real HTTP, on both engines: downloads (exports, invoices, pay
//! statements) and who may fetch which, the coordinator's board and offering from it, and
//! the profile pages.

use crate::support;

use calamine::{Reader, Xlsx, open_workbook_from_rs};
use relais::domain::locale::Locale;
use relais::domain::request::RequestStatus;
use relais::domain::spreadsheet::{self, UTF8_BOM};
use std::io::Cursor;
use support::Engine;
use support::web::{Answer, World, location};

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

/// The board's offer buttons: `(csrf, request, interpreters, label)`.
fn offer_buttons(page: &Answer) -> Vec<(String, String, String, String)> {
    let re = regex::Regex::new(
        r#"<form method="post" action="/board/offer">\s*<input type="hidden" name="csrf" value="([^"]+)">\s*<input type="hidden" name="request" value="(\d+)">\s*<input type="hidden" name="interpreters" value="([\d,]+)">\s*<button type="submit"[^>]*>([^<]+)</button>"#,
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
        "Rapports de service contestés",
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
