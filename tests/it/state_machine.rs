//! Property tests over the pure state machine, and the documented table kept true.

use proptest::prelude::*;
use relais::domain::request::status::{RULES, all_events, markdown_table};
use relais::domain::request::{Event, RequestStatus, TransitionError};
use relais::domain::role::ActorKind;

fn status() -> impl Strategy<Value = RequestStatus> {
    proptest::sample::select(RequestStatus::ALL.to_vec())
}

/// Every event, listed here rather than read from `RULES`; the `match` in `_every_event`
/// fails to compile if an event is added and not listed.
const EVENTS: [Event; 12] = [
    Event::Submit,
    Event::Offer,
    Event::OffersLapsed,
    Event::Accept,
    Event::Decline,
    Event::Modify,
    Event::Withdraw,
    Event::Cancel,
    Event::RecordService,
    Event::Validate,
    Event::Contest,
    Event::Close,
];

fn _every_event(event: Event) {
    match event {
        Event::Submit
        | Event::Offer
        | Event::OffersLapsed
        | Event::Accept
        | Event::Decline
        | Event::Modify
        | Event::Withdraw
        | Event::Cancel
        | Event::RecordService
        | Event::Validate
        | Event::Contest
        | Event::Close => {}
    }
}

fn event() -> impl Strategy<Value = Event> {
    proptest::sample::select(EVENTS.to_vec())
}

fn actor() -> impl Strategy<Value = ActorKind> {
    proptest::sample::select(ActorKind::ALL.to_vec())
}

/// Where `event` leads from `from`, written from the life cycle in
/// `docs/state-machine.md` (the diagram and its rules), not from `RULES`: a wrong entry in
/// the table then fails the property test below.
fn oracle_edge(from: RequestStatus, event: Event) -> Option<RequestStatus> {
    use Event as E;
    use RequestStatus as S;
    match (from, event) {
        // draft ──submit──▶ new
        (S::Draft, E::Submit) => Some(S::New),
        // new ──offer──▶ offered; more interpreters may be offered while it waits.
        (S::New | S::Offered, E::Offer) => Some(S::Offered),
        // Every open offer lapsed: back to new.
        (S::Offered, E::OffersLapsed) => Some(S::New),
        // The offered interpreter accepts, or the assigned one accepts a modification.
        (S::Offered | S::Modified, E::Accept) => Some(S::Booked),
        // The last refusal, or a refused modification: back to new.
        (S::Offered | S::Modified, E::Decline) => Some(S::New),
        // Changing a booked request makes it modified; otherwise the status stays.
        (S::Booked, E::Modify) => Some(S::Modified),
        (S::Draft | S::New | S::Offered | S::Modified, E::Modify) => Some(from),
        // The assigned interpreter withdraws (or is withdrawn): back to new.
        (S::Booked | S::Modified, E::Withdraw) => Some(S::New),
        // cancel: from draft, new, offered, booked or modified.
        (S::Draft | S::New | S::Offered | S::Booked | S::Modified, E::Cancel) => Some(S::Cancelled),
        // The record: booked becomes service rendered; corrected until validated; a
        // cancelled request may get one and stays cancelled.
        (S::Booked | S::ServiceRendered, E::RecordService) => Some(S::ServiceRendered),
        (S::Cancelled, E::RecordService) => Some(S::Cancelled),
        (S::ServiceRendered, E::Validate) => Some(S::Validated),
        // A contest leaves the status unchanged; the record waits for a coordinator.
        (S::ServiceRendered, E::Contest) => Some(S::ServiceRendered),
        // The coordinator closes a validated record, or a contested one once checked.
        (S::Validated | S::ServiceRendered, E::Close) => Some(S::Closed),
        _ => None,
    }
}

/// Who may make `event`, from the same documented rules.
fn oracle_permits(event: Event, actor: ActorKind) -> bool {
    use ActorKind as A;
    use Event as E;
    match (event, actor) {
        // The requester sends and changes their requests; a coordinator may too.
        (E::Submit | E::Modify | E::Cancel, A::Requester | A::Coordinator) => true,
        // Offers are made by coordinators, or by Relais when they lapse or are made for it.
        (E::Offer | E::OffersLapsed, A::Coordinator | A::System) => true,
        // Only the interpreter answers an offer or a modification.
        (E::Accept | E::Decline, A::Interpreter) => true,
        // The interpreter withdraws or records; a coordinator may do either for them.
        (E::Withdraw | E::RecordService, A::Interpreter | A::Coordinator) => true,
        // Validate: requester, or Relais after 48 h; a coordinator may too.
        (E::Validate, A::Requester | A::Coordinator | A::System) => true,
        (E::Contest, A::Requester | A::Coordinator) => true,
        (E::Close, A::Coordinator) => true,
        _ => false,
    }
}

/// What `apply` must answer: a transition that does not exist is not allowed, whoever asks;
/// one that exists is not permitted to the wrong actor.
fn expected(from: RequestStatus, event: Event, actor: ActorKind) -> Result<RequestStatus, TransitionError> {
    let to = oracle_edge(from, event).ok_or(TransitionError::NotAllowed { from, event })?;
    if !oracle_permits(event, actor) {
        return Err(TransitionError::NotPermitted { event, actor });
    }
    Ok(to)
}

#[test]
fn the_oracle_and_the_table_list_the_same_events() {
    let mut listed: Vec<&str> = EVENTS.iter().map(|e| e.as_str()).collect();
    let mut table: Vec<&str> = all_events().map(|e| e.as_str()).collect();
    listed.sort_unstable();
    table.sort_unstable();
    assert_eq!(listed, table);
}

/// Every (status, event, actor), not only those a random walk happens to meet.
#[test]
fn every_transition_matches_the_oracle() {
    for from in RequestStatus::ALL {
        for event in EVENTS {
            for actor in ActorKind::ALL {
                assert_eq!(
                    from.apply(event, actor),
                    expected(from, event, actor),
                    "{from} {event} by {actor:?}"
                );
            }
        }
    }
}

proptest! {
    /// Every allowed transition works and every other one is refused, whatever the
    /// sequence, as the oracle says; a refused step leaves the status where it was.
    #[test]
    fn any_sequence_follows_the_table(start in status(), steps in proptest::collection::vec((event(), actor()), 0..40)) {
        let mut current = start;
        for (event, actor) in steps {
            let result = current.apply(event, actor);
            prop_assert_eq!(result, expected(current, event, actor));
            if let Ok(next) = result {
                current = next;
            }
        }
    }

    /// Once cancelled or closed, nothing moves a request: an event is refused, or (a record of
    /// the calls made on a cancelled request) leaves it where it is.
    #[test]
    fn terminal_statuses_stay_terminal(event in event(), actor in actor()) {
        for terminal in [RequestStatus::Cancelled, RequestStatus::Closed] {
            match terminal.apply(event, actor) {
                Ok(next) => prop_assert_eq!(next, terminal),
                Err(e) => {
                    let refused = matches!(e, TransitionError::NotAllowed { .. } | TransitionError::NotPermitted { .. });
                    prop_assert!(refused);
                }
            }
        }
    }
}

#[test]
fn every_non_terminal_status_is_reachable_and_can_end() {
    use std::collections::HashSet;
    let mut reached = HashSet::from([RequestStatus::Draft]);
    let mut frontier = vec![RequestStatus::Draft];
    while let Some(s) = frontier.pop() {
        for rule in RULES {
            for (from, to) in rule.edges {
                if *from == s && reached.insert(*to) {
                    frontier.push(*to);
                }
            }
        }
    }
    assert_eq!(
        reached.len(),
        RequestStatus::ALL.len(),
        "unreachable statuses: {reached:?}"
    );
}

#[test]
fn the_documented_table_is_the_machine() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/state-machine.md")).unwrap();
    let table = markdown_table();
    assert!(
        doc.contains(&table),
        "docs/state-machine.md is out of date; its table must read:\n{table}"
    );
}
