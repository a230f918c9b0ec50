//! A listing on a signed page (`templates/web/signed_listing.html`): a table: a GET form that narrows
//! it, how many rows match, one row a thing with a header a column (each cell labelled on
//! phones, where rows stack), what an empty result says with the way back to everything,
//! and the links to its other pages. A page without one leaves [`super::SignedPage::listing`]
//! empty.

use super::FormView;

#[derive(Debug, Clone, Default)]
pub struct Listing {
    pub heading: String,
    /// The search form (`method: "get"`), above the table.
    pub filter: Option<FormView>,
    /// How many rows match in all: « 123 personnes ».
    pub count: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    /// What the table says when no row matches.
    pub empty: String,
    /// `(href, label)` shown with `empty`: « Effacer les filtres ».
    pub clear: Option<(String, String)>,
    /// « Page 2 sur 4 », when there is more than one.
    pub page_of: String,
    /// `(href, label, current)`: the links to the pages.
    pub pages: Vec<(String, String, bool)>,
}

/// One cell: a text, a link when `href` is set, a quieter second line, buttons.
#[derive(Debug, Clone, Default)]
pub struct Cell {
    pub text: String,
    pub href: String,
    pub note: String,
    pub forms: Vec<FormView>,
}

impl Cell {
    pub fn text(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            ..Cell::default()
        }
    }
}
