//! The page of an error (not found, no such request, access denied, something went wrong),
//! in the language of whoever asked and with links onward: a signed-in person's own start
//! pages (« Tableau de bord » for a coordinator, « Mes demandes » for a requester, their
//! current requests for an interpreter) and their account; anyone else, « Se connecter ».
//! Someone not signed in reads the language their browser asks for (`Accept-Language`),
//! French unless it prefers English.

use super::AppState;
use super::account::SignedIn;
use super::account::view::AccountPage;
use crate::domain::locale::Locale;
use crate::domain::role::Role;
use crate::web::page::Tone;
use axum::extract::FromRequestParts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use std::time::Duration;

/// Which error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    NotFound,
    NoSuchRequest,
    Forbidden,
    Failed,
}

/// Who asked: their language, and their roles when signed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    pub locale: Locale,
    /// `None`: not signed in.
    pub roles: Option<Vec<Role>>,
}

/// How long the page waits to learn who asked before it answers as to someone not signed
/// in (the database may be what failed).
const LOOKUP: Duration = Duration::from_secs(2);

/// Who sent a request with `headers`: the signed-in person of its session cookie, or a
/// visitor in the language their browser prefers.
pub async fn viewer(state: &AppState, headers: HeaderMap) -> Viewer {
    let visitor = Viewer {
        locale: accepted(headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok())),
        roles: None,
    };
    let (mut parts, ()) = axum::http::Request::new(()).into_parts();
    parts.headers = headers;
    match tokio::time::timeout(LOOKUP, SignedIn::from_request_parts(&mut parts, state)).await {
        Ok(Ok(signed_in)) => Viewer {
            locale: signed_in.person().locale,
            roles: Some(signed_in.roles().to_vec()),
        },
        _ => visitor,
    }
}

/// The language an `Accept-Language` header prefers among French and English (the first
/// of the highest weight); French when it names neither.
pub fn accepted(header: Option<&str>) -> Locale {
    let mut best: Option<(f32, Locale)> = None;
    for range in header.unwrap_or("").split(',') {
        let mut bits = range.split(';');
        let tag = bits.next().unwrap_or("").trim().to_ascii_lowercase();
        let locale = match tag.split('-').next() {
            Some("fr") => Locale::Fr,
            Some("en") => Locale::En,
            _ => continue,
        };
        let weight = bits
            .find_map(|b| b.trim().strip_prefix("q="))
            .and_then(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if weight > 0.0 && best.is_none_or(|(w, _)| weight > w) {
            best = Some((weight, locale));
        }
    }
    best.map_or(Locale::Fr, |(_, locale)| locale)
}

/// Where `viewer` may go on from an error: `(href, label)`.
pub fn links_onward(viewer: &Viewer) -> Vec<(&'static str, String)> {
    let locale = viewer.locale;
    let Some(roles) = &viewer.roles else {
        return vec![("/login", locale.text("account-sign-in-2"))];
    };
    let mut links = Vec::new();
    if roles.contains(&Role::Coordinator) {
        links.push(("/board", locale.text("coord-board")));
    }
    if roles.contains(&Role::Requester) {
        links.push(("/requests", locale.text("request-my-requests")));
    } else if roles.contains(&Role::Interpreter) {
        links.push(("/requests", locale.text("request-current-requests")));
    }
    links.push(("/account", locale.text("account-my-account")));
    links
}

/// The page of `kind` for `viewer`.
pub fn page(status: StatusCode, bank: &str, kind: Kind, viewer: &Viewer) -> Response {
    let locale = viewer.locale;
    let (title, says) = match kind {
        Kind::NotFound => ("error-page-not-found", "error-this-address-leads-nowhere"),
        Kind::NoSuchRequest => ("request-request-not-found", "request-this-request-does-not-exist-or"),
        Kind::Forbidden => ("account-access-denied", "account-your-account-does-not-give-access"),
        Kind::Failed => ("error-something-went-wrong", "error-nothing-saved-was-lost"),
    };
    let next = if viewer.roles.is_some() {
        "error-go-on-from-here"
    } else {
        "error-sign-in-to-go-on"
    };
    let mut page = AccountPage::new(locale, locale.text(title))
        .notice(Tone::Bad, locale.text(says))
        .paragraph(locale.text(next));
    for (href, label) in links_onward(viewer) {
        page = page.link(href, label);
    }
    super::account::view::render(status, bank, &page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_browser_s_language_among_french_and_english() {
        assert_eq!(accepted(None), Locale::Fr);
        assert_eq!(accepted(Some("")), Locale::Fr);
        assert_eq!(accepted(Some("en-CA,en;q=0.9")), Locale::En);
        assert_eq!(accepted(Some("fr-CA,fr;q=0.9,en;q=0.8")), Locale::Fr);
        assert_eq!(accepted(Some("de-DE, en;q=0.5, fr;q=0.7")), Locale::Fr);
        assert_eq!(accepted(Some("es, en-US;q=0.3")), Locale::En);
        assert_eq!(accepted(Some("en;q=0, de")), Locale::Fr);
        assert_eq!(accepted(Some("EN-gb")), Locale::En);
        assert_eq!(accepted(Some("en, fr")), Locale::En, "the first of equal weight");
    }

    #[test]
    fn each_person_goes_on_to_their_own_pages() {
        let links = |roles: Option<Vec<Role>>, locale| {
            links_onward(&Viewer { locale, roles })
                .into_iter()
                .map(|(href, label)| format!("{href} {label}"))
                .collect::<Vec<_>>()
        };
        assert_eq!(links(None, Locale::Fr), ["/login Se connecter"]);
        assert_eq!(links(None, Locale::En), ["/login Sign in"]);
        assert_eq!(
            links(Some(vec![Role::Requester]), Locale::En),
            ["/requests My requests", "/account My account"]
        );
        assert_eq!(
            links(Some(vec![Role::Coordinator]), Locale::Fr),
            ["/board Tableau de bord", "/account Mon compte"]
        );
        assert_eq!(
            links(Some(vec![Role::Interpreter]), Locale::Fr),
            ["/requests Demandes en cours", "/account Mon compte"]
        );
    }

    async fn body(response: Response) -> String {
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    #[tokio::test]
    async fn a_failure_says_nothing_saved_was_lost_in_the_person_s_language() {
        let requester = Viewer {
            locale: Locale::En,
            roles: Some(vec![Role::Requester]),
        };
        let failed = page(StatusCode::INTERNAL_SERVER_ERROR, "Test bank", Kind::Failed, &requester);
        assert_eq!(failed.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let html = body(failed).await;
        assert!(html.contains("<html lang=\"en\">"), "{html}");
        assert!(html.contains("<h1>Something went wrong</h1>"), "{html}");
        assert!(html.contains("Nothing already saved was lost."), "{html}");
        assert!(html.contains("<a href=\"/requests\">My requests</a>"), "{html}");
        assert!(!html.contains("Une erreur"), "English only: {html}");

        let visitor = Viewer {
            locale: Locale::Fr,
            roles: None,
        };
        let html = body(page(StatusCode::SERVICE_UNAVAILABLE, "Banque", Kind::Failed, &visitor)).await;
        assert!(html.contains("<h1>Une erreur est survenue</h1>"), "{html}");
        assert!(html.contains("minutes\u{a0}; si cela se reproduit"), "{html}");
        assert!(html.contains("<a href=\"/login\">Se connecter</a>"), "{html}");
    }
}
