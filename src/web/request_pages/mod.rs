//! The signed-in pages of requesters and interpreters (`docs/web.md`): the request form
//! (`/requests/new`, `/requests/{id}/edit`), the request page with its history and the
//! actions this person may take (`/requests/{id}`), and the lists (`/requests`).
//!
//! Every page checks [`SignedIn::visibility`]; a request one may not see answers 404, the
//! same as one that does not exist, so ids cannot be probed. Patient details, notes and
//! history are shown only to the requesters of the request's installation and to
//! coordinators; an interpreter sees what an offer shows.

mod close;
mod form;
mod form_choices;
mod list;
mod show;

use super::account::SignedIn;
use super::menu::Menu;
use super::page::{Tone, secure_html};
use super::{AppState, WebError};
use crate::domain::access::Visibility;
use crate::domain::ids::RequestId;
use crate::domain::locale::Locale;
use crate::domain::person::Person;
use crate::domain::request::Request;
use crate::store::StoreError;
use askama::Template;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

pub fn routes() -> Router<AppState> {
    let upload = DefaultBodyLimit::max(super::uploads::MAX_BODY_BYTES);
    Router::new()
        .route("/requests", get(list::show))
        .route("/requests/new", get(form::new).post(form::create).layer(upload))
        .route("/requests/{id}", get(show::show))
        .route("/requests/{id}/edit", get(form::edit).post(form::update).layer(upload))
        .route("/requests/{id}/act", post(show::act))
        .route("/requests/{id}/close", post(close::close))
        .route("/requests/{id}/attachments/{file}", get(show::download))
}

/// A request as one signed-in person may see it.
struct Seen {
    request: Request,
    person: Person,
    /// Requester of its installation or coordinator: patient details, notes, history.
    full: bool,
}

/// The request `id` if `signed_in` may see it; `None` for one that does not exist too.
async fn visible(state: &AppState, signed_in: &SignedIn, id: i64) -> Result<Option<Seen>, StoreError> {
    let visibility: Visibility = signed_in.visibility().await?;
    let mut tx = state.workflow.store().begin_read().await?;
    let request = match tx.request(RequestId(id)).await {
        Ok(r) => r,
        Err(StoreError::NotFound) => {
            tx.commit().await?;
            return Ok(None);
        }
        Err(e) => return Err(e),
    };
    let offered = if visibility.needs_offers() {
        tx.offers_of_request(request.id)
            .await?
            .iter()
            .any(|o| Some(o.interpreter_id) == visibility.interpreter)
    } else {
        false
    };
    tx.commit().await?;
    if !visibility.may_see(&request, offered) {
        return Ok(None);
    }
    let full = visibility.everything || visibility.installations.contains(&request.details.installation_id);
    Ok(Some(Seen {
        request,
        person: signed_in.person().clone(),
        full,
    }))
}

/// The request `id` if `signed_in` may see it; [`WebError::NoSuchRequest`] for one that does
/// not exist too.
async fn seen(state: &AppState, signed_in: &SignedIn, id: i64) -> Result<Seen, WebError> {
    visible(state, signed_in, id)
        .await?
        .ok_or(WebError::NoSuchRequest(signed_in.person().locale))
}

/// A table on a page: cells are `(text, link)`, the link empty for none.
struct Table {
    title: String,
    headers: Vec<String>,
    rows: Vec<Vec<(String, String)>>,
    empty: String,
}

/// A field of the list's search form.
struct FilterField {
    key: &'static str,
    label: String,
    kind: &'static str,
    value: String,
    options: Vec<(String, String)>,
}

/// A one-button form posting `action` to the request's `/act`.
struct ActionForm {
    action: String,
    csrf: String,
    value: &'static str,
    label: String,
    danger: bool,
    reason_label: String,
    reasons: Vec<(String, String)>,
    note_label: String,
    /// What pressing the button will cost, said before (a late cancellation is billed).
    warning: String,
    /// The label of a text field `who` (an interpreter's name or code), and the request it
    /// posts for as `request`: « Offrir à… » (empty for the other buttons).
    who_label: String,
    request: String,
}

/// What a signed-in page shows (`templates/web/signed.html`).
#[derive(Template)]
#[template(path = "web/signed.html")]
struct View {
    lang: &'static str,
    en: bool,
    bank: String,
    heading: String,
    notice: String,
    tone: &'static str,
    /// The header: the person's pages, and signing out.
    menu: Menu,
    /// The lists this person may switch between, `(href, label, current)`.
    tabs: Vec<(String, String, bool)>,
    /// The page's main action, shown as a button above the rest: `(href, label)`.
    primary: Vec<(String, String)>,
    filter_action: String,
    filters: Vec<FilterField>,
    /// The search form shows unfolded (a search is on, or it is the page's point).
    filters_open: bool,
    facts: Vec<(String, String)>,
    links: Vec<(String, String)>,
    tables: Vec<Table>,
    /// Links after the tables: the pages of a long list.
    pages: Vec<(String, String)>,
    forms: Vec<ActionForm>,
}

impl View {
    fn new(locale: Locale, bank: &str, heading: &str) -> View {
        View {
            lang: locale.as_str(),
            en: locale == Locale::En,
            bank: bank.to_string(),
            heading: heading.to_string(),
            notice: String::new(),
            tone: "",
            menu: Menu::default(),
            tabs: Vec::new(),
            primary: Vec::new(),
            filter_action: String::new(),
            filters: Vec::new(),
            filters_open: true,
            facts: Vec::new(),
            links: Vec::new(),
            tables: Vec::new(),
            pages: Vec::new(),
            forms: Vec::new(),
        }
    }

    /// A page with the signed-in person's header.
    fn signed(signed_in: &SignedIn, bank: &str, heading: &str) -> View {
        let mut view = View::new(signed_in.person().locale, bank, heading);
        view.menu = signed_in.session().menu();
        view
    }

    fn tone(mut self, tone: Tone, notice: String) -> View {
        self.tone = match tone {
            Tone::Neutral => "",
            Tone::Good => "good",
            Tone::Bad => "bad",
        };
        self.notice = notice;
        self
    }

    fn render(&self, status: StatusCode) -> Response {
        match Template::render(self) {
            Ok(html) => secure_html(status, html),
            Err(e) => WebError::internal(e).into_response(),
        }
    }
}

/// The bank's name for page titles.
fn bank(state: &AppState) -> String {
    state.account_pages.bank.clone()
}
