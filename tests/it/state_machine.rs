//! Property tests over the pure state machine, and the documented table kept true.

use proptest::prelude::*;
use relais::domain::request::status::{RULES, all_events, markdown_table};
use relais::domain::request::{Event, RequestStatus, TransitionError};
use relais::domain::role::ActorKind;

fn status() -> impl Strategy<Value = RequestStatus> {
    proptest::sample::select(RequestStatus::ALL.to_vec())
}

fn event() -> impl Strategy<Value = Event> {
    proptest::sample::select(all_events().collect::<Vec<_>>())
}

fn actor() -> impl Strategy<Value = ActorKind> {
    proptest::sample::select(ActorKind::ALL.to_vec())
}

/// The table, read independently of `apply`: the edge for (status, event), and who may take it.
fn expected(from: RequestStatus, event: Event, actor: ActorKind) -> Result<RequestStatus, TransitionError> {
    let rule = RULES.iter().find(|r| r.event == event).expect("every event has a rule");
    match rule.edges.iter().find(|(f, _)| *f == from) {
        None => Err(TransitionError::NotAllowed { from, event }),
        Some(_) if !rule.actors.contains(&actor) => Err(TransitionError::NotPermitted { event, actor }),
        Some((_, to)) => Ok(*to),
    }
}

proptest! {
    /// Every allowed transition works and every other one is refused, whatever the
    /// sequence; a refused step leaves the status where it was.
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
