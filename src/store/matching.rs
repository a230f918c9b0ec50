//! Loading the candidates for a request, whatever the size of the bank.
//!
//! What matching reads of the interpreters (names, languages, request types, hours,
//! inactivity, documents, blocks, gender, postal codes, contexts) changes rarely, and reading it for
//! thousands of interpreters costs far more than judging them. So it is read once, kept in
//! memory per database ([`Profiles`]), and used again for as long as the database's
//! `matching_stamp` has not changed: triggers on every table it comes from replace the
//! stamp in the same transaction as the change (migration `0009_matching`), so a change
//! made by any process is seen by every process at its next matching. The stamp is read in
//! the caller's transaction, so a transaction sees its own changes too.
//!
//! What changes by the hour, bookings around the slot and recent work, is read for each
//! request, through indexes on the requests' start times.

use super::people::weekday_from_number;
use super::{Engine, StoreError, Tx, decode, on_conn};
use crate::domain::ids::{EstablishmentId, PersonId};
use crate::domain::interpreter::{Availability, EligibilityDocument, Inactivity, WeeklyHours};
use crate::domain::language::LanguageTag;
use crate::domain::matching::{Booking, Candidate, Need, Scheduled, TRAVEL_BUFFER};
use chrono::{DateTime, NaiveDate, NaiveTime, TimeDelta, Utc};
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Bookings within this long before or after now count as an interpreter's recent work.
pub const RECENT_WORK: TimeDelta = TimeDelta::days(30);

/// How many databases a process keeps profiles for; one in production, many in the tests.
const DATABASES_KEPT: usize = 4;

/// The profiles kept in this process: `(database_id, profiles)`, the latest used first.
/// A process-wide memo rather than a field of `Store`, which is a plain enum of pools: an
/// entry is only ever used after checking its stamp against the database, so it cannot
/// change what matching decides, only how fast.
static KEPT: Mutex<Vec<(i64, Arc<Profiles>)>> = Mutex::new(Vec::new());

/// Every active interpreter as matching sees them, apart from their bookings and recent
/// work, as of one `matching_stamp`.
#[derive(Debug)]
struct Profiles {
    stamp: i64,
    /// In the order of their ids.
    candidates: Vec<Candidate>,
    /// A `(source, target)` pair of language families (`LanguageTag::family`: "es" for a
    /// stored "es-MX") and the positions in `candidates` of those who have it.
    speakers: HashMap<(String, String), Vec<usize>>,
}

impl Profiles {
    /// The position of interpreter `id` in `candidates`.
    fn position(&self, id: i64) -> Option<usize> {
        self.candidates.binary_search_by_key(&id, |c| c.person.0).ok()
    }

    fn candidate_mut(&mut self, id: i64) -> Option<&mut Candidate> {
        let i = self.position(id)?;
        self.candidates.get_mut(i)
    }
}

/// The interpreters who speak the languages of a request, with their bookings around its
/// slot and their recent work: what [`crate::domain::matching::rank`] judges.
#[derive(Debug)]
pub struct Candidates {
    profiles: Arc<Profiles>,
    /// Positions in `profiles.candidates`, in order.
    members: Vec<usize>,
    /// By position in `profiles.candidates`.
    bookings: HashMap<usize, Vec<Booking>>,
    /// By position in `profiles.candidates`.
    recent_work: Vec<u32>,
}

impl Candidates {
    pub fn len(&self) -> usize {
        self.members.len()
    }

    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// The candidates, in the order of their ids.
    pub fn iter(&self) -> impl Iterator<Item = Scheduled<'_>> {
        self.members.iter().filter_map(|&i| {
            Some(Scheduled {
                candidate: self.profiles.candidates.get(i)?,
                bookings: self.bookings.get(&i).map_or(&[], Vec::as_slice),
                recent_work: self.recent_work.get(i).copied().unwrap_or(0),
            })
        })
    }
}

/// Id, first and last names, gender, postal codes (home, work), always available (0 or 1).
type PeopleRow = (
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
);

impl Tx {
    /// Every active interpreter who speaks the pair of `need` (either way) or its source with
    /// the alternative language, with what matching needs to judge them: hours, inactivity,
    /// documents, blocks, bookings around the slot, recent work (within [`RECENT_WORK`] of
    /// `now`).
    pub async fn match_candidates(&mut self, need: &Need, now: DateTime<Utc>) -> Result<Candidates, StoreError> {
        let profiles = self.profiles().await?;
        // Speakers are listed by language family: "es-MX" is asked of Spanish speakers.
        let (source, target) = (need.source.family(), need.target.family());
        let mut pairs = vec![(source, target), (target, source)];
        if let Some(alternative) = &need.alternative {
            pairs.extend([(source, alternative.family()), (alternative.family(), source)]);
        }
        let mut members: Vec<usize> = pairs
            .into_iter()
            .filter_map(|(s, t)| profiles.speakers.get(&(s.to_string(), t.to_string())))
            .flatten()
            .copied()
            .collect();
        members.sort_unstable();
        members.dedup();
        if members.is_empty() {
            return Ok(Candidates {
                profiles,
                members,
                bookings: HashMap::new(),
                recent_work: Vec::new(),
            });
        }

        // Bookings that could overlap the slot, travel included. Those of interpreters who
        // are not candidates are kept too, and never looked at: filtering them in SQL would
        // cost more than it saves.
        const BOOKINGS: &str = "SELECT assigned_interpreter_id, starts_at, duration_minutes, request_type \
             FROM requests WHERE status IN ('booked', 'modified') AND starts_at >= $1 AND starts_at < $2 \
             AND assigned_interpreter_id IS NOT NULL";
        let rows: Vec<(i64, DateTime<Utc>, i64, String)> = on_conn!(self, |c| sqlx::query_as(BOOKINGS)
            .bind(need.starts_at - TimeDelta::days(1))
            .bind(need.ends_at + TRAVEL_BUFFER)
            .fetch_all(c)
            .await?);
        let mut bookings: HashMap<usize, Vec<Booking>> = HashMap::new();
        for (id, starts_at, minutes, kind) in rows {
            if let Some(i) = profiles.position(id) {
                bookings.entry(i).or_default().push((
                    starts_at,
                    starts_at + TimeDelta::minutes(minutes),
                    kind == "in_person",
                ));
            }
        }
        // Recent work: one text of the interpreters' ids, one per request, counted here. As
        // rows (one per interpreter, thousands in a busy bank) sqlx would decode them one by
        // one, for several times the cost of the index scan itself.
        const RECENT: &str = "SELECT string_agg(CAST(assigned_interpreter_id AS TEXT), ',') FROM requests \
             WHERE starts_at >= $1 AND starts_at < $2 AND status NOT IN ('cancelled', 'draft') \
             AND assigned_interpreter_id IS NOT NULL";
        let ids: Option<String> = on_conn!(self, |c| sqlx::query_scalar(RECENT)
            .bind(now - RECENT_WORK)
            .bind(now + RECENT_WORK)
            .fetch_one(c)
            .await?);
        let mut recent_work = vec![0u32; profiles.candidates.len()];
        for id in ids.as_deref().unwrap_or("").split(',').filter(|id| !id.is_empty()) {
            let id = decode("requests.assigned_interpreter_id", id.parse::<i64>())?;
            if let Some(n) = profiles.position(id).and_then(|i| recent_work.get_mut(i)) {
                *n = n.saturating_add(1);
            }
        }
        Ok(Candidates {
            profiles,
            members,
            bookings,
            recent_work,
        })
    }

    /// The profiles as of this transaction: the ones kept if the stamp says they are
    /// current, else read now and kept.
    async fn profiles(&mut self) -> Result<Arc<Profiles>, StoreError> {
        const STAMP: &str = "SELECT database_id, stamp FROM matching_stamp WHERE id = 1";
        let stamp: Option<(i64, i64)> = on_conn!(self, |c| sqlx::query_as(STAMP).fetch_optional(c).await?);
        let Some((database, stamp)) = stamp else {
            return Err(StoreError::Corrupt("matching_stamp has no row".into()));
        };
        let kept = lock_kept()
            .iter()
            .find(|(d, p)| *d == database && p.stamp == stamp)
            .map(|(_, p)| Arc::clone(p));
        if let Some(profiles) = kept {
            return Ok(profiles);
        }
        let profiles = Arc::new(self.read_profiles(stamp).await?);
        let mut kept = lock_kept();
        kept.retain(|(d, _)| *d != database);
        kept.insert(0, (database, Arc::clone(&profiles)));
        kept.truncate(DATABASES_KEPT);
        Ok(profiles)
    }

    /// Reads every active interpreter's profile, a handful of queries whatever their number.
    /// The rows of each table are read for every interpreter; those of people who are not
    /// active interpreters have no position and are skipped.
    async fn read_profiles(&mut self, stamp: i64) -> Result<Profiles, StoreError> {
        let mut profiles = Profiles {
            stamp,
            candidates: self.read_candidates().await?,
            speakers: HashMap::new(),
        };
        self.add_languages(&mut profiles).await?;
        self.add_request_types(&mut profiles).await?;
        self.add_blocks(&mut profiles).await?;
        self.add_weekly_hours(&mut profiles).await?;
        self.add_documents(&mut profiles).await?;
        self.add_inactivity(&mut profiles).await?;
        self.add_contexts(&mut profiles).await?;
        Ok(profiles)
    }

    /// Every active interpreter, by id: name, gender, postal code, availability kind.
    async fn read_candidates(&mut self) -> Result<Vec<Candidate>, StoreError> {
        let mut people: Vec<PeopleRow> = self
            .json_rows(
                "p.id, p.first_name, p.last_name, pr.gender, pr.postal_code, pr.work_postal_code, \
                 CAST(pr.always_available AS INTEGER)",
                "people p JOIN person_roles r ON r.person_id = p.id AND r.role = 'interpreter' \
                 LEFT JOIN interpreter_profiles pr ON pr.person_id = p.id WHERE p.active",
            )
            .await?;
        people.sort_unstable_by_key(|p| p.0);
        let mut candidates = Vec::with_capacity(people.len());
        for (id, first, last, gender, postal, work_postal, always) in people {
            let mut c = Candidate::new(PersonId(id), format!("{first} {last}"));
            c.gender = gender
                .map(|g| decode("interpreter_profiles.gender", g.parse()))
                .transpose()?;
            c.postal_code = work_postal.or(postal);
            c.availability = Some(if always.unwrap_or(1) != 0 {
                Availability::Always
            } else {
                Availability::Weekly(Vec::new())
            });
            candidates.push(c);
        }
        Ok(candidates)
    }

    async fn add_languages(&mut self, profiles: &mut Profiles) -> Result<(), StoreError> {
        let languages: Vec<(i64, String, String)> = self
            .json_rows("person_id, source_language, target_language", "interpreter_languages")
            .await?;
        // Language tags repeat across thousands of rows: parse each once.
        let mut tags: HashMap<String, LanguageTag> = HashMap::new();
        let mut tag = |code: &str| -> Result<LanguageTag, StoreError> {
            if let Some(t) = tags.get(code) {
                return Ok(t.clone());
            }
            let t = decode("interpreter_languages", LanguageTag::parse(code))?;
            tags.insert(code.to_string(), t.clone());
            Ok(t)
        };
        for (id, source, target) in languages {
            let Some(i) = profiles.position(id) else { continue };
            let pair = (tag(&source)?, tag(&target)?);
            let families = (pair.0.family().to_string(), pair.1.family().to_string());
            if let Some(c) = profiles.candidates.get_mut(i) {
                c.languages.push(pair);
            }
            profiles.speakers.entry(families).or_default().push(i);
        }
        Ok(())
    }

    async fn add_request_types(&mut self, profiles: &mut Profiles) -> Result<(), StoreError> {
        let types: Vec<(i64, String)> = self
            .json_rows("person_id, request_type", "interpreter_request_types")
            .await?;
        for (id, t) in types {
            if let Some(c) = profiles.candidate_mut(id) {
                c.request_types
                    .push(decode("interpreter_request_types.request_type", t.parse())?);
            }
        }
        Ok(())
    }

    async fn add_blocks(&mut self, profiles: &mut Profiles) -> Result<(), StoreError> {
        let blocks: Vec<(i64, i64)> = self
            .json_rows("person_id, establishment_id", "interpreter_blocks")
            .await?;
        for (id, establishment) in blocks {
            if let Some(c) = profiles.candidate_mut(id) {
                c.blocked.push(EstablishmentId(establishment));
            }
        }
        Ok(())
    }

    async fn add_weekly_hours(&mut self, profiles: &mut Profiles) -> Result<(), StoreError> {
        let hours: Vec<(i64, i64, NaiveTime, NaiveTime)> = self
            .json_rows("person_id, weekday, starts, ends", "interpreter_weekly_hours")
            .await?;
        for (id, day, starts, ends) in hours {
            if let Some(c) = profiles.candidate_mut(id)
                && let Some(Availability::Weekly(list)) = c.availability.as_mut()
            {
                let weekday = weekday_from_number(day)
                    .ok_or_else(|| StoreError::Corrupt(format!("interpreter_weekly_hours.weekday {day}")))?;
                list.push(WeeklyHours { weekday, starts, ends });
            }
        }
        Ok(())
    }

    /// Their contexts, folded once here rather than at each request.
    async fn add_contexts(&mut self, profiles: &mut Profiles) -> Result<(), StoreError> {
        let contexts: Vec<(i64, String)> = self.json_rows("person_id, context", "interpreter_contexts").await?;
        for (id, context) in contexts {
            if let Some(c) = profiles.candidate_mut(id) {
                c.contexts.push(crate::domain::text::fold(&context));
            }
        }
        Ok(())
    }

    async fn add_documents(&mut self, profiles: &mut Profiles) -> Result<(), StoreError> {
        // Only the documents that can stop someone working; the first one expired is named.
        const DOCUMENTS: &str = "SELECT person_id, name, valid_until FROM interpreter_documents \
             WHERE inactive_if_invalid AND valid_until IS NOT NULL ORDER BY person_id, id";
        let documents: Vec<(i64, String, Option<NaiveDate>)> =
            on_conn!(self, |c| sqlx::query_as(DOCUMENTS).fetch_all(c).await?);
        for (id, name, valid_until) in documents {
            if let Some(c) = profiles.candidate_mut(id) {
                c.documents.push(EligibilityDocument {
                    name,
                    description: None,
                    valid_until,
                    inactive_if_invalid: true,
                    comments: None,
                    file_id: None,
                });
            }
        }
        Ok(())
    }

    async fn add_inactivity(&mut self, profiles: &mut Profiles) -> Result<(), StoreError> {
        // Every period, past ones included: they are few, and the slot may be in the past.
        const INACTIVITY: &str = "SELECT person_id, starts_at, ends_at FROM interpreter_inactivity";
        let inactivity: Vec<(i64, DateTime<Utc>, DateTime<Utc>)> =
            on_conn!(self, |c| sqlx::query_as(INACTIVITY).fetch_all(c).await?);
        for (id, starts_at, ends_at) in inactivity {
            if let Some(c) = profiles.candidate_mut(id) {
                c.inactivity.push(Inactivity {
                    starts_at,
                    ends_at,
                    reason: None,
                });
            }
        }
        Ok(())
    }

    /// `SELECT columns FROM from` as one JSON array of arrays, each decoded as a `T`. sqlx
    /// decodes rows one at a time, at a few microseconds each: for the tens of thousands of
    /// rows of a large bank's profiles, several times what the database itself spends.
    /// Times come as `HH:MM:SS` text on both engines; booleans must be cast to integers.
    async fn json_rows<T: DeserializeOwned>(&mut self, columns: &str, from: &str) -> Result<Vec<T>, StoreError> {
        let sql = match self.engine() {
            Engine::Sqlite => format!("SELECT json_group_array(json_array({columns})) FROM {from}"),
            Engine::Postgres => format!("SELECT CAST(json_agg(json_build_array({columns})) AS TEXT) FROM {from}"),
        };
        let json: Option<String> = on_conn!(self, |c| sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone()))
            .fetch_one(c)
            .await?);
        match json {
            Some(json) => serde_json::from_str(&json).map_err(|e| StoreError::Corrupt(format!("{from}: {e}"))),
            None => Ok(Vec::new()),
        }
    }
}

/// The kept profiles; a panic elsewhere while holding the lock leaves them as valid as ever.
fn lock_kept() -> std::sync::MutexGuard<'static, Vec<(i64, Arc<Profiles>)>> {
    KEPT.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
