//! The coordinators' side of people (`/admin/people`): enlisting someone, changing their
//! contact block, an interpreter's languages and financial file (which the seeds leave to
//! coordinators), a requester's installations, and deactivating or reactivating a person.
//! Each command is one transaction and leaves one history entry on the person.
//!
//! A deactivated person keeps their history, requests and records; they can no longer sign
//! in, their sessions end at once, matching no longer proposes them and mail from them is
//! no longer read as theirs. A coordinator cannot deactivate themselves: the bank would
//! risk having no one left to undo it.

use super::{Actor, NewPersonCommand, Workflow, WorkflowError};
use crate::domain::history::{Change, Entity, NewHistoryEntry};
use crate::domain::ids::{CostCentreId, EstablishmentId, InstallationId, PersonId};
use crate::domain::interpreter::{EligibilityDocument, FinancialFile, LanguagePair};
use crate::domain::interpreter_form::Placement;
use crate::domain::person::{Person, ProfileChange};
use crate::domain::person_form::{Contact, PersonField, PersonFieldError, PersonProblem};
use crate::domain::person_import::{ProfileColumn, ProfileColumns};
use crate::domain::role::ActorKind;
use crate::store::attachments::NewAttachment;
use crate::store::{StoreError, Tx};

#[derive(Debug, thiserror::Error)]
pub enum RosterError {
    /// Nothing was saved; each wrong field is named.
    #[error("invalid fields: {0:?}")]
    Invalid(Vec<PersonFieldError>),
    #[error(transparent)]
    Workflow(#[from] WorkflowError),
}

impl From<StoreError> for RosterError {
    fn from(e: StoreError) -> Self {
        RosterError::Workflow(e.into())
    }
}

fn invalid(field: PersonField, problem: PersonProblem) -> RosterError {
    RosterError::Invalid(vec![PersonFieldError { field, problem }])
}

/// The only unique value a person form carries is the address.
fn email_taken(e: WorkflowError) -> RosterError {
    match e {
        WorkflowError::Conflict(_) => invalid(PersonField::Email, PersonProblem::EmailTaken),
        other => other.into(),
    }
}

/// Whether every one of `installations` exists and belongs to `establishment`.
async fn in_establishment(
    tx: &mut Tx,
    installations: &[InstallationId],
    establishment: EstablishmentId,
) -> Result<bool, RosterError> {
    for id in installations {
        match tx.installation(*id).await {
            Ok(i) if i.establishment_id == establishment => {}
            Ok(_) | Err(StoreError::NotFound) => return Ok(false),
            Err(e) => return Err(e.into()),
        }
    }
    Ok(true)
}

/// What becomes of an eligibility document's file when the document is saved.
#[derive(Debug, Clone)]
pub enum DocumentFile {
    Keep,
    /// A new file in place of the one attached, if any (which is removed).
    Replace(NewAttachment),
    /// The attached file is removed; the document stays.
    Remove,
}

/// One change to an interpreter's eligibility documents. A document is named by its place
/// in the list and its name as the page showed it: if either no longer holds (another
/// coordinator removed or renamed it meanwhile), nothing is done.
#[derive(Debug, Clone)]
pub enum DocumentChange {
    Add(EligibilityDocument, Option<NewAttachment>),
    Edit {
        index: usize,
        was: String,
        document: EligibilityDocument,
        file: DocumentFile,
    },
    /// The document goes, and its file with it.
    Remove {
        index: usize,
        was: String,
    },
}

/// What `set_active` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActiveChange {
    Deactivated { sessions_ended: u64 },
    Reactivated,
    Unchanged,
}

impl Workflow {
    async fn roster_tx(&self, actor: Actor) -> Result<Tx, RosterError> {
        if actor.kind != ActorKind::Coordinator {
            return Err(WorkflowError::Forbidden("only coordinators keep the roster").into());
        }
        let mut tx = self.store.begin().await?;
        self.check_actor(&mut tx, actor).await?;
        Ok(tx)
    }

    async fn record_person(
        &self,
        tx: &mut Tx,
        actor: Actor,
        person: PersonId,
        action: &str,
        changes: Vec<Change>,
    ) -> Result<(), RosterError> {
        tx.record_history(&NewHistoryEntry {
            entity: Entity::Person,
            entity_id: person.0,
            at: self.clock.now(),
            actor_id: actor.person,
            actor_kind: actor.kind,
            channel: actor.channel,
            action: action.into(),
            changes,
        })
        .await?;
        Ok(())
    }

    /// Creates a person from the coordinators' form; an address already used is named.
    pub async fn enlist(&self, actor: Actor, command: NewPersonCommand) -> Result<Person, RosterError> {
        if actor.kind != ActorKind::Coordinator {
            return Err(WorkflowError::Forbidden("only coordinators keep the roster").into());
        }
        if let Some(profile) = &command.requester {
            if profile.installations.is_empty() {
                return Err(invalid(PersonField::Installation, PersonProblem::NoInstallation));
            }
            let mut tx = self.store.begin_read().await?;
            let all_of_it = in_establishment(&mut tx, &profile.installations, profile.establishment_id).await?;
            tx.commit().await?;
            if !all_of_it {
                return Err(invalid(PersonField::Installation, PersonProblem::Choice));
            }
        }
        let created = self.create_person(actor, command).await.map_err(email_taken)?;
        Ok(created.person)
    }

    /// Replaces a person's contact block, as the coordinator typed it.
    pub async fn edit_contact(&self, actor: Actor, person: PersonId, contact: Contact) -> Result<Person, RosterError> {
        if actor.kind != ActorKind::Coordinator {
            return Err(WorkflowError::Forbidden("only coordinators keep the roster").into());
        }
        let change = ProfileChange {
            first_name: Some(contact.first_name),
            last_name: Some(contact.last_name),
            email: Some(contact.email),
            mobile: Some(contact.mobile),
            phone: Some(contact.phone),
            locale: Some(contact.locale),
            notify_email: None,
            notify_sms: None,
        };
        self.update_profile(actor, person, change).await.map_err(email_taken)
    }

    /// Sets an interpreter's language pairs and financial file, the parts of the profile the
    /// interpreter sees but does not change.
    pub async fn set_interpreter_record(
        &self,
        actor: Actor,
        person: PersonId,
        languages: Vec<LanguagePair>,
        financial: FinancialFile,
    ) -> Result<(), RosterError> {
        if languages.is_empty() {
            return Err(invalid(PersonField::Languages, PersonProblem::NoLanguage));
        }
        let mut tx = self.roster_tx(actor).await?;
        let Some(mut profile) = tx.interpreter_profile(person).await? else {
            return Err(WorkflowError::BadCommand("this person is not an interpreter").into());
        };
        let mut changes = Vec::new();
        if profile.language_pairs != languages {
            changes.push(Change::new("language_pairs", &profile.language_pairs, &languages));
            profile.language_pairs = languages;
        }
        if profile.financial != financial {
            changes.push(Change::new("financial", &profile.financial, &financial));
            profile.financial = financial;
        }
        if changes.is_empty() {
            return Ok(());
        }
        tx.set_interpreter_profile(person, &profile).await?;
        self.record_person(&mut tx, actor, person, "update_interpreter_record", changes)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets where and how an interpreter works: gender, region, address, postal codes,
    /// request types, contexts, and the establishments they must not be sent to (each one
    /// the bank has). One history entry names every field changed.
    pub async fn set_interpreter_placement(
        &self,
        actor: Actor,
        person: PersonId,
        placement: Placement,
    ) -> Result<(), RosterError> {
        if placement.request_types.is_empty() {
            return Err(invalid(PersonField::RequestTypes, PersonProblem::NoRequestType));
        }
        let mut tx = self.roster_tx(actor).await?;
        let Some(mut profile) = tx.interpreter_profile(person).await? else {
            return Err(WorkflowError::BadCommand("this person is not an interpreter").into());
        };
        for id in &placement.blocked {
            match tx.establishment(*id).await {
                Ok(_) => {}
                Err(StoreError::NotFound) => return Err(invalid(PersonField::Blocked, PersonProblem::Choice)),
                Err(e) => return Err(e.into()),
            }
        }
        // In the order the store gives them back, so that only a real change is recorded.
        let mut contexts = placement.contexts;
        contexts.sort();
        let mut request_types = placement.request_types;
        request_types.sort_by_key(|t| t.as_str());
        let mut changes = Vec::new();
        macro_rules! apply {
            ($($field:ident <- $value:expr),*) => {$(
                if profile.$field != $value {
                    changes.push(Change::new(stringify!($field), &profile.$field, &$value));
                    profile.$field = $value;
                }
            )*};
        }
        apply!(
            gender <- placement.gender,
            main_region <- placement.main_region,
            address <- placement.address,
            postal_code <- placement.postal_code,
            work_postal_code <- placement.work_postal_code,
            request_types <- request_types,
            blocked_establishments <- placement.blocked,
            contexts <- contexts
        );
        if changes.is_empty() {
            return Ok(());
        }
        tx.set_interpreter_profile(person, &profile).await?;
        self.record_person(&mut tx, actor, person, "update_interpreter_placement", changes)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Keeps a file in an interpreter's profile (a cheque specimen, a certificate).
    pub async fn add_interpreter_file(
        &self,
        actor: Actor,
        person: PersonId,
        description: Option<String>,
        file: NewAttachment,
    ) -> Result<(), RosterError> {
        let mut tx = self.roster_tx(actor).await?;
        if tx.interpreter_profile(person).await?.is_none() {
            return Err(WorkflowError::BadCommand("this person is not an interpreter").into());
        }
        let now = self.clock.now();
        tx.insert_interpreter_file(person, description.as_deref(), &file, actor.person, now)
            .await?;
        let change = Change::new("file", None::<&str>, (&file.file_name, &description));
        self.record_person(&mut tx, actor, person, "add_interpreter_file", vec![change])
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes a file of an interpreter's profile; `false` when they have no such file, or
    /// when it is an eligibility document's (it goes with its document, or from its form).
    pub async fn remove_interpreter_file(&self, actor: Actor, person: PersonId, id: i64) -> Result<bool, RosterError> {
        let mut tx = self.roster_tx(actor).await?;
        let profile = tx.interpreter_profile(person).await?;
        if profile.is_some_and(|p| p.documents.iter().any(|d| d.file_id == Some(id))) {
            return Ok(false);
        }
        let Some(removed) = tx.delete_interpreter_file(person, id).await? else {
            return Ok(false);
        };
        let change = Change::new("file", (&removed.file_name, &removed.description), None::<&str>);
        self.record_person(&mut tx, actor, person, "remove_interpreter_file", vec![change])
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Adds, edits or removes one of an interpreter's eligibility documents with its file, in
    /// one transaction: the new file is kept among the interpreter's files and attached to
    /// the document; the file a document no longer holds (replaced, removed, or the
    /// document gone) is removed. Recorded as a change of the profile's documents.
    /// `false` when the document named is no longer there as the page showed it.
    pub async fn change_eligibility_document(
        &self,
        actor: Actor,
        person: PersonId,
        change: DocumentChange,
    ) -> Result<bool, RosterError> {
        let mut tx = self.roster_tx(actor).await?;
        let Some(mut profile) = tx.interpreter_profile(person).await? else {
            return Err(WorkflowError::BadCommand("this person is not an interpreter").into());
        };
        let before = profile.documents.clone();
        let now = self.clock.now();
        let named = |index: usize, was: &str| before.get(index).filter(|d| d.name == was).map(|d| d.file_id);
        let mut gone = None;
        match change {
            DocumentChange::Add(mut document, file) => {
                document.file_id = match file {
                    Some(f) => Some(tx.insert_interpreter_file(person, None, &f, actor.person, now).await?),
                    None => None,
                };
                profile.documents.push(document);
            }
            DocumentChange::Edit {
                index,
                was,
                mut document,
                file,
            } => {
                let Some(held) = named(index, &was) else {
                    return Ok(false);
                };
                document.file_id = match file {
                    DocumentFile::Keep => held,
                    DocumentFile::Replace(f) => {
                        gone = held;
                        Some(tx.insert_interpreter_file(person, None, &f, actor.person, now).await?)
                    }
                    DocumentFile::Remove => {
                        gone = held;
                        None
                    }
                };
                profile.documents[index] = document;
            }
            DocumentChange::Remove { index, was } => {
                let Some(held) = named(index, &was) else {
                    return Ok(false);
                };
                gone = held;
                profile.documents.remove(index);
            }
        }
        if profile.documents == before {
            return Ok(true);
        }
        // The documents first: the file they no longer hold can then go.
        tx.set_interpreter_profile(person, &profile).await?;
        if let Some(id) = gone {
            tx.delete_interpreter_file(person, id).await?;
        }
        let change = Change::new("documents", &before, &profile.documents);
        self.record_person(&mut tx, actor, person, "update_interpreter_profile", vec![change])
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Sets the interpreter's columns of an import line on a known interpreter, by a
    /// coordinator on the web or the system from the command line: each column the line
    /// fills and whose value differs, in one transaction with one history entry
    /// (`import_interpreter_profile`) naming the fields. The columns changed; none when
    /// nothing differs, or when the person is not an interpreter (a file makes nobody one).
    pub async fn import_interpreter_profile(
        &self,
        actor: Actor,
        person: PersonId,
        columns: &ProfileColumns,
    ) -> Result<Vec<ProfileColumn>, WorkflowError> {
        if !matches!(actor.kind, ActorKind::Coordinator | ActorKind::System) {
            return Err(WorkflowError::Forbidden("only coordinators import people"));
        }
        let mut tx = self.store.begin().await?;
        self.check_actor(&mut tx, actor).await?;
        let Some(mut profile) = tx.interpreter_profile(person).await? else {
            return Ok(Vec::new());
        };
        let (columns, changes): (Vec<ProfileColumn>, Vec<Change>) = columns.apply(&mut profile).into_iter().unzip();
        if changes.is_empty() {
            return Ok(columns);
        }
        tx.set_interpreter_profile(person, &profile).await?;
        tx.record_history(&NewHistoryEntry {
            entity: Entity::Person,
            entity_id: person.0,
            at: self.clock.now(),
            actor_id: actor.person,
            actor_kind: actor.kind,
            channel: actor.channel,
            action: "import_interpreter_profile".into(),
            changes,
        })
        .await?;
        tx.commit().await?;
        Ok(columns)
    }

    /// Sets the installations a requester belongs to (all of their establishment's) and
    /// their cost centre (one of its own, still in use unless it is theirs already), in one
    /// transaction: a wrong cost centre saves no installation either.
    pub async fn set_requester_places(
        &self,
        actor: Actor,
        person: PersonId,
        installations: Vec<InstallationId>,
        cost_centre: Option<CostCentreId>,
    ) -> Result<(), RosterError> {
        if installations.is_empty() {
            return Err(invalid(PersonField::Installation, PersonProblem::NoInstallation));
        }
        let mut tx = self.roster_tx(actor).await?;
        let Some(mut profile) = tx.requester_profile(person).await? else {
            return Err(WorkflowError::BadCommand("this person is not a requester").into());
        };
        if !in_establishment(&mut tx, &installations, profile.establishment_id).await? {
            return Err(invalid(PersonField::Installation, PersonProblem::Choice));
        }
        if let Some(id) = cost_centre.filter(|c| profile.cost_centre_id != Some(*c)) {
            match tx.cost_centre(id).await {
                Ok(c) if c.establishment_id == profile.establishment_id && c.active => {}
                Ok(_) | Err(StoreError::NotFound) => {
                    return Err(invalid(PersonField::CostCentre, PersonProblem::Choice));
                }
                Err(e) => return Err(e.into()),
            }
        }
        let mut sorted = installations;
        sorted.sort_by_key(|i| i.0);
        sorted.dedup();
        let mut before = profile.installations.clone();
        before.sort_by_key(|i| i.0);
        let mut changes = Vec::new();
        if before != sorted {
            changes.push(Change::new("installations", &before, &sorted));
            profile.installations = sorted;
        }
        if profile.cost_centre_id != cost_centre {
            changes.push(Change::new("cost_centre_id", profile.cost_centre_id, cost_centre));
            profile.cost_centre_id = cost_centre;
        }
        if changes.is_empty() {
            return Ok(());
        }
        tx.set_requester_profile(person, &profile).await?;
        self.record_person(&mut tx, actor, person, "update_requester_profile", changes)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deactivates (ending every session at once) or reactivates a person.
    pub async fn set_active(&self, actor: Actor, person: PersonId, active: bool) -> Result<ActiveChange, RosterError> {
        if !active && actor.person == Some(person) {
            return Err(WorkflowError::Forbidden("a coordinator does not deactivate themselves").into());
        }
        let mut tx = self.roster_tx(actor).await?;
        let mut target = tx.person(person).await?;
        if target.active == active {
            return Ok(ActiveChange::Unchanged);
        }
        target.active = active;
        tx.update_person(&target, self.clock.now()).await?;
        let sessions_ended = if active {
            0
        } else {
            tx.delete_sessions_of(person, None).await?
        };
        let (action, outcome) = if active {
            ("reactivate", ActiveChange::Reactivated)
        } else {
            ("deactivate", ActiveChange::Deactivated { sessions_ended })
        };
        let change = Change::new("active", !active, active);
        self.record_person(&mut tx, actor, person, action, vec![change]).await?;
        tx.commit().await?;
        tracing::info!(person = %target.user_code, action, "roster changed");
        Ok(outcome)
    }
}
