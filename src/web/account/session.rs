//! The extractors later pages use. [`SignedIn`] admits a person past their password and,
//! where due, their second factor; anyone else is sent where they must go first (the
//! sign-in page, the code page, or, for a coordinator without a second factor, the
//! enrolment page). [`AnySession`] admits any live session, for those in-between pages.

use super::{AccountPages, see_other, session_cookie_value};
use crate::domain::access::Visibility;
use crate::domain::person::Person;
use crate::domain::role::Role;
use crate::web::AppState;
use crate::web::page::Tone;
use crate::workflow::accounts::{SessionView, Stage};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The page refusing someone whose roles do not give access.
pub struct Forbidden(Box<Response>);

impl IntoResponse for Forbidden {
    fn into_response(self) -> Response {
        *self.0
    }
}

/// A live session at any stage.
pub struct AnySession {
    pub view: SessionView,
    /// The cookie's value, which the session's forms are bound to.
    pub(super) cookie: String,
    pub(super) pages: AccountPages,
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

    /// `Ok` for a person holding `role`; otherwise the 403 page to answer with:
    /// `signed_in.require(Role::Coordinator)?` in a handler returning `Result<Response, Forbidden>`.
    pub fn require(&self, role: Role) -> Result<(), Forbidden> {
        if self.is(role) {
            return Ok(());
        }
        let locale = self.person().locale;
        let page = super::AccountPage::new(locale, locale.pick("Accès refusé", "Access denied"))
            .notice(
                Tone::Bad,
                locale.pick(
                    "Votre compte ne donne pas accès à cette page.",
                    "Your account does not give access to this page.",
                ),
            )
            .link("/account", locale.pick("Mon compte", "My account"));
        Err(Forbidden(Box::new(
            self.session.pages.page(StatusCode::FORBIDDEN, &page),
        )))
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
fn to_login(pages: &AccountPages) -> Response {
    let mut response = see_other("/login");
    if let Some(clear) = pages.clear_session_cookie() {
        response.headers_mut().append(header::SET_COOKIE, clear);
    }
    response
}

async fn load(parts: &Parts, state: &AppState) -> Result<AnySession, Response> {
    let pages = state.account_pages.clone();
    let Some(cookie) = session_cookie_value(&parts.headers) else {
        return Err(see_other("/login"));
    };
    match pages.accounts.session(&cookie).await {
        Ok(Some(view)) => Ok(AnySession { view, cookie, pages }),
        Ok(None) => Err(to_login(&pages)),
        Err(e) => Err(super::internal(e)),
    }
}

impl FromRequestParts<AppState> for AnySession {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        load(parts, state).await
    }
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let session = load(parts, state).await?;
        match session.view.stage {
            Stage::SignedIn { .. } => Ok(SignedIn { session }),
            Stage::SecondFactorDue(_) => Err(see_other("/login/code")),
            Stage::EnrolmentDue => Err(see_other("/account/mfa")),
        }
    }
}
