//! The request lists of the signed-in pages: what one person may see, filtered, newest
//! appointment first, a page at a time (each page starts after the last line of the one
//! before: `(starts_at, id)`, so a request booked meanwhile neither repeats nor hides a line). Only the criteria set reach the query, and
//! each scope leads with an indexed column (`requested_by`, `installation_id`,
//! `assigned_interpreter_id`, each with `starts_at`).

use super::{StoreError, Tx, decode, on_conn};
use crate::domain::ids::{InstallationId, PersonId, RequestId};
use crate::domain::request::{RequestStatus, RequestType};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use std::str::FromStr;

/// Whose requests a list holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListScope {
    /// A coordinator's: every request.
    Everything,
    /// "Mes demandes": those this person asked for.
    RequestedBy(PersonId),
    /// "Par emplacement": every request of these installations.
    Installations(Vec<InstallationId>),
    /// An interpreter's: pending offers and bookings.
    Interpreter(PersonId),
}

/// What a list is narrowed to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListFilter {
    pub scope: ListScope,
    /// On the appointment date, inclusive.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub status: Option<RequestStatus>,
    /// A language tag: matches the source, target or alternative language, and regional
    /// variants of a bare tag.
    pub language: Option<String>,
    /// Part of the request number.
    pub number: Option<String>,
    /// Part of the assigned interpreter's name, any case.
    pub interpreter: Option<String>,
    /// Only lines after this one, in the list's order (the next page).
    pub after: Option<ListCursor>,
    pub limit: i64,
    /// Nearest appointment first (what is coming up), instead of the latest first.
    pub ascending: bool,
}

/// Where a page of a list ended: the appointment and id of its last line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListCursor {
    pub starts_at: DateTime<Utc>,
    pub id: RequestId,
}

impl ListCursor {
    /// As a link carries it: `<unix seconds>_<id>`.
    pub fn encode(&self) -> String {
        format!("{}_{}", self.starts_at.timestamp(), self.id.0)
    }

    pub fn decode(raw: &str) -> Option<ListCursor> {
        let (at, id) = raw.trim().split_once('_')?;
        Some(ListCursor {
            starts_at: DateTime::from_timestamp(at.parse().ok()?, 0)?,
            id: RequestId(id.parse().ok()?),
        })
    }
}

/// One line of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListRow {
    pub id: RequestId,
    pub number: Option<String>,
    pub status: RequestStatus,
    pub date: NaiveDate,
    pub start_time: NaiveTime,
    pub target_language: String,
    pub installation: String,
    pub interpreter: Option<String>,
    pub request_type: RequestType,
    pub duration_minutes: u32,
    /// Who asked: the requester's name.
    pub requester: String,
    /// An offer to the listing interpreter awaits their answer.
    pub offer_pending: bool,
    /// Where the list continues after this line.
    pub cursor: ListCursor,
}

#[derive(sqlx::FromRow)]
struct ListDbRow {
    id: i64,
    number: Option<String>,
    status: String,
    service_date: NaiveDate,
    start_time: NaiveTime,
    target_language: String,
    installation: String,
    interpreter_first_name: Option<String>,
    interpreter_last_name: Option<String>,
    request_type: String,
    duration_minutes: i64,
    requester_first_name: String,
    requester_last_name: String,
    offer_pending: i64,
    starts_at: DateTime<Utc>,
}

enum Param {
    Date(NaiveDate),
    Time(DateTime<Utc>),
    Text(String),
    Int(i64),
}

fn query(filter: &ListFilter) -> (String, Vec<Param>) {
    let mut params: Vec<Param> = Vec::new();
    let next = |p: Param, params: &mut Vec<Param>| {
        params.push(p);
        format!("${}", params.len())
    };
    let me = match &filter.scope {
        ListScope::Interpreter(p) => p.0,
        _ => 0,
    };
    let me = next(Param::Int(me), &mut params);
    // Drafts are not requests yet: only their requester lists them (« Mes demandes »).
    let mut conditions = match &filter.scope {
        ListScope::RequestedBy(_) => Vec::new(),
        _ => vec!["r.status <> 'draft'".to_string()],
    };
    match &filter.scope {
        ListScope::Everything => {}
        ListScope::RequestedBy(p) => {
            conditions.push(format!("r.requested_by = {}", next(Param::Int(p.0), &mut params)))
        }
        ListScope::Installations(ids) => {
            let mut list: Vec<String> = ids.iter().map(|i| next(Param::Int(i.0), &mut params)).collect();
            if list.is_empty() {
                list.push("NULL".into());
            }
            conditions.push(format!("r.installation_id IN ({})", list.join(", ")));
        }
        ListScope::Interpreter(_) => conditions.push(format!(
            "(r.assigned_interpreter_id = {me} OR EXISTS (SELECT 1 FROM offers o WHERE o.request_id = r.id \
             AND o.interpreter_id = {me} AND o.status = 'pending'))"
        )),
    }
    if let Some(from) = filter.from {
        conditions.push(format!("r.service_date >= {}", next(Param::Date(from), &mut params)));
    }
    if let Some(to) = filter.to {
        conditions.push(format!("r.service_date <= {}", next(Param::Date(to), &mut params)));
    }
    if let Some(status) = filter.status {
        conditions.push(format!(
            "r.status = {}",
            next(Param::Text(status.as_str().into()), &mut params)
        ));
    }
    if let Some(language) = &filter.language {
        let exact = next(Param::Text(language.clone()), &mut params);
        let variants = next(Param::Text(format!("{language}-%")), &mut params);
        let alternatives: Vec<String> = ["r.source_language", "r.target_language", "r.alternative_language"]
            .iter()
            .map(|column| format!("{column} = {exact} OR {column} LIKE {variants}"))
            .collect();
        conditions.push(format!("({})", alternatives.join(" OR ")));
    }
    if let Some(number) = &filter.number {
        conditions.push(format!(
            "UPPER(r.number) LIKE {}",
            next(Param::Text(format!("%{}%", number.to_uppercase())), &mut params)
        ));
    }
    if let Some(name) = &filter.interpreter {
        conditions.push(format!(
            "LOWER(ip.first_name || ' ' || ip.last_name) LIKE {}",
            next(Param::Text(format!("%{}%", name.to_lowercase())), &mut params)
        ));
    }
    if let Some(after) = filter.after {
        let at = next(Param::Time(after.starts_at), &mut params);
        let id = next(Param::Int(after.id.0), &mut params);
        let beyond = if filter.ascending { ">" } else { "<" };
        conditions.push(format!(
            "(r.starts_at {beyond} {at} OR (r.starts_at = {at} AND r.id {beyond} {id}))"
        ));
    }
    let limit = next(Param::Int(filter.limit), &mut params);
    let order = if filter.ascending { "ASC" } else { "DESC" };
    let sql = format!(
        "SELECT r.id, r.number, r.status, r.service_date, r.start_time, r.target_language, r.starts_at, \
         i.name AS installation, ip.first_name AS interpreter_first_name, ip.last_name AS interpreter_last_name, \
         r.request_type, r.duration_minutes, rp.first_name AS requester_first_name, rp.last_name AS requester_last_name, \
         CAST(CASE WHEN EXISTS (SELECT 1 FROM offers o WHERE o.request_id = r.id AND o.interpreter_id = {me} \
         AND o.status = 'pending') THEN 1 ELSE 0 END AS BIGINT) AS offer_pending \
         FROM requests r JOIN installations i ON i.id = r.installation_id \
         LEFT JOIN people ip ON ip.id = r.assigned_interpreter_id \
         JOIN people rp ON rp.id = r.requested_by \
         WHERE {} ORDER BY r.starts_at {order}, r.id {order} LIMIT {limit}",
        conditions.join(" AND ")
    );
    (sql, params)
}

impl Tx {
    /// The requests of `filter`, latest appointment first, or nearest first when
    /// `ascending`.
    pub async fn request_list(&mut self, filter: &ListFilter) -> Result<Vec<ListRow>, StoreError> {
        let (sql, params) = query(filter);
        let rows: Vec<ListDbRow> = on_conn!(self, |c| {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
            for p in &params {
                q = match p {
                    Param::Date(d) => q.bind(*d),
                    Param::Time(t) => q.bind(*t),
                    Param::Text(s) => q.bind(s.clone()),
                    Param::Int(i) => q.bind(*i),
                };
            }
            q.fetch_all(c).await?
        });
        rows.into_iter()
            .map(|r| {
                Ok(ListRow {
                    id: RequestId(r.id),
                    number: r.number,
                    status: decode("requests.status", RequestStatus::from_str(&r.status))?,
                    date: r.service_date,
                    start_time: r.start_time,
                    target_language: r.target_language,
                    installation: r.installation,
                    interpreter: match (r.interpreter_first_name, r.interpreter_last_name) {
                        (Some(f), Some(l)) => Some(format!("{f} {l}")),
                        _ => None,
                    },
                    request_type: decode("requests.request_type", RequestType::from_str(&r.request_type))?,
                    duration_minutes: u32::try_from(r.duration_minutes).unwrap_or(0),
                    requester: format!("{} {}", r.requester_first_name, r.requester_last_name),
                    offer_pending: r.offer_pending != 0,
                    cursor: ListCursor {
                        starts_at: r.starts_at,
                        id: RequestId(r.id),
                    },
                })
            })
            .collect()
    }
}
