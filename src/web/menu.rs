//! The header every signed-in page opens with (`templates/web/header.html`): the bank's
//! name, the pages the person's roles open, the current one marked (`aria-current`), and
//! the sign-out button. One list for every page, so a requester, an interpreter and a
//! coordinator each find the same header wherever they are.

use crate::domain::locale::Locale;
use crate::domain::person::Person;
use crate::domain::role::Role;

/// One entry of the header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuItem {
    pub href: &'static str,
    pub text: String,
    /// The page shown now is this entry's, or one under it.
    pub current: bool,
}

/// The header of a signed-in page.
#[derive(Debug, Clone, Default)]
pub struct Menu {
    pub items: Vec<MenuItem>,
    /// The session's form value, which the sign-out button posts.
    pub csrf: String,
}

impl Menu {
    /// The header of `person` on the page at `path`, signing out with `csrf`.
    pub fn of(person: &Person, path: &str, csrf: String) -> Menu {
        let entries = entries(person);
        // The current entry is the longest one the path starts with: /requests/42 is under
        // « Mes demandes », /requests/new is « Nouvelle demande » itself.
        let current = entries
            .iter()
            .filter(|(href, _)| under(path, href))
            .map(|(href, _)| href.len())
            .max();
        Menu {
            items: entries
                .into_iter()
                .map(|(href, text)| MenuItem {
                    href,
                    text,
                    current: Some(href.len()) == current && under(path, href),
                })
                .collect(),
            csrf,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.csrf.is_empty()
    }
}

/// Whether `path` is `href`'s page or one under it.
fn under(path: &str, href: &str) -> bool {
    path == href || path.strip_prefix(href).is_some_and(|rest| rest.starts_with('/'))
}

/// The pages `person`'s roles open, in the order the header shows them: the work first
/// (the board, the requests), then the person's own pages.
fn entries(person: &Person) -> Vec<(&'static str, String)> {
    let locale: Locale = person.locale;
    let (requester, interpreter, coordinator) = (
        person.has_role(Role::Requester),
        person.has_role(Role::Interpreter),
        person.has_role(Role::Coordinator),
    );
    let mut entries = Vec::new();
    if coordinator {
        entries.push(("/board", locale.text("coord-board")));
    }
    let requests = if requester {
        locale.text("request-my-requests")
    } else {
        locale.text("request-current-requests")
    };
    entries.push(("/requests", requests));
    if requester || coordinator {
        entries.push(("/requests/new", locale.text("request-new-request")));
    }
    if coordinator {
        entries.push(("/admin/people", locale.text("coord-people")));
        entries.push(("/admin/establishments", locale.text("coord-establishments")));
    }
    if requester {
        entries.push(("/organisations", locale.text("org-my-organisations")));
    }
    if coordinator || interpreter {
        entries.push(("/downloads", locale.text("coord-downloads")));
    }
    if requester || interpreter {
        entries.push(("/profile", locale.text("coord-my-profile")));
    }
    entries.push(("/account", locale.text("request-my-account")));
    entries
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::contact::EmailAddress;
    use crate::domain::ids::PersonId;
    use crate::domain::person::UserCode;

    fn person(roles: &[Role]) -> Person {
        Person {
            id: PersonId(1),
            user_code: UserCode::parse("UBIMT0001").unwrap(),
            first_name: "Marie".into(),
            last_name: "Tremblay".into(),
            email: EmailAddress::parse("marie@example.org").unwrap(),
            mobile: None,
            phone: None,
            locale: Locale::Fr,
            notify_email: true,
            notify_sms: false,
            roles: roles.to_vec(),
            active: true,
        }
    }

    fn shown(menu: &Menu) -> Vec<(&str, bool)> {
        menu.items.iter().map(|i| (i.href, i.current)).collect()
    }

    #[test]
    fn each_role_has_its_pages_and_the_current_one_is_marked() {
        let requester = Menu::of(&person(&[Role::Requester]), "/requests/42", "c".into());
        assert_eq!(
            shown(&requester),
            [
                ("/requests", true),
                ("/requests/new", false),
                ("/organisations", false),
                ("/profile", false),
                ("/account", false),
            ]
        );
        assert_eq!(requester.items[0].text, "Mes demandes");
        let new = Menu::of(&person(&[Role::Requester]), "/requests/new", "c".into());
        assert_eq!(shown(&new)[..2], [("/requests", false), ("/requests/new", true)]);

        let interpreter = Menu::of(&person(&[Role::Interpreter]), "/profile", "c".into());
        assert_eq!(
            shown(&interpreter),
            [
                ("/requests", false),
                ("/downloads", false),
                ("/profile", true),
                ("/account", false),
            ]
        );
        assert_eq!(interpreter.items[0].text, "Demandes en cours");

        let coordinator = Menu::of(&person(&[Role::Coordinator]), "/admin/people/UBIMT0001", "c".into());
        let hrefs: Vec<_> = shown(&coordinator);
        assert_eq!(hrefs[0], ("/board", false));
        assert!(hrefs.contains(&("/admin/people", true)), "{hrefs:?}");
        assert_eq!(hrefs.iter().filter(|(_, current)| *current).count(), 1);
        assert!(!hrefs.iter().any(|(href, _)| *href == "/profile"));

        // A page of no entry marks none; a look-alike path is not under an entry.
        let none = Menu::of(&person(&[Role::Coordinator]), "/account/mfa", "c".into());
        assert!(shown(&none).contains(&("/account", true)));
        let alike = Menu::of(&person(&[Role::Coordinator]), "/boardroom", "c".into());
        assert!(shown(&alike).iter().all(|(_, current)| !current));
    }
}
