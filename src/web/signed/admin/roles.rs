//! A person's roles and default role on their page (`/admin/people/{code}`), which only
//! coordinators change: `POST /admin/people/{code}/roles`.

use super::super::{FormView, Input, Item, Section};
use super::form::{Posted, all, first};
use crate::domain::ids::{InstallationId, PersonId};
use crate::domain::locale::Locale;
use crate::domain::person::Person;
use crate::domain::person_form::{PersonField, PersonProblem, Problems};
use crate::domain::role::Role;
use crate::workflow::roles::RolesChange;
use crate::workflow::roster::RosterError;
use crate::workflow::{Actor, Workflow};

/// The section: each role, the default one, and the installation of someone becoming a
/// requester.
pub fn roles_section(
    p: &Person,
    default_role: Option<Role>,
    installations: Vec<(String, String)>,
    base: &str,
    csrf: &str,
    locale: Locale,
) -> Section {
    let mut defaults = vec![(String::new(), locale.text("coord-default-role-by-roles"))];
    defaults.extend(
        Role::ALL
            .into_iter()
            .map(|r| (r.as_str().to_string(), super::role_name(r, locale))),
    );
    let inputs = vec![
        Input {
            options: Role::ALL
                .into_iter()
                .map(|r| (r.as_str().to_string(), super::role_name(r, locale), p.has_role(r)))
                .collect(),
            ..Input::new("roles", "checks", &locale.text("coord-roles"), "")
        },
        Input::new(
            "default_role",
            "select",
            &locale.text("coord-default-role"),
            default_role.map(|r| r.as_str()).unwrap_or(""),
        )
        .choices(defaults)
        .hint(locale.text("coord-default-role-hint")),
        Input::new("installation", "select", &locale.text("coord-installation"), "")
            .choices(installations)
            .hint(locale.text("coord-installation-of-a-new-requester")),
    ];
    Section {
        heading: locale.text("coord-roles"),
        items: vec![Item {
            headline: String::new(),
            lines: vec![locale.text("coord-roles-intro")],
            forms: vec![FormView {
                id: "roles".into(),
                method: "post",
                action: format!("{base}/roles"),
                csrf: csrf.into(),
                inputs,
                buttons: vec![(locale.text("coord-save"), String::new())],
                ..FormView::default()
            }],
        }],
        ..Section::default()
    }
}

/// The roles part, read and saved.
pub async fn change_roles(
    workflow: &Workflow,
    actor: Actor,
    id: PersonId,
    posted: &Posted,
) -> Result<&'static str, RosterError> {
    let mut problems = Problems::default();
    let mut roles = Vec::new();
    for typed in all(posted, "roles") {
        match typed.parse::<Role>() {
            Ok(r) => roles.push(r),
            Err(_) => problems.push(PersonField::Roles, PersonProblem::Choice),
        }
    }
    let default_role = match first(posted, "default_role") {
        "" => None,
        typed => typed.parse::<Role>().ok().or_else(|| {
            problems.push(PersonField::Roles, PersonProblem::Choice);
            None
        }),
    };
    let installation = first(posted, "installation").parse().ok().map(InstallationId);
    if let Err(errors) = problems.or(()) {
        return Err(RosterError::Invalid(errors));
    }
    let change = RolesChange {
        roles,
        default_role,
        installation,
    };
    workflow.set_roles(actor, id, change).await.map(|()| "saved")
}
