//! The request commands: each loads, checks, transitions, persists and notifies.

use super::notify::{self, Notice, NoticeKind};
use super::{Actor, Applied, Command, Workflow, WorkflowError};
use crate::domain::history::{Change, Entity, NewHistoryEntry};
use crate::domain::ids::{EstablishmentId, PersonId, RequestId};
use crate::domain::person::Person;
use crate::domain::request::{
    Event, Field, FieldError, Problem, Request, RequestDetails, RequestNumber, RequestStatus,
};
use crate::domain::role::{ActorKind, Role};
use crate::store::Tx;
use crate::store::requests::OfferStatus;
use chrono::{DateTime, LocalResult, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use decide::{close, validate};

mod decide;

/// A local wall-clock time in the bank's zone, as an instant. In the hour skipped when
/// clocks go forward, the time is read as if the change had not happened yet.
pub(crate) fn local_to_utc(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(earliest, _) => earliest.with_timezone(&Utc),
        LocalResult::None => tz
            .from_local_datetime(&(local + chrono::Duration::hours(1)))
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|| local.and_utc()),
    }
}

impl Command {
    fn request_id(&self) -> Option<RequestId> {
        match self {
            Command::CreateRequest { .. } => None,
            Command::SubmitRequest { request }
            | Command::ModifyRequest { request, .. }
            | Command::OfferRequest { request, .. }
            | Command::AcceptOffer { request }
            | Command::DeclineOffer { request }
            | Command::LapseOffers { request }
            | Command::WithdrawInterpreter { request }
            | Command::CancelRequest { request, .. }
            | Command::RecordService { request, .. }
            | Command::ValidateService { request }
            | Command::ContestService { request, .. }
            | Command::CloseRequest { request } => Some(*request),
        }
    }
}

/// A four-digit code unlike `taken`, for the interpreter to text back.
fn new_code(taken: &[String]) -> String {
    use rand::RngExt as _;
    let mut rng = rand::rng();
    loop {
        let code = rng.random_range(1000..=9999).to_string();
        if !taken.contains(&code) {
            return code;
        }
    }
}

/// What a handler decided, before it is written.
struct Outcome {
    action: &'static str,
    changes: Vec<Change>,
    notices: Vec<Notice>,
}

impl Outcome {
    fn new(action: &'static str) -> Outcome {
        Outcome {
            action,
            changes: Vec::new(),
            notices: Vec::new(),
        }
    }
}

fn status_change(from: RequestStatus, to: RequestStatus) -> Vec<Change> {
    if from == to {
        Vec::new()
    } else {
        vec![Change::new("status", from, to)]
    }
}

impl Workflow {
    /// Applies one command to a request: check who acts, load and check, decide, write.
    pub(super) async fn apply(&self, tx: &mut Tx, actor: Actor, command: Command) -> Result<Applied, WorkflowError> {
        let now = self.clock.now();
        self.check_actor(tx, actor).await?;
        let Some(id) = command.request_id() else {
            let Command::CreateRequest {
                requested_by,
                details,
                submit,
            } = command
            else {
                return Err(WorkflowError::NotFound);
            };
            return self.create(tx, actor, now, requested_by, details, submit).await;
        };
        let mut request = self.load_and_check(tx, actor, id, &command).await?;
        let before = request.clone();
        let accepted_by = matches!(command, Command::AcceptOffer { .. })
            .then_some(actor.person)
            .flatten();
        match self.decide(tx, actor, &mut request, command, now).await? {
            Some(outcome) => {
                let applied = self.persist(tx, actor, before, request, outcome, now).await?;
                // Continuity: an interpreter who takes one occurrence of a series is
                // offered the later ones still waiting for someone.
                if let Some(interpreter) = accepted_by {
                    self.offer_series_to(tx, applied.request, interpreter).await?;
                }
                Ok(applied)
            }
            // Nothing differs: no new version, no history, nobody disturbed.
            None => Ok(Applied {
                request: id,
                label: before.label(),
                from: Some(before.status),
                to: before.status,
                notifications: 0,
            }),
        }
    }

    /// The request, locked for this transaction, once the actor may act on it and a
    /// reason given is acceptable text.
    async fn load_and_check(
        &self,
        tx: &mut Tx,
        actor: Actor,
        id: RequestId,
        command: &Command,
    ) -> Result<Request, WorkflowError> {
        let request = tx.request_for_update(id).await?;
        self.authorize(tx, actor, &request, command).await?;
        // A reason to cancel or contest is kept as written, or refused: never cut.
        if let Command::CancelRequest { detail: Some(note), .. } | Command::ContestService { reason: Some(note), .. } =
            command
            && let Err(problem) = crate::domain::text::lines(note, crate::domain::text::TEXT_MAX)
        {
            return Err(WorkflowError::Invalid(vec![FieldError::new(
                Field::Note,
                Problem::Text(problem),
            )]));
        }
        Ok(request)
    }

    /// What the command does to `request`, and what to record and tell; `None` when it
    /// changes nothing. Each command's decision is in `requests/decide.rs`.
    async fn decide(
        &self,
        tx: &mut Tx,
        actor: Actor,
        request: &mut Request,
        command: Command,
        now: DateTime<Utc>,
    ) -> Result<Option<Outcome>, WorkflowError> {
        let outcome = match command {
            Command::CreateRequest { .. } => return Err(WorkflowError::NotFound),
            Command::SubmitRequest { .. } => self.submit(tx, actor, request, now).await?,
            Command::ModifyRequest { details, .. } => return self.modify(tx, actor, request, details, now).await,
            Command::OfferRequest {
                interpreters,
                expires_at,
                ..
            } => self.offer(tx, actor, request, interpreters, expires_at, now).await?,
            Command::AcceptOffer { .. } => self.accept(tx, actor, request, now).await?,
            Command::DeclineOffer { .. } => self.decline(tx, actor, request, now).await?,
            Command::LapseOffers { .. } => self.lapse(tx, actor, request, now).await?,
            Command::WithdrawInterpreter { .. } => self.withdraw(tx, actor, request).await?,
            Command::CancelRequest { reason, detail, .. } => {
                self.cancel(tx, actor, request, reason, detail, now).await?
            }
            Command::RecordService { record, .. } => self.record_service(tx, actor, request, record, now).await?,
            Command::ValidateService { .. } => validate(actor, request)?,
            Command::ContestService { reason, .. } => self.contest(tx, actor, request, reason, now).await?,
            Command::CloseRequest { .. } => close(actor, request, now)?,
        };
        Ok(Some(outcome))
    }

    /// Writes the new version, its history entry and its notifications.
    async fn persist(
        &self,
        tx: &mut Tx,
        actor: Actor,
        before: Request,
        mut request: Request,
        mut outcome: Outcome,
        now: DateTime<Utc>,
    ) -> Result<Applied, WorkflowError> {
        request.version = before.version + 1;
        request.updated_at = now;
        tx.update_request(&request, before.version).await?;
        let mut changes = status_change(before.status, request.status);
        if before.number != request.number {
            changes.push(Change::new("number", &before.number, &request.number));
        }
        // A modification's notices say what changed: the fields, not the status.
        let modified: Vec<Change> = if outcome.action == "modify" {
            outcome.changes.clone()
        } else {
            Vec::new()
        };
        changes.append(&mut outcome.changes);
        tx.record_history(&NewHistoryEntry {
            entity: Entity::Request,
            entity_id: request.id.0,
            at: now,
            actor_id: actor.person,
            actor_kind: actor.kind,
            channel: actor.channel,
            action: outcome.action.to_string(),
            changes,
        })
        .await?;
        let notifications = notify::queue_with_changes(tx, &request, &outcome.notices, &modified, now).await?;
        Ok(Applied {
            request: request.id,
            label: request.label(),
            from: Some(before.status),
            to: request.status,
            notifications,
        })
    }

    async fn create(
        &self,
        tx: &mut Tx,
        actor: Actor,
        now: DateTime<Utc>,
        requested_by: PersonId,
        details: RequestDetails,
        submit: bool,
    ) -> Result<Applied, WorkflowError> {
        self.check_creation(tx, actor, now, requested_by, &details).await?;
        let installation = tx.installation(details.installation_id).await?;
        let status = if submit {
            RequestStatus::Draft.apply(Event::Submit, actor.kind)?
        } else {
            RequestStatus::Draft
        };
        let mut request = Request {
            id: RequestId(0),
            number: None,
            status,
            version: 1,
            establishment_id: installation.establishment_id,
            starts_at: local_to_utc(self.config.time_zone, details.starts_at_local()),
            details,
            requested_by,
            assigned_interpreter: None,
            created_at: now,
            updated_at: now,
            submitted_at: submit.then_some(now),
            booked_at: None,
            service_recorded_at: None,
            service_contested_at: None,
            closed_at: None,
            cancellation: None,
            patient_erased_at: None,
        };
        if submit {
            self.assign_number(tx, &mut request, now).await?;
        }
        request.id = tx.insert_request(&request).await?;
        let mut changes = vec![Change::new("status", None::<&str>, status)];
        if let Some(number) = &request.number {
            changes.push(Change::new("number", None::<&str>, number));
        }
        tx.record_history(&NewHistoryEntry {
            entity: Entity::Request,
            entity_id: request.id.0,
            at: now,
            actor_id: actor.person,
            actor_kind: actor.kind,
            channel: actor.channel,
            action: "create".into(),
            changes,
        })
        .await?;
        let notices = if submit {
            vec![Notice::new(requested_by, NoticeKind::RequestReceived)]
        } else {
            Vec::new()
        };
        let notifications = notify::queue(tx, &request, &notices, now).await?;
        Ok(Applied {
            request: request.id,
            label: request.label(),
            from: None,
            to: request.status,
            notifications,
        })
    }

    /// Who may create a request in whose name, and its details, checked before anything
    /// is written; every field error at once.
    async fn check_creation(
        &self,
        tx: &mut Tx,
        actor: Actor,
        now: DateTime<Utc>,
        requested_by: PersonId,
        details: &RequestDetails,
    ) -> Result<(), WorkflowError> {
        match actor.kind {
            ActorKind::Requester if actor.person == Some(requested_by) => {}
            ActorKind::Requester => {
                return Err(WorkflowError::Forbidden("a requester books in their own name"));
            }
            ActorKind::Coordinator => {
                let requester = tx.person(requested_by).await?;
                if !requester.has_role(Role::Requester) {
                    return Err(WorkflowError::BadCommand("requested_by is not a requester"));
                }
            }
            ActorKind::Interpreter | ActorKind::System => {
                return Err(WorkflowError::Forbidden(
                    "only requesters and coordinators create requests",
                ));
            }
        }
        let mut field_errors = Vec::new();
        if actor.kind == ActorKind::Requester && !self.works_at(tx, actor, details.installation_id).await? {
            field_errors.push(FieldError::new(Field::Installation, Problem::Unknown));
        }
        match self.check_details(tx, details, None, now).await {
            Ok(()) => {}
            Err(WorkflowError::Invalid(mut more)) => field_errors.append(&mut more),
            Err(e) => return Err(e),
        }
        if !field_errors.is_empty() {
            return Err(WorkflowError::Invalid(field_errors));
        }
        Ok(())
    }

    /// Gives a request the next number of the day (in the bank's time zone).
    async fn assign_number(&self, tx: &mut Tx, request: &mut Request, now: DateTime<Utc>) -> Result<(), WorkflowError> {
        if request.number.is_some() {
            return Ok(());
        }
        let establishment = tx.establishment(request.establishment_id).await?;
        let prefix = establishment
            .request_prefix
            .unwrap_or_else(|| self.config.request_prefix.clone());
        let today = now.with_timezone(&self.config.time_zone).date_naive();
        let sequence = tx
            .take_number(&format!("request:{}", RequestNumber::day_key(&prefix, today)))
            .await?;
        let sequence =
            u32::try_from(sequence).map_err(|_| WorkflowError::Conflict("request sequence overflow".into()))?;
        request.number = Some(RequestNumber::new(&prefix, today, sequence));
        Ok(())
    }

    /// Field rules, plus the references: installation, cost centre, billing code and
    /// preferred interpreter must exist and belong together. A retired cost centre or
    /// billing code is refused unless `before` (the request being changed) already had it.
    async fn check_details(
        &self,
        tx: &mut Tx,
        details: &RequestDetails,
        before: Option<&RequestDetails>,
        now: DateTime<Utc>,
    ) -> Result<(), WorkflowError> {
        let local_now = now.with_timezone(&self.config.time_zone).naive_local();
        let mut errors = details.check(local_now);
        let establishment: Option<EstablishmentId> = match tx.installation(details.installation_id).await {
            Ok(i) => Some(i.establishment_id),
            Err(crate::store::StoreError::NotFound) => {
                errors.push(FieldError::new(Field::Installation, Problem::Unknown));
                None
            }
            Err(e) => return Err(e.into()),
        };
        if let Some(cc) = details.cost_centre_id {
            match tx.cost_centre(cc).await {
                Ok(c) if Some(c.establishment_id) == establishment => {
                    if !c.active && before.and_then(|b| b.cost_centre_id) != Some(cc) {
                        errors.push(FieldError::new(Field::CostCentre, Problem::Retired))
                    }
                }
                Ok(_) | Err(crate::store::StoreError::NotFound) => {
                    errors.push(FieldError::new(Field::CostCentre, Problem::Unknown))
                }
                Err(e) => return Err(e.into()),
            }
        }
        if let Some(bc) = details.billing_code_id {
            match tx.billing_code(bc).await {
                Ok(c) if Some(c.establishment_id) == establishment => {
                    if !c.active && before.and_then(|b| b.billing_code_id) != Some(bc) {
                        errors.push(FieldError::new(Field::BillingCode, Problem::Retired))
                    }
                }
                Ok(_) | Err(crate::store::StoreError::NotFound) => {
                    errors.push(FieldError::new(Field::BillingCode, Problem::Unknown))
                }
                Err(e) => return Err(e.into()),
            }
        }
        if let Some(p) = details.preferred_interpreter {
            match tx.person(p).await {
                Ok(person) if person.has_role(Role::Interpreter) && person.active => {}
                Ok(_) | Err(crate::store::StoreError::NotFound) => {
                    errors.push(FieldError::new(Field::PreferredInterpreter, Problem::Unknown))
                }
                Err(e) => return Err(e.into()),
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(WorkflowError::Invalid(errors))
        }
    }

    /// An interpreter can be offered a request of `establishment` if active and not blocked there.
    async fn check_can_be_offered(
        &self,
        tx: &mut Tx,
        interpreter: PersonId,
        establishment: EstablishmentId,
    ) -> Result<(), WorkflowError> {
        let person = match tx.person(interpreter).await {
            Ok(p) => p,
            Err(crate::store::StoreError::NotFound) => {
                return Err(WorkflowError::BadCommand("unknown interpreter"));
            }
            Err(e) => return Err(e.into()),
        };
        if !person.active || !person.has_role(Role::Interpreter) {
            return Err(WorkflowError::BadCommand("not an active interpreter"));
        }
        let blocked = tx
            .interpreter_profile(interpreter)
            .await?
            .is_some_and(|p| p.blocked_establishments.contains(&establishment));
        if blocked {
            return Err(WorkflowError::BadCommand(
                "interpreter is blocked for this establishment",
            ));
        }
        Ok(())
    }

    /// The acting person exists, is active and holds the role they act in.
    pub(super) async fn check_actor(&self, tx: &mut Tx, actor: Actor) -> Result<Option<Person>, WorkflowError> {
        match (actor.kind, actor.person) {
            (ActorKind::System, None) => Ok(None),
            (ActorKind::System, Some(_)) => Err(WorkflowError::Forbidden("the system acts in no one's name")),
            (_, None) => Err(WorkflowError::Forbidden("a person must be named")),
            (kind, Some(id)) => {
                let person = match tx.person(id).await {
                    Ok(p) => p,
                    Err(crate::store::StoreError::NotFound) => {
                        return Err(WorkflowError::Forbidden("unknown person"));
                    }
                    Err(e) => return Err(e.into()),
                };
                let role = match kind {
                    ActorKind::Requester => Role::Requester,
                    ActorKind::Interpreter => Role::Interpreter,
                    _ => Role::Coordinator,
                };
                if !person.active || !person.has_role(role) {
                    return Err(WorkflowError::Forbidden("the person does not hold this role"));
                }
                Ok(Some(person))
            }
        }
    }

    /// Whether the acting requester works at `installation`.
    async fn works_at(
        &self,
        tx: &mut Tx,
        actor: Actor,
        installation: crate::domain::ids::InstallationId,
    ) -> Result<bool, WorkflowError> {
        let Some(me) = actor.person else {
            return Ok(false);
        };
        Ok(tx
            .requester_profile(me)
            .await?
            .is_some_and(|p| p.installations.contains(&installation)))
    }

    /// Whether the actor has anything to do with this request: requesters act on their
    /// installations' requests, interpreters on what was offered or assigned to them.
    async fn authorize(
        &self,
        tx: &mut Tx,
        actor: Actor,
        request: &Request,
        command: &Command,
    ) -> Result<(), WorkflowError> {
        let Some(me) = actor.person else {
            return Ok(());
        };
        match actor.kind {
            ActorKind::Coordinator | ActorKind::System => Ok(()),
            ActorKind::Requester => {
                if request.requested_by == me {
                    return Ok(());
                }
                if self.works_at(tx, actor, request.details.installation_id).await? {
                    Ok(())
                } else {
                    Err(WorkflowError::Forbidden("not a request of your installation"))
                }
            }
            ActorKind::Interpreter => {
                let offers = tx.offers_of_request(request.id).await?;
                let assigned = request.assigned_interpreter == Some(me);
                let was_offered = offers.iter().any(|o| o.interpreter_id == me);
                let has_pending = offers
                    .iter()
                    .any(|o| o.interpreter_id == me && o.status == OfferStatus::Pending);
                match command {
                    Command::AcceptOffer { .. } | Command::DeclineOffer { .. } => {
                        if !(assigned || was_offered) {
                            return Err(WorkflowError::Forbidden("not offered or assigned to you"));
                        }
                        // A stake in the request, but the offer may have moved on (filled, lapsed, cancelled).
                        let open = match request.status {
                            RequestStatus::Offered => has_pending,
                            _ => assigned,
                        };
                        if open { Ok(()) } else { Err(WorkflowError::OfferClosed) }
                    }
                    _ if assigned => Ok(()),
                    _ => Err(WorkflowError::Forbidden("not assigned to you")),
                }
            }
        }
    }
}
