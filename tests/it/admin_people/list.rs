//! The coordinators' list of people (`/admin/people`) over real HTTP, on both engines: a
//! search by part of a name (accents or not), an address, a phone or a user code; role and
//! account filters; fifty a page with every link keeping the search; an empty result that
//! says so and leads back to everyone; the activation button only where it is of use.

use crate::support;

use chrono::Utc;
use relais::domain::contact::EmailAddress;
use relais::domain::locale::Locale;
use relais::domain::person::NewPerson;
use relais::domain::person_search::Search;
use relais::domain::role::Role;
use relais::store::Store;
use relais::store::people_list::PeopleFilter;
use support::web::{Answer, Browser, World, accessible, unescape};
use support::{Engine, TestBank};

on_both_engines!(
    people_are_found_by_part_of_a_name_an_address_a_phone_or_a_code,
    people_are_narrowed_by_role_and_by_account,
    people_come_fifty_a_page_and_each_link_keeps_the_search,
    nobody_found_says_so_and_leads_back_to_everyone,
    an_activation_link_sent_from_a_narrowed_list_brings_it_back,
    people_written_before_search_keys_are_found_once_migrated,
);

/// The names listed on a page, in order.
pub(super) fn names(page: &Answer) -> Vec<String> {
    let re = regex::Regex::new(r#"<td data-label="Nom"><a href="/admin/people/[A-Z0-9]+">([^<]+)</a>"#).unwrap();
    re.captures_iter(&page.body).map(|c| unescape(&c[1])).collect()
}

/// The row of the table that holds `needle`.
pub(super) fn row_with(page: &Answer, needle: &str) -> String {
    let re = regex::Regex::new(r"(?s)<tr>.*?</tr>").unwrap();
    re.find_iter(&page.body)
        .map(|m| m.as_str().to_string())
        .find(|r| r.contains(needle))
        .unwrap_or_else(|| panic!("no row with {needle}: {}", page.body))
}

/// The links of the pages' nav: `(href, label, current)`.
fn page_links(page: &Answer) -> Vec<(String, String, bool)> {
    let nav = regex::Regex::new(r#"(?s)<nav class="pages".*?</nav>"#).unwrap();
    let Some(nav) = nav.find(&page.body) else {
        return Vec::new();
    };
    let a = regex::Regex::new(r#"<a href="([^"]+)"( aria-current="page")?>([^<]+)</a>"#).unwrap();
    a.captures_iter(nav.as_str())
        .map(|c| (unescape(&c[1]), unescape(&c[3]), c.get(2).is_some()))
        .collect()
}

async fn list(b: &mut Browser<'_>, path: &str) -> Answer {
    let page = b.get(path).await;
    assert_eq!(page.status, 200, "{path}: {}", page.body);
    accessible(&page);
    page
}

async fn people_are_found_by_part_of_a_name_an_address_a_phone_or_a_code(engine: Engine) {
    let w = World::new(engine).await;
    let mut b = w.signed_in(w.bank.coordinator).await;
    let everyone = list(&mut b, "/admin/people").await;
    assert_eq!(
        names(&everyone),
        [
            "Emily Clarke",
            "Diego Fernández",
            "Sophie Gagnon",
            "Lucía Ramírez",
            "Luc Roy",
            "Ana Soto",
            "Marie Tremblay"
        ],
        "by name: {}",
        everyone.body
    );
    assert!(
        everyone.body.contains("<p class=\"count\">7 personnes</p>"),
        "{}",
        everyone.body
    );
    assert!(page_links(&everyone).is_empty(), "one page: no pages nav");
    for header in ["Nom", "Rôles", "Courriel", "Téléphone", "Compte", "Action"] {
        assert!(
            everyone.body.contains(&format!("<th scope=\"col\">{header}</th>")),
            "{header}: {}",
            everyone.body
        );
    }
    let lucia = row_with(&everyone, "Lucía Ramírez");
    assert!(lucia.contains("<td data-label=\"Rôles\">Interprète</td>"), "{lucia}");
    assert!(
        lucia.contains("514\u{a0}555-0110"),
        "her mobile as people write it: {lucia}"
    );
    assert!(lucia.contains("<td data-label=\"Compte\">Sans compte</td>"), "{lucia}");

    let code = w.user_code(w.bank.interpreters[0]).await;
    for typed in [
        "ramirez",
        "RAMÍREZ",
        "Lucia",
        "lucía ram",
        "ramirez lucia",
        "interp0@",
        "(514) 555-0110",
        "5145550110",
        &code.to_lowercase(),
    ] {
        let path = format!("/admin/people?q={}", urlencoding(typed));
        let found = list(&mut b, &path).await;
        assert_eq!(names(&found), ["Lucía Ramírez"], "{typed}: {}", found.body);
        assert!(
            found.body.contains("<p class=\"count\">1 personne</p>"),
            "{}",
            found.body
        );
        assert!(
            found.body.contains(&format!("value=\"{typed}\"")),
            "the search shown again: {}",
            found.body
        );
    }
    let found = list(&mut b, "/admin/people?q=fern").await;
    assert_eq!(names(&found), ["Diego Fernández"]);
    let found = list(&mut b, "/admin/people?q=ciusss.example").await;
    assert_eq!(names(&found), ["Luc Roy", "Marie Tremblay"]);
}

async fn people_are_narrowed_by_role_and_by_account(engine: Engine) {
    let w = World::new(engine).await;
    let mut b = w.signed_in(w.bank.coordinator).await;
    let interpreters = list(&mut b, "/admin/people?role=interpreter").await;
    assert_eq!(names(&interpreters), ["Diego Fernández", "Lucía Ramírez", "Ana Soto"]);
    assert!(
        interpreters
            .body
            .contains("<option value=\"interpreter\" selected>Interprètes</option>"),
        "the role chosen shows: {}",
        interpreters.body
    );
    let requesters = list(&mut b, "/admin/people?role=requester").await;
    assert_eq!(names(&requesters), ["Emily Clarke", "Luc Roy", "Marie Tremblay"]);
    let coordinators = list(&mut b, "/admin/people?role=coordinator").await;
    assert_eq!(names(&coordinators), ["Sophie Gagnon"]);

    // Sophie signed in: her account is active, and she gets no activation button.
    let active = list(&mut b, "/admin/people?status=active").await;
    assert_eq!(names(&active), ["Sophie Gagnon"]);
    let sophie = row_with(&active, "Sophie Gagnon");
    assert!(
        sophie.contains("<td data-label=\"Compte\">Compte actif</td>"),
        "{sophie}"
    );
    assert!(
        !sophie.contains("/admin/people/invite"),
        "no invite for an active account: {sophie}"
    );

    // Marie is sent a link; Luc is made inactive.
    let marie = EmailAddress::parse(&w.email_of(w.bank.requester).await).unwrap();
    w.accounts().invite(&marie).await.unwrap();
    let mut tx = w.bank.store.begin().await.unwrap();
    let mut luc = tx.person(w.bank.colleague).await.unwrap();
    luc.active = false;
    tx.update_person(&luc, Utc::now()).await.unwrap();
    tx.commit().await.unwrap();

    let sent = list(&mut b, "/admin/people?status=link-sent").await;
    assert_eq!(names(&sent), ["Marie Tremblay"]);
    let row = row_with(&sent, "Marie Tremblay");
    assert!(row.contains("<td data-label=\"Compte\">Lien envoyé</td>"), "{row}");
    assert!(
        row.contains("action=\"/admin/people/invite\""),
        "sent again if need be: {row}"
    );
    let inactive = list(&mut b, "/admin/people?status=inactive").await;
    assert_eq!(names(&inactive), ["Luc Roy"]);
    let row = row_with(&inactive, "Luc Roy");
    assert!(row.contains("<td data-label=\"Compte\">Inactif</td>"), "{row}");
    assert!(
        !row.contains("/admin/people/invite"),
        "no invite for an inactive person: {row}"
    );
    let none = list(&mut b, "/admin/people?status=none").await;
    assert_eq!(
        names(&none),
        ["Emily Clarke", "Diego Fernández", "Lucía Ramírez", "Ana Soto"]
    );
    let both = list(&mut b, "/admin/people?status=none&role=requester").await;
    assert_eq!(names(&both), ["Emily Clarke"]);
    // What the page cannot read narrows nothing.
    let unknown = list(&mut b, "/admin/people?status=everything&role=admin&page=x").await;
    assert_eq!(names(&unknown).len(), 7);
}

/// 53 interpreters more, straight through the store (no mail, no profile).
async fn add_interpreters(w: &World, n: usize) {
    let mut tx = w.bank.store.begin().await.unwrap();
    for i in 0..n {
        let person = NewPerson {
            first_name: format!("Zoé{i:02}"),
            last_name: "Interprète".into(),
            email: EmailAddress::parse(&format!("zoe{i:02}@interpretes.example")).unwrap(),
            mobile: None,
            phone: None,
            locale: Locale::Fr,
            notify_email: true,
            notify_sms: false,
            roles: vec![Role::Interpreter],
        };
        tx.insert_person(&person, "BI", Utc::now()).await.unwrap();
    }
    tx.commit().await.unwrap();
}

async fn people_come_fifty_a_page_and_each_link_keeps_the_search(engine: Engine) {
    let w = World::new(engine).await;
    add_interpreters(&w, 53).await;
    let mut b = w.signed_in(w.bank.coordinator).await;

    let first = list(&mut b, "/admin/people?role=interpreter").await;
    assert!(
        first.body.contains("<p class=\"count\">56 personnes</p>"),
        "{}",
        first.body
    );
    assert!(first.body.contains("<p>Page 1 sur 2</p>"), "{}", first.body);
    let shown = names(&first);
    assert_eq!(shown.len(), 50);
    assert_eq!(shown[0], "Diego Fernández");
    assert_eq!(shown[1], "Zoé00 Interprète");
    assert_eq!(
        page_links(&first),
        [
            ("/admin/people?role=interpreter".to_string(), "1".to_string(), true),
            ("/admin/people?role=interpreter&page=2".into(), "2".into(), false),
            (
                "/admin/people?role=interpreter&page=2".into(),
                "Suivante →".into(),
                false
            ),
        ]
    );
    let second = list(&mut b, "/admin/people?role=interpreter&page=2").await;
    assert!(second.body.contains("<p>Page 2 sur 2</p>"), "{}", second.body);
    let rest = names(&second);
    assert_eq!(rest.len(), 6);
    assert!(rest.iter().all(|n| !shown.contains(n)), "no one twice: {rest:?}");
    assert_eq!(rest.last().map(String::as_str), Some("Ana Soto"));
    assert_eq!(
        page_links(&second),
        [
            (
                "/admin/people?role=interpreter".to_string(),
                "← Précédente".to_string(),
                false
            ),
            ("/admin/people?role=interpreter".into(), "1".into(), false),
            ("/admin/people?role=interpreter&page=2".into(), "2".into(), true),
        ]
    );
    // Past the last page, the last page.
    let past = list(&mut b, "/admin/people?role=interpreter&page=9").await;
    assert_eq!(names(&past), rest);

    // A search and both filters travel together from page to page.
    let searched = list(&mut b, "/admin/people?q=zoe&role=interpreter&status=none").await;
    assert!(
        searched.body.contains("<p class=\"count\">53 personnes</p>"),
        "{}",
        searched.body
    );
    let links = page_links(&searched);
    assert!(
        links.contains(&(
            "/admin/people?q=zoe&role=interpreter&status=none&page=2".into(),
            "2".into(),
            false
        )),
        "{links:?}"
    );
    let everyone = list(&mut b, "/admin/people").await;
    assert!(
        everyone.body.contains("<p class=\"count\">60 personnes</p>"),
        "{}",
        everyone.body
    );
    assert!(everyone.body.contains("<p>Page 1 sur 2</p>"), "{}", everyone.body);
}

async fn nobody_found_says_so_and_leads_back_to_everyone(engine: Engine) {
    let w = World::new(engine).await;
    let mut b = w.signed_in(w.bank.coordinator).await;
    let none = list(&mut b, "/admin/people?q=xyzzy&role=coordinator").await;
    assert!(names(&none).is_empty());
    assert!(!none.body.contains("<table>"), "no empty table: {}", none.body);
    assert!(none.body.contains("0 personne"), "{}", none.body);
    assert!(
        none.body.contains("Personne ne correspond à cette recherche."),
        "{}",
        none.body
    );
    assert!(
        none.body.contains("<a href=\"/admin/people\">Effacer les filtres</a>"),
        "{}",
        none.body
    );
}

async fn an_activation_link_sent_from_a_narrowed_list_brings_it_back(engine: Engine) {
    let w = World::new(engine).await;
    let mut b = w.signed_in(w.bank.coordinator).await;
    let page = list(&mut b, "/admin/people?q=soto&role=interpreter").await;
    let email = w.email_of(w.bank.interpreters[2]).await;
    let sent = b
        .submit(
            &page,
            "/admin/people/invite",
            &[("email", &email), ("q", "soto"), ("role", "interpreter")],
        )
        .await;
    assert_eq!(sent.status, 200, "{}", sent.body);
    accessible(&sent);
    assert!(
        sent.body.contains("Un lien d'activation a été envoyé à"),
        "{}",
        sent.body
    );
    assert_eq!(names(&sent), ["Ana Soto"], "the same list: {}", sent.body);
    let row = row_with(&sent, "Ana Soto");
    assert!(row.contains("Lien envoyé"), "{row}");
    w.next_link(&email, "account_activation", "/account/activate/").await;
}

/// People saved before migration 0026 have no search key; migrating writes theirs.
async fn people_written_before_search_keys_are_found_once_migrated(engine: Engine) {
    let bank = TestBank::new(engine).await;
    const FORGET: &str = "UPDATE people SET search_key = NULL";
    match &bank.store {
        Store::Sqlite(pool, ..) => sqlx::query(FORGET).execute(pool).await.unwrap().rows_affected(),
        Store::Postgres(pool, _) => sqlx::query(FORGET).execute(pool).await.unwrap().rows_affected(),
    };
    let filter = PeopleFilter {
        search: Search::parse("Ramírez"),
        ..PeopleFilter::default()
    };
    let count = || async {
        let mut tx = bank.store.begin_read().await.unwrap();
        let n = tx.people_count(&filter).await.unwrap();
        tx.commit().await.unwrap();
        n
    };
    assert_eq!(count().await, 0, "no key, not found");
    bank.store.migrate().await.unwrap();
    assert_eq!(count().await, 1);
    bank.store.migrate().await.unwrap();
    assert_eq!(count().await, 1, "migrating again changes nothing");
}

fn urlencoding(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
