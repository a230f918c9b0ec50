//! The request commands: each loads, checks, transitions, persists and notifies.

use super::notify::{self, Notice, NoticeKind};
use super::{Actor, Applied, Command, Workflow, WorkflowError};
use crate::domain::history::{Change, Entity, NewHistoryEntry, diff_details};
use crate::domain::ids::{EstablishmentId, PersonId, RequestId};
use crate::domain::person::Person;
use crate::domain::request::{
    Cancellation, Event, Field, FieldError, Problem, RecordContext, Request, RequestDetails, RequestNumber,
    RequestStatus, ServiceRecord, is_late_cancellation,
};
use crate::domain::role::{ActorKind, Role};
use crate::store::Tx;
use crate::store::requests::OfferStatus;
use chrono::{DateTime, LocalResult, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

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

        let mut request = tx.request_for_update(id).await?;
        self.authorize(tx, actor, &request, &command).await?;
        // A reason to cancel or contest is kept as written, or refused: never cut.
        if let Command::CancelRequest { detail: Some(note), .. } | Command::ContestService { reason: Some(note), .. } =
            &command
            && let Err(problem) = crate::domain::text::lines(note, crate::domain::text::TEXT_MAX)
        {
            return Err(WorkflowError::Invalid(vec![FieldError::new(
                Field::Note,
                Problem::Text(problem),
            )]));
        }
        let before = request.clone();

        let outcome = match command {
            Command::CreateRequest { .. } => return Err(WorkflowError::NotFound),
            Command::SubmitRequest { .. } => {
                request.status = request.status.apply(Event::Submit, actor.kind)?;
                self.assign_number(tx, &mut request, now).await?;
                request.submitted_at = Some(now);
                let mut o = Outcome::new("submit");
                o.notices
                    .push(Notice::new(request.requested_by, NoticeKind::RequestReceived));
                o
            }
            Command::ModifyRequest { details, .. } => {
                self.check_details(tx, &details, Some(&request.details), now).await?;
                if actor.kind == ActorKind::Requester
                    && details.installation_id != request.details.installation_id
                    && !self.works_at(tx, actor, details.installation_id).await?
                {
                    return Err(WorkflowError::Invalid(vec![FieldError::new(
                        Field::Installation,
                        Problem::Unknown,
                    )]));
                }
                let changes = diff_details(&request.details, &details);
                if changes.is_empty() {
                    // Nothing differs: no new version, no history, nobody disturbed.
                    return Ok(Applied {
                        request: id,
                        label: request.label(),
                        from: Some(before.status),
                        to: before.status,
                        notifications: 0,
                    });
                }
                request.status = request.status.apply(Event::Modify, actor.kind)?;
                request.establishment_id = tx.installation(details.installation_id).await?.establishment_id;
                request.starts_at = local_to_utc(self.config.time_zone, details.starts_at_local());
                request.details = details;
                let mut o = Outcome::new("modify");
                o.changes = changes;
                if let Some(interpreter) = request.assigned_interpreter {
                    o.notices.push(Notice::new(interpreter, NoticeKind::RequestModified));
                }
                o
            }
            Command::OfferRequest {
                interpreters,
                expires_at,
                ..
            } => {
                request.status = request.status.apply(Event::Offer, actor.kind)?;
                let pending: Vec<PersonId> = tx
                    .offers_of_request(id)
                    .await?
                    .into_iter()
                    .filter(|o| o.status == OfferStatus::Pending)
                    .map(|o| o.interpreter_id)
                    .collect();
                let mut o = Outcome::new("offer");
                for interpreter in interpreters {
                    self.check_can_be_offered(tx, interpreter, request.establishment_id)
                        .await?;
                    if pending.contains(&interpreter) {
                        continue;
                    }
                    let taken = tx.codes_in_use(interpreter).await?;
                    tx.insert_offer(id, interpreter, now, expires_at, &new_code(&taken))
                        .await?;
                    o.changes.push(Change::new("offered_to", None::<i64>, interpreter));
                    o.notices.push(Notice::new(interpreter, NoticeKind::RequestOffered));
                }
                if o.changes.is_empty() {
                    return Err(WorkflowError::BadCommand(
                        "every interpreter named already has a pending offer",
                    ));
                }
                o
            }
            Command::AcceptOffer { .. } => {
                let me = actor
                    .person
                    .ok_or(WorkflowError::Forbidden("an interpreter must be named"))?;
                let to = request.status.apply(Event::Accept, actor.kind)?;
                let mut o = Outcome::new("accept");
                if request.status == RequestStatus::Offered {
                    tx.close_pending_offers(id, Some(me), OfferStatus::Accepted, now)
                        .await?;
                    for other in tx.close_pending_offers(id, None, OfferStatus::Withdrawn, now).await? {
                        o.notices.push(Notice::new(other, NoticeKind::OfferFilled));
                    }
                    o.changes
                        .push(Change::new("assigned_interpreter", request.assigned_interpreter, me));
                    request.assigned_interpreter = Some(me);
                }
                request.status = to;
                request.booked_at = Some(now);
                o.notices
                    .push(Notice::new(request.requested_by, NoticeKind::RequestBooked));
                o.notices.push(Notice::new(me, NoticeKind::AssignmentConfirmed));
                o
            }
            Command::DeclineOffer { .. } => {
                let me = actor
                    .person
                    .ok_or(WorkflowError::Forbidden("an interpreter must be named"))?;
                let mut o = Outcome::new("decline");
                if request.status == RequestStatus::Offered {
                    // Check the transition first so a refusal never half-applies.
                    let to = request.status.apply(Event::Decline, actor.kind)?;
                    tx.close_pending_offers(id, Some(me), OfferStatus::Declined, now)
                        .await?;
                    let still_pending = tx
                        .offers_of_request(id)
                        .await?
                        .iter()
                        .any(|offer| offer.status == OfferStatus::Pending);
                    if !still_pending {
                        request.status = to;
                    }
                    o.changes.push(Change::new("declined_by", None::<i64>, me));
                    o.notices
                        .extend(notify::to_coordinators(tx, NoticeKind::OfferDeclined).await?);
                } else {
                    request.status = request.status.apply(Event::Decline, actor.kind)?;
                    o.changes.push(Change::new(
                        "assigned_interpreter",
                        request.assigned_interpreter,
                        None::<i64>,
                    ));
                    request.assigned_interpreter = None;
                    request.booked_at = None;
                    o.notices
                        .extend(notify::to_coordinators(tx, NoticeKind::InterpreterWithdrew).await?);
                    o.notices
                        .push(Notice::new(request.requested_by, NoticeKind::InterpreterWithdrew));
                }
                o
            }
            Command::LapseOffers { .. } => {
                request.status = request.status.apply(Event::OffersLapsed, actor.kind)?;
                let lapsed = tx.close_pending_offers(id, None, OfferStatus::Lapsed, now).await?;
                let mut o = Outcome::new("offers_lapsed");
                o.changes.push(Change::new("lapsed_offers", None::<i64>, lapsed));
                o.notices
                    .extend(notify::to_coordinators(tx, NoticeKind::OffersLapsed).await?);
                o
            }
            Command::WithdrawInterpreter { .. } => {
                request.status = request.status.apply(Event::Withdraw, actor.kind)?;
                let mut o = Outcome::new("withdraw");
                o.changes.push(Change::new(
                    "assigned_interpreter",
                    request.assigned_interpreter,
                    None::<i64>,
                ));
                if actor.kind == ActorKind::Coordinator
                    && let Some(interpreter) = request.assigned_interpreter
                {
                    o.notices.push(Notice::new(interpreter, NoticeKind::AssignmentRemoved));
                }
                request.assigned_interpreter = None;
                request.booked_at = None;
                o.notices
                    .extend(notify::to_coordinators(tx, NoticeKind::InterpreterWithdrew).await?);
                o.notices
                    .push(Notice::new(request.requested_by, NoticeKind::InterpreterWithdrew));
                o
            }
            Command::CancelRequest { reason, detail, .. } => {
                request.status = request.status.apply(Event::Cancel, actor.kind)?;
                let late = is_late_cancellation(
                    request.booked_at,
                    request.starts_at,
                    now,
                    self.config.late_cancellation_hours,
                );
                request.cancellation = Some(Cancellation {
                    reason,
                    detail,
                    at: now,
                    late,
                });
                let mut o = Outcome::new("cancel");
                o.changes
                    .push(Change::new("cancellation_reason", None::<&str>, reason.as_str()));
                o.changes.push(Change::new("late_cancellation", None::<bool>, late));
                for interpreter in tx.close_pending_offers(id, None, OfferStatus::Withdrawn, now).await? {
                    o.notices.push(Notice::new(interpreter, NoticeKind::RequestCancelled));
                }
                if let Some(interpreter) = request.assigned_interpreter {
                    o.notices.push(Notice::new(interpreter, NoticeKind::RequestCancelled));
                }
                if before.status != RequestStatus::Draft {
                    o.notices
                        .extend(notify::to_coordinators(tx, NoticeKind::RequestCancelled).await?);
                }
                if actor.person != Some(request.requested_by) && before.status != RequestStatus::Draft {
                    o.notices
                        .push(Notice::new(request.requested_by, NoticeKind::RequestCancelled));
                }
                o
            }
            Command::RecordService { record, .. } => {
                request.status = request.status.apply(Event::RecordService, actor.kind)?;
                if now < request.starts_at {
                    return Err(WorkflowError::TooEarly);
                }
                if before.status == RequestStatus::Cancelled && request.booked_at.is_none() {
                    return Err(WorkflowError::BadCommand("nobody was booked for this request"));
                }
                let local_now = now.with_timezone(&self.config.time_zone).naive_local();
                let problems = record.problems(&RecordContext {
                    request_type: request.details.request_type,
                    appointment: request.details.starts_at_local(),
                    scheduled_minutes: request.details.duration_minutes,
                    now: local_now,
                });
                if !problems.is_empty() {
                    return Err(WorkflowError::InvalidRecord(problems));
                }
                let previous = tx.service_record(id).await?;
                tx.upsert_service_record(id, &record, actor.person, now).await?;
                let mut o = Outcome::new(if previous.is_some() {
                    "correct_service_record"
                } else {
                    "record_service"
                });
                o.changes.push(Change::new(
                    "completed",
                    previous.as_ref().map(|p| p.completed),
                    record.completed,
                ));
                o.changes.push(Change::new(
                    "interpreter_present",
                    previous.as_ref().map(|p| p.interpreter_present),
                    record.interpreter_present,
                ));
                o.changes.push(Change::new(
                    "worked_minutes",
                    previous.as_ref().and_then(ServiceRecord::worked_minutes),
                    record.worked_minutes(),
                ));
                if request.status == RequestStatus::ServiceRendered {
                    // A new or corrected record: the requester validates what is there now,
                    // with 48 hours from now.
                    request.service_recorded_at = Some(now);
                    request.service_contested_at = None;
                    o.notices
                        .push(Notice::new(request.requested_by, NoticeKind::ServiceRecorded));
                }
                o
            }
            Command::ValidateService { .. } => {
                request.status = request.status.apply(Event::Validate, actor.kind)?;
                let mut o = Outcome::new("validate");
                if let Some(interpreter) = request.assigned_interpreter {
                    o.notices.push(Notice::new(interpreter, NoticeKind::ServiceValidated));
                }
                o
            }
            Command::ContestService { reason, .. } => {
                request.status = request.status.apply(Event::Contest, actor.kind)?;
                request.service_contested_at = Some(now);
                tx.set_contest_note(id, reason.as_deref()).await?;
                let mut o = Outcome::new("contest");
                o.changes
                    .push(Change::new("contested", None::<&str>, reason.as_deref()));
                o.notices
                    .extend(notify::to_coordinators(tx, NoticeKind::ServiceContested).await?);
                o
            }
            Command::CloseRequest { .. } => {
                request.status = request.status.apply(Event::Close, actor.kind)?;
                request.closed_at = Some(now);
                let mut o = Outcome::new("close");
                if let Some(interpreter) = request.assigned_interpreter {
                    o.notices.push(Notice::new(interpreter, NoticeKind::RequestClosed));
                }
                o
            }
        };

        self.persist(tx, actor, before, request, outcome, now).await
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
        let notifications = notify::queue(tx, &request, &outcome.notices, now).await?;
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
        match self.check_details(tx, &details, None, now).await {
            Ok(()) => {}
            Err(WorkflowError::Invalid(mut more)) => field_errors.append(&mut more),
            Err(e) => return Err(e),
        }
        if !field_errors.is_empty() {
            return Err(WorkflowError::Invalid(field_errors));
        }
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
            .next_in_sequence(&format!("request:{}", RequestNumber::day_key(&prefix, today)))
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
