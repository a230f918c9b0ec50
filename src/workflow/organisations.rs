//! Establishment administration: établissements, their installations, cost centres and
//! billing codes, created and changed by coordinators (or the system, for the demo and
//! imports). Each command is one transaction and leaves one history entry on the
//! establishment (`entity = establishment`), naming the actor and the changed fields.
//!
//! Codes are identifiers and do not change once created: an establishment's code is the key
//! of the command line, the account imports and the invoices, and a cost centre's or billing
//! code's code is what past invoices (computed from the requests) print. A wrong or obsolete
//! cost centre is retired (no longer accepted on new requests) and a new one added.

use super::{Actor, Workflow, WorkflowError};
use crate::domain::history::{Change, Entity, NewHistoryEntry};
use crate::domain::ids::{BillingCodeId, CostCentreId, EstablishmentId, InstallationId};
use crate::domain::locale::Locale;
use crate::domain::organisation::{Establishment, Installation, parse_request_prefix};
use crate::domain::role::ActorKind;
use crate::domain::text::{self, TextProblem};
use crate::store::{StoreError, Tx};

/// The field of an administration form a problem is about; `key()` is its form name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrgField {
    Code,
    Name,
    Prefix,
    Address,
    PostalCode,
    Description,
}

impl OrgField {
    pub fn key(self) -> &'static str {
        match self {
            OrgField::Code => "code",
            OrgField::Name => "name",
            OrgField::Prefix => "prefix",
            OrgField::Address => "address",
            OrgField::PostalCode => "postal_code",
            OrgField::Description => "description",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrgProblem {
    Required,
    /// A line break, a control character, or more characters than the field holds.
    Text(TextProblem),
    /// A code with a space: mail forms read a cost centre's code up to the first space.
    Spaces,
    /// Another one of the same establishment (or, for an establishment, any) has it.
    Taken,
    /// A request-number prefix is two capital letters, or nothing.
    Prefix,
}

impl OrgProblem {
    pub fn message(self, locale: Locale) -> String {
        match self {
            OrgProblem::Required => locale
                .pick("Ce champ est obligatoire.", "This field is required.")
                .into(),
            OrgProblem::Text(problem) => problem.sentence(locale),
            OrgProblem::Spaces => locale
                .pick("Un code s'écrit sans espace.", "A code has no spaces.")
                .into(),
            OrgProblem::Taken => locale
                .pick(
                    "Ce code ou ce nom est déjà utilisé ; choisissez-en un autre.",
                    "This code or name is already used; choose another.",
                )
                .into(),
            OrgProblem::Prefix => locale
                .pick(
                    "Deux lettres majuscules (par exemple HC), ou rien pour le préfixe de la banque.",
                    "Two capital letters (HC, say), or nothing for the bank's prefix.",
                )
                .into(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrgFieldError {
    pub field: OrgField,
    pub problem: OrgProblem,
}

#[derive(Debug, thiserror::Error)]
pub enum OrgError {
    /// Nothing was saved; each wrong field is named.
    #[error("invalid fields: {0:?}")]
    Invalid(Vec<OrgFieldError>),
    #[error(transparent)]
    Workflow(#[from] WorkflowError),
}

impl From<StoreError> for OrgError {
    fn from(e: StoreError) -> Self {
        OrgError::Workflow(e.into())
    }
}

/// An établissement as typed in its form. The code is read on creation only.
#[derive(Debug, Clone, Default)]
pub struct EstablishmentForm {
    pub code: String,
    pub name: String,
    pub request_prefix: String,
}

/// An installation as typed in its form.
#[derive(Debug, Clone, Default)]
pub struct InstallationForm {
    pub name: String,
    pub address: String,
    pub postal_code: String,
}

/// Which list of codes: both are kept alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeList {
    CostCentres,
    BillingCodes,
}

impl CodeList {
    fn noun(self) -> &'static str {
        match self {
            CodeList::CostCentres => "cost_centre",
            CodeList::BillingCodes => "billing_code",
        }
    }
}

const CODE_MAX: usize = 40;
const NAME_MAX: usize = 200;
const TEXT_MAX: usize = 300;
const POSTAL_MAX: usize = 10;

/// A one-line value as `domain::text` allows it, or its problem in `errors`.
fn line(field: OrgField, value: &str, max: usize, errors: &mut Vec<OrgFieldError>) -> String {
    match text::line(value, max) {
        Ok(v) => v.to_string(),
        Err(problem) => {
            errors.push(OrgFieldError {
                field,
                problem: OrgProblem::Text(problem),
            });
            String::new()
        }
    }
}

fn required(field: OrgField, value: &str, max: usize, errors: &mut Vec<OrgFieldError>) -> String {
    let before = errors.len();
    let v = line(field, value, max, errors);
    if v.is_empty() && errors.len() == before {
        errors.push(OrgFieldError {
            field,
            problem: OrgProblem::Required,
        });
    }
    v
}

fn optional(field: OrgField, value: &str, max: usize, errors: &mut Vec<OrgFieldError>) -> Option<String> {
    Some(line(field, value, max, errors)).filter(|v| !v.is_empty())
}

fn code(value: &str, errors: &mut Vec<OrgFieldError>) -> String {
    let v = required(OrgField::Code, value, CODE_MAX, errors);
    if v.chars().any(char::is_whitespace) {
        errors.push(OrgFieldError {
            field: OrgField::Code,
            problem: OrgProblem::Spaces,
        });
    }
    v
}

fn prefix(value: &str, errors: &mut Vec<OrgFieldError>) -> Option<String> {
    parse_request_prefix(value).unwrap_or_else(|| {
        errors.push(OrgFieldError {
            field: OrgField::Prefix,
            problem: OrgProblem::Prefix,
        });
        None
    })
}

fn checked(errors: Vec<OrgFieldError>) -> Result<(), OrgError> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(OrgError::Invalid(errors))
    }
}

/// A unique constraint hit: the field it is about, nothing saved (the caller drops `tx`).
fn taken(e: StoreError, field: OrgField) -> OrgError {
    match e {
        StoreError::Conflict(_) => OrgError::Invalid(vec![OrgFieldError {
            field,
            problem: OrgProblem::Taken,
        }]),
        other => other.into(),
    }
}

impl Workflow {
    /// Opens the transaction of an administration command, after checking the actor is a
    /// coordinator (or the system).
    async fn admin_tx(&self, actor: Actor) -> Result<Tx, OrgError> {
        if !matches!(actor.kind, ActorKind::Coordinator | ActorKind::System) {
            return Err(WorkflowError::Forbidden("only coordinators administer establishments").into());
        }
        let mut tx = self.store.begin().await?;
        self.check_actor(&mut tx, actor).await?;
        Ok(tx)
    }

    async fn record(
        &self,
        tx: &mut Tx,
        actor: Actor,
        establishment: EstablishmentId,
        action: String,
        changes: Vec<Change>,
    ) -> Result<(), OrgError> {
        tx.record_history(&NewHistoryEntry {
            entity: Entity::Establishment,
            entity_id: establishment.0,
            at: self.clock.now(),
            actor_id: actor.person,
            actor_kind: actor.kind,
            channel: actor.channel,
            action,
            changes,
        })
        .await?;
        Ok(())
    }

    /// Creates an établissement.
    pub async fn create_establishment(
        &self,
        actor: Actor,
        form: &EstablishmentForm,
    ) -> Result<Establishment, OrgError> {
        let mut errors = Vec::new();
        let code = code(&form.code, &mut errors);
        let name = required(OrgField::Name, &form.name, NAME_MAX, &mut errors);
        let prefix = prefix(&form.request_prefix, &mut errors);
        checked(errors)?;
        let mut tx = self.admin_tx(actor).await?;
        let created = tx
            .insert_establishment(&code, &name, prefix.as_deref(), self.clock.now())
            .await
            .map_err(|e| taken(e, OrgField::Code))?;
        let changes = vec![
            Change::new("code", None::<&str>, &created.code),
            Change::new("name", None::<&str>, &created.name),
            Change::new("request_prefix", None::<&str>, &created.request_prefix),
        ];
        self.record(&mut tx, actor, created.id, "create".into(), changes)
            .await?;
        tx.commit().await?;
        Ok(created)
    }

    /// Changes an établissement's name and request-number prefix; its code stays. The
    /// prefix applies to requests numbered from now on: numbers already given stay.
    pub async fn update_establishment(
        &self,
        actor: Actor,
        id: EstablishmentId,
        form: &EstablishmentForm,
    ) -> Result<Establishment, OrgError> {
        let mut errors = Vec::new();
        let name = required(OrgField::Name, &form.name, NAME_MAX, &mut errors);
        let prefix = prefix(&form.request_prefix, &mut errors);
        checked(errors)?;
        let mut tx = self.admin_tx(actor).await?;
        let before = tx.establishment(id).await?;
        let mut changes = Vec::new();
        if before.name != name {
            changes.push(Change::new("name", &before.name, &name));
        }
        if before.request_prefix != prefix {
            changes.push(Change::new("request_prefix", &before.request_prefix, &prefix));
        }
        if changes.is_empty() {
            return Ok(before);
        }
        tx.update_establishment(id, &name, prefix.as_deref()).await?;
        self.record(&mut tx, actor, id, "update".into(), changes).await?;
        tx.commit().await?;
        Ok(Establishment {
            name,
            request_prefix: prefix,
            ..before
        })
    }

    fn installation_fields(form: &InstallationForm) -> Result<(String, Option<String>, Option<String>), OrgError> {
        let mut errors = Vec::new();
        let name = required(OrgField::Name, &form.name, NAME_MAX, &mut errors);
        let address = optional(OrgField::Address, &form.address, TEXT_MAX, &mut errors);
        let postal =
            optional(OrgField::PostalCode, &form.postal_code, POSTAL_MAX, &mut errors).map(|p| p.to_uppercase());
        checked(errors)?;
        Ok((name, address, postal))
    }

    /// Adds an installation to an établissement.
    pub async fn add_installation(
        &self,
        actor: Actor,
        establishment: EstablishmentId,
        form: &InstallationForm,
    ) -> Result<Installation, OrgError> {
        let (name, address, postal) = Self::installation_fields(form)?;
        let mut tx = self.admin_tx(actor).await?;
        tx.establishment(establishment).await?;
        let created = tx
            .insert_installation(establishment, &name, address.as_deref(), postal.as_deref())
            .await
            .map_err(|e| taken(e, OrgField::Name))?;
        let changes = vec![
            Change::new("installation", None::<i64>, created.id.0),
            Change::new("name", None::<&str>, &name),
            Change::new("address", None::<&str>, &address),
            Change::new("postal_code", None::<&str>, &postal),
        ];
        self.record(&mut tx, actor, establishment, "add_installation".into(), changes)
            .await?;
        tx.commit().await?;
        Ok(created)
    }

    /// Changes an installation of `establishment` (not found if it is another's).
    pub async fn update_installation(
        &self,
        actor: Actor,
        establishment: EstablishmentId,
        id: InstallationId,
        form: &InstallationForm,
    ) -> Result<(), OrgError> {
        let (name, address, postal) = Self::installation_fields(form)?;
        let mut tx = self.admin_tx(actor).await?;
        let before = tx.installation(id).await?;
        if before.establishment_id != establishment {
            return Err(WorkflowError::NotFound.into());
        }
        let mut changes = vec![Change::new("installation", id.0, id.0)];
        if before.name != name {
            changes.push(Change::new("name", &before.name, &name));
        }
        if before.address != address {
            changes.push(Change::new("address", &before.address, &address));
        }
        if before.postal_code != postal {
            changes.push(Change::new("postal_code", &before.postal_code, &postal));
        }
        if changes.len() == 1 {
            return Ok(());
        }
        tx.update_installation(id, &name, address.as_deref(), postal.as_deref())
            .await
            .map_err(|e| taken(e, OrgField::Name))?;
        self.record(&mut tx, actor, establishment, "update_installation".into(), changes)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Adds a cost centre or billing code to an établissement, in use.
    pub async fn add_code(
        &self,
        actor: Actor,
        list: CodeList,
        establishment: EstablishmentId,
        code_text: &str,
        description: &str,
    ) -> Result<i64, OrgError> {
        let mut errors = Vec::new();
        let code = code(code_text, &mut errors);
        let description = optional(OrgField::Description, description, TEXT_MAX, &mut errors).unwrap_or_default();
        checked(errors)?;
        let mut tx = self.admin_tx(actor).await?;
        tx.establishment(establishment).await?;
        let id = match list {
            CodeList::CostCentres => tx
                .insert_cost_centre(establishment, &code, &description)
                .await
                .map(|c| c.id.0),
            CodeList::BillingCodes => tx
                .insert_billing_code(establishment, &code, &description)
                .await
                .map(|c| c.id.0),
        }
        .map_err(|e| taken(e, OrgField::Code))?;
        let changes = vec![
            Change::new(list.noun(), None::<i64>, id),
            Change::new("code", None::<&str>, &code),
            Change::new("description", None::<&str>, &description),
        ];
        self.record(&mut tx, actor, establishment, format!("add_{}", list.noun()), changes)
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Changes a cost centre's or billing code's description (`Some`) and whether it is in
    /// use (`Some`): retiring keeps it on the requests and invoices that name it.
    pub async fn update_code(
        &self,
        actor: Actor,
        list: CodeList,
        establishment: EstablishmentId,
        id: i64,
        description: Option<&str>,
        active: Option<bool>,
    ) -> Result<(), OrgError> {
        let mut errors = Vec::new();
        let description =
            description.map(|d| optional(OrgField::Description, d, TEXT_MAX, &mut errors).unwrap_or_default());
        checked(errors)?;
        let mut tx = self.admin_tx(actor).await?;
        let (owner, code, old_description, was_active) = match list {
            CodeList::CostCentres => {
                let c = tx.cost_centre(CostCentreId(id)).await?;
                (c.establishment_id, c.code, c.description, c.active)
            }
            CodeList::BillingCodes => {
                let c = tx.billing_code(BillingCodeId(id)).await?;
                (c.establishment_id, c.code, c.description, c.active)
            }
        };
        if owner != establishment {
            return Err(WorkflowError::NotFound.into());
        }
        let description = description.unwrap_or_else(|| old_description.clone());
        let active = active.unwrap_or(was_active);
        let mut changes = vec![Change::new(list.noun(), id, id), Change::new("code", &code, &code)];
        if description != old_description {
            changes.push(Change::new("description", &old_description, &description));
        }
        if active != was_active {
            changes.push(Change::new("active", was_active, active));
        }
        if changes.len() == 2 {
            return Ok(());
        }
        match list {
            CodeList::CostCentres => tx.update_cost_centre(CostCentreId(id), &description, active).await?,
            CodeList::BillingCodes => tx.update_billing_code(BillingCodeId(id), &description, active).await?,
        }
        let action = match (was_active, active) {
            (true, false) => format!("retire_{}", list.noun()),
            (false, true) => format!("restore_{}", list.noun()),
            _ => format!("update_{}", list.noun()),
        };
        self.record(&mut tx, actor, establishment, action, changes).await?;
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_codes_and_addresses_hold_one_line_each() {
        let mut errors = Vec::new();
        assert_eq!(
            required(OrgField::Name, " CISSS de Laval ", NAME_MAX, &mut errors),
            "CISSS de Laval"
        );
        assert_eq!(optional(OrgField::Address, "", TEXT_MAX, &mut errors), None);
        assert!(errors.is_empty());
        required(OrgField::Name, "Laval\r\nBcc: x@example.org", NAME_MAX, &mut errors);
        optional(OrgField::Address, "1, rue\u{0}Principale", TEXT_MAX, &mut errors);
        code(&"C".repeat(CODE_MAX + 1), &mut errors);
        required(OrgField::Name, "  ", NAME_MAX, &mut errors);
        let found: Vec<_> = errors.iter().map(|e| (e.field, e.problem)).collect();
        assert_eq!(
            found,
            [
                (OrgField::Name, OrgProblem::Text(TextProblem::LineBreak)),
                (OrgField::Address, OrgProblem::Text(TextProblem::ControlCharacter)),
                (OrgField::Code, OrgProblem::Text(TextProblem::TooLong(CODE_MAX))),
                (OrgField::Name, OrgProblem::Required),
            ]
        );
        assert_eq!(
            OrgProblem::Text(TextProblem::TooLong(40)).message(Locale::Fr),
            "Au plus 40 caractères."
        );
    }
}
