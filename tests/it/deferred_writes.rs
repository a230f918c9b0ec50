//! Savepoints and releases that wait for the next statement, and writes that go with it
//! (`src/store/later.rs`), against a model that applies each at once: whatever the
//! sequence, what is read inside the transaction and what its commit keeps are what the
//! model holds. On PostgreSQL writes go at once and only the savepoints wait.

use crate::support::{Engine, TestBank, actions_since_created as actions, history_note};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use relais::domain::history::Entity;
use relais::store::Savepoint;

on_both_engines!(any_sequence_of_savepoints_and_writes_keeps_what_applying_each_at_once_keeps);

/// The points a sequence sets, by index.
const POINTS: [Savepoint; 3] = [Savepoint::SERIES, Savepoint::MESSAGE, Savepoint::COMMAND];

#[derive(Debug, Clone, Copy)]
enum Op {
    Set(usize),
    Release(usize),
    RollBack(usize),
    Write,
    Read,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => (0..POINTS.len()).prop_map(Op::Set),
        1 => (0..POINTS.len()).prop_map(Op::Release),
        1 => (0..POINTS.len()).prop_map(Op::RollBack),
        3 => Just(Op::Write),
        1 => Just(Op::Read),
    ]
}

/// The transaction as applying each statement at once leaves it: its own writes, and the
/// points set with the writes made since each.
#[derive(Debug, Default)]
struct Model {
    base: Vec<String>,
    points: Vec<(usize, Vec<String>)>,
}

impl Model {
    fn visible(&self) -> Vec<String> {
        let mut all = self.base.clone();
        for (_, writes) in &self.points {
            all.extend(writes.iter().cloned());
        }
        all
    }

    fn write(&mut self, action: String) {
        match self.points.last_mut() {
            Some((_, writes)) => writes.push(action),
            None => self.base.push(action),
        }
    }

    /// The latest point named `point`, as SQL finds it.
    fn find(&self, point: usize) -> Option<usize> {
        self.points.iter().rposition(|(p, _)| *p == point)
    }

    /// `RELEASE`: the point and those set after it end, their writes kept by the one below.
    fn release(&mut self, at: usize) {
        let ended: Vec<String> = self.points.drain(at..).flat_map(|(_, w)| w).collect();
        match self.points.last_mut() {
            Some((_, writes)) => writes.extend(ended),
            None => self.base.extend(ended),
        }
    }

    /// `Tx::rollback_to`: the writes since the point are undone, and the point ends.
    fn roll_back(&mut self, at: usize) {
        self.points.truncate(at);
    }
}

async fn any_sequence_of_savepoints_and_writes_keeps_what_applying_each_at_once_keeps(engine: Engine) {
    let bank = TestBank::new(engine).await;
    // Sequences drawn from a fixed seed, so that a failure comes back the same.
    let mut runner = TestRunner::deterministic();
    let sequences = proptest::collection::vec(op(), 0..30);
    for case in 0..48 {
        let ops = sequences.new_tree(&mut runner).expect("a sequence").current();
        let request = bank.create().await;
        let mut model = Model::default();
        let mut tx = bank.store.begin().await.unwrap();
        for (n, op) in ops.iter().enumerate() {
            match *op {
                Op::Set(p) => {
                    tx.savepoint_at(POINTS[p]).await.unwrap();
                    model.points.push((p, Vec::new()));
                }
                // Only points set and not ended, as the workflow does.
                Op::Release(p) => {
                    if let Some(at) = model.find(p) {
                        tx.release(POINTS[p]).await.unwrap();
                        model.release(at);
                    }
                }
                Op::RollBack(p) => {
                    if let Some(at) = model.find(p) {
                        tx.rollback_to(POINTS[p]).await.unwrap();
                        model.roll_back(at);
                    }
                }
                Op::Write => {
                    let action = format!("w{n}");
                    tx.record_history(&history_note(request, &action)).await.unwrap();
                    model.write(action);
                }
                Op::Read => {
                    let read = actions(tx.history_of(Entity::Request, request.0).await.unwrap());
                    assert_eq!(read, model.visible(), "case {case}, read at step {n} of {ops:?}");
                }
            }
        }
        tx.commit().await.unwrap();
        let mut tx = bank.store.begin_read().await.unwrap();
        let kept = actions(tx.history_of(Entity::Request, request.0).await.unwrap());
        tx.commit().await.unwrap();
        assert_eq!(kept, model.visible(), "case {case}, after the commit of {ops:?}");
    }
}
