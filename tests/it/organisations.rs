//! « Mes organisations » (SeTIS): a requester sees their institution — installations, team,
//! every request across its installations and billing codes — exports their own requests
//! or their institution's to Excel with statistics, and downloads its invoices. Another
//! establishment's requester gets the same 404 as for nothing.

use crate::support;

use calamine::{Reader, Xlsx, open_workbook_from_rs};
use relais::domain::role::{ActorKind, Channel};
use relais::workflow::{Actor, Command};
use std::io::Cursor;
use support::Engine;
use support::web::{World, location};

on_both_engines!(
    a_requester_sees_their_institution_and_exports_it,
    another_establishments_requester_gets_the_404_of_nothing
);

/// The requests a downloaded workbook holds (its first sheet, less the header).
fn requests_in(bytes: &[u8]) -> usize {
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    let first = book.sheet_names()[0].clone();
    book.worksheet_range(&first).unwrap().height() - 1
}

async fn a_requester_sees_their_institution_and_exports_it(engine: Engine) {
    let w = World::new(engine).await;
    let mine = w.bank.create().await;
    let colleague = Actor {
        person: Some(w.bank.colleague),
        kind: ActorKind::Requester,
        channel: Channel::Web,
    };
    let theirs = w
        .bank
        .workflow
        .execute(
            colleague,
            Command::CreateRequest {
                requested_by: w.bank.colleague,
                details: w.bank.details(),
                submit: true,
            },
        )
        .await
        .unwrap()
        .request;
    let mut rb = w.signed_in(w.bank.requester).await;
    let home = rb.get("/account").await;
    assert!(home.body.contains("Mes organisations"), "{}", home.body);
    let go = rb.get("/organisations").await;
    let path = format!("/organisations/{}", w.bank.establishment.0);
    assert_eq!(location(&go), path, "{}", go.body);
    let page = rb.get(&path).await;
    assert_eq!(page.status, 200, "{}", page.body);
    for shown in [
        "CIUSSS du Centre-Sud (CCSMTL)",
        "Hôpital Notre-Dame — 1560, rue Sherbrooke Est",
        "Luc Roy — luc@ciusss.example",
        "Marie Tremblay — marie@ciusss.example",
        &w.bank.load(mine).await.label(),
        &w.bank.load(theirs).await.label(),
        "2 demande(s), dont 0 annulée(s)",
    ] {
        assert!(page.body.contains(shown), "{shown}: {}", page.body);
    }
    assert!(
        !page.body.contains("Emily Clarke"),
        "another establishment's team: {}",
        page.body
    );

    // Her own requests, then the establishment's, as a workbook with its statistics sheet.
    let (status, headers, own) = rb.download(&format!("{path}/requests.xlsx?whose=mine")).await;
    assert_eq!(status, 200);
    assert!(headers["content-type"].to_str().unwrap().contains("spreadsheetml"));
    assert_eq!(requests_in(&own), 1);
    let book: Xlsx<_> = open_workbook_from_rs(Cursor::new(own.clone())).unwrap();
    assert_eq!(
        book.sheet_names(),
        vec!["Demandes".to_string(), "Statistiques".to_string()]
    );
    let (_, _, all) = rb.download(&format!("{path}/requests.xlsx?whose=all")).await;
    assert_eq!(requests_in(&all), 2);
    let (status, _, _) = rb.download(&format!("{path}/requests.xlsx?from=pas-une-date")).await;
    assert_eq!(status, 422);

    // Its invoices, month by month.
    assert!(page.body.contains("Factures"), "{}", page.body);
    let (status, headers, invoice) = rb.download(&format!("{path}/invoice?month=2026-03&format=csv")).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&invoice));
    assert!(headers["content-type"].to_str().unwrap().starts_with("text/csv"));
    let (status, _, html) = rb.download(&format!("{path}/invoice?month=2026-03")).await;
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&html).contains("CIUSSS du Centre-Sud"));
}

async fn another_establishments_requester_gets_the_404_of_nothing(engine: Engine) {
    let w = World::new(engine).await;
    w.bank.create().await;
    let mut ob = w.signed_in(w.bank.outsider).await;
    let theirs = format!("/organisations/{}", w.bank.establishment.0);
    let nothing = "/organisations/999999";
    let own = format!("/organisations/{}", w.bank.other_establishment.0);
    assert_eq!(ob.get(&own).await.status, 200);
    let refused = ob.get(&theirs).await;
    let missing = ob.get(nothing).await;
    assert_eq!(refused.status, 404);
    assert_eq!((refused.status, refused.body), (missing.status, missing.body));
    for tail in ["/requests.xlsx?whose=all", "/invoice?month=2026-03&format=csv"] {
        let (status, _, refused) = ob.download(&format!("{theirs}{tail}")).await;
        let (missing_status, _, missing) = ob.download(&format!("{nothing}{tail}")).await;
        assert_eq!(status, 404);
        assert_eq!((status, refused), (missing_status, missing));
    }
    // Coordinators see any establishment's.
    let mut cb = w.signed_in(w.bank.coordinator).await;
    let seen = cb.get(&theirs).await;
    assert_eq!(seen.status, 200, "{}", seen.body);
    assert!(seen.body.contains("Marie Tremblay"), "{}", seen.body);
    assert_eq!(location(&cb.get("/organisations").await), "/admin/establishments");
    // An interpreter has no organisation to see.
    let mut ib = w.signed_in(w.bank.interpreters[0]).await;
    assert_eq!(ib.get("/organisations").await.status, 404);
    assert_eq!(ib.get(&theirs).await.status, 404);
}
