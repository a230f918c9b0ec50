//! The list of people on `/admin/people`: a search (name, address, phone or user code,
//! whatever the accents), a role and the state of each account narrow it; fifty a page, by
//! name, each linked to their page, with the button that sends an activation link only
//! where one is of use. The store does the narrowing and the paging
//! (`store::people_list`); every link keeps the search.

use super::super::{Cell, FormView, Input, Item, Listing, Section, SignedPage, render};
use super::import;
use crate::config::Settings;
use crate::domain::contact::PhoneNumber;
use crate::domain::locale::Locale;
use crate::domain::person_search;
use crate::domain::role::Role;
use crate::domain::text;
use crate::store::people_list::{AccountState, PeopleFilter, PeopleLine};
use crate::web::account::SignedIn;
use crate::web::page::Tone;
use crate::web::{AppState, WebError};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

/// The people of one page.
pub const PAGE: u64 = 50;

/// What narrows the list, as the page's address carries it (`?q=&role=&status=&page=`);
/// the invite button posts it back so the list comes back as it was.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Search {
    pub q: String,
    pub role: String,
    pub status: String,
    pub page: String,
}

impl Search {
    fn role(&self) -> Option<Role> {
        self.role.parse().ok()
    }

    fn account(&self) -> Option<AccountState> {
        self.status.parse().ok()
    }

    fn filter(&self) -> PeopleFilter {
        PeopleFilter {
            search: person_search::Search::parse(&self.q),
            role: self.role(),
            account: self.account(),
        }
    }

    /// Whether anything narrows the list.
    fn narrows(&self) -> bool {
        let f = self.filter();
        f.search.is_some() || f.role.is_some() || f.account.is_some()
    }

    /// The number of the page asked for, from 1.
    fn page_number(&self) -> u64 {
        self.page.trim().parse().unwrap_or(1).max(1)
    }

    /// The address of page `page` of this search.
    fn href(&self, page: u64) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        let q = self.q.trim();
        if !q.is_empty() {
            query.append_pair("q", q);
        }
        if let Some(role) = self.role() {
            query.append_pair("role", role.as_str());
        }
        if let Some(account) = self.account() {
            query.append_pair("status", account.as_str());
        }
        if page > 1 {
            query.append_pair("page", &page.to_string());
        }
        let query = query.finish();
        if query.is_empty() {
            "/admin/people".into()
        } else {
            format!("/admin/people?{query}")
        }
    }

    /// The search as hidden fields of a form that brings this page back.
    fn hidden(&self, page: u64) -> Vec<(String, String)> {
        [
            ("q", self.q.trim().to_string()),
            ("role", self.role().map(|r| r.as_str().to_string()).unwrap_or_default()),
            (
                "status",
                self.account().map(|a| a.as_str().to_string()).unwrap_or_default(),
            ),
            ("page", if page > 1 { page.to_string() } else { String::new() }),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }
}

/// The state of an account in words, as the status filter names it.
fn account_words(account: AccountState, locale: Locale) -> String {
    locale.text(match account {
        AccountState::Active => "people-account-active",
        AccountState::LinkSent => "people-link-sent",
        AccountState::NoAccount => "people-no-account",
        AccountState::Inactive => "people-inactive",
    })
}

/// « 123 personnes » / « 1 personne » (French counts 0 and 1 alike).
fn count_words(total: u64, locale: Locale) -> String {
    let one = match locale {
        Locale::Fr => total <= 1,
        Locale::En => total == 1,
    };
    let key = if one { "people-count-one" } else { "people-count-many" };
    let n = text::count(usize::try_from(total).unwrap_or(usize::MAX), locale);
    locale.text_with(key, &[("count", &n)])
}

/// The roster page, with `notice` and the report of a file just imported (`report`) above.
pub async fn show(
    signed_in: &SignedIn,
    state: &AppState,
    settings: &Settings,
    status: StatusCode,
    notice: Option<(Tone, String)>,
    report: Option<Section>,
    search: &Search,
) -> Result<Response, WebError> {
    let locale = signed_in.person().locale;
    let csrf = signed_in.session().csrf();
    let mut page = SignedPage::new(signed_in, ("Personnes", "People"));
    page.wide = true;
    if let Some((tone, text)) = notice {
        page = page.notice(tone, text);
    }
    page.sections.extend(report);
    // The file import folds under its heading: the list is what the page is for.
    let mut import_form = import::form(&csrf, locale);
    import_form.folded = true;
    page.sections.push(Section {
        heading: locale.text("coord-add"),
        items: vec![Item {
            headline: String::new(),
            lines: Vec::new(),
            forms: vec![
                FormView {
                    method: "get",
                    action: "/admin/people/new".into(),
                    buttons: vec![(locale.text("coord-add-a-person"), String::new())],
                    ..FormView::default()
                },
                import_form,
            ],
        }],
        ..Section::default()
    });
    let filter = search.filter();
    let mut tx = state.workflow.store().begin_read().await?;
    let total = tx.people_count(&filter).await?;
    let pages = total.div_ceil(PAGE).max(1);
    let number = search.page_number().min(pages);
    let lines = tx.people_page(&filter, (number - 1) * PAGE, PAGE).await?;
    tx.commit().await?;

    let headers = [
        "people-name",
        "people-roles",
        "people-email",
        "people-phone",
        "people-account",
        "people-action",
    ];
    let narrows = search.narrows();
    page.listing = Some(Listing {
        heading: locale.text("people-everyone"),
        filter: Some(filter_form(search, locale)),
        count: count_words(total, locale),
        headers: headers.iter().map(|h| locale.text(h)).collect(),
        rows: lines
            .iter()
            .map(|line| row(line, search, number, &csrf, locale))
            .collect(),
        empty: if narrows {
            locale.text("people-nobody-matches")
        } else {
            locale.text("coord-nobody")
        },
        clear: narrows.then(|| ("/admin/people".to_string(), locale.text("people-clear-filters"))),
        page_of: locale.text_with(
            "people-page-of",
            &[("page", &number.to_string()), ("pages", &pages.to_string())],
        ),
        pages: if pages > 1 {
            page_links(search, number, pages, locale)
        } else {
            Vec::new()
        },
    });
    Ok(render(status, &settings.general.bank_name, &page))
}

/// The search form: what is typed, a role, a state of account.
fn filter_form(search: &Search, locale: Locale) -> FormView {
    let roles = [
        ("", "people-all-roles"),
        (Role::Requester.as_str(), "coord-requesters"),
        (Role::Interpreter.as_str(), "coord-interpreters"),
        (Role::Coordinator.as_str(), "coord-coordinators"),
    ];
    let mut accounts = vec![(String::new(), locale.text("people-all-accounts"))];
    accounts.extend(
        AccountState::ALL
            .into_iter()
            .map(|a| (a.as_str().to_string(), account_words(a, locale))),
    );
    let role = search.role().map(|r| r.as_str().to_string()).unwrap_or_default();
    let account = search.account().map(|a| a.as_str().to_string()).unwrap_or_default();
    FormView {
        id: "find".into(),
        method: "get",
        action: "/admin/people".into(),
        inputs: vec![
            Input::new("q", "text", &locale.text("people-search"), search.q.trim())
                .hint(locale.text("people-search-hint")),
            Input::new("role", "select", &locale.text("people-role"), role)
                .choices(roles.iter().map(|(v, key)| (v.to_string(), locale.text(key))).collect()),
            Input::new("status", "select", &locale.text("people-account"), account).choices(accounts),
        ],
        buttons: vec![(locale.text("people-filter"), String::new())],
        ..FormView::default()
    }
}

/// The links to the first and last pages, the two either side of this one, the previous
/// and the next.
fn page_links(search: &Search, number: u64, pages: u64, locale: Locale) -> Vec<(String, String, bool)> {
    let mut links = Vec::new();
    if number > 1 {
        links.push((search.href(number - 1), locale.text("people-previous"), false));
    }
    for n in 1..=pages {
        if n == 1 || n == pages || n.abs_diff(number) <= 2 {
            links.push((search.href(n), n.to_string(), n == number));
        }
    }
    if number < pages {
        links.push((search.href(number + 1), locale.text("people-next"), false));
    }
    links
}

/// One person: their name (to their page) and user code, roles, address, phones, the state
/// of their account, and the activation button where it is of use (an active person whose
/// account is not activated).
fn row(line: &PeopleLine, search: &Search, page: u64, csrf: &str, locale: Locale) -> Vec<Cell> {
    let p = &line.person;
    let phone = |raw: &str| {
        PhoneNumber::from_stored(raw)
            .map(|n| n.display(locale))
            .unwrap_or_else(|_| raw.to_string())
    };
    let mut phones = p
        .mobile
        .iter()
        .map(|m| phone(m.as_str()))
        .chain(p.phone.as_deref().map(phone));
    let mut action = Cell::default();
    if matches!(line.account, AccountState::LinkSent | AccountState::NoAccount) {
        let mut hidden = vec![("email".to_string(), p.email.to_string())];
        hidden.extend(search.hidden(page));
        action.forms.push(FormView {
            method: "post",
            action: "/admin/people/invite".into(),
            csrf: csrf.to_string(),
            hidden,
            buttons: vec![(locale.text("coord-send-an-activation-link"), String::new())],
            secondary: true,
            ..FormView::default()
        });
    }
    vec![
        Cell {
            text: p.display_name(),
            href: format!("/admin/people/{}", p.user_code),
            note: p.user_code.to_string(),
            forms: Vec::new(),
        },
        Cell::text(
            p.roles
                .iter()
                .map(|r| super::role_name(*r, locale))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        Cell::text(p.email.to_string()),
        Cell {
            text: phones.next().unwrap_or_default(),
            note: phones.next().unwrap_or_default(),
            ..Cell::default()
        },
        Cell::text(account_words(line.account, locale)),
        action,
    ]
}
