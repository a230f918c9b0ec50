//! A coordinator changes a person's roles and their default role (« rôle par défaut »,
//! where signing in lands them), from the person's page. A role that needs a profile gets
//! one: an interpreter starts taking every request type, with no language yet; a requester
//! is placed in the installation chosen. A role taken away keeps its profile (their
//! history and requests stay readable) but no longer acts: matching stops proposing an
//! interpreter, a requester no longer asks. A coordinator does not take their own
//! coordinator role away: the bank would risk having nobody left to give it back.

use super::roster::RosterError;
use super::{Actor, Workflow, WorkflowError};
use crate::domain::history::{Change, Entity, NewHistoryEntry};
use crate::domain::ids::{InstallationId, PersonId};
use crate::domain::interpreter::InterpreterProfile;
use crate::domain::person::RequesterProfile;
use crate::domain::person_form::{PersonField, PersonFieldError, PersonProblem};
use crate::domain::role::{ActorKind, Role};
use crate::store::{StoreError, Tx};

/// The roles asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RolesChange {
    pub roles: Vec<Role>,
    /// Where signing in lands them; one of `roles`, or `None` for the usual order.
    pub default_role: Option<Role>,
    /// For a person becoming a requester: the installation they join.
    pub installation: Option<InstallationId>,
}

fn invalid(field: PersonField, problem: PersonProblem) -> RosterError {
    RosterError::Invalid(vec![PersonFieldError { field, problem }])
}

impl Workflow {
    /// Sets `person`'s roles and default role, creating the profiles new roles need; one
    /// history entry names what changed.
    pub async fn set_roles(&self, actor: Actor, person: PersonId, change: RolesChange) -> Result<(), RosterError> {
        let RolesChange {
            mut roles,
            default_role,
            installation,
        } = change;
        roles.sort();
        roles.dedup();
        if roles.is_empty() || default_role.is_some_and(|d| !roles.contains(&d)) {
            return Err(invalid(PersonField::Roles, PersonProblem::NoRole));
        }
        if actor.kind != ActorKind::Coordinator {
            return Err(WorkflowError::Forbidden("only coordinators keep the roster").into());
        }
        if actor.person == Some(person) && !roles.contains(&Role::Coordinator) {
            return Err(WorkflowError::Forbidden("a coordinator keeps their own coordinator role").into());
        }
        let mut tx = self.store.begin().await?;
        self.check_actor(&mut tx, actor).await?;
        let before = tx.person(person).await?;
        let held_default = tx.default_role(person).await?;
        if roles.contains(&Role::Interpreter) && tx.interpreter_profile(person).await?.is_none() {
            tx.set_interpreter_profile(person, &InterpreterProfile::default())
                .await?;
        }
        if roles.contains(&Role::Requester) && tx.requester_profile(person).await?.is_none() {
            place_requester(&mut tx, person, installation).await?;
        }
        let mut changes = Vec::new();
        if before.roles != roles {
            changes.push(Change::new("roles", &before.roles, &roles));
            tx.set_roles(person, &roles).await?;
        }
        if held_default != default_role {
            changes.push(Change::new("default_role", held_default, default_role));
            tx.set_default_role(person, default_role).await?;
        }
        if changes.is_empty() {
            return Ok(());
        }
        tx.record_history(&NewHistoryEntry {
            entity: Entity::Person,
            entity_id: person.0,
            at: self.clock.now(),
            actor_id: actor.person,
            actor_kind: actor.kind,
            channel: actor.channel,
            action: "update_roles".into(),
            changes,
        })
        .await?;
        tx.commit().await?;
        tracing::info!(person = %before.user_code, "roles changed");
        Ok(())
    }
}

/// A new requester's profile, in the installation chosen.
async fn place_requester(
    tx: &mut Tx,
    person: PersonId,
    installation: Option<InstallationId>,
) -> Result<(), RosterError> {
    let Some(id) = installation else {
        return Err(invalid(PersonField::Installation, PersonProblem::NoInstallation));
    };
    let installation = match tx.installation(id).await {
        Ok(i) => i,
        Err(StoreError::NotFound) => return Err(invalid(PersonField::Installation, PersonProblem::Choice)),
        Err(e) => return Err(e.into()),
    };
    let profile = RequesterProfile {
        establishment_id: installation.establishment_id,
        installations: vec![installation.id],
        cost_centre_id: None,
        notify_when_offered: false,
    };
    tx.set_requester_profile(person, &profile).await?;
    Ok(())
}
