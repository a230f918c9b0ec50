//! The one page layout (`templates/web/page.html`) every link and request page uses, and
//! the headers every page gets: no caching, no referrer (links carry tokens), no framing.

use super::error::ErrorPage;
use crate::domain::locale::Locale;
use askama::Template;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Neutral,
    Good,
    Bad,
}

/// A form with one button.
#[derive(Debug, Clone)]
pub struct PageForm {
    /// Where it posts, relative to the page.
    pub action: String,
    pub csrf: String,
    pub label: String,
    pub danger: bool,
    pub reason_label: String,
    /// `(value, label)` choices of a required `reason` field; empty for none.
    pub reasons: Vec<(String, String)>,
    /// The label of a free-text `note` field (what is wrong with a record); empty for none.
    pub note_label: String,
}

/// What a page shows.
#[derive(Debug, Clone)]
pub struct Page {
    pub locale: Locale,
    pub bank: String,
    pub title: String,
    pub heading: String,
    pub notice: String,
    pub tone: Tone,
    pub facts: Vec<(String, String)>,
    pub paragraphs: Vec<String>,
    pub forms: Vec<PageForm>,
}

#[derive(Template)]
#[template(path = "web/page.html")]
struct PageHtml<'a> {
    lang: &'a str,
    en: bool,
    bank: &'a str,
    title: &'a str,
    heading: &'a str,
    notice: &'a str,
    tone: &'a str,
    facts: &'a [(String, String)],
    paragraphs: &'a [String],
    forms: &'a [PageForm],
}

/// Renders `page` with the security headers.
pub fn page_response(status: StatusCode, page: &Page) -> Response {
    let html = PageHtml {
        lang: page.locale.as_str(),
        en: page.locale == Locale::En,
        bank: &page.bank,
        title: &page.title,
        heading: &page.heading,
        notice: &page.notice,
        tone: match page.tone {
            Tone::Neutral => "",
            Tone::Good => "good",
            Tone::Bad => "bad",
        },
        facts: &page.facts,
        paragraphs: &page.paragraphs,
        forms: &page.forms,
    }
    .render();
    match html {
        Ok(html) => secure_html(status, html),
        Err(e) => super::WebError::Internal(e.into()).into_response(),
    }
}

/// The headers every answer carries, pages, errors, health, metrics and webhooks alike:
/// never cached, never framed, no referrer (links carry tokens), not sniffed as another
/// type, no script, not indexed. A handler that sets one of them itself (a page that
/// allows `img-src data:`, a download that is sandboxed) keeps its own value.
const SECURITY_HEADERS: [(&str, &str); 6] = [
    ("cache-control", "no-store"),
    ("referrer-policy", "no-referrer"),
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    (
        "content-security-policy",
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    ),
    ("x-robots-tag", "noindex, nofollow"),
];

/// Adds [`SECURITY_HEADERS`] that `headers` lacks.
pub fn add_security_headers(headers: &mut HeaderMap) {
    for (name, value) in SECURITY_HEADERS {
        if !headers.contains_key(name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    }
}

/// The outermost layer of every router: whatever answered (a page, the router's 404, an
/// error, `/healthz`, `/metrics`, a webhook's plain text), the answer leaves with the
/// security headers.
pub async fn security_headers(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let mut response = next.run(request).await;
    add_security_headers(response.headers_mut());
    response
}

/// An HTML page with the headers every page gets: never cached, never framed, no referrer,
/// no script, not indexed.
pub fn secure_html(status: StatusCode, html: String) -> Response {
    let html = if html.contains("<html lang=\"fr\"") {
        crate::domain::text::french_spacing(&html).into_owned()
    } else {
        html
    };
    let mut response = (status, Html(html)).into_response();
    add_security_headers(response.headers_mut());
    response
}

/// Turns error answers into a page of the bank: those of [`super::WebError`] (which leave
/// the [`ErrorPage`] to show), and any other bare 404 or 5xx (the router's own 404) as the
/// page "not found" or "something went wrong", in French and English. Answers that already
/// are pages, every other status, and what machines call (health, metrics, webhooks) pass
/// as they are.
pub async fn errors_as_pages(
    axum::extract::State(state): axum::extract::State<super::AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let path = request.uri().path();
    let for_machines = path == "/healthz" || path == "/metrics" || path.starts_with("/webhooks/");
    // What says who asks, kept for the error page: the session cookie and the languages.
    let mut asker = HeaderMap::new();
    for name in [header::COOKIE, header::ACCEPT_LANGUAGE] {
        for value in request.headers().get_all(&name) {
            asker.append(name.clone(), value.clone());
        }
    }
    let mut response = next.run(request).await;
    if for_machines {
        return response;
    }
    let status = response.status();
    if let Some(kind) = response.extensions_mut().remove::<ErrorPage>() {
        return error_page(&state, status, asker, kind).await;
    }
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if is_html || !(status == StatusCode::NOT_FOUND || status.is_server_error()) {
        return response;
    }
    let kind = if status == StatusCode::NOT_FOUND {
        ErrorPage::NotFound
    } else {
        ErrorPage::Failed
    };
    error_page(&state, status, asker, kind).await
}

/// The bank's page for an error, in the language of who asked (`asker`: the headers that
/// say who) and with their links onward ([`super::error_page`]).
async fn error_page(state: &super::AppState, status: StatusCode, asker: HeaderMap, kind: ErrorPage) -> Response {
    use super::error_page::{Kind, page, viewer};
    let bank = &state.settings.general.bank_name;
    let (kind, theirs) = match kind {
        ErrorPage::InvalidLink => return super::links::invalid_link_page(bank),
        ErrorPage::Csrf { locale, again } => return super::account::expired_form_page(locale, bank, &again),
        ErrorPage::NoSuchRequest(locale) => (Kind::NoSuchRequest, Some(locale)),
        ErrorPage::Forbidden(locale) => (Kind::Forbidden, Some(locale)),
        ErrorPage::NotFound => (Kind::NotFound, None),
        ErrorPage::Failed => (Kind::Failed, None),
    };
    let mut viewer = viewer(state, asker).await;
    if let Some(locale) = theirs {
        viewer.locale = locale;
    }
    page(status, bank, kind, &viewer)
}

/// Back to a page after a change, or on to where one must go (303: a reload does not post
/// again).
pub fn see_other(location: impl Into<String>) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, location.into())]).into_response()
}
