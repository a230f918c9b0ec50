//! Loading the candidates for a request in a few indexed queries, whatever the size of
//! the bank: only interpreters who speak the pair asked (either way) or the alternative
//! language are read, through `interpreter_languages_pair_idx`.

use super::people::weekday_from_number;
use super::{StoreError, Tx, decode, on_conn};
use crate::domain::ids::{EstablishmentId, PersonId};
use crate::domain::interpreter::{Availability, EligibilityDocument, Inactivity, WeeklyHours};
use crate::domain::language::LanguageTag;
use crate::domain::matching::{Candidate, Need};
use chrono::{DateTime, NaiveDate, NaiveTime, TimeDelta, Utc};
use std::collections::HashMap;

/// The interpreters who speak the pair `$1`/`$2` either way, or `$1` with `$3`.
const SPEAKERS: &str = "SELECT person_id FROM interpreter_languages WHERE \
     (source_language = $1 AND target_language = $2) OR (source_language = $2 AND target_language = $1) \
     OR (source_language = $1 AND target_language = $3) OR (source_language = $3 AND target_language = $1)";

type PeopleRow = (
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<bool>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// Bookings within this long before or after now count as an interpreter's recent work.
pub const RECENT_WORK: TimeDelta = TimeDelta::days(30);

impl Tx {
    /// Every active interpreter who speaks the languages of `need`, with what matching needs
    /// to judge them: hours, inactivity, documents, blocks, bookings near the slot, recent work.
    pub async fn match_candidates(&mut self, need: &Need, now: DateTime<Utc>) -> Result<Vec<Candidate>, StoreError> {
        let (source, target) = (need.source.as_str(), need.target.as_str());
        let alternative = need.alternative.as_ref().map(|a| a.as_str().to_string());
        let alternative = alternative.as_deref();
        macro_rules! fetch {
            ($sql:expr, $ty:ty) => {{
                let sql = $sql;
                let rows: Vec<$ty> = on_conn!(self, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
                    .bind(source)
                    .bind(target)
                    .bind(alternative)
                    .fetch_all(c)
                    .await?);
                rows
            }};
        }
        // One row per interpreter, their languages, request types and blocks folded in
        // (`string_agg` exists on both engines): a few thousand rows, not tens of thousands.
        let people = fetch!(
            format!(
                "SELECT p.id, p.first_name, p.last_name, pr.gender, pr.postal_code, pr.work_postal_code, \
                 pr.always_available, \
                 (SELECT string_agg(l.source_language || '>' || l.target_language, ',') \
                  FROM interpreter_languages l WHERE l.person_id = p.id), \
                 (SELECT string_agg(t.request_type, ',') FROM interpreter_request_types t WHERE t.person_id = p.id), \
                 (SELECT string_agg(CAST(b.establishment_id AS TEXT), ',') FROM interpreter_blocks b \
                  WHERE b.person_id = p.id) \
                 FROM people p JOIN person_roles r ON r.person_id = p.id AND r.role = 'interpreter' \
                 LEFT JOIN interpreter_profiles pr ON pr.person_id = p.id \
                 WHERE p.active AND p.id IN ({SPEAKERS}) ORDER BY p.id"
            ),
            PeopleRow
        );
        let mut index: HashMap<i64, usize> = HashMap::with_capacity(people.len());
        let mut candidates = Vec::with_capacity(people.len());
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
        for (id, first, last, gender, postal, work_postal, always, langs, types, blocks) in people {
            index.insert(id, candidates.len());
            let mut c = Candidate::new(PersonId(id), format!("{first} {last}"));
            c.gender = gender
                .map(|g| decode("interpreter_profiles.gender", g.parse()))
                .transpose()?;
            c.postal_code = work_postal.or(postal);
            c.availability = Some(if always.unwrap_or(true) {
                Availability::Always
            } else {
                Availability::Weekly(Vec::new())
            });
            for pair in langs.as_deref().unwrap_or("").split(',').filter(|p| !p.is_empty()) {
                let (source, target) = pair
                    .split_once('>')
                    .ok_or_else(|| StoreError::Corrupt(format!("interpreter_languages: {pair}")))?;
                c.languages.push((tag(source)?, tag(target)?));
            }
            for t in types.as_deref().unwrap_or("").split(',').filter(|t| !t.is_empty()) {
                c.request_types
                    .push(decode("interpreter_request_types.request_type", t.parse())?);
            }
            for b in blocks.as_deref().unwrap_or("").split(',').filter(|b| !b.is_empty()) {
                c.blocked.push(EstablishmentId(decode(
                    "interpreter_blocks.establishment_id",
                    b.parse::<i64>(),
                )?));
            }
            candidates.push(c);
        }
        if candidates.is_empty() {
            return Ok(candidates);
        }

        let hours = fetch!(
            format!(
                "SELECT person_id, weekday, starts, ends FROM interpreter_weekly_hours WHERE person_id IN ({SPEAKERS})"
            ),
            (i64, i64, NaiveTime, NaiveTime)
        );
        for (id, day, starts, ends) in hours {
            if let Some(&i) = index.get(&id)
                && let Some(Availability::Weekly(list)) = candidates[i].availability.as_mut()
            {
                let weekday = weekday_from_number(day)
                    .ok_or_else(|| StoreError::Corrupt(format!("interpreter_weekly_hours.weekday {day}")))?;
                list.push(WeeklyHours { weekday, starts, ends });
            }
        }
        let documents = fetch!(
            format!(
                "SELECT person_id, name, valid_until FROM interpreter_documents \
                 WHERE inactive_if_invalid AND valid_until IS NOT NULL AND person_id IN ({SPEAKERS})"
            ),
            (i64, String, Option<NaiveDate>)
        );
        for (id, name, valid_until) in documents {
            if let Some(&i) = index.get(&id) {
                candidates[i].documents.push(EligibilityDocument {
                    name,
                    description: None,
                    valid_until,
                    inactive_if_invalid: true,
                    comments: None,
                });
            }
        }

        // The rest is about time: inactivity over the slot, bookings around it, recent work.
        let window_start = need.starts_at - TimeDelta::days(1);
        let window_end = need.ends_at + crate::domain::matching::TRAVEL_BUFFER;
        let inactive_sql = format!(
            "SELECT person_id, starts_at, ends_at FROM interpreter_inactivity \
             WHERE ends_at > $4 AND starts_at < $5 AND person_id IN ({SPEAKERS})"
        );
        let inactive: Vec<(i64, DateTime<Utc>, DateTime<Utc>)> =
            on_conn!(self, |c| sqlx::query_as(sqlx::AssertSqlSafe(inactive_sql.clone()))
                .bind(source)
                .bind(target)
                .bind(alternative)
                .bind(need.starts_at)
                .bind(need.ends_at)
                .fetch_all(c)
                .await?);
        for (id, starts_at, ends_at) in inactive {
            if let Some(&i) = index.get(&id) {
                candidates[i].inactivity.push(Inactivity {
                    starts_at,
                    ends_at,
                    reason: None,
                });
            }
        }
        let bookings_sql = format!(
            "SELECT assigned_interpreter_id, starts_at, duration_minutes, request_type FROM requests \
             WHERE status IN ('booked', 'modified') AND starts_at >= $4 AND starts_at < $5 \
             AND assigned_interpreter_id IN ({SPEAKERS})"
        );
        let bookings: Vec<(i64, DateTime<Utc>, i64, String)> =
            on_conn!(self, |c| sqlx::query_as(sqlx::AssertSqlSafe(bookings_sql.clone()))
                .bind(source)
                .bind(target)
                .bind(alternative)
                .bind(window_start)
                .bind(window_end)
                .fetch_all(c)
                .await?);
        for (id, starts_at, minutes, kind) in bookings {
            if let Some(&i) = index.get(&id) {
                candidates[i]
                    .bookings
                    .push((starts_at, starts_at + TimeDelta::minutes(minutes), kind == "in_person"));
            }
        }
        let recent_sql = format!(
            "SELECT assigned_interpreter_id, COUNT(*) FROM requests \
             WHERE starts_at >= $4 AND starts_at < $5 AND status NOT IN ('cancelled', 'draft') \
             AND assigned_interpreter_id IN ({SPEAKERS}) GROUP BY assigned_interpreter_id"
        );
        let recent: Vec<(i64, i64)> = on_conn!(self, |c| sqlx::query_as(sqlx::AssertSqlSafe(recent_sql.clone()))
            .bind(source)
            .bind(target)
            .bind(alternative)
            .bind(now - RECENT_WORK)
            .bind(now + RECENT_WORK)
            .fetch_all(c)
            .await?);
        for (id, n) in recent {
            if let Some(&i) = index.get(&id) {
                candidates[i].recent_work = u32::try_from(n).unwrap_or(u32::MAX);
            }
        }
        Ok(candidates)
    }
}
