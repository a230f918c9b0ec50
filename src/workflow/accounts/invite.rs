//! Accounts are made by coordinators: `relais accounts import FILE.csv` creates the people
//! it does not know yet, sets the interpreter's columns on the interpreters it knows, and
//! invites everyone without an account; `relais accounts invite
//! EMAIL` (re)sends the activation link of one person. The link sets the first password.

use super::{ACTIVATION_TTL, AccountError, Accounts};
use crate::domain::contact::EmailAddress;
use crate::domain::person::{NewPerson, RequesterProfile};
use crate::domain::person_import::{ImportLine, ImportProblem, ProfileColumn, ReadLine};
use crate::domain::role::Role;
use crate::store::accounts::TokenPurpose;
use crate::workflow::{Actor, NewPersonCommand, WorkflowError};

/// What importing one line did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportOutcome {
    /// A new person, invited.
    Created,
    /// Known already, without an account until now: invited, with the columns of their
    /// interpreter's profile the line changed (often none).
    Invited(Vec<ProfileColumn>),
    /// Known already, with an account: these columns of their interpreter's profile changed.
    Updated(Vec<ProfileColumn>),
    /// Known already, with an account: nothing to do.
    Unchanged,
    /// Nothing was done, for this reason.
    Refused(ImportProblem),
}

/// What importing a file did, line by line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// `(line number, address as read, outcome)`.
    pub lines: Vec<(usize, String, ImportOutcome)>,
}

impl ImportReport {
    fn count(&self, wanted: fn(&ImportOutcome) -> bool) -> usize {
        self.lines.iter().filter(|(_, _, o)| wanted(o)).count()
    }

    /// How many lines had each outcome.
    pub fn totals(&self) -> ImportTotals {
        ImportTotals {
            created: self.count(|o| *o == ImportOutcome::Created),
            invited: self.count(|o| matches!(o, ImportOutcome::Invited(_))),
            updated: self.count(|o| matches!(o, ImportOutcome::Updated(_))),
            unchanged: self.count(|o| *o == ImportOutcome::Unchanged),
            refused: self.count(|o| matches!(o, ImportOutcome::Refused(_))),
        }
    }
}

/// How many lines of a file had each outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportTotals {
    pub created: usize,
    pub invited: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub refused: usize,
}

/// What `invite` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InviteOutcome {
    /// An activation link was queued (earlier unused ones no longer work).
    Invited,
    /// The person has set a password already: "forgot password" is their way back.
    AlreadyActive,
    NoSuchPerson,
    Inactive,
}

impl Accounts {
    /// Queues a fresh activation link for the person with this address, creating their
    /// account row if needed.
    pub async fn invite(&self, email: &EmailAddress) -> Result<InviteOutcome, AccountError> {
        let now = self.now();
        let mut tx = self.workflow.store.begin().await?;
        let Some(person) = tx.person_by_email(email).await? else {
            return Ok(InviteOutcome::NoSuchPerson);
        };
        if !person.active {
            return Ok(InviteOutcome::Inactive);
        }
        tx.insert_account(person.id, now).await?;
        if tx.account(person.id).await?.is_some_and(|a| a.password_hash.is_some()) {
            return Ok(InviteOutcome::AlreadyActive);
        }
        tx.revoke_account_tokens(person.id, TokenPurpose::Activation, now)
            .await?;
        self.queue_link(&mut tx, &person, TokenPurpose::Activation, now + ACTIVATION_TTL)
            .await?;
        tx.commit().await?;
        tracing::info!(person = %person.user_code, "activation link queued");
        Ok(InviteOutcome::Invited)
    }

    /// Imports every line read from a file, each on its own: a wrong line is reported and the
    /// others still count.
    /// `actor` is the coordinator on the web, or the system from the command line.
    pub async fn import(&self, actor: Actor, lines: Vec<ReadLine>) -> Result<ImportReport, AccountError> {
        let mut report = ImportReport::default();
        for (number, line) in lines {
            let (email, outcome) = match line {
                Ok(line) => (line.email.to_string(), self.import_line(actor, &line).await?),
                Err(why) => (String::new(), ImportOutcome::Refused(why)),
            };
            report.lines.push((number, email, outcome));
        }
        Ok(report)
    }

    /// Imports one line: idempotent by email address. A known person's name, address,
    /// language and roles stay as they are; a known interpreter gets the interpreter's
    /// columns the line fills (`ProfileColumns::apply`).
    pub async fn import_line(&self, actor: Actor, line: &ImportLine) -> Result<ImportOutcome, AccountError> {
        let mut tx = self.workflow.store.begin_read().await?;
        let existing = tx.person_by_email(&line.email).await?;
        let has_account = match &existing {
            Some(p) => tx.account(p.id).await?.is_some(),
            None => false,
        };
        let requester = match (line.role, &existing) {
            (Role::Requester, None) => match self.requester_profile(&mut tx, line).await? {
                Ok(p) => Some(p),
                Err(why) => return Ok(ImportOutcome::Refused(why)),
            },
            _ => None,
        };
        tx.commit().await?;
        let outcome = match (existing, has_account) {
            (Some(p), true) => {
                return Ok(match self.update_interpreter(actor, &p, line).await? {
                    updated if updated.is_empty() => ImportOutcome::Unchanged,
                    updated => ImportOutcome::Updated(updated),
                });
            }
            // Refused as a whole: nothing of the line is set on them either.
            (Some(p), false) if !p.active => return Ok(ImportOutcome::Refused(ImportProblem::Inactive)),
            (Some(p), false) => ImportOutcome::Invited(self.update_interpreter(actor, &p, line).await?),
            (None, _) => {
                let command = NewPersonCommand {
                    person: NewPerson {
                        first_name: line.first_name.clone(),
                        last_name: line.last_name.clone(),
                        email: line.email.clone(),
                        mobile: None,
                        phone: None,
                        locale: line.locale,
                        notify_email: true,
                        notify_sms: false,
                        roles: vec![line.role],
                    },
                    requester,
                    interpreter: (line.role == Role::Interpreter)
                        .then(|| line.interpreter.clone().unwrap_or_default().new_profile()),
                };
                match self.workflow.create_person(actor, command).await {
                    Ok(_) => ImportOutcome::Created,
                    Err(WorkflowError::Conflict(_)) => return Ok(ImportOutcome::Refused(ImportProblem::EmailTaken)),
                    Err(e) => return Err(AccountError::Internal(e.into())),
                }
            }
        };
        match self.invite(&line.email).await? {
            InviteOutcome::Invited => Ok(outcome),
            // Created and invited in two steps: someone made them inactive in between.
            _ => Ok(ImportOutcome::Refused(ImportProblem::Inactive)),
        }
    }

    /// Sets an interpreter's line's columns on `person`, if they are an interpreter; the
    /// columns changed.
    async fn update_interpreter(
        &self,
        actor: Actor,
        person: &crate::domain::person::Person,
        line: &ImportLine,
    ) -> Result<Vec<ProfileColumn>, AccountError> {
        match (&line.interpreter, line.role) {
            (Some(columns), Role::Interpreter) => self
                .workflow
                .import_interpreter_profile(actor, person.id, columns)
                .await
                .map_err(|e| AccountError::Internal(e.into())),
            _ => Ok(Vec::new()),
        }
    }

    /// The requester profile a line names, or why it names none.
    async fn requester_profile(
        &self,
        tx: &mut crate::store::Tx,
        line: &ImportLine,
    ) -> Result<Result<RequesterProfile, ImportProblem>, AccountError> {
        let Some(code) = line.establishment.as_deref() else {
            return Ok(Err(ImportProblem::RequesterPlace));
        };
        let Some(establishment) = tx.establishment_by_code(code).await? else {
            return Ok(Err(ImportProblem::UnknownEstablishment(code.to_string())));
        };
        if line.installations.is_empty() {
            return Ok(Err(ImportProblem::RequesterPlace));
        }
        let known = tx.installations_of(establishment.id).await?;
        let mut installations = Vec::new();
        for name in &line.installations {
            let wanted = crate::domain::text::fold(name);
            match known.iter().find(|i| crate::domain::text::fold(&i.name) == wanted) {
                Some(i) => installations.push(i.id),
                None => {
                    return Ok(Err(ImportProblem::UnknownInstallation {
                        establishment: code.to_string(),
                        name: name.clone(),
                    }));
                }
            }
        }
        Ok(Ok(RequesterProfile {
            establishment_id: establishment.id,
            installations,
            cost_centre_id: None,
            notify_when_offered: false,
        }))
    }
}
