//! The pages of an error over real HTTP, on both engines: an unknown address, an unknown
//! request and a page one's roles do not open each say what happened in the language of
//! whoever asked (their own when signed in, their browser's otherwise, French by default)
//! and lead onward: a signed-in person to their own start pages and account, anyone else to
//! the sign-in page.

use crate::support;

use chrono::Utc;
use relais::domain::ids::PersonId;
use relais::domain::locale::Locale;
use support::Engine;
use support::web::{Answer, World, accessible, shows_no_code};

on_both_engines!(
    someone_not_signed_in_reads_their_browser_s_language_and_is_led_to_sign_in,
    a_signed_in_person_reads_their_own_language_and_goes_on_to_their_pages,
);

/// The links of a page: `(href, text)`.
fn links(page: &Answer) -> Vec<(String, String)> {
    let a = regex::Regex::new(r#"<a href="([^"]+)">([^<]+)</a>"#).unwrap();
    a.captures_iter(&page.body)
        .map(|c| (c[1].to_string(), c[2].to_string()))
        .collect()
}

fn link(href: &str, text: &str) -> (String, String) {
    (href.to_string(), text.to_string())
}

/// An English page people can read: its language said, no code, a viewport.
fn readable_in_english(page: &Answer) {
    assert!(page.body.contains("<html lang=\"en\">"), "lang: {}", page.body);
    shows_no_code(&page.body);
    assert!(page.body.contains("width=device-width"));
    assert!(!page.body.contains("Page introuvable"), "English only: {}", page.body);
}

async fn someone_not_signed_in_reads_their_browser_s_language_and_is_led_to_sign_in(engine: Engine) {
    let w = World::new(engine).await;
    let site = &w.site;
    for path in ["/nowhere", "/quelque/part/ailleurs"] {
        let fr = site.get(path, "").await;
        assert_eq!(fr.status, 404, "{path}");
        accessible(&fr);
        assert!(fr.body.contains("<h1>Page introuvable</h1>"), "{}", fr.body);
        assert!(fr.body.contains("Connectez-vous pour continuer."), "{}", fr.body);
        assert!(!fr.body.contains("Page not found"), "French only: {}", fr.body);
        assert_eq!(links(&fr), [link("/login", "Se connecter")]);
    }

    let english = |path: &str, accept: &str| {
        site.send(
            site.client
                .get(format!("{}{path}", site.base))
                .header("accept-language", accept.to_string()),
        )
    };
    let en = english("/nowhere", "en-CA,en;q=0.9,fr;q=0.5").await;
    assert_eq!(en.status, 404);
    readable_in_english(&en);
    assert!(en.body.contains("<h1>Page not found</h1>"), "{}", en.body);
    assert!(en.body.contains("Sign in to go on."), "{}", en.body);
    assert_eq!(links(&en), [link("/login", "Sign in")]);
    // A browser that prefers French, or names neither language, reads French.
    for accept in ["fr-CA,en;q=0.8", "de-DE,es;q=0.5"] {
        let fr = english("/nowhere", accept).await;
        assert!(fr.body.contains("<h1>Page introuvable</h1>"), "{accept}: {}", fr.body);
    }
}

async fn speaks(w: &World, person: PersonId, locale: Locale) {
    let mut tx = w.bank.store.begin().await.unwrap();
    let mut p = tx.person(person).await.unwrap();
    p.locale = locale;
    tx.update_person(&p, Utc::now()).await.unwrap();
    tx.commit().await.unwrap();
}

async fn a_signed_in_person_reads_their_own_language_and_goes_on_to_their_pages(engine: Engine) {
    let w = World::new(engine).await;

    // A requester who reads English, whatever the browser says.
    speaks(&w, w.bank.requester, Locale::En).await;
    let mut marie = w.signed_in(w.bank.requester).await;
    let onward = [link("/requests", "My requests"), link("/account", "My account")];
    let nowhere = marie.get("/nowhere").await;
    assert_eq!(nowhere.status, 404);
    readable_in_english(&nowhere);
    assert!(nowhere.body.contains("<h1>Page not found</h1>"), "{}", nowhere.body);
    assert!(nowhere.body.contains("You can go on from here:"), "{}", nowhere.body);
    assert_eq!(links(&nowhere), onward);
    let request = marie.get("/requests/987654").await;
    assert_eq!(request.status, 404);
    readable_in_english(&request);
    assert!(request.body.contains("Request not found"), "{}", request.body);
    assert_eq!(links(&request), onward);
    // A coordinator's page answers as if it did not exist.
    let board = marie.get("/board").await;
    assert_eq!(board.status, 404);
    assert_eq!(links(&board), onward);

    // A coordinator in French goes on to the board.
    let mut sophie = w.signed_in(w.bank.coordinator).await;
    let nowhere = sophie.get("/nowhere").await;
    assert_eq!(nowhere.status, 404);
    accessible(&nowhere);
    assert!(
        nowhere.body.contains("Vous pouvez continuer d'ici\u{a0}:"),
        "{}",
        nowhere.body
    );
    assert_eq!(
        links(&nowhere),
        [link("/board", "Tableau de bord"), link("/account", "Mon compte")]
    );

    // An interpreter may not book a request: 403, in French, onward to their requests.
    let mut lucia = w.signed_in(w.bank.interpreters[0]).await;
    let refused = lucia.get("/requests/new").await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    accessible(&refused);
    assert!(refused.body.contains("Accès refusé"), "{}", refused.body);
    assert_eq!(
        links(&refused),
        [link("/requests", "Demandes en cours"), link("/account", "Mon compte")]
    );
}
