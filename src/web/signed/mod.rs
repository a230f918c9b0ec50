//! The signed-in web set beyond the account pages: `/downloads` (exports, invoices and pay
//! statements), `/board` (the coordinator's overview, the digest on a page), `/profile`, and
//! `/admin/people` (coordinators: everyone, and activation links), and `/admin/establishments`
//! (coordinators: établissements, installations, cost centres, billing codes).
//! They share one template (`templates/web/board.html`): facts, sections of lines or items
//! with buttons, forms whose errors are named beside their fields, and the sign-out button.

pub mod admin;
pub mod board;
mod criteria;
pub mod downloads;
mod email_change;
pub mod establishments;
mod history;
mod hours;
mod listing;
pub mod organisation;
pub mod profile;
mod set_aside;

pub use super::account::Coordinator;
use super::account::SignedIn;
pub use super::page::see_other;
use super::{AppState, WebError};
use crate::config::Settings;
use crate::domain::locale::Locale;
use crate::web::page::{Tone, secure_html};
use askama::Template;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
pub use listing::{Cell, Listing};
use std::sync::Arc;

/// The routes of the signed-in web set.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/downloads", get(downloads::show))
        .route("/downloads/requests.csv", get(downloads::requests_csv))
        .route("/downloads/requests.xlsx", get(downloads::requests_xlsx))
        .route("/downloads/invoice", get(downloads::invoice))
        .route("/downloads/pay-statement", get(downloads::pay_statement))
        .route("/board", get(board::show))
        .route("/board/offer", post(board::offer))
        .route("/board/offer-to", post(board::offer_to::submit))
        .route("/board/set-aside", post(set_aside::act))
        .route("/profile", get(profile::show).post(profile::submit))
        .route("/profile/email", post(email_change::submit))
        .route("/profile/files/{id}", get(profile::download))
        .route("/organisations", get(organisation::mine))
        .route("/organisations/{id}", get(organisation::show))
        .route("/organisations/{id}/requests.xlsx", get(organisation::export))
        .route("/organisations/{id}/invoice", get(organisation::invoice))
        .route("/admin/people", get(admin::people))
        .route("/admin/people/invite", post(admin::invite))
        .route("/admin/people/import", post(admin::import::import))
        .route(
            "/admin/people/new",
            get(admin::new_person::show).post(admin::new_person::create),
        )
        .route("/admin/people/{code}", get(admin::person::show))
        .route("/admin/people/{code}/{part}", post(admin::person::change))
        .route(
            "/admin/people/{code}/files",
            post(admin::files::add).layer(axum::extract::DefaultBodyLimit::max(
                crate::web::uploads::MAX_FILE_BYTES + 64 * 1024,
            )),
        )
        .route(
            "/admin/people/{code}/documents",
            post(admin::documents::add).layer(axum::extract::DefaultBodyLimit::max(
                crate::web::uploads::MAX_FILE_BYTES + 64 * 1024,
            )),
        )
        .route(
            "/admin/people/{code}/documents/{index}",
            post(admin::documents::edit).layer(axum::extract::DefaultBodyLimit::max(
                crate::web::uploads::MAX_FILE_BYTES + 64 * 1024,
            )),
        )
        .route(
            "/admin/people/{code}/documents/{index}/remove",
            post(admin::documents::remove),
        )
        .route("/admin/people/{code}/files/{id}", get(admin::files::download))
        .route("/admin/people/{code}/files/{id}/remove", post(admin::files::remove))
        .route(
            "/admin/establishments",
            get(establishments::list).post(establishments::create),
        )
        .route(
            "/admin/establishments/{id}",
            get(establishments::show).post(establishments::update),
        )
        .route(
            "/admin/establishments/{id}/installations",
            post(establishments::add_installation),
        )
        .route(
            "/admin/establishments/{id}/installations/{installation}",
            post(establishments::update_installation),
        )
        // {list}: cost-centres or billing-codes.
        .route("/admin/establishments/{id}/{list}", post(establishments::add_code))
        .route(
            "/admin/establishments/{id}/{list}/{code}",
            post(establishments::update_code),
        )
        .route(
            "/admin/establishments/{id}/{list}/{code}/retire",
            post(establishments::retire_code),
        )
        .route(
            "/admin/establishments/{id}/{list}/{code}/restore",
            post(establishments::restore_code),
        )
}

/// One input of a form.
#[derive(Debug, Clone, Default)]
pub struct Input {
    pub name: String,
    pub label: String,
    /// `text`, `date`, `email`, `tel`, `select`, `checks` (a group of checkboxes), `textarea`,
    /// `file` (one CSV file).
    pub kind: &'static str,
    pub value: String,
    /// `(value, label, chosen)` of a `select` or `checks`.
    pub options: Vec<(String, String, bool)>,
    pub hint: String,
    /// What is wrong with the value, shown beside the field.
    pub error: String,
}

impl Input {
    pub fn new(name: impl Into<String>, kind: &'static str, label: &str, value: impl Into<String>) -> Input {
        Input {
            name: name.into(),
            kind,
            label: label.to_string(),
            value: value.into(),
            ..Input::default()
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Input {
        self.hint = hint.into();
        self
    }

    /// A `select` of `(value, label)` with `self.value` chosen.
    pub fn choices(mut self, choices: Vec<(String, String)>) -> Input {
        let chosen = self.value.clone();
        self.options = choices.into_iter().map(|(v, l)| (v.clone(), l, v == chosen)).collect();
        self
    }
}

/// A form: `get` forms change nothing and carry no CSRF value; `post` forms carry the
/// session's.
#[derive(Debug, Clone, Default)]
pub struct FormView {
    /// Makes the ids of its fields unique on the page.
    pub id: String,
    pub heading: String,
    pub method: &'static str,
    pub action: String,
    pub csrf: String,
    pub hidden: Vec<(String, String)>,
    pub inputs: Vec<Input>,
    /// `(label, formaction)`: an empty `formaction` posts to `action`.
    pub buttons: Vec<(String, String)>,
    pub secondary: bool,
    /// Sends files (`multipart/form-data`): a form with a `file` input.
    pub multipart: bool,
    /// Folded until opened (« Modifier »), so a long page shows what is, not forms; open
    /// when it came back with a problem.
    pub folded: bool,
}

impl FormView {
    /// Whether a field of the form says what is wrong with it.
    pub fn has_problems(&self) -> bool {
        self.inputs.iter().any(|i| !i.error.is_empty())
    }
}

/// One entry of a section with its own lines and buttons (a waiting request).
#[derive(Debug, Clone, Default)]
pub struct Item {
    pub headline: String,
    pub lines: Vec<String>,
    pub forms: Vec<FormView>,
}

#[derive(Debug, Clone, Default)]
pub struct Section {
    pub heading: String,
    /// What an empty section says.
    pub empty: String,
    pub lines: Vec<String>,
    pub items: Vec<Item>,
    /// A dense table of requests (the board's requests to assign), after the items.
    pub table: Option<Table>,
}

impl Section {
    /// Nothing to show but what it says when empty.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty() && self.items.is_empty() && self.table.as_ref().is_none_or(|t| t.rows.is_empty())
    }
}

/// The board's table of requests to assign: a row each, with its buttons in the row; on a
/// phone each row stacks into a card.
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// The column headings: number, when, length, languages, place, urgency, interpreters.
    pub columns: [String; 7],
    pub rows: Vec<Row>,
    /// The session's form value, for every form of the table.
    pub csrf: String,
    /// « Offrir à… », the label of each row's field.
    pub offer_to: String,
    /// « Offrir », the button beside it.
    pub offer: String,
    /// The names the field suggests (a `datalist`).
    pub names: Vec<String>,
    /// « Pourquoi ces interprètes », folded over what ranks each candidate.
    pub reasons: String,
}

/// One request of the [`Table`].
#[derive(Debug, Clone, Default)]
pub struct Row {
    /// The request's id, for the forms.
    pub request: String,
    pub number: String,
    /// Its page.
    pub href: String,
    pub when: String,
    pub duration: String,
    pub languages: String,
    pub place: String,
    /// « aujourd'hui », « dans 2 h », « passée »…; empty when later.
    pub badge: String,
    pub badge_class: &'static str,
    /// Lines in the interpreters' cell: a withdrawal, nobody eligible.
    pub notes: Vec<String>,
    pub buttons: Vec<OfferButton>,
    /// What ranks each candidate: « Lucía Ramírez — même secteur ».
    pub reasons: Vec<String>,
    /// « Non disponibles (3) », folded over who cannot take it and why.
    pub not_available_heading: String,
    pub not_available: Vec<String>,
}

/// A compact button offering a request to one candidate, or to all listed.
#[derive(Debug, Clone, Default)]
pub struct OfferButton {
    /// What it shows: the candidate's name.
    pub label: String,
    /// What it does, for screen readers: « Offrir à Lucía Ramírez ».
    pub title: String,
    /// What ranks the candidate, in the button's title after what it does.
    pub why: String,
    /// The person ids, comma-separated.
    pub interpreters: String,
    /// The button that offers to all listed.
    pub all: bool,
}

/// What a signed-in page shows.
#[derive(Debug, Clone)]
pub struct SignedPage {
    pub locale: Locale,
    pub title: String,
    pub notice: String,
    pub tone: Tone,
    pub facts: Vec<(String, String)>,
    pub sections: Vec<Section>,
    pub forms: Vec<FormView>,
    /// A table with its search form and pages, after the sections and forms.
    pub listing: Option<Listing>,
    /// Links of this page (back to a list, a related page), under it.
    pub links: Vec<(String, String)>,
    /// The header: the person's pages, and signing out.
    pub menu: crate::web::menu::Menu,
    /// Forms that answer the notice, shown right under it (« Offrir quand même »).
    pub notice_forms: Vec<FormView>,
    /// A working surface as wide as the screen (the board), not a column of text.
    pub wide: bool,
}

impl SignedPage {
    /// A page for the signed-in person, with the links their roles open.
    pub fn new(signed_in: &SignedIn, title: (&str, &str)) -> SignedPage {
        let locale = signed_in.person().locale;
        SignedPage {
            locale,
            title: locale.pick(title.0, title.1).to_string(),
            notice: String::new(),
            tone: Tone::Neutral,
            facts: Vec::new(),
            sections: Vec::new(),
            forms: Vec::new(),
            listing: None,
            links: Vec::new(),
            menu: signed_in.session().menu(),
            notice_forms: Vec::new(),
            wide: false,
        }
    }

    pub fn notice(mut self, tone: Tone, text: impl Into<String>) -> SignedPage {
        self.tone = tone;
        self.notice = text.into();
        self
    }
}

#[derive(Template)]
#[template(path = "web/board.html")]
struct SignedHtml<'a> {
    lang: &'a str,
    en: bool,
    bank: &'a str,
    tone: &'a str,
    p: &'a SignedPage,
    menu: &'a crate::web::menu::Menu,
}

/// Renders `page` with the security headers every page gets.
pub fn render(status: StatusCode, bank: &str, page: &SignedPage) -> Response {
    let html = SignedHtml {
        lang: page.locale.as_str(),
        en: page.locale == Locale::En,
        bank,
        tone: match page.tone {
            Tone::Neutral => "",
            Tone::Good => "good",
            Tone::Bad => "bad",
        },
        p: page,
        menu: &page.menu,
    }
    .render();
    match html {
        Ok(html) => secure_html(status, html),
        Err(e) => super::WebError::Internal(e.into()).into_response(),
    }
}

/// What these pages need of the settings: the bank's name, time zone, money rules, links.
pub fn settings(state: &AppState) -> Arc<Settings> {
    state.settings.clone()
}

/// Shows the form `form` of `page` again after it came back wrong: what was typed
/// (`typed(name)`: the values posted under a field's name) and each problem beside its field
/// (`problems`: a field's name and the message), under a notice that nothing was saved.
fn show_again(page: &mut SignedPage, form: &str, typed: &dyn Fn(&str) -> Vec<String>, problems: &[(&str, String)]) {
    let locale = page.locale;
    let forms = page.forms.iter_mut().chain(
        page.sections
            .iter_mut()
            .flat_map(|s| s.items.iter_mut())
            .flat_map(|i| i.forms.iter_mut()),
    );
    for form in forms.filter(|f| f.id == form) {
        for input in &mut form.inputs {
            let chosen = typed(&input.name);
            input.value = chosen.first().cloned().unwrap_or_default();
            for (value, _, on) in &mut input.options {
                *on = chosen.contains(value);
            }
            input.error = problems
                .iter()
                .filter(|(field, _)| *field == input.name)
                .map(|(_, message)| message.as_str())
                .collect::<Vec<_>>()
                .join(" ");
        }
    }
    page.tone = Tone::Bad;
    page.notice = locale.text("coord-nothing-was-saved-correct-the-fields");
}

/// The CSRF guard of the signed-in forms: the posted form if it carries the session's value
/// (`csrf_of` reads it), otherwise [`WebError::Csrf`], nothing done (`again`: the page to
/// open again).
fn checked_form<T>(
    signed_in: &SignedIn,
    form: Result<axum::Form<T>, axum::extract::rejection::FormRejection>,
    csrf_of: fn(&T) -> &str,
    again: &str,
) -> Result<T, WebError> {
    form.ok()
        .map(|axum::Form(f)| f)
        .filter(|f| signed_in.session().csrf_ok(csrf_of(f)))
        .ok_or_else(|| WebError::Csrf {
            locale: signed_in.person().locale,
            again: again.to_string(),
        })
}

/// Today in the bank's time zone.
pub fn today(state: &AppState, settings: &Settings) -> chrono::NaiveDate {
    state
        .workflow
        .clock()
        .now()
        .with_timezone(&settings.general.time_zone)
        .date_naive()
}

/// The signed-in coordinator as the actor of an administration command.
fn coordinator_actor(signed_in: &SignedIn) -> crate::workflow::Actor {
    crate::workflow::Actor {
        person: Some(signed_in.person().id),
        kind: crate::domain::role::ActorKind::Coordinator,
        channel: crate::domain::role::Channel::Web,
    }
}
