//! The request life cycle through the workflow, on both engines: what changes, who is
//! told, what history keeps, and what is refused with nothing changed.

use crate::support;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use relais::domain::history::{Entity, REDACTED};
use relais::domain::request::{CancellationReason, Event, Field, Problem, RequestStatus, TransitionError};
use relais::domain::role::{ActorKind, Channel};
use relais::store::outbox::OutboxChannel;
use relais::workflow::{Actor, Command, WorkflowError};
use std::collections::HashSet;
use support::{Engine, TestBank, cancel, offer, record};

on_both_engines!(
    a_request_lives_its_whole_life,
    first_to_accept_wins_and_the_others_are_told,
    a_refusal_returns_the_request_only_when_nobody_is_left,
    withdrawal_sends_the_request_back_to_coordinators,
    requesters_act_only_on_their_installation,
    interpreters_act_only_on_what_is_theirs,
    late_cancellation_follows_the_48_hour_rule,
    invalid_details_are_named_and_nothing_is_stored,
    unchanged_modification_is_a_quiet_no_op,
    automatic_validation_waits_48_hours,
    patient_details_are_erased_after_retention,
    illegal_transitions_change_nothing,
    concurrent_bookings_get_distinct_numbers,
    notifications_carry_no_health_information,
    drafts_get_their_number_when_sent,
    the_requester_hears_of_every_change,
);

async fn a_request_lives_its_whole_life(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let id = bank.create().await;
    let wf = &bank.workflow;
    let steps: Vec<(Actor, Command, RequestStatus)> = vec![
        (
            bank.as_coordinator(),
            offer(id, vec![bank.interpreters[0]]),
            RequestStatus::Offered,
        ),
        (
            bank.as_interpreter(0),
            Command::AcceptOffer { request: id },
            RequestStatus::Booked,
        ),
        (
            bank.as_requester(),
            Command::ModifyRequest {
                request: id,
                details: {
                    let mut d = bank.details();
                    d.duration_minutes = 90;
                    d
                },
            },
            RequestStatus::Modified,
        ),
        (
            bank.as_interpreter(0),
            Command::AcceptOffer { request: id },
            RequestStatus::Booked,
        ),
        (
            bank.as_interpreter(0),
            Command::RecordService {
                request: id,
                record: record(),
            },
            RequestStatus::ServiceRendered,
        ),
        (
            bank.as_requester(),
            Command::ValidateService { request: id },
            RequestStatus::Validated,
        ),
        (
            bank.as_coordinator(),
            Command::CloseRequest { request: id },
            RequestStatus::Closed,
        ),
    ];
    let mut version = 1;
    for (actor, command, expected) in steps {
        bank.clock.advance(Duration::minutes(5));
        if matches!(command, Command::RecordService { .. }) {
            // Recorded once the appointment is over.
            bank.clock.set(bank.load(id).await.starts_at + Duration::minutes(90));
        }
        let applied = wf.execute(actor, command).await.unwrap();
        assert_eq!(applied.to, expected);
        let request = bank.load(id).await;
        assert_eq!(request.status, expected);
        version += 1;
        assert_eq!(request.version, version, "each change is a new version");
    }
    let request = bank.load(id).await;
    assert_eq!(request.assigned_interpreter, Some(bank.interpreters[0]));
    assert_eq!(request.details.duration_minutes, 90);
    assert!(request.closed_at.is_some() && request.booked_at.is_some() && request.service_recorded_at.is_some());

    let mut tx = bank.store.begin().await.unwrap();
    let history = tx.history_of(Entity::Request, id.0).await.unwrap();
    let actions: Vec<&str> = history.iter().map(|h| h.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "create",
            "offer",
            "accept",
            "modify",
            "accept",
            "record_service",
            "validate",
            "close"
        ]
    );
    assert_eq!(history[2].actor_id, Some(bank.interpreters[0]));
    assert_eq!(history[2].actor_kind, ActorKind::Interpreter);
    assert_eq!(history[2].channel, Channel::Sms);
    assert_eq!(history[3].channel, Channel::Email);
    let modify = &history[3];
    assert!(
        modify
            .changes
            .iter()
            .any(|c| c.field == "duration_minutes" && c.from == 60 && c.to == 90)
    );
    assert!(
        modify
            .changes
            .iter()
            .any(|c| c.field == "status" && c.from == "booked" && c.to == "modified")
    );
    assert!(history.windows(2).all(|w| w[0].at < w[1].at));

    let service = tx.service_record(id).await.unwrap().unwrap();
    assert_eq!(service, record());
}

async fn first_to_accept_wins_and_the_others_are_told(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let id = bank.create().await;
    let wf = &bank.workflow;
    wf.execute(bank.as_coordinator(), offer(id, bank.interpreters.clone()))
        .await
        .unwrap();
    wf.execute(bank.as_interpreter(1), Command::AcceptOffer { request: id })
        .await
        .unwrap();
    let late = wf
        .execute(bank.as_interpreter(0), Command::AcceptOffer { request: id })
        .await
        .unwrap_err();
    assert!(matches!(late, WorkflowError::OfferClosed), "{late:?}");
    let request = bank.load(id).await;
    assert_eq!(request.status, RequestStatus::Booked);
    assert_eq!(request.assigned_interpreter, Some(bank.interpreters[1]));

    let mut tx = bank.store.begin().await.unwrap();
    let outbox = tx.outbox_of_request(id).await.unwrap();
    let filled: HashSet<_> = outbox
        .iter()
        .filter(|m| m.kind == "offer_filled")
        .map(|m| m.recipient)
        .collect();
    assert_eq!(filled, HashSet::from([bank.interpreters[0], bank.interpreters[2]]));
    // Interpreters hear by SMS and email; the requester by email only.
    assert!(
        outbox
            .iter()
            .any(|m| m.kind == "offer_filled" && m.channel == OutboxChannel::Sms)
    );
    let booked: Vec<_> = outbox.iter().filter(|m| m.kind == "request_booked").collect();
    assert_eq!(booked.len(), 1);
    assert_eq!(
        (booked[0].recipient, booked[0].channel),
        (bank.requester, OutboxChannel::Email)
    );
    let offers = tx.offers_of_request(id).await.unwrap();
    let statuses: Vec<&str> = offers.iter().map(|o| o.status.as_str()).collect();
    assert_eq!(statuses, ["withdrawn", "accepted", "withdrawn"]);
}

async fn a_refusal_returns_the_request_only_when_nobody_is_left(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let id = bank.create().await;
    let wf = &bank.workflow;
    wf.execute(
        bank.as_coordinator(),
        offer(id, vec![bank.interpreters[0], bank.interpreters[1]]),
    )
    .await
    .unwrap();
    let a = wf
        .execute(bank.as_interpreter(0), Command::DeclineOffer { request: id })
        .await
        .unwrap();
    assert_eq!(a.to, RequestStatus::Offered, "another offer is still open");
    let a = wf
        .execute(bank.as_interpreter(1), Command::DeclineOffer { request: id })
        .await
        .unwrap();
    assert_eq!(a.to, RequestStatus::New);
    let again = wf
        .execute(bank.as_interpreter(1), Command::DeclineOffer { request: id })
        .await
        .unwrap_err();
    assert!(
        matches!(again, WorkflowError::OfferClosed),
        "a second refusal is answered, not applied: {again:?}"
    );
    let mut tx = bank.store.begin().await.unwrap();
    let declined = tx
        .outbox_of_request(id)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.kind == "offer_declined")
        .count();
    assert_eq!(declined, 2, "the coordinator hears of each refusal");
}

async fn withdrawal_sends_the_request_back_to_coordinators(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let id = bank.request_in(RequestStatus::Booked).await;
    let applied = bank
        .workflow
        .execute(bank.as_interpreter(0), Command::WithdrawInterpreter { request: id })
        .await
        .unwrap();
    assert_eq!(applied.to, RequestStatus::New);
    let request = bank.load(id).await;
    assert_eq!(request.assigned_interpreter, None);
    assert_eq!(request.booked_at, None);
    let mut tx = bank.store.begin().await.unwrap();
    let told: HashSet<_> = tx
        .outbox_of_request(id)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.kind == "interpreter_withdrew")
        .map(|m| m.recipient)
        .collect();
    assert_eq!(told, HashSet::from([bank.coordinator, bank.requester]));
}

async fn requesters_act_only_on_their_installation(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let id = bank.create().await;
    let before = bank.load(id).await;
    let outsider = Actor::requester(bank.outsider, Channel::Email);
    let err = bank.workflow.execute(outsider, cancel(id)).await.unwrap_err();
    assert!(matches!(err, WorkflowError::Forbidden(_)), "{err:?}");
    assert_eq!(bank.load(id).await, before);
    // A colleague of the same installation may cancel (someone has to when the author is away).
    let colleague = Actor::requester(bank.colleague, Channel::Web);
    bank.workflow.execute(colleague, cancel(id)).await.unwrap();
    // A requester cannot book at an installation that is not theirs.
    let mut details = bank.details();
    details.installation_id = bank.other_installation;
    let err = bank
        .workflow
        .execute(
            bank.as_requester(),
            Command::CreateRequest {
                requested_by: bank.requester,
                details,
                submit: true,
            },
        )
        .await
        .unwrap_err();
    match err {
        WorkflowError::Invalid(errors) => assert_eq!(errors[0].field, Field::Installation),
        other => panic!("{other:?}"),
    }
    // Nor in someone else's name.
    let err = bank
        .workflow
        .execute(
            bank.as_requester(),
            Command::CreateRequest {
                requested_by: bank.colleague,
                details: bank.details(),
                submit: true,
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(err, WorkflowError::Forbidden(_)), "{err:?}");
}

async fn interpreters_act_only_on_what_is_theirs(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let id = bank.create().await;
    bank.workflow
        .execute(bank.as_coordinator(), offer(id, vec![bank.interpreters[0]]))
        .await
        .unwrap();
    let before = bank.load(id).await;
    let stranger = bank.as_interpreter(2);
    for command in [
        Command::AcceptOffer { request: id },
        Command::DeclineOffer { request: id },
        Command::RecordService {
            request: id,
            record: record(),
        },
    ] {
        let err = bank.workflow.execute(stranger, command).await.unwrap_err();
        assert!(matches!(err, WorkflowError::Forbidden(_)), "{err:?}");
    }
    assert_eq!(bank.load(id).await, before);
    // A person acting in a role they do not hold is refused before anything is read.
    let pretender = Actor::coordinator(bank.interpreters[0], Channel::Link);
    let err = bank
        .workflow
        .execute(pretender, Command::CloseRequest { request: id })
        .await
        .unwrap_err();
    assert!(matches!(err, WorkflowError::Forbidden(_)), "{err:?}");
}

async fn late_cancellation_follows_the_48_hour_rule(engine: Engine) {
    // The appointment is 2026-03-09 14:00 UTC.
    let appointment = Utc.with_ymd_and_hms(2026, 3, 9, 14, 0, 0).unwrap();
    for (hours_before, late) in [(72, false), (48, false), (47, true), (2, true)] {
        let bank = TestBank::new(engine).await;
        let id = bank.request_in(RequestStatus::Booked).await;
        bank.clock.set(appointment - Duration::hours(hours_before));
        let applied = bank.workflow.execute(bank.as_requester(), cancel(id)).await.unwrap();
        assert_eq!(applied.to, RequestStatus::Cancelled);
        let cancellation = bank.load(id).await.cancellation.unwrap();
        assert_eq!(cancellation.late, late, "{hours_before} h before");
        assert_eq!(cancellation.reason, CancellationReason::AppointmentRescheduled);
        let mut tx = bank.store.begin().await.unwrap();
        let told: HashSet<_> = tx
            .outbox_of_request(id)
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.kind == "request_cancelled")
            .map(|m| m.recipient)
            .collect();
        assert_eq!(
            told,
            HashSet::from([bank.interpreters[0], bank.coordinator]),
            "interpreter and coordinators are told"
        );
    }
    // Never confirmed: never late, even an hour before.
    let bank = TestBank::new(engine).await;
    let id = bank.request_in(RequestStatus::Offered).await;
    bank.clock.set(appointment - Duration::hours(1));
    bank.workflow.execute(bank.as_requester(), cancel(id)).await.unwrap();
    assert!(!bank.load(id).await.cancellation.unwrap().late);
}

async fn invalid_details_are_named_and_nothing_is_stored(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let mut details = bank.details();
    details.date = NaiveDate::from_ymd_opt(2026, 2, 27).unwrap();
    details.duration_minutes = 5;
    details.source_language = details.target_language.clone();
    details.location = "  ".into();
    let err = bank
        .workflow
        .execute(
            bank.as_requester(),
            Command::CreateRequest {
                requested_by: bank.requester,
                details,
                submit: true,
            },
        )
        .await
        .unwrap_err();
    let WorkflowError::Invalid(errors) = err else {
        panic!("{err:?}")
    };
    let fields: Vec<(Field, Problem)> = errors.into_iter().map(|e| (e.field, e.problem)).collect();
    assert_eq!(
        fields,
        vec![
            (Field::Location, Problem::Required),
            (Field::Date, Problem::InThePast),
            (Field::Duration, Problem::TooShort(15)),
            (Field::SourceLanguage, Problem::SameAsTargetLanguage),
        ]
    );
    let mut tx = bank.store.begin().await.unwrap();
    assert!(tx.count_requests_by_status().await.unwrap().is_empty());
    assert_eq!(
        tx.next_in_sequence("request:HC-26061").await.unwrap(),
        1,
        "no number was used up"
    );
}

async fn unchanged_modification_is_a_quiet_no_op(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let id = bank.request_in(RequestStatus::Booked).await;
    let before = bank.load(id).await;
    let applied = bank
        .workflow
        .execute(
            bank.as_requester(),
            Command::ModifyRequest {
                request: id,
                details: bank.details(),
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (applied.from, applied.to, applied.notifications),
        (Some(RequestStatus::Booked), RequestStatus::Booked, 0)
    );
    assert_eq!(bank.load(id).await, before);
}

async fn automatic_validation_waits_48_hours(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let id = bank.request_in(RequestStatus::ServiceRendered).await;
    let recorded = bank.load(id).await.service_recorded_at.unwrap();
    bank.clock.set(recorded + Duration::hours(47));
    assert_eq!(bank.workflow.sweep().await.unwrap().validated, 0);
    assert_eq!(bank.load(id).await.status, RequestStatus::ServiceRendered);
    bank.clock.set(recorded + Duration::hours(48));
    assert_eq!(bank.workflow.sweep().await.unwrap().validated, 1);
    assert_eq!(bank.load(id).await.status, RequestStatus::Validated);
    assert_eq!(
        bank.workflow.sweep().await.unwrap().validated,
        0,
        "a second sweep finds nothing"
    );
    let mut tx = bank.store.begin().await.unwrap();
    let last = tx.history_of(Entity::Request, id.0).await.unwrap().pop().unwrap();
    assert_eq!(
        (last.action.as_str(), last.actor_kind, last.channel),
        ("validate", ActorKind::System, Channel::System)
    );
}

async fn patient_details_are_erased_after_retention(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let closed = bank.request_in(RequestStatus::Closed).await;
    let cancelled = bank.request_in(RequestStatus::Cancelled).await;
    let open = bank.request_in(RequestStatus::Booked).await;
    bank.clock.advance(Duration::days(89));
    assert_eq!(bank.workflow.sweep().await.unwrap().erased, 0);
    bank.clock.advance(Duration::days(2));
    assert_eq!(bank.workflow.sweep().await.unwrap().erased, 2);
    for id in [closed, cancelled] {
        let r = bank.load(id).await;
        assert!(r.details.patient.is_empty(), "patient details erased");
        assert_eq!(r.details.notes, Default::default(), "free-text notes erased");
        assert_eq!(r.details.address, None);
        assert!(r.patient_erased_at.is_some());
        // What billing and statistics need stays.
        assert_eq!(r.details.duration_minutes, 60);
        assert_eq!(r.details.target_language.as_str(), "es");
        assert!(r.number.is_some());
    }
    assert_eq!(bank.load(closed).await.status, RequestStatus::Closed);
    let mut tx = bank.store.begin().await.unwrap();
    assert_eq!(tx.service_record(closed).await.unwrap().unwrap().comments, None);
    tx.commit().await.unwrap();
    assert!(
        !bank.load(open).await.details.patient.is_empty(),
        "open requests keep theirs"
    );
    assert_eq!(bank.workflow.sweep().await.unwrap().erased, 0);
}

/// Every command that the machine does not allow from a status is refused with a typed
/// error, and the request, its history and its outbox stay exactly as they were.
async fn illegal_transitions_change_nothing(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let mut checked = 0;
    for status in RequestStatus::ALL {
        let id = bank.request_in(status).await;
        let commands: Vec<(Event, Command)> = vec![
            (Event::Submit, Command::SubmitRequest { request: id }),
            (Event::Offer, offer(id, vec![bank.interpreters[2]])),
            (Event::OffersLapsed, Command::LapseOffers { request: id }),
            (Event::Withdraw, Command::WithdrawInterpreter { request: id }),
            (Event::Cancel, cancel(id)),
            (
                Event::RecordService,
                Command::RecordService {
                    request: id,
                    record: record(),
                },
            ),
            (Event::Validate, Command::ValidateService { request: id }),
            (
                Event::Contest,
                Command::ContestService {
                    request: id,
                    reason: None,
                },
            ),
            (Event::Close, Command::CloseRequest { request: id }),
        ];
        for (event, command) in commands {
            if status.apply(event, ActorKind::Coordinator).is_ok() || status.apply(event, ActorKind::System).is_ok() {
                continue;
            }
            let before = bank.load(id).await;
            let mut tx = bank.store.begin().await.unwrap();
            let history_before = tx.history_of(Entity::Request, id.0).await.unwrap().len();
            let outbox_before = tx.outbox_of_request(id).await.unwrap().len();
            tx.commit().await.unwrap();
            let err = bank.workflow.execute(bank.as_coordinator(), command).await.unwrap_err();
            assert!(
                matches!(err, WorkflowError::Transition(TransitionError::NotAllowed { from, event: e }) if from == status && e == event),
                "{status} + {event}: {err:?}"
            );
            assert_eq!(bank.load(id).await, before, "{status} + {event} changed the request");
            let mut tx = bank.store.begin().await.unwrap();
            assert_eq!(
                tx.history_of(Entity::Request, id.0).await.unwrap().len(),
                history_before
            );
            assert_eq!(tx.outbox_of_request(id).await.unwrap().len(), outbox_before);
            tx.commit().await.unwrap();
            checked += 1;
        }
    }
    assert!(checked >= 40, "only {checked} illegal transitions were tried");
}

/// Two writers booking at once never share a number, on either engine.
async fn concurrent_bookings_get_distinct_numbers(engine: Engine) {
    let bank = std::sync::Arc::new(TestBank::new(engine).await);
    let mut tasks = Vec::new();
    for writer in 0..2 {
        let bank = bank.clone();
        tasks.push(tokio::spawn(async move {
            let requester = if writer == 0 { bank.requester } else { bank.colleague };
            let actor = Actor::requester(requester, Channel::Email);
            let mut numbers = Vec::new();
            for _ in 0..25 {
                let applied = bank
                    .workflow
                    .execute(
                        actor,
                        Command::CreateRequest {
                            requested_by: requester,
                            details: bank.details(),
                            submit: true,
                        },
                    )
                    .await
                    .unwrap();
                numbers.push(applied.label);
            }
            numbers
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let distinct: HashSet<_> = all.iter().cloned().collect();
    assert_eq!(distinct.len(), 50, "duplicate numbers: {all:?}");
    let expected: HashSet<String> = (1..=50).map(|n| format!("HC-26061{n:03}")).collect();
    assert_eq!(distinct, expected, "numbers are the day's sequence without gaps");
}

async fn notifications_carry_no_health_information(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let id = bank.request_in(RequestStatus::Modified).await;
    bank.workflow.execute(bank.as_requester(), cancel(id)).await.unwrap();
    let mut tx = bank.store.begin().await.unwrap();
    let outbox = tx.outbox_of_request(id).await.unwrap();
    assert!(outbox.iter().any(|m| m.channel == OutboxChannel::Sms));
    let d = bank.details();
    let secrets = [
        d.patient.name.unwrap(),
        d.patient.phone.unwrap(),
        d.patient.details.unwrap(),
        d.notes.context.unwrap(),
        d.notes.reason.unwrap(),
        d.notes.message_to_interpreter.unwrap(),
        d.notes.coordinator_note.unwrap(),
    ];
    for message in &outbox {
        let text = message.payload.to_string();
        for secret in &secrets {
            assert!(!text.contains(secret.as_str()), "{} carries {secret:?}", message.kind);
        }
    }
    tx.commit().await.unwrap();
    // History says that sensitive fields changed, never what they held.
    let mut changed = bank.details();
    changed.patient.details = Some("Nouveau diagnostic".into());
    let id = bank.request_in(RequestStatus::New).await;
    bank.workflow
        .execute(
            bank.as_requester(),
            Command::ModifyRequest {
                request: id,
                details: changed,
            },
        )
        .await
        .unwrap();
    let mut tx = bank.store.begin().await.unwrap();
    let history = tx.history_of(Entity::Request, id.0).await.unwrap();
    let change = history
        .last()
        .unwrap()
        .changes
        .iter()
        .find(|c| c.field == "patient_details")
        .unwrap()
        .clone();
    assert_eq!(
        (change.from.as_str(), change.to.as_str()),
        (Some(REDACTED), Some(REDACTED))
    );
    assert!(!serde_json::to_string(&history).unwrap().contains("diagnostic"));
}

async fn drafts_get_their_number_when_sent(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let first = bank.create().await;
    let draft = bank.request_in(RequestStatus::Draft).await;
    assert_eq!(bank.load(draft).await.number, None);
    bank.clock.advance(Duration::days(1));
    let applied = bank
        .workflow
        .execute(bank.as_requester(), Command::SubmitRequest { request: draft })
        .await
        .unwrap();
    assert_eq!(applied.to, RequestStatus::New);
    assert_eq!(bank.load(first).await.number.unwrap().as_str(), "HC-26061001");
    assert_eq!(
        bank.load(draft).await.number.unwrap().as_str(),
        "HC-26062001",
        "numbered on the day it is sent"
    );
    let mut tx = bank.store.begin().await.unwrap();
    let received = tx.outbox_of_request(draft).await.unwrap();
    assert_eq!(received.len(), 1);
    assert_eq!(
        (received[0].kind.as_str(), received[0].recipient),
        ("request_received", bank.requester)
    );
}

/// Issue 19: the requester hears of every change to their request, and only once for each.
async fn the_requester_hears_of_every_change(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let wf = &bank.workflow;
    let told = |id| {
        let bank = &bank;
        async move {
            let mut tx = bank.store.begin().await.unwrap();
            let kinds: Vec<String> = tx
                .outbox_of_request(id)
                .await
                .unwrap()
                .into_iter()
                .filter(|m| m.recipient == bank.requester && m.channel == OutboxChannel::Email)
                .map(|m| m.kind)
                .collect();
            tx.commit().await.unwrap();
            kinds
        }
    };

    // The one interpreter offered refuses: the requester hears the search goes on.
    let id = bank.create().await;
    wf.execute(bank.as_coordinator(), offer(id, vec![bank.interpreters[0]]))
        .await
        .unwrap();
    wf.execute(bank.as_interpreter(0), Command::DeclineOffer { request: id })
        .await
        .unwrap();
    assert_eq!(told(id).await, ["request_received", "declined_still_looking"]);

    // Nobody answers in time: they hear that too.
    wf.execute(bank.as_coordinator(), offer(id, vec![bank.interpreters[1]]))
        .await
        .unwrap();
    bank.clock.advance(Duration::days(3));
    assert_eq!(wf.chase().await.unwrap().requests_lapsed, 1);
    assert_eq!(bank.load(id).await.status, RequestStatus::New);
    assert_eq!(
        told(id).await,
        ["request_received", "declined_still_looking", "lapsed_still_looking"]
    );

    // A coordinator changes a booking: the requester reads what changed.
    let id = bank.request_in(RequestStatus::Booked).await;
    let mut details = bank.load(id).await.details;
    details.duration_minutes = 90;
    wf.execute(bank.as_coordinator(), Command::ModifyRequest { request: id, details })
        .await
        .unwrap();
    let mut tx = bank.store.begin().await.unwrap();
    let changed = tx
        .outbox_of_request(id)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.kind == "request_changed")
        .expect("the requester is told of the coordinator's change");
    tx.commit().await.unwrap();
    assert_eq!(changed.recipient, bank.requester);
    assert_eq!(
        changed.payload["changes"],
        serde_json::json!([{ "field": "duration_minutes", "from": 60, "to": 90 }])
    );

    // Their own change on the web tells the interpreter, not them.
    let before = told(id).await.len();
    let mut details = bank.load(id).await.details;
    details.duration_minutes = 120;
    wf.execute(
        Actor::requester(bank.requester, Channel::Web),
        Command::ModifyRequest { request: id, details },
    )
    .await
    .unwrap();
    assert_eq!(told(id).await.len(), before, "nobody tells them what they did");

    // A record validated without them, then the request closed: both told.
    let id = bank.request_in(RequestStatus::ServiceRendered).await;
    let recorded = bank.load(id).await.service_recorded_at.unwrap();
    bank.clock.set(recorded + Duration::hours(48));
    wf.sweep().await.unwrap();
    wf.execute(bank.as_coordinator(), Command::CloseRequest { request: id })
        .await
        .unwrap();
    let kinds = told(id).await;
    assert!(
        kinds.ends_with(&["auto_validated".to_string(), "request_closed".to_string()]),
        "{kinds:?}"
    );
}
