//! People commands: accounts created by coordinators (or the demo), profiles changed by
//! their owners. Every change is in the history.

use super::{Actor, Workflow, WorkflowError};
use crate::domain::history::{Change, Entity, NewHistoryEntry};
use crate::domain::ids::PersonId;
use crate::domain::interpreter::InterpreterProfile;
use crate::domain::person::{NewPerson, Person, ProfileChange, RequesterProfile};
use crate::domain::role::{ActorKind, Role};

/// A person to create, with the profiles their roles need.
#[derive(Debug, Clone)]
pub struct NewPersonCommand {
    pub person: NewPerson,
    pub requester: Option<RequesterProfile>,
    pub interpreter: Option<InterpreterProfile>,
}

/// The created person.
#[derive(Debug, Clone)]
pub struct PersonCreated {
    pub person: Person,
}

impl Workflow {
    /// Creates an account. Only coordinators (and the system, for imports and the demo) may.
    pub async fn create_person(&self, actor: Actor, command: NewPersonCommand) -> Result<PersonCreated, WorkflowError> {
        if !matches!(actor.kind, ActorKind::Coordinator | ActorKind::System) {
            return Err(WorkflowError::Forbidden("only coordinators create accounts"));
        }
        let NewPersonCommand {
            person,
            requester,
            interpreter,
        } = command;
        if person.roles.contains(&Role::Requester) != requester.is_some() {
            return Err(WorkflowError::BadCommand(
                "a requester needs a requester profile, and only a requester",
            ));
        }
        if person.roles.contains(&Role::Interpreter) != interpreter.is_some() {
            return Err(WorkflowError::BadCommand(
                "an interpreter needs an interpreter profile, and only an interpreter",
            ));
        }
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        self.check_actor(&mut tx, actor).await?;
        let created = tx.insert_person(&person, &self.config.user_code_prefix, now).await?;
        if let Some(profile) = &requester {
            tx.set_requester_profile(created.id, profile).await?;
        }
        if let Some(profile) = &interpreter {
            tx.set_interpreter_profile(created.id, profile).await?;
        }
        let roles: Vec<&str> = created.roles.iter().map(|r| r.as_str()).collect();
        tx.record_history(&NewHistoryEntry {
            entity: Entity::Person,
            entity_id: created.id.0,
            at: now,
            actor_id: actor.person,
            actor_kind: actor.kind,
            channel: actor.channel,
            action: "create".into(),
            changes: vec![
                Change::new("user_code", None::<&str>, created.user_code.as_str()),
                Change::new("roles", None::<&str>, roles),
            ],
        })
        .await?;
        tx.commit().await?;
        tracing::info!(person = %created.user_code, "person created");
        Ok(PersonCreated { person: created })
    }

    /// Changes the editable parts of a profile: by its owner, or a coordinator.
    pub async fn update_profile(
        &self,
        actor: Actor,
        person: PersonId,
        change: ProfileChange,
    ) -> Result<Person, WorkflowError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        self.check_actor(&mut tx, actor).await?;
        if actor.kind != ActorKind::Coordinator && actor.person != Some(person) {
            return Err(WorkflowError::Forbidden(
                "a profile is changed by its owner or a coordinator",
            ));
        }
        let before = tx.person(person).await?;
        let mut after = before.clone();
        let mut changes = Vec::new();
        macro_rules! apply {
            ($($field:ident),*) => {$(
                if let Some(value) = change.$field.clone() && value != after.$field {
                    changes.push(Change::new(stringify!($field), &after.$field, &value));
                    after.$field = value;
                }
            )*};
        }
        apply!(
            first_name,
            last_name,
            email,
            mobile,
            phone,
            locale,
            notify_email,
            notify_sms
        );
        if changes.is_empty() {
            return Ok(before);
        }
        tx.update_person(&after, now).await?;
        tx.record_history(&NewHistoryEntry {
            entity: Entity::Person,
            entity_id: person.0,
            at: now,
            actor_id: actor.person,
            actor_kind: actor.kind,
            channel: actor.channel,
            action: "update".into(),
            changes,
        })
        .await?;
        tx.commit().await?;
        Ok(after)
    }
}
