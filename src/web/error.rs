//! The one place errors become HTTP responses. Handlers return `Result<_, WebError>`; the
//! extractors that guard them (`SignedIn`, `AnySession`, `Coordinator`) reject with one too.
//!
//! Each kind answers with its status and a plain bilingual line (what machines get), and
//! leaves its [`ErrorPage`] in the response's extensions: [`super::page::errors_as_pages`],
//! which knows the bank, turns it into the bank's page for people. 5xx are logged with
//! their cause; the cause never reaches the person.

use crate::domain::locale::Locale;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// Nothing here, or nothing open to this person (pages their roles do not open answer
    /// the same, so they do not learn the page exists): 404.
    #[error("not found")]
    NotFound,
    /// A signed link whose signature does not hold (forged, or cut short when copied):
    /// 404, the page that says to copy it whole.
    #[error("invalid link")]
    InvalidLink,
    /// A request that does not exist, or that this person may not see: one answer for both,
    /// so ids cannot be probed (404, in their language).
    #[error("no such request")]
    NoSuchRequest(Locale),
    /// The person's account does not give access to this page (403, in their language).
    #[error("forbidden")]
    Forbidden(Locale),
    /// A form that did not come from our page in this browser: nothing was done (403);
    /// `again` is the page to open again.
    #[error("form refused (CSRF)")]
    Csrf { locale: Locale, again: String },
    /// Somewhere the person must go first (303): the sign-in page, the code page, the
    /// enrolment page; `cookie` (a `Set-Cookie` value) ends a dead session.
    #[error("redirect to {to}")]
    Redirect { to: String, cookie: Option<HeaderValue> },
    /// A value no form of ours sends (a button's channel or action that does not exist):
    /// 422, a plain answer. A form a person filled in wrongly is not this: it is shown
    /// again with its errors, as the page it is.
    #[error("invalid form")]
    Invalid,
    /// A body larger than any of our forms (413).
    #[error("body too large")]
    TooLarge,
    #[error("service unavailable: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl WebError {
    /// A 303 to `to`.
    pub fn redirect(to: impl Into<String>) -> WebError {
        WebError::Redirect {
            to: to.into(),
            cookie: None,
        }
    }

    /// A 500 for any cause.
    pub fn internal(e: impl Into<anyhow::Error>) -> WebError {
        WebError::Internal(e.into())
    }
}

impl From<crate::store::StoreError> for WebError {
    fn from(e: crate::store::StoreError) -> Self {
        WebError::Internal(e.into())
    }
}

impl From<crate::workflow::WorkflowError> for WebError {
    fn from(e: crate::workflow::WorkflowError) -> Self {
        WebError::Internal(e.into())
    }
}

impl From<crate::workflow::accounts::AccountError> for WebError {
    fn from(e: crate::workflow::accounts::AccountError) -> Self {
        WebError::Internal(e.into())
    }
}

impl From<askama::Error> for WebError {
    fn from(e: askama::Error) -> Self {
        WebError::Internal(e.into())
    }
}

/// Which of the bank's pages an error answer becomes, left in the answer's extensions for
/// [`super::page::errors_as_pages`].
#[derive(Debug, Clone)]
pub enum ErrorPage {
    NotFound,
    InvalidLink,
    NoSuchRequest(Locale),
    Forbidden(Locale),
    Csrf { locale: Locale, again: String },
    Failed,
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let (status, kind, body) = match self {
            WebError::Redirect { to, cookie } => {
                let mut response = (StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response();
                if let Some(cookie) = cookie {
                    response.headers_mut().append(header::SET_COOKIE, cookie);
                }
                return response;
            }
            WebError::NotFound => (StatusCode::NOT_FOUND, ErrorPage::NotFound, "not found\n"),
            WebError::InvalidLink => (StatusCode::NOT_FOUND, ErrorPage::InvalidLink, "not found\n"),
            WebError::NoSuchRequest(locale) => (StatusCode::NOT_FOUND, ErrorPage::NoSuchRequest(locale), "not found\n"),
            WebError::Forbidden(locale) => (
                StatusCode::FORBIDDEN,
                ErrorPage::Forbidden(locale),
                "Accès refusé.\nAccess denied.\n",
            ),
            WebError::Csrf { locale, again } => (
                StatusCode::FORBIDDEN,
                ErrorPage::Csrf { locale, again },
                "Rien n'a été fait : ce formulaire a expiré.\nNothing was done: this form expired.\n",
            ),
            WebError::Invalid => return StatusCode::UNPROCESSABLE_ENTITY.into_response(),
            WebError::TooLarge => return StatusCode::PAYLOAD_TOO_LARGE.into_response(),
            failure @ (WebError::Unavailable(_) | WebError::Internal(_)) => {
                let status = match failure {
                    WebError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
                    _ => StatusCode::INTERNAL_SERVER_ERROR,
                };
                tracing::error!(error = ?failure, status = status.as_u16(), "request failed");
                (
                    status,
                    ErrorPage::Failed,
                    "Une erreur est survenue; veuillez réessayer plus tard.\nSomething went wrong; please try again later.\n",
                )
            }
        };
        let mut response = (status, body).into_response();
        response.extensions_mut().insert(kind);
        response
    }
}
