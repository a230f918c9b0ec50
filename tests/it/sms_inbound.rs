//! SMS in, on both engines: answers with or without codes, several offers, opt-out,
//! strangers, duplicates from the gateway, and many accepts at once.

use crate::support;

use relais::domain::request::RequestStatus;
use relais::inbound::sms_pipeline::{InboundSms, SmsPipeline};
use support::{Engine, TestBank, offer};

on_both_engines!(
    a_yes_books_the_only_open_offer_once,
    several_offers_need_a_code,
    conditions_stop_words_and_strangers,
    a_booked_interpreter_withdraws_by_sms,
    many_accepts_at_once_book_exactly_one,
    a_late_yes_names_the_offer_it_answered_or_none,
);

fn pipeline(bank: &TestBank) -> SmsPipeline {
    SmsPipeline::new(bank.workflow.clone(), "CA", "Relais")
}

fn sms<'a>(id: &'a str, from: &'a str, text: &'a str) -> InboundSms<'a> {
    InboundSms {
        gateway: "kannel",
        gateway_id: id,
        from,
        to: "+15145550100",
        text,
    }
}

async fn code(bank: &TestBank, request: relais::domain::ids::RequestId, interpreter: usize) -> String {
    let mut tx = bank.store.begin().await.unwrap();
    let code = tx
        .offer_code(request, bank.interpreters[interpreter])
        .await
        .unwrap()
        .unwrap();
    tx.commit().await.unwrap();
    code
}

async fn a_yes_books_the_only_open_offer_once(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let id = bank.create().await;
    bank.workflow
        .execute(
            bank.as_coordinator(),
            offer(id, vec![bank.interpreters[0], bank.interpreters[1]]),
        )
        .await
        .unwrap();
    let code = code(&bank, id, 0).await;
    assert_eq!(code.len(), 4);
    let p = pipeline(&bank);
    // The interpreter writes the number their own way: still them.
    let answer = p.process(sms("k1", "514-555-0110", "Oui merci 👍")).await.unwrap();
    assert_eq!(answer.outcome, "accepted");
    assert!(
        answer.reply.contains("HC-26061001") && answer.reply.contains("réservée"),
        "{}",
        answer.reply
    );
    assert_eq!(bank.load(id).await.assigned_interpreter, Some(bank.interpreters[0]));
    // The gateway sends it again: same answer, applied once.
    let again = p.process(sms("k1", "514-555-0110", "Oui merci 👍")).await.unwrap();
    assert_eq!(again.outcome, "duplicate (accepted)");
    assert_eq!(again.reply, answer.reply);
    assert_eq!(
        bank.load(id).await.version,
        3,
        "create, offer, accept: no fourth change"
    );
    // Too late for the other one: told the offer was filled, not that nothing waits.
    let late = p.process(sms("k2", "+15145550111", "OUI")).await.unwrap();
    assert_eq!(late.outcome, "offer_closed");
    assert!(
        late.reply.contains("HC-26061001") && late.reply.contains("pourvue"),
        "{}",
        late.reply
    );
    // Someone who was never offered anything still hears that nothing waits.
    let never = p.process(sms("k3", "+15145550112", "OUI")).await.unwrap();
    assert_eq!(never.outcome, "nothing_open");
}

async fn several_offers_need_a_code(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let first = bank.create().await;
    let second = bank.create().await;
    for id in [first, second] {
        bank.workflow
            .execute(bank.as_coordinator(), offer(id, vec![bank.interpreters[2]]))
            .await
            .unwrap();
    }
    let (c1, c2) = (code(&bank, first, 2).await, code(&bank, second, 2).await);
    assert_ne!(c1, c2, "an interpreter's open codes differ");
    let p = pipeline(&bank);
    let which = p.process(sms("m1", "+15145550112", "OUI")).await.unwrap();
    assert_eq!(which.outcome, "which");
    assert!(
        which.reply.contains(&c1) && which.reply.contains(&c2),
        "{}",
        which.reply
    );
    assert_eq!(
        bank.load(first).await.status,
        RequestStatus::Offered,
        "nothing was done"
    );
    assert_eq!(bank.load(second).await.status, RequestStatus::Offered);
    let wrong = p.process(sms("m2", "+15145550112", "OUI 0000")).await.unwrap();
    assert_eq!(wrong.outcome, "unknown_code");
    let answer = p
        .process(sms("m3", "+15145550112", &format!("non #{c2}")))
        .await
        .unwrap();
    assert_eq!(answer.outcome, "declined");
    assert_eq!(bank.load(second).await.status, RequestStatus::New);
    assert_eq!(bank.load(first).await.status, RequestStatus::Offered);
    // One left: a plain yes is enough now.
    assert_eq!(
        p.process(sms("m4", "+15145550112", "yes")).await.unwrap().outcome,
        "accepted"
    );
    assert_eq!(bank.load(first).await.status, RequestStatus::Booked);
}

async fn conditions_stop_words_and_strangers(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let id = bank.create().await;
    bank.workflow
        .execute(bank.as_coordinator(), offer(id, vec![bank.interpreters[0]]))
        .await
        .unwrap();
    let p = pipeline(&bank);
    let conditional = p
        .process(sms("c1", "+15145550110", "Oui mais pas avant 14 h"))
        .await
        .unwrap();
    assert_eq!(conditional.outcome, "help");
    assert_eq!(
        bank.load(id).await.status,
        RequestStatus::Offered,
        "a condition is not an acceptance"
    );
    assert_eq!(
        p.process(sms("c2", "+15145550110", "Stop by at 3"))
            .await
            .unwrap()
            .outcome,
        "help"
    );
    assert_eq!(
        p.process(sms("c3", "+15145550110", "ARRÊT")).await.unwrap().outcome,
        "opted_out"
    );
    let mut tx = bank.store.begin().await.unwrap();
    assert!(!tx.person(bank.interpreters[0]).await.unwrap().notify_sms);
    tx.commit().await.unwrap();
    assert_eq!(
        p.process(sms("c4", "+15145550110", "START")).await.unwrap().outcome,
        "opted_in"
    );
    let mut tx = bank.store.begin().await.unwrap();
    assert!(tx.person(bank.interpreters[0]).await.unwrap().notify_sms);
    tx.commit().await.unwrap();
    let stranger = p.process(sms("c5", "+15145559999", "OUI")).await.unwrap();
    assert_eq!(stranger.outcome, "unknown_number");
    assert!(!stranger.reply.contains("HC-"), "reveals nothing: {}", stranger.reply);
    assert_eq!(bank.load(id).await.status, RequestStatus::Offered);
}

async fn a_booked_interpreter_withdraws_by_sms(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let id = bank.request_in(RequestStatus::Booked).await;
    let answer = pipeline(&bank)
        .process(sms("w1", "+15145550110", "Désistement"))
        .await
        .unwrap();
    assert_eq!(answer.outcome, "withdrawn");
    assert_eq!(bank.load(id).await.status, RequestStatus::New);
}

/// Three interpreters accept the same broadcast at the same moment, by SMS and by mail:
/// one is booked, the others hear that it is filled.
async fn many_accepts_at_once_book_exactly_one(engine: Engine) {
    let bank = std::sync::Arc::new(TestBank::new(engine).await);
    for round in 0..5 {
        let id = bank.create().await;
        bank.workflow
            .execute(bank.as_coordinator(), offer(id, bank.interpreters.clone()))
            .await
            .unwrap();
        let mut tasks = Vec::new();
        for i in 0..3 {
            let bank = bank.clone();
            tasks.push(tokio::spawn(async move {
                if i == 2 {
                    // By mail (or a link): straight through the workflow.
                    match bank
                        .workflow
                        .execute(
                            bank.as_interpreter(2),
                            relais::workflow::Command::AcceptOffer { request: id },
                        )
                        .await
                    {
                        Ok(_) => "accepted".to_string(),
                        Err(_) => "offer_closed".to_string(),
                    }
                } else {
                    let number = format!("+1514555011{i}");
                    let gateway_id = format!("race-{round}-{i}");
                    pipeline(&bank)
                        .process(sms(&gateway_id, &number, "OUI"))
                        .await
                        .unwrap()
                        .outcome
                }
            }));
        }
        let mut outcomes = Vec::new();
        for t in tasks {
            outcomes.push(t.await.unwrap());
        }
        let winners = outcomes.iter().filter(|o| *o == "accepted").count();
        assert_eq!(winners, 1, "round {round}: {outcomes:?}");
        assert!(
            outcomes
                .iter()
                .all(|o| o == "accepted" || o == "offer_closed" || o == "nothing_open"),
            "{outcomes:?}"
        );
        let request = bank.load(id).await;
        assert_eq!(request.status, RequestStatus::Booked);
        let mut tx = bank.store.begin().await.unwrap();
        let accepted = tx
            .offers_of_request(id)
            .await
            .unwrap()
            .iter()
            .filter(|o| o.status.as_str() == "accepted")
            .count();
        assert_eq!(accepted, 1);
        tx.commit().await.unwrap();
    }
}

/// Two offers to the same interpreter close (filled by a colleague); a late plain OUI
/// cannot say which it answered, so the answer names neither. With its code, it names
/// that one.
async fn a_late_yes_names_the_offer_it_answered_or_none(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let first = bank.create().await;
    let second = bank.create().await;
    for id in [first, second] {
        bank.workflow
            .execute(
                bank.as_coordinator(),
                offer(id, vec![bank.interpreters[0], bank.interpreters[2]]),
            )
            .await
            .unwrap();
    }
    let p = pipeline(&bank);
    let (late_first, _) = (code(&bank, first, 2).await, code(&bank, second, 2).await);
    for (i, id) in [first, second].into_iter().enumerate() {
        let c = code(&bank, id, 0).await;
        let taken = p
            .process(sms(&format!("t{i}"), "+15145550110", &format!("OUI {c}")))
            .await
            .unwrap();
        assert_eq!(taken.outcome, "accepted", "{}", taken.reply);
    }
    let (n1, n2) = (bank.load(first).await.label(), bank.load(second).await.label());
    let plain = p.process(sms("late1", "+15145550112", "Oui")).await.unwrap();
    assert_eq!(plain.outcome, "offer_closed");
    assert!(
        !plain.reply.contains(&n1) && !plain.reply.contains(&n2),
        "names an offer it cannot know was answered: {}",
        plain.reply
    );
    assert!(plain.reply.contains("ne sont plus ouvertes"), "{}", plain.reply);
    let coded = p
        .process(sms("late2", "+15145550112", &format!("OUI {late_first}")))
        .await
        .unwrap();
    assert_eq!(coded.outcome, "offer_closed");
    assert!(
        coded.reply.contains(&n1) && !coded.reply.contains(&n2),
        "{}",
        coded.reply
    );
}
