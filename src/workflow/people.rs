//! People commands: accounts created by coordinators (or the demo), profiles changed by
//! their owners. Every change is in the history.

use super::{Actor, Workflow, WorkflowError};
use crate::domain::history::{Change, Entity, NewHistoryEntry};
use crate::domain::ids::{CostCentreId, PersonId};
use crate::domain::interpreter::{Availability, EligibilityDocument, Inactivity, InterpreterProfile};
use crate::domain::person::{NewPerson, Person, ProfileChange, RequesterProfile};
use crate::domain::request::RequestType;
use crate::domain::role::{ActorKind, Role};
use crate::store::Tx;

/// A person to create, with the profiles their roles need.
#[derive(Debug, Clone)]
pub struct NewPersonCommand {
    pub person: NewPerson,
    pub requester: Option<RequesterProfile>,
    pub interpreter: Option<InterpreterProfile>,
}

/// What an interpreter changes of their own profile. Languages and the financial file are
/// not here: the seeds leave them to the coordinators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterpreterSelfChange {
    pub request_types: Vec<RequestType>,
    pub availability: Availability,
    pub inactivity: Vec<Inactivity>,
    pub documents: Vec<EligibilityDocument>,
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
        let mut tx = self.store.begin().await?;
        let after = self.update_profile_in(&mut tx, actor, person, change).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// [`Workflow::update_profile`] inside the caller's transaction (an SMS that turns its
    /// sender's texts off is recorded with the change, or not at all).
    pub async fn update_profile_in(
        &self,
        tx: &mut Tx,
        actor: Actor,
        person: PersonId,
        change: ProfileChange,
    ) -> Result<Person, WorkflowError> {
        let now = self.clock.now();
        self.check_actor(tx, actor).await?;
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
        Ok(after)
    }

    /// Replaces the interpreter's request types, availability, inactivity periods and
    /// eligibility documents: by the interpreter, or a coordinator. Each field changed is in
    /// the history.
    pub async fn update_interpreter_profile(
        &self,
        actor: Actor,
        person: PersonId,
        change: InterpreterSelfChange,
    ) -> Result<InterpreterProfile, WorkflowError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        self.check_actor(&mut tx, actor).await?;
        if actor.kind != ActorKind::Coordinator && actor.person != Some(person) {
            return Err(WorkflowError::Forbidden(
                "a profile is changed by its owner or a coordinator",
            ));
        }
        let Some(before) = tx.interpreter_profile(person).await? else {
            return Err(WorkflowError::BadCommand("this person is not an interpreter"));
        };
        let mut after = before.clone();
        let mut changes = Vec::new();
        macro_rules! apply {
            ($($field:ident),*) => {$(
                if change.$field != after.$field {
                    changes.push(Change::new(stringify!($field), &after.$field, &change.$field));
                    after.$field = change.$field.clone();
                }
            )*};
        }
        apply!(request_types, availability, inactivity, documents);
        if changes.is_empty() {
            return Ok(before);
        }
        tx.set_interpreter_profile(person, &after).await?;
        tx.record_history(&NewHistoryEntry {
            entity: Entity::Person,
            entity_id: person.0,
            at: now,
            actor_id: actor.person,
            actor_kind: actor.kind,
            channel: actor.channel,
            action: "update_interpreter_profile".into(),
            changes,
        })
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Sets the requester's cost centre, one of their establishment's still in use (or
    /// none): by the requester, or a coordinator.
    pub async fn set_cost_centre(
        &self,
        actor: Actor,
        person: PersonId,
        cost_centre: Option<CostCentreId>,
    ) -> Result<(), WorkflowError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        self.check_actor(&mut tx, actor).await?;
        if actor.kind != ActorKind::Coordinator && actor.person != Some(person) {
            return Err(WorkflowError::Forbidden(
                "a profile is changed by its owner or a coordinator",
            ));
        }
        let Some(mut profile) = tx.requester_profile(person).await? else {
            return Err(WorkflowError::BadCommand("this person is not a requester"));
        };
        if profile.cost_centre_id == cost_centre {
            return Ok(());
        }
        if let Some(id) = cost_centre {
            let centre = tx.cost_centre(id).await?;
            if centre.establishment_id != profile.establishment_id {
                return Err(WorkflowError::BadCommand(
                    "the cost centre belongs to another establishment",
                ));
            }
            if !centre.active {
                return Err(WorkflowError::BadCommand("the cost centre is retired"));
            }
        }
        let change = Change::new("cost_centre_id", profile.cost_centre_id, cost_centre);
        profile.cost_centre_id = cost_centre;
        tx.set_requester_profile(person, &profile).await?;
        tx.record_history(&NewHistoryEntry {
            entity: Entity::Person,
            entity_id: person.0,
            at: now,
            actor_id: actor.person,
            actor_kind: actor.kind,
            channel: actor.channel,
            action: "update_requester_profile".into(),
            changes: vec![change],
        })
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Turns on or off the requester's « Me prévenir quand ma demande est offerte à un
    /// interprète »: by the requester, or a coordinator. In the history.
    pub async fn set_notify_when_offered(&self, actor: Actor, person: PersonId, on: bool) -> Result<(), WorkflowError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        self.check_actor(&mut tx, actor).await?;
        if actor.kind != ActorKind::Coordinator && actor.person != Some(person) {
            return Err(WorkflowError::Forbidden(
                "a profile is changed by its owner or a coordinator",
            ));
        }
        let Some(mut profile) = tx.requester_profile(person).await? else {
            return Err(WorkflowError::BadCommand("this person is not a requester"));
        };
        if profile.notify_when_offered == on {
            return Ok(());
        }
        let change = Change::new("notify_when_offered", profile.notify_when_offered, on);
        profile.notify_when_offered = on;
        tx.set_requester_profile(person, &profile).await?;
        tx.record_history(&NewHistoryEntry {
            entity: Entity::Person,
            entity_id: person.0,
            at: now,
            actor_id: actor.person,
            actor_kind: actor.kind,
            channel: actor.channel,
            action: "update_requester_profile".into(),
            changes: vec![change],
        })
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
