//! What a mail source remembers of the messages it must try again: each one waits its
//! own time (2 s, doubling up to 5 minutes), so one message that keeps failing never
//! holds back those behind it.

use std::collections::HashMap;
use std::hash::Hash;
use std::time::{Duration, Instant};

const FIRST_WAIT: Duration = Duration::from_secs(2);
const LONGEST_WAIT: Duration = Duration::from_secs(300);

/// After this many failures in a row within one pass, a source ends the pass: the
/// database is likely down, and the next pass comes soon enough.
pub const FAILURES_TO_END_PASS: u32 = 3;

#[derive(Debug, Clone, Copy)]
struct Waiting {
    failures: u32,
    until: Instant,
}

/// Messages that failed and when each may be tried again, by the source's key for them
/// (a file name, a UID).
#[derive(Debug)]
pub struct Retries<K> {
    waiting: HashMap<K, Waiting>,
}

impl<K: Eq + Hash + Clone> Default for Retries<K> {
    fn default() -> Self {
        Retries {
            waiting: HashMap::new(),
        }
    }
}

impl<K: Eq + Hash + Clone> Retries<K> {
    /// How many times `key` failed so far.
    pub fn failures(&self, key: &K) -> u32 {
        self.waiting.get(key).map_or(0, |w| w.failures)
    }

    /// Whether `key` may be tried at `now`.
    pub fn is_due(&self, key: &K, now: Instant) -> bool {
        self.waiting.get(key).is_none_or(|w| w.until <= now)
    }

    /// Records a failure of `key` at `now`; returns how long it now waits.
    pub fn failed(&mut self, key: &K, now: Instant) -> Duration {
        let failures = self.failures(key) + 1;
        let wait = FIRST_WAIT
            .saturating_mul(2_u32.saturating_pow(failures - 1))
            .min(LONGEST_WAIT);
        self.waiting.insert(
            key.clone(),
            Waiting {
                failures,
                until: now + wait,
            },
        );
        wait
    }

    /// `key` was recorded: nothing more to remember.
    pub fn succeeded(&mut self, key: &K) {
        self.waiting.remove(key);
    }

    /// Forgets keys the source no longer holds (another process took them).
    pub fn keep_only(&mut self, present: impl Fn(&K) -> bool) {
        self.waiting.retain(|k, _| present(k));
    }

    pub fn is_empty(&self) -> bool {
        self.waiting.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_failure_doubles_the_wait_up_to_five_minutes() {
        let mut retries = Retries::default();
        let start = Instant::now();
        assert!(retries.is_due(&"a", start));
        assert_eq!(retries.failed(&"a", start), Duration::from_secs(2));
        assert!(!retries.is_due(&"a", start));
        assert!(retries.is_due(&"b", start), "another message is not held back");
        assert!(retries.is_due(&"a", start + Duration::from_secs(2)));
        assert_eq!(retries.failed(&"a", start), Duration::from_secs(4));
        for _ in 0..20 {
            retries.failed(&"a", start);
        }
        assert_eq!(retries.failed(&"a", start), Duration::from_secs(300));
        assert_eq!(retries.failures(&"a"), 23);
        retries.succeeded(&"a");
        assert_eq!(retries.failures(&"a"), 0);
        assert!(retries.is_empty());
    }
}
