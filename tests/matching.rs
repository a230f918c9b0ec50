//! Matching on both engines: who can take a request, in which order, and why the others
//! cannot, from the interpreters' profiles and bookings as stored.

mod support;

use relais::domain::interpreter::{Availability, WeeklyHours};
use relais::domain::matching::{Exclusion, Merit};
use relais::domain::request::RequestStatus;
use support::{Engine, TestBank};

async fn candidates_are_ranked_and_the_others_explained(engine: Engine) {
    let bank = TestBank::new(engine).await;
    // Interpreter 0 is booked at the very time of the new request (same details).
    bank.request_in(RequestStatus::Booked).await;
    let id = bank.create().await;
    let mut tx = bank.store.begin().await.unwrap();
    // Interpreter 1 is blocked for the requester's establishment.
    let mut p1 = tx.interpreter_profile(bank.interpreters[1]).await.unwrap().unwrap();
    p1.blocked_establishments = vec![bank.establishment];
    tx.set_interpreter_profile(bank.interpreters[1], &p1).await.unwrap();
    // Interpreter 2 works Monday mornings only: the request is Monday 10 h.
    let mut p2 = tx.interpreter_profile(bank.interpreters[2]).await.unwrap().unwrap();
    p2.availability = Availability::Weekly(vec![WeeklyHours {
        weekday: chrono::Weekday::Mon,
        starts: chrono::NaiveTime::from_hms_opt(8, 0, 0).unwrap(),
        ends: chrono::NaiveTime::from_hms_opt(12, 0, 0).unwrap(),
    }]);
    tx.set_interpreter_profile(bank.interpreters[2], &p2).await.unwrap();
    tx.commit().await.unwrap();

    let (request, matches) = bank.workflow.matches(id).await.unwrap();
    assert_eq!(request.details.date.format("%A").to_string(), "Monday");
    let ranked: Vec<_> = matches.ranked.iter().map(|r| r.person).collect();
    assert_eq!(ranked, vec![bank.interpreters[2]], "{matches:?}");
    assert!(matches.ranked[0].merits.contains(&Merit::RecentWork(0)));
    let mut excluded: Vec<_> = matches.excluded.iter().map(|(p, _, why)| (*p, why.clone())).collect();
    excluded.sort_by_key(|(p, _)| p.0);
    assert_eq!(
        excluded,
        vec![
            (bank.interpreters[0], Exclusion::Busy),
            (bank.interpreters[1], Exclusion::Blocked)
        ]
    );

    // An afternoon request: interpreter 2 is out of hours, interpreter 0 is free again and
    // has worked once recently.
    let mut details = request.details.clone();
    details.start_time = chrono::NaiveTime::from_hms_opt(15, 0, 0).unwrap();
    bank.workflow
        .execute(
            bank.as_requester(),
            relais::workflow::Command::ModifyRequest { request: id, details },
        )
        .await
        .unwrap();
    let (_, matches) = bank.workflow.matches(id).await.unwrap();
    assert_eq!(matches.ranked.len(), 1, "{matches:?}");
    assert_eq!(matches.ranked[0].person, bank.interpreters[0]);
    assert!(
        matches.ranked[0].merits.contains(&Merit::RecentWork(1)),
        "its booking counts as recent work"
    );
    assert!(
        matches
            .excluded
            .iter()
            .any(|(p, _, why)| *p == bank.interpreters[2] && *why == Exclusion::Availability)
    );
}

on_both_engines!(candidates_are_ranked_and_the_others_explained);
