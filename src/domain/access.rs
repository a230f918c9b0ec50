//! Who may see which request, the one rule every signed-in page applies:
//!
//! - a **coordinator** sees every request;
//! - a **requester** sees the requests of their own installations (colleagues' too: the
//!   seeds' "voir toutes les demandes par installation"), never another installation's;
//! - an **interpreter** sees only the requests offered or assigned to them.
//!
//! A person with several roles sees the union. Pages load the person's [`Visibility`]
//! once (`web::account::SignedIn::visibility`) and ask it about each request; list pages
//! filter with the same three facts in SQL.

use crate::domain::ids::{InstallationId, PersonId};
use crate::domain::person::Person;
use crate::domain::request::Request;
use crate::domain::role::Role;

/// What one person may see.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Visibility {
    /// A coordinator: everything.
    pub everything: bool,
    /// A requester's installations.
    pub installations: Vec<InstallationId>,
    /// An interpreter: what was offered or assigned to this person.
    pub interpreter: Option<PersonId>,
}

impl Visibility {
    /// The visibility of `person`, whose requester profile lists `installations` (empty
    /// for people who are not requesters).
    pub fn of(person: &Person, installations: &[InstallationId]) -> Visibility {
        Visibility {
            everything: person.has_role(Role::Coordinator),
            installations: if person.has_role(Role::Requester) {
                installations.to_vec()
            } else {
                Vec::new()
            },
            interpreter: person.has_role(Role::Interpreter).then_some(person.id),
        }
    }

    /// Whether the person may see `request`; `offered_to_them` says whether an offer of it
    /// was ever made to them (the caller looks it up only for interpreters).
    pub fn may_see(&self, request: &Request, offered_to_them: bool) -> bool {
        self.everything
            || self.installations.contains(&request.details.installation_id)
            || self
                .interpreter
                .is_some_and(|me| offered_to_them || request.assigned_interpreter == Some(me))
    }

    /// Whether an offer lookup could change the answer: only for interpreters.
    pub fn needs_offers(&self) -> bool {
        !self.everything && self.interpreter.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::contact::EmailAddress;
    use crate::domain::locale::Locale;
    use crate::domain::person::UserCode;

    fn person(id: i64, roles: Vec<Role>) -> Person {
        Person {
            id: PersonId(id),
            user_code: UserCode::new("UBIXX", id),
            first_name: "A".into(),
            last_name: "B".into(),
            email: EmailAddress::parse("a@b.example").unwrap(),
            mobile: None,
            phone: None,
            locale: Locale::Fr,
            notify_email: true,
            notify_sms: false,
            roles,
            active: true,
        }
    }

    #[test]
    fn each_role_sees_its_share() {
        let coordinator = Visibility::of(&person(1, vec![Role::Coordinator]), &[]);
        assert!(coordinator.everything && !coordinator.needs_offers());
        let requester = Visibility::of(&person(2, vec![Role::Requester]), &[InstallationId(7)]);
        assert_eq!(requester.installations, vec![InstallationId(7)]);
        assert_eq!(requester.interpreter, None);
        let interpreter = Visibility::of(&person(3, vec![Role::Interpreter]), &[InstallationId(7)]);
        assert!(
            interpreter.installations.is_empty(),
            "installations only count for requesters"
        );
        assert_eq!(interpreter.interpreter, Some(PersonId(3)));
        assert!(interpreter.needs_offers());
    }
}
