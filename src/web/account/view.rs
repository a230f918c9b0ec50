//! The account pages' one template (`templates/web/account.html`): the link pages' look,
//! with input fields, an optional QR code and recovery codes, and, once signed in, the
//! account links and the sign-out button.

use crate::domain::locale::Locale;
use crate::web::menu::Menu;
use crate::web::page::{Tone, secure_html};
use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// One input.
#[derive(Debug, Clone, Default)]
pub struct Field {
    pub name: &'static str,
    pub label: String,
    /// `email`, `password` or `text`.
    pub kind: &'static str,
    pub autocomplete: &'static str,
    pub inputmode: &'static str,
    /// Never a password: only what is safe to show again.
    pub value: String,
    pub hint: String,
}

/// A form and its button.
#[derive(Debug, Clone, Default)]
pub struct Form {
    pub heading: String,
    /// A paragraph under the heading: what the form does.
    pub note: String,
    pub action: String,
    pub csrf: String,
    pub fields: Vec<Field>,
    pub button: String,
    pub secondary: bool,
}

/// What an account page shows.
#[derive(Debug, Clone)]
pub struct AccountPage {
    pub locale: Locale,
    pub title: String,
    pub heading: String,
    pub notice: String,
    pub tone: Tone,
    /// What is wrong, one line each (a password's missing parts).
    pub problems: Vec<String>,
    pub facts: Vec<(String, String)>,
    pub paragraphs: Vec<String>,
    /// A `data:image/svg+xml` QR code; empty for none.
    pub qr: String,
    /// Text shown in monospace (a secret to type by hand).
    pub secret: String,
    /// Recovery codes, shown once.
    pub codes: Vec<String>,
    pub forms: Vec<Form>,
    pub links: Vec<(String, String)>,
    /// The header of a signed-in person (their pages, signing out); empty before signing in.
    pub menu: Menu,
}

impl AccountPage {
    pub fn new(locale: Locale, title: impl Into<String>) -> AccountPage {
        let title = title.into();
        AccountPage {
            locale,
            heading: title.clone(),
            title,
            notice: String::new(),
            tone: Tone::Neutral,
            problems: Vec::new(),
            facts: Vec::new(),
            paragraphs: Vec::new(),
            qr: String::new(),
            secret: String::new(),
            codes: Vec::new(),
            forms: Vec::new(),
            links: Vec::new(),
            menu: Menu::default(),
        }
    }

    pub fn notice(mut self, tone: Tone, text: impl Into<String>) -> AccountPage {
        self.tone = tone;
        self.notice = text.into();
        self
    }

    pub fn paragraph(mut self, text: impl Into<String>) -> AccountPage {
        self.paragraphs.push(text.into());
        self
    }

    pub fn form(mut self, form: Form) -> AccountPage {
        self.forms.push(form);
        self
    }

    pub fn link(mut self, href: &str, label: impl Into<String>) -> AccountPage {
        self.links.push((href.to_string(), label.into()));
        self
    }
}

#[derive(Template)]
#[template(path = "web/account.html")]
struct AccountHtml<'a> {
    lang: &'a str,
    en: bool,
    bank: &'a str,
    title: &'a str,
    heading: &'a str,
    notice: &'a str,
    tone: &'a str,
    problems: &'a [String],
    facts: &'a [(String, String)],
    paragraphs: &'a [String],
    qr: &'a str,
    qr_alt: &'a str,
    secret: &'a str,
    codes: &'a [String],
    forms: &'a [Form],
    links: &'a [(String, String)],
    menu: &'a Menu,
}

/// The page with the security headers; a page with a QR code may show `data:` images, and
/// nothing else changes (still no script).
pub fn render(status: StatusCode, bank: &str, page: &AccountPage) -> Response {
    let html = AccountHtml {
        lang: page.locale.as_str(),
        en: page.locale == Locale::En,
        bank,
        title: &page.title,
        heading: &page.heading,
        notice: &page.notice,
        tone: match page.tone {
            Tone::Neutral => "",
            Tone::Good => "good",
            Tone::Bad => "bad",
        },
        problems: &page.problems,
        facts: &page.facts,
        paragraphs: &page.paragraphs,
        qr: &page.qr,
        qr_alt: &page.locale.text("account-qr-code-to-scan-with-your"),
        secret: &page.secret,
        codes: &page.codes,
        forms: &page.forms,
        links: &page.links,
        menu: &page.menu,
    }
    .render();
    let mut response = match html {
        Ok(html) => secure_html(status, html),
        Err(e) => return crate::web::WebError::Internal(e.into()).into_response(),
    };
    if !page.qr.is_empty() {
        response.headers_mut().insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'none'; img-src data:; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
            ),
        );
    }
    response
}
