//! The extractors later pages use. [`SignedIn`] admits a person past their password and,
//! where due, their second factor; anyone else is sent where they must go first (the
//! sign-in page, the code page, or, for a coordinator without a second factor, the
//! enrolment page). [`AnySession`] admits any live session, for those in-between pages;
//! [`Coordinator`], a coordinator past their second factor. Each rejects with a `WebError`.

use super::{AccountPages, session_cookie_value};
use crate::domain::access::Visibility;
use crate::domain::person::Person;
use crate::domain::role::Role;
use crate::web::{AppState, WebError};
use crate::workflow::accounts::{SessionView, Stage};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;

/// A live session at any stage.
pub struct AnySession {
    pub view: SessionView,
    /// The cookie's value, which the session's forms are bound to.
    pub(super) cookie: String,
    pub(super) pages: AccountPages,
    /// The path of the page asked for: its entry in the header is marked.
    pub(super) path: String,
}

/// A signed-in person. Take it as a handler argument: the handler runs only for them.
pub struct SignedIn {
    session: AnySession,
}

impl AnySession {
    pub fn person(&self) -> &Person {
        &self.view.person
    }

    /// The value the session's forms carry.
    pub fn csrf(&self) -> String {
        self.pages.session_csrf(&self.cookie)
    }

    /// The header of the page this session asked for.
    pub fn menu(&self) -> crate::web::menu::Menu {
        crate::web::menu::Menu::of(self.person(), &self.path, self.csrf())
    }

    pub fn csrf_ok(&self, value: &str) -> bool {
        self.pages.session_csrf_ok(&self.cookie, value)
    }
}

impl SignedIn {
    pub fn person(&self) -> &Person {
        &self.session.view.person
    }

    pub fn roles(&self) -> &[Role] {
        &self.session.view.person.roles
    }

    pub fn is(&self, role: Role) -> bool {
        self.person().has_role(role)
    }

    /// Whether this session passed a second factor.
    pub fn mfa_passed(&self) -> bool {
        self.session.view.stage == Stage::SignedIn { mfa: true }
    }

    pub fn session(&self) -> &AnySession {
        &self.session
    }

    /// `Ok` for a person holding `role`; otherwise the 403 page:
    /// `signed_in.require(Role::Requester)?` in a handler.
    pub fn require(&self, role: Role) -> Result<(), WebError> {
        if self.is(role) {
            return Ok(());
        }
        Err(WebError::Forbidden(self.person().locale))
    }

    /// Which requests this person may see (`domain::access`): their installations as a
    /// requester, their offers and assignments as an interpreter, all as a coordinator.
    pub async fn visibility(&self) -> Result<Visibility, crate::store::StoreError> {
        let person = self.person();
        let installations = if person.has_role(Role::Requester) {
            let mut tx = self.session.pages.accounts.workflow().store().begin_read().await?;
            let profile = tx.requester_profile(person.id).await?;
            tx.commit().await?;
            profile.map(|p| p.installations).unwrap_or_default()
        } else {
            Vec::new()
        };
        Ok(Visibility::of(person, &installations))
    }
}

/// Where someone without a usable session goes: the sign-in page, with a fresh cookie slate.
fn to_login(pages: &AccountPages) -> WebError {
    WebError::Redirect {
        to: "/login".into(),
        cookie: pages.clear_session_cookie(),
    }
}

async fn load(parts: &Parts, state: &AppState) -> Result<AnySession, WebError> {
    let pages = state.account_pages.clone();
    let Some(cookie) = session_cookie_value(&parts.headers) else {
        return Err(WebError::redirect("/login"));
    };
    match pages.accounts.session(&cookie).await? {
        Some(view) => Ok(AnySession {
            view,
            cookie,
            pages,
            path: parts.uri.path().to_string(),
        }),
        None => Err(to_login(&pages)),
    }
}

impl FromRequestParts<AppState> for AnySession {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        load(parts, state).await
    }
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let session = load(parts, state).await?;
        match session.view.stage {
            Stage::SignedIn { .. } => Ok(SignedIn { session }),
            Stage::SecondFactorDue(_) => Err(WebError::redirect("/login/code")),
            Stage::EnrolmentDue => Err(WebError::redirect("/account/mfa")),
        }
    }
}

/// A signed-in coordinator past their second factor. Anyone else is answered as if the page
/// did not exist (404: requesters and interpreters do not learn it does); a coordinator
/// without a second factor goes to the enrolment page.
pub struct Coordinator(pub SignedIn);

impl std::ops::Deref for Coordinator {
    type Target = SignedIn;

    fn deref(&self) -> &SignedIn {
        &self.0
    }
}

impl FromRequestParts<AppState> for Coordinator {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let signed_in = SignedIn::from_request_parts(parts, state).await?;
        if !signed_in.is(Role::Coordinator) {
            return Err(WebError::NotFound);
        }
        if !signed_in.mfa_passed() {
            return Err(WebError::redirect("/account/mfa"));
        }
        Ok(Coordinator(signed_in))
    }
}
